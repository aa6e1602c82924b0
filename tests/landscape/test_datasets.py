"""Tests of landscape.datasets and the optional torch back end."""

import pickle

import numpy as np
import pytest

from landscape.datasets import load_cifar10, load_digits, teacher_student


def test_teacher_student_shapes_and_sparsity():
    X, Y, T = teacher_student(30, 4, 5, n_outputs=2, density=0.3, rng=0)
    assert X.shape == (30, 4) and Y.shape == (30, 2) and T.widths == (4, 5, 2)
    assert np.all(T.supports[0].sum(axis=1) >= 1)
    np.testing.assert_array_equal(Y, T(X))
    X2, _, _ = teacher_student(30, 4, 5, n_outputs=2, density=0.3, rng=0)
    np.testing.assert_array_equal(X, X2)
    Xn, Yn, _ = teacher_student(10, 2, 2, integer=False, noise=0.1, rng=1)
    assert Xn.dtype == np.float64 and Yn.shape == (10, 1)
    with pytest.raises(ValueError, match="'density' parameter of teacher_student"):
        teacher_student(3, 2, 2, density=0.0)


def test_digits_subset_and_pca():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.max() <= 1.0
    X2, y2 = load_digits(classes=(3, 8), n_components=3, n_samples=50, rng=0)
    assert X2.shape == (50, 3) and set(y2.tolist()) == {-1.0, 1.0}
    np.testing.assert_allclose(X2.mean(axis=0), 0, atol=1e-12)


def _write_batch(path, n, seed):
    rng = np.random.default_rng(seed)
    d = {b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
         b"labels": rng.integers(0, 10, size=n).tolist(), b"batch_label": b"test"}
    with open(path, "wb") as fh:
        pickle.dump(d, fh)
    return d


def test_cifar10_reads_pickle_batches(tmp_path):
    d1 = _write_batch(tmp_path / "data_batch_1", 4, 0)
    d2 = _write_batch(tmp_path / "data_batch_2", 3, 1)
    X, y = load_cifar10(tmp_path)
    assert X.shape == (7, 3072) and X.dtype == np.uint8 and y.shape == (7,)
    np.testing.assert_array_equal(X[:4], d1[b"data"])
    assert y[4:].tolist() == d2[b"labels"]
    X1, _ = load_cifar10(tmp_path, batches=["data_batch_2"])
    assert X1.shape == (3, 3072)
    with pytest.raises(ValueError, match="'folder' parameter of load_cifar10"):
        load_cifar10(tmp_path / "missing")
    with open(tmp_path / "data_batch_9", "wb") as fh:
        pickle.dump({b"data": np.zeros((2, 10), np.uint8), b"labels": [0, 1]}, fh)
    with pytest.raises(ValueError, match="3072"):
        load_cifar10(tmp_path, batches=["data_batch_9"])


def test_torch_backend_is_lazy():
    import importlib.util

    from landscape import relu_torch
    if importlib.util.find_spec("torch") is None:
        with pytest.raises(ImportError, match="sparsefact\\[torch\\]"):
            relu_torch.train_torch(np.ones((4, 2)), np.ones(4), 2)
    else:
        net = relu_torch.train_torch(np.random.default_rng(0).normal(size=(16, 2)), np.ones(16),
                                     3, masks=[np.eye(3, 2, dtype=bool), np.ones((1, 3), bool)],
                                     n_iter=2, rng=0)
        W = net.weights
        assert W[0].shape == (3, 2) and not np.any(W[0][~np.eye(3, 2, dtype=bool)])
