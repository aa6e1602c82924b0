"""Figure: where PALM ends on a tractable and on an intractable fixed-support problem.

:func:`landscape.sample` runs plain PALM from many random starts on
``min ||A - S1 S2||_F^2`` with fixed supports and classifies every end point (docs/theory.rst C04 and
C33):

* C04 -- pairwise disjoint rectangles (tractable; Le, Riccietti & Gribonval 2023): every
  start ends at the global value 98, certified by :func:`landscape.solve_fixed_support`.
* C33 -- two 2 x 2 rectangles overlapping in one entry (not tractable): most starts end at
  the global value ``27/2 - 3 sqrt(5)/2 = 10.1459`` (docs/theory.rst C33), certified by
  :func:`landscape.linear.critical_values` (every real critical point enumerated exactly:
  14 orbits modulo scaling, two minima), some at the spurious local minimum of value 11,
  and a few drift away: objective still decreasing while the balanced factor norms grow
  ("diverging") towards limits that are not products and cost at least the escape bound 15
  (the set of products is not closed, but the infimum is attained).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from landscape.linear import CLASSES, Problem, sample

from ._common import plt, save

__all__ = ["main", "CASES"]

_S04 = np.array([[1, 0], [1, 0], [0, 1]], bool)
_S33 = np.array([[1, 0], [1, 1], [0, 1]], bool)
CASES = {
    "C04": ("disjoint rectangles (tractable)", np.array([[3., 1, 5], [1, 3, 7], [2, 4, 6]]),
            _S04, _S04.T, 98.0),
    "C33": ("overlapping rectangles (not tractable)",
            np.array([[3., 0, 1], [0, 1, -3], [1, -3, -2]]), _S33, _S33.T,
            13.5 - 1.5 * np.sqrt(5.0)),
}
_COLORS = {"global": "tab:green", "best found": "tab:olive", "spurious local minimum": "tab:red",
           "saddle": "tab:orange", "degenerate": "tab:purple", "diverging": "tab:blue",
           "not converged": "tab:gray"}


def main(outdir: Path, *, quick: bool = False) -> dict:
    n_starts, max_iter = (20, 2000) if quick else (500, 20000)
    out: dict = {"n_starts": n_starts, "max_iter": max_iter}
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.8), layout="constrained")
    for ax, (key, (title, A, s1, s2, known)) in zip(axes, CASES.items()):
        t0 = time.perf_counter()
        rep = sample(Problem(A, supports=[s1, s2]), n_starts, rng=0, n_iter=max_iter,
                     segment=max_iter // 20)
        seconds = time.perf_counter() - t0
        f, labels, counts = rep.objective, rep.labels, rep.counts()
        div = labels == "diverging"
        out[key] = {"counts": counts, "reference": round(float(rep.reference), 6),
                    "reference_kind": rep.reference_kind,
                    "reference_note": rep.reference_note,
                    "lower_bound": None if rep.lower_bound is None else
                    round(float(rep.lower_bound), 6),
                    "known_global_value": round(float(known), 6),
                    "minima": [{"value": round(float(c.value), 6), "kind": c.kind,
                                "fraction": round(float(c.fraction), 4)} for c in rep.minima()],
                    "diverging_final_objective": [round(float(x), 3) for x in f[div]],
                    "diverging_norm_growth_last_segment": round(float(np.nanmean(
                        rep.norms[div, -1] - rep.norms[div, -2])), 4) if div.any() else None,
                    "critical_values": None if rep.critical is None else
                    [[v, k, c] for v, k, c in rep.critical.values()],
                    "escape_bound": None if rep.critical is None else
                    float(rep.critical.escape_bound),
                    "seconds": round(seconds, 1)}
        print(f"{key}: {rep.summary()}\n  known global value {known:.6f}; {seconds:.1f} s")

        lo, hi = min(f.min(), known) - 0.3, max(f.max(), known) + 0.3
        present = [c for c in CLASSES if counts.get(c)]
        ax.hist([f[labels == c] for c in present], bins=np.linspace(lo, hi, 60), stacked=True,
                color=[_COLORS[c] for c in present],
                label=[f"{c} ({counts[c]})" for c in present])
        how = "certified" if rep.reference_kind == "global" else "analytic, docs/theory.rst C33"
        if rep.critical is not None and rep.critical.certified:
            ax.axvline(float(rep.critical.escape_bound), color="tab:blue", ls=":", lw=1,
                       label=f"escape bound {float(rep.critical.escape_bound):.4g} "
                       "(limits of diverging factors)")
        ax.axvline(known, color="k", ls="--", lw=1, label=f"global optimum {known:.4f} ({how})")
        ax.set_yscale("log")
        ax.set_ylim(0.7, 3 * n_starts)
        ax.set_xlabel(r"final loss $\|A - S_1 S_2\|_F^2$")
        ax.set_ylabel(f"number of starts (of {n_starts}, log scale)")
        ax.set_title(f"{key}: {title}")
        ax.legend(loc="upper left" if key == "C04" else "upper right")  # clear of the bars
    fig.suptitle(f"Plain PALM with fixed supports, {n_starts} random starts, up to {max_iter} "
                 "sweeps: where it ends (landscape.sample)", fontsize=11)
    out["files"] = save(fig, outdir, "landscape_hist")
    return out
