"""Classify where starts end: the second-order test, clusters modulo equivalence, the
certified reference value. See :mod:`landscape.linear.sampling` for the classes.

>>> CLASSES[:3]
('global', 'best found', 'spurious local minimum')
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from identifiability.equivalence import equivalent

from ..divergence import diverging as detect_divergence
from ..engine import fixed_support as fs
from ..engine.bounds import contribution_variables, moment_lower_bound
from ..report import LandscapeReport, Minimum
from .calculus import flatten, gradients, objective_values, product, unflatten
from .critical_values import critical_values

__all__ = ["CLASSES", "hessian", "second_order", "cluster_starts", "reference_value",
           "exact_critical_values", "classify"]

#: The classes a start can receive.
CLASSES = ("global", "best found", "spurious local minimum", "saddle", "degenerate",
           "diverging", "not converged")


# --------------------------------------------------------------------------- second order

def hessian(problem: Any, S: list[np.ndarray], masks: list[np.ndarray]) -> np.ndarray:
    """Hessian w.r.t. the real parameters: exact (:func:`landscape.fixed_support.hessian`)
    for two factors; central differences of the exact batched gradient (one batched call,
    step ``1e-4`` relative -- exact up to ``O(h^2)`` for this polynomial) for more."""
    if len(S) == 2:
        return fs.hessian(problem.A, S[0], S[1], masks[0], masks[1])
    theta = flatten(problem, S, masks)
    p = theta.size
    h = 1e-4 * max(1.0, np.abs(theta).max())
    pts = np.concatenate([theta + h * np.eye(p), theta - h * np.eye(p)])
    F = unflatten(problem, pts, masks)
    G = gradients(problem.A, F, [np.broadcast_to(m, f.shape) for m, f in zip(masks, F)])
    g = np.stack([flatten(problem, [Gj[b] for Gj in G], masks) for b in range(2 * p)])
    H = (g[:p] - g[p:]) / (2 * h)
    return (H + H.T) / 2


def _orbit_tangents(problem: Any, S: list[np.ndarray], masks: list[np.ndarray]) -> np.ndarray:
    """Tangent vectors of the scaling orbit (column k of S[j] times d, row k of S[j+1] over
    d; real and imaginary d for complex problems), rows in parameter space."""
    rows = []
    for j in range(len(S) - 1):
        for k in range(S[j].shape[1]):
            for unit in ((1.0,) if not problem.is_complex else (1.0, 1j)):
                D = [np.zeros_like(F) for F in S]
                D[j][:, k] = unit * S[j][:, k]
                D[j + 1][k, :] = -unit * S[j + 1][k, :]
                rows.append(flatten(problem, D, masks))
    return np.array(rows) if rows else np.zeros((0, flatten(problem, S, masks).size))


def second_order(problem: Any, S: list[np.ndarray], rng: np.random.Generator, *,
                 n_probe: int = 64, rel_tol: float = 1e-7) -> tuple[str, float, Any, str]:
    """Classify a stationary point: ``(class, min eigenvalue, direction or None, note)``."""
    masks = list(problem.supports) if problem.fixed else [F != 0 for F in S]
    H = hessian(problem, S, masks)
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
    theta = flatten(problem, S, masks)
    f0 = float(objective_values(problem, [F[None] for F in S])[0])
    note = f"{rank} scaling-orbit directions projected out of {p}"
    if lam < -rel_tol * scale:
        d = Q @ V[:, 0]
        return "saddle", lam, tuple(F[0] for F in unflatten(problem, d, masks)), \
            note + "; negative curvature"
    # random-perturbation descent test (one batched evaluation)
    if Q.shape[1]:
        U = rng.standard_normal((n_probe, Q.shape[1])) @ Q.T
        U /= np.linalg.norm(U, axis=1, keepdims=True)
        radii = np.array([1e-3, 1e-2, 1e-1]) * max(1.0, np.linalg.norm(theta))
        pts = (theta + radii[:, None, None] * U[None]).reshape(-1, p)
        vals = objective_values(problem, unflatten(problem, pts, masks))
        drop = f0 - vals
        if np.any(drop > 1e-12 * max(1.0, f0)):
            b = int(np.argmax(drop))
            d = U[b % n_probe]
            return "saddle", lam, tuple(F[0] for F in unflatten(problem, d, masks)), \
                note + f"; a random perturbation decreases the objective by {drop[b]:.3g}"
    if lam > rel_tol * scale:
        return "spurious local minimum", lam, None, \
            note + "; Hessian positive definite on the complement, no descent in " \
            f"{n_probe} x 3 random perturbations"
    return "degenerate", lam, None, note + "; Hessian singular beyond the scaling orbit, " \
        "no descent found"


def cluster_starts(problem: Any, idx: np.ndarray, objective: np.ndarray,
                   factors: Sequence[np.ndarray], value_tol: float, eq_tol: float
                   ) -> list[tuple[np.ndarray, int]]:
    """Clusters of the starts ``idx``: same objective and product (within tolerance),
    then equivalence classes inside. Returns ``(members, n_equivalence_classes)``."""
    if idx.size == 0:
        return []
    order = idx[np.argsort(objective[idx], kind="stable")]
    vals = objective[order]
    P = product([F[order] for F in factors]).reshape(order.size, -1)
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

def exact_critical_values(problem: Any, max_variables: int) -> Any:
    """The :class:`~landscape.linear.CriticalValues` of a real two-factor fixed-support
    problem with exact data and at most ``max_variables`` free entries, else None."""
    if not (problem.fixed and problem.n_factors == 2) or problem.is_complex:
        return None
    if problem.n_parameters() > max_variables:
        return None
    cv = critical_values(problem.A, problem.supports, max_variables=max_variables,
                         time_limit=20.0)
    return None if cv.status == "not attempted" else cv


def reference_value(problem: Any, best: float, value_tol: float, bound_variables: int,
                    critical: Any = None) -> tuple[str, float, str, float | None]:
    """``(kind, value, note, lower bound)``: certified global value or best found.

    Certificates tried in turn: :func:`landscape.fixed_support.solve_fixed_support`
    (tractable supports), the moment lower bound meeting the best value found, the exact
    enumeration of the critical points ``critical`` (a :class:`~landscape.linear.CriticalValues`,
    when its status is ``"certified"``; it also certifies where the moment bound is not
    tight, e.g. docs/theory.rst C33)."""
    if not (problem.fixed and problem.n_factors == 2):
        return "best found", best, "no certificate for this problem class", None
    sol = fs.solve_fixed_support(problem.A, *problem.supports)
    if sol.status == "global":
        return "global", float(sol.value), f"solve_fixed_support ({sol.reason})", \
            float(sol.value)
    why, lower = "no certificate for this problem class", None
    if np.isfinite(best) and contribution_variables(*problem.supports,
                                                     complex_=problem.is_complex) \
            <= bound_variables:
        lb = moment_lower_bound(problem.A, *problem.supports)
        if lb.status == "optimal" and lb.value >= best - value_tol:
            return "global", best, f"moment lower bound {lb.value:.10g} meets the best " \
                f"value found (gap <= {value_tol:.2g})", lb.value
        if lb.status == "optimal":
            why, lower = (f"not certified: moment lower bound {lb.value:.10g} < best found "
                          f"{best:.10g}"), lb.value
        else:
            why = ("not certified: the moment lower bound was not solved to accuracy "
                   f"(status {lb.status!r}), so it is not used")
    if critical is not None and critical.certified:
        return "global", critical.global_value, (
            f"critical_values (every real critical point enumerated exactly: "
            f"{len(critical.points)} orbits; global value in [{critical.global_lo:.15g}, "
            f"{critical.global_hi:.15g}], attained since below the escape bound "
            f"{float(critical.escape_bound):.10g})"), critical.global_lo
    if critical is not None:
        why += f"; exact critical points: {critical.status} ({critical.reason})"
    return "best found", best, why, lower


def classify(problem: Any, data: dict, factors: tuple, settings: Any, value_tol: float,
             eq_tol: float, bound_variables: int, rng: np.random.Generator, *,
             max_variables: int = 10) -> LandscapeReport:
    """Classify and cluster the end points of a run (the arrays of
    :func:`landscape.linear.sampling.descend`, concatenated) into a report; fixed-support
    problems with exact data and at most ``max_variables`` free entries get the exact
    enumeration of their critical points (:func:`landscape.linear.critical_values`)."""
    obj, stat = data["objective"], data["stationarity"]
    n = obj.size
    converged = stat <= settings.stat_tol
    diverging = detect_divergence(data["history"], data["norms"], converged=converged)
    finite = ~diverging
    best = float(obj[finite].min()) if finite.any() else np.inf
    tol_abs = value_tol * max(1.0, abs(best) if np.isfinite(best) else 1.0)
    sol = fs.solve_fixed_support(problem.A, *problem.supports) if (
        problem.fixed and problem.n_factors == 2) else None
    critical = None if sol is not None and sol.status == "global" else \
        exact_critical_values(problem, max_variables)
    kind, ref, note, lower = reference_value(problem, best, tol_abs, bound_variables, critical)
    tol_abs = value_tol * max(1.0, abs(ref) if np.isfinite(ref) else 1.0)
    at_ref = finite & (np.abs(obj - ref) <= tol_abs)
    labels = np.full(n, "not converged", dtype=object)
    labels[diverging] = "diverging"
    labels[at_ref] = kind
    cluster = np.full(n, -1, dtype=np.int64)
    clusters = []
    candidates = np.flatnonzero(at_ref | (converged & finite))
    for members, n_classes in cluster_starts(problem, candidates, obj, factors, tol_abs, eq_tol):
        rep = int(members[np.argmin(stat[members])])
        value = float(obj[rep])
        if abs(value - ref) <= tol_abs:
            ck, lam, direction, why = kind, np.nan, None, "at the reference value"
        else:
            ck, lam, direction, why = second_order(problem, [F[rep] for F in factors], rng)
            match = [p for p in (critical.points if critical is not None else ())
                     if abs(p.value - value) <= tol_abs]
            if match:
                why += (f"; the exact enumeration has a critical value {match[0].value:.10g} "
                        f"here, of type {match[0].kind} (certified Hessian inertia "
                        f"{match[0].inertia})")
        labels[members] = ck
        cluster[members] = len(clusters)
        clusters.append(Minimum(len(clusters), ck, value, int(members.size),
                                members.size / n, rep, n_classes, float(lam), direction, why))
    return LandscapeReport(
        problem=problem, objective=obj, stationarity=stat, history=data["history"],
        norms=data["norms"], n_iter=data["n_iter"], labels=labels.astype(str), cluster=cluster,
        factors=factors, reference=ref, reference_kind=kind, reference_note=note,
        lower_bound=lower, clusters=tuple(clusters), critical=critical,
        settings={**settings.as_dict(), "value_tol": value_tol, "eq_tol": eq_tol})
