"""Uniqueness of a two-layer factorization ``A = S1 @ S2`` with fixed supports.

:func:`check_uniqueness` decides whether every pair ``(S1, S2)`` with
``supp(S1) within support1``, ``supp(S2) within support2`` and ``S1 @ S2 = A`` is
``(S1 D P, P^T D^{-1} S2)`` for one of them (D invertible diagonal, P a permutation of
inner indices with identical rectangles), and returns a :class:`~identifiability.two_layer.Verdict`
with a certificate.

Method (cheap to expensive; Zheng, Riccietti & Gribonval 2021; docs/theory.rst B7):

1. *Lifting.* ``A = sum_k C_k`` with ``C_k = S1[:, k] S2[k, :]`` rank one and supported in the
   rectangle ``I_k x J_k``. The factors are unique modulo scaling iff the contributions are
   unique and all nonzero.
2. *Completion.* An entry covered by a single not-yet-determined rectangle is *private*:
   there ``C_k`` equals the residual. When the nonzero private entries of ``k`` form a
   connected bipartite graph (spanning the rectangle, up to rows/columns forced to zero),
   ``C_k`` is determined; subtract it and repeat. Pairwise disjoint rectangles are handled
   in one vectorised pass (the first level of a butterfly is decided in O(mn)).
3. *Stuck.* When the remaining rectangles form pairwise disjoint classes of identical
   rectangles, each class is a plain low-rank factorization problem: never unique.
   Otherwise, for small instances, a Groebner basis (sympy) of the lifted system
   ``{sum C_k = residual, 2x2 minors of C_k = 0}`` decides exactly (``method="auto"`` or ``"groebner"``).
4. Anything else is ``"undecided"`` with the reason.

Exactness (the one policy, :mod:`identifiability.core.policy`): exact input (integers,
``Fraction``, dyadic floats, see :mod:`identifiability.core.numbers`) without ``tol`` is
decided in exact arithmetic; with ``tol``, or for inexact floats (``0.1``) at the default
``DEFAULT_RTOL`` relative to ``max|A|``, the decision is numerical: the verdict says so
(``exact=False``, ``tol``, ``tol_source``, ``explain()``) and the certificate records the
numerical margins. At the default tolerance a completion verdict stands only when its margins
clear it by a factor ``SEPARATION`` (entries used as nonzero above ``SEPARATION * atol``,
residuals taken as zero below ``atol / SEPARATION``, no entry of A within that factor of
``atol``); otherwise the answer is ``"undecided"`` with the reason.

Examples
--------
>>> import numpy as np
>>> from identifiability import check_uniqueness
>>> A = np.array([[1, 3, 0], [2, 6, 0], [0, 0, 2]])
>>> S = np.array([[1, 0], [1, 0], [0, 1]], bool)
>>> v = check_uniqueness(A, S, S.T)
>>> v.status, v.verify()
('unique', True)
>>> check_uniqueness(np.eye(2), np.ones((2, 2)), np.ones((2, 2))).status
'not_unique'
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..core.exact import GaussianRational, dyadic_integer_scaling, simplify_exact, to_exact
from ..core.policy import DEFAULT_RTOL, decision_tolerance
from ..core.validation import check_chain, check_choice, check_int, check_real
from ..graphs import coverage, is_zero
from .algebraic import Budget, decide_stuck
from .certificates import (AlternativeCertificate, CompletionCertificate, CompletionStep,
                           JacobianCertificate, Obstruction)
from .lifted import CompletionState, record_step, try_complete
from .verdict import Verdict

__all__ = ["check_uniqueness"]

_FUNC = "check_uniqueness"


def _peel(state: CompletionState, active: list[int]) -> tuple[list[int], Obstruction | None]:
    """Completion with a work list; returns the stuck indices and an obstruction if any."""
    remaining = set(active)
    if not active:
        return [], None
    s1 = np.zeros((state.R.shape[0], len(state.rows)), dtype=bool)
    s2 = np.zeros((len(state.rows), state.R.shape[1]), dtype=bool)
    for k in active:
        s1[state.rows[k], k] = True
        s2[k, state.cols[k]] = True
    overlap = (coverage(s1.T, s1) > 0) & (coverage(s2, s2.T) > 0)
    queue = list(active)
    queued = set(active)
    while queue:
        k = queue.pop(0)
        queued.discard(k)
        if k not in remaining:
            continue
        kind, payload = try_complete(state, k)
        if kind == "infeasible":
            return sorted(remaining), Obstruction(*payload)
        if kind == "determined":
            record_step(state, k, *payload)
            remaining.discard(k)
            for nb in np.flatnonzero(overlap[k]):
                if nb in remaining and nb not in queued:
                    queue.append(int(nb))
                    queued.add(int(nb))
    return sorted(remaining), None


def _peel_disjoint(state: CompletionState, active: list[int], M: np.ndarray | None = None, e: int = 0
                   ) -> Obstruction | None:
    """Vectorised completion when the rectangles are pairwise disjoint.

    Every rectangle is then entirely private: ``C_k`` equals A on it and must be rank one.
    Blocks of the same shape are tested together, pivoting on one entry per block:
    exactly with int64 cross-multiplication when ``A = M / 2**e`` (``M`` given), else
    numerically (pivot = largest entry, residual of the rank-one fit <= atol).
    """
    exact = M is not None
    atol = 0.0 if exact else state.atol
    src = M if exact else state.R
    groups: dict[tuple[int, int], list[int]] = {}
    for k in active:
        groups.setdefault((len(state.rows[k]), len(state.cols[k])), []).append(k)
    worst = 0.0
    for (p, q), ks in groups.items():
        g = len(ks)
        rows = np.array([state.rows[k] for k in ks])
        cols = np.array([state.cols[k] for k in ks])
        B = src[rows[:, :, None], cols[:, None, :]]                     # (g, p, q)
        absB = np.abs(B).reshape(g, -1)
        has = absB.max(axis=1) > atol
        piv = np.argmax(absB > 0, axis=1) if exact else np.argmax(absB, axis=1)
        i0, j0 = piv // q, piv % q
        gi = np.arange(g)
        pv = B[gi, i0, j0]
        colv, rowv = B[gi, :, j0], B[gi, i0, :]                          # (g, p), (g, q)
        if exact:
            ok = (B * pv[:, None, None] == colv[:, :, None] * rowv[:, None, :]).reshape(g, -1)
        else:
            safe = np.where(has, pv, 1)
            err = np.abs(B - colv[:, :, None] * (rowv / safe[:, None])[:, None, :]).reshape(g, -1)
            err[~has] = 0
            worst = max(worst, float(err.max(initial=0.0)))
            ok = err <= atol
        bad = ~ok.all(axis=1) & has
        if bad.any():
            t = int(np.flatnonzero(bad)[0])
            flat = int(np.flatnonzero(~ok[t])[0])
            k = ks[t]
            return Obstruction(
                "inconsistent_completion",
                f"rectangle {k} covers its entries alone, so C_{k} equals A there, but that "
                f"block is not rank one (2x2 minor through ({int(rows[t, i0[t]])}, "
                f"{int(cols[t, j0[t]])}) and ({int(rows[t, flat // q])}, {int(cols[t, flat % q])}))",
                {"k": k, "entry": (int(rows[t, flat // q]), int(cols[t, flat % q]))})
        nz_col = np.abs(colv) > atol
        nz_row = np.abs(rowv) > atol
        if exact:
            X = colv.astype(np.float64) / 2.0 ** e
            divisible = np.all(rowv % np.where(has, pv, 1)[:, None] == 0, axis=1)
            Y = (rowv // np.where(has, pv, 1)[:, None]).astype(np.float64)
        else:
            X = np.where(nz_col, colv, 0)
            Y = np.where(nz_row, rowv / np.where(has, pv, 1)[:, None], 0)
            divisible = np.ones(g, dtype=bool)
        X[~has] = 0
        Y[~has] = 0
        private = np.argwhere(np.ones((p, q), dtype=bool))
        empty = np.zeros((0, 2), dtype=np.int64)
        all_rows, all_cols = np.arange(p), np.arange(q)
        for t, k in enumerate(ks):
            y = Y[t]
            if exact and not divisible[t]:
                state.float_ok = False
                y = np.array([Fraction(int(v), int(pv[t])) for v in rowv[t]], dtype=object)
            if has[t]:
                r_nz, c_nz = all_rows[nz_col[t]], all_cols[nz_row[t]]
                r_nz = r_nz[r_nz != i0[t]]
                tree = np.concatenate([np.column_stack([np.full(len(c_nz), i0[t]), c_nz]),
                                       np.column_stack([r_nz, np.full(len(r_nz), j0[t])])])
                zr = all_rows[~nz_col[t]]
                zc = all_cols[~nz_row[t]]
                step = CompletionStep(k, state.rows[k], state.cols[k], private, tree,
                                      np.column_stack([zr, np.full(len(zr), j0[t])]),
                                      np.column_stack([np.full(len(zc), i0[t]), zc]))
            else:
                step = CompletionStep(k, state.rows[k], state.cols[k], private, empty, empty, empty)
            state.contributions[k] = (X[t], y)
            state.steps.append(step)
        state.cover[rows[:, :, None], cols[:, None, :]] -= 1
        state.R[rows[:, :, None], cols[:, None, :]] = 0
    state.margins["max_rank_one_residual"] = worst
    return None


def _factors_from(state: CompletionState, m: int, n: int, r: int, dtype: Any
                  ) -> tuple[np.ndarray, np.ndarray]:
    if dtype == object:
        S1 = np.full((m, r), Fraction(0), dtype=object)
        S2 = np.full((r, n), Fraction(0), dtype=object)
    else:
        S1 = np.zeros((m, r), dtype=dtype)
        S2 = np.zeros((r, n), dtype=dtype)
    for k, (x, y) in state.contributions.items():
        S1[state.rows[k], k] = x
        S2[k, state.cols[k]] = y
    return S1, S2


def _free_index_alternative(S1: np.ndarray, S2: np.ndarray, k: int, side: int,
                            support1: np.ndarray, support2: np.ndarray
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Set to 1 the entries of index k whose partner side has an empty support (free)."""
    T1, T2 = S1.copy(), S2.copy()
    one = Fraction(1) if S1.dtype == object else 1
    if side == 1:
        T1[support1[:, k], k] = one
    else:
        T2[k, support2[k, :]] = one
    return T1, T2


def check_uniqueness(A: Any, support1: Any, support2: Any, *, tol: float | None = None,
                     method: str = "auto", max_variables: int = 120,
                     time_limit: float | None = 30.0) -> Verdict:
    """Decide whether ``A = S1 @ S2`` with the given supports is unique up to scaling.

    Parameters
    ----------
    A : array (m, n)
        Real or complex; integer, exactly-representable float, ``Fraction`` or float with
        ``tol``.
    support1 : bool array (m, r)
    support2 : bool array (r, n)
    tol : float, optional
        Decision tolerance: entries with ``|a| <= tol * max|A|`` count as zero and
        rank-one consistency is checked to that absolute accuracy. ``None`` (default): exact
        arithmetic on exact input; inexact floats are decided numerically at
        ``tol = DEFAULT_RTOL`` (``1e-9``), and the verdict says so (``exact=False``,
        ``tol_source="default"``).
    method : {"auto", "completion", "groebner"}
        ``"auto"``: completion first, then the exact decisions on what is left: classes of
        identical rectangles, then the lifted polynomial system decided by the exact engine
        (:func:`~identifiability.core.solve_system`: msolve, sympy fallback) when at most
        ``max_variables`` unknowns remain. ``"completion"``: no polynomial step (stuck cases
        are "undecided"). ``"groebner"``: skip the completion and decide the whole lifted
        system (small instances; a cross-check).
    max_variables : int
        Size limit of the polynomial step (default 120: msolve decides most lifted systems of
        random 8 x 8 instances in about a second; beyond ~110 unknowns it mostly runs into
        ``time_limit``; its cost is exponential in the worst case). Without msolve the sympy
        Groebner step is used, capped at ``SYMPY_MAX_VARIABLES`` = 10 unknowns.
    time_limit : float or None
        Seconds allowed to each exact engine call (msolve runs in a subprocess killed at the
        limit; the sympy Groebner step uses SIGALRM in the main thread on POSIX; ``None``: no
        limit). When it runs out the verdict falls back to the Jacobian test, and the reason
        says so.

    Returns
    -------
    Verdict
        ``status`` in {"unique", "not_unique", "infeasible", "locally_unique", "undecided"},
        with ``reason``, ``certificate``, ``factors`` and ``verify()`` / ``explain()``.
    """
    A, (s1, s2) = check_chain(A, [support1, support2], _FUNC, names=["support1", "support2"],
                              allow_object=True)
    policy = decision_tolerance(tol, A, func=_FUNC)
    method = check_choice(method, "method", _FUNC, ("auto", "completion", "groebner"))
    max_variables = check_int(max_variables, "max_variables", _FUNC, low=0)
    if time_limit is not None:
        time_limit = check_real(time_limit, "time_limit", _FUNC, low=0.0, low_open=True)
    budget = Budget(max_variables, time_limit)
    m, n = A.shape
    r = s1.shape[1]
    # the relative tolerance of this decision (None: exact); the policy's default for
    # inexact floats is DEFAULT_RTOL relative to max|A|
    tol = None if policy.exact else (DEFAULT_RTOL if policy.source == "default" else policy.tol)
    keep = dict(A=A, support1=s1, support2=s2, tol=tol, tol_source=policy.source)

    rows = [np.flatnonzero(s1[:, k]) for k in range(r)]
    cols = [np.flatnonzero(s2[k, :]) for k in range(r)]
    active = [k for k in range(r) if len(rows[k]) and len(cols[k])]
    half = [(k, 1 if len(rows[k]) else 2) for k in range(r)
            if bool(len(rows[k])) != bool(len(cols[k]))]
    cover = coverage(s1, s2)
    disjoint = cover.max(initial=0) <= 1

    fast = dyadic_integer_scaling(A) if tol is None and disjoint else None
    if tol is not None:
        R = A.astype(np.complex128 if A.dtype.kind == "c" else np.float64).copy()
        atol = tol * float(np.abs(R).max())
        field = f"numerical (tol={tol:g}" + (", default)" if policy.source == "default" else ")")
    elif fast is not None:
        R, atol, field = A.astype(np.float64), None, "Q"
    else:
        R, atol = to_exact(A), None
        field = "Q(i)" if any(isinstance(v, GaussianRational) for v in R.flat) else "Q"

    nonzero = (fast[0] != 0) if fast is not None else ~is_zero(R, atol)
    uncovered = (cover == 0) & nonzero
    if uncovered.any():
        i, j = np.argwhere(uncovered)[0]
        obstruction = Obstruction("uncovered_entry",
                                  f"A[{i}, {j}] is nonzero but no rank-one support I_k x J_k "
                                  "covers it", {"entry": (int(i), int(j))})
        margins = {} if atol is None else {"atol": atol}
        return Verdict("infeasible", obstruction.explanation, obstruction, None, field,
                       margins=margins, **keep)
    state = CompletionState(R, cover.copy(), rows, cols, atol, float_ok=fast is not None)
    if method == "groebner":
        if atol is not None:
            why = "tol was given" if policy.source == "given" else "the input is inexact"
            return Verdict("undecided", f"method='groebner' needs exact data ({why})", None,
                           None, field, **keep)
        stuck, obstruction = list(active), None
    elif disjoint and (fast is not None or atol is not None):
        M, e = fast if fast is not None else (None, 0)
        stuck, obstruction = [], _peel_disjoint(state, active, M, e)
    else:
        stuck, obstruction = _peel(state, active)
    return _conclude(state, stuck, obstruction, half, m, n, r, field, keep, method, budget)


def _conclude(state: CompletionState, stuck: list[int], obstruction: Obstruction | None,
              half: list[tuple[int, int]], m: int, n: int, r: int, field: str, keep: dict,
              method: str, budget: Any) -> Verdict:

    exact = state.atol is None
    if not exact:   # what a numerical decision rests on, recorded in every verdict
        keep = {**keep, "margins": {**_margins(state, keep), **state.margins}}
    if obstruction is not None:
        obstruction.data["steps"] = tuple(state.steps)
        return Verdict("infeasible", obstruction.explanation, obstruction, None, field, **keep)
    float_factors = exact and state.float_ok
    dtype = state.R.dtype if not exact else object
    extra = None
    if stuck:
        outcome = decide_stuck(state, stuck, method, budget)
        if outcome.status == "infeasible":
            outcome.obstruction.data["steps"] = tuple(state.steps)
            return Verdict("infeasible", outcome.obstruction.explanation, outcome.obstruction,
                           None, outcome.field or field, **keep)
        if outcome.status == "undecided":
            return Verdict("undecided", outcome.reason, None, None, field, **keep)
        if outcome.status == "local":
            return _local_verdict(state, outcome, m, n, r, keep)
        extra = outcome
        field = outcome.field or field
    S1, S2 = _factors_from(state, m, n, r, np.float64 if float_factors else dtype)
    S1, S2 = simplify_exact(S1), simplify_exact(S2)
    factors = (S1, S2)
    # 1. free entries next to an empty partner side
    if half:
        k, side = half[0]
        T = _free_index_alternative(S1, S2, k, side, keep["support1"], keep["support2"])
        what = "column of S1" if side == 1 else "row of S2"
        return _not_unique(factors, T, f"the {what} of index {k} multiplies an empty support: "
                           "its entries can be set freely", field, keep)
    # 2. the exact engine's count or fibre certificate
    if extra is not None and extra.proves == "not_unique" and extra.alternative is None:
        return Verdict("not_unique", extra.reason, extra.certificate,
                       factors if extra.exact_point else None, field, **keep)
    # 3. classes of identical rectangles (decided by the stuck step) or zero contributions
    if extra is not None and extra.alternative is not None:
        return _not_unique(factors, extra.alternative(S1, S2), extra.reason, field, keep)
    zero_k = [k for k, (x, y) in state.contributions.items()
              if is_zero(np.asarray(x), state.atol).all() or is_zero(np.asarray(y), state.atol).all()]
    if zero_k:
        k = zero_k[0]
        rows, cols = state.rows[k], state.cols[k]
        T1, T2 = S1.copy(), S2.copy()
        one = Fraction(1) if T2.dtype == object else 1
        T1[rows, k] = 0 * one
        T2[k, cols] = one
        return _not_unique(factors, (T1, T2), f"the contribution of index {k} is forced to be zero, "
                           f"so S1[:, {k}] = 0 and S2[{k}, :] can be anything on its support",
                           field, keep)
    if extra is not None:
        return Verdict("unique", extra.reason, extra.certificate, factors, field, **keep)
    margins = keep.get("margins", {})
    if keep["tol_source"] == "default":
        unclear = _unseparated(margins)
        if unclear:
            return Verdict("undecided", f"at the default tolerance the margins do not separate "
                           f"zero from nonzero ({unclear}): pass tol= to decide at a tolerance "
                           "of your choice", None, None, field, **keep)
    cert = CompletionCertificate(tuple(state.steps), field, margins)
    reason = (f"the rank-one completion determines all {len(state.steps)} contributions, all "
              "nonzero")
    if state.atol is not None:
        reason += (f" (numerically, tol={keep['tol']:g}"
                   + (", the default for inexact input" if keep["tol_source"] == "default" else "")
                   + "; margins in the certificate)")
    return Verdict("unique", reason, cert, factors, field, **keep)


#: A default-tolerance decision stands only when its margins clear ``atol`` by this factor:
#: every entry used as nonzero above ``SEPARATION * atol``, every residual taken as zero
#: below ``atol / SEPARATION``.
SEPARATION = 10.0


def _unseparated(margins: dict) -> str:
    """Why the margins of a numerical completion do not clear its tolerance ("" if they do)."""
    atol = margins.get("atol") or 0.0
    pivot = margins.get("smallest_pivot_entry", float("nan"))
    resid = max(margins.get("max_rank_one_residual", 0.0),
                margins.get("max_consistency_residual", 0.0))
    why = []
    if margins.get("n_entries_near_atol"):
        why.append(f"{margins['n_entries_near_atol']} entries of A are within a factor "
                   f"{SEPARATION:g} of atol = {atol:.3g}")
    if pivot == pivot and pivot <= SEPARATION * atol:
        why.append(f"an entry {pivot:.3g} used as nonzero is within {SEPARATION:g} x atol = "
                   f"{SEPARATION * atol:.3g}")
    if resid * SEPARATION >= atol and resid > 0:
        why.append(f"a residual {resid:.3g} taken as zero is within atol / {SEPARATION:g}")
    return "; ".join(why)


def _margins(state: CompletionState, keep: dict) -> dict:
    A = keep["A"]
    smallest = min((float(np.min(np.abs(A[np.asarray(s.rows)[s.tree[:, 0]],
                                          np.asarray(s.cols)[s.tree[:, 1]]])))
                    for s in state.steps if len(s.tree)), default=float("nan"))
    size = np.abs(np.asarray(A, dtype=complex if A.dtype == object else A.dtype))
    near = int(np.count_nonzero((size > state.atol / SEPARATION) & (size <= SEPARATION * state.atol)))
    return {"atol": state.atol, "smallest_pivot_entry": smallest, "n_entries_near_atol": near}


def _local_verdict(state: CompletionState, outcome: Any, m: int, n: int, r: int, keep: dict) -> Verdict:
    """Jacobian test at the numerically completed factorization."""
    from ..generic import local_identifiability

    S1, S2 = _factors_from(state, m, n, r, object)
    S1 = np.array([complex(v).real for v in S1.flat]).reshape(S1.shape)
    S2 = np.array([complex(v).real for v in S2.flat]).reshape(S2.shape)
    res = local_identifiability([S1, S2], [keep["support1"], keep["support2"]], tol=1e-8)
    if res.identifiable:
        cert = JacobianCertificate(res.jacobian_rank, res.n_params, res.orbit_dim, res.field)
        reason = (outcome.reason + f", the Jacobian has rank {res.jacobian_rank} = "
                  f"{res.n_params} parameters - {res.orbit_dim} scalings: locally unique there; "
                  "global uniqueness is not decided")
        return Verdict("locally_unique", reason, cert, (S1, S2), "numerical (Jacobian)", **keep)
    reason = (outcome.reason + f", the Jacobian has rank {res.jacobian_rank} < "
              f"{res.expected_rank}: a tangent direction beyond scaling, which suggests but does "
              "not prove non-uniqueness")
    return Verdict("undecided", reason, None, None, "none", **keep)


def _not_unique(factors: tuple, alternative: tuple, reason: str, field: str, keep: dict) -> Verdict:
    cert = AlternativeCertificate((simplify_exact(alternative[0]), simplify_exact(alternative[1])),
                                  reason)
    return Verdict("not_unique", reason, cert, factors, field, **keep)
