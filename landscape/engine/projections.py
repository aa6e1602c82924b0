"""Euclidean projections (prox operators of indicator functions) onto sparsity sets.

Every projection works on real and complex arrays and is batched over leading axes: the
input has shape ``(..., m, n)`` and each trailing ``m x n`` block is projected on its own.
Real input stays real; the dtype is never changed except by :func:`normalize_frobenius`
(which divides, so integer input becomes float).

Which maps are exact Euclidean projections (a nearest point of the set):

============================  ===============================================  =========
function / constraint         set                                              exact?
============================  ===============================================  =========
``project_topk``, ``topk``    ``||S||_0 <= k``                                 yes
``project_topk_rows``         at most k non-zeros in every row                 yes
``project_topk_cols``         at most k non-zeros in every column              yes
``project_support``           ``supp(S)`` inside a fixed mask (convex)         yes
``normalize_frobenius``       unit sphere ``||S||_F = 1``                      yes
``unit_norm(c)``              set of ``c`` intersected with the unit sphere    iff ``c`` is one
                              of the four above
``project_topk_rowcol``       FAuST "splincol": union of the row-wise and      no
``splincol``                  column-wise top-k supports (heuristic)
``compose(c1, c2, ...)``      apply in order                                   not in general
============================  ===============================================  =========

``unit_norm(c)`` is exact because ``P / ||P||_F`` with ``P`` the projection onto the sparsity
set maximises ``Re<M, S>`` over the unit-norm members of that set (Le Magoarou & Gribonval
2016). The l0 projections are set-valued when ``|M|`` has ties; the tie rule used here is
deterministic: **larger ``|value|`` first, then the smaller index** (flat row-major index for
the global projection, column index inside a row, row index inside a column). It runs in
linear time (``np.partition`` for the threshold, then a cumulative count over the ties).

Examples
--------
>>> import numpy as np
>>> M = np.array([[3., -5., 1.], [0.5, 4., -2.]])
>>> project_topk(M, 3)
array([[ 3., -5.,  0.],
       [ 0.,  4.,  0.]])
>>> c = unit_norm(topk(2))
>>> c
unit_norm(topk(2))
>>> np.round(c.project(M) * np.sqrt(41), 12)
array([[ 0., -5.,  0.],
       [ 0.,  4.,  0.]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from identifiability.core.validation import as_matrix, as_support, check_int, param_error

__all__ = [
    "project_topk",
    "project_topk_rows",
    "project_topk_cols",
    "project_topk_rowcol",
    "project_support",
    "normalize_frobenius",
    "Constraint",
    "topk",
    "topk_rows",
    "topk_cols",
    "splincol",
    "support",
    "unit_norm",
    "compose",
    "check_constraints",
]


# --------------------------------------------------------------------------- array kernels

_ARGMAX_MAX_K = 8   # up to this k, top-k by repeated argmax beats a partition

def _topk_mask_last(absM: np.ndarray, k: int) -> np.ndarray:
    """Mask of the k largest entries along the last axis (ties: smaller index first)."""
    p = absM.shape[-1]
    if k >= p:
        return np.ones(absM.shape, dtype=bool)
    if k <= _ARGMAX_MAX_K:   # k passes of argmax (which returns the first maximiser)
        work = np.array(absM, dtype=float, order="C")
        mask = np.zeros(work.shape, dtype=bool)
        for _ in range(k):
            idx = work.argmax(axis=-1)[..., None]
            np.put_along_axis(mask, idx, True, axis=-1)
            np.put_along_axis(work, idx, -1.0, axis=-1)
        return mask
    thr = np.partition(absM, p - k, axis=-1)[..., p - k: p - k + 1]   # k-th largest
    greater = absM > thr
    ties = absM == thr
    room = k - greater.sum(axis=-1, keepdims=True)
    over = (ties.sum(axis=-1, keepdims=True) > room)[..., 0]
    if over.any():   # keep the first `room` ties of the rows where the ties overflow
        ties[over] &= np.cumsum(ties[over], axis=-1, dtype=np.int32) <= room[over]
    return greater | ties


def _mask_topk(M: np.ndarray, k: int) -> np.ndarray:
    a = np.abs(M)
    flat = a.reshape(a.shape[:-2] + (-1,))
    return _topk_mask_last(flat, k).reshape(a.shape)


def _mask_topk_rows(M: np.ndarray, k: int) -> np.ndarray:
    return _topk_mask_last(np.abs(M), k)


def _mask_topk_cols(M: np.ndarray, k: int) -> np.ndarray:
    return np.swapaxes(_topk_mask_last(np.swapaxes(np.abs(M), -1, -2), k), -1, -2)


def _mask_rowcol(M: np.ndarray, k: int) -> np.ndarray:
    a = np.abs(M)
    return _topk_mask_last(a, k) | np.swapaxes(_topk_mask_last(np.swapaxes(a, -1, -2), k), -1, -2)


def _apply(M: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask, M, np.zeros((), dtype=M.dtype))


def _normalize(M: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """``M / ||M||_F`` per block; a zero block becomes a single 1 at the first allowed entry."""
    M = M if M.dtype.kind in "fc" else M.astype(float)
    norms = np.sqrt(np.sum(np.abs(M) ** 2, axis=(-2, -1), keepdims=True))
    zero = norms == 0
    out = M / np.where(zero, 1.0, norms)
    if np.any(zero):
        first = 0 if allowed is None else int(np.argmax(allowed.reshape(-1)))
        unit = np.zeros(M.shape[-2] * M.shape[-1], dtype=M.dtype)
        unit[first] = 1
        out = np.where(zero, unit.reshape(M.shape[-2:]), out)
    return out


# --------------------------------------------------------------------------- validation

def _as_batch(M: Any, func: str) -> np.ndarray:
    """Validate a matrix or a stack of matrices ``(..., m, n)``."""
    try:
        ndim = max(np.ndim(M), 2)
    except ValueError:  # ragged nested lists: let as_matrix report it
        ndim = 2
    return as_matrix(M, "M", func, ndim=ndim)


def _check_level(k: Any, func: str) -> int:
    return check_int(k, "k", func, low=1)


def _check_k_fits(k: int, limit: int, what: str, func: str, name: str) -> None:
    if k > limit:
        raise param_error(func, name, f"a constraint with k <= {limit} ({what})", f"k={k}",
                          raw=True)


# --------------------------------------------------------------------------- functions

def project_topk(M: Any, k: int) -> np.ndarray:
    """Keep the ``k`` entries of largest modulus of each ``m x n`` block, zero the rest.

    Exact Euclidean projection onto ``{S : ||S||_0 <= k}``; ties are broken by the smaller
    flat (row-major) index.

    Parameters
    ----------
    M : array_like, shape (..., m, n)
        Real or complex matrix or stack of matrices.
    k : int
        Number of entries kept, ``1 <= k <= m*n``.

    Returns
    -------
    ndarray
        Same shape and dtype as ``M``.

    Examples
    --------
    >>> project_topk([[3., -5., 1.], [0.5, 4., -2.]], 3)
    array([[ 3., -5.,  0.],
           [ 0.,  4.,  0.]])
    """
    M = _as_batch(M, "project_topk")
    k = _check_level(k, "project_topk")
    _check_k_fits(k, M.shape[-1] * M.shape[-2], "the number of entries of M", "project_topk",
                  "k")
    return _apply(M, _mask_topk(M, k))


def project_topk_rows(M: Any, k: int) -> np.ndarray:
    """Keep the ``k`` entries of largest modulus in every row (ties: smaller column first).

    Exact Euclidean projection onto the matrices with at most ``k`` non-zeros per row.

    Examples
    --------
    >>> project_topk_rows([[3., -5., 1.], [0.5, 4., -2.]], 1)
    array([[ 0., -5.,  0.],
           [ 0.,  4.,  0.]])
    """
    M = _as_batch(M, "project_topk_rows")
    k = _check_level(k, "project_topk_rows")
    _check_k_fits(k, M.shape[-1], "the number of columns of M", "project_topk_rows", "k")
    return _apply(M, _mask_topk_rows(M, k))


def project_topk_cols(M: Any, k: int) -> np.ndarray:
    """Keep the ``k`` entries of largest modulus in every column (ties: smaller row first).

    Exact Euclidean projection onto the matrices with at most ``k`` non-zeros per column.

    Examples
    --------
    >>> project_topk_cols([[3., -5., 1.], [0.5, 4., -2.]], 1)
    array([[ 3., -5.,  0.],
           [ 0.,  0., -2.]])
    """
    M = _as_batch(M, "project_topk_cols")
    k = _check_level(k, "project_topk_cols")
    _check_k_fits(k, M.shape[-2], "the number of rows of M", "project_topk_cols", "k")
    return _apply(M, _mask_topk_cols(M, k))


def project_topk_rowcol(M: Any, k: int) -> np.ndarray:
    """FAuST "splincol": keep the union of the row-wise and column-wise top-``k`` supports.

    A heuristic, **not** an exact projection: the set "at most k per row and per column" has
    no closed-form projection. The result has at least ``k`` candidates per row and column
    and at most ``k`` per row plus ``k`` per column.

    Examples
    --------
    >>> project_topk_rowcol([[3., -5., 1.], [0.5, 4., -2.]], 1)
    array([[ 3., -5.,  0.],
           [ 0.,  4., -2.]])
    """
    M = _as_batch(M, "project_topk_rowcol")
    k = _check_level(k, "project_topk_rowcol")
    _check_k_fits(k, min(M.shape[-2:]), "the smaller dimension of M", "project_topk_rowcol",
                  "k")
    return _apply(M, _mask_rowcol(M, k))


def project_support(M: Any, S: Any) -> np.ndarray:
    """Zero the entries of ``M`` outside the boolean mask ``S`` (exact projection, convex set).

    Examples
    --------
    >>> project_support([[3., -5., 1.], [0.5, 4., -2.]], [[1, 0, 1], [1, 1, 0]])
    array([[3. , 0. , 1. ],
           [0.5, 4. , 0. ]])
    """
    M = _as_batch(M, "project_support")
    S = as_support(S, "S", "project_support", shape=M.shape[-2:])
    return _apply(M, S)


def normalize_frobenius(M: Any, *, allowed: Any = None) -> np.ndarray:
    """Scale each ``m x n`` block to unit Frobenius norm (exact projection onto the sphere).

    A zero block has no unique projection; it is mapped to the matrix with a single 1 at the
    first (row-major) entry where ``allowed`` is true (default: entry ``(0, 0)``).

    Parameters
    ----------
    M : array_like, shape (..., m, n)
    allowed : array_like of bool, shape (m, n), optional
        Entries allowed to be non-zero (used only for zero blocks).

    Examples
    --------
    >>> normalize_frobenius([[3., 0.], [0., 4.]])
    array([[0.6, 0. ],
           [0. , 0.8]])
    >>> normalize_frobenius(np.zeros((2, 2)), allowed=[[0, 0], [1, 1]])
    array([[0., 0.],
           [1., 0.]])
    """
    M = _as_batch(M, "normalize_frobenius")
    if allowed is not None:
        allowed = as_support(allowed, "allowed", "normalize_frobenius", shape=M.shape[-2:])
        if not allowed.any():
            raise param_error("normalize_frobenius", "allowed", "a mask with at least one True",
                              "an all-False mask", raw=True)
    return _normalize(M, allowed)


# --------------------------------------------------------------------------- constraints

class Constraint:
    """Base of the composable constraint objects (built by :func:`topk`, :func:`support`, ...).

    ``c.project(M)`` projects a matrix or a stack ``(..., m, n)`` (``c.apply(M)``: the same
    on an already validated ndarray, for loops); ``c.check(shape)`` raises
    ``ValueError`` if the constraint cannot be met by an ``m x n`` factor; ``c.exact`` tells
    whether ``project`` is an exact Euclidean projection.
    """

    exact: bool = True

    def project(self, M: Any) -> np.ndarray:
        """Validate ``M`` (shape ``(..., m, n)``) and project every block onto the set."""
        func = f"{self!r}.project"
        M = _as_batch(M, func)
        self.check(M.shape[-2:], func=func, name="M")
        return self._project(M)

    def apply(self, M: np.ndarray) -> np.ndarray:
        """Project a float or complex ndarray ``(..., m, n)`` **without validation**.

        The kernel an iterative algorithm calls at every step, after it has checked the
        constraint against the factor shape once at its boundary (``check``); use
        :meth:`project` on user input.

        >>> topk(1).apply(np.array([[1., -3.], [2., 0.]]))
        array([[ 0., -3.],
               [ 0.,  0.]])
        """
        return self._project(M)

    def check(self, shape: tuple[int, int], *, func: str = "Constraint.check",
              name: str = "constraint") -> None:
        """Raise ``ValueError`` (naming ``name`` of ``func``) if infeasible for ``shape``."""

    def allowed(self, shape: tuple[int, int]) -> np.ndarray | None:
        """Mask of the entries that may be non-zero (``None``: all of them)."""
        return None

    @property
    def shape(self) -> tuple[int, int] | None:
        """Factor shape imposed by the constraint (a support fixes it), else ``None``."""
        return None

    def explain(self) -> str:
        """One sentence: the set and whether :meth:`project` is an exact projection.

        >>> print(splincol(2).explain())
        splincol(2): union of the row-wise and column-wise top-2 supports; a heuristic,
        not an exact Euclidean projection.
        """
        how = ("an exact Euclidean projection" if self.exact else
               "a heuristic, not an exact Euclidean projection")
        return f"{self!r}: {self._describe()}; {how}."

    @property
    def line_level(self) -> int | None:
        """``k`` when the constraint is FAuST's ``splincol(k)`` (``k`` non-zeros per row and
        column, the sparsity *level* of a butterfly factor for ``k = 2``), else ``None``.

        >>> splincol(2).line_level, topk(2).line_level
        (2, None)
        """
        return None

    def _describe(self) -> str:
        return "a constraint set"

    def _project(self, M: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, repr=False)
class _TopK(Constraint):
    k: int
    mode: str  # "topk" | "topk_rows" | "topk_cols" | "splincol"

    @property
    def exact(self) -> bool:  # type: ignore[override]
        return self.mode != "splincol"

    def __repr__(self) -> str:
        return f"{self.mode}({self.k})"

    @property
    def line_level(self) -> int | None:
        return self.k if self.mode == "splincol" else None

    def _describe(self) -> str:
        return {"topk": f"at most {self.k} non-zeros in the factor",
                "topk_rows": f"at most {self.k} non-zeros in every row",
                "topk_cols": f"at most {self.k} non-zeros in every column",
                "splincol": f"union of the row-wise and column-wise top-{self.k} supports"
                }[self.mode]

    def check(self, shape, *, func="Constraint.check", name="constraint"):
        m, n = shape
        limit, what = {"topk": (m * n, f"the {m * n} entries of an {m}x{n} factor"),
                       "topk_rows": (n, f"the {n} columns of an {m}x{n} factor"),
                       "topk_cols": (m, f"the {m} rows of an {m}x{n} factor"),
                       "splincol": (min(m, n), f"the smaller side of an {m}x{n} factor")}[self.mode]
        if self.k > limit:
            raise param_error(func, name, f"a constraint with k <= {limit} ({what})", self,
                              raw=True)

    def _project(self, M):
        mask = {"topk": _mask_topk, "topk_rows": _mask_topk_rows, "topk_cols": _mask_topk_cols,
                "splincol": _mask_rowcol}[self.mode](M, self.k)
        return _apply(M, mask)


@dataclass(frozen=True, repr=False, eq=False)
class _Support(Constraint):
    mask: np.ndarray

    def __repr__(self) -> str:
        return f"support(<{self.mask.shape[0]}x{self.mask.shape[1]} mask, " \
               f"{int(self.mask.sum())} entries>)"

    def _describe(self) -> str:
        return (f"entries outside a fixed {self.mask.shape[0]}x{self.mask.shape[1]} support "
                f"({int(self.mask.sum())} entries) are zero")

    def check(self, shape, *, func="Constraint.check", name="constraint"):
        if tuple(shape) != self.mask.shape:
            raise param_error(func, name, f"a support of shape {tuple(shape)}",
                              f"{self!r} of shape {self.mask.shape}", raw=True)

    def allowed(self, shape):
        return self.mask

    @property
    def shape(self):
        return self.mask.shape

    def _project(self, M):
        return _apply(M, self.mask)


@dataclass(frozen=True, repr=False)
class _Compose(Constraint):
    parts: tuple[Constraint, ...]

    @property
    def exact(self) -> bool:  # type: ignore[override]
        return len(self.parts) == 1 and self.parts[0].exact

    def __repr__(self) -> str:
        if len(self.parts) > 6:
            return f"compose(<{len(self.parts)} constraints>)"
        return f"compose({', '.join(map(repr, self.parts))})"

    def _describe(self) -> str:
        return f"the {len(self.parts)} constraints applied in order"

    def check(self, shape, *, func="Constraint.check", name="constraint"):
        for c in self.parts:
            c.check(shape, func=func, name=name)

    def allowed(self, shape):
        masks = [m for m in (c.allowed(shape) for c in self.parts) if m is not None]
        return np.logical_and.reduce(masks) if masks else None

    @property
    def shape(self):
        return next((c.shape for c in self.parts if c.shape is not None), None)

    def _project(self, M):
        for c in self.parts:
            M = c._project(M)
        return M


@dataclass(frozen=True, repr=False)
class _UnitNorm(Constraint):
    inner: Constraint | None

    @property
    def exact(self) -> bool:  # type: ignore[override]
        return self.inner is None or self.inner.exact

    def __repr__(self) -> str:
        return f"unit_norm({'' if self.inner is None else repr(self.inner)})"

    def _describe(self) -> str:
        inner = "" if self.inner is None else f"{self.inner._describe()}, "
        return f"{inner}unit Frobenius norm"

    def check(self, shape, *, func="Constraint.check", name="constraint"):
        if self.inner is not None:
            self.inner.check(shape, func=func, name=name)
            mask = self.inner.allowed(shape)
            if mask is not None and not mask.any():
                raise param_error(func, name, "a constraint allowing a unit-norm matrix",
                                  f"{self!r} whose support is empty", raw=True)

    def allowed(self, shape):
        return None if self.inner is None else self.inner.allowed(shape)

    @property
    def shape(self):
        return None if self.inner is None else self.inner.shape

    def _project(self, M):
        P = M if self.inner is None else self.inner._project(M)
        return _normalize(P, self.allowed(M.shape[-2:]))


def topk(k: int) -> Constraint:
    """At most ``k`` non-zeros in the whole factor (exact projection).

    >>> topk(3).project([[3., -5., 1.], [0.5, 4., -2.]])
    array([[ 3., -5.,  0.],
           [ 0.,  4.,  0.]])
    """
    return _TopK(_check_level(k, "topk"), "topk")


def topk_rows(k: int) -> Constraint:
    """At most ``k`` non-zeros per row (exact projection).

    >>> topk_rows(1).project([[3., -5., 1.], [0.5, 4., -2.]])
    array([[ 0., -5.,  0.],
           [ 0.,  4.,  0.]])
    """
    return _TopK(_check_level(k, "topk_rows"), "topk_rows")


def topk_cols(k: int) -> Constraint:
    """At most ``k`` non-zeros per column (exact projection).

    >>> topk_cols(1).project([[3., -5., 1.], [0.5, 4., -2.]])
    array([[ 3., -5.,  0.],
           [ 0.,  0., -2.]])
    """
    return _TopK(_check_level(k, "topk_cols"), "topk_cols")


def splincol(k: int) -> Constraint:
    """FAuST "splincol": union of row-wise and column-wise top-``k`` supports (heuristic).

    >>> c = splincol(1)
    >>> c.exact
    False
    >>> c.project([[3., -5., 1.], [0.5, 4., -2.]])
    array([[ 3., -5.,  0.],
           [ 0.,  4., -2.]])
    """
    return _TopK(_check_level(k, "splincol"), "splincol")


def support(S: Any) -> Constraint:
    """Fixed support: entries outside the boolean mask ``S`` are zero (exact projection).

    >>> support([[1, 0], [1, 1]]).project([[1., 2.], [3., 4.]])
    array([[1., 0.],
           [3., 4.]])
    """
    return _Support(as_support(S, "S", "support"))


def unit_norm(c: Constraint | None = None) -> Constraint:
    """Constraint ``c`` (default: none) followed by unit-Frobenius normalisation.

    Exact projection onto ``set(c) ∩ {||S||_F = 1}`` whenever ``c`` is an exact l0 or
    support projection. A zero projection becomes a single 1 at the first allowed entry.

    >>> unit_norm(support([[0, 1], [1, 0]])).project(np.zeros((2, 2)))
    array([[0., 1.],
           [0., 0.]])
    """
    if c is not None and not isinstance(c, Constraint):
        raise param_error("unit_norm", "c", "a Constraint or None", c, kind=TypeError)
    if isinstance(c, _UnitNorm):   # idempotent: unit_norm(unit_norm(c)) is unit_norm(c)
        return c
    return _UnitNorm(c)


def compose(*constraints: Constraint) -> Constraint:
    """Apply the constraints in order (``compose(c1, c2).project(M) = c2(c1(M))``).

    Exact only in special cases (e.g. a support followed by ``topk``, which is the exact
    projection onto the intersection); reported as not exact in general.

    >>> compose(support([[1, 1], [0, 1]]), topk(1)).project([[1., 2.], [9., 3.]])
    array([[0., 0.],
           [0., 3.]])
    """
    if len(constraints) == 0:
        raise param_error("compose", "constraints", "at least one Constraint", "none", raw=True)
    for i, c in enumerate(constraints):
        if not isinstance(c, Constraint):
            raise param_error("compose", f"constraints[{i}]", "a Constraint", c, kind=TypeError)
    return _Compose(tuple(constraints))


def check_constraints(constraints: Any, func: str, *, name: str = "constraints",
                      n: int | None = None, allow_none: bool = False) -> list:
    """Validate a sequence of constraints (one per factor) at the boundary of ``func``.

    The one check of "a sequence of :class:`Constraint` objects" shared by
    :func:`~landscape.palm4msa`, :func:`~landscape.hierarchical` and the ReLU trainers.

    Parameters
    ----------
    constraints : sequence of Constraint
        A bare ``Constraint`` (not in a sequence) is rejected, so is an empty sequence.
    func, name : str
        Function and parameter named in the error message.
    n : int, optional
        Required length (one constraint per factor or layer).
    allow_none : bool, default False
        Accept ``None`` entries ("no constraint on this factor").

    Returns
    -------
    list

    Raises
    ------
    BadInputTypeError, BadInputValueError
        Through :func:`identifiability.core.validation.param_error`.

    Examples
    --------
    >>> check_constraints([topk(2), support([[1, 0], [1, 1]])], "demo")
    [topk(2), support(<2x2 mask, 3 entries>)]
    >>> check_constraints(topk(2), "demo")
    Traceback (most recent call last):
    ...
    identifiability.core.validation.BadInputTypeError: The 'constraints' parameter of demo
    must be a sequence of Constraint objects (one per factor). Got topk(2) instead.
    """
    if isinstance(constraints, Constraint):
        raise param_error(func, name, "a sequence of Constraint objects (one per factor)",
                          constraints, kind=TypeError)
    try:
        cons = list(constraints)
    except TypeError as exc:
        raise param_error(func, name, "a sequence of Constraint objects", constraints,
                          kind=TypeError) from exc
    if not cons:
        raise param_error(func, name, "a non-empty sequence of Constraint objects",
                          "an empty sequence", raw=True)
    if n is not None and len(cons) != n:
        raise param_error(func, name, f"a sequence of {n} constraints (one per factor)",
                          f"{len(cons)}", raw=True)
    for j, c in enumerate(cons):
        if c is None and allow_none:
            continue
        if not isinstance(c, Constraint):
            expected = "a Constraint or None" if allow_none else "a Constraint"
            raise param_error(func, f"{name}[{j}]", expected, c, kind=TypeError)
    return cons
