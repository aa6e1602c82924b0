"""Optional torch back end (skipped when torch is not installed)."""

import numpy as np
import pytest

from landscape.datasets import teacher_student


def test_torch_training_respects_masks_and_lowers_the_loss():
    pytest.importorskip("torch")
    from landscape.relu.torch_backend import train_torch

    X, Y, teacher = teacher_student(200, 4, 3, rng=0)
    masks = [np.asarray(W) != 0 for W in teacher.weights]
    before = train_torch(X, Y, [3], masks=masks, n_iter=1, step=1e-12, rng=0)
    after = train_torch(X, Y, [3], masks=masks, n_iter=200, step=5e-2, rng=0)

    def loss(net):
        return float(np.mean((np.asarray(net(X)).reshape(len(Y), -1) - Y.reshape(len(Y), -1)) ** 2))

    assert loss(after) < 0.5 * loss(before)
    for W, M in zip(after.weights, masks):
        assert np.all(W[~M] == 0)
    with pytest.raises(ValueError, match="masks"):
        train_torch(X, Y, [3], masks=[2 * m.astype(int) for m in masks], rng=0)
