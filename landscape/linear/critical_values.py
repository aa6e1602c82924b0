"""Every real critical point of a small fixed-support problem, exactly: certified global values.

:func:`critical_values` enumerates **all** real critical points of
``f(S1, S2) = ||A - S1 @ S2||_F^2`` over two fixed supports (real, exact data, few unknowns)
modulo the scaling orbit, with the exact polynomial engine of
:mod:`identifiability.core.polynomial`, classifies each one from its interval-certified
Hessian modulo the orbit (minimum / saddle / maximum / degenerate), and decides whether the
infimum is attained -- only then is the smallest critical value the global value.

How (the reduction that makes it fast)
--------------------------------------
Column ``k`` of ``S1`` and row ``k`` of ``S2`` form the rank-one contribution ``a_k c_k^T`` on
the rectangle ``R_k x C_k``; the scaling ``(a_k, c_k) -> (t a_k, c_k / t)`` is the orbit. Every
orbit meets exactly one **chart** per inner index: ``a_k = c_k = 0`` (the contribution
vanishes; the point is then critical in ``(a_k, c_k)`` whatever the rest), or "the first
non-zero entry of ``a_k`` is its ``j``-th and equals 1" (the entries before it are 0, and
their gradient components are kept as equations). The gradient component of the entry fixed
to 1 follows from the others (Euler's identity of the orbit) and is dropped. Each chart is a
square-or-overdetermined system with finitely many solutions in general, solved by
:func:`~identifiability.core.polynomial.solve_system` (msolve; sympy fallback). On docs/theory.rst
C33 the 9 charts have at most 6 unknowns and take about 0.5 s together; the raw system
(8 unknowns, balancing equations) has 417 complex solutions and takes about 4 s.

Classification: the Hessian of ``f`` in all free entries is evaluated in Arb ball arithmetic
on the certified isolating box of the point; the coordinate fixed to 1 of every non-zero
contribution is deleted (what remains is a complement of the orbit's tangent space, on
which the Hessian has the inertia of the quotient), and an interval LDL^T with certified
non-zero pivots gives the inertia (Sylvester).

When is the smallest critical value the infimum? (the escape bound)
-------------------------------------------------------------------
The set of products need not be closed (C03, C33). Let ``P_t`` be a minimizing sequence of
products (bounded, since ``f >= ||A - P||^2``) with limit ``P*``. If ``P*`` is a product the
infimum is attained at a critical point. Otherwise every factorization of ``P_t`` has an
unbounded contribution; an entry covered by one rectangle only (private) is an entry of ``P``,
hence bounded, so some *shared* entry ``s = (i', j')`` carries ``|X_k[s]| -> inf`` for at least
**two** contributions ``k != l`` (their sum at ``s`` is bounded). For a rank-one ``X_k`` and a
private entry ``(i, j)`` of its rectangle with ``(i, j')`` and ``(i', j)`` private too,
``X_k[i, j] = X_k[i, j'] X_k[i', j] / X_k[s] -> 0``, so ``P*`` vanishes there and ``f(P*)`` is
at least the energy of ``A`` outside the rectangles plus its energy on these forced zeros.
The **escape bound** is the smallest such sum over shared entries and pairs of rectangles
covering them (an exact rational; ``inf`` when no entry is shared). If the smallest critical
value is below it, the infimum is attained and equals that value (proof); otherwise the
infimum is only bracketed. On C33 the escape bound is 15 -- PALM's diverging starts are at
15.45 after 20000 sweeps, still decreasing, towards limits that cost at least 15 -- and the
smallest critical value is ``27/2 - 3 sqrt(5)/2 = 10.1459``: attained. The set of products is
not closed there: ``t E_11`` plus ``[[1 - t, -3], [-3, 9 / (1 - t)]]`` on the second
rectangle tends, as ``t -> inf``, to a matrix with ``P[0, 0] = P[2, 2] = 0`` and
``P[1, 2] P[2, 1] != 0``, which is not a product; its objective tends to exactly 15.

Scope: a contribution with ``a_k = 0`` but ``c_k != 0`` (or the reverse) can be critical too
(when the residual block annihilates ``c_k``); it has the product, hence the value, of the
vanishing chart ``a_k = c_k = 0``, which represents it: every critical *value* is listed, but
the type is that of the representative (such half-vanishing points are not classified
separately). Complex data, more than two factors and inexact floats are not attempted.

What is proven: each listed point is a real critical point (its system's ``verify()``: the
rational parametrization solves the equations exactly, the boxes are certified), its value
lies in the stated ball, its type follows from certified pivots, and the escape argument
above. That no critical point is missing rests on msolve's rational parametrization being
complete (multi-modular, correct with high probability; the sympy engine is a proof).

>>> import numpy as np
>>> A = np.array([[3, 0, 1], [0, 1, -3], [1, -3, -2]])            # docs/theory.rst C33
>>> I = np.array([[1, 0], [1, 1], [0, 1]], bool)
>>> cv = critical_values(A, [I, I.T])
>>> cv.status, round(cv.global_value, 6), float(cv.escape_bound)
('certified', 10.145898, 15.0)
>>> [(round(p.value, 4), p.kind) for p in cv.points[:3]]
[(10.1459, 'minimum'), (11.0, 'minimum'), (12.3951, 'saddle')]
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import sympy

from identifiability.core import is_exact, summary_repr, to_exact
from identifiability.core.polynomial import SystemSolution, solve_system
from identifiability.core.validation import check_chain, check_int, check_real, param_error

__all__ = ["CriticalPoint", "CriticalValues", "critical_values", "escape_bound", "KINDS"]

#: The types of a critical point (modulo the scaling orbit).
KINDS = ("minimum", "saddle", "maximum", "degenerate")

_FUNC = "critical_values"
_PREC = 128


@dataclass(frozen=True, repr=False)
class CriticalPoint:
    """One real critical orbit: its value (a certified ball), type, factors and chart.

    ``value`` is the midpoint of the ball ``[value_lo, value_hi]``; ``inertia`` is
    ``(positive, negative, undecided)`` pivots of the Hessian modulo the orbit; ``factors``
    float midpoints ``(S1, S2)`` of the orbit's chart representative; ``chart`` the position
    (in ``R_k``) of the entry of ``a_k`` fixed to 1, or ``None`` for a vanishing contribution.
    """

    value: float
    value_lo: float
    value_hi: float
    kind: str
    inertia: tuple
    factors: tuple
    chart: tuple

    def __repr__(self) -> str:
        return summary_repr("CriticalPoint", value=float(f"{self.value:.10g}"), kind=self.kind,
                            inertia=self.inertia, chart=self.chart)


@dataclass(frozen=True, repr=False)
class CriticalValues:
    """The answer of :func:`critical_values`.

    ``status``: ``"certified"`` (every chart solved, the infimum is attained and equals
    ``global_value``, enclosed in ``[global_lo, global_hi]``), ``"undecided"`` (a chart timed
    out or has a continuum of solutions, or the smallest critical value is not below the
    escape bound: then ``infimum_bracket`` brackets the infimum; the ``reason`` says which)
    or ``"not attempted"`` (outside the scope: complex data, inexact floats, too many
    unknowns). ``points`` are the :class:`CriticalPoint` objects sorted by value;
    ``systems`` the :class:`~identifiability.core.polynomial.SystemSolution` of each chart
    (``None`` for the chart without unknowns); ``seconds`` the wall time.
    """

    status: str
    reason: str
    points: tuple
    systems: tuple
    charts: tuple
    escape_bound: Any
    global_value: float | None
    global_lo: float | None
    global_hi: float | None
    attained: bool | None
    infimum_bracket: tuple | None
    seconds: float
    A: Any = None
    supports: tuple = ()

    @property
    def certified(self) -> bool:
        """True when ``global_value`` is the proven infimum (attained)."""
        return self.status == "certified"

    def values(self) -> list[tuple[float, str, int]]:
        """Distinct critical values (to 10 digits) with their type and number of orbits."""
        out: dict = {}
        for p in self.points:
            key = (float(f"{p.value:.10g}"), p.kind)
            out[key] = out.get(key, 0) + 1
        return [(v, k, c) for (v, k), c in out.items()]

    def minima(self) -> tuple:
        """The critical points that are (strict, modulo scaling) local minima."""
        return tuple(p for p in self.points if p.kind == "minimum")

    def verify(self, *, time_limit: float | None = 60.0) -> bool:
        """Re-check independently of the engine: every chart system verifies (exact
        parametrization, certified boxes), every point's value and type recomputed from its
        box, the escape bound recomputed, and the attainment inequality. False when nothing
        was enumerated ("not attempted", or a chart left unsolved)."""
        if self.status == "not attempted":
            return False
        if len(self.systems) != len(self.charts) or self.charts != tuple(_charts(self.supports)):
            return False
        for chart, sol in zip(self.charts, self.systems):
            if sol is not None and not _same_system(sol, self.A, self.supports, chart):
                return False
        if not all(s is None or s.verify(time_limit=time_limit) for s in self.systems):
            return False
        again = _enumerate(self.A, self.supports, self.systems, self.charts)
        if [(p.kind, p.value_lo, p.value_hi) for p in again] != \
                [(p.kind, p.value_lo, p.value_hi) for p in self.points]:
            return False
        if escape_bound(self.A, self.supports) != self.escape_bound:
            return False
        if self.status == "certified":
            return bool(self.global_hi < self.escape_bound
                        and self.global_lo == min(p.value_lo for p in self.points))
        return True

    def __repr__(self) -> str:
        vals = self.values()
        return summary_repr("CriticalValues", status=self.status,
                            global_value=None if self.global_value is None
                            else float(f"{self.global_value:.10g}"),
                            orbits=len(self.points), values=len(vals),
                            minima=len(self.minima()),
                            escape_bound=None if self.escape_bound is None
                            else float(self.escape_bound),
                            seconds=round(self.seconds, 3))

    def _repr_html_(self) -> str:
        """A small table: every critical value, its type and number of orbits."""
        from html import escape

        rows = "".join(f"<tr><td>{v:.10g}</td><td>{escape(k)}</td><td>{c}</td></tr>"
                       for v, k, c in self.values())
        head = (f"<p><b>CriticalValues</b>: {escape(self.status)}"
                + (f", global value {self.global_value:.10g}" if self.certified else "")
                + f" ({escape(self.reason)})</p>")
        return (head + "<table><tr><th>critical value</th><th>type</th><th>orbits</th></tr>"
                + rows + "</table>")

    def explain(self) -> str:
        """What was enumerated, every critical value with its type, and what is proven."""
        if self.status == "not attempted":
            return f"Critical points not enumerated: {self.reason}."
        solved = sum(s is None or s.status in ("finite", "empty") for s in self.systems)
        lines = [f"{len(self.points)} real critical orbit(s) modulo scaling, from "
                 f"{len(self.charts)} chart(s) ({solved} solved exactly) in "
                 f"{self.seconds:.3g} s."]
        for v, k, c in self.values():
            lines.append(f"  {v:.10g}  {k}" + (f" ({c} orbits)" if c > 1 else ""))
        eb = self.escape_bound
        shown = ("inf (no shared entry: the products are closed)" if eb == float("inf")
                 else f"{eb} = {float(eb):.10g}")
        lines.append("Escape bound (objective at any limit of products with unbounded "
                     f"factors): {shown}.")
        if self.status == "certified":
            lines.append(f"Global value {self.global_value:.12g} in [{self.global_lo:.15g}, "
                         f"{self.global_hi:.15g}]: the smallest critical value is below the "
                         "escape bound, so the infimum is attained there (proof; completeness "
                         "of the enumeration rests on msolve's parametrization).")
        else:
            lines.append(f"Undecided: {self.reason}.")
        return "\n".join(lines)


# --------------------------------------------------------------------------- escape bound

def escape_bound(A: Any, supports: Sequence[Any]) -> Any:
    """Lower bound on ``||A - P||_F^2`` at every limit ``P`` of products whose factors are
    unbounded (two fixed supports; the argument is in the module docstring).

    Returns an exact ``Fraction`` for exact ``A`` (a float otherwise), or ``float('inf')``
    when no entry is covered by two rectangles (the set of products is then closed).

    >>> import numpy as np
    >>> I = np.array([[1, 0], [1, 1], [0, 1]], bool)
    >>> escape_bound(np.array([[3, 0, 1], [0, 1, -3], [1, -3, -2]]), [I, I.T])
    Fraction(15, 1)
    """
    s1, s2 = (np.asarray(s, bool) for s in supports)
    E = to_exact(A) if is_exact(A) else np.asarray(A, float)
    r = s1.shape[1]
    rects = [(np.flatnonzero(s1[:, k]), np.flatnonzero(s2[k])) for k in range(r)]
    cover = np.zeros(E.shape, int)
    for R, C in rects:
        cover[np.ix_(R, C)] += 1
    out_energy = sum((E[i, j] * E[i, j] for i, j in zip(*np.nonzero(cover == 0))), Fraction(0))

    def forced(k, s):
        R, C = rects[k]
        i0, j0 = s
        return {(i, j) for i in R for j in C if i != i0 and j != j0
                and cover[i, j] == cover[i, j0] == cover[i0, j] == 1}

    best = None
    for s in zip(*np.nonzero(cover >= 2)):
        ks = [k for k, (R, C) in enumerate(rects) if s[0] in R and s[1] in C]
        for k, l in itertools.combinations(ks, 2):
            cells = forced(k, s) | forced(l, s)
            val = sum((E[i, j] * E[i, j] for i, j in cells), Fraction(0))
            best = val if best is None else min(best, val)
    if best is None:
        return float("inf")
    return out_energy + best


# --------------------------------------------------------------------------- charts

def _charts(supports) -> list[tuple]:
    s1, s2 = supports
    r = s1.shape[1]
    choices = []
    for k in range(r):
        R, C = np.flatnonzero(s1[:, k]), np.flatnonzero(s2[k])
        choices.append([None] + (list(range(len(R))) if len(R) and len(C) else []))
    return list(itertools.product(*choices))


def _chart_system(A, supports, chart):
    """(free symbols, S1, S2 sympy matrices, equations) of one chart."""
    s1, s2 = supports
    m, r = s1.shape
    n = s2.shape[1]
    S1, S2 = sympy.zeros(m, r), sympy.zeros(r, n)
    free, zero = [], []
    for k, j in enumerate(chart):
        if j is None:
            continue
        for t, i in enumerate(np.flatnonzero(s1[:, k])):
            if t == j:
                S1[i, k] = 1
                continue
            x = sympy.Symbol(f"a{i}_{k}")
            S1[i, k] = x
            (zero if t < j else free).append(x)
        for c in np.flatnonzero(s2[k]):
            x = sympy.Symbol(f"c{k}_{c}")
            S2[k, c] = x
            free.append(x)
    M = sympy.Matrix([[sympy.Rational(int(q.numerator), int(q.denominator)) for q in row]
                      for row in A])
    f = sum((e ** 2 for e in (M - S1 * S2)), sympy.Integer(0))
    sub = {z: 0 for z in zero}
    eqs = [sympy.expand(sympy.diff(f, x) / 2).subs(sub) for x in free + zero]
    S1, S2 = S1.subs(sub), S2.subs(sub)
    return free, S1, S2, [e for e in eqs if e != 0]


def _same_system(sol: SystemSolution, A, supports, chart) -> bool:
    """Is ``sol`` the answer about this chart's critical equations (same variables, same
    polynomials)? The polynomials are compared in the engine-independent stored form."""
    free, _, _, eqs = _chart_system(A, supports, chart)
    if tuple(sol.variables) != tuple(str(x) for x in free):
        return False
    mine = set()
    for e in eqs:
        terms = sympy.Poly(e, *free).terms()
        mine.add(tuple(sorted((tuple(int(a) for a in k), Fraction(int(c.p), int(c.q)))
                              for k, c in terms if c)))
    return mine == {tuple(q) for q in sol.polynomials}


def _arb(lo: Fraction, hi: Fraction):
    import flint

    a = flint.arb(flint.fmpq(lo.numerator, lo.denominator))
    return a if lo == hi else a.union(flint.arb(flint.fmpq(hi.numerator, hi.denominator)))


def _ldl_inertia(H) -> tuple[int, int, int]:
    """Inertia ``(pos, neg, undecided)`` of a symmetric ball matrix (list of lists of arb) by
    a congruence (Sylvester): LDL^T with 1 x 1 pivots (the largest diagonal midpoint) and,
    when every diagonal ball contains 0, a 2 x 2 pivot of certified negative determinant
    (one positive, one negative eigenvalue); stops when neither is certified."""
    H = [row[:] for row in H]
    rest = list(range(len(H)))
    pos = neg = 0
    while rest:
        p = max(rest, key=lambda i: abs(float(H[i][i].mid())))
        d = H[p][p]
        if d > 0 or d < 0:
            pos, neg = pos + (d > 0), neg + (d < 0)
            rest.remove(p)
            for i in rest:
                li = H[i][p] / d
                for j in rest:
                    H[i][j] = H[i][j] - li * H[p][j]
            continue
        pairs = [(i, j) for i in rest for j in rest if i < j]
        if not pairs:
            break
        i, j = max(pairs, key=lambda ij: abs(float(H[ij[0]][ij[1]].mid())))
        det = H[i][i] * H[j][j] - H[i][j] * H[i][j]
        if not det < 0:
            break
        pos, neg = pos + 1, neg + 1
        rest = [k for k in rest if k not in (i, j)]
        a, b, c = H[j][j] / det, -H[i][j] / det, H[i][i] / det      # the inverse block
        for u in rest:
            x, y = H[u][i], H[u][j]
            for v in rest:
                H[u][v] = H[u][v] - (x * (a * H[i][v] + b * H[j][v])
                                     + y * (b * H[i][v] + c * H[j][v]))
    return pos, neg, len(rest)


def _hessian_balls(A, S1, S2, s1, s2):
    """Hessian of ||A - S1 S2||^2 in the free entries (S1 row-major, then S2), as balls."""
    R = A - S1 @ S2
    p1 = list(zip(*np.nonzero(s1)))
    p2 = list(zip(*np.nonzero(s2)))
    G = S2 @ S2.T
    K = S1.T @ S1
    n = len(p1) + len(p2)
    import flint
    H = [[flint.arb(0)] * n for _ in range(n)]
    for u, (i, k) in enumerate(p1):
        for v, (i2, k2) in enumerate(p1):
            H[u][v] = 2 * G[k, k2] if i == i2 else flint.arb(0)
        for v, (k2, j) in enumerate(p2):
            val = 2 * S1[i, k2] * S2[k, j] - (2 * R[i, j] if k == k2 else 0)
            H[u][len(p1) + v] = val
            H[len(p1) + v][u] = val
    for u, (k, j) in enumerate(p2):
        for v, (k2, j2) in enumerate(p2):
            H[len(p1) + u][len(p1) + v] = 2 * K[k, k2] if j == j2 else flint.arb(0)
    return H, p1


def _enumerate(A, supports, systems, charts) -> list[CriticalPoint]:
    """Points, values and types from the chart solutions (pure function of the boxes)."""
    import flint

    s1, s2 = supports
    old = flint.ctx.prec
    flint.ctx.prec = _PREC
    try:
        Ab = np.array([[flint.arb(flint.fmpq(q.numerator, q.denominator)) for q in row]
                       for row in A], dtype=object)
        out = []
        for chart, sol in zip(charts, systems):
            free, S1s, S2s, _ = _chart_system(A, supports, chart)
            boxes = [()] if sol is None else (sol.real_solutions or ())
            for box in boxes:
                val = {str(x): _arb(lo, hi) for x, (lo, hi) in zip(free, box)}

                def ball(e):
                    if e.is_Number:
                        return flint.arb(flint.fmpq(int(e.p), int(e.q)))
                    return val[str(e)]
                S1 = np.array([[ball(e) for e in S1s.row(i)] for i in range(S1s.rows)],
                              dtype=object)
                S2 = np.array([[ball(e) for e in S2s.row(i)] for i in range(S2s.rows)],
                              dtype=object)
                R = Ab - S1 @ S2
                f = sum((x * x for x in R.ravel()), flint.arb(0))
                H, p1 = _hessian_balls(Ab, S1, S2, s1, s2)
                drop = {p1.index((int(np.flatnonzero(s1[:, k])[j]), k))
                        for k, j in enumerate(chart) if j is not None}
                keep = [u for u in range(len(H)) if u not in drop]
                inertia = _ldl_inertia([[H[u][v] for v in keep] for u in keep])
                pos, neg, und = inertia
                kind = ("degenerate" if und else "minimum" if neg == 0 else
                        "maximum" if pos == 0 else "saddle")
                if und and neg and pos:
                    kind = "saddle"
                mid = lambda M: np.array([[float(x.mid()) for x in row] for row in M])  # noqa: E731
                out.append(CriticalPoint(float(f.mid()), float(f.lower()), float(f.upper()),
                                         kind, inertia, (mid(S1), mid(S2)), chart))
    finally:
        flint.ctx.prec = old
    out.sort(key=lambda p: (p.value, tuple(-1 if j is None else j for j in p.chart)))
    return out


# --------------------------------------------------------------------------- public API

def critical_values(A: Any, supports: Sequence[Any], *, time_limit: float | None = 60.0,
                    max_variables: int = 12) -> CriticalValues:
    """Enumerate every real critical point of ``||A - S1 S2||_F^2`` on two fixed supports,
    modulo scaling, classify them, and certify the global value when the infimum is attained.

    Parameters
    ----------
    A : (m, n) array_like
        Exact real data (integers, Fractions, floats that are exact binary rationals in the
        sense of :func:`identifiability.core.is_exact`).
    supports : pair of boolean masks ``(m, r)``, ``(r, n)``
    time_limit : float or None, keyword-only
        Seconds for each chart system (default 60); a chart that runs out (or has a
        continuum of solutions) makes the answer ``"undecided"`` and the later charts are
        not attempted.
    max_variables : int, keyword-only
        Largest number of free entries attempted (default 12): beyond, ``"not attempted"``.

    Returns
    -------
    CriticalValues
        ``status``, ``points`` (value ball, type, factors), ``global_value`` and its ball,
        ``escape_bound``, ``attained``, ``infimum_bracket``; ``explain()``, ``verify()``.
        Inputs outside the scope (complex or inexact data) give ``"not attempted"`` with the
        reason, not an exception.

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[1, 0], [1, 1]], bool)
    >>> cv = critical_values(np.array([[0, 1], [1, 0]]), [L, L.T])     # docs/theory.rst C03: LU
    >>> cv.status, cv.attained          # a continuum of critical points in one chart
    ('undecided', None)
    """
    if isinstance(supports, np.ndarray) or len(supports) != 2:
        raise param_error(_FUNC, "supports", "a pair of boolean masks (two factors)",
                          f"{len(supports)} mask(s)" if hasattr(supports, "__len__")
                          else supports, raw=True)
    M, masks = check_chain(A, list(supports), _FUNC)
    masks = tuple(np.asarray(s, bool) for s in masks)
    if time_limit is not None:
        time_limit = check_real(time_limit, "time_limit", _FUNC, low=0.0, low_open=True)
    max_variables = check_int(max_variables, "max_variables", _FUNC, low=1)
    base = dict(points=(), systems=(), charts=(), escape_bound=None, global_value=None,
                global_lo=None, global_hi=None, attained=None, infimum_bracket=None,
                seconds=0.0, supports=masks)
    n_free = int(sum(s.sum() for s in masks))
    if np.iscomplexobj(M) and np.any(np.imag(M)):
        return CriticalValues("not attempted", "complex data (the real critical equations of "
                              "a complex problem are not implemented)", **base)
    if not is_exact(np.real(M)):
        return CriticalValues("not attempted", "inexact floats: the exact enumeration needs "
                              "exact data (integers, rationals, dyadic floats)", **base)
    if n_free > max_variables:
        return CriticalValues("not attempted", f"{n_free} free entries > max_variables = "
                              f"{max_variables}", **base)
    E = to_exact(np.real(M))
    base["A"] = E
    t0 = time.perf_counter()
    charts = _charts(masks)
    systems, bad = [], []
    for chart in charts:
        free, _, _, eqs = _chart_system(E, masks, chart)
        if not free:
            systems.append(None)
            continue
        if not eqs:
            sol = solve_system([0], free, time_limit=time_limit)
        else:
            sol = solve_system(eqs, free, time_limit=time_limit)
        systems.append(sol)
        if sol.status not in ("finite", "empty"):
            bad.append(f"chart {chart}: {sol.status}")
            skipped = len(charts) - len(systems)
            if skipped:
                bad.append(f"{skipped} later chart(s) not attempted")
            break
    eb = escape_bound(E, masks)
    base.update(systems=tuple(systems), charts=tuple(charts), escape_bound=eb)
    if bad:
        base["seconds"] = time.perf_counter() - t0
        return CriticalValues("undecided", "not every chart was solved (" + "; ".join(bad)
                              + ")", **base)
    pts = _enumerate(E, masks, systems, charts)
    base["seconds"] = time.perf_counter() - t0
    lo = min(p.value_lo for p in pts)
    hi = min(p.value_hi for p in pts)
    best = min(pts, key=lambda p: p.value)
    base.update(points=tuple(pts), global_lo=lo, global_hi=hi)
    if hi < eb:
        base.update(global_value=best.value, attained=True, infimum_bracket=(lo, hi))
        return CriticalValues("certified", "the smallest critical value is below the escape "
                              "bound", **base)
    base["infimum_bracket"] = (float(min(eb, lo)), hi)
    return CriticalValues("undecided", f"the smallest critical value {best.value:.10g} is not "
                          f"below the escape bound {float(eb):.10g}: the infimum may be a limit "
                          "of diverging factors (it lies in the bracket)", **base)
