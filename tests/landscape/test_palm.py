"""Tests of landscape.palm: oracles C25 (Lipschitz constant) and C26 (monotone PALM -> 98)."""

import json
from pathlib import Path

import numpy as np
import pytest

from landscape.engine.palm import (PalmResult, palm4msa, spectral_sqnorm,
                                   spectral_sqnorm_power)
from landscape.engine.projections import splincol, support, topk, topk_cols, topk_rows

ORACLES = json.loads((Path(__file__).parents[1] / "data" / "engine_oracles.json").read_text())


def _prod(factors):
    out = factors[0]
    for F in factors[1:]:
        out = out @ F
    return out


def test_c25_lipschitz_constant():
    o = ORACLES["C25"]
    L, R = np.array(o["L"], float), np.array(o["R"], float)
    lip = spectral_sqnorm(L[None])[0] * spectral_sqnorm(R[None])[0]
    assert round(lip, o["digits"]) == o["lipschitz"]
    # tight: the Hessian of X -> 1/2 ||L X R - A||^2 is (R R^T) kron (L^T L)
    hess = np.kron(R @ R.T, L.T @ L)
    assert round(np.linalg.eigvalsh(hess).max(), o["digits"]) == o["lipschitz"]
    # the power estimate used in the sweeps is a lower bound that converges to it
    rng = np.random.default_rng(0)
    estL, _ = spectral_sqnorm_power(L[None], rng.standard_normal((1, 2)), 50)
    estR, _ = spectral_sqnorm_power(R[None], rng.standard_normal((1, 3)), 50)
    assert estL[0] * estR[0] <= lip * (1 + 1e-12)
    assert estL[0] * estR[0] == pytest.approx(lip, rel=1e-9)


def test_c26_fixed_support_palm_monotone_reaches_98():
    o = ORACLES["C26"]
    res = palm4msa(o["A"], [support(o["support1"]), support(o["support2"])], normalize=False,
                   step=o["step"], rng=o["seed"], n_iter=o["n_iter"], stop_tol=0.0)
    h = res.history[0]
    assert np.all(np.diff(h) <= 1e-12 * h[:-1])
    assert res.objective[0] == pytest.approx(o["optimal_value"], abs=1e-6)
    assert res.lam[0] == 1.0
    S1, S2 = res.best_factors()
    assert not np.any(S1[~np.array(o["support1"], bool)])
    assert not np.any(S2[~np.array(o["support2"], bool)])
    A = np.array(o["A"], float)
    assert res.objective[0] == pytest.approx(np.linalg.norm(A - S1 @ S2) ** 2, rel=1e-12)


@pytest.mark.parametrize("cplx", [False, True])
def test_multistart_batched_monotone_and_consistent(cplx):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((8, 6))
    if cplx:
        A = A + 1j * rng.standard_normal((8, 6))
    res = palm4msa(A, [topk_rows(3), topk(12), topk_cols(2)], n_starts=7, n_iter=200, rng=4)
    assert isinstance(res, PalmResult)
    assert [F.shape for F in res.factors] == [(7, 8, 6), (7, 6, 6), (7, 6, 6)]
    assert all(np.iscomplexobj(F) == cplx for F in res.factors)
    assert res.lam.dtype == np.float64 and res.history.shape[0] == 7
    for b in range(7):
        h = res.history[b, :res.n_iter[b]]
        assert np.all(np.diff(h) <= 1e-10 * h[:-1])
        assert np.all(np.isnan(res.history[b, res.n_iter[b]:]))
        S = [F[b] for F in res.factors]
        assert np.count_nonzero(S[0], axis=1).max() <= 3
        assert np.count_nonzero(S[1]) <= 12
        assert np.count_nonzero(S[2], axis=0).max() <= 2
        assert all(np.linalg.norm(F) == pytest.approx(1.0) for F in S)
        err = np.linalg.norm(A - res.lam[b] * _prod(S))
        assert err ** 2 == pytest.approx(res.objective[b], rel=1e-9)
        assert err / np.linalg.norm(A) == pytest.approx(res.relative_error[b], rel=1e-9)
    assert res.objective[res.best] == res.objective.min()
    np.testing.assert_allclose(res.product()[res.best], res.lam[res.best] *
                               _prod(res.best_factors()))


def test_recovers_exact_sparse_product_fixed_support():
    rng = np.random.default_rng(5)
    I = rng.random((10, 4)) < 0.5
    J = rng.random((4, 9)) < 0.5
    I[np.arange(4), np.arange(4)] = True
    J[np.arange(4), np.arange(4)] = True
    A = (rng.standard_normal((10, 4)) * I) @ (rng.standard_normal((4, 9)) * J)
    res = palm4msa(A, [support(I), support(J)], n_starts=20, n_iter=3000, stop_tol=1e-12, rng=6)
    assert res.relative_error[res.best] < 1e-6
    assert res.converged[res.best]


def test_converged_starts_report_their_own_iterations():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((5, 5))
    res = palm4msa(A, [topk_rows(2), topk_rows(2)], n_starts=10, n_iter=400, stop_tol=1e-6, rng=8)
    assert res.converged.any()
    assert res.history.shape[1] == res.n_iter.max()
    assert np.all(res.n_iter[res.converged] < 400)
    res2 = palm4msa(A, [topk_rows(2), topk_rows(2)], n_iter=3, stop_tol=0.0, rng=8)
    assert res2.n_iter[0] == 3 and not res2.converged[0]


def test_init_shared_and_batched():
    A = np.arange(12.0).reshape(3, 4)
    init = [np.eye(3), np.ones((3, 4))]
    r1 = palm4msa(A, [topk(9), topk(12)], init=init, n_starts=2, n_iter=5, rng=0)
    assert r1.objective[0] == pytest.approx(r1.objective[1], rel=1e-6)   # same init
    batched = [np.stack([np.eye(3), 2 * np.eye(3)]), np.ones((2, 3, 4))]
    r2 = palm4msa(A, [topk(9), topk(12)], init=batched, n_starts=2, n_iter=5, rng=0)
    assert r2.factors[1].shape == (2, 3, 4)
    r3 = palm4msa(A, [topk(9), topk(12)], init=init, init_lam=[1.0, 2.0], n_starts=2,
                  normalize=False, n_iter=5, rng=0)
    np.testing.assert_array_equal(r3.lam, [1.0, 2.0])


def test_single_factor_and_zero_matrix():
    A = np.array([[3.0, -5.0, 1.0], [0.5, 4.0, -2.0]])
    res = palm4msa(A, [topk(3)], n_iter=50, rng=0)
    np.testing.assert_allclose(res.product()[0], [[3, -5, 0], [0, 4, 0]], atol=1e-12)
    Z = palm4msa(np.zeros((4, 4)), [topk_rows(2), topk_rows(2)], n_starts=3, rng=0)
    np.testing.assert_array_equal(Z.lam, 0.0)
    np.testing.assert_array_equal(Z.objective, 0.0)
    np.testing.assert_array_equal(Z.relative_error, 0.0)
    assert Z.converged.all()


def test_zero_lipschitz_block_is_skipped():
    """With a zero right factor the left block has Lipschitz constant 0 (docs/theory.rst B2 guard)."""
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    res = palm4msa(A, [topk(4), topk(4)], init=[np.eye(2), np.zeros((2, 2))], init_lam=1.0,
                   normalize=False, n_iter=1, stop_tol=0.0, rng=0)
    np.testing.assert_array_equal(res.factors[0][0], np.eye(2))
    assert np.all(np.isfinite(res.factors[1]))


def _rises(res, b=0):
    """Sweeps of start ``b`` whose objective rose by more than rounding."""
    h = res.history[b, :res.n_iter[b]]
    return int(np.sum(np.diff(h) > 1e-10 * h[:-1]))


def test_monotone_rejects_the_rising_splincol_steps():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((8, 8))
    kw = dict(init=[np.zeros((8, 8)), np.eye(8)], n_iter=200, stop_tol=0.0, rng=1)
    plain = palm4msa(A, [splincol(2), splincol(2)], **kw)
    safe = palm4msa(A, [splincol(2), splincol(2)], monotone=True, **kw)
    assert _rises(plain) >= 1 and plain.n_iter[0] == 200     # the heuristic projection rises
    assert _rises(safe) == 0
    # a sweep whose steps are all rejected leaves the error unchanged: the start stops
    h = safe.history[0, :safe.n_iter[0]]
    assert safe.converged[0] and safe.n_iter[0] < 200 and h[-1] == h[-2]
    S = safe.best_factors()
    assert all(np.linalg.norm(F) == pytest.approx(1.0) for F in S)
    assert all(np.array_equal(splincol(2).apply(F[None])[0] != 0, F != 0) for F in S)
    assert np.linalg.norm(A - safe.lam[0] * S[0] @ S[1]) ** 2 == pytest.approx(
        safe.objective[0], rel=1e-12)


def test_monotone_batched_complex_every_start():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    kw = dict(n_starts=5, n_iter=100, stop_tol=0.0, rng=2)
    plain = palm4msa(A, [splincol(2), splincol(2)], **kw)
    safe = palm4msa(A, [splincol(2), splincol(2)], monotone=True, **kw)
    assert all(_rises(plain, b) >= 1 for b in range(5))
    assert all(_rises(safe, b) == 0 for b in range(5))
    assert safe.converged.sum() == 3 and not plain.converged.any()
    assert np.iscomplexobj(safe.factors[0])


def test_monotone_is_inert_when_the_steps_descend():
    """Exact projections, fixed lam: every step already descends, nothing is rejected."""
    o = ORACLES["C26"]
    runs = [palm4msa(o["A"], [support(o["support1"]), support(o["support2"])], normalize=False,
                     step=o["step"], rng=o["seed"], n_iter=o["n_iter"], stop_tol=0.0,
                     monotone=m) for m in (False, True)]
    np.testing.assert_array_equal(runs[0].history, runs[1].history)
    np.testing.assert_array_equal(runs[0].factors[0], runs[1].factors[0])


def test_splincol_runs_complex():
    rng = np.random.default_rng(9)
    A = rng.standard_normal((16, 16)) + 1j * rng.standard_normal((16, 16))
    res = palm4msa(A, [splincol(3), splincol(3)], n_iter=30, rng=1)
    assert res.relative_error[0] < 1.0
    assert np.iscomplexobj(res.factors[0])


def test_bad_input():
    A = np.ones((3, 3))
    with pytest.raises(ValueError, match="'A' parameter of palm4msa"):
        palm4msa([[np.nan, 1.0], [1.0, 1.0]], [topk(1), topk(1)])
    with pytest.raises(ValueError, match="'A' parameter of palm4msa"):
        palm4msa([[np.inf, 1.0], [1.0, 1.0]], [topk(1), topk(1)])
    with pytest.raises(ValueError, match=r"'constraints\[1\]' parameter of palm4msa"):
        palm4msa(A, [topk(1), topk_rows(4)])
    with pytest.raises(ValueError, match=r"'constraints\[0\]' parameter of palm4msa"):
        palm4msa(A, [support(np.ones((2, 3))), support(np.ones((3, 3)))])
    with pytest.raises(TypeError, match="'constraints' parameter"):
        palm4msa(A, topk(1))
    with pytest.raises(ValueError, match="'step' parameter"):
        palm4msa(A, [topk(1)], step=1.0)
    with pytest.raises(ValueError, match=r"'init\[1\]' parameter"):
        palm4msa(A, [topk(1), topk(1)], init=[np.eye(3), np.eye(2)])
    with pytest.raises(ValueError, match=r"'init\[0\]' parameter"):
        palm4msa(A, [topk(1), topk(1)], init=[np.ones((2, 3, 3)), np.eye(3)], n_starts=3)
    with pytest.raises(TypeError, match=r"'init\[0\]' parameter"):
        palm4msa(A, [topk(1), topk(1)], init=[np.eye(3) * 1j, np.eye(3)])
    with pytest.raises(TypeError, match="'rng' parameter"):
        palm4msa(A, [topk(1)], rng="seed")
    with pytest.raises(TypeError, match="'monotone' parameter of palm4msa"):
        palm4msa(A, [topk(1)], monotone=1)


def test_fit_tol_stops_at_the_requested_floor():
    H2 = np.array([[1.0, 1.0], [1.0, -1.0]])
    H = np.kron(np.kron(H2, H2), H2)
    kw = dict(init=[np.zeros((8, 8)), np.eye(8)], init_lam=1.0, n_iter=500, stop_tol=0.0, rng=1)
    loose = palm4msa(H, [splincol(4), splincol(2)], fit_tol=1e-6, **kw)
    strict = palm4msa(H, [splincol(4), splincol(2)], **kw)
    assert loose.converged[0] and strict.converged[0]
    assert loose.relative_error[0] <= 1e-6 and strict.relative_error[0] <= 100 * np.finfo(float).eps
    assert loose.n_iter[0] < strict.n_iter[0]
    with pytest.raises(ValueError, match="'fit_tol' parameter of palm4msa"):
        palm4msa(H, [topk(1)], fit_tol=-1.0)
