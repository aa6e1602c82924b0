"""Tests of landscape.critical_points (sample / classify / cluster) and landscape.report.

Oracles (tests/data/landscape_oracles.json, package convention): C04, C05, C20 tractable
(only "global", stated optimal values); C33 spurious local minimum (11) found from random
starts; LU (C03/C31/C37) diverging.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from landscape import fixed_support as fs
from landscape.critical_points import CLASSES, Problem, sample
from identifiability.core.rescaling import balance_chain
from landscape.linear.calculus import flatten, gradients
from landscape.linear.classification import hessian, second_order
from landscape.engine.projections import topk, topk_rows
from landscape.report import LandscapeReport

O = json.loads((Path(__file__).parents[1] / "data" / "landscape_oracles.json").read_text())


def _problem(key, **kw):
    o = O[key]
    return Problem(np.array(o["A"], float), supports=[np.array(o["support1"], bool),
                                                      np.array(o["support2"], bool)], **kw)


@pytest.mark.parametrize("key", ["C04", "C05", "C20"])
def test_tractable_supports_only_global(key):
    rep = sample(_problem(key), 24, rng=0)
    assert rep.reference_kind == "global"
    assert rep.reference == pytest.approx(O[key]["optimal_value"], abs=1e-6)
    assert set(rep.labels) == {"global"}
    assert np.all(np.abs(rep.objective - O[key]["optimal_value"]) <= 1e-5)
    assert rep.summary().startswith("1 distinct minimum")


@pytest.fixture(scope="module")
def c33():
    return sample(_problem("C33"), 120, rng=0)


def test_c33_spurious_local_minimum_labelled_against_the_certified_global_value(c33):
    """Intended change (issue 13): the reference of C33 was "best found" (the moment bound is
    not tight); the exact enumeration of the critical points now certifies it as global."""
    o = O["C33"]
    assert c33.reference_kind == "global"
    assert c33.reference == pytest.approx(o["global_value"], abs=1e-9)
    assert c33.reference == pytest.approx(13.5 - 1.5 * np.sqrt(5), abs=1e-12)
    assert c33.lower_bound == pytest.approx(c33.reference, abs=1e-12)
    kinds = {round(c.value, 6): c.kind for c in c33.minima()}
    assert kinds == {round(o["global_value"], 6): "global", 11.0: "spurious local minimum"}
    spur = next(c for c in c33.clusters if c.kind == "spurious local minimum")
    assert spur.min_eigenvalue > 0.1     # balanced point of the orbit (oracle point: 1.184)
    assert 0 < spur.fraction < 0.5
    assert "certified Hessian inertia (6, 0, 0)" in spur.note
    assert "certified by critical_values" in c33.summary()
    assert (11.0, "minimum", 1) in c33.critical_values()
    assert "escape bound 15" in c33.explain()


def test_c33_oracle_pointsecond_order():
    o = O["C33"]
    p = _problem("C33")
    S = [np.array(o["S1_local"], float), np.array(o["S2_local"], float)]
    kind, lam, direction, _ = second_order(p, S, np.random.default_rng(0))
    assert kind == "spurious local minimum"
    assert lam == pytest.approx(1.184, abs=1e-3)
    # a saddle: zero factors with a nonzero target
    kind, lam, direction, _ = second_order(p, [np.zeros((3, 2)) + 0.0, np.zeros((2, 3))],
                                            np.random.default_rng(0))
    assert kind in ("saddle", "degenerate")


def test_property_classes_consistent(c33):
    """every "global"/"best found" point is at the reference; every spurious minimum is
    strictly above it and passes the second-order test; stationarity holds for minima."""
    ref, tol = c33.reference, 1e-6 * max(1, abs(c33.reference))
    at = np.isin(c33.labels, ["global", "best found"])
    assert np.all(np.abs(c33.objective[at] - ref) <= tol)
    sp = c33.labels == "spurious local minimum"
    assert sp.any() and np.all(c33.objective[sp] > ref + tol)
    for b in np.flatnonzero(sp)[:3]:
        kind, lam, _, _ = second_order(c33.problem, [F[b] for F in c33.factors],
                                        np.random.default_rng(1))
        assert kind == "spurious local minimum" and lam > 0
    assert set(c33.labels) <= set(CLASSES)
    # products multiply back to the objective
    P = c33.factors[0] @ c33.factors[1]
    assert np.allclose(np.sum((c33.problem.A - P) ** 2, axis=(1, 2)), c33.objective)


def test_lu_diverging():
    rep = sample(_problem("C03"), 6, rng=3, n_iter=2000, segment=200)
    assert set(rep.labels) == {"diverging"}
    n = rep.norms
    assert np.all(np.diff(n[:, 2:], axis=1) > 0)
    assert np.all(np.diff(rep.history[:, 1:], axis=1) <= 0)
    assert "diverging 6" in rep.summary()


def test_gradient_and_hessian_agree_with_fixed_support():
    rng = np.random.default_rng(0)
    for cplx in (False, True):
        A = rng.standard_normal((3, 4)) + (1j * rng.standard_normal((3, 4)) if cplx else 0)
        s1, s2 = rng.random((3, 2)) < 0.7, rng.random((2, 4)) < 0.7
        p = Problem(A, supports=[s1, s2])
        S = [rng.standard_normal(s.shape) * s + (1j * rng.standard_normal(s.shape) * s if cplx
                                                 else 0) for s in (s1, s2)]
        G = gradients(p.A, [F[None] for F in S], [s1[None], s2[None]])
        G1, G2 = fs.gradient(A, *S, s1, s2)
        assert np.allclose(G[0][0], G1) and np.allclose(G[1][0], G2)
        assert np.allclose(flatten(p, S, [s1, s2]), fs.pack(*S, s1, s2))


def test_three_factor_hessian_finite_differences_is_symmetric_psd_at_exact_fit():
    rng = np.random.default_rng(1)
    S = [rng.standard_normal((3, 2)), rng.standard_normal((2, 2)), rng.standard_normal((2, 3))]
    masks = [np.ones(F.shape, bool) for F in S]
    p = Problem(S[0] @ S[1] @ S[2], supports=masks)
    H = hessian(p, S, masks)
    assert np.allclose(H, H.T)
    assert np.linalg.eigvalsh(H).min() > -1e-6       # a global minimum (exact fit)


def test_balance_keeps_product():
    rng = np.random.default_rng(2)
    S = [rng.standard_normal((5, 3, 2)), rng.standard_normal((5, 2, 4))]
    B, _ = balance_chain(S)
    assert np.allclose(S[0] @ S[1], B[0] @ B[1])
    assert np.allclose(np.linalg.norm(B[0], axis=1), np.linalg.norm(B[1], axis=2))


def test_sparsity_constraints_and_complex():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    rep = sample(Problem(A, constraints=[topk_rows(2), topk(6)], inner=3), 8, rng=1,
                 n_iter=1000)
    assert rep.factors[0].dtype == np.complex128 and rep.factors[0].shape == (8, 4, 3)
    assert rep.reference_kind == "best found"
    assert np.all(np.count_nonzero(rep.factors[1], axis=(1, 2)) <= 6)


def test_report_save_load_frame_plot(tmp_path, c33):
    c33.save(tmp_path / "run")
    back = LandscapeReport.load(tmp_path / "run.npz")
    assert np.array_equal(back.objective, c33.objective)
    assert list(back.labels) == list(c33.labels)
    assert back.clusters[1].kind == c33.clusters[1].kind
    frame = c33.to_frame()
    assert len(frame["objective"]) == c33.n_starts
    import matplotlib
    matplotlib.use("Agg")
    fig = c33.plot()
    assert len(fig.axes) >= 3
    rep = sample(Problem(np.eye(3), constraints=[topk(3), topk(3)]), 3, rng=0, n_iter=200)
    rep.save(tmp_path / "sparse")
    assert LandscapeReport.load(tmp_path / "sparse").problem.constraints[0].k == 3


def test_bad_input():
    with pytest.raises(ValueError, match="'supports' parameter of Problem"):
        Problem(np.eye(2))
    with pytest.raises(ValueError, match="'supports\\[0\\]' parameter of Problem"):
        Problem(np.eye(2), supports=[np.ones((3, 2)), np.ones((2, 2))])
    with pytest.raises(TypeError, match="'problem' parameter of sample"):
        sample(np.eye(2), 3)
    with pytest.raises(ValueError, match="'method' parameter of sample"), \
            pytest.warns(DeprecationWarning, match="'algorithm' is now called 'method'"):
        sample(Problem(np.eye(2), supports=[np.ones((2, 2)), np.ones((2, 2))]), 3,
               algorithm="adam")


def test_sample_dispatches_relu_problems_to_the_convex_reference():
    from landscape import LandscapeReport, ReLUProblem, sample

    X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    land = sample(ReLUProblem(X, np.array([1.0, 0.0, 1.0, 2.0]), width=4, beta=1e-2), 4, rng=0)
    assert isinstance(land, LandscapeReport) and land.convex.exhaustive
    assert land.reference_kind == "global" and land.reference == land.convex.objective
    assert land.lower_bound == land.convex.lower_bound
    assert land.objective.min() >= land.reference - 1e-6 * max(1.0, land.reference)
    again = sample(ReLUProblem(X, np.array([1.0, 0.0, 1.0, 2.0]), width=4, beta=1e-2), 4, rng=0,
                   executor="joblib")
    assert np.array_equal(again.objective, land.objective)
    assert np.array_equal(again.labels, land.labels)
