"""Moment (Lasserre) lower bounds for tiny fixed-support problems, with cvxpy, certified in
exact arithmetic.

The two-layer problem ``min ||A - S1 S2||_F^2`` over supports is lifted to its rank-one
contributions (docs/theory.rst A3): ``S1 S2 = sum_k C_k`` with ``C_k`` supported on the rectangle
``I_k x J_k`` and of rank at most one, i.e. every 2x2 minor of ``C_k`` vanishes. In the
variables ``c`` = entries of the ``C_k`` (real and imaginary parts for complex data) this is
a quadratically constrained problem with a convex quadratic objective ``f``, and the
degree-``d`` moment relaxation

    min  sum_a f_a y_a   s.t.  M_d(y) PSD,  y_0 = 1,  y(g * m) = 0  for every minor g and
                              every monomial m of degree <= 2d - 2

is a convex SDP whose value is a lower bound of the problem. ``degree=1`` is the Shor
relaxation (fast), ``degree=2`` the second Lasserre level (moment matrix of size
``C(q + 2, 2)``, minutes beyond ~10 variables).

**What the returned value rests on.** A number printed by an SDP solver is not a bound: on
C33 the Shor relaxation's infimum is not attained, CLARABEL (cvxpy 1.9) stops on the primal
and SCS returns 2.10 "inaccurate" after its iteration limit, while the relaxation's value is
2. So :func:`moment_lower_bound` solves the *dual* SDP (``max t`` such that
``f - t - sum mu_(g,m) g m = m_d^T Z m_d`` with ``Z`` PSD: a sum-of-squares certificate)
and then **verifies** the certificate in exact rational arithmetic: the multipliers ``mu``
and ``Z`` are rounded to short dyadic rationals (several precisions are tried, so that
multipliers that are zero up to solver noise become exactly zero), the identity is restored
exactly on every coefficient (the discrepancy of each monomial is spread over the entries
of ``Z`` that carry it), and an exact LDL^T decomposition checks that ``Z`` is PSD and
gives the largest ``t`` it certifies. For every feasible point ``x`` the identity gives
``f(x) = t + <Z, m(x) m(x)^T> >= t``: the bound is rigorous whatever the solver's accuracy.
When no rounding verifies, the value falls back to a bound that is always rigorous: the
energy of ``A`` outside the union of the rectangles (the ``mu = 0`` certificate), and the
status says ``"optimal_inaccurate"`` (or the solver's failure status). The solver's own
number is kept in ``solver_value`` for information, never as the bound.

What to expect: the relaxations certify a global value when the best point found meets the
bound -- e.g. whenever the covered part of ``A`` is exactly factorizable (bound = best =
energy of ``A`` outside the rectangles). They are *not* tight in general: on the spurious
minimum case C33 (global value 13.5 - 1.5 sqrt(5) = 10.1459) the Shor bound is 2 (the
energy outside the rectangles; earlier solver versions printed 2.0035). At degree 2, SCS
prints about 4.28 (primal) or 8.7 (dual), both "inaccurate", after about a minute; no
rounding of its certificate verifies, so the proven value stays 2 (status
``"optimal_inaccurate"``). (Earlier experiments, not certified either: the degree-2
relaxation in the factor entries, not the contributions, gave 2; degree 3 with one entry
per column fixed to 1 at most 6.55.) So C33's global value is labelled "best found", not
certified, by :func:`landscape.critical_points.sample`.

Examples
--------
>>> import numpy as np
>>> L = np.array([[1, 0], [1, 1]], bool)
>>> lb = moment_lower_bound(np.array([[2., 1], [1, 0]]), L, L.T)    # C32: exact LU exists
>>> lb.status, abs(round(lb.value, 6))
('optimal', 0.0)
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from identifiability.core.aliases import renamed_keywords
from identifiability.core.display import summary_repr
from identifiability.core.validation import check_chain, check_choice, check_int, param_error

__all__ = ["LowerBound", "moment_lower_bound", "contribution_variables"]

_FUNC = "moment_lower_bound"
_ROUND_BITS = (None, 40, 30, 20, 12)   # dyadic precisions tried for the certificate
_GAP_RTOL = 1e-5       # proven value within this (relative) of the solver's: "optimal"
_SOS = "sos certificate (exact)"
_FALLBACK = "energy outside the rectangles (exact)"


@dataclass(frozen=True, repr=False)
class LowerBound:
    """Outcome of :func:`moment_lower_bound`.

    Attributes
    ----------
    value : float
        A rigorous lower bound on the infimum of ``||A - S1 S2||_F^2`` (rounded down to a
        float): the degree-``degree`` SDP bound certified in exact arithmetic when
        ``status == "optimal"``, else the always-valid fallback named by ``certificate``.
    status : str
        ``"optimal"`` (the dual certificate of the relaxation verified exactly),
        ``"optimal_inaccurate"`` (the solver answered but no rounding of its certificate
        verified: ``value`` is the fallback) or the solver's failure status.
    degree : int
        Relaxation degree (also readable as ``order``, its former name).
    n_variables : int
        Real contribution variables.
    moment_size : int
        Side of the moment matrix.
    solver : str
        The cvxpy solver whose answer was used.
    certificate : str
        What ``value`` rests on: ``"sos certificate (exact)"`` or
        ``"energy outside the rectangles (exact)"``.
    solver_value : float
        The solver's own optimal value of the dual SDP (NaN if it failed): information
        only, it may exceed the relaxation's true value when the solver is inaccurate.
    """

    value: float
    status: str
    degree: int
    n_variables: int
    moment_size: int
    solver: str
    certificate: str = "sos certificate (exact)"
    solver_value: float = float("nan")

    @property
    def order(self) -> int:
        """Former name of :attr:`degree` (the vocabulary keeps ``order`` for tree shapes)."""
        return self.degree

    @property
    def certified(self) -> bool:
        """Always true: ``value`` is a proven lower bound (see :attr:`certificate`)."""
        return True

    def __repr__(self) -> str:
        return summary_repr("LowerBound", value=float(f"{self.value:.10g}"), status=self.status,
                            degree=self.degree, n_variables=self.n_variables,
                            moment_size=self.moment_size, solver=self.solver,
                            certificate=self.certificate)

    def explain(self) -> str:
        """Plain-language account: the bound, what it rests on, the solver's own number."""
        kind = "Shor (degree-1)" if self.degree == 1 else f"degree-{self.degree} moment"
        lines = [f"Lower bound {self.value:.10g} on min ||A - S1 S2||_F^2 ({kind} relaxation, "
                 f"{self.n_variables} variables, moment matrix {self.moment_size} x "
                 f"{self.moment_size}, solver {self.solver}).",
                 f"It rests on: {self.certificate}."]
        if self.status == "optimal":
            lines.append("The solver's dual certificate was verified in exact rational "
                         "arithmetic, so the bound holds whatever the solver's accuracy.")
        else:
            lines.append(f"Solver status {self.status!r}: its certificate did not verify, so "
                         "the value is the fallback bound (it may be below the relaxation's "
                         "value).")
        if np.isfinite(self.solver_value):
            lines.append(f"Solver's own value {self.solver_value:.10g} (information only, "
                         "not a bound).")
        return "\n".join(lines)


def contribution_variables(support1: Any, support2: Any, *, complex_: bool = False) -> int:
    """Number of real variables of the lifted problem: ``sum_k |I_k| |J_k|`` (x2 complex).

    >>> contribution_variables(np.ones((2, 1), bool), np.ones((1, 3), bool))
    6
    """
    s1 = np.asarray(support1, bool)
    s2 = np.asarray(support2, bool)
    return int((s1.sum(axis=0) * s2.sum(axis=1)).sum()) * (2 if complex_ else 1)


def _monomials(q: int, degree: int) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = [()]
    for d in range(1, degree + 1):
        out += list(itertools.combinations_with_replacement(range(q), d))
    return out


def _mul(p: dict, r: dict) -> dict:
    out: dict = defaultdict(int)
    for m1, c1 in p.items():
        for m2, c2 in r.items():
            out[tuple(sorted(m1 + m2))] += c1 * c2
    return out


def _lifted(A: np.ndarray, s1: np.ndarray, s2: np.ndarray):
    """Objective polynomial (exact ``Fraction`` coefficients: every float is a rational) and
    rank-one equations (integer coefficients) in the contribution variables."""
    cplx = A.dtype.kind == "c"
    m, n = A.shape
    entries = [(k, i, j) for k in range(s1.shape[1]) for i in np.flatnonzero(s1[:, k])
               for j in np.flatnonzero(s2[k])]
    vid = {e: t for t, e in enumerate(entries)}
    nre = len(entries)
    re = lambda e: vid[e]                        # noqa: E731 - index of Re C_k[i, j]
    im = lambda e: nre + vid[e]                  # noqa: E731 - index of Im C_k[i, j]
    parts = [(A.real, re)] + ([(A.imag, im)] if cplx else [])
    f: dict = defaultdict(int)
    for M, var in parts:                         # ||Re(A - P)||^2 + ||Im(A - P)||^2
        for i in range(m):
            for j in range(n):
                r: dict = defaultdict(int)
                r[()] += Fraction(float(M[i, j]))
                for k in range(s1.shape[1]):
                    if (k, i, j) in vid:
                        r[(var((k, i, j)),)] -= 1
                for mono, c in _mul(r, r).items():
                    f[mono] += c
    eqs = []
    for k in range(s1.shape[1]):
        rows, cols = np.flatnonzero(s1[:, k]), np.flatnonzero(s2[k])
        for i, i2 in itertools.combinations(rows, 2):
            for j, j2 in itertools.combinations(cols, 2):
                a, b, c, d = (k, i, j), (k, i2, j2), (k, i, j2), (k, i2, j)
                if not cplx:
                    eqs.append({tuple(sorted((re(a), re(b)))): 1,
                                tuple(sorted((re(c), re(d)))): -1})
                    continue
                real: dict = defaultdict(int)
                imag: dict = defaultdict(int)
                for (u, v), s in (((a, b), 1), ((c, d), -1)):
                    real[tuple(sorted((re(u), re(v))))] += s
                    real[tuple(sorted((im(u), im(v))))] -= s
                    imag[tuple(sorted((re(u), im(v))))] += s
                    imag[tuple(sorted((im(u), re(v))))] += s
                eqs += [dict(real), dict(imag)]
    return f, eqs, (2 if cplx else 1) * nre


def _uncovered_energy(A: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> Fraction:
    """``sum |A_ij|^2`` over the entries outside every rectangle, exactly: a lower bound of
    the problem that never needs a solver (the covered entries can be fitted exactly when the
    rank-one constraints are dropped)."""
    covered = (s1.astype(int) @ s2.astype(int)) > 0
    out = Fraction(0)
    for x in A[~covered]:
        x = complex(x)
        out += Fraction(x.real) ** 2 + Fraction(x.imag) ** 2
    return out


def _round_dyadic(x: float, scale: float, bits: int | None) -> Fraction:
    """``x`` as a rational: exactly (``bits=None``) or to the nearest multiple of
    ``scale * 2**-bits`` (short rationals: solver noise on a zero multiplier becomes 0)."""
    if bits is None:
        return Fraction(float(x))
    unit = Fraction(2) ** (math.frexp(scale)[1] - bits)
    return round(Fraction(float(x)) / unit) * unit


def _floor_float(x: Fraction) -> float:
    """The largest float ``<= x`` (a lower bound must not be rounded up)."""
    v = float(x)
    return float(np.nextafter(v, -np.inf)) if Fraction(v) > x else v


def _certify(Z: np.ndarray, mu: np.ndarray, exact_c: dict, rows: list, where: dict,
             bits: int | None) -> Fraction | None:
    """The largest ``t`` certified by the rounded ``(mu, Z)``, or ``None``.

    Exact steps: ``r = c - E^T mu``; for every monomial other than 1 the entries of ``Z``
    carrying it are shifted equally so that they sum to ``r`` exactly; then an exact LDL^T
    with the constant index last checks that the rest of ``Z`` is PSD and gives the least
    ``Z_00 = r_0 - t`` that keeps ``Z`` PSD.
    """
    scale_mu = float(np.max(np.abs(mu))) if mu.size else 1.0
    scale_z = float(np.max(np.abs(Z))) if Z.size else 1.0
    r: dict = defaultdict(int, exact_c)
    for (g, mono), m in zip(rows, mu):
        m = _round_dyadic(m, scale_mu or 1.0, bits)
        if m:
            for gm, gc in g.items():
                r[tuple(sorted(gm + mono))] -= gc * m
    N = Z.shape[0]
    W = [[_round_dyadic(Z[a, b], scale_z or 1.0, bits) for b in range(N)] for a in range(N)]
    for key, pos in where.items():
        if key == ():
            continue
        delta = (r[key] - sum(W[a][b] for a, b in pos)) / len(pos)
        if delta:
            for a, b in pos:
                W[a][b] += delta
    perm = list(range(1, N)) + [0]
    M = [[W[a][b] for b in perm] for a in perm]
    M[N - 1][N - 1] = Fraction(0)   # Z_00 enters only through t: solve for it at the end
    for i in range(N - 1):
        p = M[i][i]
        if p < 0:
            return None
        if p == 0:
            if any(M[i][j] != 0 for j in range(i + 1, N)):
                return None
            continue
        row = M[i]                     # only the upper triangle is read and updated
        for j in range(i + 1, N):
            if row[j]:
                f = row[j] / p
                Mj = M[j]
                for k in range(j, N):
                    if row[k]:
                        Mj[k] -= f * row[k]
    # the last pivot is -z^T Z_rest^+ z: t = r_0 - Z_00 with Z_00 = z^T Z_rest^+ z
    return r[()] + M[N - 1][N - 1]


@renamed_keywords(order="degree")
def moment_lower_bound(A: Any, support1: Any, support2: Any, *, degree: int = 1,
                       solver: str = "CLARABEL", max_variables: int = 12) -> LowerBound:
    """Rigorous lower bound on ``min ||A - S1 S2||_F^2`` over the supports (moment relaxation).

    Parameters
    ----------
    A : (m, n) real or complex array
    support1, support2 : bool masks of ``S1`` (m x r) and ``S2`` (r x n)
    degree : {1, 2}, default 1
        Relaxation degree: 1 = Shor relaxation (fast); 2 = second Lasserre level (much
        slower, tighter). Formerly ``order`` (still accepted with a ``DeprecationWarning``).
    solver : {"CLARABEL", "SCS"}, default "CLARABEL"
        cvxpy solver of the dual SDP; when it fails, the other one is tried.
    max_variables : int, default 12
        Refuse larger lifted problems (``ValueError``): the SDP grows like ``q^(2 degree)``.

    Returns
    -------
    LowerBound
        ``value`` is always a proven lower bound (module docstring: the solver's dual
        certificate verified in exact arithmetic, or the exact fallback); ``status`` says
        which.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3., 0], [0, 1]])
    >>> one = np.ones((2, 1), bool)
    >>> lb = moment_lower_bound(A, one, one.T)     # best rank one: 1 (Shor is tight here)
    >>> bool(0.999 < lb.value <= 1), lb.certificate
    (True, 'sos certificate (exact)')
    """
    import cvxpy as cp
    import scipy.sparse as sp

    A, (s1, s2) = check_chain(A, [support1, support2], _FUNC, names=["support1", "support2"])
    A = A.astype(np.complex128 if A.dtype.kind == "c" else np.float64)
    degree = check_int(degree, "degree", _FUNC, low=1, high=2)
    solver = check_choice(solver, "solver", _FUNC, ("CLARABEL", "SCS"))
    max_variables = check_int(max_variables, "max_variables", _FUNC, low=0)
    q = contribution_variables(s1, s2, complex_=A.dtype.kind == "c")
    if q > max_variables:
        raise param_error(_FUNC, "support1", f"supports with at most max_variables="
                          f"{max_variables} real contribution variables", f"{q}", raw=True)
    f, eqs, q = _lifted(A, s1, s2)
    mons = _monomials(q, degree)
    N = len(mons)
    where: dict = defaultdict(list)
    for a in range(N):
        for b in range(N):
            where[tuple(sorted(mons[a] + mons[b]))].append((a, b))
    keys = list(where)
    kid = {k: t for t, k in enumerate(keys)}
    # sum over the entries of Z carrying each monomial: (keys) x (N*N)
    B = sp.csr_matrix((np.ones(N * N), ([kid[k] for k in keys for _ in where[k]],
                                        [a * N + b for k in keys for a, b in where[k]])),
                      shape=(len(keys), N * N))
    exact_c = {mono: v for mono, v in f.items() if v}
    c = np.zeros(len(keys))
    for mono, v in exact_c.items():
        c[kid[mono]] = float(v)
    rows = [(g, mono) for g in eqs for mono in _monomials(q, 2 * degree - 2)]
    E = sp.lil_matrix((len(keys), max(1, len(rows))))
    for r_idx, (g, mono) in enumerate(rows):
        for gm, gc in g.items():
            E[kid[tuple(sorted(gm + mono))], r_idx] += gc
    e0 = np.zeros(len(keys))
    e0[kid[()]] = 1.0
    # dual SDP: max t  s.t.  c = t e0 + E mu + B vec(Z),  Z PSD  (an SOS certificate)
    Z = cp.Variable((N, N), symmetric=True)
    t = cp.Variable()
    mu = cp.Variable(max(1, len(rows)))
    cons = [Z >> 0, B @ cp.vec(Z, order="C") + E.tocsr() @ mu + t * e0 == c]
    if not rows:
        cons.append(mu == 0)
    prob = cp.Problem(cp.Maximize(t), cons)

    fallback = _uncovered_energy(A, s1, s2)   # the mu = 0 certificate, always valid
    tries = []   # (value, status, solver, certificate, solver_value)
    for name in (solver, "SCS" if solver == "CLARABEL" else "CLARABEL"):
        try:
            prob.solve(solver=name)
        except cp.error.SolverError:
            tries.append((fallback, "solver_error", name, _FALLBACK, float("nan")))
            continue
        if prob.status not in ("optimal", "optimal_inaccurate") or Z.value is None:
            tries.append((fallback, str(prob.status), name, _FALLBACK, float("nan")))
            continue
        solver_value = float(prob.value)
        mu_val = np.zeros(len(rows)) if not rows else np.asarray(mu.value, float)
        Zv = np.asarray(Z.value, float)
        certified = [v for v in (_certify(Zv, mu_val, exact_c, rows, where, bits)
                                 for bits in _ROUND_BITS) if v is not None]
        best = max(certified, default=None)
        value, cert = (best, _SOS) if best is not None and best >= fallback else (fallback,
                                                                              _FALLBACK)
        # "optimal": the proven value meets the solver's optimum up to solver accuracy, so
        # it is the relaxation's value; otherwise the proven value may be below it
        meets = float(value) >= solver_value - _GAP_RTOL * max(1.0, abs(solver_value))
        tries.append((value, "optimal" if meets else "optimal_inaccurate", name, cert,
                      solver_value))
        break   # the other solver only when this one fails
    value, status, name, cert, solver_value = max(
        tries, key=lambda r: (r[1] == "optimal", r[0], np.isfinite(r[4])))
    return LowerBound(_floor_float(value), status, degree, q, N, name, cert, solver_value)
