"""Speed of the proximal engine (PALM4MSA, hierarchical, batched multi-start).

Run: ``python benchmarks/bench_palm.py``. Single-threaded BLAS. Reference numbers are
"pyfaust 3.41 measured reference" (single-threaded), hard-coded: pyfaust is not a dependency.
Times are medians over 3 runs: wall time, and CPU time (``time.process_time``, the user +
system time of ``os.times()``; less sensitive to a machine shared with other jobs).

(c) palm4msa time per sweep, 2 factors 256x256, splincol(4), real and complex;
(b) Hadamard N=256 by ``hierarchical`` (PALM based): time and relative error;
(d) 1000 starts of 2-factor PALM on 16x16: one batched call vs a Python loop of single starts.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from landscape.engine.hierarchical import hadamard_constraints, hierarchical  # noqa: E402
from landscape.engine.palm import palm4msa  # noqa: E402
from landscape.engine.projections import splincol, topk_rows  # noqa: E402

PYFAUST = {"palm_real": 0.036, "palm_complex": 0.29, "hadamard_time": 26.0, "hadamard_err": 3e-13}


def median_time(fn, repeat=3):
    """Median wall time, median CPU time and the last output of ``repeat`` calls."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return float(np.median(wall)), float(np.median(cpu)), out


def hadamard(N):
    H = np.array([[1.0]])
    while H.shape[0] < N:
        H = np.kron(H, [[1.0, 1.0], [1.0, -1.0]])
    return H


def bench_palm_iter():
    rows = []
    rng = np.random.default_rng(0)
    n, n_iter = 256, 30
    for kind, ref in (("real", PYFAUST["palm_real"]), ("complex", PYFAUST["palm_complex"])):
        A = rng.standard_normal((n, n))
        if kind == "complex":
            A = A + 1j * rng.standard_normal((n, n))
        cons = [splincol(4), splincol(4)]
        t, cpu, res = median_time(lambda: palm4msa(A, cons, n_iter=n_iter, stop_tol=0.0, rng=1))
        it = int(res.n_iter[0])
        rows.append((f"(c) palm4msa 2x{n}x{n} splincol(4) {kind}, s/sweep", t / it, cpu / it,
                     ref))
    return rows


def bench_hadamard(N=256):
    H = hadamard(N)
    cons, res_cons = hadamard_constraints(N)
    t, cpu, res = median_time(lambda: hierarchical(H, cons, res_cons, n_iter_split=100,
                                                   n_iter_refine=100, rng=0))
    return [(f"(b) Hadamard N={N} hierarchical, err {res.relative_error:.1e} "
             f"(pyfaust {PYFAUST['hadamard_err']:.0e})", t, cpu, PYFAUST["hadamard_time"])]


def bench_multistart(n_starts=1000, n=16, n_iter=100):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n))
    cons = [topk_rows(4), topk_rows(4)]
    t_batch, cpu_batch, res = median_time(lambda: palm4msa(A, cons, n_iter=n_iter,
                                                           n_starts=n_starts, rng=1))
    n_loop = 100   # time a loop over 100 single starts and extrapolate
    _, cpu_loop, _ = median_time(lambda: [palm4msa(A, cons, n_iter=n_iter, rng=s)
                                          for s in range(n_loop)], repeat=1)
    cpu_loop *= n_starts / n_loop
    return [(f"(d) {n_starts} starts 2-factor PALM {n}x{n}, batched vs loop (cpu)", t_batch,
             cpu_batch, cpu_loop)]


def main(benches=(bench_palm_iter, bench_multistart, bench_hadamard)):
    """Print the table; return its rows ``(case, wall, cpu, reference)`` (ratios = ref / time)."""
    print(f"{'case':<68} {'wall [s]':>9} {'cpu [s]':>9} {'ref [s]':>9} {'ref/wall':>8} "
          f"{'ref/cpu':>8}")
    print("reference = pyfaust 3.41 measured reference (single-threaded); "
          "(d) reference = Python loop of single starts")
    rows = []
    for bench in benches:
        for name, wall, cpu, ref in bench():
            rows.append((name, wall, cpu, ref))
            print(f"{name:<68} {wall:>9.4f} {cpu:>9.4f} {ref:>9.4f} {ref / wall:>7.1f}x "
                  f"{ref / max(cpu, 1e-9):>7.1f}x", flush=True)
    return rows


if __name__ == "__main__":
    main()
