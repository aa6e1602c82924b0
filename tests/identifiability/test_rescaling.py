"""identifiability.core.rescaling: the one factor balancing (chains, ReLU biases, batches)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identifiability.core import BadInput, balance_chain, balanced_norm


def _chain(seed, L, batch, complex_, zeros):
    rng = np.random.default_rng(seed)
    dims = rng.integers(1, 5, size=L + 1)
    F = []
    for j in range(L):
        X = rng.standard_normal(batch + (dims[j], dims[j + 1])) * np.exp(rng.normal(0, 2))
        if complex_:
            X = X + 1j * rng.standard_normal(X.shape)
        if zeros and dims[j + 1] > 1:
            X[..., :, 0] = 0
        F.append(X)
    B = [rng.standard_normal(batch + (dims[j + 1],)) for j in range(L - 1)]
    return F, B


def _product(F):
    P = F[0]
    for X in F[1:]:
        P = P @ X
    return P


cases = st.tuples(st.integers(0, 10 ** 6), st.integers(1, 4), st.sampled_from([(), (3,), (2, 2)]),
                  st.booleans(), st.booleans(), st.booleans())


@settings(max_examples=60, deadline=None)
@given(cases)
def test_balance_chain_product_unchanged_norms_equal_idempotent(case):
    seed, L, batch, complex_, zeros, with_bias = case
    F, B = _chain(seed, L, batch, complex_, zeros)
    B = B if with_bias else None
    G, C = balance_chain(F, biases=B)
    P, Q = _product(F), _product(G)
    assert np.allclose(P, Q, rtol=1e-9, atol=1e-9 * (1 + np.abs(P).max()))
    for j in range(L - 1):
        col = np.sum(np.abs(G[j]) ** 2, axis=-2)
        row = np.sum(np.abs(G[j + 1]) ** 2, axis=-1) + (np.abs(C[j]) ** 2 if C else 0)
        both = (col > 0) & (row > 0)
        assert np.allclose(col[both], row[both], rtol=1e-6)
    G2, C2 = balance_chain(G, biases=C)
    for X, Y in zip(G, G2):
        assert np.allclose(X, Y, rtol=1e-6, atol=1e-12)
    # the balanced norm does not exceed the norm of the input, and is a minimum
    n0 = np.sqrt(sum(np.sum(np.abs(X) ** 2, axis=(-2, -1)) for X in F)
                 + (sum(np.sum(np.abs(b) ** 2, axis=-1) for b in B) if B else 0))
    nb = balanced_norm(F, biases=B)
    assert nb.shape == batch
    assert np.all(nb <= n0 * (1 + 1e-9))


def test_balance_chain_relu_function_unchanged_and_zero_neurons_kept():
    rng = np.random.default_rng(0)
    W1, b1 = rng.standard_normal((4, 3)), rng.standard_normal(4)
    W2 = rng.standard_normal((2, 4))
    W1[2], b1[2] = 0, 0                                # a dead neuron: left alone
    (V2, V1), (c1,) = balance_chain([W2, W1], biases=[b1])
    X = rng.standard_normal((3, 10))
    f = W2 @ np.maximum(W1 @ X + b1[:, None], 0)
    g = V2 @ np.maximum(V1 @ X + c1[:, None], 0)
    assert np.allclose(f, g)
    assert np.array_equal(V2[:, 2], W2[:, 2])


def test_balanced_norm_two_factors_closed_form():
    rng = np.random.default_rng(1)
    S1, S2 = rng.standard_normal((5, 4, 3)), rng.standard_normal((5, 3, 6))
    expected = np.sqrt(2 * np.sum(np.linalg.norm(S1, axis=-2) * np.linalg.norm(S2, axis=-1),
                                  axis=-1))
    assert np.allclose(balanced_norm([S1, S2]), expected)


def test_balance_chain_rejects_bad_input():
    with pytest.raises(BadInput):
        balance_chain([np.ones((2, 3)), np.ones((2, 2))])
    with pytest.raises(BadInput):
        balance_chain([np.ones((2, 3)), np.ones((3, 2))], biases=[np.ones(2)])
    with pytest.raises(BadInput):
        balance_chain(np.ones((2, 2)))
