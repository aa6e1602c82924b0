"""Tests of identifiability.generic (Jacobian rank: generic and local identifiability)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st

from identifiability.core.exact import GaussianRational
from identifiability.generic import (GenericResult, LocalResult, generic_uniqueness, jacobian,
                                     local_identifiability)
from identifiability.supports import (butterfly_split_supports, butterfly_supports,
                                      dense_support, lower_triangular_support, random_support)

ORACLES = json.loads((Path(__file__).parents[1] / "data" / "generic_oracles.json").read_text())
CASES = ORACLES["cases"]


def _arr(x, dtype=None):
    return np.array(x, dtype=dtype)


def _masks(case):
    return [_arr(case["support1"], bool), _arr(case["support2"], bool)]


# --------------------------------------------------------------------------- oracles (local)

@pytest.mark.parametrize("cid", ["C01", "C06", "C07", "C08"])
def test_local_oracles_exact(cid):
    case = CASES[cid]
    factors = [_arr(case["S1"]), _arr(case["S2"])]
    res = local_identifiability(factors, _masks(case))
    assert isinstance(res, LocalResult)
    assert res.jacobian_rank == case["jacobian_rank"]
    assert res.n_params == case["n_params"]
    assert res.orbit_dim == case["orbit_dim"]
    assert res.identifiable is case["locally_identifiable"]
    assert res.field == "Q"
    if "fibre_dim" in case:
        assert res.n_params - res.jacobian_rank == case["fibre_dim"]


@pytest.mark.parametrize("cid", ["C01", "C06", "C07", "C08"])
def test_local_oracles_inexact_floats_decided_numerically(cid):
    case = CASES[cid]
    factors = [_arr(case["S1"], float) * 0.1, _arr(case["S2"], float) * 3.0]
    default = local_identifiability(factors, _masks(case))   # was None ("pass tol=")
    assert default.identifiable is case["locally_identifiable"]
    assert default.jacobian_rank == case["jacobian_rank"]
    assert not default.exact and default.tol_source == "default"
    res = local_identifiability(factors, _masks(case), tol=1e-9)
    assert res.jacobian_rank == case["jacobian_rank"]
    assert res.identifiable is case["locally_identifiable"]
    assert res.singular_value_gap.shape == (2,)
    assert res.singular_value_gap[0] > 1e-6 > res.singular_value_gap[1]


def test_local_complex_gaussian_rationals_c06():
    case = CASES["C06"]
    S1 = _arr(case["S1"]) * (1 + 2j)
    S2 = _arr(case["S2"]) * (3 - 1j)
    res = local_identifiability([S1, S2], _masks(case))
    assert res.field == "Q(i)"
    assert res.jacobian_rank == case["jacobian_rank"] and res.identifiable is True


def test_local_orbit_uses_nonzero_entries_of_the_point():
    # C10-like: a zero column pair inside the support; orbit shrinks, kernel does not
    S1 = np.array([[1, 0], [2, 0]])
    S2 = np.array([[1, 1], [0, 0]])
    masks = [np.array([[1, 1], [1, 0]], bool), np.array([[1, 1], [0, 1]], bool)]
    res = local_identifiability([S1, S2], masks)
    assert res.orbit_dim == 1
    assert res.identifiable is False


def test_local_default_supports_are_nonzero_patterns():
    case = CASES["C01"]
    res = local_identifiability([_arr(case["S1"]), _arr(case["S2"])])
    assert (res.n_params, res.jacobian_rank) == (6, 4)
    assert "scaling" in res.explain()


# --------------------------------------------------------------------------- jacobian

def _finite_difference(factors, masks, h=1e-6):
    cols = []
    for ell, (F, M) in enumerate(zip(factors, masks)):
        for i, j in zip(*np.nonzero(M)):
            plus = [G.copy() for G in factors]
            minus = [G.copy() for G in factors]
            plus[ell][i, j] += h
            minus[ell][i, j] -= h
            P = np.linalg.multi_dot(plus) if len(plus) > 2 else plus[0] @ plus[1]
            Q = np.linalg.multi_dot(minus) if len(minus) > 2 else minus[0] @ minus[1]
            cols.append(((P - Q) / (2 * h)).ravel())
    return np.column_stack(cols)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_jacobian_matches_finite_differences(dtype):
    rng = np.random.default_rng(0)
    masks = [random_support((4, 3), 2, rng=1), random_support((3, 3), 2, rng=2),
             random_support((3, 5), 2, rng=3)]
    factors = []
    for M in masks:
        F = rng.standard_normal(M.shape).astype(dtype)
        if dtype == np.complex128:
            F = F + 1j * rng.standard_normal(M.shape)
        factors.append(np.where(M, F, 0))
    J = jacobian(factors, masks)
    assert J.dtype == dtype and J.shape == (20, int(sum(M.sum() for M in masks)))
    np.testing.assert_allclose(J, _finite_difference(factors, masks), atol=1e-6)


def test_jacobian_real_input_stays_real_and_sparse_agrees():
    masks = butterfly_supports(8)
    factors = [np.where(M, 1.5, 0.0) for M in masks]
    J = jacobian(factors, masks, sparse=True)
    assert sp.issparse(J) and J.dtype == np.float64
    np.testing.assert_array_equal(J.toarray(), jacobian(factors, masks, sparse=False))
    assert J.nnz == 48 * 4  # each column: 2^(L-1) = 4 nonzeros (butterfly: unique paths)


def test_jacobian_exact_matches_float_and_kills_scaling_tangents():
    case = CASES["C06"]
    S1 = _arr(case["S1"], object) * Fraction(1, 3)
    S2 = _arr(case["S2"], object)
    masks = _masks(case)
    J = jacobian([S1, S2], masks)
    assert J.dtype == object and isinstance(J[0, 0], Fraction)
    Jf = jacobian([S1.astype(float), S2.astype(float)], masks)
    np.testing.assert_allclose(J.astype(float), Jf)
    # scaling tangent of inner index k: +S1[:, k] on column k, -S2[k, :] on row k
    for k in range(2):
        t1 = np.where(np.arange(2)[None, :] == k, S1, 0)[masks[0]]
        t2 = np.where(np.arange(2)[:, None] == k, -S2, 0)[masks[1]]
        assert all(x == 0 for x in J.dot(np.concatenate([t1, t2])))


def test_jacobian_gaussian_rational_entries():
    # object arrays of Python complex numbers are read exactly (Gaussian rationals)
    S1 = np.array([[1 + 1j], [2j]], dtype=object)
    S2 = np.array([[Fraction(1), Fraction(3)]], dtype=object)
    J = jacobian([S1, S2])
    assert J[2, 0] == 0 and J[2, 1] == 1 and J[2, 2] == GaussianRational(0, 2)


def test_jacobian_validation():
    with pytest.raises(ValueError, match="'factors\\[0\\]' parameter of jacobian"):
        jacobian([np.ones((2, 2)), np.ones((2, 2))], [np.eye(2), np.ones((2, 2))])
    with pytest.raises(ValueError, match="'factors\\[1\\]'"):
        jacobian([np.ones((2, 3)), np.ones((2, 2))])
    with pytest.raises(ValueError, match="'sparse'"):
        jacobian([np.ones((1, 1), dtype=object) * Fraction(1)], sparse=True)
    with pytest.raises(TypeError, match="'factors'"):
        jacobian(np.ones((2, 2)))
    with pytest.raises(ValueError, match="'supports'"):
        jacobian([np.ones((2, 2)), np.ones((2, 2))], [np.ones((2, 2))])


# --------------------------------------------------------------------------- generic

@pytest.mark.parametrize("cid,expected", [("C01", True), ("C06", True), ("C07", False),
                                          ("C08", False)])
def test_generic_oracle_supports(cid, expected):
    case = CASES[cid]
    res = generic_uniqueness(*_masks(case), rng=0)
    assert isinstance(res, GenericResult)
    assert res.generic is expected
    assert res.n_params == case["n_params"] and res.orbit_dim == case["orbit_dim"]
    if expected:
        assert res.error_probability == 0.0 and res.jacobian_rank == res.expected_rank
    else:
        assert res.jacobian_rank == case["jacobian_rank"]  # the generic rank in these cases
        assert 0.0 < res.error_probability < 1e-6


@pytest.mark.parametrize("r", [2, 3])
def test_generic_dense_supports_not_identifiable(r):
    res = generic_uniqueness(dense_support(4, r), dense_support(r, 5), rng=1)
    assert res.generic is False
    assert res.n_params - res.jacobian_rank == r * r  # fibre GL(r)
    assert res.orbit_dim == r


def test_generic_dense_rank_one_is_identifiable():
    assert generic_uniqueness(dense_support(4, 1), dense_support(1, 3), rng=0).generic


@pytest.mark.parametrize("n", [2, 3, 4])
def test_generic_lu_supports(n):
    Lo = lower_triangular_support(n)
    res = generic_uniqueness(Lo, Lo.T.copy(), rng=n)
    assert res.generic and res.error_probability == 0.0


@pytest.mark.parametrize("N", [2, 4, 8, 16, 32])
def test_generic_butterfly_chain(N):
    res = generic_uniqueness(butterfly_supports(N), rng=0)
    L = N.bit_length() - 1
    assert res.generic and res.error_probability == 0.0
    assert res.n_params == 2 * N * L and res.orbit_dim == N * (L - 1)


def test_generic_butterfly_split_is_identifiable():
    res = generic_uniqueness(*butterfly_split_supports(8, 1), rng=0)
    assert res.generic


def test_generic_pair_and_list_signatures_agree():
    S1, S2 = random_support((5, 4), 2, rng=3), random_support((4, 6), 2, mode="rows", rng=4)
    a = generic_uniqueness(S1, S2, rng=7)
    b = generic_uniqueness([S1, S2], rng=7)
    assert a == b


def test_generic_three_factor_chains():
    # block rows/columns around a dense 2x2 middle: blocks x_a M_ab y_b^T, identifiable
    S1 = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], bool)
    assert generic_uniqueness([S1, dense_support(2, 2), S1.T.copy()], rng=0).generic
    # dense outer factors: F1 G, G^{-1} M absorbs any G in GL(2) -> not identifiable
    res = generic_uniqueness([dense_support(3, 2), dense_support(2, 2), dense_support(2, 3)],
                             rng=0)
    assert res.generic is False and res.orbit_dim == 4


def test_generic_inner_index_with_one_empty_side():
    # column 1 of S1 multiplies an empty row of S2: free, but a single entry is a scaling
    one = generic_uniqueness(np.array([[1, 1]], bool), np.array([[1], [0]], bool), rng=0)
    assert (one.generic, one.orbit_dim, one.expected_rank) == (True, 2, 1)
    two = generic_uniqueness(np.ones((2, 2), bool), np.array([[1], [0]], bool), rng=0)
    assert two.generic is False and two.n_params - two.jacobian_rank == 3


def test_generic_isolated_inner_node_does_not_count_in_the_orbit():
    S1 = np.array([[1, 0]], bool)
    mid = np.array([[1, 0], [0, 0]], bool)
    S3 = np.array([[1], [0]], bool)
    res = generic_uniqueness([S1, mid, S3], rng=0)
    assert res.orbit_dim == 2 and res.generic  # inner nodes (1,1), (2,1) are isolated


def test_generic_methods_agree_and_explain():
    S = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], bool)
    res = {m: generic_uniqueness(S, S, rng=5, method=m) for m in ("auto", "GF(p)", "Q")}
    assert len({r.generic for r in res.values()}) == 1
    assert res["Q"].field == "Q" and res["GF(p)"].field.startswith("GF(")
    assert "orbit" in res["auto"].explain()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10 ** 6), L=st.integers(2, 3), density=st.floats(0.3, 0.9))
def test_modular_rank_equals_rational_rank_at_the_same_point(seed, L, density):
    rng = np.random.default_rng(seed)
    dims = rng.integers(1, 6, size=L + 1)
    masks = [rng.random((dims[i], dims[i + 1])) < density for i in range(L)]
    if any(not M.any() for M in masks):
        return
    mod = generic_uniqueness(masks, rng=seed, method="GF(p)")
    exact = generic_uniqueness(masks, rng=seed, method="Q")
    assert mod.jacobian_rank == exact.jacobian_rank
    assert mod.jacobian_rank <= mod.expected_rank


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10 ** 6))
def test_generic_true_implies_local_true_at_random_float_points(seed):
    rng = np.random.default_rng(seed)
    masks = [rng.random((4, 3)) < 0.6, rng.random((3, 4)) < 0.6]
    if any(not M.any() for M in masks):
        return
    res = generic_uniqueness(masks, rng=seed)
    factors = [np.where(M, rng.standard_normal(M.shape), 0.0) for M in masks]
    local = local_identifiability(factors, masks, tol=1e-8)
    assert local.identifiable is res.generic


def test_generic_validation():
    with pytest.raises(ValueError, match="'support2' parameter of generic_uniqueness"):
        generic_uniqueness(np.ones((2, 3), bool), np.ones((2, 2), bool))
    with pytest.raises(ValueError, match="'support1' parameter"):
        generic_uniqueness(np.ones((2, 2), bool))
    with pytest.raises(ValueError, match="'method'"):
        generic_uniqueness(np.ones((2, 2), bool), np.ones((2, 2), bool), method="R")
    with pytest.raises(ValueError, match="'sample_bound'"):
        generic_uniqueness(np.ones((2, 2), bool), np.ones((2, 2), bool), sample_bound=2 ** 40)
    with pytest.raises(ValueError, match="boolean support"):
        generic_uniqueness(np.full((2, 2), 2), np.ones((2, 2), bool))
    with pytest.raises(TypeError, match="'rng'"):
        generic_uniqueness(np.ones((2, 2), bool), np.ones((2, 2), bool), rng="seed")
    with pytest.raises(ValueError, match="'tol'"):
        local_identifiability([np.ones((1, 1)), np.ones((1, 1))], tol=-1.0)


def test_regression_local_identifiability_on_floats():
    """generic.local_identifiability returned None on inexact floats without tol; now a
    numerical decision at the default tolerance, with margins, undecided only when the
    singular values do not separate."""
    from identifiability.core import DEFAULT_RTOL

    rng = np.random.default_rng(3)
    L = np.array([[1, 0], [1, 1]], bool)
    X, Y = rng.standard_normal((2, 2)) * L, rng.standard_normal((2, 2)) * L.T
    res = local_identifiability([X, Y])
    assert res.identifiable is True and not res.exact
    assert res.tol == DEFAULT_RTOL and res.tol_source == "default"
    assert res.singular_value_gap[0] > 100 * DEFAULT_RTOL
    assert "default tolerance" in res.explain()
    # the margins: a singular value within RANK_MARGIN of the cut does not separate
    from identifiability.generic import numerical_rank, rank_is_clear

    rank, gap = numerical_rank(np.diag([1.0, 1e-3, 3e-10]), DEFAULT_RTOL)
    assert rank == 2 and not rank_is_clear(gap, DEFAULT_RTOL)   # 3e-10 is near the cut
    rank, gap = numerical_rank(np.diag([1.0, 1e-3, 1e-15]), DEFAULT_RTOL)
    assert rank == 2 and rank_is_clear(gap, DEFAULT_RTOL)
    # exact input stays exact
    ex = local_identifiability([[[1, 0], [1, 1]], [[1, 1], [0, 1]]])
    assert ex.exact and ex.field == "Q"


def test_generic_reprs_are_short():
    from identifiability.supports import butterfly_supports

    g = generic_uniqueness(butterfly_supports(16), rng=0)
    rng = np.random.default_rng(0)
    D = np.ones((20, 10), bool)
    loc = local_identifiability([rng.standard_normal((20, 10)), rng.standard_normal((10, 20))])
    for r in (g, loc):
        assert len(repr(r)) < 300 and "<table>" in r._repr_html_()
