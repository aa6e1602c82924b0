"""Benchmark of landscape.sample on a linear problem: starts per second, batched vs one at a time,
and the scaling with the number of starts on a dask LocalCluster (2 workers).

Problem: A 16 x 16 Gaussian, two factors 16 x 16 with random fixed supports (density 0.25),
plain PALM (segments of 100 sweeps, at most 300 sweeps per start).
Run: python benchmarks/bench_landscape.py [--quick]
"""

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from landscape.linear import Problem, sample  # noqa: E402
from landscape.linear.sampling import Settings, descend  # noqa: E402
from landscape.executors import map_chunks, seed_plan  # noqa: E402

QUICK = "--quick" in sys.argv
N = 2000 if QUICK else 10_000
SETTINGS = Settings(n_iter=300, segment=100, stat_tol=1e-8, step=1.01)


def problem() -> Problem:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((16, 16))
    return Problem(A, supports=[rng.random((16, 16)) < 0.25, rng.random((16, 16)) < 0.25])


def descent(p, n, executor, chunk, client=None):
    sizes, seeds = seed_plan(0, n, chunk)
    t = time.perf_counter()
    map_chunks(descend, [(p, k, s, SETTINGS) for k, s in zip(sizes, seeds)],
               executor=client or executor, n_jobs=2, progress=False)
    return time.perf_counter() - t


def main() -> None:
    p = problem()
    rows = []
    n1 = 40
    t = time.perf_counter()
    for s in np.random.SeedSequence(1).spawn(n1):
        descend(p, 1, s, SETTINGS)
    one = n1 / (time.perf_counter() - t)
    rows.append(("one start at a time (serial)", n1, n1 / one, one))
    tb = descent(p, N, None, 1000)
    rows.append(("batched, serial (chunks of 1000)", N, tb, N / tb))
    tj = descent(p, N, "joblib", 1000)
    rows.append(("batched, joblib 2 processes", N, tj, N / tj))
    print(f"{'run':38s} {'starts':>7s} {'time [s]':>9s} {'starts/s':>9s}")
    for name, n, sec, rate in rows:
        print(f"{name:38s} {n:7d} {sec:9.2f} {rate:9.1f}")
    print(f"speed-up batched serial / one-at-a-time: {rows[1][3] / one:.1f}x; "
          f"joblib(2) / one-at-a-time: {rows[2][3] / one:.1f}x")

    from distributed import Client, LocalCluster

    print("\ndask LocalCluster, 2 worker processes, chunks of 500")
    print(f"{'starts':>7s} {'time [s]':>9s} {'starts/s':>9s}")
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cl, \
            Client(cl) as client:
        for n in ([500, 1000, 2000] if QUICK else [1000, 2500, 5000, 10_000]):
            sec = descent(p, n, None, 500, client=client)
            print(f"{n:7d} {sec:9.2f} {n / sec:9.1f}")

    t = time.perf_counter()
    rep = sample(p, 1000, rng=0, n_iter=300, segment=100, chunk_size=500)
    print(f"\nfull sample() with classification, 1000 starts: {time.perf_counter() - t:.1f} s")
    print(rep.summary())


if __name__ == "__main__":
    main()
