"""Exact scalars: Q(i) elements and the one definition of an exact float.

Integers, ``fractions.Fraction`` and sympy rationals are exact. A float is taken at face
value only when it is a dyadic rational with at most 32 binary digits after the point
(``0.5``, ``3.0``, ``-1.25``, ``3/1024``): such a float is exactly the number the user meant.
``0.1`` (which is not 1/10 in binary) is not, and :func:`exact_scalar` raises
:class:`InexactInputError` for it. Complex entries with exact real and imaginary parts
become :class:`GaussianRational`.

>>> from identifiability.core import GaussianRational
>>> GaussianRational(1, 2) * GaussianRational(1, -2)
(5+0i)
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Integral, Rational
from typing import Any

import numpy as np

__all__ = ["EXACT_FLOAT_DENOMINATOR", "InexactInputError", "GaussianRational", "exact_scalar",
           "is_exact_number"]

#: A float is exact when it is a multiple of 1 / EXACT_FLOAT_DENOMINATOR (a dyadic rational
#: with at most 32 binary digits after the point): the one definition of an "exact float".
EXACT_FLOAT_DENOMINATOR = 2 ** 32

class InexactInputError(ValueError):
    """A float entry is not exactly the rational number it prints as."""


class GaussianRational:
    """An exact element ``re + i*im`` of Q(i) (``re``, ``im`` are Fractions)."""

    __slots__ = ("re", "im")

    def __init__(self, re: Any = 0, im: Any = 0):
        self.re = Fraction(re)
        self.im = Fraction(im)

    @staticmethod
    def _coerce(other: Any) -> "GaussianRational | None":
        if isinstance(other, GaussianRational):
            return other
        if isinstance(other, (Rational, Integral)):
            return GaussianRational(other, 0)
        return None

    def __add__(self, other: Any) -> "GaussianRational":
        o = self._coerce(other)
        return NotImplemented if o is None else GaussianRational(self.re + o.re, self.im + o.im)

    __radd__ = __add__

    def __neg__(self) -> "GaussianRational":
        return GaussianRational(-self.re, -self.im)

    def __sub__(self, other: Any) -> "GaussianRational":
        o = self._coerce(other)
        return NotImplemented if o is None else GaussianRational(self.re - o.re, self.im - o.im)

    def __rsub__(self, other: Any) -> "GaussianRational":
        o = self._coerce(other)
        return NotImplemented if o is None else o - self

    def __mul__(self, other: Any) -> "GaussianRational":
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return GaussianRational(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re)

    __rmul__ = __mul__

    def conjugate(self) -> "GaussianRational":
        return GaussianRational(self.re, -self.im)

    def __truediv__(self, other: Any) -> "GaussianRational":
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        den = o.re * o.re + o.im * o.im
        if den == 0:
            raise ZeroDivisionError("division by zero in Q(i)")
        num = self * o.conjugate()
        return GaussianRational(num.re / den, num.im / den)

    def __rtruediv__(self, other: Any) -> "GaussianRational":
        o = self._coerce(other)
        return NotImplemented if o is None else o / self

    def __eq__(self, other: Any) -> bool:
        o = self._coerce(other)
        return NotImplemented if o is None else (self.re == o.re and self.im == o.im)

    def __ne__(self, other: Any) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash((self.re, self.im)) if self.im else hash(self.re)

    def __bool__(self) -> bool:
        return bool(self.re) or bool(self.im)

    def __complex__(self) -> complex:
        return complex(float(self.re), float(self.im))

    def __repr__(self) -> str:
        return f"({self.re}{'+' if self.im >= 0 else '-'}{abs(self.im)}i)"


def exact_scalar(x: Any) -> Fraction | GaussianRational:
    """``x`` as an exact ``Fraction`` or :class:`GaussianRational`.

    Raises :class:`InexactInputError` for a float that is not a multiple of
    ``1 / EXACT_FLOAT_DENOMINATOR`` and ``TypeError`` for what is not a number.

    >>> exact_scalar(0.5), exact_scalar(3)
    (Fraction(1, 2), Fraction(3, 1))
    """
    if isinstance(x, (Fraction, GaussianRational)):
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError("booleans are not numbers here")
    if isinstance(x, (Integral, np.integer)):
        return Fraction(int(x))
    if isinstance(x, (complex, np.complexfloating)):
        re, im = exact_scalar(float(x.real)), exact_scalar(float(x.imag))
        return re if im == 0 else GaussianRational(re, im)
    if isinstance(x, (float, np.floating)):
        f = Fraction(float(x))
        if (f * EXACT_FLOAT_DENOMINATOR).denominator != 1:
            raise InexactInputError(f"{x!r} is not exactly a rational with denominator dividing "
                                    "2**32 (0.1 is not 1/10 in floating point); pass tol=")
        return f
    if isinstance(x, Rational):
        return Fraction(x.numerator, x.denominator)
    try:
        import sympy

        if isinstance(x, sympy.Basic):
            x = sympy.nsimplify(x) if x.is_Float else x
            re, im = x.as_real_imag()
            if re.is_Rational and im.is_Rational:
                fr = Fraction(int(re.p), int(re.q))
                fi = Fraction(int(im.p), int(im.q))
                return fr if fi == 0 else GaussianRational(fr, fi)
            raise InexactInputError(f"{x} is not a (Gaussian) rational number")
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"cannot read {x!r} as an exact number")


def is_exact_number(x: Any) -> bool:
    """True for the scalar types an exact computation can start from (not a value check)."""
    if isinstance(x, GaussianRational):
        return True
    import sympy

    if isinstance(x, sympy.Basic):
        return bool(x.is_number)
    return isinstance(x, (Integral, Fraction, float, complex, np.number))
