"""Speed of the hierarchical chain check (identifiability.multilayer).

Run: python benchmarks/bench_chain.py
Target: check_butterfly_uniqueness on the Hadamard matrix N = 1024 (exact, 10 factors,
9 two-layer splits of 1024 disjoint rectangles each) under 2 s single-threaded. Also
reported: the DFT with bit reversal (numerical, tol=1e-10), a random complex butterfly
product, and the split orders; "first split" is one two-layer check_uniqueness call on the
balanced root split, for comparison.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import time  # noqa: E402
from functools import reduce  # noqa: E402

import numpy as np  # noqa: E402

from identifiability.chains import check_butterfly_uniqueness  # noqa: E402
from identifiability.supports import butterfly_split_supports  # noqa: E402
from landscape.engine.butterfly import random_butterfly_factors  # noqa: E402
from identifiability.two_layer import check_uniqueness  # noqa: E402


def hadamard(N):
    H = np.ones((1, 1), dtype=np.int64)
    while H.shape[0] < N:
        H = np.kron(H, np.array([[1, 1], [1, -1]]))
    return H


def dft(N):
    return np.exp(-2j * np.pi * (np.outer(np.arange(N), np.arange(N)) % N) / N)


def random_butterfly(N, rng):
    return reduce(np.matmul, random_butterfly_factors(N, rng=rng))


def best_of(fn, repeat):
    best, res = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = fn()
        best = min(best, time.perf_counter() - t0)
    return best, res


def main():
    rng = np.random.default_rng(0)
    print(f"{'case':44s} {'status':>8s} {'time [s]':>9s}")
    cases = []
    for N in (256, 1024):
        H = hadamard(N)
        cases.append((f"Hadamard N={N} (exact, balanced)",
                      lambda H=H: check_butterfly_uniqueness(H)))
    H = hadamard(1024)
    for order in ("left_to_right", "right_to_left"):
        cases.append((f"Hadamard N=1024 (exact, {order})",
                      lambda o=order: check_butterfly_uniqueness(H, order=o)))
    s1, s2 = butterfly_split_supports(1024, 5)
    cases.append(("Hadamard N=1024 first split only", lambda: check_uniqueness(H, s1, s2)))
    for N in (256, 1024):
        F = dft(N)
        cases.append((f"DFT N={N} bit-reversed (tol=1e-10)",
                      lambda F=F: check_butterfly_uniqueness(F, tol=1e-10,
                                                             permutation="bit_reversal")))
    B = random_butterfly(1024, rng)
    cases.append(("random complex butterfly N=1024 (tol=1e-8)",
                  lambda: check_butterfly_uniqueness(B, tol=1e-8)))
    for name, fn in cases:
        t, res = best_of(fn, 3)
        print(f"{name:44s} {res.status:>8s} {t:9.3f}")


if __name__ == "__main__":
    main()
