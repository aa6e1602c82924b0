"""``sparsefact tour``: the classic examples of the theory, end to end.

Prints every verdict with its certificate and writes ``report.md`` (plus PNG figures when
matplotlib is installed) into the output folder.
"""

from __future__ import annotations

import io
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["run_tour", "SECTIONS"]


def _two_layer(out: Path, figures: bool) -> list[str]:
    from identifiability import check_uniqueness

    from .examples import two_layer_examples

    md = []
    for key, ex in two_layer_examples().items():
        v = check_uniqueness(ex["A"], ex["support1"], ex["support2"])
        ok = "ok" if v.status == ex["expected"] else f"EXPECTED {ex['expected']}"
        print(f"--- {key}: {ex['title']}  [{ok}]")
        text = v.explain()
        print(text)
        md += [f"### {key}: {ex['title']}", "", "```", text, "```", ""]
    return md


def _generic(out: Path, figures: bool) -> list[str]:
    from identifiability import (butterfly_supports, dense_support, generic_uniqueness,
                                 lower_triangular_support, uniqueness_conditions)

    md = []
    L = lower_triangular_support(3)
    cases = [("LU 3x3 (lower x upper)", [L, L.T]),
             ("dense 4x2x4", [dense_support(4, 2), dense_support(2, 4)]),
             ("butterfly chain N=64", butterfly_supports(64))]
    for title, sup in cases:
        g = generic_uniqueness(sup, rng=0)
        line = (f"{title}: generically unique = {g.generic} (Jacobian rank {g.jacobian_rank} "
                f"vs {g.expected_rank}, error probability {g.error_probability:g}, {g.method})")
        print(line)
        md.append(f"- {line}")
    L2 = lower_triangular_support(2)
    cond = uniqueness_conditions(L2, L2.T)
    line = f"LU 2x2: unique iff {cond.unique_if}   (LaTeX: ${cond.latex()}$)"
    print(line)
    md += ["", f"- {line}", ""]
    return md


def _beyond_fixed(out: Path, figures: bool) -> list[str]:
    from identifiability import check_butterfly_uniqueness, check_uniqueness_sparse
    from landscape import dft, hadamard

    md = []
    for title, A, kw in (("Hadamard N=128", hadamard(128), {}),
                         ("DFT N=256 (columns bit-reversed)", dft(256),
                          {"permutation": "bit_reversal", "tol": 1e-10}),
                         ("DFT N=8 in natural order", dft(8), {"tol": 1e-10})):
        v = check_butterfly_uniqueness(A, **kw)
        line = f"butterfly chain, {title}: {v.status}, verify() = {v.verify()} -- {v.reason}"
        print(line)
        md.append(f"- {line}")
    A = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]])
    v = check_uniqueness_sparse(A, 2, 2, mode="columns")
    line = (f"sparsity levels only (2 nonzeros per column of S1 / row of S2), A = {A.tolist()}: "
            f"{v.status} with r = {v.r} -- {v.reason}")
    print(line)
    md += [f"- {line}", ""]
    return md


def _butterfly(out: Path, figures: bool) -> list[str]:
    from landscape import bit_reversal, butterfly_factorize, dft, hadamard

    md = ["| matrix | N | factors | nnz | relative error | lower bound | seconds |",
          "|---|---|---|---|---|---|---|"]
    results = {}
    for name, make in (("Hadamard", hadamard), ("DFT", dft)):
        for N in (64, 1024):
            t0 = time.perf_counter()
            res = butterfly_factorize(make(N))
            dt = time.perf_counter() - t0
            results[(name, N)] = res
            line = (f"{name} N={N}: {len(res.chain.factors)} factors, nnz {res.chain.nnz} vs "
                    f"{N * N} dense, relative error {res.relative_error:.2e}, {dt:.3f} s")
            print(line)
            md.append(f"| {name} | {N} | {len(res.chain.factors)} | {res.chain.nnz} | "
                      f"{res.relative_error:.2e} | {res.lower_bound:.2e} | {dt:.3f} |")
    F8 = dft(8)
    res = butterfly_factorize(F8, permutation=None)
    line = (f"DFT N=8 in natural order is not a butterfly: certified lower bound on the squared "
            f"error {res.lower_bound:.4f}, achieved {res.relative_error ** 2 * 64:.4f}")
    print(line)
    md += ["", f"- {line}", f"- bit reversal of 8: {bit_reversal(8).tolist()}", ""]
    if figures:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        chain = results[("DFT", 64)].chain
        n = len(chain.factors)
        fig, axes = plt.subplots(1, n, figsize=(2.2 * n, 2.4))
        for ax, F in zip(axes, chain.factors):
            ax.spy(F, markersize=0.6)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[0].set_title("DFT 64: recovered butterfly factors (and bit-reversal)", loc="left",
                          fontsize=9)
        fig.tight_layout()
        fig.savefig(out / "butterfly_dft64.png", dpi=120)
        plt.close(fig)
        md += ["![butterfly factors of the DFT](butterfly_dft64.png)", ""]
    return md


def _fixed_support(out: Path, figures: bool) -> list[str]:
    from landscape import solve_fixed_support

    A04 = np.array([[3, 1, 5], [1, 3, 7], [2, 4, 6]], dtype=float)
    S04 = np.array([[1, 0], [1, 0], [0, 1]], dtype=bool)
    A05 = np.array([[1, 2, 1], [3, 4, 0], [5, 6, 2], [7, 9, 0]], dtype=float)
    I05 = np.array([[1, 1, 1], [1, 1, 1], [0, 0, 1], [0, 0, 1]], dtype=bool)
    J05 = np.array([[1, 1, 1], [1, 1, 1], [0, 0, 0]], dtype=bool)
    md = []
    for title, A, s1, s2 in (("C04 disjoint rectangles", A04, S04, S04.T),
                             ("C05 complete equivalence class", A05, I05, J05.T)):
        sol = solve_fixed_support(A, s1, s2)
        line = f"{title}: {sol.status}, optimal value {sol.value:.8f}"
        print(line)
        md.append(f"- {line}")
    return md + [""]


def _report_figure(rep, out: Path, name: str, alt: str) -> list[str]:
    """Save ``rep.plot()`` (a LandscapeReport) as ``out/name.png``; its Markdown lines."""
    import matplotlib.pyplot as plt

    fig = rep.plot()
    fig.savefig(out / f"{name}.png", dpi=100)
    plt.close(fig)
    return [f"![{alt}]({name}.png)", ""]


def _landscape(out: Path, figures: bool) -> list[str]:
    from landscape import Problem, infimum_attained, sample

    A33 = np.array([[3.0, 0, 1], [0, 1, -3], [1, -3, -2]])
    I33 = np.array([[1, 0], [1, 1], [0, 1]], dtype=bool)
    rep = sample(Problem(A33, supports=[I33, I33.T]), 64, rng=1)
    print("C33, 64 PALM starts:")
    print(rep.summary())
    crit = "; ".join(f"{v:.10g} {k}" + (f" x{c}" if c > 1 else "")
                     for v, k, c in rep.critical_values() or ())
    certificate = (f"C33, every real critical value (exact enumeration modulo scaling, "
                   f"landscape.linear.critical_values): {crit}. The global value is attained: "
                   f"diverging factors cost at least the escape bound "
                   f"{float(rep.critical.escape_bound):.10g}" if rep.critical is not None
                   else "C33: no exact enumeration of the critical points")
    print(certificate)
    L = np.array([[1, 0], [1, 1]], dtype=bool)
    ex = infimum_attained(L, L.T, np.array([[0.0, 1], [1, 0]]))
    line = f"C03 (LU of the antidiagonal): infimum attained = {ex.attained}; {ex.reason}"
    print(line)
    md = ["C33, 64 PALM starts:", "", "```", rep.summary(), "```", "", f"- {certificate}",
          f"- {line}", ""]
    return md + (_report_figure(rep, out, "landscape_c33", "landscape of C33") if figures else [])


def _relu(out: Path, figures: bool) -> list[str]:
    from landscape import ReLUProblem, relu_optimum_exists, sample

    S1, S2 = np.array([[1, 1], [0, 1]]), np.array([[1, 0], [1, 1]])
    X = np.array([[1, 1], [2, 1], [1, 2]])
    ex = relu_optimum_exists([S1, S2], X, X[:, ::-1], n_starts=2, n_iter=300, rng=0)
    print(f"C28 (sparse ReLU, LU supports): {ex.status} (certificate verified: {ex.verify()})")
    print(ex.explain())
    rng = np.random.default_rng(0)
    Xt = rng.uniform(-1, 1, size=(12, 2))
    rep = sample(ReLUProblem(Xt, np.abs(Xt[:, 0]) - Xt[:, 1] ** 2, width=8, beta=0.05), 16,
                 rng=0)
    print("two-layer ReLU net on 12 points in 2-D, 16 L-BFGS starts vs the convex optimum:")
    print(rep.summary())
    print(f"{rep.fraction_within(0.01):.0%} of the starts within 1% of the convex value")
    md = ["```", ex.explain(), "```", "",
          "Two-layer ReLU net on 12 points in 2-D, 16 L-BFGS starts vs the convex optimum "
          "(Pilanci & Ergen):", "", "```", rep.summary(),
          f"{rep.fraction_within(0.01):.0%} of the starts within 1% of the convex value", "```",
          ""]
    return md + (_report_figure(rep, out, "relu_landscape", "ReLU landscape") if figures else [])


SECTIONS: list[tuple[str, Callable[[Path, bool], list[str]]]] = [
    ("Two-layer uniqueness with fixed supports", _two_layer),
    ("Generic and symbolic uniqueness", _generic),
    ("Beyond fixed supports: chains, butterflies, sparsity levels", _beyond_fixed),
    ("Butterflies: reverse-engineering Hadamard and the DFT", _butterfly),
    ("Global optima on tractable supports", _fixed_support),
    ("Landscapes: spurious minima and missing optima", _landscape),
    ("Sparse ReLU networks: existence of optima, landscape vs the convex optimum", _relu),
]


def run_tour(out: Path, *, figures: bool = True) -> int:
    """Run every section, print it, and write ``out/report.md``; returns the exit code 0."""
    out.mkdir(parents=True, exist_ok=True)
    if figures:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("(matplotlib is not installed: no figures)")
            figures = False
    t0 = time.perf_counter()
    md = ["# sparsefact tour", ""]
    for title, section in SECTIONS:
        print(f"\n=== {title} ===")
        buf = io.StringIO()
        with redirect_stdout(buf):
            lines = section(out, figures)
        print(buf.getvalue(), end="")
        md += [f"## {title}", ""] + lines
    md.append(f"_Total time: {time.perf_counter() - t0:.1f} s._")
    (out / "report.md").write_text("\n".join(md) + "\n")
    print(f"\nReport written to {out / 'report.md'} ({time.perf_counter() - t0:.1f} s)")
    return 0
