"""Tests of landscape.relu_existence (THEORY A6, B8; oracle C28)."""

import json
from pathlib import Path

import numpy as np
import pytest

from landscape.relu_existence import lu_sequence, relu_optimum_exists

C28 = json.loads((Path(__file__).parents[1] / "data" / "relu_oracles.json").read_text()
                 )["cases"]["C28"]


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
    res = relu_optimum_exists([S1, S2], X, Y, n_starts=4, n_iter=300)
    assert res.status == "not attained" and C28["expected"]["attained"] is False
    assert res.exact_fit is False and res.n_patterns == 12
    assert res.sequence_losses[:3] == pytest.approx([0.06, 6e-4, 6e-6], rel=1e-9)
    assert res.linear_closed is None


def test_training_on_c28_shows_growing_norms():
    from landscape.projections import support
    from landscape.relu_nets import train_relu
    S1, S2, X, Y = c28()
    res = train_relu(X, Y, 2, bias=False, constraints=[support(S1), support(S2)],
                     n_iter=2000, n_starts=4, rng=0)
    b = res.best
    assert res.history[b, -1] < res.history[b, 100] and res.history[b, -1] > 0
    assert res.norm_history[b, -1] > res.norm_history[b, 100]


def test_scalar_output_always_attained_and_no_data_undecided():
    S1 = np.array([[1, 1], [0, 1]])
    assert relu_optimum_exists([S1, [[1, 1]]]).status == "attained"
    res = relu_optimum_exists([S1, [[1, 0], [1, 1]]])
    assert res.status == "undecided" and "pass X and Y" in res.reason
    assert relu_optimum_exists([np.ones((2, 2)), np.ones((2, 2))]).linear_closed is True


def test_exact_fit_possible_is_not_refuted():
    S1, S2, X, _ = c28()
    Y = np.maximum(X @ np.array([[1, 1], [0, 1]]).T, 0) @ np.array([[1, 0], [1, 1]]).T
    res = relu_optimum_exists([S1, S2], X, Y, n_starts=4, n_iter=300)
    assert res.exact_fit is None and res.status != "not attained"


def test_validation():
    with pytest.raises(ValueError, match="'supports' parameter of relu_optimum_exists"):
        relu_optimum_exists([np.ones((2, 2))])
    with pytest.raises(ValueError, match="'supports\\[1\\]'"):
        relu_optimum_exists([np.ones((2, 2)), np.ones((3, 3))])
