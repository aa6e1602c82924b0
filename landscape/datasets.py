"""Data for the ReLU-network experiments: synthetic teacher-student, digits, CIFAR-10.

Nothing is downloaded at run time: :func:`load_digits` uses the copy that ships with
scikit-learn, :func:`load_cifar10` reads the standard python pickle batches
(``data_batch_1`` ... ``data_batch_5``, ``test_batch``) from a folder the user provides.

Examples
--------
>>> X, Y, teacher = teacher_student(50, 3, 4, rng=0)
>>> X.shape, Y.shape, teacher.widths
((50, 3), (50, 1), (3, 4, 1))
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from identifiability.core.validation import check_int, check_real, check_rng, param_error
from identifiability.relu import ReLUNet

__all__ = ["teacher_student", "load_digits", "load_cifar10"]


def teacher_student(n_samples: int, n_inputs: int, width: int, *, n_outputs: int = 1,
                    density: float = 0.5, noise: float = 0.0, integer: bool = True,
                    rng: Any = None) -> tuple[np.ndarray, np.ndarray, ReLUNet]:
    """Inputs, outputs and the sparse one-hidden-layer teacher that produced them.

    Parameters
    ----------
    n_samples, n_inputs, width : int
    n_outputs : int, default 1
    density : float in (0, 1], default 0.5
        Fraction of non-zero first-layer weights (every neuron keeps at least one).
    noise : float, default 0
        Standard deviation of Gaussian noise added to the outputs.
    integer : bool, default True
        Integer teacher weights (in {-3..3} minus 0) and inputs (in {-4..4}) so that exact
        identifiability tests apply; False: Gaussian.
    rng : Generator or int, optional

    Returns
    -------
    X : (n_samples, n_inputs), Y : (n_samples, n_outputs), teacher : ReLUNet
        The teacher has ``supports`` (first layer sparse, second dense) and no biases.
    """
    func = "teacher_student"
    n = check_int(n_samples, "n_samples", func, low=1)
    d = check_int(n_inputs, "n_inputs", func, low=1)
    h = check_int(width, "width", func, low=1)
    o = check_int(n_outputs, "n_outputs", func, low=1)
    density = check_real(density, "density", func, low=0.0, low_open=True, high=1.0)
    noise = check_real(noise, "noise", func, low=0.0)
    rng = check_rng(rng, func)
    mask = rng.random((h, d)) < density
    mask[np.arange(h), rng.integers(0, d, size=h)] = True
    if integer:
        vals = np.array([-3, -2, -1, 1, 2, 3])
        W1 = rng.choice(vals, size=(h, d)) * mask
        W2 = rng.choice(vals, size=(o, h))
        X = rng.integers(-4, 5, size=(n, d))
    else:
        W1 = rng.normal(size=(h, d)) * mask
        W2 = rng.normal(size=(o, h))
        X = rng.normal(size=(n, d))
    teacher = ReLUNet([W1, W2], supports=[mask, np.ones((o, h), dtype=bool)])
    Y = teacher(X)
    if noise > 0:
        Y = Y + noise * rng.normal(size=Y.shape)
    return X, Y, teacher


def load_digits(*, classes: Sequence[int] | None = None, n_components: int | None = None,
                n_samples: int | None = None, rng: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits (1797 images, real data, no download).

    Parameters
    ----------
    classes : sequence of int, optional
        Keep these digits. With exactly two classes the targets are ``-1`` / ``+1`` (first /
        second class), otherwise the digit labels.
    n_components : int, optional
        Project the centred pixels on the leading principal components (SVD).
    n_samples : int, optional
        Random subset of this size (drawn with ``rng``).
    rng : Generator or int, optional

    Returns
    -------
    X : float array (n, 64 or n_components), pixels scaled to [0, 1] before PCA
    y : float array (n,)

    >>> X, y = load_digits(classes=(0, 1), n_components=2, n_samples=40, rng=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((40, 2), [-1.0, 1.0])
    """
    from sklearn.datasets import load_digits as _sk_digits

    func = "load_digits"
    data = _sk_digits()
    X, y = data.data / 16.0, data.target.astype(float)
    if classes is not None:
        cls = [check_int(c, "classes", func, low=0, high=9) for c in classes]
        keep = np.isin(y, cls)
        X, y = X[keep], y[keep]
        if len(cls) == 2:
            y = np.where(y == cls[1], 1.0, -1.0)
    if n_samples is not None:
        n_samples = check_int(n_samples, "n_samples", func, low=1, high=len(X))
        idx = np.sort(check_rng(rng, func).choice(len(X), size=n_samples, replace=False))
        X, y = X[idx], y[idx]
    if n_components is not None:
        k = check_int(n_components, "n_components", func, low=1, high=X.shape[1])
        Xc = X - X.mean(axis=0)
        U, s, _ = np.linalg.svd(Xc, full_matrices=False)
        X = U[:, :k] * s[:k]
    return X, y


def load_cifar10(folder: Any, *, batches: Sequence[str] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Read CIFAR-10 python pickle batches from ``folder`` (no download).

    Parameters
    ----------
    folder : path
        Folder holding ``data_batch_1`` ... (the ``cifar-10-batches-py`` layout).
    batches : sequence of str, optional
        File names to read (default: every ``data_batch_*`` present, sorted).

    Returns
    -------
    X : uint8 array (n, 3072)
        Rows as stored (1024 red, 1024 green, 1024 blue values).
    labels : int64 array (n,)
    """
    func = "load_cifar10"
    root = Path(folder)
    if not root.is_dir():
        raise param_error(func, "folder", "an existing folder with CIFAR-10 batches", folder)
    names = sorted(p.name for p in root.glob("data_batch_*")) if batches is None else list(batches)
    if not names:
        raise param_error(func, "folder", "a folder containing data_batch_* files", folder)
    Xs, ys = [], []
    for name in names:
        path = root / name
        if not path.is_file():
            raise param_error(func, "batches", f"names of files in {root}", name)
        with open(path, "rb") as fh:
            d = pickle.load(fh, encoding="bytes")
        if not isinstance(d, dict) or b"data" not in d or b"labels" not in d:
            raise param_error(func, "batches", "CIFAR-10 batches (dicts with b'data' and "
                              "b'labels')", name)
        X = np.asarray(d[b"data"])
        y = np.asarray(d[b"labels"], dtype=np.int64)
        if X.dtype != np.uint8 or X.ndim != 2 or X.shape[1] != 3072 or len(y) != len(X):
            raise param_error(func, "batches", "batches with uint8 data of shape (n, 3072) and "
                              "n labels", f"{name}: data {X.dtype} {X.shape}, "
                              f"{len(y)} labels", raw=True)
        Xs.append(X)
        ys.append(y)
    return np.concatenate(Xs), np.concatenate(ys)
