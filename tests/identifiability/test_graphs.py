"""Rank-one completion (C09) and bipartite graphs."""

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from identifiability.graphs import bipartite_graph, complete_rank_one, coverage

C09 = json.loads((Path(__file__).parent.parent / "data" / "two_layer_oracles.json").read_text())[
    "cases"]["C09"]["inputs"]


def _mask(entries, shape):
    S = np.zeros(shape, dtype=bool)
    for i, j in entries:
        S[i, j] = True
    return S


def test_c09_connected_gives_unique_completion():
    M = np.array(C09["M"])
    res = complete_rank_one(M, _mask(C09["Omega_connected"], M.shape))
    assert res.status == "unique"
    assert np.array_equal(np.asarray(res.completion, dtype=float), M)
    assert len(res.tree) == sum(M.shape) - 1


def test_c09_disconnected_gives_the_oracle_alternative():
    M = np.array(C09["M"])
    omega = _mask(C09["Omega_disconnected"], M.shape)
    res = complete_rank_one(M, omega)
    assert res.status == "not_unique"
    a, b = (np.asarray(x, dtype=float) for x in (res.completion, res.alternative))
    assert not np.array_equal(a, b)
    for X in (a, b):
        assert np.linalg.matrix_rank(X) == 1
        assert np.array_equal(X[omega], M[omega])
    assert {tuple(map(tuple, a)), tuple(map(tuple, b))} & {((1, 2, 6), (1, 2, 6)), ((1, 2, 3), (2, 4, 6))}


def test_inconsistent_cycle_is_infeasible_numerically():
    M = np.array([[1.0, 2.0], [2.0, 5.0]])
    assert complete_rank_one(M, np.ones((2, 2), bool), atol=1e-9).status == "infeasible"
    assert complete_rank_one(M, np.ones((2, 2), bool)).status == "infeasible"


def test_zero_observation_is_refused():
    with pytest.raises(ValueError, match="nonzero"):
        complete_rank_one(np.array([[0, 1]]), np.ones((1, 2), bool))


def test_bipartite_graph_and_coverage():
    g = bipartite_graph([[1, 0], [1, 1]])
    assert nx.is_connected(g) and g.number_of_edges() == 3
    L = np.tril(np.ones((2, 2), bool))
    assert coverage(L, L.T).tolist() == [[1, 1], [1, 2]]
    big = np.kron(np.ones((2, 1), bool), np.eye(64, dtype=bool))   # sparse path
    assert coverage(big, big.T).max() == 1


def test_regression_complete_rank_one_on_inexact_floats():
    """complete_rank_one raised on inexact floats without atol; now the one policy."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.5, 2, 30), rng.uniform(0.5, 2, 40)
    M = np.outer(x, y)
    omega = rng.random(M.shape) < 0.3
    res = complete_rank_one(M, omega)
    assert res.status == "unique" and not res.exact and res.tol_source == "default"
    assert res.atol > 0 and res.margin <= res.atol
    assert np.allclose(res.completion, M)
    assert len(repr(res)) < 300 and "default tolerance" in res.explain()
    bad = M.copy()
    bad[omega] *= 1 + 1e-3 * rng.standard_normal(omega.sum())
    assert complete_rank_one(bad, omega).status == "infeasible"
    exact = complete_rank_one(np.array([[1, 2], [2, 4]]), np.ones((2, 2), bool))
    assert exact.exact and exact.atol is None and exact.status == "unique"
