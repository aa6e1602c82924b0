"""Run chunks of random starts serially, on local processes (joblib) or on dask.distributed.

Reproducibility does not depend on the executor: :func:`seed_plan` splits the starts into
chunks of a fixed size and gives chunk ``c`` the ``c``-th child of one SeedSequence derived
deterministically from ``rng``; every executor runs the same function on the same chunks
and the results are put back in chunk order.

:func:`map_chunks` also writes every finished chunk to a ``checkpoint`` directory (one
``chunk_00012.npz`` per chunk, atomically, plus ``meta.json`` describing the run): an
interrupted run started again with the same arguments loads the finished chunks and only
computes the missing ones. A tqdm progress bar counts finished starts.

Executors
---------
``None`` or ``"serial"``
    a Python loop in this process.
``"joblib"``
    ``joblib.Parallel(n_jobs, return_as="generator_unordered")`` on local processes (loky).
``"dask"``
    a ``distributed.LocalCluster`` with ``n_jobs`` single-threaded worker processes, closed
    afterwards.
``"tcp://host:port"`` (any string containing ``"://"``)
    the dask scheduler at that address.
a ``distributed.Client``
    used as is (e.g. ``Client(LocalCluster(n_workers=2, processes=False))``).

Examples
--------
>>> sizes, seeds = seed_plan(0, 10, 4)
>>> sizes
[4, 4, 2]
>>> map_chunks(_square, [(2,), (3,)])
[{'x': array(4)}, {'x': array(9)}]
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from identifiability.core.validation import check_int, check_rng, param_error

__all__ = ["seed_plan", "map_chunks", "EXECUTORS"]

EXECUTORS = ("serial", "joblib", "dask")
_FUNC = "map_chunks"
_PROGRESS_AUTO = 5000   # starts from which the progress bar is on by default


def _square(x: int) -> dict[str, np.ndarray]:
    """Toy chunk function for the docstring example."""
    return {"x": np.array(x * x)}


def seed_plan(rng: Any, n: int, chunk_size: int
              ) -> tuple[list[int], list[np.random.SeedSequence]]:
    """Split ``n`` starts into chunks of ``chunk_size`` with one child seed per chunk.

    The root SeedSequence is ``SeedSequence(rng)`` for an int seed, or is drawn from the
    Generator ``rng`` (so a Generator in a given state always gives the same plan).

    >>> sizes, seeds = seed_plan(7, 5, 2)
    >>> sizes, len(seeds)
    ([2, 2, 1], 3)
    """
    func = "seed_plan"
    n = check_int(n, "n", func, low=1)
    chunk_size = check_int(chunk_size, "chunk_size", func, low=1)
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        root = np.random.SeedSequence(int(rng))
    else:
        gen = check_rng(rng, func)
        root = np.random.SeedSequence(gen.integers(0, 2 ** 63, size=4).tolist())
    sizes = [min(chunk_size, n - s) for s in range(0, n, chunk_size)]
    return sizes, root.spawn(len(sizes))


# --------------------------------------------------------------------------- checkpoints

class _Store:
    """Chunk files in a directory, tied to the run by ``meta.json``."""

    def __init__(self, path: Any, meta: dict):
        self.dir = Path(path)
        self.dir.mkdir(parents=True, exist_ok=True)
        text = json.dumps(meta, sort_keys=True)
        info = self.dir / "meta.json"
        if info.exists():
            if info.read_text() != text:
                raise param_error(_FUNC, "checkpoint", "a new directory or one written by the "
                                  "same run (same problem, seed, sizes and settings)",
                                  f"{str(path)!r} which holds another run", raw=True)
        else:
            self._atomic(info, lambda f: f.write(text.encode()))

    def _file(self, c: int) -> Path:
        return self.dir / f"chunk_{c:05d}.npz"

    def _atomic(self, target: Path, write: Callable) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, target)

    def load(self, c: int) -> dict | None:
        f = self._file(c)
        if not f.exists():
            return None
        with np.load(f, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}

    def save(self, c: int, result: dict) -> None:
        self._atomic(self._file(c), lambda f: np.savez(f, **result))


# --------------------------------------------------------------------------- back ends

def _serial(func, todo, tasks, n_jobs):
    for c in todo:
        yield c, func(*tasks[c])


def _call(func, c, args):
    return c, func(*args)


def _joblib(func, todo, tasks, n_jobs):
    from joblib import Parallel, delayed

    par = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    yield from par(delayed(_call)(func, c, tasks[c]) for c in todo)


def _dask(func, todo, tasks, n_jobs, client=None, address=None):
    from distributed import Client, LocalCluster, as_completed

    own_cluster = own_client = None
    if client is None:
        if address is None:
            own_cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1,
                                       dashboard_address=None)
            own_client = client = Client(own_cluster)
        else:
            own_client = client = Client(address)
    try:
        futures = [client.submit(_call, func, c, tasks[c], pure=False) for c in todo]
        for fut in as_completed(futures):
            yield fut.result()
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()


def _backend(executor: Any):
    if executor is None or executor == "serial":
        return _serial
    if executor == "joblib":
        return _joblib
    if executor == "dask":
        return _dask
    if isinstance(executor, str) and "://" in executor:
        return lambda f, todo, tasks, n: _dask(f, todo, tasks, n, address=executor)
    if type(executor).__name__ == "Client" and hasattr(executor, "submit"):
        return lambda f, todo, tasks, n: _dask(f, todo, tasks, n, client=executor)
    raise param_error(_FUNC, "executor", "None, 'serial', 'joblib', 'dask', a scheduler "
                      "address 'tcp://...' or a distributed.Client", executor)


def map_chunks(func: Callable[..., dict], tasks: Sequence[tuple], *, executor: Any = None,
               n_jobs: int = 2, progress: bool | None = None, checkpoint: Any = None,
               meta: dict | None = None) -> list[dict]:
    """``[func(*t) for t in tasks]`` on an executor, with checkpoints and a progress bar.

    Parameters
    ----------
    func : callable returning a dict of numpy arrays (picklable: a module-level function)
    tasks : sequence of argument tuples (one per chunk); if the second entry is an int it is
        taken as the chunk's number of starts for the progress bar
    executor : see the module docstring
    n_jobs : int, default 2
    progress : bool, optional
        tqdm bar over starts; default on from 5000 starts.
    checkpoint : path, optional
        Directory for finished chunks (resumable, see the module docstring).
    meta : dict, optional
        JSON-able description of the run stored with the checkpoint; a checkpoint written
        by a run with a different ``meta`` is refused (``ValueError``).

    Returns
    -------
    list of dict, in task order.
    """
    n_jobs = check_int(n_jobs, "n_jobs", _FUNC, low=1)
    run = _backend(executor)
    tasks = list(tasks)
    weights = [t[1] if len(t) > 1 and isinstance(t[1], (int, np.integer)) else 1 for t in tasks]
    store = None if checkpoint is None else _Store(checkpoint, meta or {})
    results: list[dict | None] = [None] * len(tasks)
    if store is not None:
        for c in range(len(tasks)):
            results[c] = store.load(c)
    todo = [c for c in range(len(tasks)) if results[c] is None]
    total = sum(weights)
    show = progress if progress is not None else total >= _PROGRESS_AUTO
    bar = None
    if show and todo:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, initial=total - sum(weights[c] for c in todo), unit="start")
    try:
        for c, res in run(func, todo, tasks, n_jobs):
            results[c] = res
            if store is not None:
                store.save(c, res)
            if bar is not None:
                bar.update(weights[c])
    finally:
        if bar is not None:
            bar.close()
    return results  # type: ignore[return-value]
