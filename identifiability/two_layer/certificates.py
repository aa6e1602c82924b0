"""The certificates of two-layer verdicts: each one verifies and explains itself.

A certificate is checked by ``certificate.verify(verdict)`` against the inputs kept in the
verdict (``A`` and the supports), independently of the engine that produced it: it never
trusts the factors without multiplying them out, and it re-derives every completion step
(private entries, spanning-tree connectivity with networkx, forced zeros, consistency)
before accepting it. ``Verdict.verify()`` / ``Verdict.explain()`` dispatch to the
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
from typing import Any, ClassVar

import networkx as nx
import numpy as np

from ..core.display import fmt_array, summary_repr
from ..core.validation import param_error
from ..core.exact import (exact_matmul, exact_product_equals, exact_to_float, rank_exact,
                          to_exact, to_exact_algebraic)
from ..graphs import coverage, is_zero, propagate
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


def _product_matches(v: Any, S1: np.ndarray, S2: np.ndarray) -> bool:
    """Supports respected and S1 @ S2 == A (exactly, or within the numerical tolerance)."""
    S1, S2 = np.asarray(S1), np.asarray(S2)
    if S1.shape != v.support1.shape or S2.shape != v.support2.shape:
        return False
    if v.tol is None:
        if all(np.asarray(M).dtype.kind in "iuf" for M in (S1, S2, v.A)):   # fast exact path
            return (not np.any(S1[~v.support1]) and not np.any(S2[~v.support2]) and
                    exact_product_equals([S1, S2], v.A))
        E1, E2 = to_exact_algebraic(S1), to_exact_algebraic(S2)
        if any(not _is_zero_exact(x) for x in E1[~v.support1]) or \
                any(not _is_zero_exact(x) for x in E2[~v.support2]):
            return False
        import sympy

        symbolic = any(isinstance(x, sympy.Basic) for M in (E1, E2) for x in M.flat)
        P = E1.dot(E2) if symbolic else exact_matmul(E1, E2)
        A = to_exact(v.A)
        return all(_is_zero_exact(p - a) for p, a in zip(P.flat, A.flat))
    _, atol = arithmetic(v.A, v.tol)
    if np.any(S1[~v.support1] != 0) or np.any(S2[~v.support2] != 0):
        return False
    slack = 10.0 * max(S1.shape[1], 1)
    return bool(np.abs(S1 @ S2 - v.A).max() <= slack * atol + 1e-300)


def _rooted(tree: np.ndarray, root_row: int) -> np.ndarray:
    """Order tree edges so that each edge has one endpoint already reached from the root."""
    g = nx.Graph()
    g.add_edges_from((("r", int(i)), ("c", int(j))) for i, j in tree)
    out = []
    for u, w in nx.bfs_edges(g, ("r", root_row)):
        (ku, iu), (_, iw) = u, w
        out.append((iu, iw) if ku == "r" else (iw, iu))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def replay_steps(v: Any, steps: tuple) -> tuple[bool, str, np.ndarray, np.ndarray, set]:
    """Re-derive the completion steps from ``v.A`` and the supports of the verdict ``v``.

    Returns ``(ok, message, residual, cover, remaining)`` where ``remaining`` holds the
    inner indices not determined by the steps.
    """
    R, atol = arithmetic(v.A, v.tol)
    s1, s2 = v.support1, v.support2
    cover = coverage(s1, s2)
    remaining = {k for k in range(s1.shape[1]) if s1[:, k].any() and s2[k, :].any()}

    def fail(message: str) -> tuple:
        return False, message, R, cover, remaining

    for step in steps:
        k = step.k
        if k not in remaining:
            return fail(f"step for index {k} repeats or names an inactive index")
        rows, cols = np.flatnonzero(s1[:, k]), np.flatnonzero(s2[k, :])
        if not (np.array_equal(rows, step.rows) and np.array_equal(cols, step.cols)):
            return fail(f"step {k}: rectangle does not match the supports")
        p, q = len(rows), len(cols)
        sub = R[np.ix_(rows, cols)]
        private = cover[np.ix_(rows, cols)] == 1
        claimed = np.zeros((p, q), dtype=bool)
        claimed[tuple(np.asarray(step.private).T)] = True
        if not np.array_equal(private, claimed):
            return fail(f"step {k}: the listed private entries are not the private ones")
        tree = np.asarray(step.tree).reshape(-1, 2)
        zr = np.asarray(step.zero_rows).reshape(-1, 2)
        zc = np.asarray(step.zero_cols).reshape(-1, 2)
        if len(tree) == 0:
            if not (private.all() and is_zero(sub, atol).all()):
                return fail(f"step {k}: empty tree but the block is not private and zero")
            C = sub * 0
        else:
            if not private[tree[:, 0], tree[:, 1]].all() or \
                    is_zero(sub[tree[:, 0], tree[:, 1]], atol).any():
                return fail(f"step {k}: a tree edge is not a nonzero private entry")
            g = nx.Graph()
            g.add_edges_from((("r", int(i)), ("c", int(j))) for i, j in tree)
            if not nx.is_tree(g):
                return fail(f"step {k}: the witness edges do not form a tree")
            tree_rows = {i for kind, i in g.nodes if kind == "r"}
            tree_cols = {j for kind, j in g.nodes if kind == "c"}
            for i, j in zr:
                if not (private[i, j] and is_zero(sub[i, j:j + 1], atol)[0] and j in tree_cols):
                    return fail(f"step {k}: bad zero-row witness ({i}, {j})")
            for i, j in zc:
                if not (private[i, j] and is_zero(sub[i:i + 1, j], atol)[0] and i in tree_rows):
                    return fail(f"step {k}: bad zero-column witness ({i}, {j})")
            if tree_rows | set(zr[:, 0].tolist()) != set(range(p)) or \
                    tree_cols | set(zc[:, 1].tolist()) != set(range(q)):
                return fail(f"step {k}: the tree and the forced zeros do not span the rectangle")
            root = int(tree[0, 0])
            x, y = propagate(sub, _rooted(tree, root), p, q, root, atol is None)
            C = np.outer(x, y)
            if not is_zero((C - sub)[private], atol).all():
                return fail(f"step {k}: completion inconsistent with the private entries")
        R[np.ix_(rows, cols)] = sub - C
        cover[np.ix_(rows, cols)] -= 1
        remaining.discard(k)
    return True, "", R, cover, remaining


def _rectangles(v: Any) -> tuple[list, list]:
    s1, s2 = v.support1, v.support2
    return ([np.flatnonzero(s1[:, k]) for k in range(s1.shape[1])],
            [np.flatnonzero(s2[k, :]) for k in range(s1.shape[1])])


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
        """Replay every step from ``v.A``; the factors multiply back, all contributions nonzero."""
        if v.factors is None or not _product_matches(v, *v.factors):
            return False
        ok, _, _, _, remaining = replay_steps(v, self.steps)
        if not ok or remaining:
            return False
        S1, S2 = v.factors
        s1, s2 = v.support1, v.support2
        for k in range(s1.shape[1]):
            if s1[:, k].any() != s2[k, :].any():
                return False  # free entries next to an empty side: not unique
        _, atol = arithmetic(v.A, v.tol)
        for step in self.steps:
            k = step.k
            col = S1[step.rows, k] if atol is not None else to_exact(S1[step.rows, k])
            row = S2[k, step.cols] if atol is not None else to_exact(S2[k, step.cols])
            if is_zero(col, atol).all() or is_zero(row, atol).all():
                return False
        return True

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
