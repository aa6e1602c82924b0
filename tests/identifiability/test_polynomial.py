"""The exact polynomial-system layer: oracle systems, msolve against sympy, the certificates,
the time limit and the fallback (identifiability.core.polynomial and .msolve)."""

from __future__ import annotations

import dataclasses
import os
import random
import stat
import time
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from identifiability.core import polynomial as poly_mod
from identifiability.core.msolve import MSOLVE_ENV, find_msolve, parse_msolve_output
from identifiability.core.polynomial import (SystemSolution, screen_system, solve_system,
                                             unlucky_prime_probability)
from identifiability.core.validation import BadInput

x, y, z = sp.symbols("x y z")
HAVE_MSOLVE = find_msolve() is not None
ENGINES = ["sympy", pytest.param("msolve", marks=pytest.mark.skipif(
    not HAVE_MSOLVE, reason="no msolve binary"))]


def key(sol: SystemSolution):
    return sol.status, sol.dimension, sol.n_solutions, sol.degree, sol.n_real


# ------------------------------------------------------------------ oracle systems
ORACLES = [
    # name, polynomials, variables, field, (status, dimension, n_solutions, degree, n_real)
    ("circle_hyperbola", [x**2 + y**2 - 4, x*y - 1], [x, y], 0, ("finite", 0, 4, 4, 4)),
    ("empty_third_line", [x**2 + y**2 - 4, x*y - 1, x + y + 10], [x, y], 0,
     ("empty", -1, 0, 0, None)),
    ("no_real_point", [x**2 + y**2 + 1, x - y], [x, y], 0, ("finite", 0, 2, 2, 0)),
    ("double_root", [x**2, y], [x, y], 0, ("finite", 0, 1, 2, 1)),
    ("fat_point", [x**2, x*y, y**2], [x, y], 0, ("finite", 0, 1, 3, 1)),
    ("rational_point", [3*x - 1, y - 2], [x, y], 0, ("finite", 0, 1, 1, 1)),
    ("rational_and_irrational", [x**2 - 2, (y - 1)*(y - x)], [x, y], 0, ("finite", 0, 4, 4, 4)),
    ("two_lines", [x**2 - y**2], [x, y], 0, ("positive_dimensional", 1, None, None, None)),
    ("hyperbola_in_3d", [x**2 - y**2, x*z - 1], [x, y, z], 0,
     ("positive_dimensional", 1, None, None, None)),
    ("one_surface", [x*y*z - 1], [x, y, z], 0, ("positive_dimensional", 2, None, None, None)),
    ("gf5_i_exists", [x**2 + 1], [x], 5, ("finite", 0, 2, 2, None)),
    ("gf2_double_root", [x**2 + 1], [x], 2, ("finite", 0, 1, 2, None)),
    ("gf7_empty", [x - 1, x - 2], [x], 7, ("empty", -1, 0, 0, None)),
    ("gf65521_circle_hyperbola", [x**2 + y**2 - 4, x*y - 1], [x, y], 65521,
     ("finite", 0, 4, 4, None)),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name, F, V, p, expected", ORACLES, ids=[o[0] for o in ORACLES])
def test_oracle_systems(name, F, V, p, expected, engine):
    sol = solve_system(F, V, field=p, engine=engine, time_limit=30)
    assert key(sol) == expected
    assert sol.engine == engine
    assert sol.field == ("QQ" if p == 0 else f"GF({p})")
    assert sol.verify(time_limit=30)


def test_real_boxes_are_in_the_variable_order():
    # msolve reorders the variables of this system ('y' first); the boxes must not be
    sol = solve_system([x**2 - 2, y - 3], [x, y])
    assert sorted((float(b[0][0]), b[1]) for b in sol.real_solutions) == [
        (pytest.approx(-2 ** 0.5), (3, 3)), (pytest.approx(2 ** 0.5), (3, 3))]
    for box in sol.real_solutions:
        assert all(isinstance(c, Fraction) for lohi in box for c in lohi)
        assert box[0][0] <= box[0][1] and box[0][1] - box[0][0] < Fraction(1, 10 ** 9)


def test_exponent_dicts_and_polys_are_accepted():
    a = solve_system([{(2, 0): 1, (0, 2): 1, (0, 0): -4}, {(1, 1): 1, (0, 0): Fraction(-1)}],
                     ["x", "y"])
    b = solve_system([sp.Poly(x**2 + y**2 - 4, x, y), x*y - sp.Integer(1)])
    assert key(a) == key(b) == ("finite", 0, 4, 4, 4)
    assert b.variables == ("x", "y")


def test_zero_polynomials_are_the_whole_space():
    sol = solve_system([0, sp.Integer(0)], [x, y])
    assert (sol.status, sol.dimension) == ("positive_dimensional", 2)


# ------------------------------------------------------------------ msolve against sympy
@st.composite
def small_systems(draw):
    n = draw(st.integers(1, 3))
    monos = [(i, j, k)[:n] for i in range(3) for j in range(3) for k in range(3)
             if i + j + k <= 2 and (i, j, k)[n:] == (0,) * (3 - n)]
    m = draw(st.integers(1, n + 1))
    polys = []
    for _ in range(m):
        support = draw(st.lists(st.sampled_from(monos), min_size=1, max_size=4, unique=True))
        polys.append({e: draw(st.integers(-3, 3).filter(bool)) for e in support})
    return polys, n


@pytest.mark.skipif(not HAVE_MSOLVE, reason="no msolve binary")
@settings(max_examples=25, deadline=None)
@given(small_systems(), st.sampled_from([0, 0, 32003]))
def test_msolve_and_sympy_agree_on_small_systems(system, p):
    polys, n = system
    names = ["a", "b", "c"][:n]
    a = solve_system(polys, names, field=p, engine="msolve", time_limit=20)
    b = solve_system(polys, names, field=p, engine="sympy", time_limit=20)
    assert key(a) == key(b)
    assert a.verify() and b.verify()


@pytest.mark.parametrize("engine", ENGINES)
def test_regression_non_radical_ideal_counts_distinct_solutions(engine):
    # msolve's form t = y does not separate the 3 points with y = 0 of this non-radical
    # ideal (its eliminant had 5 roots for 7 distinct solutions); the radical is solved
    a, b, c = sp.symbols("a b c")
    F = [b**3 - 2*c, -3*b**2*c - a*b*c, -2*a - 3*a**2*c - a**3]
    sol = solve_system(F, [a, b, c], engine=engine)
    assert key(sol) == ("finite", 0, 7, 17, 3) and sol.verify()


@pytest.mark.parametrize("engine", ENGINES)
def test_regression_msolve_prints_non_dyadic_rationals(engine):
    # msolve prints the exact roots of 2x^3 - 3x^2 - 2x as "-1 / 2" (no power of two)
    sol = solve_system([2*x**3 - 3*x**2 - 2*x], [x], engine=engine)
    assert sorted(b[0] for b in sol.real_solutions) == [
        (Fraction(-1, 2), Fraction(-1, 2)), (0, 0), (2, 2)]
    assert sol.verify()


# ------------------------------------------------------------------ certificates
def test_tampered_real_box_fails_verify():
    sol = solve_system([x**2 + y**2 - 4, x*y - 1], [x, y])
    assert sol.verify()
    boxes = list(sol.real_solutions)
    (lo, hi), other = boxes[0][0], boxes[0][1]
    boxes[0] = ((lo + Fraction(1, 1000), hi + Fraction(1, 1000)), other)
    assert not dataclasses.replace(sol, real_solutions=tuple(boxes)).verify()
    assert not dataclasses.replace(sol, real_solutions=sol.real_solutions[1:]).verify()


def test_tampered_exact_coordinate_fails_verify():
    sol = solve_system([x**2 - 2, y - 3], [x, y])
    boxes = [(b[0], (Fraction(4), Fraction(4))) for b in sol.real_solutions]
    assert not dataclasses.replace(sol, real_solutions=tuple(boxes)).verify()


@pytest.mark.parametrize("engine", ENGINES)
def test_tampered_parametrization_fails_verify(engine):
    sol = solve_system([x**2 - 2, y - x], [x, y], engine=engine)
    numerators = list(sol.numerators)
    numerators[1] = tuple(Fraction(c) + 1 for c in numerators[1])
    assert not dataclasses.replace(sol, numerators=tuple(numerators), real_solutions=None).verify()
    w = tuple(Fraction(c) for c in sol.eliminant)
    assert not dataclasses.replace(sol, eliminant=(w[0] + 1,) + w[1:]).verify()


def test_repr_is_short_and_explain_ends_with_verify():
    sol = solve_system([x**2 + y**2 - 4, x*y - 1], [x, y])
    assert len(repr(sol)) < 200 and "Fraction" not in repr(sol)
    text = sol.explain()
    assert "4 distinct" in text and text.splitlines()[-1] == "verify(): True"


# ------------------------------------------------------------------ time limit, fallback
def _random_quadrics(n, seed):
    rng = random.Random(seed)
    X = sp.symbols(f"v0:{n}")
    return [sum(rng.randint(-5, 5) * a * b for i, a in enumerate(X) for b in X[i:])
            + sum(rng.randint(-5, 5) * a for a in X) + rng.randint(-5, 5)
            for _ in range(n)], X


@pytest.mark.skipif(not HAVE_MSOLVE, reason="no msolve binary")
def test_msolve_time_limit_returns_timeout_quickly():
    F, X = _random_quadrics(8, 1)  # 256 solutions: seconds for msolve
    start = time.perf_counter()
    sol = solve_system(F, X, time_limit=0.2)
    assert sol.status == "timeout" and sol.engine == "msolve"
    assert sol.dimension is None and not sol.verify()
    assert time.perf_counter() - start < 3


def test_sympy_time_limit_returns_timeout_quickly():
    F, X = _random_quadrics(4, 2)
    start = time.perf_counter()
    sol = solve_system(F, X, engine="sympy", time_limit=0.3)
    assert (sol.status, sol.engine) == ("timeout", "sympy")
    assert time.perf_counter() - start < 3


def test_missing_binary_falls_back_to_sympy(monkeypatch):
    monkeypatch.setattr(poly_mod, "find_msolve", lambda: None)
    sol = solve_system([x**2 + y**2 - 4, x*y - 1], [x, y])
    assert sol.engine == "sympy" and "no msolve binary" in sol.fallback_reason
    assert key(sol) == ("finite", 0, 4, 4, 4) and sol.verify()
    assert solve_system([x], [x], engine="msolve").status == "failed"


def test_failing_binary_falls_back_to_sympy(monkeypatch, tmp_path):
    fake = tmp_path / "msolve"
    fake.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(MSOLVE_ENV, str(fake))
    assert find_msolve() == str(fake)
    sol = solve_system([x**2 - 2], [x])
    assert sol.engine == "sympy" and "exited with code 3" in sol.fallback_reason
    assert sol.n_solutions == 2


def test_env_var_overrides_the_locator(monkeypatch, tmp_path):
    monkeypatch.setenv(MSOLVE_ENV, str(tmp_path / "nowhere"))
    assert find_msolve() is None
    monkeypatch.delenv(MSOLVE_ENV)
    found = find_msolve()
    assert found is None or os.access(found, os.X_OK)


def test_msolve_output_parser_undoes_the_variable_order():
    # what msolve prints for x^2 - 2, y - 3 in the order [y, x] (t = x)
    text = ("[0, [0, 2, 2, ['x1', 'x0'], [0, 1], [1, [[2, [-2, 0, 1]], [1, [0, 2]], "
            "[[[1, [0, -6]], 1]]]]], [1, [[[3, 3], [-3 / 2^1, -1]], [[3, 3], [1, 3 / 2^1]]]]]:")
    out = parse_msolve_output(text, 2, 0)
    assert out.numerators == ((0, 1), (0, 6)) and out.denominators == ((1,), (0, 2))
    assert out.boxes[0] == ((Fraction(-3, 2), Fraction(-1)), (Fraction(3), Fraction(3)))


# ------------------------------------------------------------------ GF(p) screening
def test_screening_agrees_and_states_its_error_bound():
    res = screen_system([x**2 + y**2 - 4, x*y - 1], [x, y], n_primes=2, rng=0)
    assert (res.status, res.n_solutions) == ("finite", 4)
    assert all(2 ** 29 <= q < 2 ** 30 and sp.isprime(q) for q in res.primes)
    assert res.error_probability(10_000) < 1e-8 and "Not a proof" in res.explain()
    assert unlucky_prime_probability(100, 1) > unlucky_prime_probability(100, 2)


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("F, V, kwargs, fragment", [
    ([x - 0.5], [x], {}, "floats are refused"),
    ([{(1,): 0.5}], [x], {}, "floats are refused"),
    ([1 / x], [x], {}, "negative powers"),
    ([sp.sin(x)], [x], {}, "functions of the variables"),
    ([x * z], [x], {}, "other symbols"),
    ([sp.sqrt(2) * x], [x], {}, "rational coefficients"),
    ("x - 1", [x], {}, "a sequence of polynomials"),
    ([x], [x, x], {}, "distinct variables"),
    ([x], [x], {"field": 4}, "a prime p"),
    ([sp.Rational(1, 7) * x], [x], {"field": 7}, "prime to p"),
    ([x], [x], {"engine": "magma"}, "one of"),
    ([x], [x], {"time_limit": 0}, "time_limit"),
])
def test_invalid_input_names_the_parameter(F, V, kwargs, fragment):
    with pytest.raises(BadInput, match="parameter of solve_system") as info:
        solve_system(F, V, **kwargs)
    assert fragment in str(info.value)


def test_regression_exact_box_coordinate_at_an_irrational_root():
    """msolve boxes some coordinates exactly (lo == hi) at irrational roots of the eliminant;
    verify() used to ask the root ball of gcd(w, num - lo den) to lie inside the root ball
    of w (two enclosures of one number), and rejected the raw C33 critical system."""
    import sympy as sp

    x, y = sp.symbols("x0:4"), sp.symbols("y0:4")
    A = sp.Matrix([[3, 0, 1], [0, 1, -3], [1, -3, -2]])
    S1 = sp.Matrix([[x[0], 0], [x[1], x[2]], [0, x[3]]])
    S2 = sp.Matrix([[y[0], y[1], 0], [0, y[2], y[3]]])
    f = sum(e ** 2 for e in (A - S1 * S2))
    unknowns = list(x) + list(y)
    eqs = [sp.expand(sp.diff(f, t)) for t in unknowns]
    eqs += [x[0] ** 2 + x[1] ** 2 - y[0] ** 2 - y[1] ** 2, x[2] ** 2 + x[3] ** 2 - y[2] ** 2 - y[3] ** 2]
    sol = solve_system(eqs, unknowns, engine="msolve", time_limit=120)
    if sol.engine != "msolve":
        pytest.skip("msolve binary not available")
    assert (sol.status, sol.n_solutions, sol.n_real) == ("finite", 417, 45)
    assert any(lo == hi for box in sol.real_solutions for lo, hi in box)
    assert sol.verify()
