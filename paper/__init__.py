"""The paper: one script per figure under ``paper/figures/``, text in ``paper/paper.md``.

``python -m paper`` (from the repository root) rebuilds every figure (PDF and PNG) and
``paper/build/numbers.json`` from scratch; ``python -m paper NAME ...`` rebuilds only those
figures, ``--quick`` runs tiny variants (seconds; used by the tests). Each figure module
exposes ``main(outdir, *, quick=False) -> dict`` returning the numbers it printed, so the
numbers quoted in ``paper.md`` can be checked against ``numbers.json``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
from pathlib import Path
from typing import Any, Sequence

__all__ = ["FIGURES", "BUILD", "build"]

BUILD = Path(__file__).resolve().parent / "build"
FIGURES = tuple(sorted(p.stem for p in (Path(__file__).resolve().parent / "figures").glob("*.py")
                       if not p.stem.startswith("_")))


def build(names: Sequence[str] = (), *, outdir: Path = BUILD, quick: bool = False,
          **options: Any) -> dict[str, dict]:
    """Run the figure scripts ``names`` (all when empty) and merge their numbers into
    ``outdir/numbers.json`` (a full build also records its total time under ``"_build"``);
    returns ``{name: numbers}`` of the scripts run.

    ``options`` are passed to the scripts whose ``main`` accepts them (``max_n=4096`` for
    ``butterfly_speed``).
    """
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure(s) {unknown}; choose from {list(FIGURES)}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / "numbers.json"
    numbers = json.loads(path.read_text()) if path.exists() else {}
    done = {}
    start = time.perf_counter()
    for name in names or FIGURES:
        main = importlib.import_module(f"paper.figures.{name}").main
        accepted = inspect.signature(main).parameters
        kwargs = {k: v for k, v in options.items() if k in accepted and v is not None}
        print(f"=== {name}", flush=True)
        t0 = time.perf_counter()
        out = main(outdir, quick=quick, **kwargs)
        out["build_seconds"] = round(time.perf_counter() - t0, 2)
        print(f"=== {name}: {out['build_seconds']:.1f} s", flush=True)
        done[name] = numbers[name] = out
    if not names:
        numbers["_build"] = {"seconds": round(time.perf_counter() - start, 1), "quick": quick}
    path.write_text(json.dumps(numbers, indent=1, sort_keys=True) + "\n")
    return done
