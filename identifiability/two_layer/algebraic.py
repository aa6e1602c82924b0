"""What :func:`~identifiability.check_uniqueness` does when the completion is stuck.

Two exact decisions on the remaining rectangles (residual ``R``):

* *Classes of identical rectangles, pairwise disjoint.* Each class P only sees the block
  ``R[I_P, J_P]``: a factorization exists iff its rank is at most ``|P|`` and it is never
  unique (mix two columns of the class by an invertible 2 x 2 matrix).
* *Groebner basis* (sympy) of the lifted system ``{sum_k C_k = R, every 2 x 2 minor of every
  C_k = 0}`` in the unknown entries of the contributions (entries private to one rectangle
  are substituted). Basis ``[1]``: infeasible. Finitely many solutions: counted exactly over
  C and, for real data, over R. Infinitely many: two explicit solutions are produced.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ..core.exact import GaussianRational, rank_exact, to_exact
from ..graphs import is_zero
from .certificates import (AlgebraicCertificate, FibreCertificate, Obstruction,
                           SolutionCountCertificate)
from .lifted import (CompletionState, contribution_key, lifted_system, solution_points,
                     sympy_number, z3_real_solution)

# the polynomial helpers live in .lifted (the certificates use them too) and are re-exported
# here under their historical path (identifiability.stuck)
__all__ = ["Budget", "decide_stuck", "StuckOutcome", "SYMPY_MAX_VARIABLES", "lifted_system", "sympy_number",
           "contribution_key", "solution_points", "z3_real_solution"]


@dataclass(frozen=True)
class Budget:
    """Limits of the exact algebraic step: unknowns and seconds (None: no time limit)."""

    max_variables: int
    time_limit: float | None = None


class _TimeUp(Exception):
    pass


def _within(seconds: float | None, fn: Callable) -> Any:
    """Run ``fn()``; raise :class:`_TimeUp` after ``seconds`` (SIGALRM, main thread, POSIX)."""
    import signal
    import threading

    if seconds is None or not hasattr(signal, "setitimer") or \
            threading.current_thread() is not threading.main_thread():
        return fn()

    def alarm(*_: Any) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class StuckOutcome:
    """Decision on the stuck rectangles; contributions are written into the state."""

    status: str                      # "determined", "local", "infeasible", "undecided"
    reason: str = ""
    field: str | None = None
    obstruction: Obstruction | None = None
    certificate: Any = None
    alternative: Callable | None = None
    too_large: bool = False          # the exact step was skipped or cut off (size, time)
    proves: str | None = None        # "unique" / "not_unique": what the certificate proves
    exact_point: bool = True         # the stuck contributions in the state are exact


def _from_sympy(v: Any) -> Any:
    """Fraction / GaussianRational when ``v`` is a (Gaussian) rational, else ``v`` itself."""
    import sympy

    # exact rewriting only (sympy.nsimplify guesses a "simpler" number from the floating-point
    # value and may return a different one: issue 13)
    v = sympy.radsimp(sympy.expand(v)) if not v.is_Rational else v
    re, im = v.as_real_imag()
    if re.is_Rational and im.is_Rational:
        fr = Fraction(int(re.p), int(re.q))
        return fr if im == 0 else GaussianRational(fr, Fraction(int(im.p), int(im.q)))
    return v


def _is_sympy(v: Any) -> bool:
    import sympy

    return isinstance(v, sympy.Basic)


def _rank_one_factors(C: np.ndarray, atol: float | None) -> tuple[np.ndarray, np.ndarray]:
    """x, y with C = x y^T for a rank-<=1 matrix C (pivot on the first nonzero entry)."""
    nz = ~is_zero(C, atol)
    if not nz.any():
        zero = C.flat[0] * 0
        return np.array([zero] * C.shape[0], dtype=C.dtype), np.array([zero] * C.shape[1],
                                                                      dtype=C.dtype)
    i0, j0 = np.argwhere(nz)[0]
    return C[:, j0].copy(), C[i0, :] / C[i0, j0]


def _classes(state: CompletionState, stuck: list[int]) -> list[list[int]] | None:
    """Classes of identical rectangles if they are pairwise disjoint, else None."""
    groups: dict[tuple, list[int]] = {}
    for k in stuck:
        groups.setdefault((tuple(state.rows[k]), tuple(state.cols[k])), []).append(k)
    classes = list(groups.values())
    for cls in classes:
        k = cls[0]
        block = state.cover[np.ix_(state.rows[k], state.cols[k])]
        if len(cls) < 2 or np.any(block != len(cls)):
            return None
    return classes


def _rank_factorization(B: np.ndarray, atol: float | None) -> tuple[int, np.ndarray, np.ndarray]:
    """rank and B = C @ F with C = B[:, pivots] (exact) or a truncated SVD (numerical)."""
    if atol is None:
        rank = rank_exact(B).rank
        if rank == 0:
            return 0, B[:, :0], B[:0, :]
        import sympy

        sm = sympy.Matrix([[sympy_number(v) for v in row] for row in B])
        rref, pivots = sm.rref()
        C = B[:, list(pivots)]
        F = np.array([[_from_sympy(v) for v in row] for row in rref.tolist()[:rank]], dtype=object)
        return rank, C, F
    U, s, Vh = np.linalg.svd(B.astype(complex if np.iscomplexobj(B) else float))
    rank = int(np.sum(s > atol))
    return rank, U[:, :rank] * s[:rank], Vh[:rank]


def _decide_classes(state: CompletionState, classes: list[list[int]]) -> StuckOutcome:
    ranks = []
    for cls in classes:
        k = cls[0]
        rows, cols = state.rows[k], state.cols[k]
        B = state.R[np.ix_(rows, cols)]
        rank, C, F = _rank_factorization(B, state.atol)
        if rank > len(cls):
            return StuckOutcome("infeasible", obstruction=Obstruction(
                "class_rank",
                f"indices {cls} share the rectangle rows {rows.tolist()} x cols {cols.tolist()}, "
                f"which no other remaining rectangle meets: their sum must equal the residual "
                f"block there, of rank {rank} > {len(cls)}",
                {"class": cls, "rows": rows, "cols": cols, "rank": rank}))
        ranks.append(rank)
        for t, kk in enumerate(cls):
            if t < rank:
                state.contributions[kk] = (C[:, t], F[t])
            else:
                zero = B.flat[0] * 0
                state.contributions[kk] = (np.array([zero] * len(rows), dtype=B.dtype),
                                           np.array([zero] * len(cols), dtype=B.dtype))
    cls = classes[0]
    rank0 = ranks[0]
    one = Fraction(1) if state.atol is None else 1.0

    def alternative(S1: np.ndarray, S2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        T1, T2 = S1.copy(), S2.copy()
        if rank0 < len(cls):
            l = cls[-1]                          # an unused index: x_l = y_l = 0
            T1[state.rows[l], l] = one           # x_l may be anything while y_l = 0
            return T1, T2
        k, l = cls[0], cls[1]
        T1[:, l] = S1[:, k] + S1[:, l]          # S1 @ G with G = [[1, 1], [0, 1]]
        T2[k, :] = S2[k, :] - S2[l, :]          # G^{-1} @ S2
        return T1, T2

    if rank0 < len(cls):
        reason = (f"indices {cls} share one rectangle that no other remaining rectangle meets; "
                  f"their residual block has rank {rank0} < {len(cls)}, so index {cls[-1]} "
                  "contributes zero and its column of S1 can be set freely")
    else:
        reason = (f"indices {cls} share one rectangle that no other remaining rectangle meets: "
                  "only the sum of their contributions is determined, and mixing the two "
                  "columns by G = [[1, 1], [0, 1]] gives another factorization")
    return StuckOutcome("determined", reason, alternative=alternative)


def _decide_groebner(state: CompletionState, stuck: list[int], budget: Budget) -> StuckOutcome:
    try:
        return _within(budget.time_limit, lambda: _groebner(state, stuck, budget.max_variables))
    except _TimeUp:
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck} and the "
                            f"Groebner step exceeded time_limit={budget.time_limit:g} s",
                            too_large=True)


def _groebner(state: CompletionState, stuck: list[int], max_variables: int) -> StuckOutcome:
    import sympy

    eqs, unknowns, contrib = lifted_system(state.R, state.cover, state.rows, state.cols, stuck)
    if len(unknowns) > max_variables:
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck} and the "
                            f"exact decision would need {len(unknowns)} unknowns (> max_variables="
                            f"{max_variables})", too_large=True)
    real_data = not any(isinstance(v, GaussianRational) for v in to_exact(state.R).flat)
    G = sympy.groebner(eqs, *unknowns, order="lex") if eqs and unknowns else None
    basis = list(G.exprs) if G is not None else []
    if basis == [1] or (not unknowns and any(sympy.simplify(e) != 0 for e in eqs)):
        return StuckOutcome("infeasible", obstruction=Obstruction(
            "groebner", "the reduced Groebner basis of the lifted system {sum C_k = residual, "
            "2x2 minors of C_k = 0} is [1]: no factorization exists, even over C",
            {"stuck": stuck, "equations": tuple(eqs), "unknowns": tuple(unknowns)}))
    zero_dim = G is None or G.is_zero_dimensional
    points = solution_points(basis, unknowns, 10 ** 6 if zero_dim else 6)
    if real_data:
        points = [p for p in points if all(v.is_real for v in p.values())]
    field = "R" if real_data else "C"
    if not points and real_data:  # sympy found only non-real points: ask z3 about the reals
        status, point = z3_real_solution(eqs, unknowns)
        if status == "unsat":
            return StuckOutcome("infeasible", obstruction=Obstruction(
                "z3_unsat", "the lifted system has solutions over C but z3 proves it has none "
                "over R: no real factorization exists",
                {"stuck": stuck, "equations": tuple(eqs), "unknowns": tuple(unknowns)}),
                field="R")
        points = [point] if status == "sat" else []
    if not points:
        return StuckOutcome("undecided", f"the lifted system on rectangles {stuck} has solutions "
                            f"over C but no explicit {field} solution was found (sympy.solve, z3)")

    def fill(point: dict) -> dict:
        out = {}
        for k in stuck:
            Ck = contrib[k].subs(point)
            C = np.array([[_from_sympy(v) for v in row] for row in Ck.tolist()], dtype=object)
            x, y = _rank_one_factors(C, None)
            out[k] = (np.array([_from_sympy(v) if _is_sympy(v) else v for v in x], dtype=object),
                      np.array([_from_sympy(v) if _is_sympy(v) else v for v in y], dtype=object))
        return out

    keys = [contribution_key(p, contrib, state.rows, state.cols, stuck) for p in points]
    classes = list(dict.fromkeys(keys))
    first = fill(points[0])
    state.contributions.update(first)
    n_solutions = len(classes) if zero_dim else None
    cert = AlgebraicCertificate(tuple(basis), tuple(unknowns), n_solutions, field,
                                tuple(eqs), stuck=tuple(stuck), steps=tuple(state.steps))
    if zero_dim and len(classes) == 1:
        reason = (f"the completion is stuck on rectangles {stuck}, but the Groebner basis of the "
                  f"lifted system has exactly one solution over {field} (modulo permutations of "
                  "identical rectangles)")
        return StuckOutcome("determined", reason, field, certificate=cert)
    other = next((p for p, kk in zip(points, keys) if kk != keys[0]), None)
    if other is None and real_data and all(v.is_Rational for v in points[0].values()):
        status, point = z3_real_solution(eqs, unknowns, avoid=points[0])
        if status == "unsat":
            cert = AlgebraicCertificate(tuple(basis), tuple(unknowns), 1, "R", tuple(eqs),
                                        stuck=tuple(stuck), steps=tuple(state.steps),
                                        method="z3", point=tuple(points[0].items()))
            return StuckOutcome("determined", f"the completion is stuck on rectangles {stuck}; "
                                "the lifted system has non-real solutions only besides this one: "
                                "z3 proves no other real solution exists", "R", certificate=cert)
        if status == "sat" and contribution_key(point, contrib, state.rows, state.cols,
                                                stuck) != keys[0]:
            other = point
    if other is None:
        return StuckOutcome("undecided", f"the lifted system on rectangles {stuck} has infinitely "
                            "many solutions, but the explicit ones found are all equivalent")
    second = fill(other)
    alternative = _overwrite_contributions(state, second)

    kind = "infinitely many" if not zero_dim else f"{len(points)}"
    reason = (f"the completion is stuck on rectangles {stuck}; the lifted system has {kind} "
              f"solutions over {field} (Groebner basis), two of them give different contributions")
    return StuckOutcome("determined", reason, field, certificate=cert, alternative=alternative)


#: Unknowns beyond which the sympy Groebner step is not attempted (msolve takes the larger
#: systems; sympy's Buchberger is exponential and hangs well before msolve does).
SYMPY_MAX_VARIABLES = 10


#: Seconds allowed to the exact solve of one linear slice of a fibre.
SLICE_TIME_LIMIT = 5.0


def _rational_points(sol: Any) -> list[dict]:
    """The rational solutions of a finite :class:`~identifiability.core.SystemSolution`
    (rational roots of its square-free eliminant, mapped through the parametrization)."""
    import flint

    w = flint.fmpq_poly([flint.fmpq(Fraction(c).numerator, Fraction(c).denominator)
                         for c in sol.eliminant])
    w_int = flint.fmpz_poly([int(c) for c in (w * w.denom()).coeffs()])
    roots = []
    for fac, _ in w_int.factor()[1]:
        if fac.degree() == 1:
            a, b = (Fraction(int(c)) for c in fac.coeffs())      # a + b t
            roots.append(-a / b)

    def ev(cs: Any, t: Fraction) -> Fraction:
        acc = Fraction(0)
        for c in reversed(cs):
            acc = acc * t + Fraction(c)
        return acc

    points = []
    for t in roots:
        point = {}
        for name, num, den in zip(sol.variables, sol.numerators, sol.denominators):
            d = ev(den, t)
            if d == 0:
                break
            point[name] = ev(num, t) / d
        else:
            points.append(point)
    return points


def _fill_rational(state: CompletionState, stuck: list[int], contrib: dict, point: dict) -> None:
    import sympy

    values = {sympy.Symbol(name): sympy_number(val) for name, val in point.items()}
    for k in stuck:
        Ck = contrib[k].xreplace(values)
        C = np.array([[_from_sympy(v) for v in row] for row in Ck.tolist()], dtype=object)
        state.contributions[k] = _rank_one_factors(C, None)


def _alternative_from(state: CompletionState, stuck: list[int], contrib: dict, point: dict
                      ) -> Callable:
    """The map (S1, S2) -> the factorization with the stuck contributions of ``point``."""
    saved = {k: state.contributions[k] for k in stuck}
    _fill_rational(state, stuck, contrib, point)
    second = {k: state.contributions[k] for k in stuck}
    state.contributions.update(saved)
    return _overwrite_contributions(state, second)


def _overwrite_contributions(state: CompletionState, second: dict) -> Callable:
    """The map (S1, S2) -> (S1, S2) with the contributions ``second[k] = (x_k, y_k)`` written
    into column k of S1 and row k of S2 (exact object arrays)."""
    def alternative(S1: np.ndarray, S2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        T1, T2 = S1.astype(object), S2.astype(object)
        for k, (x, y) in second.items():
            T1[state.rows[k], k] = x
            T2[k, state.cols[k]] = y
        return T1, T2

    return alternative


def _numeric_point(state: CompletionState, stuck: list[int], unknowns: list
                   ) -> np.ndarray | None:
    """A numerical solution of the lifted system (least squares on the rank-one factors)."""
    saved = dict(state.contributions)
    local = _decide_locally(state, stuck)
    values = None
    if local.status == "local":
        where = {}
        for k in stuck:
            x, y = state.contributions[k]
            for a, i in enumerate(state.rows[k]):
                for b, j in enumerate(state.cols[k]):
                    where[f"c{k}_{i}_{j}"] = float(x[a]) * float(y[b])
        values = np.array([where[str(u)] for u in unknowns])
    state.contributions.clear()
    state.contributions.update(saved)
    return values


def _jacobian(eqs: list, unknowns: list, point: np.ndarray) -> np.ndarray:
    """The Jacobian of the equations at a numerical point, shape (len(eqs), len(unknowns))."""
    import sympy

    if not eqs:
        return np.zeros((1, len(unknowns)))
    J = sympy.lambdify(unknowns, sympy.Matrix(eqs).jacobian(unknowns), "numpy")(*point)
    return np.asarray(J, dtype=float).reshape(len(eqs), len(unknowns))


def _local_dimension(eqs: list, unknowns: list, point: np.ndarray) -> int:
    """n - rank of the Jacobian of the lifted system at a numerical point (SVD, 1e-8)."""
    s = np.linalg.svd(_jacobian(eqs, unknowns, point), compute_uv=False)
    rank = int(np.sum(s > 1e-8 * max(1.0, float(s.max(initial=0.0)))))
    return len(unknowns) - rank


def _slices(eqs: list, unknowns: list, point: np.ndarray, d: int, real: bool,
            time_limit: float | None, want: int = 2, rational: bool = False) -> tuple | None:
    """Two parallel sets of d random integer linear slices near ``point``, each meeting the
    system in finitely many points, at least one over the field."""

    from ..core.polynomial import solve_system

    from scipy.linalg import qr

    rng = np.random.default_rng(0)
    n = len(unknowns)
    # a slice is a cheap finite system when it is transversal; one that is not gives up fast
    time_limit = SLICE_TIME_LIMIT if time_limit is None else min(time_limit, SLICE_TIME_LIMIT)
    null = np.linalg.svd(_jacobian(eqs, unknowns, point))[2][n - d:]   # (d, n)
    coords = qr(null, pivoting=True)[2][:d]      # d coordinates transversal to the fibre
    tries = [[tuple(int(i == c) for i in range(n)) for c in coords]]   # coordinate slices
    tries += [[tuple(int(c) for c in rng.integers(-3, 4, n)) for _ in range(d)]
              for _ in range(2)]
    for forms in tries:
        if any(not any(f) for f in forms):
            continue
        base = [Fraction(round(float(np.dot(f, point)))) for f in forms]
        found = []
        for shift in (Fraction(0), Fraction(1), Fraction(-1), Fraction(1, 16)):
            values = tuple(b + shift for b in base)
            lin = [sum(c * u for c, u in zip(f, unknowns)) - sympy_number(c0)
                   for f, c0 in zip(forms, values)]
            sol = solve_system(eqs + lin, unknowns, real=real, time_limit=time_limit)
            if sol.status != "finite":
                break
            if (sol.n_real if real else sol.n_solutions) and \
                    (not rational or _rational_points(sol)):
                found.append((tuple(forms), values, sol))
            if len(found) == want:
                return tuple(found)
    return None


def _decide_engine(state: CompletionState, stuck: list[int], budget: Budget) -> StuckOutcome:
    """The lifted system decided by the exact engine (msolve, sympy fallback).

    A numerical solution first gives the local dimension of the fibre (Jacobian rank); a
    positive one is proved by two parallel linear slices with solutions
    (:class:`FibreCertificate`); otherwise the whole system is solved and its solutions
    counted (:class:`SolutionCountCertificate`), empty (``"empty_system"``) or without real
    solutions (``"no_real_solution"``).
    """
    from ..core.polynomial import solve_system

    eqs, unknowns, contrib = lifted_system(state.R, state.cover, state.rows, state.cols, stuck)
    n = len(unknowns)
    if n == 0:      # nothing to solve: the sympy step checks the equations directly
        return _groebner(state, stuck, budget.max_variables)
    if n > budget.max_variables:
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck} and the "
                            f"exact decision would need {n} unknowns (> max_variables="
                            f"{budget.max_variables})", too_large=True)
    real = not any(isinstance(v, GaussianRational) and v.im != 0 for v in to_exact(state.R).flat)
    field = "R" if real else "C"
    steps = tuple(state.steps)
    point = _numeric_point(state, stuck, unknowns) if real else None
    dim = _local_dimension(eqs, unknowns, point) if point is not None else None
    if dim:
        sl = _slices(eqs, unknowns, point, dim, real, budget.time_limit)
        if sl is not None:
            cert = FibreCertificate(sl, tuple(stuck), steps, field, dim)
            pts = _rational_points(sl[0][2])
            reason = (f"the completion is stuck on rectangles {stuck}; the fibre of the lifted "
                      f"system ({n} unknowns) has dimension {dim} at a numerical solution, and "
                      f"two parallel slices meet it in exact {field} solutions: infinitely "
                      "many inequivalent factorizations")
            alternative = None
            if pts:
                _fill_rational(state, stuck, contrib, pts[0])
                others = _rational_points(sl[1][2])
                if others:
                    alternative = _alternative_from(state, stuck, contrib, others[0])
            return StuckOutcome("determined", reason, field, certificate=cert,
                                proves="not_unique", exact_point=bool(pts),
                                alternative=alternative)
    sol = solve_system(eqs, unknowns, real=real, time_limit=budget.time_limit)
    spent = f"{sol.engine}, {sol.seconds:.2g} s"
    if sol.status in ("timeout", "failed"):
        why = (f"exceeded time_limit={budget.time_limit:g} s" if sol.status == "timeout"
               else f"failed: {sol.message}")
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck}; the "
                            f"exact engine on the lifted system ({n} unknowns, {spent}) {why}",
                            too_large=True)
    data = {"stuck": tuple(stuck), "solution": sol}
    if sol.status == "empty":
        return StuckOutcome("infeasible", obstruction=Obstruction(
            "empty_system", f"the lifted system of rectangles {stuck} ({n} unknowns) has no "
            f"solution, even over C ({spent}): no factorization exists", data), field="C")
    if sol.status == "positive_dimensional":
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck}; the "
                            f"lifted system ({n} unknowns) has infinitely many complex "
                            f"solutions ({spent}) but no two {field} solutions were certified "
                            "on slices", too_large=True)
    count = sol.n_real if real else sol.n_solutions
    if count == 0:
        return StuckOutcome("infeasible", obstruction=Obstruction(
            "no_real_solution", f"the lifted system of rectangles {stuck} has {sol.n_solutions} "
            f"complex solutions and no real one ({spent}): no real factorization exists", data),
            field="R")
    cert = SolutionCountCertificate(sol, tuple(stuck), steps, field)
    pts = [p for p in _rational_points(sol)]
    if count == 1:
        if not pts:
            return StuckOutcome("undecided", f"the lifted system of rectangles {stuck} has one "
                                f"{field} solution ({spent}), not rational: its factors are not "
                                "written out", too_large=True)
        _fill_rational(state, stuck, contrib, pts[0])
        return StuckOutcome("determined", f"the completion is stuck on rectangles {stuck}, but "
                            f"the lifted system ({n} unknowns) has exactly one {field} solution "
                            f"({sol.n_solutions} over C; {spent})", field, certificate=cert,
                            proves="unique", exact_point=True)
    alternative = None
    if pts:
        _fill_rational(state, stuck, contrib, pts[0])
        if len(pts) > 1:
            alternative = _alternative_from(state, stuck, contrib, pts[1])
    return StuckOutcome("determined", f"the completion is stuck on rectangles {stuck}; the lifted "
                        f"system ({n} unknowns) has exactly {count} {field} solutions "
                        f"({sol.n_solutions} over C; {spent}): inequivalent factorizations",
                        field, certificate=cert, proves="not_unique", exact_point=bool(pts),
                        alternative=alternative)


def _decide_identical(state: CompletionState, stuck: list[int], pair: tuple[int, int],
                      budget: Budget) -> StuckOutcome:
    """Two stuck rectangles are identical: any factorization gives infinitely many (mix the
    two columns of S1 by G, the two rows of S2 by G^-1). Find one exact (rational) solution
    of the lifted system on a linear slice of its fibre, then mix."""
    eqs, unknowns, contrib = lifted_system(state.R, state.cover, state.rows, state.cols, stuck)
    n = len(unknowns)
    real = not any(isinstance(v, GaussianRational) and v.im != 0 for v in to_exact(state.R).flat)
    if n == 0 or n > budget.max_variables or not real:
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck} "
                            f"(identical rectangles {list(pair)}) and the exact step was not "
                            f"attempted ({n} unknowns, max_variables={budget.max_variables}"
                            f"{'' if real else ', complex data'})", too_large=True)
    point = _numeric_point(state, stuck, unknowns)
    dim = _local_dimension(eqs, unknowns, point) if point is not None else 0
    found = _slices(eqs, unknowns, point, dim, True, budget.time_limit, want=1) if dim else None
    if found is not None and not _rational_points(found[0][2]):
        # an irrational real solution: enough with identical rectangles
        if found is not None:
            cert = FibreCertificate(found, tuple(stuck), tuple(state.steps), "R", dim)
            return StuckOutcome("determined", f"the completion is stuck on rectangles {stuck}; "
                                f"a linear slice of the fibre ({n} unknowns) meets it in a "
                                f"certified real solution, and rectangles {pair[0]} and "
                                f"{pair[1]} are identical: mixing their columns by any "
                                "invertible 2 x 2 matrix gives infinitely many factorizations",
                                "R", certificate=cert, proves="not_unique", exact_point=False)
    if found is None:
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck} "
                            f"(identical rectangles {list(pair)}); no exact "
                            "factorization was found on a slice of the fibre", too_large=True)
    _fill_rational(state, stuck, contrib, _rational_points(found[0][2])[0])
    k, l = pair

    def alternative(S1: np.ndarray, S2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        T1, T2 = S1.astype(object), S2.astype(object)
        T1[:, l] = S1[:, k] + S1[:, l]          # S1 @ G with G = [[1, 1], [0, 1]]
        T2[k, :] = S2[k, :] - S2[l, :]          # G^{-1} @ S2
        return T1, T2

    return StuckOutcome("determined", f"the completion is stuck on rectangles {stuck}; an exact "
                        f"factorization was found on a slice of the fibre ({n} unknowns), and "
                        f"rectangles {k} and {l} are identical: mixing the two columns by "
                        "G = [[1, 1], [0, 1]] gives another factorization", "R",
                        alternative=alternative)


def _identical_pair(state: CompletionState, stuck: list[int]) -> tuple[int, int] | None:
    seen: dict = {}
    for k in stuck:
        key = (tuple(state.rows[k]), tuple(state.cols[k]))
        if key in seen:
            return seen[key], k
        seen[key] = k
    return None


def _engine_applies(state: CompletionState, stuck: list[int]) -> bool:
    """msolve present, and the stuck rectangles pairwise distinct (distinct solutions of the
    lifted system are then inequivalent factorizations)."""
    from ..core.msolve import find_msolve

    keys = [(tuple(state.rows[k]), tuple(state.cols[k])) for k in stuck]
    return find_msolve() is not None and len(set(keys)) == len(keys)


def decide_stuck(state: CompletionState, stuck: list[int], method: str, budget: Budget) -> StuckOutcome:
    """Decide the stuck rectangles (see the module docstring).

    ``method`` is that of :func:`~identifiability.check_uniqueness`: ``"completion"`` never
    runs the Groebner step, ``"groebner"`` goes to it directly.
    """
    classes = _classes(state, stuck) if method != "groebner" else None
    if classes is not None:
        return _decide_classes(state, classes)
    if method == "completion":
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck} and "
                            "method='completion' skips the exact (Groebner) decision")
    if state.atol is None:
        from ..core.msolve import find_msolve

        first = _decide_submersion(state, stuck)
        if first is not None:
            return first
        pair = _identical_pair(state, stuck)
        if _engine_applies(state, stuck):
            outcome = _decide_engine(state, stuck, budget)
        elif pair is not None and find_msolve() is not None:
            outcome = _decide_identical(state, stuck, pair, budget)
            if outcome.too_large:
                small = replace(budget, max_variables=min(budget.max_variables,
                                                          SYMPY_MAX_VARIABLES))
                second = _decide_groebner(state, stuck, small)
                outcome = second if not second.too_large else outcome
        else:
            small = replace(budget, max_variables=min(budget.max_variables, SYMPY_MAX_VARIABLES))
            outcome = _decide_groebner(state, stuck, small)
        if not outcome.too_large:
            return outcome
    local = _decide_locally(state, stuck)
    if state.atol is None:  # say why the exact step did not decide
        local = replace(local, reason=outcome.reason + "; " + local.reason)
    return local


#: Unknown factor entries of the stuck rectangles from which a certified submersion point
#: (:mod:`.submersion`) is tried before the exact engine: below, the engine's slices give
#: explicit rational alternatives quickly; above, its systems (one unknown per entry of
#: every contribution, 100 to 450 of them at m = n = r = 8) are out of its reach.
SUBMERSION_FIRST = 40


def _decide_submersion(state: CompletionState, stuck: list[int]) -> StuckOutcome | None:
    """Not unique by a certified submersion point, when the dimension count allows it and
    the data are real; None when it does not apply or the certification fails."""
    from .submersion import certify_submersion, submersion_count

    N, E, s = submersion_count(state.rows, state.cols, stuck, state.R.shape)
    if N < SUBMERSION_FIRST or N - E <= s:
        return None
    cert = certify_submersion(state.R, state.rows, state.cols, stuck, tuple(state.steps))
    if cert is None:
        return None
    reason = (f"the completion is stuck on rectangles {stuck}; their {N} unknown factor entries "
              f"meet {E} equations, and a real factorization certified in a box (Krawczyk's "
              f"test, exact arithmetic) has a Jacobian of full rank {E}: the fibre is a "
              f"manifold of dimension {N - E} > {s} (the rescalings), so infinitely many "
              "inequivalent factorizations exist")
    return StuckOutcome("determined", reason, "R", certificate=cert, proves="not_unique",
                        exact_point=False)


def _decide_locally(state: CompletionState, stuck: list[int], n_starts: int = 12) -> StuckOutcome:
    """Find a factorization of the stuck part numerically, then run the Jacobian test there.

    Success proves only *local* uniqueness at a numerically computed point (status
    ``"local"`` -> verdict ``"locally_unique"``); real data only. The point comes from
    :func:`.submersion.numerical_zero` (minimum-norm Levenberg-Marquardt steps on the
    factor entries of the stuck rectangles).
    """
    from .submersion import numerical_zero, stuck_layout

    R = np.asarray(state.R)
    R = np.array([complex(v) for v in R.flat]).reshape(R.shape) if R.dtype == object else R
    if np.iscomplexobj(R) and np.abs(R.imag).max() > 0:
        return StuckOutcome("undecided", "the local (Jacobian) fallback handles real data only")
    R = R.real.astype(np.float64)
    lay = stuck_layout(state.rows, state.cols, stuck, R.shape)
    r = R[tuple(lay.entries.T)]
    scale = max(1.0, float(np.abs(R).max()))
    theta = numerical_zero(lay, r, np.random.default_rng(0), n_starts=n_starts)
    if theta is None:
        return StuckOutcome("undecided", f"the completion is stuck on rectangles {stuck} and "
                            f"no numerical factorization was found for the Jacobian test "
                            f"({n_starts} starts)")
    err = float(np.abs(lay.residual(theta, r)).max(initial=0.0))
    pos = 0
    for k in stuck:
        p, q = len(state.rows[k]), len(state.cols[k])
        state.contributions[k] = (theta[pos:pos + p], theta[pos + p:pos + p + q])
        pos += p + q
    return StuckOutcome("local", f"the completion is stuck on rectangles {stuck}; at a "
                        f"numerically computed factorization (residual {err:.1e}, scale "
                        f"{scale:.3g})", "numerical")
