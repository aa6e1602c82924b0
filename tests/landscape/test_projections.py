"""Tests of landscape.projections: oracles C21-C24, tie rule, batching, exactness."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from landscape.engine.projections import (compose, normalize_frobenius, project_support, project_topk,
                                   project_topk_cols, project_topk_rowcol, project_topk_rows,
                                   splincol, support, topk, topk_cols, topk_rows, unit_norm)

ORACLES = json.loads((Path(__file__).parents[1] / "data" / "engine_oracles.json").read_text())


def test_c21_topk_global():
    o = ORACLES["C21"]
    np.testing.assert_array_equal(project_topk(np.array(o["M"]), o["k"]), o["P"])
    np.testing.assert_array_equal(topk(o["k"]).project(o["M"]), o["P"])


def test_c22_topk_rows():
    o = ORACLES["C22"]
    np.testing.assert_array_equal(project_topk_rows(o["M"], o["k"]), o["P"])
    np.testing.assert_array_equal(topk_rows(o["k"]).project(o["M"]), o["P"])


def test_c23_topk_cols():
    o = ORACLES["C23"]
    np.testing.assert_array_equal(project_topk_cols(o["M"], o["k"]), o["P"])
    np.testing.assert_array_equal(topk_cols(o["k"]).project(o["M"]), o["P"])


def test_c24_support_and_unit_norm_topk():
    o = ORACLES["C24"]
    np.testing.assert_array_equal(project_support(o["M"], o["S"]), o["P_support"])
    np.testing.assert_array_equal(support(o["S"]).project(o["M"]), o["P_support"])
    P = unit_norm(topk(o["k"])).project(o["M"])
    np.testing.assert_allclose(P, o["P_topk_unitnorm"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(normalize_frobenius(project_topk(o["M"], o["k"])),
                               o["P_topk_unitnorm"], atol=1e-15)


def test_ties_larger_modulus_then_smaller_index():
    M = np.array([[1.0, -2.0, 2.0, 1.0], [3.0, 3.0, -3.0, 0.0]])
    np.testing.assert_array_equal(project_topk(M, 4), [[0, -2, 0, 0], [3, 3, -3, 0]])
    np.testing.assert_array_equal(project_topk_rows(M, 1), [[0, -2, 0, 0], [3, 0, 0, 0]])
    np.testing.assert_array_equal(project_topk_cols(M, 1), [[0, 0, 0, 1], [3, 3, -3, 0]])
    np.testing.assert_array_equal(project_topk_cols([[2, 1], [-2, 1]], 1), [[2, 1], [0, 0]])
    np.testing.assert_array_equal(project_topk_rows(np.zeros((2, 3)), 2),
                                  np.zeros((2, 3)))


def _reference_mask(a, k):
    order = np.argsort(-a, axis=-1, kind="stable")[..., :k]
    mask = np.zeros(a.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=-1)
    return mask


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 12)),
              elements=st.sampled_from([0.0, 1.0, -1.0, 2.0, -3.5, 0.25])),
       st.integers(1, 12))
def test_topk_matches_stable_argsort_rule(M, k):
    m, n = M.shape[-2:]
    kr = min(k, n)
    P = project_topk_rows(M, kr)
    np.testing.assert_array_equal(P != 0, _reference_mask(np.abs(M), kr) & (M != 0))
    kg = min(k, m * n)
    flat = _reference_mask(np.abs(M).reshape(M.shape[0], -1), kg).reshape(M.shape)
    np.testing.assert_array_equal(project_topk(M, kg), np.where(flat, M, 0))
    kc = min(k, m)
    cols = np.swapaxes(_reference_mask(np.swapaxes(np.abs(M), -1, -2), kc), -1, -2)
    np.testing.assert_array_equal(project_topk_cols(M, kc), np.where(cols, M, 0))


def test_large_k_partition_path_matches_rule():
    rng = np.random.default_rng(0)
    M = rng.integers(-3, 4, size=(4, 7, 40)).astype(float)
    for k in (9, 20, 39):
        ref = np.where(_reference_mask(np.abs(M), k), M, 0)
        np.testing.assert_array_equal(project_topk_rows(M, k), ref)


def test_batched_equals_loop_real_and_complex():
    rng = np.random.default_rng(1)
    M = rng.standard_normal((5, 6, 7)) + 1j * rng.standard_normal((5, 6, 7))
    for c in (topk(10), topk_rows(2), topk_cols(3), splincol(2), unit_norm(topk_rows(3)),
              compose(support(rng.random((6, 7)) < 0.5), topk(4))):
        out = c.project(M)
        assert out.dtype == np.complex128
        for b in range(5):
            np.testing.assert_array_equal(out[b], c.project(M[b]))
    assert project_topk(M.real, 3).dtype == np.float64


def test_exact_projections_are_nearest_points():
    """Random members of the set are never closer to M than the projection."""
    rng = np.random.default_rng(2)
    M = rng.standard_normal((4, 5)) + 1j * rng.standard_normal((4, 5))
    for c, member in ((topk(6), lambda Z: project_topk(Z, 6)),
                      (topk_rows(2), lambda Z: project_topk_rows(Z, 2)),
                      (unit_norm(topk_cols(2)),
                       lambda Z: normalize_frobenius(project_topk_cols(Z, 2)))):
        assert c.exact
        d = np.linalg.norm(M - c.project(M))
        Z = member(rng.standard_normal((200, 4, 5)) + 1j * rng.standard_normal((200, 4, 5)))
        assert np.all(np.linalg.norm(M - Z, axis=(1, 2)) >= d - 1e-12)
    assert not splincol(2).exact
    assert not compose(topk(2), topk_rows(1)).exact


def test_splincol_union_of_row_and_col_supports():
    M = np.array([[3.0, -5.0, 1.0], [0.5, 4.0, -2.0]])
    mask = (project_topk_rows(M, 1) != 0) | (project_topk_cols(M, 1) != 0)
    np.testing.assert_array_equal(project_topk_rowcol(M, 1), np.where(mask, M, 0))


def test_zero_block_normalises_to_first_allowed_entry():
    S = np.array([[0, 0, 1], [1, 1, 0]], dtype=bool)
    out = unit_norm(support(S)).project(np.zeros((2, 2, 3)))
    np.testing.assert_array_equal(out, np.broadcast_to([[0, 0, 1], [0, 0, 0]], (2, 2, 3)))
    np.testing.assert_array_equal(unit_norm(topk(1)).project(np.zeros((2, 2))), [[1, 0], [0, 0]])
    np.testing.assert_array_equal(normalize_frobenius(np.zeros((2, 2))), [[1, 0], [0, 0]])


def test_bad_input():
    with pytest.raises(ValueError, match="'k' parameter of project_topk"):
        project_topk(np.ones((2, 2)), 5)
    with pytest.raises(ValueError, match="'k' parameter of topk_rows"):
        topk_rows(0)
    with pytest.raises(TypeError, match="'k' parameter of topk"):
        topk(1.5)
    with pytest.raises(ValueError, match="k <= 3"):
        topk_rows(4).check((5, 3))
    with pytest.raises(ValueError, match="k <= 2"):
        splincol(3).project(np.ones((2, 5)))
    with pytest.raises(ValueError, match="support of shape"):
        support(np.ones((2, 2))).check((2, 3))
    with pytest.raises(ValueError, match="non-finite|finite"):
        project_topk([[np.nan, 1.0]], 1)
    with pytest.raises(ValueError, match="'S' parameter of support"):
        support([[2, 0]])
    with pytest.raises(ValueError, match="'S' parameter of project_support"):
        project_support(np.ones((2, 2)), np.ones((2, 3), dtype=bool))
    with pytest.raises(TypeError):
        compose(topk(1), "topk")
    with pytest.raises(ValueError, match="'M' parameter"):
        project_topk(np.ones(3), 1)


def test_reprs():
    assert repr(compose(topk(2), unit_norm(splincol(1)))) == \
        "compose(topk(2), unit_norm(splincol(1)))"
    assert "3 entries" in repr(support([[1, 0], [1, 1]]))
