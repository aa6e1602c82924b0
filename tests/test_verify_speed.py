"""The vectorised re-check of completion certificates (issue 13: verify() no slower than the
decision): tampered certificates of large-ish instances fail, exactness beyond float64, the
sparse exact products. No timing asserts (benchmarks/bench_verify.py measures)."""

from dataclasses import replace

import numpy as np
import pytest

from identifiability import check_uniqueness, check_uniqueness_chain
from identifiability.graphs import integer_scaling, matrix_product, product_equals_exact
from identifiability.supports import butterfly_split_supports, butterfly_supports, random_support
from identifiability.two_layer.certificates import replay_steps
from landscape import bit_reversal, dft, hadamard

N = 64


def _verdicts():
    left, right = butterfly_split_supports(N, 1)
    rng = np.random.default_rng(3)
    s1 = random_support((40, 40), 3, mode="columns", rng=rng)
    s2 = random_support((40, 40), 3, mode="rows", rng=rng)
    A = (rng.integers(1, 10, (40, 40)) * s1) @ (rng.integers(1, 10, (40, 40)) * s2)
    return {"hadamard": check_uniqueness(hadamard(N), left, right),
            "dft": check_uniqueness(dft(N)[:, bit_reversal(N)], left, right, tol=1e-10),
            "random_overlapping": check_uniqueness(A, s1, s2)}


VERDICTS = _verdicts()


def _with_step(v, t, **changes):
    steps = list(v.certificate.steps)
    steps[t] = replace(steps[t], **changes)
    return replace(v, certificate=replace(v.certificate, steps=tuple(steps)))


def _big_step(v):
    """Position of the step with the largest spanning tree."""
    return int(np.argmax([len(s.tree) for s in v.certificate.steps]))


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_large_completion_certificates_verify(name):
    v = VERDICTS[name]
    assert v.status == "unique" and type(v.certificate).__name__ == "CompletionCertificate"
    assert v.verify()
    ok, message, R, cover, remaining = replay_steps(v, v.certificate.steps)
    assert ok and message == "" and remaining == set() and not cover.any()
    if v.tol is None:       # every entry explained by the contributions: residual exactly 0
        assert all(x == 0 for x in R.flat)


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_tampered_large_completion_certificates_fail(name):
    v = VERDICTS[name]
    t = _big_step(v)
    step = v.certificate.steps[t]
    tree = np.asarray(step.tree)
    # a tree edge dropped: the witness no longer spans the rectangle
    assert not _with_step(v, t, tree=tree[:-1]).verify()
    # an edge replaced by a duplicate of another: one edge less than vertices, not connected
    assert not _with_step(v, t, tree=np.vstack([tree[:-1], tree[:1]])).verify()
    # the private entries listed in another order: the same set, still a proof
    assert _with_step(v, t, private=np.asarray(step.private)[::-1]).verify()
    # a private entry left out of the list, or listed twice instead of another
    assert not _with_step(v, t, private=np.asarray(step.private)[1:]).verify()
    priv = np.asarray(step.private)
    assert not _with_step(v, t, private=np.vstack([priv[:-1], priv[:1]])).verify()
    # a step dropped, two steps repeated, the steps of another rectangle
    steps = v.certificate.steps
    assert not replace(v, certificate=replace(v.certificate, steps=steps[1:])).verify()
    assert not replace(v, certificate=replace(v.certificate, steps=steps + steps[:1])).verify()
    other = steps[(t + 1) % len(steps)]
    assert not _with_step(v, t, rows=other.rows, cols=other.cols).verify()
    # a factor changed, A changed
    S1, S2 = v.factors
    bad = S1.copy()
    i, k = np.argwhere(v.support1)[0]
    bad[i, k] = bad[i, k] * 2 + 1
    assert not replace(v, factors=(bad, S2)).verify()
    A = v.A.copy()
    A[np.unravel_index(np.argmax(np.abs(A)), A.shape)] *= 3
    assert not replace(v, A=A).verify()
    assert not replay_steps(replace(v, A=A), steps)[0]


def test_reordered_overlapping_steps_fail():
    v = VERDICTS["random_overlapping"]
    steps = v.certificate.steps
    assert len(steps) > 2
    assert not replace(v, certificate=replace(v.certificate, steps=steps[::-1])).verify()


def test_exact_consistency_beyond_float64():
    # a rank-one 2 x 2 block with entries just below 2**31 (products of two near 2**62, the
    # edge of the int64 path), then off by one in one entry: the 2 x 2 minor is 1
    # (relative 1e-19, invisible in float64) and must be seen
    x, y = np.array([46339, 46337]), np.array([46340, 46338])
    A = np.outer(x, y)
    assert A.max() < 2 ** 31 and float(A.max()) ** 2 > 2.0 ** 61
    s1, s2 = np.ones((2, 1), bool), np.ones((1, 2), bool)
    v = check_uniqueness(A, s1, s2)
    assert v.status == "unique" and v.verify()
    off = A.copy()
    off[1, 1] += 1
    assert not replay_steps(replace(v, A=off), v.certificate.steps)[0]
    assert not replace(v, A=off).verify()


def test_chain_verify_on_butterfly_supports_and_tampered():
    v = check_uniqueness_chain(hadamard(N), butterfly_supports(N))
    assert v.status == "unique" and v.verify()
    bad = list(v.factors)
    bad[2] = bad[2].copy()
    i, j = np.argwhere(butterfly_supports(N)[2])[0]
    bad[2][i, j] += 1
    assert not replace(v, factors=tuple(bad)).verify()


def test_integer_scaling():
    from fractions import Fraction

    assert integer_scaling(np.array([[0.5, 3]]))[1] == 2
    M, d = integer_scaling(np.array([[Fraction(1, 6), 2]], dtype=object))
    assert d == 6 and M.tolist() == [[1, 12]]
    assert integer_scaling(np.array([[0.1]])) is None            # not dyadic
    assert integer_scaling(np.array([[1j]])) is None             # complex
    assert integer_scaling(np.array([[2 ** 70]], dtype=object)) is None


def test_product_equals_exact_sparse_and_bounds():
    rng = np.random.default_rng(0)
    masks = butterfly_supports(16)
    factors = [m * rng.integers(-9, 10, m.shape) for m in masks]
    P = factors[0] @ factors[1] @ factors[2] @ factors[3]
    assert product_equals_exact(factors, P) is True
    Q = P.copy()
    Q[3, 5] += 1
    assert product_equals_exact(factors, Q) is False
    assert product_equals_exact(factors, P / 2) is False         # scales compared exactly
    halves = [F / 2 for F in factors]
    assert product_equals_exact(halves, P / 16) is True
    assert product_equals_exact(factors[:2], P) is False         # shapes fine, product not
    assert product_equals_exact([np.ones((2, 3)), np.ones((2, 3))], np.ones((2, 3))) is False
    big = np.array([[2 ** 40]])
    assert product_equals_exact([big, big], np.array([[2 ** 80]], dtype=object)) is None
    assert np.allclose(matrix_product(factors), P)
