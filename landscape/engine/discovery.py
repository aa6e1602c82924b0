"""Discover a butterfly factorization with unknown row and column permutations.

:func:`discover_butterfly` looks for ``A = P B_1 ... B_L Q`` (``N = 2^L``, every ``B_l`` a
butterfly factor with support ``I_{2^(l-1)} (x) 1_{2x2} (x) I_{N/2^l}``, two non-zeros per row
and column; ``P``, ``Q`` unknown permutations) from ``A`` alone: no supports, no permutation.

**Method (structure from rank-one blocks).** Write the butterfly chain's split at ``t``:
``B_1 ... B_t`` times ``B_{t+1} ... B_L``. Its product is block rank-one: the rows fall into
``N/2^t`` *row classes* of size ``2^t`` (fixed low bits of the row index), the columns into
``2^t`` *column classes* of size ``N/2^t`` (fixed high bits), and every (row class, column
class) block has rank one (docs/theory.rst A5/B6). The classes are nested: a row class at ``t + 1`` is
the union of two at ``t``, a column class at ``t`` splits into two at ``t + 1``. Conversely, any
two such nested families with rank-one blocks at every ``t`` give an ordering of the rows and
columns in which ``A`` is an exact butterfly product (relabelling the two children of a node
of either tree is a permutation that the butterfly supports absorb), and the hierarchical
block rank-one algorithm (:func:`landscape.engine.butterfly.butterfly_factorize`) then returns
its factors exactly. So the search is for the two trees, level by level:

* level ``t`` works on the *reduced matrix* ``M`` (one row per row class of level ``t - 1``,
  the N columns grouped into the column classes of level ``t - 1``); it must **pair the rows**
  of ``M`` and **halve every column block** so that paired rows are proportional on each half;
* candidates: an anchor row ``a`` against every other row ``j``, all at once: the columns of the
  2-row matrix ``M[[a, j]]`` must fall, block by block, into exactly two directions with
  ``n/2`` columns each (sines of angles, one vectorised pass, ``O(nN)``); that gives the halves;
* given the halves, the partners of *all* rows follow from one hash: each row's restriction to
  each half is normalised up to a scalar (unit norm, phase fixed by a random functional) and
  projected on a random vector; partners have equal keys, so sorting pairs them (``O(nN)``);
* verification: every (pair, half) block has ``sigma_2 <= tau sigma_1`` (2 x 2 Gram matrices,
  vectorised); the next reduced matrix is the rank-one fit ``u^H B`` of each block;
* depth-first: when a level has no valid pairing, the next candidate of the level above is
  tried (a bounded number of times); Hadamard-like matrices have many valid pairings, generic
  butterflies and the DFT exactly one.

The whole search costs ``O(N^2)`` per level, ``O(N^2 log N)`` in all (no ``O(N^3)`` step).

**Robust search (noise, near-structure).** When the exact search fails, the same levels are
run with least-residual choices instead of thresholds: the anchor's partner minimises the
balanced two-line residual of ``M[[a, j]]`` (balanced assignment by sorting, a few line
refits, batched over ``j``); all rows are paired by a greedy maximum-similarity matching,
the similarity of rows ``i, j`` being ``sum_halves 1 - sigma_2^2 / min(|v_i|^2, |v_j|^2)`` of
their restrictions (1 when rank one, a zero restriction fitting anything; exact Gram
matrices, one batched product, sketched to 128 dimensions beyond N = 1024); pairs and
halves are refitted alternately (three rounds). It always returns orderings; the
hierarchical fit in them decides. On a butterfly plus noise the fit comes back at the noise
level for the DFT and Hadamard (``bench_discovery.py --noise``). Cost ``O(nN log n)`` plus one
batched Gram product of ``O(n^2 N)`` flops per level (``N^3`` BLAS flops at level 1).

**Certificate when no structure is found.** For *every* ``P, Q`` and butterfly ``B``,
``||A - P B Q||_F^2`` is at least the cost of every split for the trees that ``P, Q`` induce
(docs/theory.rst B10). First split: each triple of columns has two columns on one line, so
each pair ``{i, j}`` costs at least ``w(i, j) = sum_triples min_(c, c') sigma_2^2(A[{i,j},
{c,c'}]) >= |det|^2 / ||.||_F^2``; the best pairing costs at least ``1/2 sum_i min_j w(i,
j)``; the same for ``A^T`` (the last split). All splits: the exhaustive tree search of
:mod:`landscape.engine.tree_bound` (every row and column tree whose levels all cost less than
a threshold, under a budget). :attr:`ButterflyDiscovery.error_bound` is the largest, as a
relative error.

Examples
--------
>>> from landscape.engine.butterfly import dft
>>> res = discover_butterfly(dft(16), rng=0)
>>> res.success, bool(res.relative_error < 1e-12)
(True, True)
>>> x = np.arange(16.0)
>>> bool(np.allclose(res.chain @ x, np.fft.fft(x)))
True
>>> discover_butterfly(np.random.default_rng(1).standard_normal((8, 8)), rng=0).success
False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from identifiability.core.display import summary_repr
from identifiability.core.validation import as_matrix, check_real, check_rng, param_error
from identifiability.supports import butterfly_supports

from .butterfly import PERMUTATION_SEARCHES, ButterflyResult, FactorChain, butterfly_factorize
from .tree_bound import tree_bound

__all__ = ["ButterflyDiscovery", "discover_butterfly", "permutation_lower_bound"]

_TINY = 1e-300
_MAX_CANDIDATES = 4        # valid candidates tried per level before giving up on it
_MAX_ATTEMPTS = 64         # candidate verifications in the whole depth-first search
_CHUNK = 1 << 21           # entries per temporary array (memory stays O(N) columns at a time)
_EXACT_GRAM = 1.1e9        # robust pairing: exact cosines up to n^2 N (N = 1024), else sketched
_BOUND_WORK = 5e7          # entry operations spent on the lower bound (sets the triple count)


# --------------------------------------------------------------------------- one level

@dataclass
class _Level:
    """A verified pairing of one level: row pairs, new column order, next reduced matrix."""

    pairs: np.ndarray          # (n/2, 2) row indices of M (member 0, member 1)
    order: np.ndarray          # (N,) columns of M in the new order (half 0, half 1 per block)
    reduced: np.ndarray        # (n/2, N) the next reduced matrix, columns in the new order


def _sines(x0: np.ndarray, xj: np.ndarray, d0: np.ndarray, dj: np.ndarray,
           norms: np.ndarray) -> np.ndarray:
    """|sin| of the angle between the 2-vectors (x0, xj) and the unit direction (d0, dj);
    0 for (numerically) zero vectors, which fit any direction."""
    det = np.abs(x0 * dj - xj * d0)
    return np.where(norms > _TINY, det / np.maximum(norms, _TINY), 0.0)


def _candidates(M: np.ndarray, n_blocks: int, tau: float) -> list[tuple[int, int, np.ndarray]]:
    """Valid partners ``j`` of the anchor row with the halves they imply, best first.

    Returns ``(anchor, j, half)`` with ``half[b, c]`` the half (0/1) of column ``c`` of block
    ``b``; a candidate is valid when every block's columns of ``M[[anchor, j]]`` have exactly
    two directions (up to ``tau``) with ``n/2`` columns each.
    """
    n = M.shape[0]
    absM = np.abs(M)
    rown = np.sqrt(np.einsum("ij,ij->i", absM, absM))
    anchor = int(np.argmax(absM.min(axis=1) / np.maximum(rown, _TINY)))
    others = np.delete(np.arange(n), anchor)
    x0 = M[anchor].reshape(1, n_blocks, n)
    chunk = max(1, _CHUNK // M.shape[1])
    found: list[tuple[float, int, np.ndarray]] = []
    for start in range(0, others.size, chunk):
        rows = others[start:start + chunk]
        valid, spread, half = _two_directions(x0, M[rows].reshape(-1, n_blocks, n), tau)
        for g in np.flatnonzero(valid):
            found.append((float(spread[g]), int(rows[g]), half[g]))
        found.sort(key=lambda item: item[0])          # stable: ties keep the row order
        del found[_MAX_CANDIDATES:]
    return [(anchor, j, half) for _, j, half in found]


def _two_directions(x0: np.ndarray, xj: np.ndarray, tau: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each candidate row: do the columns of ``[x0; xj]`` fall, block by block, into two
    directions of ``n/2`` columns each? Returns validity, the largest in-class sine and the
    halves (``[candidate, block, column]``, 0 = the class of the block's largest column)."""
    n = xj.shape[2]
    norms = np.sqrt(np.abs(x0) ** 2 + np.abs(xj) ** 2)
    take = lambda X, idx: np.take_along_axis(X, idx[..., None], axis=2)  # noqa: E731
    x0b = np.broadcast_to(x0, xj.shape)
    ref = np.argmax(norms, axis=2)                                     # (candidates, blocks)
    nr = np.maximum(take(norms, ref), _TINY)
    s1 = _sines(x0, xj, take(x0b, ref) / nr, take(xj, ref) / nr, norms)
    ref2 = np.argmax(s1, axis=2)
    nr2 = np.maximum(take(norms, ref2), _TINY)
    s2 = _sines(x0, xj, take(x0b, ref2) / nr2, take(xj, ref2) / nr2, norms)
    in1, in2 = s1 <= tau, s2 <= tau
    only1 = (in1 & ~in2).sum(axis=2)
    only2 = (in2 & ~in1).sum(axis=2)
    valid = np.all((in1 ^ in2) & (norms > _TINY), axis=(1, 2))
    valid &= np.all((only1 == n // 2) & (only2 == n // 2), axis=1)
    spread = np.minimum(s1, s2).max(axis=(1, 2))
    return valid, spread, (~in1).astype(np.int8)


def _top_vectors(a: np.ndarray, b: np.ndarray, d: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Top eigenvector ``(u1, u2)`` and eigenvalues of the 2 x 2 Hermitian Gram matrices
    ``[[a, b], [conj(b), d]]`` (batched; ``a, d`` real >= 0)."""
    half = 0.5 * (a - d)
    root = np.sqrt(half * half + np.abs(b) ** 2)
    lam1 = 0.5 * (a + d) + root
    lam2 = np.maximum(a * d - np.abs(b) ** 2, 0.0) / np.maximum(lam1, _TINY)
    first = a >= d
    u1 = np.where(first, lam1 - d, b)
    u2 = np.where(first, np.conj(b), lam1 - a)
    nu = np.sqrt(np.abs(u1) ** 2 + np.abs(u2) ** 2)
    degenerate = nu <= _TINY
    u1 = np.where(degenerate, first.astype(float), u1 / np.maximum(nu, _TINY))
    u2 = np.where(degenerate, (~first).astype(float), u2 / np.maximum(nu, _TINY))
    return u1, u2, lam1, lam2


def _pair_rows(M: np.ndarray, n_blocks: int, half: np.ndarray, tau: float,
               rng: np.random.Generator) -> _Level | None:
    """All row pairs given the halves (hash, sort, verify) and the next reduced matrix."""
    n, N = M.shape
    h = n // 2
    cols = np.arange(N).reshape(n_blocks, n)
    order = np.concatenate([np.concatenate([c[half[b] == 0], c[half[b] == 1]])
                            for b, c in enumerate(cols)])
    Mh = M[:, order].reshape(n, 2 * n_blocks, h)
    for _ in range(2):                                   # a second hash if the first collides
        shape = (2, 2 * n_blocks, h)
        w = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        s = np.einsum("ikc,kc->ik", Mh, w[0])
        nv = np.sqrt(np.einsum("ikc,ikc->ik", Mh, Mh.conj()).real)
        scale = np.where((np.abs(s) > _TINY) & (nv > _TINY),
                         np.conj(s) / np.maximum(np.abs(s), _TINY) / np.maximum(nv, _TINY), 0.0)
        key = np.einsum("ikc,kc,ik->i", Mh, w[1], scale)
        rank = np.argsort(key.real, kind="stable")
        pairs = rank.reshape(h, 2)
        top, bot = Mh[pairs[:, 0]], Mh[pairs[:, 1]]
        a = np.einsum("pkc,pkc->pk", top, top.conj()).real
        d = np.einsum("pkc,pkc->pk", bot, bot.conj()).real
        b = np.einsum("pkc,pkc->pk", top, bot.conj())
        u1, u2, lam1, lam2 = _top_vectors(a, b, d)
        if np.all(lam2 <= tau * tau * lam1):
            reduced = np.conj(u1)[..., None] * top + np.conj(u2)[..., None] * bot
            return _Level(pairs, order, reduced.reshape(h, N))
    return None


def _levels(M: np.ndarray, level: int, L: int, tau: float, rng: np.random.Generator,
            budget: list[int], failures: list[tuple[int, str]], depth: list[int]
            ) -> list[_Level] | None:
    """Depth-first search of the pairings of levels ``level .. L - 1``."""
    depth[0] = max(depth[0], level)
    if level == L:
        return []
    n = M.shape[0]
    n_blocks = M.shape[1] // n
    candidates = _candidates(M, n_blocks, tau)
    if not candidates:
        failures.append((level, f"level {level}: no row pairs proportional on two column halves"))
        return None
    for anchor, j, half in candidates[:_MAX_CANDIDATES]:
        if budget[0] <= 0:
            failures.append((level, f"level {level}: search budget exhausted"))
            return None
        budget[0] -= 1
        found = _pair_rows(M, n_blocks, half, tau, rng)
        if found is None:
            failures.append((level, f"level {level}: the halves of rows {anchor}, {j} do not "
                                    f"pair all rows"))
            continue
        rest = _levels(found.reduced, level + 1, L, tau, rng, budget, failures, depth)
        if rest is not None:
            return [found] + rest
    return None


# --------------------------------------------------------------------------- robust levels

def _line_residuals(a: np.ndarray, b: np.ndarray, l1: np.ndarray, l2: np.ndarray) -> np.ndarray:
    """Squared distance of the 2-vectors ``(a, b)`` to the line of the unit ``(l1, l2)``."""
    return np.abs(a * l2 - b * l1) ** 2


def _balanced_split(cost0: np.ndarray, cost1: np.ndarray) -> np.ndarray:
    """The exact-cardinality assignment (half of the last axis to each class) of least total
    cost: the columns with the smallest ``cost0 - cost1`` go to class 0. Returns the class."""
    n = cost0.shape[-1]
    order = np.argsort(cost0 - cost1, axis=-1, kind="stable")
    half = np.ones(cost0.shape, dtype=np.int8)
    np.put_along_axis(half, order[..., : n // 2], 0, axis=-1)
    return half


def _fit_lines(a: np.ndarray, b: np.ndarray, half: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Best line (top left singular vector) of each class of columns of ``[a; b]``."""
    lines = []
    for g in (0, 1):
        m = half == g
        ga = np.where(m, np.abs(a) ** 2, 0.0).sum(-1)
        gd = np.where(m, np.abs(b) ** 2, 0.0).sum(-1)
        gb = np.where(m, a * np.conj(b), 0.0).sum(-1)
        u1, u2, _, _ = _top_vectors(ga, gb, gd)
        lines += [u1[..., None], u2[..., None]]
    return tuple(lines)


def _two_lines(a: np.ndarray, b: np.ndarray, n_iter: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Balanced two-line clustering of the columns of ``[a; b]`` (last axis), batched.

    Start: the largest column and the column farthest from it; then alternate the balanced
    assignment and the line fits. Returns the halves and the total residual per batch entry.
    """
    norms2 = np.abs(a) ** 2 + np.abs(b) ** 2
    take = lambda X, idx: np.take_along_axis(X, idx[..., None], axis=-1)  # noqa: E731
    ref = np.argmax(norms2, axis=-1)
    nr = np.sqrt(np.maximum(take(norms2, ref), _TINY))
    l1a, l1b = take(a, ref) / nr, take(b, ref) / nr
    r1 = _line_residuals(a, b, l1a, l1b)
    ref2 = np.argmax(r1, axis=-1)
    nr2 = np.sqrt(np.maximum(take(norms2, ref2), _TINY))
    l2a, l2b = take(a, ref2) / nr2, take(b, ref2) / nr2
    for _ in range(n_iter):
        r1, r2 = _line_residuals(a, b, l1a, l1b), _line_residuals(a, b, l2a, l2b)
        half = _balanced_split(r1, r2)
        l1a, l1b, l2a, l2b = _fit_lines(a, b, half)
    r1, r2 = _line_residuals(a, b, l1a, l1b), _line_residuals(a, b, l2a, l2b)
    half = _balanced_split(r1, r2)
    return half, np.where(half == 0, r1, r2).sum(axis=-1)


def _match(S: np.ndarray) -> np.ndarray:
    """A perfect matching of large total similarity ``S`` (symmetric): mutually best pairs,
    round after round, then greedy on what is left. Returns ``(n/2, 2)`` row indices."""
    n = S.shape[0]
    S = S.copy()
    np.fill_diagonal(S, -np.inf)
    free = np.arange(n)
    pairs = []
    while free.size:
        sub = S[np.ix_(free, free)]
        best = np.argmax(sub, axis=1)
        idx = np.arange(free.size)
        mutual = np.flatnonzero((best[best] == idx) & (idx < best))
        if mutual.size == 0:       # no mutual best pair left: greedy by the largest entry
            i, j = np.unravel_index(np.argmax(sub), sub.shape)
            mutual, best = np.array([i]), best.copy()
            best[i] = j
        pairs.append(np.stack([free[mutual], free[best[mutual]]], axis=1))
        keep = np.ones(free.size, bool)
        keep[mutual] = keep[best[mutual]] = False
        free = free[keep]
    return np.concatenate(pairs)


def _robust_level(M: np.ndarray, n_blocks: int, rng: np.random.Generator,
                  dim: int = 128) -> _Level:
    """One level without thresholds: the anchor's partner of least two-line residual, all
    rows paired by the rank-one similarity of their restrictions to the halves, the halves
    refitted on all pairs; always returns a pairing (the final fit decides)."""
    n, N = M.shape
    h = n // 2
    norms = np.sqrt(np.einsum("ij,ij->i", M, M.conj()).real)
    anchor = int(np.argmax(norms))
    others = np.delete(np.arange(n), anchor)
    x0 = M[anchor].reshape(1, n_blocks, n)
    best_cost, half = np.inf, None
    chunk = max(1, _CHUNK // N)
    for start in range(0, others.size, chunk):
        rows = others[start:start + chunk]
        xj = M[rows].reshape(-1, n_blocks, n)
        halves, cost = _two_lines(np.broadcast_to(x0, xj.shape), xj)
        cost = cost.sum(axis=1) / np.maximum(norms[anchor] ** 2 + norms[rows] ** 2, _TINY)
        g = int(np.argmin(cost))
        if cost[g] < best_cost:
            best_cost, half = cost[g], halves[g]
    cols = np.arange(N).reshape(n_blocks, n)
    for _ in range(3):
        order = np.concatenate([np.concatenate([c[half[b] == 0], c[half[b] == 1]])
                                for b, c in enumerate(cols)])
        Mh = M[:, order].reshape(n, 2 * n_blocks, h)
        Mk = np.ascontiguousarray(Mh.transpose(1, 0, 2))      # [half, row, column]
        energy = np.einsum("kic,kic->ki", Mk, Mk.conj()).real
        if n * n * N > _EXACT_GRAM:                # Johnson-Lindenstrauss sketch of each half
            G = (rng.standard_normal((2 * n_blocks, h, dim))
                 + 1j * rng.standard_normal((2 * n_blocks, h, dim))) / np.sqrt(2 * dim)
            Mk = np.matmul(Mk, G)
        cross = np.abs(np.matmul(Mk, Mk.conj().transpose(0, 2, 1))) ** 2
        ai, aj = energy[:, :, None], energy[:, None, :]
        lam1 = 0.5 * (ai + aj) + np.sqrt(0.25 * (ai - aj) ** 2 + cross)
        sigma2 = np.maximum(ai * aj - cross, 0.0) / np.maximum(lam1, _TINY)
        # 1 - sigma_2^2 / min(a_i, a_j) in [0, 1]: 1 iff rank one (a zero half fits anything)
        S = (1.0 - sigma2 / np.maximum(np.minimum(ai, aj), _TINY)).sum(axis=0)
        pairs = _match(S)
        # refit the halves on all pairs: column c's cost in class g summed over the pairs
        Mb = M.reshape(n, n_blocks, n)
        a, b = Mb[pairs[:, 0]], Mb[pairs[:, 1]]            # [pair, block, column]
        for _ in range(2):
            l1a, l1b, l2a, l2b = _fit_lines(a, b, np.broadcast_to(half, a.shape))
            half = _balanced_split(_line_residuals(a, b, l1a, l1b).sum(axis=0),
                                   _line_residuals(a, b, l2a, l2b).sum(axis=0))
    order = np.concatenate([np.concatenate([c[half[b] == 0], c[half[b] == 1]])
                            for b, c in enumerate(cols)])
    Mh = M[:, order].reshape(n, 2 * n_blocks, h)
    top, bot = Mh[pairs[:, 0]], Mh[pairs[:, 1]]
    u1, u2, _, _ = _top_vectors(np.einsum("pkc,pkc->pk", top, top.conj()).real,
                                np.einsum("pkc,pkc->pk", top, bot.conj()),
                                np.einsum("pkc,pkc->pk", bot, bot.conj()).real)
    reduced = np.conj(u1)[..., None] * top + np.conj(u2)[..., None] * bot
    return _Level(pairs, order, reduced.reshape(h, N))


def _robust_levels(A: np.ndarray, L: int, rng: np.random.Generator) -> list[_Level]:
    levels, M = [], A
    for _ in range(1, L):
        levels.append(_robust_level(M, M.shape[1] // M.shape[0], rng))
        M = levels[-1].reduced
    return levels


def _orderings(levels: list[_Level], N: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column orders (original indices) of the trees found by the levels."""
    items = np.arange(N).reshape(N, 1)
    columns = np.arange(N)
    for lv in levels:
        items = np.stack([items[lv.pairs[:, 0]], items[lv.pairs[:, 1]]], axis=-1)
        items = items.reshape(lv.pairs.shape[0], -1)
        columns = columns[lv.order]
    rows = np.stack([items[0], items[1]], axis=-1).reshape(-1) if items.shape[0] == 2 \
        else items.reshape(-1)
    return rows, columns


# --------------------------------------------------------------------------- lower bound

def _pair_bound(A: np.ndarray, rng: np.random.Generator) -> float:
    """Certified lower bound on the optimum of the first split over all row pairings and
    column halvings (module docstring): ``1/2 sum_i min_j w(i, j)``, ``w`` from triples."""
    n, N = A.shape
    if n < 2 or N < 3:
        return 0.0
    n_triples = int(min(N // 3, max(1, _BOUND_WORK // (3.0 * n * n))))
    triples = rng.permutation(N)[:3 * n_triples].reshape(n_triples, 3)
    p = np.abs(A) ** 2
    total = 0.0
    rows = max(1, _CHUNK // n)
    for start in range(0, n, rows):
        I = slice(start, min(n, start + rows))
        W = np.zeros((I.stop - I.start, n))
        det, val, best, F = (np.empty(W.shape, A.dtype), np.empty(W.shape), np.empty(W.shape),
                             np.empty(W.shape))
        for tri in triples:
            for k, (c, e) in enumerate(((tri[0], tri[1]), (tri[0], tri[2]), (tri[1], tri[2]))):
                x, y = A[:, c], A[:, e]
                np.multiply.outer(x[I], y, out=det)
                det -= np.multiply.outer(y[I], x)          # det[i, j] = x_i y_j - y_i x_j
                if np.iscomplexobj(det):
                    np.square(det.real, out=val)
                    val += np.square(det.imag)
                else:
                    np.square(det, out=val)
                s = p[:, c] + p[:, e]
                np.add.outer(s[I], s, out=F)                # ||A[{i, j}, {c, e}]||_F^2
                np.maximum(F, _TINY, out=F)
                val /= F                                    # |det|^2 / ||.||_F^2 <= sigma_2^2
                if k == 0:
                    best[...] = val
                else:
                    np.minimum(best, val, out=best)
            W += best
        W[np.arange(W.shape[0]), np.arange(I.start, I.stop)] = np.inf   # j != i
        total += float(W.min(axis=1).sum())
    return 0.5 * total


def permutation_lower_bound(A: Any, *, rng: Any = None) -> np.float64:
    """Certified lower bound on ``min ||A - P B Q||_F / ||A||_F`` over all permutations
    ``P, Q`` and butterfly products ``B`` (every N x N with N a power of two).

    The largest of the first-split and last-split relaxations and of the all-splits tree search
    (module docstring, :func:`landscape.engine.tree_bound.tree_bound`; column triples drawn with
    ``rng``, any draw is valid). Certified up to rounding. It is a relaxation: the optimum lies
    between it and the error of any fit (:func:`discover_butterfly`). Cost: ``O(N^2)`` per
    triple for the first split, a budget of about ``max(5e8, N^3)`` array entries and 15000
    search nodes for the tree search (measured, in all: about 1 s at N = 16 ... 128, 1 - 2 s
    at N = 256, 512, 3 - 4 s at N = 1024; no tree search beyond N = 1024).

    Parameters
    ----------
    A : (N, N) real or complex array, N a power of two >= 2
    rng : numpy.random.Generator, int seed or None
        Draws the column triples.

    Returns
    -------
    numpy.float64 in [0, 1]

    Examples
    --------
    >>> from landscape.engine.butterfly import hadamard
    >>> float(permutation_lower_bound(hadamard(8), rng=0))
    0.0
    >>> R = np.random.default_rng(0).standard_normal((16, 16))
    >>> bool(permutation_lower_bound(R, rng=0) > 0.01)
    True
    """
    A, rng = _check(A, "permutation_lower_bound", rng)
    return _relative_bound(A, rng)


def _relative_bound(A: np.ndarray, rng: np.random.Generator) -> np.float64:
    norm2 = float(np.vdot(A.ravel(), A.ravel()).real)
    if norm2 == 0.0 or A.shape[0] == 2:
        return np.float64(0.0)
    bound = max(_pair_bound(A, rng), _pair_bound(A.T, rng))
    bound = max(bound, tree_bound(A, rng, floor=bound))
    return np.float64(min(1.0, np.sqrt(bound / norm2)))


# --------------------------------------------------------------------------- public API

@dataclass(frozen=True)
class ButterflyDiscovery:
    """Outcome of :func:`discover_butterfly`.

    Attributes
    ----------
    success : True when a butterfly factorization with permutations was found with
        ``relative_error <= tol``.
    reason : why the search failed ("" on success).
    chain : FactorChain ``P_r, B_1, ..., B_L, P_c`` (the two permutation matrices are its first
        and last factors) with ``chain @ x ~ A @ x``. When the exact search fails, the fit
        without learned permutations (natural or bit-reversed columns, the better) is the
        answer when exact (``method="plain"``); on failure, the best of that fit and the fits
        in the orderings of the searches.
    row_permutation, column_permutation : index arrays ``r, c`` with
        ``A[np.ix_(r, c)] ~ B_1 ... B_L`` (``butterfly.chain``).
    relative_error : ``||A - chain||_F / ||A||_F``, computed directly.
    error_bound : certified lower bound on ``min ||A - P B Q||_F / ||A||_F`` over every ``P, Q``
        and butterfly ``B`` (:func:`permutation_lower_bound`); 0 on success (not computed).
    levels : number of split levels whose pairing was identified (``L - 1`` on success; on
        failure, the levels passed by the deepest branch of the search).
    butterfly : the :class:`ButterflyResult` of ``A[np.ix_(r, c)]``.
    method : which search produced ``chain``: "exact search" (threshold tests, the pairing is
        certain), "robust search" (least-residual choices, for noisy or degenerate input),
        "plain" (no learned permutation).
    """

    success: bool
    reason: str
    chain: FactorChain
    row_permutation: np.ndarray
    column_permutation: np.ndarray
    relative_error: np.float64
    error_bound: np.float64
    levels: int
    butterfly: ButterflyResult
    method: str

    def __repr__(self) -> str:
        return summary_repr("ButterflyDiscovery", success=self.success,
                            relative_error=float(f"{float(self.relative_error):.3e}"),
                            error_bound=float(f"{float(self.error_bound):.3e}"),
                            levels=self.levels, N=self.chain.shape[0], method=self.method,
                            reason=self.reason)

    def verify(self, A: Any, *, tol: float = 1e-10) -> bool:
        """Re-check the answer against ``A``, independently of the search: the first and last
        factors of ``chain`` are permutation matrices (identity allowed), the ``L`` others lie
        on the butterfly supports, and the dense product is within ``tol`` (relative) of ``A``.
        """
        func = "ButterflyDiscovery.verify"
        A, _ = _check(A, func, None)
        tol = check_real(tol, "tol", func, low=0.0)
        factors = [f.tocsr() for f in self.chain.factors]
        N = A.shape[0]
        if A.shape != self.chain.shape or len(factors) != N.bit_length() + 1:
            return False
        for P in (factors[0], factors[-1]):
            dense = P.toarray()
            if not (np.all((dense == 0) | (dense == 1)) and np.all(dense.sum(0) == 1)
                    and np.all(dense.sum(1) == 1)):
                return False
        for X, S in zip(factors[1:-1], butterfly_supports(N)):
            if np.any(X.toarray()[~S]):
                return False
        error = np.linalg.norm(self.chain.toarray() - A)
        return bool(error <= tol * np.linalg.norm(A))

    def explain(self) -> str:
        """Plain-language summary: what was found, how exact, and what is certified."""
        N = self.chain.shape[0]
        L = N.bit_length() - 1
        if self.success:
            return "\n".join([
                f"A ({N} x {N}) = P_r B_1 ... B_{L} P_c with butterfly factors B_l and "
                f"permutations found from A alone ({self.method}).",
                f"Relative error ||A - chain||_F / ||A||_F = {float(self.relative_error):.3e}.",
                "A[np.ix_(row_permutation, column_permutation)] = B_1 ... B_L."])
        return "\n".join([
            f"No butterfly-with-permutations structure found for this {N} x {N} matrix: "
            f"{self.reason}.",
            f"Certified: every P B Q (any permutations, any butterfly B) has relative error >= "
            f"{float(self.error_bound):.3e}.",
            f"Best fit returned ({self.method}): relative error "
            f"{float(self.relative_error):.3e}, so the optimum lies in "
            f"[{float(self.error_bound):.3e}, {float(self.relative_error):.3e}]."])


def _check(A: Any, func: str, rng: Any) -> tuple[np.ndarray, np.random.Generator]:
    A = as_matrix(A, "A", func)
    if A.shape[0] != A.shape[1] or A.shape[0] < 2 or A.shape[0] & (A.shape[0] - 1):
        raise param_error(func, "A", "a square N x N matrix with N a power of two >= 2",
                          f"shape {A.shape}", raw=True)
    rng = check_rng(rng, func)
    return A.astype(np.complex128 if np.iscomplexobj(A) else np.float64, copy=False), rng


def _permutation_csr(perm: np.ndarray, dtype: np.dtype) -> sp.csr_matrix:
    """``P`` with ``(P x)[i] = x[perm[i]]``."""
    N = perm.size
    return sp.csr_matrix((np.ones(N, dtype=dtype), perm, np.arange(N + 1)), shape=(N, N))


def _fit(A: np.ndarray, rows: np.ndarray, cols: np.ndarray, tol: float
         ) -> tuple[FactorChain, np.ndarray, np.ndarray, ButterflyResult]:
    """The butterfly fit of ``A[np.ix_(rows, cols)]`` and its chain with the permutations."""
    inner = butterfly_factorize(A[np.ix_(rows, cols)], permutation=None, tol=tol)
    inverse = np.empty_like(rows)
    inverse[rows] = np.arange(rows.size)
    factors = ((_permutation_csr(inverse, A.dtype),) + inner.chain.factors
               + (_permutation_csr(cols, A.dtype),))
    return FactorChain(factors, permutation=cols), rows, cols, inner


def discover_butterfly(A: Any, *, tol: float | None = None, rng: Any = None) -> ButterflyDiscovery:
    """Find ``A = P B_1 ... B_L Q`` (butterfly factors, unknown permutations) from ``A`` alone.

    Only the sparsity pattern's *levels* are assumed (``L = log2 N`` factors with two non-zeros
    per row and column, in butterfly position); the supports' alignment, the row permutation
    ``P`` and the column permutation ``Q`` are discovered (module docstring: rank-one block
    structure of every two-factor split, level by level). Real and complex input.

    Parameters
    ----------
    A : (N, N) real or complex array, N a power of two >= 2, finite entries
        Integer and float32 input is computed in float64, complex64 in complex128.
    tol : float or None, default None (``1e-10``)
        Decision tolerance: success means relative error ``<= tol``. The structural tests
        (``sigma_2 <= tau sigma_1`` of the rank-one blocks, sines of angles) use
        ``tau = min(1e-2, max(1e-8, sqrt(tol)))``.
    rng : numpy.random.Generator, int seed or None
        Draws the random hash vectors and the column triples of the lower bound. The result
        does not depend on it for exactly structured input (up to rounding).

    Returns
    -------
    ButterflyDiscovery

    Notes
    -----
    **Guarantees.** (i) Whenever ``success`` is True, ``chain`` multiplies back to ``A`` with the
    reported ``relative_error`` (computed directly, never estimated): no false success.
    (ii) If ``A`` is a scrambled butterfly product whose reduced matrices have no zero entries
    and whose row pairs take two distinct ratios on every column block at every level
    (generic butterflies, Hadamard, DFT, in any row and column order), the anchor's true
    partner passes the candidate test and gives the true halves, so a branch of the
    depth-first search succeeds within its budget (4 candidates per level, 64 in all) unless
    more than that many wrong-but-locally-valid candidates come first; measured, the first
    candidate succeeds for random butterflies, the DFT and Hadamard at every N tried
    (``benchmarks/bench_discovery.py``). (iii) ``error_bound`` is certified for every input,
    up to rounding: no permutations and butterfly factors do better; on failure the optimum
    lies in ``[error_bound, relative_error]``.

    **Where it fails.** Exact butterflies with zeros inside their factors' supports, once
    scrambled (``I (x) H``, factors with 20% zeros; with 5% zeros and small permutation
    matrices the robust search usually recovers them exactly), or whose paired rows are
    proportional on a whole column block, or that need more than the search budget, are
    reported as failures with the reason -- never a false success. ``error_bound`` is a
    relaxation and its tree search is budgeted, so the bracket can be wide: the Hartley
    transform (N >= 16; level 1 is exact, level 2 is not) is certified impossible with
    ``error_bound`` at least 0.05, 0.03, 0.02, 0.01, 0.01, 3e-3, 1e-3 at N = 16 ... 1024 (the
    column triples drawn with ``rng`` move it a little), while the fits found have errors
    0.35 ... 0.86; beyond N = 1024 only the first and last splits are used. Noisy input
    (noise above ``tol``) is never a success; its fit (robust search) is returned with the bracket
    ``[error_bound, relative_error]``. Under heavy noise on unbalanced butterflies (products of
    random factors: log-normal entries) the robust pairing makes mistakes: 2 - 3.3 times the
    error of the fit told the true permutations at N = 32 ... 1024 and 10% noise
    (``benchmarks/bench_noise.py``, medians of 10 draws).

    Examples
    --------
    >>> from landscape.engine.butterfly import hadamard
    >>> rng = np.random.default_rng(0)
    >>> A = hadamard(32)[rng.permutation(32)][:, rng.permutation(32)]
    >>> res = discover_butterfly(A, rng=0)
    >>> res.success, res.levels
    (True, 4)
    >>> bool(np.allclose(A[np.ix_(res.row_permutation, res.column_permutation)],
    ...                  res.butterfly.chain.toarray()))
    True
    >>> res.verify(A)
    True
    """
    func = "discover_butterfly"
    A, rng = _check(A, func, rng)
    tol = 1e-10 if tol is None else check_real(tol, "tol", func, low=0.0, low_open=True)
    tau = float(min(1e-2, max(1e-8, np.sqrt(tol))))
    N = A.shape[0]
    L = N.bit_length() - 1
    identity = np.arange(N)
    failures: list[tuple[int, str]] = []     # (level, why), the deepest is reported
    depth = [1]                     # deepest level reached by the search
    if not np.any(A) or N == 2:
        levels: list[_Level] | None = []
    else:
        levels = _levels(A, 1, L, tau, rng, [_MAX_ATTEMPTS], failures, depth)
    def result(fit: tuple, method: str, success: bool, reason: str = "",
               bound: np.float64 = np.float64(0.0), done: int = L - 1) -> ButterflyDiscovery:
        chain, rows, cols, inner = fit
        return ButterflyDiscovery(success=success, reason=reason, chain=chain,
                                  row_permutation=rows, column_permutation=cols,
                                  relative_error=inner.relative_error,
                                  error_bound=min(bound, inner.relative_error),  # rounding
                                  levels=done, butterfly=inner, method=method)

    fits = []
    if levels is not None:
        fits.append((_fit(A, *(_orderings(levels, N) if levels else (identity, identity)), tol),
                     "exact search"))
        if fits[-1][0][3].relative_error <= tol:
            return result(fits[-1][0], "exact search", True, done=len(levels))
        failures.append((L, f"the orderings found give a butterfly fit of relative error "
                             f"{float(fits[-1][0][3].relative_error):.3e} > tol"))
    plain = butterfly_factorize(A, permutation="auto", tol=tol)   # natural or bit-reversed
    fits.append((_fit(A, identity, identity if plain.permutation is None else plain.permutation,
                      tol), "plain"))
    if fits[-1][0][3].relative_error <= tol:     # degenerate, exact in natural/bit-reversed order
        return result(fits[-1][0], "plain", True)
    if N > 2:
        fits.append((_fit(A, *_orderings(_robust_levels(A, L, rng), N), tol), "robust search"))
        if fits[-1][0][3].relative_error <= tol:
            return result(fits[-1][0], "robust search", True)
    fit, method = min(fits, key=lambda f: f[0][3].relative_error)
    reason = max(failures, key=lambda f: f[0])[1] if failures else "no structure"
    return result(fit, method, False, reason, _relative_bound(A, rng), depth[0] - 1)


def _learn(A: np.ndarray, tol: float, rng: np.random.Generator) -> ButterflyResult:
    """``butterfly_factorize(A, permutation="learn")``: the discovery as a ButterflyResult."""
    found = discover_butterfly(A, tol=max(tol, _TINY), rng=rng)
    inner = found.butterfly
    norm2 = float(np.vdot(A.ravel(), A.ravel()).real)
    bound = np.float64(found.error_bound)
    return ButterflyResult(found.chain, found.relative_error, found.column_permutation,
                           np.float64(bound * bound * norm2), found.success, inner.order,
                           ("learn",), np.array([found.relative_error]), tol,
                           row_permutation=found.row_permutation, error_bound=bound,
                           reason=found.reason)


PERMUTATION_SEARCHES["learn"] = _learn
