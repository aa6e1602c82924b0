"""Tests of identifiability.sparsity_levels (uniqueness with prescribed sparsity levels)."""

import dataclasses
from itertools import product

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identifiability.equivalence import equivalent, same_class
from identifiability.sparsity import (BlockCertificate, SparseAlternative, SparseVerdict,
                                             check_uniqueness_sparse)
from identifiability.supports import all_supports
from identifiability.two_layer import check_uniqueness


def admissible(S1, S2, mode, k1, k2):
    n1, n2 = np.asarray(S1) != 0, np.asarray(S2) != 0
    if mode == "columns":
        return n1.sum(0).max() <= k1 and n2.sum(1).max() <= k2
    if mode == "rows":
        return n1.sum(1).max() <= k1 and n2.sum(0).max() <= k2
    return n1.sum() <= k1 and n2.sum() <= k2


def brute_force(A, k1, k2, mode, r):
    """Every maximal support pair (no symmetry reduction), decided with fixed supports."""
    m, n = A.shape
    c1, c2 = {"columns": (min(k1, m), min(k2, n)), "rows": (min(k1, r), min(k2, r)),
              "total": (min(k1, m * r), min(k2, r * n))}[mode]
    mode2 = {"columns": "rows", "rows": "columns", "total": "total"}[mode]
    # columns of S1 / rows of S2 ("columns"); rows of S1 / columns of S2 ("rows")
    solutions, undecided = [], False
    for s1, s2 in product(all_supports((m, r), c1, mode=mode),
                          list(all_supports((r, n), c2, mode=mode2))):
        if np.any((A != 0) & ((s1.astype(int) @ s2.astype(int)) == 0)):
            continue  # a nonzero of A is covered by no rectangle
        v = check_uniqueness(A, s1, s2)
        if v.status == "not_unique":
            return "not_unique"
        if v.status in ("undecided", "locally_unique"):
            undecided = True
        if v.factors is not None:
            solutions.append(v.factors)
    if any(not same_class(solutions[0], s) for s in solutions[1:]):
        return "not_unique"
    if undecided:
        return "undecided"
    return "unique" if solutions else "infeasible"


# ----------------------------------------------------------------------------- examples

def test_diagonal_with_one_nonzero_per_term_is_unique():
    A = np.diag([1, 2, 3])
    v = check_uniqueness_sparse(A, 1, 1)
    assert (v.status, v.r) == ("unique", 3)
    assert v.verify()
    S1, S2 = v.factors
    assert np.array_equal(S1 @ S2, A)
    assert admissible(S1, S2, "columns", 1, 1)


def test_identity_with_dense_levels_is_not_unique_and_certificate_verifies():
    v = check_uniqueness_sparse(np.eye(2), 2, 2)
    assert v.status == "not_unique" and v.r == 2
    cert = v.certificate
    assert isinstance(cert, SparseAlternative)
    assert not equivalent(list(cert.first), list(cert.second))
    for S1, S2 in (cert.first, cert.second):
        assert np.allclose(np.asarray(S1, float) @ np.asarray(S2, float), np.eye(2))
    assert v.verify()


def test_blocks_rows_too_large_to_mix_give_unique():
    A = np.array([[1, 2, 0], [2, 4, 0], [0, 0, 3]])
    v = check_uniqueness_sparse(A, 2, 2)
    assert (v.status, v.r) == ("unique", 2)
    assert isinstance(v.certificate, BlockCertificate)
    assert v.verify()
    assert "UNIQUE" in v.explain()


def test_rows_mode_two_blocks_mix_when_both_levels_are_two():
    A = np.diag([1, 2])
    v = check_uniqueness_sparse(A, 2, 2, mode="rows")
    assert v.status == "not_unique" and v.verify()
    assert check_uniqueness_sparse(A, 1, 2, mode="rows").status == "unique"


def test_total_mode_rank_bound_is_infeasible():
    v = check_uniqueness_sparse(np.diag([1, 2, 3]), 2, 3, mode="total")
    assert v.status == "infeasible" and v.factors is None and v.verify()


def test_explicit_r_above_the_minimum_is_not_unique_in_columns_mode():
    v = check_uniqueness_sparse(np.diag([1, 2]), 1, 1, r=3)
    assert v.status == "not_unique" and v.verify()


def test_explicit_r_below_rank_is_infeasible():
    v = check_uniqueness_sparse(np.diag([1, 2]), 1, 1, r=1)
    assert v.status == "infeasible" and v.verify()


def test_overlapping_terms_not_unique():
    A = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]])
    v = check_uniqueness_sparse(A, 2, 2)
    assert (v.status, v.r) == ("not_unique", 3) and v.verify()


def test_size_limit_gives_undecided_with_reason():
    A = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]])
    v = check_uniqueness_sparse(A, 2, 2, max_candidates=3)
    assert v.status == "undecided" and "max_candidates" in v.reason
    assert v.verify()


def test_complex_and_numerical_input():
    A = np.diag([1j, 2.0 + 0.5j])
    v = check_uniqueness_sparse(A, 1, 1)
    assert v.status == "unique" and v.verify()
    B = np.array([[0.1, 0.2, 0.0], [0.3, 0.6, 0.0], [0.0, 0.0, 0.7]])
    d = check_uniqueness_sparse(B, 2, 2)     # 0.1 is not exact: numerical at the default tol
    assert (d.status, d.r, d.exact, d.tol_source) == ("unique", 2, False, "default")  # was
    assert d.verify()                                                   # "undecided" (intended)
    w = check_uniqueness_sparse(B, 2, 2, tol=1e-12)
    assert (w.status, w.r) == ("unique", 2) and w.verify()
    w = check_uniqueness_sparse(B, 2, 1, tol=1e-12)   # width-2 block, one column per term
    assert (w.status, w.r) == ("unique", 3) and w.verify()


def test_result_is_frozen_with_readable_repr():
    v = check_uniqueness_sparse(np.eye(2), 1, 1)
    assert isinstance(v, SparseVerdict)
    with pytest.raises(AttributeError):
        v.status = "x"
    assert repr(v).startswith("SparseVerdict(status='unique'")


@pytest.mark.parametrize("kwargs, exc, name", [
    (dict(k1=0, k2=1), ValueError, "'k1'"),
    (dict(k1=1, k2=1.5), TypeError, "'k2'"),
    (dict(k1=1, k2=1, mode="diag"), ValueError, "'mode'"),
    (dict(k1=1, k2=1, r=0), ValueError, "'r'"),
    (dict(k1=1, k2=1, tol=-1.0), ValueError, "'tol'"),
    (dict(k1=1, k2=1, max_candidates=0), ValueError, "'max_candidates'"),
])
def test_bad_parameters_are_named(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        check_uniqueness_sparse(np.eye(2), **kwargs)


def test_bad_matrix_is_named():
    with pytest.raises(TypeError, match="'A'"):
        check_uniqueness_sparse(np.eye(2, dtype=bool), 1, 1)
    with pytest.raises(ValueError, match="'A'"):
        check_uniqueness_sparse(np.array([[np.nan]]), 1, 1)


def test_algebraic_alternatives_from_groebner_are_compared_exactly(monkeypatch):
    # found by hypothesis: the lifted system of one support pair has two real solutions
    # in Q(sqrt 2); both factorizations multiply back exactly and are inequivalent
    A = np.array([[0, -1, 2], [2, 1, 1], [-2, 1, 2]])
    default = check_uniqueness_sparse(A, 2, 2, mode="columns", max_candidates=3000)
    assert default.status == "not_unique" and default.verify()   # msolve path
    monkeypatch.setenv("SPARSEFACT_MSOLVE", "/nonexistent/msolve")  # the sympy path
    v = check_uniqueness_sparse(A, 2, 2, mode="columns", max_candidates=3000)
    assert v.status == "not_unique" and v.r == 3 and v.verify()
    first, second = v.certificate.first, v.certificate.second
    assert any(isinstance(x, sympy.Basic) and not x.is_Rational
               for M in first + second for x in np.ravel(M))          # the algebraic path
    assert not same_class(first, second) and same_class(first, first)
    for S1, S2 in (first, second):
        assert np.allclose(np.asarray(S1, complex) @ np.asarray(S2, complex), A)
    # a tampered certificate (the same factorization twice) no longer verifies
    bad = dataclasses.replace(v, certificate=dataclasses.replace(v.certificate, second=first))
    assert not bad.verify()


# ----------------------------------------------------------------------------- property

@st.composite
def instances(draw):
    mode = draw(st.sampled_from(["columns", "columns", "rows", "total"]))
    m = draw(st.integers(2, 3))
    n = draw(st.integers(2, 3))
    values = draw(st.lists(st.integers(-2, 2), min_size=m * n, max_size=m * n))
    A = np.array(values).reshape(m, n)
    if not A.any():
        A[0, 0] = 1
    if mode == "total":
        k1, k2 = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    else:
        k1, k2 = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    r = draw(st.one_of(st.none(), st.integers(1, 3)))
    return A, k1, k2, mode, r


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_agrees_with_brute_force_over_all_support_pairs(case):
    A, k1, k2, mode, r = case
    v = check_uniqueness_sparse(A, k1, k2, mode=mode, r=r, max_candidates=3000)
    assert v.verify()
    if v.status == "undecided":
        return
    if v.status == "infeasible" and r is None:
        return  # brute force over every r is not bounded here; the bound is in verify()
    rr = v.r if r is None else r
    assert v.status == brute_force(A, k1, k2, mode, rr)
    if r is None and rr > 1:  # the chosen r is the smallest feasible one
        assert brute_force(A, k1, k2, mode, rr - 1) == "infeasible"
    if v.factors is not None:
        S1, S2 = v.factors
        assert admissible(S1, S2, mode, k1, k2)
        assert np.allclose(np.asarray(S1, complex) @ np.asarray(S2, complex), A)
