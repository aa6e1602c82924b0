"""Noisy butterflies: the settings of Le, Zheng, Riccietti & Gribonval (ICASSP 2022).

Table 1 -- the DFT (natural order, complex) plus complex Gaussian noise of variance 0.005 per
real and imaginary part, J = 3, 6, 9 factors (N = 2^J), ``--draws`` noise draws;
Table 2 -- the product of J random N(0,1) butterfly factors (real) plus N(0, 0.01) noise,
N = 4 ... ``--max-n`` (default 4096: at N = 8192 one dense matrix is 0.5 GB and the
machine is shared; ``--max-n 8192`` runs it), ``--draws`` draws.

Columns: the noise norm ``||E||_F / ||A + E||_F`` and the relative error ``||A + E - B||_F /
||A + E||_F`` of the butterfly fit ``B`` for the unbalanced trees (left-to-right and
right-to-left) and the balanced tree, all told the supports (bit reversal for the DFT, the
natural order for the random product: the oracle setting of the paper), and the fit with
the permutations *unknown* (``butterfly_factorize(permutation="learn")``, rows and columns of
the random product scrambled first); medians over the draws; ``err/noise`` of the balanced
tree. An error below the noise norm means the fit is closer to ``A + E`` than ``A`` is (it
fits part of the noise); the paper's observation is that all trees stay within a small
factor of the noise and the balanced tree is the most accurate on noisy inputs.

    nice -n 10 python benchmarks/bench_noise.py [--max-n 4096] [--draws 10] [--seed 0]
    nice -n 10 python benchmarks/bench_noise.py --no-dft --min-n 4096 --max-n 8192 --draws 3
        (the largest sizes; learned permutations only up to --max-learn-n, default 2048)
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from identifiability.supports import butterfly_supports  # noqa: E402
from landscape.engine.butterfly import butterfly_factorize, dft  # noqa: E402

ORDERS = ("left-to-right", "right-to-left", "balanced")


def random_butterfly_product(N, rng):
    """Product of log2 N random real N(0,1) butterfly factors, built with sparse factors
    (``O(N^2 log N)``, no dense N x N factor)."""
    out = None
    for S in reversed(butterfly_supports(N)):
        rows, cols = np.nonzero(S)
        X = sp.csr_matrix((rng.standard_normal(rows.size), (rows, cols)), shape=(N, N))
        out = X.toarray() if out is None else X @ out
    return out


def row(name, N, A, E, perm, scrambled, seed, learn=True):
    noisy = A + E
    norm = np.linalg.norm(noisy)
    out = [np.linalg.norm(E) / norm]
    for order in ORDERS:
        out.append(float(butterfly_factorize(noisy, permutation=perm, order=order)
                         .relative_error))
    if not learn:
        return out + [np.nan, np.nan]
    start = time.perf_counter()
    learned = butterfly_factorize(scrambled(noisy), permutation="learn", rng=seed)
    out += [float(learned.relative_error), time.perf_counter() - start]
    return out


def table(settings, draws, seed):
    print(f"{'setting':30s} {'N':>5s} {'noise':>9s} {'l-to-r':>9s} {'r-to-l':>9s} "
          f"{'balanced':>9s} {'learned':>9s} {'bal/noise':>9s} {'learn s':>8s}")
    for name, N, make in settings:
        rng = np.random.default_rng(seed + N)
        rows = [make(N, rng, seed + d) for d in range(draws)]
        m = np.median(np.array(rows), axis=0)
        print(f"{name:30s} {N:5d} {m[0]:9.3e} {m[1]:9.3e} {m[2]:9.3e} {m[3]:9.3e} "
              f"{m[4]:9.3e} {m[3] / m[0]:9.3f} {m[5]:8.2f}", flush=True)


def dft_case(N, rng, seed):
    E = np.sqrt(0.005) * (rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N)))
    return row("dft", N, dft(N), E, "bit_reversal", lambda X: X, seed)


MAX_LEARN_N = [2048]


def random_case(N, rng, seed):
    A = random_butterfly_product(N, rng)
    E = np.sqrt(0.01) * rng.standard_normal((N, N))
    r, c = rng.permutation(N), rng.permutation(N)
    return row("random", N, A, E, None, lambda X: X[r][:, c], seed, N <= MAX_LEARN_N[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=4096)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-n", type=int, default=4)
    parser.add_argument("--max-learn-n", type=int, default=2048,
                        help="largest N of the learned-permutation column (its robust search "
                             "costs N^3 flops: 7 s at N = 1024, ~1 min at 2048)")
    parser.add_argument("--no-dft", action="store_true")
    args = parser.parse_args(argv)
    MAX_LEARN_N[0] = args.max_learn_n
    settings = [] if args.no_dft else [("dft + CN(0, 0.005) per part", 2 ** J, dft_case)
                                       for J in (3, 6, 9)]
    settings += [("J random N(0,1) + N(0, 0.01)", 2 ** J, random_case)
                 for J in range(max(2, args.min_n.bit_length() - 1), args.max_n.bit_length())]
    table(settings, args.draws, args.seed)


if __name__ == "__main__":
    main()
