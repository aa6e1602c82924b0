"""Tests of landscape.bounds: the moment lower bound is a valid bound, tight when the
covered part is exactly factorizable, and (documented) not tight on C33."""

import json
from pathlib import Path

import numpy as np
import pytest

from landscape.engine.bounds import contribution_variables, moment_lower_bound
from landscape.linear import Problem, sample

O = json.loads((Path(__file__).parents[1] / "data" / "landscape_oracles.json").read_text())


def _case(key):
    o = O[key]
    return np.array(o["A"], float), np.array(o["support1"], bool), np.array(o["support2"], bool)


def test_c32_bound_certifies_global():
    A, s1, s2 = _case("C32")
    lb = moment_lower_bound(A, s1, s2)
    assert lb.status == "optimal" and abs(lb.value) < 1e-6
    rep = sample(Problem(A, supports=[s1, s2]), 16, rng=0, max_iter=3000)
    assert rep.reference_kind == "global" and "moment lower bound" in rep.reference_note
    assert rep.reference == pytest.approx(0.0, abs=1e-6)


def test_c33_bound_valid_but_not_tight():
    A, s1, s2 = _case("C33")
    lb = moment_lower_bound(A, s1, s2)
    # valid: below the global value; not tight (documented in landscape.bounds): ~2.0035
    assert lb.value <= O["C33"]["global_value"]
    assert lb.value == pytest.approx(2.0035, abs=1e-2)


def test_bound_below_objective_random_complex():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    s1 = np.array([[1, 0], [1, 1]], bool)
    s2 = np.array([[1, 1, 0], [0, 1, 0]], bool)
    assert contribution_variables(s1, s2, complex_=True) == 2 * (4 + 1)
    lb = moment_lower_bound(A, s1, s2)
    S1 = (rng.standard_normal((2, 2)) + 1j) * s1
    S2 = (rng.standard_normal((2, 3)) - 1j) * s2
    assert lb.value <= np.linalg.norm(A - S1 @ S2) ** 2 + 1e-6
    assert lb.value >= abs(A[0, 2]) ** 2 + abs(A[1, 2]) ** 2 - 1e-6  # uncovered energy


def test_too_large_refused():
    with pytest.raises(ValueError, match="'support1' parameter of moment_lower_bound"):
        moment_lower_bound(np.ones((4, 4)), np.ones((4, 2)), np.ones((2, 4)))
