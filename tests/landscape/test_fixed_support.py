"""Tests of landscape.fixed_support: calculus, rank-one primitive, tractable solver."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifiability.supports import butterfly_split_supports, random_support
from landscape.engine.fixed_support import (FixedSupportSolution, best_rank_one, gradient, hessian,
                                     objective, pack, solve_fixed_support, unpack)

ORACLES = json.loads(
    (Path(__file__).parents[1] / "data" / "fixed_support_oracles.json").read_text())


def _case(name):
    c = ORACLES[name]
    return (np.array(c["A"], dtype=float), np.array(c["support1"], dtype=bool),
            np.array(c["support2"], dtype=bool))


def _random_problem(rng, m, r, n, complex_):
    s1 = random_support((m, r), 2, mode="columns", rng=rng)
    s2 = random_support((r, n), 2, mode="rows", rng=rng)
    z = (lambda *sh: rng.standard_normal(sh) + 1j * rng.standard_normal(sh)) if complex_ \
        else (lambda *sh: rng.standard_normal(sh))
    return z(m, n), z(m, r) * s1, z(r, n) * s2, s1, s2


# ------------------------------------------------------------------ calculus


@pytest.mark.parametrize("complex_", [False, True])
def test_gradient_and_hessian_match_finite_differences(complex_):
    rng = np.random.default_rng(1 + complex_)
    A, S1, S2, s1, s2 = _random_problem(rng, 4, 3, 5, complex_)
    theta = pack(S1, S2, s1, s2)
    p = int(s1.sum() + s2.sum())
    assert theta.shape == ((2 * p,) if complex_ else (p,)) and theta.dtype == np.float64
    f = lambda th: objective(A, *unpack(th, s1, s2))
    g = lambda th: pack(*gradient(A, *unpack(th, s1, s2), s1, s2), s1, s2)
    h = 1e-6
    E = np.eye(theta.size)
    fd_grad = np.array([(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in E])
    assert np.allclose(g(theta), fd_grad, rtol=1e-6, atol=1e-6)
    H = hessian(A, S1, S2, s1, s2)
    fd_hess = np.array([(g(theta + h * e) - g(theta - h * e)) / (2 * h) for e in E])
    assert np.allclose(H, H.T) and np.allclose(H, fd_hess, rtol=1e-5, atol=1e-5)


def test_pack_unpack_round_trip_and_bad_length():
    rng = np.random.default_rng(0)
    _, S1, S2, s1, s2 = _random_problem(rng, 3, 2, 4, True)
    T1, T2 = unpack(pack(S1, S2, s1, s2), s1, s2)
    assert np.array_equal(T1, S1) and np.array_equal(T2, S2)
    with pytest.raises(ValueError, match="'theta' parameter of unpack"):
        unpack(np.ones(3), s1, s2)


def test_c33_spurious_local_minimum_value_gradient_hessian():
    c = ORACLES["C33"]
    A, s1, s2 = _case("C33")
    S1, S2 = np.array(c["S1_local"]), np.array(c["S2_local"])
    assert objective(A, S1, S2) == pytest.approx(c["local_value"], abs=1e-12)
    G1, G2 = gradient(A, S1, S2, s1, s2)
    assert np.allclose(G1, 0) and np.allclose(G2, 0)
    eig = np.linalg.eigvalsh(hessian(A, S1, S2, s1, s2))
    # f without the factor 1/2 reproduces the oracle eigenvalues (with 1/2 they halve)
    assert np.allclose(eig, c["hessian_eigenvalues"], atol=1e-3)
    # complex parametrisation at a real point: each eigenvalue twice, kernel = complex scaling
    eig_c = np.linalg.eigvalsh(hessian(A.astype(complex), S1, S2, s1, s2))
    assert np.allclose(eig_c, np.repeat(c["hessian_eigenvalues"], 2), atol=1e-3)
    sol = solve_fixed_support(A, s1, s2)
    assert sol.status == "not_tractable" and sol.value is None and sol.factors is None


def test_calculus_validates_shapes():
    with pytest.raises(ValueError, match="'S2' parameter of objective"):
        objective(np.ones((2, 2)), np.ones((2, 1)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="'support1' parameter of gradient"):
        gradient(np.ones((2, 2)), np.ones((2, 1)), np.ones((1, 2)), np.ones((2, 2)),
                 np.ones((1, 2)))
    with pytest.raises(ValueError, match="'A' parameter of hessian"):
        hessian([[np.nan]], [[1.0]], [[1.0]], [[1]], [[1]])


# ------------------------------------------------------------------ rank one


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.booleans(), st.integers(0, 99))
@settings(max_examples=40, deadline=None)
def test_best_rank_one_matches_svd(m, n, K, complex_, seed):
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((K, m, n)) + (1j * rng.standard_normal((K, m, n)) if complex_ else 0)
    u, s, vh, d = best_rank_one(B)
    sv = np.linalg.svd(B, compute_uv=False)
    assert u.dtype == B.dtype and vh.dtype == B.dtype
    assert np.allclose(s, sv[:, 0]) and np.allclose(d, (sv[:, 1:] ** 2).sum(axis=1), atol=1e-10)
    R = B - s[:, None, None] * u[:, :, None] * vh[:, None, :]
    assert np.allclose(np.einsum("kij,kij->k", R.conj(), R).real, d, atol=1e-10)


def test_best_rank_one_large_blocks_rank_one_and_zero():
    rng = np.random.default_rng(5)
    B = rng.standard_normal((4, 12, 9)) + 1j * rng.standard_normal((4, 12, 9))
    B[0] = 0
    B[1] = np.outer(rng.standard_normal(12), rng.standard_normal(9) + 1j)
    u, s, vh, d = best_rank_one(B)
    sv = np.linalg.svd(B, compute_uv=False)
    assert np.allclose(s, sv[:, 0]) and np.allclose(d, (sv[:, 1:] ** 2).sum(axis=1))
    assert s[0] == 0 and d[0] == 0 and d[1] < 1e-26
    u1, s1, vh1, d1 = best_rank_one(B[2])
    assert s1 == pytest.approx(s[2]) and u1.shape == (12,)


# ------------------------------------------------------------------ tractable solver


def test_c04_disjoint_supports_value_98():
    A, s1, s2 = _case("C04")
    sol = solve_fixed_support(A, s1, s2)
    assert isinstance(sol, FixedSupportSolution)
    assert sol.status == "global" and sol.value == pytest.approx(ORACLES["C04"]["optimal_value"])
    assert objective(A, *sol.factors) == pytest.approx(sol.value)
    S1, S2 = sol.factors
    assert not np.any(S1[~s1]) and not np.any(S2[~s2])
    assert "Global optimum 98" in sol.explain() and "status='global'" in repr(sol)


def test_c05_complete_equivalence_class():
    A, s1, s2 = _case("C05")
    sol = solve_fixed_support(A, s1, s2)
    assert sol.status == "global"
    assert sol.value == pytest.approx(ORACLES["C05"]["optimal_value"], abs=1e-8)
    assert sol.classes == ((0, 1), (2,)) and sol.complete.tolist() == [True, False]
    S1, S2 = sol.factors
    assert objective(A, S1, S2) == pytest.approx(sol.value, abs=1e-10)
    assert not np.any(S1[~s1]) and not np.any(S2[~s2])


@pytest.mark.parametrize("complex_", [False, True])
def test_c20_butterfly_split_value(complex_):
    A = np.array(ORACLES["C20"]["A"], dtype=float) * (1j if complex_ else 1)
    sol = solve_fixed_support(A, *butterfly_split_supports(4, 1))
    assert sol.status == "global"
    assert sol.value == pytest.approx(ORACLES["C20"]["optimal_value"], abs=1e-6)
    assert sol.factors[0].dtype == (np.complex128 if complex_ else np.float64)
    assert objective(A, *sol.factors) == pytest.approx(sol.value)


def test_c36_remainder_not_a_rectangle_is_not_tractable():
    A, s1, s2 = _case("C36")
    sol = solve_fixed_support(A, s1, s2)
    assert sol.status == "not_tractable" and sol.value is None
    assert "not a rectangle" in sol.reason and "Not certified" in sol.explain()


def test_global_value_beats_local_search_complex():
    """A certified value is a lower bound for every feasible point (random feasible points)."""
    rng = np.random.default_rng(4)
    m, n = 5, 6
    s1 = np.zeros((m, 3), bool)
    s2 = np.zeros((3, n), bool)
    s1[:2, 0], s2[0, :3] = True, True            # disjoint rectangles
    s1[2:, 1:], s2[1:, 2:] = True, True           # class {1, 2}, 3 x 4, rank 2: not complete
    A = rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n))
    sol = solve_fixed_support(A, s1, s2)
    assert sol.status == "global" and sol.classes == ((0,), (1, 2))
    assert objective(A, *sol.factors) == pytest.approx(sol.value)
    for _ in range(50):
        S1 = (rng.standard_normal(s1.shape) + 1j * rng.standard_normal(s1.shape)) * s1
        S2 = (rng.standard_normal(s2.shape) + 1j * rng.standard_normal(s2.shape)) * s2
        assert objective(A, S1, S2) >= sol.value
    G1, G2 = gradient(A, *sol.factors, s1, s2)
    assert np.allclose(G1, 0, atol=1e-10) and np.allclose(G2, 0, atol=1e-10)


def test_solver_validates_supports():
    with pytest.raises(ValueError, match="'support2' parameter of solve_fixed_support"):
        solve_fixed_support(np.ones((2, 2)), np.ones((2, 1)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="'A' parameter of solve_fixed_support"):
        solve_fixed_support([[np.inf]], [[1]], [[1]])
