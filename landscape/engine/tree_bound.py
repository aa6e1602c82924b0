"""Certified lower bound on ``min ||A - P B Q||_F^2`` from every split level at once.

For every permutations ``P, Q`` and butterfly product ``B`` (``N = 2^L``), the split of ``B``
at ``t`` is block rank-one on a product tiling: ``N/2^t`` row groups of size ``2^t`` times
``2^t`` column blocks of size ``N/2^t``; the row groups of ``t + 1`` are unions of two groups
of ``t`` and the column blocks of ``t + 1`` halves of blocks of ``t`` (docs/theory.rst C19).
So, with ``cost_t`` the sum over the tiles of ``A``'s squared distance to rank one,

    ||A - P B Q||_F^2 >= max_t cost_t(row tree, column tree)

where the trees are the nested partitions that ``P, Q`` induce. :func:`tree_bound` searches
*all* pairs of trees whose every level costs less than ``delta``, level by level:

* **rows**: every perfect matching of the current groups whose summed merge weight is below
  ``delta``; the weight of a merge is a lower bound of its share of ``cost_t`` whatever the
  column halves: of any three columns of one block, two land in the same half, and
  ``sigma_2^2 [x, y] >= (|x|^2 |y|^2 - |x^H y|^2) / (|x|^2 + |y|^2)``; disjoint triples add
  (the distance to rank one is superadditive over disjoint column sets);
* **columns**: for each block, every balanced halving in which no two columns whose shared
  half alone would cost ``>= delta`` are together (a 2-colouring of that "apart" graph,
  component by component; the two halves are unordered), each with its exact cost (SVDs);
  the block choices combine while their summed cost stays below ``delta``.

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

__all__ = ["tree_bound"]

_TINY = 1e-300
_CHUNK = 1 << 21                               # entries per temporary array
_NEGLIGIBLE = 1e-24                            # a tree this close (relative, squared) ends it
RELATIVE_DELTAS = (1e-3, 1e-2, 3e-2, 0.1, 0.3)  # thresholds tried, relative to ||A||_F
NODES = 30_000                                 # search nodes, all thresholds together
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


def _refine(value: np.ndarray, terms, count: int, width: int, delta: float, budget: _Budget,
            first: int = 8) -> None:
    """Add ``terms(live, start, stop)`` (non-negative, ``(live.size,)``, ``width`` entries read
    per live entry and term) to ``value`` for ``start:stop`` running over ``0:count`` in
    doubling steps, only where ``value < delta``: every partial sum is a lower bound, and
    entries already ``>= delta`` need no more."""
    live = np.flatnonzero(value < delta)
    start, step = 0, first
    while live.size and start < count:
        stop = min(count, start + step)
        budget.spend(work=10.0 * width * live.size * (stop - start))
        per = max(1, _CHUNK // (width * (stop - start)))
        for s in range(0, live.size, per):
            value[live[s:s + per]] += terms(live[s:s + per], start, stop)
        live = live[value[live] < delta]
        start, step = stop, 2 * step


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

        def terms(live: np.ndarray, start: int, stop: int) -> np.ndarray:
            i, j = ia[live], ib[live]
            D = diag[i, start:stop] + diag[j, start:stop]               # (p, t, 3)
            O = off[i, start:stop] + off[j, start:stop]
            best = np.minimum(np.minimum(_sigma2_floor(D[..., 0], D[..., 1], O[..., 0]),
                                         _sigma2_floor(D[..., 0], D[..., 2], O[..., 1])),
                              _sigma2_floor(D[..., 1], D[..., 2], O[..., 2]))
            return best.sum(axis=-1)

        upper = np.zeros(ia.size)
        _refine(upper, terms, triples.shape[0], 3, delta, budget)
        W[ia, ib] = upper
        W += W.T
    np.fill_diagonal(W, np.inf)
    return W


def _matchings(W: np.ndarray, delta: float, budget: _Budget) -> Iterator[np.ndarray]:
    """Every perfect matching of ``0..n-1`` with summed weight ``< delta`` (pairs ``(n/2, 2)``),
    depth first; partial matchings are cut by ``sum_free min_j W[i, j] / 2``."""
    n = W.shape[0]
    half = 0.5 * W.min(axis=1)
    partners = []
    for i in range(n):
        order = np.argsort(W[i], kind="stable")
        partners.append(order[W[i, order] < delta])
    free = np.ones(n, bool)
    pairs: list[tuple[int, int]] = []
    frames: list[tuple[int, int, float, float]] = []     # (vertex, next partner, acc, rest)
    i, pos, acc, rest = 0, 0, 0.0, float(half.sum())
    while True:
        budget.spend()
        chosen = -1
        if acc + rest < delta:
            cand = partners[i]
            while pos < cand.size:
                j = int(cand[pos])
                pos += 1
                if acc + W[i, j] >= delta:
                    break
                if free[j] and acc + W[i, j] + rest - half[i] - half[j] < delta:
                    chosen = j
                    break
        if chosen >= 0:
            frames.append((i, pos, acc, rest))
            pairs.append((i, chosen))
            free[i] = free[chosen] = False
            acc, rest = acc + W[i, chosen], rest - half[i] - half[chosen]
            if len(pairs) < n // 2:
                i, pos = int(np.argmax(free)), 0
                continue
            yield np.array(pairs)
        if not frames:                       # backtrack (after a dead end or a yield)
            return
        i, pos, acc, rest = frames.pop()
        a, b = pairs.pop()
        free[a] = free[b] = True


def _balanced_sides(colour: np.ndarray, comps: list[np.ndarray], m: int,
                    budget: _Budget) -> Iterator[np.ndarray]:
    """Masks of the balanced halvings that keep every component's two colours apart (the first
    component's colour 0 in half 0: the halves are unordered)."""
    sizes = np.array([[np.count_nonzero(colour[c] == side) for side in (0, 1)] for c in comps])
    target = m // 2
    reach = np.zeros((len(comps) + 1, target + 1), bool)   # reach[k, s]: comps k.. can add s
    reach[-1, 0] = True
    for k in range(len(comps) - 1, -1, -1):
        for side in (0, 1):
            s = sizes[k, side]
            if s <= target:
                reach[k, s:] |= reach[k + 1, :target + 1 - s]
    stack = [(0, 0, np.zeros(m, bool))]
    while stack:
        k, s, mask = stack.pop()
        budget.spend()
        if k == len(comps):
            yield mask
            continue
        for side in ((0,) if k == 0 else (1, 0)):
            t = s + sizes[k, side]
            if t <= target and reach[k + 1, target - t]:
                nxt = mask.copy()
                nxt[comps[k][colour[comps[k]] == side]] = True
                stack.append((k + 1, t, nxt))


def _block_splits(A: np.ndarray, groups: np.ndarray, block: np.ndarray, delta: float,
                  budget: _Budget) -> list[tuple[float, np.ndarray]]:
    """The halvings of one column block costing ``< delta`` with the new row groups, as
    ``(cost, columns in the new order)``, cheapest first."""
    m = block.size
    X = A[groups[:, :, None], block[None, None, :]]                  # (n, 2g, m)
    weight = np.einsum("ngc,ngc->n", X.conj(), X).real
    X = X[np.argsort(-weight, kind="stable")]          # the heaviest groups first
    D = np.zeros((m, m))           # any subset of the groups bounds D below: stop adding groups
    start, step, live = 0, 1, m * m  # (doubling batches) once a batch leaves the graph as it is
    while start < X.shape[0]:
        for s in range(start, min(X.shape[0], start + step), max(1, _CHUNK // (m * m))):
            Y = X[s:min(s + max(1, _CHUNK // (m * m)), start + step)]    # (k, 2g, m)
            budget.spend(work=Y.size * (m + 10))
            G = np.matmul(Y.conj().swapaxes(1, 2), Y)               # (k, m, m) Gram matrices
            d = np.einsum("kcc->kc", G).real
            D += _sigma2_floor(d[:, :, None], d[:, None, :], G).sum(axis=0)
        start, step = start + step, 2 * step
        now = int(np.count_nonzero(D < delta))
        if now == live:
            break
        live = now
    apart = D >= delta
    np.fill_diagonal(apart, False)
    colour = -np.ones(m, dtype=int)
    comps = []
    for s in range(m):                       # 2-colour the "apart" graph
        if colour[s] >= 0:
            continue
        colour[s], stack, members = 0, [s], [s]
        while stack:
            u = stack.pop()
            for v in np.flatnonzero(apart[u]):
                if colour[v] < 0:
                    colour[v] = 1 - colour[u]
                    stack.append(v)
                    members.append(v)
                elif colour[v] == colour[u]:
                    return []                # odd cycle: every halving costs >= delta
        comps.append(np.array(members))
    out = []
    for mask in _balanced_sides(colour, comps, m, budget):
        order = np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])
        tiles = X[:, :, order].reshape(X.shape[0], X.shape[1], 2, m // 2).swapaxes(1, 2)
        budget.spend(work=float(X.size) * min(X.shape[1], m // 2))
        sv = np.linalg.svd(tiles, compute_uv=False)
        cost = float(np.square(sv[..., 1:]).sum())
        if cost < delta:
            out.append((cost, block[order]))
    out.sort(key=lambda item: item[0])
    return out


def _combinations(options: list[list[tuple[float, np.ndarray]]], delta: float,
                  budget: _Budget) -> Iterator[tuple[float, np.ndarray]]:
    """One halving per block with summed cost ``< delta``: ``(cost, all columns in order)``."""
    floor = np.concatenate([np.cumsum([opts[0][0] for opts in options][::-1])[::-1], [0.0]])
    stack = [(0, 0.0, ())]
    while stack:
        k, acc, chosen = stack.pop()
        budget.spend()
        if k == len(options):
            yield acc, np.concatenate([options[b][c][1] for b, c in enumerate(chosen)])
            continue
        for c in range(len(options[k]) - 1, -1, -1):     # cheapest popped first
            if acc + options[k][c][0] + floor[k + 1] < delta:
                stack.append((k + 1, acc + options[k][c][0], chosen + (c,)))


def _search(A: np.ndarray, groups: np.ndarray, columns: np.ndarray, worst: float,
            delta: list[float], budget: _Budget, rng: np.random.Generator) -> None:
    """Extend the trees one level; ``delta[0]`` drops to the best complete tree's value."""
    n = groups.shape[0]
    if n == 2:                                  # the last split (tiles N x 1) is rank one
        delta[0] = min(delta[0], worst)
        if worst <= _NEGLIGIBLE * float(np.vdot(A.ravel(), A.ravel()).real):
            raise _Negligible
        return
    blocks = columns.reshape(-1, n)             # the column blocks: as many columns as groups
    W = _merge_weights(A, groups, blocks, delta[0], budget, rng)
    for pairs in _matchings(W, delta[0], budget):
        merged = np.concatenate([groups[pairs[:, 0]], groups[pairs[:, 1]]], axis=1)
        options = []
        for block in blocks:
            opts = _block_splits(A, merged, block, delta[0], budget)
            if not opts:
                break
            options.append(opts)
        else:
            for cost, order in _combinations(options, delta[0], budget):
                if cost < delta[0]:
                    _search(A, merged, order, max(worst, cost), delta, budget, rng)


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
        or the best tree's value when one was found; 0 when no threshold fits the budget.

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
    if N < 4 or norm2 == 0.0:
        return bound
    budget = _Budget(nodes, max(WORK, float(N) ** 3) if work is None else work)
    for rel in (r for r in relative_deltas if r * r * norm2 > floor):
        delta = [rel * rel * norm2]
        try:
            _search(A, np.arange(N).reshape(N, 1), np.arange(N), 0.0, delta, budget, rng)
        except _OverBudget:
            break
        except _Negligible:
            return min(bound, delta[0])
        bound = max(bound, delta[0])
        if delta[0] < rel * rel * norm2:       # a tree was found: larger thresholds keep it
            break
    return bound
