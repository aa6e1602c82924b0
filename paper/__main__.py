"""``python -m paper [NAME ...] [--quick] [--outdir DIR] [--max-n 4096]``: rebuild the figures.

Single-threaded BLAS (as the pyfaust reference timings), set before numpy is imported.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from . import BUILD, FIGURES, build  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m paper", description=__doc__.splitlines()[0])
    p.add_argument("figures", nargs="*", metavar="NAME", help=f"any of {', '.join(FIGURES)}")
    p.add_argument("--quick", action="store_true", help="tiny variants (a smoke test)")
    p.add_argument("--outdir", type=Path, default=BUILD, help=f"default {BUILD}")
    p.add_argument("--max-n", type=int, default=None,
                   help="largest N of butterfly_speed (default 2048; 4096 takes minutes)")
    args = p.parse_args(argv)
    unknown = sorted(set(args.figures) - set(FIGURES))
    if unknown:
        print(f"python -m paper: error: unknown figure(s) {unknown}", file=sys.stderr)
        return 64
    t0 = time.perf_counter()
    build(args.figures, outdir=args.outdir, quick=args.quick, max_n=args.max_n)
    print(f"paper built in {time.perf_counter() - t0:.1f} s -> {args.outdir}")
    return 0


sys.exit(main())
