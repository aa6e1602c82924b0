"""Speed of check_uniqueness: (a) the first level of the butterfly hierarchy, (b) random
overlapping supports.

(a) A = Hadamard_N (exact) and A = DFT_N with bit reversal (tol=1e-10), left support
[[1,1],[1,1]] (x) I_{N/2}, right support I_2 (x) ones(N/2, N/2), N = 64 ... 4096.
Target: N = 1024 decided "unique" in under 1 s, cost growing like N^2 (the entries of A).
(b) m = n = r = 200, 5 nonzeros per column of S1 and per row of S2, random integer factors.
Target: decided (not "undecided") in under 5 s.

Run: python benchmarks/bench_two_layer.py [--max-n 4096]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from identifiability import check_uniqueness  # noqa: E402
from identifiability.supports import butterfly_split_supports, random_support  # noqa: E402
from landscape import bit_reversal, dft, hadamard  # noqa: E402


def _timed(fn, repeats=3):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, float(np.median(times))


def main(max_n: int = 4096) -> None:
    print("(a) first butterfly level")
    print(f"{'matrix':10s} {'N':>6s} {'nnz(A)':>10s} {'seconds':>9s} {'s / N^2 (ns)':>13s}  verdict")
    N = 64
    while N <= max_n:
        left, right = butterfly_split_supports(N, 1)
        cases = [("Hadamard", hadamard(N), None), ("DFT-bitrev", dft(N)[:, bit_reversal(N)], 1e-10)]
        for name, A, tol in cases:
            v, sec = _timed(lambda: check_uniqueness(A, left, right, tol=tol),
                            repeats=3 if N <= 1024 else 1)
            print(f"{name:10s} {N:6d} {np.count_nonzero(A):10d} {sec:9.3f} "
                  f"{1e9 * sec / N ** 2:13.1f}  {v.status}")
        N *= 4 if N < 1024 else 2
    print("\n(b) random overlapping supports, m = n = r = 200, 5 per column / row")
    rng = np.random.default_rng(0)
    for trial in range(3):
        m = 200
        s1 = random_support((m, m), 5, mode="columns", rng=rng)
        s2 = random_support((m, m), 5, mode="rows", rng=rng)
        A = (rng.integers(1, 10, (m, m)) * s1) @ (rng.integers(1, 10, (m, m)) * s2)
        v, sec = _timed(lambda: check_uniqueness(A, s1, s2), repeats=1)
        print(f"trial {trial}: nnz(A) {np.count_nonzero(A):6d}  {sec:7.3f} s  {v.status}: "
              f"{v.reason[:70]}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--max-n", type=int, default=4096)
    main(p.parse_args().max_n)
