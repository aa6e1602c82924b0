"""The result of :func:`landscape.critical_points.sample`: per-start arrays and clusters.

One report for linear sparse factorization problems (:class:`~landscape.critical_points.Problem`)
and for two-layer ReLU training problems (:class:`~landscape.relu_nets.ReLUProblem`, whose
starts are classified against the convex global reference, kept in ``convex``).

:class:`LandscapeReport` holds, per start (batch axis first), the final objective, the
stationarity measure, the objective and balanced factor norms at every checkpoint, the
class and the cluster; the clusters (:class:`landscape.critical_points.Minimum`) with their
basin fractions; and the reference value (certified global value, or best found).
``summary()`` / ``explain()`` say it in words, ``plot()`` draws it, ``to_frame()`` gives a
table (pandas when installed, else a dict of arrays) and ``save`` / ``load`` keep long runs
(``.npz`` for the arrays, ``.json`` beside it for the rest).

Examples
--------
>>> import numpy as np
>>> from landscape.critical_points import Problem, sample
>>> L = np.array([[1, 0], [1, 1]], bool)
>>> rep = sample(Problem(np.array([[0., 1], [1, 0]]), supports=[L, L.T]), 4, rng=3,
...              max_iter=2000, segment=200)
>>> rep.counts()
{'diverging': 4}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from identifiability.core.validation import check_real

from .linear.sampling import Minimum, Problem
from .engine.projections import Constraint, compose, support, topk, topk_cols, topk_rows, splincol, \
    unit_norm

__all__ = ["LandscapeReport"]


#: Short class names for the figure's labels.
_SHORT = {"spurious local minimum": "spurious", "not converged": "not conv."}

#: Minima listed by ``summary()`` (all of them are in ``explain()``).
_SHOWN = 6


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


@dataclass(frozen=True, eq=False)
class LandscapeReport:
    """Classified end points of many starts (see :mod:`landscape.critical_points`).

    Attributes
    ----------
    problem : Problem or landscape.relu_nets.ReLUProblem
    objective, stationarity : (n_starts,) final objective and relative gradient norm
    history, norms : (n_starts, T + 1) objective and balanced factor norm at the checkpoints
        (every ``settings["segment"]`` sweeps; NaN once a start stopped)
    n_iter : (n_starts,) PALM sweeps run
    labels : (n_starts,) class of every start (:data:`landscape.critical_points.CLASSES`)
    cluster : (n_starts,) index into ``clusters`` (-1: not clustered)
    factors : tuple of (n_starts, ., .) arrays, the final balanced factors (ReLU problems:
        the trained ``(W1, W2)``, ``W1`` acting on ``problem.design``)
    reference : the certified global value (``reference_kind == "global"``) or the best
        value found among non-diverging starts (``"best found"``)
    reference_note : what certifies it (or why nothing does); lower_bound : a proven lower
        bound when one was computed, else None
    clusters : tuple of Minimum, by increasing value
    settings : the options of the run
    convex : the :class:`landscape.relu_nets.ConvexReference` of a ReLU problem (None for
        linear problems)
    """

    problem: Problem
    objective: np.ndarray
    stationarity: np.ndarray
    history: np.ndarray
    norms: np.ndarray
    n_iter: np.ndarray
    labels: np.ndarray
    cluster: np.ndarray
    factors: tuple
    reference: float
    reference_kind: str
    reference_note: str
    lower_bound: float | None
    clusters: tuple
    settings: dict
    convex: Any = None

    @property
    def n_starts(self) -> int:
        return int(self.objective.size)

    @property
    def relative_gap(self) -> np.ndarray:
        """``(objective - reference) / |reference|`` per start (``inf`` without reference)."""
        if not np.isfinite(self.reference):
            return np.full(self.n_starts, np.inf)
        return (self.objective - self.reference) / max(abs(self.reference), 1e-300)

    def fraction_within(self, rtol: float = 0.01, *, value: float | None = None) -> float:
        """Fraction of all starts (diverging ones excluded) whose objective is within
        ``rtol`` (relative) of ``value`` (default: the reference value; e.g.
        ``value=report.convex.value`` for the convex value of a ReLU problem even when it is
        only a lower bound).

        >>> import numpy as np
        >>> from landscape.critical_points import Problem, sample
        >>> I = np.array([[1, 0], [1, 0], [0, 1]], bool)
        >>> A = np.array([[3., 1, 5], [1, 3, 7], [2, 4, 6]])
        >>> sample(Problem(A, supports=[I, I.T]), 4, rng=0).fraction_within(1e-6)
        1.0
        """
        func = "LandscapeReport.fraction_within"
        rtol = check_real(rtol, "rtol", func, low=0.0)
        ref = self.reference if value is None else check_real(value, "value", func)
        if not np.isfinite(ref):
            return 0.0
        ok = self.labels != "diverging"
        return float(np.mean(ok & (self.objective - ref <= rtol * max(abs(ref), 1e-300))))

    @property
    def fraction_global(self) -> float:
        """Fraction of starts classified ``"global"`` (0 when the reference is not certified)."""
        return float(np.mean(self.labels == "global"))

    def counts(self) -> dict[str, int]:
        """Number of starts per class."""
        kinds, num = np.unique(self.labels, return_counts=True)
        return {str(k): int(c) for k, c in zip(kinds, num)}

    def minima(self) -> tuple:
        """Clusters that are minima: global / best found / spurious local minima."""
        return tuple(c for c in self.clusters
                     if c.kind in ("global", "best found", "spurious local minimum"))

    def summary(self) -> str:
        """Two or three lines: distinct minima, basin fractions, other classes."""
        mins = self.minima()
        ref = ("no reference value: every start diverged" if not np.isfinite(self.reference)
               else f"global value {self.reference:.10g}, certified by "
               f"{self.reference_note.split(' (')[0].split(':')[0]}"
               if self.reference_kind == "global" else
               f"best found {self.reference:.10g}, not certified as global")
        word = "minimum" if len(mins) == 1 else "minima"
        lines = [f"{len(mins)} distinct {word} ({ref}), basin fractions "
                 + (" / ".join(_pct(c.fraction) for c in mins[:_SHOWN]) or "-")
                 + (" / ..." if len(mins) > _SHOWN else "")]
        if mins:
            shown = ", ".join(f"{c.value:.10g} ({c.kind}, {_pct(c.fraction)})"
                              for c in mins[:_SHOWN])
            more = f", ... ({len(mins) - _SHOWN} more, see explain())" if len(mins) > _SHOWN else ""
            lines.append(f"values: {shown}{more}")
        other = {k: v for k, v in self.counts().items()
                 if k not in ("global", "best found", "spurious local minimum")}
        if other:
            lines.append("other starts: " + ", ".join(f"{k} {v}" for k, v in other.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"LandscapeReport(n_starts={self.n_starts}, reference={self.reference:.10g} "
                f"({self.reference_kind}), counts={self.counts()}, clusters={len(self.clusters)})")

    def explain(self) -> str:
        """The summary, the certificate of the reference and how each cluster was decided."""
        lines = [self.summary(), f"Reference ({self.reference_kind}): {self.reference_note}."]
        if self.convex is not None:
            lines.append(f"Convex reference: {self.convex!r}.")
        if self.reference_kind != "global":
            lines.append("Classes are relative to the best value found: 'best found' marks "
                         "starts at that value (possibly not the global minimum); a "
                         "'spurious local minimum' is above a value that was attained, so it is "
                         "certainly not global.")
        for c in self.clusters:
            same = "product (not identifiable)" if isinstance(self.problem, Problem) else \
                "outputs on the data (within cluster_tol)"
            extra = "" if c.n_classes == 1 else \
                f", {c.n_classes} equivalence classes with the same {same}"
            lines.append(f"  cluster {c.label}: {c.kind} at {c.value:.10g}, {c.size} starts "
                         f"({_pct(c.fraction)}){extra}; {c.note}")
        if "diverging" in self.counts():
            check = "infimum_attained" if isinstance(self.problem, Problem) else \
                "relu_optimum_exists"
            lines.append("Diverging starts: the objective decreases while the balanced factor "
                         "norms grow -- the infimum is probably not attained (check with "
                         f"landscape.existence.{check}).")
        return "\n".join(lines)

    # ------------------------------------------------------------------ tables and files

    def to_frame(self):
        """One row per start: pandas DataFrame if pandas is installed, else a dict of arrays.

        Columns: objective, stationarity, n_iter, label, cluster, final_norm.
        """
        last = np.sum(~np.isnan(self.norms), axis=1) - 1
        cols = {"objective": self.objective, "stationarity": self.stationarity,
                "n_iter": self.n_iter, "label": self.labels, "cluster": self.cluster,
                "final_norm": self.norms[np.arange(self.n_starts), last]}
        try:
            import pandas as pd
        except ImportError:
            return cols
        return pd.DataFrame(cols)

    def save(self, path: Any) -> None:
        """Write ``path`` (.npz: arrays) and ``path`` with suffix .json (everything else)."""
        path = Path(path).with_suffix(".npz")
        arrays = {"objective": self.objective, "stationarity": self.stationarity,
                  "history": self.history, "norms": self.norms, "n_iter": self.n_iter,
                  "labels": self.labels.astype(str), "cluster": self.cluster}
        arrays.update({f"factor{j}": F for j, F in enumerate(self.factors)})
        for c in self.clusters:
            for j, D in enumerate(c.direction or ()):
                arrays[f"direction{c.label}_{j}"] = D
        meta = {"n_factors": len(self.factors), "reference": self.reference,
                "reference_kind": self.reference_kind, "reference_note": self.reference_note,
                "lower_bound": self.lower_bound, "settings": self.settings,
                "clusters": [{k: getattr(c, k) for k in ("label", "kind", "value", "size",
                                                         "fraction", "representative",
                                                         "n_classes", "min_eigenvalue", "note")}
                             | {"has_direction": c.direction is not None} for c in self.clusters],
                "problem": _save_problem(self.problem, self.convex, arrays)}
        np.savez_compressed(path, **arrays)
        path.with_suffix(".json").write_text(json.dumps(meta, indent=1))

    @classmethod
    def load(cls, path: Any) -> "LandscapeReport":
        """Read a report written by :meth:`save`."""
        path = Path(path).with_suffix(".npz")
        meta = json.loads(path.with_suffix(".json").read_text())
        with np.load(path, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        L = meta["n_factors"]
        problem, convex = _load_problem(meta["problem"], a)
        clusters = []
        for c in meta["clusters"]:
            has = c.pop("has_direction")
            d = tuple(a[f"direction{c['label']}_{j}"] for j in range(L)) if has else None
            clusters.append(Minimum(**c, direction=d))
        return cls(problem=problem, objective=a["objective"], stationarity=a["stationarity"],
                   history=a["history"], norms=a["norms"], n_iter=a["n_iter"],
                   labels=a["labels"], cluster=a["cluster"],
                   factors=tuple(a[f"factor{j}"] for j in range(L)),
                   reference=meta["reference"], reference_kind=meta["reference_kind"],
                   reference_note=meta["reference_note"], lower_bound=meta["lower_bound"],
                   clusters=tuple(clusters), settings=meta["settings"], convex=convex)

    # ------------------------------------------------------------------ figure

    def plot(self, *, bins: int = 40, resolution: int = 41):
        """Histogram of final objectives (reference marked), basin fractions, and the
        objective on the plane through the representatives of the two lowest minima and the
        origin of their (balanced) parameter vectors. Returns the matplotlib Figure."""
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(1, 3, figsize=(14, 4))
        vals = self.objective[np.isfinite(self.objective)]
        lo, hi = (vals.min(), vals.max()) if vals.size else (0.0, 1.0)
        pad = max(hi - lo, 1e-3 * max(1.0, abs(hi))) * 0.05
        ax[0].hist(vals, bins=bins, range=(lo - pad, hi + pad), color="0.6")
        ax[0].axvline(self.reference, color="C3",
                      label=f"{self.reference_kind} {self.reference:.6g}")
        ax[0].set_xlabel("final objective")
        ax[0].set_ylabel("starts")
        ax[0].legend()
        names = [f"{_SHORT.get(c.kind, c.kind)}\n{c.value:.4g}" for c in self.clusters]
        fr = [c.fraction for c in self.clusters]
        for k in ("diverging", "not converged"):
            if k in self.counts():
                names.append(_SHORT.get(k, k))
                fr.append(self.counts()[k] / self.n_starts)
        ax[1].bar(range(len(fr)), fr, color=[f"C{i % 10}" for i in range(len(fr))])
        ax[1].set_xticks(range(len(fr)), names, fontsize=7)
        ax[1].set_ylabel("basin fraction")
        self._plot_slice(ax[2], resolution)
        fig.tight_layout()
        return fig

    def _slice_maps(self, a: list, b: list) -> tuple:
        """``(flatten, unflatten batch, batched objective)`` for the parameter plane."""
        p = self.problem
        if not isinstance(p, Problem):       # ReLU: every weight is a coordinate
            shapes = [F.shape[1:] for F in self.factors]
            cuts = np.cumsum([int(np.prod(sh)) for sh in shapes])[:-1]

            def unflat(T):
                return [X.reshape(-1, *sh) for X, sh in zip(np.split(T, cuts, axis=1), shapes)]

            return (lambda S: np.concatenate([F.ravel() for F in S]), unflat,
                    p.objective_batch)
        from .linear.sampling import _flat, _masks, _objective_batch, _unflat

        masks = [m[0] for m in _masks(p, [F[:1] for F in self.factors])] if p.fixed else \
            [(Fa != 0) | (Fb != 0) for Fa, Fb in zip(a, b)]
        return (lambda S: _flat(p, S, masks), lambda T: _unflat(p, T, masks),
                lambda S: _objective_batch(p, S))

    def _plot_slice(self, ax, resolution: int) -> None:
        mins = sorted(self.minima(), key=lambda c: c.value)
        if len(mins) < 2:
            ax.set_title("objective slice: fewer than two minima")
            ax.axis("off")
            return
        a, b = ([F[c.representative] for F in self.factors] for c in mins[:2])
        flat, unflat, objective = self._slice_maps(a, b)
        ta, tb = flat(a), flat(b)
        mid = (ta + tb) / 2
        u = tb - ta
        rng = np.random.default_rng(0)
        v = rng.standard_normal(u.size)
        v -= v @ u / (u @ u) * u
        v *= np.linalg.norm(u) / (2 * np.linalg.norm(v))
        s = np.linspace(-1.6, 1.6, resolution)
        S, T = np.meshgrid(s, s)
        pts = mid + S.reshape(-1, 1) * (u / 2) + T.reshape(-1, 1) * v
        Z = objective(unflat(pts)).reshape(S.shape)
        cs = ax.contourf(S, T, np.log10(Z - Z.min() + 1e-3), levels=30, cmap="viridis")
        ax.plot([-1, 1], [0, 0], "r*", ms=10)
        for x, c in ((-1, mins[0]), (1, mins[1])):
            ax.annotate(f"{_SHORT.get(c.kind, c.kind)} {c.value:.4g}", (x, 0.1), color="w",
                        ha="center")
        ax.set_title("log10(f - min f) on a plane through two minima")
        ax.figure.colorbar(cs, ax=ax)


# --------------------------------------------------------------------------- problem I/O

def _save_problem(p: Any, convex: Any, arrays: dict) -> dict:
    """JSON description of the problem (and convex reference); its arrays go to ``arrays``."""
    if isinstance(p, Problem):
        arrays["A"] = p.A
        for j, s in enumerate(p.supports or ()):
            arrays[f"support{j}"] = s
        masks: list[np.ndarray] = []
        cons = [_encode(c, masks) for c in p.constraints] if not p.fixed else None
        arrays.update({f"mask{t}": m for t, m in enumerate(masks)})
        return {"kind": "linear", "n_factors": p.n_factors, "constraints": cons,
                "shapes": [list(s) for s in p.shapes]}
    arrays.update(X=p.X, y=p.y)
    if p.supports is not None:
        arrays.update(relu_support0=p.supports[0], relu_support1=p.supports[1])
    meta = {"kind": "relu", "width": p.width, "beta": p.beta, "bias": p.bias, "convex": None,
            "supports": p.supports is not None}
    if convex is not None:
        arrays.update(convex_W1=convex.net.weights[0], convex_W2=convex.net.weights[1])
        meta["convex"] = {k: getattr(convex, k) for k in ("value", "objective", "exhaustive",
                                                          "n_patterns", "n_neurons", "status",
                                                          "solve_time", "lower_bound")}
    return meta


def _load_problem(meta: dict, a: dict) -> tuple:
    """Inverse of :func:`_save_problem`: ``(problem, convex reference or None)``."""
    if meta["kind"] == "relu":
        from identifiability.relu.net import ReLUNet

        from .relu.training import ConvexReference, ReLUProblem

        problem = ReLUProblem(a["X"], a["y"], width=meta["width"], beta=meta["beta"],
                              bias=meta["bias"], supports=(a["relu_support0"], a["relu_support1"])
                              if meta["supports"] else None)
        c = meta["convex"]
        convex = None if c is None else ConvexReference(
            net=ReLUNet([a["convex_W1"], a["convex_W2"]]), **c)
        return problem, convex
    L = meta["n_factors"]
    if meta["constraints"] is None:
        return Problem(a["A"], supports=[a[f"support{j}"] for j in range(L)]), None
    cons = [_decode(c, a) for c in meta["constraints"]]
    return Problem(a["A"], constraints=cons, inner=[s[1] for s in meta["shapes"][:-1]]), None


# --------------------------------------------------------------------------- constraints I/O

def _encode(c: Constraint, masks: list) -> dict:
    """JSON form of a constraint built by :mod:`landscape.projections` (masks stored aside)."""
    name = type(c).__name__
    if name == "_TopK":
        return {"mode": c.mode, "k": c.k}
    if name == "_Support":
        masks.append(c.mask)
        return {"mode": "support", "mask": len(masks) - 1}
    if name == "_UnitNorm":
        return {"mode": "unit_norm", "inner": None if c.inner is None else _encode(c.inner, masks)}
    if name == "_Compose":
        return {"mode": "compose", "parts": [_encode(x, masks) for x in c.parts]}
    raise TypeError(f"LandscapeReport.save cannot store the constraint {c!r}")


def _decode(d: dict, arrays: dict) -> Constraint:
    mode = d["mode"]
    simple = {"topk": topk, "topk_rows": topk_rows, "topk_cols": topk_cols, "splincol": splincol}
    if mode in simple:
        return simple[mode](d["k"])
    if mode == "support":
        return support(arrays[f"mask{d['mask']}"])
    if mode == "unit_norm":
        return unit_norm(None if d["inner"] is None else _decode(d["inner"], arrays))
    return compose(*[_decode(x, arrays) for x in d["parts"]])
