"""Time per instance of check_uniqueness: the old sympy path against the exact engine.

For m = n = r = 4 ... 12 (``--sizes``), ``--draws`` random instances per size: supports with
k1, k2 nonzeros per column of S1 / row of S2 drawn in 2..4 (the band where the completion gets
stuck), random integer factors (entries +-1..9), A = S1 @ S2 decided exactly. The same
instances run twice in one process:

* ``sympy``: the historical path (no msolve: ``SPARSEFACT_MSOLVE`` pointed at nothing, so the
  sympy Groebner step, capped at 10 unknowns, then the Jacobian fallback; no submersion
  certificate). Its numerical point now comes from the same fast Levenberg-Marquardt as the
  engine's, so this path is faster than it was before issue 13 (scipy's trf took up to 54 s
  per instance at m = 8);
* ``engine``: the default (certified submersion points above 40 factor unknowns, then the
  lifted system decided by msolve through ``solve_system``).

Printed per size and path: median and 95th percentile of the seconds per instance, the share
of exact verdicts (unique / not_unique / infeasible) and of verdicts whose verify() holds,
and the median over the instances both paths decide exactly (their count in brackets); the
ratio of the medians closes the table.

Run: nice -n 10 python benchmarks/bench_decide.py [--sizes 4 6 8] [--draws 10]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from identifiability import check_uniqueness, random_support  # noqa: E402
from identifiability.core.msolve import MSOLVE_ENV  # noqa: E402
from identifiability.two_layer import algebraic  # noqa: E402

EXACT = ("unique", "not_unique", "infeasible")


def instances(m: int, draws: int, rng: np.random.Generator) -> list:
    out = []
    for _ in range(draws):
        k1, k2 = (int(k) for k in rng.integers(2, 5, 2))
        S1 = random_support((m, m), min(k1, m), mode="columns", rng=rng)
        S2 = random_support((m, m), min(k2, m), mode="rows", rng=rng)
        X, Y = (S * rng.integers(1, 10, S.shape) * rng.choice([-1, 1], S.shape)
                for S in (S1, S2))
        out.append((X @ Y, S1, S2))
    return out


def run(cases: list, path: str, time_limit: float) -> dict:
    saved, first = os.environ.get(MSOLVE_ENV), algebraic.SUBMERSION_FIRST
    if path == "sympy":
        os.environ[MSOLVE_ENV] = "/nonexistent/msolve"
        algebraic.SUBMERSION_FIRST = 10 ** 9
    try:
        seconds, exact, verified, decided = [], 0, 0, []
        for A, S1, S2 in cases:
            t0 = time.perf_counter()
            v = check_uniqueness(A, S1, S2, time_limit=time_limit)
            seconds.append(time.perf_counter() - t0)
            exact += v.status in EXACT
            decided.append(v.status in EXACT)
            verified += bool(v.verify())
    finally:
        algebraic.SUBMERSION_FIRST = first
        if saved is None:
            os.environ.pop(MSOLVE_ENV, None)
        else:
            os.environ[MSOLVE_ENV] = saved
    return {"median": float(np.median(seconds)), "p95": float(np.percentile(seconds, 95)),
            "exact": exact / len(cases), "verified": verified / len(cases),
            "seconds": np.array(seconds), "decided": np.array(decided)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(range(4, 13)))
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"{'m':>3} {'path':>7} {'median s':>9} {'p95 s':>8} {'exact':>6} {'verified':>8}"
          f" {'both exact: median s':>21}")
    ratios = []
    for m in args.sizes:
        cases = instances(m, args.draws, rng)
        rows = {path: run(cases, path, args.time_limit) for path in ("sympy", "engine")}
        both = rows["sympy"]["decided"] & rows["engine"]["decided"]
        for path, r in rows.items():
            common = f"{np.median(r['seconds'][both]):.3f} ({both.sum()})" if both.any() else "-"
            print(f"{m:>3} {path:>7} {r['median']:>9.3f} {r['p95']:>8.3f} {r['exact']:>6.0%} "
                  f"{r['verified']:>8.0%} {common:>21}", flush=True)
        ratios.append(rows["sympy"]["median"] / max(rows["engine"]["median"], 1e-9))
    print("ratio of the medians sympy / engine per size (the sympy path is fast where it gives "
          "up: compare the exact shares): "
          + ", ".join(f"m={m}: {q:.2g}" for m, q in zip(args.sizes, ratios)))


if __name__ == "__main__":
    main()
