"""Benchmark: sparse ReLU training throughput and convex-reference solve time.

Run: python benchmarks/bench_relu.py   (single-threaded BLAS, set below)

1. Training throughput (samples/s) of landscape.relu.train_relu (proximal SGD, numpy)
   on scikit-learn's digits (1797 x 64, one-hot targets, hidden width 128) with 90 %
   sparsity (fixed random supports), versus the torch back end when torch is installed
   (after a warm-up call: torch's import and first-call set-up take seconds).
2. Solve time of landscape.relu.convex_reference versus the number of samples n
   (digits 0/1, PCA to 2 dimensions; without / with a bias column: d = 2 / 3), and the width
   of the certified interval [dual lower bound, objective of the recovered network].
3. Teacher-student: fraction of 50 random starts of the proximal trainer (PALM on the
   teacher's supports, 300 sweeps; last column 2000 sweeps) that recover a sparse
   one-hidden-layer teacher modulo permutation and positive rescaling
   (identifiability.relu.equivalent, tol 1e-4), without and with the neuron-restart
   heuristic (restarts=2) and the final L-BFGS polish, and the teacher's local
   identifiability verdict on the data.
4. Landscape against the convex value: critical_points.sample on a ReLUProblem (L-BFGS, 50
   starts) for a 2-D toy set (12 points, hidden bias) and digits 0/1 (PCA 2, 30 samples):
   the report's classes and the fraction of starts within 1 % of the convex value.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import importlib.util  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from identifiability.relu import ReLUNet, equivalent, local_identifiability  # noqa: E402
from landscape.datasets import load_digits, teacher_student  # noqa: E402
from landscape.engine.projections import support  # noqa: E402
from landscape.linear import sample  # noqa: E402
from landscape.relu import ReLUProblem, convex_reference, train_relu  # noqa: E402


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
        rate = epochs * len(X) * n_starts / dt
        print(f"{'numpy (sgd, batched)':<22s}{n_starts:>9d}{rate:>14.0f}")
    if importlib.util.find_spec("torch") is None:
        print(f"{'torch':<22s}{'-':>9s}{'skipped (torch not installed)':>30s}")
    else:
        from landscape.relu.torch_backend import train_torch
        train_torch(X[:64], Y[:64], 128, masks=masks, n_iter=1, batch_size=64, rng=0)  # warm-up
        t0 = time.perf_counter()
        train_torch(X, Y, 128, masks=masks, n_iter=epochs, batch_size=64, rng=0)
        dt = time.perf_counter() - t0
        print(f"{'torch (sgd)':<22s}{1:>9d}{epochs * len(X) / dt:>14.0f}")


def convex_times() -> None:
    print("\nconvex reference (Pilanci-Ergen, cvxpy default solver), digits 0/1, PCA 2")
    print(f"{'n':>5s}{'d':>3s}{'patterns':>10s}{'seconds':>10s}{'neurons':>9s}  value"
          "        certified gap (objective - dual bound) / objective")
    for bias in (False, True):
        for n in ((10, 20, 40, 80) if not bias else (10, 20, 40)):
            X, y = load_digits(classes=(0, 1), n_components=2, n_samples=n, rng=0)
            if bias:
                X = np.hstack([X, np.ones((n, 1))])
            ref = convex_reference(X, y, beta=0.1)
            print(f"{n:>5d}{X.shape[1]:>3d}{ref.n_patterns:>10d}{ref.solve_time:>10.2f}"
                  f"{ref.n_neurons:>9d}  {ref.value:<12.6g} "
                  f"{(ref.objective - ref.lower_bound) / ref.objective:.1e}")


def _teachers():
    W1 = np.array([[2, 0, -1], [0, 1, 1], [-1, 2, 0]])
    hand = ReLUNet([W1, [[1, 2, 1]]], supports=[W1 != 0, np.ones((1, 3), dtype=bool)])
    X = np.random.default_rng(0).integers(-4, 5, size=(80, 3))
    yield "hand 3-3-1", X, hand
    for seed in (0, 1, 2):
        X, _, teacher = teacher_student(100, 4, 3, rng=seed)
        yield f"teacher_student(rng={seed}) 4-3-1", X, teacher


def teacher_recovery(n_starts: int = 50) -> None:
    print(f"\nteacher-student: fraction of {n_starts} starts recovering the teacher modulo "
          "symmetries (PALM, 300 sweeps unless said, teacher's supports)")
    configs = (("palm", {}), ("palm+restarts", {"restarts": 2}),
               ("palm+restarts+polish", {"restarts": 2, "polish": True}),
               ("palm+restarts, 2000", {"restarts": 2, "n_iter": 2000}))
    print(f"{'teacher':<30s}{'n':>4s}{'identifiable':>13s}"
          + "".join(f"{name:>22s}" for name, _ in configs) + f"{'seconds':>9s}")
    for name, X, teacher in _teachers():
        X = X[np.all(X @ teacher.weights[0].T != 0, axis=1)]   # no kink on a sample
        Y = teacher(X)
        ident = local_identifiability(teacher, X).identifiable
        cons = [support(m) for m in teacher.masks]
        fracs, t0 = [], time.perf_counter()
        for _, opts in configs:
            opts = {"n_iter": 300} | opts
            res = train_relu(X, Y, teacher.widths[1], bias=False, n_starts=n_starts, rng=0,
                             constraints=cons, **opts)
            fracs.append(np.mean([bool(equivalent(teacher, res.net(i), tol=1e-4))
                                  for i in range(n_starts)]))
        dt = time.perf_counter() - t0
        print(f"{name:<30s}{len(X):>4d}{ident!s:>13s}"
              + "".join(f"{f:>22.2f}" for f in fracs) + f"{dt:>9.1f}")


def landscapes(n_starts: int = 50) -> None:
    print(f"\nlandscape vs the convex value ({n_starts} L-BFGS starts, critical_points.sample)")
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(12, 2))
    toy = ReLUProblem(X, np.abs(X[:, 0]) - X[:, 1] ** 2, width=8, beta=0.05)
    Xd, yd = load_digits(classes=(0, 1), n_components=2, n_samples=30, rng=0)
    digits = ReLUProblem(Xd, yd, width=8, beta=0.1, bias=False)
    print(f"{'problem':<22s}{'convex':>10s}{'neurons':>8s}{'reference':>12s}{'within 1%':>10s}"
          f"{'seconds':>9s}  classes")
    for name, prob in (("toy 2-D, width 8", toy), ("digits 0/1, width 8", digits)):
        t0 = time.perf_counter()
        rep = sample(prob, n_starts, rng=0)
        dt = time.perf_counter() - t0
        print(f"{name:<22s}{rep.convex.value:>10.5g}{rep.convex.n_neurons:>8d}"
              f"{rep.reference_kind:>12s}{rep.fraction_within(0.01, value=rep.convex.value):>10.2f}"
              f"{dt:>9.1f}  {rep.counts()}")


if __name__ == "__main__":
    throughput()
    convex_times()
    teacher_recovery()
    landscapes()
