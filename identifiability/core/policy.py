"""The one exactness policy of every deciding function.

A *deciding* function answers a yes/no question about given numbers (is this factorization
unique? are these two factorizations equivalent? is this point locally identifiable? is the
infimum attained?). All of them follow the same three rules:

1. **Exact input, exact answer.** When every entry is exact (integers, ``Fraction``, sympy
   rationals, Gaussian rationals, floats that are multiples of ``2**-32``; see
   :mod:`identifiability.core.numbers`) and no ``tol`` is given, the decision is made in exact
   arithmetic and the result says ``exact=True``.
2. **An explicit** ``tol`` **is a decision tolerance**: numbers within ``tol`` (relative to the
   scale of the input, as each function documents) are taken as equal; the result says
   ``exact=False`` and records the tolerance and the margins the answer rests on.
3. **Inexact floats without** ``tol``: the function decides numerically at the documented
   default ``DEFAULT_RTOL * scale`` and says so (``exact=False``, the tolerance used, its
   ``tol_source`` ``"default"``); when the margins do not clear that tolerance, the answer is
   ``"undecided"`` (or ``None`` for three-valued answers) with the reason. Never an exception
   for a legitimate question, never a tolerance that the result does not report.

:func:`decision_tolerance` is the single place that applies these rules.

>>> import numpy as np
>>> decision_tolerance(None, np.array([[1, 2]]), func="demo")
Tolerance(tol=None, exact=True, source='exact input')
>>> t = decision_tolerance(None, np.array([[0.1, 2.0]]), func="demo")
>>> t.exact, t.source, t.tol == DEFAULT_RTOL * 2.0
(False, 'default', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .exact import is_exact
from .validation import check_tol

__all__ = ["DEFAULT_RTOL", "Tolerance", "decision_tolerance"]

#: Default relative decision tolerance for inexact floats (about 1e7 units in the last place
#: of float64: room for the rounding of a few hundred operations, far below any modelling
#: threshold).
DEFAULT_RTOL = 1e-9


@dataclass(frozen=True)
class Tolerance:
    """How a deciding function will decide: exactly (``tol is None``) or at ``tol``.

    ``source`` is ``"exact input"``, ``"given"`` (the caller's ``tol``) or ``"default"``
    (inexact input, ``DEFAULT_RTOL`` times the scale of the input).
    """

    tol: float | None
    exact: bool
    source: str

    @property
    def note(self) -> str:
        """One line for ``explain()``: how the decision was made."""
        if self.exact:
            return "decided in exact arithmetic"
        how = "the tolerance given" if self.source == "given" else (
            f"the default tolerance DEFAULT_RTOL x scale (inexact input)")
        return f"numerical decision at tol = {self.tol:.3g} ({how})"


def _scale(arrays: tuple) -> float:
    scale = 1.0
    for a in arrays:
        a = np.asarray(a)
        if a.size and a.dtype != object:
            scale = max(scale, float(np.max(np.abs(a))))
    return scale


def decision_tolerance(tol: Any, *arrays: Any, func: str, name: str = "tol") -> Tolerance:
    """Apply the policy to the ``tol`` argument of ``func`` and the numbers it decides on.

    Parameters
    ----------
    tol : float or None
        The caller's tolerance (validated: a positive finite float) or ``None``.
    *arrays : array_like
        The numerical inputs of the question (matrices, factors, network weights).
    func, name : str
        The public function and the parameter name, for the error message.

    Returns
    -------
    Tolerance
        ``tol=None, exact=True`` for exact input without ``tol``; the given ``tol``; or the
        default ``DEFAULT_RTOL * max(1, max |entry|)`` for inexact input.
    """
    tol = check_tol(tol, name, func)
    if tol is not None:
        return Tolerance(tol, False, "given")
    if all(is_exact(a) for a in arrays):
        return Tolerance(None, True, "exact input")
    return Tolerance(DEFAULT_RTOL * _scale(arrays), False, "default")
