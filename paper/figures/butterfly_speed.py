"""Figure: time and error of exact butterfly recovery of Hadamard and DFT matrices vs N.

``butterfly_factorize(hadamard(N))`` and ``butterfly_factorize(dft(N),
permutation="bit_reversal")`` (complex) for N = 64 .. 2048 (``max_n=4096`` optional), median
wall time over repeats, single-threaded BLAS when run as ``python -m paper``. Reference:
pyfaust 3.41 ``fact.butterfly(M, type="bbtree", perm="bitrev")`` on the DFT, single-threaded,
measured on the same kind of 2-core machine (numbers of the project's issue tracker; pyfaust
is not a dependency and is not run here).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from landscape import butterfly_factorize, dft, hadamard

from ._common import plt, save

__all__ = ["main", "PYFAUST_DFT_SECONDS"]

PYFAUST_DFT_SECONDS = {256: 0.020, 1024: 0.31, 2048: 2.2, 4096: 25.0}


def _time(A: np.ndarray, permutation: str | None, repeats: int) -> tuple[float, float]:
    times, err = [], np.nan
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = butterfly_factorize(A, permutation=permutation)
        times.append(time.perf_counter() - t0)
        err = float(res.relative_error)
    return float(np.median(times)), err


def main(outdir: Path, *, quick: bool = False, max_n: int = 2048) -> dict:
    Ns = [8, 16, 32] if quick else [2 ** e for e in range(6, int(np.log2(max_n)) + 1)]
    rows = {"hadamard": [], "dft": []}
    print(f"{'N':>5} {'Hadamard s':>11} {'rel. err':>9} {'DFT s':>8} {'rel. err':>9} "
          f"{'pyfaust s':>9}")
    for N in Ns:
        repeats = 1 if quick or N >= 2048 else 5
        for key, A, perm in (("hadamard", hadamard(N), None),
                             ("dft", dft(N), "bit_reversal")):
            rows[key].append(_time(A, perm, repeats))
        (th, eh), (td, ed) = rows["hadamard"][-1], rows["dft"][-1]
        ref = PYFAUST_DFT_SECONDS.get(N)
        print(f"{N:>5} {th:>11.4f} {eh:>9.1e} {td:>8.4f} {ed:>9.1e} "
              f"{'' if ref is None else f'{ref:.3f}':>9}", flush=True)

    N = np.array(Ns, float)
    t = {k: np.array([r[0] for r in v]) for k, v in rows.items()}
    e = {k: np.array([r[1] for r in v]) for k, v in rows.items()}
    big = N >= N[-1] / 4
    slope = {k: float(np.polyfit(np.log(N[big]), np.log(t[k][big]), 1)[0]) for k in t}
    ref_N = np.array([n for n in PYFAUST_DFT_SECONDS if n <= N[-1] and n >= N[0]], float)
    ref_t = np.array([PYFAUST_DFT_SECONDS[int(n)] for n in ref_N])

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    ax1.loglog(N, t["hadamard"], "o-", label="sparsefact, Hadamard (real)")
    ax1.loglog(N, t["dft"], "s-", label="sparsefact, DFT + bit reversal (complex)")
    if ref_N.size:
        ax1.loglog(ref_N, ref_t, "k^--", label="pyfaust 3.41 bbtree, DFT (reference)")
    ax1.loglog(N, t["dft"][-1] * (N / N[-1]) ** 2, ":", color="gray", label=r"$\propto N^2$")
    ax1.set_xlabel("N (matrix size)")
    ax1.set_ylabel("wall time (s, single thread)")
    ax1.set_title("Butterfly factorization time")
    ax1.set_xticks(N, [str(int(n)) for n in N])
    ax1.legend()
    ax2.semilogx(N, e["hadamard"], "o-", label="Hadamard")
    ax2.semilogx(N, e["dft"], "s-", label="DFT + bit reversal")
    ax2.axhline(np.finfo(float).eps, color="gray", ls=":", label="machine epsilon")
    ax2.set_xticks(N, [str(int(n)) for n in N])
    ax2.set_xlabel("N (matrix size)")
    ax2.set_ylabel(r"relative error $\|A - X_1\cdots X_L P\|_F / \|A\|_F$")
    ax2.set_ylim(0, 1.2 * max(e["hadamard"].max(), e["dft"].max(), 3e-16))
    ax2.set_title("Recovery error (exact up to rounding)")
    ax2.legend()
    files = save(fig, outdir, "butterfly_speed")

    ratio = {int(n): round(PYFAUST_DFT_SECONDS[int(n)] / float(t["dft"][list(N).index(n)]), 2)
             for n in ref_N}
    out = {"N": [int(n) for n in N], "seconds_hadamard": [round(x, 4) for x in t["hadamard"]],
           "seconds_dft": [round(x, 4) for x in t["dft"]],
           "error_hadamard": [float(f"{x:.3g}") for x in e["hadamard"]],
           "error_dft": [float(f"{x:.3g}") for x in e["dft"]],
           "max_error": float(f"{max(e['hadamard'].max(), e['dft'].max()):.3g}"),
           "slope_hadamard": round(slope["hadamard"], 2), "slope_dft": round(slope["dft"], 2),
           "pyfaust_over_ours_dft": ratio, "files": files}
    print(f"log-log slope over the largest sizes: Hadamard {out['slope_hadamard']}, DFT "
          f"{out['slope_dft']}; pyfaust time / ours (DFT): {ratio}; max error {out['max_error']}")
    return out
