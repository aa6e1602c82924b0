"""verify() against the decision that produced the certificate, on the largest benchmark
instances (issue 13: verify() takes no longer than the decision).

Cases (the largest ones of bench_two_layer, bench_chain and bench_decide):

* two-layer, first butterfly level: Hadamard_N (exact) and DFT_N with bit reversal
  (tol=1e-10), N = 1024 and 4096 (:class:`CompletionCertificate`, disjoint rectangles);
* two-layer, random overlapping supports m = n = r = 200, 5 per column / row, integer factors
  (:class:`CompletionCertificate`, a completion order through overlapping rectangles);
* chains: ``check_uniqueness_chain`` on the butterfly masks of Hadamard_N and of the
  bit-reversed DFT_N, N = 1024 and 4096 (a tree of two-layer verdicts);
* the exact polynomial engine: the stuck random 6 x 6 instances (bench_decide's generator)
  with the largest engine certificates (:data:`ENGINE_DRAWS`).

Printed per case: the verdict, the decision seconds, the verify() seconds, verify / decide
(best of ``--repeats`` runs each, single-threaded BLAS).

Run: nice -n 10 python benchmarks/bench_verify.py [--max-n 4096] [--repeats 1]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from identifiability import check_uniqueness, check_uniqueness_chain  # noqa: E402
from identifiability.supports import (butterfly_split_supports, butterfly_supports,  # noqa: E402
                                      random_support)
from landscape import bit_reversal, dft, hadamard  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_chain import best_of  # noqa: E402  (best wall time over repeats)


def butterfly_matrices(N):
    """``(name, A, tol)``: Hadamard (exact) and the bit-reversed DFT (tol=1e-10)."""
    return [(f"Hadamard N={N}", hadamard(N), None),
            (f"DFT-bitrev N={N}", dft(N)[:, bit_reversal(N)], 1e-10)]


def random_overlapping(m, rng):
    """m = n = r, 5 nonzeros per column of S1 and per row of S2, integer factors 1..9."""
    s1 = random_support((m, m), 5, mode="columns", rng=rng)
    s2 = random_support((m, m), 5, mode="rows", rng=rng)
    A = (rng.integers(1, 10, (m, m)) * s1) @ (rng.integers(1, 10, (m, m)) * s2)
    return A, s1, s2


def engine_instances(m, draws, rng):
    """``draws`` random m x m instances of bench_decide's generator (stuck completions)."""
    out = []
    for _ in range(draws):
        k1, k2 = (int(k) for k in rng.integers(2, 5, 2))
        S1 = random_support((m, m), k1, mode="columns", rng=rng)
        S2 = random_support((m, m), k2, mode="rows", rng=rng)
        X, Y = (S * rng.integers(1, 10, S.shape) * rng.choice([-1, 1], S.shape)
                for S in (S1, S2))
        out.append((X @ Y, S1, S2))
    return out


#: Draws of ``engine_instances(6, 22, default_rng(0))`` with the largest engine certificates
#: (when written): a solution count of 1 on 42 unknowns, a count >= 2 on 62 unknowns, a
#: positive-dimensional fibre (the certificate column says which certificate it gets now).
ENGINE_DRAWS = {"stuck 6x6 draw 4 (42 unknowns)": 4,
                "stuck 6x6 draw 21 (62 unknowns)": 21,
                "stuck 6x6 draw 3 (fibre)": 3}


def cases(max_n, rng):
    """``(name, decide)`` pairs; ``decide()`` returns a verdict with ``verify()``."""
    out = []
    N = 1024
    while N <= max_n:
        left, right = butterfly_split_supports(N, 1)
        for name, A, tol in butterfly_matrices(N):
            out.append((f"two-layer {name}",
                        lambda A=A, tol=tol, s=(left, right): check_uniqueness(A, *s, tol=tol)))
        N *= 4
    inst = random_overlapping(200, rng)
    out.append(("two-layer random 200x200x200", lambda: check_uniqueness(*inst)))
    N = 1024
    while N <= max_n:
        masks = butterfly_supports(N)
        for name, A, tol in butterfly_matrices(N):
            out.append((f"chain {name}",
                        lambda A=A, tol=tol, m=masks: check_uniqueness_chain(A, m, tol=tol)))
        N *= 4
    stuck = engine_instances(6, 22, np.random.default_rng(0))
    for name, draw in ENGINE_DRAWS.items():
        out.append((name, lambda inst=stuck[draw]: check_uniqueness(*inst)))
    return out


def main(max_n: int = 4096, repeats: int = 1) -> None:
    rng = np.random.default_rng(0)
    print(f"{'case':44s} {'verdict':>10s} {'certificate':>22s} {'decide s':>9s} "
          f"{'verify s':>9s} {'verify/decide':>13s}")
    for name, decide in cases(max_n, rng):
        t_decide, v = best_of(decide, repeats)
        t_verify, ok = best_of(v.verify, repeats)
        cert = type(v.certificate).__name__
        print(f"{name:44s} {v.status:>10s} {cert:>22s} {t_decide:9.3f} {t_verify:9.3f} "
              f"{t_verify / t_decide:13.2f}" + ("" if ok else "  VERIFY FAILED"), flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--max-n", type=int, default=4096)
    p.add_argument("--repeats", type=int, default=1)
    args = p.parse_args()
    main(args.max_n, args.repeats)
