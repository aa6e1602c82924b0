"""Tests of landscape.hierarchical: reverse-engineering the Hadamard transform (docs/theory.rst A1/B4)."""

import numpy as np
import pytest

from landscape.engine.hierarchical import HierarchicalResult, hadamard_constraints, hierarchical
from landscape.engine.projections import splincol, topk, topk_rows


def hadamard(N):
    H = np.array([[1.0]])
    while H.shape[0] < N:
        H = np.kron(H, [[1.0, 1.0], [1.0, -1.0]])
    return H


@pytest.mark.parametrize("N, order", [(8, "right-to-left"), (16, "right-to-left"),
                                      (16, "left-to-right")])
def test_reverse_engineers_hadamard(N, order):
    H = hadamard(N)
    res = hierarchical(H, *hadamard_constraints(N), order=order, n_iter_split=100,
                       n_iter_refine=100, rng=0, method="palm")
    assert isinstance(res, HierarchicalResult) and res.method == "palm"
    assert res.relative_error <= 1e-10
    assert len(res.factors) == int(np.log2(N))
    np.testing.assert_allclose(res.product(), H, atol=1e-9)
    for F in res.factors:   # the fast transform: 2 non-zeros per row and per column
        nz = np.abs(F) > 1e-8 * np.abs(F).max()
        assert nz.sum(axis=0).max() == 2 and nz.sum(axis=1).max() == 2
        assert np.linalg.norm(F) == pytest.approx(1.0)
    assert res.step_errors.shape == (len(res.factors) - 1,)
    assert res.step_errors[-1] == pytest.approx(res.relative_error)
    assert len(res.local_history) == len(res.global_history) == len(res.factors) - 1


def test_complex_input_stays_complex():
    H = hadamard(8) * np.exp(0.3j)
    for method in ("palm", "auto"):
        res = hierarchical(H, *hadamard_constraints(8), rng=1, method=method)
        assert all(np.iscomplexobj(F) for F in res.factors)
        assert res.relative_error <= 1e-8


def test_two_factors_and_rectangular():
    rng = np.random.default_rng(2)
    A = (rng.standard_normal((6, 4)) * (rng.random((6, 4)) < 0.5)) @ \
        (rng.standard_normal((4, 5)) * (rng.random((4, 5)) < 0.6))
    res = hierarchical(A, [topk_rows(4), topk(20)], [], rng=0)
    assert [F.shape for F in res.factors] == [(6, 5), (5, 5)]
    assert res.step_errors.shape == (1,)
    res2 = hierarchical(A, [topk_rows(4), topk(20), topk(25)], [topk(25)],
                        order="left-to-right", rng=0)
    assert len(res2.factors) == 3
    assert res2.relative_error == pytest.approx(
        np.linalg.norm(A - res2.product()) / np.linalg.norm(A), rel=1e-9)


def test_hadamard_constraints():
    cons, res = hadamard_constraints(32)
    assert repr(cons) == repr([splincol(2)] * 5)
    assert repr(res) == repr([splincol(16), splincol(8), splincol(4)])
    with pytest.raises(ValueError, match="'N' parameter of hadamard_constraints"):
        hadamard_constraints(12)


def test_bad_input():
    H = hadamard(8)
    cons, res = hadamard_constraints(8)
    with pytest.raises(ValueError, match="'residual_constraints' parameter of hierarchical"):
        hierarchical(H, cons, res + res)
    with pytest.raises(ValueError, match="'constraints' parameter of hierarchical"):
        hierarchical(H, cons[:1], [])
    with pytest.raises(ValueError, match="'order' parameter of hierarchical"):
        hierarchical(H, cons, res, order="middle-out")
    with pytest.raises(ValueError, match=r"'residual_constraints\[0\]' parameter"):
        hierarchical(H, cons, [splincol(9)])
    with pytest.raises(ValueError, match="'method' parameter of hierarchical"):
        hierarchical(H, cons, res, method="sgd")
    with pytest.raises(ValueError, match="'method' parameter of hierarchical"):
        hierarchical(H, [topk_rows(4)] * 3, res, method="discovery")
    with pytest.raises(ValueError, match="'A' parameter of hierarchical"):
        hierarchical(np.full((8, 8), np.nan), cons, res)


def test_fit_tol_default_and_validation():
    H = np.array([[1.0]])
    for _ in range(4):
        H = np.kron(H, [[1.0, 1.0], [1.0, -1.0]])
    cons, res_cons = hadamard_constraints(16)
    default = hierarchical(H, cons, res_cons, rng=0, method="palm")
    assert default.relative_error < 100 * np.finfo(float).eps * len(cons)
    with pytest.raises(ValueError, match="'fit_tol' parameter of hierarchical"):
        hierarchical(H, cons, res_cons, fit_tol=-1.0)
