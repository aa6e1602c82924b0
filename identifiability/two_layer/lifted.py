"""The rank-one lifting that the decision and the verification share.

``A = sum_k C_k`` with ``C_k = S1[:, k] S2[k, :]`` rank one on the rectangle ``I_k x J_k``.
This module holds what both :func:`~identifiability.two_layer.check_uniqueness` (the
decision) and the certificates (the independent re-check) need, so that neither imports the
other:

* the completion state and one completion step (:class:`CompletionState`,
  :func:`try_complete`, :func:`record_step`, the :class:`CompletionStep` record);
* the lifted polynomial system of the rectangles left after the completion
  (:func:`lifted_system`), its explicit solutions (:func:`solution_points`), the class of a
  solution modulo scaling and permutations (:func:`contribution_key`) and the real-solution
  oracle (:func:`z3_real_solution`);
* :func:`to_jsonable`, the one conversion of exact and complex numbers to JSON.

>>> import numpy as np
>>> R = np.array([[1, 2], [2, 4]])
>>> state = CompletionState.start(R, np.ones((2, 1), bool), np.ones((1, 2), bool), None)
>>> kind, (step, x, y) = try_complete(state, 0)
>>> kind, [str(v) for v in np.outer(x, y).flat]
('determined', ['1', '2', '2', '4'])
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from fractions import Fraction
from typing import Any

import numpy as np

from ..core.display import summary_repr
from ..core.exact import GaussianRational, to_exact
from ..graphs import coverage, is_zero, propagate, spanning_tree_edges

__all__ = ["CompletionStep", "CompletionState", "try_complete", "record_step", "arithmetic",
           "sympy_number", "lifted_system", "contribution_key", "solution_points",
           "z3_real_solution", "to_jsonable", "Shown", "exact_canonical"]


class Shown(str):
    """Text shown as is (no quotes) in a :func:`~identifiability.core.display.summary_repr`
    field: a class name, a small array printed by ``fmt_array``."""

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True, repr=False)
class CompletionStep:
    """One step of the rank-one completion argument.

    Attributes
    ----------
    k : int
        Inner index whose contribution ``C_k = S1[:, k] S2[k, :]`` is determined here.
    rows, cols : ndarray of int
        The rectangle ``I_k x J_k``.
    private : ndarray of shape (p, 2)
        Entries of the rectangle covered by no other not-yet-determined rectangle: there
        ``C_k`` equals the residual ``A - sum of the contributions determined before``.
    tree : ndarray of shape (t, 2)
        Edges (i, j) of a spanning tree of the nonzero private entries, seen as a bipartite
        graph on rows and columns: its connectivity fixes ``C_k`` up to nothing (the scale of
        ``x`` and ``y`` cancels in ``C_k``).
    zero_rows, zero_cols : ndarray of shape (z, 2)
        Private entries (i, j) with residual 0 that force a row i (resp. a column j) of the
        rectangle to vanish in ``C_k`` because the other end of the edge is nonzero.
    """

    k: int
    rows: np.ndarray
    cols: np.ndarray
    private: np.ndarray
    tree: np.ndarray
    zero_rows: np.ndarray
    zero_cols: np.ndarray

    def __repr__(self) -> str:
        return summary_repr("CompletionStep", k=int(self.k), rectangle=(len(self.rows),
                            len(self.cols)), n_private=len(self.private),
                            n_tree=len(self.tree), n_zero_rows=len(self.zero_rows),
                            n_zero_cols=len(self.zero_cols))

    def to_dict(self) -> dict:
        """JSON-ready: the index, the rectangle and the witnesses as lists."""
        return {"k": int(self.k), "rows": to_jsonable(self.rows), "cols": to_jsonable(self.cols),
                "private": to_jsonable(self.private), "tree": to_jsonable(self.tree),
                "zero_rows": to_jsonable(self.zero_rows),
                "zero_cols": to_jsonable(self.zero_cols)}


@dataclass
class CompletionState:
    """Mutable working state of the rank-one completion.

    ``R`` is the residual ``A - sum of the determined contributions``, ``cover[i, j]`` the
    number of not-yet-determined rectangles covering ``(i, j)``, ``rows[k]``/``cols[k]`` the
    rectangle of ``k``, ``atol`` the absolute zero tolerance (``None``: exact arithmetic).
    """

    R: np.ndarray
    cover: np.ndarray
    rows: list
    cols: list
    atol: float | None
    contributions: dict = dc_field(default_factory=dict)   # k -> (x, y) on (rows[k], cols[k])
    steps: list = dc_field(default_factory=list)           # CompletionStep in order
    float_ok: bool = False   # exact mode: contributions are exact float64 values
    margins: dict = dc_field(default_factory=dict)         # numerical mode: what it rests on

    @classmethod
    def start(cls, R: np.ndarray, support1: np.ndarray, support2: np.ndarray,
              atol: float | None, **kw: Any) -> "CompletionState":
        """The state before any step: residual ``R``, rectangles of the supports."""
        r = support1.shape[1]
        return cls(R, coverage(support1, support2), [np.flatnonzero(support1[:, k])
                                                      for k in range(r)],
                   [np.flatnonzero(support2[k, :]) for k in range(r)], atol, **kw)


def arithmetic(A: np.ndarray, tol: float | None) -> tuple[np.ndarray, float | None]:
    """The residual array of a decision on ``A`` and its absolute tolerance.

    ``tol=None``: exact numbers (:func:`~identifiability.core.exact.to_exact`) and ``None``;
    else a float/complex copy and ``tol * max|A|``.
    """
    if tol is None:
        return to_exact(A), None
    R = A.astype(np.complex128 if A.dtype.kind == "c" else np.float64)
    return R.copy(), tol * float(np.abs(R).max())


def _zero_like(exact: bool, dtype: Any) -> Any:
    return Fraction(0) if exact else np.zeros((), dtype=dtype)[()]


def try_complete(state: CompletionState, k: int) -> tuple[str, Any]:
    """Try to determine ``C_k`` from its private entries.

    Returns ``("stuck", None)``, ``("determined", (step, x, y))`` or
    ``("infeasible", (kind, explanation, data))`` (the parts of an obstruction).
    """
    rows, cols = state.rows[k], state.cols[k]
    p, q = len(rows), len(cols)
    sub = state.R[np.ix_(rows, cols)]
    private = state.cover[np.ix_(rows, cols)] == 1
    if not private.any():
        return "stuck", None
    zero = is_zero(sub, state.atol)
    nz_edges = np.argwhere(private & ~zero)
    zero_edges = np.argwhere(private & zero)
    nonzero_vertex = np.zeros(p + q, dtype=bool)
    nonzero_vertex[nz_edges[:, 0]] = True
    nonzero_vertex[p + nz_edges[:, 1]] = True
    clash = nonzero_vertex[zero_edges[:, 0]] & nonzero_vertex[p + zero_edges[:, 1]]
    if clash.any():
        i, j = zero_edges[np.flatnonzero(clash)[0]]
        gi, gj = int(rows[i]), int(cols[j])
        j2 = int(cols[nz_edges[nz_edges[:, 0] == i][0, 1]])
        i2 = int(rows[nz_edges[nz_edges[:, 1] == j][0, 0]])
        return "infeasible", (
            "zero_private_entry",
            f"entry ({gi}, {gj}) is private to rectangle {k} with residual 0, but row {gi} of "
            f"C_{k} is nonzero (residual at ({gi}, {j2})) and column {gj} is nonzero (residual at "
            f"({i2}, {gj})): a rank-one C_{k} cannot vanish there",
            {"k": k, "entry": (gi, gj), "row_witness": (gi, j2), "col_witness": (i2, gj)})
    if len(nz_edges) == 0:
        if private.all():  # the whole rectangle is private and zero: C_k = 0 is forced
            step = CompletionStep(k, rows, cols, np.argwhere(private), np.zeros((0, 2), int),
                                  np.zeros((0, 2), int), np.zeros((0, 2), int))
            z = _zero_like(state.atol is None, sub.dtype)
            return "determined", (step, np.array([z] * p, dtype=sub.dtype),
                                  np.array([z] * q, dtype=sub.dtype))
        return "stuck", None
    # every vertex outside the nonzero component must be forced to zero by a private edge
    zero_rows = zero_edges[nonzero_vertex[p + zero_edges[:, 1]] & ~nonzero_vertex[zero_edges[:, 0]]]
    zero_cols = zero_edges[nonzero_vertex[zero_edges[:, 0]] & ~nonzero_vertex[p + zero_edges[:, 1]]]
    forced = nonzero_vertex.copy()
    forced[zero_rows[:, 0]] = True
    forced[p + zero_cols[:, 1]] = True
    if not forced.all():
        return "stuck", None
    root = int(np.flatnonzero(nonzero_vertex)[0])
    order, tree = spanning_tree_edges(nz_edges, p, q, root)
    reached = np.zeros(p + q, dtype=bool)
    reached[order] = True
    if (nonzero_vertex & ~reached).any():   # the nonzero private entries are not connected
        return "stuck", None
    x, y = propagate(sub, tree, p, q, root, state.atol is None)
    resid = np.outer(x, y) - sub
    bad = ~is_zero(resid[private], state.atol)
    if state.atol is not None and not bad.any():     # numerical: what the decision rests on
        state.margins["max_consistency_residual"] = max(
            state.margins.get("max_consistency_residual", 0.0),
            float(np.abs(resid[private]).max(initial=0.0)))
    if bad.any():
        i, j = np.argwhere(private)[np.flatnonzero(bad)[0]]
        return "infeasible", (
            "inconsistent_completion",
            f"the private entries of rectangle {k} force C_{k} by rank-one completion, but the "
            f"completed value at ({int(rows[i])}, {int(cols[j])}) differs from the residual there",
            {"k": k, "entry": (int(rows[i]), int(cols[j])), "tree": tree})
    # keep one row/column witness per forced-zero vertex
    _, first_r = np.unique(zero_rows[:, 0], return_index=True)
    _, first_c = np.unique(zero_cols[:, 1], return_index=True)
    step = CompletionStep(k, rows, cols, np.argwhere(private), tree, zero_rows[first_r],
                          zero_cols[first_c])
    return "determined", (step, x, y)


def record_step(state: CompletionState, k: int, step: CompletionStep, x: np.ndarray,
                y: np.ndarray) -> None:
    """Subtract the determined ``C_k = x y^T`` from the residual and log the step."""
    rows, cols = state.rows[k], state.cols[k]
    state.R[np.ix_(rows, cols)] = state.R[np.ix_(rows, cols)] - np.outer(x, y)
    state.cover[np.ix_(rows, cols)] -= 1
    state.contributions[k] = (x, y)
    state.steps.append(step)


def to_jsonable(x: Any) -> Any:
    """Exact numbers as strings (``"3/2"``), floats as floats, complex as ``{"re", "im"}``,
    arrays and tuples as nested lists.

    >>> from fractions import Fraction
    >>> to_jsonable(np.array([[Fraction(3, 2), 1]], dtype=object)), to_jsonable(1j)
    ([['3/2', 1]], {'re': 0.0, 'im': 1.0})
    """
    if isinstance(x, np.ndarray):
        return [to_jsonable(v) for v in x.tolist()]
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if x is None or isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    if isinstance(x, (complex, np.complexfloating)):
        return {"re": float(x.real), "im": float(x.imag)}
    return str(x)


def sympy_number(v: Any) -> Any:
    """sympy number for a Fraction / GaussianRational / int."""
    import sympy

    if isinstance(v, GaussianRational):
        return sympy.Rational(v.re.numerator, v.re.denominator) + \
            sympy.I * sympy.Rational(v.im.numerator, v.im.denominator)
    v = Fraction(v)
    return sympy.Rational(v.numerator, v.denominator)


def lifted_system(R: np.ndarray, cover: np.ndarray, rows: list, cols: list, stuck: list[int]
                  ) -> tuple[list, list, dict]:
    """Equations, unknowns and the symbolic contributions of the stuck rectangles.

    Entries covered by a single stuck rectangle are constants (the residual); the others
    are unknowns tied by the sum equations. Every 2 x 2 minor of every contribution vanishes.
    """
    import sympy

    unknowns, contrib = [], {}
    for k in stuck:
        Ck = sympy.zeros(len(rows[k]), len(cols[k]))
        for a, i in enumerate(rows[k]):
            for b, j in enumerate(cols[k]):
                if cover[i, j] == 1:
                    Ck[a, b] = sympy_number(R[i, j])
                else:
                    v = sympy.Symbol(f"c{k}_{i}_{j}")
                    unknowns.append(v)
                    Ck[a, b] = v
        contrib[k] = Ck
    eqs = []
    sums: dict[tuple[int, int], Any] = {}
    for k in stuck:
        for a, i in enumerate(rows[k]):
            for b, j in enumerate(cols[k]):
                if cover[i, j] > 1:
                    sums[(i, j)] = sums.get((i, j), 0) + contrib[k][a, b]
    eqs += [total - sympy_number(R[i, j]) for (i, j), total in sums.items()]
    for k in stuck:
        Ck = contrib[k]
        for a in range(Ck.rows):
            for a2 in range(a + 1, Ck.rows):
                for b in range(Ck.cols):
                    for b2 in range(b + 1, Ck.cols):
                        minor = sympy.expand(Ck[a, b] * Ck[a2, b2] - Ck[a, b2] * Ck[a2, b])
                        if minor != 0:
                            eqs.append(minor)
    return eqs, unknowns, contrib


def contribution_key(point: dict, contrib: dict, rows: list, cols: list, stuck: list) -> tuple:
    """Multiset of (rectangle, contribution) of a solution of the lifted system.

    Two solutions have the same key iff their factorizations are equivalent (scaling and
    permutations of identical rectangles preserve exactly this multiset).
    """
    return tuple(sorted((tuple(rows[k]), tuple(cols[k]),
                         str(contrib[k].subs(point).applyfunc(exact_canonical).tolist()))
                        for k in stuck))


def exact_canonical(v: Any) -> Any:
    """An exact normal form of an algebraic number given by radicals (a sympy expression).

    Expanded with rationalized denominators (``sympy.radsimp``): an exact rewriting, never a
    guess (``sympy.nsimplify`` replaces a number by a "simple" one close to its float value,
    which may be a different number: issue 13).

    >>> import sympy
    >>> exact_canonical(1 / (1 + sympy.sqrt(2)))
    -1 + sqrt(2)
    """
    import sympy

    v = sympy.sympify(v)
    return v if v.is_Rational else sympy.expand(sympy.radsimp(sympy.expand(v)))


def solution_points(basis: list, unknowns: list, n_wanted: int) -> list[dict]:
    """Up to ``n_wanted`` explicit solutions (free parameters set to small integers)."""
    import sympy

    sols = sympy.solve(basis, unknowns, dict=True) if unknowns else [{}]
    points: list[dict] = []
    for sol in sols:
        free = [u for u in unknowns if u not in sol]
        free += sorted({s for v in sol.values() for s in v.free_symbols} - set(free), key=str)
        for shift in range(4):
            values = {u: sympy.Integer(shift + t + 1) for t, u in enumerate(free)}
            try:
                point = {u: sympy.simplify(sol.get(u, u).subs(values)) for u in unknowns}
            except ZeroDivisionError:  # pragma: no cover - a degenerate parameter value
                continue
            if any(v.has(sympy.zoo, sympy.nan) for v in point.values()):
                continue
            if point not in points:
                points.append(point)
            if len(points) >= n_wanted or not free:
                break
        if len(points) >= n_wanted:
            break
    return points


def z3_real_solution(eqs: list, unknowns: list, avoid: dict | None = None,
                     timeout_ms: int = 20_000) -> tuple[str, dict | None]:
    """Ask z3 (nonlinear real arithmetic) for a real solution of ``eqs``, different from
    ``avoid`` when given (its values must be rational).

    Returns ``("unsat", None)`` (a proof that none exists), ``("sat", point)`` with a
    rational point, ``("sat_irrational", None)`` or ``("unknown", None)`` (z3 missing or gave
    up). z3 is the optional ``exact`` extra.
    """
    try:
        import z3
    except ImportError:
        return "unknown", None
    import sympy

    zv = {u: z3.Real(str(u)) for u in unknowns}
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    for e in eqs:
        poly = sympy.Poly(e, *unknowns)
        term_sum = 0
        for monom, coeff in poly.terms():
            term = z3.RealVal(str(sympy.Rational(coeff)))
            for u, d in zip(unknowns, monom):
                for _ in range(d):
                    term = term * zv[u]
            term_sum = term_sum + term
        solver.add(term_sum == 0)
    if avoid is not None:
        solver.add(z3.Or([zv[u] != z3.RealVal(str(avoid[u])) for u in unknowns]))
    answer = solver.check()
    if answer == z3.unsat:
        return "unsat", None
    if answer != z3.sat:
        return "unknown", None
    model = solver.model()
    point = {}
    for u in unknowns:
        val = model.eval(zv[u], model_completion=True)
        if not z3.is_rational_value(val):
            return "sat_irrational", None
        point[u] = sympy.Rational(val.numerator_as_long(), val.denominator_as_long())
    return "sat", point


