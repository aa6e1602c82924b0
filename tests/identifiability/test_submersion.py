"""Non-uniqueness from a certified submersion point (identifiability.two_layer.submersion):
the dimension count, Krawczyk's test in exact arithmetic, agreement with the exact engine,
tampering (issue 13)."""

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from identifiability import check_uniqueness, random_support
from identifiability.core.msolve import find_msolve
from identifiability.two_layer import SubmersionCertificate, algebraic
from identifiability.two_layer.submersion import (certify_submersion, krawczyk_holds,
                                                  stuck_layout, submersion_count)


def _instance(seed, m, k1, k2):
    rng = np.random.default_rng(seed)
    S1 = random_support((m, m), k1, mode="columns", rng=rng)
    S2 = random_support((m, m), k2, mode="rows", rng=rng)
    X, Y = (S * rng.integers(1, 10, S.shape) * rng.choice([-1, 1], S.shape) for S in (S1, S2))
    return X @ Y, S1, S2


@pytest.fixture(scope="module")
def dense_verdict():
    A, S1, S2 = _instance(1, 8, 3, 7)      # above the count line r (k1 + k2 - 1) <= m n
    return check_uniqueness(A, S1, S2)


def test_dense_instance_is_not_unique_with_a_submersion_certificate(dense_verdict):
    v = dense_verdict
    assert v.status == "not_unique"
    assert isinstance(v.certificate, SubmersionCertificate)
    N, E, s = v.certificate.counts
    assert N - E > s
    assert v.factors is None            # the point is only known to lie in a box
    assert v.verify()
    assert "Krawczyk" in v.explain()
    d = v.certificate.to_dict()
    assert d["type"] == "submersion" and len(d["chosen"]) == E


def test_tampered_submersion_certificates_fail(dense_verdict):
    v, cert = dense_verdict, dense_verdict.certificate
    centre = list(cert.centre)
    centre[cert.chosen[0]] += 2 ** 40                  # the box no longer holds a zero
    held = next(i for i in range(len(centre)) if i not in set(cert.chosen))
    moved = list(cert.centre)
    moved[held] += 2 ** 44                             # a held unknown moved
    tampered = [
        replace(cert, centre=tuple(centre)),
        replace(cert, centre=tuple(moved)),
        replace(cert, radius_num=1, radius_bits=200),  # a box too small for the residual
        replace(cert, radius_num=1, radius_bits=0),    # a box too large
        replace(cert, chosen=cert.chosen[:-1] + (cert.chosen[0],)),
        replace(cert, counts=(cert.counts[0], cert.counts[1], cert.counts[0])),
        replace(cert, precond=tuple(tuple(0 for _ in row) for row in cert.precond)),
        replace(cert, stuck=cert.stuck[1:]),
    ]
    for bad in tampered:
        assert not replace(v, certificate=bad).verify()
    B = v.A.copy()
    B[0, 0] += 1                                        # another matrix
    assert not replace(v, A=B).verify()


def test_krawczyk_is_exact_on_a_one_rectangle_system():
    # x y^T = [[1, 2]]: 3 unknowns, 2 equations, 1 rescaling: N - E = 1, not > s = 1
    rows, cols = [np.array([0])], [np.array([0, 1])]
    assert submersion_count(rows, cols, [0], (1, 2)) == (3, 2, 1)
    assert certify_submersion(np.array([[1, 2]], dtype=object), rows, cols, [0], ()) is None
    # two rectangles on one row: x0 y0^T + x1 y1^T = [[1, 2, 3]] with y0 on {0, 1}, y1 on
    # {1, 2}: N = 6, E = 3, s = 2
    rows, cols = [np.array([0]), np.array([0])], [np.array([0, 1]), np.array([1, 2])]
    R = np.array([[Fraction(1), Fraction(2), Fraction(3)]], dtype=object)
    cert = certify_submersion(R, rows, cols, [0, 1], ())
    assert cert is not None and cert.counts == (6, 3, 2)
    lay = stuck_layout(rows, cols, [0, 1], (1, 3))
    assert krawczyk_holds(lay, list(R[0]), cert)
    shifted = list(R[0])
    shifted[0] += Fraction(1, 10 ** 6)                   # the box was built for R, not this
    assert not krawczyk_holds(lay, shifted, cert)


@pytest.mark.skipif(find_msolve() is None, reason="no msolve binary")
@pytest.mark.parametrize("seed", range(4))
def test_submersion_agrees_with_the_exact_engine(seed, monkeypatch):
    A, S1, S2 = _instance(seed, 5, 2, 4)          # 30 unknowns: both routes reach it
    monkeypatch.setattr(algebraic, "SUBMERSION_FIRST", 10 ** 9)
    engine = check_uniqueness(A, S1, S2)
    monkeypatch.setattr(algebraic, "SUBMERSION_FIRST", 0)
    first = check_uniqueness(A, S1, S2)
    assert first.verify() and engine.verify()
    if isinstance(first.certificate, SubmersionCertificate):
        assert engine.status in ("not_unique", "undecided", "locally_unique")
        assert engine.status != "unique"
    if engine.status in ("unique", "not_unique", "infeasible") and \
            first.status in ("unique", "not_unique", "infeasible"):
        assert engine.status == first.status


def test_a_valid_box_without_the_dimension_count_proves_nothing():
    # x y^T = [[1, 2]]: x held at 1, y boxed at (1, 2) passes Krawczyk's test, but N - E = 1
    # is not above the one rescaling: the factorization is unique and verify() must say no
    v = check_uniqueness(np.array([[1, 2]]), np.array([[1]], bool), np.array([[1, 1]], bool))
    assert v.status == "unique"
    D = 2 ** 48
    cert = SubmersionCertificate(stuck=(0,), steps=(), centre=(D, D, 2 * D), chosen=(1, 2),
                                 radius_num=1, radius_bits=10, precond=((1, 0), (0, 1)),
                                 precond_bits=0, counts=(3, 2, 1))
    lay = stuck_layout([np.array([0])], [np.array([0, 1])], [0], (1, 2))
    assert krawczyk_holds(lay, [Fraction(1), Fraction(2)], cert)
    claim = replace(v, status="not_unique", certificate=cert, factors=None)
    assert not claim.verify()
    assert not cert.verify(claim)


def test_a_nonzero_entry_off_the_stuck_rectangles_fails(dense_verdict):
    v = dense_verdict
    lay = stuck_layout([np.flatnonzero(v.support1[:, k]) for k in range(8)],
                       [np.flatnonzero(v.support2[k]) for k in range(8)],
                       list(v.certificate.stuck), v.A.shape)
    off = np.ones(v.A.shape, bool)
    off[tuple(lay.entries.T)] = False
    assert off.any()                   # E = 63 of the 64 entries are covered here
    B = v.A.copy()
    B[tuple(np.argwhere(off)[0])] = 1   # no factorization can produce it
    assert not replace(v, A=B).verify()
