"""Tests of landscape.engine.discovery: butterfly factorization with unknown permutations.

Answers are unique only up to permutation and scaling, so the tests assert invariants: the
chain (permutations included) multiplies back to A, the permutations are permutations, the
factors sit on butterfly supports, a failure is never a false success, and the certified
bound never exceeds a brute-force relaxation.
"""


from functools import reduce

import numpy as np
import pytest

from identifiability.supports import butterfly_supports
from landscape.engine.butterfly import bit_reversal, dft, hadamard, random_butterfly_factors
from landscape.engine.discovery import (ButterflyDiscovery, discover_butterfly,
                                        permutation_lower_bound)


def random_butterfly(N, rng, complex_=True):
    factors = random_butterfly_factors(N, rng=rng, dtype=complex if complex_ else float)
    return reduce(np.matmul, factors)


def scramble(A, rng):
    N = A.shape[0]
    return A[rng.permutation(N)][:, rng.permutation(N)]


def assert_exact(res, A, tol=1e-10):
    N = A.shape[0]
    assert isinstance(res, ButterflyDiscovery)
    assert res.success and res.reason == "" and res.method == "exact search"
    assert res.relative_error <= tol
    assert res.levels == N.bit_length() - 2
    r, c = res.row_permutation, res.column_permutation
    assert np.array_equal(np.sort(r), np.arange(N)) and np.array_equal(np.sort(c), np.arange(N))
    # the chain, permutations included, multiplies back to A
    dense = res.chain.toarray()
    assert np.linalg.norm(dense - A) <= tol * np.linalg.norm(A)
    x = np.random.default_rng(5).standard_normal(N)
    assert np.allclose(res.chain @ x, A @ x, atol=tol * np.linalg.norm(A))
    # the reordered matrix is the butterfly chain, whose factors sit on butterfly supports
    inner = res.butterfly.chain
    assert np.linalg.norm(A[np.ix_(r, c)] - inner.toarray()) <= tol * np.linalg.norm(A)
    for X, S in zip(inner.factors, butterfly_supports(N)):
        assert not np.any(X.toarray()[~S])
    assert res.verify(A, tol=tol)


@pytest.mark.parametrize("N", [4, 8, 16, 32, 64])
def test_dft_natural_order(N):
    assert_exact(discover_butterfly(dft(N), rng=0), dft(N))


@pytest.mark.parametrize("N", [8, 64])
def test_dft_scrambled(N):
    rng = np.random.default_rng(N + 1)
    A = scramble(dft(N), rng)
    assert_exact(discover_butterfly(A, rng=2), A)


@pytest.mark.parametrize("N", [4, 16, 64])
def test_hadamard_scrambled(N):
    rng = np.random.default_rng(N)
    A = scramble(hadamard(N), rng)
    res = discover_butterfly(A, rng=1)
    assert_exact(res, A)
    assert res.chain.dtype == np.float64          # real input stays real


@pytest.mark.parametrize("N", [4, 8, 32, 64])
@pytest.mark.parametrize("complex_", [True, False])
def test_random_butterflies_with_random_permutations(N, complex_):
    rng = np.random.default_rng(10 * N + complex_)
    for _ in range(3):
        A = scramble(random_butterfly(N, rng, complex_), rng)
        assert_exact(discover_butterfly(A, rng=rng), A)


@pytest.mark.parametrize("name", ["bit_reversed", "conjugate", "inverse_scrambled", "kron"])
def test_other_exact_transforms(name):
    N, rng = 16, np.random.default_rng(3)
    A = {"bit_reversed": dft(N)[:, bit_reversal(N)], "conjugate": dft(N).conj(),
         "inverse_scrambled": scramble(np.linalg.inv(dft(N)), rng),
         "kron": np.kron(hadamard(4), dft(4))}[name]
    assert_exact(discover_butterfly(A, rng=0), A)


def test_dtypes_are_normalised():
    A = dft(8).astype(np.complex64)
    assert_exact(discover_butterfly(A, rng=0), A.astype(complex), tol=1e-6)
    H = hadamard(8).astype(int)
    assert_exact(discover_butterfly(H, rng=0), H.astype(float))


@pytest.mark.parametrize("N", [4, 8, 16, 64])
@pytest.mark.parametrize("complex_", [True, False])
def test_random_dense_is_no_false_success(N, complex_):
    rng = np.random.default_rng(N + 100 * complex_)
    A = rng.standard_normal((N, N)) + (1j * rng.standard_normal((N, N)) if complex_ else 0)
    res = discover_butterfly(A, rng=0)
    assert not res.success and res.reason
    assert 0 < res.error_bound <= res.relative_error
    assert np.isclose(np.linalg.norm(res.chain.toarray() - A) / np.linalg.norm(A),
                      res.relative_error)
    assert "Certified" in res.explain() and "success=False" in repr(res)
    assert not res.verify(A) and res.verify(A, tol=1.0)    # a valid chain, not an exact one


def test_near_butterfly_is_no_false_success():
    rng = np.random.default_rng(7)
    A = scramble(hadamard(16), rng) + 1e-6 * rng.standard_normal((16, 16))
    res = discover_butterfly(A, rng=0)
    assert not res.success
    assert 0 < res.error_bound <= res.relative_error < 1e-5
    # a looser decision tolerance accepts it
    assert discover_butterfly(A, tol=1e-4, rng=0).success


@pytest.mark.parametrize("family", ["dft", "hadamard", "random"])
def test_noisy_butterflies_come_back_at_the_noise_level(family):
    N, rng = 32, np.random.default_rng(11)
    A = {"dft": dft(N), "hadamard": scramble(hadamard(N), rng),
         "random": scramble(random_butterfly(N, rng), rng)}[family]
    E = 1e-3 * np.linalg.norm(A) / N * (rng.standard_normal((N, N))
                                        + 1j * rng.standard_normal((N, N))) / np.sqrt(2)
    res = discover_butterfly(A + E, rng=0)
    noise = np.linalg.norm(E) / np.linalg.norm(A + E)
    assert not res.success and res.method in ("robust search", "plain")
    assert 0 < res.error_bound <= res.relative_error <= 1.1 * noise
    assert np.isclose(np.linalg.norm(res.chain.toarray() - A - E) / np.linalg.norm(A + E),
                      res.relative_error)
    assert discover_butterfly(A + E, tol=3 * noise, rng=0).success


def test_degenerate_exact_inputs_use_the_plain_fit():
    for A in (np.zeros((8, 8)), np.eye(8), np.ones((8, 8)), np.array([[1.0, 2.0], [3.0, 4.0]])):
        res = discover_butterfly(A, rng=0)
        assert res.success and res.relative_error <= 1e-12
        assert np.allclose(res.chain.toarray(), A) and res.verify(A)
    assert discover_butterfly(np.eye(8), rng=0).method == "plain"


def test_verify_rejects_another_matrix():
    A = dft(8)
    res = discover_butterfly(A, rng=0)
    assert res.verify(A) and not res.verify(A.conj()) and not res.verify(dft(16))


def test_lower_bound_below_exact_optimum_n4():
    """N = 4: the two-factor split is the whole problem, so the optimum over all orderings is
    a brute-force minimum; bound <= optimum <= the returned fit."""
    rng = np.random.default_rng(4)
    for _ in range(5):
        A = rng.standard_normal((4, 4))
        best = np.inf
        for P in ([0, 1, 2, 3], [0, 2, 1, 3], [0, 3, 1, 2]):          # pairings (P[0],P[1]), ...
            for h in ([0, 1], [0, 2], [0, 3]):
                g = [c for c in range(4) if c not in h]
                best = min(best, sum(np.linalg.svd(A[[P[k], P[k + 1]]][:, cols],
                                                   compute_uv=False)[1] ** 2
                                     for k in (0, 2) for cols in (h, g)))
        optimum = np.sqrt(best) / np.linalg.norm(A)
        res = discover_butterfly(A, rng=0)
        assert res.error_bound <= optimum * (1 + 1e-12)
        assert optimum <= res.relative_error * (1 + 1e-12)


def test_lower_bound_below_every_ordering_tried():
    from landscape.engine.butterfly import butterfly_factorize
    rng = np.random.default_rng(2)
    A = rng.standard_normal((16, 16))
    bound = permutation_lower_bound(A, rng=0)
    for _ in range(20):
        r, c = rng.permutation(16), rng.permutation(16)
        assert bound <= butterfly_factorize(A[np.ix_(r, c)], permutation=None).relative_error
    assert permutation_lower_bound(hadamard(16), rng=0) <= 1e-7


@pytest.mark.parametrize("func", [discover_butterfly, permutation_lower_bound])
@pytest.mark.parametrize("A", [np.ones((4, 8)), np.ones((6, 6)), np.ones(4), np.ones((1, 1))])
def test_bad_shape_names_A(func, A):
    with pytest.raises(ValueError, match="'A' parameter of " + func.__name__):
        func(A)


def test_bad_inputs_name_the_argument():
    with pytest.raises(TypeError, match="'A' parameter"):
        discover_butterfly(np.eye(4, dtype=bool))
    with pytest.raises(ValueError, match="'A' parameter"):
        discover_butterfly(np.full((4, 4), np.nan))
    with pytest.raises(ValueError, match="'tol' parameter of discover_butterfly"):
        discover_butterfly(np.eye(4), tol=0.0)
    with pytest.raises((TypeError, ValueError), match="'tol' parameter"):
        discover_butterfly(np.eye(4), tol="small")
    with pytest.raises(TypeError, match="'rng' parameter of discover_butterfly"):
        discover_butterfly(np.eye(4), rng="seed")


@pytest.mark.parametrize("name", ["kron_identity_hadamard", "sparse_factors", "permutation"])
def test_zeros_inside_supports_are_no_false_success(name):
    """Known limitation: zeros inside the factors' supports (scrambled) defeat the exact
    search; the answer must still be honest (a verified success or a failure with a bound)."""
    rng = np.random.default_rng(21)
    N = 16
    if name == "kron_identity_hadamard":
        A = np.kron(np.eye(2), hadamard(8))
    elif name == "permutation":
        A = np.eye(N)
    else:
        A = np.eye(N)
        for S in butterfly_supports(N):
            A = A @ (rng.standard_normal((N, N)) * S * (rng.random((N, N)) > 0.2))
    A = scramble(A, rng)
    res = discover_butterfly(A, rng=0)
    assert res.verify(A) == res.success
    if not res.success:
        assert res.reason and res.error_bound <= res.relative_error
