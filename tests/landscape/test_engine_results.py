"""Result objects of the optimisation engine: short summary reprs at N = 256 (never a dumped
array), explain(), _repr_html_ factor tables, and the renamed keywords (old names still
work with a DeprecationWarning)."""

import warnings

import numpy as np
import pytest

from identifiability.core.validation import BadInputTypeError
from landscape.engine import (butterfly_factorize, dft, hadamard, hadamard_constraints,
                              hierarchical, moment_lower_bound, palm4msa, solve_fixed_support)
from landscape.engine.palm import factor_shapes
from landscape.engine.projections import (check_constraints, compose, splincol, support, topk,
                                          topk_rows, unit_norm)

N = 256


def _short(obj):
    text = repr(obj)
    assert len(text) < 300, text
    assert "\n" not in text and "array(" not in text and "[[" not in text
    return text


def test_palm_result_repr_and_explain_at_256():
    A = hadamard(N)
    res = palm4msa(A, [topk_rows(4), topk_rows(4)], n_iter=2, n_starts=2, rng=0)
    text = _short(res)
    assert "PalmResult(" in text and "256x256 @ 256x256" in text and "n_iter=" in text
    assert "relative error" in res.explain() and "2 start(s)" in res.explain()


def test_hierarchical_result_repr_and_explain_at_256():
    res = hierarchical(hadamard(N), [topk_rows(16), topk_rows(4), topk_rows(4)],
                       [topk_rows(16)], n_iter_split=2, n_iter_refine=2, rng=0)
    text = _short(res)
    assert "HierarchicalResult(" in text and "relative_error=" in text
    assert res.split_history is res.local_history and res.refine_history is res.global_history
    assert res.n_iter == sum(h.size for h in res.local_history + res.global_history)
    assert "256 x 256 matrix into 3 factors" in res.explain()


@pytest.mark.parametrize("A", [hadamard(N), dft(N)], ids=["hadamard", "dft"])
def test_butterfly_result_and_chain_repr_html_explain_at_256(A):
    res = butterfly_factorize(A)
    assert "ButterflyResult(" in _short(res)
    assert "FactorChain(" in _short(res.chain)
    html = res._repr_html_()
    assert html.count("<tr>") == 1 + len(res.chain.factors) and "<table>" in html
    assert res.chain._repr_html_().count("<td>X_") == 8
    assert "tol = 1.0e-10" in res.explain() and res.tol == 1e-10
    assert "X_8: 256 x 256, nnz 512" in res.chain.explain()


def test_fixed_support_solution_repr_at_256():
    I = np.eye(N, dtype=bool)
    rng = np.random.default_rng(0)
    sol = solve_fixed_support(rng.standard_normal((N, N)), I, I)
    text = _short(sol)
    assert "status='global'" in text and "<256 classes>" in text and sol.exact
    assert "Decided exactly on the supports" in sol.explain()


def test_lower_bound_and_constraint_reprs():
    L = np.array([[1, 0], [1, 1]], bool)
    lb = moment_lower_bound(np.array([[2., 1], [1, 0]]), L, L.T)
    assert "LowerBound(" in _short(lb) and "It rests on" in lb.explain()
    big = support(np.ones((N, N)))
    assert _short(big) == "support(<256x256 mask, 65536 entries>)"
    assert _short(compose(*[topk(2)] * 10)) == "compose(<10 constraints>)"
    assert "exact Euclidean projection" in unit_norm(big).explain()
    assert "not an exact" in splincol(2).explain()


def test_unit_norm_is_idempotent():
    c = unit_norm(topk(2))
    assert unit_norm(c) is c


def test_check_constraints_is_the_one_check():
    assert check_constraints([topk(1), None], "f", allow_none=True) == [topk(1), None]
    with pytest.raises(BadInputTypeError, match="'constraints\\[1\\]' parameter of f"):
        check_constraints([topk(1), None], "f")
    with pytest.raises(ValueError, match="a sequence of 3 constraints"):
        check_constraints([topk(1)], "f", n=3)
    assert factor_shapes((4, 6), [topk(2), support(np.ones((3, 6)))]) == [(4, 3), (3, 6)]


def test_renamed_keywords_still_work_with_a_deprecation_warning():
    A = hadamard(8)
    with pytest.warns(DeprecationWarning, match="'tol' is now called 'stop_tol'"):
        old = palm4msa(A, [topk_rows(2), topk_rows(4)], n_iter=5, tol=0.0, rng=1)
    new = palm4msa(A, [topk_rows(2), topk_rows(4)], n_iter=5, stop_tol=0.0, rng=1)
    np.testing.assert_array_equal(old.objective, new.objective)
    with pytest.warns(DeprecationWarning) as record:
        old = hierarchical(A, *hadamard_constraints(8), n_iter_local=3, n_iter_global=4,
                           rng=0)
    messages = " ".join(str(w.message) for w in record)
    assert "'n_iter_local' is now called 'n_iter_split'" in messages
    assert "'n_iter_global' is now called 'n_iter_refine'" in messages
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = hierarchical(A, *hadamard_constraints(8), n_iter_split=3, n_iter_refine=4, rng=0)
    assert old.relative_error == new.relative_error
    with pytest.raises(TypeError, match="both 'tol' and its new name 'stop_tol'"):
        palm4msa(A, [topk_rows(2)], tol=0.0, stop_tol=0.0)
