"""Tests of landscape.relu: proximal training, pruning, supermasks, convex reference, ReLU landscapes."""

import json
from pathlib import Path

import numpy as np
import pytest

from identifiability.relu import ReLUNet, equivalent, local_identifiability
from landscape.datasets import load_digits, teacher_student
from landscape.linear import CLASSES, sample
from landscape.engine.projections import support, topk
from landscape.relu import (
    ReLUProblem,
    activation_patterns,
    convex_reference,
    descent_direction,
    diverging,
    dual_lower_bound,
    magnitude_pruning,
    sample_relu,
    supermask,
    train_relu,
)
from landscape.report import LandscapeReport

ORACLES = json.loads((Path(__file__).parents[1] / "data" / "relu_oracles.json").read_text())["cases"]


def toy_2d(n=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = np.abs(X[:, 0]) - X[:, 1] ** 2
    return X, y


# ---------------------------------------------------------------- training

def test_palm_is_monotone_and_respects_constraints():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(30, 4)), rng.normal(size=(30, 2))
    S = rng.random((5, 4)) < 0.5
    res = train_relu(X, Y, 5, constraints=[support(S), topk(4)], n_iter=200, n_starts=3,
                     beta=0.01, rng=0)
    assert res.weights[0].shape == (3, 5, 4) and res.history.shape[0] == 3
    assert np.all(np.diff(res.history, axis=1) <= 1e-10 * res.history[:, :-1])
    assert not np.any(res.weights[0][:, ~S])
    assert np.all(np.count_nonzero(res.weights[1], axis=(1, 2)) <= 4)
    assert res.net(0).widths == (4, 5, 2)
    assert "TrainResult" in repr(res)


def test_sgd_decreases_the_objective():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3))
    Y = np.maximum(X @ [[1.0], [-1.0], [0.5]], 0)
    res = train_relu(X, Y, 4, method="sgd", n_iter=60, batch_size=16, step=0.05 / 64,
                     n_starts=2, rng=0)
    assert np.all(res.history[:, -1] < 0.5 * res.history[:, 0])


def test_validation_messages():
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match="'Y' parameter of train_relu"):
        train_relu(X, np.ones((3, 1)), 2)
    with pytest.raises(ValueError, match="'method' parameter of train_relu"):
        train_relu(X, np.ones(4), 2, method="adam")
    with pytest.raises(ValueError, match="fixed supports"):
        train_relu(X, np.ones(4), 2, method="lbfgs", constraints=[topk(2), None])
    with pytest.raises(ValueError, match="constraints"):
        train_relu(X, np.ones(4), 2, constraints=[topk(2)])


def test_diverging_signature():
    h = np.array([[4.0, 2.0, 1.0, 0.5, 0.25], [1.0, 0.5, 0.4, 0.4, 0.4]])
    n = np.array([[1.0, 2.0, 4.0, 8.0, 16.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    assert diverging(h, n).tolist() == [True, False]


# ---------------------------------------------------------------- teacher-student

def test_sparse_teacher_is_identifiable_and_recovered_modulo_symmetries():
    W1 = np.array([[2, 0, -1], [0, 1, 1], [-1, 2, 0]])
    S1, S2 = W1 != 0, np.ones((1, 3), dtype=bool)
    teacher = ReLUNet([W1, [[1, 2, 1]]], supports=[S1, S2])
    rng = np.random.default_rng(0)
    X = rng.integers(-4, 5, size=(80, 3))
    X = X[np.all(X @ W1.T != 0, axis=1)]
    ident = local_identifiability(teacher, X)
    assert ident.identifiable is True and ident.field == "Q"
    Y = teacher(X)
    cons = [support(S1), support(S2)]
    plain = train_relu(X, Y, 3, bias=False, n_iter=300, n_starts=10, rng=0, constraints=cons)
    res = train_relu(X, Y, 3, bias=False, n_iter=300, n_starts=10, rng=0, constraints=cons,
                     restarts=2, polish=True)
    recovered = np.array([bool(equivalent(teacher, res.net(i), tol=1e-4)) for i in range(10)])
    assert recovered.mean() >= 0.6          # measured 1.0 (0.94 over 50 starts, see bench)
    assert np.all(res.objective[recovered] < 1e-8)        # recovered => exact fit
    # the restarts only ever lower the objective, start by start, and keep the supports
    assert np.all(res.objective <= plain.objective * (1 + 1e-12))
    assert np.all(np.diff(res.history, axis=1) <= 1e-10 * res.history[:, :-1])
    assert res.history.shape == (10, plain.history.shape[1] + 3 * 2 + 1)
    assert not np.any(res.weights[0][:, ~S1])


def test_restarts_recover_a_random_sparse_teacher():
    X, Y, teacher = teacher_student(100, 4, 3, rng=0)
    keep = np.all(X @ teacher.weights[0].T != 0, axis=1)   # no kink on a sample
    X, Y = X[keep], Y[keep]
    assert local_identifiability(teacher, X).identifiable is True
    res = train_relu(X, Y, 3, bias=False, n_iter=300, n_starts=10, rng=0, restarts=2,
                     constraints=[support(m) for m in teacher.masks])
    recovered = [bool(equivalent(teacher, res.net(i), tol=1e-4)) for i in range(10)]
    assert np.mean(recovered) >= 0.6        # measured 1.0


def test_restart_redraws_dead_neurons():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    Y = np.maximum(X @ [[1.0], [-1.0]], 0) + np.maximum(X @ [[-1.0], [0.5]], 0)
    W0 = np.array([[[1.0, -1.0], [0.0, 0.0]]])              # second neuron dead (zero)
    init = ([W0, np.array([[[1.0, 1.0]]])], [np.zeros((1, 2)), np.zeros((1, 1))])
    stuck = train_relu(X, Y, 2, bias=False, n_iter=200, init=init)
    assert np.all(stuck.weights[0][0, 1] == 0)               # the gradient cannot revive it
    res = train_relu(X, Y, 2, bias=False, n_iter=200, init=init, restarts=1, rng=0)
    assert res.objective[0] < 1e-3 * stuck.objective[0]


# ---------------------------------------------------------------- C29: flat spurious minimum

def test_c29_flat_spurious_local_minimum():
    inp = ORACLES["C29"]["inputs"]
    (x, y), = inp["data"]
    w, v = inp["point"]["w"], inp["point"]["v"]
    X, Y = np.array([[x]]), np.array([[y]])
    res = train_relu(X, Y, 1, bias=False, n_iter=50,
                     init=([np.array([[[w]]]), np.array([[[v]]])], [np.zeros((1, 1))] * 2))
    loss = 2 * res.objective[0]        # objective is 1/2 ||.||^2
    assert loss == ORACLES["C29"]["expected"]["local_min_value"]
    assert res.converged[0] and res.weights[0][0, 0, 0] == w
    rng = np.random.default_rng(0)
    pts = np.array([w, v]) + 0.1 * rng.uniform(-1, 1, size=(200, 2))
    losses = (pts[:, 1] * np.maximum(pts[:, 0] * x, 0) - y) ** 2
    assert np.all(losses == 1.0)
    glob = train_relu(X, Y, 1, bias=False, n_iter=500, init=([np.array([[[1.0]]]),
                      np.array([[[0.5]]])], [np.zeros((1, 1))] * 2))
    assert glob.objective[0] < 1e-12 == ORACLES["C29"]["expected"]["global_min_value"] + 1e-12


# ---------------------------------------------------------------- convex reference

def test_activation_patterns_exhaustive_in_2d_and_3d():
    X, _ = toy_2d(10)
    P, ex = activation_patterns(X)
    assert ex and len(P) == 2 * 10                    # 10 lines through 0: 20 sectors
    Xb = np.hstack([X, np.ones((10, 1))])
    P3, ex3 = activation_patterns(Xb)
    assert ex3 and len(P3) == 2 * (1 + 9 + 36)      # general position: 2 sum C(n-1, i), i<=2
    U = np.random.default_rng(0).normal(size=(20000, 3))
    sampled = {tuple(r) for r in (Xb @ U.T >= 0).T}
    assert sampled <= {tuple(r) for r in P3}
    _, ex4 = activation_patterns(np.ones((5, 4)), n_samples=10, rng=0)
    assert not ex4


@pytest.mark.parametrize("rows, cells", [
    ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], 8),                       # coordinate planes
    ([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], 14),           # 4 generic planes
    ([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, -1, 0]], 12),          # 3 planes through the z axis
    ([[1, -1, 0], [0, 1, -1], [1, 0, -1], [2, -2, 0]], 6),        # braid: rank 2, duplicates
    ([[i, j, 1] for i in range(-2, 3) for j in range(-2, 3)], None),
])
def test_activation_patterns_count_is_certified_on_degenerate_arrangements(rows, cells):
    X = np.array(rows, dtype=float)
    P, ex = activation_patterns(X)
    assert ex
    if cells is not None:
        assert len(P) == cells
    # every pattern is an open cell: no duplicates, and sampling finds no other one
    assert len({tuple(r) for r in P}) == len(P)
    U = np.random.default_rng(1).normal(size=(20000, 3))
    assert {tuple(r) for r in (X @ U.T > 0).T} <= {tuple(r) for r in P}


def test_convex_reference_recovers_a_network_attaining_the_value():
    X, y = toy_2d(12)
    Xb = np.hstack([X, np.ones((12, 1))])
    ref = convex_reference(Xb, y, beta=0.05)
    assert ref.exhaustive and ref.status == "optimal"
    assert ref.objective == pytest.approx(ref.value, rel=1e-4)
    # no trained network beats the certified global value
    res = train_relu(Xb, y, 8, bias=False, beta=0.05, method="lbfgs", n_iter=300,
                     n_starts=2, rng=0)
    assert res.objective.min() >= ref.value * (1 - 1e-4)
    # the dual certificate: the optimum lies in [lower_bound, objective], a tiny interval
    assert ref.lower_bound <= ref.value + 1e-12 and ref.lower_bound <= ref.objective
    assert ref.objective - ref.lower_bound <= 1e-6 * ref.objective
    assert res.objective.min() >= ref.lower_bound
    assert "dual bound" in repr(ref)
    sampled = convex_reference(Xb, y, beta=0.05, n_patterns=30, rng=0)
    assert not sampled.exhaustive and sampled.lower_bound is None


def test_sample_relu_on_toy_2d_against_convex_value():
    X, y = toy_2d(12)
    prob = ReLUProblem(X, y, width=8, beta=0.05)
    rep = sample_relu(prob, 4, rng=0, n_iter=300)
    assert isinstance(rep, LandscapeReport) and rep.convex.exhaustive
    assert rep.objective.shape == (4,) and set(rep.labels) <= set(CLASSES)
    # the convex value is a certified lower bound: no trained network beats it
    assert np.all(rep.objective >= rep.convex.value * (1 - 1e-4))
    assert rep.reference_kind == "global" and rep.reference == rep.convex.objective
    assert rep.lower_bound == rep.convex.lower_bound <= rep.reference
    assert rep.fraction_within(0.01) >= 1 / 4        # measured 0.5-0.6, see report
    assert rep.fraction_global == rep.fraction_within(0.01)
    g = rep.labels == "global"
    assert np.all(rep.cluster[g] >= 0)
    assert np.all(rep.relative_gap[g] <= 0.01)
    # every start of a cluster carries the cluster's class
    for c in rep.clusters:
        assert set(rep.labels[rep.cluster == c.label]) == {c.kind}
        assert c.value == rep.objective[c.representative]


def test_sample_dispatches_relu_problems_to_the_same_report(tmp_path):
    X, y = toy_2d(10)
    prob = ReLUProblem(X, y, width=1, beta=0.05)
    rep = sample(prob, 4, rng=2, n_iter=200)
    assert isinstance(rep, LandscapeReport) and rep.factors[0].shape == (4, 1, 3)
    # one neuron cannot realise the convex solution: its value is only a lower bound
    assert rep.convex.n_neurons > 1
    assert rep.reference_kind == "best found" and rep.lower_bound == rep.convex.lower_bound
    assert rep.reference >= rep.lower_bound
    assert "not certified" in rep.summary()
    rep.save(tmp_path / "relu")
    back = LandscapeReport.load(tmp_path / "relu")
    assert isinstance(back.problem, ReLUProblem) and back.problem.width == 1
    assert np.array_equal(back.objective, rep.objective) and back.counts() == rep.counts()
    assert back.convex.value == rep.convex.value
    assert back.convex.lower_bound == rep.convex.lower_bound is not None
    assert np.array_equal(back.convex.net.weights[0], rep.convex.net.weights[0])
    with pytest.raises(ValueError, match="'method' parameter of sample"):
        sample(prob, 2, rng=0, method="adam")


def test_relu_report_plot_slices_through_two_minima():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    X, y = toy_2d(10)
    rep = sample_relu(ReLUProblem(X, y, width=2, beta=0.05), 6, rng=0, n_iter=200)
    assert len(rep.minima()) >= 2
    fig = rep.plot(resolution=9)
    assert len(fig.axes) >= 3
    matplotlib.pyplot.close(fig)


def test_sample_relu_on_digits_two_classes():
    X, y = load_digits(classes=(0, 1), n_components=2, n_samples=30, rng=0)
    prob = ReLUProblem(X, y, width=6, beta=0.1, bias=False)
    rep = sample_relu(prob, 4, rng=1)
    assert rep.convex.exhaustive and rep.convex.n_patterns <= 60
    assert np.all(rep.relative_gap >= -1e-4)
    assert 0.0 <= rep.fraction_within(0.01) <= 1.0


def test_saddle_direction_decreases_the_objective():
    X, y = toy_2d(10)
    prob = ReLUProblem(X, y, width=2, beta=0.05)
    # both neurons dead (zero): a saddle of the weight-decay objective when y correlates
    # with some relu(X w)
    W1, W2 = np.zeros((2, 3)), np.zeros((1, 2))
    d = descent_direction(prob, W1, W2, np.random.default_rng(0))
    assert d is not None
    F0 = prob.objective_batch([W1[None], W2[None]])[0]
    assert prob.objective_batch([(W1 + d[0])[None], (W2 + d[1])[None]])[0] < F0


# ---------------------------------------------------------------- pruning and supermasks

def test_magnitude_pruning_reaches_the_sparsity():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    Y = np.maximum(X[:, :2] @ [[1.0], [-1.0]], 0)
    res = magnitude_pruning(X, Y, 6, sparsity=0.75, n_rounds=2, n_iter=80, rng=0)
    assert res.density[-1] == pytest.approx(0.25, abs=0.04)
    assert all(np.array_equal(res.net().supports[l], res.masks[l]) for l in range(2))
    assert np.all(np.isfinite(res.objective))


def test_supermask_keeps_weights_fixed_and_density():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    res = supermask(X, np.abs(X[:, :1]), 16, density=0.25, n_iter=20, rng=0)
    assert [int(m.sum()) for m in res.masks] == [12, 4]
    assert set(np.abs(res.weights[0]).ravel().round(12)) == {round(np.sqrt(2 / 3), 12)}
    assert res.history[-1] < res.history[0]


def test_sample_relu_same_result_on_every_executor():
    pytest.importorskip("joblib")
    X, y = toy_2d(12)
    prob = ReLUProblem(X, y, width=4, beta=0.05)
    ref = convex_reference(prob.design, y, beta=0.05)
    runs = [sample_relu(prob, 5, rng=3, n_iter=50, reference=ref, chunk_size=2, executor=ex)
            for ex in (None, "joblib")]
    assert runs[0].factors[0].shape == (5, 4, 3)
    for a, b in zip(runs[0].factors + (runs[0].objective, runs[0].history),
                    runs[1].factors + (runs[1].objective, runs[1].history)):
        assert np.array_equal(a, b)
    assert np.array_equal(runs[0].labels, runs[1].labels)


def test_sparse_relu_problem_without_optimum_has_diverging_starts(tmp_path):
    # docs/theory.rst C28: LU-type supports, no biases, no weight decay -> inf 0 is not attained
    S1, S2 = np.array([[1, 1], [0, 1]]), np.array([[1, 0], [1, 1]])
    X = np.array([[1.0, 1], [2, 1], [1, 2]])
    prob = ReLUProblem(X, X[:, ::-1], width=2, beta=0, bias=False, supports=[S1, S2])
    rep = sample(prob, 16, rng=0, method="palm", n_iter=3000)
    assert rep.convex is None and rep.reference_kind == "best found"
    assert "no convex reference (vector output)" in rep.reference_note
    assert rep.counts().get("diverging", 0) >= 1
    div = rep.labels == "diverging"
    # the diverging starts went below every start that stopped, norms still growing
    assert rep.objective[div].min() < rep.reference
    assert np.all(rep.norms[div, -1] > rep.norms[div, rep.norms.shape[1] // 2])
    for F, m in zip(rep.factors, prob.supports):         # supports respected
        assert np.all(F[:, ~m] == 0)
    assert "relu_optimum_exists" in rep.explain()
    rep.save(tmp_path / "c28")
    back = LandscapeReport.load(tmp_path / "c28")
    assert all(np.array_equal(a, b) for a, b in zip(back.problem.supports, prob.supports))
    assert back.problem.Y.shape == (3, 2) and back.counts() == rep.counts()


def test_relu_problem_validates_its_inputs():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="'supports\\[0\\]' parameter of ReLUProblem"):
        ReLUProblem(X, np.zeros(3), width=2, beta=0.1, supports=[np.ones((2, 2)), np.ones((1, 2))])
    with pytest.raises(ValueError, match="'supports' parameter of ReLUProblem"):
        ReLUProblem(X, np.zeros(3), width=2, beta=0.1, supports=[np.ones((2, 3))])
    with pytest.raises(ValueError, match="'beta' parameter of ReLUProblem"):
        ReLUProblem(X, np.zeros(3), width=2, beta=-1.0)
    with pytest.raises(ValueError, match="'y' parameter of ReLUProblem"):
        ReLUProblem(X, np.zeros(4), width=2, beta=0.1)
    vec = ReLUProblem(X, np.zeros((3, 2)), width=2, beta=0.1)
    assert vec.Y.shape == (3, 2) and not vec.convex_applies
    ref = convex_reference(np.ones((3, 1)), np.ones(3), beta=0.1)
    with pytest.raises(TypeError, match="'reference' parameter of sample_relu"):
        sample_relu(vec, 2, rng=0, reference=ref)


def test_dual_lower_bound_is_below_every_network_objective():
    # random networks of every width and trained ones never beat the certified bound
    X, y = toy_2d(10)
    Xb = np.hstack([X, np.ones((10, 1))])
    ref = convex_reference(Xb, y, beta=0.1)
    rng = np.random.default_rng(0)
    for width in (1, 3, 12):
        W1 = rng.normal(size=(200, width, 3))
        w2 = rng.normal(size=(200, width))
        F = 0.5 * ((np.maximum(Xb @ np.swapaxes(W1, 1, 2), 0) @ w2[:, :, None])[..., 0] - y) ** 2
        F = F.sum(axis=1) + 0.05 * ((W1 ** 2).sum(axis=(1, 2)) + (w2 ** 2).sum(axis=1))
        assert F.min() >= ref.lower_bound
    # a weaker residual (the zero network) still gives a valid, smaller bound
    P, ex = activation_patterns(Xb)
    assert ex and 0 <= dual_lower_bound(Xb, y, P, 0.1, -y) <= ref.lower_bound
