"""Sample the landscape of a sparse factorization problem and classify where starts end.

:func:`sample_linear` (what :func:`landscape.sample` runs on a :class:`Problem`) runs many
random starts of PALM (plain PALM, :func:`landscape.palm.palm4msa`
with ``normalize=False``, in segments with column balancing in between) on a
:class:`Problem` -- ``A`` with fixed supports or with sparsity constraints, two or more
factors, real or complex -- until a stationarity tolerance, and classifies every start:

``"global"``
    objective within ``value_tol`` of a *certified* global value (the exact solver of
    :func:`landscape.fixed_support.solve_fixed_support` on tractable supports, the exact
    enumeration of every real critical point by :func:`landscape.linear.critical_values` on
    small supports with exact data -- kept in ``report.critical`` --, or a moment lower bound
    of :mod:`landscape.bounds` that meets the best value found). Without a
    certificate the reference is the best value found and the class is ``"best found"``.
``"spurious local minimum"``
    a stationary point above the reference whose Hessian, restricted to the complement of
    the scaling orbit's tangent space, is positive definite, and where random perturbations
    of a few radii never decrease the objective.
``"saddle"``
    a stationary point with a negative curvature direction (returned, see
    :class:`Minimum`), or one where the perturbation test found a descent direction.
``"degenerate"``
    a stationary point whose Hessian is singular beyond the scaling orbit and where no
    descent was found: second order is inconclusive (never reported as a minimum).
``"diverging"``
    not stationary, the objective decreases while the balanced factor norms keep growing
    over the last checkpoints: the signature of an infimum that is not attained
    (docs/theory.rst C31/C37); see :func:`landscape.existence.infimum_attained` for a certificate.
``"not converged"``
    anything else.

Stationary points are clustered modulo equivalence (permutation and scaling of the inner
dimensions, :func:`identifiability.equivalence.equivalent`); equivalence classes with the
same product (a non-identifiable fibre, e.g. a complete equivalence class of rank-one
supports) count as one minimum. The result is a :class:`landscape.report.LandscapeReport`.

Stationarity measure: the Frobenius norm of the gradient of ``||A - S[0] ... S[L-1]||_F^2``
restricted to the supports (fixed supports) or to the current supports (sparsity
constraints: at a point using its whole sparsity budget the l0 set is locally the fixed
support of that point), at *balanced* factors, divided by ``||A||_F^(2 - 1/L)`` so that it
is invariant under ``A -> cA``.

Examples
--------
>>> import numpy as np
>>> A = np.array([[3., 1, 5], [1, 3, 7], [2, 4, 6]])
>>> I = np.array([[1, 0], [1, 0], [0, 1]], bool)
>>> from landscape import Problem, sample
>>> rep = sample(Problem(A, supports=[I, I.T]), 8, rng=0)
>>> rep.summary().splitlines()[0]
'1 distinct minimum (global value 98, certified by solve_fixed_support), basin fractions 100%'
"""


from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from identifiability.core.rescaling import balance_chain
from identifiability.core.validation import check_choice, check_int, check_real, check_rng

from ..engine.palm import palm4msa
from ..executors import map_chunks, seed_plan
from ..report import LandscapeReport
from .calculus import factor_norm, product, sqnorm, stationarity
from .classification import classify

__all__ = ["Settings", "descend", "sample_linear", "METHODS"]

#: The methods of :func:`sample_linear` (the first is the default).
METHODS = ("palm",)

_FUNC = "sample"


# --------------------------------------------------------------------------- running starts

@dataclass(frozen=True)
class Settings:
    """The options of a linear run: ``n_iter`` sweeps at most, checkpoints every ``segment``
    sweeps, stop at relative gradient norm ``stat_tol``, PALM step parameter ``step``."""

    n_iter: int
    segment: int
    stat_tol: float
    step: float

    def as_dict(self) -> dict:
        """JSON-able form (stored in checkpoints and in reports)."""
        return {"n_iter": self.n_iter, "segment": self.segment, "stat_tol": self.stat_tol,
                "step": self.step}


def _random_init(problem: Any, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Gaussian factors (complex for complex A) projected on the constraints, scaled so that
    the product has the norm of A, then balanced."""
    S = []
    for c, shp in zip(problem.constraint_list(), problem.shapes):
        G = rng.standard_normal((n,) + shp)
        if problem.is_complex:
            G = G + 1j * rng.standard_normal((n,) + shp)
        S.append(c.project(G))
    p = np.sqrt(sqnorm(product(S)))
    a = np.linalg.norm(problem.A)
    t = np.where(p > 0, (a if a > 0 else 1.0) / np.where(p > 0, p, 1.0), 1.0)
    S[0] = S[0] * t[:, None, None]
    return balance_chain(S)[0]


def descend(problem: Any, n: int, seed: Any, settings: Settings) -> dict[str, np.ndarray]:
    """Run ``n`` starts as one batch; the unit of work of every executor.

    Returns arrays: ``objective (n,)``, ``stationarity (n,)``, ``n_iter (n,)``,
    ``history`` and ``norms`` ``(n, T + 1)`` at the checkpoints (every ``segment`` sweeps;
    NaN after a start stopped), and the final balanced factors ``factor{j}``.
    """
    rng = np.random.default_rng(seed)
    A = problem.A
    S = _random_init(problem, n, rng)
    T = -(-settings.n_iter // settings.segment)
    hist = np.full((n, T + 1), np.nan)
    norms = np.full((n, T + 1), np.nan)
    hist[:, 0] = sqnorm(A - product(S))
    norms[:, 0] = factor_norm(S)
    stat = stationarity(problem, S)
    n_iter = np.zeros(n, dtype=np.int64)
    active = np.flatnonzero(stat > settings.stat_tol)
    cons = problem.constraint_list()
    for t in range(1, T + 1):
        if active.size == 0:
            break
        res = palm4msa(A, cons, n_iter=settings.segment, init=[F[active] for F in S],
                       n_starts=active.size, rng=rng, step=settings.step, stop_tol=0.0,
                       normalize=False)
        new = balance_chain(list(res.factors))[0]
        for F, Fn in zip(S, new):
            F[active] = Fn
        n_iter[active] += res.n_iter
        hist[active, t] = res.objective
        norms[active, t] = factor_norm(new)
        stat[active] = stationarity(problem, new)
        active = active[stat[active] > settings.stat_tol]
    out = {"objective": sqnorm(A - product(S)), "stationarity": stat, "n_iter": n_iter,
           "history": hist, "norms": norms}
    out.update({f"factor{j}": F for j, F in enumerate(S)})
    return out


# --------------------------------------------------------------------------- the linear run

def sample_linear(problem: Any, n_starts: int, *, rng: Any = None, method: str | None = None,
                  executor: Any = None, n_jobs: int = 2, chunk_size: int | None = None,
                  n_iter: int | None = None, checkpoint: Any = None,
                  progress: bool | None = None, segment: int = 250, stat_tol: float = 1e-8,
                  step: float = 1.01, value_tol: float | None = None,
                  eq_tol: float | None = None, bound_variables: int = 12) -> LandscapeReport:
    """Run ``n_starts`` random starts of a :class:`~landscape.linear.Problem`, classify and
    cluster their end points (what :func:`landscape.sample` runs on a linear problem).

    Parameters
    ----------
    problem : landscape.linear.Problem
    n_starts : int
    rng : numpy.random.Generator, int seed or None
        The root of all randomness: the starts are split into chunks of ``chunk_size``,
        chunk ``c`` uses the ``c``-th child of a SeedSequence derived from ``rng``, so the
        results do not depend on the executor.
    method : {"palm"}, optional
        Plain PALM (``palm4msa(normalize=False)``) run in segments of ``segment`` sweeps,
        with column balancing (a symmetry) after every segment. Default "palm".
    executor : None, "serial", "joblib", "dask", a dask scheduler address or a
        ``distributed.Client`` -- see :func:`landscape.executors.map_chunks`.
    n_jobs : int, default 2
        Workers for "joblib" / a default dask LocalCluster.
    chunk_size : int, optional
        Starts per batched chunk (part of the seed plan: keep it fixed to reproduce a run).
        Default 256.
    n_iter : int, optional
        Sweeps per start at most. Default 5000.
    checkpoint : path, optional
        Directory where finished chunks are written; a rerun with the same arguments
        resumes from it.
    progress : bool, optional
        tqdm progress bar (default: on for 5000 starts or more).
    segment : int, default 250
        Sweeps between checkpoints (stationarity test, balancing, norm record).
    stat_tol : float, default 1e-8
        Stopping rule: a start stops when its relative gradient norm (module docstring) is
        below.
    step : float, default 1.01
        PALM step parameter ``gamma > 1``.
    value_tol : float, optional
        Relative tolerance (times ``max(1, |reference|)``) for "at the reference value" and
        for clustering objective values; default 1e-6.
    eq_tol : float, optional
        Tolerance of :func:`identifiability.equivalence.equivalent` when clustering; default
        1e-4.
    bound_variables : int, default 12
        Largest number of (real) contribution variables for which the moment lower bound of
        :mod:`landscape.bounds` is tried (fixed supports, two factors, not tractable).

    Returns
    -------
    landscape.report.LandscapeReport

    Examples
    --------
    >>> import numpy as np
    >>> from landscape import Problem
    >>> A = np.array([[3., 0, 1], [0, 1, -3], [1, -3, -2]])      # docs/theory.rst C33
    >>> I = np.array([[1, 0], [1, 1], [0, 1]], bool)
    >>> rep = sample_linear(Problem(A, supports=[I, I.T]), 64, rng=1)
    >>> sorted({round(m.value, 6): m.kind for m in rep.clusters}.items())
    [(10.145898, 'global'), (11.0, 'spurious local minimum')]
    """
    n_starts = check_int(n_starts, "n_starts", _FUNC, low=1)
    check_choice(METHODS[0] if method is None else method, "method", _FUNC, METHODS)
    chunk_size = 256 if chunk_size is None else chunk_size
    n_iter = 5000 if n_iter is None else n_iter
    value_tol = 1e-6 if value_tol is None else value_tol
    eq_tol = 1e-4 if eq_tol is None else eq_tol
    rng = check_rng(rng, _FUNC)
    n_jobs = check_int(n_jobs, "n_jobs", _FUNC, low=1)
    chunk_size = check_int(chunk_size, "chunk_size", _FUNC, low=1)
    settings = Settings(check_int(n_iter, "n_iter", _FUNC, low=1),
                        check_int(segment, "segment", _FUNC, low=1),
                        check_real(stat_tol, "stat_tol", _FUNC, low=0.0),
                        check_real(step, "step", _FUNC, low=1.0, low_open=True))
    value_tol = check_real(value_tol, "value_tol", _FUNC, low=0.0)
    eq_tol = check_real(eq_tol, "eq_tol", _FUNC, low=0.0, low_open=True)
    bound_variables = check_int(bound_variables, "bound_variables", _FUNC, low=0)

    sizes, seeds = seed_plan(rng, n_starts, chunk_size)
    tasks = [(problem, n, s, settings) for n, s in zip(sizes, seeds)]
    meta = {"problem": problem.fingerprint(), "n_starts": n_starts, "chunk_size": chunk_size,
            "seeds": [list(map(int, s.generate_state(2))) for s in seeds],
            "settings": settings.as_dict()}
    parts = map_chunks(descend, tasks, executor=executor, n_jobs=n_jobs, progress=progress,
                       checkpoint=checkpoint, meta=meta)
    data = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    factors = tuple(data[f"factor{j}"] for j in range(problem.n_factors))
    return classify(problem, data, factors, settings, value_tol, eq_tol, bound_variables,
                    np.random.default_rng(seeds[0].spawn(1)[0]))
