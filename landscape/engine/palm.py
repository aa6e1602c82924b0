"""PALM4MSA: proximal alternating linearised minimisation for L sparse factors, batched.

Minimises ``||A - lam S[0] @ ... @ S[L-1]||_F^2`` subject to one constraint set per factor
(Le Magoarou & Gribonval 2016; PALM of Bolte, Sabach & Teboulle 2014, docs/theory.rst B2/B3). Each
sweep updates the factors left to right with a projected gradient step of size
``1 / (step * lam^2 ||Lft||_2^2 ||Rgt||_2^2)`` and then, when ``normalize`` is true, the
scale ``lam`` exactly (``lam = Re<A, Ahat> / ||Ahat||_F^2``).

Many random starts are one array computation: every array carries a leading batch axis
of length ``n_starts``. Starts that have converged are frozen (their own ``n_iter`` and
``converged`` are reported) and dropped from the working batch.

Spectral norms are estimated by warm-started power iterations (a lower bound, inflated by
1 %). The objective is recomputed after every block step anyway (its residual is the next
block's gradient), so a step that increased it is redone with the exact norms: the
objective is non-increasing whenever the projections are exact (all constraints of
:mod:`landscape.projections` except ``splincol`` and ``compose``). With the heuristic ones a
step can raise it; ``monotone=True`` rejects such steps (the factor keeps its value for the
sweep), making the recorded error non-increasing for every constraint. Products with a sparse
operand go through ``scipy.sparse`` when that is cheaper.

Examples
--------
>>> import numpy as np
>>> from landscape.projections import support
>>> A = np.array([[3., 1., 5.], [1., 3., 7.], [2., 4., 6.]])
>>> I = np.array([[1, 0], [1, 0], [0, 1]], dtype=bool)
>>> res = palm4msa(A, [support(I), support(I.T)], normalize=False, n_iter=3000,
...                stop_tol=1e-13, rng=0)
>>> round(float(res.objective[0]), 6)
98.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from identifiability.core.aliases import renamed_keywords
from identifiability.core.display import summary_repr
from identifiability.core.validation import as_matrix, check_int, check_real, check_rng, param_error

from .projections import Constraint, check_constraints, unit_norm

__all__ = ["PalmResult", "palm4msa", "factor_shapes", "spectral_sqnorm", "spectral_sqnorm_power"]

_POWER_ITERS = 4        # warm-started power iterations per spectral-norm estimate
_POWER_MARGIN = 1.01    # the Rayleigh quotient is a lower bound: inflate it
_EXACT_FIT = 100 * np.finfo(float).eps   # relative error counted as an exact fit
_RISE_TOL = 1e-10        # a relative rise of the objective below this is rounding, not a rise
_SPARSE_DENSITY = 0.15   # use scipy.sparse for a product when an operand is this sparse
_SPARSE_MIN_FLOPS = 128 ** 3   # ... and the dense product is this costly (complex x4)


@dataclass(frozen=True, repr=False)
class PalmResult:
    """Outcome of :func:`palm4msa` for every start (batch axis first).

    Attributes
    ----------
    factors : tuple of ndarray
        ``factors[j]`` has shape ``(n_starts, r_j, r_{j+1})``;
        ``A ≈ lam[b] * factors[0][b] @ ... @ factors[L-1][b]``.
    lam : ndarray, shape (n_starts,)
        Real scale factor of every start.
    objective : ndarray, shape (n_starts,)
        Final ``||A - lam S[0] ... S[L-1]||_F^2`` (squared, not halved).
    relative_error : ndarray, shape (n_starts,)
        ``||A - lam S[0] ... S[L-1]||_F / ||A||_F`` (the absolute error if ``A = 0``).
    history : ndarray, shape (n_starts, n_iter_run)
        Objective after every sweep; NaN after a start stopped.
    n_iter : ndarray of int, shape (n_starts,)
        Sweeps run by every start.
    converged : ndarray of bool, shape (n_starts,)
        Whether the start met the stopping rule before ``n_iter`` sweeps.
    best : int
        Index of the start with the smallest objective.
    """

    factors: tuple[np.ndarray, ...]
    lam: np.ndarray
    objective: np.ndarray
    relative_error: np.ndarray
    history: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    best: int

    def best_factors(self) -> list[np.ndarray]:
        """The factors of the best start, each 2-D."""
        return [F[self.best] for F in self.factors]

    def product(self) -> np.ndarray:
        """``lam * S[0] @ ... @ S[L-1]`` for every start, shape ``(n_starts, m, n)``."""
        out = self.factors[0]
        for F in self.factors[1:]:
            out = out @ F
        return self.lam[:, None, None] * out

    def __repr__(self) -> str:
        b = self.best
        return summary_repr(
            "PalmResult", n_starts=int(self.lam.shape[0]),
            factors=" @ ".join(f"{F.shape[1]}x{F.shape[2]}" for F in self.factors),
            nnz=[int(np.count_nonzero(F[b])) for F in self.factors] if len(self.factors) <= 8
            else int(sum(np.count_nonzero(F[b]) for F in self.factors)),
            best=b, relative_error=float(f"{self.relative_error[b]:.3e}"),
            n_iter=int(self.n_iter[b]),
            converged=f"{int(self.converged.sum())}/{self.converged.size}")

    def explain(self) -> str:
        """Plain-language summary: the best start, the spread over starts, the stopping."""
        b, S = self.best, self.lam.shape[0]
        shapes = " @ ".join(f"{F.shape[1]}x{F.shape[2]}" for F in self.factors)
        nnz = [int(np.count_nonzero(F[b])) for F in self.factors]
        lines = [f"PALM4MSA with {len(self.factors)} factors ({shapes}), {S} start(s).",
                 f"Best start {b}: relative error {float(self.relative_error[b]):.3e}, "
                 f"scale lam = {float(self.lam[b]):.6g}, {int(self.n_iter[b])} sweeps, "
                 f"non-zeros per factor {nnz}.",
                 f"{int(self.converged.sum())} of {S} start(s) met the stopping rule "
                 "(stop_tol or fit_tol); the others ran the n_iter sweeps."]
        if S > 1:
            q = np.quantile(self.relative_error, [0.0, 0.5, 1.0])
            lines.append(f"Relative error over the starts: min {q[0]:.3e}, median {q[1]:.3e}, "
                         f"max {q[2]:.3e}.")
        lines.append("A local method: no claim of global optimality.")
        return "\n".join(lines)


# --------------------------------------------------------------------------- array kernels

def _csr(x: np.ndarray) -> sp.csr_array:
    """CSR copy of a dense 2-D array (cheaper than ``csr_array(x)`` for sparse ``x``)."""
    m, n = x.shape
    f = np.flatnonzero(x != 0)     # 10x faster than on the float array
    r = f // n
    indptr = np.searchsorted(r, np.arange(m + 1))
    return sp.csr_array((x.reshape(-1)[f], f - r * n, indptr), shape=(m, n))


def _mm(X: np.ndarray | None, Y: np.ndarray | None) -> np.ndarray | None:
    """Batched ``X @ Y`` with ``None`` meaning the identity; sparse operands via scipy."""
    if X is None:
        return Y
    if Y is None:
        return X
    if X.shape[0] == 1:
        x, y = X[0], Y[0]
        m, k = x.shape
        cplx = np.iscomplexobj(x) or np.iscomplexobj(y)
        if m * k * y.shape[1] * (4 if cplx else 1) >= _SPARSE_MIN_FLOPS:
            if np.count_nonzero(x) < _SPARSE_DENSITY * x.size:
                return np.asarray(_csr(x) @ y)[None]
            if np.count_nonzero(y) < _SPARSE_DENSITY * y.size:
                return np.asarray((_csr(np.ascontiguousarray(y.T)) @ x.T).T)[None]
    return X @ Y


def _h(X: np.ndarray | None) -> np.ndarray | None:
    """Batched conjugate transpose (a view for real arrays)."""
    if X is None:
        return None
    Xt = np.swapaxes(X, -1, -2)
    return Xt.conj() if np.iscomplexobj(Xt) else Xt


def _sqnorm_power(X: np.ndarray | None, v: np.ndarray, n_it: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower estimate of ``||X||_2^2`` per batch item by ``n_it`` power iterations from ``v``."""
    if X is None:
        return np.ones(v.shape[0]), v
    for _ in range(n_it):
        w = X @ v[..., None]                           # (b, q, 1)
        v = (np.swapaxes(w, -1, -2).conj() @ X)[:, 0].conj()   # X^H w
        nv = np.linalg.norm(v, axis=-1, keepdims=True)
        v = v / np.where(nv == 0, 1.0, nv)
    w = X @ v[..., None]
    return np.sum(np.abs(w[..., 0]) ** 2, axis=-1), v


def _sqnorm_exact(X: np.ndarray | None, b: int) -> np.ndarray:
    if X is None:
        return np.ones(b)
    return np.linalg.norm(X, 2, axis=(-2, -1)) ** 2


def spectral_sqnorm(X: np.ndarray) -> np.ndarray:
    """``||X[b]||_2^2`` of every matrix of a stack ``(b, p, q)`` (LAPACK SVD, exact to rounding).

    The Lipschitz constant of the block gradient of PALM4MSA for factor ``j`` is
    ``lam^2 ||P||_2^2 ||R||_2^2`` (``P``, ``R`` the products left and right of it).

    >>> float(spectral_sqnorm(np.array([[[3., 0.], [0., 4.]]]))[0])
    16.0
    """
    X = np.asarray(X)
    return _sqnorm_exact(X, X.shape[0])


def spectral_sqnorm_power(X: np.ndarray, v: np.ndarray, n_iter: int
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Lower estimate of ``||X[b]||_2^2`` by ``n_iter`` power iterations from ``v[b]``.

    The estimate PALM4MSA uses in its sweeps (warm started, then inflated by 1 % and
    checked): a Rayleigh quotient, hence never above :func:`spectral_sqnorm`. Returns the
    estimates, shape ``(b,)``, and the final unit vectors, shape ``(b, q)``.

    >>> est, _ = spectral_sqnorm_power(np.array([[[3., 0.], [0., 4.]]]), np.ones((1, 2)), 30)
    >>> bool(15.999 < est[0] <= 16.0)
    True
    """
    return _sqnorm_power(np.asarray(X), np.asarray(v), int(n_iter))


def _sqfro(X: np.ndarray) -> np.ndarray:
    Xf = X.reshape(X.shape[0], -1)
    if np.iscomplexobj(Xf):
        Xf = Xf.view(float)
    return np.einsum("bi,bi->b", Xf, Xf)


def _inner_re(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``Re<A[b], B[b]>`` for a batch ``B`` and a single or batched ``A``."""
    Bf = B.reshape(B.shape[0], -1)
    Af = np.broadcast_to(A, B.shape).reshape(B.shape[0], -1)
    if np.iscomplexobj(Bf):
        Af, Bf = Af.view(float), Bf.view(float)
    return np.einsum("bi,bi->b", Af, Bf)


def _grad_core(P, E, R):
    """``P^H @ E @ R^H`` with the cheaper association."""
    Ph, Rh = _h(P), _h(R)
    if Ph is None or Rh is None:
        return _mm(_mm(Ph, E), Rh)
    rj, m = Ph.shape[-2:]
    n, rk = Rh.shape[-2:]
    if rj * m * n + rj * n * rk <= m * n * rk + rj * m * rk:
        return _mm(_mm(Ph, E), Rh)
    return _mm(Ph, _mm(E, Rh))


class _Work:
    """Working state of the active starts (batch axis first)."""

    def __init__(self, S, lam, A, projects, exact, step, normalize, monotone, rng):
        self.S, self.lam, self.A = S, lam, A
        self.projects, self.exact, self.step, self.normalize = projects, exact, step, normalize
        self.monotone = monotone
        L, b = len(S), lam.shape[0]
        self.vP = [None] + [rng.standard_normal((b, S[j].shape[1])) for j in range(1, L)]
        self.vR = [rng.standard_normal((b, A.shape[-1])) for _ in range(L - 1)] + [None]
        self.fresh = True
        self.Ahat = self._full()
        self.f = self._obj(self.Ahat, lam)

    def _full(self):
        out = None
        for F in self.S:
            out = _mm(out, F)
        return out

    def _obj(self, Ahat, lam):
        return _sqfro(lam[:, None, None] * Ahat - self.A)

    def _best_lam(self, Ahat, lam):
        """The exact scale ``Re<A, Ahat> / ||Ahat||_F^2`` (``lam`` kept where ``Ahat = 0``)."""
        nrm = _sqfro(Ahat)
        pos = nrm > 0
        return np.where(pos, _inner_re(self.A, Ahat) / np.where(pos, nrm, 1.0), lam)

    def _watched(self, Ahat, f, lam):
        """The error the ``monotone`` safeguard keeps from rising: the recorded one.

        That is the objective after the end-of-sweep scale update, i.e. its minimum over
        ``lam`` when normalising, else the objective ``f`` itself (``lam`` fixed).
        """
        return self._obj(Ahat, self._best_lam(Ahat, lam)) if self.normalize else f

    def take(self, keep):
        self.S = [F[keep] for F in self.S]
        self.lam, self.Ahat, self.f = self.lam[keep], self.Ahat[keep], self.f[keep]
        self.vP = [None if v is None else v[keep] for v in self.vP]
        self.vR = [None if v is None else v[keep] for v in self.vR]
        if self.A.shape[0] > 1:
            self.A = self.A[keep]

    def _block(self, j, P, R, nP, nR, sel=None):
        """Gradient step + projection on factor j for the starts ``sel`` (all if None)."""
        pick = (lambda X: X) if sel is None else (lambda X: None if X is None else X[sel])
        lam, Sj, A = pick(self.lam), pick(self.S[j]), self.A if self.A.shape[0] == 1 else pick(self.A)
        P, R = pick(P), pick(R)
        E = lam[:, None, None] * pick(self.Ahat) - A
        c = self.step * lam * nP * nR                     # (step lam^2 ||P||^2 ||R||^2) / lam
        ok = c != 0
        G = _grad_core(P, E, R)
        if ok.all():
            Snew = self.projects[j](Sj - G / c[:, None, None])
        else:   # Lipschitz constant 0: the gradient vanishes, skip the step (docs/theory.rst B2)
            Snew = self.projects[j](Sj - G / np.where(ok, c, 1.0)[:, None, None])
            Snew = np.where(ok[:, None, None], Snew, Sj)
        PS = _mm(P, Snew)
        Ahat = _mm(PS, R)
        return Snew, PS, Ahat, self._obj(Ahat, lam)

    def sweep(self):
        L, b = len(self.S), self.lam.shape[0]
        R = [None] * L
        for j in range(L - 2, -1, -1):
            R[j] = _mm(self.S[j + 1], R[j + 1])
        n_it = 3 * _POWER_ITERS if self.fresh else _POWER_ITERS
        self.fresh = False
        P = None
        for j in range(L):
            nP, self.vP[j] = _sqnorm_power(P, self.vP[j], n_it) if P is not None else (np.ones(b), None)
            nR, self.vR[j] = _sqnorm_power(R[j], self.vR[j], n_it) if R[j] is not None else (np.ones(b), None)
            nP, nR = nP * _POWER_MARGIN, nR * _POWER_MARGIN
            Snew, PS, Ahat, f = self._block(j, P, R[j], nP, nR)
            bad = np.flatnonzero(f > self.f * (1 + _RISE_TOL)) if self.exact[j] else ()
            if len(bad):   # the power estimate was too low: redo with the exact norms
                Pb = None if P is None else P[bad]
                Rb = None if R[j] is None else R[j][bad]
                Sb, PSb, Ab, fb = self._block(j, P, R[j], _sqnorm_exact(Pb, bad.size),
                                              _sqnorm_exact(Rb, bad.size), sel=bad)
                Snew[bad], PS[bad], Ahat[bad], f[bad] = Sb, PSb, Ab, fb
            if self.monotone:   # reject the steps that raise the recorded error
                rise = self._watched(Ahat, f, self.lam) > (
                    self._watched(self.Ahat, self.f, self.lam) * (1 + _RISE_TOL))
                if rise.any():
                    Sj = self.S[j]
                    Snew[rise], Ahat[rise], f[rise] = Sj[rise], self.Ahat[rise], self.f[rise]
                    PS[rise] = Sj[rise] if P is None else _mm(P[rise], Sj[rise])
            self.S[j], self.Ahat, self.f = Snew, Ahat, f
            P = PS
        if self.normalize:
            self.lam = self._best_lam(self.Ahat, self.lam)
            self.f = self._obj(self.Ahat, self.lam)


# --------------------------------------------------------------------------- validation

def factor_shapes(shape: tuple[int, int], constraints: Sequence[Constraint],
                  init: Sequence[Any] | None = None) -> list[tuple[int, int]]:
    """Shapes of the factors of an ``m x n`` target under ``constraints`` (one per factor).

    From ``init`` when given (the last two axes of each factor), else from the support
    constraints (a support fixes both sides of its factor), else inner dimensions
    ``min(m, n)``. Shared by :func:`palm4msa` and :func:`~landscape.hierarchical`.

    >>> from landscape.projections import support, topk
    >>> factor_shapes((4, 6), [topk(2), support(np.ones((3, 6)))])
    [(4, 3), (3, 6)]
    >>> factor_shapes((4, 6), [topk(2), topk(2)])
    [(4, 4), (4, 6)]
    """
    m, n = shape
    cons = list(constraints)
    L = len(cons)
    if init is not None:
        return [tuple(np.shape(F)[-2:]) for F in init]
    dims = [m] + [None] * (L - 1) + [n]
    for j, c in enumerate(cons):
        if c.shape is not None:
            for pos, d in ((j, c.shape[0]), (j + 1, c.shape[1])):
                if dims[pos] is None:
                    dims[pos] = d
    dims = [min(m, n) if d is None else d for d in dims]
    return [(dims[j], dims[j + 1]) for j in range(L)]


def _check_init(init, L, A, n_starts, dtype, func) -> list[np.ndarray] | None:
    if init is None:
        return None
    try:
        items = list(init)
    except TypeError as exc:
        raise param_error(func, "init", "a sequence of factor arrays", init, kind=TypeError) from exc
    if len(items) != L:
        raise param_error(func, "init", f"a sequence of {L} factors (one per constraint)",
                          f"{len(items)} factors", raw=True)
    out = []
    for j, F in enumerate(items):
        nd = np.ndim(F) if np.ndim(F) in (2, 3) else 2
        F = as_matrix(F, f"init[{j}]", func, allow_complex=dtype.kind == "c", ndim=nd)
        if F.ndim == 3 and F.shape[0] != n_starts:
            raise param_error(func, f"init[{j}]", f"a batch of n_starts={n_starts} factors",
                              f"a batch of {F.shape[0]}", raw=True)
        out.append(np.broadcast_to(F, (n_starts,) + F.shape[-2:]).astype(dtype))
    rows = [A.shape[0]] + [F.shape[2] for F in out]
    for j, F in enumerate(out):
        if F.shape[1] != rows[j]:
            raise param_error(func, f"init[{j}]", f"a factor with {rows[j]} rows", f"shape "
                              f"{F.shape[1:]}", raw=True)
    if out[-1].shape[2] != A.shape[1]:
        raise param_error(func, f"init[{L - 1}]", f"a factor with {A.shape[1]} columns",
                          f"shape {out[-1].shape[1:]}", raw=True)
    return out


def _check_lam(init_lam, n_starts, func) -> np.ndarray | None:
    if init_lam is None:
        return None
    if np.ndim(init_lam) == 0:
        return np.full(n_starts, check_real(init_lam, "init_lam", func))
    lam = as_matrix(init_lam, "init_lam", func, allow_complex=False, ndim=1)
    if lam.shape != (n_starts,):
        raise param_error(func, "init_lam", f"a real scalar or an array of shape ({n_starts},)",
                          lam, raw=False)
    return lam.astype(float)


# --------------------------------------------------------------------------- public API

@renamed_keywords(tol="stop_tol")
def palm4msa(A: Any, constraints: Sequence[Constraint], *, n_iter: int = 500,
             init: Sequence[Any] | None = None, init_lam: Any = None, n_starts: int = 1,
             rng: Any = None, step: float = 1.001, stop_tol: float = 1e-9,
             normalize: bool = True, fit_tol: float = _EXACT_FIT,
             monotone: bool = False) -> PalmResult:
    """Approximate ``A ≈ lam * S[0] @ ... @ S[L-1]`` with constrained factors (PALM4MSA).

    Parameters
    ----------
    A : array_like, shape (m, n)
        Real or complex target (finite). Real ``A`` gives real factors.
    constraints : sequence of Constraint
        One per factor (:mod:`landscape.projections`). Factor shapes come from ``init``,
        else from support constraints, else inner dimensions are ``min(m, n)``.
    n_iter : int, default 500
        Maximal number of sweeps per start.
    init : sequence of array_like, optional
        Initial factors, each 2-D (shared by all starts) or 3-D ``(n_starts, ., .)``. Default:
        Gaussian factors (complex if ``A`` is) drawn from ``rng`` and projected.
    init_lam : float or array_like of shape (n_starts,), optional
        Initial scale. Default: the optimal scale for the initial factors (1 if their
        product is 0) when ``normalize``, else 1.
    n_starts : int, default 1
        Number of starts, run together as one batched computation.
    rng : numpy.random.Generator, int or None, default None
        Source of all randomness (initial factors, power-iteration vectors); ``None`` draws
        fresh entropy.
    step : float, default 1.001
        ``gamma > 1``: step size ``1 / (gamma * Lipschitz constant)`` (docs/theory.rst B2/B3).
    stop_tol : float, default 1e-9
        Stopping rule: a start stops when the relative change of its error
        ``||A - lam Ahat||_F`` over one sweep is below ``stop_tol``, or its relative error
        is below ``fit_tol``. (Formerly ``tol``, still accepted with a
        ``DeprecationWarning``.)
    normalize : bool, default True
        Project every factor onto the unit Frobenius sphere after its constraint
        (``unit_norm(c)``) and update ``lam`` exactly. With ``False`` the constraints are used
        as given and ``lam`` stays at ``init_lam`` (default 1): plain PALM, whose iterates
        may diverge when the infimum is not attained (docs/theory.rst C3/C37).
    fit_tol : float, default ``100 * eps``
        Relative error ``||A - lam Ahat||_F / ||A||_F`` at which a start counts as an exact
        fit and stops: the rounding floor of the product (at that level the relative change
        of the error is rounding noise, so ``stop_tol`` would not stop it).
    monotone : bool, default False
        Safeguard for the heuristic projections (``splincol``, ``compose``), with which a
        projected gradient step may raise the error: a block step that raises the recorded
        error (``||A - lam Ahat||_F`` at the exact ``lam`` when ``normalize``, else at the
        fixed one) by more than a relative ``1e-10`` is rejected, the factor keeping its
        value for that sweep. ``history`` is then non-increasing (to that allowance) for every
        constraint; after the first sweep, one whose steps are all rejected leaves the error
        unchanged, so the start stops (converged) whatever ``stop_tol``. The default
        ``False`` is plain PALM4MSA, which accepts the rising steps: slower to settle, but it
        can escape through the support changes the safeguard forbids, and long runs of it can
        end lower.

    Returns
    -------
    PalmResult

    Examples
    --------
    >>> import numpy as np
    >>> from landscape.projections import topk_rows
    >>> rng = np.random.default_rng(0)
    >>> A = (rng.standard_normal((6, 6)) * (rng.random((6, 6)) < 0.3)) @ np.eye(6)
    >>> res = palm4msa(A, [topk_rows(2), topk_rows(1)], n_starts=20, rng=1)
    >>> res.factors[0].shape, res.lam.shape, res.history.shape[0]
    ((20, 6, 6), (20,), 20)
    >>> bool(np.all(np.diff(res.history[res.best][:res.n_iter[res.best]]) <= 1e-9))
    True
    """
    func = "palm4msa"
    A = as_matrix(A, "A", func)
    cons = check_constraints(constraints, func)
    n_iter = check_int(n_iter, "n_iter", func, low=1)
    n_starts = check_int(n_starts, "n_starts", func, low=1)
    step = check_real(step, "step", func, low=1.0, low_open=True)
    stop_tol = check_real(stop_tol, "stop_tol", func, low=0.0)
    fit_tol = check_real(fit_tol, "fit_tol", func, low=0.0)
    for name, flag in (("normalize", normalize), ("monotone", monotone)):
        if not isinstance(flag, (bool, np.bool_)):
            raise param_error(func, name, "a bool", flag, kind=TypeError)
    rng = check_rng(rng, func)
    dtype = np.result_type(A.dtype, np.float64)
    A = A.astype(dtype)
    init = _check_init(init, len(cons), A, n_starts, dtype, func)
    shapes = factor_shapes(A.shape, cons, init)
    for j, (c, shp) in enumerate(zip(cons, shapes)):
        c.check(shp, func=func, name=f"constraints[{j}]")
    lam0 = _check_lam(init_lam, n_starts, func)
    if normalize:
        cons = [unit_norm(c) for c in cons]   # idempotent on unit_norm(...) constraints

    if init is None:
        init = []
        for c, shp in zip(cons, shapes):
            G = rng.standard_normal((n_starts,) + shp)
            if dtype.kind == "c":
                G = G + 1j * rng.standard_normal((n_starts,) + shp)
            init.append(c.apply(G))
    return _run(A[None], [F.copy() for F in init], lam0, cons, step, (stop_tol, fit_tol), n_iter,
                (normalize, bool(monotone)), rng)


def _run(A, S, lam0, cons, step, tols, n_iter, flags, rng) -> PalmResult:
    stop_tol, fit_tol = tols
    normalize, monotone = flags
    b = S[0].shape[0]
    normA = float(np.sqrt(_sqfro(A)[0]))
    if lam0 is None:
        lam0 = np.ones(b)
        if normalize:
            Ahat = S[0]
            for F in S[1:]:
                Ahat = Ahat @ F
            nrm = _sqfro(Ahat)
            lam0 = np.where(nrm > 0, _inner_re(A, Ahat) / np.where(nrm > 0, nrm, 1.0), 1.0)

    w = _Work(list(S), lam0.astype(float), A, [c.apply for c in cons],
              [c.exact for c in cons], step, normalize, monotone, rng)
    out_S = [np.empty_like(F) for F in S]
    out_lam, out_f = np.empty(b), np.empty(b)
    hist = np.full((b, n_iter), np.nan)
    n_done = np.full(b, n_iter)
    conv = np.zeros(b, dtype=bool)
    active = np.arange(b)
    err_prev = np.sqrt(w.f)
    t_run = 0
    for t in range(n_iter):
        t_run = t + 1
        w.sweep()
        hist[active, t] = w.f
        err = np.sqrt(w.f)
        stop = (np.abs(err_prev - err) <= stop_tol * err_prev) | (err <= fit_tol * normA)
        err_prev = err
        stop_final = stop | (t == n_iter - 1)
        if stop_final.any():
            idx = active[stop_final]
            for k, F in enumerate(w.S):
                out_S[k][idx] = F[stop_final]
            out_lam[idx], out_f[idx] = w.lam[stop_final], w.f[stop_final]
            n_done[idx] = t + 1
            conv[idx] = stop[stop_final]
            keep = ~stop_final
            active, err_prev = active[keep], err_prev[keep]
            if active.size == 0:
                break
            w.take(keep)
    rel = np.sqrt(out_f) / (normA if normA > 0 else 1.0)
    return PalmResult(factors=tuple(out_S), lam=out_lam, objective=out_f, relative_error=rel,
                      history=hist[:, :t_run], n_iter=n_done, converged=conv,
                      best=int(np.argmin(out_f)))
