"""Figure: how often is ``A = S1 @ S2`` unique, as a function of the sparsity levels?

For ``m = n = r`` and every ``k1, k2`` in ``1..m``: draw ``n_samples`` random supports with
``k1`` nonzeros per column of ``S1`` and ``k2`` per row of ``S2``, random integer factors on
them (entries +-1..9), and decide the product ``A = S1 @ S2`` exactly with
:func:`identifiability.check_uniqueness` (the default ``method="auto"``: the rank-one
completion, the class decomposition, then the lifted polynomial system decided by the exact
engine, msolve; what none of them settles is ``"locally_unique"`` or ``"undecided"``, never
guessed). Every verdict is re-checked by ``verify()`` and the count of failures reported.
The support pattern itself is tested with :func:`identifiability.generic_uniqueness`
(generic local identifiability, exact Jacobian rank at a random point). The dimension count
``r (k1 + k2 - 1) <= m n`` (parameters minus the scaling orbit, at most the dimension of A) is
drawn on every panel. The cells run on the shared executors (:mod:`landscape.executors`:
``executor=None`` serial, ``"joblib"``, ``"dask"``), one chunk per cell, each with its own
child seed: the counts do not depend on the executor.
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
from landscape.executors import map_chunks

from ._common import plt, save

__all__ = ["main", "phase_counts", "phase_cell"]


def phase_cell(k1: int, n_samples: int, k2: int, m: int, seed: np.random.SeedSequence,
               method: str = "auto", time_limit: float = 10.0) -> dict:
    """One cell ``(k1, k2)``: verdict counts (in the order of ``STATUSES``), generic
    identifiability, verify() failures, clashes and seconds per instance."""
    rng = np.random.default_rng(seed)
    counts = np.zeros(len(STATUSES), int)
    generic = clash = failed = 0
    seconds = []
    for _ in range(n_samples):
        S1 = random_support((m, m), k1, mode="columns", rng=rng)
        S2 = random_support((m, m), k2, mode="rows", rng=rng)
        X, Y = (S * rng.integers(1, 10, S.shape) * rng.choice([-1, 1], S.shape)
                for S in (S1, S2))
        t0 = time.perf_counter()
        v = check_uniqueness(X @ Y, S1, S2, method=method, time_limit=time_limit)
        seconds.append(time.perf_counter() - t0)
        failed += not v.verify()
        counts[STATUSES.index(v.status)] += 1
        g = generic_uniqueness(S1, S2, rng=rng).generic
        generic += g
        clash += v.status == "unique" and not g
    return {"counts": counts, "generic": np.array(generic), "clash": np.array(clash),
            "failed": np.array(failed), "seconds": np.array(seconds)}


def phase_counts(m: int, n_samples: int, *, rng: int = 0, method: str = "auto",
                 executor=None, n_jobs: int = 2, checkpoint=None) -> dict:
    """Verdict counts ``counts[status][k1 - 1, k2 - 1]``, generic-identifiability counts, the
    number of instances certified unique on a support that is not generically identifiable
    (0 expected: fibre dimension is upper semicontinuous, so a non-generic pattern has no
    unique product -- a cross-check of two independent algorithms), the verify() failures
    and the seconds per instance. ``checkpoint``: a directory where finished cells are kept
    (an interrupted run resumes from them; :func:`landscape.executors.map_chunks`)."""
    cells = [(k1, k2) for k1 in range(1, m + 1) for k2 in range(1, m + 1)]
    seeds = np.random.SeedSequence(rng).spawn(len(cells))
    tasks = [(k1, n_samples, k2, m, s, method) for (k1, k2), s in zip(cells, seeds)]
    out = map_chunks(phase_cell, tasks, executor=executor, n_jobs=n_jobs, checkpoint=checkpoint,
                     meta={"figure": "uniqueness_phase", "m": m, "n_samples": n_samples,
                           "rng": rng, "method": method})
    counts = {s: np.zeros((m, m), int) for s in STATUSES}
    generic = np.zeros((m, m), int)
    for (k1, k2), res in zip(cells, out):
        for i, s in enumerate(STATUSES):
            counts[s][k1 - 1, k2 - 1] = res["counts"][i]
        generic[k1 - 1, k2 - 1] = res["generic"]
    seconds = np.concatenate([res["seconds"] for res in out])
    return {"counts": counts, "generic": generic,
            "unique_not_generic": int(sum(res["clash"] for res in out)),
            "verify_failures": int(sum(res["failed"] for res in out)), "seconds": seconds}


def main(outdir: Path, *, quick: bool = False) -> dict:
    m, n_samples = (4, 2) if quick else (8, 10)
    t0 = time.perf_counter()
    res = phase_counts(m, n_samples, rng=0, executor=None if quick else "joblib")
    seconds = time.perf_counter() - t0
    c = res["counts"]
    panels = [("certified unique", c["unique"]),
              ("certified not unique", c["not_unique"]),
              ("locally unique or undecided", c["undecided"] + c["locally_unique"]),
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
           "verify_failures": res["verify_failures"],
           "exact_fraction": round(float(sum(c[s].sum() for s in ("unique", "not_unique",
                                                                   "infeasible")) / total), 4),
           "seconds_median": round(float(np.median(res["seconds"])), 3),
           "seconds_p95": round(float(np.percentile(res["seconds"], 95)), 3),
           "seconds_max": round(float(np.max(res["seconds"])), 3),
           "unique_table": c["unique"].tolist(),
           "not_unique_table": c["not_unique"].tolist(),
           "undecided_table": c["undecided"].tolist(),
           "locally_unique_table": c["locally_unique"].tolist(),
           "generic_table": res["generic"].tolist(), "files": files}
    print(f"{total} instances (m = n = r = {m}) in {seconds:.1f} s; fractions "
          f"{out['fraction']}; generically identifiable supports {out['fraction_generic']}; "
          f"generic/unique above the dimension-count line: {out['generic_above_count_line']}"
          f"/{out['unique_above_count_line']}; unique on a non-generic support: "
          f"{out['unique_not_generic']}; exact verdicts {out['exact_fraction']}, verify() "
          f"failures {out['verify_failures']}; seconds per instance median "
          f"{out['seconds_median']}, p95 {out['seconds_p95']}, max {out['seconds_max']}")
    return out
