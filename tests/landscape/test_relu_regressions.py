"""Regression tests of landscape.relu (named after the bug they pin), the problem protocol
of ReLUProblem, the renamed keywords and the short reprs."""

import warnings

import numpy as np
import pytest

from landscape import divergence, sample
from landscape.relu import (
    ReLUProblem,
    activation_patterns,
    convex_reference,
    magnitude_pruning,
    open_cells,
    relu_optimum_exists,
    supermask,
    train_relu,
)
from landscape.report import LandscapeReport, problem_class


def _teacher_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(32, 3))
    W1, W2 = rng.normal(size=(4, 3)), rng.normal(size=(1, 4))
    Y = np.maximum(X @ W1.T, 0) @ W2.T
    init = ([np.stack([W1 + 1e-3 * rng.normal(size=W1.shape), rng.normal(size=W1.shape)]),
             np.stack([W2, rng.normal(size=W2.shape)])], [np.zeros((2, 4)), np.zeros((2, 1))])
    return X, Y, init


def test_regression_sgd_freezes_converged_starts():
    # start 0 begins next to the teacher and meets the stopping rule after a few epochs;
    # start 1 needs longer. A stopped start is frozen: it reports the epoch it stopped at and
    # its weights are those it had then, however long the other start runs.
    X, Y, init = _teacher_data()
    opts = dict(method="sgd", step=0.01 / 32, stop_tol=0.015, bias=False, rng=0)
    res = train_relu(X, Y, 4, n_iter=200, init=init, **opts)
    assert res.converged.all()
    stop = int(res.n_iter[0])
    assert stop < int(res.n_iter[1]) < 200
    assert np.all(res.history[0, stop - 1:] == res.history[0, stop - 1])
    short = train_relu(X, Y, 4, n_iter=stop, init=init, **opts)
    assert short.converged[0] and short.n_iter[0] == stop
    for W_long, W_short in zip(res.weights, short.weights):
        assert np.array_equal(W_long[0], W_short[0])


def _c28_problem():
    S1, S2 = np.array([[1, 1], [0, 1]]), np.array([[1, 0], [1, 1]])
    X = np.array([[1.0, 1], [2, 1], [1, 2]])
    return ReLUProblem(X, X[:, ::-1], width=2, beta=0, bias=False, supports=[S1, S2])


def test_regression_trainresult_and_report_agree_on_divergence():
    # docs/theory.rst C28: no optimum, PALM starts diverge slowly (balanced norm +~10 % over the
    # second half). TrainResult used growth 2.0 and the report 1.05: one run was "not
    # diverging" in its TrainResult and "diverging" in its report.
    prob = _c28_problem()
    opts = dict(rng=0, method="palm", n_iter=3000, chunk_size=16)
    train = prob.train(16, **opts)
    rep = prob.sample_landscape(16, **opts)
    assert train.diverging.any()
    # the old ReLU detector (growth 2.0 over the second half) missed them
    half = train.norm_history.shape[1] // 2
    assert np.all(train.norm_history[train.diverging, -1]
                  < 2.0 * train.norm_history[train.diverging, half])
    assert np.array_equal(rep.labels == "diverging", train.diverging)
    assert np.array_equal(train.diverging, divergence.diverging(
        train.history, train.norm_history, converged=train.converged))


def test_relu_problem_follows_the_report_protocol(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.uniform(-1, 1, size=(8, 2)), rng.normal(size=8)
    prob = ReLUProblem(X, y, width=2, beta=0.05)
    assert problem_class("relu") is ReLUProblem and prob.kind == "relu"
    assert set(prob.describe()) == {"same", "existence"}
    meta, arrays = prob.to_state()
    assert ReLUProblem.from_state(meta, arrays).fingerprint() == prob.fingerprint()
    W = [rng.normal(size=(3, 2, 3)), rng.normal(size=(3, 1, 2))]
    theta = prob.flat(W)
    assert theta.shape == (3, 8)
    assert all(np.array_equal(a, b) for a, b in zip(prob.unflat(theta), W))
    with pytest.raises(TypeError, match="segment"):
        prob.sample_landscape(2, rng=0, segment=10)
    with pytest.raises(TypeError, match="segment"):
        sample(prob, 2, rng=0, segment=10)
    rep = sample(prob, 3, rng=0, n_iter=50, value_tol=0.05, eq_tol=0.05)
    assert rep.settings["rtol"] == 0.05 and rep.settings["cluster_tol"] == 0.05
    rep.save(tmp_path / "r")
    back = LandscapeReport.load(tmp_path / "r")
    assert back.convex.lower_bound == rep.convex.lower_bound
    assert np.array_equal(back.problem.X, prob.X)


def test_renamed_keywords_still_work_with_a_warning():
    X = np.random.default_rng(0).normal(size=(10, 2))
    Y = np.abs(X[:, :1])
    new = train_relu(X, Y, 2, beta=0.1, stop_tol=1e-4, n_iter=20, rng=0)
    with pytest.warns(DeprecationWarning, match="beta"):
        old = train_relu(X, Y, 2, weight_decay=0.1, stop_tol=1e-4, n_iter=20, rng=0)
    assert np.array_equal(new.objective, old.objective)
    with pytest.warns(DeprecationWarning, match="stop_tol"):
        train_relu(X, Y, 2, tol=1e-4, n_iter=5, rng=0)
    with pytest.warns(DeprecationWarning, match="beta"):
        magnitude_pruning(X, Y, 2, n_rounds=1, n_iter=5, weight_decay=0.1, rng=0)
    with pytest.raises(TypeError, match="both"):
        train_relu(X, Y, 2, beta=0.1, weight_decay=0.1)


def test_reprs_are_short_summaries():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    Y = np.abs(X[:, :1])
    objs = [train_relu(X, Y, 30, n_iter=3, n_starts=5, rng=0),
            magnitude_pruning(X, Y, 30, n_rounds=1, n_iter=3, rng=0),
            supermask(X, Y, 30, n_iter=2, rng=0),
            convex_reference(X[:20], Y[:20, 0], beta=0.1),
            ReLUProblem(X, Y[:, 0], width=30, beta=0.1)]
    S1, S2 = np.array([[1, 1], [0, 1]]), np.array([[1, 0], [1, 1]])
    Xc = np.array([[1, 1], [2, 1], [1, 2]])
    ex = relu_optimum_exists([S1, S2], Xc, Xc[:, ::-1], n_starts=2, n_iter=100, rng=0)
    objs += [ex, ex.certificate, ex.components]
    for obj in objs:
        text = repr(obj)
        assert len(text) < 300 and "\n" not in text and "array(" not in text, text
    assert "dual bound" in repr(objs[3]) and "TrainResult" in repr(objs[0])


def test_inexact_data_follow_the_exactness_policy():
    # inexact floats: an "undecided" answer with its reason, flagged exact=False (no error)
    S1, S2 = np.array([[1, 1], [0, 1]]), np.array([[1, 0], [1, 1]])
    X = np.array([[1, 1], [2, 1], [1, 2]]) * 0.1
    res = relu_optimum_exists([S1, S2], X, X[:, ::-1], n_starts=2, n_iter=50, rng=0)
    assert res.status == "undecided" and res.exact is False and "not exact" in res.reason
    exact = relu_optimum_exists([S1, S2], X * 10, X[:, ::-1] * 10, n_starts=2, n_iter=50,
                                rng=0)
    assert exact.exact is True and exact.status == "not attained"


@pytest.mark.parametrize("rows", [
    [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]],
    [[1, -1, 0], [0, 1, -1], [1, 0, -1], [2, -2, 0]],
    [[i, j, 1] for i in range(-1, 2) for j in range(-1, 2)],
])
def test_one_arrangement_enumeration_two_methods_agree(rows):
    A = np.array(rows)
    sweep, ex1 = open_cells(A, method="sweep")
    inc, ex2 = open_cells(A, method="incremental")
    assert ex1 and ex2
    assert {tuple(r) for r in sweep} == {tuple(r) for r in inc}
    # activation patterns are the same cells (>= 0 instead of > 0 on the hyperplanes)
    P, exhaustive = activation_patterns(A.astype(float))
    assert exhaustive and len(P) == len(sweep)
