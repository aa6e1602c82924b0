"""Moment (Lasserre) lower bounds for tiny fixed-support problems, with cvxpy.

The two-layer problem ``min ||A - S1 S2||_F^2`` over supports is lifted to its rank-one
contributions (THEORY A3): ``S1 S2 = sum_k C_k`` with ``C_k`` supported on the rectangle
``I_k x J_k`` and of rank at most one, i.e. every 2x2 minor of ``C_k`` vanishes. In the
variables ``c`` = entries of the ``C_k`` (real and imaginary parts for complex data) this is
a quadratically constrained problem with a convex quadratic objective, and the order-``d``
moment relaxation

    min  sum_a f_a y_a   s.t.  M_d(y) PSD,  y_0 = 1,  y(g * m) = 0  for every minor g and
                              every monomial m of degree <= 2d - 2

is a convex SDP whose value is a lower bound of the problem (the moments of any feasible
point are feasible for it). ``order=1`` is the Shor relaxation (fast), ``order=2`` the
second Lasserre level (moment matrix of size ``C(q + 2, 2)``, minutes beyond ~10 variables).

What to expect: the relaxations certify a global value when the best point found meets the
bound -- e.g. whenever the covered part of ``A`` is exactly factorizable (bound = best =
energy of ``A`` outside the rectangles). They are *not* tight in general: on the spurious
minimum case C33 (global value 13.5 - 1.5 sqrt(5) = 10.1459) the Shor bound is 2.0035
(the energy outside the rectangles, 2, up to solver accuracy) and the order-2 bound 4.28
(SCS, about a minute); the order-2 relaxation in the factor entries (not the contributions)
is also 2.0, and order 3 with one entry per column fixed to 1 gives at most 6.55 in several
minutes. So C33's global value is labelled "best found", not certified, by
:func:`landscape.critical_points.sample`.

The bound is as accurate as the SDP solver (Clarabel interior point: about 1e-8 relative);
no exact rounding of a dual certificate is attempted.

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
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from identifiability.core.validation import check_chain, check_choice, check_int, param_error

__all__ = ["LowerBound", "moment_lower_bound", "contribution_variables"]

_FUNC = "moment_lower_bound"


@dataclass(frozen=True)
class LowerBound:
    """Outcome of :func:`moment_lower_bound`.

    Attributes
    ----------
    value : float (the SDP value, a lower bound on the infimum; NaN if the solver failed)
    status : "optimal", "optimal_inaccurate" or the solver's failure status
    order : relaxation order; n_variables : real contribution variables;
    moment_size : side of the moment matrix; solver : the cvxpy solver used
    """

    value: float
    status: str
    order: int
    n_variables: int
    moment_size: int
    solver: str

    def __repr__(self) -> str:
        return (f"LowerBound(value={self.value:.10g}, status={self.status!r}, order={self.order}, "
                f"n_variables={self.n_variables}, moment_size={self.moment_size}, "
                f"solver={self.solver!r})")


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
    out: dict = defaultdict(float)
    for m1, c1 in p.items():
        for m2, c2 in r.items():
            out[tuple(sorted(m1 + m2))] += c1 * c2
    return out


def _lifted(A: np.ndarray, s1: np.ndarray, s2: np.ndarray):
    """Objective polynomial and rank-one equations in the contribution variables."""
    cplx = A.dtype.kind == "c"
    m, n = A.shape
    entries = [(k, i, j) for k in range(s1.shape[1]) for i in np.flatnonzero(s1[:, k])
               for j in np.flatnonzero(s2[k])]
    vid = {e: t for t, e in enumerate(entries)}
    nre = len(entries)
    re = lambda e: vid[e]                        # noqa: E731 - index of Re C_k[i, j]
    im = lambda e: nre + vid[e]                  # noqa: E731 - index of Im C_k[i, j]
    parts = [(A.real, re)] + ([(A.imag, im)] if cplx else [])
    f: dict = defaultdict(float)
    for M, var in parts:                         # ||Re(A - P)||^2 + ||Im(A - P)||^2
        for i in range(m):
            for j in range(n):
                r: dict = defaultdict(float)
                r[()] += float(M[i, j])
                for k in range(s1.shape[1]):
                    if (k, i, j) in vid:
                        r[(var((k, i, j)),)] -= 1.0
                for mono, c in _mul(r, r).items():
                    f[mono] += c
    eqs = []
    for k in range(s1.shape[1]):
        rows, cols = np.flatnonzero(s1[:, k]), np.flatnonzero(s2[k])
        for i, i2 in itertools.combinations(rows, 2):
            for j, j2 in itertools.combinations(cols, 2):
                a, b, c, d = (k, i, j), (k, i2, j2), (k, i, j2), (k, i2, j)
                if not cplx:
                    eqs.append({tuple(sorted((re(a), re(b)))): 1.0,
                                tuple(sorted((re(c), re(d)))): -1.0})
                    continue
                real: dict = defaultdict(float)
                imag: dict = defaultdict(float)
                for (u, v), s in (((a, b), 1.0), ((c, d), -1.0)):
                    real[tuple(sorted((re(u), re(v))))] += s
                    real[tuple(sorted((im(u), im(v))))] -= s
                    imag[tuple(sorted((re(u), im(v))))] += s
                    imag[tuple(sorted((im(u), re(v))))] += s
                eqs += [dict(real), dict(imag)]
    return f, eqs, (2 if cplx else 1) * nre


def moment_lower_bound(A: Any, support1: Any, support2: Any, *, order: int = 1,
                       solver: str = "CLARABEL", max_variables: int = 12) -> LowerBound:
    """Lower bound on ``min ||A - S1 S2||_F^2`` over the supports by a moment relaxation.

    Parameters
    ----------
    A : (m, n) real or complex array
    support1, support2 : bool masks of ``S1`` (m x r) and ``S2`` (r x n)
    order : {1, 2}, default 1
        1 = Shor relaxation (fast); 2 = second Lasserre level (much slower, tighter).
    solver : {"CLARABEL", "SCS"}, default "CLARABEL"
        cvxpy solver; on failure the other one is tried.
    max_variables : int, default 12
        Refuse larger lifted problems (``ValueError``): the SDP grows like ``q^(2 order)``.

    Returns
    -------
    LowerBound

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3., 0], [0, 1]])
    >>> one = np.ones((2, 1), bool)
    >>> lb = moment_lower_bound(A, one, one.T)     # best rank one: 1 (Shor is loose: 0)
    >>> bool(lb.value <= 1 + 1e-6)
    True
    """
    import cvxpy as cp
    import scipy.sparse as sp

    A, (s1, s2) = check_chain(A, [support1, support2], _FUNC, names=["support1", "support2"])
    A = A.astype(np.complex128 if A.dtype.kind == "c" else np.float64)
    order = check_int(order, "order", _FUNC, low=1, high=2)
    solver = check_choice(solver, "solver", _FUNC, ("CLARABEL", "SCS"))
    max_variables = check_int(max_variables, "max_variables", _FUNC, low=0)
    q = contribution_variables(s1, s2, complex_=A.dtype.kind == "c")
    if q > max_variables:
        raise param_error(_FUNC, "support1", f"supports with at most max_variables="
                          f"{max_variables} real contribution variables", f"{q}", raw=True)
    f, eqs, q = _lifted(A, s1, s2)
    mons = _monomials(q, order)
    N = len(mons)
    where: dict = defaultdict(list)
    for a in range(N):
        for b in range(N):
            where[tuple(sorted(mons[a] + mons[b]))].append(a * N + b)
    keys = list(where)
    kid = {k: t for t, k in enumerate(keys)}
    rows = [pos for k in keys for pos in where[k]]
    cols = [kid[k] for k in keys for _ in where[k]]
    B = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(N * N, len(keys)))
    c = np.zeros(len(keys))
    for mono, v in f.items():
        c[kid[mono]] += v
    E = []
    for g in eqs:
        for mono in _monomials(q, 2 * order - 2):
            row = np.zeros(len(keys))
            for gm, gc in g.items():
                row[kid[tuple(sorted(gm + mono))]] += gc
            E.append(row)
    y = cp.Variable(len(keys))
    M = cp.Variable((N, N), symmetric=True)
    cons = [M >> 0, cp.vec(M, order="C") == B @ y, y[kid[()]] == 1]
    if E:
        cons.append(np.array(E) @ y == 0)
    prob = cp.Problem(cp.Minimize(c @ y), cons)
    used = solver
    for name in (solver, "SCS" if solver == "CLARABEL" else "CLARABEL"):
        used = name
        try:
            prob.solve(solver=name)
        except cp.error.SolverError:
            continue
        if prob.status in ("optimal", "optimal_inaccurate"):
            break
    ok = prob.status in ("optimal", "optimal_inaccurate")
    value = float(prob.value) if ok else float("nan")
    return LowerBound(value, str(prob.status), order, q, N, used)
