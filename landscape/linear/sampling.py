"""Sample the landscape of a sparse factorization problem and classify where starts end.

:func:`sample` runs many random starts of PALM (plain PALM, :func:`landscape.palm.palm4msa`
with ``normalize=False``, in segments with column balancing in between) on a
:class:`Problem` -- ``A`` with fixed supports or with sparsity constraints, two or more
factors, real or complex -- until a stationarity tolerance, and classifies every start:

``"global"``
    objective within ``value_tol`` of a *certified* global value (the exact solver of
    :func:`landscape.fixed_support.solve_fixed_support` on tractable supports, or a moment
    lower bound of :mod:`landscape.bounds` that meets the best value found). Without a
    certificate the reference is the best value found and the class is ``"best found"``.
``"spurious local minimum"``
    a stationary point above the reference whose Hessian, restricted to the complement of
    the scaling orbit's tangent space, is positive definite, and where random perturbations
    of a few radii never decrease the objective.
``"saddle"``
    a stationary point with a negative curvature direction (returned, see
    :class:`Minimum`), or one where the perturbation test found a descent direction.
``"degenerate"``
    a stationary point whose Hessian is singular beyond the scaling orbit and where no
    descent was found: second order is inconclusive (never reported as a minimum).
``"diverging"``
    not stationary, the objective decreases while the balanced factor norms keep growing
    over the last checkpoints: the signature of an infimum that is not attained
    (THEORY C31/C37); see :func:`landscape.existence.infimum_attained` for a certificate.
``"not converged"``
    anything else.

Stationary points are clustered modulo equivalence (permutation and scaling of the inner
dimensions, :func:`identifiability.equivalence.equivalent`); equivalence classes with the
same product (a non-identifiable fibre, e.g. a complete equivalence class of rank-one
supports) count as one minimum. The result is a :class:`landscape.report.LandscapeReport`.

Stationarity measure: the Frobenius norm of the gradient of ``||A - S[0] ... S[L-1]||_F^2``
restricted to the supports (fixed supports) or to the current supports (sparsity
constraints: at a point using its whole sparsity budget the l0 set is locally the fixed
support of that point), at *balanced* factors, divided by ``||A||_F^(2 - 1/L)`` so that it
is invariant under ``A -> cA``.

Examples
--------
>>> import numpy as np
>>> A = np.array([[3., 1, 5], [1, 3, 7], [2, 4, 6]])
>>> I = np.array([[1, 0], [1, 0], [0, 1]], bool)
>>> rep = sample(Problem(A, supports=[I, I.T]), 8, rng=0)
>>> rep.summary().splitlines()[0]
'1 distinct minimum (global value 98, certified by solve_fixed_support), basin fractions 100%'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from identifiability.core.validation import (as_matrix, check_chain, check_choice,
                                         check_int, check_real, check_rng, param_error)
from identifiability.equivalence import equivalent

from .. import fixed_support as fs
from ..engine.palm import palm4msa
from ..engine.projections import Constraint, support

__all__ = ["Problem", "Minimum", "sample", "CLASSES"]

#: The classes a start can receive.
CLASSES = ("global", "best found", "spurious local minimum", "saddle", "degenerate",
           "diverging", "not converged")

_FUNC = "sample"


# --------------------------------------------------------------------------- the problem

@dataclass(frozen=True, eq=False)
class Problem:
    """A factorization problem ``min ||A - S[0] @ ... @ S[L-1]||_F^2`` (L >= 2).

    Give exactly one of ``supports`` (boolean masks, one per factor: fixed-support problem)
    or ``constraints`` (:class:`landscape.projections.Constraint` objects: sparsity
    constraints such as ``topk(k)``). With constraints the inner sizes come from support
    constraints, else from ``inner`` (default ``min(m, n)`` each).

    Attributes (after validation)
    -----------------------------
    A : float64 or complex128 array (real input stays real)
    supports : tuple of bool arrays or None
    constraints : tuple of Constraint or None
    shapes : tuple of factor shapes

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[1, 0], [1, 1]], bool)
    >>> Problem(np.array([[0., 1], [1, 0]]), supports=[L, L.T])
    Problem(A: 2x2 real, supports: [3, 3] free entries, 6 parameters)
    """

    A: Any
    supports: Any = None
    constraints: Any = None
    inner: Any = None
    shapes: tuple = field(init=False)

    def __post_init__(self) -> None:
        func = "Problem"
        A = as_matrix(self.A, "A", func)
        A = A.astype(np.complex128 if A.dtype.kind == "c" else np.float64)
        if (self.supports is None) == (self.constraints is None):
            raise param_error(func, "supports", "given, or constraints given (exactly one of "
                              "the two)", "both" if self.supports is not None else "neither",
                              raw=True)
        if self.supports is not None:
            if isinstance(self.supports, np.ndarray) and self.supports.ndim == 2:
                raise param_error(func, "supports", "a sequence of >= 2 masks",
                                  "a single mask", raw=True)
            items = list(self.supports)
            if len(items) < 2:
                raise param_error(func, "supports", "a sequence of >= 2 masks",
                                  f"{len(items)} mask(s)", raw=True)
            A, masks = check_chain(A, items, func)
            object.__setattr__(self, "supports", tuple(np.array(s) for s in masks))
            shapes = tuple(s.shape for s in masks)
        else:
            cons = self.constraints
            if isinstance(cons, Constraint) or not isinstance(cons, (list, tuple)):
                raise param_error(func, "constraints", "a list of >= 2 Constraint objects",
                                  cons, kind=TypeError)
            if len(cons) < 2:
                raise param_error(func, "constraints", "a list of >= 2 Constraint objects",
                                  f"{len(cons)} constraint(s)", raw=True)
            for j, c in enumerate(cons):
                if not isinstance(c, Constraint):
                    raise param_error(func, f"constraints[{j}]", "a Constraint", c,
                                      kind=TypeError)
            shapes = _constraint_shapes(A, cons, self.inner, func)
            for j, (c, shp) in enumerate(zip(cons, shapes)):
                c.check(shp, func=func, name=f"constraints[{j}]")
            object.__setattr__(self, "constraints", tuple(cons))
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "shapes", shapes)

    @property
    def n_factors(self) -> int:
        return len(self.shapes)

    @property
    def is_complex(self) -> bool:
        return self.A.dtype.kind == "c"

    @property
    def fixed(self) -> bool:
        """True for a fixed-support problem."""
        return self.supports is not None

    def constraint_list(self) -> list[Constraint]:
        """The constraints PALM projects onto (a support constraint per mask)."""
        return [support(s) for s in self.supports] if self.fixed else list(self.constraints)

    def n_parameters(self) -> int | None:
        """Real parameters of a fixed-support problem (``None`` for sparsity constraints)."""
        if not self.fixed:
            return None
        return int(sum(s.sum() for s in self.supports)) * (2 if self.is_complex else 1)

    def fingerprint(self) -> str:
        """A hash of the data (used to match a checkpoint to its run)."""
        h = hashlib.sha256(np.ascontiguousarray(self.A).tobytes())
        h.update(repr(self.A.shape).encode())
        for s in self.supports or ():
            h.update(np.packbits(s).tobytes() + repr(s.shape).encode())
        for c in self.constraints or ():
            h.update(repr(c).encode())
        h.update(repr(self.shapes).encode())
        return h.hexdigest()

    def __repr__(self) -> str:
        kind = "complex" if self.is_complex else "real"
        head = f"Problem(A: {self.A.shape[0]}x{self.A.shape[1]} {kind}, "
        if self.fixed:
            return (head + f"supports: {[int(s.sum()) for s in self.supports]} free entries, "
                    f"{self.n_parameters()} parameters)")
        return head + f"constraints: {list(self.constraints)}, shapes {list(self.shapes)})"


def _constraint_shapes(A: np.ndarray, cons: Sequence[Constraint], inner: Any, func: str
                       ) -> tuple[tuple[int, int], ...]:
    L = len(cons)
    dims: list[int | None] = [A.shape[0]] + [None] * (L - 1) + [A.shape[1]]
    if inner is not None:
        vals = list(inner) if not np.isscalar(inner) else [inner] * (L - 1)
        if len(vals) != L - 1:
            raise param_error(func, "inner", f"{L - 1} inner sizes", f"{len(vals)}", raw=True)
        for t, v in enumerate(vals):
            dims[t + 1] = check_int(v, f"inner[{t}]", func, low=1)
    for j, c in enumerate(cons):
        if c.shape is not None:
            for pos, d in ((j, c.shape[0]), (j + 1, c.shape[1])):
                if dims[pos] is None:
                    dims[pos] = d
                elif dims[pos] != d:
                    raise param_error(func, f"constraints[{j}]", f"a constraint of shape "
                                      f"compatible with size {dims[pos]}", f"{c!r}", raw=True)
    dims = [min(A.shape) if d is None else d for d in dims]
    return tuple((dims[j], dims[j + 1]) for j in range(L))


# --------------------------------------------------------------------------- batched calculus

def _product(S: Sequence[np.ndarray]) -> np.ndarray:
    out = S[0]
    for F in S[1:]:
        out = out @ F
    return out


def _masks(problem: Problem, S: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Free entries: the fixed supports, or the current supports (batched)."""
    if problem.fixed:
        return [np.broadcast_to(s, F.shape) for s, F in zip(problem.supports, S)]
    return [F != 0 for F in S]


def _gradients(A: np.ndarray, S: Sequence[np.ndarray], masks: Sequence[np.ndarray]
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


def _sqnorm(X: np.ndarray) -> np.ndarray:
    return np.sum(np.abs(X.reshape(X.shape[0], -1)) ** 2, axis=1)


def _balance(S: Sequence[np.ndarray], sweeps: int = 3) -> list[np.ndarray]:
    """Rescale every inner index so that its column and its partner row have equal norms.

    A symmetry of the problem (the product is unchanged); zero columns or rows are left
    alone. Two factors are balanced in one pass; more factors by a few sweeps.
    """
    S = [F.copy() for F in S]
    for _ in range(1 if len(S) == 2 else sweeps):
        for j in range(len(S) - 1):
            c = np.sqrt(np.sum(np.abs(S[j]) ** 2, axis=-2))        # (b, r) column norms
            r = np.sqrt(np.sum(np.abs(S[j + 1]) ** 2, axis=-1))    # (b, r) row norms
            ok = (c > 0) & (r > 0)
            d = np.sqrt(np.where(ok, r, 1.0) / np.where(ok, c, 1.0))
            S[j] = S[j] * d[:, None, :]
            S[j + 1] = S[j + 1] / d[:, :, None]
    return S


def _norm(S: Sequence[np.ndarray]) -> np.ndarray:
    """``sqrt(sum_j ||S[j]||_F^2)`` per start."""
    return np.sqrt(sum(_sqnorm(F) for F in S))


def _stationarity(problem: Problem, S: Sequence[np.ndarray]) -> np.ndarray:
    G = _gradients(problem.A, S, _masks(problem, S))
    scale = np.linalg.norm(problem.A) ** (2 - 1 / len(S))
    return np.sqrt(sum(_sqnorm(g) for g in G)) / (scale if scale > 0 else 1.0)


# --------------------------------------------------------------------------- running starts

@dataclass(frozen=True)
class _Settings:
    max_iter: int
    segment: int
    stat_tol: float
    step: float

    def as_dict(self) -> dict:
        return {"max_iter": self.max_iter, "segment": self.segment, "stat_tol": self.stat_tol,
                "step": self.step}


def _random_init(problem: Problem, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Gaussian factors (complex for complex A) projected on the constraints, scaled so that
    the product has the norm of A, then balanced."""
    S = []
    for c, shp in zip(problem.constraint_list(), problem.shapes):
        G = rng.standard_normal((n,) + shp)
        if problem.is_complex:
            G = G + 1j * rng.standard_normal((n,) + shp)
        S.append(c._project(G))
    p = np.sqrt(_sqnorm(_product(S)))
    a = np.linalg.norm(problem.A)
    t = np.where(p > 0, (a if a > 0 else 1.0) / np.where(p > 0, p, 1.0), 1.0)
    S[0] = S[0] * t[:, None, None]
    return _balance(S)


def _descend(problem: Problem, n: int, seed: Any, settings: _Settings) -> dict[str, np.ndarray]:
    """Run ``n`` starts as one batch; the unit of work of every executor.

    Returns arrays: ``objective (n,)``, ``stationarity (n,)``, ``n_iter (n,)``,
    ``history`` and ``norms`` ``(n, T + 1)`` at the checkpoints (every ``segment`` sweeps;
    NaN after a start stopped), and the final balanced factors ``factor{j}``.
    """
    rng = np.random.default_rng(seed)
    A = problem.A
    S = _random_init(problem, n, rng)
    T = -(-settings.max_iter // settings.segment)
    hist = np.full((n, T + 1), np.nan)
    norms = np.full((n, T + 1), np.nan)
    hist[:, 0] = _sqnorm(A - _product(S))
    norms[:, 0] = _norm(S)
    stat = _stationarity(problem, S)
    n_iter = np.zeros(n, dtype=np.int64)
    active = np.flatnonzero(stat > settings.stat_tol)
    cons = problem.constraint_list()
    for t in range(1, T + 1):
        if active.size == 0:
            break
        res = palm4msa(A, cons, n_iter=settings.segment, init=[F[active] for F in S],
                       n_starts=active.size, rng=rng, step=settings.step, tol=0.0,
                       normalize=False)
        new = _balance(list(res.factors))
        for F, Fn in zip(S, new):
            F[active] = Fn
        n_iter[active] += res.n_iter
        hist[active, t] = res.objective
        norms[active, t] = _norm(new)
        stat[active] = _stationarity(problem, new)
        active = active[stat[active] > settings.stat_tol]
    out = {"objective": _sqnorm(A - _product(S)), "stationarity": stat, "n_iter": n_iter,
           "history": hist, "norms": norms}
    out.update({f"factor{j}": F for j, F in enumerate(S)})
    return out


def _diverging(history: np.ndarray, norms: np.ndarray, converged: np.ndarray,
               growth: float = 1.05, window: int = 4) -> np.ndarray:
    """Not stationary, objective non-increasing and balanced norms increasing over the last
    ``window`` checkpoints, with a total growth of at least ``growth`` over the second half.
    """
    n, T1 = norms.shape
    out = np.zeros(n, dtype=bool)
    if T1 < window + 1:
        return out
    last = np.sum(~np.isnan(norms), axis=1) - 1
    for b in np.flatnonzero(~converged & (last >= window)):
        h, v = history[b, :last[b] + 1], norms[b, :last[b] + 1]
        tail_h, tail_v = h[-window:], v[-window:]
        out[b] = (np.all(np.diff(tail_h) <= 1e-12 * tail_h[:-1])
                  and np.all(np.diff(tail_v) > 0) and v[-1] >= growth * v[len(v) // 2])
    return out


# --------------------------------------------------------------------------- second order

def _flat(problem: Problem, S: Sequence[np.ndarray], masks: Sequence[np.ndarray]) -> np.ndarray:
    """Real parameter vector: free entries factor by factor (row-major), then imaginary
    parts for complex problems -- the ordering of :func:`landscape.fixed_support.pack`."""
    z = np.concatenate([F[m] for F, m in zip(S, masks)])
    return np.concatenate([z.real, z.imag]) if problem.is_complex else z.real.copy()


def _unflat(problem: Problem, theta: np.ndarray, masks: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Inverse of :func:`_flat`; ``theta`` may carry a leading batch axis."""
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


def _objective_batch(problem: Problem, S: Sequence[np.ndarray]) -> np.ndarray:
    return _sqnorm(problem.A - _product(S))


def _hessian(problem: Problem, S: list[np.ndarray], masks: list[np.ndarray]) -> np.ndarray:
    """Hessian w.r.t. the real parameters: exact (:func:`landscape.fixed_support.hessian`)
    for two factors; central differences of the exact batched gradient (one batched call,
    step ``1e-4`` relative -- exact up to ``O(h^2)`` for this polynomial) for more."""
    if len(S) == 2:
        return fs.hessian(problem.A, S[0], S[1], masks[0], masks[1])
    theta = _flat(problem, S, masks)
    p = theta.size
    h = 1e-4 * max(1.0, np.abs(theta).max())
    pts = np.concatenate([theta + h * np.eye(p), theta - h * np.eye(p)])
    F = _unflat(problem, pts, masks)
    G = _gradients(problem.A, F, [np.broadcast_to(m, f.shape) for m, f in zip(masks, F)])
    g = np.stack([_flat(problem, [Gj[b] for Gj in G], masks) for b in range(2 * p)])
    H = (g[:p] - g[p:]) / (2 * h)
    return (H + H.T) / 2


def _orbit_tangents(problem: Problem, S: list[np.ndarray], masks: list[np.ndarray]) -> np.ndarray:
    """Tangent vectors of the scaling orbit (column k of S[j] times d, row k of S[j+1] over
    d; real and imaginary d for complex problems), rows in parameter space."""
    rows = []
    for j in range(len(S) - 1):
        for k in range(S[j].shape[1]):
            for unit in ((1.0,) if not problem.is_complex else (1.0, 1j)):
                D = [np.zeros_like(F) for F in S]
                D[j][:, k] = unit * S[j][:, k]
                D[j + 1][k, :] = -unit * S[j + 1][k, :]
                rows.append(_flat(problem, D, masks))
    return np.array(rows) if rows else np.zeros((0, _flat(problem, S, masks).size))


def _second_order(problem: Problem, S: list[np.ndarray], rng: np.random.Generator, *,
                  n_probe: int = 64, rel_tol: float = 1e-7) -> tuple[str, float, Any, str]:
    """Classify a stationary point: ``(class, min eigenvalue, direction or None, note)``."""
    masks = list(problem.supports) if problem.fixed else [F != 0 for F in S]
    H = _hessian(problem, S, masks)
    T = _orbit_tangents(problem, S, masks)
    p = H.shape[0]
    if T.size:
        U, sv, _ = np.linalg.svd(T.T, full_matrices=True)
        rank = int(np.sum(sv > 1e-10 * max(1.0, sv.max(initial=0.0))))
        Q = U[:, rank:]
    else:
        rank, Q = 0, np.eye(p)
    Hc = Q.T @ H @ Q
    w, V = np.linalg.eigh(Hc) if Hc.size else (np.zeros(0), np.zeros((p, 0)))
    scale = max(1.0, np.abs(w).max(initial=0.0))
    lam = float(w[0]) if w.size else np.inf
    theta = _flat(problem, S, masks)
    f0 = float(_objective_batch(problem, [F[None] for F in S])[0])
    note = f"{rank} scaling-orbit directions projected out of {p}"
    if lam < -rel_tol * scale:
        d = Q @ V[:, 0]
        return "saddle", lam, tuple(F[0] for F in _unflat(problem, d, masks)), \
            note + "; negative curvature"
    # random-perturbation descent test (one batched evaluation)
    if Q.shape[1]:
        U = rng.standard_normal((n_probe, Q.shape[1])) @ Q.T
        U /= np.linalg.norm(U, axis=1, keepdims=True)
        radii = np.array([1e-3, 1e-2, 1e-1]) * max(1.0, np.linalg.norm(theta))
        pts = (theta + radii[:, None, None] * U[None]).reshape(-1, p)
        vals = _objective_batch(problem, _unflat(problem, pts, masks))
        drop = f0 - vals
        if np.any(drop > 1e-12 * max(1.0, f0)):
            b = int(np.argmax(drop))
            d = U[b % n_probe]
            return "saddle", lam, tuple(F[0] for F in _unflat(problem, d, masks)), \
                note + f"; a random perturbation decreases the objective by {drop[b]:.3g}"
    if lam > rel_tol * scale:
        return "spurious local minimum", lam, None, \
            note + "; Hessian positive definite on the complement, no descent in " \
            f"{n_probe} x 3 random perturbations"
    return "degenerate", lam, None, note + "; Hessian singular beyond the scaling orbit, " \
        "no descent found"


# --------------------------------------------------------------------------- clustering

@dataclass(frozen=True)
class Minimum:
    """One cluster of stationary points (a "distinct minimum" or critical value).

    Attributes
    ----------
    label : int (index into ``LandscapeReport.clusters``; ``LandscapeReport.cluster`` holds
        it per start)
    kind : class of the cluster (see :data:`CLASSES`)
    value : objective at the representative
    size : number of starts; fraction : ``size / n_starts``
    representative : index of the start used for the second-order test
    n_classes : equivalence classes (modulo permutation and scaling) among the members;
        more than one means a non-identifiable fibre of equal products
    min_eigenvalue : smallest Hessian eigenvalue off the scaling orbit (NaN if not tested)
    direction : a descent / negative-curvature direction (factor tuple) for a saddle
    note : how the class was decided
    """

    label: int
    kind: str
    value: float
    size: int
    fraction: float
    representative: int
    n_classes: int
    min_eigenvalue: float
    direction: tuple | None
    note: str

    def __repr__(self) -> str:
        return (f"Minimum(label={self.label}, kind={self.kind!r}, value={self.value:.10g}, "
                f"size={self.size}, fraction={self.fraction:.3f}, n_classes={self.n_classes})")


def _cluster(problem: Problem, idx: np.ndarray, objective: np.ndarray,
             factors: Sequence[np.ndarray], value_tol: float, eq_tol: float
             ) -> list[tuple[np.ndarray, int]]:
    """Clusters of the starts ``idx``: same objective and product (within tolerance),
    then equivalence classes inside. Returns ``(members, n_equivalence_classes)``."""
    if idx.size == 0:
        return []
    order = idx[np.argsort(objective[idx], kind="stable")]
    vals = objective[order]
    P = _product([F[order] for F in factors]).reshape(order.size, -1)
    a = max(np.linalg.norm(problem.A), 1e-300)
    label = np.full(order.size, -1)
    reps: list[int] = []
    for t in range(order.size):
        if label[t] >= 0:
            continue
        hi = np.searchsorted(vals, vals[t] + value_tol, side="right")   # same value window
        win = np.arange(t, hi)
        same = win[(label[win] < 0) & (np.linalg.norm(P[win] - P[t], axis=1) <= eq_tol * a)]
        label[same] = len(reps)
        reps.append(t)
    out = []
    by_label = np.argsort(label, kind="stable")
    for members in np.split(order[by_label], np.searchsorted(label[by_label],
                                                             np.arange(1, len(reps)))):
        classes: list[list[np.ndarray]] = []
        for b in members:
            Fb = [F[b] for F in factors]
            if not any(equivalent(R, Fb, tol=eq_tol) for R in classes):
                classes.append(Fb)
        out.append((members, len(classes)))
    return out


# --------------------------------------------------------------------------- reference value

def _reference(problem: Problem, best: float, value_tol: float, bound_variables: int
               ) -> tuple[str, float, str, float | None]:
    """``(kind, value, note, lower bound)``: certified global value or best found."""
    if problem.fixed and problem.n_factors == 2:
        sol = fs.solve_fixed_support(problem.A, *problem.supports)
        if sol.status == "global":
            return "global", float(sol.value), f"solve_fixed_support ({sol.reason})", \
                float(sol.value)
        from ..engine.bounds import contribution_variables, moment_lower_bound

        if np.isfinite(best) and contribution_variables(*problem.supports,
                                                         complex_=problem.is_complex) \
                <= bound_variables:
            lb = moment_lower_bound(problem.A, *problem.supports)
            if lb.status == "optimal" and lb.value >= best - value_tol:
                return "global", best, f"moment lower bound {lb.value:.10g} meets the best " \
                    f"value found (gap <= {value_tol:.2g})", lb.value
            if lb.status == "optimal":
                return "best found", best, f"not certified: moment lower bound " \
                    f"{lb.value:.10g} < best found {best:.10g}", lb.value
    return "best found", best, "no certificate for this problem class", None


# --------------------------------------------------------------------------- public API

def sample(problem: Any, n_starts: int, *, rng: Any = None, algorithm: str | None = None,
           executor: Any = None, n_jobs: int = 2, chunk_size: int | None = None,
           max_iter: int | None = None, segment: int = 250, stat_tol: float = 1e-8,
           step: float = 1.01, value_tol: float | None = None, eq_tol: float | None = None,
           bound_variables: int = 12, checkpoint: Any = None, progress: bool | None = None):
    """Run ``n_starts`` random starts, classify and cluster their end points.

    Parameters
    ----------
    problem : Problem or landscape.relu_nets.ReLUProblem
        A ReLU problem is handed to :func:`landscape.relu_nets.sample_relu` (starts trained
        by ``algorithm``, classified against the convex global reference, clustered modulo
        the ReLU symmetries, on the same executors, same report); the options below that
        only make sense for linear problems (``segment``, ``stat_tol``, ``step``,
        ``bound_variables``) are not used there.
    n_starts : int
    rng : numpy.random.Generator or int seed
        The root of all randomness: the starts are split into chunks of ``chunk_size``,
        chunk ``c`` uses the ``c``-th child of a SeedSequence derived from ``rng``, so the
        results do not depend on the executor.
    algorithm : {"palm"} for a Problem, {"lbfgs", "palm", "sgd"} for a ReLUProblem
        Plain PALM (``palm4msa(normalize=False)``) run in segments of ``segment`` sweeps,
        with column balancing (a symmetry) after every segment. Default "palm" (linear),
        "lbfgs" (ReLU, see :func:`landscape.relu_nets.train_relu`).
    executor : None, "serial", "joblib", "dask", a dask scheduler address or a
        ``distributed.Client`` -- see :func:`landscape.executors.map_chunks`.
    n_jobs : int, default 2
        Workers for "joblib" / a default dask LocalCluster.
    chunk_size : int, optional
        Starts per batched chunk (part of the seed plan: keep it fixed to reproduce a run).
        Default 256 (linear), 16 (ReLU).
    max_iter : int, optional
        Sweeps per start at most. Default 5000 (linear), 500 trainer iterations (ReLU).
    segment : int, default 250
        Sweeps between checkpoints (stationarity test, balancing, norm record).
    stat_tol : float, default 1e-8
        A start stops when its relative gradient norm (module docstring) is below.
    step : float, default 1.01
        PALM step parameter ``gamma > 1``.
    value_tol : float, optional
        Relative tolerance (times ``max(1, |reference|)``) for "at the reference value" and
        for clustering objective values; default 1e-6. ReLU problems: the relative gap to
        the reference (``rtol`` of :func:`~landscape.relu_nets.sample_relu`), default 0.01.
    eq_tol : float, optional
        Tolerance of :func:`identifiability.equivalence.equivalent` when clustering; default
        1e-4 (linear), 1e-2 (ReLU: :func:`identifiability.relu.equivalent` after merging
        parallel neurons).
    bound_variables : int, default 12
        Largest number of (real) contribution variables for which the moment lower bound of
        :mod:`landscape.bounds` is tried (fixed supports, two factors, not tractable).
    checkpoint : path, optional
        Directory where finished chunks are written; a rerun with the same arguments
        resumes from it.
    progress : bool, optional
        tqdm progress bar (default: on for 5000 starts or more).

    Returns
    -------
    landscape.report.LandscapeReport

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3., 0, 1], [0, 1, -3], [1, -3, -2]])      # THEORY C33
    >>> I = np.array([[1, 0], [1, 1], [0, 1]], bool)
    >>> rep = sample(Problem(A, supports=[I, I.T]), 64, rng=1)
    >>> sorted({round(m.value, 6): m.kind for m in rep.clusters}.items())
    [(10.145898, 'best found'), (11.0, 'spurious local minimum')]
    """
    from ..executors import map_chunks, seed_plan
    from ..report import LandscapeReport

    from ..relu.training import ReLUProblem, sample_relu

    if isinstance(problem, ReLUProblem):
        return sample_relu(problem, check_int(n_starts, "n_starts", _FUNC, low=1),
                           rng=check_rng(rng, _FUNC), executor=executor, n_jobs=n_jobs,
                           method=check_choice(algorithm or "lbfgs", "algorithm", _FUNC,
                                               ("lbfgs", "palm", "sgd")),
                           n_iter=500 if max_iter is None else max_iter,
                           rtol=0.01 if value_tol is None else value_tol,
                           cluster_tol=1e-2 if eq_tol is None else eq_tol,
                           chunk_size=16 if chunk_size is None else chunk_size,
                           checkpoint=checkpoint, progress=progress)
    if not isinstance(problem, Problem):
        raise param_error(_FUNC, "problem", "a Problem or a ReLUProblem", problem, kind=TypeError)
    n_starts = check_int(n_starts, "n_starts", _FUNC, low=1)
    check_choice(algorithm or "palm", "algorithm", _FUNC, ("palm",))
    chunk_size = 256 if chunk_size is None else chunk_size
    max_iter = 5000 if max_iter is None else max_iter
    value_tol = 1e-6 if value_tol is None else value_tol
    eq_tol = 1e-4 if eq_tol is None else eq_tol
    rng = check_rng(rng, _FUNC)
    n_jobs = check_int(n_jobs, "n_jobs", _FUNC, low=1)
    chunk_size = check_int(chunk_size, "chunk_size", _FUNC, low=1)
    settings = _Settings(check_int(max_iter, "max_iter", _FUNC, low=1),
                         check_int(segment, "segment", _FUNC, low=1),
                         check_real(stat_tol, "stat_tol", _FUNC, low=0.0),
                         check_real(step, "step", _FUNC, low=1.0, low_open=True))
    value_tol = check_real(value_tol, "value_tol", _FUNC, low=0.0)
    eq_tol = check_real(eq_tol, "eq_tol", _FUNC, low=0.0, low_open=True)
    bound_variables = check_int(bound_variables, "bound_variables", _FUNC, low=0)

    sizes, seeds = seed_plan(rng, n_starts, chunk_size)
    tasks = [(problem, n, s, settings) for n, s in zip(sizes, seeds)]
    meta = {"problem": problem.fingerprint(), "n_starts": n_starts, "chunk_size": chunk_size,
            "seeds": [list(map(int, s.generate_state(2))) for s in seeds],
            "settings": settings.as_dict()}
    parts = map_chunks(_descend, tasks, executor=executor, n_jobs=n_jobs, progress=progress,
                       checkpoint=checkpoint, meta=meta)
    data = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    factors = tuple(data[f"factor{j}"] for j in range(problem.n_factors))
    return _classify(problem, data, factors, settings, value_tol, eq_tol, bound_variables,
                     np.random.default_rng(seeds[0].spawn(1)[0]), LandscapeReport)


def _classify(problem, data, factors, settings, value_tol, eq_tol, bound_variables, rng, cls):
    obj, stat = data["objective"], data["stationarity"]
    n = obj.size
    converged = stat <= settings.stat_tol
    diverging = _diverging(data["history"], data["norms"], converged)
    finite = ~diverging
    best = float(obj[finite].min()) if finite.any() else np.inf
    tol_abs = value_tol * max(1.0, abs(best) if np.isfinite(best) else 1.0)
    kind, ref, note, lower = _reference(problem, best, tol_abs, bound_variables)
    tol_abs = value_tol * max(1.0, abs(ref) if np.isfinite(ref) else 1.0)
    at_ref = finite & (np.abs(obj - ref) <= tol_abs)
    labels = np.full(n, "not converged", dtype=object)
    labels[diverging] = "diverging"
    labels[at_ref] = kind
    cluster = np.full(n, -1, dtype=np.int64)
    clusters = []
    for members, n_classes in _cluster(problem, np.flatnonzero(at_ref | (converged & finite)),
                                       obj, factors, tol_abs, eq_tol):
        rep = int(members[np.argmin(stat[members])])
        value = float(obj[rep])
        if abs(value - ref) <= tol_abs:
            ck, lam, direction, why = kind, np.nan, None, "at the reference value"
        else:
            ck, lam, direction, why = _second_order(problem, [F[rep] for F in factors], rng)
        labels[members] = ck
        cluster[members] = len(clusters)
        clusters.append(Minimum(len(clusters), ck, value, int(members.size),
                                members.size / n, rep, n_classes, float(lam), direction, why))
    return cls(problem=problem, objective=obj, stationarity=stat, history=data["history"],
               norms=data["norms"], n_iter=data["n_iter"], labels=labels.astype(str),
               cluster=cluster, factors=factors, reference=ref, reference_kind=kind,
               reference_note=note, lower_bound=lower, clusters=tuple(clusters),
               settings={**settings.as_dict(), "value_tol": value_tol, "eq_tol": eq_tol})
