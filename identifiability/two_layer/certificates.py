"""The certificates of two-layer verdicts: each one verifies and explains itself.

A certificate is checked by ``certificate.verify(verdict)`` against the inputs kept in the
verdict (``A`` and the supports), independently of the engine that produced it: it never
trusts the factors without multiplying them out (scipy.sparse products, exact in int64 or
float64 under a bound on every partial sum), and it re-derives every completion step
(private entries, spanning trees: one edge less than vertices, all reached from the root;
forced zeros, rank-one consistency by exact cross-multiplication) before accepting it; steps with
pairwise disjoint rectangles are checked together, as arrays. ``Verdict.verify()`` / ``Verdict.explain()`` dispatch to the
certificate's methods; each certificate also says which statuses it can prove
(``proves``) and gives a JSON-ready ``to_dict()``.

* ``"unique"`` -- :class:`CompletionCertificate` (the completion order, the private
  entries used at each step and a spanning tree of the bipartite graph they form) or
  :class:`AlgebraicCertificate` (a Groebner basis that has a single solution);
* ``"not_unique"`` -- :class:`AlternativeCertificate`: a second factorization that multiplies
  back to A and is not equivalent to ``verdict.factors``;
* ``"infeasible"`` -- :class:`Obstruction`: why no factorization exists, of one of the kinds
  in :data:`OBSTRUCTION_KINDS`;
* ``"locally_unique"`` -- :class:`JacobianCertificate`: the Jacobian rank at
  ``verdict.factors`` equals the number of parameters minus the scaling-orbit dimension.

Obstruction kinds (``Obstruction.kind``, exactly the ones the checker produces):

* ``"uncovered_entry"`` -- a nonzero entry of A that no rectangle ``I_k x J_k`` covers;
* ``"zero_private_entry"`` -- a zero residual entry private to one rectangle whose row and
  column are nonzero there (a rank-one contribution cannot vanish at it);
* ``"inconsistent_completion"`` -- the private entries force a contribution by rank-one
  completion that disagrees with another private entry (or a block covered alone is not
  rank one);
* ``"class_rank"`` -- a class of identical rectangles that no other rectangle meets, whose
  residual block has a rank larger than the size of the class;
* ``"groebner"`` -- the reduced Groebner basis of the lifted system is ``[1]`` (no solution,
  even over C);
* ``"z3_unsat"`` -- the lifted system has complex solutions only: z3 proves it has no real
  one;
* ``"empty_system"`` -- the exact polynomial engine (:func:`~identifiability.core.solve_system`)
  finds the lifted system empty over C; ``verify()`` re-solves it with the other engine;
* ``"no_real_solution"`` -- the engine finds finitely many complex solutions and none real
  (certified isolation of the real roots of the eliminant).

The exact polynomial engine adds two certificates (:class:`SolutionCountCertificate` for
``"unique"`` and ``"not_unique"``, :class:`FibreCertificate` for ``"not_unique"``): both
rebuild the lifted system from ``A`` and the supports, and re-check the engine's answer with
:meth:`~identifiability.core.SystemSolution.verify` (exact parametrization, rigorous real
boxes), not the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from ..core.display import fmt_array, summary_repr
from ..core.validation import param_error
from ..core.exact import (dyadic_integer_scaling, exact_matmul, exact_to_float, rank_exact,
                          to_exact, to_exact_algebraic)
from ..graphs import (coverage, integer_scaling, is_zero, matrix_product,
                      product_equals_exact)
from .lifted import (CompletionState, CompletionStep, Shown, arithmetic, contribution_key,
                     lifted_system, solution_points, to_jsonable, try_complete,
                     z3_real_solution)

__all__ = ["OBSTRUCTION_KINDS", "CompletionStep", "CompletionCertificate",
           "AlternativeCertificate", "Obstruction", "AlgebraicCertificate",
           "JacobianCertificate", "SolutionCountCertificate", "FibreCertificate",
           "lifted_polynomials", "verify_verdict", "explain_verdict", "replay_steps"]

#: The kinds of :class:`Obstruction` the checker produces (module docstring: what each means).
OBSTRUCTION_KINDS = ("uncovered_entry", "zero_private_entry", "inconsistent_completion",
                     "class_rank", "groebner", "z3_unsat", "empty_system", "no_real_solution")


# --------------------------------------------------------------------------------------
# shared checks (on a verdict: duck-typed, A, support1, support2, tol, factors, status)
# --------------------------------------------------------------------------------------

def _is_zero_exact(x: Any) -> bool:
    import sympy

    if isinstance(x, sympy.Basic):
        return sympy.simplify(x) == 0
    return x == 0


def _numerical(v: Any) -> tuple[np.ndarray, float]:
    """``v.A`` as floats (complex when complex; not a copy when it is already) and the
    absolute tolerance ``v.tol * max|A|`` of a numerical decision (as
    :func:`~identifiability.two_layer.lifted.arithmetic`, without its copy of A)."""
    A = np.asarray(v.A)
    A = A.astype(np.complex128 if A.dtype.kind == "c" else np.float64, copy=False)
    return A, v.tol * float(np.abs(A).max())


def _product_matches(v: Any, S1: np.ndarray, S2: np.ndarray) -> bool:
    """Supports respected and S1 @ S2 == A (exactly, or within the numerical tolerance)."""
    S1, S2 = np.asarray(S1), np.asarray(S2)
    if S1.shape != v.support1.shape or S2.shape != v.support2.shape:
        return False
    if v.tol is None:
        fast = product_equals_exact([S1, S2], v.A)    # real rationals: sparse integer products
        if fast is not None:
            return fast and not np.any(S1[~v.support1]) and not np.any(S2[~v.support2])
        E1, E2 = to_exact_algebraic(S1), to_exact_algebraic(S2)
        if any(not _is_zero_exact(x) for x in E1[~v.support1]) or \
                any(not _is_zero_exact(x) for x in E2[~v.support2]):
            return False
        import sympy

        symbolic = any(isinstance(x, sympy.Basic) for M in (E1, E2) for x in M.flat)
        P = E1.dot(E2) if symbolic else exact_matmul(E1, E2)
        A = to_exact(v.A)
        return all(_is_zero_exact(p - a) for p, a in zip(P.flat, A.flat))
    _, atol = _numerical(v)
    if np.any(S1[~v.support1] != 0) or np.any(S2[~v.support2] != 0):
        return False
    return bool(np.abs(matrix_product([S1, S2]) - v.A).max() <= _product_atol(S1.shape[1], atol))


def _off_support(F: Any, S: np.ndarray) -> bool:
    """Whether the matrix of numbers ``F`` has a nonzero entry outside the support ``S``."""
    F = np.asarray(F)
    return np.count_nonzero(F) != np.count_nonzero(F[S])


def _product_atol(r: int, atol: float) -> float:
    """How far ``S1 @ S2`` may be from A in a numerical decision: ``10 r atol``."""
    return 10.0 * max(r, 1) * atol + 1e-300


#: Numerical mode: how far the contribution of the factors may be from the replayed C_k, in
#: units of atol. With every private entry within atol of the residual, it keeps the product
#: within ``(9 cover + 1) atol <= 10 r atol`` of A (:func:`_product_atol`).
_CONTRIBUTION_SLACK = 9.0


def _scaled_factors(v: Any) -> tuple | None:
    """The verdict's factors to compare with the replayed contributions: floats (numerical
    mode) or ``(M1, M2, d)`` with ``S1 @ S2 == M1 @ M2 / d``, M1 and M2 int64 (exact mode);
    None when they are not plain numbers of that kind (then the product is checked whole)."""
    S1, S2 = (np.asarray(F) for F in v.factors)
    if S1.shape != v.support1.shape or S2.shape != v.support2.shape:
        return None
    if v.tol is not None:
        return (S1, S2, 1) if S1.dtype.kind in "iufc" and S2.dtype.kind in "iufc" else None
    sc1, sc2 = integer_scaling(S1), integer_scaling(S2)
    if sc1 is None or sc2 is None:
        return None
    return sc1[0], sc2[0], sc1[1] * sc2[1]


@dataclass
class _Replay:
    """Working state of :func:`replay_steps`: the residual ``W`` in units of ``2**-e`` times
    A (an int64 array for real dyadic data, ``Fraction`` objects once a contribution is
    subtracted from a shared entry, floats in numerical mode), ``cover``, ``remaining``."""

    W: np.ndarray
    e: int
    atol: float | None
    cover: np.ndarray
    remaining: set
    owned: bool = True      # False while ``W`` is ``v.A`` itself (copied before a change)
    full: bool = True       # False: only the entries later steps read are kept up to date
    factors: tuple | None = None   # (F1, F2, d) compared with each C_k (_scaled_factors)
    uncovered_zero: bool = True    # A vanishes (within the product tolerance) off the rectangles

    @classmethod
    def start(cls, v: Any) -> "_Replay":
        """The state before any step, from ``v.A`` and the supports of the verdict ``v``."""
        s1, s2 = v.support1, v.support2
        remaining = set(np.flatnonzero(s1.any(axis=0) & s2.any(axis=1)).tolist())
        cover = coverage(s1, s2)
        if v.tol is not None:
            W, atol = _numerical(v)
            off = np.abs(W[cover == 0]) <= _product_atol(s1.shape[1], atol)
            return cls(W, 0, atol, cover, remaining, owned=W is not v.A,
                       uncovered_zero=bool(off.all()))
        scaled = dyadic_integer_scaling(np.asarray(v.A))
        W, e = scaled if scaled is not None else (to_exact(v.A), 0)
        return cls(W, e, None, cover, remaining,
                   uncovered_zero=bool(is_zero(W[cover == 0], None).all()))

    def residual(self) -> np.ndarray:
        """The residual in the units of A: exact numbers, or floats in numerical mode."""
        if self.atol is not None:
            return self.W if self.owned else self.W.copy()
        R = to_exact(self.W)
        return R / (2 ** self.e) if self.e else R


#: Steps of one batch are checked in chunks of at most this many rectangle entries.
_CHUNK_ENTRIES = 2 ** 21


def replay_steps(v: Any, steps: tuple) -> tuple[bool, str, np.ndarray, np.ndarray, set]:
    """Re-derive the completion steps from ``v.A`` and the supports of the verdict ``v``.

    Returns ``(ok, message, residual, cover, remaining)`` where ``remaining`` holds the
    inner indices not determined by the steps.
    """
    ok, message, state = _replay(v, steps, full=True)
    left = np.zeros(v.support1.shape[1], dtype=bool)
    left[list(state.remaining)] = True
    cover = coverage(v.support1 & left, v.support2 & left[:, None])
    return ok, message, state.residual(), cover, state.remaining


def _replay(v: Any, steps: tuple, *, full: bool, factors: tuple | None = None
            ) -> tuple[bool, str, _Replay]:
    """Replay ``steps`` in order, consecutive steps with pairwise disjoint rectangles in one
    vectorised batch (they do not see each other's updates: the same as one by one).
    ``state.cover`` counts the rectangles of the earlier batches as undetermined until the
    next batch starts. ``full=False``: the residual is subtracted only on the entries shared
    with later steps (the private ones are checked, then never read again). ``factors``
    (:func:`_scaled_factors`): each C_k must also be the contribution of these factors."""
    state = _Replay.start(v)
    state.full, state.factors = full, factors
    rows, cols = _rectangles(v)
    # the entries of the current batch (not needed when no two rectangles meet)
    taken = None if state.cover.max(initial=0) <= 1 else np.zeros(state.cover.shape, bool)
    batch: list = []
    for step in steps:
        k = step.k
        if not (isinstance(k, (int, np.integer)) and 0 <= k < len(rows)
                and len(rows[k]) and len(cols[k])):
            return False, f"step for index {k} repeats or names an inactive index", state
        if len(rows[k]) != len(step.rows) or len(cols[k]) != len(step.cols):
            return False, f"step {k}: rectangle does not match the supports", state
        block = np.ix_(rows[k], cols[k]) if taken is not None else None
        if taken is not None and taken[block].any():
            message = _replay_batch(state, batch, rows, cols)
            if message:
                return False, message, state
            for s in batch:   # determined: the next batch sees them as such
                taken[np.ix_(s.rows, s.cols)] = False
                state.cover[np.ix_(s.rows, s.cols)] -= 1
            batch = []
        if k not in state.remaining:
            return False, f"step for index {k} repeats or names an inactive index", state
        state.remaining.discard(k)
        if taken is not None:
            taken[block] = True
        batch.append(step)
    message = _replay_batch(state, batch, rows, cols)
    return not message, message, state


def _replay_batch(state: _Replay, batch: list, rows: list, cols: list) -> str:
    """Check steps with pairwise disjoint rectangles, by shape and in chunks; "" when all hold."""
    groups: dict[tuple[int, int], list] = {}
    for step in batch:
        groups.setdefault((len(step.rows), len(step.cols)), []).append(step)
    for (p, q), group in groups.items():
        size = max(1, _CHUNK_ENTRIES // (p * q))
        for at in range(0, len(group), size):
            message = _replay_chunk(state, group[at:at + size], rows, cols, p, q)
            if message:
                return message
    return ""


def _witnesses(steps: list, name: str, p: int, q: int) -> tuple[np.ndarray, ...] | None:
    """The (i, j) pairs of attribute ``name`` of the steps, stacked: ``(t, i, j)`` with ``t``
    the position of the step; None when a pair lies outside its p x q rectangle."""
    pairs = [np.asarray(getattr(s, name), dtype=np.int64).reshape(-1, 2) for s in steps]
    t = np.repeat(np.arange(len(steps)), [len(a) for a in pairs])
    ij = np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.int64)
    if len(ij) and (ij.min() < 0 or ij[:, 0].max() >= p or ij[:, 1].max() >= q):
        return None
    return t, ij[:, 0], ij[:, 1]


def _replay_chunk(state: _Replay, steps: list, rows: list, cols: list, p: int, q: int) -> str:
    """Check g steps of p x q pairwise disjoint rectangles at once (what
    :func:`replay_steps` checks, one array operation per check) and apply them; ``rows``,
    ``cols``: the rectangles of the supports."""
    g, atol = len(steps), state.atol
    ks = [int(s.k) for s in steps]
    block = (np.array([s.rows for s in steps])[:, :, None],
             np.array([s.cols for s in steps])[:, None, :])
    wrong = (np.any(block[0][:, :, 0] != np.array([rows[k] for k in ks]), axis=1)
             | np.any(block[1][:, 0, :] != np.array([cols[k] for k in ks]), axis=1))
    if wrong.any():
        return f"step {ks[int(np.flatnonzero(wrong)[0])]}: rectangle does not match the supports"
    sub = state.W[block]                                             # (g, p, q)
    private = state.cover[block] == 1
    listed = [np.asarray(s.private, dtype=np.int64).reshape(-1, 2) for s in steps]
    lens = np.array([len(a) for a in listed])
    ij = np.concatenate(listed) if len(listed) else np.zeros((0, 2), np.int64)
    claimed = np.zeros_like(private)
    inside = (ij.min(initial=0) >= 0 and ij[:, 0].max(initial=-1) < p
              and ij[:, 1].max(initial=-1) < q)
    if inside:   # the listed entries as a mask: equal sets, no repeats (the counts match)
        claimed[np.repeat(np.arange(g), lens), ij[:, 0], ij[:, 1]] = True
    wrong = ~inside | (lens != private.sum(axis=(1, 2))) | np.any(claimed != private,
                                                                  axis=(1, 2))
    if np.any(wrong):
        t = int(np.flatnonzero(wrong)[0]) if inside else 0
        return f"step {ks[t]}: the listed private entries are not the private ones"
    wit = {name: _witnesses(steps, name, p, q) for name in ("tree", "zero_rows", "zero_cols")}
    if any(w is None for w in wit.values()):
        bad = next(name for name, w in wit.items() if w is None)
        return f"a step lists {bad} entries outside its rectangle"

    def first(mask: np.ndarray) -> int:
        return ks[int(np.flatnonzero(mask)[0])]
    tt, ti, tj = wit["tree"]
    n_edges = np.bincount(tt, minlength=g)
    empty = n_edges == 0
    wrong = np.zeros(g, dtype=bool)
    wrong[empty] = ~(private[empty] & is_zero(sub[empty], atol)).reshape(-1, p * q).all(axis=1)
    if wrong.any():
        return f"step {first(wrong)}: empty tree but the block is not private and zero"
    values = sub[tt, ti, tj]
    wrong = ~private[tt, ti, tj] | is_zero(values, atol)
    if wrong.any():
        return f"step {ks[tt[np.flatnonzero(wrong)[0]]]}: a tree edge is not a nonzero private entry"
    on_row, on_col = np.zeros((g, p), dtype=bool), np.zeros((g, q), dtype=bool)
    on_row[tt, ti], on_col[tt, tj] = True, True
    # a tree: |edges| = |vertices| - 1 here, connected (every vertex reached from the root
    # along the edges) in _complete_chunk
    wrong = ~empty & (n_edges != on_row.sum(axis=1) + on_col.sum(axis=1) - 1)
    if wrong.any():
        return f"step {first(wrong)}: the witness edges do not form a tree"
    # a zero-row witness (i, j): private, zero, column j on the tree (row i of C_k is 0);
    # a zero-column witness (i, j): private, zero, row i on the tree
    spans_rows, spans_cols = on_row.copy(), on_col.copy()
    for side in ("row", "column"):
        zt, zi, zj = wit["zero_rows" if side == "row" else "zero_cols"]
        keep = ~empty[zt]
        zt, zi, zj = zt[keep], zi[keep], zj[keep]
        on_tree = on_col[zt, zj] if side == "row" else on_row[zt, zi]
        wrong = ~(private[zt, zi, zj] & is_zero(sub[zt, zi, zj], atol) & on_tree)
        if wrong.any():
            return f"step {ks[zt[np.flatnonzero(wrong)[0]]]}: bad zero-{side} witness"
        if side == "row":
            spans_rows[zt, zi] = True
        else:
            spans_cols[zt, zj] = True
    wrong = ~empty & ~(spans_rows.all(axis=1) & spans_cols.all(axis=1))
    if wrong.any():
        return f"step {first(wrong)}: the tree and the forced zeros do not span the rectangle"
    u, w = tt * (p + q) + ti, tt * (p + q) + p + tj   # vertices: rows, then columns
    roots = u[(np.cumsum(n_edges) - n_edges)[~empty]]   # the row of the first edge
    on_tree = np.concatenate([on_row, on_col], axis=1)
    return _complete_chunk(state, steps, block, sub, private, (values, u, w), roots, on_tree)


def _fits(*bounds: np.ndarray) -> bool:
    """Whether the product of the largest absolute values of int64 arrays fits in int64."""
    top = 1.0
    for b in bounds:
        top *= float(np.abs(b).max(initial=0))
    return top < 2.0 ** 62


def _complete_chunk(state: _Replay, steps: list, block: tuple, sub: np.ndarray,
                    private: np.ndarray, edges: tuple, roots: np.ndarray, on_tree: np.ndarray
                    ) -> str:
    """Propagate the rank-one values along the witness edges (a tree when they reach every
    vertex on them: there is one edge less than vertices), check them on the private
    entries and subtract the contributions from the shared entries."""
    values, u, w = edges
    exact = state.atol is None
    g, p, q = sub.shape
    n = g * (p + q)
    # vertex values x (rows) and y (columns) with x_i y_j = sub_ij on the tree edges, level
    # by level from the root (the row of the first edge, value 1): exact ones as num / den
    # (no division), numerical ones in num; vertices off the tree (forced zero) 0
    num = np.zeros(n, dtype=sub.dtype)
    den = np.ones(n if exact else 1, dtype=sub.dtype)
    known = np.zeros(n, dtype=bool)
    known[roots] = True
    num[roots] = 1
    while u.size:   # the edges with an end still unknown
        ku, kw = known[u], known[w]
        fwd, back = ku & ~kw, kw & ~ku
        if not (fwd.any() or back.any()):
            break
        for src, dst, sel in ((u, w, fwd), (w, u, back)):
            a, b, m = src[sel], dst[sel], values[sel]
            if not exact:
                num[b] = m / num[a]
            else:
                if num.dtype == np.int64 and not _fits(m, den[a]):   # on to python ints
                    num, den, values = (x.astype(object) for x in (num, den, values))
                    m = values[sel]
                num[b], den[b] = m * den[a], num[a]
            known[b] = True
        rest = ~(ku | kw)
        u, w, values = u[rest], w[rest], values[rest]
    wrong = (on_tree & ~known.reshape(g, p + q)).any(axis=1)
    if wrong.any():
        return f"step {int(steps[int(np.flatnonzero(wrong)[0])].k)}: the witness edges do " \
            "not form a tree"
    num = num.reshape(g, p + q)
    xn, yn = num[:, :p, None], num[:, None, p:]
    xd = yd = None
    if exact:
        den = den.reshape(g, p + q)
        xd, yd = den[:, :p, None], den[:, None, p:]
        if sub.dtype == np.int64 and not (_fits(xn, yn) and _fits(sub, xd, yd)):
            sub, xn, yn, xd, yd = (a.astype(object) for a in (sub, xn, yn, xd, yd))
        C = xn * yn                                   # C_k = C / (xd yd)
        wrong = private & (C != sub * (xd * yd))
    else:
        C = xn * yn
        wrong = private & ~is_zero(C - sub, state.atol)
    wrong = wrong.reshape(g, -1).any(axis=1)
    if wrong.any():
        k = int(steps[int(np.flatnonzero(wrong)[0])].k)
        return f"step {k}: completion inconsistent with the private entries"
    if state.factors is not None:
        wrong = _factors_differ(state, steps, block, C, xd, yd)
        if wrong.any():
            k = int(steps[int(np.flatnonzero(wrong)[0])].k)
            return f"step {k}: the contribution of the factors is not C_{k}, or zero"
    update = np.ones_like(private) if state.full else ~private   # ~private: shared entries
    if update.any():   # subtract C_k
        t, i, j = np.nonzero(update)
        Ck = C[t, i, j]
        if exact:
            if state.W.dtype != object:
                state.W = state.W.astype(object)
            Ck = Ck.astype(object) * Fraction(1) / (xd[t, i, 0] * yd[t, 0, j]).astype(object)
        where = (block[0][t, i, 0], block[1][t, 0, j])
        if not state.owned:
            state.W, state.owned = state.W.copy(), True
        state.W[where] = state.W[where] - Ck
    return ""


def _factors_differ(state: _Replay, steps: list, block: tuple, C: np.ndarray,
                    xd: np.ndarray | None, yd: np.ndarray | None) -> np.ndarray:
    """Per step: does ``S1[I_k, k] S2[k, J_k]`` differ from ``C_k`` (``C / (xd yd)`` exactly,
    in units of ``2**-e`` times A; ``C`` numerically, by more than
    ``_CONTRIBUTION_SLACK * atol``), or is ``S1[I_k, k]`` or ``S2[k, J_k]`` zero?"""
    F1, F2, d = state.factors
    ks = np.array([int(s.k) for s in steps])
    f1 = F1[block[0][:, :, 0], ks[:, None]][:, :, None]       # (g, p, 1)
    f2 = F2[ks[:, None], block[1][:, 0, :]][:, None, :]       # (g, 1, q)
    g, atol = len(steps), state.atol
    zero = is_zero(f1, atol).all(axis=(1, 2)) | is_zero(f2, atol).all(axis=(1, 2))
    if atol is not None:
        wrong = np.abs(f1 * f2 - C) > _CONTRIBUTION_SLACK * atol
    else:   # f1 f2 / d == C / (xd yd 2**e)  <=>  f1 f2 xd yd 2**e == C d
        scale = np.array([2 ** state.e, d], dtype=object)
        if not (d < 2 ** 62 and _fits(f1, f2, xd, yd, scale[:1]) and _fits(C, scale[1:])):
            f1, f2, C, xd, yd = (a.astype(object) for a in (f1, f2, C, xd, yd))
        wrong = f1 * f2 * (xd * yd) * scale[0] != C * scale[1]
    return zero | wrong.reshape(g, -1).any(axis=1)


def _nonzero_columns(F: np.ndarray, S: np.ndarray, atol: float | None) -> np.ndarray:
    """Which columns of ``F`` have a nonzero entry on the support ``S`` (bool per column)."""
    i, k = np.nonzero(S)
    out = np.zeros(S.shape[1], dtype=bool)
    out[k[~is_zero(np.asarray(F)[i, k], atol)]] = True
    return out


def _rectangles(v: Any) -> tuple[list, list]:
    """The rows ``I_k`` and the columns ``J_k`` of every rectangle, as int arrays."""
    s1, s2 = v.support1, v.support2
    i, k1 = np.nonzero(s1)
    by_k = np.argsort(k1, kind="stable")      # rows increasing within each column
    k2, j = np.nonzero(s2)
    r = s1.shape[1]
    return (np.split(i[by_k], np.cumsum(np.bincount(k1, minlength=r))[:-1]),
            np.split(j, np.cumsum(np.bincount(k2, minlength=r))[:-1]))


# --------------------------------------------------------------------------------------
# the certificates
# --------------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class CompletionCertificate:
    """Proof of uniqueness by rank-one completion (Zheng, Riccietti, Gribonval 2021).

    ``steps`` lists, in order, how each contribution was forced. ``margins`` (numerical mode
    only) records the absolute tolerance, the smallest ``|entry|`` used as nonzero and the
    largest rank-one residual.
    """

    steps: tuple[CompletionStep, ...]
    field: str
    margins: dict = field(default_factory=dict)

    type_name: ClassVar[str] = "completion"
    proves: ClassVar[tuple] = ("unique",)

    def __repr__(self) -> str:
        order = [int(s.k) for s in self.steps]
        head = str(order[:8])[:-1] + (", ...]" if len(order) > 8 else "]")
        return f"CompletionCertificate(n_steps={len(order)}, order={head}, field={self.field!r})"

    def verify(self, v: Any) -> bool:
        """Replay every step from ``v.A``; the factors multiply back (their contributions are
        the replayed ones, A vanishes off the rectangles), all contributions nonzero."""
        if v.factors is None:
            return False
        S1, S2 = v.factors
        s1, s2 = v.support1, v.support2
        factors = _scaled_factors(v)
        if factors is None:
            if not _product_matches(v, S1, S2):
                return False
        elif _off_support(S1, s1) or _off_support(S2, s2):
            return False
        ok, _, state = _replay(v, self.steps, full=False, factors=factors)
        if not ok or state.remaining or not state.uncovered_zero:
            return False
        if np.any(s1.any(axis=0) != s2.any(axis=1)):
            return False  # free entries next to an empty side: not unique
        if factors is not None:   # contributions compared (and nonzero) in the replay
            return True
        ks = [int(step.k) for step in self.steps]
        return bool(_nonzero_columns(S1, s1, state.atol)[ks].all()
                    and _nonzero_columns(S2.T, s2.T, state.atol)[ks].all())

    def explain_lines(self) -> list[str]:
        """The steps (the first ten) and the numerical margins."""
        lines = [f"Certificate: rank-one completion in {len(self.steps)} steps."]
        for step in self.steps[:10]:
            lines.append(
                f"  C_{step.k} on rows {step.rows.tolist()} x cols {step.cols.tolist()}: "
                f"{len(step.private)} private entries, spanning tree of {len(step.tree)} edges"
                + (f", {len(step.zero_rows)} rows and {len(step.zero_cols)} columns forced to 0"
                   if len(step.zero_rows) or len(step.zero_cols) else ""))
        if len(self.steps) > 10:
            lines.append(f"  ... {len(self.steps) - 10} more steps")
        if self.margins:
            lines.append(f"  numerical margins: {self.margins}")
        return lines

    def explain(self) -> str:
        """The certificate in words (:meth:`explain_lines` joined)."""
        return "\n".join(self.explain_lines())

    def to_dict(self) -> dict:
        """JSON-ready: the completion order, the spanning trees and the margins."""
        return {"type": self.type_name, "order": [int(s.k) for s in self.steps],
                "trees": [to_jsonable(s.tree) for s in self.steps],
                "margins": to_jsonable(self.margins), "field": self.field}


@dataclass(frozen=True, repr=False)
class AlternativeCertificate:
    """A second factorization ``(S1, S2)`` of A, inequivalent to the verdict's factors."""

    factors: tuple[np.ndarray, np.ndarray]
    explanation: str

    type_name: ClassVar[str] = "alternative_factorization"
    proves: ClassVar[tuple] = ("not_unique",)

    def __repr__(self) -> str:
        return summary_repr("AlternativeCertificate", S1=Shown(fmt_array(self.factors[0])),
                            S2=Shown(fmt_array(self.factors[1])), explanation=self.explanation)

    def verify(self, v: Any) -> bool:
        """Both factorizations multiply back to ``v.A`` and are not equivalent."""
        from ..equivalence import same_class

        if v.factors is None:
            return False
        T1, T2 = self.factors
        if not (_product_matches(v, *v.factors) and _product_matches(v, T1, T2)):
            return False
        return not same_class(v.factors, (T1, T2), tol=v.tol)

    def explain_lines(self) -> list[str]:
        """The second factorization."""
        return ["Certificate: a second, inequivalent factorization:",
                f"  S1' = {fmt_array(self.factors[0])}", f"  S2' = {fmt_array(self.factors[1])}"]

    def explain(self) -> str:
        """The certificate in words (:meth:`explain_lines` joined)."""
        return "\n".join(self.explain_lines())

    def to_dict(self) -> dict:
        """JSON-ready: the second factorization and why it exists."""
        return {"type": self.type_name, "S1": to_jsonable(self.factors[0]),
                "S2": to_jsonable(self.factors[1]), "explanation": self.explanation}


@dataclass(frozen=True, repr=False)
class Obstruction:
    """Why no factorization with the given supports exists.

    ``kind`` is one of :data:`OBSTRUCTION_KINDS` (the module docstring says what each
    means); ``data`` holds the entries / matrices involved and the completion ``steps`` that
    came before.
    """

    kind: str
    explanation: str
    data: dict = field(default_factory=dict)

    type_name: ClassVar[str] = "obstruction"
    proves: ClassVar[tuple] = ("infeasible",)

    def __post_init__(self) -> None:
        if self.kind not in OBSTRUCTION_KINDS:
            raise param_error("Obstruction", "kind", f"one of {OBSTRUCTION_KINDS}", self.kind)

    def __repr__(self) -> str:
        return summary_repr("Obstruction", kind=self.kind, explanation=self.explanation)

    def verify(self, v: Any) -> bool:
        """Re-derive the obstruction of its kind from ``v.A`` and the supports."""
        return _VERIFY_OBSTRUCTION[self.kind](self, v)

    def explain_lines(self) -> list[str]:
        """The kind of obstruction (the reason of the verdict says the rest)."""
        return [f"Certificate: obstruction of kind '{self.kind}'."]

    def explain(self) -> str:
        """The certificate in words (:meth:`explain_lines` joined)."""
        return "\n".join(self.explain_lines())

    def to_dict(self) -> dict:
        """JSON-ready: the kind and the explanation."""
        return {"type": self.type_name, "kind": self.kind, "explanation": self.explanation}


def _obstruction_uncovered(obs: Obstruction, v: Any) -> bool:
    i, j = obs.data["entry"]
    cover = coverage(v.support1, v.support2)
    R, atol = arithmetic(v.A, v.tol)
    return cover[i, j] == 0 and not is_zero(R[i:i + 1, j], atol)[0]


def _obstruction_z3(obs: Obstruction, v: Any) -> bool:
    ok, _, _, _, _ = replay_steps(v, obs.data.get("steps", ()))
    return ok and z3_real_solution(list(obs.data["equations"]),
                                   list(obs.data["unknowns"]))[0] == "unsat"


def _obstruction_groebner(obs: Obstruction, v: Any) -> bool:
    import sympy

    G = sympy.groebner(list(obs.data["equations"]), *obs.data["unknowns"], order="lex")
    ok, _, _, _, _ = replay_steps(v, obs.data.get("steps", ()))
    return ok and list(G.exprs) == [1]


def _obstruction_zero_private(obs: Obstruction, v: Any) -> bool:
    ok, _, R, cover, remaining = replay_steps(v, obs.data.get("steps", ()))
    if not ok:
        return False
    _, atol = arithmetic(v.A, v.tol)
    s1, s2 = v.support1, v.support2
    k = obs.data["k"]
    entries = [obs.data["entry"], obs.data["row_witness"], obs.data["col_witness"]]
    (i, j), (ir, jr), (ic, jc) = entries
    private = all(bool(s1[a, k] and s2[k, b]) and cover[a, b] == 1 for a, b in entries)
    return (k in remaining and private and ir == i and jc == j
            and is_zero(R[i:i + 1, j], atol)[0] and not is_zero(R[ir:ir + 1, jr], atol)[0]
            and not is_zero(R[ic:ic + 1, jc], atol)[0])


def _obstruction_inconsistent(obs: Obstruction, v: Any) -> bool:
    ok, _, R, cover, remaining = replay_steps(v, obs.data.get("steps", ()))
    if not ok:
        return False
    _, atol = arithmetic(v.A, v.tol)
    k = obs.data["k"]
    rows, cols = _rectangles(v)
    state = CompletionState(R, cover, rows, cols, atol)
    return k in remaining and try_complete(state, k)[0] == "infeasible"


def _obstruction_class_rank(obs: Obstruction, v: Any) -> bool:
    ok, _, R, cover, remaining = replay_steps(v, obs.data.get("steps", ()))
    if not ok:
        return False
    _, atol = arithmetic(v.A, v.tol)
    cls, rows, cols = obs.data["class"], obs.data["rows"], obs.data["cols"]
    block_cover = cover[np.ix_(rows, cols)]
    if not set(cls) <= remaining or np.any(block_cover != len(cls)):
        return False
    B = R[np.ix_(rows, cols)]
    if atol is None:
        rank = rank_exact(B).rank
    else:
        rank = int(np.sum(np.linalg.svd(B.astype(complex), compute_uv=False) > atol))
    return rank > len(cls)


def _obstruction_engine(obs: Obstruction, v: Any) -> bool:
    sol = obs.data["solution"]
    if not _engine_system_matches(v, obs.data.get("steps", ()), obs.data["stuck"], sol, ()):
        return False
    if obs.kind == "empty_system":
        return sol.status == "empty" and sol.verify()
    return sol.status == "finite" and sol.n_real == 0 and sol.verify()


_VERIFY_OBSTRUCTION = {
    "uncovered_entry": _obstruction_uncovered,
    "zero_private_entry": _obstruction_zero_private,
    "inconsistent_completion": _obstruction_inconsistent,
    "class_rank": _obstruction_class_rank,
    "groebner": _obstruction_groebner,
    "z3_unsat": _obstruction_z3,
    "empty_system": _obstruction_engine,
    "no_real_solution": _obstruction_engine,
}


@dataclass(frozen=True, repr=False)
class AlgebraicCertificate:
    """Exact algebraic decision: a Groebner basis of the rank-one lifting system.

    ``basis`` is the reduced lex basis (sympy expressions) of ``system`` (the lifted
    equations on the rectangles ``stuck`` after the completion steps), ``variables`` the
    unknown entries of the contributions, ``n_solutions`` the number of solutions over the
    field (``None`` for infinitely many). ``steps`` are the completion steps that came first.
    ``method="z3"``: uniqueness over R rests on z3 proving that no real solution other than
    ``point`` exists (``verify()`` asks z3 again).
    """

    basis: tuple
    variables: tuple
    n_solutions: int | None
    field: str
    system: tuple = ()
    stuck: tuple = ()
    steps: tuple = ()
    method: str = "groebner"
    point: tuple = ()

    type_name: ClassVar[str] = "groebner"
    proves: ClassVar[tuple] = ("unique",)

    def __repr__(self) -> str:
        return summary_repr("AlgebraicCertificate", field=self.field,
                            n_solutions=self.n_solutions, n_polynomials=len(self.basis),
                            n_variables=len(self.variables), method=self.method)

    def verify(self, v: Any) -> bool:
        """Replay the steps, rebuild the lifted system and its basis; for ``"unique"``, one
        solution class (or z3's proof that no other real solution exists)."""
        import sympy

        if v.factors is None or not _product_matches(v, *v.factors):
            return False
        ok, _, R, cover, remaining = replay_steps(v, self.steps)
        if not ok or remaining != set(self.stuck):
            return False
        rows, cols = _rectangles(v)
        eqs, unknowns, contrib = lifted_system(R, cover, rows, cols, list(self.stuck))
        if [sympy.expand(e) for e in eqs] != [sympy.expand(e) for e in self.system]:
            return False
        if not unknowns:  # nothing left to solve: the system must hold identically
            return all(sympy.simplify(e) == 0 for e in eqs)
        G = sympy.groebner(eqs, *unknowns, order="lex")
        if list(G.exprs) != list(self.basis):
            return False
        if v.status == "unique" and self.method == "z3":
            point = dict(self.point)
            if any(sympy.simplify(e.subs(point)) != 0 for e in eqs):
                return False
            return z3_real_solution(eqs, unknowns, avoid=point)[0] == "unsat"
        if v.status == "unique":
            if not G.is_zero_dimensional:
                return False
            sols = solution_points(list(G.exprs), unknowns, 10 ** 6)
            if self.field == "R":
                sols = [s for s in sols if all(val.is_real for val in s.values())]
            keys = {contribution_key(s, contrib, rows, cols, list(self.stuck)) for s in sols}
            return len(keys) == 1
        return True

    def explain_lines(self) -> list[str]:
        """The size of the basis, the number of solutions and the first polynomials."""
        lines = [f"Certificate: Groebner basis ({len(self.basis)} polynomials in "
                 f"{len(self.variables)} unknowns), solutions over {self.field}: "
                 f"{'infinitely many' if self.n_solutions is None else self.n_solutions}"]
        return lines + [f"  {g} = 0" for g in self.basis[:6]]

    def explain(self) -> str:
        """The certificate in words (:meth:`explain_lines` joined)."""
        return "\n".join(self.explain_lines())

    def to_dict(self) -> dict:
        """JSON-ready: the basis as strings, the number of solutions, the field."""
        return {"type": self.type_name, "basis": [str(g) for g in self.basis],
                "n_solutions": self.n_solutions, "field": self.field, "method": self.method}


@dataclass(frozen=True, repr=False)
class JacobianCertificate:
    """Local uniqueness: rank of the Jacobian of (S1, S2) -> S1 @ S2 at the factors."""

    rank: int
    n_params: int
    orbit_dim: int
    field: str

    type_name: ClassVar[str] = "jacobian"
    proves: ClassVar[tuple] = ("locally_unique",)

    def __repr__(self) -> str:
        return summary_repr("JacobianCertificate", rank=self.rank, n_params=self.n_params,
                            orbit_dim=self.orbit_dim, field=self.field)

    def verify(self, v: Any) -> bool:
        """The factors solve A (to 1e-10 relative) and the Jacobian rank is full modulo
        scaling."""
        from ..generic import local_identifiability

        S1, S2 = (np.asarray(F, dtype=float) for F in v.factors)
        A = np.asarray(exact_to_float(to_exact(v.A)) if v.A.dtype == object else v.A,
                       dtype=float)
        if np.any(S1[~v.support1] != 0) or np.any(S2[~v.support2] != 0):
            return False
        if np.abs(S1 @ S2 - A).max() > 1e-10 * max(1.0, float(np.abs(A).max())):
            return False
        res = local_identifiability([S1, S2], [v.support1, v.support2], tol=1e-8)
        return bool(res.identifiable) and res.jacobian_rank == self.rank

    def explain_lines(self) -> list[str]:
        """The rank count."""
        return [f"Certificate: Jacobian rank {self.rank} = {self.n_params} parameters - "
                f"{self.orbit_dim} scalings (local uniqueness at the factors)."]

    def explain(self) -> str:
        """The certificate in words (:meth:`explain_lines` joined)."""
        return "\n".join(self.explain_lines())

    def to_dict(self) -> dict:
        """JSON-ready: the rank count."""
        return {"type": self.type_name, "rank": self.rank, "n_params": self.n_params,
                "orbit_dim": self.orbit_dim, "field": self.field}


# --------------------------------------------------------------------------------------
# certificates of the exact polynomial engine (core.solve_system)
# --------------------------------------------------------------------------------------

def lifted_polynomials(eqs: list, unknowns: list) -> tuple:
    """The lifted equations as :func:`~identifiability.core.solve_system` stores them:
    one sorted tuple of ``(exponents, Fraction)`` per non-zero polynomial."""
    import sympy
    from fractions import Fraction

    out = []
    for e in eqs:
        terms = {m: Fraction(int(c.p), int(c.q))
                 for m, c in sympy.Poly(e, *unknowns).terms() if c}
        if terms:
            out.append(tuple(sorted(terms.items())))
    return tuple(out)


def _real_data(v: Any) -> bool:
    from ..core.exact import GaussianRational

    return not any(isinstance(x, GaussianRational) and x.im != 0 for x in to_exact(v.A).flat)


def _identical_rectangles(v: Any, stuck: tuple) -> bool:
    rows, cols = _rectangles(v)
    keys = [(tuple(rows[k]), tuple(cols[k])) for k in stuck]
    return len(set(keys)) < len(keys)


def _engine_system_matches(v: Any, steps: tuple, stuck: tuple, sol: Any, extra: tuple) -> bool:
    """Replay the steps from ``v.A``, rebuild the lifted system of ``stuck`` (plus the linear
    ``extra`` polynomials) and compare it with the system the engine solved."""
    from fractions import Fraction

    ok, _, R, cover, remaining = replay_steps(v, steps)
    if not ok or remaining != set(stuck) or v.tol is not None:
        return False
    rows, cols = _rectangles(v)
    eqs, unknowns, _ = lifted_system(R, cover, rows, cols, list(stuck))
    if not unknowns or tuple(str(u) for u in unknowns) != tuple(sol.variables):
        return False
    n = len(unknowns)
    system = list(lifted_polynomials(eqs, unknowns))
    for coeffs, value in extra:  # sum_i coeffs[i] x_i - value
        terms = {tuple(int(i == j) for j in range(n)): Fraction(c)
                 for i, c in enumerate(coeffs) if c}
        if value:
            terms[(0,) * n] = -Fraction(value)
        system.append(tuple(sorted(terms.items())))
    return tuple(system) == tuple(sol.polynomials)


def _nonzero_contributions(v: Any) -> bool:
    S1, S2 = v.factors
    s1, s2 = v.support1, v.support2
    for k in range(s1.shape[1]):
        if s1[:, k].any() != s2[k, :].any():
            return False
        if s1[:, k].any() and (not any(to_exact(S1[s1[:, k], k]) != 0)
                               or not any(to_exact(S2[k, s2[k, :]]) != 0)):
            return False
    return True


@dataclass(frozen=True, repr=False)
class SolutionCountCertificate:
    """The exact number of solutions of the lifted system left after the completion.

    ``solution`` is the :class:`~identifiability.core.SystemSolution` of the lifted system of
    the rectangles ``stuck`` (pairwise distinct rectangles: distinct solutions are then
    inequivalent factorizations) after the completion ``steps``; ``field`` is ``"R"`` (real
    data: the real solutions count) or ``"C"``. One solution: ``"unique"`` (the verdict's
    factors are that solution); two or more: ``"not_unique"``.

    ``verify()`` replays the steps, rebuilds the system from ``A`` and checks the engine's
    answer without it (:meth:`~identifiability.core.SystemSolution.verify`: every root of the
    eliminant solves the system exactly, each real box holds exactly one real solution). A
    count of two or more is then proved. A count of one also rests on the parametrization
    being complete: msolve's multi-modular answer, correct with high probability (the
    :mod:`identifiability.core.polynomial` docstring says what is and is not proved).
    """

    solution: Any
    stuck: tuple
    steps: tuple
    field: str

    type_name: ClassVar[str] = "solution_count"
    proves: ClassVar[tuple] = ("unique", "not_unique")

    @property
    def count(self) -> int | None:
        """Solutions over the field of the certificate (real ones over R)."""
        return self.solution.n_real if self.field == "R" else self.solution.n_solutions

    def __repr__(self) -> str:
        return summary_repr("SolutionCountCertificate", field=self.field, count=self.count,
                            n_complex=self.solution.n_solutions,
                            n_variables=len(self.solution.variables),
                            engine=self.solution.engine)

    def verify(self, v: Any) -> bool:
        """Rebuild the system, re-check the engine's answer, then the count for the status."""
        sol = self.solution
        if sol.status != "finite" or self.field not in ("R", "C"):
            return False
        if self.field == "R" and not _real_data(v):
            return False
        if _identical_rectangles(v, self.stuck):
            return False
        if not _engine_system_matches(v, self.steps, self.stuck, sol, ()):
            return False
        if not sol.verify():
            return False
        if v.status == "not_unique":
            return self.count is not None and self.count >= 2
        if v.status != "unique" or self.count != 1 or v.factors is None:
            return False
        return _product_matches(v, *v.factors) and _nonzero_contributions(v)

    def explain_lines(self) -> list[str]:
        """The count and how it was checked."""
        sol = self.solution
        over = "real" if self.field == "R" else "complex"
        return [f"Certificate: the lifted system of rectangles {list(self.stuck)} "
                f"({len(sol.variables)} unknowns, {len(sol.polynomials)} equations) has exactly "
                f"{self.count} {over} solution(s) ({sol.n_solutions} over C), by {sol.engine} "
                f"in {sol.seconds:.3g} s; verify() checks the parametrization exactly and the "
                "real boxes rigorously."]

    def explain(self) -> str:
        """The certificate in words (:meth:`explain_lines` joined)."""
        return "\n".join(self.explain_lines())

    def to_dict(self) -> dict:
        """JSON-ready: the counts, the engine, the field."""
        sol = self.solution
        return {"type": self.type_name, "field": self.field, "count": self.count,
                "n_complex": sol.n_solutions, "engine": sol.engine, "seconds": sol.seconds,
                "stuck": [int(k) for k in self.stuck], "n_variables": len(sol.variables)}


@dataclass(frozen=True, repr=False)
class FibreCertificate:
    """A positive-dimensional fibre: two solutions of the lifted system on two parallel slices.

    ``slices`` holds ``(forms, values, solution)`` twice: the lifted system of the rectangles
    ``stuck`` (after the completion ``steps``, pairwise distinct rectangles) plus the
    linear equations ``forms[j] . x = values[j]``, solved exactly (a finite
    :class:`~identifiability.core.SystemSolution`), with at least one solution over
    ``field`` (a certified real box over R). The two slices have the same forms and
    different values, so the two solutions differ: two inequivalent factorizations.
    ``verify()`` rebuilds both systems from ``A`` and re-checks both answers without the
    engine (exact parametrization, rigorous boxes): a complete proof.

    When two of the rectangles ``stuck`` are identical, one slice suffices: a real solution
    is a factorization, and mixing the two columns of S1 with the same support by an
    invertible 2 x 2 matrix G (and the two rows of S2 by G^-1) gives a family of
    factorizations whose contributions are not all permutations of one another.
    """

    slices: tuple
    stuck: tuple
    steps: tuple
    field: str
    local_dimension: int | None = None

    type_name: ClassVar[str] = "fibre"
    proves: ClassVar[tuple] = ("not_unique",)

    def __repr__(self) -> str:
        return summary_repr("FibreCertificate", field=self.field,
                            local_dimension=self.local_dimension, n_slices=len(self.slices),
                            n_variables=len(self.slices[0][2].variables) if self.slices else 0)

    def verify(self, v: Any) -> bool:
        """Both slices rebuilt and re-checked, each with a solution over the field."""
        if _identical_rectangles(v, self.stuck):
            if len(self.slices) < 1:
                return False
        else:
            if len(self.slices) != 2:
                return False
            (f1, c1, _), (f2, c2, _) = self.slices
            if tuple(map(tuple, f1)) != tuple(map(tuple, f2)) or tuple(c1) == tuple(c2):
                return False
        for forms, values, sol in self.slices:
            if sol.status != "finite":
                return False
            if not _engine_system_matches(v, self.steps, self.stuck, sol,
                                          tuple(zip(forms, values))):
                return False
            if self.field == "R" and not _real_data(v):
                return False
            count = sol.n_real if self.field == "R" else sol.n_solutions
            if not count or not sol.verify():
                return False
        return True

    def explain_lines(self) -> list[str]:
        """The slices and their solutions."""
        sols = [s for _, _, s in self.slices]
        d = "?" if self.local_dimension is None else self.local_dimension
        return [f"Certificate: the fibre of rectangles {list(self.stuck)} has dimension {d} at "
                f"a numerical solution; {len(self.slices[0][0])} linear slice(s) at two values "
                f"each meet it over {self.field} ({', '.join(str(s.n_real if self.field == 'R' else s.n_solutions) for s in sols)} "
                "solutions, exact parametrizations and certified boxes)."]

    def explain(self) -> str:
        """The certificate in words (:meth:`explain_lines` joined)."""
        return "\n".join(self.explain_lines())

    def to_dict(self) -> dict:
        """JSON-ready: the slices (forms and values as strings), the field."""
        return {"type": self.type_name, "field": self.field,
                "local_dimension": self.local_dimension, "stuck": [int(k) for k in self.stuck],
                "slices": [{"forms": to_jsonable(np.array(f, dtype=object)),
                            "values": [str(c) for c in c_], "n_solutions": s.n_solutions,
                            "n_real": s.n_real} for f, c_, s in self.slices]}


# --------------------------------------------------------------------------------------
# the historical entry points (``identifiability.certificates``)
# --------------------------------------------------------------------------------------

def verify_verdict(v: Any) -> bool:
    """Same as ``v.verify()`` (kept for the historical ``identifiability.certificates``)."""
    return v.verify()


def explain_verdict(v: Any) -> str:
    """Same as ``v.explain()`` (kept for the historical ``identifiability.certificates``)."""
    return v.explain()
