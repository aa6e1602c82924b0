"""Generic and local identifiability of a support pattern via the Jacobian of the product map.

The product map ``(F_1, ..., F_L) -> F_1 @ ... @ F_L``, restricted to factors supported on
fixed masks, has ``p`` free parameters (the entries on the masks). The diagonal scalings
``F_l -> D_{l-1}^{-1} F_l D_l`` (``D_0 = I_m``, ``D_L = I_n``) leave the product unchanged;
their orbits have dimension ``orbit_dim``, so the Jacobian rank is at most
``p - orbit_dim``. The factorization is *locally identifiable* (finite fibre modulo scaling)
at a point where the rank reaches ``p - orbit_dim``, and *generically* locally identifiable
when that happens at almost every point of the pattern.

This is a statement about *local* uniqueness. Global uniqueness can still fail with finite
fibres; a positive-dimensional fibre (dense factors with ``r >= 2``, identical rectangles,
docs/theory.rst A3) is always detected because it makes the rank drop.

Orbit dimension
---------------
Put one node per index of every level ``0..L`` (level 0: the m rows, level L: the n columns)
and one edge per support entry of ``F_l`` between level ``l-1`` and level ``l``. At a point
whose support entries are all nonzero, a scaling ``D_l = exp(t_l)`` acts trivially iff
``t`` is constant on every connected component and zero on those reaching level 0 or L, so
``orbit_dim = #inner nodes - #components made of inner nodes only``. For two layers this is
the number of inner indices k with ``I_k`` or ``J_k`` nonempty: a column ``k`` of ``S1``
whose row ``k`` of ``S2`` is empty can be rescaled (it multiplies zero), and its other
entries are free directions, so such a pattern is identifiable only when that column has a
single entry.

Examples
--------
>>> import numpy as np
>>> from identifiability.generic import generic_uniqueness, local_identifiability
>>> L = np.array([[1, 0], [1, 1]], bool)
>>> generic_uniqueness(L, L.T, rng=0).generic
True
>>> D = np.ones((3, 2), bool)
>>> res = generic_uniqueness(D, D.T, rng=0)
>>> res.generic, res.jacobian_rank, res.expected_rank
(False, 8, 10)
>>> local_identifiability([[[1, 0], [2, 0], [0, 1]], [[1, 3, 0], [0, 0, 2]]]).jacobian_rank
4
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from math import log
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .core.validation import (as_matrix, as_support, as_supports, check_choice, check_int, check_rng,
                          check_tol, param_error)
from .core.display import summary_repr
from .core.exact import InexactInputError, rank_exact, to_exact
from .core.policy import DEFAULT_RTOL, decision_tolerance

try:  # pragma: no cover - python-flint is a core dependency
    import flint
except ImportError:  # pragma: no cover
    flint = None

__all__ = ["GenericResult", "LocalResult", "jacobian", "generic_uniqueness",
           "local_identifiability", "orbit_dim", "numerical_rank", "rank_is_clear", "RANK_MARGIN"]

_PRIME_BITS = 31          # q < 2**31: a product of two residues fits in int64
_SPARSE_AUTO = 10 ** 6    # jacobian(sparse=None) goes sparse above this many dense entries
_Q_RECHECK = 2 * 10 ** 5  # method="auto" re-checks a rank deficiency over Q up to this size
_GROUP = 2.0              # compress a block B to B^T D B when it has > _GROUP x more rows


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------

def _table(caption: str, rows: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                   f"<td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table><caption>{html.escape(caption)}</caption>{body}</table>"


@dataclass(frozen=True, repr=False)
class GenericResult:
    """Is a support pattern generically locally identifiable (finite fibres modulo scaling)?

    Attributes
    ----------
    generic : bool
        True: for almost every tuple of factors on the supports, the fibre of the product
        map is, near the point, the scaling orbit only. False: almost every point has a
        positive-dimensional family of non-equivalent factorizations nearby.
    error_probability : float
        0.0 when the answer is proven (always the case for ``generic=True``); otherwise an
        upper bound on the probability, over the random point and prime, that a generically
        identifiable pattern was reported as not identifiable.
    jacobian_rank : int
        Rank of the Jacobian at the random integer point (over ``field``).
    n_params, orbit_dim, expected_rank : int
        ``expected_rank = n_params - orbit_dim``, the largest rank possible.
    field : str
        ``"GF(q)"`` with the random prime used, or ``"Q"``.
    method : str
        ``"GF(p)"``, ``"Q"`` or ``"GF(p)+Q"`` (a modular deficiency re-checked over Q).
    reason : str
    """

    generic: bool
    error_probability: float
    jacobian_rank: int
    n_params: int
    orbit_dim: int
    expected_rank: int
    field: str
    method: str
    reason: str

    @property
    def exact(self) -> bool:
        """Always True: the supports are exact and the rank is computed exactly (over Q or
        GF(q); a modular answer states its ``error_probability``)."""
        return True

    @property
    def tol(self) -> None:
        """No tolerance is involved (the policy's field, for uniform reading)."""
        return None

    def __repr__(self) -> str:
        return summary_repr("GenericResult", generic=self.generic,
                            error_probability=float(f"{self.error_probability:.3g}"),
                            jacobian_rank=self.jacobian_rank, expected_rank=self.expected_rank,
                            field=self.field, method=self.method)

    def _repr_html_(self) -> str:
        return _table("GenericResult", [
            ("generic", self.generic), ("error probability", f"{self.error_probability:.3g}"),
            ("parameters", self.n_params), ("orbit dimension", self.orbit_dim),
            ("expected rank", self.expected_rank), ("Jacobian rank", self.jacobian_rank),
            ("field", self.field), ("method", self.method), ("reason", self.reason)])

    def explain(self) -> str:
        """A readable account of the test and of what it proves."""
        verdict = ("generically locally identifiable (finite fibres modulo scaling)"
                   if self.generic else "NOT generically locally identifiable")
        proof = ("proven (error probability 0)" if self.error_probability == 0.0
                 else f"error probability <= {self.error_probability:.3g}")
        return (f"Support pattern: {verdict}; {proof}.\n"
                f"  parameters p = {self.n_params}, scaling orbit dimension = {self.orbit_dim}, "
                f"expected rank p - orbit = {self.expected_rank}\n"
                f"  Jacobian rank at a random integer point over {self.field}: "
                f"{self.jacobian_rank} (method {self.method})\n"
                f"  {self.reason}")


@dataclass(frozen=True, repr=False)
class LocalResult:
    """Jacobian test of local identifiability at one tuple of factors.

    Attributes
    ----------
    identifiable : bool or None
        True: the Jacobian rank equals ``n_params - orbit_dim``, so near the point the fibre
        is the scaling orbit (locally identifiable). False: the Jacobian kernel is larger
        than the scaling tangent space (first-order non-identifiability; a genuine
        positive-dimensional fibre at regular points of the product map). None: undecided
        (inexact factors at the default tolerance, with a singular value too close to the
        cut to separate).
    jacobian_rank : int or None
    n_params, orbit_dim, expected_rank : int
        ``orbit_dim`` is the dimension of the scaling orbit *at this point* (zero entries
        can make it smaller than the generic one).
    field : str
        ``"Q"``, ``"Q(i)"``, ``"numerical"`` or ``"none"``.
    method : str
    reason : str
    singular_value_gap : ndarray of shape (2,) or None
        Numerical method only: the smallest singular value counted in the rank and the
        largest one discarded (0.0 when there is none), relative to the largest.
    exact : bool
        True when the rank is exact (exact input).
    tol : float or None
        The relative threshold of the numerical rank (None when exact).
    tol_source : str
        ``"exact input"``, ``"given"`` or ``"default"`` (inexact floats without ``tol``).
    """

    identifiable: bool | None
    jacobian_rank: int | None
    n_params: int
    orbit_dim: int
    expected_rank: int
    field: str
    method: str
    reason: str
    singular_value_gap: np.ndarray | None = None
    exact: bool = True
    tol: float | None = None
    tol_source: str = "exact input"

    def __repr__(self) -> str:
        fields = dict(identifiable=self.identifiable, jacobian_rank=self.jacobian_rank,
                      expected_rank=self.expected_rank, field=self.field, exact=self.exact)
        if not self.exact:
            fields["tol"] = self.tol
        return summary_repr("LocalResult", **fields)

    def _repr_html_(self) -> str:
        how = "exact" if self.exact else f"tol = {self.tol:.3g} ({self.tol_source})"
        return _table("LocalResult", [
            ("identifiable", self.identifiable), ("Jacobian rank", self.jacobian_rank),
            ("parameters", self.n_params), ("orbit dimension", self.orbit_dim),
            ("expected rank", self.expected_rank), ("field", self.field),
            ("method", self.method), ("decision", how), ("reason", self.reason)])

    def explain(self) -> str:
        """A readable account of the local test."""
        word = {True: "locally identifiable (finite fibre modulo scaling)",
                False: "NOT locally identifiable (Jacobian kernel beyond scaling)",
                None: "undecided"}[self.identifiable]
        return (f"At the given factors: {word}.\n"
                f"  parameters p = {self.n_params}, scaling orbit dimension = {self.orbit_dim}, "
                f"expected rank = {self.expected_rank}, Jacobian rank = {self.jacobian_rank} "
                f"({self.field}, {self.method})\n  {self.reason}\n  {self._how()}")

    def _how(self) -> str:
        if self.exact:
            return "decided in exact arithmetic"
        src = "the tolerance given" if self.tol_source == "given" else \
            "the default tolerance: inexact input"
        return f"numerical decision at tol = {self.tol:.3g} ({src})"


# --------------------------------------------------------------------------------------------
# numerical rank with its margins (the exactness policy for inexact input)
# --------------------------------------------------------------------------------------------

#: At the *default* tolerance a numerical rank is trusted only when no singular value lies
#: within this factor of the cut ``tol * sigma_max``; otherwise the answer is undecided.
RANK_MARGIN = 100.0


def numerical_rank(M: Any, tol: float) -> tuple[int, np.ndarray]:
    """Numerical rank of ``M`` (singular values above ``tol * sigma_max``) and its margins.

    Returns ``(rank, gap)``, ``gap = [smallest kept, largest discarded]`` singular values
    relative to the largest (0.0 when there is none).

    >>> rank, gap = numerical_rank(np.diag([1.0, 1e-3, 1e-14]), 1e-9)
    >>> rank, gap.tolist()
    (2, [0.001, 1e-14])
    """
    M = np.asarray(M)
    s = np.linalg.svd(M.astype(complex if np.iscomplexobj(M) else float), compute_uv=False) \
        if M.size else np.zeros(0)
    smax = s[0] if s.size and s[0] > 0 else 1.0
    rank = int(np.count_nonzero(s > tol * smax))
    gap = np.array([s[rank - 1] / smax if rank else 0.0,
                    s[rank] / smax if rank < s.size else 0.0])
    return rank, gap


def rank_is_clear(gap: np.ndarray, tol: float) -> bool:
    """True when no singular value lies within :data:`RANK_MARGIN` of the cut ``tol``."""
    kept, dropped = float(gap[0]), float(gap[1])
    return (kept == 0.0 or kept >= RANK_MARGIN * tol) and dropped <= tol / RANK_MARGIN


# --------------------------------------------------------------------------------------------
# structure: parameters, orbit dimension, gauge
# --------------------------------------------------------------------------------------------

def _params(masks: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Row-major (i, j) index arrays of the free entries of each factor."""
    return [np.nonzero(M) for M in masks]


def orbit_dim(masks: Sequence[np.ndarray]) -> int:
    """Dimension of the scaling orbit at a point whose entries on ``masks`` are all nonzero.

    ``#inner nodes - #components made of inner nodes only`` of the layered graph of the
    masks (module docstring).

    >>> L = np.array([[1, 0], [1, 1]], bool)
    >>> orbit_dim([L, L.T]), orbit_dim([np.ones((2, 1), bool), np.zeros((1, 2), bool)])
    (2, 1)
    """
    sizes = [masks[0].shape[0]] + [M.shape[1] for M in masks]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    n_inner = int(sum(sizes[1:-1]))
    if n_inner == 0:
        return 0
    src, dst = [], []
    for ell, M in enumerate(masks):
        i, j = np.nonzero(M)
        src.append(offsets[ell] + i)
        dst.append(offsets[ell + 1] + j)
    src, dst = np.concatenate(src), np.concatenate(dst)
    total = int(offsets[-1])
    graph = sp.coo_array((np.ones(src.size), (src, dst)), shape=(total, total))
    n_comp, labels = connected_components(graph, directed=False)
    outer = np.zeros(n_comp, dtype=bool)
    outer[labels[:offsets[1]]] = True
    outer[labels[offsets[-2]:]] = True
    return n_inner - int(np.count_nonzero(~outer))


def _gauge_columns(masks: Sequence[np.ndarray]) -> np.ndarray | None:
    """One parameter per inner node whose deletion keeps the Jacobian rank, or None.

    For the inner node k between ``F_l`` and ``F_{l+1}`` take the first entry ``(i, k)`` of
    column k of ``F_l``. The scaling tangents restricted to these coordinates form a block
    triangular matrix (levels in decreasing order) with the nonzero entries ``F_l[i, k]`` on
    the diagonal, so every kernel vector is a scaling tangent plus one vanishing there:
    ``rank J = rank J[:, not gauge]``. Needs every inner column nonempty (else None).
    """
    chosen, offset = [], 0
    for ell, M in enumerate(masks):
        if ell < len(masks) - 1:
            if not M.any(axis=0).all():
                return None
            first_row = np.argmax(M, axis=0)
            flat = np.flatnonzero(M.ravel())  # parameter order is row-major
            pos = np.searchsorted(flat, first_row * M.shape[1] + np.arange(M.shape[1]))
            chosen.append(offset + pos)
        offset += int(M.sum())
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Jacobian assembly (shared by the float, complex and modular paths)
# --------------------------------------------------------------------------------------------

def _ragged_arange(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + c)`` for every (s, c), vectorised."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(counts)
    shift = np.repeat(np.asarray(starts, dtype=np.int64) - (ends - counts), counts)
    return np.arange(total, dtype=np.int64) + shift


def _matmul_mod(A: sp.csr_array, B: sp.csr_array, q: int) -> sp.csr_array:
    """``A @ B mod q`` for int64 CSR matrices with entries in [0, q), q < 2**31, no overflow."""
    A = A.tocoo()
    counts = np.diff(B.indptr)[A.col]
    rep = np.repeat(np.arange(A.nnz), counts)
    pos = _ragged_arange(B.indptr[A.col], counts)
    vals = (A.data[rep] * B.data[pos]) % q
    out = sp.coo_array((vals, (A.row[rep], B.indices[pos])),
                       shape=(A.shape[0], B.shape[1])).tocsr()  # sums of < 2**32 residues
    out.data %= q
    out.eliminate_zeros()
    return out


def _chain_products(factors: Sequence[Any], matmul: Callable, eye: Callable
                    ) -> tuple[list, list]:
    """``lefts[l] = F_1...F_{l-1}`` and ``rights[l] = F_{l+1}...F_L`` (0-based l)."""
    L = len(factors)
    lefts = [eye(factors[0].shape[0])]
    for ell in range(L - 1):
        lefts.append(matmul(lefts[-1], factors[ell]))
    rights = [eye(factors[-1].shape[1])]
    for ell in range(L - 1, 0, -1):
        rights.append(matmul(factors[ell], rights[-1]))
    return lefts, rights[::-1]


def _jacobian_coo(lefts: list, rights: list, masks: Sequence[np.ndarray], mul: Callable
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, col, value) triplets of the Jacobian from sparse left/right chain products.

    The column of parameter ``(l, i, j)`` is ``vec(lefts[l][:, i] rights[l][j, :])``
    (row-major vec of the m x n product).
    """
    n = rights[0].shape[1]
    rows, cols, vals, offset = [], [], [], 0
    for (pi, pj), Lm, Rm in zip(_params(masks), lefts, rights):
        Lc, Rr = sp.csc_array(Lm), sp.csr_array(Rm)
        cL = np.diff(Lc.indptr)[pi]
        t1 = np.repeat(np.arange(pi.size), cL)
        posL = _ragged_arange(Lc.indptr[pi], cL)
        cR = np.diff(Rr.indptr)[pj[t1]]
        t2 = np.repeat(np.arange(t1.size), cR)
        posR = _ragged_arange(Rr.indptr[pj[t1]], cR)
        rows.append(Lc.indices[posL][t2].astype(np.int64) * n + Rr.indices[posR])
        cols.append(offset + t1[t2])
        vals.append(mul(Lc.data[posL][t2], Rr.data[posR]))
        offset += pi.size
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _jacobian_exact(factors: Sequence[np.ndarray], masks: Sequence[np.ndarray]) -> np.ndarray:
    """Dense object-array Jacobian (exact entries: ints, Fractions, GaussianRationals)."""
    def eye(k: int) -> np.ndarray:
        out = np.zeros((k, k), dtype=object)
        out.fill(0)
        np.fill_diagonal(out, 1)
        return out

    lefts, rights = _chain_products(factors, lambda a, b: a.dot(b), eye)
    m, n = lefts[0].shape[0], rights[-1].shape[1]
    cols = [np.outer(Lm[:, i], Rm[j, :]).reshape(m * n)
            for (pi, pj), Lm, Rm in zip(_params(masks), lefts, rights)
            for i, j in zip(pi, pj)]
    if not cols:
        return np.zeros((m * n, 0), dtype=object)
    return np.column_stack(cols)


def _nonzero(F: np.ndarray) -> np.ndarray:
    return np.asarray(F != 0, dtype=bool)


def _validate_factors(factors: Any, supports: Any, func: str
                      ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    if isinstance(factors, np.ndarray) or not isinstance(factors, (list, tuple)) or not factors:
        raise param_error(func, "factors", "a non-empty list of 2-D arrays", factors,
                          kind=TypeError)
    mats = [as_matrix(F, f"factors[{i}]", func, allow_object=True) for i, F in enumerate(factors)]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise param_error(func, f"factors[{i + 1}]", f"an array with {mats[i].shape[1]} rows "
                              f"(the columns of factors[{i}])", f"shape {mats[i + 1].shape}",
                              raw=True)
    if supports is None:
        masks = [_nonzero(F) for F in mats]
    else:
        masks = as_supports(supports, "supports", func)
        if len(masks) != len(mats):
            raise param_error(func, "supports", f"a sequence of {len(mats)} masks",
                              f"{len(masks)} masks", raw=True)
        for i, (F, M) in enumerate(zip(mats, masks)):
            if M.shape != F.shape:
                raise param_error(func, f"supports[{i}]", f"a mask of shape {F.shape}",
                                  f"shape {M.shape}", raw=True)
            if _nonzero(F)[~M].any():
                raise param_error(func, f"factors[{i}]", f"an array vanishing outside supports[{i}]",
                                  "nonzero entries outside the support", raw=True)
    return mats, masks


def jacobian(factors: Sequence[Any], supports: Sequence[Any] | None = None, *,
             sparse: bool | None = None) -> Any:
    """Jacobian of ``(F_1, ..., F_L) -> F_1 @ ... @ F_L`` w.r.t. the entries on the supports.

    Parameters
    ----------
    factors : list of 2-D arrays
        ``F_1, ..., F_L`` (chained shapes). Object arrays of exact numbers (``Fraction``,
        :class:`~identifiability.exact.GaussianRational`, int) give an exact Jacobian; numeric
        arrays give a float64 (complex128 if any factor is complex) Jacobian.
    supports : list of boolean masks, optional
        Default: the nonzero patterns of the factors. The factors must vanish outside.
    sparse : bool, optional
        Return a ``scipy.sparse.csr_array``. Default: sparse when the dense matrix would have
        more than 10**6 entries. Not available for exact (object) input.

    Returns
    -------
    ndarray or csr_array of shape (m*n, p)
        Row ``a*n + b`` is the entry ``(a, b)`` of the product; the columns list the free
        entries of ``F_1``, then ``F_2``, ..., each in row-major order.

    Examples
    --------
    >>> J = jacobian([[[1.0], [2.0]], [[3.0, 4.0]]])
    >>> J.shape, J[:, 0].tolist()
    ((4, 4), [3.0, 4.0, 0.0, 0.0])
    """
    func = "jacobian"
    mats, masks = _validate_factors(factors, supports, func)
    if sparse is not None and not isinstance(sparse, bool):
        raise param_error(func, "sparse", "None, True or False", sparse, kind=TypeError)
    if any(F.dtype == object for F in mats):
        if sparse:
            raise param_error(func, "sparse", "False or None for exact (object) factors", sparse)
        return _jacobian_exact([to_exact(F) for F in mats], masks)
    dtype = np.complex128 if any(F.dtype.kind == "c" for F in mats) else np.float64
    csr = [sp.csr_array(np.where(M, F, 0).astype(dtype)) for F, M in zip(mats, masks)]
    lefts, rights = _chain_products(csr, lambda a, b: a @ b,
                                    lambda k: sp.eye_array(k, dtype=dtype, format="csr"))
    m, n = mats[0].shape[0], mats[-1].shape[1]
    p = int(sum(M.sum() for M in masks))
    r, c, v = _jacobian_coo(lefts, rights, masks, np.multiply)
    J = sp.csr_array((v, (r, c)), shape=(m * n, p))
    if sparse is None:
        sparse = m * n * p > _SPARSE_AUTO
    return J if sparse else J.toarray()


# --------------------------------------------------------------------------------------------
# rank modulo a random prime, sparse
# --------------------------------------------------------------------------------------------

def _n_primes_lower(bits: int) -> float:
    """Lower bound on the number of primes in [2**(bits-1), 2**bits) (Rosser-Schoenfeld)."""
    x = 2.0 ** (bits - 1)
    return 2 * x / log(2 * x) - 1.25506 * x / log(x)


def _random_prime(rng: np.random.Generator, bits: int) -> int:
    """A prime drawn uniformly from [2**(bits-1), 2**bits) (rejection sampling)."""
    while True:
        cand = int(rng.integers(2 ** (bits - 1), 2 ** bits)) | 1
        if flint is not None and flint.fmpz(cand).is_prime():
            return cand
        if flint is None:  # pragma: no cover
            import sympy

            if sympy.isprime(cand):
                return cand


def _peel_singletons(row: np.ndarray, col: np.ndarray, shape: tuple[int, int]
                     ) -> tuple[int, np.ndarray, np.ndarray]:
    """Remove rows/columns with a single nonzero (each adds exactly 1 to the rank).

    A row with one nonzero ``(R, c)`` is a multiple of ``e_c``: clearing column c from the
    other rows with it shows ``rank M = 1 + rank(M without row R, column c)`` over any field;
    the same for a column with one nonzero. Pure bookkeeping on the nonzero pattern, repeated
    until no singleton is left. Returns (rank found, alive rows, alive columns).
    """
    alive_r = np.ones(shape[0], dtype=bool)
    alive_c = np.ones(shape[1], dtype=bool)
    rank = 0
    while True:
        live = alive_r[row] & alive_c[col]
        row, col = row[live], col[live]
        if row.size == 0:
            alive_r[:] = False
            alive_c[:] = False
            return rank, alive_r, alive_c
        changed = False
        for a, b, alive_a, alive_b, size in ((row, col, alive_r, alive_c, shape[0]),
                                             (col, row, alive_c, alive_r, shape[1])):
            live = alive_a[a] & alive_b[b]
            weight = np.bincount(a[live], minlength=size)
            single = alive_a & (weight == 1)
            alive_a &= weight > 0  # drop empty lines
            if single.any():
                hit = live & single[a]
                partners = np.unique(b[hit])
                rank += partners.size
                alive_b[partners] = False
                alive_a[single] = False
                changed = True
        if not changed:
            return rank, alive_r, alive_c


def _dense_rank_mod(B: np.ndarray, q: int) -> int:
    if B.size == 0:
        return 0
    if flint is not None:
        return int(flint.nmod_mat(B.shape[0], B.shape[1], B.ravel().tolist(), q).rank())
    from .core.exact import rank_mod_p  # pragma: no cover

    return rank_mod_p(B, q).rank  # pragma: no cover


def _rank_mod_sparse(M: sp.csr_array, q: int, rng: np.random.Generator) -> tuple[int, bool]:
    """Rank over GF(q) of a sparse int64 matrix with entries in [0, q).

    Singleton peeling, then connected components of the remaining core; a component with
    many more rows than columns is compressed to ``B^T D B`` (D random diagonal), whose rank
    is at most rank B and equal to it unless a nonzero polynomial of degree rank(B) in D
    vanishes (probability <= rank(B)/q, Cauchy-Binet + Schwartz-Zippel).
    Returns (rank, compression used).
    """
    coo = M.tocoo()
    rank, alive_r, alive_c = _peel_singletons(coo.row.astype(np.int64),
                                              coo.col.astype(np.int64), M.shape)
    if not alive_c.any():
        return rank, False
    core = M[np.flatnonzero(alive_r)][:, np.flatnonzero(alive_c)].tocsr()
    nr, nc = core.shape
    graph = sp.block_array([[None, core], [core.T, None]]).tocsr()
    n_comp, labels = connected_components(graph, directed=False)
    compressed = False
    row_lab, col_lab = labels[:nr], labels[nr:]
    for comp in range(n_comp):
        rs, cs = np.flatnonzero(row_lab == comp), np.flatnonzero(col_lab == comp)
        if rs.size == 0 or cs.size == 0:
            continue
        B = core[rs][:, cs].tocsr()
        if rs.size > _GROUP * cs.size:
            d = rng.integers(0, q, size=rs.size)
            DB = sp.csr_array((B.data * d[np.repeat(np.arange(rs.size), np.diff(B.indptr))] % q,
                               B.indices, B.indptr), shape=B.shape)
            B = _matmul_mod(sp.csr_array(B.T), DB, q)
            compressed = True
        rank += _dense_rank_mod(B.toarray(), q)
    return rank, compressed


# --------------------------------------------------------------------------------------------
# generic_uniqueness
# --------------------------------------------------------------------------------------------

def _masks_from(support1: Any, support2: Any, func: str) -> list[np.ndarray]:
    if support2 is None:
        return as_supports(support1, "support1", func)
    s1 = as_support(support1, "support1", func)
    s2 = as_support(support2, "support2", func)
    if s1.shape[1] != s2.shape[0]:
        raise param_error(func, "support2", f"a mask with {s1.shape[1]} rows (the columns of "
                          "support1)", f"shape {s2.shape}", raw=True)
    return [s1, s2]


def _random_point(masks: Sequence[np.ndarray], rng: np.random.Generator, bound: int
                  ) -> list[np.ndarray]:
    """Integer factors with entries uniform in {-bound..-1, 1..bound} on the masks."""
    out = []
    for M in masks:
        vals = rng.integers(1, bound + 1, size=M.shape) * rng.choice(np.array([-1, 1]), M.shape)
        out.append(np.where(M, vals, 0).astype(np.int64))
    return out


def _log2_hadamard(point: Sequence[np.ndarray], masks: Sequence[np.ndarray], k: int) -> float:
    """log2 of a bound on every k x k minor of the integer Jacobian at ``point``."""
    absf = [sp.csr_array(np.abs(F).astype(np.float64)) for F in point]
    lefts, rights = _chain_products(absf, lambda a, b: a @ b,
                                    lambda n: sp.eye_array(n, format="csr"))
    norms = []
    with np.errstate(over="ignore", divide="ignore"):
        for (pi, pj), Lm, Rm in zip(_params(masks), lefts, rights):
            lc = np.sqrt(np.asarray((Lm.multiply(Lm)).sum(axis=0)).ravel())
            rr = np.sqrt(np.asarray((Rm.multiply(Rm)).sum(axis=1)).ravel())
            norms.append(np.log2(lc[pi]) + np.log2(rr[pj]))
    logs = np.sort(np.concatenate(norms))[::-1][:k]
    return float(np.sum(np.maximum(logs, 0.0)))


def generic_uniqueness(support1: Any, support2: Any = None, *, rng: Any = None,
                       method: str = "auto", sample_bound: int = 2 ** 29) -> GenericResult:
    """Is the factorization generically locally unique (finite fibre modulo scaling)?

    Decides whether, for almost every tuple of factors supported on the masks, the
    fibre of the product map near that tuple is only its diagonal-scaling orbit, by the rank
    of the Jacobian at one random integer point. The answer holds over Q, R and C alike
    (the generic rank of a polynomial matrix does not depend on the field of
    characteristic 0). It is a *local* statement: global uniqueness may still fail with
    finite fibres (see :mod:`identifiability.two_layer` for a given matrix).

    Why a ``True`` answer is a proof: for an integer point x and a prime q,
    ``rank_GF(q) J(x) <= rank_Q J(x) <= generic rank <= p - orbit_dim``. So when the modular
    rank reaches ``p - orbit_dim`` the pattern is generically locally identifiable with
    error probability 0.

    Why a ``False`` answer can be wrong, and how rarely: if the generic rank is
    ``k = p - orbit_dim``, some k x k minor is a nonzero polynomial of degree
    ``<= k (L-1)`` (the Jacobian entries are multilinear of degree L-1), so the random point,
    drawn from a set of size ``|S| = 2 * sample_bound`` per entry, is a root with
    probability ``<= k (L-1) / |S|`` (Schwartz-Zippel). Otherwise that minor is a nonzero
    integer of absolute value at most H (Hadamard's bound), divisible by at most
    ``log2 H / 30`` primes of the random range [2**30, 2**31); the prime q is drawn
    uniformly from the ``> 3.5e7`` primes there. A compression ``B -> B^T D B`` of a tall
    block adds ``k/q``. ``error_probability`` is the sum. With ``method="auto"`` a
    deficiency found modulo q is re-checked exactly over Q for moderate sizes, which
    leaves only the Schwartz-Zippel term.

    Parameters
    ----------
    support1 : boolean mask (m x r), or a sequence of L chained masks
    support2 : boolean mask (r x n), optional
        ``generic_uniqueness(S1, S2)`` and ``generic_uniqueness([S1, S2, S3])`` both work.
    rng : numpy Generator or int seed, optional
        Draws the point, the prime and the compressions.
    method : {"auto", "GF(p)", "Q"}
        ``"GF(p)"``: sparse elimination modulo a random 31-bit prime (fast; butterfly
        N=256 in about a second). ``"Q"``: exact dense rank over Q (small patterns).
        ``"auto"``: ``"GF(p)"``, then a re-check over Q of a deficiency when small.
    sample_bound : int
        Entries of the random point are drawn from ``{-sample_bound..-1, 1..sample_bound}``
        (at most 2**29, so that they are nonzero modulo the prime).

    Returns
    -------
    GenericResult

    Examples
    --------
    >>> import numpy as np
    >>> from identifiability.supports import butterfly_supports
    >>> res = generic_uniqueness(butterfly_supports(8), rng=1)
    >>> res.generic, res.error_probability, res.jacobian_rank, res.n_params - res.orbit_dim
    (True, 0.0, 32, 32)
    >>> D = np.ones((2, 2), bool)
    >>> generic_uniqueness(D, D, rng=0).generic
    False
    """
    func = "generic_uniqueness"
    masks = _masks_from(support1, support2, func)
    rng = check_rng(rng, func)
    method = check_choice(method, "method", func, ("auto", "GF(p)", "Q"))
    bound = check_int(sample_bound, "sample_bound", func, low=1, high=2 ** 29)
    L = len(masks)
    p = int(sum(int(M.sum()) for M in masks))
    orbit = orbit_dim(masks)
    target = p - orbit
    point = _random_point(masks, rng, bound)
    eps_point = min(1.0, target * (L - 1) / (2 * bound))

    def result(generic: bool, rank: int, field: str, meth: str, eps: float) -> GenericResult:
        eps = 0.0 if generic else float(min(1.0, eps))
        if generic:
            reason = (f"the Jacobian reaches the largest possible rank p - orbit_dim = {target} "
                      "at an integer point, hence generically (proof)")
        else:
            reason = (f"the Jacobian rank {rank} < p - orbit_dim = {target} at a random point: "
                      f"almost every point has a fibre of dimension >= {p - rank} "
                      f"(> orbit dimension {orbit}) unless the point or prime was unlucky")
        return GenericResult(generic, eps, rank, p, orbit, target, field, meth, reason)

    if target == 0:
        return result(True, 0, "Q", method, 0.0)
    m, n = masks[0].shape[0], masks[-1].shape[1]
    if method == "Q":
        rank = _rank_q(point, masks)
        return result(rank == target, rank, "Q", "Q", eps_point)
    q = _random_prime(rng, _PRIME_BITS)
    rank, compressed = _rank_gfp(point, masks, q, rng)
    if rank == target:
        return result(True, rank, f"GF({q})", "GF(p)", 0.0)
    if method == "auto" and m * n * p <= _Q_RECHECK:
        rank_q = _rank_q(point, masks)
        return result(rank_q == target, rank_q, "Q", "GF(p)+Q", eps_point)
    bad_primes = _log2_hadamard(point, masks, target) / (_PRIME_BITS - 1)
    eps = eps_point + bad_primes / _n_primes_lower(_PRIME_BITS) + (target / q if compressed
                                                                     else 0.0)
    return result(False, rank, f"GF({q})", "GF(p)", eps)


def _rank_q(point: Sequence[np.ndarray], masks: Sequence[np.ndarray]) -> int:
    objs = [np.array([[int(x) for x in row] for row in F], dtype=object) for F in point]
    return rank_exact(_jacobian_exact(objs, masks)).rank


def _rank_gfp(point: Sequence[np.ndarray], masks: Sequence[np.ndarray], q: int,
              rng: np.random.Generator) -> tuple[int, bool]:
    """Rank over GF(q) of the (gauge-fixed) Jacobian at ``point``, built sparse modulo q."""
    mods = [sp.csr_array(F % q) for F in point]
    lefts, rights = _chain_products(
        mods, lambda a, b: _matmul_mod(a, b, q),
        lambda k: sp.eye_array(k, dtype=np.int64, format="csr"))
    r, c, v = _jacobian_coo(lefts, rights, masks, lambda a, b: (a * b) % q)
    m, n = masks[0].shape[0], masks[-1].shape[1]
    p = int(sum(M.sum() for M in masks))
    J = sp.csr_array((v, (r, c)), shape=(m * n, p))
    J.data %= q
    J.eliminate_zeros()
    gauge = _gauge_columns(masks)
    if gauge is not None and gauge.size:
        keep = np.ones(p, dtype=bool)
        keep[gauge] = False
        J = J[:, np.flatnonzero(keep)].tocsr()
    return _rank_mod_sparse(J, q, rng)


# --------------------------------------------------------------------------------------------
# local_identifiability
# --------------------------------------------------------------------------------------------

def local_identifiability(factors: Sequence[Any], supports: Sequence[Any] | None = None, *,
                          tol: float | None = None) -> LocalResult:
    """Jacobian test of local identifiability modulo scaling at the given factors.

    The test of docs/theory.rst B7 step 4: rank of the Jacobian of the product map at
    ``factors`` (parameters: the entries on ``supports``) against ``p - orbit_dim``, with
    the scaling-orbit dimension computed from the nonzero entries of the factors.
    Exactly representable factors (ints, Fractions, dyadic floats, Gaussian rationals) get
    an exact rank over Q or Q(i). Other floats follow the exactness policy
    (:mod:`identifiability.core.policy`): numerical rank = number of singular values above
    ``tol * sigma_max``, at the ``tol`` given or else at the default
    :data:`~identifiability.core.DEFAULT_RTOL`; the result records ``exact=False``, the
    tolerance, its source and the singular values around the cut, and at the default
    tolerance the answer is None (undecided) when a singular value lies within
    :data:`RANK_MARGIN` of the cut.

    Parameters
    ----------
    factors : list of 2-D arrays
    supports : list of boolean masks, optional
        Default: the nonzero patterns of the factors.
    tol : float, optional
        Relative threshold of the numerical rank; used only for inexact input (exact input
        is decided exactly). Default: :data:`~identifiability.core.DEFAULT_RTOL`.

    Returns
    -------
    LocalResult

    Examples
    --------
    >>> X = [[1, 1], [1, 2]]; W = [[1, 1], [0, 1]]   # docs/theory.rst C07 (S2 = Y.T)
    >>> res = local_identifiability([X, W])
    >>> res.identifiable, res.jacobian_rank, res.expected_rank
    (False, 4, 5)
    >>> res = local_identifiability([[[0.1]], [[0.3]]])      # inexact floats: numerical
    >>> res.identifiable, res.exact, res.tol_source
    (True, False, 'default')
    """
    func = "local_identifiability"
    mats, masks = _validate_factors(factors, supports, func)
    tol = check_tol(tol, "tol", func)
    p = int(sum(M.sum() for M in masks))
    nonzero = [_nonzero(F) for F in mats]
    orbit = orbit_dim(nonzero)
    target = p - orbit
    try:
        exact = [to_exact(F) for F in mats]
    except InexactInputError:
        exact = None
    if exact is not None:
        rk = rank_exact(_jacobian_exact(exact, masks)) if p else None
        rank, field = (rk.rank, rk.field) if rk is not None else (0, "Q")
        return _local(rank, p, orbit, target, field, "exact rank", None)
    policy = decision_tolerance(tol, *mats, func=func)
    tol = policy.tol if policy.source == "given" else DEFAULT_RTOL
    J = jacobian(mats, masks, sparse=False)
    rank, gap = numerical_rank(J, tol)
    record = dict(exact=False, tol=tol, tol_source=policy.source)
    if policy.source == "default" and not rank_is_clear(gap, tol):
        return LocalResult(None, rank, p, orbit, target, "numerical", f"SVD (tol={tol:g})",
                           f"numerical rank {rank} at the default tolerance is not clear-cut: "
                           f"a singular value lies within a factor {RANK_MARGIN:g} of tol "
                           f"(relative singular values at the cut {gap[0]:.3g} | {gap[1]:.3g}); "
                           "pass tol= to decide at a chosen cut", gap, **record)
    return _local(rank, p, orbit, target, "numerical", f"SVD (tol={tol:g})", gap, **record)


def _local(rank: int, p: int, orbit: int, target: int, field: str, method: str,
           gap: np.ndarray | None, **record: Any) -> LocalResult:
    if rank == target:
        reason = ("the Jacobian kernel is exactly the scaling tangent space: the fibre near "
                  "this point is the scaling orbit")
    else:
        reason = (f"the Jacobian kernel has dimension {p - rank} > orbit dimension {orbit}: "
                  "first-order deformations beyond scaling (a fibre of dimension "
                  f"{p - rank} when the point is a regular point of the product map)")
    if gap is not None:
        reason += f"; singular values at the cut (relative): {gap[0]:.3g} | {gap[1]:.3g}"
    return LocalResult(rank == target, rank, p, orbit, target, field, method, reason, gap,
                       **record)
