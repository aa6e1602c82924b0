"""Speed and accuracy of landscape.butterfly.butterfly_factorize on Hadamard and DFT matrices.

Prints a table: N, transform, splitting order, median wall time and median CPU time
(``time.process_time``, the user + system time of ``os.times()`` at a finer resolution; less
sensitive to a loaded machine) over ``--repeats`` runs (after one warm-up run; single-threaded
BLAS), relative error ||A - product||_F / ||A||_F.

    python benchmarks/bench_butterfly.py [--max-n 4096] [--repeats 3]
        [--orders left-to-right,balanced]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from landscape.engine.butterfly import butterfly_factorize, dft, hadamard  # noqa: E402

TRANSFORMS = {"hadamard": (hadamard, None), "dft": (dft, "bit_reversal")}


def time_one(A, permutation, order, repeats):
    """Median wall and CPU times (s) over ``repeats`` runs after a warm-up, relative error."""
    res = butterfly_factorize(A, permutation=permutation, order=order)
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        res = butterfly_factorize(A, permutation=permutation, order=order)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return float(np.median(wall)), float(np.median(cpu)), float(res.relative_error)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-n", type=int, default=64)
    parser.add_argument("--max-n", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--orders", default="left-to-right,balanced")
    args = parser.parse_args(argv)
    rows = []
    print(f"{'N':>6} {'transform':>9} {'order':>14} {'median s':>10} {'cpu s':>8} "
          f"{'rel. error':>11}")
    N = args.min_n
    while N <= args.max_n:
        for name, (make, perm) in TRANSFORMS.items():
            A = make(N)
            for order in args.orders.split(","):
                t, cpu, err = time_one(A, perm, order, args.repeats)
                rows.append((N, name, order, t, cpu, err))
                print(f"{N:>6} {name:>9} {order:>14} {t:>10.4f} {cpu:>8.4f} {err:>11.2e}",
                      flush=True)
        N *= 2
    return rows


if __name__ == "__main__":
    main()
