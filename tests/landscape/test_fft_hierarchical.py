"""hierarchical(..., method="auto") reverse-engineers fast transforms from sparsity levels only.

Invariants only (factorizations are unique up to permutations and scalings): the product
multiplies back to A, every factor satisfies its splincol(2) constraint (checked with the
projection itself), the method is reported, a failure of discovery falls back to PALM.
The full sweep N = 16 ... 1024 is ``benchmarks/bench_discovery.py --hierarchical``.
"""

from functools import reduce

import numpy as np
import pytest

from landscape import butterfly_factorize, discover_butterfly as top_level_discover
from landscape import butterfly_constraints
from landscape.engine import (discover_butterfly, hadamard_constraints, hierarchical,
                              permutation_lower_bound)
from landscape.engine.butterfly import dft, hadamard, random_butterfly_factors


def random_butterfly(N, rng, complex_=True):
    factors = random_butterfly_factors(N, rng=rng, dtype=complex if complex_ else float)
    return reduce(np.matmul, factors)


def assert_fast_transform(res, A, tol=1e-10):
    N = A.shape[0]
    cons, _ = hadamard_constraints(N)
    assert res.method == "discovery" and res.reason == "" and res.error_bound is None
    assert len(res.factors) == N.bit_length() - 1
    assert res.relative_error <= tol
    assert np.linalg.norm(res.product() - A) <= tol * np.linalg.norm(A)
    for c, F in zip(cons, res.factors):
        assert np.array_equal(c.apply(F), F)              # inside splincol(2)
        assert np.count_nonzero(F, axis=0).max() <= 2 and np.count_nonzero(F, axis=1).max() <= 2
        assert np.linalg.norm(F) == pytest.approx(1.0)
    assert np.iscomplexobj(res.factors[0]) == np.iscomplexobj(A)


@pytest.mark.parametrize("N", [16, 32, 64])
@pytest.mark.parametrize("seed", [0, 1])
def test_dft_natural_order_from_sparsity_levels_only(N, seed):
    assert_fast_transform(hierarchical(dft(N), *hadamard_constraints(N), rng=seed), dft(N))


def test_butterfly_constraints_is_the_general_name():
    assert butterfly_constraints(32) == hadamard_constraints(32)
    rng = np.random.default_rng(3)
    A = random_butterfly(32, rng)[rng.permutation(32)][:, rng.permutation(32)]
    assert_fast_transform(hierarchical(A, *butterfly_constraints(32), rng=0), A)
    with pytest.raises(ValueError, match="'N' parameter of butterfly_constraints"):
        butterfly_constraints(12)


def test_exports_and_explain():
    assert top_level_discover is discover_butterfly
    res = hierarchical(dft(16), *hadamard_constraints(16), rng=0)
    assert "discovered" in res.explain() and "method='discovery'" in repr(res)


@pytest.mark.parametrize("N", [8, 32])
def test_hadamard_and_random_complex_butterflies(N):
    rng = np.random.default_rng(N)
    assert_fast_transform(hierarchical(hadamard(N), *hadamard_constraints(N), rng=0), hadamard(N))
    for _ in range(2):
        B = random_butterfly(N, rng)
        B = B[rng.permutation(N)][:, rng.permutation(N)]       # unknown P and Q too
        assert_fast_transform(hierarchical(B, *hadamard_constraints(N), rng=0), B)
    R = random_butterfly(N, rng, complex_=False)
    assert_fast_transform(hierarchical(R, *hadamard_constraints(N), rng=0), R)


def test_palm_method_is_the_old_behaviour():
    res = hierarchical(dft(16), *hadamard_constraints(16), method="palm", n_iter_split=20,
                       n_iter_refine=20, rng=0)
    assert res.method == "palm" and res.relative_error > 0.1     # PALM misses the DFT
    assert res.step_errors.shape == (3,)


def test_no_structure_falls_back_to_palm_with_a_certified_bound():
    A = np.random.default_rng(3).standard_normal((16, 16))
    res = hierarchical(A, *hadamard_constraints(16), n_iter_split=10, n_iter_refine=10, rng=0)
    assert res.reason and res.error_bound is not None
    assert res.error_bound <= res.relative_error + 1e-12
    assert res.error_bound == pytest.approx(float(permutation_lower_bound(A, rng=0)), rel=0.5)
    only = hierarchical(A, *hadamard_constraints(16), method="discovery", rng=0)
    assert only.method == "discovery" and only.reason
    assert only.relative_error >= only.error_bound


def test_noisy_dft_is_fitted_at_the_noise_level():
    rng = np.random.default_rng(0)
    N = 32
    E = 1e-3 * (rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N)))
    A = dft(N) + E
    res = hierarchical(A, *hadamard_constraints(N), n_iter_split=10, n_iter_refine=20, rng=0)
    assert res.relative_error <= 2 * np.linalg.norm(E) / np.linalg.norm(A)
    cons, _ = hadamard_constraints(N)
    assert all(np.array_equal(c.apply(F), F) for c, F in zip(cons, res.factors))


def test_butterfly_factorize_learns_both_permutations():
    rng = np.random.default_rng(7)
    N = 64
    A = random_butterfly(N, rng)[rng.permutation(N)][:, rng.permutation(N)]
    res = butterfly_factorize(A, permutation="learn", rng=0)
    assert res.exact and res.error_bound == 0.0 and res.reason == ""
    assert np.linalg.norm(res.chain.toarray() - A) <= 1e-10 * np.linalg.norm(A)
    r, c = res.row_permutation, res.permutation
    assert np.array_equal(np.sort(r), np.arange(N)) and np.array_equal(np.sort(c), np.arange(N))
    x = rng.standard_normal(N)
    np.testing.assert_allclose(res.chain @ x, A @ x, atol=1e-9 * np.linalg.norm(A))
    assert "learned" in res.explain() and "error_bound" in repr(res)


def test_butterfly_factorize_learn_reports_no_structure():
    A = np.random.default_rng(1).standard_normal((16, 16))
    res = butterfly_factorize(A, permutation="learn", rng=0)
    assert not res.exact and res.reason
    assert 0 < res.error_bound <= res.relative_error
    assert res.lower_bound == pytest.approx(float(res.error_bound) ** 2 * np.sum(A * A))
    assert "Certified" in res.explain()
    found = discover_butterfly(A, rng=0)
    assert res.relative_error == found.relative_error


def test_butterfly_factorize_old_options_unchanged():
    res = butterfly_factorize(dft(16), permutation="bit_reversal")
    assert res.exact and res.error_bound is None and res.row_permutation is None
    with pytest.raises(ValueError, match="'permutation' parameter of butterfly_factorize"):
        butterfly_factorize(dft(8), permutation="guess")
