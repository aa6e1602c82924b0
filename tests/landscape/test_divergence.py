"""landscape.divergence.diverging: each condition of the signature is needed."""

import numpy as np
import pytest

from landscape import diverging

DOWN = [8.0, 4.0, 2.0, 1.0, 0.5, 0.25]
UP = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]


def test_the_signature_and_each_condition_that_breaks_it():
    cases = {
        "diverging": (DOWN, UP, True),
        "norms stop rising at the end": (DOWN, [1.0, 2.0, 4.0, 8.0, 8.0, 8.0], False),
        "objective rises at the end": ([8.0, 4.0, 2.0, 1.0, 0.5, 0.6], UP, False),
        "norms grow too little": (DOWN, [1.0, 1.001, 1.002, 1.003, 1.004, 1.005], False),
    }
    H = np.array([c[0] for c in cases.values()])
    N = np.array([c[1] for c in cases.values()])
    assert diverging(H, N).tolist() == [c[2] for c in cases.values()]


def test_converged_and_short_records_are_never_diverging():
    H, N = np.array([DOWN, DOWN]), np.array([UP, UP])
    assert diverging(H, N, converged=[True, False]).tolist() == [False, True]
    padded_h = np.array([DOWN[:3] + [np.nan] * 3])
    padded_n = np.array([UP[:3] + [np.nan] * 3])
    assert diverging(padded_h, padded_n).tolist() == [False]   # 3 records < window + 1
    assert diverging(padded_h, padded_n, window=2).tolist() == [True]


def test_bad_input():
    with pytest.raises(ValueError, match="'norms' parameter of diverging"):
        diverging(np.ones((2, 5)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="'history' parameter of diverging"):
        diverging(np.full((1, 5), np.inf), np.ones((1, 5)))
