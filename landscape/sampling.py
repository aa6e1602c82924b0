"""Sample the landscape of any problem: :func:`sample` dispatches through the problem protocol.

A problem object says how its starts run (``problem.sample_landscape``) and how its report
is saved, explained and drawn (the protocol of :mod:`landscape.report`); :func:`sample`
validates the arguments every problem shares, once, and hands them over. This module
imports no problem class; no problem type is special here: :class:`landscape.linear.Problem` (plain PALM on sparse factorizations) and
:class:`landscape.relu.ReLUProblem` (ReLU training against the convex reference) both
implement the protocol, and a new problem class only needs the methods.

>>> import numpy as np
>>> from landscape import Problem
>>> I = np.array([[1, 0], [1, 0], [0, 1]], bool)
>>> A = np.array([[3., 1, 5], [1, 3, 7], [2, 4, 6]])
>>> sample(Problem(A, supports=[I, I.T]), 4, rng=0).counts()
{'global': 4}
"""

from __future__ import annotations

from typing import Any

from identifiability.core.aliases import renamed_keywords
from identifiability.core.validation import check_choice, check_int, check_rng, param_error

from .report import LandscapeReport

__all__ = ["sample"]

_FUNC = "sample"


@renamed_keywords(algorithm="method", max_iter="n_iter")
def sample(problem: Any, n_starts: int, *, rng: Any = None, method: str | None = None,
           executor: Any = None, n_jobs: int = 2, chunk_size: int | None = None,
           n_iter: int | None = None, checkpoint: Any = None, progress: bool | None = None,
           **options: Any) -> LandscapeReport:
    """Run ``n_starts`` random starts of ``problem``, classify and cluster their end points.

    Parameters
    ----------
    problem : an object with a ``sample_landscape`` method
        :class:`landscape.linear.Problem` (see :func:`landscape.linear.sample_linear` for its
        options and defaults), :class:`landscape.relu.ReLUProblem` (see
        :func:`landscape.relu.sample_relu`), or any class following the protocol of
        :mod:`landscape.report`. Anything else is a ``TypeError``.
    n_starts : int
    rng : numpy.random.Generator, int seed or None
        The root of all randomness: the starts are split into chunks of ``chunk_size``,
        chunk ``c`` uses the ``c``-th child of a SeedSequence derived from ``rng``, so the
        results do not depend on the executor.
    method : str, optional
        Which algorithm runs the starts, one of ``problem.methods`` (the first is the
        default): ``"palm"`` for a linear problem; ``"lbfgs"``, ``"palm"`` or ``"sgd"`` for a
        ReLU problem. Formerly ``algorithm``.
    executor : None, "serial", "joblib", "dask", a dask scheduler address or a
        ``distributed.Client`` -- see :func:`landscape.executors.map_chunks`.
    n_jobs : int, default 2
        Workers for "joblib" / a default dask LocalCluster.
    chunk_size : int, optional
        Starts per batched chunk (part of the seed plan: keep it fixed to reproduce a run);
        the default is the problem's (256 linear, 16 ReLU).
    n_iter : int, optional
        Iterations per start at most; the default is the problem's (5000 PALM sweeps
        linear, 500 trainer iterations ReLU). Formerly ``max_iter``.
    checkpoint : path, optional
        Directory where finished chunks are written; a rerun with the same arguments
        resumes from it.
    progress : bool, optional
        tqdm progress bar (default: on for 5000 starts or more).
    **options
        Options of the problem's own sampler (linear: ``segment``, ``stat_tol``, ``step``,
        ``value_tol``, ``eq_tol``, ``bound_variables``); an option the problem does not know
        is a ``TypeError`` naming it.

    Returns
    -------
    landscape.report.LandscapeReport

    Examples
    --------
    >>> import numpy as np
    >>> from landscape import Problem
    >>> A = np.array([[3., 0, 1], [0, 1, -3], [1, -3, -2]])      # docs/theory.rst C33
    >>> I = np.array([[1, 0], [1, 1], [0, 1]], bool)
    >>> rep = sample(Problem(A, supports=[I, I.T]), 64, rng=1)
    >>> sorted({round(m.value, 6): m.kind for m in rep.clusters}.items())
    [(10.145898, 'global'), (11.0, 'spurious local minimum')]
    """
    run = getattr(problem, "sample_landscape", None)
    if not callable(run):
        raise param_error(_FUNC, "problem", "a problem with a sample_landscape method "
                          "(landscape.linear.Problem, landscape.relu.ReLUProblem, ...)",
                          problem, kind=TypeError)
    n_starts = check_int(n_starts, "n_starts", _FUNC, low=1)
    check_rng(rng, _FUNC)                      # validated here, passed on as given
    methods = tuple(getattr(problem, "methods", ()) or ())
    if method is not None and methods:
        method = check_choice(method, "method", _FUNC, methods)
    n_jobs = check_int(n_jobs, "n_jobs", _FUNC, low=1)
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size", _FUNC, low=1)
    if n_iter is not None:
        n_iter = check_int(n_iter, "n_iter", _FUNC, low=1)
    if progress is not None and not isinstance(progress, bool):
        raise param_error(_FUNC, "progress", "True, False or None", progress, kind=TypeError)
    return run(n_starts, rng=rng, method=method, executor=executor, n_jobs=n_jobs,
               chunk_size=chunk_size, n_iter=n_iter, checkpoint=checkpoint, progress=progress,
               **options)
