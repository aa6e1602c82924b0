"""The ``sparsefact`` command.

Subcommands: ``check`` (two-layer uniqueness of a matrix file), ``butterfly`` (exact
butterfly factorization), ``landscape`` (sample critical points), ``tour`` (the classic
examples end to end, with a report) and ``paper`` (rebuild the paper's figures).

Exit codes of ``check``: 0 unique, 1 not unique, 2 undecided, 3 infeasible,
4 locally unique; every subcommand exits with 64 on bad input (one line on stderr, no
traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

__all__ = ["main", "load_matrix", "EXIT_CODES", "BAD_INPUT"]

EXIT_CODES = {"unique": 0, "not_unique": 1, "undecided": 2, "infeasible": 3, "locally_unique": 4}
BAD_INPUT = 64


class BadInput(Exception):
    """Raised for user errors: reported in one line with exit code 64."""


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


def _jsonable(x: Any) -> Any:
    """Exact numbers as strings ("3/2"), floats as floats, arrays as nested lists."""
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()] if x.dtype != object else \
            [_jsonable(v) for v in x.tolist()]
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    if isinstance(x, (complex, np.complexfloating)):
        return {"re": float(x.real), "im": float(x.imag)}
    return str(x)


def verdict_to_dict(v: Any) -> dict:
    """A JSON-ready summary of a Verdict and its certificate."""
    from identifiability import (AlgebraicCertificate, AlternativeCertificate,
                                 CompletionCertificate, Obstruction)

    cert = v.certificate
    out: dict[str, Any] = {"status": v.status, "reason": v.reason, "field": v.field,
                           "verified": bool(v.verify())}
    if isinstance(cert, CompletionCertificate):
        out["certificate"] = {"type": "completion", "order": [int(s.k) for s in cert.steps],
                              "trees": [_jsonable(s.tree) for s in cert.steps],
                              "margins": _jsonable(cert.margins)}
    elif isinstance(cert, AlternativeCertificate):
        out["certificate"] = {"type": "alternative_factorization",
                              "S1": _jsonable(cert.factors[0]), "S2": _jsonable(cert.factors[1]),
                              "explanation": cert.explanation}
    elif isinstance(cert, Obstruction):
        out["certificate"] = {"type": "obstruction", "kind": cert.kind,
                              "explanation": cert.explanation}
    elif isinstance(cert, AlgebraicCertificate):
        out["certificate"] = {"type": "groebner", "basis": [str(g) for g in cert.basis],
                              "n_solutions": cert.n_solutions, "field": cert.field}
    if v.factors is not None:
        out["factors"] = {"S1": _jsonable(v.factors[0]), "S2": _jsonable(v.factors[1])}
    return out


def _cmd_check(args: argparse.Namespace) -> int:
    from identifiability import check_uniqueness

    A = load_matrix(args.matrix, name="A")
    s1 = load_matrix(args.s1, name="--s1")
    s2 = load_matrix(args.s2, name="--s2")
    try:
        verdict = check_uniqueness(A, s1, s2, tol=args.tol)
    except (ValueError, TypeError) as exc:
        raise BadInput(str(exc)) from exc
    summary = verdict_to_dict(verdict)
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(verdict.explain())
    if args.out:
        out = Path(args.out)
        if out.suffix == ".npz" and verdict.factors is not None:
            np.savez(out, S1=np.asarray(verdict.factors[0], dtype=complex if np.iscomplexobj(
                verdict.factors[0]) else float), S2=np.asarray(verdict.factors[1], dtype=complex
                if np.iscomplexobj(verdict.factors[1]) else float))
        else:
            out.write_text(json.dumps(summary, indent=1))
    return EXIT_CODES[verdict.status]


def _cmd_butterfly(args: argparse.Namespace) -> int:
    from landscape import butterfly_factorize, dft, hadamard

    permutation = None if args.permutation == "none" else args.permutation
    try:
        if args.hadamard is not None:
            A, label = hadamard(args.hadamard), f"Hadamard N={args.hadamard}"
        elif args.dft is not None:
            A, label = dft(args.dft), f"DFT N={args.dft}"
        else:
            A, label = load_matrix(args.matrix, name="A"), str(args.matrix)
        t0 = time.perf_counter()
        res = butterfly_factorize(A, permutation=permutation, order=args.order)
    except (ValueError, TypeError) as exc:
        raise BadInput(str(exc)) from exc
    elapsed = time.perf_counter() - t0
    N = A.shape[0]
    print(f"{label}: {len(res.chain.factors)} sparse factors, nnz {res.chain.nnz} "
          f"(dense {N * N}), relative error {res.relative_error:.3e}, time {elapsed:.3f} s")
    print(res.explain())
    return 0


def _cmd_landscape(args: argparse.Namespace) -> int:
    from landscape.linear.sampling import Problem, sample

    A = load_matrix(args.matrix, name="A")
    s1 = load_matrix(args.s1, name="--s1")
    s2 = load_matrix(args.s2, name="--s2")
    try:
        problem = Problem(A, supports=[s1, s2])
        report = sample(problem, args.starts, rng=args.seed, executor=args.executor,
                        progress=True)
    except (ValueError, TypeError) as exc:
        raise BadInput(str(exc)) from exc
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
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", formatter_class=fmt, help="is A = S1 @ S2 unique?",
                       description="Decide whether A = S1 @ S2 with the given supports is unique "
                       "up to scaling and support-preserving permutations.\n\nexample:\n  "
                       "sparsefact check A.npy --s1 S1.npy --s2 S2.npy --json\n\nexit codes: 0 "
                       "unique, 1 not unique, 2 undecided, 3 infeasible, 4 locally unique, 64 bad "
                       "input")
    _problem_arguments(c)
    c.add_argument("--tol", type=float, default=None,
                   help="decide numerically with this relative tolerance (default: exact)")
    c.add_argument("--json", action="store_true", help="print the verdict as JSON")
    c.add_argument("--out", help="also write the verdict (.json, exact fractions as strings) or "
                   "the factors (.npz, rounded to float64/complex128)")
    c.set_defaults(func=_cmd_check)

    b = sub.add_parser("butterfly", formatter_class=fmt, help="exact butterfly factorization",
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

    ls = sub.add_parser("landscape", formatter_class=fmt, help="sample critical points",
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

    t = sub.add_parser("tour", formatter_class=fmt, help="the classic examples, end to end",
                       description="Run the classic examples of the theory (uniqueness, "
                       "butterflies, landscapes) and write a Markdown report with figures.\n\n"
                       "example:\n  sparsefact tour --out sparsefact-report")
    t.add_argument("--out", default="sparsefact-report", help="report folder")
    t.add_argument("--no-figures", action="store_true", help="skip the matplotlib figures")
    t.set_defaults(func=_cmd_tour)

    pp = sub.add_parser("paper", formatter_class=fmt, help="rebuild the paper's figures",
                        description="Same as `python -m paper` from the repository root.\n\n"
                        "examples:\n  sparsefact paper\n  sparsefact paper lu_divergence --quick")
    pp.add_argument("args", nargs=argparse.REMAINDER,
                    help="passed to python -m paper: figure names, --quick, --max-n N")
    pp.set_defaults(func=_cmd_paper)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sparsefact`` console script."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help gives 0, usage errors 2 -> bad input
        return 0 if exc.code == 0 else BAD_INPUT
    try:
        return int(args.func(args))
    except BadInput as exc:
        print(f"sparsefact: error: {exc}", file=sys.stderr)
        return BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
