"""Tests of landscape.sampling (the generic sample and the problem protocol) and of the
report side of the protocol (landscape.report: registry, public constraint encoding, short
reprs, the one divergence detector)."""

import json
import warnings

import numpy as np
import pytest

import landscape
from landscape import LandscapeReport, Minimum, Problem, sample
from landscape.divergence import diverging
from landscape.engine.projections import compose, support, topk_cols, unit_norm
from landscape.report import decode_constraint, encode_constraint, problem_class, register_problem

A = np.array([[3., 1, 5], [1, 3, 7], [2, 4, 6]])
I = np.array([[1, 0], [1, 0], [0, 1]], bool)
L = np.array([[1, 0], [1, 1]], bool)


def test_sample_is_one_function_under_every_path():
    import landscape.critical_points
    import landscape.linear

    assert landscape.sample is landscape.critical_points.sample is landscape.linear.sample
    assert landscape.Minimum is landscape.critical_points.Minimum is landscape.report.Minimum
    assert landscape.critical_points.Problem is landscape.linear.Problem


class _Toy:
    """The smallest problem following the protocol: records what sample hands over."""

    kind = "toy-for-tests"
    methods = ("a", "b")

    def __init__(self):
        self.calls = []

    def sample_landscape(self, n_starts, **kw):
        self.calls.append((n_starts, kw))
        return "report"


def test_sample_dispatches_through_the_protocol():
    toy = _Toy()
    assert sample(toy, 3, rng=1, method="b", chunk_size=2, n_iter=7, extra=5) == "report"
    n, kw = toy.calls[0]
    assert n == 3 and kw["method"] == "b" and kw["n_iter"] == 7 and kw["extra"] == 5
    assert kw["rng"] == 1 and kw["chunk_size"] == 2 and kw["executor"] is None
    with pytest.raises(ValueError, match="'method' parameter of sample"):
        sample(toy, 3, method="c")
    with pytest.raises(TypeError, match="'problem' parameter of sample"):
        sample(object(), 3)
    with pytest.raises(ValueError, match="'n_starts' parameter of sample"):
        sample(toy, 0)


def test_old_keywords_keep_working_with_a_warning():
    p = Problem(A, supports=[I, I.T])
    new = sample(p, 3, rng=0, method="palm", n_iter=300)
    with pytest.warns(DeprecationWarning, match="'algorithm' is now called 'method'"):
        old = sample(p, 3, rng=0, algorithm="palm", n_iter=300)
    with pytest.warns(DeprecationWarning, match="'max_iter' is now called 'n_iter'"):
        sample(p, 3, rng=0, max_iter=300)
    assert np.array_equal(old.objective, new.objective)
    assert new.settings["n_iter"] == 300


def test_unknown_option_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="palm_sweeps"):
        sample(Problem(A, supports=[I, I.T]), 2, rng=0, palm_sweeps=3)


def test_linear_problem_follows_the_report_protocol():
    p = Problem(A, supports=[I, I.T])
    assert p.kind == "linear" and problem_class("linear") is Problem
    assert set(p.describe()) == {"same", "existence"}
    meta, arrays = p.to_state()
    json.dumps(meta)
    back = Problem.from_state(meta, arrays)
    assert back.fingerprint() == p.fingerprint()
    S = (np.random.default_rng(0).standard_normal((5, 3, 2)) * I,
         np.random.default_rng(1).standard_normal((5, 2, 3)) * I.T)
    theta = p.flat(S)
    assert theta.shape == (5, 6)
    assert all(np.array_equal(F, G) for F, G in zip(p.unflat(theta), S))
    assert np.allclose(p.objective_batch(S), np.sum((A - S[0] @ S[1]) ** 2, axis=(1, 2)))


def test_register_problem_refuses_a_taken_kind_and_a_class_without_from_state():
    with pytest.raises(TypeError, match="'cls' parameter of register_problem"):
        register_problem("nothing", object)

    class Other:
        @classmethod
        def from_state(cls, meta, arrays):
            return cls()

    with pytest.raises(ValueError, match="'kind' parameter of register_problem"):
        register_problem("linear", Other)
    with pytest.raises(ValueError, match="one of"):
        problem_class("no such kind")


def test_regression_report_saves_constraints_by_a_public_encoding(tmp_path):
    """The report saved constraints by the names of private classes (_TopK, _Support...)."""
    cons = [compose(topk_cols(2), unit_norm()), support(np.ones((3, 3), bool))]
    rep = sample(Problem(np.eye(3), constraints=cons), 2, rng=0, n_iter=50, segment=25)
    rep.save(tmp_path / "run")
    text = (tmp_path / "run.json").read_text()
    assert "_TopK" not in text and "_Support" not in text and "_Compose" not in text
    back = LandscapeReport.load(tmp_path / "run")
    assert repr(back.problem.constraints) == repr(rep.problem.constraints)
    masks = []
    enc = encode_constraint(cons[0], masks)
    assert enc == {"mode": "compose", "parts": [{"mode": "topk_cols", "k": 2},
                                                {"mode": "unit_norm", "inner": None}]}
    assert repr(decode_constraint(enc, masks)) == repr(cons[0])
    with pytest.raises(TypeError, match="'c' parameter of encode_constraint"):
        encode_constraint("topk(2)", [])


def test_regression_report_has_no_isinstance_on_problem_types():
    import inspect

    import landscape.report as report
    import landscape.sampling as sampling

    for mod in (report, sampling):
        src = inspect.getsource(mod)
        assert "isinstance(self.problem" not in src and "isinstance(problem" not in src
        assert "ReLUProblem(" not in src and "from .linear" not in src


def test_regression_linear_report_uses_the_one_divergence_detector():
    """Linear sampling had its own _diverging; the report must agree with the one detector."""
    rep = sample(Problem(np.array([[0., 1], [1, 0]]), supports=[L, L.T]), 4, rng=3,
                 n_iter=2000, segment=200)
    converged = rep.stationarity <= rep.settings["stat_tol"]
    assert np.array_equal(rep.labels == "diverging",
                          diverging(rep.history, rep.norms, converged=converged))
    assert set(rep.labels) == {"diverging"}


def test_reprs_are_short_and_html_is_a_table():
    rep = sample(Problem(A, supports=[I, I.T]), 8, rng=0)
    text = repr(rep)
    assert len(text) < 300 and "array" not in text and "LandscapeReport(" in text
    assert all(len(repr(c)) < 200 for c in rep.clusters)
    html = rep._repr_html_()
    assert html.count("<table>") == 1 and "global" in html and "<tr>" in html
    m = Minimum(0, "saddle", 1.5, 2, 0.25, 0, 1, -1.0,
                (np.zeros((200, 5)), np.zeros((5, 200))), "negative curvature")
    assert len(repr(m)) < 200 and "cluster 0: saddle" in m.explain()


def test_relu_problem_sampled_and_saved_through_the_protocol(tmp_path):
    from landscape import ReLUProblem

    X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    prob = ReLUProblem(X, np.array([1.0, 0.0, 1.0, 2.0]), width=2, beta=1e-2)
    assert prob.kind == "relu" and problem_class("relu") is ReLUProblem
    rep = sample(prob, 2, rng=0, n_iter=50)
    rep.save(tmp_path / "relu")
    back = LandscapeReport.load(tmp_path / "relu")
    assert np.array_equal(back.objective, rep.objective)
    assert back.problem.width == 2 and back.convex.value == rep.convex.value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match="'method' parameter of sample"):
            sample(prob, 2, rng=0, algorithm="adam")
