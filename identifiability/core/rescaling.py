"""Factor balancing: the one implementation of the positive rescaling symmetry.

A chain of factors ``A = F[0] @ F[1] @ ... @ F[L-1]`` is unchanged when the inner index
``k`` between ``F[j]`` and ``F[j+1]`` is rescaled, column ``k`` of ``F[j]`` times ``d > 0``
and row ``k`` of ``F[j+1]`` divided by ``d``. So is a ReLU network
``y = W_L relu(... relu(W_1 x + b_1) ...) + b_L`` (``factors = [W_L, ..., W_1]``), when the
bias of a hidden neuron is rescaled with its incoming row. *Balancing* picks the scalings
that give every inner index equal norms on both sides (column ``k`` of ``F[j]``; row ``k`` of
``F[j+1]`` together with its bias entry); this minimises the Frobenius norm of the
parameters over the rescaling orbit (exactly, in one pass, for two factors; by convergent
coordinate sweeps for longer chains: the squared norm is a convex function of the
log-scalings). The *balanced norm* is that minimum, the divergence signature of the
numerical landscape (a run whose objective decreases while its balanced norm grows).

Zero columns or rows (and non-finite ones) are left as they are. Leading batch axes are
allowed (``(..., m, r)``: many starts in one call); real and complex factors alike.

>>> import numpy as np
>>> (F0, F1), _ = balance_chain([np.array([[4.0], [0.0]]), np.array([[1.0, 0.0]])])
>>> F0.ravel().tolist(), F1.ravel().tolist()
([2.0, 0.0], [2.0, 0.0])
>>> float(balanced_norm([np.array([[4.0], [0.0]]), np.array([[1.0, 0.0]])]))
2.8284271247461903
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .validation import check_int, param_error

__all__ = ["balance_chain", "balanced_norm"]

#: Sweeps of a chain of three or more factors stop when every scaling of a sweep is within
#: this distance of 1 (or after ``_MAX_SWEEPS`` sweeps).
_SWEEP_TOL = 1e-10
_MAX_SWEEPS = 100
#: Over-relaxation of the sweeps of three or more factors. Along one inner index the
#: squared norm is ``2 sqrt(ab) cosh(2 (t - t*))`` in the log-scaling ``t``, symmetric about
#: its minimiser ``t*``: any step ``omega * t*`` with ``0 < omega < 2`` decreases it, and
#: 1.3 about halves the number of sweeps on deep chains.
_OMEGA = 1.3


def _as_float(x: Any, name: str, func: str, ndim: int) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        if a.dtype.kind not in "iub" and a.dtype != object:
            raise param_error(func, name, "a numeric array", a, kind=TypeError)
        try:
            a = a.astype(float)
        except TypeError:
            a = a.astype(complex)
    if a.ndim < ndim:
        raise param_error(func, name, f"an array with at least {ndim} dimension(s)",
                          f"an array of shape {a.shape}", raw=True)
    return np.array(a, copy=True)


def _check(factors: Any, biases: Any, func: str) -> tuple[list, list | None]:
    if isinstance(factors, np.ndarray) or not isinstance(factors, Sequence):
        raise param_error(func, "factors", "a list of arrays (the factors of a chain)",
                          factors, kind=TypeError)
    F = [_as_float(f, f"factors[{j}]", func, 2) for j, f in enumerate(factors)]
    if not F:
        raise param_error(func, "factors", "a non-empty list of arrays", factors)
    for j in range(len(F) - 1):
        if F[j].shape[-1] != F[j + 1].shape[-2]:
            raise param_error(func, f"factors[{j + 1}]",
                              f"an array with {F[j].shape[-1]} rows (the columns of "
                              f"factors[{j}])", f"shape {F[j + 1].shape}", raw=True)
    if biases is None:
        return F, None
    if isinstance(biases, np.ndarray) or not isinstance(biases, Sequence) or \
            len(biases) != len(F) - 1:
        raise param_error(func, "biases", f"None or a list of {len(F) - 1} arrays (biases[j] "
                          "attached to the rows of factors[j+1])", biases)
    B = [_as_float(b, f"biases[{j}]", func, 1) for j, b in enumerate(biases)]
    for j, b in enumerate(B):
        if b.shape[-1] != F[j + 1].shape[-2]:
            raise param_error(func, f"biases[{j}]", f"an array with {F[j + 1].shape[-2]} "
                              "entries on its last axis (the rows of factors[{j + 1}])",
                              f"shape {b.shape}", raw=True)
    return F, B


def balance_chain(factors: Sequence[Any], *, biases: Sequence[Any] | None = None,
                  n_sweeps: int | None = None) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """Rescale every inner index of a chain so that its two sides have equal norms.

    Parameters
    ----------
    factors : list of array_like, each ``(..., m_j, m_{j+1})``
        ``A = factors[0] @ ... @ factors[L-1]``; optional leading batch axes (broadcast
        together); real or complex.
    biases : list of ``L - 1`` array_like ``(..., m_{j+1})``, optional
        ``biases[j]`` is attached to the rows of ``factors[j+1]`` and rescaled with them
        (ReLU convention: ``factors = [W_L, ..., W_1]``, ``biases = [b_{L-1}, ..., b_1]``; the
        output bias ``b_L`` is never rescaled and is not passed).
    n_sweeps : int, optional
        Number of sweeps over the inner indices (from the last one to the first). Default:
        one for two factors (exact), otherwise (over-relaxed) sweeps until every scaling of
        a sweep is within ``1e-10`` of 1 (at most 100 sweeps). A fixed number makes the cost predictable in an
        inner loop.

    Returns
    -------
    factors, biases : list of ndarray, list of ndarray or None
        New float (or complex) arrays; the product, and the ReLU function, are unchanged
        (the scalings are positive). Zero columns or rows are left as they are.

    Examples
    --------
    >>> import numpy as np
    >>> W2, W1, b1 = np.array([[1.0, 20.0]]), np.array([[4.0], [4.0]]), np.array([0.0, 3.0])
    >>> (V2, V1), (c1,) = balance_chain([W2, W1], biases=[b1])   # |(4, 3)| = 5
    >>> V2.tolist(), V1.ravel().tolist(), c1.tolist()
    ([[2.0, 10.0]], [2.0, 8.0], [0.0, 6.0])
    """
    func = "balance_chain"
    F, B = _check(factors, biases, func)
    if n_sweeps is not None:
        n_sweeps = check_int(n_sweeps, "n_sweeps", func, low=0)
    L = len(F)
    if L < 2:
        return F, B
    sweeps = n_sweeps if n_sweeps is not None else (1 if L == 2 else _MAX_SWEEPS)
    power = 0.25 if L == 2 else 0.25 * _OMEGA
    with np.errstate(all="ignore"):
        for _ in range(sweeps):
            worst = 0.0
            for j in range(L - 2, -1, -1):
                c2 = np.sum(np.abs(F[j]) ** 2, axis=-2)                # (..., r) columns
                r2 = np.sum(np.abs(F[j + 1]) ** 2, axis=-1)            # (..., r) rows
                if B is not None:
                    r2 = r2 + np.abs(B[j]) ** 2
                ok = (c2 > 0) & (r2 > 0) & np.isfinite(c2) & np.isfinite(r2)
                d = np.where(ok, np.where(ok, r2, 1.0) / np.where(ok, c2, 1.0), 1.0) ** power
                d = np.where(np.isfinite(d) & (d > 0), d, 1.0)
                F[j] = F[j] * d[..., None, :]
                F[j + 1] = F[j + 1] / d[..., :, None]
                if B is not None:
                    B[j] = B[j] / d
                if d.size:
                    worst = max(worst, float(np.max(np.abs(d - 1.0))))
            if n_sweeps is None and worst <= _SWEEP_TOL:
                break
    return F, B


def balanced_norm(factors: Sequence[Any], *, biases: Sequence[Any] | None = None,
                  n_sweeps: int | None = None) -> np.ndarray:
    """Frobenius norm of the balanced parameters (factors and the biases given).

    The minimum of ``sqrt(sum_j ||factors[j]||_F^2 + sum_j ||biases[j]||^2)`` over the
    positive rescalings (see :func:`balance_chain`, whose ``n_sweeps`` it takes). For two
    factors without biases it is ``sqrt(2 sum_k ||F0[:, k]|| ||F1[k, :]||)``.

    Returns
    -------
    ndarray
        Of the batch shape (a 0-d array without batch axes).

    Examples
    --------
    >>> import numpy as np
    >>> S1 = np.array([[[1.0, 0.0], [0.0, 9.0]]])          # a batch of one
    >>> S2 = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> balanced_norm([S1, S2]).tolist()                  # sqrt(2 (1 + 9))
    [4.47213595499958]
    """
    F, B = balance_chain(factors, biases=biases, n_sweeps=n_sweeps)
    sq = sum(np.sum(np.abs(f) ** 2, axis=(-2, -1)) for f in F)
    if B is not None:
        sq = sq + sum(np.sum(np.abs(b) ** 2, axis=-1) for b in B)
    return np.sqrt(np.asarray(sq, dtype=float))
