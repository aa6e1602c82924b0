"""Equivalence of factorizations modulo permutation and scaling of the inner dimensions.

Two factorizations ``A = F[0] @ F[1] @ ... @ F[L-1]`` (same shapes, real or complex) are
*equivalent* ("equal up to permutation and scaling", docs/theory.rst "Essential uniqueness") when
for every inner dimension ``k = 0, ..., L-2`` (the columns of ``F[k]`` = the rows of
``F[k+1]``, of size ``r_k``) there is a permutation ``p_k`` and nonzero (complex) scales
``d_k`` such that, entry by entry::

    F_b[k][i, j] = F_a[k][p_{k-1}[i], p_k[j]] * d_k[j] / d_{k-1}[i]

with ``p_{-1}``, ``p_{L-1}`` the identity and ``d_{-1} = d_{L-1} = 1`` (the outer dimensions
are fixed). In matrix form ``F_b[k] = D_{k-1}^{-1} P_{k-1}^T F_a[k] P_k D_k`` with
``P_k = I[:, p_k]`` and ``D_k = diag(d_k)``: column ``j`` of ``F_b[k]`` is column ``p_k[j]``
of ``F_a[k]`` times ``d_k[j]``, and row ``j`` of ``F_b[k+1]`` is row ``p_k[j]`` of
``F_a[k+1]`` divided by ``d_k[j]``. Equivalent factorizations have the same product and the
same multiset of rank-one contributions.

How equivalence is decided
--------------------------
The factorization is read as a layered graph: outer nodes (rows of ``F[0]``, columns of
``F[L-1]``) are fixed, inner nodes carry an unknown partner and an unknown scale, and every
entry is an edge constraint. :func:`equivalent` assigns inner nodes of ``factors_b`` one at a
time, each one next to an already assigned neighbour (its scale is then read off that edge),
checks every edge to the assigned nodes, always takes the node with the fewest candidates,
makes forced moves without branching, and backtracks on contradictions. As soon as the
unassigned nodes only touch assigned ones (always the case for L = 2, and for L > 2 once
one side is fixed) their remaining choices are independent and one bipartite matching per
inner dimension (Hopcroft-Karp) finishes the job -- so repeated or parallel columns never
lead to a wrong greedy choice. In exact mode a node may only be matched to a node with the
same degrees and the same *contribution* ``(F[0]...F[k])[:, j] (F[k+1]...F[L-1])[j, :]``
(an invariant, compared through two fixed integer probe vectors on each side), which
prunes almost every branch. Cost: polynomial (about ``sum_k r_k^2`` edge checks) when no two
inner nodes of a dimension look alike, exponential in the size of classes of look-alike
nodes in the worst case (deciding equivalence contains graph isomorphism for L >= 3).

Exactness
---------
The one exactness policy (:mod:`identifiability.core.policy`): with ``tol=None`` and exact
entries (ints, Fractions, dyadic floats, complex numbers with such parts, see
:func:`identifiability.core.to_exact`) the decision is exact over Q or Q(i); on inexact
floats it is numerical at the default relative tolerance ``DEFAULT_RTOL`` and the result
says so (``exact=False``, ``tol_source="default"``, its margin ``relative_residual``). With
``tol`` the comparison is numerical, see :func:`equivalent`.

Examples
--------
>>> import numpy as np
>>> from identifiability.equivalence import equivalent
>>> X, W = np.array([[1, 2], [3, 4]]), np.array([[1, 0], [5, 6]])
>>> res = equivalent([X, W], [X[:, ::-1] * 2, W[::-1] / 2])
>>> bool(res), res.permutations[0].tolist(), [str(d) for d in res.scalings[0]]
(True, [1, 0], ['2', '2'])
>>> G = np.array([[1, 1], [0, 1]])
>>> bool(equivalent([X, W], [X @ G, np.array([[-4, -6], [5, 6]])]))
False
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import networkx as nx
import numpy as np
from networkx.algorithms.bipartite import hopcroft_karp_matching
from sympy.utilities.iterables import multiset_permutations

from .core.display import summary_repr
from .core.exact import (GaussianRational, InexactInputError, algebraic_is_zero, has_algebraic,
                         is_exact, to_exact)
from .core.policy import DEFAULT_RTOL, Tolerance, decision_tolerance
from .core.validation import as_matrix, check_tol, param_error

__all__ = ["OrbitWitness", "Equivalence", "CanonicalForm", "equivalent", "canonical_form",
           "rank_one_contributions", "same_class", "relative_tolerance"]

#: Largest number of orderings of look-alike inner indices that :func:`canonical_form` tries.
MAX_ORDERINGS = 20_000


# --------------------------------------------------------------------------------------
# validation and conversion
# --------------------------------------------------------------------------------------

def _check_matrix(F: Any, name: str, func: str) -> np.ndarray:
    """``as_matrix`` that also accepts exact object arrays holding GaussianRational entries."""
    if isinstance(F, np.ndarray) and F.dtype == object and any(
            isinstance(x, GaussianRational) for x in F.flat):
        proxy = np.array([complex(x) if isinstance(x, GaussianRational) else x for x in F.flat],
                         dtype=object).reshape(F.shape)
        as_matrix(proxy, name, func, allow_object=True)
        return F
    return as_matrix(F, name, func, allow_object=True)


def _as_factors(factors: Any, name: str, func: str,
                like: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Validate a factorization: a sequence of >= 2 matrices whose inner sizes chain."""
    expected = "a list or tuple of at least 2 matrices that chain (F[0] @ F[1] @ ...)"
    if isinstance(factors, np.ndarray) and factors.ndim != 3 or isinstance(factors, (str, bytes)) \
            or not isinstance(factors, (list, tuple, np.ndarray)):
        raise param_error(func, name, expected, factors, kind=TypeError)
    if len(factors) < 2:
        raise param_error(func, name, expected, f"{len(factors)} matrix(es)", raw=True)
    mats = [_check_matrix(F, f"{name}[{i}]", func) for i, F in enumerate(factors)]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise param_error(func, f"{name}[{i + 1}]", f"a matrix with {mats[i].shape[1]} rows "
                              f"(the columns of {name}[{i}])", f"shape {mats[i + 1].shape}",
                              raw=True)
    if like is not None:
        if len(mats) != len(like):
            raise param_error(func, name, f"a sequence of {len(like)} matrices (as many as "
                              "factors_a)", f"{len(mats)} matrices", raw=True)
        for i, (F, G) in enumerate(zip(mats, like)):
            if F.shape != G.shape:
                raise param_error(func, f"{name}[{i}]", f"a matrix of shape {G.shape} (the shape "
                                  f"of factors_a[{i}])", f"shape {F.shape}", raw=True)
    return mats


def _to_field(mats: list[np.ndarray], exact: bool, name: str, func: str
              ) -> list[np.ndarray]:
    """Exact object arrays or float/complex arrays (real input stays real)."""
    if exact:
        try:
            return [to_exact(M) for M in mats]
        except InexactInputError as exc:
            raise param_error(func, name, "exact entries when decided exactly", str(exc),
                              raw=True) from exc
    return [_numeric(M) for M in mats]


def _numeric(M: np.ndarray) -> np.ndarray:
    """Float (or complex, when some entry is not real) copy of an exact or integer array."""
    if M.dtype == object:
        vals = [complex(x) for x in M.flat]
        real = all(v.imag == 0 for v in vals)
        return np.array([v.real for v in vals] if real else vals,
                        dtype=float if real else complex).reshape(M.shape)
    return M.astype(float) if M.dtype.kind in "iu" else M


# --------------------------------------------------------------------------------------
# arithmetic helpers shared by the exact and the numerical mode
# --------------------------------------------------------------------------------------

def _one(exact: bool, size: int) -> np.ndarray:
    return np.full(size, Fraction(1), dtype=object) if exact else np.ones(size)


def _entry_key(x: Any) -> tuple:
    """A sortable, hashable key for one entry (exact or float)."""
    if isinstance(x, GaussianRational):
        return (x.re, x.im)
    if isinstance(x, Fraction):
        return (x, Fraction(0))
    return (float(np.real(x)), float(np.imag(x)))


def _vector_key(v: np.ndarray) -> tuple:
    return tuple(_entry_key(x) for x in v)


def _nonzero(v: np.ndarray) -> np.ndarray:
    """Indices of the nonzero entries (exact zero test in both modes)."""
    return np.flatnonzero(np.array([x != 0 for x in v], dtype=bool)) if v.dtype == object \
        else np.flatnonzero(v)


def _normalised_pair(left: np.ndarray, right: np.ndarray) -> tuple:
    """Key of ``(left * c, right / c)`` with c making ``left``'s first nonzero entry 1
    (or, if ``left`` is zero, ``right``'s first nonzero entry 1): invariant under scaling."""
    nz = _nonzero(left)
    if nz.size:
        c = left[nz[0]]
        return _vector_key(left / c), _vector_key(right * c)
    nz = _nonzero(right)
    if nz.size:
        return _vector_key(left), _vector_key(right / right[nz[0]])
    return _vector_key(left), _vector_key(right)


def _transform(F: list[np.ndarray], perms: Sequence[np.ndarray], scales: Sequence[np.ndarray],
               exact: bool) -> list[np.ndarray]:
    """``G[k][i, j] = F[k][p_{k-1}[i], p_k[j]] * d_k[j] / d_{k-1}[i]`` (outer dims fixed)."""
    L = len(F)
    p = [np.arange(F[0].shape[0])] + [np.asarray(q) for q in perms] + \
        [np.arange(F[-1].shape[1])]
    d = [_one(exact, F[0].shape[0])] + list(scales) + [_one(exact, F[-1].shape[1])]
    return [F[k][np.ix_(p[k], p[k + 1])] * d[k + 1][None, :] / d[k][:, None] for k in range(L)]


def _scales_b(Fb: list[np.ndarray]) -> list[float]:
    """Reference magnitude of each factor of b for the numerical mode (1.0 for a zero factor)."""
    out = []
    for M in Fb:
        s = float(np.max(np.abs(M)))
        out.append(s if s > 0 else 1.0)
    return out


def _deviation(Fb: list[np.ndarray], G: list[np.ndarray], exact: bool) -> tuple[float, float]:
    """(max abs deviation, max deviation relative to each factor's reference magnitude)."""
    if exact:
        same = all(bool(np.all(B == T)) for B, T in zip(Fb, G))
        return (0.0, 0.0) if same else (math.inf, math.inf)
    scales = _scales_b(Fb)
    dev = [float(np.max(np.abs(B - T))) for B, T in zip(Fb, G)]
    return max(dev), max(e / s for e, s in zip(dev, scales))


def _probes(F: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two fixed integer probe vectors on the rows of F[0] and on the columns of F[L-1]
    (fixed seed: the outer dimensions are not permuted, so the probes are canonical)."""
    gen = np.random.default_rng(20240607)
    U = gen.integers(1, 2**20, size=(F[0].shape[0], 2))
    W = gen.integers(1, 2**20, size=(F[-1].shape[1], 2))
    return U, W


def _projected_chain(F: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``left[k] = (F[0]...F[k])^T U`` and ``right[k] = F[k]...F[L-1] W`` for the probes,
    computed with matrix-vector products only."""
    U, W = _probes(F)
    left = [F[0].T.dot(U)]
    for M in F[1:]:
        left.append(M.T.dot(left[-1]))
    right = [F[-1].dot(W)]
    for M in F[-2::-1]:
        right.insert(0, M.dot(right[0]))
    return left, right


def _contribution_keys(F: list[np.ndarray]) -> list[list[tuple]]:
    """For each inner dimension k, a key per index j, invariant under permutation/scaling:
    the degrees of node j and the normalised pair ``(u_i^T P[:, j], S[j] w_i)``, i = 1, 2,
    where ``P = F[0]...F[k]``, ``S = F[k+1]...F[L-1]`` (``P[:, j] S[j]`` is the
    contribution of j to the product) and u_i, w_i are fixed integer probes."""
    left, right = _projected_chain(F)
    return [[(len(_nonzero(F[k][:, j])), len(_nonzero(F[k + 1][j])))
             + _normalised_pair(left[k][j], right[k + 1][j]) for j in range(F[k].shape[1])]
            for k in range(len(F) - 1)]


# --------------------------------------------------------------------------------------
# the result
# --------------------------------------------------------------------------------------

def relative_tolerance(t: Tolerance) -> float | None:
    """The relative tolerance a deciding function of this family works with.

    The orbit decisions (:func:`equivalent` here, :func:`identifiability.relu.equivalent`)
    take ``tol`` relative to the scale of their input; the policy's default on inexact
    input is then :data:`~identifiability.core.DEFAULT_RTOL` itself (``None``: exact).
    """
    if t.exact:
        return None
    return t.tol if t.source == "given" else DEFAULT_RTOL


@dataclass(frozen=True, eq=False)
class OrbitWitness:
    """Base of the symmetry-orbit results (:class:`Equivalence`, ReLU's equivalence).

    Truthy iff the two objects are in the same orbit; ``permutations`` and ``scalings`` are
    the witness (one array per inner dimension / hidden layer), ``residual`` the largest
    deviation after applying it, ``tol`` the tolerance used (None: exact decision).

    Attributes
    ----------
    tol_source : str
        How the decision was made (the exactness policy,
        :mod:`identifiability.core.policy`): ``"exact input"`` (exact arithmetic),
        ``"given"`` (the caller's ``tol``) or ``"default"`` (inexact floats without ``tol``:
        a numerical decision at ``DEFAULT_RTOL``).
    relative_residual : float
        The margin of a positive numerical answer: the largest mismatch after applying the
        witness, relative to the scale ``tol`` is relative to (0.0 when exact, ``inf`` when
        not equivalent). The answer is clear when it is far below ``tol``.
    """

    equivalent: bool
    permutations: tuple
    scalings: tuple
    reason: str
    residual: float
    tol: float | None = None
    tol_source: str = "exact input"
    relative_residual: float = 0.0

    @property
    def exact(self) -> bool:
        """True when decided in exact arithmetic (``tol is None``)."""
        return self.tol is None

    def __bool__(self) -> bool:
        return self.equivalent

    def __repr__(self) -> str:
        fields: dict = {"equivalent": self.equivalent}
        if self.equivalent:
            sizes = [int(np.size(p)) for p in self.permutations]
            if sum(sizes) <= 12:
                fields["permutations"] = [np.asarray(p).tolist() for p in self.permutations]
            else:
                fields["sizes"] = sizes
            fields["residual"] = float(f"{self.residual:.3g}")
        else:
            fields["reason"] = self.reason
        fields["exact"] = self.exact
        if not self.exact:
            fields["tol"] = self.tol
            fields["tol_source"] = self.tol_source
        return summary_repr(type(self).__name__, **fields)

    def _how(self) -> str:
        if self.exact:
            return "decided in exact arithmetic"
        how = {"given": "the tolerance given", "default": "the default tolerance "
               "(inexact input, no tol given)"}.get(self.tol_source, self.tol_source)
        margin = (f"; largest relative mismatch after the witness {self.relative_residual:.3g}"
                  if self.equivalent else "")
        return f"numerical decision at tol = {self.tol:.3g} ({how}){margin}"


@dataclass(frozen=True, eq=False, repr=False)
class Equivalence(OrbitWitness):
    """Outcome of :func:`equivalent`; truthy iff the two factorizations are equivalent.

    Attributes
    ----------
    equivalent : bool
    permutations : tuple of int arrays
        One per inner dimension k = 0..L-2 (empty when not equivalent): column ``j`` of
        ``factors_b[k]`` (and row ``j`` of ``factors_b[k+1]``) comes from column
        ``permutations[k][j]`` of ``factors_a[k]`` (row ``permutations[k][j]`` of
        ``factors_a[k+1]``).
    scalings : tuple of arrays
        ``scalings[k][j]`` multiplies that column and divides that row:
        ``factors_b[k][i, j] = factors_a[k][p_{k-1}[i], p_k[j]] * d_k[j] / d_{k-1}[i]``.
        Exact (Fraction / GaussianRational object arrays) when decided with ``tol=None``.
    reason : str
        Why they are (or are not) equivalent.
    residual : float
        Largest absolute deviation ``|factors_b - apply(factors_a)|`` (0.0 when exact;
        ``inf`` when not equivalent).
    tol : float or None
        The tolerance used (None: exact decision).
    """

    def explain(self) -> str:
        """A short human-readable account of the decision and the witness."""
        if not self.equivalent:
            return f"Not equivalent: {self.reason}.\n  {self._how()}."
        lines = [f"Equivalent ({'exact' if self.tol is None else f'tol={self.tol}'}, "
                 f"residual {self.residual:.3g}):"]
        for k, (p, d) in enumerate(zip(self.permutations, self.scalings)):
            pairs = [f"{j}<-{int(i)} (x {x})" for j, (i, x) in enumerate(zip(p, d))]
            more = f", ... ({len(pairs) - 8} more)" if len(pairs) > 8 else ""
            lines.append(f"  inner dimension {k} (columns of factors[{k}]): "
                         f"{', '.join(pairs[:8])}{more}")
        lines.append(f"  {self._how()}.")
        return "\n".join(lines)

    def apply(self, factors_a: Sequence[Any]) -> list[np.ndarray]:
        """Transform ``factors_a`` with the witness (should give ``factors_b``).

        Exact object arrays when the witness is exact and ``factors_a`` is exact, float or
        complex arrays otherwise.

        >>> res = equivalent([[[1, 2]], [[3], [4]]], [[[2, 2]], [[4], [1.5]]])
        >>> [M.tolist() for M in res.apply([[[1, 2]], [[3], [4]]])]
        [[[Fraction(2, 1), Fraction(2, 1)]], [[Fraction(4, 1)], [Fraction(3, 2)]]]
        """
        func = "Equivalence.apply"
        if not self.equivalent:
            raise param_error(func, "self", "a positive result (equivalent=True), which "
                              "carries a witness", f"a negative result: not equivalent ({self.reason})",
                              raw=True)
        F = _as_factors(factors_a, "factors_a", func)
        sizes = [p.size for p in self.permutations]
        if len(F) != len(sizes) + 1 or any(F[k].shape[1] != s for k, s in enumerate(sizes)):
            raise param_error(func, "factors_a", f"{len(sizes) + 1} matrices with inner sizes "
                              f"{sizes}", f"shapes {[M.shape for M in F]}", raw=True)
        exact = self.tol is None
        if exact:
            try:
                F = [to_exact(M) for M in F]
            except InexactInputError:
                exact = False
        if not exact:
            F = [_numeric(M) for M in F]
        scales = self.scalings if exact else [_numeric(d) for d in self.scalings]
        return _transform(F, self.permutations, scales, exact)

    def verify(self, factors_a: Sequence[Any], factors_b: Sequence[Any], *,
               tol: float | None = None) -> bool:
        """Re-check the witness: ``apply(factors_a) == factors_b`` (exactly, or within
        ``tol`` relative to each factor's largest entry of ``factors_b``). Without ``tol``
        the check is exact on exact input, and otherwise uses the tolerance of the decision
        (or :data:`~identifiability.core.DEFAULT_RTOL` for inexact input).

        >>> a, b = [[[1, 2]], [[3], [4]]], [[[2, 2]], [[4], [1.5]]]
        >>> equivalent(a, b).verify(a, b)
        True
        """
        func = "Equivalence.verify"
        tol = check_tol(tol, "tol", func)
        if not self.equivalent:
            return False
        G = self.apply(factors_a)
        Fa = _as_factors(factors_a, "factors_a", func)
        Fb = _as_factors(factors_b, "factors_b", func, like=Fa)
        if tol is None and not (self.exact and all(is_exact(M) for M in Fa + Fb)):
            # the policy: the tolerance of the decision, or the default on inexact input
            tol = self.tol if self.tol is not None else DEFAULT_RTOL
        exact = tol is None
        if exact:
            G, Fb = [to_exact(M) for M in G], [to_exact(M) for M in Fb]
        else:
            G, Fb = [_numeric(M) for M in G], [_numeric(M) for M in Fb]
        return _deviation(Fb, G, exact)[1] <= (0.0 if exact else tol)


# --------------------------------------------------------------------------------------
# the search
# --------------------------------------------------------------------------------------

class _Search:
    """Backtracking search for a witness mapping factorization a onto factorization b.

    Layers t = 0..L: layer 0 = rows of F[0], layer L = columns of F[L-1], layer t (inner)
    = inner dimension t-1. ``pi[t][v]`` is the a-node of b-node v, ``d[t][v]`` its scale.
    """

    def __init__(self, Fa: list[np.ndarray], Fb: list[np.ndarray], tol: float | None):
        self.Fa, self.Fb, self.tol = Fa, Fb, tol
        self.exact = tol is None
        self.L = L = len(Fa)
        self.sizes = [Fa[0].shape[0]] + [M.shape[1] for M in Fa]
        self.bound = [0.0] * L if self.exact else [tol * s for s in _scales_b(Fb)]
        self.pi = [np.arange(s) if t in (0, L) else np.full(s, -1)
                   for t, s in enumerate(self.sizes)]
        self.inv = [p.copy() for p in self.pi]
        self.d = [_one(self.exact, s) if t in (0, L) else
                  np.empty(s, dtype=object if self.exact else complex)
                  for t, s in enumerate(self.sizes)]
        # b adjacency (entries above the tolerance) and a adjacency (exact nonzeros)
        self.b_left, self.b_right, self.a_adj = {}, {}, {}
        for t in range(1, L):
            for v in range(self.sizes[t]):
                self.b_left[t, v] = self._big(Fb[t - 1][:, v], t - 1)
                self.b_right[t, v] = self._big(Fb[t][v], t)
                self.a_adj[t, v] = (_nonzero(Fa[t - 1][:, v]), _nonzero(Fa[t][v]))
        if self.exact:
            ka, kb = _contribution_keys(Fa), _contribution_keys(Fb)
            self.key_a = [None] + ka + [None]
            self.key_b = [None] + kb + [None]
        self.unassigned = {(t, v) for t in range(1, L) for v in range(self.sizes[t])}
        self.trail: list[tuple[int, int]] = []
        self.branches = 0

    def _big(self, v: np.ndarray, k: int) -> np.ndarray:
        return _nonzero(v) if self.exact else np.flatnonzero(np.abs(v) > self.bound[k])

    def _same(self, lhs: np.ndarray, rhs: np.ndarray, k: int) -> bool:
        if self.exact:
            return all(x == y for x, y in zip(lhs, rhs))
        return bool(np.all(np.abs(lhs - rhs) <= self.bound[k]))

    # state changes
    def _assign(self, t: int, v: int, x: int, s: Any) -> None:
        self.pi[t][v], self.inv[t][x], self.d[t][v] = x, v, s
        self.unassigned.discard((t, v))
        self.trail.append((t, v))

    def _undo(self, mark: int) -> None:
        while len(self.trail) > mark:
            t, v = self.trail.pop()
            self.inv[t][self.pi[t][v]] = -1
            self.pi[t][v] = -1
            self.unassigned.add((t, v))

    # candidates
    def _anchor(self, t: int, v: int) -> tuple[int, int] | None:
        """An assigned neighbour (layer, index) with a nonzero b-edge, largest edge first."""
        best, best_val = None, -1.0
        for side, idx in ((t - 1, self.b_left[t, v]), (t + 1, self.b_right[t, v])):
            for u in idx:
                if self.pi[side][u] >= 0:
                    w = self.Fb[t - 1][u, v] if side < t else self.Fb[t][v, u]
                    if self.exact:
                        return side, int(u)
                    if abs(w) > best_val:
                        best, best_val = (side, int(u)), abs(w)
        return best

    def _is_local(self, t: int, v: int) -> bool:
        return all(self.pi[t - 1][u] >= 0 for u in self.b_left[t, v]) and \
            all(self.pi[t + 1][u] >= 0 for u in self.b_right[t, v])

    def _consistent(self, t: int, v: int, x: int, s: Any) -> bool:
        """Every edge between (t, v) -> x and the assigned nodes of layers t-1, t+1 matches."""
        U = np.flatnonzero(self.pi[t - 1] >= 0)
        if U.size:
            rhs = self.Fa[t - 1][self.pi[t - 1][U], x] * s / self.d[t - 1][U]
            if not self._same(self.Fb[t - 1][U, v], rhs, t - 1):
                return False
        W = np.flatnonzero(self.pi[t + 1] >= 0)
        if W.size:
            rhs = self.Fa[t][x, self.pi[t + 1][W]] * self.d[t + 1][W] / s
            if not self._same(self.Fb[t][v, W], rhs, t):
                return False
        return True

    def _candidates(self, t: int, v: int, anchor: tuple[int, int] | None) -> list[tuple]:
        free = np.flatnonzero(self.inv[t] < 0)
        if anchor is None:  # isolated node or root of a component with no assigned node
            pairs = [(int(x), Fraction(1) if self.exact else 1.0) for x in free]
        else:
            side, u = anchor
            au = self.pi[side][u]
            if side < t:
                col = self.Fa[t - 1][au, free]
                pairs = [(int(x), self.Fb[t - 1][u, v] * self.d[side][u] / a)
                         for x, a in zip(free, col) if a != 0]
            else:
                row = self.Fa[t][free, au]
                pairs = [(int(x), a * self.d[side][u] / self.Fb[t][v, u])
                         for x, a in zip(free, row) if a != 0]
        if self.exact:
            key = self.key_b[t][v]
            pairs = [(x, s) for x, s in pairs if self.key_a[t][x] == key]
        return [(x, s) for x, s in pairs if self._consistent(t, v, x, s)]

    def _a_settled(self, t: int, x: int) -> bool:
        """All exact a-neighbours of a-node x are images of assigned b-nodes."""
        left, right = self.a_adj[t, x]
        return all(self.inv[t - 1][y] >= 0 for y in left) and \
            all(self.inv[t + 1][y] >= 0 for y in right)

    def _match_locals(self, cands: dict) -> bool:
        """All unassigned b-nodes only touch assigned nodes: one matching per layer."""
        chosen = []
        for t in range(1, self.L):
            nodes = [v for (tt, v) in self.unassigned if tt == t]
            if not nodes:
                continue
            G = nx.Graph()
            top = [("b", v) for v in nodes]
            G.add_nodes_from(top)
            scale = {}
            for v in nodes:
                for x, s in cands[t, v]:
                    if not self.exact or self._a_settled(t, x):
                        G.add_edge(("b", v), ("a", x))
                        scale[v, x] = s
            match = hopcroft_karp_matching(G, top_nodes=top)
            if any(n not in match for n in top):
                return False
            chosen += [(t, v, match["b", v][1], scale[v, match["b", v][1]]) for v in nodes]
        for t, v, x, s in chosen:
            self._assign(t, v, x, s)
        return True

    def solve(self) -> bool:
        mark = len(self.trail)
        while True:
            if not self.unassigned:
                return True
            cands, changed = {}, False
            for t, v in sorted(self.unassigned):
                if (t, v) not in self.unassigned:
                    continue
                anchor = self._anchor(t, v)
                if anchor is None and not self._is_local(t, v):
                    continue
                c = self._candidates(t, v, anchor)
                if not c:
                    self._undo(mark)
                    return False
                if len(c) == 1:
                    self._assign(t, v, *c[0])
                    changed = True
                else:
                    cands[t, v] = c
            if changed:
                continue
            open_nodes = sorted(n for n in self.unassigned if not self._is_local(*n))
            if not open_nodes:
                if self._match_locals(cands):
                    return True
                self._undo(mark)
                return False
            anchored = [n for n in open_nodes if n in cands]
            node = min(anchored, key=lambda n: len(cands[n])) if anchored else open_nodes[0]
            options = cands[node] if anchored else self._candidates(*node, None)
            for x, s in options:
                self.branches += 1
                inner = len(self.trail)
                self._assign(*node, x, s)
                if self.solve():
                    return True
                self._undo(inner)
            self._undo(mark)
            return False


# --------------------------------------------------------------------------------------
# reasons for a negative answer
# --------------------------------------------------------------------------------------

def _parallel(u: np.ndarray, v: np.ndarray, bound: float | None) -> bool:
    """u == c v for some nonzero c (exactly, or within ``bound`` entrywise)."""
    if bound is None:
        return _normalised_pair(u, u[:0])[0] == _normalised_pair(v, v[:0])[0]
    iu, iv = np.abs(u) > bound, np.abs(v) > bound
    if not iu.any() or not iv.any():
        return not iu.any() and not iv.any()
    i = int(np.argmax(np.abs(v)))
    return v[i] != 0 and bool(np.all(np.abs(u - (u[i] / v[i]) * v) <= bound))


def _reason(Fa: list[np.ndarray], Fb: list[np.ndarray], tol: float | None,
            search: _Search) -> str:
    exact = tol is None
    L = len(Fa)
    if exact:
        for k in range(L):
            na, nb = int(np.sum(Fa[k] != 0)), int(np.sum(Fb[k] != 0))
            if na != nb:
                return f"factors_a[{k}] has {na} nonzero entries but factors_b[{k}] has {nb}"
    bounds = [None if exact else b for b in search.bound]
    for i in range(Fa[0].shape[1]):
        if not any(_parallel(Fb[0][:, j], Fa[0][:, i], bounds[0])
                   for j in range(Fb[0].shape[1])):
            return f"no column of factors_b[0] is parallel to column {i} of factors_a[0]"
    for i in range(Fa[-1].shape[0]):
        if not any(_parallel(Fb[-1][j], Fa[-1][i], bounds[-1]) for j in range(Fb[-1].shape[0])):
            return f"no row of factors_b[{L - 1}] is parallel to row {i} of factors_a[{L - 1}]"
    if exact:
        for k in range(L - 1):
            kb = search.key_b[k + 1]
            for i, key in enumerate(search.key_a[k + 1]):
                if key not in kb:
                    what = (f"column {i} of factors_a[{k}] with row {i} of factors_a[{k + 1}]"
                            if L == 2 else f"inner index {i} of dimension {k}")
                    return (f"{what} contributes a rank-one term to the product that no inner "
                            "index of factors_b contributes")
        pa, pb = _projected_chain(Fa)[1][0], _projected_chain(Fb)[1][0]
        if not all(x == y for x, y in zip(pa.flat, pb.flat)):  # sound: A_a w != A_b w
            return "the products differ"
    how = "exactly" if exact else f"within tol={tol:.3g}"
    return (f"no permutation and scaling of the inner dimensions maps factors_a to factors_b "
            f"{how} (exhaustive search, {search.branches} branch(es))")


# --------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------

def equivalent(factors_a: Sequence[Any], factors_b: Sequence[Any], *,
               tol: float | None = None) -> Equivalence:
    """Decide whether two factorizations differ only by permutation and scaling.

    Parameters
    ----------
    factors_a, factors_b : sequence of 2-D arrays
        Factorizations ``F[0] @ ... @ F[L-1]`` (L >= 2) with identical shapes; real or
        complex; exact object arrays (Fractions, ...) are accepted.
    tol : float or None, default None
        None: exact decision over Q / Q(i) when every entry is exact (see the module
        docstring); on inexact floats, a numerical decision at the default relative
        tolerance :data:`~identifiability.core.DEFAULT_RTOL` (the exactness policy of
        :mod:`identifiability.core.policy`; the result says ``exact=False``,
        ``tol_source="default"`` and records its margin ``relative_residual``). A positive
        float: the factorizations are declared equivalent when a witness gives
        ``|factors_b[k][i, j] - apply(factors_a)[k][i, j]| <= tol * max|factors_b[k]|`` for
        every factor k and entry (i, j) (``max|factors_b[k]|`` replaced by 1 for a zero
        factor); entries of ``factors_b`` at most ``tol * max|factors_b[k]|`` in modulus
        count as zeros when choosing candidates. Scales are read off one entry (the largest
        available), so cases within a small factor of the threshold may be answered
        conservatively (not equivalent).

    Returns
    -------
    Equivalence
        Truthy iff equivalent, with the witness (``permutations``, ``scalings``), a
        ``reason``, the ``residual`` and ``apply`` / ``verify`` to re-check the witness.

    Notes
    -----
    ``factors_b[k][i, j] = factors_a[k][p_{k-1}[i], p_k[j]] * d_k[j] / d_{k-1}[i]`` with
    ``p_k = permutations[k]``, ``d_k = scalings[k]`` (outer dimensions fixed). Zero columns
    are handled through their partner rows (and vice versa), parallel or repeated columns by
    bipartite matching, L > 2 by backtracking (module docstring: method and cost).

    Examples
    --------
    >>> import numpy as np
    >>> X, Y = np.eye(2), np.eye(2)
    >>> c, s = np.cos(0.3), np.sin(0.3)
    >>> R = np.array([[c, -s], [s, c]])
    >>> equivalent([X, Y], [R, R.T], tol=1e-9).equivalent      # C02: a rotation
    False
    >>> res = equivalent([X, Y], [X[:, ::-1] * 1j, Y[::-1] / 1j], tol=1e-12)
    >>> res.permutations[0].tolist(), res.scalings[0].tolist()
    ([1, 0], [1j, 1j])
    """
    func = "equivalent"
    A = _as_factors(factors_a, "factors_a", func)
    B = _as_factors(factors_b, "factors_b", func, like=A)
    policy = decision_tolerance(tol, *A, *B, func=func)
    tol = relative_tolerance(policy)
    exact = tol is None
    Fa, Fb = _to_field(A, exact, "factors_a", func), _to_field(B, exact, "factors_b", func)
    search = _Search(Fa, Fb, tol)
    if search.solve():
        perms = tuple(search.pi[t].copy() for t in range(1, len(Fa)))
        scales = tuple(search.d[t].copy() for t in range(1, len(Fa)))
        if tol is not None and not any(np.iscomplexobj(M) for M in Fa + Fb):
            scales = tuple(d.real.copy() for d in scales)
        dev, rel = _deviation(Fb, _transform(Fa, perms, scales, tol is None), tol is None)
        if rel <= (0.0 if tol is None else tol):
            how = "exactly" if tol is None else _within(tol, policy)
            return Equivalence(True, perms, scales, f"equivalent {how}: factors_b = "
                               "factors_a with permuted and rescaled inner dimensions", dev, tol,
                               policy.source, rel)
    return Equivalence(False, (), (), _reason(Fa, Fb, tol, search), math.inf, tol,
                       policy.source, math.inf)


def _within(tol: float, policy: Tolerance) -> str:
    return f"within tol={tol:.3g}" + (" (the default tolerance: inexact input)"
                                     if policy.source == "default" else "")


def _gauge_fix(G: list[np.ndarray], exact: bool) -> list[np.ndarray]:
    """Scales making every edge of a BFS forest 1 (roots: the outer nodes, then the first
    inner node of each remaining component); isolated inner nodes keep scale 1."""
    L = len(G)
    sizes = [G[0].shape[0]] + [M.shape[1] for M in G]
    d: list[list] = [[None] * s for s in sizes]
    one = Fraction(1) if exact else 1.0
    d[0], d[L] = [one] * sizes[0], [one] * sizes[L]

    def spread(queue: deque) -> None:
        while queue:
            t, i = queue.popleft()
            if t + 1 <= L - 1:
                for j in _nonzero(G[t][i]):
                    if d[t + 1][j] is None:
                        d[t + 1][j] = d[t][i] / G[t][i, j]
                        queue.append((t + 1, j))
            if t - 1 >= 1:
                for j in _nonzero(G[t - 1][:, i]):
                    if d[t - 1][j] is None:
                        d[t - 1][j] = G[t - 1][j, i] * d[t][i]
                        queue.append((t - 1, j))

    spread(deque([(0, i) for i in range(sizes[0])] + [(L, j) for j in range(sizes[L])]))
    for t in range(1, L):
        for i in range(sizes[t]):
            if d[t][i] is None:
                d[t][i] = one
                spread(deque([(t, i)]))
    dtype = object if exact else np.result_type(*G)
    scales = [np.array(d[t], dtype=dtype) for t in range(1, L)]
    return _transform(G, [np.arange(s) for s in sizes[1:L]], scales, exact)


def _orderings(F: list[np.ndarray], keys: list[list[tuple]]):
    """Yield, for each inner dimension, orders sorted by the invariant keys, running over
    the distinct orders of look-alike indices (twins -- indices exchanged by an
    automorphism -- are not reordered among themselves)."""
    groups, total = [], 1
    for k, kk in enumerate(keys):
        order = sorted(range(len(kk)), key=lambda j: kk[j])
        for _, g in itertools.groupby(order, key=lambda j: kk[j]):
            twin: dict = {}
            for j in g:
                twin.setdefault(_normalised_pair(F[k][:, j], F[k + 1][j]), []).append(j)
            classes = list(twin.values())
            groups.append((k, classes))
            total *= math.factorial(sum(map(len, classes))) // math.prod(
                math.factorial(len(c)) for c in classes)
    if total > MAX_ORDERINGS:
        raise param_error("canonical_form", "factors", "a factorization with at most "
                          f"{MAX_ORDERINGS} orderings of look-alike inner indices (use "
                          "equivalent() for very symmetric factorizations)",
                          f"one with {total} (too symmetric for a canonical form)", raw=True)
    choices = [_multiset_orders(classes) for _, classes in groups]
    for combo in itertools.product(*choices):
        orders: list[list[int]] = [[] for _ in keys]
        for (k, _), part in zip(groups, combo):
            orders[k] += part
        yield [np.array(o, dtype=int) for o in orders]


def _multiset_orders(classes: list[list[int]]) -> list[list[int]]:
    """Distinct orders of the members of ``classes`` up to reordering inside a class."""
    labels = [c for c, members in enumerate(classes) for _ in members]
    out = []
    for perm in multiset_permutations(labels):
        it = [iter(c) for c in classes]
        out.append([next(it[c]) for c in perm])
    return out


def canonical_form(factors: Sequence[Any], *, tol: float | None = None) -> list[np.ndarray]:
    """A representative of the equivalence class of a factorization.

    Two factorizations are equivalent (see :func:`equivalent`) iff their canonical forms
    are equal. Construction: inner indices of each dimension are sorted by a key invariant
    under permutation and scaling (their degrees and their normalised contribution
    ``(F[0]...F[k])[:, j] (F[k+1]...F[L-1])[j, :]``); for each admissible order the scales
    are fixed by setting to 1 the edges of a breadth-first forest grown from the outer
    indices (so a column of ``F[k]`` is normalised through its partner row when it is zero);
    among the orders of look-alike indices the lexicographically smallest result is kept.
    Cost: one pass per admissible order, i.e. polynomial unless many inner indices have
    the same contribution (limit :data:`MAX_ORDERINGS`, ``ValueError`` beyond).

    Parameters
    ----------
    factors : sequence of 2-D arrays
        ``F[0] @ ... @ F[L-1]``, L >= 2, real or complex.
    tol : float or None, default None
        None: exact arithmetic when every entry is exact; returns object arrays of
        ``Fraction`` / ``GaussianRational``. On inexact floats without ``tol``: float
        arithmetic at the default relative tolerance
        :data:`~identifiability.core.DEFAULT_RTOL` (the exactness policy; the result says
        so). A float: float / complex arithmetic; entries with modulus at most ``tol * max|F[k]|`` are first set to
        zero. Equal canonical forms (within tol) then still imply equivalence (within about
        tol), but near-ties between invariant keys can order look-alike indices differently,
        so for numerical data decide with :func:`equivalent` rather than by comparing these.

    Returns
    -------
    CanonicalForm
        A ``list`` of arrays that also records ``exact``, ``tol`` and ``tol_source``.

    Examples
    --------
    >>> import numpy as np
    >>> X, W = np.array([[1, 2], [3, 4]]), np.array([[1, 0], [5, 6]])
    >>> ca = canonical_form([X, W])
    >>> cb = canonical_form([X[:, ::-1] * 2, W[::-1] / 2])
    >>> all((P == Q).all() for P, Q in zip(ca, cb)), [str(x) for x in ca[0].flat]
    (True, ['1', '1', '3', '2'])
    """
    func = "canonical_form"
    mats = _as_factors(factors, "factors", func)
    policy = decision_tolerance(tol, *mats, func=func)
    tol = relative_tolerance(policy)
    exact = tol is None
    F = _to_field(mats, exact, "factors", func)
    if not exact:
        F = [np.where(np.abs(M) <= tol * np.max(np.abs(M)), 0, M) for M in F]
    keys = _contribution_keys(F)
    best, best_key = None, None
    for orders in _orderings(F, keys):
        perms = [np.arange(F[0].shape[0])] + orders + [np.arange(F[-1].shape[1])]
        G = _gauge_fix([F[k][np.ix_(perms[k], perms[k + 1])] for k in range(len(F))], exact)
        key = tuple(_vector_key(M.ravel()) for M in G)
        if best_key is None or key < best_key:
            best, best_key = G, key
    return CanonicalForm(best, tol=tol, tol_source=policy.source)


class CanonicalForm(list):
    """The list of factors returned by :func:`canonical_form`, with how it was computed.

    A plain ``list`` of arrays, plus ``exact`` (True: exact arithmetic), ``tol`` (the
    relative tolerance used, None when exact) and ``tol_source`` (``"exact input"``,
    ``"given"`` or ``"default"``: inexact floats without ``tol``).
    """

    def __init__(self, factors: Sequence[np.ndarray], *, tol: float | None = None,
                 tol_source: str = "exact input") -> None:
        super().__init__(factors)
        self.tol = tol
        self.tol_source = tol_source

    @property
    def exact(self) -> bool:
        """True when computed in exact arithmetic."""
        return self.tol is None

    def __repr__(self) -> str:
        return summary_repr("CanonicalForm", factors=[np.asarray(M) for M in self],
                            exact=self.exact, tol=self.tol)


def rank_one_contributions(S1: Any, S2: Any) -> np.ndarray:
    """The rank-one terms ``S1[:, k] S2[k, :]`` of ``S1 @ S2``, shape ``(r, m, n)``.

    Their multiset is invariant under permutation and scaling, so two equivalent pairs have
    the same contributions up to order.

    Examples
    --------
    >>> C = rank_one_contributions([[1, 2], [3, 4]], [[1, 0], [0, 1]])
    >>> C.shape, C[1].tolist()
    ((2, 2, 2), [[0, 2], [0, 4]])
    """
    func = "rank_one_contributions"
    S1 = _check_matrix(S1, "S1", func)
    S2 = _check_matrix(S2, "S2", func)
    if S1.shape[1] != S2.shape[0]:
        raise param_error(func, "S2", f"a matrix with {S1.shape[1]} rows (the columns of S1)",
                          f"shape {S2.shape}", raw=True)
    return S1.T[:, :, None] * S2[:, None, :]


# --------------------------------------------------------------------------------------
# algebraic entries (exact solutions of Groebner systems)
# --------------------------------------------------------------------------------------


def _pair_key(u: np.ndarray, v: np.ndarray) -> tuple:
    """The class of one inner index ``(u, v)`` modulo ``(d u, v / d)``, ``d != 0``: the
    contribution ``u v^T`` when both are non-zero, else the non-zero vector up to scale."""

    uz = [bool(algebraic_is_zero(x)) for x in u]
    vz = [bool(algebraic_is_zero(x)) for x in v]
    if not all(uz) and not all(vz):
        return ("uv", tuple(_exact(a) * _exact(b) for a in u for b in v))
    w, wz, side = (v, vz, "0v") if all(uz) else (u, uz, "u0")
    if all(wz):
        return ("00",)
    lead = w[wz.index(False)]
    return (side, tuple(_exact(x) / _exact(lead) for x in w))


def _exact(x: Any) -> Any:
    """A sympy number equal to ``x`` (never ``sympy.nsimplify``, which guesses a nearby
    "simpler" number for an algebraic expression: issue 13)."""
    import sympy

    return x if isinstance(x, sympy.Basic) else sympy.sympify(x)


def _keys_equal(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] and len(a) == len(b) and all(
        len(x) == len(y) and all(algebraic_is_zero(p - q) for p, q in zip(x, y))
        for x, y in zip(a[1:], b[1:]))


def same_class(factors_a: Sequence[Any], factors_b: Sequence[Any], *,
               tol: float | None = None) -> bool:
    """Are two factorizations equivalent modulo permutation and scaling of the inner
    dimensions? :func:`equivalent` for rational, Gaussian rational and float factors; for two
    factors with algebraic entries (sympy numbers such as ``sqrt(2)``, from the exact
    solutions of a Groebner system, ``tol=None``) the inner indices are matched one to one by
    their classes ``u v^T`` (or the non-zero vector up to scale when the other is zero),
    compared exactly through minimal polynomials.

    >>> import sympy
    >>> r = sympy.sqrt(2)
    >>> S = [np.array([[r], [1]], dtype=object), np.array([[1, r]], dtype=object)]
    >>> same_class(S, [np.array([[1], [1 / r]], dtype=object), np.array([[r, 2]], dtype=object)])
    True
    >>> same_class(S, [np.array([[-r], [1]], dtype=object), np.array([[1, r]], dtype=object)])
    False
    """
    if tol is not None or not (has_algebraic(factors_a) or has_algebraic(factors_b)):
        return bool(equivalent(list(factors_a), list(factors_b), tol=tol))
    if len(factors_a) != 2 or len(factors_b) != 2:
        raise param_error("same_class", "factors_a", "two factors when entries are algebraic",
                          f"{len(factors_a)} and {len(factors_b)} factors", raw=True)
    (S1, S2), (T1, T2) = ([np.asarray(M, dtype=object) for M in F] for F in (factors_a, factors_b))
    if S1.shape != T1.shape or S2.shape != T2.shape:
        return False
    left = [_pair_key(S1[:, k], S2[k, :]) for k in range(S1.shape[1])]
    right = [_pair_key(T1[:, k], T2[k, :]) for k in range(T1.shape[1])]
    for a in left:
        hit = next((j for j, b in enumerate(right) if _keys_equal(a, b)), None)
        if hit is None:
            return False
        right.pop(hit)
    return True
