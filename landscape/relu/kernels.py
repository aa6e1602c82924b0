"""Batched kernels of the ReLU trainers: forward pass, loss and gradients, penalty, prox.

Parameters are lists of arrays with a leading start axis: ``Ws[l]`` of shape
``(n_starts, n_{l+1}, n_l)``, ``bs[l]`` of shape ``(n_starts, n_{l+1})``; ``X`` is
``(n_samples, n_0)`` and ``Y`` ``(n_samples, n_L)``. Plain array code, no validation: the
public functions of :mod:`landscape.relu` validate their inputs once and call these.

>>> import numpy as np
>>> Ws = [np.ones((2, 3, 1)), np.ones((2, 1, 3))]
>>> bs = [np.zeros((2, 3)), np.zeros((2, 1))]
>>> X = np.array([[1.0], [-1.0]])
>>> forward(Ws, bs, X)[-1][:, :, 0].tolist()
[[3.0, 0.0], [3.0, 0.0]]
>>> smooth_loss(Ws, bs, X, np.array([[3.0], [0.0]])).tolist()
[0.0, 0.0]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from identifiability.core.rescaling import balanced_norm as _chain_balanced_norm

from ..engine.projections import Constraint

__all__ = ["forward", "smooth_loss", "loss_and_grads", "penalty", "prox", "balanced_norm"]


def forward(Ws: Sequence[np.ndarray], bs: Sequence[np.ndarray], X: np.ndarray
            ) -> list[np.ndarray]:
    """Activations ``[X, h_1, ..., output]``, each ``(n_starts, n_samples, width)``."""
    H, acts = np.broadcast_to(X, (Ws[0].shape[0],) + X.shape), []
    acts.append(H)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = H @ np.swapaxes(W, 1, 2) + b[:, None, :]
        H = Z if l == len(Ws) - 1 else np.maximum(Z, 0.0)
        acts.append(H)
    return acts


def smooth_loss(Ws, bs, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``1/2 ||f(X) - Y||_F^2`` per start."""
    R = forward(Ws, bs, X)[-1] - Y
    return 0.5 * (R ** 2).sum(axis=(1, 2))


def loss_and_grads(Ws, bs, X: np.ndarray, Y: np.ndarray, scale: float = 1.0):
    """Loss ``1/2 ||f(X) - Y||^2`` per start and its gradients (times ``scale``):
    ``(loss, grads of the weights, grads of the biases)``."""
    acts = forward(Ws, bs, X)
    G = acts[-1] - Y
    loss = 0.5 * (G ** 2).sum(axis=(1, 2))
    gW, gb = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        gW[l] = scale * (np.swapaxes(G, 1, 2) @ acts[l])
        gb[l] = scale * G.sum(axis=1)
        if l > 0:
            G = (G @ Ws[l]) * (acts[l] > 0)
    return loss, gW, gb


def penalty(Ws, beta: float) -> np.ndarray:
    """Weight decay ``beta/2 sum_l ||W_l||^2`` per start (biases not penalised)."""
    return 0.5 * beta * sum((W ** 2).sum(axis=(1, 2)) for W in Ws)


def prox(V: np.ndarray, t: np.ndarray, beta: float, c: Constraint | None) -> np.ndarray:
    """Prox of ``beta/2 ||W||^2 + indicator(C)`` with step ``t`` (one per start):
    ``C.project(V / (1 + t beta))`` for the sparsity sets."""
    V = V / (1.0 + t[:, None, None] * beta)
    return V if c is None else c.project(V)


def balanced_norm(Ws, bs) -> np.ndarray:
    """Norm of the parameters after balancing every hidden neuron (per start): the one
    balancing of :func:`identifiability.core.rescaling.balanced_norm` on the chain
    ``W_L ... W_1`` with the hidden biases, plus the output bias (never rescaled)."""
    chain = _chain_balanced_norm(list(Ws)[::-1], biases=list(bs)[:-1][::-1])
    return np.sqrt(chain ** 2 + (bs[-1] ** 2).sum(axis=1))
