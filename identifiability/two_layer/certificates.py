"""Re-checking and explaining verdicts (behind ``Verdict.verify`` and ``Verdict.explain``).

Verification starts again from the inputs kept in the verdict (A and the supports) and
uses only the certificate: it never trusts the factors without multiplying them out, and
it re-derives every completion step (private entries, spanning-tree connectivity with
networkx, forced zeros, consistency) before accepting it.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from ..core.exact import (exact_matmul, exact_product_equals, exact_to_float, to_exact,
                          to_exact_algebraic)
from ..graphs import coverage, is_zero, propagate
from .verdict import (AlgebraicCertificate, AlternativeCertificate, CompletionCertificate,
                      JacobianCertificate, Obstruction, Verdict)
from ..core.display import closing_lines, fmt_array

__all__ = ["verify_verdict", "explain_verdict", "replay_steps"]


def _arith(v: Verdict) -> tuple[np.ndarray, float | None]:
    """Residual array in the verdict's arithmetic and the absolute tolerance."""
    if v.tol is None:
        return to_exact(v.A), None
    A = v.A.astype(np.complex128 if v.A.dtype.kind == "c" else np.float64)
    return A.copy(), v.tol * float(np.abs(A).max())


def _product_matches(v: Verdict, S1: np.ndarray, S2: np.ndarray) -> bool:
    """Supports respected and S1 @ S2 == A (exactly, or within the numerical tolerance)."""
    if S1.shape != v.support1.shape or S2.shape != v.support2.shape:
        return False
    if v.tol is None:
        if all(np.asarray(M).dtype.kind in "iuf" for M in (S1, S2, v.A)):   # fast exact path
            return (not np.any(np.asarray(S1)[~v.support1]) and
                    not np.any(np.asarray(S2)[~v.support2]) and
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
    _, atol = _arith(v)
    if np.any(S1[~v.support1] != 0) or np.any(S2[~v.support2] != 0):
        return False
    r = S1.shape[1]
    slack = 10.0 * max(r, 1)
    return bool(np.abs(S1 @ S2 - v.A).max() <= slack * atol + 1e-300)


def _is_zero_exact(x: Any) -> bool:
    import sympy

    if isinstance(x, sympy.Basic):
        return sympy.simplify(x) == 0
    return x == 0


def replay_steps(v: Verdict, steps: tuple) -> tuple[bool, str, np.ndarray, np.ndarray, set]:
    """Re-derive the completion steps from A and the supports.

    Returns ``(ok, message, residual, cover, remaining)`` where ``remaining`` holds the
    inner indices not determined by the steps.
    """
    R, atol = _arith(v)
    s1, s2 = v.support1, v.support2
    cover = coverage(s1, s2)
    remaining = {k for k in range(s1.shape[1]) if s1[:, k].any() and s2[k, :].any()}
    for step in steps:
        k = step.k
        if k not in remaining:
            return False, f"step for index {k} repeats or names an inactive index", R, cover, remaining
        rows, cols = np.flatnonzero(s1[:, k]), np.flatnonzero(s2[k, :])
        if not (np.array_equal(rows, step.rows) and np.array_equal(cols, step.cols)):
            return False, f"step {k}: rectangle does not match the supports", R, cover, remaining
        p, q = len(rows), len(cols)
        sub = R[np.ix_(rows, cols)]
        private = cover[np.ix_(rows, cols)] == 1
        claimed = np.zeros((p, q), dtype=bool)
        claimed[tuple(np.asarray(step.private).T)] = True
        if not np.array_equal(private, claimed):
            return False, f"step {k}: the listed private entries are not the private ones", R, \
                cover, remaining
        tree = np.asarray(step.tree).reshape(-1, 2)
        zr = np.asarray(step.zero_rows).reshape(-1, 2)
        zc = np.asarray(step.zero_cols).reshape(-1, 2)
        if len(tree) == 0:
            if not (private.all() and is_zero(sub, atol).all()):
                return False, f"step {k}: empty tree but the block is not private and zero", R, \
                    cover, remaining
            C = sub * 0
        else:
            if not private[tree[:, 0], tree[:, 1]].all() or \
                    is_zero(sub[tree[:, 0], tree[:, 1]], atol).any():
                return False, f"step {k}: a tree edge is not a nonzero private entry", R, cover, \
                    remaining
            g = nx.Graph()
            g.add_edges_from((("r", int(i)), ("c", int(j))) for i, j in tree)
            if not nx.is_tree(g):
                return False, f"step {k}: the witness edges do not form a tree", R, cover, remaining
            tree_rows = {i for kind, i in g.nodes if kind == "r"}
            tree_cols = {j for kind, j in g.nodes if kind == "c"}
            for i, j in zr:
                if not (private[i, j] and is_zero(sub[i, j:j + 1], atol)[0] and j in tree_cols):
                    return False, f"step {k}: bad zero-row witness ({i}, {j})", R, cover, remaining
            for i, j in zc:
                if not (private[i, j] and is_zero(sub[i:i + 1, j], atol)[0] and i in tree_rows):
                    return False, f"step {k}: bad zero-column witness ({i}, {j})", R, cover, remaining
            if tree_rows | set(zr[:, 0].tolist()) != set(range(p)) or \
                    tree_cols | set(zc[:, 1].tolist()) != set(range(q)):
                return False, f"step {k}: the tree and the forced zeros do not span the rectangle", \
                    R, cover, remaining
            root = int(tree[0, 0])
            x, y = propagate(sub, _rooted(tree, root), p, q, root, atol is None)
            C = np.outer(x, y)
            if not is_zero((C - sub)[private], atol).all():
                return False, f"step {k}: completion inconsistent with the private entries", R, \
                    cover, remaining
        R[np.ix_(rows, cols)] = sub - C
        cover[np.ix_(rows, cols)] -= 1
        remaining.discard(k)
    return True, "", R, cover, remaining


def _rooted(tree: np.ndarray, root_row: int) -> np.ndarray:
    """Order tree edges so that each edge has one endpoint already reached from the root."""
    g = nx.Graph()
    g.add_edges_from((("r", int(i)), ("c", int(j))) for i, j in tree)
    out = []
    for u, w in nx.bfs_edges(g, ("r", root_row)):
        (ku, iu), (_, iw) = u, w
        out.append((iu, iw) if ku == "r" else (iw, iu))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def _verify_unique_completion(v: Verdict, cert: CompletionCertificate) -> bool:
    if v.factors is None or not _product_matches(v, *v.factors):
        return False
    ok, _, R, _, remaining = replay_steps(v, cert.steps)
    if not ok or remaining:
        return False
    S1, S2 = v.factors
    s1, s2 = v.support1, v.support2
    for k in range(s1.shape[1]):
        if s1[:, k].any() != s2[k, :].any():
            return False  # free entries next to an empty side: not unique
    _, atol = _arith(v)
    for step in cert.steps:
        k = step.k
        col = S1[step.rows, k] if atol is not None else to_exact(S1[step.rows, k])
        row = S2[k, step.cols] if atol is not None else to_exact(S2[k, step.cols])
        if is_zero(col, atol).all() or is_zero(row, atol).all():
            return False
    return True


def _verify_algebraic(v: Verdict, cert: AlgebraicCertificate, steps: tuple) -> bool:
    import sympy

    from .algebraic import lifted_system

    if v.factors is None or not _product_matches(v, *v.factors):
        return False
    ok, _, R, cover, remaining = replay_steps(v, steps)
    if not ok or remaining != set(cert.stuck):
        return False
    s1, s2 = v.support1, v.support2
    rows = [np.flatnonzero(s1[:, k]) for k in range(s1.shape[1])]
    cols = [np.flatnonzero(s2[k, :]) for k in range(s1.shape[1])]
    eqs, unknowns, _ = lifted_system(R, cover, rows, cols, list(cert.stuck))
    if [sympy.expand(e) for e in eqs] != [sympy.expand(e) for e in cert.system]:
        return False
    if not unknowns:  # nothing left to solve: the system must hold identically
        return all(sympy.simplify(e) == 0 for e in eqs)
    G = sympy.groebner(eqs, *unknowns, order="lex")
    if list(G.exprs) != list(cert.basis):
        return False
    if v.status == "unique" and cert.method == "z3":
        from .algebraic import z3_real_solution

        point = dict(cert.point)
        if any(sympy.simplify(e.subs(point)) != 0 for e in eqs):
            return False
        return z3_real_solution(eqs, unknowns, avoid=point)[0] == "unsat"
    if v.status == "unique":
        from .algebraic import contribution_key, solution_points

        if not G.is_zero_dimensional:
            return False
        sols = solution_points(list(G.exprs), unknowns, 10 ** 6)
        if cert.field == "R":
            sols = [s for s in sols if all(val.is_real for val in s.values())]
        _, _, contrib = lifted_system(R, cover, rows, cols, list(cert.stuck))
        keys = {contribution_key(s, contrib, rows, cols, list(cert.stuck)) for s in sols}
        return len(keys) == 1
    return True


def _verify_not_unique(v: Verdict, cert: AlternativeCertificate) -> bool:
    from ..equivalence import same_class

    if v.factors is None:
        return False
    T1, T2 = cert.factors
    if not (_product_matches(v, *v.factors) and _product_matches(v, T1, T2)):
        return False
    return not same_class(v.factors, (T1, T2), tol=v.tol)


def _verify_infeasible(v: Verdict, obs: Obstruction) -> bool:
    import sympy

    if obs.kind == "uncovered_entry":
        i, j = obs.data["entry"]
        cover = coverage(v.support1, v.support2)
        R, atol = _arith(v)
        return cover[i, j] == 0 and not is_zero(R[i:i + 1, j], atol)[0]
    if obs.kind == "z3_unsat":
        from .algebraic import z3_real_solution

        ok, _, _, _, _ = replay_steps(v, obs.data.get("steps", ()))
        return ok and z3_real_solution(list(obs.data["equations"]),
                                       list(obs.data["unknowns"]))[0] == "unsat"
    if obs.kind == "groebner":
        G = sympy.groebner(list(obs.data["equations"]), *obs.data["unknowns"], order="lex")
        ok, _, _, _, remaining = replay_steps(v, obs.data.get("steps", ()))
        return ok and list(G.exprs) == [1]
    ok, _, R, cover, remaining = replay_steps(v, obs.data.get("steps", ()))
    if not ok:
        return False
    _, atol = _arith(v)
    s1, s2 = v.support1, v.support2
    if obs.kind == "zero_private_entry":
        k = obs.data["k"]
        entries = [obs.data["entry"], obs.data["row_witness"], obs.data["col_witness"]]
        (i, j), (ir, jr), (ic, jc) = entries
        rect = lambda a, b: bool(s1[a, k] and s2[k, b])  # noqa: E731
        private = all(rect(a, b) and cover[a, b] == 1 for a, b in entries)
        return (k in remaining and private and ir == i and jc == j
                and is_zero(R[i:i + 1, j], atol)[0] and not is_zero(R[ir:ir + 1, jr], atol)[0]
                and not is_zero(R[ic:ic + 1, jc], atol)[0])
    if obs.kind == "inconsistent_completion":
        from .completion import _State, _try_complete

        k = obs.data["k"]
        rows = [np.flatnonzero(s1[:, t]) for t in range(s1.shape[1])]
        cols = [np.flatnonzero(s2[t, :]) for t in range(s1.shape[1])]
        state = _State(R, cover, rows, cols, atol, {}, [])
        return k in remaining and _try_complete(state, k)[0] == "infeasible"
    if obs.kind == "class_rank":
        from ..core.exact import rank_exact

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
    return False


def verify_verdict(v: Verdict) -> bool:
    """Re-check ``v.certificate`` against ``v.A`` and the supports (see module docstring)."""
    cert = v.certificate
    if v.status == "undecided":
        return True
    if v.status == "unique" and isinstance(cert, CompletionCertificate):
        return _verify_unique_completion(v, cert)
    if v.status == "unique" and isinstance(cert, AlgebraicCertificate):
        return _verify_algebraic(v, cert, cert.steps)
    if v.status == "not_unique" and isinstance(cert, AlternativeCertificate):
        return _verify_not_unique(v, cert)
    if v.status == "infeasible" and isinstance(cert, Obstruction):
        return _verify_infeasible(v, cert)
    if v.status == "locally_unique" and isinstance(cert, JacobianCertificate):
        return _verify_local(v, cert)
    return False


def _verify_local(v: Verdict, cert: JacobianCertificate) -> bool:
    """The factors solve A (to 1e-10 relative) and the Jacobian rank is full modulo scaling."""
    from ..generic import local_identifiability

    S1, S2 = (np.asarray(F, dtype=float) for F in v.factors)
    A = np.asarray(exact_to_float(to_exact(v.A)) if v.A.dtype == object else v.A, dtype=float)
    if np.any(S1[~v.support1] != 0) or np.any(S2[~v.support2] != 0):
        return False
    if np.abs(S1 @ S2 - A).max() > 1e-10 * max(1.0, float(np.abs(A).max())):
        return False
    res = local_identifiability([S1, S2], [v.support1, v.support2], tol=1e-8)
    return bool(res.identifiable) and res.jacobian_rank == cert.rank


def explain_verdict(v: Verdict) -> str:
    """Multi-line human-readable account of a verdict."""
    lines = [f"Verdict: {v.status.upper()}  (field: {v.field})", f"Reason: {v.reason}"]
    cert = v.certificate
    if isinstance(cert, CompletionCertificate):
        lines.append(f"Certificate: rank-one completion in {len(cert.steps)} steps.")
        for step in cert.steps[:10]:
            lines.append(
                f"  C_{step.k} on rows {step.rows.tolist()} x cols {step.cols.tolist()}: "
                f"{len(step.private)} private entries, spanning tree of {len(step.tree)} edges"
                + (f", {len(step.zero_rows)} rows and {len(step.zero_cols)} columns forced to 0"
                   if len(step.zero_rows) or len(step.zero_cols) else ""))
        if len(cert.steps) > 10:
            lines.append(f"  ... {len(cert.steps) - 10} more steps")
        if cert.margins:
            lines.append(f"  numerical margins: {cert.margins}")
    elif isinstance(cert, AlternativeCertificate):
        lines.append("Certificate: a second, inequivalent factorization:")
        lines.append(f"  S1' = {fmt_array(cert.factors[0])}")
        lines.append(f"  S2' = {fmt_array(cert.factors[1])}")
    elif isinstance(cert, Obstruction):
        lines.append(f"Certificate: obstruction of kind '{cert.kind}'.")
    elif isinstance(cert, AlgebraicCertificate):
        lines.append(f"Certificate: Groebner basis ({len(cert.basis)} polynomials in "
                     f"{len(cert.variables)} unknowns), solutions over {cert.field}: "
                     f"{'infinitely many' if cert.n_solutions is None else cert.n_solutions}")
        for g in cert.basis[:6]:
            lines.append(f"  {g} = 0")
    return "\n".join(lines + closing_lines(v.factors, v.verify()))
