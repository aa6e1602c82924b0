"""Tests of landscape.relu.existence (docs/theory.rst A6, B8; oracle C28)."""

import dataclasses
import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identifiability.core import find_msolve, solve_system, to_exact
from identifiability.relu import ReLUNet
from landscape.relu import existence
from landscape.relu.arrangements import open_cells
from landscape.relu.existence import (
    Components,
    ExactFit,
    NoExactFit,
    lu_sequence,
    relu_optimum_exists,
)

C28 = json.loads((Path(__file__).parents[1] / "data" / "relu_oracles.json").read_text()
                 )["cases"]["C28"]
LU = np.array([[1, 1], [0, 1]]), np.array([[1, 0], [1, 1]])


def c28():
    inp = C28["inputs"]
    X = np.array(inp["X_data"])
    Y = X @ np.array(inp["target_map"]).T
    return np.array(inp["W1_support"]), np.array(inp["W2_support"]), X, Y


def test_c28_sequence_losses():
    _, _, X, Y = c28()
    for eps, expected in C28["expected"]["losses_at_eps"].items():
        net = lu_sequence(float(eps))
        assert ((net(X) - Y) ** 2).sum() == pytest.approx(expected, rel=1e-9)
    assert 6 * 0.1 ** 2 == pytest.approx(C28["expected"]["losses_at_eps"]["0.1"])


def test_c28_no_optimum_certified():
    S1, S2, X, Y = c28()
    res = relu_optimum_exists([S1, S2], X, Y, n_starts=4, n_iter=300, rng=0)
    assert res.status == "not attained" and C28["expected"]["attained"] is False
    assert res.exact_fit is False and res.n_patterns == 12 and res.patterns_exact is True
    assert res.sequence_losses[:3] == pytest.approx([0.06, 6e-4, 6e-6], rel=1e-9)
    assert res.linear_closed is None
    assert isinstance(res.certificate, NoExactFit) and res.certificate.n_combinations == 12
    assert res.components.kinds == ("open",)
    assert res.verify()
    assert "Groebner basis [1]" in res.explain()


def test_tampered_c28_certificate_fails():
    S1, S2, X, Y = c28()
    res = relu_optimum_exists([S1, S2], X, Y, n_starts=2, n_iter=100, rng=0)
    cert = res.certificate
    slow = tuple(lu_sequence(e ** 0.01) for e in cert.eps)      # losses do not go to 0
    bad = dataclasses.replace(res, certificate=dataclasses.replace(cert, nets=slow))
    assert not bad.verify()
    fewer = dataclasses.replace(cert, patterns=(cert.patterns[0][:3], cert.patterns[1]))
    assert not dataclasses.replace(res, certificate=fewer).verify()
    # the engine's answers: swapped between two systems, claimed non-empty, or missing
    k, l = [i for i, sol in enumerate(cert.systems) if sol is not None]
    swapped = list(cert.systems)
    swapped[k], swapped[l] = swapped[l], swapped[k]
    finite = list(cert.systems)
    finite[k] = dataclasses.replace(finite[k], status="finite")
    for systems in (swapped, finite, cert.systems[:-1], [None] * len(cert.systems)):
        bad = dataclasses.replace(cert, systems=tuple(systems))
        assert not dataclasses.replace(res, certificate=bad).verify()


def test_c28_engine_agrees_with_sympy_groebner():
    # every C28 pattern combination: solve_system's answer (msolve when present) is "empty"
    # exactly when sympy's Groebner basis of the same fit system is [1]
    S1, S2, X, Y = c28()
    res = relu_optimum_exists([S1, S2], X, Y, n_starts=2, n_iter=100, rng=0)
    cert = res.certificate
    assert len(cert.systems) == 12 and sum(sol is not None for sol in cert.systems) == 2
    engine = "msolve" if find_msolve() is not None else "sympy"
    Xe, Ye = to_exact(X), to_exact(Y)
    for combination, stored in zip(itertools.product(*cert.patterns), cert.systems):
        names, polys = existence._fit_system(S1.astype(bool), S2.astype(bool), Xe, Ye,
                                             combination)
        sol = solve_system(polys, names, real=False)
        symbols = sympy.symbols(names)
        exprs = [sum(sympy.Rational(c.numerator, c.denominator)
                     * sympy.Mul(*[x ** a for x, a in zip(symbols, e)]) for e, c in f.items())
                 for f in polys]
        assert list(sympy.groebner(exprs, *symbols, order="grevlex").exprs) == [1]
        assert sol.status == "empty" and sol.engine == engine
        if stored is not None:
            assert stored.engine == engine and stored.variables == tuple(names)
            assert [dict(q) for q in stored.polynomials] == polys
    assert f"2 by {engine}" in res.explain()


def test_wrong_engine_answer_fails_verify(monkeypatch):
    # one data point (1, 1): an exact fit exists (W1 = [[0, 1], [0, 0]], W2 = [[1, 0], [1, 0]])
    # and the LU sequence's loss eps^2 decreases to 0. An engine that wrongly says "empty"
    # (and no exact-fit search) yields a forged "not attained" that verify() must reject.
    S1, S2 = LU
    X = np.array([[1, 1]])
    honest = relu_optimum_exists([S1, S2], X, X[:, ::-1], n_starts=2, n_iter=100, rng=0)
    assert honest.status == "attained" and honest.verify()
    real = existence.solve_system

    def liar(polys, names, **kwargs):
        sol = real(polys, names, **kwargs)
        if kwargs.get("engine", "auto") == "sympy":
            return sol
        return dataclasses.replace(sol, status="empty", dimension=-1, n_solutions=0)

    monkeypatch.setattr(existence, "solve_system", liar)
    monkeypatch.setattr(existence, "_exact_fit", lambda *args: None)
    forged = relu_optimum_exists([S1, S2], X, X[:, ::-1], n_starts=2, n_iter=50, rng=0)
    monkeypatch.undo()
    assert forged.status == "not attained" and forged.n_patterns == 4
    assert not forged.verify()


def test_engine_timeout_leaves_undecided(monkeypatch):
    S1, S2, X, Y = c28()
    real = existence.solve_system
    monkeypatch.setattr(existence, "solve_system", lambda *a, **k: dataclasses.replace(
        real(*a, **k), status="timeout", dimension=None, message="time limit"))
    res = relu_optimum_exists([S1, S2], X, Y, n_starts=2, n_iter=50, rng=0)
    assert res.status == "undecided" and res.exact_fit is None and res.certificate is None
    assert "did not decide a fit system" in res.reason and "timeout" in res.reason


def test_training_on_c28_shows_growing_norms():
    from landscape.engine.projections import support
    from landscape.relu import train_relu
    S1, S2, X, Y = c28()
    res = train_relu(X, Y, 2, bias=False, constraints=[support(S1), support(S2)],
                     n_iter=2000, n_starts=4, rng=0)
    b = res.best
    assert res.history[b, -1] < res.history[b, 100] and res.history[b, -1] > 0
    assert res.norm_history[b, -1] > res.norm_history[b, 100]


def test_scalar_output_attained_for_any_data():
    S1 = np.array([[1, 1], [0, 1]])
    res = relu_optimum_exists([S1, [[1, 1]]])
    assert res.status == "attained" and res.components.kinds == ("scalar output",)
    assert isinstance(res.certificate, Components) and res.verify()
    X = np.random.default_rng(0).normal(size=(5, 2))                  # inexact data
    res = relu_optimum_exists([S1, [[1, 1]]], X, X[:, :1] ** 2, biases=True, rng=0)
    assert res.status == "attained" and res.best_loss is None and res.verify()
    assert res.components.neurons == ((0, 1, 2),)                       # + output-bias neuron


def test_disjoint_outputs_attained_data_free():
    res = relu_optimum_exists([np.ones((2, 3)), np.eye(2)])
    assert res.status == "attained" and res.verify()
    assert res.certificate.kinds == ("single neuron", "single neuron")
    assert res.certificate.outputs == ((0,), (1,))
    # a neuron with no input is dropped; every neuron with one input: union of subspaces
    res = relu_optimum_exists([[[1, 0, 0], [0, 0, 1], [0, 0, 0]], np.ones((2, 3))])
    assert res.status == "attained" and res.components.dropped == (2,)
    assert res.components.kinds == ("one input per neuron",) and res.verify()


def test_mixing_component_without_data_undecided():
    res = relu_optimum_exists(list(LU))
    assert res.status == "undecided" and "pass X and Y" in res.reason
    assert res.components.kinds == ("open",) and res.certificate is None
    assert res.verify()                                                  # claims nothing
    assert relu_optimum_exists([np.ones((2, 2)), np.ones((2, 2))]).linear_closed is True


def test_inexact_data_undecided():
    S1, S2, X, _ = c28()
    res = relu_optimum_exists([S1, S2], X * 0.1, X[:, ::-1] * 0.1, n_starts=2, n_iter=50,
                              rng=0)
    assert res.status == "undecided" and "not exact" in res.reason and res.exact_fit is None


def _assert_exact_fit(res, X, Y):
    assert res.status == "attained" and res.exact_fit is True and res.verify()
    net = res.certificate.net
    assert isinstance(res.certificate, ExactFit) and net.is_exact
    out = net(np.array(X, dtype=object) + Fraction(0))                  # exact evaluation
    assert all(a == b for a, b in zip(out.flat, np.asarray(Y).flat))


def test_exact_fit_of_sparse_teacher():
    S1 = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])
    S2 = np.array([[1, 1, 0], [0, 1, 1]])
    teacher = ReLUNet([[[1, -2, 0], [0, 1, 1], [2, 0, -1]], [[1, -1, 0], [0, 2, 1]]],
                      supports=[S1, S2])
    X = np.random.default_rng(1).integers(-3, 4, size=(8, 3))
    Y = teacher(X).astype(int)
    res = relu_optimum_exists([S1, S2], X, Y, n_starts=4, n_iter=300, rng=0)
    _assert_exact_fit(res, X, Y)
    wrong = ReLUNet([W * 2 for W in res.certificate.net.weights], supports=[S1, S2])
    bad = dataclasses.replace(res, certificate=ExactFit(wrong, res.certificate.outputs))
    assert not bad.verify()


def test_exact_fit_c28_architecture_and_biases():
    S1, S2, X, _ = c28()
    Y = np.maximum(X @ np.array([[1, 1], [0, 1]]).T, 0) @ np.array([[1, 0], [1, 1]]).T
    _assert_exact_fit(relu_optimum_exists([S1, S2], X, Y, n_starts=4, n_iter=300, rng=0), X, Y)
    teacher = ReLUNet([[[1, -1], [0, 1]], [[1, 0], [2, -1]]], [[0, -1], [3, 0]],
                      supports=[S1, S2])
    Xb = np.array([[1, 1], [2, 1], [1, 2], [3, -1], [0, 2]])
    Yb = teacher(Xb).astype(int)
    res = relu_optimum_exists([S1, S2], Xb, Yb, biases=([1, 1], [1, 0]), n_starts=4,
                              n_iter=300, rng=0)
    _assert_exact_fit(res, Xb, Yb)
    net = res.certificate.net
    assert net.biases is not None and net.biases[1][1] == 0             # b2 mask respected


def test_bias_reduction_shapes():
    S1, S2 = LU
    full = relu_optimum_exists([S1, S2], biases=True).problem
    assert full.R1.shape == (4, 3) and full.R2.shape == (2, 4)          # one bias neuron per output
    assert full.R1[2:].tolist() == [[False, False, True]] * 2            # bias neurons: ones only
    assert full.R2[:, 2:].tolist() == [[True, False], [False, True]]
    # S2 = I with output biases: each output keeps its own component (scalar output)
    diag = relu_optimum_exists([np.ones((2, 2)), np.eye(2)], biases=True)
    assert diag.status == "attained" and diag.verify()
    hidden = relu_optimum_exists([S1, S2], biases=([0, 1], [0, 0])).problem
    assert hidden.R1.tolist() == [[1, 1, 0], [0, 1, 1]] and hidden.R2.shape == (2, 2)
    out = relu_optimum_exists([S1, S2], biases=([0, 0], [0, 1])).problem
    assert out.R1.shape == (3, 3) and out.R2[:, 2].tolist() == [False, True]
    assert relu_optimum_exists([S1, S2], biases=([0, 0], [0, 0])).problem.R1.shape == (2, 2)


def test_c28_with_hidden_bias_still_not_attained():
    # By hand: output 1 is p relu(a x1 + b x2 + c) = x2 > 0 on the three affinely
    # independent points, so the neuron is active and p (a, b, c) = (0, 1, 0); output 2 then
    # depends on x2 only, while x1 differs on (1,1), (2,1): no exact fit. The LU sequence
    # (zero bias) still drives the loss to 0.
    S1, S2, X, Y = c28()
    res = relu_optimum_exists([S1, S2], X, Y, biases=([1, 0], [0, 0]), n_starts=2,
                              n_iter=100, rng=0)
    assert res.status == "not attained" and res.exact_fit is False
    assert res.n_patterns == 16 and res.verify()                        # 8 cells x 2


def test_more_than_three_inputs_and_custom_sequence():
    S1, S2, X, Y = c28()
    X4 = np.column_stack([X, X[:, 0] + X[:, 1], X[:, 0] - X[:, 1]])

    def seq(eps):          # the LU sequence, ignoring the extra inputs
        return ReLUNet([[[eps, 1, 0, 0], [0, 1 / eps, 0, 0]], [[1, 0], [1 / eps, -1]]],
                       supports=[[[1, 1, 1, 1], [0, 1, 0, 0]], S2])

    res = relu_optimum_exists([[[1, 1, 1, 1], [0, 1, 0, 0]], S2], X4, Y, sequence=seq,
                              n_starts=2, n_iter=100, rng=0)
    assert res.status == "not attained" and res.patterns_exact is True
    assert res.n_patterns == 12 and res.verify()                        # rank-2 data: 6 cells
    with pytest.raises(TypeError, match="'sequence' parameter"):
        relu_optimum_exists([S1, S2], X, Y, sequence=lambda e: lu_sequence(e).weights)


def test_sign_cells_general_position_count():
    A = np.array([[2, -3, -2, -2], [-2, 2, 3, 1], [-3, -3, -1, 0], [1, 0, -2, -2],
                  [1, 2, -3, -3], [0, -1, 3, 0]])                      # every 4x4 minor != 0
    P, exact = open_cells(A.astype(object) + Fraction(0), limit=10 ** 4, method="incremental")
    # central arrangement of 6 generic hyperplanes in R^4: 2 * sum_{i<4} C(5, i) cells
    assert exact and len(P) == 2 * (1 + 5 + 10 + 10) == len(np.unique(P, axis=0))
    U = np.random.default_rng(0).normal(size=(20000, 4))
    assert set(map(tuple, (A @ U.T > 0).T)) <= set(map(tuple, P))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2 ** 32 - 1), st.booleans())
def test_property_certificates_verify_and_teachers_never_not_attained(seed, teacher):
    rng = np.random.default_rng(seed)
    h, d, o, n = rng.integers(2, 4), 2, 2, int(rng.integers(3, 5))
    S1 = rng.random((h, d)) < 0.7
    S2 = rng.random((o, h)) < 0.7
    X = rng.integers(-2, 3, size=(n, d))
    if teacher:
        Y = ReLUNet([rng.integers(-2, 3, (h, d)) * S1, rng.integers(-2, 3, (o, h)) * S2])(X)
        Y = Y.astype(int)
    else:
        Y = rng.integers(-2, 3, size=(n, o))
    res = relu_optimum_exists([S1, S2], X, Y, n_starts=2, n_iter=100, rng=seed)
    assert res.verify()
    if teacher:
        assert res.status != "not attained"
    if res.status == "not attained":
        assert res.exact_fit is False
    if res.exact_fit:
        assert res.status == "attained"


def test_validation():
    S1, S2, X, Y = c28()
    with pytest.raises(ValueError, match="'supports' parameter of relu_optimum_exists"):
        relu_optimum_exists([np.ones((2, 2))])
    with pytest.raises(ValueError, match="'supports\\[1\\]'"):
        relu_optimum_exists([np.ones((2, 2)), np.ones((3, 3))])
    with pytest.raises(ValueError, match="'supports\\[0\\]'"):
        relu_optimum_exists([[[1, 2]], np.ones((2, 1))])
    with pytest.raises(ValueError, match="'X'"):
        relu_optimum_exists([S1, S2], np.array([[1.0, np.nan]] * 3), Y)
    with pytest.raises(TypeError, match="'X'"):
        relu_optimum_exists([S1, S2], X + 1j, Y)
    with pytest.raises(ValueError, match="'X'"):
        relu_optimum_exists([S1, S2], X[:, :1], Y)
    with pytest.raises(ValueError, match="'Y'"):
        relu_optimum_exists([S1, S2], X, Y[:2])
    with pytest.raises(ValueError, match="'Y'"):
        relu_optimum_exists([S1, S2], X)
    with pytest.raises(ValueError, match="'biases\\[0\\]'"):
        relu_optimum_exists([S1, S2], biases=([1, 1, 1], [1, 1]))
    with pytest.raises(ValueError, match="'biases\\[1\\]'"):
        relu_optimum_exists([S1, S2], biases=([1, 1], [1]))
    with pytest.raises(TypeError, match="'biases'"):
        relu_optimum_exists([S1, S2], biases="all")
    with pytest.raises(TypeError, match="'n_starts'"):
        relu_optimum_exists([S1, S2], X, Y, n_starts=1.5)
