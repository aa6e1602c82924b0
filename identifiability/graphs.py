"""Bipartite graphs of supports and rank-one completion.

An observation pattern ``mask`` on a p x q rectangle is read as a bipartite graph with
one vertex per row, one per column and one edge per observed entry. A rank-one matrix
``x y^T`` whose observed entries are nonzero is determined by them iff that graph is
connected (Zheng, Riccietti, Gribonval 2021): values propagate along a spanning tree,
``y_j = M_ij / x_i`` and ``x_i = M_ij / y_j``.

:func:`complete_rank_one` works exactly on ``Fraction`` / :class:`GaussianRational` object
arrays, or numerically with an absolute tolerance ``atol``.

Products of matrices with sparse supports: :func:`coverage` / :func:`bool_product` (how many
rank-one supports cover each entry), :func:`matrix_product` (numerical, sparse when cheaper)
and :func:`product_equals_exact` (exact equality through int64 / float64 products whose every
partial sum is bounded), which the certificates use to multiply factors back.

Examples
--------
>>> import numpy as np
>>> M = np.array([[1, 2, 3], [2, 4, 6]])
>>> omega = np.array([[1, 1, 0], [0, 1, 1]], bool)   # connected
>>> res = complete_rank_one(M, omega)
>>> res.status, (res.completion == M).all()
('unique', np.True_)
>>> omega2 = np.array([[1, 1, 0], [0, 0, 1]], bool)  # two components
>>> complete_rank_one(M, omega2).status
'not_unique'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, issparse
from scipy.sparse.csgraph import breadth_first_order, connected_components

from .core.display import summary_repr
from .core.exact import dyadic_integer_scaling, to_exact
from .core.policy import decision_tolerance
from .core.validation import as_matrix, as_support, check_real, param_error

__all__ = [
    "bipartite_graph",
    "spanning_tree_edges",
    "RankOneCompletion",
    "complete_rank_one",
    "coverage",
    "is_zero",
    "bool_product",
    "matrix_product",
    "integer_scaling",
    "product_equals_exact",
    "components",
    "propagate",
]


def is_zero(values: np.ndarray, atol: float | None) -> np.ndarray:
    """Elementwise zero test: exact (``atol=None``) or ``|v| <= atol``."""
    values = np.asarray(values)
    if atol is None and values.dtype != object:
        return values == 0
    if atol is None:
        return np.array([v == 0 for v in values.flat], dtype=bool).reshape(values.shape)
    return np.abs(values) <= atol


def bipartite_graph(mask: Any) -> nx.Graph:
    """networkx graph with vertices ``("r", i)`` and ``("c", j)`` and an edge per True entry.

    >>> g = bipartite_graph([[1, 0], [1, 1]])
    >>> nx.is_connected(g), g.number_of_edges()
    (True, 3)
    """
    S = as_support(mask, "mask", "bipartite_graph")
    g = nx.Graph()
    g.add_nodes_from(("r", i) for i in range(S.shape[0]))
    g.add_nodes_from(("c", j) for j in range(S.shape[1]))
    g.add_edges_from((("r", int(i)), ("c", int(j))) for i, j in zip(*np.nonzero(S)))
    return g


def components(edges: np.ndarray, p: int, q: int) -> tuple[int, np.ndarray]:
    """Connected components of the bipartite graph of an (e, 2) edge list of (row, column)
    pairs: ``(n_components, labels)`` over the vertices (rows 0..p-1, columns p..p+q-1).

    >>> components(np.array([[0, 0], [1, 1]]), 2, 2)[0]
    2
    """
    n = p + q
    if len(edges) == 0:
        return n, np.arange(n)
    data = np.ones(len(edges), dtype=np.int8)
    g = coo_matrix((data, (edges[:, 0], edges[:, 1] + p)), shape=(n, n)).tocsr()
    return connected_components(g, directed=False)


def spanning_tree_edges(edges: np.ndarray, p: int, q: int, root: int
                        ) -> tuple[np.ndarray, np.ndarray]:
    """BFS spanning tree of the component of vertex ``root`` of a bipartite edge list.

    ``edges`` is an (e, 2) array of (row, column) pairs. Returns ``(order, tree)``: the
    vertices reached in BFS order (rows as ``i``, columns as ``p + j``) and the tree edges
    as (row, column) pairs listed in the order they are discovered (parent already known).
    """
    n = p + q
    data = np.ones(len(edges), dtype=np.int8)
    g = coo_matrix((data, (edges[:, 0], edges[:, 1] + p)), shape=(n, n)).tocsr()
    order, pred = breadth_first_order(g, root, directed=False, return_predecessors=True)
    tree = []
    for v in order[1:]:
        u = pred[v]
        tree.append((u, v - p) if u < p else (v, u - p))
    return order, np.array(tree, dtype=np.int64).reshape(-1, 2)


def propagate(values: np.ndarray, tree: np.ndarray, p: int, q: int, root: int,
              exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """Values of ``x`` (p) and ``y`` (q) with ``x_i y_j = values[i, j]`` on the tree edges.

    The root gets value 1; vertices off the tree get 0.
    """
    zero = to_exact([0])[0] if exact else values.dtype.type(0)
    one = to_exact([1])[0] if exact else values.dtype.type(1)
    x = np.array([zero] * p, dtype=object) if exact else np.zeros(p, dtype=values.dtype)
    y = np.array([zero] * q, dtype=object) if exact else np.zeros(q, dtype=values.dtype)
    if root < p:
        x[root] = one
    else:
        y[root - p] = one
    known = np.zeros(p + q, dtype=bool)
    known[root] = True
    for i, j in tree:
        if known[i]:
            y[j] = values[i, j] / x[i]
            known[p + j] = True
        else:
            x[i] = values[i, j] / y[j]
            known[i] = True
    return x, y


@dataclass(frozen=True, repr=False)
class RankOneCompletion:
    """Result of :func:`complete_rank_one`.

    ``status`` is ``"unique"`` (the observed entries determine the rank-one matrix),
    ``"not_unique"`` (``completion`` and ``alternative`` are two different rank-one
    matrices agreeing on the observed entries), or ``"infeasible"`` (no rank-one matrix
    matches; ``reason`` names the entries). ``tree`` is the spanning-tree witness.
    ``exact`` (exact arithmetic), ``atol`` (the absolute tolerance used, None when exact)
    and ``tol_source`` (``"exact input"``, ``"given"`` or ``"default"``) say how it was
    decided; ``margin`` is the largest rank-one mismatch on the observed entries (0.0 when
    exact and feasible).
    """

    status: str
    completion: np.ndarray | None
    alternative: np.ndarray | None
    tree: np.ndarray
    reason: str
    exact: bool = True
    atol: float | None = None
    tol_source: str = "exact input"
    margin: float = 0.0

    def __repr__(self) -> str:
        fields = dict(status=self.status, completion=self.completion,
                      n_tree_edges=int(len(self.tree)), exact=self.exact)
        if not self.exact:
            fields["atol"] = self.atol
        return summary_repr("RankOneCompletion", **fields)

    def explain(self) -> str:
        """The answer, the reason and how it was decided."""
        how = "decided in exact arithmetic" if self.exact else (
            f"numerical decision at atol = {self.atol:.3g} ("
            + ("the tolerance given" if self.tol_source == "given" else
               "the default tolerance: inexact input")
            + f"); largest mismatch on the observed entries {self.margin:.3g}")
        return f"Rank-one completion: {self.status}: {self.reason}.\n  {how}."


def complete_rank_one(M: Any, mask: Any, *, atol: float | None = None) -> RankOneCompletion:
    """Complete a rank-one matrix from the entries of ``M`` where ``mask`` is True.

    Parameters
    ----------
    M : array (p, q)
        Values; only the entries on ``mask`` are read.
    mask : bool array (p, q)
        Observed entries. They must all be nonzero (the classical completion setting);
        zero observations raise ``ValueError``.
    atol : float, optional
        Absolute tolerance of the consistency and zero checks. Omitted: the exactness
        policy (:mod:`identifiability.core.policy`): exact arithmetic when ``M`` is exact,
        otherwise a numerical decision at ``DEFAULT_RTOL * max(1, max|M|)``, which the result
        reports (``exact=False``, ``atol``, ``tol_source="default"``, ``margin``).

    Examples
    --------
    >>> res = complete_rank_one(np.array([[0.1, 0.3], [0.2, 0.6]]), np.ones((2, 2), bool))
    >>> res.status, res.exact, res.tol_source
    ('unique', False, 'default')
    """
    func = "complete_rank_one"
    M = as_matrix(M, "M", func, allow_object=True)
    S = as_support(mask, "mask", func, shape=M.shape)
    if atol is not None:
        atol = check_real(atol, "atol", func, low=0.0)
        source = "given"
    else:
        policy = decision_tolerance(None, M[S], func=func)
        atol, source = policy.tol, policy.source
    exact = atol is None
    vals = to_exact(M) if exact else M
    record = dict(exact=exact, atol=atol, tol_source=source)
    p, q = M.shape
    edges = np.argwhere(S)
    if is_zero(vals[S], atol).any():
        raise param_error(func, "M", "nonzero on every observed entry", "a zero observation",
                          raw=True)
    n_comp, labels = components(edges, p, q)
    x, y, trees = _complete_components(vals, edges, labels, p, q, exact)
    tree = np.concatenate(trees) if trees else np.zeros((0, 2), dtype=np.int64)
    completion = np.outer(x, y)
    mismatch = (completion - vals)[S]
    bad = ~is_zero(mismatch, atol)
    record["margin"] = 0.0 if exact or not mismatch.size else float(np.max(np.abs(mismatch)))
    if exact and bad.any():
        record["margin"] = float("inf")
    if bad.any():
        i, j = edges[np.flatnonzero(bad)[0]]
        return RankOneCompletion("infeasible", None, None, tree,
                                 f"entries on a cycle through ({i}, {j}) are not rank-one "
                                 "consistent", **record)
    if n_comp == 1:
        return RankOneCompletion("unique", completion, None, tree,
                                 "the observed entries form a connected spanning bipartite graph",
                                 **record)
    # rescale the last component (x by 2, y by 1/2): observed entries are unchanged
    two = to_exact([2])[0] if exact else 2.0
    last = labels == labels.max()
    x2, y2 = x.copy(), y.copy()
    x2[last[:p]] = x2[last[:p]] * two
    y2[last[p:]] = y2[last[p:]] / two
    return RankOneCompletion("not_unique", completion, np.outer(x2, y2), tree,
                             f"the observed entries form {n_comp} connected components: each can "
                             "be rescaled independently", **record)


def _complete_components(vals: np.ndarray, edges: np.ndarray, labels: np.ndarray, p: int, q: int,
                         exact: bool) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Propagate values on a spanning tree of every component (root value 1)."""
    one = to_exact([1])[0] if exact else 1
    x = np.array([one * 0] * p, dtype=object) if exact else np.zeros(p, dtype=vals.dtype)
    y = np.array([one * 0] * q, dtype=object) if exact else np.zeros(q, dtype=vals.dtype)
    trees = []
    for comp in np.unique(labels):
        members = np.flatnonzero(labels == comp)
        root = int(members[0])
        in_comp = np.isin(edges[:, 0], members) if len(edges) else np.zeros(0, bool)
        comp_edges = edges[in_comp]
        if len(comp_edges) == 0:  # isolated vertex: unobserved, any value; take 1
            if root < p:
                x[root] = one
            else:
                y[root - p] = one
            continue
        _, tree = spanning_tree_edges(comp_edges, p, q, root)
        xc, yc = propagate(vals, tree, p, q, root, exact)
        rows, cols = members[members < p], members[members >= p] - p
        x[rows], y[cols] = xc[rows], yc[cols]
        trees.append(tree)
    return x, y, trees


def coverage(support1: np.ndarray, support2: np.ndarray) -> np.ndarray:
    """Number of rank-one supports ``I_k x J_k`` covering each entry (int m x n array).

    Sparse supports use a scipy.sparse product (cost proportional to the number of
    covered entries), dense ones a float64 BLAS product (exact: counts are below 2**53).
    """
    return bool_product(support1, support2)


def bool_product(P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Integer product of two boolean matrices, sparse or dense whichever is cheaper.

    >>> bool_product(np.eye(2, dtype=bool), np.ones((2, 3), bool)).tolist()
    [[1, 1, 1], [1, 1, 1]]
    """
    if _sparse_is_cheaper(np.count_nonzero(P, axis=0), np.count_nonzero(Q, axis=1), P.shape,
                          Q.shape[1]):
        prod = csr_matrix(P, dtype=np.int64) @ csr_matrix(Q, dtype=np.int64)
        return prod.toarray()
    return (P.astype(np.float64) @ Q.astype(np.float64)).astype(np.int64)


def _sparse_is_cheaper(per_col: np.ndarray, per_row: np.ndarray, shape: tuple, n: int) -> bool:
    """A sparse product of an (m, r) ``shape`` matrix with ``per_col`` nonzeros per column by
    an (r, n) one with ``per_row`` per row costs its multiply-adds, about 30 times a dense
    BLAS one."""
    sparse_cost = float(np.asarray(per_col, dtype=np.float64) @ np.asarray(per_row, np.float64))
    return 30.0 * sparse_cost < float(shape[0]) * shape[1] * n


def _times(P: Any, Q: Any) -> Any:
    """``P @ Q`` (dense or scipy.sparse operands): a sparse result when that is cheaper."""
    Ps, Qs = csr_matrix(P), csr_matrix(Q)
    if _sparse_is_cheaper(np.bincount(Ps.indices, minlength=Ps.shape[1]), np.diff(Qs.indptr),
                          Ps.shape, Qs.shape[1]):
        return Ps @ Qs
    return (P.toarray() if issparse(P) else P) @ (Q.toarray() if issparse(Q) else Q)


def matrix_product(factors: Sequence[np.ndarray]) -> np.ndarray:
    """``factors[0] @ ... @ factors[-1]`` (numeric dtypes) as a dense array, each product
    sparse (scipy.sparse) or dense (BLAS) whichever is cheaper: O(multiply-adds) for
    factors with sparse supports, where a dense product of N x N factors costs N^3.

    >>> matrix_product([np.eye(3), 2 * np.ones((3, 2))]).tolist()
    [[2.0, 2.0], [2.0, 2.0], [2.0, 2.0]]
    """
    out = np.asarray(factors[0])
    for F in factors[1:]:
        out = _times(out, np.asarray(F))
    return out.toarray() if issparse(out) else np.asarray(out)


#: Integers below this bound in absolute value are exact in float64, and so is every
#: partial sum of a product whose product of absolute values stays below it.
_FLOAT_EXACT = 2.0 ** 53
#: The same bound for int64 partial sums, with a margin for the rounding of the float bound.
_INT64_SAFE = 2.0 ** 62


def integer_scaling(M: Any) -> tuple[np.ndarray, int] | None:
    """``(N, d)`` with ``M == N / d``, ``N`` int64 with entries below ``2**62`` and ``d`` a
    positive int, for real integer, dyadic float and ``int`` / ``Fraction`` object arrays;
    None otherwise (complex, inexact floats, symbolic entries, too large).

    >>> from fractions import Fraction
    >>> integer_scaling(np.array([[Fraction(1, 2), Fraction(1, 3)]], dtype=object))
    (array([[3, 2]]), 6)
    """
    M = np.asarray(M)
    if M.dtype.kind in "iuf":
        scaled = dyadic_integer_scaling(M, max_abs=2 ** 62)
        return None if scaled is None else (scaled[0], 2 ** scaled[1])
    if M.dtype != object or not all(type(x) in (int, Fraction) for x in M.flat):
        return None
    d = math.lcm(*{x.denominator for x in M.flat if type(x) is Fraction}, 1)
    N = [x.numerator * (d // x.denominator) for x in M.flat]
    if max(map(abs, N), default=0) >= 2 ** 62:
        return None
    return np.array(N, dtype=np.int64).reshape(M.shape), d


def product_equals_exact(factors: Sequence[Any], A: Any) -> bool | None:
    """Exactly ``factors[0] @ ... @ factors[-1] == A``, fast for sparse factors; None when
    some matrix is not real rational of int64 size (:func:`integer_scaling`): the caller
    then uses a general exact product (:func:`~identifiability.core.exact.exact_product_equals`).

    The matrices are scaled to integers and multiplied with :func:`matrix_product` (sparse
    when cheaper): in float64 while the product of the absolute values (computed alongside,
    stage by stage) stays below ``2**53``, in int64 while it stays below ``2**62``; both bound
    every partial sum, so the product is exact (None beyond). Incompatible shapes: False.

    >>> product_equals_exact([np.array([[1, 0.5]]), np.array([[2], [2]])], np.array([[3]]))
    True
    """
    arrays = [np.asarray(F) for F in factors] + [np.asarray(A)]
    shapes = [M.shape for M in arrays]
    if any(len(s) != 2 for s in shapes) or any(a[1] != b[0] for a, b in zip(shapes, shapes[1:-1])) \
            or (shapes[0][0], shapes[-2][1]) != shapes[-1]:
        return False
    scaled = [integer_scaling(M) for M in arrays]
    if any(sc is None for sc in scaled):
        return None
    P = scaled[0][0]
    bound = np.abs(P).astype(np.float64)
    for M, _ in scaled[1:-1]:
        bound = _times(bound, np.abs(M).astype(np.float64))
        top = float(bound.max()) if bound.shape[0] * bound.shape[1] else 0.0
        if top >= _INT64_SAFE:
            return None
        dtype = np.float64 if top < _FLOAT_EXACT else np.int64
        P = _times(P.astype(dtype), M.astype(dtype)).astype(np.int64)
    P = P.toarray() if issparse(P) else np.asarray(P, dtype=np.int64)
    MA, dA = scaled[-1]
    d = math.prod(sc for _, sc in scaled[:-1])
    # P / d == MA / dA  <=>  P * (dA / g) == MA * (d / g), g = gcd(d, dA)
    g = math.gcd(d, dA)
    a, b = dA // g, d // g
    if _fits_int64(P, a) and _fits_int64(MA, b):
        return bool(np.array_equal(P * a, MA * b))
    return bool(np.array_equal(P.astype(object) * a, MA.astype(object) * b))


def _fits_int64(P: np.ndarray, c: int) -> bool:
    return float(np.abs(P).max(initial=0)) * float(c) < _INT64_SAFE


