"""Certified lower bound on ``min ||A - P B Q||_F^2`` from every split level at once.

For every permutations ``P, Q`` and butterfly product ``B`` (``N = 2^L``), the split of ``B``
at ``t`` is block rank-one on a product tiling: ``N/2^t`` row groups of size ``2^t`` times
``2^t`` column blocks of size ``N/2^t``; the row groups of ``t + 1`` are unions of two groups
of ``t`` and the column blocks of ``t + 1`` halves of blocks of ``t`` (docs/theory.rst B10).
So, with ``cost_t`` the sum over the tiles of ``A``'s squared distance to rank one,

    ||A - P B Q||_F^2 >= max_t cost_t(row tree, column tree)

where the trees are the nested partitions that ``P, Q`` induce. :func:`tree_bound` searches
*all* pairs of trees whose every level costs less than ``delta``, level by level:

* **rows**: every perfect matching of the current groups whose summed merge weight is below
  ``delta``; the weight of a merge is a lower bound of its share of ``cost_t`` whatever the
  column halves: of any three columns of one block, two land in the same half, and
  ``sigma_2^2 [x, y] >= (|x|^2 |y|^2 - |x^H y|^2) / (|x|^2 + |y|^2)``; disjoint triples add
  (the distance to rank one is superadditive over disjoint column sets). A partial matching
  is cut when its weight plus half the sum, over the unmatched groups, of their cheapest
  unmatched partner reaches ``delta``;
* **columns**: for each block, every balanced halving costing less than ``delta``, by branch
  and bound over its columns (heaviest first; the first in half 0, the halves being
  unordered): the cost of the columns placed so far is a lower bound of every completion,
  as the distance to rank one only grows with the columns; each halving found is costed
  again by SVDs, and the block choices combine while their summed cost stays below ``delta``.

A tree whose levels all cost less than ``delta`` is reached; every other tree has a level
costing ``>= delta``. So the search certifies ``min(delta, best tree found)``, the best
tree's value being the largest of its level costs (branch and bound: once a tree is found,
``delta`` drops to its value). The search runs for increasing ``delta`` while it fits a
node and work budget; an unfinished search certifies nothing and the last finished one is
kept. Certified up to rounding in the pruning weights (``~1e-16`` of ``||A||^2``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from .fixed_support import best_rank_one_batched

__all__ = ["tree_bound"]

_TINY = 1e-300
_CHUNK = 1 << 21                               # entries per temporary array
_LOOKAHEAD = 32                                # unplaced columns checked per halving node
_NEGLIGIBLE = 1e-24                            # a tree this close (relative, squared) ends it
# thresholds tried, relative to ||A||_F, increasing
RELATIVE_DELTAS = (1e-3, 3e-3, 1e-2, 2e-2, 3e-2, 5e-2, 0.07, 0.1, 0.15, 0.2, 0.3)
MAX_N = 1024                                   # larger matrices: no tree search (seconds)
NODES = 15_000                                 # search nodes, all thresholds together
WORK = 5e8                                     # entries read, all thresholds together (or N^3)


class _OverBudget(Exception):
    """The search for one threshold met its budget: it certifies nothing."""


class _Negligible(Exception):
    """A tree whose every split is rank-one up to rounding: the bound is that tree's value."""


@dataclass
class _Budget:
    nodes: int
    work: float
    spent: list = field(default_factory=lambda: [0, 0.0])

    def spend(self, nodes: int = 1, work: float = 0.0) -> None:
        self.spent[0] += nodes
        self.spent[1] += work
        if self.spent[0] > self.nodes or self.spent[1] > self.work:
            raise _OverBudget


def _sigma2_floor(a: np.ndarray, d: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(a d - |b|^2) / (a + d) <= sigma_2^2`` of two columns with Gram ``[[a, b], [b*, d]]``
    (``sigma_1^2 sigma_2^2`` is the determinant, ``sigma_1^2 <= a + d``); broadcasts."""
    out = np.multiply(a, d)
    out -= np.square(b.real)
    if np.iscomplexobj(b):
        out -= np.square(b.imag)
    np.maximum(out, 0.0, out=out)
    den = np.add(a, d)
    np.maximum(den, _TINY, out=den)
    out /= den
    return out


def _merge_weights(A: np.ndarray, groups: np.ndarray, blocks: np.ndarray, delta: float,
                   budget: _Budget, rng: np.random.Generator) -> np.ndarray:
    """``W[i, j]``: lower bound of the share of the level cost of merging groups ``i, j``
    (refined with more column triples only while it stays below ``delta``)."""
    n, m = groups.shape[0], blocks.shape[1]
    W = np.zeros((n, n))
    if m >= 3:
        k = m // 3
        picks = np.argsort(rng.random(blocks.shape), axis=1)[:, :3 * k]
        triples = np.take_along_axis(blocks, picks, axis=1).reshape(-1, 3)
        triples = triples[rng.permutation(triples.shape[0])]
        budget.spend(work=9.0 * A.shape[0] * triples.shape[0])
        X = A[groups[:, :, None, None], triples[None, None]]           # (n, g, T, 3)
        diag = np.einsum("ngtu,ngtu->ntu", X.conj(), X).real            # (n, T, 3)
        off = np.stack([np.einsum("ngt,ngt->nt", X[..., u].conj(), X[..., v])
                        for u, v in ((0, 1), (0, 2), (1, 2))], axis=-1)
        ia, ib = np.triu_indices(n, 1)
        upper = np.zeros(ia.size)
        live = np.arange(ia.size)       # pairs still below delta get the next triples, in
        start, step = 0, 8              # doubling batches: every partial sum is a lower bound
        while live.size and start < triples.shape[0]:
            stop = min(triples.shape[0], start + step)
            budget.spend(work=30.0 * live.size * (stop - start))
            per = max(1, _CHUNK // (3 * (stop - start)))
            for s in range(0, live.size, per):
                i, j = ia[live[s:s + per]], ib[live[s:s + per]]
                D = diag[i, start:stop] + diag[j, start:stop]           # (p, t, 3)
                O = off[i, start:stop] + off[j, start:stop]
                best = np.minimum(np.minimum(_sigma2_floor(D[..., 0], D[..., 1], O[..., 0]),
                                             _sigma2_floor(D[..., 0], D[..., 2], O[..., 1])),
                                  _sigma2_floor(D[..., 1], D[..., 2], O[..., 2]))
                upper[live[s:s + per]] += best.sum(axis=-1)
            live = live[upper[live] < delta]
            start, step = stop, 2 * step
        W[ia, ib] = upper
        W += W.T
    np.fill_diagonal(W, np.inf)
    return W


def _matchings(W: np.ndarray, delta: list[float], budget: _Budget) -> Iterator[np.ndarray]:
    """Every perfect matching of ``0..n-1`` with summed weight ``< delta[0]`` (read at every
    node: it may drop meanwhile), as ``(n/2, 2)`` pairs, depth first, cheapest branch first.

    A partial matching is cut when its weight plus ``1/2 sum_free min_free W`` (a lower bound
    of any completion) reaches ``delta``; the vertex branched on is the one with the fewest
    partners passing that test."""
    n = W.shape[0]
    stack: list[tuple[np.ndarray, float, list[tuple[int, int]]]] = [(np.arange(n), 0.0, [])]
    while stack:
        free, acc, pairs = stack.pop()
        budget.spend(work=float(free.size) ** 2)
        if free.size == 0:
            yield np.array(pairs)
            continue
        Wf = W[np.ix_(free, free)]
        low = 0.5 * Wf.min(axis=1)
        rest = acc + float(low.sum())
        if rest >= delta[0]:
            continue
        ok = Wf - low[:, None] - low[None, :] < delta[0] - rest     # the diagonal is inf
        counts = ok.sum(axis=1)
        a = int(np.argmin(counts))
        partners = np.flatnonzero(ok[a])
        for b in partners[np.argsort(-Wf[a, partners], kind="stable")]:
            keep = np.ones(free.size, bool)
            keep[[a, b]] = False
            stack.append((free[keep], acc + float(Wf[a, b]),
                          pairs + [(int(free[a]), int(free[b]))]))


def _rank_one_residual(G: np.ndarray) -> np.ndarray:
    """``trace - lambda_max`` of each Gram matrix ``G (..., r, r)``: the squared distance to
    rank one of the columns that built it (closed form for ``r = 2``)."""
    if G.shape[-1] == 2:
        a, d = G[..., 0, 0].real, G[..., 1, 1].real
        b = G[..., 0, 1]
        root = np.sqrt((a - d) ** 2 + 4 * (b.real ** 2 + b.imag ** 2))
        return np.maximum(0.5 * (a + d - root), 0.0)
    lam = np.linalg.eigvalsh(G)
    return np.maximum(lam[..., :-1].sum(axis=-1), 0.0)


class _Half:
    """Distances to rank one of one half of a column block, for every row group, as columns
    join it: accumulated ``r x r`` row Gram matrices when the groups have few rows, else the
    sub-Gram of the chosen columns (the smaller matrix of the two)."""

    def __init__(self, X: np.ndarray):
        n, r, m = X.shape                                       # (groups, rows, columns)
        self.by_rows = r <= m // 2
        if self.by_rows:
            self.outer = np.einsum("nic,njc->cnij", X, X.conj())  # (m, n, r, r)
        else:
            self.gram = np.einsum("nic,nie->nce", X.conj(), X)    # (n, m, m)

    def costs(self, members: tuple, gram: np.ndarray | None, joining: np.ndarray
              ) -> np.ndarray:
        """Summed distance to rank one of ``members + (j,)`` for each ``j`` in ``joining``."""
        if self.by_rows:
            return _rank_one_residual(gram[None] + self.outer[joining]).sum(axis=1)
        idx = np.concatenate([np.broadcast_to(np.array(members, dtype=int),
                                              (joining.size, len(members))),
                              joining[:, None]], axis=1)
        sub = self.gram[:, idx[:, :, None], idx[:, None, :]]    # (n, J, s + 1, s + 1)
        return _rank_one_residual(sub).sum(axis=0)

    def add(self, gram: np.ndarray | None, j: int) -> np.ndarray | None:
        return gram + self.outer[j] if self.by_rows else None


def _halvings(A: np.ndarray, groups: np.ndarray, block: np.ndarray, delta: float,
              budget: _Budget) -> Iterator[tuple[float, np.ndarray]]:
    """The halvings of one column block costing ``< delta`` with the new row groups, as
    ``(cost, columns in the new order)``, as the search finds them (cheaper branch first).

    Branch and bound over the columns (the heaviest first, in half 0: the halves are
    unordered): the cost of the columns placed so far, plus the largest over (the first 32
    of) the unplaced columns of the cheaper of their two placements, is a lower bound of every
    completion (the distance to rank one only grows with the columns), so a branch stops as
    soon as it reaches ``delta``; a column with one possible half goes there first, and a half that
    cannot take the columns forced into it ends the branch. Each halving found is costed
    again without cancellation (:func:`best_rank_one_batched`)."""
    m = block.size
    X = A[groups[:, :, None], block[None, None, :]]                  # (n, r, m)
    n, r = X.shape[0], X.shape[1]
    heavy = np.argsort(-np.einsum("nrc,nrc->c", X.conj(), X).real, kind="stable")
    X = X[:, :, heavy]
    half = _Half(X)
    size = m // 2
    zero = np.zeros((n, r, r), dtype=X.dtype) if half.by_rows else None
    # state: (half-0 members, half-1 members, Gram 0, Gram 1, cost 0, cost 1, placed mask)
    first = half.costs((), zero, np.array([0]))[0]
    placed = np.zeros(m, bool)
    placed[0] = True
    stack = [((0,), (), half.add(zero, 0), zero, float(first), 0.0, placed)]
    while stack:
        S0, S1, G0, G1, c0, c1, placed = stack.pop()
        free = np.flatnonzero(~placed)
        budget.spend(work=4.0 * n * r * r * max(1, min(free.size, _LOOKAHEAD)))
        if free.size == 0:
            order = np.array(S0 + S1)
            tiles = X[:, :, order].reshape(n, r, 2, size).swapaxes(1, 2)
            budget.spend(work=float(X.size) * min(r, size))
            exact = float(best_rank_one_batched(tiles)[3].sum())
            if exact < delta:
                yield exact, block[heavy[order]]
            continue
        free = free[:_LOOKAHEAD]                     # any subset of them prunes validly
        new0 = half.costs(S0, G0, free) + c1 if len(S0) < size else np.full(free.size, np.inf)
        new1 = half.costs(S1, G1, free) + c0 if len(S1) < size else np.full(free.size, np.inf)
        ok0, ok1 = new0 < delta, new1 < delta
        if (np.any(~ok0 & ~ok1) or len(S0) + np.count_nonzero(ok0 & ~ok1) > size
                or len(S1) + np.count_nonzero(ok1 & ~ok0) > size):
            continue
        forced = np.flatnonzero(ok0 ^ ok1)
        i = int(forced[0]) if forced.size else int(np.argmax(np.minimum(new0, new1)))
        j = int(free[i])
        placed = placed.copy()
        placed[j] = True
        children = []
        if ok0[i]:
            children.append((new0[i], (S0 + (j,), S1, half.add(G0, j), G1, float(new0[i] - c1),
                                       c1, placed)))
        if ok1[i]:
            children.append((new1[i], (S0, S1 + (j,), G0, half.add(G1, j), c0,
                                       float(new1[i] - c0), placed)))
        children.sort(key=lambda item: -item[0])              # the cheaper child first
        stack.extend(state for _, state in children)


class _Cached:
    """A generator whose items are kept, to be walked again from the start."""

    def __init__(self, items: Iterator):
        self.items, self.seen = items, []

    def get(self, i: int):
        while len(self.seen) <= i and self.items is not None:
            try:
                self.seen.append(next(self.items))
            except StopIteration:
                self.items = None
        return self.seen[i] if i < len(self.seen) else None


def _search(A: np.ndarray, groups: np.ndarray, columns: np.ndarray, worst: float,
            delta: list[float], budget: _Budget, rng: np.random.Generator,
            negligible: float) -> None:
    """Extend the trees one level; ``delta[0]`` drops to the best complete tree's value, and
    a tree worth at most ``negligible`` ends the search."""
    n = groups.shape[0]
    if n == 2:                                  # the last split (tiles N x 1) is rank one
        delta[0] = min(delta[0], worst)
        if worst <= negligible:
            raise _Negligible
        return
    blocks = columns.reshape(-1, n)             # the column blocks: as many columns as groups
    W = _merge_weights(A, groups, blocks, delta[0], budget, rng)
    for pairs in _matchings(W, delta, budget):
        merged = np.concatenate([groups[pairs[:, 0]], groups[pairs[:, 1]]], axis=1)
        options = [_Cached(_halvings(A, merged, block, delta[0], budget)) for block in blocks]
        if any(o.get(0) is None for o in options):      # a block with no halving below delta
            continue
        k, pos, acc, chosen = 0, [0] * len(blocks), [0.0] * (len(blocks) + 1), [None] * len(blocks)
        while k >= 0:                 # one halving per block, summed cost below delta, lazily
            if k == len(blocks):
                _search(A, merged, np.concatenate(chosen), max(worst, acc[k]), delta, budget,
                        rng, negligible)
                k -= 1
                continue
            item = options[k].get(pos[k])
            pos[k] += 1
            budget.spend()
            if item is None:
                pos[k] = 0
                k -= 1
            elif acc[k] + item[0] < delta[0]:
                chosen[k], acc[k + 1] = item[1], acc[k] + item[0]
                k += 1


def tree_bound(A: np.ndarray, rng: np.random.Generator, *, floor: float = 0.0,
               relative_deltas: tuple[float, ...] = RELATIVE_DELTAS, nodes: int = NODES,
               work: float | None = None) -> float:
    """Certified lower bound on ``min ||A - P B Q||_F^2`` (module docstring).

    Parameters
    ----------
    A : (N, N) float64 or complex128 array, N a power of two (validated by the caller)
    rng : numpy.random.Generator
        Draws the column triples of the merge weights (any draw is valid).
    floor : float, default 0
        A squared bound already certified: thresholds at or below it are skipped.
    relative_deltas : increasing thresholds, relative to ``||A||_F``
    nodes : int
        Search nodes (matchings, halvings, combinations tried), all thresholds together.
    work : float or None
        Array entries read, all thresholds together; None: ``max(5e8, N^3)`` (seconds).

    Returns
    -------
    float
        Squared absolute bound: the largest threshold whose search finished without a tree,
        or the best tree's value when one was found; 0 when no threshold fits the budget or
        ``N > 1024`` (``MAX_N``: the first levels alone would take tens of seconds).

    Examples
    --------
    >>> from landscape.engine.butterfly import hadamard
    >>> rng = np.random.default_rng(0)
    >>> tree_bound(hadamard(8), rng) < 1e-20
    True
    >>> R = rng.standard_normal((16, 16))
    >>> bool(tree_bound(R, rng) >= 0.01 ** 2 * np.linalg.norm(R) ** 2)
    True
    """
    N = A.shape[0]
    norm2 = float(np.vdot(A.ravel(), A.ravel()).real)
    bound = 0.0
    if N < 4 or N > MAX_N or norm2 == 0.0:
        return bound
    budget = _Budget(nodes, max(WORK, float(N) ** 3) if work is None else work)
    for rel in (r for r in relative_deltas if r * r * norm2 > floor):
        delta = [rel * rel * norm2]
        try:
            _search(A, np.arange(N).reshape(N, 1), np.arange(N), 0.0, delta, budget, rng,
                    _NEGLIGIBLE * norm2)
        except _OverBudget:
            break
        except _Negligible:
            return min(bound, delta[0])
        bound = max(bound, delta[0])
        if delta[0] < rel * rel * norm2:       # a tree was found: larger thresholds keep it
            break
    return bound
