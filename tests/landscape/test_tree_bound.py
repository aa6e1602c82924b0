"""Tests of the certified lower bounds over permutations and butterflies: the first/last-split
bound of landscape.engine.discovery and the all-levels tree search of
landscape.engine.tree_bound.

The bound must (i) never exceed the error of any permutations-and-butterfly fit (found fits,
the ground truth of a noisy butterfly), (ii) equal the brute-force minimum over all row and
column trees of the largest split cost when its search finishes below its last threshold
(N = 8, every tree enumerated), and (iii) vanish on exact scrambled butterflies.
"""

import itertools
from functools import reduce

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.engine.butterfly import dft, hadamard, random_butterfly_factors
from landscape.engine.discovery import discover_butterfly, permutation_lower_bound
from landscape.engine import tree_bound as tb
from landscape.engine.tree_bound import tree_bound


def hartley(N):
    t = 2 * np.pi * np.outer(np.arange(N), np.arange(N)) / N
    return np.cos(t) + np.sin(t)


def scrambled_butterfly(N, rng, dtype=complex):
    B = reduce(np.matmul, random_butterfly_factors(N, rng=rng, dtype=dtype))
    return B[rng.permutation(N)][:, rng.permutation(N)]


def pairings(items):
    if not items:
        yield []
        return
    a, rest = items[0], items[1:]
    for k, b in enumerate(rest):
        for tail in pairings(rest[:k] + rest[k + 1:]):
            yield [(a, b)] + tail


def halvings(items):
    first, rest = items[0], items[1:]
    for others in itertools.combinations(rest, len(items) // 2 - 1):
        half = (first,) + others
        yield list(half), [x for x in items if x not in half]


def residual(X):
    return float(np.square(np.linalg.svd(X, compute_uv=False)[1:]).sum())


def tree_optimum_n8(A):
    """min over all row and column trees of max(level-1 cost, level-2 cost), N = 8: every
    tile's distance to rank one tabulated, every (row tree, column tree) pair summed."""
    subsets = {k: [tuple(c) for c in itertools.combinations(range(8), k)] for k in (2, 4)}
    index = {k: {c: i for i, c in enumerate(v)} for k, v in subsets.items()}

    def table(r, c):                       # residual of A[rows subset, columns subset]
        tiles = np.array([[A[np.ix_(R, C)] for C in subsets[c]] for R in subsets[r]])
        return np.square(np.linalg.svd(tiles, compute_uv=False)[..., 1:]).sum(axis=-1)

    level1, level2 = table(2, 4), table(4, 2)     # 2 x 4 tiles, then 4 x 2 tiles
    pair_ids, group_ids = [], []
    for P in pairings(list(range(8))):
        for Q in pairings(list(range(4))):
            pair_ids.append([index[2][p] for p in P])
            group_ids.append([index[4][tuple(sorted(P[a] + P[b]))] for a, b in Q])
    half_ids, quarter_ids = [], []
    for h0, h1 in halvings(list(range(8))):
        for q0 in halvings(h0):
            for q1 in halvings(h1):
                half_ids.append([index[4][tuple(h)] for h in (h0, h1)])
                quarter_ids.append([index[2][tuple(q)] for q in q0 + q1])
    pair_ids, group_ids = np.array(pair_ids), np.array(group_ids)
    half_ids, quarter_ids = np.array(half_ids), np.array(quarter_ids)
    c1 = level1[pair_ids[:, :, None, None], half_ids[None, None]].sum(axis=(1, 3))
    c2 = level2[group_ids[:, :, None, None], quarter_ids[None, None]].sum(axis=(1, 3))
    return float(np.maximum(c1, c2).min())


def split_optimum_relaxed(A):
    """min over row pairings of the sum over pairs of their best halving (each pair its own):
    below the first split's optimum, itself below every permuted butterfly's error."""
    N = A.shape[0]
    cost = {(i, j): min(residual(A[np.ix_([i, j], h0)]) + residual(A[np.ix_([i, j], h1)])
                        for h0, h1 in halvings(list(range(N))))
            for i, j in itertools.combinations(range(N), 2)}
    return min(sum(cost[p] for p in P) for P in pairings(list(range(N))))


@pytest.mark.parametrize("seed", [0, 1])
def test_first_split_bound_below_its_brute_force_relaxation(seed):
    """The first/last-split bound of discovery never exceeds the brute-force relaxation; the
    public bound (the tree search on top) is at least as large."""
    from landscape.engine.discovery import _pair_bound
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    norm2 = np.linalg.norm(A) ** 2
    brute = max(split_optimum_relaxed(A), split_optimum_relaxed(A.T))
    pair = max(_pair_bound(A, np.random.default_rng(seed)),
               _pair_bound(A.T, np.random.default_rng(seed)))
    assert 0 < pair <= brute * (1 + 1e-12)
    assert float(permutation_lower_bound(A, rng=seed)) ** 2 * norm2 >= pair * (1 - 1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_equals_brute_force_tree_optimum_n8(seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((8, 8)) + (1j * rng.standard_normal((8, 8)) if seed else 0)
    norm2 = np.linalg.norm(A) ** 2
    optimum = tree_optimum_n8(A)
    assert tree_bound(A, np.random.default_rng(seed)) <= optimum * (1 + 1e-9)
    # one threshold above everything: the search finishes and finds the optimal trees
    exact = tree_bound(A, np.random.default_rng(seed), relative_deltas=(1.0,), nodes=10**7,
                       work=1e12)
    assert exact == pytest.approx(optimum, rel=1e-9)
    assert optimum < norm2


def test_budget_only_lowers_the_bound():
    A = np.random.default_rng(3).standard_normal((8, 8))
    full = tree_bound(A, np.random.default_rng(0), nodes=10**6, work=1e12)
    assert tree_bound(A, np.random.default_rng(0), nodes=0) == 0.0          # nothing finishes
    assert 0 < tree_bound(A, np.random.default_rng(0), relative_deltas=(1e-2,)) <= full
    assert tree_bound(A, np.random.default_rng(0), floor=full) == pytest.approx(full)
    assert tree_bound(A, np.random.default_rng(0), floor=np.linalg.norm(A) ** 2) == 0.0


@pytest.mark.parametrize("N", [8, 16, 32, 64])
def test_vanishes_on_exact_scrambled_butterflies(N):
    rng = np.random.default_rng(N)
    for A in (scrambled_butterfly(N, rng), scrambled_butterfly(N, rng, dtype=float),
              dft(N)[rng.permutation(N)][:, rng.permutation(N)], hadamard(N)):
        assert tree_bound(A, rng) <= 1e-14 * np.linalg.norm(A) ** 2
        assert permutation_lower_bound(A, rng=0) <= 1e-7


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([8, 16]), st.sampled_from([1e-3, 1e-2, 1e-1]), st.booleans(),
       st.integers(0, 2**32 - 1))
def test_below_the_truth_of_a_noisy_butterfly(N, noise, complex_, seed):
    """A = P B Q + E: the truth is one candidate, so the optimum is <= ||E|| / ||A||."""
    rng = np.random.default_rng(seed)
    A = scrambled_butterfly(N, rng, dtype=complex if complex_ else float)
    E = rng.standard_normal(A.shape) + (1j * rng.standard_normal(A.shape) if complex_ else 0)
    E *= noise * np.linalg.norm(A) / np.linalg.norm(E)
    A = A + E
    truth = np.linalg.norm(E) / np.linalg.norm(A)
    assert permutation_lower_bound(A, rng=seed) <= truth * (1 + 1e-9)
    res = discover_butterfly(A, rng=seed)
    assert res.error_bound <= res.relative_error * (1 + 1e-9)


@pytest.mark.parametrize("N, floor", [(16, 0.049), (32, 0.029), (64, 0.019)])
def test_hartley_has_no_butterfly_factorization(N, floor):
    """Level 1 of the Hartley transform is exact (the pair bound is ~0) but no ordering makes
    every split rank-one: the tree search certifies a relative error >= floor."""
    H = hartley(N)
    res = discover_butterfly(H, rng=0)
    assert not res.success
    assert floor <= res.error_bound <= res.relative_error
    assert permutation_lower_bound(H[::-1], rng=1) >= floor     # any row order


def test_hartley_n8_is_a_butterfly():
    res = discover_butterfly(hartley(8), rng=0)
    assert res.success and res.relative_error <= 1e-12


# ---------------------------------------------------------------- the pieces, against brute force


def unlimited():
    return tb._Budget(10**9, 1e15)


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 6), st.booleans(), st.integers(0, 2**32 - 1))
def test_sigma2_floor_is_below_sigma2(rows, complex_, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, 2)) + (1j * rng.standard_normal((rows, 2)) if complex_ else 0)
    X[:, 1] += rng.choice([0.0, 1.0]) * 3 * X[:, 0]                    # near-parallel too
    G = X.conj().T @ X
    floor = tb._sigma2_floor(*(np.atleast_1d(v) for v in (G[0, 0].real, G[1, 1].real, G[0, 1])))[0]
    assert floor <= np.linalg.svd(X, compute_uv=False)[1] ** 2 * (1 + 1e-9) + 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_merge_weights_below_every_halving(seed):
    """W[i, j] <= the cost of the merged pair with its best halving (N = 8, level 1)."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    W = tb._merge_weights(A, np.arange(8).reshape(8, 1), np.arange(8).reshape(1, 8), np.inf,
                          unlimited(), rng)
    for i, j in itertools.combinations(range(8), 2):
        best = min(sum(np.linalg.svd(A[np.ix_([i, j], h)], compute_uv=False)[1] ** 2
                       for h in halves) for halves in halvings(list(range(8))))
        assert 0 < W[i, j] == W[j, i] <= best * (1 + 1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_matchings_are_exactly_those_below_delta(seed):
    rng = np.random.default_rng(seed)
    W = rng.exponential(size=(8, 8))
    W = W + W.T
    np.fill_diagonal(W, np.inf)
    delta = float(np.quantile([sum(W[a, b] for a, b in P) for P in pairings(list(range(8)))],
                              0.3))
    want = {frozenset(P) for P in pairings(list(range(8)))
            if sum(W[a, b] for a, b in P) < delta}
    got = [frozenset(tuple(sorted(p)) for p in P.tolist())
           for P in tb._matchings(W, [delta], unlimited())]
    assert len(got) == len(set(got)) and set(got) == want and want


@pytest.mark.parametrize("groups", [[[0, 4], [1, 5], [2, 6], [3, 7]],    # row Gram matrices
                                    [[0, 1, 2, 3, 4, 5, 6, 7]]])         # column sub-Grams
@pytest.mark.parametrize("seed", range(4))
def test_halvings_are_exactly_those_below_delta(seed, groups):
    """Every halving of the block with cost < delta, each once, with its exact cost."""
    rng = np.random.default_rng(seed)
    A = reduce(np.matmul, random_butterfly_factors(8, rng=rng, dtype=float))
    A += 0.3 * rng.standard_normal((8, 8))
    groups = np.array(groups)
    block = np.arange(8)
    costs = {}
    for h0, h1 in halvings(list(range(8))):
        costs[frozenset(h0)] = sum(residual(A[np.ix_(g, h)]) for g in groups for h in (h0, h1))
    delta = float(np.quantile(list(costs.values()), 0.4))
    want = {h: c for h, c in costs.items() if c < delta}
    got = list(tb._halvings(A, groups, block, delta, unlimited()))
    found = {}
    for cost, order in got:
        half = frozenset(order[:4].tolist())
        key = half if 0 in half else frozenset(order[4:].tolist())
        found[key] = cost
    assert len(found) == len(got) and set(found) == set(want) and want
    for key, cost in found.items():
        assert cost == pytest.approx(want[key], rel=1e-12)
