"""Boolean support masks: validation, constructors, and rank-one contribution supports.

A support of an m x n factor is a boolean ndarray of shape (m, n). For a pair
``A = S1 @ S2`` (S1 m x r with mask ``support1``, S2 r x n with mask ``support2``) the
k-th rank-one contribution ``S1[:, k] S2[k, :]`` lives in the rectangle
``I_k x J_k`` with ``I_k = support1[:, k]`` and ``J_k = support2[k, :]``.

Examples
--------
>>> import numpy as np
>>> from identifiability.supports import butterfly_supports, rank_one_supports
>>> [int(S.sum()) for S in butterfly_supports(8)]
[16, 16, 16]
>>> L = np.array([[1, 0], [1, 1]], dtype=bool)
>>> [(I.tolist(), J.tolist()) for I, J in rank_one_supports(L, L.T)]
[([0, 1], [0, 1]), ([1], [1])]
"""

from __future__ import annotations

from itertools import combinations, product
from typing import Any, Iterator

import numpy as np

from .core.validation import (as_support, as_support_pair, check_choice, check_int,
                              check_power_of_two, check_rng, param_error)

__all__ = [
    "support_of",
    "dense_support",
    "lower_triangular_support",
    "random_support",
    "all_supports",
    "kron_support",
    "block_diag_support",
    "butterfly_supports",
    "butterfly_segment_support",
    "butterfly_split_supports",
    "bit_reversal",
    "rank_one_supports",
    "equivalence_classes",
]

_MODES = ("columns", "rows", "total")


def support_of(M: Any) -> np.ndarray:
    """Boolean mask of the nonzero entries of ``M``.

    >>> support_of([[1, 0], [0, 2]]).tolist()
    [[True, False], [False, True]]
    """
    return np.asarray(M) != 0


def dense_support(m: int, n: int) -> np.ndarray:
    """The all-True m x n mask."""
    m = check_int(m, "m", "dense_support", low=1)
    n = check_int(n, "n", "dense_support", low=1)
    return np.ones((m, n), dtype=bool)


def lower_triangular_support(n: int) -> np.ndarray:
    """The n x n lower-triangular mask (the L of an LU factorization).

    >>> lower_triangular_support(2).astype(int).tolist()
    [[1, 0], [1, 1]]
    """
    n = check_int(n, "n", "lower_triangular_support", low=1)
    return np.tril(np.ones((n, n), dtype=bool))


def _check_level(shape: tuple[int, int], k: Any, mode: str, func: str) -> int:
    m, n = shape
    high = {"columns": m, "rows": n, "total": m * n}[mode]
    return check_int(k, "k", func, low=0, high=high)


def _check_shape(shape: Any, func: str) -> tuple[int, int]:
    if not (isinstance(shape, (tuple, list)) and len(shape) == 2):
        raise param_error(func, "shape", "a pair (m, n) of positive ints", shape, kind=TypeError)
    return (check_int(shape[0], "shape[0]", func, low=1), check_int(shape[1], "shape[1]", func, low=1))


def random_support(shape: tuple[int, int], k: int, *, mode: str = "columns",
                   rng: Any = None) -> np.ndarray:
    """A uniformly random mask with exactly ``k`` True entries per column, per row or in total.

    Parameters
    ----------
    shape : (m, n)
    k : int
        Sparsity level; must not exceed the size of a column (``mode="columns"``), of a row
        (``mode="rows"``) or of the matrix (``mode="total"``).
    mode : {"columns", "rows", "total"}
    rng : numpy Generator, int seed or None
        The source of randomness (``None``: fresh entropy; see the vocabulary).

    >>> S = random_support((5, 3), 2, mode="columns", rng=0)
    >>> S.sum(axis=0).tolist()
    [2, 2, 2]
    """
    func = "random_support"
    shape = _check_shape(shape, func)
    mode = check_choice(mode, "mode", func, _MODES)
    k = _check_level(shape, k, mode, func)
    rng = check_rng(rng, func)
    m, n = shape
    if mode == "total":
        keys = rng.random(m * n)
        out = np.zeros(m * n, dtype=bool)
        out[np.argsort(keys, kind="stable")[:k]] = True
        return out.reshape(m, n)
    axis_len, count = (m, n) if mode == "columns" else (n, m)
    keys = rng.random((count, axis_len))
    ranks = np.argsort(np.argsort(keys, axis=1, kind="stable"), axis=1, kind="stable")
    mask = ranks < k  # count x axis_len
    return mask.T.copy() if mode == "columns" else mask


def all_supports(shape: tuple[int, int], k: int, *, mode: str = "columns") -> Iterator[np.ndarray]:
    """Enumerate every mask with exactly ``k`` True entries per column / row / in total.

    The number of masks is C(m, k)^n (columns), C(n, k)^m (rows) or C(mn, k) (total): use it
    on small shapes only.

    >>> sum(1 for _ in all_supports((3, 2), 1, mode="columns"))
    9
    """
    func = "all_supports"
    shape = _check_shape(shape, func)
    mode = check_choice(mode, "mode", func, _MODES)
    k = _check_level(shape, k, mode, func)
    m, n = shape
    if mode == "total":
        for idx in combinations(range(m * n), k):
            out = np.zeros(m * n, dtype=bool)
            out[list(idx)] = True
            yield out.reshape(m, n)
        return
    axis_len, count = (m, n) if mode == "columns" else (n, m)
    choices = list(combinations(range(axis_len), k))
    for pick in product(choices, repeat=count):
        mask = np.zeros((count, axis_len), dtype=bool)
        for row, idx in enumerate(pick):
            mask[row, list(idx)] = True
        yield mask.T.copy() if mode == "columns" else mask


def kron_support(*masks: Any) -> np.ndarray:
    """Kronecker product of masks (boolean).

    >>> kron_support(np.ones((2, 2), bool), np.eye(2, dtype=bool)).astype(int).tolist()
    [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]]
    """
    if not masks:
        raise param_error("kron_support", "masks", "at least one mask", "none", raw=True)
    out = np.ones((1, 1), dtype=bool)
    for i, M in enumerate(masks):
        out = np.kron(out, as_support(M, f"masks[{i}]", "kron_support")).astype(bool)
    return out


def block_diag_support(*masks: Any) -> np.ndarray:
    """Block-diagonal arrangement of masks."""
    if not masks:
        raise param_error("block_diag_support", "masks", "at least one mask", "none", raw=True)
    checked = [as_support(M, f"masks[{i}]", "block_diag_support") for i, M in enumerate(masks)]
    m = sum(M.shape[0] for M in checked)
    n = sum(M.shape[1] for M in checked)
    out = np.zeros((m, n), dtype=bool)
    i = j = 0
    for M in checked:
        out[i:i + M.shape[0], j:j + M.shape[1]] = M
        i += M.shape[0]
        j += M.shape[1]
    return out


def butterfly_segment_support(N: int, i: int, j: int) -> np.ndarray:
    """Support of the product ``X_i ... X_j`` of butterfly factors (1 <= i <= j <= log2 N).

    Equal to ``I_{2^(i-1)} (x) 1_{2^(j-i+1) x 2^(j-i+1)} (x) I_{N / 2^j}``.
    """
    func = "butterfly_segment_support"
    N = check_power_of_two(N, "N", func, low=2)
    L = N.bit_length() - 1
    i = check_int(i, "i", func, low=1, high=L)
    j = check_int(j, "j", func, low=i, high=L)
    b, c = 2 ** (j - i + 1), N // 2 ** j
    # index p = (outer digit in [0, 2^(i-1)), middle digit in [0, b), inner digit in [0, c)):
    # (p, q) is in the support iff p and q agree on the outer and on the inner digit
    p = np.arange(N)
    outer_p, inner_p = p // (b * c), p % c
    return (outer_p[:, None] == outer_p[None, :]) & (inner_p[:, None] == inner_p[None, :])


def butterfly_supports(N: int) -> list[np.ndarray]:
    """The log2 N butterfly masks ``S_l = I_{2^(l-1)} (x) 1_{2x2} (x) I_{N/2^l}``, l = 1..log2 N.

    Each has exactly two True entries per row and column.

    >>> [S.astype(int).tolist() for S in butterfly_supports(2)]
    [[[1, 1], [1, 1]]]
    """
    N = check_power_of_two(N, "N", "butterfly_supports", low=2)
    L = N.bit_length() - 1
    return [butterfly_segment_support(N, ell, ell) for ell in range(1, L + 1)]


def butterfly_split_supports(N: int, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Supports of ``X_1...X_t`` and ``X_{t+1}...X_L``: ``1_{2^t} (x) I_{N/2^t}`` and
    ``I_{2^t} (x) 1_{N/2^t}``. Their N rank-one supports are disjoint and tile N x N."""
    func = "butterfly_split_supports"
    N = check_power_of_two(N, "N", func, low=2)
    L = N.bit_length() - 1
    if L == 1:
        raise param_error(func, "N", "at least 4 (a chain of two or more factors)", N)
    t = check_int(t, "t", func, low=1, high=L - 1)
    return butterfly_segment_support(N, 1, t), butterfly_segment_support(N, t + 1, L)


def bit_reversal(N: int) -> np.ndarray:
    """The bit-reversal permutation: entry ``i`` is ``i`` with its log2 N bits reversed.

    The DFT with bit-reversed columns, ``dft(N)[:, bit_reversal(N)]``, is a butterfly product.

    >>> bit_reversal(8).tolist()
    [0, 4, 2, 6, 1, 5, 3, 7]
    """
    N = check_power_of_two(N, "N", "bit_reversal")
    L = N.bit_length() - 1
    i = np.arange(N)
    out = np.zeros(N, dtype=np.int64)
    for b in range(L):
        out |= ((i >> b) & 1) << (L - 1 - b)
    return out


def rank_one_supports(support1: Any, support2: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """The rectangles ``I_k x J_k`` of the rank-one contributions of ``S1 @ S2``.

    Returns, for k = 0..r-1, the pair ``(rows, cols)`` of sorted index arrays with
    ``rows = nonzero(support1[:, k])`` and ``cols = nonzero(support2[k, :])``.
    """
    s1, s2 = as_support_pair(support1, support2, "rank_one_supports")
    return [(np.flatnonzero(s1[:, k]), np.flatnonzero(s2[k, :])) for k in range(s1.shape[1])]


def equivalence_classes(support1: Any, support2: Any) -> list[list[int]]:
    """Group the inner indices k with identical rectangles ``(I_k, J_k)``.

    Indices with an empty side (``I_k`` or ``J_k`` empty) contribute nothing and are left out.
    Classes are sorted by their smallest index.

    >>> S = np.ones((2, 2), bool)
    >>> equivalence_classes(S, S)
    [[0, 1]]
    """
    s1, s2 = as_support_pair(support1, support2, "equivalence_classes")
    groups: dict[bytes, list[int]] = {}
    for k in range(s1.shape[1]):
        if not s1[:, k].any() or not s2[k, :].any():
            continue
        key = np.packbits(s1[:, k]).tobytes() + b"|" + np.packbits(s2[k, :]).tobytes()
        groups.setdefault(key, []).append(k)
    return sorted(groups.values(), key=lambda g: g[0])

