"""Tests of identifiability.multilayer (chains of L factors, butterfly essential uniqueness)."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from identifiability.equivalence import equivalent
from identifiability.graphs import coverage
from identifiability.chains import (ChainNode, ChainVerdict, check_butterfly_uniqueness,
                                        check_uniqueness_chain, mask_product)
from identifiability.supports import (butterfly_segment_support, butterfly_split_supports,
                                      butterfly_supports)

CASES = json.loads((Path(__file__).parents[1] / "data" / "multilayer_oracles.json")
                   .read_text())["cases"]
H2 = np.array([[1, 1], [1, -1]])


def hadamard(N):
    H = np.ones((1, 1), dtype=np.int64)
    while H.shape[0] < N:
        H = np.kron(H, H2)
    return H


def dft(N):
    return np.exp(-2j * np.pi * (np.outer(np.arange(N), np.arange(N)) % N) / N)


def bit_reversal(N):
    L = N.bit_length() - 1
    return np.array([int(format(i, f"0{L}b")[::-1], 2) if L else 0 for i in range(N)])


def textbook_hadamard_factors(N):
    L = N.bit_length() - 1
    return [np.kron(np.kron(np.eye(2 ** (l - 1)), H2), np.eye(N // 2 ** l))
            for l in range(1, L + 1)]


def cooley_tukey_factors(N):
    """B^(l) = I_{2^(l-1)} (x) [[I, W], [I, -W]], W = diag(w^0..w^(N/2^l - 1)),
    w = e^(-2 pi i 2^(l-1) / N)."""
    L = N.bit_length() - 1
    out = []
    for l in range(1, L + 1):
        h = N // 2 ** l
        W = np.diag(np.exp(-2j * np.pi * 2 ** (l - 1) * np.arange(h) / N))
        I = np.eye(h)
        out.append(np.kron(np.eye(2 ** (l - 1)), np.block([[I, W], [I, -W]])))
    return out


def diagonally_equivalent(F, G, tol=None):
    """G = F up to X_l -> D_{l-1}^{-1} X_l D_l with diagonal D (identity permutations)."""
    res = equivalent(list(F), list(G), tol=tol)
    return bool(res) and all(np.array_equal(p, np.arange(len(p))) for p in res.permutations)


def assert_chain_of(factors, A, masks, atol=0.0):
    prod = np.linalg.multi_dot([np.asarray(F, complex) for F in factors]) if len(factors) > 1 \
        else np.asarray(factors[0], complex)
    assert np.abs(prod - A).max() <= atol
    for F, S in zip(factors, masks):
        assert not np.any(np.asarray(F)[~S] != 0)


# ----------------------------------------------------------------------------- oracles

def test_C12_hadamard4_unique_and_diagonally_equivalent():
    factors = [np.array(F) for F in CASES["C12"]["factors"]]
    A = factors[0] @ factors[1]
    assert np.array_equal(A, np.kron(H2, H2))
    v = check_butterfly_uniqueness(A)
    assert v.status == "unique" and v.verify()
    assert diagonally_equivalent(factors, v.factors)


def test_C13_C17_hadamard8_every_order():
    A = hadamard(8)
    for order in ("balanced", "left_to_right", "right_to_left"):
        v = check_butterfly_uniqueness(A, order=order)
        assert v.status == "unique" and v.verify()
        nnz = sum(int(np.count_nonzero(F)) for F in v.factors)
        assert nnz == CASES["C13"]["expected"]["nnz_total"]
        assert_chain_of(v.factors, A, butterfly_supports(8))
        assert diagonally_equivalent(textbook_hadamard_factors(8), v.factors)


def test_C14_dft4_exact_with_bit_reversal():
    case = CASES["C14"]
    B1 = np.array([[complex(*z) for z in row] for row in case["B1"]])
    B2 = np.kron(np.eye(2), H2)
    F4 = dft(4).round()                       # entries 1, -1j, -1, 1j exactly
    assert np.array_equal(F4[:, case["bitrev"]], B1 @ B2)
    v = check_butterfly_uniqueness(F4, permutation="bit_reversal")
    assert v.status == "unique" and v.field == "exact" and v.verify()
    assert diagonally_equivalent([B1, B2], v.factors)


@pytest.mark.parametrize("permutation", ["bit_reversal", CASES["C15"]["bitrev"]])
def test_C15_C18_dft8_bit_reversed_recovers_cooley_tukey(permutation):
    F8 = dft(8)
    CT = cooley_tukey_factors(8)
    assert np.allclose(F8[:, CASES["C15"]["bitrev"]], np.linalg.multi_dot(CT))
    v = check_butterfly_uniqueness(F8, tol=1e-10, permutation=permutation)
    assert v.status == "unique" and v.verify()
    assert np.array_equal(v.data["permutation"], CASES["C15"]["bitrev"])
    assert diagonally_equivalent(CT, v.factors, tol=1e-9)


def test_C16_butterfly_splits_are_disjoint_and_tile():
    N = CASES["C16"]["N"]
    for t in range(1, 3):
        s1, s2 = butterfly_split_supports(N, t)
        assert np.array_equal(coverage(s1, s2), np.ones((N, N), dtype=np.int64))
        assert set(s1.sum(axis=0)) == {2 ** t} and set(s2.sum(axis=1)) == {N // 2 ** t}
    assert np.array_equal(mask_product(butterfly_supports(N)), np.ones((N, N), bool))
    assert np.array_equal(mask_product(butterfly_supports(N)[1:]),
                          butterfly_segment_support(N, 2, 3))


@pytest.mark.parametrize("order", ["balanced", "left_to_right"])
def test_C19_dft8_natural_order_is_not_butterfly(order):
    v = check_butterfly_uniqueness(dft(8), tol=1e-10, order=order)
    assert v.status == "infeasible" and v.factors is None and v.verify()
    root = v.certificate
    assert root.split == 1 and root.verdict.status == "infeasible"
    assert root.verdict.certificate.kind == "inconsistent_completion"
    assert v.data["lower_bound"] == pytest.approx(CASES["C19"]["expected"]["lower_bound_split_t1"])


def test_C35_generic_butterfly4_chain_unique():
    X1, X2 = (np.array(CASES["C35"][k]) for k in ("X1", "X2"))
    masks = butterfly_supports(4)
    assert np.array_equal(X1 != 0, masks[0]) and np.array_equal(X2 != 0, masks[1])
    A = X1 @ X2
    v = check_uniqueness_chain(A, [X1 != 0, X2 != 0])
    assert v.status == "unique" and v.verify()
    assert v.certificate.verdict.status == "unique"
    assert diagonally_equivalent([X1, X2], v.factors)
    assert check_butterfly_uniqueness(A).status == "unique"


# ----------------------------------------------------------------------------- acceptance

@pytest.mark.parametrize("N", [2, 4, 8, 16, 32, 64, 128, 256])
def test_hadamard_and_dft_are_unique(N):
    H = hadamard(N)
    v = check_butterfly_uniqueness(H)
    assert v.status == "unique"
    w = check_butterfly_uniqueness(dft(N), tol=1e-10, permutation="bit_reversal")
    assert w.status == "unique"
    assert len(v.factors) == len(w.factors) == max(1, N.bit_length() - 1)
    if N <= 32:
        assert v.verify() and w.verify()
        assert_chain_of(w.factors, dft(N)[:, bit_reversal(N)], butterfly_supports(N), 1e-9)


def test_random_complex_butterfly_unique_and_recovered():
    rng = np.random.default_rng(3)
    N = 16
    X = [np.where(S, rng.standard_normal(S.shape) + 1j * rng.standard_normal(S.shape), 0)
         for S in butterfly_supports(N)]
    A = np.linalg.multi_dot(X)
    v = check_butterfly_uniqueness(A, tol=1e-9)
    assert v.status == "unique" and v.verify()
    assert diagonally_equivalent(X, v.factors, tol=1e-7)


def zero_block_butterfly():
    """N = 8 integer butterfly chain whose middle factor has a zero 2 x 2 kernel on rows and
    columns {0, 2}: columns 0 and 2 of X1 X2 vanish, so rows 0 and 2 of X3 multiply nothing
    and can be changed freely -- the rank-one contributions 0 and 2 of the split
    (X1 X2 | X3) are zero, which breaks identifiability."""
    rng = np.random.default_rng(0)
    X = [np.where(S, rng.integers(1, 5, S.shape) * rng.choice([-1, 1], S.shape), 0)
         for S in butterfly_supports(8)]
    X[1][np.ix_([0, 2], [0, 2])] = 0
    return X


@pytest.mark.parametrize("order", ["balanced", "left_to_right", "right_to_left"])
def test_zero_block_breaks_identifiability_with_explicit_second_chain(order):
    X = zero_block_butterfly()
    A = np.linalg.multi_dot(X)
    v = check_butterfly_uniqueness(A, order=order)
    assert v.status == "not_unique" and v.verify()
    masks = butterfly_supports(8)
    assert_chain_of(v.factors, A, masks)
    assert_chain_of([np.asarray(F, float) for F in v.alternative], A, masks)
    assert not equivalent(list(v.factors), list(v.alternative))


# ----------------------------------------------------------------------------- general chains

def test_not_unique_sub_chain_below_a_unique_split():
    D = np.diag([2, 3])
    G = np.array([[1, 2], [3, 5]])
    K = np.array([[1, 1], [0, 1]])
    A = D @ G @ K
    masks = [np.eye(2, dtype=bool), np.ones((2, 2), bool), np.ones((2, 2), bool)]
    v = check_uniqueness_chain(A, masks, order="left_to_right")
    assert v.status == "not_unique" and v.verify()
    assert v.certificate.verdict.status == "unique"
    assert v.certificate.children[1].status == "not_unique"


def test_diagonal_chain_is_unique_up_to_scaling():
    A = np.diag([6, -4, 1])
    masks = [np.eye(3, dtype=bool)] * 3
    v = check_uniqueness_chain(A, masks)
    assert v.status == "unique" and v.verify()
    assert "split" in v.explain()


def test_entry_outside_every_product_support_is_infeasible():
    A = np.array([[1, 1], [0, 1]])
    v = check_uniqueness_chain(A, [np.eye(2, dtype=bool), np.eye(2, dtype=bool)])
    assert v.status == "infeasible" and v.verify()
    assert v.certificate.verdict.certificate.kind == "uncovered_entry"


def test_single_factor_chain():
    assert check_uniqueness_chain(np.eye(2), [np.eye(2, dtype=bool)]).status == "unique"
    v = check_uniqueness_chain(np.ones((2, 2)), [np.eye(2, dtype=bool)])
    assert v.status == "infeasible" and v.verify()


def test_inexact_input_without_tol_is_decided_numerically():
    # intended change of the exactness policy: this was "undecided"
    A = hadamard(4) * 0.1
    v = check_butterfly_uniqueness(A)
    assert v.status == "unique" and v.verify()
    assert not v.exact and v.tol_source == "default" and "default" in v.explain()
    assert check_butterfly_uniqueness(A, tol=1e-12).status == "unique"


def test_verify_rejects_tampered_factors():
    v = check_butterfly_uniqueness(hadamard(8))
    bad = [F.copy() for F in v.factors]
    bad[0] = bad[0] * 2
    assert not dataclasses.replace(v, factors=tuple(bad)).verify()
    assert not dataclasses.replace(v, status="infeasible").verify()


def test_results_are_frozen():
    v = check_butterfly_uniqueness(hadamard(4))
    assert isinstance(v, ChainVerdict) and isinstance(v.certificate, ChainNode)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.status = "x"
    assert repr(v).startswith("ChainVerdict(status='unique'")


# ----------------------------------------------------------------------------- validation

@pytest.mark.parametrize("A, kwargs, exc, name", [
    (np.ones((3, 3)), {}, ValueError, "'A'"),
    (np.ones((4, 2)), {}, ValueError, "'A'"),
    (np.ones((4, 4)), {"permutation": "reverse"}, ValueError, "'permutation'"),
    (np.ones((4, 4)), {"permutation": [0, 1, 1, 3]}, ValueError, "'permutation'"),
    (np.ones((4, 4)), {"order": "random"}, ValueError, "'order'"),
    (np.ones((4, 4)), {"tol": 0.0}, ValueError, "'tol'"),
    (np.ones((4, 4), bool), {}, TypeError, "'A'"),
])
def test_butterfly_bad_input_named(A, kwargs, exc, name):
    with pytest.raises(exc, match=name):
        check_butterfly_uniqueness(A, **kwargs)


def test_chain_bad_supports_named():
    with pytest.raises(ValueError, match=r"'supports\[1\]'"):
        check_uniqueness_chain(np.eye(2), [np.ones((2, 3), bool), np.ones((2, 2), bool)])
    with pytest.raises(ValueError, match=r"'supports\[0\]'"):
        check_uniqueness_chain(np.eye(2), [np.ones((3, 2), bool), np.ones((2, 2), bool)])
    with pytest.raises(ValueError, match=r"'supports\[1\]'"):
        check_uniqueness_chain(np.eye(2), [np.ones((2, 2), bool), np.ones((2, 3), bool)])
