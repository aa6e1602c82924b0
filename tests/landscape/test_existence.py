"""Tests of landscape.existence.infimum_attained: C03/C31 (LU), C32, C36, C37, closed families."""

import json
from pathlib import Path

import numpy as np
import pytest

from landscape.linear.existence import MinimizingSequence, infimum_attained

O = json.loads((Path(__file__).parents[1] / "data" / "landscape_oracles.json").read_text())


def _case(key):
    o = O[key]
    return (np.array(o["support1"], bool), np.array(o["support2"], bool), np.array(o["A"]))


@pytest.mark.parametrize("key", ["C03", "C31", "C36"])
def test_not_attained_with_certificate(key):
    s1, s2, A = _case(key)
    res = infimum_attained(s1, s2, A)
    assert res.attained is False and res.proven
    assert res.infimum == O[key]["infimum"] == 0.0
    seq = res.certificate
    assert isinstance(seq, MinimizingSequence) and seq.verify()
    assert np.all(np.diff(seq.errors) < 0) and seq.errors[-1] < 1e-7
    assert np.all(np.diff(seq.norms) > 0) and seq.norms[-1] > 100
    # every term is an exact factorization of A + eps E supported on the supports
    for e, (S1, S2) in zip(seq.eps, seq.factors):
        assert not S1[~s1].any() and not S2[~s2].any()
        assert np.allclose(S1 @ S2, A + e * seq.E, atol=1e-9)


def test_c03_lu_sequence_matches_theory():
    s1, s2, A = _case("C03")
    seq = infimum_attained(s1, s2, A).certificate
    # docs/theory.rst C03: errors eps^2, balanced squared norm ~ 4 / eps (C31)
    assert np.allclose(seq.errors, seq.eps ** 2)
    assert np.allclose(seq.norms ** 2 * seq.eps, 4, rtol=0.1)


def test_c32_attained():
    s1, s2, A = _case("C32")
    res = infimum_attained(s1, s2, A)
    assert res.attained is True and res.proven and res.infimum == 0.0
    S1, S2 = res.certificate.factors
    assert np.allclose(np.asarray(S1, float) @ np.asarray(S2, float), A)


def test_c37_palm_evidence():
    s1, s2, A = _case("C37")
    res = infimum_attained(s1, s2, A, n_starts=3, n_iter=2000, rng=3)
    ev = res.evidence
    assert ev.diverging.all()
    last = ev.norms[:, -4:]
    assert np.all(np.diff(last, axis=1) > 0)
    assert np.all(np.diff(ev.objective[:, 1:], axis=1) <= 0)
    assert "PALM evidence" in res.explain()


def test_closed_families_every_A():
    I = np.array([[1, 0], [1, 0], [0, 1]], bool)          # disjoint (C04)
    assert infimum_attained(I, I.T).attained is True
    s1, s2, _ = _case("C05")                               # CEC
    assert infimum_attained(s1, s2).attained is True
    assert infimum_attained(np.ones((3, 2)), np.ones((2, 4))).attained is True   # dense
    res = infimum_attained(*_case("C04"))
    assert res.attained and res.infimum == pytest.approx(98.0)


@pytest.mark.parametrize("key", ["C03", "C36"])
def test_not_closed_every_A_has_witness(key):
    s1, s2, _ = _case(key)
    res = infimum_attained(s1, s2)
    assert res.attained is False
    W = res.witness
    again = infimum_attained(s1, s2, W)
    assert again.attained is False and again.certificate.verify()


def test_c33_attained_by_the_exact_critical_points():
    """Issue 13: C33 was undecided for its A; every real critical point enumerated exactly and
    the escape bound (15) above the smallest critical value prove the infimum is attained."""
    s1, s2, A = _case("C33")
    res = infimum_attained(s1, s2, A)
    assert res.attained is True and res.proven and res.exact
    assert res.infimum == pytest.approx(13.5 - 1.5 * np.sqrt(5), abs=1e-12)
    assert res.certificate.verify() and res.certificate.escape_bound == 15
    assert "escape bound 15" in res.explain()


def test_undecided_is_honest():
    s1, s2, A = _case("C33")
    res = infimum_attained(s1, s2)
    assert res.attained is None and "quantifier" in res.reason


def test_bad_input():
    with pytest.raises(ValueError, match="'support2' parameter of infimum_attained"):
        infimum_attained(np.ones((2, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="'A' parameter of infimum_attained"):
        infimum_attained(np.ones((2, 2)), np.ones((2, 2)), np.array([[np.nan, 1], [1, 1]]))


def test_regression_infimum_attained_reports_its_tolerance():
    """infimum_attained silently decided inexact floats at tol=1e-12, against its docstring:
    now the policy's default tolerance, recorded in the result and said by explain()."""
    from identifiability.core import DEFAULT_RTOL

    s1, s2, A = _case("C32")
    res = infimum_attained(s1, s2, A * 0.1)            # 0.1 is not an exact float
    assert res.attained is True and not res.proven
    assert res.exact is False and res.tol_source == "default"
    assert res.tol == pytest.approx(DEFAULT_RTOL * max(1.0, np.abs(A * 0.1).max()))
    assert "numerical decision at tol" in res.explain()
    assert res.margins and "Margins:" in res.explain()            # what the answer rests on
    given = infimum_attained(s1, s2, A * 0.1, tol=1e-6)
    assert given.tol == 1e-6 and given.tol_source == "given" and not given.proven
    exact = infimum_attained(s1, s2, A)
    assert exact.exact and exact.tol is None and exact.proven
    assert "exact arithmetic" in exact.explain()


def test_regression_existence_exact_float_is_the_core_definition():
    """existence.py called a float exact when it was a multiple of 2**-30, the core says
    2**-32 (identifiability.core.EXACT_FLOAT_DENOMINATOR): one definition now."""
    from identifiability.core import EXACT_FLOAT_DENOMINATOR, is_exact

    s1, s2, A = _case("C32")
    B = A / 2.0 ** 31                                   # exact for the core, not for 2**-30
    assert EXACT_FLOAT_DENOMINATOR == 2 ** 32 and is_exact(B)
    res = infimum_attained(s1, s2, B)
    assert res.attained is True and res.exact and res.proven and res.tol is None


def test_old_keywords_and_short_reprs():
    s1, s2, A = _case("C37")
    with pytest.warns(DeprecationWarning, match="'palm_starts' is now called 'n_starts'"), \
            pytest.warns(DeprecationWarning, match="'palm_iter' is now called 'n_iter'"):
        res = infimum_attained(s1, s2, A, palm_starts=2, palm_iter=200, rng=3)
    assert res.evidence.objective.shape[0] == 2
    seq = infimum_attained(*_case("C03"), rng=0).certificate
    for obj in (res, res.evidence, seq):
        text = repr(obj)
        assert len(text) < 300 and "\n" not in text and "[[" not in text
