"""Polynomial conditions on A for existence and uniqueness of ``A = S1 @ S2`` (fixed supports).

:func:`uniqueness_conditions` works with a symbolic matrix ``A = (a_ij)`` and returns

* ``closure_equations`` -- the implicit equations of the Zariski closure of the set of
  products ``{S1 @ S2 : supp within the masks}``, by elimination: a lex Groebner basis of
  ``{a_ij - (S1 S2)_ij}`` with the factor variables first (one entry per column of ``S1``
  fixed to 1, which removes the scaling and keeps the closure). Necessary for existence.
  An elimination ideal (polynomials in the entries ``a_ij``), hence a sympy lex basis: the
  exact engine :func:`identifiability.core.solve_system` decides numeric systems (emptiness,
  dimension, solutions), not elimination with parameters.
* ``unique_if`` -- a condition under which an exact factorization exists *and* is unique
  modulo scaling, from the rank-one completion argument (docs/theory.rst A3, B7) run on symbols:
  a rectangle ``I_k x J_k`` whose private entries form a connected bipartite graph is
  completed along a spanning tree rooted at some row or column; the completion divides by
  the tree entries below internal nodes (pivots, required nonzero), non-tree private
  entries give consistency equations, and the contribution must be nonzero. The
  condition is the disjunction of these branches over completion orders and roots.
* ``exists`` -- the existence condition.

Both are exact (necessary and sufficient, over any field of characteristic 0) for two
families: pairwise disjoint rectangles (butterfly splits; docs/theory.rst A3/A5: "each block rank
one and nonzero") and patterns with a duplicated rectangle or a one-sided inner index
(never unique). Otherwise ``unique_if`` is sufficient (``exact_uniqueness=False``), and
``exists`` is the closure condition, necessary only (``exact_existence=False``): the set of
products need not be closed (LU pattern, docs/theory.rst C03).

Examples
--------
>>> import numpy as np
>>> from identifiability.symbolic import uniqueness_conditions
>>> Lo = np.array([[1, 0], [1, 1]], bool)
>>> cond = uniqueness_conditions(Lo, Lo.T)   # A = L U
>>> cond.unique_if
Ne(a00, 0) & Ne(a00*a11 - a01*a10, 0)
>>> cond.check([[2, 1], [1, 0]]).unique, cond.check([[0, 1], [1, 0]]).unique
(True, None)
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import combinations
from typing import Any

import numpy as np
import sympy

from .core.display import summary_repr
from .core.exact import GaussianRational, to_exact
from .core.policy import decision_tolerance
from .core.validation import as_matrix, as_support, check_int, param_error
from .generic import orbit_dim
from .supports import equivalence_classes

__all__ = ["UniquenessConditions", "ConditionCheck", "uniqueness_conditions"]

_FUNC = "uniqueness_conditions"


@dataclass(frozen=True, repr=False)
class ConditionCheck:
    """Conditions evaluated on one matrix: True / False / None (not decided by them).

    ``exact`` (exact evaluation), ``tol`` (the absolute tolerance under which an expression
    counted as zero; None when exact) and ``tol_source`` (``"exact input"``, ``"given"`` or
    ``"default"``) say how; they are not compared by ``==``.
    """

    exists: bool | None
    unique: bool | None
    exact: bool = field(default=True, compare=False)
    tol: float | None = field(default=None, compare=False)
    tol_source: str = field(default="exact input", compare=False)

    def __repr__(self) -> str:
        extra = {} if self.exact else {"exact": False, "tol": self.tol}
        return summary_repr("ConditionCheck", exists=self.exists, unique=self.unique, **extra)


@dataclass(frozen=True, repr=False)
class UniquenessConditions:
    """Conditions on ``A = (a_ij)`` for an exact, unique (modulo scaling) factorization.

    Attributes
    ----------
    symbols : sympy.Matrix
        The m x n matrix of symbols ``a_ij``.
    exists : sympy boolean
        Existence condition (exact iff ``exact_existence``; otherwise necessary: A lies in
        the Zariski closure of the products).
    closure_equations : tuple of sympy expressions
        Polynomials vanishing on every product (``p(a) = 0``), or ``None`` when the
        elimination was skipped (too many variables).
    unique_if : sympy boolean
        Sufficient condition for "exists and unique modulo scaling"; necessary too when
        ``exact_uniqueness``.
    exact_existence, exact_uniqueness : bool
    method : str
        ``"disjoint rectangles"``, ``"never unique"`` or ``"completion + Groebner"``.
    reason : str
    """

    symbols: sympy.Matrix
    exists: Any
    closure_equations: tuple | None
    unique_if: Any
    exact_existence: bool
    exact_uniqueness: bool
    method: str
    reason: str

    def __repr__(self) -> str:
        n_eq = None if self.closure_equations is None else len(self.closure_equations)
        return summary_repr("UniquenessConditions", shape=tuple(self.symbols.shape),
                            method=self.method, exact_existence=self.exact_existence,
                            exact_uniqueness=self.exact_uniqueness, closure_equations=n_eq,
                            unique_if=_short(self.unique_if))

    def _repr_html_(self) -> str:
        rows = [("exists" + ("" if self.exact_existence else " (necessary)"), self.exists),
                ("unique " + ("iff" if self.exact_uniqueness else "if (sufficient)"),
                 self.unique_if),
                ("closure equations", "skipped (too many variables)"
                 if self.closure_equations is None else
                 ", ".join(map(str, self.closure_equations)) or "none"),
                ("method", self.method), ("reason", self.reason)]
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td>{html.escape(str(v))}</td></tr>" for k, v in rows)
        m, n = self.symbols.shape
        return (f"<table><caption>Conditions on the {m} x {n} matrix A = (a_ij)</caption>"
                f"{body}</table>")

    def latex(self) -> str:
        """LaTeX of the two conditions."""
        return (r"\text{exists: } " + sympy.latex(self.exists) + r" \qquad "
                r"\text{unique if: } " + sympy.latex(self.unique_if))

    def check(self, A: Any, *, tol: float | None = None) -> ConditionCheck:
        """Evaluate the conditions on a numeric matrix ``A``.

        The exactness policy (:mod:`identifiability.core.policy`): exact entries without
        ``tol`` are evaluated exactly; otherwise an expression counts as zero when its
        absolute value is ``<= tol``, with ``tol`` defaulting on inexact floats to
        ``DEFAULT_RTOL * max(1, max|A|)`` (reported: ``exact=False``, ``tol``,
        ``tol_source="default"``). An answer the conditions do not settle (non-exact
        families) is None.

        >>> Lo = np.array([[1, 0], [1, 1]], bool)
        >>> uniqueness_conditions(Lo, Lo.T).check([[0.2, 0.1], [0.1, 0.3]])
        ConditionCheck(exists=True, unique=True, exact=False, tol=1e-09)
        """
        func = "UniquenessConditions.check"
        A = as_matrix(A, "A", func, allow_object=True)
        if A.shape != self.symbols.shape:
            raise param_error(func, "A", f"a matrix of shape {self.symbols.shape}",
                              f"shape {A.shape}", raw=True)
        policy = decision_tolerance(tol, A, func=func)
        record = dict(exact=policy.exact, tol=policy.tol, tol_source=policy.source)
        if policy.exact:
            subs = _exact_substitution(self.symbols, to_exact(A))
        else:
            subs = {s: sympy.Float(complex(v).real) + sympy.I * sympy.Float(complex(v).imag)
                    for s, v in zip(self.symbols, np.asarray(A).ravel())}
        zero = policy.tol
        unique = _evaluate(self.unique_if, subs, zero)
        exists = _evaluate(self.exists, subs, zero)
        if unique:
            return ConditionCheck(True, True, **record)
        if self.exact_existence or not exists:
            exists_out = exists
        else:
            exists_out = None
        if self.exact_uniqueness or exists_out is False:
            return ConditionCheck(exists_out, False, **record)
        return ConditionCheck(exists_out, None, **record)

    def explain(self) -> str:
        """A readable account of the conditions and of how exact they are."""
        lines = [f"Conditions on A = (a_ij) for A = S1 @ S2 with these supports ({self.method}):",
                 f"  exists{'' if self.exact_existence else ' (necessary: A in the closure)'}: "
                 f"{self.exists}",
                 f"  exists and unique modulo scaling "
                 f"{'iff' if self.exact_uniqueness else 'if (sufficient)'}: {self.unique_if}",
                 f"  {self.reason}"]
        return "\n".join(lines)


def _short(cond: Any, limit: int = 60) -> str:
    text = str(cond)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _exact_substitution(symbols: sympy.Matrix, E: np.ndarray) -> dict:
    def conv(x: Any) -> Any:
        if isinstance(x, GaussianRational):
            return sympy.Rational(x.re.numerator, x.re.denominator) + \
                sympy.I * sympy.Rational(x.im.numerator, x.im.denominator)
        return sympy.Rational(Fraction(x).numerator, Fraction(x).denominator)
    return {s: conv(v) for s, v in zip(symbols, E.ravel())}


def _evaluate(cond: Any, subs: dict, zero: float | None) -> bool:
    """Truth value of a boolean combination of Eq/Ne(poly, 0) at ``subs``."""
    if cond in (sympy.true, sympy.false):
        return bool(cond)
    if isinstance(cond, (sympy.Eq, sympy.Ne)):
        val = sympy.expand(cond.lhs.subs(subs) - cond.rhs.subs(subs))
        is_zero = val == 0 if zero is None else abs(complex(val)) <= zero
        return is_zero if isinstance(cond, sympy.Eq) else not is_zero
    if isinstance(cond, sympy.And):
        return all(_evaluate(c, subs, zero) for c in cond.args)
    if isinstance(cond, sympy.Or):
        return any(_evaluate(c, subs, zero) for c in cond.args)
    raise TypeError(f"unexpected condition {cond!r}")  # pragma: no cover


# --------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _factors(expr: Any) -> tuple | None:
    """Non-constant irreducible factors of the numerator of ``expr``; None when it is 0."""
    num = sympy.numer(sympy.together(expr))
    if num == 0:
        return None
    return tuple(f for f, _ in sympy.factor_list(num)[1] if not f.is_number)


def _nonzero(expr: Any, known: set) -> Any:
    """``expr != 0`` as a conjunction over the factors of its numerator (``known`` dropped)."""
    factors = _factors(expr)
    if factors is None:
        return sympy.false
    return sympy.And(*[sympy.Ne(f, 0) for f in factors if f not in known])


def _zero(expr: Any, known: set) -> Any:
    """``expr == 0`` given that the polynomials in ``known`` are nonzero."""
    factors = _factors(expr)
    if factors is None:
        return sympy.true
    return sympy.Or(*[sympy.Eq(f, 0) for f in factors if f not in known])


def _pivot_polys(cond: Any) -> set:
    return {c.lhs for c in (cond.args if isinstance(cond, sympy.And) else [cond])
            if isinstance(c, sympy.Ne)}


def _closure_equations(s1: np.ndarray, s2: np.ndarray, symbols: sympy.Matrix,
                       max_variables: int) -> tuple | None:
    """Implicit equations of the closure of the products (lex Groebner elimination).

    The generators of the elimination ideal ``(a - X Y) ∩ Q[a]`` (factor unknowns first in
    the lex order): polynomials in the symbols ``a_ij``, which only an elimination order
    gives. :func:`~identifiability.core.solve_system` does not fit here (it decides
    emptiness / dimension / solutions of a numeric system, not an elimination ideal), so
    this is sympy's ``groebner(..., order="lex")``, kept small by ``max_variables``.
    """
    m, r = s1.shape
    n = s2.shape[1]
    X = sympy.zeros(m, r)
    Y = sympy.zeros(r, n)
    unknowns = []
    for k in range(r):
        rows = np.flatnonzero(s1[:, k])
        for t, i in enumerate(rows):
            if t == 0:
                X[i, k] = 1  # scaling gauge: the closure of the image is unchanged
            else:
                X[i, k] = sympy.Symbol(f"x{i}_{k}")
                unknowns.append(X[i, k])
        for j in np.flatnonzero(s2[k, :]):
            Y[k, j] = sympy.Symbol(f"y{k}_{j}")
            unknowns.append(Y[k, j])
    if len(unknowns) > max_variables:
        return None
    eqs = list(symbols - X * Y)
    basis = sympy.groebner(eqs, *unknowns, *symbols, order="lex")
    keep = [g for g in basis.exprs if not (g.free_symbols & set(unknowns))]
    return tuple(sympy.factor(g) for g in keep)


def _complete(R: sympy.Matrix, rows: np.ndarray, cols: np.ndarray, private: set,
              root: tuple[str, int]) -> tuple[list, list, dict] | None:
    """Rank-one completion of the rectangle from the private entries, BFS from ``root``.

    Returns (pivot expressions, consistency expressions, values of the nodes) or None when
    the private graph does not span the rectangle.
    """
    value = {root: sympy.Integer(1)}
    parent_edge = {}
    order = [root]
    head = 0
    while head < len(order):
        side, v = order[head]
        head += 1
        others = cols if side == "r" else rows
        for w in others:
            edge = (v, w) if side == "r" else (w, v)
            node = ("c" if side == "r" else "r", int(w))
            if edge in private and node not in value:
                value[node] = R[edge] / value[(side, v)]
                parent_edge[node] = (side, v, edge)
                order.append(node)
    if len(value) != rows.size + cols.size:
        return None
    internal = {parent_edge[node][:2] for node in parent_edge}
    pivots = []
    for node in internal:
        if node == root:
            children = [e for nd, (s, v, e) in parent_edge.items() if (s, v) == root]
            pivots.append(("any", [R[e] for e in children]))
        else:
            pivots.append(("one", R[parent_edge[node][2]]))
    tree = {e for _, _, e in parent_edge.values()}
    consistency = [R[e] - value[("r", e[0])] * value[("c", e[1])] for e in private - tree]
    return pivots, consistency, value


def _branches(R: sympy.Matrix, rects: dict, remaining: tuple, budget: list, memo: dict
              ) -> list:
    """Branches (lists of recorded pieces) of the symbolic completion, depth first.

    Memoised on (remaining rectangles, residual): completions along different roots of a
    tree give the same residual, so the subtrees are shared.
    """
    key = (remaining, tuple(R))
    if key in memo:
        return memo[key]
    if not remaining:
        out = [[("zero", e) for e in R if e != 0]]
        memo[key] = out
        return out
    out = []
    for k in remaining:
        rows, cols = rects[k]
        others = [rects[l] for l in remaining if l != k]
        private = {(int(i), int(j)) for i in rows for j in cols
                   if not any(i in ro and j in co for ro, co in others)}
        roots = [("r", int(i)) for i in rows] + [("c", int(j)) for j in cols]
        for root in roots:
            if budget[0] <= 0:
                break
            done = _complete(R, rows, cols, private, root)
            if done is None:
                break  # the private graph is disconnected: no root helps
            pivots, consistency, value = done
            C = sympy.zeros(*R.shape)
            for i in rows:
                for j in cols:
                    C[i, j] = value[("r", int(i))] * value[("c", int(j))]
            local = ([("pivot", p) for p in pivots] + [("zero", e) for e in consistency]
                     + [("contribution", [C[i, j] for i in rows for j in cols])])
            rest = tuple(l for l in remaining if l != k)
            for tail in _branches((R - C).applyfunc(sympy.cancel), rects, rest, budget, memo):
                out.append(local + tail)
                budget[0] -= 1
    memo[key] = out
    return out


def _branch_condition(items: list) -> Any:
    """Turn the recorded pieces of one branch into a sympy conjunction, pivots first."""
    known: set = set()
    conds = []
    for kind, payload in items:
        if kind == "pivot":
            how, e = payload
            if how == "one":
                c = _nonzero(e, known)
            else:
                c = sympy.Or(*[_nonzero(x, known) for x in e])
            known |= _pivot_polys(c)
            conds.append(c)
    for kind, payload in items:
        if kind == "zero":
            conds.append(_zero(payload, known))
        elif kind == "contribution":
            conds.append(sympy.Or(*[_nonzero(x, known) for x in payload]))
    return sympy.And(*conds)


def _literals(conj: Any) -> frozenset:
    return frozenset(conj.args) if isinstance(conj, sympy.And) else frozenset([conj])


def _tidy(branches: set) -> Any:
    """Disjunction of conjunctions, simplified by absorption (no exponential logic minimiser).

    Inside a branch an Or-clause containing a unit literal of the same branch is dropped;
    a branch whose literals contain another branch's literals is dropped (it implies it);
    literals common to every branch are factored out.
    """
    sets = []
    for b in branches:
        lits = _literals(b)
        if sympy.false in lits:
            continue
        units = {c for c in lits if not isinstance(c, sympy.Or)}
        lits = frozenset(c for c in lits if c is not sympy.true and not (
            isinstance(c, sympy.Or) and units & set(c.args)))
        sets.append(lits)
    sets = [s for s in set(sets) if not any(o < s for o in sets)]
    if not sets:
        return sympy.false
    common = frozenset.intersection(*sets)
    rest = [sympy.And(*sorted(s - common, key=sympy.default_sort_key))
            for s in sorted(sets, key=lambda s: (len(s), sympy.default_sort_key(sympy.And(*s))))]
    return sympy.And(*sorted(common, key=sympy.default_sort_key), sympy.Or(*rest))


def _generically_identifiable(s1: np.ndarray, s2: np.ndarray, max_params: int) -> bool | None:
    """Exact generic rank test (Jacobian over the field of rational functions), or None."""
    m, r = s1.shape
    n = s2.shape[1]
    if int(s1.sum() + s2.sum()) > max_params:
        return None
    from sympy.polys.matrices import DomainMatrix

    X = sympy.Matrix(m, r, lambda i, k: sympy.Symbol(f"x{i}_{k}") if s1[i, k] else 0)
    Y = sympy.Matrix(r, n, lambda k, j: sympy.Symbol(f"y{k}_{j}") if s2[k, j] else 0)
    params = [v for v in list(X) + list(Y) if v != 0]
    P = X * Y
    J = sympy.Matrix([[sympy.diff(P[i, j], v) for v in params]
                      for i in range(m) for j in range(n)])
    dm = DomainMatrix.from_Matrix(J)
    rank = dm.convert_to(dm.domain.get_field()).rank()
    return rank == len(params) - orbit_dim([s1, s2])


# --------------------------------------------------------------------------------------------
# public function
# --------------------------------------------------------------------------------------------

def uniqueness_conditions(support1: Any, support2: Any, *, max_variables: int = 14,
                          max_branches: int = 64) -> UniquenessConditions:
    """Polynomial conditions on ``A`` for an exact factorization that is unique modulo scaling.

    Parameters
    ----------
    support1 : boolean mask of shape (m, r)
    support2 : boolean mask of shape (r, n)
    max_variables : int
        Skip the Groebner elimination (``closure_equations=None``) above this many factor
        unknowns (after fixing one entry per column of ``S1``); lex bases grow fast.
    max_branches : int
        Cap on the number of completion branches (orders x roots) explored; fewer branches
        still give a sufficient ``unique_if``.

    Returns
    -------
    UniquenessConditions

    Examples
    --------
    >>> import numpy as np
    >>> S = np.array([[1, 0], [1, 0], [0, 1]], bool)       # docs/theory.rst C01: disjoint blocks
    >>> c = uniqueness_conditions(S, S.T)
    >>> c.exact_uniqueness, c.closure_equations
    (True, (a02, a12, a20, a21, a00*a11 - a01*a10))
    >>> c.check([[1, 3, 0], [2, 6, 0], [0, 0, 2]])
    ConditionCheck(exists=True, unique=True)
    >>> uniqueness_conditions(np.ones((2, 2)), np.ones((2, 2))).unique_if
    False
    """
    s1 = as_support(support1, "support1", _FUNC)
    s2 = as_support(support2, "support2", _FUNC)
    if s1.shape[1] != s2.shape[0]:
        raise param_error(_FUNC, "support2", f"a mask with {s1.shape[1]} rows (the columns of "
                          "support1)", f"shape {s2.shape}", raw=True)
    max_variables = check_int(max_variables, "max_variables", _FUNC, low=0)
    max_branches = check_int(max_branches, "max_branches", _FUNC, low=1)
    m, r = s1.shape
    n = s2.shape[1]
    symbols = sympy.Matrix(m, n, lambda i, j: sympy.Symbol(f"a{i}{j}" if max(m, n) <= 10
                                                            else f"a{i}_{j}"))
    active = [k for k in range(r) if s1[:, k].any() and s2[k, :].any()]
    one_sided = [k for k in range(r) if s1[:, k].any() != s2[k, :].any()]
    rects = {k: (np.flatnonzero(s1[:, k]), np.flatnonzero(s2[k, :])) for k in active}
    covered = (s1[:, active].astype(int) @ s2[active, :].astype(int)) if active else \
        np.zeros((m, n), int)
    outside = [symbols[i, j] for i, j in zip(*np.nonzero(covered == 0))]
    duplicated = [c for c in equivalence_classes(s1, s2) if len(c) > 1]

    if not duplicated and np.all(covered <= 1):
        return _disjoint(symbols, rects, outside, one_sided)
    closure = _closure_equations(s1[:, active], s2[active, :], symbols, max_variables)
    exists = sympy.And(*[sympy.Eq(e, 0) for e in closure]) if closure is not None else \
        sympy.And(*[sympy.Eq(e, 0) for e in outside])
    if duplicated or one_sided:
        why = (f"inner indices {duplicated[0]} share one rectangle (mixing them by any "
               "invertible matrix keeps the product)" if duplicated else
               f"inner index {one_sided[0]} has one empty side: its other side is free")
        return UniquenessConditions(symbols, exists, closure, sympy.false, False, True,
                                    "never unique", why + "; existence: closure equations")
    if _generically_identifiable(s1, s2, max_variables + r) is False:
        return UniquenessConditions(
            symbols, exists, closure, sympy.false, False, True, "never unique",
            "the pattern is not generically locally identifiable (exact Jacobian rank over the "
            "rational functions); fibre dimension is upper semicontinuous, so every nonempty "
            "fibre is larger than a scaling orbit; existence: closure equations")
    budget = [max_branches]
    branches = _branches(symbols.as_mutable(), rects, tuple(active), budget, {})
    unique_if = _tidy({_branch_condition(b) for b in branches})
    reason = (f"{len(branches)} completion branch(es); unique_if is sufficient (necessity not "
              "proven for overlapping rectangles); exists is necessary (Zariski closure)")
    if budget[0] <= 0:
        reason += f"; branch budget {max_branches} exhausted"
    return UniquenessConditions(symbols, exists, closure, unique_if, False, False,
                                "completion + Groebner", reason)


def _disjoint(symbols: sympy.Matrix, rects: dict, outside: list, one_sided: list
              ) -> UniquenessConditions:
    """Pairwise disjoint rectangles: exact conditions, block by block."""
    minors, nonzero = [], []
    for rows, cols in rects.values():
        for (i, i2) in combinations(rows, 2):
            for (j, j2) in combinations(cols, 2):
                minors.append(symbols[i, j] * symbols[i2, j2] - symbols[i, j2] * symbols[i2, j])
        nonzero.append(sympy.Or(*[sympy.Ne(symbols[i, j], 0) for i in rows for j in cols]))
    closure = tuple(outside) + tuple(minors)
    exists = sympy.And(*[sympy.Eq(e, 0) for e in closure])
    if one_sided:
        return UniquenessConditions(symbols, exists, closure, sympy.false, True, True,
                                    "never unique",
                                    f"inner index {one_sided[0]} has one empty side: its other "
                                    "side is free; existence: blocks of rank <= 1")
    unique_if = sympy.And(exists, *nonzero)
    return UniquenessConditions(symbols, exists, closure, unique_if, True, True,
                                "disjoint rectangles",
                                "pairwise disjoint rectangles: exists iff A vanishes outside them "
                                "and every block has rank <= 1; unique iff moreover every block "
                                "is nonzero")
