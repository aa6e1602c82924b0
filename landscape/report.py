"""The result of :func:`landscape.sample`: per-start arrays, clusters, and the problem protocol.

One report for every problem kind: linear sparse factorization problems
(:class:`landscape.linear.Problem`) and two-layer ReLU training problems
(:class:`landscape.relu.ReLUProblem`, whose starts are classified against the convex global
reference, kept in ``convex``). The report never looks at the type of its problem: it talks
to it through the **problem protocol** below, and finds the class of a saved problem in a
registry filled by :func:`register_problem`.

:class:`LandscapeReport` holds, per start (batch axis first), the final objective, the
stationarity measure, the objective and balanced factor norms at every checkpoint, the
class and the cluster; the clusters (:class:`Minimum`) with their basin fractions; and the
reference value (certified global value, or best found). ``summary()`` / ``explain()`` say
it in words, ``plot()`` draws it, ``to_frame()`` gives a table (pandas when installed, else a
dict of arrays), ``_repr_html_`` a summary table in Jupyter, and ``save`` / ``load`` keep long
runs (``.npz`` for the arrays, ``.json`` beside it for the rest).

The problem protocol
--------------------
A problem handed to :func:`landscape.sample` provides

``sample_landscape(n_starts, *, rng, method, executor, n_jobs, chunk_size, n_iter, checkpoint, progress, **options)``
    runs the starts and returns a :class:`LandscapeReport` (it validates its own options;
    an unknown option is a ``TypeError`` naming it);
``kind``
    a short string naming the problem class in saved files (``"linear"``, ``"relu"``);
``methods``
    the valid values of ``method``, the default first (:func:`landscape.sample` checks
    ``method`` against it, so the error message is the same for every problem);
``describe()``
    a dict with the keys ``"same"`` (what the members of one cluster share, e.g.
    ``"product (not identifiable)"``) and ``"existence"`` (the function of
    :mod:`landscape.existence` that decides whether an optimum exists);
``to_state()`` and the classmethod ``from_state(meta, arrays)``
    ``(meta, arrays)``: a JSON-able dict and a dict of numpy arrays that rebuild the problem;
``flat(factors)``, ``unflat(theta)``, ``objective_batch(factors)``
    batched maps between factor tuples (batch axis first) and real parameter vectors
    ``(n, p)``, and the objective of a batch (used by the 2-D slice of :meth:`plot`).

A report carrying a ``convex`` reference also needs ``reference_to_state(reference)`` and
the classmethod ``reference_from_state(meta, arrays)`` on the problem class.
:func:`register_problem` ``(kind, cls)`` makes ``cls.from_state`` the loader of ``kind``.

Constraints are saved by the public encoding of :func:`encode_constraint` (the builder of
:mod:`landscape.projections` that rebuilds each one, and its arguments).

Examples
--------
>>> import numpy as np
>>> from landscape import Problem, sample
>>> L = np.array([[1, 0], [1, 1]], bool)
>>> rep = sample(Problem(np.array([[0., 1], [1, 0]]), supports=[L, L.T]), 4, rng=3,
...              n_iter=2000, segment=200)
>>> rep.counts()
{'diverging': 4}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from identifiability.core.display import summary_repr
from identifiability.core.validation import check_real, param_error

from .engine.projections import Constraint, compose, splincol, support, topk, topk_cols, \
    topk_rows, unit_norm

__all__ = ["LandscapeReport", "Minimum", "register_problem", "problem_class",
           "encode_constraint", "decode_constraint"]

#: kind -> problem class (``from_state`` rebuilds a saved problem).
_PROBLEMS: dict[str, type] = {}


def register_problem(kind: str, cls: type) -> type:
    """Register ``cls`` as the loader of saved problems of ``kind`` (``cls.from_state``).

    Call it once, below the class definition, in the module that defines the problem.
    Registering the same class again is harmless; another class under a taken kind is an
    error. Returns ``cls``.

    >>> problem_class("linear").__name__
    'Problem'
    """
    func = "register_problem"
    if not isinstance(kind, str) or not kind:
        raise param_error(func, "kind", "a non-empty string", kind, kind=TypeError)
    if not callable(getattr(cls, "from_state", None)):
        raise param_error(func, "cls", "a class with a classmethod from_state(meta, arrays)",
                          cls, kind=TypeError)
    old = _PROBLEMS.get(kind)
    if old is not None and old is not cls and old.__qualname__ != cls.__qualname__:
        raise param_error(func, "kind", f"a kind not yet registered (taken by "
                          f"{old.__qualname__})", kind, raw=False)
    _PROBLEMS[kind] = cls
    return cls


def problem_class(kind: str) -> type:
    """The class registered for ``kind`` (see :func:`register_problem`)."""
    if kind not in _PROBLEMS:
        raise param_error("LandscapeReport.load", "problem kind", "one of "
                          f"{sorted(_PROBLEMS)} (registered by register_problem; import the "
                          "package that defines it)", kind)
    return _PROBLEMS[kind]


@dataclass(frozen=True, repr=False)
class Minimum:
    """One cluster of stationary points (a "distinct minimum" or critical value).

    Attributes
    ----------
    label : int (index into ``LandscapeReport.clusters``; ``LandscapeReport.cluster`` holds
        it per start)
    kind : class of the cluster (see :data:`landscape.CLASSES`)
    value : objective at the representative
    size : number of starts; fraction : ``size / n_starts``
    representative : index of the start used for the second-order test
    n_classes : equivalence classes (modulo permutation and scaling) among the members;
        more than one means a non-identifiable fibre of equal products
    min_eigenvalue : smallest Hessian eigenvalue off the scaling orbit (NaN if not tested)
    direction : a descent / negative-curvature direction (factor tuple) for a saddle
    note : how the class was decided

    >>> Minimum(0, "global", 98.0, 8, 1.0, 3, 1, float("nan"), None, "at the reference")
    Minimum(label=0, kind='global', value=98, size=8, fraction=1.000, n_classes=1)
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

    def explain(self) -> str:
        """One line: class, value, basin and how the class was decided."""
        extra = "" if self.n_classes == 1 else f", {self.n_classes} equivalence classes"
        return (f"cluster {self.label}: {self.kind} at {self.value:.10g}, {self.size} starts "
                f"({_pct(self.fraction)}){extra}; {self.note}")



#: Short class names for the figure's labels.
_SHORT = {"spurious local minimum": "spurious", "not converged": "not conv."}

#: Minima listed by ``summary()`` (all of them are in ``explain()``).
_SHOWN = 6


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


@dataclass(frozen=True, eq=False, repr=False)
class LandscapeReport:
    """Classified end points of many starts (see :func:`landscape.sample`).

    Attributes
    ----------
    problem : a problem following the protocol of this module (``landscape.linear.Problem``,
        ``landscape.relu.ReLUProblem``)
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
    critical : the :class:`landscape.linear.CriticalValues` that certified the reference of
        a small fixed-support problem (every real critical value with its type), else None;
        :meth:`critical_values` lists it. Not saved by :meth:`save` (the reference note is;
        recompute with :func:`landscape.linear.critical_values`)
    """

    problem: Any
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
    critical: Any = None

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

    def critical_values(self) -> list[tuple[float, str, int]] | None:
        """Every real critical value of the problem with its type (``"minimum"``,
        ``"saddle"``, ...) and number of orbits, when the exact enumeration of
        :func:`landscape.linear.critical_values` ran (``critical``), else None."""
        return None if self.critical is None else self.critical.values()

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
        counts = self.counts()
        shown = dict(sorted(counts.items(), key=lambda kv: -kv[1])[:4])
        more = {"...": len(counts) - 4} if len(counts) > 4 else {}
        return summary_repr("LandscapeReport", kind=getattr(self.problem, "kind", "?"),
                            n_starts=self.n_starts, reference=float(f"{self.reference:.10g}"),
                            reference_kind=self.reference_kind, counts=shown | more,
                            clusters=len(self.clusters))

    def _repr_html_(self) -> str:
        """A small table: the reference, then one row per cluster and per other class."""
        from html import escape

        rows = [f"<tr><td>{escape(c.kind)}</td><td>{c.value:.10g}</td><td>{c.size}</td>"
                f"<td>{_pct(c.fraction)}</td><td>{c.n_classes}</td></tr>"
                for c in self.clusters[:20]]
        if len(self.clusters) > 20:
            rows.append(f"<tr><td colspan=5>... {len(self.clusters) - 20} more clusters "
                        "(see explain())</td></tr>")
        for k, v in self.counts().items():
            if k in ("diverging", "not converged"):
                rows.append(f"<tr><td>{k}</td><td>-</td><td>{v}</td>"
                            f"<td>{_pct(v / self.n_starts)}</td><td>-</td></tr>")
        head = (f"<p><b>LandscapeReport</b>: {self.n_starts} starts of "
                f"{escape(repr(self.problem))}; reference {self.reference:.10g} "
                f"({escape(self.reference_kind)}: {escape(self.reference_note)})</p>")
        return (head + "<table><tr><th>class</th><th>value</th><th>starts</th>"
                "<th>fraction</th><th>equivalence classes</th></tr>" + "".join(rows)
                + "</table>")

    def explain(self) -> str:
        """The summary, the certificate of the reference and how each cluster was decided."""
        lines = [self.summary(), f"Reference ({self.reference_kind}): {self.reference_note}."]
        if self.convex is not None:
            lines.append(f"Convex reference: {self.convex!r}.")
        if self.critical is not None and self.critical.points:
            lines.append("Every real critical value (exact enumeration, modulo scaling): "
                         + ", ".join(f"{v:.10g} {k}" + (f" x{c}" if c > 1 else "")
                                     for v, k, c in self.critical.values()) + ".")
        if self.reference_kind != "global":
            lines.append("Classes are relative to the best value found: 'best found' marks "
                         "starts at that value (possibly not the global minimum); a "
                         "'spurious local minimum' is above a value that was attained, so it is "
                         "certainly not global.")
        about = self.problem.describe()
        for c in self.clusters:
            same = about["same"]
            extra = "" if c.n_classes == 1 else \
                f", {c.n_classes} equivalence classes with the same {same}"
            lines.append(f"  cluster {c.label}: {c.kind} at {c.value:.10g}, {c.size} starts "
                         f"({_pct(c.fraction)}){extra}; {c.note}")
        if "diverging" in self.counts() and self.critical is not None and \
                self.critical.certified:
            lines.append("Diverging starts: their balanced factor norms grow while the "
                         "objective decreases towards a limit that is not a product; such "
                         "limits cost at least the escape bound "
                         f"{float(self.critical.escape_bound):.10g}, above the certified "
                         "global value, which is attained (the set of products is not closed, "
                         "but the infimum is a minimum).")
        elif "diverging" in self.counts():
            check = about["existence"]
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
                             | {"has_direction": c.direction is not None} for c in self.clusters]}
        pmeta, parrays = self.problem.to_state()
        meta["problem"] = {"kind": self.problem.kind, **pmeta}
        arrays.update({_PROBLEM_PREFIX + k: v for k, v in parrays.items()})
        meta["convex"] = None
        if self.convex is not None:
            cmeta, carrays = self.problem.reference_to_state(self.convex)
            meta["convex"] = cmeta
            arrays.update({_REFERENCE_PREFIX + k: v for k, v in carrays.items()})
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
        pmeta = dict(meta["problem"])
        cls_ = problem_class(pmeta.pop("kind"))
        problem = cls_.from_state(pmeta, _prefixed(a, _PROBLEM_PREFIX))
        convex = None
        if meta.get("convex") is not None:
            convex = cls_.reference_from_state(meta["convex"], _prefixed(a, _REFERENCE_PREFIX))
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

    def _plot_slice(self, ax, resolution: int) -> None:
        mins = sorted(self.minima(), key=lambda c: c.value)
        if len(mins) < 2:
            ax.set_title("objective slice: fewer than two minima")
            ax.axis("off")
            return
        p = self.problem
        reps = [c.representative for c in mins[:2]]
        ta, tb = p.flat(tuple(F[reps] for F in self.factors))
        mid = (ta + tb) / 2
        u = tb - ta
        rng = np.random.default_rng(0)
        # the plane stays inside the union of the supports of the two points
        v = rng.standard_normal(u.size) * ((ta != 0) | (tb != 0))
        v -= v @ u / (u @ u) * u
        v *= np.linalg.norm(u) / (2 * np.linalg.norm(v))
        s = np.linspace(-1.6, 1.6, resolution)
        S, T = np.meshgrid(s, s)
        pts = mid + S.reshape(-1, 1) * (u / 2) + T.reshape(-1, 1) * v
        Z = p.objective_batch(p.unflat(pts)).reshape(S.shape)
        cs = ax.contourf(S, T, np.log10(Z - Z.min() + 1e-3), levels=30, cmap="viridis")
        ax.plot([-1, 1], [0, 0], "r*", ms=10)
        for x, c in ((-1, mins[0]), (1, mins[1])):
            ax.annotate(f"{_SHORT.get(c.kind, c.kind)} {c.value:.4g}", (x, 0.1), color="w",
                        ha="center")
        ax.set_title("log10(f - min f) on a plane through two minima")
        ax.figure.colorbar(cs, ax=ax)


# --------------------------------------------------------------------------- files

_PROBLEM_PREFIX = "problem_"
_REFERENCE_PREFIX = "reference_"


def _prefixed(arrays: dict, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


# --------------------------------------------------------------------------- constraints I/O

def encode_constraint(c: Constraint, masks: list) -> dict:
    """JSON form of a constraint built by :mod:`landscape.projections` (masks stored aside).

    The encoding names the public builder that rebuilds the constraint and its arguments:
    ``{"mode": "topk" | "topk_rows" | "topk_cols" | "splincol", "k": k}``,
    ``{"mode": "support", "mask": t}`` (``masks[t]`` is the boolean mask, appended here),
    ``{"mode": "unit_norm", "inner": encoding or None}``, ``{"mode": "compose", "parts":
    [encodings]}``. Inverse: :func:`decode_constraint`.

    >>> masks = []
    >>> encode_constraint(compose(topk(3), unit_norm()), masks)
    {'mode': 'compose', 'parts': [{'mode': 'topk', 'k': 3}, {'mode': 'unit_norm', 'inner': None}]}
    >>> decode_constraint(encode_constraint(topk_rows(2), masks), masks)
    topk_rows(2)
    """
    if not isinstance(c, Constraint):
        raise param_error("encode_constraint", "c", "a Constraint", c, kind=TypeError)
    if hasattr(c, "k") and getattr(c, "mode", None) in _SIMPLE:
        return {"mode": c.mode, "k": int(c.k)}
    if hasattr(c, "mask"):
        masks.append(np.asarray(c.mask, dtype=bool))
        return {"mode": "support", "mask": len(masks) - 1}
    if hasattr(c, "parts"):
        return {"mode": "compose", "parts": [encode_constraint(x, masks) for x in c.parts]}
    if hasattr(c, "inner"):
        return {"mode": "unit_norm",
                "inner": None if c.inner is None else encode_constraint(c.inner, masks)}
    raise param_error("encode_constraint", "c", "a constraint built by landscape.projections "
                      "(topk, topk_rows, topk_cols, splincol, support, unit_norm, compose)", c,
                      kind=TypeError)


def decode_constraint(d: dict, masks: Any) -> Constraint:
    """Inverse of :func:`encode_constraint`; ``masks[t]`` (a list, or a dict with keys
    ``"mask{t}"``) holds the support masks."""
    mode = d["mode"]
    if mode in _SIMPLE:
        return _SIMPLE[mode](d["k"])
    if mode == "support":
        t = d["mask"]
        return support(masks[f"mask{t}"] if isinstance(masks, dict) else masks[t])
    if mode == "unit_norm":
        return unit_norm(None if d["inner"] is None else decode_constraint(d["inner"], masks))
    if mode == "compose":
        return compose(*[decode_constraint(x, masks) for x in d["parts"]])
    raise param_error("decode_constraint", "d", "an encoding written by encode_constraint",
                      d)


_SIMPLE = {"topk": topk, "topk_rows": topk_rows, "topk_cols": topk_cols, "splincol": splincol}
