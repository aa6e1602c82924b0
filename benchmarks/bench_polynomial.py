"""msolve against sympy on lifted two-layer systems (identifiability.core.polynomial).

The lifted system of A = S1 @ S2 with supports: one unknown rank-one contribution matrix C_k
per inner index k, supported on the rectangle I_k x J_k (I_k = rows of column k of S1, J_k =
columns of row k of S2). Equations: sum_k C_k = A entrywise (linear), and every 2x2 minor of
every C_k is zero (quadrics). The scaling ambiguity of (S1, S2) is gone by construction
(C_k = u_k v_k^T does not see u_k -> a u_k, v_k -> v_k / a), so a unique factorization modulo
permutation and scaling is a lifted system with exactly one solution.

Cases: LU supports (n = 4, 5, 6; lower times upper triangular) and random square supports
(5x5, 8x8) with random integer factors. Each system is solved by both engines in one run
(``time_limit`` per call), and the msolve answer is verified (``verify()``).

Run: python benchmarks/bench_polynomial.py [--time-limit 60] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from identifiability.core.msolve import find_msolve
from identifiability.core.polynomial import solve_system


def lifted_system(S1: np.ndarray, S2: np.ndarray, A: np.ndarray) -> tuple[list[dict], list[str]]:
    """The lifted polynomial system of ``A = S1 @ S2`` as exponent dicts and variable names."""
    m, r = S1.shape
    n = S2.shape[1]
    rects = [(np.flatnonzero(S1[:, k]), np.flatnonzero(S2[k, :])) for k in range(r)]
    index: dict = {}
    for k, (I, J) in enumerate(rects):
        for i in I:
            for j in J:
                index[(k, int(i), int(j))] = len(index)
    nv = len(index)

    def mono(*keys):
        e = [0] * nv
        for key in keys:
            e[index[key]] += 1
        return tuple(e)

    polys = []
    for i in range(m):
        for j in range(n):
            cover = [k for k, (I, J) in enumerate(rects) if i in I and j in J]
            if not cover:
                assert A[i, j] == 0
                continue
            f = {mono((k, i, j)): 1 for k in cover}
            if A[i, j]:
                f[(0,) * nv] = -int(A[i, j])
            polys.append(f)
    for k, (I, J) in enumerate(rects):
        for a in range(len(I)):
            for b in range(a + 1, len(I)):
                for c in range(len(J)):
                    for d in range(c + 1, len(J)):
                        i, i2, j, j2 = int(I[a]), int(I[b]), int(J[c]), int(J[d])
                        polys.append({mono((k, i, j), (k, i2, j2)): 1,
                                      mono((k, i, j2), (k, i2, j)): -1})
    names = [f"c{k}_{i}_{j}" for (k, i, j) in index]
    return polys, names


def _factors(S1, S2, rng):
    def fill(S):
        return (S * rng.choice([-3, -2, -1, 1, 2, 3], size=S.shape)).astype(np.int64)
    X1, X2 = fill(S1), fill(S2)
    return X1 @ X2


def cases(seed: int):
    rng = np.random.default_rng(seed)
    for n in (4, 5, 6):
        S1 = np.tril(np.ones((n, n), dtype=bool))
        S2 = np.triu(np.ones((n, n), dtype=bool))
        yield f"LU n={n}", S1, S2, _factors(S1, S2, rng)
    for n, density in ((5, 0.6), (8, 0.45)):
        S1 = rng.random((n, n)) < density
        S2 = rng.random((n, n)) < density
        yield f"random {n}x{n}", S1, S2, _factors(S1, S2, rng)


def _cell(sol) -> str:
    count = f" n={sol.n_solutions}" if sol.status == "finite" else (
        f" dim={sol.dimension}" if sol.status == "positive_dimensional" else "")
    return f"{sol.status}{count} {sol.seconds:7.2f}s"


def main(time_limit: float = 60.0, seed: int = 0) -> None:
    print(f"msolve binary: {find_msolve()}")
    print(f"{'system':13s} {'vars':>5s} {'eqs':>5s}  {'msolve':32s} {'verify':>12s}  sympy")
    for name, S1, S2, A in cases(seed):
        polys, names = lifted_system(S1, S2, A)
        ms = solve_system(polys, names, engine="msolve", time_limit=time_limit)
        t0 = time.perf_counter()
        ok = ms.verify(time_limit=time_limit) if ms.status == "finite" else None
        vt = time.perf_counter() - t0
        verify = "-" if ok is None else f"{ok} {vt:5.2f}s"
        sy = solve_system(polys, names, engine="sympy", time_limit=time_limit)
        print(f"{name:13s} {len(names):5d} {len(polys):5d}  {_cell(ms):32s} {verify:>12s}  "
              f"{_cell(sy)}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.time_limit, args.seed)
