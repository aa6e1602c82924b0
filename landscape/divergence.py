"""The one divergence detector: objective going down while the balanced norms go up.

A start whose loss keeps decreasing while the norm of its (balanced) parameters keeps
growing is the numerical signature of an infimum that is not attained (docs: theory,
"existence of optima"): the iterates follow a minimizing sequence to infinity. Linear
landscapes, ReLU training results and ReLU landscapes all call :func:`diverging`, so one run
gets one answer everywhere.

>>> import numpy as np
>>> h = np.array([[1.0, 0.5, 0.25, 0.12, 0.06]]); n = np.array([[1.0, 2.0, 4.0, 8.0, 16.0]])
>>> diverging(h, n).tolist()
[True]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from identifiability.core import as_matrix, check_int, check_real, param_error

__all__ = ["diverging", "DIVERGENCE_GROWTH", "DIVERGENCE_WINDOW"]

#: Default growth of the balanced norm over the second half of the record.
DIVERGENCE_GROWTH = 1.05
#: Default number of final checkpoints over which the trends must be strict.
DIVERGENCE_WINDOW = 4


def diverging(history: Any, norms: Any, *, converged: Any = None,
              growth: float = DIVERGENCE_GROWTH, window: int = DIVERGENCE_WINDOW) -> np.ndarray:
    """Divergence signature of every start (batch axis first).

    A start is diverging when it is not converged and, over its last ``window`` recorded
    checkpoints, the objective never increased (up to ``1e-12`` relative) while the balanced
    norm strictly increased, and the norm at the end is at least ``growth`` times the norm
    in the middle of the record.

    Parameters
    ----------
    history, norms : (n_starts, n_checkpoints) array_like of float
        Objective and balanced parameter norm at each checkpoint. Rows may end with NaN
        padding (starts that stopped early); only the recorded prefix is read.
    converged : (n_starts,) array_like of bool, optional
        Starts that met their stationarity test; never diverging.
    growth : float, default DIVERGENCE_GROWTH (1.05)
        Required growth of the norm over the second half of the record.
    window : int, default DIVERGENCE_WINDOW (4)
        Final checkpoints over which the trends must hold; a start with fewer than
        ``window + 1`` records is not diverging.

    Returns
    -------
    (n_starts,) ndarray of bool
    """
    func = "diverging"
    h = as_matrix(history, "history", func, allow_complex=False, allow_nan=True)
    v = as_matrix(norms, "norms", func, allow_complex=False, allow_nan=True)
    if h.shape != v.shape:
        raise param_error(func, "norms", f"an array of shape {h.shape}", f"shape {v.shape}",
                          raw=True)
    growth = check_real(growth, "growth", func, low=1.0)
    window = check_int(window, "window", func, low=1)
    n, T = h.shape
    done = np.zeros(n, bool) if converged is None else np.asarray(converged, bool).reshape(n)
    last = np.sum(~np.isnan(v), axis=1) - 1
    ok = ~done & (last >= window)
    if not ok.any():
        return np.zeros(n, dtype=bool)
    rows = np.flatnonzero(ok)
    idx = last[rows, None] - np.arange(window, -1, -1)[None, :]  # last window+1 records
    th, tv = h[rows[:, None], idx], v[rows[:, None], idx]
    flat = np.all(np.diff(th, axis=1) <= 1e-12 * np.abs(th[:, :-1]), axis=1)
    rising = np.all(np.diff(tv, axis=1) > 0, axis=1)
    grew = tv[:, -1] >= growth * v[rows, last[rows] // 2]
    out = np.zeros(n, dtype=bool)
    out[rows] = flat & rising & grew
    return out
