"""Training sparse ReLU networks from many starts at once: PALM, proximal SGD, L-BFGS.

Objective (square loss, weight decay ``beta`` on the weights, biases not penalised)::

    F(theta) = 1/2 ||f_theta(X) - Y||_F^2 + beta/2 * sum_l ||W_l||_F^2,   W_l in C_l

with ``C_l`` a :class:`landscape.projections.Constraint` (fixed support, top-k, ...).
Every trainer is batched over random starts (leading axis ``n_starts``) and built from the
kernels of :mod:`landscape.relu.kernels`; a start that meets its stopping rule is frozen
(its weights no longer change and its ``n_iter`` is the iteration it stopped at).

* ``method="palm"``: block proximal gradient over the layers (PALM of Bolte-Sabach-Teboulle,
  docs/theory.rst B2) with a backtracking step per start and block (the block gradient of a ReLU net
  has no global Lipschitz constant); the prox of ``beta/2 ||W||^2 + indicator(C)`` is
  ``C.project(W / (1 + t beta))`` for the sparsity sets. One sweep is the pure step
  :func:`palm_sweep`.
* ``method="sgd"``: proximal stochastic gradient with minibatches (one epoch:
  :func:`sgd_epoch`).
* ``method="lbfgs"``: scipy's L-BFGS-B start by start on the free entries (dense layers and
  fixed supports).

Options of :func:`train_relu`: ``restarts`` (neuron-restart heuristic: negate / redraw one
neuron's incoming weights, zero its outgoing ones, train again, keep if better -- escapes the
wrong-half-space and dead-neuron stationary points) and ``polish`` (final L-BFGS on each
start's support).

Divergence is decided by the one detector :func:`landscape.divergence.diverging` (re-exported
here as :func:`diverging`), so a :class:`TrainResult` and the landscape report of the same run
agree.

Examples
--------
>>> import numpy as np
>>> X = np.array([[1., 2.], [2., 1.], [-1., 1.], [1., -1.], [0., 1.]])
>>> res = train_relu(X, np.maximum(X @ [[1.], [-1.]], 0), 2, n_iter=300, n_starts=4, rng=0)
>>> bool(res.objective.min() < 1e-6)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from identifiability.core.aliases import renamed_keywords
from identifiability.core.display import summary_repr
from identifiability.core.validation import (
    as_matrix,
    check_choice,
    check_int,
    check_real,
    check_rng,
    param_error,
)
from identifiability.relu import ReLUNet

from ..divergence import diverging
from ..engine.projections import Constraint, check_constraints, support
from .kernels import balanced_norm, forward, loss_and_grads, penalty, prox, smooth_loss

__all__ = [
    "TrainResult",
    "train_relu",
    "diverging",
    "diverging_starts",
    "check_data",
    "check_widths",
    "palm_sweep",
    "sgd_epoch",
    "METHODS",
    "merge_results",
]

#: The trainers of :func:`train_relu`.
METHODS = ("palm", "sgd", "lbfgs")

_MAX_BACKTRACK = 40
#: Starts listed by ``TrainResult._repr_html_``.
_HTML_ROWS = 8


def diverging_starts(history: np.ndarray, norms: np.ndarray, converged: np.ndarray,
                     beta: float, bias: bool) -> np.ndarray:
    """Which starts of a training run diverge: :func:`landscape.divergence.diverging` on the
    records, except that nothing diverges with weight decay and no trained biases (the
    objective is then coercive: the iterates stay bounded).

    >>> h = np.array([[1.0, 0.5, 0.25, 0.12, 0.06]]); n = np.array([[1., 2, 4, 8, 16]])
    >>> diverging_starts(h, n, np.array([False]), 0.0, False).tolist()
    [True]
    >>> diverging_starts(h, n, np.array([False]), 0.1, False).tolist()
    [False]
    """
    if beta > 0 and not bias:
        return np.zeros(history.shape[0], dtype=bool)
    return diverging(history, norms, converged=converged)


# --------------------------------------------------------------------------------------
# the result
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
        ``F`` and the balanced parameter norm after every sweep / epoch (a start that
        stopped keeps its last record).
    converged : bool ndarray
        Stopping rule of :func:`train_relu` met (see ``stop_tol`` there).
    n_iter : int ndarray
        Sweeps (epochs) run by every start: the one it stopped at when it converged.
    diverging : bool ndarray
        :func:`diverging_starts` on the records (the one divergence detector).
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
    def n_starts(self) -> int:
        return int(self.objective.size)

    @property
    def widths(self) -> tuple:
        """Layer sizes ``(n_0, n_1, ..., n_L)``."""
        return (self.weights[0].shape[2],) + tuple(W.shape[1] for W in self.weights)

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

    def explain(self) -> str:
        """A few lines: trainer, best objective, convergence and divergence counts."""
        b = self.best
        return (f"{self.n_starts} starts of {self.method} on a {self.widths} network"
                f"{' with biases' if self.bias else ''}; best start {b} at objective "
                f"{self.objective[b]:.10g} after {int(self.n_iter[b])} iterations.\n"
                f"Converged: {int(self.converged.sum())}/{self.n_starts}; diverging "
                f"(objective down, balanced norm up, landscape.divergence.diverging): "
                f"{int(self.diverging.sum())}.")

    def _repr_html_(self) -> str:
        """A small table in Jupyter: the summary and the first starts (best first)."""
        from html import escape

        order = np.argsort(self.objective, kind="stable")[:_HTML_ROWS]
        rows = "".join(f"<tr><td>{i}</td><td>{self.objective[i]:.6g}</td>"
                       f"<td>{int(self.n_iter[i])}</td><td>{bool(self.converged[i])}</td>"
                       f"<td>{bool(self.diverging[i])}</td></tr>" for i in order)
        more = "" if self.n_starts <= _HTML_ROWS else \
            f"<p>... {self.n_starts - _HTML_ROWS} more starts</p>"
        return (f"<p><b>{escape(repr(self))}</b></p><table><tr><th>start</th>"
                "<th>objective</th><th>n_iter</th><th>converged</th><th>diverging</th></tr>"
                + rows + "</table>" + more)

    def __repr__(self) -> str:
        b = self.best
        return summary_repr("TrainResult", method=self.method, widths=self.widths,
                            n_starts=self.n_starts, best=b,
                            objective_best=float(f"{self.objective[b]:.6g}"),
                            converged=f"{int(self.converged.sum())}/{self.n_starts}",
                            diverging=int(self.diverging.sum()))


# --------------------------------------------------------------------------------------
# validation (public: the torch back end and the pruning module use it too)
# --------------------------------------------------------------------------------------

def check_data(X: Any, Y: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    """``X`` (n, n_0) and ``Y`` (n, n_L) (a vector ``Y`` is one column) as float arrays."""
    X = as_matrix(X, "X", func, allow_complex=False).astype(np.float64)
    Y = np.asarray(Y)
    Y = as_matrix(Y[:, None] if Y.ndim == 1 else Y, "Y", func, allow_complex=False
                  ).astype(np.float64)
    if Y.shape[0] != X.shape[0]:
        raise param_error(func, "Y", f"{X.shape[0]} rows (the samples of X)",
                          f"shape {Y.shape}", raw=True)
    return X, Y


def check_widths(widths: Any, X: np.ndarray, Y: np.ndarray, func: str) -> list[int]:
    """Layer sizes ``[n_0, hidden..., n_L]`` from the hidden ``widths`` (int or sequence)."""
    try:
        hidden = [check_int(w, "widths", func, low=1) for w in widths]
    except TypeError:
        hidden = [check_int(widths, "widths", func, low=1)]
    return [X.shape[1]] + hidden + [Y.shape[1]]


def _check_constraints(constraints: Any, sizes: list[int], func: str) -> list:
    """One constraint (or None) per layer, through the engine's one check, then the shapes."""
    L = len(sizes) - 1
    if constraints is None:
        return [None] * L
    cons = check_constraints(constraints, func, n=L, allow_none=True)
    for l, c in enumerate(cons):
        if c is not None:
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


def _init(sizes, n_starts, rng, cons, scale: float):
    Ws, bs = [], []
    for l in range(len(sizes) - 1):
        W = rng.normal(size=(n_starts, sizes[l + 1], sizes[l])) * scale / np.sqrt(sizes[l])
        Ws.append(W if cons[l] is None else cons[l].project(W))
        bs.append(np.zeros((n_starts, sizes[l + 1])))
    return Ws, bs


def _check_init(init: Any, sizes, func: str):
    try:
        Ws = [np.asarray(W, dtype=np.float64) for W in init[0]]
        bs = [np.asarray(b, dtype=np.float64) for b in init[1]]
    except (TypeError, ValueError, IndexError):
        raise param_error(func, "init", "a pair (weights, biases) of lists of arrays", init,
                          kind=TypeError) from None
    S = Ws[0].shape[0]
    for l, (W, b) in enumerate(zip(Ws, bs)):
        if W.shape != (S, sizes[l + 1], sizes[l]) or b.shape != (S, sizes[l + 1]):
            raise param_error(func, "init", f"(weights, biases) with weights[{l}] of shape "
                              f"(n_starts, {sizes[l + 1]}, {sizes[l]})",
                              f"shape {W.shape}", raw=True)
    return Ws, bs


# --------------------------------------------------------------------------------------
# train_relu
# --------------------------------------------------------------------------------------

@renamed_keywords(weight_decay="beta", tol="stop_tol")
def train_relu(X: Any, Y: Any, widths: Any, *, constraints: Sequence[Any] | None = None,
               beta: float = 0.0, bias: bool = True, method: str = "palm",
               n_iter: int = 500, n_starts: int = 1, batch_size: int = 32,
               step: float | None = None, stop_tol: float = 1e-6, init: Any = None,
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
    beta : float, default 0
        Weight decay of the objective (weights only). Formerly ``weight_decay``.
    bias : bool, default True
        Train biases (not penalised). False: zero biases.
    method : {"palm", "sgd", "lbfgs"}
        Block proximal gradient with backtracking (monotone objective), proximal SGD, or
        (dense layers and fixed supports only) scipy's L-BFGS-B start by start, on the free
        entries -- the gradient methods can stall where a kink of a neuron sits exactly on a
        data point, and crawl on ill-conditioned problems; L-BFGS is much faster there.
    n_iter : int, default 500
        Maximum sweeps over the layers (palm), epochs (sgd) or iterations (lbfgs).
    n_starts : int, default 1
        Random starts (ignored when ``init`` is given).
    batch_size : int, default 32
        Minibatch size for sgd.
    step : float, optional
        sgd step (default ``1 / n_samples``), decayed as ``step / sqrt(1 + epoch)``; palm:
        initial step (default 1).
    stop_tol : float, default 1e-6
        Stopping rule (formerly ``tol``). palm: a start stops when the norm of the
        proximal-gradient mapping over a sweep (``sqrt(sum_l ||W_l^+ - W_l||^2 / t_l^2)``)
        is at most ``stop_tol * (1 + F)``; sgd: when the relative change of ``F`` over an
        epoch is at most ``stop_tol``; lbfgs: projected gradient tolerance
        ``stop_tol * 1e-3`` (scipy's ``gtol``), success reported by scipy. A stopped start
        is frozen.
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
        (one more ``history`` record).
    rng : Generator, int or None, optional
        Source of randomness (initialisation, minibatches, restarts).

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
    X, Y = check_data(X, Y, func)
    sizes = check_widths(widths, X, Y, func)
    cons = _check_constraints(constraints, sizes, func)
    beta = check_real(beta, "beta", func, low=0.0)
    method = check_choice(method, "method", func, METHODS)
    if method == "lbfgs" and not all(_is_subspace(c, (sizes[l + 1], sizes[l]))
                                     for l, c in enumerate(cons)):
        raise param_error(func, "method", "'palm' or 'sgd' when constraints other than fixed "
                          "supports are given (lbfgs handles dense layers and supports)",
                          method)
    n_iter = check_int(n_iter, "n_iter", func, low=1)
    n_starts = check_int(n_starts, "n_starts", func, low=1)
    batch_size = check_int(batch_size, "batch_size", func, low=1)
    stop_tol = check_real(stop_tol, "stop_tol", func, low=0.0)
    init_scale = check_real(init_scale, "init_scale", func, low=0.0, low_open=True)
    rng = check_rng(rng, func)
    if step is not None:
        step = check_real(step, "step", func, low=0.0, low_open=True)
    Ws, bs = (_init(sizes, n_starts, rng, cons, init_scale) if init is None
              else _check_init(init, sizes, func))
    restarts = check_int(restarts, "restarts", func, low=0)
    run = {"palm": _palm, "sgd": _sgd, "lbfgs": _lbfgs}[method]
    args = (cons, beta, bool(bias), n_iter, stop_tol, step, batch_size, rng)
    res = run(X, Y, Ws, bs, *args)
    records: list = []
    for _ in range(restarts):
        for l in range(len(sizes) - 2):
            for j in range(sizes[l + 1]):
                trial = _restart_neuron(res, X, l, j, cons, init_scale, rng)
                res = _keep_better(res, run(X, Y, *trial, *args), records)
    if polish:
        res = _keep_better(res, _polish(X, Y, res, beta, n_iter, stop_tol), records)
    return _with_records(res, records, beta)


# --------------------------------------------------------------------------------------
# the trainers: pure steps over explicit state, and their loops
# --------------------------------------------------------------------------------------

def palm_sweep(Ws: list, bs: list, t: list, active: np.ndarray, X: np.ndarray, Y: np.ndarray,
               cons: list, beta: float, bias: bool) -> tuple[list, list, list, np.ndarray]:
    """One PALM sweep over the layers for the ``active`` starts (the others are unchanged).

    Returns new ``(Ws, bs, t, station)``: weights, biases, the backtracked steps (one per
    layer and start) and the squared norm of the proximal-gradient mapping of the sweep.
    The inputs are not modified.
    """
    Ws, bs, t = list(Ws), list(bs), list(t)
    station = np.zeros(Ws[0].shape[0])
    for l in range(len(Ws)):
        loss, gW, gb = loss_and_grads(Ws, bs, X, Y)
        todo = active.copy()
        for _ in range(_MAX_BACKTRACK):
            if not todo.any():
                break
            Wn = prox(Ws[l] - t[l][:, None, None] * gW[l], t[l], beta, cons[l])
            bn = bs[l] - t[l][:, None] * gb[l] if bias else bs[l]
            trial_W, trial_b = list(Ws), list(bs)
            trial_W[l], trial_b[l] = Wn, bn
            new = smooth_loss(trial_W, trial_b, X, Y)
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
    return Ws, bs, t, station


def sgd_epoch(Ws: list, bs: list, active: np.ndarray, X: np.ndarray, Y: np.ndarray,
              cons: list, beta: float, bias: bool, eta: float, batch_size: int,
              perm: np.ndarray) -> tuple[list, list]:
    """One epoch of proximal SGD (minibatches taken in the sample order ``perm``) for the
    ``active`` starts only: the other starts are frozen. Returns new ``(Ws, bs)``; the
    inputs are not modified."""
    Ws, bs = list(Ws), list(bs)
    a = np.flatnonzero(active)
    if a.size == 0:
        return Ws, bs
    Wa, ba = [W[a] for W in Ws], [b[a] for b in bs]
    tt = np.full(a.size, eta)
    n = X.shape[0]
    for start in range(0, n, batch_size):
        idx = perm[start:start + batch_size]
        _, gW, gb = loss_and_grads(Wa, ba, X[idx], Y[idx], scale=n / idx.size)
        for l in range(len(Wa)):
            Wa[l] = prox(Wa[l] - eta * gW[l], tt, beta, cons[l])
            if bias:
                ba[l] = ba[l] - eta * gb[l]
    for l in range(len(Ws)):
        Ws[l], bs[l] = Ws[l].copy(), bs[l].copy()
        Ws[l][a], bs[l][a] = Wa[l], ba[l]
    return Ws, bs


def _palm(X, Y, Ws, bs, cons, beta, bias, n_iter, stop_tol, step, batch_size, rng
          ) -> TrainResult:
    S, L = Ws[0].shape[0], len(Ws)
    t = [np.full(S, 1.0 if step is None else step) for _ in range(L)]
    F = smooth_loss(Ws, bs, X, Y) + penalty(Ws, beta)
    hist, norms = [], []
    active = np.ones(S, dtype=bool)
    n_done = np.full(S, n_iter)
    conv = np.zeros(S, dtype=bool)
    for it in range(n_iter):
        Ws, bs, t, station = palm_sweep(Ws, bs, t, active, X, Y, cons, beta, bias)
        F = smooth_loss(Ws, bs, X, Y) + penalty(Ws, beta)
        hist.append(F.copy())
        norms.append(balanced_norm(Ws, bs))
        newly = active & (np.sqrt(station) <= stop_tol * (1.0 + np.abs(F)))
        conv |= newly
        n_done[newly] = it + 1
        active &= ~newly
        if not active.any():
            break
    return _result(Ws, bs, F, hist, norms, conv, n_done, "palm", bias, beta)


def _sgd(X, Y, Ws, bs, cons, beta, bias, n_iter, stop_tol, step, batch_size, rng
         ) -> TrainResult:
    n = X.shape[0]
    S = Ws[0].shape[0]
    step = 1.0 / n if step is None else step
    B = min(batch_size, n)
    F = smooth_loss(Ws, bs, X, Y) + penalty(Ws, beta)
    hist, norms = [], []
    active = np.ones(S, dtype=bool)
    n_done = np.full(S, n_iter)
    conv = np.zeros(S, dtype=bool)
    for epoch in range(n_iter):
        F_old = F
        Ws, bs = sgd_epoch(Ws, bs, active, X, Y, cons, beta, bias,
                           step / np.sqrt(1.0 + epoch), B, rng.permutation(n))
        F = smooth_loss(Ws, bs, X, Y) + penalty(Ws, beta)
        hist.append(F.copy())
        norms.append(balanced_norm(Ws, bs))
        newly = active & (np.abs(F_old - F) <= stop_tol * np.maximum(np.abs(F_old), 1e-300))
        conv |= newly
        n_done[newly] = epoch + 1
        active &= ~newly          # frozen from now on: weights and n_iter stay as they are
        if not active.any():
            break
    return _result(Ws, bs, F, hist, norms, conv, n_done, "sgd", bias, beta)


def _lbfgs(X, Y, Ws, bs, cons, beta, bias, n_iter, stop_tol, step, batch_size, rng
           ) -> TrainResult:
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
        loss, gW, gb = loss_and_grads(W, b, X, Y)
        F = loss[0] + penalty(W, beta)[0]
        g = [(gw[0] + beta * w[0]) * m for gw, w, m in zip(gW, W, masks)] + (
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
                       options=dict(maxiter=n_iter, gtol=stop_tol * 1e-3, ftol=1e-13))
        W, b = unpack(res.x)
        for l in range(L):
            outW[l][i], outb[l][i] = W[l][0], b[l][0]
        rec = (rec or [(res.x, float(res.fun))])[:n_iter]
        hist[i, :len(rec)] = [f for _, f in rec]
        norms[i, :len(rec)] = [balanced_norm(*unpack(th))[0] for th, _ in rec]
        hist[i, len(rec):], norms[i, len(rec):] = hist[i, len(rec) - 1], norms[i, len(rec) - 1]
        conv[i], n_done[i] = bool(res.success), int(res.nit)
    F = smooth_loss(outW, outb, X, Y) + penalty(outW, beta)
    last = max(1, int(n_done.max()))
    return _result(outW, outb, F, list(hist[:, :last].T), list(norms[:, :last].T), conv, n_done,
                   "lbfgs", bias, beta)


# --------------------------------------------------------------------------------------
# restarts and polish
# --------------------------------------------------------------------------------------

def _restart_neuron(res: TrainResult, X, l: int, j: int, cons, scale: float, rng):
    """Restart neuron ``j`` of hidden layer ``l``: incoming weights and bias negated (redrawn
    at random when the neuron is dead, i.e. its largest activation is below 1e-6 times the
    layer's), outgoing weights zeroed."""
    Ws, bs = [W.copy() for W in res.weights], [b.copy() for b in res.biases]
    H = forward(Ws, bs, X)[l + 1]                          # (S, n, width), after ReLU
    dead = H[:, :, j].max(axis=1) <= 1e-6 * H.max(axis=(1, 2))
    fresh = rng.normal(size=Ws[l][:, j].shape) * scale / np.sqrt(Ws[l].shape[2])
    Ws[l][:, j] = np.where(dead[:, None], fresh, -Ws[l][:, j])
    bs[l][:, j] = np.where(dead, 0.0, -bs[l][:, j])
    Ws[l + 1][:, :, j] = 0.0
    for k in (l, l + 1):
        if cons[k] is not None:
            Ws[k] = cons[k].project(Ws[k])
    return Ws, bs


def _polish(X, Y, res: TrainResult, beta: float, n_iter: int, stop_tol: float) -> TrainResult:
    """L-BFGS start by start on the support of the final point."""
    parts = []
    for i in range(res.objective.size):
        Ws = [W[i:i + 1] for W in res.weights]
        cons = [support(W[0] != 0) for W in Ws]
        parts.append(_lbfgs(X, Y, [W.copy() for W in Ws], [b[i:i + 1].copy() for b in res.biases],
                            cons, beta, res.bias, n_iter, stop_tol, None, 1, None))
    Ws = [np.concatenate([p.weights[l] for p in parts]) for l in range(len(res.weights))]
    bs = [np.concatenate([p.biases[l] for p in parts]) for l in range(len(res.biases))]
    F = np.concatenate([p.objective for p in parts])
    return _result(Ws, bs, F, [F], [balanced_norm(Ws, bs)], np.concatenate(
        [p.converged for p in parts]), np.concatenate([p.n_iter for p in parts]), "lbfgs",
        res.bias, beta)


def _keep_better(res: TrainResult, new: TrainResult, records: list) -> TrainResult:
    """Per start, ``new`` where its objective is smaller; record the best objective so far."""
    ok = new.objective < res.objective - 1e-12 * np.abs(res.objective)
    Ws = [np.where(ok[:, None, None], a, b) for a, b in zip(new.weights, res.weights)]
    bs = [np.where(ok[:, None], a, b) for a, b in zip(new.biases, res.biases)]
    F = np.where(ok, new.objective, res.objective)
    records.append((F, balanced_norm(Ws, bs)))
    return TrainResult(tuple(Ws), tuple(bs), F, res.history, res.norm_history,
                       np.where(ok, new.converged, res.converged),
                       res.n_iter + np.where(ok, new.n_iter, 0), res.diverging, res.method,
                       res.bias)


def _with_records(res: TrainResult, records: list, beta: float) -> TrainResult:
    if not records:
        return res
    H = np.hstack([res.history] + [F[:, None] for F, _ in records])
    N = np.hstack([res.norm_history] + [n[:, None] for _, n in records])
    return TrainResult(res.weights, res.biases, res.objective, H, N, res.converged, res.n_iter,
                       diverging_starts(H, N, res.converged, beta, res.bias), res.method,
                       res.bias)


def _result(Ws, bs, F, hist, norms, conv, n_done, method, bias, beta) -> TrainResult:
    H, N = np.array(hist).T, np.array(norms).T
    return TrainResult(tuple(Ws), tuple(bs), F, H, N, conv, n_done,
                       diverging_starts(H, N, conv, beta, bias), method, bias)


def merge_results(parts: Sequence[TrainResult], beta: float) -> TrainResult:
    """Concatenate the results of several runs (chunks of starts) along the start axis;
    shorter records are padded with their last entry (the start had stopped).

    >>> X = np.eye(3); r = train_relu(X, X[:, :1], 2, n_iter=5, n_starts=2, rng=0)
    >>> merge_results([r, r], 0.0).n_starts
    4
    """
    T = max(p.history.shape[1] for p in parts)

    def pad(H):
        return np.concatenate([H, np.repeat(H[:, -1:], T - H.shape[1], axis=1)], axis=1)

    H = np.concatenate([pad(p.history) for p in parts])
    N = np.concatenate([pad(p.norm_history) for p in parts])
    conv = np.concatenate([p.converged for p in parts]).astype(bool)
    L, bias = len(parts[0].weights), parts[0].bias
    return TrainResult(tuple(np.concatenate([p.weights[l] for p in parts]) for l in range(L)),
                       tuple(np.concatenate([p.biases[l] for p in parts]) for l in range(L)),
                       np.concatenate([p.objective for p in parts]), H, N, conv,
                       np.concatenate([p.n_iter for p in parts]),
                       diverging_starts(H, N, conv, beta, bias), parts[0].method, bias)
