"""Speed of identifiability.equivalence on butterfly chains and dense pairs.

Run: python benchmarks/bench_equivalence.py   (prints a table; single-threaded BLAS)
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import time  # noqa: E402
from fractions import Fraction  # noqa: E402

import numpy as np  # noqa: E402

from identifiability.equivalence import canonical_form, equivalent  # noqa: E402
from identifiability.supports import butterfly_supports  # noqa: E402


def scrambled(F, rng, exact):
    """A random permutation + scaling of every inner dimension of F."""
    L = len(F)
    p = [np.arange(F[0].shape[0])] + [rng.permutation(M.shape[1]) for M in F[:-1]] + \
        [np.arange(F[-1].shape[1])]
    if exact:
        d = [np.array([Fraction(int(rng.choice([-3, -2, -1, 1, 2, 3])), int(rng.integers(1, 4)))
                       for _ in q], dtype=object) for q in p]
        d[0] = np.full(F[0].shape[0], Fraction(1), dtype=object)
        d[-1] = np.full(F[-1].shape[1], Fraction(1), dtype=object)
    else:
        d = [rng.standard_normal(q.size) + 1j * rng.standard_normal(q.size) for q in p]
        d[0], d[-1] = np.ones(F[0].shape[0]), np.ones(F[-1].shape[1])
    return [F[k][np.ix_(p[k], p[k + 1])] * d[k + 1][None, :] / d[k][:, None] for k in range(L)]


def timed(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    rng = np.random.default_rng(0)
    rows = []
    for N in (8, 16, 32, 64):
        masks = butterfly_supports(N)
        Fi = [np.where(S, rng.integers(1, 5, S.shape) * rng.choice([-1, 1], S.shape), 0)
              for S in masks]
        Fe = [M.astype(object) for M in Fi]
        Fb = scrambled(Fe, rng, True)
        t, res = timed(lambda: equivalent(Fi, Fb), 1)
        rows.append((f"butterfly N={N} L={len(masks)}", "exact", t, bool(res)))
        Fc = [np.where(S, rng.standard_normal(S.shape) + 1j * rng.standard_normal(S.shape), 0)
              for S in masks]
        Fcb = scrambled(Fc, rng, False)
        t, res = timed(lambda: equivalent(Fc, Fcb, tol=1e-9))
        rows.append((f"butterfly N={N} L={len(masks)}", "tol=1e-9 complex", t, bool(res)))
        t, _ = timed(lambda: canonical_form(Fc, tol=1e-12))
        rows.append((f"butterfly N={N} L={len(masks)}", "canonical_form tol", t, True))
    for r in (4, 16, 64):
        X, W = rng.standard_normal((32, r)), rng.standard_normal((r, 32))
        Xb, Wb = scrambled([X, W], rng, False)
        t, res = timed(lambda: equivalent([X, W], [Xb, Wb], tol=1e-9))
        rows.append((f"dense 32x{r}x32 L=2", "tol=1e-9", t, bool(res)))
        Xd = np.tile(X[:, :1], (1, r))  # r identical columns: ties resolved by matching
        Xdb, Wdb = scrambled([Xd, W], rng, False)
        t, res = timed(lambda: equivalent([Xd, W], [Xdb, Wdb], tol=1e-9))
        rows.append((f"dense 32x{r}x32 L=2, {r} equal cols", "tol=1e-9", t, bool(res)))
    print(f"{'case':38s} {'mode':22s} {'seconds':>9s}  equivalent")
    for case, mode, t, ok in rows:
        print(f"{case:38s} {mode:22s} {t:9.4f}  {ok}")


if __name__ == "__main__":
    main()
