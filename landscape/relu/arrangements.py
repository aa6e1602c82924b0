"""Open cells of a central hyperplane arrangement: the activation patterns of a ReLU neuron.

A neuron ``relu(u^T x)`` on data rows ``x_1, ..., x_n`` has one activation pattern per open
cell of the central arrangement ``{u : x_k^T u = 0}`` (points on a face behave like a point
of an adjacent open cell). This module is the one place that enumerates those cells, for
the convex reference (:func:`landscape.relu.convex_reference`, through
:func:`activation_patterns`) and for the existence decision
(:func:`landscape.relu.relu_optimum_exists`, through :func:`open_cells`). Two methods:

* ``"sweep"`` (at most 3 columns): one direction per cell found in floating point (angles
  between the lines in 2-D; around every extreme ray ``a_k x a_l`` in 3-D), then
  **certified**: every direction's signs are recomputed in exact rational arithmetic and the
  number of distinct sign vectors is compared with the exact number of cells (Zaslavsky's
  count from the intersection lattice, :func:`cell_count`). Fast.
* ``"incremental"`` (any number of columns): hyperplanes are added one at a time; a sign
  vector is kept when an LP point is verified exactly, dropped only with an exact Gordan
  certificate ``y >= 0, y != 0, A^T y = 0`` of emptiness, and kept otherwise (the result is
  then a superset, flagged not exact). Exact input only (ints, Fractions, dyadic floats).

``"auto"`` runs the sweep when it applies and certifies, the incremental method otherwise.

>>> import numpy as np
>>> signs, exact = open_cells(np.array([[1, 0], [0, 1], [1, 1]]))
>>> exact, signs.shape
(True, (6, 3))
>>> cell_count(np.array([[1., 0, 0], [0, 1, 0], [0, 0, 1]]))
8
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import linprog

from identifiability.core.exact import exact_to_float, rank_exact, solve_exact
from identifiability.core.validation import as_matrix, check_choice, check_int, check_rng, param_error

__all__ = ["activation_patterns", "open_cells", "cell_count"]

#: Denominators tried when rounding an LP point of a cell to an exact rational witness.
_DENOMINATORS = (1, 2, 6, 12, 100, 10 ** 4, 10 ** 6)


def _q(x: Any) -> Fraction:
    """An exact rational for an entry (int, Fraction or float: floats are dyadic rationals)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    return Fraction(float(x))


def _rationals(A: np.ndarray) -> list[list[Fraction]]:
    return [[_q(x) for x in row] for row in A]


# --------------------------------------------------------------------------- sweep (<= 3 columns)

def _cells_2d(A: np.ndarray) -> np.ndarray:
    """One direction in every open cell of the central line arrangement {a_k^T u = 0}."""
    phi = np.arctan2(A[:, 1], A[:, 0])
    crit = np.sort(np.mod(np.concatenate([phi + np.pi / 2, phi - np.pi / 2]), 2 * np.pi))
    crit = np.unique(crit)
    mids = (crit + np.diff(np.concatenate([crit, crit[:1] + 2 * np.pi])) / 2)
    return np.stack([np.cos(mids), np.sin(mids)], axis=1)


def _cells_3d(A: np.ndarray) -> np.ndarray:
    """One direction in every open cell of a central plane arrangement in R^3.

    Every cell of an essential arrangement is a pointed cone with an extreme ray
    ``±(a_k x a_l)``; around each ray, the planes through it cut its tangent plane into
    2-D cells, whose directions are pushed off the ray by less than the distance to the
    other planes.
    """
    An = A / np.linalg.norm(A, axis=1, keepdims=True)
    dirs = []
    for k in range(len(An)):
        for l in range(k + 1, len(An)):
            r = np.cross(An[k], An[l])
            nr = np.linalg.norm(r)
            if nr < 1e-12:
                continue
            for ray in (r / nr, -r / nr):
                dots = An @ ray
                on = np.abs(dots) < 1e-10
                basis = np.linalg.svd(ray[None, :])[2][1:]          # tangent plane
                local = _cells_2d(An[on] @ basis.T) @ basis
                eps = 0.5 * np.min(np.abs(dots[~on]), initial=1.0)
                dirs.append(ray + eps * local)
    if not dirs:     # all planes parallel: the arrangement is that of one normal
        return np.array([An[0], -An[0]])
    return np.concatenate(dirs)


def _integer_rows(Q: list[list[Fraction]]) -> list[tuple[int, ...]]:
    """Each exact row as the primitive integer vector of the same line, sign fixed by its
    first non-zero entry."""
    out = []
    for fr in Q:
        den = math.lcm(*(f.denominator for f in fr))
        v = [int(f * den) for f in fr]
        g = math.gcd(*v)
        v = [x // g for x in v]
        sign = 1 if next(x for x in v if x) > 0 else -1
        out.append(tuple(sign * x for x in v))
    return out


def cell_count(A: Any) -> int:
    """Number of open cells of the central arrangement ``{a_k^T u = 0}``, exactly.

    ``A`` has non-zero rows and at most 3 columns (ints, Fractions or floats, read as exact
    rationals). Zaslavsky's count from the intersection lattice: 2 for rank 1, ``2 n`` for
    rank 2 (``n`` distinct hyperplanes), ``2 + 2 sum_L (m_L - 1)`` for rank 3 (``m_L``
    hyperplanes through the intersection line ``L``).

    >>> cell_count([[1, 0], [0, 1], [2, 2], [1, 1]])
    6
    """
    A = np.asarray(A, dtype=object) if not isinstance(A, np.ndarray) else A
    H = sorted(set(_integer_rows(_rationals(A))))
    rank = np.linalg.matrix_rank(np.array(H, dtype=float)) if len(H) < 3 else \
        rank_exact(np.array(H, dtype=object)).rank
    if rank == 1:
        return 2
    if rank == 2:
        return 2 * len(H)
    lines: dict[tuple, set] = {}
    for i, j in itertools.combinations(range(len(H)), 2):
        (a1, a2, a3), (b1, b2, b3) = H[i], H[j]
        L = _integer_rows([[Fraction(a2 * b3 - a3 * b2), Fraction(a3 * b1 - a1 * b3),
                            Fraction(a1 * b2 - a2 * b1)]])[0]
        lines.setdefault(L, set()).update((i, j))
    return 2 + 2 * sum(len(m) - 1 for m in lines.values())


def _cell_directions(Af: np.ndarray, Q: list[list[Fraction]], U: np.ndarray
                     ) -> tuple[np.ndarray, bool]:
    """One direction per distinct float sign vector of ``A u`` (the one farthest from the
    hyperplanes), and whether all their signs are confirmed, non-zero, in exact arithmetic."""
    G = Af @ U.T                                          # (n_A, n_u)
    margin = np.min(np.abs(G) / np.linalg.norm(Af, axis=1)[:, None], axis=0) / \
        np.linalg.norm(U, axis=1)
    ok = margin > 0
    S, U, margin = np.sign(G[:, ok]).T.astype(np.int8), U[ok], margin[ok]
    _, inverse = np.unique(S, axis=0, return_inverse=True)
    best: dict[int, int] = {}
    for t in np.argsort(-margin, kind="stable"):       # keep the widest margin per cell
        best.setdefault(int(inverse[t]), t)
    reps = np.array(sorted(best.values()), dtype=int)
    for t in reps:
        u = [Fraction(float(x)) for x in U[t]]
        for k, a in enumerate(Q):
            v = sum(x * y for x, y in zip(a, u))
            if (v > 0) - (v < 0) != S[t, k]:
                return U[reps], False
    return U[reps], True


def _sweep(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(directions, signs, certified)`` for non-zero rows ``A`` with at most 3 columns."""
    Af = exact_to_float(A) if A.dtype == object else A.astype(np.float64)
    d = Af.shape[1]
    U = np.array([[1.0], [-1.0]]) if d == 1 else _cells_2d(Af) if d == 2 else _cells_3d(Af)
    Q = _rationals(A)
    U, confirmed = _cell_directions(Af, Q, U)
    certified = confirmed and len(U) == cell_count(A)
    return U, (Af @ U.T > 0).T, certified


# --------------------------------------------------------------------------- incremental (exact)

def _signed_rows(Ae: np.ndarray, signs: tuple) -> np.ndarray:
    return np.array([[x if s else -x for x in row] for row, s in zip(Ae, signs)],
                    dtype=object).reshape(len(signs), Ae.shape[1])


def _cell_nonempty(Ae: np.ndarray, signs: tuple) -> tuple[bool | None, Any]:
    """Is ``{u : s_k a_k^T u > 0 for all k}`` non-empty? True with an exact witness, False
    with an exact Gordan certificate, None when neither could be certified."""
    M = _signed_rows(Ae, signs)
    Mf = exact_to_float(M)
    m, c = Mf.shape
    lp = linprog(np.r_[np.zeros(c), -1.0], A_ub=np.c_[-Mf, np.ones(m)], b_ub=np.zeros(m),
                 bounds=[(-1, 1)] * c + [(None, 1)], method="highs")
    if lp.status == 0 and -lp.fun > 1e-9:
        for D in _DENOMINATORS:
            u = np.array([Fraction(float(x)).limit_denominator(D) for x in lp.x[:c]],
                         dtype=object)
            if all(v > 0 for v in M.dot(u)):
                return True, u
        return None, None
    lp = linprog(np.zeros(m), A_eq=np.vstack([Mf.T, np.ones(m)]), b_eq=np.r_[np.zeros(c), 1],
                 bounds=[(0, None)] * m, method="highs")
    if lp.status == 0:
        J = np.flatnonzero(lp.x > 1e-9)
        A = np.vstack([M[J].T, np.full((1, len(J)), Fraction(1), dtype=object)])
        y = solve_exact(A, [Fraction(0)] * c + [Fraction(1)])
        if y is not None and all(v >= 0 for v in y):
            return False, None
    return None, None


def _incremental(Ae: np.ndarray, limit: int | None) -> tuple[np.ndarray | None, bool]:
    """Sign vectors of the open cells of ``{a_k^T u = 0}`` (exact non-zero rows), one
    hyperplane at a time; ``(None, _)`` beyond ``limit`` cells."""
    cells, exact = [((), None)], True
    for k in range(Ae.shape[0]):
        new = []
        for signs, u in cells:
            side = None if u is None else Ae[k].dot(u)
            for bit in (True, False):
                if side is not None and side != 0 and (side > 0) == bit:
                    new.append((signs + (bit,), u))
                    continue
                ok, w = _cell_nonempty(Ae[:k + 1], signs + (bit,))
                if ok is not False:
                    exact &= ok is True
                    new.append((signs + (bit,), w))
        cells = new
        if limit is not None and len(cells) > limit:
            return None, exact
    return np.array([s for s, _ in cells], dtype=bool).reshape(len(cells), Ae.shape[0]), exact


# --------------------------------------------------------------------------- public

def open_cells(A: Any, *, limit: int | None = None, method: str = "auto"
               ) -> tuple[np.ndarray | None, bool]:
    """Sign vectors of the open cells of the central arrangement ``{u : a_k^T u = 0}``.

    Parameters
    ----------
    A : array (m, c)
        The normals (ints, Fractions or floats -- floats are read as the exact dyadic
        rationals they are). Zero rows are no hyperplane: their entry is False in every
        sign vector.
    limit : int, optional
        Give up (return ``None``) beyond this many cells.
    method : {"auto", "sweep", "incremental"}, default "auto"
        See the module docstring; "sweep" needs at most 3 columns.

    Returns
    -------
    signs : (n_cells, m) bool ndarray or None
        ``signs[i, k]`` is ``a_k^T u > 0`` on cell ``i``.
    exact : bool
        The sign vectors are exactly the open cells (False: "sweep" could not certify them,
        or "incremental" kept a sign vector it could not decide -- a superset).

    >>> signs, exact = open_cells([[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 1, 1]])
    >>> exact, len(signs)
    (True, 8)
    """
    func = "open_cells"
    method = check_choice(method, "method", func, ("auto", "sweep", "incremental"))
    if limit is not None:
        limit = check_int(limit, "limit", func, low=1)
    A = as_matrix(A, "A", func, allow_complex=False, allow_object=True)
    nz = np.array([any(x != 0 for x in row) for row in A], dtype=bool)
    B = A[nz]
    if method == "sweep" and A.shape[1] > 3:
        raise param_error(func, "method", "'auto' or 'incremental' for more than 3 columns",
                          method)
    if not len(B):
        S, exact = np.zeros((1, 0), dtype=bool), True
    else:
        S, exact = None, False
        if method != "incremental" and A.shape[1] <= 3:
            _, S, exact = _sweep(B)
        if method == "incremental" or (method == "auto" and not exact):
            S, exact = _incremental(B if B.dtype == object else
                                    np.array(_rationals(B), dtype=object).reshape(B.shape), limit)
            if S is None:
                return None, exact
    if limit is not None and len(S) > limit:
        return None, exact
    out = np.zeros((len(S), len(A)), dtype=bool)
    out[:, nz] = S
    return out, exact


def activation_patterns(X: Any, *, n_samples: int | None = None, rng: Any = None
                        ) -> tuple[np.ndarray, bool]:
    """The distinct activation patterns ``1[X u >= 0]`` of the rows of ``X``.

    Returns ``(patterns, exhaustive)`` with ``patterns`` a bool array
    ``(n_patterns, n_rows)``. With at most 3 columns and ``n_samples`` None, the open cells
    of the arrangement ``{x_k^T u = 0}`` are enumerated by the certified sweep of
    :func:`open_cells`: ``exhaustive`` is True only when every direction's signs, recomputed
    in exact rational arithmetic (floats are exact dyadic rationals), are non-zero and the
    number of distinct sign vectors equals the exact number of cells (Zaslavsky's count
    from the intersection lattice); otherwise -- or with ``n_samples`` random Gaussian
    directions (default 200, when ``X`` has more columns) -- it is False.

    >>> P, ex = activation_patterns(np.array([[1., 0.], [0., 1.], [1., 1.]]))
    >>> ex, len(P)
    (True, 6)
    """
    func = "activation_patterns"
    X = as_matrix(X, "X", func, allow_complex=False).astype(np.float64)
    d = X.shape[1]
    rows = np.linalg.norm(X, axis=1) > 0
    if n_samples is None and d <= 3:
        A = X[rows]
        if not len(A):
            U, exhaustive = np.ones((1, d)), True
        else:
            U, _, exhaustive = _sweep(A)
    else:
        n_samples = 200 if n_samples is None else check_int(n_samples, "n_samples", func, low=1)
        U = check_rng(rng, func).normal(size=(n_samples, d))
        exhaustive = False
    P = X @ U.T >= 0
    P[~rows] = True
    return np.unique(P.T, axis=0), exhaustive
