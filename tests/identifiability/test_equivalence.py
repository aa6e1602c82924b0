"""Tests of identifiability.equivalence (equivalence modulo permutation and scaling)."""

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifiability.equivalence import (Equivalence, canonical_form, equivalent,
                                         rank_one_contributions)
from identifiability.core.exact import GaussianRational, to_exact

CASES = json.loads((Path(__file__).parents[1] / "data" / "equivalence_oracles.json")
                   .read_text())["cases"]


def scramble(F, perms, scales):
    """F_b[k][i, j] = F_a[k][p_{k-1}[i], p_k[j]] * d_k[j] / d_{k-1}[i], computed exactly."""
    E = [to_exact(M) for M in F]
    p = [np.arange(E[0].shape[0])] + [np.asarray(q) for q in perms] + \
        [np.arange(E[-1].shape[1])]
    one = Fraction(1)
    d = [np.full(E[0].shape[0], one, dtype=object)] + \
        [np.array(s, dtype=object) for s in scales] + [np.full(E[-1].shape[1], one, dtype=object)]
    return [E[k][np.ix_(p[k], p[k + 1])] * d[k + 1][None, :] / d[k][:, None]
            for k in range(len(E))]


def exactly_equal(F, G):
    return len(F) == len(G) and all(
        np.shape(A) == np.shape(B) and all(x == y for x, y in zip(to_exact(A).flat,
                                                                  to_exact(B).flat))
        for A, B in zip(F, G))


def random_witness(F, rng, *, complex_scales=False):
    perms, scales = [], []
    for M in F[:-1]:
        r = M.shape[1]
        perms.append(rng.permutation(r))
        vals = []
        for _ in range(r):
            x = Fraction(int(rng.choice([-3, -2, -1, 1, 2, 3])), int(rng.integers(1, 5)))
            if complex_scales and rng.random() < 0.7:
                x = GaussianRational(x, int(rng.choice([-2, -1, 1, 2])))
            vals.append(x)
        scales.append(vals)
    return perms, scales


def random_factors(rng, dims, density=0.7, low=-3, high=4):
    return [rng.integers(low, high, size=(dims[k], dims[k + 1]))
            * (rng.random((dims[k], dims[k + 1])) < density) for k in range(len(dims) - 1)]


def check_witness(a, b, res):
    """The witness maps a onto b exactly, and satisfies the documented formula."""
    assert isinstance(res, Equivalence) and res and res.equivalent
    assert res.residual == 0.0
    assert exactly_equal(res.apply(a), b)
    assert res.verify(a, b)
    assert exactly_equal(scramble(a, res.permutations, res.scalings), b)


# ---------------------------------------------------------------------------- oracles

def test_C02_rotation_is_not_equivalent():
    c = CASES["C02"]
    a, b = [c["S1"], c["S2"]], [c["S1_alt"], c["S2_alt"]]
    assert np.allclose(np.array(b[0]) @ np.array(b[1]), c["A"], atol=1e-12)
    res0 = equivalent(a, b)  # cos(0.3) is not an exact rational: a numerical decision
    assert not res0 and not res0.exact and res0.tol_source == "default"
    res = equivalent(a, b, tol=1e-9)
    assert not res and res.residual == np.inf and res.reason
    assert not all(np.allclose(x, y) for x, y in zip(canonical_form(a, tol=1e-9),
                                                    canonical_form(b, tol=1e-9)))


def test_C11_mixing_by_G_is_not_equivalent():
    c = CASES["C11"]
    X, W, G = np.array(c["S1"]), np.array(c["S2"]), np.array(c["G"])
    Ginv = np.array([[1, -1], [0, 1]])
    assert (G @ Ginv == np.eye(2)).all()
    a, b = [X, W], [X @ G, Ginv @ W]
    assert (b[0] @ b[1] == X @ W).all()
    res = equivalent(a, b)
    assert not res and not res.equivalent and res.permutations == () and res.reason
    assert not equivalent(a, b, tol=1e-9)
    Ca, Cb = rank_one_contributions(*a), rank_one_contributions(*b)
    assert not any((Cb[j] == Ca[0]).all() for j in range(2))  # contributions differ


@pytest.mark.parametrize("case", ["C07", "C10"])
def test_oracle_alternative_pairs_are_not_equivalent(case):
    c = CASES[case]
    a, b = [c["S1"], c["S2"]], [c["S1_alt"], c["S2_alt"]]
    assert (np.array(a[0]) @ np.array(a[1]) == np.array(b[0]) @ np.array(b[1])).all()
    res = equivalent(a, b)
    assert not res and "nonzero entries" in res.reason
    assert not equivalent(a, b, tol=1e-6)
    assert not exactly_equal(canonical_form(a), canonical_form(b))


# ---------------------------------------------------------------- positive decisions

@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("L", [2, 3, 4])
def test_random_permutation_and_scaling_is_equivalent(seed, L):
    rng = np.random.default_rng(seed)
    a = random_factors(rng, rng.integers(1, 5, size=L + 1))
    perms, scales = random_witness(a, rng, complex_scales=seed % 2 == 1)
    b = scramble(a, perms, scales)
    res = equivalent(a, b)
    check_witness(a, b, res)
    assert exactly_equal(canonical_form(a), canonical_form(b))
    b_float = [np.array([complex(x) for x in M.flat]).reshape(M.shape) for M in b]
    num = equivalent(a, b_float, tol=1e-9)
    assert num and num.verify(a, b_float, tol=1e-9) and num.residual < 1e-9


def test_complex_factors_and_complex_scales():
    a = [np.array([[1 + 2j, 0], [3, 1j]]), np.array([[2, -1j], [1, 1]])]
    scales = [[GaussianRational(0, 1), GaussianRational(2, -1)]]
    b = scramble(a, [[1, 0]], scales)
    res = equivalent(a, b)
    check_witness(a, b, res)
    assert [x == y for x, y in zip(res.scalings[0], scales[0])] == [True, True]
    assert res.permutations[0].tolist() == [1, 0]


def test_real_input_gives_real_numerical_witness():
    a = [np.array([[1.5, 2.0], [0.0, 1.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])]
    b = [a[0][:, ::-1] * -2.0, a[1][::-1] / -2.0]
    res = equivalent(a, b, tol=1e-12)
    assert res and not np.iscomplexobj(res.scalings[0])
    assert np.allclose(res.scalings[0], [-2.0, -2.0])
    assert all(not np.iscomplexobj(M) for M in res.apply(a))


# ---------------------------------------------------------------- negative decisions

def test_perturbed_copy_equivalent_only_with_loose_tol():
    rng = np.random.default_rng(3)
    a = [rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), rng.standard_normal((3, 5))]
    b = [a[0][:, [2, 0, 1]] * 3.0, a[1][[2, 0, 1]][:, [1, 2, 0]] / 3.0 * -0.5,
         a[2][[1, 2, 0]] / -0.5]
    assert equivalent(a, b, tol=1e-12)
    b[1] = b[1] + 1e-7 * rng.standard_normal(b[1].shape)
    assert not equivalent(a, [rng.standard_normal((4, 3)) / 3, b[1], b[2]])   # default tol
    assert not equivalent(a, b, tol=1e-12)
    loose = equivalent(a, b, tol=1e-5)
    assert loose and 0 < loose.residual < 1e-5 * 10
    assert loose.verify(a, b, tol=1e-5) and not loose.verify(a, b, tol=1e-12)


def test_perturbed_integer_copy_is_not_equivalent_exactly():
    a = [np.array([[1, 2], [3, 4]]), np.array([[1, 0], [5, 6]])]
    b = scramble(a, [[1, 0]], [[Fraction(2), Fraction(1, 2)]])
    b[1][0, 0] += Fraction(1, 1000)
    res = equivalent(a, b)
    assert not res and res.reason.startswith("no row of factors_b[1] is parallel")
    assert equivalent(a, b, tol=1e-2)


def test_same_supports_same_product_not_equivalent_reports_products():
    a = [np.array([[1, 2], [3, 4]]), np.array([[1, 1], [1, 2]])]
    b = [np.array([[1, 2], [3, 4]]), np.array([[1, 1], [1, 3]])]
    res = equivalent(a, b)
    assert not res and "parallel" in res.reason


# -------------------------------------------------------- zero and repeated columns

def test_zero_column_scaling_acts_on_partner_row():
    a = [np.array([[1, 0], [2, 0]]), np.array([[1, 1], [3, 4]])]  # column 1 zero, row 1 not
    b = [np.array([[0, 1], [0, 2]]), np.array([[Fraction(3, 5), Fraction(4, 5)], [1, 1]])]
    res = equivalent(a, b)
    check_witness(a, b, res)
    assert res.permutations[0].tolist() == [1, 0]
    assert res.scalings[0][0] == 5  # partner row a -> a / d


def test_isolated_inner_index_and_zero_factors():
    a = [np.array([[1, 0, 0], [2, 0, 0]]), np.array([[1, 1], [0, 0], [3, 4]])]
    b = [np.array([[0, 0, 7], [0, 0, 14]]), np.array([[0, 0], [3, 4], [Fraction(1, 7)] * 2])]
    check_witness(a, b, equivalent(a, b))
    z = [np.zeros((2, 2)), np.zeros((2, 3))]
    assert equivalent(z, z) and equivalent(z, z, tol=1e-9)
    assert not equivalent(z, [np.zeros((2, 2)), np.eye(2, 3)])


def test_zero_column_with_zero_row_is_not_equivalent_to_nonzero_column():
    c = CASES["C10"]  # x_2 free because y_2 = 0: the two factorizations are NOT equivalent
    assert not equivalent([c["S1"], c["S2"]], [c["S1_alt"], c["S2_alt"]])


def test_duplicate_columns_matched_by_partner_rows():
    a = [np.array([[1, 1, 2], [1, 1, 0]]), np.array([[1, 0], [0, 1], [1, 1]])]
    b = scramble(a, [[2, 1, 0]], [[Fraction(-1), Fraction(3), Fraction(1, 2)]])
    check_witness(a, b, equivalent(a, b))
    c = [a[0], np.array([[0, 1], [1, 0], [1, 1]])]  # same columns, partner rows swapped
    assert equivalent(a, c).permutations[0].tolist() == [1, 0, 2]


def test_near_ties_need_a_matching_not_a_greedy_choice():
    # b0 fits a0 or a1, b1 and b2 fit a0 or a2 (within tol): only b0 -> a1 works.
    t = 1e-6
    base = np.array([1.0, 1.0])
    rows_a = [base, base + [1.8 * t, 0], base + [0, 1.8 * t]]
    rows_b = [base + [0.9 * t, 0], base + [0, 0.9 * t], base + [0.05 * t, 0.9 * t]]
    a = [np.ones((1, 3)), np.array(rows_a)]
    b = [np.ones((1, 3)), np.array(rows_b)]
    res = equivalent(a, b, tol=t)
    assert res and res.permutations[0][0] == 1 and res.verify(a, b, tol=t)


def test_three_factors_ties_resolved_by_the_next_factor():
    # identical columns in F[0]: which is which is only decided by F[1] and F[2]
    a = [np.ones((1, 3), dtype=int), np.array([[1, 2, 0], [0, 1, 3], [4, 0, 1]]),
         np.array([[1], [2], [5]])]
    b = scramble(a, [[2, 0, 1], [1, 2, 0]],
                 [[Fraction(1)] * 3, [Fraction(2), Fraction(-1), Fraction(1, 3)]])
    check_witness(a, b, equivalent(a, b))
    assert equivalent(a, [np.array([[1, 1, 1]]), a[1][[1, 0, 2]], a[2]])
    assert not equivalent(a, [np.array([[1, 1, 1]]), a[1][[1, 0, 2]], a[2][[1, 0, 2]]])
    bad = [a[0], np.array([[1, 2, 0], [0, 1, 3], [4, 1, 0]]), a[2]]
    assert not equivalent(a, bad)


def test_three_factors_same_product_same_factor_multisets_not_equivalent():
    # F[1] rows are a permutation of each other, so every local check passes for some
    # pairing, but no consistent pairing exists through the chain.
    a = [np.eye(2, dtype=int), np.array([[1, 2], [3, 4]]), np.eye(2, dtype=int)]
    b = [np.eye(2, dtype=int), np.array([[3, 4], [1, 2]]), np.eye(2, dtype=int)]
    assert not equivalent(a, b)
    assert not exactly_equal(canonical_form(a), canonical_form(b))
    perm = np.array([[0, 1], [1, 0]])
    assert equivalent(a, [perm, np.array([[3, 4], [1, 2]]), np.eye(2, dtype=int)])


# ------------------------------------------------------------------ canonical form

def test_canonical_form_types_and_idempotence():
    a = [np.array([[2, 4], [1, 0]]), np.array([[1j, 0], [3, 3]])]
    cf = canonical_form(a)
    assert all(M.dtype == object for M in cf)
    assert equivalent(a, cf)
    assert exactly_equal(canonical_form(cf), cf)
    real = canonical_form([np.array([[2.0, 4.0]]), np.array([[1.0], [3.0]])], tol=1e-12)
    assert all(M.dtype == float for M in real)
    cplx = canonical_form(a, tol=1e-12)
    assert cplx[1].dtype == complex and all(np.allclose(x, y.astype(complex))
                                            for x, y in zip(cplx, cf))


def test_canonical_form_normalises_first_nonzero_entries():
    cf = canonical_form([np.array([[0, 3], [2, 6]]), np.array([[1, 1], [5, 0]])])
    assert exactly_equal(cf, [np.array([[0, 1], [1, 2]]),
                              np.array([[2, 2], [15, 0]])]) or \
        exactly_equal(cf, [np.array([[1, 0], [2, 1]]), np.array([[15, 0], [2, 2]])])
    assert exactly_equal(cf[0] @ cf[1], np.array([[15, 0], [32, 2]]))


def test_canonical_form_refuses_too_symmetric_factorizations():
    # 9 look-alike (not twin) inner indices in each dimension: 9!**2 orderings
    F = [np.ones((1, 9), dtype=int), np.eye(9, dtype=int), np.ones((9, 1), dtype=int)]
    G = [F[0] * 2, np.eye(9, dtype=int)[::-1] * 3, F[2]]
    G[2] = np.full((9, 1), Fraction(1, 6), dtype=object)
    check_witness(F, G, equivalent(F, G))  # the search copes
    with pytest.raises(ValueError, match="too symmetric"):
        canonical_form(F)
    # twins (exchangeable indices) cost nothing: a single ordering
    T = [np.ones((1, 9), dtype=int), np.ones((9, 1), dtype=int)]
    third = np.full((9, 1), Fraction(1, 3), dtype=object)
    assert exactly_equal(canonical_form(T), canonical_form([T[0] * 3, third]))


# --------------------------------------------------------------- hypothesis properties

@st.composite
def scrambled_pairs(draw, perturb=False):
    L = draw(st.integers(2, 4))
    dims = draw(st.lists(st.integers(1, 3), min_size=L + 1, max_size=L + 1))
    a = [np.array(draw(st.lists(st.lists(st.integers(-2, 2), min_size=dims[k + 1],
                                         max_size=dims[k + 1]),
                                min_size=dims[k], max_size=dims[k])), dtype=int).reshape(
                                    dims[k], dims[k + 1]) for k in range(L)]
    perms = [draw(st.permutations(range(dims[k + 1]))) for k in range(L - 1)]
    nonzero = st.one_of(st.integers(-4, 4).filter(bool).map(Fraction),
                        st.fractions(min_value=-3, max_value=3, max_denominator=7).filter(bool))
    scales = [draw(st.lists(nonzero, min_size=dims[k + 1], max_size=dims[k + 1]))
              for k in range(L - 1)]
    source = a
    if perturb:
        k = draw(st.integers(0, L - 1))
        i, j = draw(st.integers(0, dims[k] - 1)), draw(st.integers(0, dims[k + 1] - 1))
        source = [M.copy() for M in a]
        source[k][i, j] = draw(st.integers(-2, 2))
    return a, scramble(source, perms, scales)


@settings(max_examples=80, deadline=None)
@given(scrambled_pairs())
def test_property_scrambled_factors_are_equivalent(pair):
    a, b = pair
    res = equivalent(a, b)
    assert res
    assert exactly_equal(res.apply(a), b)


@settings(max_examples=80, deadline=None)
@given(scrambled_pairs(perturb=True))
def test_property_canonical_forms_equal_iff_equivalent(pair):
    a, b = pair
    res = equivalent(a, b)
    assert exactly_equal(canonical_form(a), canonical_form(b)) == bool(res)
    if res:
        assert exactly_equal(res.apply(a), b)
    assert bool(equivalent(b, a)) == bool(res)


# ------------------------------------------------------------------- small pieces

def test_rank_one_contributions_sum_to_product():
    S1, S2 = np.array([[1, 2, 0], [3, 4, 1]]), np.array([[1, 0], [0, 1], [2, 2]])
    C = rank_one_contributions(S1, S2)
    assert C.shape == (3, 2, 2)
    assert (C.sum(axis=0) == S1 @ S2).all()
    assert (C[2] == np.outer(S1[:, 2], S2[2])).all()
    with pytest.raises(ValueError, match="'S2' parameter of rank_one_contributions"):
        rank_one_contributions(S1, S2.T)


def test_result_is_frozen_and_readable():
    a = [np.array([[1, 2]]), np.array([[3], [4]])]
    res = equivalent(a, [np.array([[2, 1]]), np.array([[4], [3]])])
    assert "equivalent=True" in repr(res) and "permutations=[[1, 0]]" in repr(res)
    with pytest.raises(AttributeError):
        res.equivalent = False
    assert "0<-1 (x 1)" in res.explain()
    neg = equivalent(a, [np.array([[2, 1]]), np.array([[3], [4]])])
    assert "equivalent=False" in repr(neg) and not neg.verify(a, a)
    assert neg.explain().startswith("Not equivalent: ")
    with pytest.raises(ValueError, match="not equivalent"):
        neg.apply(a)


@pytest.mark.parametrize("a, b, match", [
    ([np.eye(2), np.eye(2)], [np.eye(2), np.eye(3)], r"'factors_b\[1\]' parameter"),
    ([np.eye(2), np.eye(3)], [np.eye(2), np.eye(3)], r"'factors_a\[1\]' parameter"),
    ([np.eye(2), np.eye(2)], [np.eye(2)] * 3, "'factors_b' parameter"),
    ([np.eye(2)], [np.eye(2)], "'factors_a' parameter"),
    ([np.eye(2), np.full((2, 2), np.nan)], [np.eye(2)] * 2, "finite"),
])
def test_bad_input_is_rejected(a, b, match):
    with pytest.raises(ValueError, match=match):
        equivalent(a, b, tol=1e-9)


def test_bad_types_and_tol_are_rejected():
    with pytest.raises(TypeError, match="'factors_a' parameter of equivalent"):
        equivalent(np.eye(2), [np.eye(2)] * 2)
    with pytest.raises(TypeError, match="bool"):
        equivalent([np.eye(2, dtype=bool)] * 2, [np.eye(2)] * 2)
    with pytest.raises(ValueError, match="'tol' parameter of equivalent"):
        equivalent([np.eye(2)] * 2, [np.eye(2)] * 2, tol=0.0)
    with pytest.raises(ValueError, match="'tol' parameter of canonical_form"):
        canonical_form([np.eye(2)] * 2, tol=-1)
    c = canonical_form([np.array([[0.1]]), np.array([[1.0]])])   # inexact: numerical
    assert not c.exact and c.tol_source == "default"


def test_same_class_with_algebraic_entries():
    import sympy

    from identifiability.equivalence import same_class

    r = sympy.sqrt(2)
    S = [np.array([[r, 0], [1, 1]], dtype=object), np.array([[1, r], [0, 2]], dtype=object)]
    # permuted and rescaled by (1/r, 3): same class
    T = [np.array([[0, 1], [3, 1 / r]], dtype=object),
         np.array([[0, sympy.Rational(2, 3)], [r, 2]], dtype=object)]
    assert same_class(S, T) and same_class(T, S)
    # one contribution changed by a sign: another class
    U = [np.array([[-r, 0], [1, 1]], dtype=object), S[1]]
    assert not same_class(S, U)
    # zero column: the other vector counts up to scale only
    Z = [np.array([[0, 0], [0, 1]], dtype=object), np.array([[1, r], [0, 2]], dtype=object)]
    Z2 = [Z[0], np.array([[2, 2 * r], [0, 2]], dtype=object)]
    Z3 = [Z[0], np.array([[1, 1], [0, 2]], dtype=object)]
    assert same_class(Z, Z2) and not same_class(Z, Z3)


def test_regression_equivalent_on_inexact_floats():
    """equivalent / canonical_form raised ValueError on inexact float input without tol; the
    one policy: a numerical decision at the default tolerance that says so, with margins."""
    from identifiability.core import DEFAULT_RTOL

    rng = np.random.default_rng(7)
    a = [rng.standard_normal((4, 3)), rng.standard_normal((3, 5))]
    p, d = np.array([2, 0, 1]), np.array([0.3, -1.7, 2.9])
    b = [a[0][:, p] * d, a[1][p] / d[:, None]]
    res = equivalent(a, b)
    assert res and not res.exact and res.tol == DEFAULT_RTOL and res.tol_source == "default"
    assert res.permutations[0].tolist() == p.tolist()
    assert 0 <= res.relative_residual < 1e-3 * DEFAULT_RTOL
    assert res.verify(a, b)
    assert "default tolerance" in res.explain() and "tol=" in repr(res)
    neg = equivalent(a, [b[0], b[1] + 1e-3])
    assert not neg and not neg.exact and neg.tol_source == "default"
    ca, cb = canonical_form(a), canonical_form(b)
    assert not ca.exact and ca.tol == DEFAULT_RTOL
    assert all(np.allclose(x, y) for x, y in zip(ca, cb))
    # exact input stays exact
    e = equivalent([np.array([[1, 2]]), np.array([[3], [4]])],
                   [np.array([[2, 2]]), np.array([[4], [1.5]])])
    assert e and e.exact and e.tol_source == "exact input" and e.relative_residual == 0.0
    assert canonical_form([np.array([[1, 2]]), np.array([[3], [4]])]).exact


def test_equivalence_repr_is_short():
    rng = np.random.default_rng(0)
    a = [rng.standard_normal((30, 20)), rng.standard_normal((20, 40))]
    p = rng.permutation(20)
    res = equivalent(a, [a[0][:, p] * 2.0, a[1][p] / 2.0])
    assert res and len(repr(res)) < 300
    assert len(repr(canonical_form(a))) < 300
