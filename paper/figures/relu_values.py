"""Figure: local values of sparse-ReLU training against the convex global optimum.

Two-layer scalar-output ReLU networks with a hidden bias and weight decay ``beta`` on a
small teacher-student data set (2-D inputs, 40 points, :func:`landscape.datasets.teacher_student`).
:func:`landscape.relu.convex_reference` gives the global optimum through the convex
reformulation of Pilanci & Ergen (2020) -- exhaustive activation patterns (3 columns with
the bias), hence certified -- and :func:`landscape.relu.sample_relu` trains many random
starts (L-BFGS) for several widths and classifies where they end (the
:class:`landscape.report.LandscapeReport` of every problem): within 1 % of the global value,
best found (when the width is too small for the convex solution, whose value is then only a
lower bound), spurious local minimum, saddle, diverging or not converged.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from landscape.datasets import teacher_student
from landscape.linear import CLASSES
from landscape.relu import ReLUProblem, convex_reference, sample_relu

from ._common import plt, save

__all__ = ["main"]

_COLORS = {"global": "tab:green", "best found": "tab:olive", "spurious local minimum": "tab:red",
           "saddle": "tab:orange", "degenerate": "tab:purple", "diverging": "tab:blue",
           "not converged": "tab:gray"}


def main(outdir: Path, *, quick: bool = False) -> dict:
    widths, n_starts = ((2,), 3) if quick else ((1, 2, 4, 8), 40)
    beta = 1e-2
    X, Y, _ = teacher_student(40, 2, 3, integer=False, rng=0)
    y = Y[:, 0]
    t0 = time.perf_counter()
    ref = convex_reference(np.hstack([X, np.ones((len(X), 1))]), y, beta=beta)
    runs = {w: sample_relu(ReLUProblem(X, y, width=w, beta=beta), n_starts, rng=0,
                           reference=ref) for w in widths}
    seconds = time.perf_counter() - t0

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.5, 3.8), layout="constrained")
    pos = np.arange(len(widths))
    bottom = np.zeros(len(widths))
    for c in CLASSES:
        frac = np.array([runs[w].counts().get(c, 0) / n_starts for w in widths])
        if not frac.any():
            continue
        ax1.bar(pos, frac, bottom=bottom, color=_COLORS[c], label=c)
        bottom += frac
    ax1.set_xticks(pos, [str(w) for w in widths])
    ax1.set_xlabel("hidden width (neurons)")
    ax1.set_ylabel(f"fraction of {n_starts} random starts")
    ax1.set_title(f"Where L-BFGS ends (the convex solution has {ref.n_neurons} neurons)")
    ax1.set_ylim(0, 1.3)
    ax1.set_yticks(np.linspace(0, 1, 6))
    ax1.legend(loc="upper center", ncol=2)
    rng = np.random.default_rng(0)
    for i, w in enumerate(widths):
        gap = np.maximum((runs[w].objective - ref.value) / ref.value, 1e-6)
        ax2.scatter(i + rng.uniform(-0.2, 0.2, gap.size), gap, s=12, alpha=0.7,
                    c=[_COLORS[c] for c in runs[w].labels])
    ax2.axhline(runs[widths[0]].settings["rtol"], color="k", ls=":", lw=1, label="1 % of the global value")
    ax2.set_yscale("log")
    ax2.set_xticks(pos, [str(w) for w in widths])
    ax2.set_xlabel("hidden width (neurons)")
    ax2.set_ylabel("relative gap to the convex optimum\n(objective - global) / global, "
                   r"clipped at $10^{-6}$")
    ax2.set_title("Final objective of every start")
    ax2.legend(loc="upper right")
    fig.suptitle(f"Sparse-ReLU training vs the convex global value {ref.value:.5g} "
                 f"({'exhaustive, certified' if ref.exhaustive else 'sampled patterns'}; "
                 f"beta = {beta:g}, 40 points in 2-D)", fontsize=11)
    files = save(fig, outdir, "relu_values")

    out = {"reference_value": round(float(ref.value), 6), "exhaustive": bool(ref.exhaustive),
           "reference_neurons": int(ref.n_neurons), "n_starts": n_starts,
           "seconds": round(seconds, 1),
           "counts": {str(w): runs[w].counts() for w in widths},
           "reference_kind": {str(w): runs[w].reference_kind for w in widths},
           "fraction_global": {str(w): round(runs[w].fraction_within(0.01, value=ref.value), 4)
                               for w in widths},
           "median_gap": {str(w): float(f"{np.median(runs[w].objective / ref.value - 1):.3g}")
                          for w in widths}, "files": files}
    print(f"convex reference {ref.value:.6g} ({ref.n_neurons} neurons, exhaustive "
          f"{ref.exhaustive}); fraction within 1% per width {out['fraction_global']}; counts "
          f"{out['counts']}; {seconds:.1f} s")
    return out
