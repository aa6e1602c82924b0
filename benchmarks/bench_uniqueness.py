"""Speed of the uniqueness tests (generic part: identifiability.generic.generic_uniqueness).

Run: python benchmarks/bench_uniqueness.py
Targets: butterfly supports N=256 (chain of 8 factors, p = 4096, Jacobian 65536 x 4096) and
random 300 x 300 supports (r = 300, 5 nonzeros per column of S1 and per row of S2), each
under 10 s single-threaded.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import time  # noqa: E402

import numpy as np  # noqa: E402

from identifiability.generic import generic_uniqueness  # noqa: E402
from identifiability.supports import (butterfly_supports, dense_support,  # noqa: E402
                                      random_support)


def _cases():
    for N in (64, 256, 512):
        yield f"butterfly N={N}", (butterfly_supports(N),), {}
    for size, k in ((300, 5), (300, 20), (1000, 5)):
        s1 = random_support((size, size), k, mode="columns", rng=1)
        s2 = random_support((size, size), k, mode="rows", rng=2)
        yield f"random {size}x{size}, {k}/col", (s1, s2), {}
    yield "dense 60x6x60 (not identifiable)", (dense_support(60, 6), dense_support(6, 60)), {}


def main() -> None:
    print(f"{'case':34s} {'p':>6s} {'rank':>6s} {'p-orbit':>7s} {'generic':>7s} "
          f"{'err.prob':>9s} {'method':>8s} {'time [s]':>9s}")
    for name, args, kwargs in _cases():
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            res = generic_uniqueness(*args, rng=0, **kwargs)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:34s} {res.n_params:6d} {res.jacobian_rank:6d} {res.expected_rank:7d} "
              f"{str(res.generic):>7s} {res.error_probability:9.2g} {res.method:>8s} {best:9.3f}")


if __name__ == "__main__":
    main()
