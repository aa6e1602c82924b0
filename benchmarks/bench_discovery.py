"""Butterfly factorization with unknown permutations, from the matrix alone.

Table 1 -- :func:`landscape.engine.discovery.discover_butterfly` on N = 16 ... ``--max-n``:
the DFT in natural order (complex), the Hadamard matrix with random row and column
permutations, products of random complex N(0,1) butterfly factors with random P, Q
(``--draws`` draws each), and dense random matrices (no structure: a success would be false):
success rate, median and worst relative error ``||A - chain||_F / ||A||_F``, median wall and
CPU time (``time.process_time``), and for the dense matrices the median certified lower bound
on the relative error of every ``P B Q``.

Table 2 (``--table``) -- the transforms of Dao et al. (ICML 2019): DFT, DCT-II, DST-II, Hadamard,
Hartley, convolution (random circulant), Legendre (Vandermonde on a grid), Hilbert, random:
success, relative error of the returned fit and the certified lower bound.

    nice -n 10 python benchmarks/bench_discovery.py [--max-n 1024] [--draws 10] [--table]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.linalg as sl  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from identifiability.supports import butterfly_supports  # noqa: E402
from landscape.engine.butterfly import dft, hadamard  # noqa: E402
from landscape.engine.discovery import discover_butterfly  # noqa: E402


def random_butterfly(N, rng):
    """Product of log2 N random complex N(0,1) butterfly factors (applied as sparse masks)."""
    out = np.eye(N, dtype=complex)
    for S in butterfly_supports(N):
        out = out @ ((rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N))) * S)
    return out


def scramble(A, rng):
    N = A.shape[0]
    return A[rng.permutation(N)][:, rng.permutation(N)]


FAMILIES = {
    "dft (natural order)": lambda N, rng: dft(N),
    "hadamard, random P, Q": lambda N, rng: scramble(hadamard(N), rng),
    "random butterfly, P, Q": lambda N, rng: scramble(random_butterfly(N, rng), rng),
    "dense random (none)": lambda N, rng: rng.standard_normal((N, N)),
}


def transforms(N, rng):
    n = np.arange(N)
    k = n[:, None]
    return {
        "DFT": dft(N),
        "DCT-II": np.cos(np.pi * (n + 0.5) * k / N),
        "DST-II": np.sin(np.pi * (n + 0.5) * (k + 1) / N),
        "Hadamard": hadamard(N),
        "Hartley": np.cos(2 * np.pi * k * n / N) + np.sin(2 * np.pi * k * n / N),
        "convolution": sl.circulant(rng.standard_normal(N)),
        "Legendre": np.polynomial.legendre.legvander(np.linspace(-1, 1, N), N - 1),
        "Hilbert": sl.hilbert(N),
        "random": rng.standard_normal((N, N)),
    }


def run(A, seed):
    start, start_cpu = time.perf_counter(), time.process_time()
    res = discover_butterfly(A, rng=seed)
    return res, time.perf_counter() - start, time.process_time() - start_cpu


def table_families(sizes, draws, seed):
    print(f"{'family':24s} {'N':>5s} {'success':>8s} {'median err':>11s} {'worst err':>10s} "
          f"{'wall s':>7s} {'cpu s':>7s} {'bound':>9s}")
    for name, make in FAMILIES.items():
        for N in sizes:
            rng = np.random.default_rng(seed + N)
            k = 1 if name.startswith("dft") else draws
            results = [run(make(N, rng), seed + d) for d in range(k)]
            errors = np.array([float(r.relative_error) for r, _, _ in results])
            ok = sum(r.success for r, _, _ in results)
            bound = np.median([float(r.error_bound) for r, _, _ in results])
            print(f"{name:24s} {N:5d} {ok:4d}/{k:<3d} {np.median(errors):11.2e} "
                  f"{errors.max():10.2e} {np.median([w for _, w, _ in results]):7.3f} "
                  f"{np.median([c for _, _, c in results]):7.3f} {bound:9.2e}", flush=True)


def table_transforms(sizes, seed):
    print(f"\n{'transform':12s} {'N':>5s} {'success':>8s} {'rel err':>9s} {'bound':>9s} "
          f"{'wall s':>7s}  reason")
    for N in sizes:
        for name, A in transforms(N, np.random.default_rng(seed + N)).items():
            res, wall, _ = run(A, seed)
            print(f"{name:12s} {N:5d} {str(res.success):>8s} {float(res.relative_error):9.2e} "
                  f"{float(res.error_bound):9.2e} {wall:7.3f}  {res.reason[:60]}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=1024)
    parser.add_argument("--min-n", type=int, default=16)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--table", action="store_true", help="also the transform table")
    args = parser.parse_args(argv)
    sizes = [2 ** k for k in range(args.min_n.bit_length() - 1, args.max_n.bit_length())]
    table_families(sizes, args.draws, args.seed)
    if args.table:
        table_transforms([N for N in sizes if N >= 8] or [8], args.seed)


if __name__ == "__main__":
    main()
