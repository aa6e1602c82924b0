"""Hierarchical factorization: peel one sparse factor at a time, or discover a fast transform.

``A ≈ lam S[0] @ ... @ S[L-1]``. Two methods (``method=``):

* ``"palm"`` -- Le Magoarou & Gribonval's hierarchical PALM4MSA (docs/theory.rst B4), built in
  ``L - 1`` steps. With the default ``order="right-to-left"`` step ``l`` splits the current
  residual ``T ≈ T' S[L-1-l]`` with a 2-factor PALM4MSA (``T'`` under the looser residual
  constraint, the peeled factor under its own constraint; init ``T' = 0``, factor =
  identity), then refines all factors found so far with a global PALM4MSA on ``A`` started at
  the current values. ``"left-to-right"`` peels ``S[0]`` first (``T ≈ S[l] T'``). A
  heuristic: no global guarantee. It recovers the Hadamard matrix, not the DFT (relative
  errors 0.5 - 0.9 at N = 16 ... 64 for the DFT in natural order).
* ``"discovery"`` -- structure discovery from the **sparsity levels only**, for butterfly-like
  constraints: ``A`` is ``N x N`` with ``N = 2^L``, ``L`` factors, every factor constraint
  ``splincol(2)`` (two non-zeros per row and column; :func:`hadamard_constraints`). No
  support and no permutation is given: :func:`landscape.engine.discovery.discover_butterfly`
  finds ``A = P B_1 ... B_L Q`` (unknown row and column permutations ``P, Q``, butterfly
  factors ``B_l``) from the rank-one block structure of every two-factor split, and the
  butterfly factors follow exactly by block rank-one fits. ``P`` is absorbed into the first
  factor and ``Q`` into the last (``S[0] = P B_1``, ``S[L-1] = B_L Q``: a permuted butterfly
  factor still has two non-zeros per row and column); every factor is **checked** against its
  constraint with the constraint's own projection (``c.apply(S) == S``) and the error is
  computed directly from the sparse chain. The residual constraints are not used.
* ``"auto"`` (default) -- ``"discovery"`` when the constraints are butterfly-like, then
  ``"palm"`` when discovery does not give an exact factorization; the result is the better
  of the two fits (``method`` says which, ``reason`` why discovery was not enough). The
  discovery fit of a noisy butterfly (robust search) is first refined by a global PALM4MSA
  of ``n_iter_refine`` sweeps on its own supports (``N <= 256``).

**Guarantees of** ``"discovery"``. (i) No false exactness: the error reported is computed
directly from the returned factors, and every factor satisfies its constraint (checked).
(ii) If ``A`` is ``P B_1 ... B_L Q`` for butterfly factors without zeros inside their
supports, whose paired rows take two distinct ratios on every column block of every split
(generic real or complex butterflies, the DFT in natural or any scrambled order, Hadamard),
the factorization is found exactly (relative error at rounding level, ``<= 1e-10``) in
``O(N^2 log N)`` time, independently of ``rng`` -- measured: DFT, Hadamard and products of
random complex butterflies at N = 16 ... 1024, 10 of 10 seeds, 0.5 s at N = 1024
(``benchmarks/bench_discovery.py --hierarchical``). The factors are then unique up to the
diagonal scalings ``S_l -> D_{l-1}^{-1} S_l D_l`` and the permutations the butterfly supports
absorb (Zheng, Riccietti & Gribonval, SIMODS 2023).

**Where it fails.** Butterflies with zeros inside their factors' supports once scrambled,
products whose paired rows are proportional on a whole column block, and matrices with no
butterfly-with-permutations structure (DCT-II, DST-II, Hartley at N >= 16, Legendre,
Hilbert, random): discovery reports failure (``reason``) and ``"auto"`` falls back to PALM,
whose answer is a heuristic. Fast transforms whose factors have more than two non-zeros per
row or are not square butterflies (any constraint other than ``splincol(2)``) use PALM.

Examples
--------
>>> import numpy as np
>>> from landscape.engine.butterfly import dft
>>> res = hierarchical(dft(16), *hadamard_constraints(16), rng=0)
>>> res.method, bool(res.relative_error < 1e-10)
('discovery', True)
>>> H = np.array([[1.]])
>>> for _ in range(3):
...     H = np.kron(H, [[1., 1.], [1., -1.]])
>>> res = hierarchical(H, *hadamard_constraints(8), method="palm", rng=0)
>>> bool(res.relative_error < 1e-10), [int(np.count_nonzero(F)) for F in res.factors]
(True, [16, 16, 16])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from identifiability.core.aliases import renamed_keywords
from identifiability.core.display import summary_repr
from identifiability.core.validation import (as_matrix, check_choice, check_int, check_power_of_two,
                                         check_real, check_rng, param_error)

from .discovery import discover_butterfly
from .palm import factor_shapes, palm4msa
from .projections import Constraint, check_constraints, splincol

__all__ = ["HierarchicalResult", "hierarchical", "hadamard_constraints", "butterfly_constraints"]

_METHODS = ("auto", "discovery", "palm")
_REFINE_MAX_N = 256          # the robust discovery fit is PALM-refined up to this size


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
    step_errors : ndarray, shape (L-1,) (``method="palm"``) or (1,) (``"discovery"``)
        Relative error of the whole factorization after each global refinement (discovery:
        the one error of its fit).
    local_history, global_history : tuple of ndarray
        Objective per sweep of the 2-factor split and of the global refinement of each step
        (also available as ``split_history`` and ``refine_history``, the names of the
        ``n_iter_split`` / ``n_iter_refine`` stages); empty for ``"discovery"`` (a refinement
        of a robust discovery fit is ``global_history[0]``).
    order : str
        Peeling order used (``"discovery"``: the search's own left-to-right fit).
    method : str
        Which method produced the factors: ``"discovery"`` or ``"palm"``.
    reason : str
        ``method="auto"``: why discovery was not used or not exact ("" when it was exact or
        not tried because the constraints are not butterfly-like; then ``"palm"``).
    error_bound : float or None
        When discovery ran and failed: certified lower bound on the relative error of *any*
        ``P B Q`` (butterfly ``B``, permutations ``P, Q``;
        :func:`landscape.engine.discovery.permutation_lower_bound`).
    """

    factors: tuple[np.ndarray, ...]
    lam: float
    relative_error: float
    step_errors: np.ndarray
    local_history: tuple[np.ndarray, ...]
    global_history: tuple[np.ndarray, ...]
    order: str
    method: str = "palm"
    reason: str = ""
    error_bound: float | None = None

    def product(self) -> np.ndarray:
        """``lam * S[0] @ ... @ S[L-1]`` (sparse products for sparse factors)."""
        return self.lam * _chain_product(self.factors)

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
            relative_error=float(f"{self.relative_error:.3e}"), n_iter=self.n_iter,
            method=self.method)

    def explain(self) -> str:
        """Plain-language summary: the factors, the error after each peeling step."""
        m, n = self.factors[0].shape[0], self.factors[-1].shape[1]
        nnz = [int(np.count_nonzero(F)) for F in self.factors]
        if self.method == "discovery":
            lines = [
                f"Fast transform discovered from the sparsity levels alone: a {m} x {n} matrix "
                f"= lam S[0] ... S[{len(self.factors) - 1}], non-zeros {nnz[:12]}, lam = "
                f"{self.lam:.6g} (row permutation absorbed in S[0], column permutation in "
                f"S[-1]; every factor checked against its constraint).",
                f"Relative error {self.relative_error:.3e}, computed from the factors."]
            if self.reason:
                lines.append(f"Not exact: {self.reason}.")
            return "\n".join(lines)
        steps = ", ".join(f"{float(e):.3e}" for e in self.step_errors[:8])
        more = ", ..." if self.step_errors.size > 8 else ""
        extra = [f"Structure discovery was not used: {self.reason}."] if self.reason else []
        if self.error_bound is not None:
            extra.append(f"Certified: every permuted butterfly P B Q has relative error >= "
                         f"{self.error_bound:.3e}.")
        return "\n".join(extra + [
            f"Hierarchical factorization ({self.order}) of a {m} x {n} matrix into "
            f"{len(self.factors)} factors, non-zeros {nnz}, scale lam = {self.lam:.6g}.",
            f"Relative error {self.relative_error:.3e}; after each peeling step: {steps}{more}.",
            f"{self.n_iter} PALM4MSA sweeps in all (splits and refinements).",
            "A heuristic: no claim of global optimality."])


@renamed_keywords(n_iter_local="n_iter_split", n_iter_global="n_iter_refine", tol="stop_tol")
def hierarchical(A: Any, constraints: Sequence[Constraint],
                 residual_constraints: Sequence[Constraint], *, order: str = "right-to-left",
                 n_iter_split: int = 50, n_iter_refine: int = 50, stop_tol: float = 1e-9,
                 step: float = 1.001, rng: Any = None, fit_tol: float | None = None,
                 method: str = "auto") -> HierarchicalResult:
    """Hierarchical factorization ``A ≈ lam S[0] @ ... @ S[L-1]``: structure discovery for
    butterfly-like constraints, hierarchical PALM4MSA (docs/theory.rst B4) otherwise.

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
        Randomness of the power iterations (the PALM initialisation is deterministic) and of
        the discovery's hash vectors and bound (its exact answers do not depend on it).
    fit_tol : float, optional
        Relative error at which a PALM4MSA run counts as an exact fit and stops. Default
        ``100 * eps * k`` for a run with ``k`` factors: the rounding error of a product of
        ``k`` factors grows linearly with ``k``, and below that floor further sweeps only
        shuffle rounding noise.
    method : {"auto", "discovery", "palm"}, default "auto"
        ``"discovery"``: structure discovery (module docstring; the constraints must be
        butterfly-like: ``N x N``, ``N = 2^L``, ``L`` factors, each ``splincol(2)``);
        ``"palm"``: the plain hierarchical PALM4MSA (the behaviour before discovery existed);
        ``"auto"``: discovery when the constraints allow it, PALM when it is not exact, the
        better fit returned. ``result.method`` says which produced the factors.

    Returns
    -------
    HierarchicalResult

    Notes
    -----
    Guarantees and failure modes of each method: see the module docstring. ``"discovery"``
    is exact on permuted butterfly products (DFT, Hadamard, generic butterflies; < 1 s at
    N = 1024); ``"palm"`` is a heuristic without guarantee.

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
    method = check_choice(method, "method", func, _METHODS)
    shapes = factor_shapes(A.shape, cons)
    for j, (c, shp) in enumerate(zip(cons, shapes)):
        c.check(shp, func=func, name=f"constraints[{j}]")
    for ell in range(L - 2):       # the residual after ell + 1 peels
        k = L - 1 - ell if order == "right-to-left" else ell
        res_shape = ((A.shape[0], shapes[k][0]) if order == "right-to-left"
                     else (shapes[k][1], A.shape[1]))
        res_cons[ell].check(res_shape, func=func, name=f"residual_constraints[{ell}]")
    butterfly_like = _butterfly_like(A.shape, cons)
    if method == "discovery" and not butterfly_like:
        raise param_error(func, "method", '"discovery" only with butterfly-like constraints '
                          "(N x N, N = 2^L, L factors, each splincol(2)); use \"auto\" or "
                          '"palm"', method, raw=True)
    if method != "palm" and butterfly_like:
        found = _discovery(A, cons, rng)
        if found.reason == "" or method == "discovery":
            return found
        if A.shape[0] <= _REFINE_MAX_N:
            found = _refine(A, found, cons, n_iter_refine, step, stop_tol, rng, fit_tol)
    palm = _palm(A, cons, res_cons, shapes, order, n_iter_split, n_iter_refine, stop_tol,
                 step, rng, fit_tol)
    if method == "palm" or not butterfly_like:
        return palm
    if found.relative_error < palm.relative_error:
        return found
    return HierarchicalResult(palm.factors, palm.lam, palm.relative_error, palm.step_errors,
                              palm.local_history, palm.global_history, palm.order, "palm",
                              f"discovery: {found.reason}; its fit has relative error "
                              f"{found.relative_error:.3e} >= PALM's", found.error_bound)


def _butterfly_like(shape: tuple[int, int], cons: Sequence[Constraint]) -> bool:
    """N x N, N = 2^L >= 4, L factor constraints, each two non-zeros per row and column."""
    N = shape[0]
    return (shape[0] == shape[1] and N >= 4 and N & (N - 1) == 0
            and len(cons) == N.bit_length() - 1 and all(c.line_level == 2 for c in cons))


def _chain_product(factors: Sequence[Any]) -> np.ndarray:
    """Product of the factors, right to left; factors with <= 10% non-zeros go sparse."""
    out = np.asarray(factors[-1])
    for F in reversed(factors[:-1]):
        F = np.asarray(F)
        if F.size > 4096 and np.count_nonzero(F) <= 0.1 * F.size:
            out = sp.csr_matrix(F) @ out
        else:
            out = F @ out
    return np.asarray(out)


def _discovery(A: np.ndarray, cons: Sequence[Constraint], rng: np.random.Generator
               ) -> HierarchicalResult:
    """Structure discovery as a HierarchicalResult (P absorbed in S[0], Q in S[-1])."""
    dtype = np.result_type(A.dtype, np.float64)
    found = discover_butterfly(A.astype(dtype, copy=False), rng=rng)
    chain = [f.tocsr() for f in found.chain.factors]       # P_r, B_1, ..., B_L, P_c
    sparse = [chain[0] @ chain[1]] + chain[2:-2] + [chain[-2] @ chain[-1]]
    factors, lam = [], 1.0
    for c, X in zip(cons, sparse):
        F = X.toarray().astype(dtype, copy=False)
        norm = float(np.linalg.norm(F))
        if norm > 0:
            F = F / norm
        lam *= norm
        if not np.array_equal(c.apply(F), F):     # the constraint's own projection decides
            raise RuntimeError(f"internal error: a discovered factor is outside {c!r}")
        factors.append(F)
    err = float(found.relative_error)
    reason = "" if found.success else found.reason
    bound = None if found.success else float(found.error_bound)
    return HierarchicalResult(tuple(factors), lam, err, np.array([err]), (), (),
                              "left-to-right", "discovery", reason, bound)


def _refine(A: np.ndarray, found: HierarchicalResult, cons: Sequence[Constraint],
            n_iter: int, step: float, stop_tol: float, rng: np.random.Generator,
            fit_tol: float | None) -> HierarchicalResult:
    """Global PALM4MSA from the (inexact) discovery fit, kept when it lowers the error."""
    glo = palm4msa(A, cons, n_iter=n_iter, init=list(found.factors), init_lam=found.lam,
                   rng=rng, step=step, stop_tol=stop_tol, fit_tol=_fit_tol(fit_tol, len(cons)))
    err = float(glo.relative_error[0])
    if not err < found.relative_error:
        return found
    return HierarchicalResult(tuple(glo.best_factors()), float(glo.lam[0]), err,
                              np.array([err]), (), (glo.history[0],), found.order,
                              "discovery", found.reason + "; PALM-refined", found.error_bound)


def _palm(A: np.ndarray, cons: list, res_cons: list, shapes: list, order: str,
          n_iter_split: int, n_iter_refine: int, stop_tol: float, step: float,
          rng: np.random.Generator, fit_tol: float | None) -> HierarchicalResult:
    """The hierarchical PALM4MSA of Le Magoarou & Gribonval (``method="palm"``)."""
    L = len(cons)
    r2l = order == "right-to-left"
    dtype = np.result_type(A.dtype, np.float64)
    T, lam, fixed = A, 1.0, []
    local_h, global_h, errs = [], [], []
    for ell in range(L - 1):
        k = L - 1 - ell if r2l else ell
        last = ell == L - 2
        c_res = cons[L - 1 - k] if last else res_cons[ell]
        res_shape = (A.shape[0], shapes[k][0]) if r2l else (shapes[k][1], A.shape[1])
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
                              global_history=tuple(global_h), order=order, method="palm")


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
    return _butterfly_levels(N, "hadamard_constraints")


def butterfly_constraints(N: int) -> tuple[list[Constraint], list[Constraint]]:
    """The sparsity levels of any butterfly chain of size ``N = 2^L``, for :func:`hierarchical`.

    The same constraints as :func:`hadamard_constraints` under a name that does not suggest
    one transform: ``L`` factors with two non-zeros per row and column, the residual after
    ``l`` peels ``splincol(N / 2^l)``. With them, ``hierarchical`` (default ``method="auto"``)
    recovers any matrix ``P B_1 ... B_L Q`` exactly (the DFT, Hadamard, scrambled butterflies).

    Returns
    -------
    constraints, residual_constraints : list of Constraint

    Examples
    --------
    >>> from landscape.engine.butterfly import dft
    >>> res = hierarchical(dft(16), *butterfly_constraints(16), rng=0)
    >>> res.method, bool(res.relative_error < 1e-10)
    ('discovery', True)
    """
    return _butterfly_levels(N, "butterfly_constraints")


def _butterfly_levels(N: int, func: str) -> tuple[list[Constraint], list[Constraint]]:
    N = check_power_of_two(N, "N", func, low=4)
    L = N.bit_length() - 1
    return [splincol(2)] * L, [splincol(N >> ell) for ell in range(1, L - 1)]
