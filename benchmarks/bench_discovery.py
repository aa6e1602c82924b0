"""Butterfly factorization with unknown permutations, from the matrix alone.

Table 1 -- :func:`landscape.engine.discovery.discover_butterfly` on N = 16 ... ``--max-n``:
the DFT in natural order (complex; ``--draws`` seeds of ``rng``), the DFT and the Hadamard
matrix with random row and column permutations, products of random complex N(0,1) butterfly
factors with random P, Q (``--draws`` draws each), and dense random matrices (no structure:
a success would be false):
success rate, median and worst relative error ``||A - chain||_F / ||A||_F``, median wall and
CPU time (``time.process_time``), and for the dense matrices the median certified lower bound
on the relative error of every ``P B Q``.

Table 2 (``--table``) -- the transforms of Dao et al. (ICML 2019): DFT, DCT-II, DST-II, Hadamard,
Hartley, convolution (random circulant), Legendre (Vandermonde on a grid), Hilbert, random:
success, relative error of the returned fit and the certified lower bound.

Table 3 (``--noise``) -- the settings of Le, Zheng, Riccietti & Gribonval (ICASSP 2022), with
the permutations *unknown*: the DFT in natural order plus complex Gaussian noise of variance
0.005 per real and imaginary part, J = 3, 6, 9 factors (N = 2^J); the product of J random
N(0,1) butterfly factors (real) plus N(0, 0.01) noise, N = 4 ... ``--max-n``, randomly
permuted rows and columns; ``--draws`` noise draws each: median relative error of the fit,
of the hierarchical fit told the true orderings ("oracle"), noise norm
``||E||_F / ||A + E||_F``, the ratio fit / noise, the certified lower bound.

Table 4 (``--hierarchical``) -- the acceptance sweep of issue 14:
``hierarchical(A, *hadamard_constraints(N), rng=seed)`` (sparsity levels only, default
``method="auto"``) for the DFT in natural order, Hadamard and products of random complex
butterfly factors, ``--draws`` seeds at each N: success (relative error <= 1e-10 and
``method == "discovery"``), worst error, median wall time.

    nice -n 10 python benchmarks/bench_discovery.py [--max-n 1024] [--draws 10] [--table] [--noise]
    nice -n 10 python benchmarks/bench_discovery.py --hierarchical --max-n 1024 --draws 10
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from functools import reduce  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.linalg as sl  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from identifiability.supports import butterfly_supports  # noqa: E402
from landscape.engine.butterfly import (butterfly_factorize, dft, hadamard,  # noqa: E402
                                        random_butterfly_factors)
from landscape.engine.discovery import discover_butterfly  # noqa: E402


def random_butterfly(N, rng):
    """Product of log2 N random complex N(0,1) butterfly factors."""
    return reduce(np.matmul, random_butterfly_factors(N, rng=rng))


def scramble(A, rng):
    N = A.shape[0]
    return A[rng.permutation(N)][:, rng.permutation(N)]


FAMILIES = {
    "dft (natural order)": lambda N, rng: dft(N),
    "dft, random P, Q": lambda N, rng: scramble(dft(N), rng),
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
            k = draws                        # the DFT: the same matrix, ``draws`` rng seeds
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


def random_real_butterfly(N, rng):
    out = np.eye(N)
    for S in butterfly_supports(N):
        out = out @ (rng.standard_normal((N, N)) * S)
    return out


def table_noise(max_n, draws, seed):
    print(f"\n{'setting':28s} {'N':>5s} {'median err':>11s} {'oracle err':>10s} {'noise':>9s} "
          f"{'err/noise':>9s} {'bound':>9s} {'cpu s':>7s}")
    settings = [("dft + CN(0, 0.005 x 2)", N, 0.005) for N in (8, 64, 512) if N <= max_n]
    settings += [("random butterfly + N(0, .01)", 2 ** J, 0.01)
                 for J in range(2, max_n.bit_length())]
    for name, N, var in settings:
        rng = np.random.default_rng(seed + N)
        rows = []
        for d in range(draws):
            if name.startswith("dft"):
                E = np.sqrt(var) * (rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N)))
                noisy = dft(N) + E
                oracle = butterfly_factorize(noisy, permutation="bit_reversal")
                target = noisy
            else:            # noise on the butterfly, then rows and columns permuted
                E = np.sqrt(var) * rng.standard_normal((N, N))
                noisy = random_real_butterfly(N, rng) + E
                oracle = butterfly_factorize(noisy, permutation=None)   # true orderings
                target = scramble(noisy, rng)
            res, _, cpu = run(target, seed + d)
            rows.append((float(res.relative_error), float(oracle.relative_error),
                         np.linalg.norm(E) / np.linalg.norm(noisy), float(res.error_bound), cpu))
        e, o, n, b, c = np.median(np.array(rows), axis=0)
        print(f"{name:28s} {N:5d} {e:11.3e} {o:10.3e} {n:9.3e} {e / n:9.3f} {b:9.2e} {c:7.3f}",
              flush=True)


def table_hierarchical(sizes, draws, seed):
    from landscape.engine.hierarchical import hadamard_constraints, hierarchical
    print(f"\n{'hierarchical(auto)':24s} {'N':>5s} {'exact':>8s} {'worst err':>10s} "
          f"{'wall s':>7s} {'method':>10s}")
    makers = {"dft (natural order)": lambda N, rng: dft(N),
              "hadamard": lambda N, rng: hadamard(N),
              "random complex butterfly": lambda N, rng: random_butterfly(N, rng)}
    for name, make in makers.items():
        for N in sizes:
            rng = np.random.default_rng(seed + N)
            errs, walls, methods = [], [], set()
            for d in range(draws):
                A = make(N, rng)
                start = time.perf_counter()
                res = hierarchical(A, *hadamard_constraints(N), rng=seed + d)
                walls.append(time.perf_counter() - start)
                errs.append(res.relative_error if res.method == "discovery" else np.inf)
                methods.add(res.method)
            ok = int(np.sum(np.array(errs) <= 1e-10))
            print(f"{name:24s} {N:5d} {ok:4d}/{draws:<3d} {max(errs):10.2e} "
                  f"{np.median(walls):7.3f} {'/'.join(sorted(methods)):>10s}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=1024)
    parser.add_argument("--min-n", type=int, default=16)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--table", action="store_true", help="also the transform table")
    parser.add_argument("--noise", action="store_true", help="also the noise table")
    parser.add_argument("--hierarchical", action="store_true",
                        help="only the hierarchical(method='auto') acceptance sweep")
    args = parser.parse_args(argv)
    sizes = [2 ** k for k in range(args.min_n.bit_length() - 1, args.max_n.bit_length())]
    if args.hierarchical:
        table_hierarchical(sizes, args.draws, args.seed)
        return
    table_families(sizes, args.draws, args.seed)
    if args.table:
        table_transforms([N for N in sizes if N >= 8] or [8], args.seed)
    if args.noise:
        table_noise(args.max_n, args.draws, args.seed)


if __name__ == "__main__":
    main()
