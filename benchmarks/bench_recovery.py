"""Success rates of the PALM engine at reverse-engineering fast transforms from random starts.

* Hadamard N = 32 by ``hierarchical`` (PALM-based, FAuST constraints) over several seeds;
* the complex DFT N = 16 and 32 (columns bit-reversed) by ``palm4msa`` on the butterfly
  supports, 100 random starts in one batched call.

A start "succeeds" when its relative error is <= 1e-10. These are figures, not pass/fail
claims: PALM has no global guarantee (the exact answer is ``butterfly_factorize``).

Run: python benchmarks/bench_recovery.py
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import time  # noqa: E402

import numpy as np  # noqa: E402

from identifiability import butterfly_supports  # noqa: E402
from landscape import (bit_reversal, dft, hadamard, hadamard_constraints, hierarchical,  # noqa: E402
                       palm4msa, support)


def hadamard_rate(N: int = 32, seeds: range = range(10)) -> None:
    constraints, residual = hadamard_constraints(N)
    ok, t0 = 0, time.perf_counter()
    errors = []
    for seed in seeds:
        res = hierarchical(hadamard(N), constraints, residual, rng=seed)
        errors.append(res.relative_error)
        ok += res.relative_error <= 1e-10
    print(f"Hadamard N={N}, hierarchical: {ok}/{len(seeds)} seeds reach error <= 1e-10 "
          f"(median error {np.median(errors):.1e}, {time.perf_counter() - t0:.1f} s)")


def dft_rate(N: int, n_starts: int = 100, n_iter: int = 3000) -> None:
    A = dft(N)[:, bit_reversal(N)]
    cons = [support(S) for S in butterfly_supports(N)]
    t0 = time.perf_counter()
    res = palm4msa(A, cons, n_starts=n_starts, rng=0, n_iter=n_iter)
    err = np.asarray(res.relative_error)
    print(f"DFT N={N} (bit-reversed), palm4msa on butterfly supports, {n_starts} starts: "
          f"{int(np.sum(err <= 1e-10))}/{n_starts} reach error <= 1e-10, median error "
          f"{np.median(err):.1e} ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    hadamard_rate()
    for N in (16, 32):
        dft_rate(N)
