"""Tests of identifiability.relu: symmetries (C27, C30), path-lifting (C34), local identifiability."""

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifiability.relu import (
    ReLUNet,
    balance,
    canonical_form,
    equivalent,
    local_identifiability,
    output_jacobian,
    path_lifting,
    path_lifting_jacobian,
    transform,
)

ORACLES = json.loads((Path(__file__).parents[1] / "data" / "relu_oracles.json").read_text())["cases"]


def c27():
    inp = ORACLES["C27"]["inputs"]
    net = ReLUNet([inp["W1"], inp["W2"]], [inp["b1"], inp["b2"]])
    return net, inp


# ---------------------------------------------------------------- the network type

def test_forward_matches_formula_and_shapes():
    net, inp = c27()
    X = np.array(inp["x"], dtype=float)
    W1, b1, W2, b2 = (np.array(inp[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    expected = np.maximum(X @ W1.T + b1, 0) @ W2.T + b2
    np.testing.assert_allclose(net(X), expected, rtol=0, atol=1e-15)
    assert net.forward(X[0]).shape == (1,)
    assert net.widths == (2, 3, 1) and net.depth == 2 and net.n_params == 13


def test_immutable_and_validated():
    net, _ = c27()
    with pytest.raises(ValueError):
        net.weights[0][0, 0] = 5.0
    with pytest.raises(AttributeError):
        net.weights = ()
    with pytest.raises(ValueError, match="'weights\\[1\\]' parameter of ReLUNet"):
        ReLUNet([np.ones((3, 2)), np.ones((1, 2))])
    with pytest.raises(ValueError, match="zero outside supports"):
        ReLUNet([np.ones((2, 2))], supports=[np.eye(2, dtype=bool)])
    with pytest.raises(ValueError, match="finite"):
        ReLUNet([[[np.nan]]])
    with pytest.raises(TypeError, match="'X' parameter"):
        net.forward([[1j, 0]])
    with pytest.raises(ValueError, match="2 columns"):
        net.forward(np.ones((3, 5)))


def test_params_round_trip_with_supports():
    S = np.array([[1, 1], [0, 1]], dtype=bool)
    net = ReLUNet([np.array([[1., 2.], [0., 3.]]), np.array([[4., 5.]])], [[1., 2.], [3.]],
                  [S, np.ones((1, 2), dtype=bool)])
    theta = net.params()
    assert theta.tolist() == [1, 2, 3, 1, 2, 4, 5, 3]
    assert net.with_params(theta * 2).params().tolist() == (theta * 2).tolist()


# ---------------------------------------------------------------- C27: symmetries

def test_c27_positive_rescaling_keeps_outputs_and_sign_flip_changes_them():
    net, inp = c27()
    lam = np.array(inp["lam"])
    X = np.array(inp["x"], dtype=float)
    scaled = transform(net, [np.arange(3)], [lam])
    np.testing.assert_allclose(scaled(X), net(X), rtol=1e-14)
    W1, b1, W2, b2 = (np.array(inp[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    flipped = ReLUNet([W1 * -lam[:, None], W2 / -lam[None, :]], [b1 * -lam, b2])
    assert ORACLES["C27"]["expected"]["negative_scaling_changes_function"]
    assert not np.allclose(flipped(X), net(X))
    res = equivalent(net, scaled, tol=1e-12)
    assert res
    np.testing.assert_allclose(res.apply(net).weights[0], scaled.weights[0], rtol=1e-14)
    np.testing.assert_allclose(res.scalings[0], lam)
    assert not equivalent(net, flipped, tol=1e-12)


def test_equivalent_exact_witness_with_permutation():
    W1 = np.array([[1, -2], [Fraction(1, 2), 1], [-1, 1]], dtype=object)
    net = ReLUNet([W1, [[1, 2, -1]]], [[0, 1, 3], [5]])
    other = transform(net, [[2, 0, 1]], [[Fraction(3), Fraction(1, 4), Fraction(7)]])
    res = equivalent(net, other)
    assert res and res.tol is None and res.residual == 0.0
    assert res.permutations[0].tolist() == [2, 0, 1]
    assert [str(s) for s in res.scalings[0]] == ["3", "1/4", "7"]
    assert all(isinstance(x, Fraction) for x in res.apply(net).weights[0].flat)
    assert "inexact" not in repr(res)


def test_regression_relu_equivalent_on_float_networks():
    """identifiability.relu.equivalent(net, twin) on two float64 networks was a ValueError
    ("Pass tol"); now a numerical decision at the default tolerance that says so."""
    from identifiability.core import DEFAULT_RTOL

    net, _ = c27()
    assert equivalent(net, net) and not equivalent(net, net).exact
    rng = np.random.default_rng(11)
    W1, b1 = rng.standard_normal((5, 3)), rng.standard_normal(5)
    W2, b2 = rng.standard_normal((4, 5)), rng.standard_normal(4)
    W3, b3 = rng.standard_normal((2, 4)), rng.standard_normal(2)
    a = ReLUNet([W1, W2, W3], [b1, b2, b3])
    perms = [rng.permutation(5), rng.permutation(4)]
    scales = [rng.uniform(0.1, 10, 5), rng.uniform(0.1, 10, 4)]
    twin = transform(a, perms, scales)
    res = equivalent(a, twin)
    assert res, res.reason
    assert res.exact is False and res.tol == DEFAULT_RTOL and res.tol_source == "default"
    assert 0 <= res.relative_residual <= 1e-3 * DEFAULT_RTOL
    assert [p.tolist() for p in res.permutations] == [p.tolist() for p in perms]
    np.testing.assert_allclose(res.scalings[0], scales[0], rtol=1e-12)
    X = rng.standard_normal((7, 3))
    np.testing.assert_allclose(res.apply(a)(X), twin(X), rtol=1e-12, atol=1e-12)
    assert "default tolerance" in res.explain() and len(repr(res)) < 300
    # a sign flip of an outgoing weight is not a symmetry, numerically either
    W3f = W3.copy()
    W3f[0, 0] *= -1
    neg = equivalent(a, ReLUNet([W1, W2, W3f], [b1, b2, b3]))
    assert not neg and neg.exact is False and neg.tol_source == "default"
    # canonical_form on floats: numerical, recorded, and equal for the twin
    ca, cb = canonical_form(a), canonical_form(twin)
    assert not ca.exact and ca.tol_source == "default"
    np.testing.assert_allclose(ca.params(), cb.params(), atol=1e-9)


def test_equivalent_deep_network_and_duplicates():
    rng = np.random.default_rng(0)
    Ws = [rng.integers(-3, 4, size=(4, 3)), rng.integers(-3, 4, size=(3, 4)),
          rng.integers(-3, 4, size=(2, 3))]
    Ws[0][1] = Ws[0][0]                      # two look-alike neurons in the first layer
    net = ReLUNet(Ws, [rng.integers(-2, 3, size=n) for n in (4, 3, 2)])
    F = Fraction
    other = transform(net, [[3, 1, 0, 2], [2, 0, 1]], [[F(2), F(1), F(3), F(1)], [F(1), F(5), F(2)]])
    res = equivalent(net, other)
    assert res
    np.testing.assert_array_equal(res.apply(net)(np.eye(3)), other(np.eye(3)))
    assert canonical_form(net).params().tolist() == canonical_form(other).params().tolist()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_canonical_form_is_an_orbit_invariant(seed):
    rng = np.random.default_rng(seed)
    net = ReLUNet([rng.integers(-2, 3, size=(3, 2)), rng.integers(-2, 3, size=(2, 3))],
                  [rng.integers(-2, 3, size=3), rng.integers(-2, 3, size=2)])
    perm = rng.permutation(3)
    scales = [Fraction(int(k), 2) for k in rng.integers(1, 6, size=3)]
    other = transform(net, [perm], [scales])
    assert equivalent(net, other)
    assert canonical_form(net).params().tolist() == canonical_form(other).params().tolist()
    assert equivalent(net, canonical_form(net))
    X = rng.integers(-3, 4, size=(5, 2))
    assert canonical_form(net)(X).tolist() == net(X).tolist()


def test_canonical_form_float_mode():
    net, inp = c27()
    other = transform(net, [[1, 2, 0]], [[0.3, 2.0, 1.7]])
    a, b = canonical_form(net, tol=1e-9), canonical_form(other, tol=1e-9)
    np.testing.assert_allclose(a.params(), b.params(), atol=1e-12)


def test_balance_equalises_norms_and_keeps_the_function():
    net, inp = c27()
    b = balance(transform(net, [np.arange(3)], [[100.0, 0.01, 3.0]]))
    W1, b1 = b.weights[0], b.biases[0]
    np.testing.assert_allclose(np.sqrt((W1 ** 2).sum(1) + b1 ** 2), np.abs(b.weights[1][0]))
    np.testing.assert_allclose(b(np.array(inp["x"])), net(np.array(inp["x"])), rtol=1e-12)


# ---------------------------------------------------------------- C34: path-lifting

def test_c34_path_lifting_invariant_and_reconstructs():
    inp = ORACLES["C34"]["inputs"]
    W1, W2 = np.array(inp["W1"]), np.array(inp["W2"])
    net = ReLUNet([W1, W2])
    phi = path_lifting(net).weights
    np.testing.assert_array_equal(phi, W2[:, :, None] * W1[None, :, :])
    scaled = transform(net, [np.arange(3)], [inp["lam"]])
    np.testing.assert_allclose(path_lifting(scaled).weights, phi, rtol=1e-15)
    X = np.array(inp["x"])
    active = (X @ W1.T > 0)
    recon = np.einsum("nh,ohi,ni->no", active, phi, X)
    np.testing.assert_allclose(recon, net(X), atol=1e-14)


def test_path_lifting_with_biases_and_depth_three():
    net = ReLUNet([[[1, 2]], [[3], [4]], [[5, 6]]], [[1], [2, 3], [4]])
    P = path_lifting(net)
    assert P.weights.shape == (1, 2, 1, 2)
    assert P.weights[0, 1, 0, 1] == 6 * 4 * 2
    assert [b.shape for b in P.biases] == [(1, 2, 1), (1, 2), (1,)]
    assert P.biases[0][0, 1, 0] == 6 * 4 * 1 and P.biases[1][0, 0] == 5 * 2
    assert P.vector.size == 4 + 2 + 2 + 1


def test_path_lifting_jacobian_matches_finite_differences():
    rng = np.random.default_rng(1)
    net = ReLUNet([rng.normal(size=(3, 2)), rng.normal(size=(2, 3)), rng.normal(size=(1, 2))],
                  [rng.normal(size=3), rng.normal(size=2), rng.normal(size=1)])
    J = path_lifting_jacobian(net)
    theta, h = net.params(), 1e-6
    fd = np.stack([(path_lifting(net.with_params(theta + h * e)).vector
                    - path_lifting(net.with_params(theta - h * e)).vector) / (2 * h)
                   for e in np.eye(theta.size)], axis=1)
    np.testing.assert_allclose(J, fd, atol=1e-7)
    # rescaling tangents are in the kernel of the path-lifting Jacobian
    assert np.linalg.matrix_rank(J) <= net.n_params - 5


def test_output_jacobian_matches_finite_differences():
    rng = np.random.default_rng(2)
    net = ReLUNet([rng.normal(size=(4, 3)), rng.normal(size=(2, 4))],
                  [rng.normal(size=4), rng.normal(size=2)])
    X = rng.normal(size=(6, 3))
    J = output_jacobian(net, X)
    theta, h = net.params(), 1e-6
    fd = np.stack([(net.with_params(theta + h * e)(X) - net.with_params(theta - h * e)(X)).ravel()
                   / (2 * h) for e in np.eye(theta.size)], axis=1)
    np.testing.assert_allclose(J, fd, atol=1e-7)


# ---------------------------------------------------------------- local identifiability

def teacher():
    W1 = np.array([[1, 0, -1], [0, 2, 1], [1, 1, 0]])
    W2 = np.array([[1, -1, 2]])
    S1 = W1 != 0
    return ReLUNet([W1, W2], supports=[S1, np.ones((1, 3), dtype=bool)])


def test_identifiable_sparse_teacher_exact():
    rng = np.random.default_rng(0)
    X = rng.integers(-4, 5, size=(30, 3))
    X = X[np.all(X @ teacher().weights[0].T != 0, axis=1)]
    res = local_identifiability(teacher(), X)
    assert res.identifiable is True and res.field == "Q"
    assert (res.n_params, res.orbit_dim, res.jacobian_rank) == (9, 3, 6)
    assert "rank 6" in res.explain() or "rank 6" in res.reason


def test_not_identifiable_when_data_see_one_linear_piece():
    X = np.array([[1, 2], [2, 1], [3, 1]])
    net = ReLUNet([[[1, 0], [0, 1]], [[1, 1]]])
    res = local_identifiability(net, X)
    assert res.identifiable is False
    assert res.jacobian_rank == 2 and res.n_params - res.orbit_dim == 4


def test_dead_neuron_is_not_identifiable():
    net = ReLUNet([[[1, 0], [-1, -1]], [[1, 1]]])     # neuron 1 never active on X > 0
    X = np.array([[1, 2], [2, 1], [3, 1], [1, 5]])
    assert local_identifiability(net, X).identifiable is False


def test_zero_preactivation_is_undecided():
    net = ReLUNet([[[1, -1]], [[1]]])
    res = local_identifiability(net, [[1, 1], [2, 1]])
    assert res.identifiable is None and "not differentiable" in res.reason
    inexact = local_identifiability(net, [[1.1, 0.3]])    # numerical decision, said so
    assert inexact.identifiable is False and not inexact.exact and inexact.tol_source == "default"
    assert local_identifiability(net, [[2, 1], [1, 3]], tol=1e-9).identifiable is not None


def test_numerical_mode_agrees_with_exact():
    rng = np.random.default_rng(0)
    X = rng.integers(-4, 5, size=(30, 3))
    X = X[np.all(X @ teacher().weights[0].T != 0, axis=1)]
    assert local_identifiability(teacher(), X * 1.0, tol=1e-9).identifiable is True


# ---------------------------------------------------------------- C30: scaling degeneracy

def test_c30_rescaling_orbit_makes_a_one_sided_penalty_unattained():
    # blind deconvolution y = a * s (docs/theory.rst C30) and its ReLU analogue: a one-hidden-layer
    # net whose input weights are a and output weights s, rescaled along its symmetry orbit
    inp, exp = ORACLES["C30"]["inputs"], ORACLES["C30"]["expected"]
    a, s, y = (np.array(inp[k]) for k in ("a", "s", "y"))
    net = ReLUNet([a[:, None], s[None, :]])
    X = np.array([[-2.0], [-1.0], [0.5], [3.0]])
    l1 = []
    for c in inp["c_values"]:
        assert np.array_equal(np.convolve(c * a, s / c), y)
        moved = transform(net, [[0, 1]], [[c, c]])
        assert np.allclose(moved(X), net(X), rtol=0, atol=1e-12)      # same function
        assert equivalent(net, moved, tol=1e-12)
        l1.append(np.abs(moved.weights[1]).sum())
    assert np.allclose(l1, [3.0 / c for c in inp["c_values"]])
    # ||s / c||_1 -> inf = 0 along the orbit, never attained (s / c != 0)
    assert exp["inf_over_scalings_of_l1(s)"] == 0.0 and not exp["attained"]
    assert all(b < a_ for a_, b in zip(l1, l1[1:])) and min(l1) > 0
    # the normalisation: balance() picks the point of the orbit with the smallest norm
    bal = balance(net)
    norms = [np.sqrt(sum((W ** 2).sum() for W in transform(net, [[0, 1]], [[c, c]]).weights))
             for c in np.geomspace(0.1, 10, 41)]
    assert np.sqrt(sum((W ** 2).sum() for W in bal.weights)) <= min(norms) + 1e-12


def test_regression_local_identifiability_on_floats():
    """relu.local_identifiability returned None ("pass tol") on inexact floats; the policy:
    a numerical decision at the default tolerance with its singular-value margins."""
    from identifiability.core import DEFAULT_RTOL

    rng = np.random.default_rng(5)
    net = ReLUNet([rng.standard_normal((4, 3)), rng.standard_normal((2, 4))],
                  [rng.standard_normal(4), rng.standard_normal(2)])
    X = rng.standard_normal((40, 3))
    res = local_identifiability(net, X)
    exact_twin = local_identifiability(net, X, tol=1e-9)
    assert res.identifiable is exact_twin.identifiable is True
    assert not res.exact and res.tol == DEFAULT_RTOL and res.tol_source == "default"
    assert res.singular_value_gap is not None and res.singular_value_gap[0] > 100 * DEFAULT_RTOL
    assert "default tolerance" in res.explain()
    few = local_identifiability(net, X[:2])
    assert few.identifiable is False and not few.exact
    # exact input stays exact
    ex = local_identifiability(ReLUNet([[[1, 0], [0, 1]], [[1, 1]]]),
                               [[1, 2], [2, 1], [-1, 1], [-2, 3], [1, -1], [3, -2]])
    assert ex.identifiable is True and ex.exact and ex.field == "Q"


def test_relu_result_reprs_are_short():
    rng = np.random.default_rng(0)
    net = ReLUNet([rng.standard_normal((30, 20)), rng.standard_normal((1, 30))],
                  [rng.standard_normal(30), rng.standard_normal(1)])
    X = rng.standard_normal((200, 20))
    for obj in (path_lifting(net), local_identifiability(net, X), equivalent(net, net),
                canonical_form(net), net):
        assert len(repr(obj)) < 300, type(obj).__name__
    small = ReLUNet([rng.standard_normal((5, 3)), rng.standard_normal((2, 5))])
    res = local_identifiability(small, rng.standard_normal((200, 3)))
    assert len(repr(res)) < 300 and "<table>" in res._repr_html_()
    assert "array" not in repr(res)
