"""Tests of landscape.executors: identical results for serial, joblib and dask executors,
checkpoint resume. The dask test starts a LocalCluster (2 workers, processes=False)."""


import numpy as np
import pytest

from landscape.linear import Problem, sample
from landscape.executors import map_chunks, seed_plan

A = np.array([[3., 0, 1], [0, 1, -3], [1, -3, -2]])
I = np.array([[1, 0], [1, 1], [0, 1]], bool)
KW = dict(rng=5, chunk_size=8, n_iter=1000)


@pytest.fixture(scope="module")
def serial():
    return sample(Problem(A, supports=[I, I.T]), 24, **KW)


def _same(a, b):
    assert np.array_equal(a.objective, b.objective)
    assert np.array_equal(a.factors[0], b.factors[0]) and np.array_equal(a.factors[1], b.factors[1])
    assert list(a.labels) == list(b.labels)


def test_joblib_identical(serial):
    _same(serial, sample(Problem(A, supports=[I, I.T]), 24, executor="joblib", n_jobs=2, **KW))


def test_dask_localcluster_identical(serial):
    """DASK: starts an in-process LocalCluster with 2 workers (about 2 s)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        _same(serial, sample(Problem(A, supports=[I, I.T]), 24, executor=client, **KW))


def test_seed_plan_deterministic():
    s1, a = seed_plan(3, 10, 4)
    s2, b = seed_plan(3, 10, 4)
    assert s1 == s2 == [4, 4, 2]
    assert [x.generate_state(2).tolist() for x in a] == [x.generate_state(2).tolist() for x in b]
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    assert seed_plan(g1, 5, 5)[1][0].generate_state(1) == seed_plan(g2, 5, 5)[1][0].generate_state(1)


def _boom(x):
    if x == 2:
        raise RuntimeError("interrupted")
    return {"x": np.array(x)}


def test_checkpoint_resume(tmp_path, serial):
    with pytest.raises(RuntimeError):
        map_chunks(_boom, [(0,), (1,), (2,), (3,)], checkpoint=tmp_path / "c", meta={"a": 1})
    assert sorted(p.name for p in (tmp_path / "c").glob("chunk_*.npz")) == \
        ["chunk_00000.npz", "chunk_00001.npz"]
    out = map_chunks(lambda x: {"x": np.array(10 * x)}, [(0,), (1,), (2,), (3,)],
                     checkpoint=tmp_path / "c", meta={"a": 1})
    assert [int(r["x"]) for r in out] == [0, 1, 20, 30]      # first two loaded, not recomputed
    with pytest.raises(ValueError, match="'checkpoint' parameter of map_chunks"):
        map_chunks(_boom, [(0,)], checkpoint=tmp_path / "c", meta={"a": 2})
    # a full sample run resumes to identical results
    again = sample(Problem(A, supports=[I, I.T]), 24, checkpoint=tmp_path / "s", **KW)
    _same(serial, again)
    _same(serial, sample(Problem(A, supports=[I, I.T]), 24, checkpoint=tmp_path / "s", **KW))


def test_bad_executor():
    with pytest.raises(ValueError, match="'executor' parameter of map_chunks"):
        map_chunks(_boom, [(0,)], executor="mpi")
