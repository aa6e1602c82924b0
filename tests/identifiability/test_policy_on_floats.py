"""Every deciding function of equivalence / relu / generic / graphs / symbolic follows the one
exactness policy on inexact float input (identifiability.core.policy): no exception, a
numerical answer that says so (exact=False, the tolerance used, its source "default")."""

import numpy as np
import pytest

from identifiability import relu
from identifiability.core import DEFAULT_RTOL, is_exact
from identifiability.equivalence import canonical_form, equivalent, same_class
from identifiability.generic import local_identifiability
from identifiability.graphs import complete_rank_one
from identifiability.symbolic import uniqueness_conditions

RNG = np.random.default_rng(2024)
A1, A2 = RNG.standard_normal((3, 2)), RNG.standard_normal((2, 4))
NET = relu.ReLUNet([RNG.standard_normal((3, 2)), RNG.standard_normal((1, 3))],
                   [RNG.standard_normal(3), RNG.standard_normal(1)])
X = RNG.standard_normal((40, 2))
LO = np.array([[1, 0], [1, 1]], bool)


def _cases():
    twin = [A1[:, ::-1] * 0.7, A2[::-1] / 0.7]
    net_twin = relu.transform(NET, [[2, 0, 1]], [[0.3, 1.9, 4.1]])
    eq = equivalent([A1, A2], twin)
    return {
        "equivalence.equivalent": (eq, True),
        "Equivalence.verify": (None, eq.verify([A1, A2], twin)),
        "equivalence.canonical_form": (canonical_form([A1, A2]), None),
        "equivalence.same_class": (None, same_class([A1, A2], twin)),
        "relu.equivalent": (relu.equivalent(NET, net_twin), True),
        "relu.canonical_form": (relu.canonical_form(NET), None),
        "relu.local_identifiability": (relu.local_identifiability(NET, X), True),
        "generic.local_identifiability": (local_identifiability([A1 * [1, 0], A2]), None),
        "graphs.complete_rank_one": (complete_rank_one(np.outer(A1[:, 0], A2[0]),
                                                       np.ones((3, 4), bool)), None),
        "UniquenessConditions.check": (uniqueness_conditions(LO, LO.T).check(
            RNG.standard_normal((2, 2))), None),
    }


def test_inputs_are_inexact():
    assert not is_exact(A1) and not is_exact(X) and not NET.is_exact


@pytest.mark.parametrize("name", sorted(_cases()))
def test_every_deciding_function_decides_inexact_floats_numerically(name):
    result, truth = _cases()[name]
    if result is not None:
        assert result.exact is False, name
        assert result.tol_source == "default", name
        tol = getattr(result, "tol", None)
        tol = getattr(result, "atol", None) if tol is None else tol
        assert tol is not None and 0 < tol <= 1e3 * DEFAULT_RTOL, name
        if hasattr(result, "explain"):
            assert "default tolerance" in result.explain() or "default" in result.explain()
    if truth is not None:
        answer = truth if result is None else (
            result.identifiable if hasattr(result, "identifiable") else bool(result))
        assert answer is True, name
