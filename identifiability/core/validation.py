"""Input validation shared by every public function of the toolkit.

Each public function validates its inputs once, at its boundary, with these helpers, and
then runs plain array code. Every error names the function, the parameter, what was
expected and what was received, in one uniform shape::

    The 'k' parameter of project_topk must be an int in [1, 16]. Got 0 instead.

Nothing is silently cast: a float array is never rounded to int, a complex array is never
made real, a support with a 2 in it is not a support.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Iterable, Sequence

import numpy as np

from .numbers import is_exact_number

__all__ = [
    "BadInput",
    "BadInputValueError",
    "BadInputTypeError",
    "param_error",
    "as_matrix",
    "as_support",
    "as_supports",
    "as_support_pair",
    "check_chain",
    "check_int",
    "check_real",
    "check_choice",
    "check_rng",
    "check_tol",
    "check_power_of_two",
]


def _short(value: Any) -> str:
    text = repr(value)
    if isinstance(value, np.ndarray):
        text = f"an array of shape {value.shape} and dtype {value.dtype}"
    return text if len(text) <= 80 else text[:77] + "..."


class BadInput(Exception):
    """Mixin of every error raised by the boundary validation: the input is wrong.

    ``except BadInput`` tells a rejected argument (the user's to fix; the command line's
    exit code 64) from an internal error (a bug to report).
    """


class BadInputValueError(BadInput, ValueError):
    """A parameter has the right type but a wrong value (shape, range, NaN, ...)."""


class BadInputTypeError(BadInput, TypeError):
    """A parameter has the wrong type (a float where an int is needed, complex data, ...)."""


_BAD_INPUT = {ValueError: BadInputValueError, TypeError: BadInputTypeError}


def param_error(func: str, name: str, expected: str, got: Any, *, kind: type = ValueError,
                raw: bool = False) -> Exception:
    """Build the toolkit's uniform error for parameter ``name`` of ``func``.

    ``got`` is shown with ``repr`` (arrays by shape and dtype) unless ``raw`` is true, in
    which case it is a ready-made description. ``ValueError`` and ``TypeError`` become
    :class:`BadInputValueError` / :class:`BadInputTypeError` (still a ``ValueError`` /
    ``TypeError``), so that callers can tell bad input from internal errors.
    """
    shown = got if raw else _short(got)
    kind = _BAD_INPUT.get(kind, kind)
    return kind(f"The '{name}' parameter of {func} must be {expected}. Got {shown} instead.")


def as_matrix(A: Any, name: str, func: str, *, allow_complex: bool = True,
              allow_object: bool = False, ndim: int = 2, allow_nan: bool = False
              ) -> np.ndarray:
    """Return ``A`` as a numeric ndarray after checking it.

    Checks: ``ndim`` dimensions, every dimension > 0, numeric dtype (bool is refused),
    finite entries (NaN allowed, as padding, with ``allow_nan``), and real dtype when
    ``allow_complex`` is false. Integer, float and complex
    arrays keep their dtype (no cast). With ``allow_object`` an object array of exact numbers
    (``fractions.Fraction``, sympy numbers, Python ints) is accepted as is, for exact routines.
    """
    if isinstance(A, np.ndarray):
        arr = A
    else:
        try:
            arr = np.asarray(A)
        except Exception as exc:  # ragged lists and the like
            raise param_error(func, name, f"a {ndim}-D numeric array", A, kind=TypeError) from exc
        if arr.dtype == object and not allow_object:
            # lists of Fractions or ragged data
            raise param_error(func, name, f"a {ndim}-D numeric array", A, kind=TypeError)
    if hasattr(A, "toarray") and not isinstance(A, np.ndarray):  # scipy.sparse
        arr = A.toarray()
    if arr.ndim != ndim:
        raise param_error(func, name, f"a {ndim}-D array", f"an array with {arr.ndim} dimension(s)",
                          raw=True)
    if any(s == 0 for s in arr.shape):
        raise param_error(func, name, "a non-empty array (every dimension > 0)",
                          f"shape {arr.shape}", raw=True)
    kind = arr.dtype.kind
    if kind == "b":
        raise param_error(func, name, "a numeric array (bool is a support, not a matrix)",
                          f"dtype {arr.dtype}", kind=TypeError, raw=True)
    if kind == "O":
        if not allow_object or not all(is_exact_number(x) for x in arr.flat):
            raise param_error(func, name, "a numeric array", f"dtype {arr.dtype}", kind=TypeError,
                              raw=True)
        return arr
    if kind not in "iufc":
        raise param_error(func, name, "a numeric array", f"dtype {arr.dtype}", kind=TypeError,
                          raw=True)
    if kind == "c" and not allow_complex:
        raise param_error(func, name, "a real array (this routine does not support complex data)",
                          f"dtype {arr.dtype}", kind=TypeError, raw=True)
    finite = np.isfinite(arr) | np.isnan(arr) if allow_nan and kind in "fc" else np.isfinite(arr)
    if kind in "fc" and not np.all(finite):
        raise param_error(func, name, "an array with finite entries (no NaN or inf)",
                          "non-finite entries", raw=True)
    return arr


def as_support(S: Any, name: str, func: str, *, shape: tuple[int, ...] | None = None,
               ndim: int = 2) -> np.ndarray:
    """Return the support mask ``S`` as a boolean ndarray after checking it.

    Accepted: a bool array, or an integer/float array whose entries are exactly 0 or 1
    (converted without loss). Anything else (a 2, a 0.5, complex, NaN) is an error.
    ``shape``, when given, is the required shape.
    """
    arr = np.asarray(S)
    if arr.dtype.kind == "b":
        out = arr
    elif arr.dtype.kind in "iuf":
        if not np.all((arr == 0) | (arr == 1)):
            raise param_error(func, name, "a boolean support mask (entries 0/1 or True/False)",
                              "entries other than 0 and 1", raw=True)
        out = arr.astype(bool)
    else:
        raise param_error(func, name, "a boolean support mask", f"dtype {arr.dtype}",
                          kind=TypeError, raw=True)
    if out.ndim != ndim:
        raise param_error(func, name, f"a {ndim}-D boolean mask",
                          f"an array with {out.ndim} dimension(s)", raw=True)
    if shape is not None and out.shape != tuple(shape):
        raise param_error(func, name, f"a mask of shape {tuple(shape)}", f"shape {out.shape}",
                          raw=True)
    if any(s == 0 for s in out.shape):
        raise param_error(func, name, "a non-empty mask", f"shape {out.shape}", raw=True)
    return out


def as_support_pair(support1: Any, support2: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate the masks of ``S1`` (m x r) and ``S2`` (r x n): inner sizes must agree."""
    s1 = as_support(support1, "support1", func)
    s2 = as_support(support2, "support2", func)
    if s1.shape[1] != s2.shape[0]:
        raise param_error(func, "support2", f"a mask with {s1.shape[1]} rows (the columns of "
                          "support1)", f"shape {s2.shape}", raw=True)
    return s1, s2


def as_supports(supports: Iterable[Any], name: str, func: str) -> list[np.ndarray]:
    """Validate a sequence of masks ``supports`` that must chain (inner sizes agree)."""
    if isinstance(supports, np.ndarray) and supports.ndim == 2:
        raise param_error(func, name, "a sequence of 2-D masks", "a single 2-D array", raw=True)
    try:
        items = list(supports)
    except TypeError as exc:
        raise param_error(func, name, "a sequence of 2-D masks", supports, kind=TypeError) from exc
    if len(items) == 0:
        raise param_error(func, name, "a non-empty sequence of masks", "an empty sequence", raw=True)
    masks = [as_support(S, f"{name}[{i}]", func) for i, S in enumerate(items)]
    for i in range(len(masks) - 1):
        if masks[i].shape[1] != masks[i + 1].shape[0]:
            raise param_error(
                func, f"{name}[{i + 1}]", f"a mask with {masks[i].shape[1]} rows "
                f"(the number of columns of {name}[{i}])", f"shape {masks[i + 1].shape}", raw=True)
    return masks


def check_chain(A: Any, supports: Sequence[Any], func: str, *, names: Sequence[str] | None = None,
                allow_complex: bool = True, allow_object: bool = False
                ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Validate ``A`` (m x n) and masks that chain from m rows to n columns.

    ``names`` gives the parameter name of each mask (default ``supports[i]``).
    """
    A = as_matrix(A, "A", func, allow_complex=allow_complex, allow_object=allow_object)
    names = list(names) if names is not None else [f"supports[{i}]" for i in range(len(supports))]
    masks = [as_support(S, nm, func) for S, nm in zip(supports, names)]
    if masks[0].shape[0] != A.shape[0]:
        raise param_error(func, names[0], f"a mask with {A.shape[0]} rows (the rows of A)",
                          f"shape {masks[0].shape}", raw=True)
    for i in range(len(masks) - 1):
        if masks[i].shape[1] != masks[i + 1].shape[0]:
            raise param_error(func, names[i + 1],
                              f"a mask with {masks[i].shape[1]} rows (the columns of {names[i]})",
                              f"shape {masks[i + 1].shape}", raw=True)
    if masks[-1].shape[1] != A.shape[1]:
        raise param_error(func, names[-1], f"a mask with {A.shape[1]} columns (the columns of A)",
                          f"shape {masks[-1].shape}", raw=True)
    return A, masks


def check_int(value: Any, name: str, func: str, *, low: int | None = None,
              high: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer in ``[low, high]`` (bool refused)."""
    lo = "-inf" if low is None else str(low)
    hi = "inf" if high is None else str(high)
    expected = f"an int in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise param_error(func, name, expected, value, kind=TypeError)
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise param_error(func, name, expected, value)
    return value


def check_real(value: Any, name: str, func: str, *, low: float | None = None,
               high: float | None = None, low_open: bool = False) -> float:
    """Return ``value`` as a finite float in the given interval."""
    left = "(" if low_open else "["
    expected = f"a finite real number in {left}{'-inf' if low is None else low}, " \
               f"{'inf' if high is None else high}]"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise param_error(func, name, expected, value, kind=TypeError)
    value = float(value)
    if not np.isfinite(value):
        raise param_error(func, name, expected, value)
    if low is not None and (value < low or (low_open and value == low)):
        raise param_error(func, name, expected, value)
    if high is not None and value > high:
        raise param_error(func, name, expected, value)
    return value


def check_tol(tol: Any, name: str, func: str) -> float | None:
    """``None`` (exact arithmetic) or a positive finite float."""
    if tol is None:
        return None
    return check_real(tol, name, func, low=0.0, low_open=True)


def check_choice(value: Any, name: str, func: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of the strings in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        shown = ", ".join(repr(c) for c in choices)
        raise param_error(func, name, f"one of {{{shown}}}", value)
    return value


def check_rng(rng: Any, func: str, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a Generator, an int seed or ``None``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, Integral) and not isinstance(rng, bool) and rng >= 0):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    raise param_error(func, name, "a numpy.random.Generator, a non-negative int seed or None",
                      rng, kind=TypeError)


def check_power_of_two(N: Any, name: str, func: str, *, low: int = 1) -> int:
    """Return ``N`` if it is an int power of two ``>= low``."""
    if isinstance(N, bool) or not isinstance(N, Integral):
        raise param_error(func, name, f"a power of two >= {low}", N, kind=TypeError)
    N = int(N)
    if N < low or N & (N - 1):
        raise param_error(func, name, f"a power of two >= {low}", N)
    return N
