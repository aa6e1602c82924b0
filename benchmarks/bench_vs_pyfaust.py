"""Our butterfly (and PALM) engine against pyfaust, single-threaded.

Butterfly part: ``butterfly_factorize(dft(N), permutation="bit_reversal")`` against
``pyfaust.fact.butterfly(M, type="bbtree", perm="bitrev")``. When ``import pyfaust`` works
the pyfaust time is measured in the same run; otherwise the "pyfaust 3.41 measured
reference" numbers below (single-threaded) are used. Targets: >= 3x faster at N = 1024,
>= 10x at N = 4096, relative error <= 1e-13. The PALM / hierarchical part is
``benchmarks/bench_palm.py`` (its ``main`` is run first when it exposes one).

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

from bench_butterfly import time_one  # noqa: E402

from landscape.butterfly import dft  # noqa: E402

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
    print(f"{'N':>6} {'order':>14} {'ours s':>9} {'rel. err':>9} {'pyfaust s':>10} "
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
            t, err = time_one(dft(N), "bit_reversal", order, repeats)
            ratio = ref / t
            target = TARGETS.get(N)
            mark = "" if target is None else f"{'ok' if ratio >= target else 'MISS'} {target:g}x"
            rows.append((N, order, t, err, ref, source, ratio))
            print(f"{N:>6} {order:>14} {t:>9.3f} {err:>9.1e} {ref:>10.3f} {source:>9} "
                  f"{ratio:>8.1f}x {mark:>7}", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-palm", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_palm:
        try:
            import bench_palm
        except ImportError as exc:  # the PALM engine is not there yet
            print(f"(PALM part skipped: {exc})")
        else:
            if hasattr(bench_palm, "main"):
                bench_palm.main()
            else:
                print("(PALM part skipped: bench_palm exposes no main)")
    return butterfly_part(args.max_n, args.repeats)


if __name__ == "__main__":
    main()
