"""Exact linear algebra over Q, Q(i) and GF(p)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from identifiability.core.exact import (GaussianRational, InexactInputError, dyadic_integer_scaling,
                                   exact_matmul, is_exact, nullspace_exact, rank_exact,
                                   rank_mod_p, solve_exact, to_exact)


def test_exactness_rule():
    assert is_exact(np.array([0.5, -1.25, 3.0]))
    assert not is_exact(np.array([0.1]))
    with pytest.raises(InexactInputError):
        to_exact([np.cos(0.3)])
    assert to_exact([Fraction(1, 3)])[0] == Fraction(1, 3)
    z = to_exact([1 + 2j])[0]
    assert isinstance(z, GaussianRational) and z == GaussianRational(1, 2)


def test_rank_c08_and_gaussian():
    assert rank_exact([[1, 2, 3], [2, 4, 6], [1, 1, 1]]).rank == 2
    r = rank_exact([[1, 1j], [1j, -1]])
    assert (r.rank, r.field) == (1, "Q(i)")
    assert rank_exact([[1, 1j], [1j, 1]]).rank == 2


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 10 ** 6))
def test_nullspace_and_rank_nullity(m, n, seed):
    rng = np.random.default_rng(seed)
    M = rng.integers(-2, 3, (m, n)) * (rng.random((m, n)) < 0.6)
    N = nullspace_exact(M)
    assert rank_exact(M).rank + N.shape[1] == n
    if N.shape[1]:
        assert all(x == 0 for x in exact_matmul(M, N).flat)
    # modular rank is a lower bound that matches for small integer matrices
    assert rank_mod_p(M).rank == rank_exact(M).rank


def test_solve_exact_consistent_and_inconsistent():
    x = solve_exact([[1, 1], [1, -1]], [3, 1])
    assert x.tolist() == [Fraction(2), Fraction(1)]
    assert solve_exact([[1, 2], [2, 4]], [1, 3]) is None
    z = solve_exact([[1, 1j], [1j, -1]], [1, 1j])
    assert z is not None


def test_rank_mod_p_reports_field_and_probability():
    r = rank_mod_p([[1, 2], [3, 4]], p=7)
    assert r.rank == 2 and r.field == "GF(7)" and 0 <= r.error_probability <= 1
    assert rank_mod_p([[7, 0], [0, 1]], p=7).rank == 1  # p divides the minor: lower bound only


def test_dyadic_scaling():
    M, e = dyadic_integer_scaling(np.array([[0.5, 2.0], [0.25, -1.0]]))
    assert e == 2 and M.tolist() == [[2, 8], [1, -4]]
    assert dyadic_integer_scaling(np.array([[0.1]])) is None
    assert dyadic_integer_scaling(np.array([[1j]])) is None


def test_gaussian_arithmetic():
    a, b = GaussianRational(1, 1), GaussianRational(0, 1)
    assert a * b == GaussianRational(-1, 1)
    assert (a / b) * b == a
    with pytest.raises(ZeroDivisionError):
        a / GaussianRational(0, 0)
