"""Figure "Reverse-engineering the FFT": sparsity levels only, no supports, no permutation.

``hierarchical(dft(N), *hadamard_constraints(N), rng=seed)`` -- every factor ``splincol(2)``,
``log2 N`` factors -- by the plain hierarchical PALM4MSA (``method="palm"``, N <= 64: it
never gets close and costs seconds), by pyfaust 3.41's ``fact.hierarchical(F, "hadamard")``
when pyfaust is importable (skipped otherwise; N <= 32), and by the default
``method="auto"`` (structure discovery, :mod:`landscape.engine.discovery`) up to N = 1024:
(a) success rate (relative error <= 1e-10) over the seeds, (b) median relative error,
(c) median wall time; (d) the transform table of Dao et al. at N = 64: the error of
``butterfly_factorize(A, permutation="learn")`` and the certified lower bound over every
permutation pair (exact where a butterfly-times-permutations factorization exists: DFT,
Hadamard; a positive bound where it provably does not).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import scipy.linalg as sl

from landscape.engine import (butterfly_factorize, dft, hadamard, hadamard_constraints,
                              hierarchical)

from ._common import plt, save

__all__ = ["main", "transforms"]


def transforms(N: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The transforms of Dao et al. (ICML 2019, Table 1) at size N."""
    n = np.arange(N)
    k = n[:, None]
    return {"DFT": dft(N), "DCT-II": np.cos(np.pi * (n + 0.5) * k / N),
            "DST-II": np.sin(np.pi * (n + 0.5) * (k + 1) / N), "Hadamard": hadamard(N),
            "Hartley": np.cos(2 * np.pi * k * n / N) + np.sin(2 * np.pi * k * n / N),
            "convolution": sl.circulant(rng.standard_normal(N)),
            "Legendre": np.polynomial.legendre.legvander(np.linspace(-1, 1, N), N - 1),
            "Hilbert": sl.hilbert(N), "random": rng.standard_normal((N, N))}


def _pyfaust_hierarchical():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pyfaust.fact
    except ImportError:
        return None
    return lambda F: pyfaust.fact.hierarchical(F, "hadamard").toarray()


def _run(fn, A):
    t0 = time.perf_counter()
    P = fn(A)
    return float(np.linalg.norm(P - A) / np.linalg.norm(A)), time.perf_counter() - t0


def main(outdir: Path, *, quick: bool = False) -> dict:
    Ns = [2 ** e for e in range(4, 7 if quick else 11)]
    seeds = range(2 if quick else 10)
    methods = {"discovery (auto)": (lambda s: lambda A: hierarchical(
                   A, *hadamard_constraints(A.shape[0]), rng=s).product(), max(Ns), seeds),
               "hierarchical PALM (ours)": (lambda s: lambda A: hierarchical(
                   A, *hadamard_constraints(A.shape[0]), method="palm", rng=s).product(),
                   16 if quick else 64, range(2 if quick else 3))}
    pf = _pyfaust_hierarchical()
    if pf is not None:
        methods["hierarchical PALM (pyfaust 3.41)"] = (lambda s: pf, 16 if quick else 32,
                                                       range(1 if quick else 2))
    stats: dict[str, dict[str, list]] = {}
    print(f"{'method':34s} {'N':>5s} {'success':>8s} {'median err':>11s} {'median s':>9s}")
    for name, (make, max_n, runs) in methods.items():
        stats[name] = {"N": [], "success": [], "error": [], "seconds": []}
        for N in [N for N in Ns if N <= max_n]:
            res = [_run(make(s), dft(N)) for s in runs]
            err, sec = np.array([r[0] for r in res]), np.array([r[1] for r in res])
            row = stats[name]
            row["N"].append(N)
            row["success"].append(float(np.mean(err <= 1e-10)))
            row["error"].append(float(np.median(err)))
            row["seconds"].append(float(np.median(sec)))
            print(f"{name:34s} {N:5d} {row['success'][-1]:8.2f} {row['error'][-1]:11.2e} "
                  f"{row['seconds'][-1]:9.3f}", flush=True)

    N_table = 16 if quick else 64
    table = {}
    for name, A in transforms(N_table, np.random.default_rng(N_table)).items():
        r = butterfly_factorize(A, permutation="learn", rng=0)
        table[name] = (float(r.relative_error), float(r.error_bound), bool(r.exact))
        print(f"{name:12s} N={N_table}: exact {r.exact}, error {table[name][0]:.2e}, "
              f"certified bound {table[name][1]:.2e}")

    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6), layout="constrained")
    marks = dict(zip(methods, ("o-", "s--", "^:")))
    for name, row in stats.items():
        axes[0].semilogx(row["N"], row["success"], marks[name], label=name, base=2)
        axes[1].loglog(row["N"], np.maximum(row["error"], 1e-17), marks[name], base=2)
        axes[2].loglog(row["N"], row["seconds"], marks[name], base=2)
    axes[0].set_ylabel("success rate (rel. error <= 1e-10)")
    axes[0].set_ylim(-0.05, 1.05)
    axes[0].legend()
    axes[1].axhline(1e-10, color="gray", ls=":")
    axes[1].set_ylabel("median relative error")
    axes[2].set_ylabel("median wall time (s)")
    for ax, title in zip(axes[:3], ("(a) DFT, sparsity levels only", "(b) error",
                                    "(c) time")):
        ax.set_xlabel("N")
        ax.set_title(title)
    names = list(table)
    x = np.arange(len(names))
    axes[3].semilogy(x, [max(table[n][0], 1e-17) for n in names], "o", label="error of the fit")
    axes[3].semilogy(x, [max(table[n][1], 1e-17) for n in names], "v",
                     label="certified lower bound")
    axes[3].set_xticks(x, names, rotation=60)
    axes[3].set_title(f"(d) P B Q with learned P, Q, N = {N_table}")
    axes[3].legend()
    files = save(fig, outdir, "fft_discovery")
    auto = stats["discovery (auto)"]
    return {"N": auto["N"], "success_discovery": auto["success"],
            "error_discovery": [float(f"{e:.3g}") for e in auto["error"]],
            "seconds_discovery": [round(s, 4) for s in auto["seconds"]],
            "error_palm": [float(f"{e:.3g}") for e in stats["hierarchical PALM (ours)"]["error"]],
            "pyfaust": pf is not None,
            "table": {n: [float(f"{v:.3g}") for v in table[n][:2]] + [table[n][2]]
                      for n in names}, "files": files}
