"""check_uniqueness on the docs/theory.rst oracle cases, certificates, properties and bad input."""

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from identifiability import (AlternativeCertificate, CompletionCertificate, Obstruction,
                             check_uniqueness, equivalent)
from identifiability.core.exact import exact_matmul, to_exact
from identifiability.core.policy import DEFAULT_RTOL
from identifiability.supports import butterfly_split_supports, random_support

DATA = json.loads((Path(__file__).parent.parent / "data" / "two_layer_oracles.json").read_text())
CASES = {k: c for k, c in DATA["cases"].items() if "status" in c}


def _inputs(case):
    i = case["inputs"]
    if "support1" in i:
        s1, s2 = np.array(i["support1"], bool), np.array(i["support2"], bool)
    else:
        s1, s2 = np.array(i["S1"]) != 0, np.array(i["S2"]) != 0
    A = np.array(i["A"]) if "A" in i else np.array(i["S1"]) @ np.array(i["S2"])
    return A, s1, s2


def _multiplies_back(A, S1, S2):
    return all(p == a for p, a in zip(exact_matmul(S1, S2).flat, to_exact(A).flat))


@pytest.mark.parametrize("name", sorted(CASES))
def test_oracle_verdict_and_certificate(name):
    A, s1, s2 = _inputs(CASES[name])
    v = check_uniqueness(A, s1, s2)
    assert v.status == CASES[name]["status"]
    assert v.verify()
    assert v.field in ("Q", "R", "C")
    if v.status in ("unique", "not_unique"):
        assert _multiplies_back(A, *v.factors)
    if v.status == "not_unique":
        T1, T2 = v.certificate.factors
        assert _multiplies_back(A, T1, T2)
        assert not equivalent(list(v.factors), [T1, T2])
    if v.status == "infeasible":
        assert isinstance(v.certificate, Obstruction)
        assert v.factors is None


def test_c01_completion_certificate_order_and_trees():
    A, s1, s2 = _inputs(CASES["C01"])
    cert = check_uniqueness(A, s1, s2).certificate
    assert isinstance(cert, CompletionCertificate)
    assert sorted(s.k for s in cert.steps) == [0, 1]
    # each tree spans its rectangle: |rows| + |cols| - 1 edges
    assert [len(s.tree) for s in cert.steps] == [len(s.rows) + len(s.cols) - 1 for s in cert.steps]


def test_c06_overlap_peels_in_order():
    A, s1, s2 = _inputs(CASES["C06"])
    v = check_uniqueness(A, s1, s2)
    assert v.status == "unique"
    assert len(v.certificate.steps) == 2


def test_c07_stuck_decided_by_groebner_with_rational_alternative():
    A, s1, s2 = _inputs(CASES["C07"])
    v = check_uniqueness(A, s1, s2)
    assert v.status == "not_unique" and v.field == "R"
    assert "lifted system" in v.reason
    # the oracle's alternative is also a solution, and it is inequivalent to ours or to theirs
    i = CASES["C07"]["inputs"]
    assert _multiplies_back(A, np.array(i["S1_alt"]), np.array(i["S2_alt"]))


def test_c07_with_completion_only_is_undecided():
    A, s1, s2 = _inputs(CASES["C07"])
    v = check_uniqueness(A, s1, s2, method="completion")
    assert v.status == "undecided" and "stuck" in v.reason
    assert v.verify()


def test_c10_zero_partner_alternative_changes_only_the_free_column():
    A, s1, s2 = _inputs(CASES["C10"])
    v = check_uniqueness(A, s1, s2)
    assert v.status == "not_unique" and "zero" in v.reason
    S1, S2 = v.factors
    T1, T2 = v.certificate.factors
    assert not np.array_equal(np.asarray(S2, float), np.asarray(T2, float))


def test_c11_duplicated_rectangles_mix_by_G():
    A, s1, s2 = _inputs(CASES["C11"])
    v = check_uniqueness(A, s1, s2)
    assert v.status == "not_unique" and "share one rectangle" in v.reason


def test_c03_obstruction_names_the_vanishing_entry():
    A, s1, s2 = _inputs(CASES["C03"])
    v = check_uniqueness(A, s1, s2)
    assert v.certificate.kind == "zero_private_entry"
    assert v.certificate.data["entry"] == (0, 0)


def test_c32_lu_exists_and_is_unique():
    A, s1, s2 = _inputs(CASES["C32"])
    v = check_uniqueness(A, s1, s2)
    S1, S2 = (np.asarray(F, float) for F in v.factors)
    L, U = np.array([[1, 0], [0.5, 1]]), np.array([[2, 1], [0, -0.5]])
    assert equivalent([S1, S2], [L, U])


@pytest.mark.parametrize("name", ["C01", "C06", "C32", "C35"])
def test_tampered_certificate_fails_verification(name):
    A, s1, s2 = _inputs(CASES[name])
    v = check_uniqueness(A, s1, s2)
    from dataclasses import replace

    S1, S2 = v.factors
    bad = np.array(S1, dtype=object)
    bad[np.argwhere(s1)[0][0], np.argwhere(s1)[0][1]] += 1
    assert not replace(v, factors=(bad, S2)).verify()
    steps = v.certificate.steps
    wrong = replace(v.certificate, steps=steps[:-1])
    assert not replace(v, certificate=wrong).verify()


def test_tampered_alternative_fails_verification():
    A, s1, s2 = _inputs(CASES["C11"])
    v = check_uniqueness(A, s1, s2)
    from dataclasses import replace

    S1, S2 = v.factors
    same = AlternativeCertificate((S1[:, ::-1].copy(), S2[::-1].copy()), "a permutation")
    assert not replace(v, certificate=same).verify()      # equivalent: no certificate
    off = AlternativeCertificate((S1 + 1, S2), "does not multiply back")
    assert not replace(v, certificate=off).verify()


def test_inexact_input_is_decided_numerically_at_the_default_tol():
    # intended change of the exactness policy: inexact floats without tol were "undecided"
    A = np.array([[1, 3, 0], [2, 6, 0], [0, 0, 2]]) / 3.0
    S = np.array([[1, 0], [1, 0], [0, 1]], bool)
    v = check_uniqueness(A, S, S.T)
    assert v.status == "unique" and not v.exact and v.tol_source == "default"
    assert v.tol == DEFAULT_RTOL and v.verify() and "default" in v.explain()
    w = check_uniqueness(A, S, S.T, tol=1e-12)
    assert w.status == "unique" and w.field.startswith("numerical")
    assert w.certificate.margins["atol"] == pytest.approx(1e-12 * 2.0)  # tol * max abs A
    assert w.verify()


def test_fractions_and_dyadic_floats_are_exact():
    A = np.array([[Fraction(1, 3), 1], [Fraction(2, 3), 2]], dtype=object)
    v = check_uniqueness(A, np.ones((2, 1)), np.ones((1, 2)))
    assert v.status == "unique" and v.field == "Q" and v.verify()
    assert check_uniqueness(np.array([[0.5, 0.25]]), [[1]], [[1, 1]]).status == "unique"


def test_rank_two_block_in_rank_one_rectangle_is_infeasible():
    v = check_uniqueness(np.eye(2), np.ones((2, 1)), np.ones((1, 2)))
    assert v.status == "infeasible" and v.certificate.kind == "inconsistent_completion"
    assert v.verify()


def test_uncovered_nonzero_entry_is_infeasible():
    v = check_uniqueness(np.array([[1, 1], [1, 1]]), [[1], [0]], [[1, 1]])
    assert v.status == "infeasible" and v.certificate.kind == "uncovered_entry"
    assert v.verify()


def test_half_empty_index_is_not_unique():
    # index 1 has a column in S1 but an empty row in S2: its entries are free
    v = check_uniqueness(np.array([[2, 4]]), [[1, 1]], [[1, 1], [0, 0]])
    assert v.status == "not_unique" and v.verify()


def test_complex_gaussian_rational_input():
    x, y = np.array([1, 1j]), np.array([2, 1 - 1j])
    A = np.outer(x, y)
    v = check_uniqueness(A, np.ones((2, 1)), np.ones((1, 2)))
    assert v.status == "unique" and v.field == "Q(i)" and v.verify()


def test_dft_first_butterfly_level_numerically():
    N = 16
    j = np.arange(N)
    F = np.exp(-2j * np.pi * np.outer(j, j) / N)
    br = np.array([int(format(i, "04b")[::-1], 2) for i in range(N)])
    left, right = butterfly_split_supports(N, 1)
    v = check_uniqueness(F[:, br], left, right, tol=1e-10)
    assert v.status == "unique" and v.verify()
    assert v.certificate.margins["max_rank_one_residual"] < 1e-12
    # natural order is not a butterfly: some block is not rank one
    assert check_uniqueness(F, left, right, tol=1e-10).status == "infeasible"


def test_hadamard_first_level_exact():
    H = np.array([[1]])
    for _ in range(5):
        H = np.kron(H, np.array([[1, 1], [1, -1]]))
    left, right = butterfly_split_supports(32, 1)
    v = check_uniqueness(H, left, right)
    assert v.status == "unique" and v.field == "Q" and v.verify()


def _random_instance(seed, m, n, r, k):
    rng = np.random.default_rng(seed)
    s1 = random_support((m, r), min(k, m), mode="columns", rng=rng)
    s2 = random_support((r, n), min(k, n), mode="rows", rng=rng)
    X = rng.integers(-3, 4, (m, r)) * s1
    Y = rng.integers(-3, 4, (r, n)) * s2
    return X @ Y, s1, s2


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 4), n=st.integers(1, 4),
       r=st.integers(1, 3), k=st.integers(1, 3))
def test_property_certificates_always_verify(seed, m, n, r, k):
    A, s1, s2 = _random_instance(seed, m, n, r, k)
    v = check_uniqueness(A, s1, s2, max_variables=8)
    assert v.status != "infeasible"  # A was built from factors with these supports
    assert v.verify()
    if v.status == "not_unique":
        T1, T2 = v.certificate.factors
        assert _multiplies_back(A, T1, T2)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 3), n=st.integers(2, 3), k=st.integers(1, 2))
def test_property_completion_never_contradicts_groebner(seed, m, n, k):
    A, s1, s2 = _random_instance(seed, m, n, 2, k)
    fast = check_uniqueness(A, s1, s2, method="completion")
    exact = check_uniqueness(A, s1, s2, method="groebner", max_variables=8)
    assert exact.verify()
    if fast.status == "unique" and exact.status != "undecided":
        assert exact.status == "unique"
    if fast.status == "not_unique" and exact.status != "undecided":
        assert exact.status == "not_unique"


@pytest.mark.parametrize("bad, match", [
    (dict(A=np.ones((2, 2)), support1=np.ones((3, 1)), support2=np.ones((1, 2))), "support1"),
    (dict(A=np.ones((2, 2)), support1=np.ones((2, 1)), support2=np.ones((2, 2))), "support2"),
    (dict(A=np.ones((2, 2)), support1=2 * np.ones((2, 1)), support2=np.ones((1, 2))), "support1"),
    (dict(A=np.array([[np.nan, 1], [1, 1]]), support1=np.ones((2, 1)), support2=np.ones((1, 2))),
     "finite"),
    (dict(A=np.ones((0, 2)), support1=np.ones((0, 1)), support2=np.ones((1, 2))), "non-empty"),
    (dict(A=np.ones(3), support1=np.ones((3, 1)), support2=np.ones((1, 1))), "2-D"),
])
def test_bad_input_raises_naming_the_argument(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        check_uniqueness(bad["A"], bad["support1"], bad["support2"])


def test_bad_tol_and_bool_matrix():
    with pytest.raises(ValueError, match="tol"):
        check_uniqueness(np.ones((1, 1)), [[1]], [[1]], tol=-1.0)
    with pytest.raises(TypeError, match="'A'"):
        check_uniqueness(np.ones((1, 1), bool), [[1]], [[1]])


def test_z3_real_solution_decides_over_the_reals():
    import sympy

    from identifiability.two_layer.algebraic import z3_real_solution

    pytest.importorskip("z3")
    x, y = sympy.symbols("x y")
    assert z3_real_solution([x ** 2 + 1], [x])[0] == "unsat"          # complex roots only
    status, point = z3_real_solution([x * y - 1], [x, y])
    assert status == "sat" and point[x] * point[y] == 1
    assert z3_real_solution([x ** 2 - 2], [x])[0] == "sat_irrational"
    status, point = z3_real_solution([x - 1, y ** 2 + y], [x, y], avoid={x: 1, y: 0})
    assert status == "sat" and point == {x: 1, y: -1}
    assert z3_real_solution([x - 1], [x], avoid={x: 1})[0] == "unsat"  # the only solution


def test_stuck_instance_groebner_unique_and_jacobian_locally_unique():
    # rectangles {0,1}x{0,1} and {0,1}x{0,2} overlap on column 0: no private graph is spanning
    A = np.array([[10, -3, -2], [4, -2, 0]])
    s1, s2 = np.ones((2, 2), bool), np.array([[1, 1, 0], [1, 0, 1]], bool)
    assert check_uniqueness(A, s1, s2, method="completion").status == "undecided"
    exact = check_uniqueness(A, s1, s2)
    assert exact.status == "unique" and exact.verify()
    local = check_uniqueness(A, s1, s2, max_variables=0)      # Groebner too large: Jacobian
    assert local.status == "locally_unique" and local.verify()
    assert local.certificate.rank == local.certificate.n_params - local.certificate.orbit_dim
    assert check_uniqueness(A.astype(float), s1, s2, tol=1e-9).status == "locally_unique"
    from dataclasses import replace

    S1, S2 = local.factors
    assert not replace(local, factors=(S1 + 0.1 * s1, S2)).verify()


def test_c07_jacobian_fallback_does_not_overclaim():
    A, s1, s2 = _inputs(CASES["C07"])
    v = check_uniqueness(A, s1, s2, max_variables=0)
    assert v.status == "undecided" and "does not prove" in v.reason


def test_time_limit_cuts_the_groebner_step_and_says_so():
    A, s1, s2 = _inputs(CASES["C07"])
    v = check_uniqueness(A, s1, s2, time_limit=1e-6)
    assert v.status == "undecided" and "time_limit" in v.reason
    with pytest.raises(ValueError, match="time_limit"):
        check_uniqueness(A, s1, s2, time_limit=0)
