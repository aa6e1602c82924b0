"""Exact linear algebra over Q, Q(i) and GF(p).

This is the only module that knows which exact backend runs: python-flint (``fmpq_mat``,
``fmpz_mat``, ``nmod_mat``) when it is installed, sympy's ``DomainMatrix`` otherwise.
Callers ask "rank over Q of this matrix" and get an :class:`ExactRank` carrying the rank,
the field, the method and, for modular computations, the probability that the answer is
wrong (``0.0`` when it is a proof).

Exactness of the input
----------------------
Integers, ``fractions.Fraction`` and sympy rationals are exact. A float is taken at face
value only when it is a dyadic rational with at most 32 binary digits after the point
(``0.5``, ``3.0``, ``-1.25``, ``3/1024``): such a float is exactly the number the user meant.
``0.1`` (which is not 1/10 in binary) or ``cos(0.3)`` are not, and :func:`to_exact` raises
:class:`InexactInputError` for them: the caller reports "undecided" or asks the user for an
explicit ``tol``. Complex entries with exact real and
imaginary parts become :class:`GaussianRational`.

Examples
--------
>>> from identifiability.exact import rank_exact, to_exact
>>> rank_exact([[1, 2], [2, 4]]).rank
1
>>> rank_exact([[1, 1j], [1j, -1]]).field
'Q(i)'
>>> to_exact([[0.5, 2]])[0, 0]
Fraction(1, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from .numbers import GaussianRational, InexactInputError, exact_scalar
from .validation import param_error

try:  # pragma: no cover - exercised implicitly
    import flint

    HAVE_FLINT = True
except ImportError:  # pragma: no cover
    flint = None
    HAVE_FLINT = False

__all__ = [
    "InexactInputError",
    "GaussianRational",
    "ExactRank",
    "is_exact",
    "to_exact",
    "exact_to_float",
    "dyadic_integer_scaling",
    "rank_exact",
    "nullspace_exact",
    "solve_exact",
    "rank_mod_p",
    "exact_equal",
    "exact_matmul",
    "exact_product_equals",
    "DEFAULT_PRIME",
    "has_algebraic",
    "algebraic_is_zero",
    "to_exact_algebraic",
    "simplify_exact",
]

#: A 62-bit prime: the largest prime below 2**62 (used by :func:`rank_mod_p`).
DEFAULT_PRIME = 4611686018427387847


def to_exact(A: Any) -> np.ndarray:
    """Object array of exact entries (``Fraction`` or :class:`GaussianRational`).

    Raises :class:`InexactInputError` when some float entry is not exactly the rational it
    prints as (see the module docstring).
    """
    arr = np.asarray(A, dtype=object) if not isinstance(A, np.ndarray) else A
    if arr.dtype.kind in "iuf":  # vectorised fast path: integers and dyadic floats
        scaled = dyadic_integer_scaling(arr, max_abs=2 ** 62)
        if scaled is not None:
            den = 2 ** scaled[1]
            return _FRACTION(scaled[0], den)
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for idx, x in enumerate(flat_in):
        flat_out[idx] = exact_scalar(x)
    return out


_FRACTION = np.frompyfunc(lambda num, den: Fraction(int(num), int(den)), 2, 1)


def is_exact(A: Any) -> bool:
    """True when every entry of ``A`` is exactly a (Gaussian) rational (see :func:`to_exact`)."""
    arr = np.asarray(A)
    if arr.dtype.kind in "iub":
        return True
    if arr.dtype.kind == "f" and dyadic_integer_scaling(arr, max_abs=2 ** 62) is not None:
        return True                     # vectorised: no Fraction built
    try:
        to_exact(arr)
    except InexactInputError:
        return False
    return True


def dyadic_integer_scaling(A: np.ndarray, *, max_abs: int = 2 ** 31
                           ) -> tuple[np.ndarray, int] | None:
    """``(M, e)`` with ``A == M / 2**e`` and ``M`` an int64 array with ``|M| < max_abs``.

    Vectorised fast path for real integer or exactly-dyadic float arrays (see the module
    docstring); returns ``None`` when ``A`` is complex, not exact, or too large (callers then
    use :func:`to_exact`). With the default bound, products of two entries fit in int64.

    >>> dyadic_integer_scaling(np.array([[0.5, 2.0]]))
    (array([[1, 4]]), 1)
    """
    A = np.asarray(A)
    if A.dtype.kind in "iu":
        if A.size and np.abs(A).max() >= max_abs:
            return None
        return A.astype(np.int64), 0
    if A.dtype.kind != "f":
        return None
    for e in range(33):
        scaled = A * float(2 ** e)  # exact: multiplication by a power of two
        if np.all(scaled == np.round(scaled)):
            if scaled.size and np.abs(scaled).max() >= max_abs:
                return None
            return scaled.astype(np.int64), e
    return None


def exact_to_float(E: np.ndarray) -> np.ndarray:
    """Nearest float64 (or complex128 when any entry is a GaussianRational) array."""
    E = np.asarray(E, dtype=object)
    if any(isinstance(x, GaussianRational) for x in E.flat):
        return np.array([complex(x) for x in E.flat], dtype=complex).reshape(E.shape)
    return np.array([float(x) for x in E.flat], dtype=float).reshape(E.shape)


def exact_matmul(A: Any, B: Any) -> np.ndarray:
    """Exact product of two matrices of (Gaussian) rationals, as an object array.

    Rational matrices go through python-flint's ``fmpq_mat`` (C speed); Gaussian ones through
    the realification ``(P + iQ)(R + iS) = (PR - QS) + i(PS + QR)``.

    >>> exact_matmul([[1, 2]], [[Fraction(1, 2)], [1]])[0, 0]
    Fraction(5, 2)
    """
    a, b = to_exact(A), to_exact(B)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise param_error("exact_matmul", "B", f"a 2-D array with {a.shape[1]} rows",
                          f"shape {b.shape}", raw=True)
    if _is_gaussian(a) or _is_gaussian(b):
        re = np.vectorize(lambda x: x.re if isinstance(x, GaussianRational) else x, otypes=[object])
        im = np.vectorize(lambda x: x.im if isinstance(x, GaussianRational) else Fraction(0),
                          otypes=[object])
        P, Q, R, S = re(a), im(a), re(b), im(b)
        real = exact_matmul(P, R) - exact_matmul(Q, S)
        imag = exact_matmul(P, S) + exact_matmul(Q, R)
        out = np.empty(real.shape, dtype=object)
        for idx in np.ndindex(real.shape):
            out[idx] = real[idx] if imag[idx] == 0 else GaussianRational(real[idx], imag[idx])
        return out
    if not HAVE_FLINT or a.size == 0 or b.size == 0:  # pragma: no cover
        return a.dot(b)
    prod = _fmpq(a) * _fmpq(b)
    out = np.empty((a.shape[0], b.shape[1]), dtype=object)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            q = prod[i, j]
            out[i, j] = Fraction(int(q.p), int(q.q))
    return out


def exact_product_equals(factors: Any, A: Any) -> bool:
    """Exactly ``factors[0] @ ... @ factors[-1] == A`` (all entries exact; see the module).

    Real integer / dyadic float arrays take a fast path: every matrix is scaled to integers
    and the chain is multiplied with python-flint's ``fmpz_mat`` (C speed, no Fractions).

    >>> exact_product_equals([[[1, 0.5]], [[2], [2]]], [[3]])
    True
    """
    arrays = [np.asarray(F) for F in factors]
    target = np.asarray(A)
    scaled = [dyadic_integer_scaling(M, max_abs=2 ** 62) if M.dtype.kind in "iuf" else None
              for M in arrays + [target]]
    if HAVE_FLINT and all(sc is not None for sc in scaled):
        prod = flint.fmpz_mat(scaled[0][0].tolist())
        for M, _ in scaled[1:-1]:
            prod = prod * flint.fmpz_mat(M.tolist())
        shift = sum(e for _, e in scaled[:-1])
        MA, eA = scaled[-1]
        if prod.nrows() != MA.shape[0] or prod.ncols() != MA.shape[1]:
            return False
        return prod * (2 ** eA) == flint.fmpz_mat(MA.tolist()) * (2 ** shift)
    out = to_exact(arrays[0])
    for M in arrays[1:]:
        out = exact_matmul(out, M)
    goal = to_exact(target)
    return out.shape == goal.shape and all(x == y for x, y in zip(out.flat, goal.flat))


def exact_equal(A: Any, B: Any) -> bool:
    """Exact equality of two arrays of numbers (after :func:`to_exact`)."""
    a, b = to_exact(A), to_exact(B)
    return a.shape == b.shape and all(x == y for x, y in zip(a.flat, b.flat))


@dataclass(frozen=True)
class ExactRank:
    """The rank of a matrix and how it was obtained.

    Attributes
    ----------
    rank : int
    field : str
        "Q", "Q(i)" or "GF(p)" with the prime.
    method : str
        Backend ("flint-fmpq", "flint-nmod", "sympy").
    error_probability : float
        0.0 when ``rank`` is the exact rank over ``field`` of the given matrix. For a modular
        rank used as a stand-in for the rank over Q, see :func:`rank_mod_p`.
    """

    rank: int
    field: str
    method: str
    error_probability: float = 0.0

    def __int__(self) -> int:
        return self.rank


def _is_gaussian(E: np.ndarray) -> bool:
    return any(isinstance(x, GaussianRational) for x in E.flat)


def _realify(E: np.ndarray) -> np.ndarray:
    """[[P, -Q], [Q, P]] for E = P + iQ (rank doubles)."""
    re = np.vectorize(lambda x: x.re if isinstance(x, GaussianRational) else x, otypes=[object])(E)
    im = np.vectorize(lambda x: x.im if isinstance(x, GaussianRational) else Fraction(0),
                      otypes=[object])(E)
    return np.block([[re, -im], [im, re]])


def _as_exact_matrix(M: Any, func: str) -> np.ndarray:
    E = to_exact(M)
    if E.ndim != 2:
        raise param_error(func, "M", "a 2-D array", f"{E.ndim} dimension(s)", raw=True)
    return E


def _fmpq(E: np.ndarray):
    return flint.fmpq_mat(E.shape[0], E.shape[1],
                          [flint.fmpq(x.numerator, x.denominator) for x in E.flat])


def _fmpz_cleared(E: np.ndarray):
    """Integer matrix with the same row space (each row times the lcm of its denominators)."""
    rows = []
    for row in E:
        den = 1
        for x in row:
            den = den * x.denominator // np.gcd(den, x.denominator)
        rows.append([int(x * den) for x in row])
    return flint.fmpz_mat(rows) if rows else flint.fmpz_mat(0, E.shape[1])


def rank_exact(M: Any) -> ExactRank:
    """Exact rank over Q (or over Q(i) for Gaussian rational entries).

    >>> rank_exact([[1, 2, 3], [2, 4, 6], [1, 1, 1]]).rank
    2
    """
    E = _as_exact_matrix(M, "rank_exact")
    if E.size == 0:
        return ExactRank(0, "Q", "trivial")
    if _is_gaussian(E):
        r = rank_exact(_realify(E))
        return ExactRank(r.rank // 2, "Q(i)", r.method + "+realification")
    if HAVE_FLINT:
        return ExactRank(int(_fmpq(E).rank()), "Q", "flint-fmpq")
    import sympy  # pragma: no cover

    return ExactRank(sympy.Matrix(E.tolist()).rank(), "Q", "sympy")  # pragma: no cover


def nullspace_exact(M: Any) -> np.ndarray:
    """A basis of the right nullspace ``{v : M v = 0}`` as the columns of an exact array.

    Over Q for rational entries (python-flint), over Q(i) for Gaussian entries (sympy).

    >>> N = nullspace_exact([[1, 2], [2, 4]])
    >>> N.shape, N[0, 0] * 1 + N[1, 0] * 2
    ((2, 1), Fraction(0, 1))
    """
    E = _as_exact_matrix(M, "nullspace_exact")
    m, n = E.shape
    if _is_gaussian(E):
        import sympy

        sm = sympy.Matrix([[sympy.Rational(x.re.numerator, x.re.denominator)
                            + sympy.I * sympy.Rational(x.im.numerator, x.im.denominator)
                            if isinstance(x, GaussianRational)
                            else sympy.Rational(x.numerator, x.denominator) for x in row]
                           for row in E])
        basis = sm.nullspace()
        if not basis:
            return np.empty((n, 0), dtype=object)
        return np.column_stack([to_exact(np.array([sympy.nsimplify(sympy.expand(v)) for v in vec],
                                                  dtype=object)) for vec in basis])
    if HAVE_FLINT:
        Z = _fmpz_cleared(E)
        X, nullity = Z.nullspace()
        nullity = int(nullity)
        out = np.empty((n, nullity), dtype=object)
        for i in range(n):
            for j in range(nullity):
                out[i, j] = Fraction(int(X[i, j]))
        return out
    import sympy  # pragma: no cover

    basis = sympy.Matrix(E.tolist()).nullspace()  # pragma: no cover
    return np.column_stack([to_exact(np.array(list(v), dtype=object)) for v in basis]) \
        if basis else np.empty((n, 0), dtype=object)  # pragma: no cover


def solve_exact(M: Any, b: Any) -> np.ndarray | None:
    """One exact solution x of ``M x = b`` (b a vector or a matrix), or ``None`` if none exists.

    >>> solve_exact([[1, 1], [1, -1]], [3, 1]).tolist()
    [Fraction(2, 1), Fraction(1, 1)]
    """
    E = _as_exact_matrix(M, "solve_exact")
    rhs = to_exact(b)
    vec = rhs.ndim == 1
    R = rhs.reshape(-1, 1) if vec else rhs
    if R.shape[0] != E.shape[0]:
        raise param_error("solve_exact", "b", f"{E.shape[0]} rows", f"shape {rhs.shape}", raw=True)
    aug = np.concatenate([E, R], axis=1)
    if _is_gaussian(aug):
        import sympy

        conv = np.vectorize(lambda x: sympy.Rational(x.re.numerator, x.re.denominator)
                            + sympy.I * sympy.Rational(x.im.numerator, x.im.denominator)
                            if isinstance(x, GaussianRational)
                            else sympy.Rational(x.numerator, x.denominator), otypes=[object])
        sm, sb = sympy.Matrix(conv(E).tolist()), sympy.Matrix(conv(R).tolist())
        try:
            sol, params = sm.gauss_jordan_solve(sb)
        except ValueError:
            return None
        sol = sol.subs({p: 0 for p in params})
        out = to_exact(np.array(sol.applyfunc(sympy.expand).tolist(), dtype=object))
        return out.reshape(-1) if vec else out
    n, k = E.shape[1], R.shape[1]
    if HAVE_FLINT:
        rref, rank = _fmpq(aug).rref()
        rank = int(rank)
        out = np.full((n, k), Fraction(0), dtype=object)
        for row in range(rank):
            lead = next(c for c in range(n + k) if rref[row, c] != 0)
            if lead >= n:
                return None  # a pivot in the right-hand side: inconsistent
            for c in range(k):
                q = rref[row, n + c]
                out[lead, c] = Fraction(int(q.p), int(q.q))
        return out.reshape(-1) if vec else out
    import sympy  # pragma: no cover

    try:  # pragma: no cover
        sol, params = sympy.Matrix(E.tolist()).gauss_jordan_solve(sympy.Matrix(R.tolist()))
    except ValueError:  # pragma: no cover
        return None
    sol = sol.subs({p: 0 for p in params})  # pragma: no cover
    out = to_exact(np.array(sol.tolist(), dtype=object))  # pragma: no cover
    return out.reshape(-1) if vec else out  # pragma: no cover


def rank_mod_p(M: Any, p: int = DEFAULT_PRIME) -> ExactRank:
    """Rank over GF(p) of an integer (or rational, p not dividing a denominator) matrix.

    The modular rank never exceeds the rank over Q, so it is a *proven lower bound* for
    it. It is smaller only if p divides every maximal nonzero minor; for an integer matrix
    with entries bounded by B and rank r, Hadamard's bound gives at most
    ``r*log2(sqrt(r)*B)/log2(p)`` such primes among those >= p, and ``error_probability``
    reports that count divided by the number of primes in [p, 2p) (prime number theorem,
    about ``p/ln p``) -- the chance that a prime drawn at random there gives a rank that
    is too small.

    >>> r = rank_mod_p([[1, 2], [3, 4]])
    >>> r.rank, r.field.startswith("GF(")
    (2, True)
    """
    E = _as_exact_matrix(M, "rank_mod_p")
    if _is_gaussian(E):
        raise param_error("rank_mod_p", "M", "a rational matrix (Gaussian entries: use "
                          "rank_exact)", "complex entries", kind=TypeError, raw=True)
    if E.size == 0:
        return ExactRank(0, f"GF({p})", "trivial")
    dens = [x.denominator for x in E.flat]
    if any(d % p == 0 for d in dens):
        raise param_error("rank_mod_p", "p", "a prime not dividing any denominator of M", p)
    vals = [(x.numerator % p) * pow(x.denominator, -1, p) % p for x in E.flat]
    if HAVE_FLINT:
        r = int(flint.nmod_mat(E.shape[0], E.shape[1], vals, p).rank())
        method = "flint-nmod"
    else:  # pragma: no cover
        from sympy.polys.matrices import DomainMatrix
        from sympy import GF

        dm = DomainMatrix([[GF(p)(v) for v in vals[i * E.shape[1]:(i + 1) * E.shape[1]]]
                           for i in range(E.shape[0])], E.shape, GF(p))
        r = dm.rank()
        method = "sympy-gf"
    bound = max((abs(x.numerator) for x in E.flat), default=1) or 1
    dim = max(r, 1)
    log_minor = dim * (0.5 * np.log2(dim) + np.log2(float(bound)))
    bad = log_minor / np.log2(p)
    n_primes = p / np.log(p)
    return ExactRank(r, f"GF({p})", method, error_probability=float(min(1.0, bad / n_primes)))


def has_algebraic(mats: Sequence[Any]) -> bool:
    """True when some entry of the matrices is an irrational sympy algebraic number."""
    import sympy

    return any(isinstance(x, sympy.Basic) and not isinstance(x, sympy.Rational)
               for M in mats for x in np.ravel(np.asarray(M, dtype=object)))


def algebraic_is_zero(x: Any) -> bool:
    """Exact zero test of an algebraic number (its minimal polynomial is ``t``)."""
    import sympy

    x = sympy.nsimplify(x) if not isinstance(x, sympy.Basic) else x
    if x.is_Rational:
        return x == 0
    y = sympy.expand(sympy.radsimp(sympy.expand(x)))   # exact rewriting, usually decisive
    if y.is_Rational:
        return y == 0
    t = sympy.Dummy("t")
    return sympy.minimal_polynomial(x, t) == t


def to_exact_algebraic(S: np.ndarray) -> np.ndarray:
    """Exact object array, keeping sympy algebraic numbers as they are."""
    import sympy

    S = np.asarray(S)
    if S.dtype != object or not any(isinstance(x, sympy.Basic) for x in S.flat):
        return to_exact(S)
    out = np.empty(S.shape, dtype=object)
    for idx, x in np.ndenumerate(S):
        out[idx] = x if isinstance(x, sympy.Basic) else to_exact([x])[0]
    return out


def simplify_exact(E: np.ndarray) -> np.ndarray:
    """Float array when every exact entry converts without loss, else the object array."""
    if E.dtype != object:
        return E
    if not all(isinstance(v, (Fraction, GaussianRational, int, float, complex)) for v in E.flat):
        return E  # algebraic numbers (sympy) stay symbolic
    if any(isinstance(v, GaussianRational) for v in E.flat):
        vals = [complex(v) for v in E.flat]
        back = [GaussianRational(Fraction(c.real), Fraction(c.imag)) for c in vals]
        if all(a == b for a, b in zip(back, E.flat)):
            return np.array(vals, dtype=complex).reshape(E.shape)
        return E
    vals = [float(v) for v in E.flat]
    if all(Fraction(f) == v for f, v in zip(vals, E.flat)):
        return np.array(vals, dtype=float).reshape(E.shape)
    return to_exact(E)  # uniformly Fractions
