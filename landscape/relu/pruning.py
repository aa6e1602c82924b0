"""Sparse subnetworks by pruning: iterative magnitude pruning (lottery tickets) and supermasks.

* :func:`magnitude_pruning` -- iterative magnitude pruning with rewinding (Frankle et al.).
* :func:`supermask` -- learn scores over fixed random weights, keep the top-k by score
  (straight-through estimator), Zhou et al. 2019 / edge-popup.

>>> import numpy as np
>>> X = np.random.default_rng(0).normal(size=(40, 4))
>>> float(magnitude_pruning(X, X[:, :1], 4, sparsity=0.5, n_rounds=1, n_iter=20, rng=0).density[-1])
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from identifiability.core.aliases import renamed_keywords
from identifiability.core.display import summary_repr
from identifiability.core.validation import check_int, check_real, check_rng
from identifiability.relu import ReLUNet

from ..engine.projections import project_topk, support
from .kernels import loss_and_grads, smooth_loss
from .training import TrainResult, check_data, check_widths, train_relu

__all__ = ["PruningResult", "magnitude_pruning", "SupermaskResult", "supermask"]


@dataclass(frozen=True, repr=False)
class PruningResult:
    """Outcome of :func:`magnitude_pruning`.

    Attributes
    ----------
    masks : tuple of bool arrays
        Final supports, one per layer.
    train : TrainResult
        The last retraining (one start) on the final masks.
    objective, density : ndarray (n_rounds + 1,)
        Objective after the dense training and after every round; fraction of weights kept.
    """

    masks: tuple
    train: TrainResult
    objective: np.ndarray
    density: np.ndarray

    def net(self) -> ReLUNet:
        """The pruned, retrained network (with its supports)."""
        n = self.train.net()
        return ReLUNet(n.weights, n.biases, self.masks)

    def explain(self) -> str:
        """One line per round: density and objective."""
        return "\n".join(f"round {r}: density {d:.3f}, objective {f:.6g}"
                         for r, (d, f) in enumerate(zip(self.density, self.objective)))

    def __repr__(self) -> str:
        return summary_repr("PruningResult", n_rounds=self.density.size - 1,
                            density=round(float(self.density[-1]), 3),
                            objective=float(f"{self.objective[-1]:.6g}"),
                            masks=tuple(m.shape for m in self.masks))


def _prune(W: np.ndarray, mask: np.ndarray, keep: int) -> np.ndarray:
    return project_topk(np.where(mask, np.abs(W) + 1e-300, 0.0), keep) != 0


@renamed_keywords(weight_decay="beta")
def magnitude_pruning(X: Any, Y: Any, widths: Any, *, sparsity: float = 0.9,
                      n_rounds: int = 3, rewind_iter: int = 10, n_iter: int = 300,
                      beta: float = 0.0, bias: bool = True, rng: Any = None
                      ) -> PruningResult:
    """Iterative magnitude pruning with rewinding (lottery tickets, Frankle et al.).

    Train dense; then ``n_rounds`` times: keep the largest-magnitude weights of every layer
    (density ``(1 - sparsity)^(r / n_rounds)``), rewind the kept weights to their values
    after ``rewind_iter`` sweeps of the dense training, retrain on the support
    (:func:`landscape.projections.support` constraints, PALM). ``beta`` is the weight decay
    (formerly ``weight_decay``).

    >>> X = np.random.default_rng(0).normal(size=(40, 4))
    >>> res = magnitude_pruning(X, X[:, :1] - X[:, 1:2], 4, sparsity=0.5, n_rounds=2,
    ...                         n_iter=100, rng=0)
    >>> float(res.density[-1])
    0.5
    """
    func = "magnitude_pruning"
    X, Y = check_data(X, Y, func)
    sizes = check_widths(widths, X, Y, func)
    sparsity = check_real(sparsity, "sparsity", func, low=0.0, high=1.0)
    n_rounds = check_int(n_rounds, "n_rounds", func, low=1)
    rewind_iter = check_int(rewind_iter, "rewind_iter", func, low=0)
    n_iter = check_int(n_iter, "n_iter", func, low=1)
    beta = check_real(beta, "beta", func, low=0.0)
    rng = check_rng(rng, func)
    opts = dict(beta=beta, bias=bias)
    early = train_relu(X, Y, sizes[1:-1], n_iter=max(rewind_iter, 1), rng=rng, **opts)
    rewind = ([W.copy() for W in early.weights], [b.copy() for b in early.biases])
    res = train_relu(X, Y, sizes[1:-1], n_iter=n_iter, init=(early.weights, early.biases), **opts)
    masks = [np.ones(W.shape[1:], dtype=bool) for W in res.weights]
    objective, density = [res.objective[0]], [1.0]
    total = sum(m.size for m in masks)
    for r in range(1, n_rounds + 1):
        frac = (1.0 - sparsity) ** (r / n_rounds)
        masks = [_prune(W[0], m, max(1, int(round(frac * m.size))))
                 for W, m in zip(res.weights, masks)]
        init = ([W * m for W, m in zip(rewind[0], masks)], rewind[1])
        res = train_relu(X, Y, sizes[1:-1], constraints=[support(m) for m in masks],
                         n_iter=n_iter, init=init, **opts)
        objective.append(res.objective[0])
        density.append(sum(int(m.sum()) for m in masks) / total)
    return PruningResult(tuple(masks), res, np.array(objective), np.array(density))


@dataclass(frozen=True, repr=False)
class SupermaskResult:
    """Outcome of :func:`supermask`: fixed random weights, learned scores and masks.

    Attributes
    ----------
    weights, biases : tuple of ndarray
        The fixed random weights (never trained) and zero biases.
    scores : tuple of ndarray
    masks : tuple of bool arrays
        Top-k entries of ``scores`` per layer.
    history : ndarray
        Objective (of the masked network) after every epoch.
    """

    weights: tuple
    biases: tuple
    scores: tuple
    masks: tuple
    history: np.ndarray

    def net(self) -> ReLUNet:
        """The masked network ``W * mask``."""
        return ReLUNet([W * m for W, m in zip(self.weights, self.masks)], list(self.biases),
                       list(self.masks))

    def explain(self) -> str:
        """Two lines: the objective over the epochs and the density per layer."""
        return (f"Supermask over fixed random weights, {self.history.size} epochs: objective "
                f"{self.history[0]:.6g} -> {self.history[-1]:.6g}.\nDensity per layer: "
                + ", ".join(f"{float(m.mean()):.3f}" for m in self.masks) + ".")

    def __repr__(self) -> str:
        return summary_repr("SupermaskResult", objective=float(f"{self.history[-1]:.6g}"),
                            density=[round(float(m.mean()), 3) for m in self.masks],
                            n_epochs=int(self.history.size))


def supermask(X: Any, Y: Any, widths: Any, *, density: float = 0.5, n_iter: int = 200,
              batch_size: int = 32, step: float = 0.1, rng: Any = None) -> SupermaskResult:
    """Find a good subnetwork of a fixed random network by learning scores (Zhou et al.).

    Forward: ``W_eff = W * mask`` with ``mask`` the top ``density`` fraction of the scores
    of each layer; backward: straight-through estimator ``dF/dscores = dF/dW_eff * W``;
    minibatch SGD on the scores (normalised by the sample count), ``n_iter`` epochs.

    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> res = supermask(X, np.abs(X[:, :1]), 32, density=0.5, n_iter=30, rng=0)
    >>> bool(res.history[-1] < res.history[0])
    True
    """
    func = "supermask"
    X, Y = check_data(X, Y, func)
    sizes = check_widths(widths, X, Y, func)
    density = check_real(density, "density", func, low=0.0, low_open=True, high=1.0)
    n_iter = check_int(n_iter, "n_iter", func, low=1)
    batch_size = check_int(batch_size, "batch_size", func, low=1)
    step = check_real(step, "step", func, low=0.0, low_open=True)
    rng = check_rng(rng, func)
    n = X.shape[0]
    Ws = [rng.choice([-1.0, 1.0], size=(1, sizes[l + 1], sizes[l])) * np.sqrt(2.0 / sizes[l])
          for l in range(len(sizes) - 1)]
    bs = [np.zeros((1, sizes[l + 1])) for l in range(len(sizes) - 1)]
    scores = [rng.uniform(size=W.shape) for W in Ws]
    ks = [max(1, int(round(density * W[0].size))) for W in Ws]

    def masks_of(sc):
        return [project_topk(s + 1e-300, k) != 0 for s, k in zip(sc, ks)]

    hist = []
    for epoch in range(n_iter):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            M = masks_of(scores)
            _, gW, _ = loss_and_grads([W * m for W, m in zip(Ws, M)], bs, X[idx], Y[idx],
                                      scale=1.0 / idx.size)
            scores = [s - step * g * W for s, g, W in zip(scores, gW, Ws)]
        M = masks_of(scores)
        hist.append(float(smooth_loss([W * m for W, m in zip(Ws, M)], bs, X, Y)[0]))
    M = masks_of(scores)
    return SupermaskResult(tuple(W[0] for W in Ws), tuple(b[0] for b in bs),
                           tuple(s[0] for s in scores), tuple(m[0] for m in M), np.array(hist))
