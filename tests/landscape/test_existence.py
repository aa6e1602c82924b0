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
    # THEORY C03: errors eps^2, balanced squared norm ~ 4 / eps (C31)
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


def test_undecided_is_honest():
    s1, s2, A = _case("C33")
    res = infimum_attained(s1, s2)
    assert res.attained is None and "quantifier" in res.reason


def test_bad_input():
    with pytest.raises(ValueError, match="'support2' parameter of infimum_attained"):
        infimum_attained(np.ones((2, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="'A' parameter of infimum_attained"):
        infimum_attained(np.ones((2, 2)), np.ones((2, 2)), np.array([[np.nan, 1], [1, 1]]))
