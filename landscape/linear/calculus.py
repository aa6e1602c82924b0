"""Batched calculus of the linear problem ``||A - S[0] @ ... @ S[L-1]||_F^2``.

Plain functions of a problem (anything with ``A``, ``fixed``, ``supports``, ``is_complex``,
see :class:`landscape.linear.Problem`) and of factor stacks (batch axis first): products,
gradients on the free entries, the stationarity measure, and the real parameter
vectors of the second-order test and of the report's slices. Shared by
:mod:`~landscape.linear.problem`, :mod:`~landscape.linear.sampling` and
:mod:`~landscape.linear.classification`.

>>> import numpy as np
>>> S = [np.ones((1, 2, 1)), np.ones((1, 1, 2))]
>>> product(S)[0].tolist()
[[1.0, 1.0], [1.0, 1.0]]
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["product", "free_masks", "gradients", "sqnorm", "factor_norm",
           "stationarity", "flatten", "unflatten", "objective_values"]


def product(S: Sequence[np.ndarray]) -> np.ndarray:
    out = S[0]
    for F in S[1:]:
        out = out @ F
    return out


def free_masks(problem: Any, S: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Free entries: the fixed supports, or the current supports (batched)."""
    if problem.fixed:
        return [np.broadcast_to(s, F.shape) for s, F in zip(problem.supports, S)]
    return [F != 0 for F in S]


def gradients(A: np.ndarray, S: Sequence[np.ndarray], masks: Sequence[np.ndarray]
               ) -> list[np.ndarray]:
    """Batched gradient of ``||A - S[0]...S[L-1]||^2`` w.r.t. each factor, on the masks.

    ``-2 Lft^H (A - P) Rgt^H`` (real and imaginary parts are the partial derivatives with
    respect to the real and imaginary parts of the entries, as in
    :func:`landscape.fixed_support.gradient`, which is the two-factor 2-D case).
    """
    L = len(S)
    left = [None] * L
    right = [None] * L
    for j in range(1, L):
        left[j] = S[0] if j == 1 else left[j - 1] @ S[j - 1]
    for j in range(L - 2, -1, -1):
        right[j] = S[L - 1] if j == L - 2 else S[j + 1] @ right[j + 1]
    R = A - (left[L - 1] @ S[L - 1])
    out = []
    for j in range(L):
        G = R
        if left[j] is not None:
            G = np.swapaxes(left[j], -1, -2).conj() @ G
        if right[j] is not None:
            G = G @ np.swapaxes(right[j], -1, -2).conj()
        out.append(-2 * G * masks[j])
    return out


def sqnorm(X: np.ndarray) -> np.ndarray:
    """Squared Frobenius norm of every block of a stack ``(b, ...)``."""
    return np.sum(np.abs(X.reshape(X.shape[0], -1)) ** 2, axis=1)


def factor_norm(S: Sequence[np.ndarray]) -> np.ndarray:
    """``sqrt(sum_j ||S[j]||_F^2)`` per start (the balanced norm when ``S`` is balanced by
    :func:`identifiability.core.rescaling.balance_chain`)."""
    return np.sqrt(sum(sqnorm(F) for F in S))


def stationarity(problem: Any, S: Sequence[np.ndarray]) -> np.ndarray:
    """Relative gradient norm on the free entries, ``/ ||A||^(2 - 1/L)`` (scale invariant)."""
    G = gradients(problem.A, S, free_masks(problem, S))
    scale = np.linalg.norm(problem.A) ** (2 - 1 / len(S))
    return np.sqrt(sum(sqnorm(g) for g in G)) / (scale if scale > 0 else 1.0)


# --------------------------------------------------------------------------- parameter vectors

def flatten(problem: Any, S: Sequence[np.ndarray], masks: Sequence[np.ndarray]) -> np.ndarray:
    """Real parameter vector: free entries factor by factor (row-major), then imaginary
    parts for complex problems -- the ordering of :func:`landscape.fixed_support.pack`."""
    z = np.concatenate([F[m] for F, m in zip(S, masks)])
    return np.concatenate([z.real, z.imag]) if problem.is_complex else z.real.copy()


def unflatten(problem: Any, theta: np.ndarray, masks: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Inverse of :func:`flatten`; ``theta`` may carry a leading batch axis."""
    theta = np.atleast_2d(theta)
    p = sum(int(m.sum()) for m in masks)
    z = theta[:, :p] + 1j * theta[:, p:] if problem.is_complex else theta
    out, o = [], 0
    for m in masks:
        F = np.zeros((theta.shape[0],) + m.shape, dtype=problem.A.dtype)
        k = int(m.sum())
        F[:, m] = z[:, o:o + k]
        out.append(F)
        o += k
    return out


def objective_values(problem: Any, S: Sequence[np.ndarray]) -> np.ndarray:
    """``||A - S[0] ... S[L-1]||_F^2`` for every start of the stack ``S``."""
    return sqnorm(problem.A - product(S))
