"""The convex global reference of a two-layer ReLU network with weight decay.

From the convex reformulation of Pilanci & Ergen (2020): with ``D_i = diag(1[X u_i >= 0])``
running over the activation patterns of the data (:func:`landscape.relu.activation_patterns`),

    min 1/2 ||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)
    s.t. (2 D_i - I) X v_i >= 0,  (2 D_i - I) X w_i >= 0,

whose value equals the non-convex optimum of ``1/2 ||relu(X W1^T) w2 - y||^2 +
beta/2 (||W1||^2 + ||w2||^2)`` once the width is at least the number of non-zero
``(v_i, w_i)``. The patterns are enumerated and certified when ``X`` has at most 3 columns
(e.g. 2-D data plus a bias column); otherwise, or if the certification fails, they are
sampled and the value is only an upper bound on the optimum ("sampled, lower bound not
certified"). With every pattern, the numerical solution is turned into a certificate: its
network's objective is an upper bound and a dual feasible point built from its residual a
rigorous lower bound (:func:`dual_lower_bound`: exact rational arithmetic, a priori
rounding-error bounds), typically 1e-8 apart.

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

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from identifiability.core.display import summary_repr
from identifiability.core.validation import as_matrix, check_real, param_error
from identifiability.relu import ReLUNet

from .arrangements import activation_patterns

__all__ = ["ConvexReference", "convex_reference", "dual_lower_bound", "reduce_network",
           "nonconvex_objective"]

#: Fields of a :class:`ConvexReference` other than its network (for ``to_state``).
_FIELDS = ("value", "objective", "exhaustive", "n_patterns", "n_neurons", "status",
           "solve_time", "lower_bound")


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
        width, from a dual feasible point (see :func:`dual_lower_bound`); the global
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

    def explain(self) -> str:
        """Two lines: the value and how far it is certified."""
        return (f"Convex reference (Pilanci & Ergen) on {self.n_patterns} activation patterns: "
                f"value {self.value:.10g}, attained by a network of {self.n_neurons} neurons "
                f"(objective {self.objective:.10g}).\nCertificate: {self.note}.")

    def __repr__(self) -> str:
        cert = ("dual bound" if self.lower_bound is not None else
                "all patterns, no dual bound" if self.exhaustive else "sampled: upper bound")
        return summary_repr("ConvexReference", value=float(f"{self.value:.8g}"),
                            lower_bound=None if self.lower_bound is None else
                            float(f"{self.lower_bound:.10g}"), n_neurons=self.n_neurons,
                            n_patterns=self.n_patterns, certificate=cert, status=self.status)

    def to_state(self) -> tuple[dict, dict]:
        """``(meta, arrays)``: JSON-able fields and the network's weights (for save/load)."""
        meta = {k: getattr(self, k) for k in _FIELDS}
        return meta, {"convex_W1": np.asarray(self.net.weights[0], dtype=float),
                      "convex_W2": np.asarray(self.net.weights[1], dtype=float)}

    @classmethod
    def from_state(cls, meta: dict, arrays: dict) -> "ConvexReference":
        """Inverse of :meth:`to_state`."""
        return cls(net=ReLUNet([arrays["convex_W1"], arrays["convex_W2"]]),
                   **{k: meta[k] for k in _FIELDS})


def nonconvex_objective(W1: np.ndarray, w2: np.ndarray, X: np.ndarray, y: np.ndarray,
                        beta: float) -> float:
    """``1/2 ||relu(X W1^T) w2 - y||^2 + beta/2 (||W1||^2 + ||w2||^2)``."""
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
    rng : Generator, int or None, optional
        Randomness of the sampled patterns.
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
        lower = dual_lower_bound(X, y, P, beta, residual)
    return ConvexReference(float(prob.value), ReLUNet([W1, w2[None, :]]),
                           nonconvex_objective(W1, w2, X, y, beta), exhaustive, p,
                           int(np.count_nonzero(w2)), str(prob.status), elapsed, lower)


def dual_lower_bound(X: np.ndarray, y: np.ndarray, P: np.ndarray, beta: float,
                     lam: np.ndarray) -> float:
    """A rigorous lower bound of the convex program (hence of the non-convex optimum of every
    width) from any vector ``lam`` (the residual of a numerical solution is a good one).

    Weak duality (``1/2 ||e||^2 >= lam^T e - 1/2 ||lam||^2``) gives
    ``P >= -t lam^T y - t^2 ||lam||^2 / 2`` for every ``t >= 0`` such that, for every
    pattern ``D_i`` and sign, ``max {±(X^T D_i t lam)^T v : v in K_i, ||v|| <= 1} <= beta``
    with ``K_i = {v : (2 D_i - I) X v >= 0}``. That maximum is the norm of the projection of
    ``g = ±X^T D_i lam`` on the cone ``K_i``, at most ``||g + A_i^T mu||`` for any
    ``mu >= 0`` (``-A_i^T mu`` is in the polar cone, Moreau), ``mu`` from a non-negative
    least-squares fit; the floating-point error of that norm is bounded a priori
    (``gamma_{2n+4}`` times the sum of absolute terms) and added. The bound itself is
    evaluated in exact rational arithmetic and rounded down. Valid only when ``P`` (bool,
    ``(n_patterns, n_samples)``) holds every activation pattern of ``X``.

    >>> X = np.array([[1., 0.], [0., 1.], [1., 1.]]); y = np.array([1., 0., 1.])
    >>> P, exhaustive = activation_patterns(X)
    >>> 0 <= dual_lower_bound(X, y, P, 0.1, -y) <= convex_reference(X, y, beta=0.1).value
    True
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
    reduced by :func:`reduce_network` (negligible neurons dropped, parallel ones merged: both
    keep the function and, balanced, the weight decay) with the largest tolerance in
    1e-6 ... 1e-1 whose objective stays within ``1e-6 |value|`` of the unreduced network's
    (interior-point solvers spread the mass over many tiny or nearly parallel ``v_i``)."""
    M = np.vstack([V, W])
    sgn = np.r_[np.ones(len(V)), -np.ones(len(W))]
    nrm = np.linalg.norm(M, axis=1)
    keep = np.flatnonzero(nrm > 0)
    if keep.size == 0:
        return np.zeros((1, M.shape[1])), np.zeros(1)
    root = np.sqrt(nrm[keep])
    W1, w2 = M[keep] / root[:, None], sgn[keep] * root
    full = nonconvex_objective(W1, w2, X, y, beta)
    best = (W1, w2)
    for t in (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1):
        net = reduce_network(ReLUNet([W1, w2[None, :]]), t)
        A, a = net.weights[0], net.weights[1][0]
        if nonconvex_objective(A, a, X, y, beta) > full + 1e-6 * max(abs(value), 1e-300):
            break
        best = (A, a)
    return best


def reduce_network(net: ReLUNet, rel: float) -> ReLUNet:
    """Drop neurons of negligible balanced size and merge parallel neurons of equal sign
    (a dense one-hidden-layer scalar-output network without biases).

    With weight decay a neuron can be split into parallel copies at no cost, so optima are
    compared through their "neuron measure" (direction, signed mass ``||in|| * out``): a
    neuron whose mass is below ``rel**2`` of the largest is dropped, neurons whose unit
    directions agree within ``rel`` (max norm) and whose masses have the same sign are
    merged. The result is balanced.

    >>> net = ReLUNet([[[1.0, 0.0], [2.0, 0.0]], [[1.0, 0.5]]])
    >>> reduce_network(net, 1e-6).widths
    (2, 1, 1)
    """
    W1, W2 = (np.asarray(W, dtype=float) for W in net.weights)
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
