"""Support masks: constructors, butterfly tiling (C16), rank-one supports."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from identifiability.supports import (all_supports, block_diag_support, butterfly_segment_support,
                                      butterfly_split_supports, butterfly_supports, dense_support,
                                      equivalence_classes, kron_support, lower_triangular_support,
                                      random_support, rank_one_supports, support_of)


@pytest.mark.parametrize("N", [2, 4, 8, 16, 64])
def test_butterfly_supports_formula_and_counts(N):
    L = N.bit_length() - 1
    masks = butterfly_supports(N)
    assert len(masks) == L
    for ell, S in enumerate(masks, start=1):
        expected = np.kron(np.kron(np.eye(2 ** (ell - 1)), np.ones((2, 2))), np.eye(N // 2 ** ell))
        assert np.array_equal(S, expected.astype(bool))
        assert (S.sum(axis=0) == 2).all() and (S.sum(axis=1) == 2).all()
    assert sum(int(S.sum()) for S in masks) == 2 * N * L


@pytest.mark.parametrize("N", [4, 8, 16])
def test_c16_every_split_tiles_with_disjoint_rank_one_supports(N):
    L = N.bit_length() - 1
    for t in range(1, L):
        left, right = butterfly_split_supports(N, t)
        rects = rank_one_supports(left, right)
        cover = np.zeros((N, N), dtype=int)
        for rows, cols in rects:
            assert (len(rows), len(cols)) == (2 ** t, N // 2 ** t)
            cover[np.ix_(rows, cols)] += 1
        assert (cover == 1).all()  # pairwise disjoint and tiling N x N
        # the split supports are the supports of the partial products
        prod_l = np.linalg.multi_dot([m.astype(int) for m in butterfly_supports(N)[:t]] + [np.eye(N)]) > 0
        assert np.array_equal(prod_l, left)


def test_segment_support_is_product_support():
    N = 16
    masks = butterfly_supports(N)
    prod = masks[1].astype(int) @ masks[2].astype(int) > 0
    assert np.array_equal(butterfly_segment_support(N, 2, 3), prod)


@settings(max_examples=30, deadline=None)
@given(m=st.integers(1, 6), n=st.integers(1, 6), seed=st.integers(0, 1000),
       mode=st.sampled_from(["columns", "rows", "total"]))
def test_random_support_has_exact_levels(m, n, seed, mode):
    high = {"columns": m, "rows": n, "total": m * n}[mode]
    k = seed % (high + 1)
    S = random_support((m, n), k, mode=mode, rng=seed)
    assert S.dtype == bool and S.shape == (m, n)
    if mode == "columns":
        assert (S.sum(axis=0) == k).all()
    elif mode == "rows":
        assert (S.sum(axis=1) == k).all()
    else:
        assert S.sum() == k
    assert np.array_equal(S, random_support((m, n), k, mode=mode, rng=seed))  # reproducible


def test_all_supports_counts():
    from math import comb

    assert sum(1 for _ in all_supports((3, 2), 2, mode="columns")) == comb(3, 2) ** 2
    assert sum(1 for _ in all_supports((2, 3), 1, mode="rows")) == 3 ** 2
    assert sum(1 for _ in all_supports((2, 2), 2, mode="total")) == comb(4, 2)


def test_kron_block_and_classes():
    K = kron_support(np.ones((2, 2), bool), np.eye(2, dtype=bool))
    assert K.sum() == 8 and K.dtype == bool
    B = block_diag_support(np.ones((1, 2)), np.ones((2, 1)))
    assert B.shape == (3, 3) and B.sum() == 4
    D = dense_support(3, 2)
    assert equivalence_classes(D, D.T) == [[0, 1]]
    L = lower_triangular_support(2)
    assert equivalence_classes(L, L.T) == [[0], [1]]
    assert support_of([[0, 2]]).tolist() == [[False, True]]


@pytest.mark.parametrize("call, match", [
    (lambda: random_support((2, 2), 3, mode="columns"), "'k'"),
    (lambda: random_support((2, 2), 1, mode="diagonal"), "'mode'"),
    (lambda: butterfly_supports(6), "power of two"),
    (lambda: butterfly_split_supports(8, 3), "'t'"),
    (lambda: rank_one_supports(np.ones((2, 2)), np.ones((3, 2))), "support2"),
    (lambda: rank_one_supports(np.full((2, 2), 0.5), np.ones((2, 2))), "support1"),
    (lambda: random_support((2, 2), 1, rng="seed"), "rng"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
