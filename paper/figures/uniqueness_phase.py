"""Figure: how often is ``A = S1 @ S2`` unique, as a function of the sparsity levels?

For ``m = n = r`` and every ``k1, k2`` in ``1..m``: draw ``n_samples`` random supports with
``k1`` nonzeros per column of ``S1`` and ``k2`` per row of ``S2``, random integer factors on
them (entries +-1..9), and decide the product ``A = S1 @ S2`` exactly with
:func:`identifiability.check_uniqueness` (``method="completion"``: the rank-one completion
and the class decomposition, milliseconds per instance; what they cannot settle is
"undecided", never guessed). The support pattern itself is tested with
:func:`identifiability.generic_uniqueness` (generic local identifiability, exact Jacobian
rank at a random point). The dimension count ``r (k1 + k2 - 1) <= m n`` (parameters minus
the scaling orbit, at most the dimension of A) is drawn on every panel.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from identifiability import (
    STATUSES,
    check_uniqueness,
    generic_uniqueness,
    random_support,
)

from ._common import plt, save

__all__ = ["main", "phase_counts"]


def phase_counts(m: int, n_samples: int, *, rng: int = 0) -> dict:
    """Verdict counts ``counts[status][k1 - 1, k2 - 1]``, generic-identifiability counts and
    the number of instances certified unique on a support that is not generically
    identifiable (0 expected: fibre dimension is upper semicontinuous, so a non-generic
    pattern has no unique product -- a cross-check of two independent algorithms)."""
    rng = np.random.default_rng(rng)
    counts = {s: np.zeros((m, m), int) for s in STATUSES}
    generic = np.zeros((m, m), int)
    clash = 0
    for k1 in range(1, m + 1):
        for k2 in range(1, m + 1):
            for _ in range(n_samples):
                S1 = random_support((m, m), k1, mode="columns", rng=rng)
                S2 = random_support((m, m), k2, mode="rows", rng=rng)
                X, Y = (S * rng.integers(1, 10, S.shape) * rng.choice([-1, 1], S.shape)
                        for S in (S1, S2))
                v = check_uniqueness(X @ Y, S1, S2, method="completion")
                counts[v.status][k1 - 1, k2 - 1] += 1
                g = generic_uniqueness(S1, S2, rng=rng).generic
                generic[k1 - 1, k2 - 1] += g
                clash += v.status == "unique" and not g
    return {"counts": counts, "generic": generic, "unique_not_generic": clash}


def main(outdir: Path, *, quick: bool = False) -> dict:
    m, n_samples = (4, 2) if quick else (8, 10)
    t0 = time.perf_counter()
    res = phase_counts(m, n_samples, rng=0)
    seconds = time.perf_counter() - t0
    c = res["counts"]
    panels = [("certified unique", c["unique"]),
              ("certified not unique", c["not_unique"]),
              ("undecided (completion stuck)", c["undecided"]),
              ("support generically\nlocally identifiable", res["generic"])]
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), sharey=True, layout="constrained")
    k = np.arange(1, m + 1)
    for ax, (title, cnt) in zip(axes, panels):
        im = ax.imshow(cnt / n_samples, origin="lower", cmap="viridis", vmin=0, vmax=1,
                       extent=(0.5, m + 0.5, 0.5, m + 0.5))
        ax.stairs(m + 1.5 - k, np.arange(0.5, m + 1), baseline=None, color="w", ls="--",
                  lw=1.2, label=r"below: $r(k_1+k_2-1) \leq mn$")
        ax.set_title(title)
        ax.set_xlabel("$k_2$ (nonzeros per row of $S_2$)")
        ax.set_xticks(k)
        ax.set_yticks(k)
    axes[0].set_ylabel("$k_1$ (nonzeros per column of $S_1$)")
    axes[0].legend(loc="upper right", labelcolor="w", handlelength=1.5)
    fig.colorbar(im, ax=axes, shrink=0.85, label=f"fraction of {n_samples} random instances")
    fig.suptitle(f"Uniqueness of A = S1 S2 with random supports, m = n = r = {m}, "
                 "random integer factors (exact decisions)", fontsize=11)
    files = save(fig, outdir, "uniqueness_phase")

    total = m * m * n_samples
    below = np.add.outer(k, k) <= m + 1          # dimension count allows identifiability
    out = {"m": m, "n_samples": n_samples, "instances": total, "seconds": round(seconds, 1),
           "fraction": {s: round(float(c[s].sum() / total), 4) for s in STATUSES},
           "fraction_generic": round(float(res["generic"].sum() / total), 4),
           "generic_above_count_line": int(res["generic"][~below].sum()),
           "unique_above_count_line": int(c["unique"][~below].sum()),
           "unique_not_generic": int(res["unique_not_generic"]),
           "unique_table": c["unique"].tolist(),
           "not_unique_table": c["not_unique"].tolist(),
           "undecided_table": c["undecided"].tolist(),
           "generic_table": res["generic"].tolist(), "files": files}
    print(f"{total} instances (m = n = r = {m}) in {seconds:.1f} s; fractions "
          f"{out['fraction']}; generically identifiable supports {out['fraction_generic']}; "
          f"generic/unique above the dimension-count line: {out['generic_above_count_line']}"
          f"/{out['unique_above_count_line']}; unique on a non-generic support: "
          f"{out['unique_not_generic']}")
    return out
