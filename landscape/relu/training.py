"""Sparse ReLU networks: proximal training, pruning, supermasks, and a convex global reference.

Objective (square loss, weight decay ``wd`` on the weights, biases not penalised)::

    F(theta) = 1/2 ||f_theta(X) - Y||_F^2 + wd/2 * sum_l ||W_l||_F^2,   W_l in C_l

with ``C_l`` a :class:`landscape.projections.Constraint` (fixed support, top-k, ...).
Every trainer is batched over random starts (leading axis ``n_starts``).

* :func:`train_relu` -- ``method="palm"``: block proximal gradient over the layers (PALM of
  Bolte-Sabach-Teboulle, THEORY B2) with a backtracking step per start and block (the block
  gradient of a ReLU net has no global Lipschitz constant); the prox of
  ``wd/2 ||W||^2 + indicator(C)`` is ``C.project(W / (1 + t wd))`` for the sparsity sets.
  ``method="sgd"``: proximal stochastic gradient with minibatches. Options: ``restarts``
  (neuron-restart heuristic: negate / redraw one neuron's incoming weights, zero its outgoing
  ones, train again, keep if better -- escapes the wrong-half-space and dead-neuron
  stationary points) and ``polish`` (final L-BFGS on each start's support).
* :func:`magnitude_pruning` -- iterative magnitude pruning with rewinding (lottery tickets).
* :func:`supermask` -- learn scores over fixed random weights, keep the top-k by score
  (straight-through estimator), Zhou et al. 2019 / edge-popup.
* :func:`convex_reference` -- the global optimum of a two-layer scalar-output ReLU net with
  weight decay, from the convex reformulation of Pilanci & Ergen (2020): with
  ``D_i = diag(1[X u_i >= 0])`` running over the activation patterns of the data,

      min 1/2 ||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)
      s.t. (2 D_i - I) X v_i >= 0,  (2 D_i - I) X w_i >= 0,

  whose value equals the non-convex optimum of ``1/2 ||relu(X W1^T) w2 - y||^2 +
  beta/2 (||W1||^2 + ||w2||^2)`` once the width is at least the number of non-zero
  ``(v_i, w_i)``. The patterns are enumerated (one direction per open cell of the
  hyperplane arrangement ``{x_k^T u = 0}``, found in floating point, then certified: signs
  confirmed in exact arithmetic and the number of cells checked against Zaslavsky's exact
  count) when ``X`` has at most 3 columns -- e.g. 2-D data plus a bias column; otherwise, or
  if the certification fails, they are sampled and the value is only an upper bound on the
  optimum ("sampled, lower bound not certified"). With every pattern, the numerical
  solution is turned into a certificate: its network's objective is an upper bound and a
  dual feasible point built from its residual a rigorous lower bound (exact rational
  arithmetic, a priori rounding-error bounds), typically 1e-8 apart.
* :func:`sample_relu` -- many starts of :func:`train_relu` classified against the convex
  reference ("global" / "best found", "spurious local minimum", "saddle", "diverging", "not
  converged") and clustered modulo the ReLU symmetries
  (:func:`identifiability.relu.equivalent`), returned as the
  :class:`landscape.report.LandscapeReport` of the linear problems; the starts run in
  seeded chunks on any executor of :mod:`landscape.executors` (same result on all).

Examples
--------
>>> import numpy as np
>>> X = np.array([[1., 0.], [0., 1.], [1., 1.], [-1., 1.]])
>>> y = np.maximum(X @ [1., -1.], 0)
>>> ref = convex_reference(X, y, beta=1e-3)
>>> ref.exhaustive, bool(abs(ref.net(X)[:, 0] - y).max() < 1e-2)
(True, True)
"""

from __future__ import annotations

import hashlib
import itertools
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from identifiability.core.validation import (
    as_matrix,
    as_support,
    check_choice,
    check_int,
    check_real,
    check_rng,
    param_error,
)
from identifiability.core.exact import rank_exact
from identifiability.relu.net import ReLUNet, balance_arrays, equivalent

from ..linear.sampling import Minimum
from ..executors import map_chunks, seed_plan
from ..engine.projections import Constraint, project_topk, support

__all__ = [
    "TrainResult",
    "train_relu",
    "diverging",
    "PruningResult",
    "magnitude_pruning",
    "SupermaskResult",
    "supermask",
    "ConvexReference",
    "activation_patterns",
    "convex_reference",
    "ReLUProblem",
    "sample_relu",
]

_MAX_BACKTRACK = 40


# --------------------------------------------------------------------------------------
# batched kernels: parameters are lists of arrays with a leading start axis
# --------------------------------------------------------------------------------------

def _forward(Ws, bs, X) -> list[np.ndarray]:
    """Activations ``[X, h_1, ..., output]``, each ``(S, n, width)``."""
    H, acts = np.broadcast_to(X, (Ws[0].shape[0],) + X.shape), []
    acts.append(H)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = H @ np.swapaxes(W, 1, 2) + b[:, None, :]
        H = Z if l == len(Ws) - 1 else np.maximum(Z, 0.0)
        acts.append(H)
    return acts


def _smooth(Ws, bs, X, Y) -> np.ndarray:
    R = _forward(Ws, bs, X)[-1] - Y
    return 0.5 * (R ** 2).sum(axis=(1, 2))


def _grads(Ws, bs, X, Y, scale: float = 1.0):
    """Loss ``1/2 ||f(X) - Y||^2`` per start and its gradients (times ``scale``)."""
    acts = _forward(Ws, bs, X)
    G = acts[-1] - Y
    loss = 0.5 * (G ** 2).sum(axis=(1, 2))
    gW, gb = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        gW[l] = scale * (np.swapaxes(G, 1, 2) @ acts[l])
        gb[l] = scale * G.sum(axis=1)
        if l > 0:
            G = (G @ Ws[l]) * (acts[l] > 0)
    return loss, gW, gb


def _penalty(Ws, wd: float) -> np.ndarray:
    return 0.5 * wd * sum((W ** 2).sum(axis=(1, 2)) for W in Ws)


def _prox(V: np.ndarray, t: np.ndarray, wd: float, c: Constraint | None) -> np.ndarray:
    V = V / (1.0 + t[:, None, None] * wd)
    return V if c is None else c.project(V)


def _balanced_norm(Ws, bs) -> np.ndarray:
    Wb, bb = balance_arrays(Ws, bs)
    return np.sqrt(sum((W ** 2).sum(axis=(1, 2)) for W in Wb) + sum((b ** 2).sum(axis=1)
                                                                    for b in bb))


def diverging(history: Any, norms: Any, *, growth: float = 2.0) -> np.ndarray:
    """Divergence signature per start: objective decreasing while balanced norms grow.

    True when, over the second half of the recorded run, the objective never increased
    (up to 1e-12 relative), decreased overall, and the balanced parameter norm grew by at
    least ``growth`` and was still growing at the end (THEORY B8, C31/C37).

    >>> h = np.array([[1.0, 0.5, 0.25, 0.12]]); n = np.array([[1.0, 2.0, 4.0, 8.0]])
    >>> diverging(h, n).tolist()
    [True]
    """
    func = "diverging"
    h = as_matrix(history, "history", func, allow_complex=False)
    n = as_matrix(norms, "norms", func, allow_complex=False)
    growth = check_real(growth, "growth", func, low=1.0)
    if h.shape != n.shape:
        raise param_error(func, "norms", f"an array of shape {h.shape}", f"shape {n.shape}",
                          raw=True)
    half = h[:, h.shape[1] // 2:]
    nh = n[:, n.shape[1] // 2:]
    if half.shape[1] < 2:
        return np.zeros(h.shape[0], dtype=bool)
    mono = np.all(np.diff(half, axis=1) <= 1e-12 * np.abs(half[:, :-1]), axis=1)
    down = half[:, -1] < half[:, 0]
    grow = (nh[:, -1] >= growth * nh[:, 0]) & (nh[:, -1] > nh[:, -2])
    return mono & down & grow


# --------------------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class TrainResult:
    """Outcome of :func:`train_relu` for every start (batch axis first).

    Attributes
    ----------
    weights, biases : tuple of ndarray
        ``weights[l]`` of shape ``(n_starts, n_{l+1}, n_l)``; ``biases[l]`` of shape
        ``(n_starts, n_{l+1})`` (zeros when trained without biases).
    objective : ndarray (n_starts,)
        Final ``F`` (loss plus weight decay).
    history, norm_history : ndarray (n_starts, n_records)
        ``F`` and the balanced parameter norm after every sweep / epoch.
    converged : bool ndarray
        Stopping rule of :func:`train_relu` met (see ``tol`` there).
    n_iter : int ndarray
        Sweeps (epochs) run by every start.
    diverging : bool ndarray
        :func:`diverging` on the histories.
    method : str
    bias : bool
    """

    weights: tuple
    biases: tuple
    objective: np.ndarray
    history: np.ndarray
    norm_history: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    diverging: np.ndarray
    method: str
    bias: bool

    @property
    def best(self) -> int:
        """Index of the start with the smallest objective."""
        return int(np.argmin(self.objective))

    def net(self, i: int | None = None) -> ReLUNet:
        """Start ``i`` (default: the best) as a :class:`identifiability.relu.ReLUNet`."""
        i = self.best if i is None else check_int(i, "i", "TrainResult.net", low=0,
                                                  high=self.objective.size - 1)
        return ReLUNet([W[i] for W in self.weights],
                       [b[i] for b in self.biases] if self.bias else None)

    def __repr__(self) -> str:
        b = self.best
        return (f"TrainResult(method={self.method!r}, n_starts={self.objective.size}, "
                f"best={b}, objective[best]={self.objective[b]:.6g}, "
                f"converged={int(self.converged.sum())}/{self.converged.size}, "
                f"diverging={int(self.diverging.sum())})")


def _check_data(X: Any, Y: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    X = as_matrix(X, "X", func, allow_complex=False).astype(np.float64)
    Y = np.asarray(Y)
    Y = as_matrix(Y[:, None] if Y.ndim == 1 else Y, "Y", func, allow_complex=False
                  ).astype(np.float64)
    if Y.shape[0] != X.shape[0]:
        raise param_error(func, "Y", f"{X.shape[0]} rows (the samples of X)",
                          f"shape {Y.shape}", raw=True)
    return X, Y


def _check_widths(widths: Any, X: np.ndarray, Y: np.ndarray, func: str) -> list[int]:
    try:
        hidden = [check_int(w, "widths", func, low=1) for w in widths]
    except TypeError:
        hidden = [check_int(widths, "widths", func, low=1)]
    return [X.shape[1]] + hidden + [Y.shape[1]]


def _check_constraints(constraints: Any, sizes: list[int], func: str) -> list:
    L = len(sizes) - 1
    if constraints is None:
        return [None] * L
    cons = list(constraints)
    if len(cons) != L:
        raise param_error(func, "constraints", f"{L} constraints (one per layer, None for "
                          "none)", f"{len(cons)}", raw=True)
    for l, c in enumerate(cons):
        if c is not None:
            if not isinstance(c, Constraint):
                raise param_error(func, f"constraints[{l}]", "a Constraint or None", c,
                                  kind=TypeError)
            c.check((sizes[l + 1], sizes[l]), func=func, name=f"constraints[{l}]")
    return cons


def _is_subspace(c: Constraint | None, shape: tuple[int, int]) -> bool:
    """True for None and for constraints that are a coordinate subspace (fixed support)."""
    if c is None:
        return True
    mask = c.allowed(shape)
    if mask is None:
        return False
    M = np.random.default_rng(0).normal(size=shape) * mask
    return bool(np.array_equal(c.project(M), M))


def _init(sizes, n_starts, rng, cons, bias: bool, scale: float):
    Ws, bs = [], []
    for l in range(len(sizes) - 1):
        W = rng.normal(size=(n_starts, sizes[l + 1], sizes[l])) * scale / np.sqrt(sizes[l])
        Ws.append(W if cons[l] is None else cons[l].project(W))
        bs.append(np.zeros((n_starts, sizes[l + 1])))
    return Ws, bs


def _check_init(init: Any, sizes, func: str):
    Ws = [np.asarray(W, dtype=np.float64) for W in init[0]]
    bs = [np.asarray(b, dtype=np.float64) for b in init[1]]
    S = Ws[0].shape[0]
    for l, (W, b) in enumerate(zip(Ws, bs)):
        if W.shape != (S, sizes[l + 1], sizes[l]) or b.shape != (S, sizes[l + 1]):
            raise param_error(func, "init", f"(weights, biases) with weights[{l}] of shape "
                              f"(n_starts, {sizes[l + 1]}, {sizes[l]})",
                              f"shape {W.shape}", raw=True)
    return Ws, bs


def train_relu(X: Any, Y: Any, widths: Any, *, constraints: Sequence[Any] | None = None,
               weight_decay: float = 0.0, bias: bool = True, method: str = "palm",
               n_iter: int = 500, n_starts: int = 1, batch_size: int = 32,
               step: float | None = None, tol: float = 1e-6, init: Any = None,
               init_scale: float = 1.0, restarts: int = 0, polish: bool = False,
               rng: Any = None) -> TrainResult:
    """Train a (sparse) ReLU network with proximal methods from many starts at once.

    Parameters
    ----------
    X : array (n_samples, n_0)
    Y : array (n_samples, n_L) or (n_samples,)
    widths : int or sequence of int
        Hidden widths.
    constraints : sequence of Constraint or None, optional
        One per layer (:func:`landscape.projections.support`, ``topk``, ...); None: dense.
    weight_decay : float, default 0
        ``wd`` of the objective (weights only).
    bias : bool, default True
        Train biases (not penalised). False: zero biases.
    method : {"palm", "sgd", "lbfgs"}
        Block proximal gradient with backtracking (monotone objective), proximal SGD, or
        (dense layers and fixed supports only) scipy's L-BFGS-B start by start, on the free
        entries -- the gradient methods can stall where a kink of a neuron sits exactly on a
        data point, and crawl on ill-conditioned problems; L-BFGS is much faster there.
    n_iter : int, default 500
        Sweeps over the layers (palm) or epochs (sgd).
    n_starts : int, default 1
        Random starts (ignored when ``init`` is given).
    batch_size : int, default 32
        Minibatch size for sgd.
    step : float, optional
        sgd step (default ``1 / n_samples``), decayed as ``step / sqrt(1 + epoch)``; palm:
        initial step (default 1).
    tol : float, default 1e-6
        palm: converged when the norm of the proximal-gradient mapping over a sweep
        (``sqrt(sum_l ||W_l^+ - W_l||^2 / t_l^2)``) is at most ``tol * (1 + F)``; sgd: when
        the relative change of ``F`` over an epoch is at most ``tol``; lbfgs: projected
        gradient tolerance ``tol * 1e-3`` (scipy's ``gtol``), success reported by scipy.
    init : (weights, biases), optional
        Batched initial parameters (each with a leading start axis).
    init_scale : float, default 1
        Standard deviation times ``sqrt(fan_in)`` of the Gaussian initialisation.
    restarts : int, default 0
        Rounds of the neuron-restart heuristic run after the trainer: for every hidden
        neuron in turn, its incoming weights and bias are negated (redrawn at random when
        the neuron is dead: inactive on every sample, up to 1e-6 relative) and its outgoing
        weights set to zero, and the same trainer is run again from there; a start keeps
        the new point only when its objective decreased. A neuron stuck in the wrong
        half-space (or collapsed to zero, or dead) is the typical spurious stationary point
        of a ReLU net, which the gradient cannot leave; this restart is a heuristic, not
        part of PALM's theory. ``history`` gets one record (best objective so far) per
        restart; ``converged`` and ``n_iter`` (summed) follow the kept runs.
    polish : bool, default False
        Finish with L-BFGS (:func:`scipy.optimize.minimize`) on the support of every
        start's final point (its non-zero weights stay free, the zeros stay zero: a fixed
        support contained in the constraint sets), kept only when the objective decreased
        (one more ``history`` record). Speeds up the slow final convergence of the
        proximal gradient on ill-conditioned problems.
    rng : Generator or int, optional

    Returns
    -------
    TrainResult

    Examples
    --------
    >>> X = np.array([[1., 2.], [2., 1.], [-1., 1.], [1., -1.], [0., 1.]])
    >>> Y = np.maximum(X @ [[1.], [-1.]], 0)
    >>> res = train_relu(X, Y, 2, n_iter=300, n_starts=4, rng=0)
    >>> bool(res.objective.min() < 1e-6)
    True
    """
    func = "train_relu"
    X, Y = _check_data(X, Y, func)
    sizes = _check_widths(widths, X, Y, func)
    cons = _check_constraints(constraints, sizes, func)
    wd = check_real(weight_decay, "weight_decay", func, low=0.0)
    method = check_choice(method, "method", func, ("palm", "sgd", "lbfgs"))
    if method == "lbfgs" and not all(_is_subspace(c, (sizes[l + 1], sizes[l]))
                                     for l, c in enumerate(cons)):
        raise param_error(func, "method", "'palm' or 'sgd' when constraints other than fixed "
                          "supports are given (lbfgs handles dense layers and supports)",
                          method)
    n_iter = check_int(n_iter, "n_iter", func, low=1)
    n_starts = check_int(n_starts, "n_starts", func, low=1)
    batch_size = check_int(batch_size, "batch_size", func, low=1)
    tol = check_real(tol, "tol", func, low=0.0)
    init_scale = check_real(init_scale, "init_scale", func, low=0.0, low_open=True)
    rng = check_rng(rng, func)
    if step is not None:
        step = check_real(step, "step", func, low=0.0, low_open=True)
    Ws, bs = (_init(sizes, n_starts, rng, cons, bias, init_scale) if init is None
              else _check_init(init, sizes, func))
    restarts = check_int(restarts, "restarts", func, low=0)
    run = {"palm": _palm, "sgd": _sgd, "lbfgs": _lbfgs}[method]
    args = (cons, wd, bool(bias), n_iter, tol, step, batch_size, rng)
    res = run(X, Y, Ws, bs, *args)
    records: list = []
    for _ in range(restarts):
        for l in range(len(sizes) - 2):
            for j in range(sizes[l + 1]):
                trial = _restart_neuron(res, X, l, j, cons, init_scale, rng)
                res = _keep_better(res, run(X, Y, *trial, *args), records)
    if polish:
        res = _keep_better(res, _polish(X, Y, res, wd, n_iter, tol), records)
    return _with_records(res, records)


def _palm(X, Y, Ws, bs, cons, wd, bias, n_iter, tol, step, batch_size, rng) -> TrainResult:
    S, L = Ws[0].shape[0], len(Ws)
    t = [np.full(S, 1.0 if step is None else step) for _ in range(L)]
    F = _smooth(Ws, bs, X, Y) + _penalty(Ws, wd)
    hist, norms = [], []
    active = np.ones(S, dtype=bool)
    n_done = np.full(S, n_iter)
    conv = np.zeros(S, dtype=bool)
    for it in range(n_iter):
        station = np.zeros(S)
        for l in range(L):
            loss, gW, gb = _grads(Ws, bs, X, Y)
            todo = active.copy()
            for _ in range(_MAX_BACKTRACK):
                if not todo.any():
                    break
                Wn = _prox(Ws[l] - t[l][:, None, None] * gW[l], t[l], wd, cons[l])
                bn = bs[l] - t[l][:, None] * gb[l] if bias else bs[l]
                trial_W, trial_b = list(Ws), list(bs)
                trial_W[l], trial_b[l] = Wn, bn
                new = _smooth(trial_W, trial_b, X, Y)
                dW, db = Wn - Ws[l], bn - bs[l]
                move = (dW ** 2).sum(axis=(1, 2)) + (db ** 2).sum(axis=1)
                quad = (loss + (gW[l] * dW).sum(axis=(1, 2)) + (gb[l] * db).sum(axis=1)
                        + move / (2 * t[l]))
                ok = todo & (new <= quad + 1e-12 * np.abs(loss))
                Ws[l] = np.where(ok[:, None, None], Wn, Ws[l])
                bs[l] = np.where(ok[:, None], bn, bs[l])
                station += np.where(ok, move / t[l] ** 2, 0.0)
                t[l] = np.where(ok, t[l] * 1.5, np.where(todo, t[l] * 0.5, t[l]))
                todo &= ~ok
        F = _smooth(Ws, bs, X, Y) + _penalty(Ws, wd)
        hist.append(F.copy())
        norms.append(_balanced_norm(Ws, bs))
        newly = active & (np.sqrt(station) <= tol * (1.0 + np.abs(F)))
        conv |= newly
        n_done[newly] = it + 1
        active &= ~newly
        if not active.any():
            break
    return _result(Ws, bs, F, hist, norms, conv, n_done, "palm", bias)


def _sgd(X, Y, Ws, bs, cons, wd, bias, n_iter, tol, step, batch_size, rng) -> TrainResult:
    n = X.shape[0]
    S = Ws[0].shape[0]
    step = 1.0 / n if step is None else step
    B = min(batch_size, n)
    F = _smooth(Ws, bs, X, Y) + _penalty(Ws, wd)
    hist, norms = [], []
    n_done = np.full(S, n_iter)
    conv = np.zeros(S, dtype=bool)
    for epoch in range(n_iter):
        F_old = F
        eta = step / np.sqrt(1.0 + epoch)
        tt = np.full(S, eta)
        order = rng.permutation(n)
        for start in range(0, n, B):
            idx = order[start:start + B]
            _, gW, gb = _grads(Ws, bs, X[idx], Y[idx], scale=n / idx.size)
            for l in range(len(Ws)):
                Ws[l] = _prox(Ws[l] - eta * gW[l], tt, wd, cons[l])
                if bias:
                    bs[l] = bs[l] - eta * gb[l]
        F = _smooth(Ws, bs, X, Y) + _penalty(Ws, wd)
        hist.append(F.copy())
        norms.append(_balanced_norm(Ws, bs))
        newly = ~conv & (np.abs(F_old - F) <= tol * np.maximum(np.abs(F_old), 1e-300))
        conv |= newly
        n_done[newly] = epoch + 1
    return _result(Ws, bs, F, hist, norms, conv, n_done, "sgd", bias)


def _lbfgs(X, Y, Ws, bs, cons, wd, bias, n_iter, tol, step, batch_size, rng) -> TrainResult:
    from scipy.optimize import minimize

    shapes = [W.shape[1:] for W in Ws] + ([b.shape[1:] for b in bs] if bias else [])
    sizes = np.cumsum([0] + [int(np.prod(sh)) for sh in shapes])
    L = len(Ws)

    def unpack(theta):
        parts = [theta[sizes[i]:sizes[i + 1]].reshape((1,) + sh) for i, sh in enumerate(shapes)]
        return parts[:L], (parts[L:] if bias else [np.zeros((1,) + W.shape[2:-1] + (W.shape[1],))
                                                  for W in Ws])

    masks = [1.0 if c is None else c.allowed(W.shape[1:]) for c, W in zip(cons, Ws)]

    def fun(theta):
        W, b = unpack(theta)
        loss, gW, gb = _grads(W, b, X, Y)
        F = loss[0] + _penalty(W, wd)[0]
        g = [(gw[0] + wd * w[0]) * m for gw, w, m in zip(gW, W, masks)] + (
            [g[0] for g in gb] if bias else [])
        return F, np.concatenate([x.ravel() for x in g])

    S = Ws[0].shape[0]
    hist, norms = np.full((S, n_iter), np.nan), np.full((S, n_iter), np.nan)
    conv, n_done = np.zeros(S, dtype=bool), np.zeros(S, dtype=int)
    outW, outb = [np.empty_like(W) for W in Ws], [np.zeros_like(b) for b in bs]
    for i in range(S):
        rec: list = []
        theta0 = np.concatenate([W[i].ravel() for W in Ws] + ([b[i].ravel() for b in bs]
                                                              if bias else []))
        res = minimize(fun, theta0, jac=True, method="L-BFGS-B",
                       callback=lambda intermediate_result: rec.append(
                           (intermediate_result.x.copy(), float(intermediate_result.fun))),
                       options=dict(maxiter=n_iter, gtol=tol * 1e-3, ftol=1e-13))
        W, b = unpack(res.x)
        for l in range(L):
            outW[l][i], outb[l][i] = W[l][0], b[l][0]
        rec = (rec or [(res.x, float(res.fun))])[:n_iter]
        hist[i, :len(rec)] = [f for _, f in rec]
        norms[i, :len(rec)] = [_balanced_norm(*unpack(th))[0] for th, _ in rec]
        hist[i, len(rec):], norms[i, len(rec):] = hist[i, len(rec) - 1], norms[i, len(rec) - 1]
        conv[i], n_done[i] = bool(res.success), int(res.nit)
    F = _smooth(outW, outb, X, Y) + _penalty(outW, wd)
    last = max(1, int(n_done.max()))
    return _result(outW, outb, F, list(hist[:, :last].T), list(norms[:, :last].T), conv, n_done,
                   "lbfgs", bias)


def _restart_neuron(res: TrainResult, X, l: int, j: int, cons, scale: float, rng):
    """Restart neuron ``j`` of hidden layer ``l``: incoming weights and bias negated (redrawn
    at random when the neuron is dead, i.e. its largest activation is below 1e-6 times the
    layer's), outgoing weights zeroed."""
    Ws, bs = [W.copy() for W in res.weights], [b.copy() for b in res.biases]
    H = _forward(Ws, bs, X)[l + 1]                         # (S, n, width), after ReLU
    dead = H[:, :, j].max(axis=1) <= 1e-6 * H.max(axis=(1, 2))
    fresh = rng.normal(size=Ws[l][:, j].shape) * scale / np.sqrt(Ws[l].shape[2])
    Ws[l][:, j] = np.where(dead[:, None], fresh, -Ws[l][:, j])
    bs[l][:, j] = np.where(dead, 0.0, -bs[l][:, j])
    Ws[l + 1][:, :, j] = 0.0
    for k in (l, l + 1):
        if cons[k] is not None:
            Ws[k] = cons[k].project(Ws[k])
    return Ws, bs


def _polish(X, Y, res: TrainResult, wd: float, n_iter: int, tol: float) -> TrainResult:
    """L-BFGS start by start on the support of the final point."""
    parts = []
    for i in range(res.objective.size):
        Ws = [W[i:i + 1] for W in res.weights]
        cons = [support(W[0] != 0) for W in Ws]
        parts.append(_lbfgs(X, Y, [W.copy() for W in Ws], [b[i:i + 1].copy() for b in res.biases],
                            cons, wd, res.bias, n_iter, tol, None, 1, None))
    Ws = [np.concatenate([p.weights[l] for p in parts]) for l in range(len(res.weights))]
    bs = [np.concatenate([p.biases[l] for p in parts]) for l in range(len(res.biases))]
    F = np.concatenate([p.objective for p in parts])
    return _result(Ws, bs, F, [F], [_balanced_norm(Ws, bs)], np.concatenate(
        [p.converged for p in parts]), np.concatenate([p.n_iter for p in parts]), "lbfgs",
        res.bias)


def _keep_better(res: TrainResult, new: TrainResult, records: list) -> TrainResult:
    """Per start, ``new`` where its objective is smaller; record the best objective so far."""
    ok = new.objective < res.objective - 1e-12 * np.abs(res.objective)
    Ws = [np.where(ok[:, None, None], a, b) for a, b in zip(new.weights, res.weights)]
    bs = [np.where(ok[:, None], a, b) for a, b in zip(new.biases, res.biases)]
    F = np.where(ok, new.objective, res.objective)
    records.append((F, _balanced_norm(Ws, bs)))
    return TrainResult(tuple(Ws), tuple(bs), F, res.history, res.norm_history,
                       np.where(ok, new.converged, res.converged),
                       res.n_iter + np.where(ok, new.n_iter, 0), res.diverging, res.method,
                       res.bias)


def _with_records(res: TrainResult, records: list) -> TrainResult:
    if not records:
        return res
    H = np.hstack([res.history] + [F[:, None] for F, _ in records])
    N = np.hstack([res.norm_history] + [n[:, None] for _, n in records])
    return TrainResult(res.weights, res.biases, res.objective, H, N, res.converged, res.n_iter,
                       diverging(H, N) & ~res.converged, res.method, res.bias)


def _result(Ws, bs, F, hist, norms, conv, n_done, method, bias) -> TrainResult:
    H, N = np.array(hist).T, np.array(norms).T
    return TrainResult(tuple(Ws), tuple(bs), F, H, N, conv, n_done,
                       diverging(H, N) & ~conv, method, bias)


# --------------------------------------------------------------------------------------
# pruning and supermasks
# --------------------------------------------------------------------------------------

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

    def __repr__(self) -> str:
        return (f"PruningResult(density={self.density[-1]:.3f}, "
                f"objective={np.array2string(self.objective, precision=4)})")


def _prune(W: np.ndarray, mask: np.ndarray, keep: int) -> np.ndarray:
    return project_topk(np.where(mask, np.abs(W) + 1e-300, 0.0), keep) != 0


def magnitude_pruning(X: Any, Y: Any, widths: Any, *, sparsity: float = 0.9,
                      n_rounds: int = 3, rewind_iter: int = 10, n_iter: int = 300,
                      weight_decay: float = 0.0, bias: bool = True, rng: Any = None
                      ) -> PruningResult:
    """Iterative magnitude pruning with rewinding (lottery tickets, Frankle et al.).

    Train dense; then ``n_rounds`` times: keep the largest-magnitude weights of every layer
    (density ``(1 - sparsity)^(r / n_rounds)``), rewind the kept weights to their values
    after ``rewind_iter`` sweeps of the dense training, retrain on the support
    (:func:`landscape.projections.support` constraints, PALM).

    >>> X = np.random.default_rng(0).normal(size=(40, 4))
    >>> res = magnitude_pruning(X, X[:, :1] - X[:, 1:2], 4, sparsity=0.5, n_rounds=2,
    ...                         n_iter=100, rng=0)
    >>> float(res.density[-1])
    0.5
    """
    func = "magnitude_pruning"
    X, Y = _check_data(X, Y, func)
    sizes = _check_widths(widths, X, Y, func)
    sparsity = check_real(sparsity, "sparsity", func, low=0.0, high=1.0)
    n_rounds = check_int(n_rounds, "n_rounds", func, low=1)
    rewind_iter = check_int(rewind_iter, "rewind_iter", func, low=0)
    n_iter = check_int(n_iter, "n_iter", func, low=1)
    rng = check_rng(rng, func)
    opts = dict(weight_decay=weight_decay, bias=bias)
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

    def __repr__(self) -> str:
        return (f"SupermaskResult(objective={self.history[-1]:.6g}, "
                f"density={[round(float(m.mean()), 3) for m in self.masks]})")


def supermask(X: Any, Y: Any, widths: Any, *, density: float = 0.5, n_iter: int = 200,
              batch_size: int = 32, step: float = 0.1, rng: Any = None) -> SupermaskResult:
    """Find a good subnetwork of a fixed random network by learning scores (Zhou et al.).

    Forward: ``W_eff = W * mask`` with ``mask`` the top ``density`` fraction of the scores
    of each layer; backward: straight-through estimator ``dF/dscores = dF/dW_eff * W``;
    minibatch SGD on the scores (normalised by the sample count).

    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> res = supermask(X, np.abs(X[:, :1]), 32, density=0.5, n_iter=30, rng=0)
    >>> bool(res.history[-1] < res.history[0])
    True
    """
    func = "supermask"
    X, Y = _check_data(X, Y, func)
    sizes = _check_widths(widths, X, Y, func)
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
            _, gW, _ = _grads([W * m for W, m in zip(Ws, M)], bs, X[idx], Y[idx],
                              scale=1.0 / idx.size)
            scores = [s - step * g * W for s, g, W in zip(scores, gW, Ws)]
        M = masks_of(scores)
        hist.append(float(_smooth([W * m for W, m in zip(Ws, M)], bs, X, Y)[0]))
    M = masks_of(scores)
    return SupermaskResult(tuple(W[0] for W in Ws), tuple(b[0] for b in bs),
                           tuple(s[0] for s in scores), tuple(m[0] for m in M), np.array(hist))


# --------------------------------------------------------------------------------------
# convex global reference (Pilanci & Ergen 2020)
# --------------------------------------------------------------------------------------

def _cells_2d(A: np.ndarray) -> np.ndarray:
    """One direction in every open cell of the central line arrangement {a_k^T u = 0}."""
    phi = np.arctan2(A[:, 1], A[:, 0])
    crit = np.sort(np.mod(np.concatenate([phi + np.pi / 2, phi - np.pi / 2]), 2 * np.pi))
    crit = np.unique(crit)
    mids = (crit + np.diff(np.concatenate([crit, crit[:1] + 2 * np.pi])) / 2)
    return np.stack([np.cos(mids), np.sin(mids)], axis=1)


def _cells_3d(A: np.ndarray) -> np.ndarray:
    """One direction in every open cell of a central plane arrangement in R^3.

    Every cell of an essential arrangement is a pointed cone with an extreme ray
    ``±(a_k x a_l)``; around each ray, the planes through it cut its tangent plane into
    2-D cells, whose directions are pushed off the ray by less than the distance to the
    other planes.
    """
    An = A / np.linalg.norm(A, axis=1, keepdims=True)
    dirs = []
    for k in range(len(An)):
        for l in range(k + 1, len(An)):
            r = np.cross(An[k], An[l])
            nr = np.linalg.norm(r)
            if nr < 1e-12:
                continue
            for ray in (r / nr, -r / nr):
                dots = An @ ray
                on = np.abs(dots) < 1e-10
                basis = np.linalg.svd(ray[None, :])[2][1:]          # tangent plane
                local = _cells_2d(An[on] @ basis.T) @ basis
                eps = 0.5 * np.min(np.abs(dots[~on]), initial=1.0)
                dirs.append(ray + eps * local)
    if not dirs:     # all planes parallel: the arrangement is that of one normal
        return np.array([An[0], -An[0]])
    return np.concatenate(dirs)


def _integer_rows(A: np.ndarray) -> list[tuple[int, ...]]:
    """Each float row as the primitive integer vector of the same line (floats are exact
    dyadic rationals), sign fixed by its first non-zero entry."""
    out = []
    for row in A:
        fr = [Fraction(float(x)) for x in row]
        den = math.lcm(*(f.denominator for f in fr))
        v = [int(f * den) for f in fr]
        g = math.gcd(*v)
        v = [x // g for x in v]
        sign = 1 if next(x for x in v if x) > 0 else -1
        out.append(tuple(sign * x for x in v))
    return out


def _cell_count(A: np.ndarray) -> int:
    """Number of open cells of the central arrangement ``{a_k^T u = 0}`` (non-zero rows, at
    most 3 columns), exactly (Zaslavsky): 2 for rank 1, ``2 n`` for rank 2 (``n`` distinct
    hyperplanes), ``2 + 2 sum_L (m_L - 1)`` for rank 3 (``m_L`` hyperplanes through the
    intersection line ``L``)."""
    H = sorted(set(_integer_rows(A)))
    rank = np.linalg.matrix_rank(np.array(H, dtype=float)) if len(H) < 3 else \
        rank_exact(np.array(H, dtype=object)).rank
    if rank == 1:
        return 2
    if rank == 2:
        return 2 * len(H)
    lines: dict[tuple, set] = {}
    for i, j in itertools.combinations(range(len(H)), 2):
        (a1, a2, a3), (b1, b2, b3) = H[i], H[j]
        L = _integer_rows(np.array([[a2 * b3 - a3 * b2, a3 * b1 - a1 * b3,
                                     a1 * b2 - a2 * b1]], dtype=object))[0]
        lines.setdefault(L, set()).update((i, j))
    return 2 + 2 * sum(len(m) - 1 for m in lines.values())


def _cell_directions(A: np.ndarray, U: np.ndarray) -> tuple[np.ndarray, bool]:
    """One direction per distinct float sign vector of ``A u`` (the one farthest from the
    hyperplanes), and whether all their signs are confirmed, non-zero, in exact arithmetic."""
    G = A @ U.T                                          # (n_A, n_u)
    margin = np.min(np.abs(G) / np.linalg.norm(A, axis=1)[:, None], axis=0) / \
        np.linalg.norm(U, axis=1)
    ok = margin > 0
    S, U, margin = np.sign(G[:, ok]).T.astype(np.int8), U[ok], margin[ok]
    _, inverse = np.unique(S, axis=0, return_inverse=True)
    best = {}
    for t in np.argsort(-margin, kind="stable"):       # keep the widest margin per cell
        best.setdefault(int(inverse[t]), t)
    reps = np.array(sorted(best.values()), dtype=int)
    Ai = [[Fraction(float(x)) for x in row] for row in A]
    for t in reps:
        u = [Fraction(float(x)) for x in U[t]]
        for k, a in enumerate(Ai):
            v = sum(x * y for x, y in zip(a, u))
            if (v > 0) - (v < 0) != S[t, k]:
                return U[reps], False
    return U[reps], True


def activation_patterns(X: Any, *, n_samples: int | None = None, rng: Any = None
                        ) -> tuple[np.ndarray, bool]:
    """The distinct activation patterns ``1[X u >= 0]`` of the rows of ``X``.

    Returns ``(patterns, exhaustive)`` with ``patterns`` a bool array
    ``(n_patterns, n_rows)``. With at most 3 columns and ``n_samples`` None, one direction
    per cell of the hyperplane arrangement ``{x_k^T u = 0}`` is computed in floating point,
    then certified: ``exhaustive`` is True only when every direction's signs, recomputed in
    exact rational arithmetic (floats are exact dyadic rationals), are non-zero and the
    number of distinct sign vectors equals the exact number of cells (Zaslavsky's count
    from the intersection lattice); otherwise -- or with ``n_samples`` random Gaussian
    directions (default 200, when ``X`` has more columns) -- it is False.

    >>> P, ex = activation_patterns(np.array([[1., 0.], [0., 1.], [1., 1.]]))
    >>> ex, len(P)
    (True, 6)
    """
    func = "activation_patterns"
    X = as_matrix(X, "X", func, allow_complex=False).astype(np.float64)
    d = X.shape[1]
    rows = np.linalg.norm(X, axis=1) > 0
    if n_samples is None and d <= 3:
        A = X[rows]
        if not len(A):
            U, exhaustive = np.ones((1, d)), True
        else:
            U = np.array([[1.0], [-1.0]]) if d == 1 else _cells_2d(A) if d == 2 else \
                _cells_3d(A)
            U, confirmed = _cell_directions(A, U)
            exhaustive = confirmed and len(U) == _cell_count(A)
    else:
        n_samples = 200 if n_samples is None else check_int(n_samples, "n_samples", func, low=1)
        U = check_rng(rng, func).normal(size=(n_samples, d))
        exhaustive = False
    P = X @ U.T >= 0
    P[~rows] = True
    return np.unique(P.T, axis=0), exhaustive


@dataclass(frozen=True, repr=False)
class ConvexReference:
    """Global optimum of the two-layer weight-decay problem via its convex reformulation.

    Attributes
    ----------
    value : float
        Optimal value of the convex program (= non-convex optimum when ``exhaustive``).
    net : ReLUNet
        A network (no biases; put a column of ones in X for a hidden bias) attaining
        ``value`` in the non-convex objective, recovered as ``u = v/sqrt||v||``,
        ``alpha = ±sqrt||v||`` for every non-zero ``v_i`` / ``w_i``.
    objective : float
        The non-convex objective of ``net`` (equal to ``value`` up to solver accuracy).
    exhaustive : bool
        Whether every activation pattern was used (certified global value) or they were
        sampled ("sampled, lower bound not certified": ``value`` is then only an upper
        bound of the optimum).
    n_patterns, n_neurons : int
        Patterns used; neurons of the recovered net (the width needed to attain it), after
        dropping negligible neurons and merging parallel ones whenever that leaves the
        objective within ``1e-6 |value|``.
    status : str
        cvxpy status.
    solve_time : float
        Seconds spent in the solver.
    lower_bound : float or None
        With every pattern (``exhaustive``): a rigorous lower bound of the optimum of every
        width, from a dual feasible point (see :func:`_dual_lower_bound`); the global
        optimum of a net with at least ``n_neurons`` neurons lies in
        ``[lower_bound, objective]``. None when the patterns were sampled.
    """

    value: float
    net: ReLUNet
    objective: float
    exhaustive: bool
    n_patterns: int
    n_neurons: int
    status: str
    solve_time: float
    lower_bound: float | None = None

    @property
    def note(self) -> str:
        """How far the value is certified."""
        if not self.exhaustive:
            return "sampled, lower bound not certified (value is an upper bound)"
        if self.lower_bound is None:
            return "exhaustive: all activation patterns, no dual bound"
        return (f"exhaustive: all activation patterns, optimum in [{self.lower_bound:.10g}, "
                f"{self.objective:.10g}] (dual bound, attained network)")

    def __repr__(self) -> str:
        return (f"ConvexReference(value={self.value:.8g}, n_neurons={self.n_neurons}, "
                f"n_patterns={self.n_patterns}, {self.note}, status={self.status!r})")


def _nonconvex_objective(W1: np.ndarray, w2: np.ndarray, X, y, beta: float) -> float:
    r = np.maximum(X @ W1.T, 0) @ w2 - y
    return float(0.5 * r @ r + 0.5 * beta * ((W1 ** 2).sum() + (w2 ** 2).sum()))


def convex_reference(X: Any, y: Any, *, beta: float, n_patterns: int | None = None,
                     rng: Any = None, solver: str | None = None) -> ConvexReference:
    """Global optimum of ``1/2 ||relu(X W1^T) w2 - y||^2 + beta/2 (||W1||^2 + ||w2||^2)``.

    Parameters
    ----------
    X : array (n_samples, d)
        Design; append a column of ones for a hidden-layer bias (it is then penalised like a
        weight).
    y : array (n_samples,)
        Scalar targets.
    beta : float > 0
        Weight decay.
    n_patterns : int, optional
        Sample this many activation patterns instead of enumerating them (default:
        enumerate when ``d <= 3``, else 200 samples).
    rng : Generator or int, optional
    solver : str, optional
        cvxpy solver name (default: cvxpy's choice).

    Returns
    -------
    ConvexReference

    Examples
    --------
    >>> X = np.array([[1., 1.], [2., 1.], [-1., 1.], [0., 1.]])
    >>> ref = convex_reference(X, [1., 2., 0., 0.], beta=0.01)
    >>> ref.exhaustive, bool(abs(ref.objective - ref.value) < 1e-5)
    (True, True)
    """
    import cvxpy as cp

    func = "convex_reference"
    X = as_matrix(X, "X", func, allow_complex=False).astype(np.float64)
    y = as_matrix(y, "y", func, allow_complex=False, ndim=1).astype(np.float64)
    if y.shape[0] != X.shape[0]:
        raise param_error(func, "y", f"length {X.shape[0]}", f"length {y.shape[0]}", raw=True)
    beta = check_real(beta, "beta", func, low=0.0, low_open=True)
    P, exhaustive = activation_patterns(X, n_samples=n_patterns, rng=rng)
    D = P.T.astype(float)                       # (n, p)
    p, d = P.shape[0], X.shape[1]
    V, W = cp.Variable((p, d)), cp.Variable((p, d))
    pred = cp.sum(cp.multiply(D, X @ (V - W).T), axis=1)
    sign = 2 * D - 1
    obj = 0.5 * cp.sum_squares(pred - y) + beta * (cp.sum(cp.norm(V, 2, axis=1))
                                                   + cp.sum(cp.norm(W, 2, axis=1)))
    prob = cp.Problem(cp.Minimize(obj), [cp.multiply(sign, X @ V.T) >= 0,
                                         cp.multiply(sign, X @ W.T) >= 0])
    t0 = time.perf_counter()
    prob.solve(solver=solver)
    elapsed = time.perf_counter() - t0
    W1, w2 = _smallest_network(V.value, W.value, X, y, beta, float(prob.value))
    lower = None
    if exhaustive:
        residual = np.sum(D * (X @ (V.value - W.value).T), axis=1) - y
        lower = _dual_lower_bound(X, y, P, beta, residual)
    return ConvexReference(float(prob.value), ReLUNet([W1, w2[None, :]]),
                           _nonconvex_objective(W1, w2, X, y, beta), exhaustive, p,
                           int(np.count_nonzero(w2)), str(prob.status), elapsed, lower)


def _dual_lower_bound(X: np.ndarray, y: np.ndarray, P: np.ndarray, beta: float,
                      lam: np.ndarray) -> float:
    """A rigorous lower bound of the convex program (hence of the non-convex optimum of every
    width) from the residual ``lam`` of its numerical solution.

    Weak duality (``1/2 ||e||^2 >= lam^T e - 1/2 ||lam||^2``) gives
    ``P >= -t lam^T y - t^2 ||lam||^2 / 2`` for every ``t >= 0`` such that, for every
    pattern ``D_i`` and sign, ``max {±(X^T D_i t lam)^T v : v in K_i, ||v|| <= 1} <= beta``
    with ``K_i = {v : (2 D_i - I) X v >= 0}``. That maximum is the norm of the projection of
    ``g = ±X^T D_i lam`` on the cone ``K_i``, at most ``||g + A_i^T mu||`` for any
    ``mu >= 0`` (``-A_i^T mu`` is in the polar cone, Moreau), ``mu`` from a non-negative
    least-squares fit; the floating-point error of that norm is bounded a priori
    (``gamma_{2n+4}`` times the sum of absolute terms) and added. The bound itself is
    evaluated in exact rational arithmetic and rounded down. Valid only when ``P`` holds
    every activation pattern of ``X``.
    """
    from scipy.optimize import nnls

    n = X.shape[0]
    gamma = (2 * n + 4) * np.finfo(float).eps * 1.01
    worst = 0.0
    for Di in P.astype(float):
        g = X.T @ (Di * lam)
        A = (2 * Di - 1)[:, None] * X
        for sgn in (1.0, -1.0):
            mu = np.maximum(nnls(A.T, -sgn * g)[0], 0.0)      # any mu >= 0 is valid
            c = sgn * g + A.T @ mu
            err = gamma * (np.abs(X).T @ (np.abs(lam) * Di + mu))
            worst = max(worst, float(np.linalg.norm(np.abs(c) + err)) * (1 + gamma))
    lam_q = [Fraction(float(v)) for v in lam]
    y_q = [Fraction(float(v)) for v in y]
    dot = sum(a * b for a, b in zip(lam_q, y_q))
    sq = sum(a * a for a in lam_q)
    if sq == 0:
        return 0.0
    best_t = max(Fraction(0), -dot / sq)                  # maximiser of the bound in t
    if worst > 0:
        best_t = min(best_t, Fraction(beta / worst * (1 - 4 * np.finfo(float).eps)))
    bound = -best_t * dot - best_t * best_t * sq / 2
    return math.nextafter(float(bound), -math.inf)


def _smallest_network(V: np.ndarray, W: np.ndarray, X: np.ndarray, y: np.ndarray, beta: float,
                      value: float) -> tuple[np.ndarray, np.ndarray]:
    """The network ``u = v / sqrt||v||``, ``alpha = ±sqrt||v||`` of the convex solution,
    reduced by :func:`_reduced` (negligible neurons dropped, parallel ones merged: both keep
    the function and, balanced, the weight decay) with the largest tolerance in 1e-6 ... 1e-1
    whose objective stays within ``1e-6 |value|`` of the unreduced network's (interior-point
    solvers spread the mass over many tiny or nearly parallel ``v_i``)."""
    M = np.vstack([V, W])
    sgn = np.r_[np.ones(len(V)), -np.ones(len(W))]
    nrm = np.linalg.norm(M, axis=1)
    keep = np.flatnonzero(nrm > 0)
    if keep.size == 0:
        return np.zeros((1, M.shape[1])), np.zeros(1)
    root = np.sqrt(nrm[keep])
    W1, w2 = M[keep] / root[:, None], sgn[keep] * root
    full = _nonconvex_objective(W1, w2, X, y, beta)
    best = (W1, w2)
    for t in (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1):
        net = _reduced(ReLUNet([W1, w2[None, :]]), t)
        A, a = net.weights[0], net.weights[1][0]
        if _nonconvex_objective(A, a, X, y, beta) > full + 1e-6 * max(abs(value), 1e-300):
            break
        best = (A, a)
    return best


# --------------------------------------------------------------------------------------
# landscape sampling against the convex reference
# --------------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class ReLUProblem:
    """A one-hidden-layer ReLU training problem, dense or with fixed supports.

    ``X`` (n, d) is the raw data; with ``bias=True`` a column of ones is appended (a hidden
    bias, penalised like a weight, as in the convex reformulation). Objective:
    ``1/2 ||relu(Xb W1^T) W2^T - Y||^2 + beta/2 (||W1||^2 + ||W2||^2)`` with ``Xb`` the
    :attr:`design`, ``Y`` the targets ``y`` as an (n, outputs) matrix, and, when
    ``supports`` is given, the weights restricted to those masks.

    Parameters
    ----------
    X : array (n, d)
    y : array (n,) or (n, outputs)
    width : int
    beta : float >= 0
        Weight decay. With ``beta > 0`` an optimum always exists (coercive objective);
        ``beta = 0`` with sparse supports can have none (THEORY C28: starts then diverge).
    bias : bool, default True
    supports : (mask of W1 (width, design columns), mask of W2 (outputs, width)), optional
        Fixed supports (the last design column is the hidden bias when ``bias``).

    The convex reference of :func:`sample_relu` exists for scalar outputs and ``beta > 0``;
    with supports its value is still a lower bound (the sparse networks are among the dense
    ones).

    >>> ReLUProblem(np.ones((3, 2)), np.zeros(3), width=4, beta=0.1).design.shape
    (3, 3)
    """

    X: np.ndarray
    y: np.ndarray
    width: int
    beta: float
    bias: bool = True
    supports: tuple | None = None

    def __post_init__(self) -> None:
        func = "ReLUProblem"
        X = as_matrix(self.X, "X", func, allow_complex=False).astype(np.float64)
        y = np.asarray(self.y)
        y = as_matrix(y, "y", func, allow_complex=False, ndim=y.ndim if y.ndim in (1, 2) else 1
                      ).astype(np.float64)
        if y.shape[0] != X.shape[0]:
            raise param_error(func, "y", f"length {X.shape[0]}", f"length {y.shape[0]}",
                              raw=True)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "width", check_int(self.width, "width", func, low=1))
        object.__setattr__(self, "beta", check_real(self.beta, "beta", func, low=0.0))
        if self.supports is not None:
            items = list(self.supports)
            if len(items) != 2:
                raise param_error(func, "supports", "two masks (W1 on the design, W2)",
                                  f"{len(items)} masks", raw=True)
            want = [(self.width, self.design.shape[1]), (self.Y.shape[1], self.width)]
            object.__setattr__(self, "supports", tuple(
                as_support(m, f"supports[{l}]", func, shape=sh)
                for l, (m, sh) in enumerate(zip(items, want))))

    @property
    def design(self) -> np.ndarray:
        """``X`` with a column of ones appended when ``bias``."""
        return np.hstack([self.X, np.ones((len(self.X), 1))]) if self.bias else self.X

    @property
    def Y(self) -> np.ndarray:
        """The targets as an (n, outputs) matrix."""
        return self.y[:, None] if self.y.ndim == 1 else self.y

    @property
    def masks(self) -> tuple:
        """The supports, or all-True masks for a dense problem."""
        return self.supports or (np.ones((self.width, self.design.shape[1]), bool),
                                 np.ones((self.Y.shape[1], self.width), bool))

    @property
    def convex_applies(self) -> bool:
        """Scalar output and ``beta > 0``: the convex reformulation gives a reference."""
        return self.Y.shape[1] == 1 and self.beta > 0

    def objective_batch(self, weights: Sequence[np.ndarray]) -> np.ndarray:
        """Objective of a batch of networks ``(W1 (b, width, design cols), W2 (b, outputs,
        width))`` (entries outside the supports are taken as they are).

        >>> prob = ReLUProblem(np.ones((3, 1)), np.ones(3), width=1, beta=1.0, bias=False)
        >>> prob.objective_batch([np.ones((1, 1, 1)), np.ones((1, 1, 1))]).tolist()
        [1.0]
        """
        W1, W2 = weights
        zeros = [np.zeros(W1.shape[:2]), np.zeros(W2.shape[:2])]
        return _smooth([W1, W2], zeros, self.design, self.Y) + _penalty([W1, W2], self.beta)

    def fingerprint(self) -> str:
        """A hash of the data and sizes (matches a checkpoint to its run)."""
        h = hashlib.sha256(np.ascontiguousarray(self.X).tobytes())
        h.update(np.ascontiguousarray(self.y).tobytes())
        h.update(repr((self.X.shape, self.y.shape, self.width, self.beta, self.bias)).encode())
        for m in self.supports or ():
            h.update(np.packbits(m).tobytes() + repr(m.shape).encode())
        return h.hexdigest()

    def __repr__(self) -> str:
        sparse = "" if self.supports is None else \
            f", supports with {sum(int(m.sum()) for m in self.supports)} weights"
        return (f"ReLUProblem(n={self.X.shape[0]}, d={self.X.shape[1]}, "
                f"outputs={self.Y.shape[1]}, width={self.width}, beta={self.beta}, "
                f"bias={self.bias}{sparse})")


def _reduced(net: ReLUNet, rel: float) -> ReLUNet:
    """Drop neurons of negligible balanced size and merge parallel neurons of equal sign.

    With weight decay a neuron can be split into parallel copies at no cost, so optima are
    compared through their "neuron measure" (direction, signed mass ``||in|| * out``).
    """
    W1, W2 = net.weights
    nin = np.linalg.norm(W1, axis=1)
    mass = nin * W2[0]
    keep = np.abs(mass) > rel ** 2 * max(np.abs(mass).max(), 1e-300)
    order = np.flatnonzero(keep)[np.argsort(-np.abs(mass[keep]), kind="stable")]
    U = W1[order] / nin[order, None]
    dirs = np.empty_like(U)
    masses = np.empty(order.size)
    k = 0
    for u, m in zip(U, mass[order]):        # heaviest first; merge into the first parallel one
        hit = np.flatnonzero((np.abs(dirs[:k] - u).max(axis=1) <= rel)
                             & (np.sign(masses[:k]) == np.sign(m)))
        if hit.size:
            masses[hit[0]] += m
        else:
            dirs[k], masses[k] = u, m
            k += 1
    if k == 0:
        return ReLUNet([np.zeros((1, W1.shape[1])), np.zeros((1, 1))])
    root = np.sqrt(np.abs(masses[:k]))
    return ReLUNet([dirs[:k] * root[:, None], (np.sign(masses[:k]) * root)[None, :]])


def _equivalence_classes(nets: list, tol: float) -> int:
    """Number of classes of ``nets`` modulo :func:`identifiability.relu.equivalent`."""
    reps: list[ReLUNet] = []
    for net in nets:
        if not any(r.widths == net.widths and equivalent(r, net, tol=tol) for r in reps):
            reps.append(net)
    return len(reps)


def _relu_clusters(problem: ReLUProblem, idx: np.ndarray, F: np.ndarray, train: TrainResult,
                   tol: float) -> list[tuple[np.ndarray, int]]:
    """Clusters of the starts ``idx``: objective within ``tol`` (relative) and outputs on the
    data within ``tol * ||Y||``; inside each, the equivalence classes modulo the ReLU
    symmetries (after merging parallel neurons for dense scalar-output problems). Returns
    ``(members, n_classes)`` by increasing objective."""
    if idx.size == 0:
        return []
    order = idx[np.argsort(F[idx], kind="stable")]
    out = _forward([W[order] for W in train.weights], [b[order] for b in train.biases],
                   problem.design)[-1].reshape(order.size, -1)
    scale = tol * max(float(np.linalg.norm(problem.Y)), 1e-300)
    label = np.full(order.size, -1)
    groups = []
    for t in range(order.size):
        if label[t] >= 0:
            continue
        near = (label < 0) & (F[order] <= F[order[t]] + tol * max(abs(F[order[t]]), 1e-300)) \
            & (np.linalg.norm(out - out[t], axis=1) <= scale)
        label[near] = len(groups)
        groups.append(order[near])
    merge = problem.supports is None and problem.Y.shape[1] == 1
    return [(m, _equivalence_classes([_reduced(train.net(int(i)), tol) if merge
                                      else train.net(int(i)) for i in m], tol)) for m in groups]


def _train_chunk(seed: np.random.SeedSequence, n: int, X: np.ndarray, y: np.ndarray,
                 opts: dict) -> dict[str, np.ndarray]:
    """``n`` starts of :func:`train_relu` from ``seed`` as a dict of arrays (for map_chunks)."""
    r = train_relu(X, y, n_starts=n, rng=np.random.default_rng(seed), **opts)
    out = {f"W{l}": W for l, W in enumerate(r.weights)}
    out.update({f"b{l}": b for l, b in enumerate(r.biases)})
    out.update(objective=r.objective, history=r.history, norm_history=r.norm_history,
               converged=r.converged, n_iter=r.n_iter)
    return out


def _merge_chunks(parts: list[dict], L: int, method: str, bias: bool) -> TrainResult:
    """Concatenate chunk results; shorter histories are padded with their last record."""
    T = max(p["history"].shape[1] for p in parts)

    def pad(H):
        return np.concatenate([H, np.repeat(H[:, -1:], T - H.shape[1], axis=1)], axis=1)

    H = np.concatenate([pad(p["history"]) for p in parts])
    N = np.concatenate([pad(p["norm_history"]) for p in parts])
    conv = np.concatenate([p["converged"] for p in parts]).astype(bool)
    return TrainResult(tuple(np.concatenate([p[f"W{l}"] for p in parts]) for l in range(L)),
                       tuple(np.concatenate([p[f"b{l}"] for p in parts]) for l in range(L)),
                       np.concatenate([p["objective"] for p in parts]), H, N, conv,
                       np.concatenate([p["n_iter"] for p in parts]),
                       diverging(H, N) & ~conv, method, bias)


def _stationarity(problem: ReLUProblem, W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """Norm of the objective's gradient per start, divided by ``||y||^(3/2)`` (invariant
    under ``y -> c y`` at balanced weights, as for the linear problems)."""
    zeros = [np.zeros(W1.shape[:2]), np.zeros(W2.shape[:2])]
    _, gW, _ = _grads([W1, W2], zeros, problem.design, problem.Y)
    g2 = sum((((g + problem.beta * W) * m) ** 2).sum(axis=(1, 2))
             for g, W, m in zip(gW, (W1, W2), problem.masks))
    return np.sqrt(g2) / max(float(np.linalg.norm(problem.y)), 1e-300) ** 1.5


#: Norm growth over the second half of a run that :func:`sample_relu` calls diverging (the
#: slow divergence of C28 grows the balanced norm by about 10 % from sweep 1500 to 3000).
_GROWTH = 1.05

#: Perturbation radii (relative to the parameter norm) and directions per radius of the
#: descent test that separates spurious local minima from saddles.
_RADII, _N_DIRECTIONS = (1e-2, 3e-2, 1e-1), 64


def _descent(problem: ReLUProblem, W1: np.ndarray, W2: np.ndarray,
             rng: np.random.Generator) -> tuple | None:
    """A random perturbation ``(dW1, dW2)`` that decreases the objective, or None.

    Radii are relative to the parameter norm, or to the natural weight scale
    ``sqrt(||y|| / ||X||)`` when that is larger (e.g. at the origin).
    """
    theta = np.concatenate([W1.ravel(), W2.ravel()])
    free = np.concatenate([m.ravel() for m in problem.masks])
    F0 = float(problem.objective_batch([W1[None], W2[None]])[0])
    natural = np.sqrt(np.linalg.norm(problem.y) / max(np.linalg.norm(problem.design), 1e-300))
    scale = max(float(np.linalg.norm(theta)), float(natural), 1e-12)
    for r in _RADII:
        U = rng.standard_normal((_N_DIRECTIONS, theta.size)) * free
        U *= r * scale / np.linalg.norm(U, axis=1, keepdims=True)
        T = theta + U
        F = problem.objective_batch([T[:, :W1.size].reshape(-1, *W1.shape),
                                     T[:, W1.size:].reshape(-1, *W2.shape)])
        j = int(np.argmin(F))
        if F[j] < F0 - 1e-8 * max(1.0, abs(F0)):
            return U[j, :W1.size].reshape(W1.shape), U[j, W1.size:].reshape(W2.shape)
    return None


def _relu_reference(problem: ReLUProblem, ref: ConvexReference | None, best: float,
                    rtol: float) -> tuple[str, float, str, float | None]:
    """``(kind, value, note, lower bound)`` of the reference value for a ReLU problem."""
    if ref is None:
        why = "vector output" if problem.Y.shape[1] > 1 else "no weight decay (beta = 0)"
        return "best found", best, f"no certificate: no convex reference ({why})", None
    fits = ref.n_neurons <= problem.width and problem.supports is None
    if ref.exhaustive and ref.lower_bound is not None:
        lb = ref.lower_bound
        what = f"convex reformulation (Pilanci & Ergen; all {ref.n_patterns} activation " \
               f"patterns, dual bound {lb:.10g})"
        if fits:
            return "global", ref.objective, f"{what}: global optimum in [{lb:.10g}, " \
                f"{ref.objective:.10g}], the upper end attained by a network of " \
                f"{ref.n_neurons} <= {problem.width} neurons", lb
        if np.isfinite(best) and best <= lb + rtol * abs(lb):
            return "global", lb, f"{what}: a lower bound ({_why_not(problem, ref)}) met " \
                f"within {rtol:.2g} by a trained network", lb
        return "best found", best, f"not certified: the {what} value {lb:.10g} is only a " \
            f"lower bound ({_why_not(problem, ref)})", lb
    attained = fits
    value = min(best, ref.value) if attained else best
    return "best found", value, "not certified: convex program on " \
        f"{ref.n_patterns} sampled activation patterns (an upper bound of the optimum" + \
        (", attained by its network)" if attained else ")"), None


def _why_not(problem: ReLUProblem, ref: ConvexReference) -> str:
    if problem.supports is not None:
        return "the problem has fixed supports, the convex program is dense"
    return f"its network needs {ref.n_neurons} > {problem.width} neurons"


def sample_relu(problem: ReLUProblem, n_starts: int, *, rng: Any = None, method: str = "lbfgs",
                n_iter: int = 500, rtol: float = 0.01, reference: ConvexReference | None = None,
                cluster_tol: float = 1e-2, init_scale: float = 1.0, tol: float = 1e-6,
                executor: Any = None, n_jobs: int = 2, chunk_size: int = 16,
                checkpoint: Any = None, progress: bool | None = None):
    """Train from ``n_starts`` random starts and classify them against the convex optimum.

    The result is the same :class:`landscape.report.LandscapeReport` as for linear problems
    (:func:`landscape.critical_points.sample`, which hands ReLU problems to this function);
    its ``factors`` are the trained ``(W1, W2)`` (leading start axis; ``W1`` acts on
    ``problem.design``) and ``convex`` holds the :class:`ConvexReference`.

    Reference value (``reference_kind``):

    * ``"global"`` when the convex program used every activation pattern and its network has
      at most ``problem.width`` neurons (reference = that network's objective; the global
      optimum is certified between ``lower_bound``, a rigorous dual bound, and it), or when
      the dual bound -- valid for any width -- is met within ``rtol`` by a trained network
      (reference = the bound);
    * ``"best found"`` otherwise (sampled patterns: the convex value is only an upper bound,
      used when its network fits in the width; fixed supports: the dense convex value is
      a lower bound; vector outputs or ``beta = 0``: no convex reference).

    Classes: ``"global"`` / ``"best found"`` within ``rtol`` (relative) of the reference;
    other converged starts are clustered and the cluster's best network is perturbed at
    random (64 directions at each of the radii 1e-2, 3e-2, 1e-1 of the parameter norm, or of
    ``sqrt(||y|| / ||X||)`` if larger):
    ``"saddle"`` when a perturbation decreases the objective (the direction is kept),
    ``"spurious local minimum"`` otherwise -- numerical evidence, like the linear test;
    ``"diverging"`` (``beta = 0`` only: with weight decay the objective is coercive) when
    :func:`diverging` with growth 1.05 holds and the trainer did not converge; ``"not
    converged"`` otherwise.

    Parameters
    ----------
    problem : ReLUProblem
    n_starts : int
    rng : Generator or int, optional
    method : {"lbfgs", "palm", "sgd"}, default "lbfgs"
        Trainer (:func:`train_relu`, dense, ``weight_decay = problem.beta``). PALM and SGD
        can stall at kinks sitting on data points (reported as "not converged").
    n_iter : int, default 500
        Iterations of the trainer.
    rtol : float, default 0.01
        Relative gap to the reference under which a start is at the reference value.
    reference : ConvexReference, optional
        Default: :func:`convex_reference` on ``problem.design`` when
        ``problem.convex_applies`` (scalar output, ``beta > 0``), else none: the reference is
        then the best value found.
    cluster_tol : float, default 1e-2
        Starts whose objectives agree within ``cluster_tol`` (relative) and whose outputs on
        the data agree within ``cluster_tol * ||Y||`` form one cluster (one minimum, as the
        linear report clusters equal products); inside a cluster the networks are counted
        modulo the ReLU symmetries (:func:`identifiability.relu.equivalent` with this
        tolerance, after -- dense scalar-output problems -- dropping neurons whose balanced
        size is below ``cluster_tol`` of the largest and merging parallel neurons: weight
        decay makes neuron splitting free) in ``Minimum.n_classes``.
    init_scale, tol : float
        Passed to :func:`train_relu`.
    executor : None, "serial", "joblib", "dask", address or Client, optional
        Where the chunks of starts run (:func:`landscape.executors.map_chunks`, ``n_jobs``
        workers). The starts are split into chunks of ``chunk_size`` with one child seed
        each (:func:`landscape.executors.seed_plan`), so for a given ``rng`` the result
        does not depend on the executor.
    n_jobs, chunk_size : int
        Workers of the executor; starts per chunk (default 2, 16).
    checkpoint : path, optional
        Directory of finished chunks (a rerun with the same arguments resumes from it).
    progress : bool, optional
        tqdm progress bar (default: on from 5000 starts).

    Returns
    -------
    landscape.report.LandscapeReport

    Examples
    --------
    >>> X = np.array([[-1.], [0.], [1.], [2.]])
    >>> prob = ReLUProblem(X, np.array([1., 0., 1., 2.]), width=4, beta=1e-2)
    >>> rep = sample_relu(prob, 4, rng=0)
    >>> rep.reference_kind, rep.fraction_within(0.01) > 0
    ('global', True)
    """
    from ..report import LandscapeReport

    func = "sample_relu"
    if not isinstance(problem, ReLUProblem):
        raise param_error(func, "problem", "a ReLUProblem", problem, kind=TypeError)
    n_starts = check_int(n_starts, "n_starts", func, low=1)
    method = check_choice(method, "method", func, ("palm", "sgd", "lbfgs"))
    rtol = check_real(rtol, "rtol", func, low=0.0)
    cluster_tol = check_real(cluster_tol, "cluster_tol", func, low=0.0, low_open=True)
    rng = check_rng(rng, func)
    Xd, y = problem.design, problem.Y
    if reference is None and problem.convex_applies:
        reference = convex_reference(Xd, y[:, 0], beta=problem.beta, rng=rng)
    elif reference is not None and not isinstance(reference, ConvexReference):
        raise param_error(func, "reference", "a ConvexReference or None", reference,
                          kind=TypeError)
    elif reference is not None and not problem.convex_applies:
        raise param_error(func, "reference", "None (no convex reference for vector outputs "
                          "or beta = 0)", reference, kind=TypeError)
    n_jobs = check_int(n_jobs, "n_jobs", func, low=1)
    chunk_size = check_int(chunk_size, "chunk_size", func, low=1)
    opts = {"widths": problem.width, "weight_decay": problem.beta, "bias": False,
            "method": method, "n_iter": n_iter, "init_scale": init_scale, "tol": tol}
    sizes, seeds = seed_plan(rng, n_starts, chunk_size)
    meta = {"problem": problem.fingerprint(), "n_starts": n_starts, "chunk_size": chunk_size,
            "seeds": [list(map(int, s.generate_state(2))) for s in seeds], "options": opts}
    if problem.supports is not None:
        opts = opts | {"constraints": [support(m) for m in problem.supports]}
    parts = map_chunks(_train_chunk, [(sd, k, Xd, y, opts) for sd, k in zip(seeds, sizes)],
                       executor=executor, n_jobs=n_jobs, checkpoint=checkpoint, meta=meta,
                       progress=progress)
    train = _merge_chunks(parts, 2, method, False)
    W1, W2 = train.weights
    F = train.objective
    # with weight decay the objective is coercive: iterates stay bounded, nothing diverges
    div = (diverging(train.history, train.norm_history, growth=_GROWTH) & ~train.converged
           if problem.beta == 0 else np.zeros(n_starts, dtype=bool))
    ok = ~div
    best = float(F[ok].min()) if ok.any() else np.inf
    kind, ref, note, lower = _relu_reference(problem, reference, best, rtol)
    tol_abs = rtol * max(abs(ref), 1e-12 * max(1.0, float((y ** 2).sum()))) \
        if np.isfinite(ref) else 0.0
    at_ref = ok & (F <= ref + tol_abs)
    labels = np.where(div, "diverging", "not converged").astype(object)
    labels[at_ref] = kind
    cand = np.flatnonzero(at_ref | (ok & train.converged))
    cluster = np.full(n_starts, -1, dtype=np.int64)
    clusters = []
    check = np.random.default_rng(seeds[0].spawn(1)[0])
    for m, n_classes in _relu_clusters(problem, cand, F, train, cluster_tol):
        rep = int(m[np.argmin(F[m])])
        direction = None
        if F[rep] <= ref + tol_abs:
            ck, why = kind, f"within {rtol:.2g} (relative) of the reference value"
        else:
            direction = _descent(problem, W1[rep], W2[rep], check)
            ck, why = (("saddle", "a random perturbation decreases the objective")
                       if direction is not None else
                       ("spurious local minimum", f"above the reference by more than "
                        f"{rtol:.2g}; no descent among {_N_DIRECTIONS} random perturbations "
                        f"at each radius {_RADII} (relative)"))
        labels[m] = ck
        cluster[m] = len(clusters)
        clusters.append(Minimum(len(clusters), ck, float(F[rep]), int(m.size), m.size / n_starts,
                                rep, n_classes, float("nan"), direction, why))
    settings = {"method": method, "n_iter": n_iter, "rtol": rtol, "cluster_tol": cluster_tol,
                "init_scale": init_scale, "tol": tol, "chunk_size": chunk_size}
    return LandscapeReport(problem=problem, objective=F, stationarity=_stationarity(problem, W1, W2),
                           history=train.history, norms=train.norm_history, n_iter=train.n_iter,
                           labels=labels.astype(str), cluster=cluster, factors=(W1, W2),
                           reference=float(ref), reference_kind=kind, reference_note=note,
                           lower_bound=lower, clusters=tuple(clusters), settings=settings,
                           convex=reference)
