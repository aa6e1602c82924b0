"""Tests of landscape.linear.critical_values: every real critical point of C33 (docs/theory.rst) exactly,
types, the escape bound, attainment, verify() and tampering, honest refusals."""

import dataclasses

import numpy as np
import pytest

from landscape.linear import critical_values, escape_bound

A33 = np.array([[3, 0, 1], [0, 1, -3], [1, -3, -2]])
I = np.array([[1, 0], [1, 1], [0, 1]], bool)


@pytest.fixture(scope="module")
def c33():
    return critical_values(A33, [I, I.T])


def test_c33_certified_global_value(c33):
    assert c33.status == "certified" and c33.attained and c33.certified
    exact = 13.5 - 1.5 * np.sqrt(5)                       # docs/theory.rst C33, analytic
    assert c33.global_lo <= exact + 1e-14 and exact - 1e-14 <= c33.global_hi
    assert c33.global_hi - c33.global_lo < 1e-12
    assert c33.escape_bound == 15                          # 2 outside + 3^2 + (-2)^2
    assert c33.seconds < 10


def test_c33_every_critical_value_and_type(c33):
    vals = [(round(v, 6), k, c) for v, k, c in c33.values()]
    assert vals == [(10.145898, "minimum", 1), (11.0, "minimum", 1),
                    (12.395144, "saddle", 2), (16.854102, "saddle", 1),
                    (19.145898, "saddle", 1), (21.772139, "saddle", 2), (24.0, "saddle", 2),
                    (25.0, "saddle", 1), (25.854102, "saddle", 1), (33.0, "saddle", 1),
                    (34.0, "saddle", 1)]
    assert len(c33.points) == 14
    # exact values with closed forms: 11, 24, 25, 33, 34 = ||A||^2, 10.1459 + 9 = 19.1459
    assert [p.value for p in c33.points if p.chart == (None, None)] == [34.0]
    for p in c33.points:                      # every point is critical and on the supports
        S1, S2 = p.factors
        assert not S1[~I].any() and not S2[~I.T].any()
        R = A33 - S1 @ S2
        assert np.allclose((R @ S2.T)[I], 0, atol=1e-9)
        assert np.allclose((S1.T @ R)[I.T], 0, atol=1e-9)
        assert np.sum(R ** 2) == pytest.approx(p.value, abs=1e-9)


def test_c33_verify_and_tampering(c33):
    assert c33.verify()
    bad = dataclasses.replace(c33, points=c33.points[1:])           # a point dropped
    assert not bad.verify()
    worse = dataclasses.replace(c33, escape_bound=c33.escape_bound - 6)
    assert not worse.verify()
    assert "10.14589803  minimum" in c33.explain() and "15" in c33.explain()
    assert len(repr(c33)) < 300
    html = c33._repr_html_()
    assert html.count("<tr>") == 12 and "saddle" in html and "10.14589803" in html


def test_escape_bound_closed_and_lu():
    J = np.array([[1, 0], [1, 0], [0, 1]], bool)                     # disjoint rectangles
    assert escape_bound(np.ones((3, 3)), [J, J.T]) == float("inf")
    L = np.array([[1, 0], [1, 1]], bool)                              # LU: not closed
    assert escape_bound(np.array([[0, 1], [1, 0]]), [L, L.T]) == 0


def test_lu_undecided_not_a_false_global():
    L = np.array([[1, 0], [1, 1]], bool)
    cv = critical_values(np.array([[0, 1], [1, 0]]), [L, L.T])
    assert cv.status == "undecided" and cv.attained is None and cv.global_value is None


def test_scaled_c33_value_scales():
    cv = critical_values(A33 * 2, [I, I.T])
    assert cv.certified and cv.global_value == pytest.approx(4 * (13.5 - 1.5 * np.sqrt(5)))


@pytest.mark.parametrize("A, why", [(A33 * 0.1, "inexact"), (A33 + 1j, "complex")])
def test_not_attempted_with_reason(A, why):
    cv = critical_values(A, [I, I.T])
    assert cv.status == "not attempted" and why in cv.reason and not cv.verify()
    assert critical_values(A33, [I, I.T], max_variables=4).status == "not attempted"


def test_bad_input():
    with pytest.raises(ValueError, match="'supports' parameter of critical_values"):
        critical_values(A33, [I])
    with pytest.raises(ValueError, match="critical_values"):
        critical_values(A33, [I, I])


def test_tampered_systems_fail_verify(c33):
    other = critical_values(A33 * 2, [I, I.T])
    assert not dataclasses.replace(c33, systems=other.systems).verify()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_property_palm_never_beats_the_certified_value_and_ends_at_critical_minima(seed):
    """Invariants on random integer data with the C33 supports: no start goes below the
    certified global value, every stationary cluster sits at an enumerated critical value,
    and a cluster classified as a minimum sits at a critical value of type minimum."""
    from landscape import Problem, sample

    A = np.random.default_rng(seed).integers(-3, 4, size=(3, 3))
    cv = critical_values(A, [I, I.T])
    assert cv.status in ("certified", "undecided") and cv.verify()
    rep = sample(Problem(A.astype(float), supports=[I, I.T]), 16, rng=seed, n_iter=3000)
    values = np.array([p.value for p in cv.points])
    if cv.certified:
        assert rep.reference_kind == "global"
        assert rep.objective.min() >= cv.global_lo - 1e-9
        assert rep.reference == pytest.approx(cv.global_value, abs=1e-9)
    for c in rep.clusters:
        near = np.abs(values - c.value) <= 1e-6 * max(1.0, abs(c.value))
        assert near.any(), (c.value, values)
        if c.kind in ("global", "spurious local minimum"):
            assert any(p.kind == "minimum" for p, ok in zip(cv.points, near) if ok)


def test_c33_products_not_closed_limits_cost_the_escape_bound():
    """What the diverging PALM starts of C33 (15.45, still decreasing) see: t E_11 plus
    [[1 - t, -3], [-3, 9/(1 - t)]] are products whose limit is not one, at objective 15."""
    from identifiability import check_uniqueness

    vals = []
    for t in (1e2, 1e4, 1e6):
        P = np.zeros((3, 3))
        P[1, 1] += t
        P[1:, 1:] += np.array([[1 - t, -3], [-3, 9 / (1 - t)]])
        vals.append(np.sum((A33 - P) ** 2))
    assert np.all(np.diff(vals) > 0) and vals[-1] == pytest.approx(15, abs=1e-4)
    limit = np.array([[0, 0, 0], [0, 1, -3], [0, -3, 0]])
    assert check_uniqueness(limit, I, I.T).status == "infeasible"
    assert np.sum((A33 - limit) ** 2) == escape_bound(A33, [I, I.T]) == 15
