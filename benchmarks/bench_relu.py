"""Benchmark: sparse ReLU training throughput and convex-reference solve time.

Run: python benchmarks/bench_relu.py   (single-threaded BLAS, set below)

1. Training throughput (samples/s) of landscape.relu_nets.train_relu (proximal SGD, numpy)
   on scikit-learn's digits (1797 x 64, one-hot targets, hidden width 128) with 90 %
   sparsity (fixed random supports), versus the torch back end when torch is installed.
2. Solve time of landscape.relu_nets.convex_reference versus the number of samples n
   (digits 0/1, PCA to 2 dimensions; without / with a bias column: d = 2 / 3).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import importlib.util  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from landscape.datasets import load_digits  # noqa: E402
from landscape.projections import support  # noqa: E402
from landscape.relu_nets import convex_reference, train_relu  # noqa: E402


def throughput() -> None:
    X, labels = load_digits()
    Y = np.eye(10)[labels.astype(int)]
    rng = np.random.default_rng(0)
    masks = [rng.random((128, 64)) < 0.1, rng.random((10, 128)) < 0.1]
    epochs = 3
    print("training throughput, digits 1797 x 64 -> 128 -> 10, 90% sparsity, batch 64")
    print(f"{'backend':<22s}{'n_starts':>9s}{'samples/s':>14s}")
    for n_starts in (1, 8):
        t0 = time.perf_counter()
        train_relu(X, Y, 128, constraints=[support(m) for m in masks], method="sgd",
                   n_iter=epochs, batch_size=64, step=1e-3, n_starts=n_starts, rng=0)
        dt = time.perf_counter() - t0
        print(f"{'numpy (sgd, batched)':<22s}{n_starts:>9d}{epochs * len(X) * n_starts / dt:>14.0f}")
    if importlib.util.find_spec("torch") is None:
        print(f"{'torch':<22s}{'-':>9s}{'skipped (torch not installed)':>30s}")
    else:
        from landscape.relu_torch import train_torch
        t0 = time.perf_counter()
        train_torch(X, Y, 128, masks=masks, n_iter=epochs, batch_size=64, rng=0)
        dt = time.perf_counter() - t0
        print(f"{'torch (sgd)':<22s}{1:>9d}{epochs * len(X) / dt:>14.0f}")


def convex_times() -> None:
    print("\nconvex reference (Pilanci-Ergen, cvxpy default solver), digits 0/1, PCA 2")
    print(f"{'n':>5s}{'d':>3s}{'patterns':>10s}{'seconds':>10s}{'neurons':>9s}  value")
    for bias in (False, True):
        for n in ((10, 20, 40, 80) if not bias else (10, 20, 40)):
            X, y = load_digits(classes=(0, 1), n_components=2, n_samples=n, rng=0)
            if bias:
                X = np.hstack([X, np.ones((n, 1))])
            ref = convex_reference(X, y, beta=0.1)
            print(f"{n:>5d}{X.shape[1]:>3d}{ref.n_patterns:>10d}{ref.solve_time:>10.2f}"
                  f"{ref.n_neurons:>9d}  {ref.value:.6g}")


if __name__ == "__main__":
    throughput()
    convex_times()
