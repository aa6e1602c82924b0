"""Our proximal factorization engine against pyfaust 3.41, single-threaded: the four targets.

(a) ``butterfly_factorize(dft(N), permutation="bit_reversal")`` against
    ``pyfaust.fact.butterfly(M, type="bbtree", perm="bitrev")``: >= 3x faster at N = 1024,
    >= 10x at N = 4096, relative error <= 1e-13 (default order left-to-right; the balanced
    order is printed for information);
(b) Hadamard N = 256 by ``hierarchical`` (PALM based) against ``fact.hierarchical(H,
    "hadamard", backend=2020)`` (26 s, error 3e-13): >= 5x faster, error <= 1e-12;
(c) palm4msa, 2 factors 256 x 256, splincol(4): time per sweep no slower than pyfaust (real,
    0.036 s) and >= 3x faster (complex, 0.29 s).

When ``import pyfaust`` works the pyfaust butterfly time is measured in the same run;
otherwise (and always for (b), (c)) the "pyfaust 3.41 measured reference" numbers below are
used. Times are medians over ``--repeats`` runs, wall and CPU (``time.process_time``, the
user + system time of ``os.times()``, less sensitive to a machine shared with other jobs);
the summary judges each target on both.

    python benchmarks/bench_vs_pyfaust.py [--max-n 4096] [--repeats 3] [--skip-palm]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_palm  # noqa: E402
from bench_butterfly import time_one  # noqa: E402

from landscape.engine.butterfly import dft  # noqa: E402

PYFAUST_DFT = {256: 0.020, 1024: 0.31, 2048: 2.2, 4096: 25.0}   # s, bbtree + bitrev, 3.41
TARGETS = {1024: 3.0, 4096: 10.0}


def pyfaust_time(N, repeats):
    """Measured median time of pyfaust's butterfly on DFT(N), or None without pyfaust."""
    try:
        import pyfaust
        import pyfaust.fact
    except ImportError:
        return None
    M = dft(N)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        pyfaust.fact.butterfly(M, type="bbtree", perm="bitrev")
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def butterfly_part(max_n, repeats, orders=("left-to-right", "balanced")):
    print("Butterfly, DFT(N) with bit reversal: ours vs pyfaust fact.butterfly(bbtree, bitrev)")
    print(f"{'N':>6} {'order':>14} {'ours s':>9} {'cpu s':>8} {'rel. err':>9} {'pyfaust s':>10} "
          f"{'source':>9} {'speed-up':>9} {'target':>7}")
    rows = []
    for N in sorted(PYFAUST_DFT):
        if N > max_n:
            continue
        measured = pyfaust_time(N, repeats)
        if measured is not None:
            ref, source = measured, "measured"
        else:
            ref, source = PYFAUST_DFT[N], "reference"
        for order in orders:
            t, cpu, err = time_one(dft(N), "bit_reversal", order, repeats)
            ratio = ref / t
            target = TARGETS.get(N) if order == "left-to-right" else None
            mark = "" if target is None else f"{'ok' if ratio >= target else 'MISS'} {target:g}x"
            rows.append((N, order, t, cpu, err, ref))
            print(f"{N:>6} {order:>14} {t:>9.3f} {cpu:>8.3f} {err:>9.1e} {ref:>10.3f} "
                  f"{source:>9} {ratio:>8.1f}x {mark:>7}", flush=True)
    return rows


def summary(butterfly_rows, palm_rows):
    """One line per target: ours (wall, cpu), reference, speed-ups, required, verdict."""
    lines = []
    for N, order, t, cpu, err, ref in butterfly_rows:
        if order == "left-to-right" and N in TARGETS:
            lines.append((f"(a) butterfly DFT N={N} (err {err:.1e}, need <= 1e-13)", t, cpu,
                          ref, TARGETS[N], err <= 1e-13))
    need = {"(b)": 5.0, "(c) palm4msa 2x256x256 splincol(4) real": 1.0,
            "(c) palm4msa 2x256x256 splincol(4) complex": 3.0}
    for name, t, cpu, ref in palm_rows:
        req = next((v for k, v in need.items() if name.startswith(k)), None)
        if req is not None:
            ok = name.startswith("(c)") or float(name.split("err ")[1].split()[0]) <= 1e-12
            lines.append((name, t, cpu, ref, req, ok))
    print("\nSummary: speed-up = reference / ours")
    print(f"{'target':<68} {'wall':>8} {'cpu':>8} {'ref':>8} {'x wall':>7} {'x cpu':>7} "
          f"{'need':>5} {'met (wall/cpu)':>15}")
    for name, t, cpu, ref, req, ok in lines:
        met = [("ok" if ok and ref / x >= req else "MISS") for x in (t, max(cpu, 1e-9))]
        print(f"{name:<68} {t:>8.3f} {cpu:>8.3f} {ref:>8.3f} {ref / t:>6.1f}x "
              f"{ref / max(cpu, 1e-9):>6.1f}x {req:>4g}x {'/'.join(met):>15}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-palm", action="store_true")
    args = parser.parse_args(argv)
    palm_rows = [] if args.skip_palm else bench_palm.main(
        (bench_palm.bench_palm_iter, bench_palm.bench_hadamard))
    print()
    rows = butterfly_part(args.max_n, args.repeats)
    return summary(rows, palm_rows)


if __name__ == "__main__":
    main()
