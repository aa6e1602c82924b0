"""The ``sparsefact`` command.

Subcommands: ``check`` (two-layer uniqueness of a matrix file), ``butterfly`` (exact
butterfly factorization), ``landscape`` (sample critical points), ``tour`` (the classic
examples end to end, with a report) and ``paper`` (rebuild the paper's figures).

Exit codes of ``check``: 0 unique, 1 not unique, 2 undecided, 3 infeasible,
4 locally unique. Every subcommand exits with 64 on bad input -- an argument rejected by the
boundary validation (:class:`identifiability.core.BadInput`) or a file the command cannot
read -- and with 70 on an internal error (a bug: one line on stderr asking for a report);
neither prints a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from identifiability.core.validation import BadInput as ValidationError

__all__ = ["main", "load_matrix", "verdict_to_dict", "EXIT_CODES", "BAD_INPUT", "BROKEN_PIPE",
           "INTERNAL_ERROR", "BadInput"]

EXIT_CODES = {"unique": 0, "not_unique": 1, "undecided": 2, "infeasible": 3, "locally_unique": 4}
BAD_INPUT = 64          # EX_USAGE of sysexits.h
INTERNAL_ERROR = 70     # EX_SOFTWARE of sysexits.h
BROKEN_PIPE = 141       # 128 + SIGPIPE, what a shell reports for a closed pipe
BUG_REPORT = "this is a bug in sparsefact: please report it with the command you ran"


class BadInput(ValidationError):
    """A problem with the command line's own input (a missing, unreadable or malformed file,
    an output path that cannot be written): one line on stderr, exit code 64."""


def load_matrix(path: str | Path, *, name: str = "matrix") -> np.ndarray:
    """Read a 2-D array from ``.npy``, ``.npz`` (key ``A`` or the only array), ``.csv`` or
    ``.mtx`` (Matrix Market)."""
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{name}: no such file: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            arr = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                keys = list(data.keys())
                key = "A" if "A" in keys else (keys[0] if len(keys) == 1 else None)
                if key is None:
                    raise BadInput(f"{name}: {path} holds several arrays {keys}; name one 'A'")
                arr = data[key]
        elif suffix == ".csv":
            arr = np.loadtxt(path, delimiter=",", dtype=complex if "j" in path.read_text() else float,
                             ndmin=2)
        elif suffix == ".mtx":
            from scipy.io import mmread

            m = mmread(str(path))
            arr = m.toarray() if hasattr(m, "toarray") else np.asarray(m)
        else:
            raise BadInput(f"{name}: unsupported file type {suffix!r} (use .npy, .npz, .csv, .mtx)")
    except BadInput:
        raise
    except Exception as exc:  # unreadable content
        raise BadInput(f"{name}: cannot read {path}: {exc}") from exc
    if arr.ndim != 2:
        raise BadInput(f"{name}: expected a 2-D array in {path}, got shape {arr.shape}")
    if arr.dtype.kind == "f" and np.all(arr == np.round(arr)) and np.all(np.isfinite(arr)) \
            and suffix in (".csv", ".mtx"):
        arr = arr.astype(np.int64) if np.abs(arr).max(initial=0) < 2 ** 53 else arr
    return arr


def verdict_to_dict(v: Any, *, verified: bool | None = None) -> dict:
    """A JSON-ready summary of a verdict: ``v.to_dict()`` (the certificate provides its own).

    ``verified``: the result of ``v.verify()`` when already computed (else it runs).
    """
    return v.to_dict(verified=verified)


def _cmd_check(args: argparse.Namespace) -> int:
    import identifiability

    A = load_matrix(args.matrix, name="A")
    s1 = load_matrix(args.s1, name="--s1")
    s2 = load_matrix(args.s2, name="--s2")
    verdict = identifiability.check_uniqueness(A, s1, s2, tol=args.tol)
    verified = verdict.verify()          # once: the JSON and the explanation share it
    summary = verdict_to_dict(verdict, verified=verified)
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(verdict.explain(verified=verified))
    if args.out:
        out = Path(args.out)
        try:
            if out.suffix == ".npz" and verdict.factors is not None:
                S1, S2 = verdict.factors
                np.savez(out, S1=np.asarray(S1, dtype=complex if np.iscomplexobj(S1) else float),
                         S2=np.asarray(S2, dtype=complex if np.iscomplexobj(S2) else float))
            else:
                out.write_text(json.dumps(summary, indent=1))
        except OSError as exc:
            raise BadInput(f"--out: cannot write {out}: {exc}") from exc
    return EXIT_CODES[verdict.status]


def _cmd_butterfly(args: argparse.Namespace) -> int:
    from landscape import butterfly_factorize, dft, hadamard

    permutation = None if args.permutation == "none" else args.permutation
    if args.hadamard is not None:
        A, label = hadamard(args.hadamard), f"Hadamard N={args.hadamard}"
    elif args.dft is not None:
        A, label = dft(args.dft), f"DFT N={args.dft}"
    else:
        A, label = load_matrix(args.matrix, name="A"), str(args.matrix)
    t0 = time.perf_counter()
    res = butterfly_factorize(A, permutation=permutation, order=args.order)
    elapsed = time.perf_counter() - t0
    N = A.shape[0]
    print(f"{label}: {len(res.chain.factors)} sparse factors, nnz {res.chain.nnz} "
          f"(dense {N * N}), relative error {res.relative_error:.3e}, time {elapsed:.3f} s")
    print(res.explain())
    return 0


def _cmd_landscape(args: argparse.Namespace) -> int:
    from landscape.linear import Problem, sample

    A = load_matrix(args.matrix, name="A")
    s1 = load_matrix(args.s1, name="--s1")
    s2 = load_matrix(args.s2, name="--s2")
    problem = Problem(A, supports=[s1, s2])
    report = sample(problem, args.starts, rng=args.seed, executor=args.executor, progress=True)
    print(report.summary())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report.save(out / "landscape")
    try:
        fig = report.plot()
        fig.savefig(out / "landscape.png", dpi=120, bbox_inches="tight")
    except ImportError:
        print("matplotlib not installed: no figure written")
    print(f"report written to {out}/")
    return 0


def _cmd_tour(args: argparse.Namespace) -> int:
    from .tour import run_tour

    return run_tour(Path(args.out), figures=not args.no_figures)


def _cmd_paper(args: argparse.Namespace) -> int:
    import subprocess

    root = Path(__file__).resolve().parent.parent
    if not (root / "paper" / "__main__.py").exists():
        raise BadInput("the paper/ folder is not next to the installed package: run from a "
                       "clone of the repository")
    return subprocess.call([sys.executable, "-m", "paper", *args.args], cwd=root)


def _problem_arguments(p: argparse.ArgumentParser) -> None:
    """A and the two supports, shared by ``check`` and ``landscape``."""
    p.add_argument("matrix", help="A (.npy, .npz, .csv or .mtx)")
    p.add_argument("--s1", required=True, help="support of S1 (m x r, entries 0/1)")
    p.add_argument("--s2", required=True, help="support of S2 (r x n, entries 0/1)")


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(prog="sparsefact", formatter_class=fmt, description=(
        "Uniqueness and optimisation landscape of sparse matrix factorizations."))
    p.add_argument("--debug", action="store_true",
                   help="show the traceback of an error instead of a one-line message")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error instead of a one-line message")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", formatter_class=fmt, parents=[common],
                       help="is A = S1 @ S2 unique?",
                       description="Decide whether A = S1 @ S2 with the given supports is unique "
                       "up to scaling and support-preserving permutations.\n\nexample:\n  "
                       "sparsefact check A.npy --s1 S1.npy --s2 S2.npy --json\n\nexit codes: 0 "
                       "unique, 1 not unique, 2 undecided, 3 infeasible, 4 locally unique, 64 bad "
                       "input, 70 internal error (a bug)")
    _problem_arguments(c)
    c.add_argument("--tol", type=float, default=None,
                   help="decision tolerance relative to max|A| (default: exact on exact "
                   "input, a numerical decision at 1e-9 on inexact floats)")
    c.add_argument("--json", action="store_true", help="print the verdict as JSON")
    c.add_argument("--out", help="also write the verdict (.json, exact fractions as strings) or "
                   "the factors (.npz, rounded to float64/complex128)")
    c.set_defaults(func=_cmd_check)

    b = sub.add_parser("butterfly", formatter_class=fmt, parents=[common],
                       help="exact butterfly factorization",
                       description="Factorize a matrix into log2(N) butterfly factors.\n\n"
                       "examples:\n  sparsefact butterfly --dft 1024\n  sparsefact butterfly "
                       "A.npy --permutation none")
    src = b.add_mutually_exclusive_group(required=True)
    src.add_argument("--hadamard", type=int, metavar="N", help="the N x N Hadamard matrix")
    src.add_argument("--dft", type=int, metavar="N", help="the N x N DFT matrix")
    src.add_argument("matrix", nargs="?", help="a square matrix file")
    b.add_argument("--permutation", default="auto", choices=["auto", "none", "bit_reversal"])
    b.add_argument("--order", default="left-to-right",
                   choices=["left-to-right", "right-to-left", "balanced"])
    b.set_defaults(func=_cmd_butterfly)

    ls = sub.add_parser("landscape", formatter_class=fmt, parents=[common],
                        help="sample critical points",
                        description="Run PALM from many random starts on A = S1 @ S2 with fixed "
                        "supports and classify where each start ends.\n\nexample:\n  "
                        "sparsefact landscape A.npy --s1 S1.npy --s2 S2.npy --starts 1000 "
                        "--executor joblib")
    _problem_arguments(ls)
    ls.add_argument("--starts", type=int, default=200)
    ls.add_argument("--seed", type=int, default=0)
    ls.add_argument("--executor", default="serial", choices=["serial", "joblib", "dask"])
    ls.add_argument("--out", default="sparsefact-landscape")
    ls.set_defaults(func=_cmd_landscape)

    t = sub.add_parser("tour", formatter_class=fmt, parents=[common],
                       help="the classic examples, end to end",
                       description="Run the classic examples of the theory (uniqueness, "
                       "butterflies, landscapes) and write a Markdown report with figures.\n\n"
                       "example:\n  sparsefact tour --out sparsefact-report")
    t.add_argument("--out", default="sparsefact-report", help="report folder")
    t.add_argument("--no-figures", action="store_true", help="skip the matplotlib figures")
    t.set_defaults(func=_cmd_tour)

    pp = sub.add_parser("paper", formatter_class=fmt, parents=[common],
                        help="rebuild the paper's figures",
                        description="Same as `python -m paper` from the repository root.\n\n"
                        "examples:\n  sparsefact paper\n  sparsefact paper lu_divergence --quick")
    pp.add_argument("args", nargs=argparse.REMAINDER,
                    help="passed to python -m paper: figure names, --quick, --max-n N")
    pp.set_defaults(func=_cmd_paper)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sparsefact`` console script.

    Returns the exit code: the subcommand's, :data:`BAD_INPUT` (64) when the input is
    rejected (:class:`identifiability.core.BadInput`, which the boundary validation raises,
    or a file problem), :data:`INTERNAL_ERROR` (70) for anything else -- a bug, reported in
    one line; ``--debug`` shows the traceback instead.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help gives 0, usage errors 2 -> bad input
        return 0 if exc.code == 0 else BAD_INPUT
    debug = bool(getattr(args, "debug", False))
    try:
        return int(args.func(args))
    except ValidationError as exc:
        if debug:
            raise
        print(f"sparsefact: error: {_one_line(exc)}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        if debug:
            raise
        print("sparsefact: interrupted", file=sys.stderr)
        return 130                       # 128 + SIGINT
    except BrokenPipeError:  # the reader went away (`sparsefact check ... | head`): not a bug
        import os

        try:  # no second error when Python flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):   # stdout is not a file (captured)
            pass
        return BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 -- the last line of defence: no traceback
        if debug:
            raise
        print(f"sparsefact: internal error: {type(exc).__name__}: {_one_line(exc)} -- "
              f"{BUG_REPORT} (run it again with --debug to see the traceback)", file=sys.stderr)
        return INTERNAL_ERROR


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 400 else text[:397] + "..."


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
