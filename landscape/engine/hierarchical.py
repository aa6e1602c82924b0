"""Hierarchical factorization: peel one sparse factor at a time (Le Magoarou & Gribonval).

``A ≈ lam S[0] @ ... @ S[L-1]`` is built in ``L - 1`` steps (THEORY B4). With the default
``order="right-to-left"`` step ``l`` splits the current residual ``T ≈ T' S[L-1-l]`` with a
2-factor PALM4MSA (``T'`` under the looser residual constraint, the peeled factor under its
own constraint; init ``T' = 0``, factor = identity), then refines all factors found so far
with a global PALM4MSA on ``A`` started at the current values. ``"left-to-right"`` peels
``S[0]`` first (``T ≈ S[l] T'``). A heuristic: no global guarantee.

Examples
--------
>>> import numpy as np
>>> H = np.array([[1.]])
>>> for _ in range(3):
...     H = np.kron(H, [[1., 1.], [1., -1.]])
>>> res = hierarchical(H, *hadamard_constraints(8), rng=0)
>>> bool(res.relative_error < 1e-10), [int(np.count_nonzero(F)) for F in res.factors]
(True, [16, 16, 16])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from identifiability.core.aliases import renamed_keywords
from identifiability.core.display import summary_repr
from identifiability.core.validation import (as_matrix, check_choice, check_int, check_power_of_two,
                                         check_real, check_rng, param_error)

from .palm import factor_shapes, palm4msa
from .projections import Constraint, check_constraints, splincol

__all__ = ["HierarchicalResult", "hierarchical", "hadamard_constraints"]


@dataclass(frozen=True, repr=False)
class HierarchicalResult:
    """Outcome of :func:`hierarchical`.

    Attributes
    ----------
    factors : tuple of ndarray
        ``A ≈ lam * factors[0] @ ... @ factors[L-1]`` (each factor 2-D, unit Frobenius norm).
    lam : float
        Global scale.
    relative_error : float
        ``||A - lam S[0] ... S[L-1]||_F / ||A||_F`` (absolute error if ``A = 0``).
    step_errors : ndarray, shape (L-1,)
        Relative error of the whole factorization after each global refinement.
    local_history, global_history : tuple of ndarray
        Objective per sweep of the 2-factor split and of the global refinement of each step
        (also available as ``split_history`` and ``refine_history``, the names of the
        ``n_iter_split`` / ``n_iter_refine`` stages).
    order : str
        Peeling order used.
    """

    factors: tuple[np.ndarray, ...]
    lam: float
    relative_error: float
    step_errors: np.ndarray
    local_history: tuple[np.ndarray, ...]
    global_history: tuple[np.ndarray, ...]
    order: str

    def product(self) -> np.ndarray:
        """``lam * S[0] @ ... @ S[L-1]``."""
        out = self.factors[0]
        for F in self.factors[1:]:
            out = out @ F
        return self.lam * out

    @property
    def split_history(self) -> tuple[np.ndarray, ...]:
        """Objective per sweep of the 2-factor split of each step (= ``local_history``)."""
        return self.local_history

    @property
    def refine_history(self) -> tuple[np.ndarray, ...]:
        """Objective per sweep of the global refinement of each step (= ``global_history``)."""
        return self.global_history

    @property
    def n_iter(self) -> int:
        """Sweeps run over all PALM4MSA runs (splits and refinements)."""
        return int(sum(h.size for h in self.local_history + self.global_history))

    def __repr__(self) -> str:
        nnz = [int(np.count_nonzero(F)) for F in self.factors]
        return summary_repr(
            "HierarchicalResult", order=self.order, n_factors=len(self.factors),
            shape=(self.factors[0].shape[0], self.factors[-1].shape[1]),
            nnz=nnz if len(nnz) <= 12 else sum(nnz), lam=float(f"{self.lam:.6g}"),
            relative_error=float(f"{self.relative_error:.3e}"), n_iter=self.n_iter)

    def explain(self) -> str:
        """Plain-language summary: the factors, the error after each peeling step."""
        m, n = self.factors[0].shape[0], self.factors[-1].shape[1]
        nnz = [int(np.count_nonzero(F)) for F in self.factors]
        steps = ", ".join(f"{float(e):.3e}" for e in self.step_errors[:8])
        more = ", ..." if self.step_errors.size > 8 else ""
        return "\n".join([
            f"Hierarchical factorization ({self.order}) of a {m} x {n} matrix into "
            f"{len(self.factors)} factors, non-zeros {nnz}, scale lam = {self.lam:.6g}.",
            f"Relative error {self.relative_error:.3e}; after each peeling step: {steps}{more}.",
            f"{self.n_iter} PALM4MSA sweeps in all (splits and refinements).",
            "A heuristic: no claim of global optimality."])


@renamed_keywords(n_iter_local="n_iter_split", n_iter_global="n_iter_refine", tol="stop_tol")
def hierarchical(A: Any, constraints: Sequence[Constraint],
                 residual_constraints: Sequence[Constraint], *, order: str = "right-to-left",
                 n_iter_split: int = 50, n_iter_refine: int = 50, stop_tol: float = 1e-9,
                 step: float = 1.001, rng: Any = None, fit_tol: float | None = None
                 ) -> HierarchicalResult:
    """Hierarchical PALM4MSA factorization ``A ≈ lam S[0] @ ... @ S[L-1]`` (THEORY B4).

    Parameters
    ----------
    A : array_like, shape (m, n)
        Real or complex target.
    constraints : sequence of Constraint, length L >= 2
        Constraint of every final factor, in product order. Inner dimensions come from
        support constraints, else ``min(m, n)``.
    residual_constraints : sequence of Constraint, length L - 2
        Constraint of the residual after peeling 1, 2, ..., L-2 factors (typically
        sparser and sparser). The last residual is the final factor ``S[0]``
        (right-to-left) or ``S[L-1]`` (left-to-right) and takes that factor's constraint.
    order : {"right-to-left", "left-to-right"}
        Peel ``S[L-1]`` first (FAuST's order) or ``S[0]`` first.
    n_iter_split, n_iter_refine : int, default 50
        Maximal sweeps of the 2-factor split and of the global refinement at every step
        (formerly ``n_iter_local`` and ``n_iter_global``, still accepted with a
        ``DeprecationWarning``).
    stop_tol : float, default 1e-9
        Stopping rule of every PALM4MSA run (see :func:`landscape.palm.palm4msa`; formerly
        ``tol``).
    step : float, default 1.001
        PALM step parameter ``gamma > 1``.
    rng : numpy.random.Generator, int or None, default None
        Randomness of the power iterations (the initialisation is deterministic).
    fit_tol : float, optional
        Relative error at which a PALM4MSA run counts as an exact fit and stops. Default
        ``100 * eps * k`` for a run with ``k`` factors: the rounding error of a product of
        ``k`` factors grows linearly with ``k``, and below that floor further sweeps only
        shuffle rounding noise.

    Returns
    -------
    HierarchicalResult

    Examples
    --------
    >>> import numpy as np
    >>> from landscape.projections import topk_rows
    >>> A = np.arange(1., 17.).reshape(4, 4)
    >>> res = hierarchical(A, [topk_rows(4), topk_rows(2), topk_rows(2)], [topk_rows(4)], rng=0)
    >>> len(res.factors), res.step_errors.shape
    (3, (2,))
    """
    func = "hierarchical"
    A = as_matrix(A, "A", func)
    cons = check_constraints(constraints, func)
    res_cons = (check_constraints(residual_constraints, func, name="residual_constraints")
                if len(residual_constraints) else [])
    L = len(cons)
    if L < 2:
        raise param_error(func, "constraints", "a sequence of at least 2 constraints",
                          f"{L} constraint(s)", raw=True)
    if len(res_cons) != L - 2:
        raise param_error(func, "residual_constraints", f"a sequence of {L - 2} constraints "
                          "(one per intermediate residual)", f"{len(res_cons)}", raw=True)
    order = check_choice(order, "order", func, ("right-to-left", "left-to-right"))
    n_iter_split = check_int(n_iter_split, "n_iter_split", func, low=1)
    n_iter_refine = check_int(n_iter_refine, "n_iter_refine", func, low=1)
    stop_tol = check_real(stop_tol, "stop_tol", func, low=0.0)
    step = check_real(step, "step", func, low=1.0, low_open=True)
    rng = check_rng(rng, func)
    if fit_tol is not None:
        fit_tol = check_real(fit_tol, "fit_tol", func, low=0.0)
    shapes = factor_shapes(A.shape, cons)
    for j, (c, shp) in enumerate(zip(cons, shapes)):
        c.check(shp, func=func, name=f"constraints[{j}]")

    r2l = order == "right-to-left"
    dtype = np.result_type(A.dtype, np.float64)
    T, lam, fixed = A, 1.0, []
    local_h, global_h, errs = [], [], []
    for ell in range(L - 1):
        k = L - 1 - ell if r2l else ell
        last = ell == L - 2
        c_res = cons[L - 1 - k] if last else res_cons[ell]
        res_shape = (A.shape[0], shapes[k][0]) if r2l else (shapes[k][1], A.shape[1])
        if not last:
            c_res.check(res_shape, func=func, name=f"residual_constraints[{ell}]")
        pair = [np.zeros(res_shape, dtype), np.eye(*shapes[k], dtype=dtype)]
        pair_cons = [c_res, cons[k]]
        if not r2l:
            pair, pair_cons = pair[::-1], pair_cons[::-1]
        loc = palm4msa(T, pair_cons, n_iter=n_iter_split, init=pair, init_lam=1.0, rng=rng,
                       step=step, stop_tol=stop_tol, fit_tol=_fit_tol(fit_tol, 2))
        if r2l:
            init, g_cons = loc.best_factors() + fixed, pair_cons + cons[k + 1:]
        else:
            init, g_cons = fixed + loc.best_factors(), cons[:k] + pair_cons
        glo = palm4msa(A, g_cons, n_iter=n_iter_refine, init=init, init_lam=lam * loc.lam[0],
                       rng=rng, step=step, stop_tol=stop_tol,
                       fit_tol=_fit_tol(fit_tol, len(g_cons)))
        local_h.append(loc.history[0])
        global_h.append(glo.history[0])
        errs.append(glo.relative_error[0])
        facs = glo.best_factors()
        lam = float(glo.lam[0])
        T, fixed = (facs[0], facs[1:]) if r2l else (facs[-1], facs[:-1])
    factors = [T] + fixed if r2l else fixed + [T]
    return HierarchicalResult(factors=tuple(factors), lam=lam, relative_error=float(errs[-1]),
                              step_errors=np.array(errs), local_history=tuple(local_h),
                              global_history=tuple(global_h), order=order)


def _fit_tol(fit_tol: float | None, n_factors: int) -> float:
    return 100 * np.finfo(float).eps * n_factors if fit_tol is None else fit_tol


def hadamard_constraints(N: int) -> tuple[list[Constraint], list[Constraint]]:
    """FAuST's Hadamard setting for :func:`hierarchical` on an ``N x N`` matrix, N = 2^L.

    Every one of the ``L = log2(N)`` factors gets ``splincol(2)`` (2 non-zeros per row and
    column); the residual after ``l`` peels gets ``splincol(N / 2^l)`` (geometrically
    sparser), ``l = 1, ..., L-2``.

    Returns
    -------
    constraints, residual_constraints : list of Constraint

    Examples
    --------
    >>> hadamard_constraints(16)
    ([splincol(2), splincol(2), splincol(2), splincol(2)], [splincol(8), splincol(4)])
    """
    N = check_power_of_two(N, "N", "hadamard_constraints", low=4)
    L = N.bit_length() - 1
    return [splincol(2)] * L, [splincol(N >> ell) for ell in range(1, L - 1)]
