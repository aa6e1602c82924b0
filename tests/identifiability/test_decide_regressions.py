"""Regression tests of the exact two-layer decision (issue 13), named after the bug."""

from dataclasses import replace

import numpy as np
import pytest
import sympy

from identifiability import check_uniqueness
from identifiability.two_layer.certificates import (AlternativeCertificate,
                                                    SolutionCountCertificate)
from identifiability.two_layer.lifted import contribution_key, exact_canonical

# the issue's instance: two real solutions (-3637 +- sqrt(872569)) / 264 of a quadratic
A_13 = np.array([[-10, 0, -9, 0], [-6, 20, 0, -15], [20, -22, 6, 0], [33, 1, 27, -12]])
S1_13 = np.array([[0, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1], [0, 1, 1, 1]], bool)
S2_13 = np.array([[1, 1, 0, 0], [1, 0, 0, 1], [1, 0, 1, 0], [0, 1, 1, 0]], bool)


@pytest.fixture
def sympy_only(monkeypatch):
    """No msolve binary: the sympy Groebner path (where the nsimplify bug was)."""
    from identifiability.core.msolve import MSOLVE_ENV

    monkeypatch.setenv(MSOLVE_ENV, "/nonexistent/msolve")


def test_nsimplify_changed_an_algebraic_entry(sympy_only):
    """sympy.nsimplify turned (-3637 + sqrt(872569))/264 into a different number: the
    not_unique certificate failed verify()."""
    x = (-3637 + sympy.sqrt(872569)) / 264
    assert sympy.simplify(exact_canonical(x) - x) == 0
    v = check_uniqueness(A_13, S1_13, S2_13)
    assert v.status == "not_unique" and v.field == "R"
    assert isinstance(v.certificate, AlternativeCertificate)
    assert v.verify()


def test_nsimplify_certificate_tampered_fails(sympy_only):
    v = check_uniqueness(A_13, S1_13, S2_13)
    same = replace(v.certificate, factors=v.factors)       # "second" = the first one
    assert not replace(v, certificate=same).verify()
    T1, T2 = (F.copy() for F in v.certificate.factors)
    T2[2, 2] = T2[2, 2] + 1                                 # no longer a factorization
    assert not replace(v, certificate=replace(v.certificate, factors=(T1, T2))).verify()


def test_issue_13_instance_counted_by_the_engine():
    """The default path: msolve counts 2 real solutions; the count verifies, and a count
    claimed for another matrix does not."""
    v = check_uniqueness(A_13, S1_13, S2_13)
    assert v.status == "not_unique" and v.field == "R" and v.verify()
    if isinstance(v.certificate, SolutionCountCertificate):
        assert v.certificate.count == 2
        B = A_13.copy()
        B[0, 0] += 1
        assert not replace(v, A=B).verify()
        assert not replace(v, status="unique").verify()


def test_contribution_key_exact_for_conjugate_roots():
    r = sympy.sqrt(872569)
    contrib = {0: sympy.Matrix([[sympy.Symbol("c")]])}
    rows, cols = [np.array([0])], [np.array([0])]
    a = contribution_key({sympy.Symbol("c"): (-3637 + r) / 264}, contrib, rows, cols, [0])
    b = contribution_key({sympy.Symbol("c"): (-3637 - r) / 264}, contrib, rows, cols, [0])
    assert a != b
