"""Tests of identifiability.symbolic (polynomial conditions for existence and uniqueness)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sympy

from identifiability.core import solve_system
from identifiability.supports import butterfly_split_supports, lower_triangular_support
from identifiability.symbolic import ConditionCheck, UniquenessConditions, uniqueness_conditions

CASES = json.loads((Path(__file__).parents[1] / "data" / "generic_oracles.json")
                   .read_text())["cases"]
LU = lower_triangular_support(2)
C06 = np.array([[1, 0], [1, 1], [0, 1]], bool)
C01 = np.array([[1, 0], [1, 0], [0, 1]], bool)
C07 = (np.ones((2, 2), bool), np.array([[1, 1], [0, 1]], bool))

PATTERNS = {
    "LU2": (LU, LU.T.copy()),
    "LU3": (lower_triangular_support(3), lower_triangular_support(3).T.copy()),
    "C06": (C06, C06.T.copy()),
    "C01": (C01, C01.T.copy()),
    "C07": C07,
    "butterfly4": butterfly_split_supports(4, 1),
}


@pytest.fixture(scope="module")
def conditions():
    return {name: uniqueness_conditions(*pair) for name, pair in PATTERNS.items()}


def test_lu_2x2_unique_iff_leading_minors_nonzero(conditions):
    c = conditions["LU2"]
    a = c.symbols
    assert isinstance(c, UniquenessConditions)
    expected = sympy.And(sympy.Ne(a[0, 0], 0), sympy.Ne(a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0], 0))
    assert sympy.simplify_logic(sympy.Equivalent(c.unique_if, expected)) == sympy.true
    assert c.closure_equations == ()  # the products are dense in 2x2 matrices (not closed)
    assert c.exact_existence is False


def test_lu_3x3_leading_principal_minors(conditions):
    c = conditions["LU3"]
    a = c.symbols
    minors = [a[:k, :k].det() for k in (1, 2, 3)]
    expected = sympy.And(*[sympy.Ne(sympy.expand(d), 0) for d in minors])
    assert sympy.simplify_logic(sympy.Equivalent(c.unique_if, expected)) == sympy.true


def test_lu_oracles_c32_c03(conditions):
    c = conditions["LU2"]
    assert c.check(CASES["C32"]["A"]) == ConditionCheck(True, True)
    # C03 has no exact LU factorization; the conditions do not settle it (closure = all)
    assert c.check(CASES["C03"]["A"]) == ConditionCheck(None, None)
    assert c.check(np.array([[2, 1], [4, 2]])) == ConditionCheck(None, None)  # det = 0


def test_c06_closure_equation_and_oracle(conditions):
    c = conditions["C06"]
    a = c.symbols
    det_like = a[0, 0] * a[1, 1] * a[2, 2] - a[0, 0] * a[1, 2] * a[2, 1] - a[0, 1] * a[1, 0] * a[2, 2]
    polys = {sympy.expand(e) for e in c.closure_equations}
    assert polys == {a[0, 2], a[2, 0], sympy.expand(det_like)} or \
        polys == {a[0, 2], a[2, 0], sympy.expand(-det_like)}
    assert c.check(CASES["C06"]["A"]) == ConditionCheck(True, True)
    bad = np.array(CASES["C06"]["A"])
    bad[0, 2] = 1
    assert c.check(bad) == ConditionCheck(False, False)


def _fibre(s1, s2, A):
    """The factorizations of A on the supports (no gauge): ``A - X Y = 0`` and its unknowns."""
    X = sympy.Matrix(*s1.shape, lambda i, k: sympy.Symbol(f"x{i}_{k}") if s1[i, k] else 0)
    Y = sympy.Matrix(*s2.shape, lambda k, j: sympy.Symbol(f"y{k}_{j}") if s2[k, j] else 0)
    unknowns = [v for v in list(X) + list(Y) if v != 0]
    return list(sympy.Matrix(A) - X * Y), unknowns


@pytest.mark.parametrize("s1, s2", [(C06, C06.T.copy()),
                                    (np.array([[1, 0], [1, 1], [1, 1]], bool),
                                     np.array([[1, 1, 0], [0, 1, 1]], bool))])
def test_closure_equations_against_the_polynomial_engine(s1, s2):
    """The sympy elimination is right where solve_system can check it: every closure
    equation vanishes on products, and a matrix violating one has no factorization at all
    (the fibre system is empty, verified by the second engine)."""
    c = uniqueness_conditions(s1, s2)
    assert len(c.closure_equations) in (2, 3)
    rng = np.random.default_rng(1)
    violated = 0
    for _ in range(6):
        X = np.where(s1, rng.integers(-2, 3, s1.shape), 0)
        Y = np.where(s2, rng.integers(-2, 3, s2.shape), 0)
        subs = dict(zip(c.symbols, (X @ Y).ravel().tolist()))
        assert all(e.subs(subs) == 0 for e in c.closure_equations)
        A = rng.integers(-1, 2, (s1.shape[0], s2.shape[1]))
        subs = dict(zip(c.symbols, A.ravel().tolist()))
        if any(e.subs(subs) != 0 for e in c.closure_equations):
            violated += 1
            sol = solve_system(*_fibre(s1, s2, A), real=False)
            assert sol.status == "empty" and sol.verify()
    assert violated >= 3


def test_disjoint_blocks_exact_c01(conditions):
    c = conditions["C01"]
    assert c.exact_existence and c.exact_uniqueness and c.method == "disjoint rectangles"
    assert c.check(CASES["C01"]["A"]) == ConditionCheck(True, True)
    assert c.check([[1, 3, 0], [2, 5, 0], [0, 0, 2]]) == ConditionCheck(False, False)
    assert c.check([[1, 3, 0], [2, 6, 0], [0, 0, 0]]) == ConditionCheck(True, False)


def test_butterfly_split_blocks_rank_one_and_nonzero(conditions):
    c = conditions["butterfly4"]
    assert c.exact_uniqueness and len(c.closure_equations) == 4  # one 2x2 minor per block
    H = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]])
    assert c.check(H) == ConditionCheck(True, True)
    X1, X2 = (np.array(F) for F in CASES["C35"]["factors"])
    assert c.check(X1 @ X2) == ConditionCheck(True, True)


def test_never_unique_patterns(conditions):
    c = conditions["C07"]
    assert c.unique_if == sympy.false and c.exact_uniqueness
    assert c.check(CASES["C07"]["A"]).unique is False
    dense = uniqueness_conditions(np.ones((2, 2), bool), np.ones((2, 2), bool))
    assert dense.unique_if == sympy.false and "share one rectangle" in dense.reason
    one_sided = uniqueness_conditions(np.ones((2, 2), bool), np.array([[1, 1], [0, 0]], bool))
    assert one_sided.unique_if == sympy.false and one_sided.exact_uniqueness


def test_latex_and_explain(conditions):
    c = conditions["LU2"]
    assert r"a_{00} \neq 0" in c.latex()
    assert "sufficient" in c.explain()
    assert "iff" in conditions["C01"].explain()


def test_check_inexact_decided_numerically(conditions):
    c = conditions["C01"]
    A = np.array(CASES["C01"]["A"], float) * 0.1
    default = c.check(A)              # was ConditionCheck(None, None): "pass tol"
    assert default == ConditionCheck(True, True)
    assert not default.exact and default.tol_source == "default" and default.tol > 0
    assert c.check(A, tol=1e-12) == ConditionCheck(True, True)
    assert c.check(CASES["C01"]["A"]).exact
    with pytest.raises(ValueError, match="'A' parameter of UniquenessConditions.check"):
        c.check(np.ones((2, 2)))


def test_check_complex_gaussian_entries(conditions):
    c = conditions["LU2"]
    assert c.check(np.array([[1j, 2], [1, 1 + 1j]])) == ConditionCheck(True, True)


def test_validation():
    with pytest.raises(ValueError, match="'support2' parameter of uniqueness_conditions"):
        uniqueness_conditions(np.ones((2, 3), bool), np.ones((2, 2), bool))
    with pytest.raises(ValueError, match="'max_branches'"):
        uniqueness_conditions(LU, LU.T, max_branches=0)


@pytest.mark.parametrize("name", list(PATTERNS))
def test_cross_check_with_two_layer(conditions, name):
    """The conditions never contradict identifiability.two_layer.check_uniqueness."""
    two_layer = pytest.importorskip("identifiability.two_layer")
    if not hasattr(two_layer, "check_uniqueness"):
        pytest.skip("identifiability.two_layer.check_uniqueness not available")
    s1, s2 = PATTERNS[name]
    c = conditions[name]
    rng = np.random.default_rng(0)
    for trial in range(40):
        X = np.where(s1, rng.integers(-2, 3, s1.shape), 0)
        Y = np.where(s2, rng.integers(-2, 3, s2.shape), 0)
        A = X @ Y if trial % 4 else rng.integers(-1, 2, (s1.shape[0], s2.shape[1]))
        got = c.check(A)
        status = two_layer.check_uniqueness(A, s1, s2).status
        if got.unique is True:
            assert status == "unique", (A, status)
        if got.unique is False:
            assert status in ("not_unique", "infeasible"), (A, status)
        if got.exists is False:
            assert status == "infeasible", (A, status)
        if got.exists is True:
            assert status != "infeasible", (A, status)


def test_uniqueness_conditions_repr_is_short_with_a_table(conditions):
    for c in conditions.values():
        assert len(repr(c)) < 300
        assert "<table>" in c._repr_html_() and "unique" in c._repr_html_()
