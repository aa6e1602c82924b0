"""Uniqueness of ``A = S1 @ S2`` when only sparsity levels are prescribed (supports unknown).

Admissible pairs (``S1`` m x r, ``S2`` r x n), always "at most" levels:

* ``mode="columns"`` -- every column of ``S1`` has at most ``k1`` nonzeros and every row of
  ``S2`` at most ``k2``: each rank-one term ``S1[:, k] S2[k, :]`` lives on a ``k1 x k2``
  rectangle;
* ``mode="rows"`` -- every row of ``S1`` has at most ``k1`` nonzeros, every column of ``S2``
  at most ``k2``;
* ``mode="total"`` -- ``||S1||_0 <= k1`` and ``||S2||_0 <= k2``.

A level larger than the size of what it constrains is no constraint. The factorization is
*unique* when every admissible pair with ``S1 @ S2 = A`` is ``(S1 D P, P^T D^{-1} S2)`` for an
invertible diagonal D and *any* permutation P (the supports are not fixed, so every
permutation is allowed), i.e. :func:`identifiability.equivalence.equivalent`.

The inner dimension
-------------------
``r=None`` (default) means the smallest r for which an admissible factorization exists; that
is the only interesting one: below it there is none, and in ``"columns"`` mode above it a
zero term with a free partner row can always be appended, so the answer there is always
``"not_unique"``. (In ``"rows"``/``"total"`` modes that padding may break a level, so an
explicit larger ``r`` is decided as asked.) Feasibility is monotone in r and is reached at
``r <= nnz(A)`` (columns), ``min(m k1, n k2)`` (rows) or ``min(k1, k2)`` (total): if no r up
to that bound works, no r works (``"infeasible"``).

Method
------
1. *Disjoint rank-one blocks* (any size). Let the connected components of the bipartite
   graph of the nonzeros of A be the blocks ``A[R_c, C_c]``. When every block has rank one,
   their number c is ``rank(A)`` and, for ``r = c``, every factorization is ``S1 = U G``,
   ``S2 = G^{-1} V^T`` (U, V the block vectors, G invertible), so uniqueness means "G is a
   scaled permutation". Proven here: ``columns`` -- unique if every two blocks together have
   more than k1 rows, or every two together more than k2 columns; not unique if some two
   have at most k1 rows *and* at most k2 columns together (mix them by
   ``G = I + e_c e_c'^T``). ``rows`` -- unique if ``k1 == 1`` or ``k2 == 1`` (or c = 1), else
   not unique. ``total`` -- unique if ``k1 < sum|R| + min|R|`` or ``k2 < sum|C| + min|C|``;
   not unique if ``k1 >= sum|R| + |R_c|`` and ``k2 >= sum|C| + |C_c'|`` for some c != c'. A
   block larger than its level, or a mixed case, is passed on.
2. *Enumeration* (small sizes, at most ``max_candidates`` support pairs per r). A factorization
   with smaller supports also lies in a *maximal* pair (exactly ``min(k, size)`` nonzeros per
   column / row / in total), and permuting inner indices permutes rectangles, so it suffices
   to run :func:`~identifiability.two_layer.check_uniqueness` on the maximal pairs up to
   permutation: multisets of r rectangles (``"columns"``), or the pairs of
   :func:`identifiability.supports.all_supports` deduplicated up to permutation
   (``"rows"``/``"total"``). Pairs whose rectangles leave a nonzero of A uncovered are
   infeasible and skipped. A fixed-support ``"not_unique"`` verdict is a second admissible
   factorization; otherwise the factors of all feasible pairs are compared with
   :func:`~identifiability.equivalence.equivalent`. The verdict is ``"unique"`` when every
   candidate is infeasible or unique and all their factors are equivalent, ``"infeasible"``
   when every candidate is infeasible, ``"undecided"`` if a fixed-support verdict is.
3. Anything else is ``"undecided"`` with the reason (e.g. too many candidates).

Examples
--------
>>> import numpy as np
>>> from identifiability.sparsity_levels import check_uniqueness_sparse
>>> A = np.array([[1, 2, 0], [2, 4, 0], [0, 0, 3]])
>>> v = check_uniqueness_sparse(A, 2, 2)
>>> v.status, v.r, v.verify()
('unique', 2, True)
>>> check_uniqueness_sparse(np.eye(2), 2, 2).status           # a rotation mixes the terms
'not_unique'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations, combinations_with_replacement, product
from math import comb
from typing import Any, Iterator

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .chains import is_chain_of
from .core.display import closing_lines, fmt_array, summary_repr
from .core.exact import (algebraic_is_zero, has_algebraic, rank_exact, simplify_exact, to_exact,
                         to_exact_algebraic)
from .core.policy import DEFAULT_RTOL, decision_tolerance
from .core.validation import as_matrix, check_choice, check_int, param_error
from .equivalence import same_class
from .graphs import is_zero
from .supports import all_supports
from .two_layer.completion import check_uniqueness
from .two_layer.lifted import Shown, to_jsonable
from .two_layer.verdict import decision_note, html_table

__all__ = ["SparseVerdict", "SparseAlternative", "SparseProof", "BlockCertificate",
           "check_uniqueness_sparse"]

_FUNC = "check_uniqueness_sparse"
_MODES = ("columns", "rows", "total")
_STATUSES = ("unique", "not_unique", "infeasible", "undecided")


# --------------------------------------------------------------------------------------
# certificates and result
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SparseAlternative:
    """Two admissible factorizations of A that are not equivalent.

    ``first``/``second`` are ``(S1, S2)`` pairs, ``supports`` the maximal support pairs they
    were found in (or their own supports).
    """

    first: tuple
    second: tuple
    supports: tuple
    explanation: str

    def __repr__(self) -> str:
        return summary_repr("SparseAlternative", S1=Shown(fmt_array(self.second[0])),
                            S2=Shown(fmt_array(self.second[1])), explanation=self.explanation)


@dataclass(frozen=True)
class SparseProof:
    """Exhaustive enumeration at one inner dimension ``r``.

    ``verdicts`` are the fixed-support verdicts of every candidate pair (maximal supports up
    to permutation) that covers the nonzeros of A; ``n_pruned`` candidates were skipped
    because they leave a nonzero of A uncovered (infeasible).
    """

    r: int
    verdicts: tuple
    n_pruned: int

    def __repr__(self) -> str:
        counts: dict = {}
        for v in self.verdicts:
            counts[v.status] = counts.get(v.status, 0) + 1
        return f"SparseProof(r={self.r}, verdicts={counts}, n_pruned={self.n_pruned})"


@dataclass(frozen=True)
class BlockCertificate:
    """The nonzeros of A form ``len(rows)`` connected blocks ``A[rows[c], cols[c]]``, each of
    rank one; ``condition`` names the level condition that forces G to be a scaled
    permutation (module docstring, step 1)."""

    rows: tuple
    cols: tuple
    condition: str

    def __repr__(self) -> str:
        return summary_repr("BlockCertificate", n_blocks=len(self.rows), condition=self.condition)


@dataclass(frozen=True)
class SparseVerdict:
    """Answer to "is A = S1 @ S2 unique when only sparsity levels are known?".

    Attributes
    ----------
    status : str
        ``"unique"``, ``"not_unique"``, ``"infeasible"`` or ``"undecided"``.
    reason : str
    certificate : SparseProof, tuple of SparseProof, BlockCertificate, SparseAlternative or None
        ``"unique"``/``"infeasible"`` by enumeration: the proofs for every r tried (the last
        one is ``r``); by blocks: a :class:`BlockCertificate`; ``"not_unique"``: a
        :class:`SparseAlternative`.
    factors : tuple (S1, S2) or None
    supports : tuple (support1, support2) or None
        The maximal support pair in which ``factors`` was found.
    r : int or None
        The inner dimension decided (``None`` when undecided before one was fixed).
    mode, k1, k2, tol, A : the inputs.
    """

    status: str
    reason: str
    certificate: Any
    factors: tuple | None
    supports: tuple | None
    r: int | None
    field: str
    mode: str = field(repr=False, default="columns")
    k1: int = field(repr=False, default=1)
    k2: int = field(repr=False, default=1)
    A: np.ndarray = field(repr=False, default=None)
    tol: float | None = field(repr=False, default=None)
    r_given: bool = field(repr=False, default=False)
    tol_source: str | None = field(repr=False, default=None)

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise param_error("SparseVerdict", "status", f"one of {_STATUSES}", self.status)
        if self.tol_source is None:
            object.__setattr__(self, "tol_source", "exact input" if self.tol is None else "given")

    @property
    def exact(self) -> bool:
        """True when the verdict was decided in exact arithmetic."""
        return self.tol is None

    def __repr__(self) -> str:
        cert = self.certificate
        if isinstance(cert, tuple):
            cert = Shown(f"<{len(cert)} SparseProof>")
        return summary_repr("SparseVerdict", status=self.status, r=self.r, mode=self.mode,
                            field=self.field, exact=self.exact, certificate=cert,
                            reason=self.reason)

    def verify(self) -> bool:
        """Re-check the certificate from ``A`` and the levels (``"undecided"``: True)."""
        return _verify(self)

    def to_dict(self, *, verified: bool | None = None) -> dict:
        """A JSON-ready summary: status, reason, levels, how it was decided, the kind of
        certificate, the factors and supports, and ``verified``."""
        cert = self.certificate
        kind = "enumeration" if isinstance(cert, tuple) else (
            None if cert is None else type(cert).__name__)
        return {"status": self.status, "reason": self.reason, "r": self.r, "mode": self.mode,
                "k1": self.k1, "k2": self.k2, "field": self.field, "exact": self.exact,
                "tol": self.tol, "tol_source": self.tol_source, "certificate": kind,
                "verified": bool(self.verify() if verified is None else verified),
                "factors": None if self.factors is None else to_jsonable(list(self.factors)),
                "supports": None if self.supports is None else
                to_jsonable([np.asarray(S, dtype=int) for S in self.supports])}

    def _repr_html_(self) -> str:
        cert = self.certificate
        kind = f"{len(cert)} SparseProof" if isinstance(cert, tuple) else type(cert).__name__
        return html_table("SparseVerdict", [
            ("status", self.status), ("reason", self.reason), ("r", self.r),
            ("levels", f"mode={self.mode!r}, k1={self.k1}, k2={self.k2}"), ("field", self.field),
            ("decision", decision_note(self.tol, self.tol_source)), ("certificate", kind),
            ("verify()", self.verify())])

    def explain(self) -> str:
        """A readable multi-line account."""
        lines = [f"Sparse verdict: {self.status.upper()}  (mode={self.mode!r}, k1={self.k1}, "
                 f"k2={self.k2}, r={self.r}, {self.field})", f"Reason: {self.reason}",
                 f"Decision: {decision_note(self.tol, self.tol_source)}"]
        cert = self.certificate
        if isinstance(cert, tuple):
            for proof in cert:
                lines.append(f"  r={proof.r}: {proof!r}")
                for v in proof.verdicts[:8]:
                    if v.status != "infeasible":
                        lines.append(f"    supports {fmt_array(v.support1.astype(int))} x "
                                     f"{fmt_array(v.support2.astype(int))}: {v.status}")
        elif cert is not None:
            lines.append(f"Certificate: {cert!r}")
        return "\n".join(lines + closing_lines(self.factors, self.verify()))


# --------------------------------------------------------------------------------------
# admissibility and candidates
# --------------------------------------------------------------------------------------

def _caps(mode: str, k1: int, k2: int, m: int, n: int, r: int) -> tuple[int, int]:
    """The levels of the maximal supports at inner dimension r."""
    if mode == "columns":
        return min(k1, m), min(k2, n)
    if mode == "rows":
        return min(k1, r), min(k2, r)
    return min(k1, m * r), min(k2, r * n)


def _admissible(S1: np.ndarray, S2: np.ndarray, mode: str, k1: int, k2: int) -> bool:
    n1 = np.asarray([[x != 0 for x in row] for row in np.asarray(S1)], dtype=bool)
    n2 = np.asarray([[x != 0 for x in row] for row in np.asarray(S2)], dtype=bool)
    if mode == "columns":
        return bool(n1.sum(axis=0).max() <= k1 and n2.sum(axis=1).max() <= k2)
    if mode == "rows":
        return bool(n1.sum(axis=1).max() <= k1 and n2.sum(axis=0).max() <= k2)
    return bool(n1.sum() <= k1 and n2.sum() <= k2)


def _n_raw(mode: str, c1: int, c2: int, m: int, n: int, r: int) -> int:
    if mode == "columns":
        return comb(comb(m, c1) * comb(n, c2) + r - 1, r)
    if mode == "rows":
        return comb(r, c1) ** m * comb(r, c2) ** n
    return comb(m * r, c1) * comb(r * n, c2)


def _key(s1: np.ndarray, s2: np.ndarray) -> tuple:
    return tuple(sorted((s1[:, k].tobytes(), s2[k, :].tobytes()) for k in range(s1.shape[1])))


def _candidates(mode: str, c1: int, c2: int, m: int, n: int, r: int
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Maximal support pairs, one per orbit of the permutations of inner indices."""
    if mode == "columns":
        rects = [(I, J) for I in combinations(range(m), c1) for J in combinations(range(n), c2)]
        for pick in combinations_with_replacement(range(len(rects)), r):
            s1 = np.zeros((m, r), dtype=bool)
            s2 = np.zeros((r, n), dtype=bool)
            for k, idx in enumerate(pick):
                s1[list(rects[idx][0]), k] = True
                s2[k, list(rects[idx][1])] = True
            yield s1, s2
        return
    seen = set()
    m2 = "columns" if mode == "rows" else "total"
    for s1, s2 in product(all_supports((m, r), c1, mode=mode),
                          list(all_supports((r, n), c2, mode=m2))):
        key = _key(s1, s2)
        if key not in seen:
            seen.add(key)
            yield s1, s2


def _covers(s1: np.ndarray, s2: np.ndarray, nonzero: np.ndarray) -> bool:
    return not np.any(nonzero & ~((s1.astype(np.int64) @ s2.astype(np.int64)) > 0))


# --------------------------------------------------------------------------------------
# step 1: disjoint rank-one blocks
# --------------------------------------------------------------------------------------

def _blocks(nonzero: np.ndarray) -> tuple[list, list]:
    m, n = nonzero.shape
    i, j = np.nonzero(nonzero)
    g = coo_matrix((np.ones(len(i)), (i, j + m)), shape=(m + n, m + n))
    _, labels = connected_components(g, directed=False)
    rows, cols = [], []
    for lab in np.unique(labels[np.concatenate([i, j + m])]):
        rows.append(np.flatnonzero(labels[:m] == lab))
        cols.append(np.flatnonzero(labels[m:] == lab))
    return rows, cols


def _rank(B: np.ndarray, atol: float | None) -> int:
    if atol is None:
        return rank_exact(B).rank
    s = np.linalg.svd(B, compute_uv=False)
    return int(np.sum(s > atol))


def _block_condition(rows: list, cols: list, mode: str, k1: int, k2: int
                     ) -> tuple[str | None, tuple | None]:
    """(unique condition, None) or (None, (c, c') mixable pair) or (None, None)."""
    c = len(rows)
    R = np.array([len(x) for x in rows])
    C = np.array([len(x) for x in cols])
    if mode == "columns" and (R.max() > k1 or C.max() > k2):
        return None, None
    if mode == "total" and (R.sum() > k1 or C.sum() > k2):
        return None, None
    if c == 1:
        return "a single rank-one block", None
    pairs = [(a, b) for a in range(c) for b in range(c) if a != b]
    if mode == "columns":
        if all(R[a] + R[b] > k1 for a, b in pairs):
            return f"every two blocks together have more than k1 = {k1} rows", None
        if all(C[a] + C[b] > k2 for a, b in pairs):
            return f"every two blocks together have more than k2 = {k2} columns", None
        mix = [(a, b) for a, b in pairs if R[a] + R[b] <= k1 and C[a] + C[b] <= k2]
    elif mode == "rows":
        if k1 == 1 or k2 == 1:
            return f"k{1 if k1 == 1 else 2} = 1: each row of S1 (column of S2) uses one term", None
        mix = [(0, 1)]
    else:
        if k1 < R.sum() + R.min():
            return f"k1 = {k1} < {R.sum()} + {R.min()} (sum and min of the block heights)", None
        if k2 < C.sum() + C.min():
            return f"k2 = {k2} < {C.sum()} + {C.min()} (sum and min of the block widths)", None
        mix = [(a, b) for a, b in pairs if k1 >= R.sum() + R[a] and k2 >= C.sum() + C[b]]
    return None, (mix[0] if mix else None)


def _block_factors(A: np.ndarray, rows: list, cols: list, exact: bool) -> tuple:
    m, n = A.shape
    E = to_exact(A) if exact else A
    zero = E.flat[0] * 0
    U = np.full((m, len(rows)), zero, dtype=E.dtype)
    V = np.full((len(rows), n), zero, dtype=E.dtype)
    for c, (I, J) in enumerate(zip(rows, cols)):
        B = E[np.ix_(I, J)]
        i0, j0 = np.unravel_index(np.argmax(np.abs(np.asarray(B, dtype=complex))), B.shape)
        U[I, c] = B[:, j0]
        V[c, J] = B[i0, :] / B[i0, j0]
    return U, V


def _decide_blocks(A: np.ndarray, nonzero: np.ndarray, mode: str, k1: int, k2: int,
                   r: int | None, atol: float | None, common: dict) -> SparseVerdict | None:
    rows, cols = _blocks(nonzero)
    if not rows or (r is not None and r != len(rows)):
        return None
    E = to_exact(A) if atol is None else A
    if any(_rank(E[np.ix_(I, J)], atol) != 1 for I, J in zip(rows, cols)):
        return None
    condition, mix = _block_condition(rows, cols, mode, k1, k2)
    if condition is None and mix is None:
        return None
    U, V = _block_factors(A, rows, cols, atol is None)
    sup = tuple(np.array([[x != 0 for x in row] for row in F], dtype=bool) for F in (U, V))
    r = len(rows)
    factors = (simplify_exact(U), simplify_exact(V))
    if condition is not None:
        cert = BlockCertificate(tuple(rows), tuple(cols), condition)
        return SparseVerdict("unique", f"A is {r} disjoint rank-one blocks and {condition}: every "
                             "admissible factorization is a rescaled permutation of the blocks",
                             cert, factors, sup, r, **common)
    a, b = mix
    T1, T2 = U.copy(), V.copy()
    T1[:, b] = U[:, b] + U[:, a]            # S1 G with G = I + e_a e_b^T
    T2[a, :] = V[a, :] - V[b, :]            # G^{-1} S2
    alt = (simplify_exact(T1), simplify_exact(T2))
    cert = SparseAlternative(factors, alt, (sup, sup), f"blocks {a} and {b} fit together in the "
                             "levels: mixing them by G = I + e_a e_b^T keeps the product")
    return SparseVerdict("not_unique", cert.explanation, cert, factors, sup, r, **common)


# --------------------------------------------------------------------------------------
# step 2: enumeration
# --------------------------------------------------------------------------------------

def _enumerate(A: np.ndarray, nonzero: np.ndarray, mode: str, k1: int, k2: int, r: int,
               tol: float | None, opts: dict, common: dict) -> tuple[str, Any]:
    """Returns ("proof", SparseProof, first solution or None, undecided verdict or None) or
    ("verdict", SparseVerdict) when a second factorization was found."""
    m, n = A.shape
    c1, c2 = _caps(mode, k1, k2, m, n, r)
    verdicts, pruned, first, undecided = [], 0, None, None
    for s1, s2 in _candidates(mode, c1, c2, m, n, r):
        if not _covers(s1, s2, nonzero):
            pruned += 1
            continue
        v = check_uniqueness(A, s1, s2, tol=tol, **opts)
        verdicts.append(v)
        second = getattr(v.certificate, "factors", None)   # None: a count or fibre proof
        if v.status == "not_unique" and second is not None and v.factors is not None and \
                not same_class(v.factors, second, tol=tol):
            cert = SparseAlternative(v.factors, v.certificate.factors, ((s1, s2), (s1, s2)),
                                     f"two inequivalent factorizations on one admissible support "
                                     f"pair: {v.reason}")
            return "verdict", SparseVerdict("not_unique", cert.explanation, cert, v.factors,
                                            (s1, s2), r, **common)
        if v.factors is None:
            if v.status != "infeasible":
                undecided = undecided or v
            continue
        if v.status != "unique":
            undecided = undecided or v
        if first is None:
            first = v
        elif not same_class(first.factors, v.factors, tol=tol):
            cert = SparseAlternative(first.factors, v.factors,
                                     ((first.support1, first.support2), (s1, s2)),
                                     "two admissible support pairs give inequivalent "
                                     "factorizations")
            return "verdict", SparseVerdict("not_unique", cert.explanation, cert, first.factors,
                                            (first.support1, first.support2), r, **common)
    return "proof", (SparseProof(r, tuple(verdicts), pruned), first, undecided)


def _r_bounds(A: np.ndarray, nonzero: np.ndarray, mode: str, k1: int, k2: int,
              atol: float | None) -> tuple[int, int]:
    m, n = A.shape
    low = max(1, _rank(to_exact(A) if atol is None else A, atol))
    high = {"columns": max(1, int(nonzero.sum())), "rows": min(m * k1, n * k2),
            "total": min(k1, k2)}[mode]
    return low, high


def check_uniqueness_sparse(A: Any, k1: int, k2: int, *, mode: str = "columns",
                            r: int | None = None, tol: float | None = None,
                            max_candidates: int = 20_000, method: str = "auto",
                            max_variables: int = 12) -> SparseVerdict:
    """Decide whether ``A = S1 @ S2`` is unique when only sparsity levels are prescribed.

    Parameters
    ----------
    A : array (m, n)
        Real or complex; exact input, or any float (decided numerically).
    k1, k2 : int >= 1
        Sparsity levels ("at most") of ``S1`` and ``S2``, read according to ``mode``.
    mode : {"columns", "rows", "total"}
        ``"columns"``: per column of S1 and per row of S2 (each rank-one term on a
        ``k1 x k2`` rectangle); ``"rows"``: per row of S1 and per column of S2; ``"total"``:
        nonzeros of each factor.
    r : int, optional
        Inner dimension. Default: the smallest r admitting a factorization (module
        docstring: why this is the meaningful one).
    tol : float, optional
        Decision tolerance (relative to ``max|A|``), passed to every fixed-support check.
        ``None`` (default): exact on exact input; inexact floats are decided numerically at
        ``DEFAULT_RTOL`` (``1e-9``) and the verdict says so (``exact=False``,
        ``tol_source="default"``; :mod:`identifiability.core.policy`).
    max_candidates : int
        Largest number of maximal support pairs enumerated per r; beyond it, and when the
        block criterion does not apply, the answer is ``"undecided"``.
    method, max_variables :
        Passed to every :func:`~identifiability.two_layer.check_uniqueness` call
        (``"auto"``, ``"completion"`` or ``"groebner"``; size limit of the Groebner step).

    Returns
    -------
    SparseVerdict
        ``status``, ``reason``, ``certificate``, ``factors``, ``supports``, ``r``,
        ``verify()``, ``explain()``.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]])
    >>> v = check_uniqueness_sparse(A, 2, 2, mode="columns")
    >>> v.status, v.r                          # rank 3; two terms share a 2 x 2 rectangle
    ('not_unique', 3)
    """
    A = as_matrix(A, "A", _FUNC, allow_object=True)
    k1 = check_int(k1, "k1", _FUNC, low=1)
    k2 = check_int(k2, "k2", _FUNC, low=1)
    mode = check_choice(mode, "mode", _FUNC, _MODES)
    if r is not None:
        r = check_int(r, "r", _FUNC, low=1)
    policy = decision_tolerance(tol, A, func=_FUNC)
    tol = None if policy.exact else (DEFAULT_RTOL if policy.source == "default" else policy.tol)
    max_candidates = check_int(max_candidates, "max_candidates", _FUNC, low=1)
    method = check_choice(method, "method", _FUNC, ("auto", "completion", "groebner"))
    max_variables = check_int(max_variables, "max_variables", _FUNC, low=0)
    field_ = "exact" if tol is None else f"numerical (tol={tol:g}" + (
        ", default)" if policy.source == "default" else ")")
    common = dict(field=field_, mode=mode, k1=k1, k2=k2, A=A, tol=tol, r_given=r is not None,
                  tol_source=policy.source)
    if tol is None:
        atol = None
        nonzero = ~is_zero(to_exact(A), None)
    else:
        atol = tol * float(np.max(np.abs(A)))
        nonzero = ~is_zero(A, atol)
    blocks = _decide_blocks(A, nonzero, mode, k1, k2, r, atol, common)
    if blocks is not None:
        return blocks
    low, high = _r_bounds(A, nonzero, mode, k1, k2, atol)
    if r is not None:
        low, high = (r, r) if r >= low else (low, r)
    if low > high:  # rank(A) terms are needed at least
        return SparseVerdict("infeasible", f"rank(A) = {low} rank-one terms are needed, but "
                             f"{'r = ' + str(r) if r is not None else 'the levels allow'} at most "
                             f"{high}", (), None, None, r, **common)
    opts = dict(method=method, max_variables=max_variables)
    proofs = []
    m, n = A.shape
    for rr in range(low, high + 1):
        c1, c2 = _caps(mode, k1, k2, m, n, rr)
        count = _n_raw(mode, c1, c2, m, n, rr)
        if count > max_candidates:
            return SparseVerdict("undecided", f"r = {rr}: {count} candidate support pairs exceed "
                                 f"max_candidates = {max_candidates}, and A is not a set of "
                                 "disjoint rank-one blocks meeting the level conditions",
                                 tuple(proofs) or None, None, None, rr, **common)
        kind, payload = _enumerate(A, nonzero, mode, k1, k2, rr, tol, opts, common)
        if kind == "verdict":
            return payload
        proof, first, undecided = payload
        proofs.append(proof)
        if undecided is not None:
            return SparseVerdict("undecided", f"r = {rr}: the fixed-support verdict on one "
                                 f"candidate pair is {undecided.status!r}: {undecided.reason}",
                                 tuple(proofs), None, (undecided.support1, undecided.support2),
                                 rr, **common)
        if first is not None:
            return SparseVerdict(
                "unique", f"r = {rr}: all {len(proof.verdicts)} candidate support pairs covering "
                f"A are infeasible or unique with equivalent factors"
                + ("" if r is not None else f" (no factorization with r < {rr})"),
                tuple(proofs), first.factors, (first.support1, first.support2), rr, **common)
    what = f"r = {r}" if r is not None else f"any r (checked {low}..{high}, enough)"
    return SparseVerdict("infeasible", f"no admissible factorization with {what}: every candidate "
                         "support pair is infeasible", tuple(proofs), None, None, r, **common)


# --------------------------------------------------------------------------------------
# verification
# --------------------------------------------------------------------------------------

def _is_factorization(v: SparseVerdict, S1: Any, S2: Any) -> bool:
    S1, S2 = np.asarray(S1), np.asarray(S2)
    if S1.ndim != 2 or S2.ndim != 2 or S1.shape[1] != S2.shape[0] or \
            S1.shape[0] != v.A.shape[0] or S2.shape[1] != v.A.shape[1]:
        return False
    if not _admissible(S1, S2, v.mode, v.k1, v.k2):
        return False
    if v.tol is None and has_algebraic((S1, S2)):        # exact solutions of a Groebner system

        P = to_exact_algebraic(S1).dot(to_exact_algebraic(S2))
        return all(algebraic_is_zero(p - a) for p, a in zip(P.flat, to_exact(v.A).flat))
    masks = [np.ones(S1.shape, bool), np.ones(S2.shape, bool)]
    return is_chain_of((S1, S2), v.A, masks, v.tol)


def _verify_proof(v: SparseVerdict, proof: SparseProof, nonzero: np.ndarray) -> bool:
    m, n = v.A.shape
    c1, c2 = _caps(v.mode, v.k1, v.k2, m, n, proof.r)
    stored = {_key(w.support1, w.support2): w for w in proof.verdicts}
    pruned = 0
    for s1, s2 in _candidates(v.mode, c1, c2, m, n, proof.r):
        if not _covers(s1, s2, nonzero):
            pruned += 1
            continue
        w = stored.pop(_key(s1, s2), None)
        if w is None or w.tol != v.tol or not np.array_equal(w.A, v.A) or not w.verify():
            return False
    return not stored and pruned == proof.n_pruned


def _verify(v: SparseVerdict) -> bool:
    cert = v.certificate
    if v.status == "undecided":
        return True
    if v.status == "not_unique":
        return (isinstance(cert, SparseAlternative) and _is_factorization(v, *cert.first)
                and _is_factorization(v, *cert.second)
                and not same_class(cert.first, cert.second, tol=v.tol))
    if isinstance(cert, BlockCertificate):
        return v.status == "unique" and _verify_blocks(v, cert)
    if not isinstance(cert, tuple):
        return False
    atol = None if v.tol is None else v.tol * float(np.max(np.abs(v.A)))
    nonzero = ~is_zero(to_exact(v.A) if atol is None else v.A, atol)
    if not cert:  # the rank bound
        low, high = _r_bounds(v.A, nonzero, v.mode, v.k1, v.k2, atol)
        return v.status == "infeasible" and low > (v.r if v.r_given else high)
    if not v.r_given:
        low, high = _r_bounds(v.A, nonzero, v.mode, v.k1, v.k2, atol)
        expected = list(range(low, low + len(cert)))
        if v.status == "infeasible":
            expected = list(range(low, high + 1))
    else:
        expected = [v.r]
    if [p.r for p in cert] != expected or not all(_verify_proof(v, p, nonzero) for p in cert):
        return False
    *below, last = cert
    if any(w.status != "infeasible" for p in below for w in p.verdicts):
        return False
    if v.status == "infeasible":
        return all(w.status == "infeasible" for w in last.verdicts)
    feasible = [w for w in last.verdicts if w.status != "infeasible"]
    return (bool(feasible) and all(w.status == "unique" for w in feasible)
            and v.factors is not None and _is_factorization(v, *v.factors)
            and all(same_class(v.factors, w.factors, tol=v.tol) for w in feasible))


def _verify_blocks(v: SparseVerdict, cert: BlockCertificate) -> bool:
    atol = None if v.tol is None else v.tol * float(np.max(np.abs(v.A)))
    E = to_exact(v.A) if atol is None else v.A
    rows, cols = _blocks(~is_zero(E, atol))
    same = len(rows) == len(cert.rows) and all(
        np.array_equal(a, b) for a, b in zip(rows + cols, list(cert.rows) + list(cert.cols)))
    if not same or any(_rank(E[np.ix_(I, J)], atol) != 1 for I, J in zip(rows, cols)):
        return False
    condition, _ = _block_condition(rows, cols, v.mode, v.k1, v.k2)
    return (condition == cert.condition and v.factors is not None
            and (not v.r_given or v.r == len(rows)) and _is_factorization(v, *v.factors))

