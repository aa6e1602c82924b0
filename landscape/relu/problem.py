"""Two-layer ReLU training problems and their landscapes: :class:`ReLUProblem`, :func:`sample_relu`.

A :class:`ReLUProblem` follows the problem protocol of :mod:`landscape.report`, so
:func:`landscape.sample` runs it like a linear problem: many starts of
:func:`landscape.relu.train_relu` (seeded chunks on any executor of
:mod:`landscape.executors`, same result on all) are classified against the convex reference
(:func:`landscape.relu.convex_reference`) -- "global" / "best found", "spurious local
minimum", "saddle", "diverging", "not converged" -- and clustered modulo the ReLU
symmetries (:func:`identifiability.relu.equivalent`), in the same
:class:`landscape.report.LandscapeReport`.

>>> import numpy as np
>>> X = np.array([[-1.], [0.], [1.], [2.]])
>>> prob = ReLUProblem(X, np.array([1., 0., 1., 2.]), width=4, beta=1e-2)
>>> prob.kind, prob.describe()["existence"]
('relu', 'relu_optimum_exists')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence

import numpy as np

from identifiability.core.aliases import renamed_keywords
from identifiability.core.display import summary_repr
from identifiability.core.validation import (
    as_matrix,
    as_support,
    check_choice,
    check_int,
    check_real,
    check_rng,
    param_error,
)
from identifiability.relu import ReLUNet, equivalent

from ..engine.projections import support
from ..executors import map_chunks, seed_plan
from ..report import LandscapeReport, Minimum, register_problem
from .convex import ConvexReference, convex_reference, reduce_network
from .kernels import forward, loss_and_grads, penalty, smooth_loss
from .training import METHODS, TrainResult, diverging_starts, merge_results, train_relu

__all__ = ["ReLUProblem", "sample_relu", "descent_direction"]

#: Trainers of a ReLU landscape, the default first.
RELU_METHODS = ("lbfgs",) + tuple(m for m in METHODS if m != "lbfgs")

#: Perturbation radii (relative to the parameter norm) and directions per radius of the
#: descent test that separates spurious local minima from saddles.
_RADII, _N_DIRECTIONS = (1e-2, 3e-2, 1e-1), 64


@dataclass(frozen=True, repr=False)
class ReLUProblem:
    """A one-hidden-layer ReLU training problem, dense or with fixed supports.

    ``X`` (n, d) is the raw data; with ``bias=True`` a column of ones is appended (a hidden
    bias, penalised like a weight, as in the convex reformulation). Objective:
    ``1/2 ||relu(Xb W1^T) W2^T - Y||^2 + beta/2 (||W1||^2 + ||W2||^2)`` with ``Xb`` the
    :attr:`design`, ``Y`` the targets ``y`` as an (n, outputs) matrix, and, when
    ``supports`` is given, the weights restricted to those masks.

    Parameters
    ----------
    X : array (n, d)
    y : array (n,) or (n, outputs)
    width : int
    beta : float >= 0
        Weight decay. With ``beta > 0`` an optimum always exists (coercive objective);
        ``beta = 0`` with sparse supports can have none (docs/theory.rst C28: starts then diverge).
    bias : bool, default True
    supports : (mask of W1 (width, design columns), mask of W2 (outputs, width)), optional
        Fixed supports (the last design column is the hidden bias when ``bias``).

    The convex reference of :func:`sample_relu` exists for scalar outputs and ``beta > 0``;
    with supports its value is still a lower bound (the sparse networks are among the dense
    ones).

    It follows the problem protocol of :mod:`landscape.report`: ``kind``, ``methods``,
    :meth:`sample_landscape`, :meth:`describe`, :meth:`to_state` / :meth:`from_state`,
    :meth:`flat` / :meth:`unflat`, :meth:`objective_batch`.

    >>> ReLUProblem(np.ones((3, 2)), np.zeros(3), width=4, beta=0.1).design.shape
    (3, 3)
    """

    X: np.ndarray
    y: np.ndarray
    width: int
    beta: float
    bias: bool = True
    supports: tuple | None = None

    kind: ClassVar[str] = "relu"
    methods: ClassVar[tuple] = RELU_METHODS

    def __post_init__(self) -> None:
        func = "ReLUProblem"
        X = as_matrix(self.X, "X", func, allow_complex=False).astype(np.float64)
        y = np.asarray(self.y)
        y = as_matrix(y, "y", func, allow_complex=False, ndim=y.ndim if y.ndim in (1, 2) else 1
                      ).astype(np.float64)
        if y.shape[0] != X.shape[0]:
            raise param_error(func, "y", f"length {X.shape[0]}", f"length {y.shape[0]}",
                              raw=True)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "width", check_int(self.width, "width", func, low=1))
        object.__setattr__(self, "beta", check_real(self.beta, "beta", func, low=0.0))
        if not isinstance(self.bias, (bool, np.bool_)):
            raise param_error(func, "bias", "True or False", self.bias, kind=TypeError)
        object.__setattr__(self, "bias", bool(self.bias))
        if self.supports is not None:
            items = list(self.supports)
            if len(items) != 2:
                raise param_error(func, "supports", "two masks (W1 on the design, W2)",
                                  f"{len(items)} masks", raw=True)
            want = [(self.width, self.design.shape[1]), (self.Y.shape[1], self.width)]
            object.__setattr__(self, "supports", tuple(
                as_support(m, f"supports[{l}]", func, shape=sh)
                for l, (m, sh) in enumerate(zip(items, want))))

    # ------------------------------------------------------------------ data

    @property
    def design(self) -> np.ndarray:
        """``X`` with a column of ones appended when ``bias``."""
        return np.hstack([self.X, np.ones((len(self.X), 1))]) if self.bias else self.X

    @property
    def Y(self) -> np.ndarray:
        """The targets as an (n, outputs) matrix."""
        return self.y[:, None] if self.y.ndim == 1 else self.y

    @property
    def masks(self) -> tuple:
        """The supports, or all-True masks for a dense problem."""
        return self.supports or (np.ones((self.width, self.design.shape[1]), bool),
                                 np.ones((self.Y.shape[1], self.width), bool))

    @property
    def shapes(self) -> tuple:
        """Shapes of ``(W1, W2)``."""
        return (self.width, self.design.shape[1]), (self.Y.shape[1], self.width)

    @property
    def convex_applies(self) -> bool:
        """Scalar output and ``beta > 0``: the convex reformulation gives a reference."""
        return self.Y.shape[1] == 1 and self.beta > 0

    def objective_batch(self, weights: Sequence[np.ndarray]) -> np.ndarray:
        """Objective of a batch of networks ``(W1 (b, width, design cols), W2 (b, outputs,
        width))`` (entries outside the supports are taken as they are).

        >>> prob = ReLUProblem(np.ones((3, 1)), np.ones(3), width=1, beta=1.0, bias=False)
        >>> prob.objective_batch([np.ones((1, 1, 1)), np.ones((1, 1, 1))]).tolist()
        [1.0]
        """
        W1, W2 = weights
        zeros = [np.zeros(W1.shape[:2]), np.zeros(W2.shape[:2])]
        return smooth_loss([W1, W2], zeros, self.design, self.Y) + penalty([W1, W2], self.beta)

    def fingerprint(self) -> str:
        """A hash of the data and sizes (matches a checkpoint to its run)."""
        h = hashlib.sha256(np.ascontiguousarray(self.X).tobytes())
        h.update(np.ascontiguousarray(self.y).tobytes())
        h.update(repr((self.X.shape, self.y.shape, self.width, self.beta, self.bias)).encode())
        for m in self.supports or ():
            h.update(np.packbits(m).tobytes() + repr(m.shape).encode())
        return h.hexdigest()

    def __repr__(self) -> str:
        fields = dict(n=self.X.shape[0], d=self.X.shape[1], outputs=self.Y.shape[1],
                      width=self.width, beta=self.beta, bias=self.bias)
        if self.supports is not None:
            fields["support_weights"] = sum(int(m.sum()) for m in self.supports)
        return summary_repr("ReLUProblem", **fields)

    # ------------------------------------------------------------------ problem protocol

    def describe(self) -> dict:
        """What the report says about this problem kind (problem protocol)."""
        return {"same": "outputs on the data (within cluster_tol)",
                "existence": "relu_optimum_exists"}

    def to_state(self) -> tuple[dict, dict]:
        """``(meta, arrays)`` that rebuild the problem with :meth:`from_state`.

        >>> p = ReLUProblem(np.ones((3, 1)), np.ones(3), width=2, beta=0.5)
        >>> ReLUProblem.from_state(*p.to_state()).fingerprint() == p.fingerprint()
        True
        """
        meta = {"width": self.width, "beta": self.beta, "bias": self.bias,
                "supports": self.supports is not None}
        arrays = {"X": self.X, "y": self.y}
        if self.supports is not None:
            arrays.update(support0=self.supports[0], support1=self.supports[1])
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict, arrays: dict) -> "ReLUProblem":
        """Inverse of :meth:`to_state`."""
        return cls(arrays["X"], arrays["y"], width=int(meta["width"]), beta=float(meta["beta"]),
                   bias=bool(meta["bias"]), supports=(arrays["support0"], arrays["support1"])
                   if meta["supports"] else None)

    @staticmethod
    def reference_to_state(reference: ConvexReference) -> tuple[dict, dict]:
        """``(meta, arrays)`` of the convex reference of a report (problem protocol)."""
        return reference.to_state()

    @classmethod
    def reference_from_state(cls, meta: dict, arrays: dict) -> ConvexReference:
        """Inverse of :meth:`reference_to_state`."""
        return ConvexReference.from_state(meta, arrays)

    def flat(self, factors: Sequence[np.ndarray]) -> np.ndarray:
        """A batch of networks ``(W1 (n, ...), W2 (n, ...))`` as ``(n, p)`` real vectors (every
        weight is a coordinate)."""
        return np.concatenate([np.asarray(F).reshape(np.shape(F)[0], -1) for F in factors],
                              axis=1)

    def unflat(self, theta: np.ndarray) -> list[np.ndarray]:
        """Inverse of :meth:`flat`."""
        theta = np.atleast_2d(theta)
        (h, d), (o, _) = self.shapes
        return [theta[:, :h * d].reshape(-1, h, d), theta[:, h * d:].reshape(-1, o, h)]

    def train(self, n_starts: int, *, rng: Any = None, method: str = "lbfgs",
              n_iter: int = 500, init_scale: float = 1.0, stop_tol: float = 1e-6,
              executor: Any = None, n_jobs: int = 2, chunk_size: int = 16,
              checkpoint: Any = None, progress: bool | None = None) -> TrainResult:
        """The training run of :func:`sample_relu` (same seeds, same chunks): ``n_starts``
        starts of :func:`landscape.relu.train_relu` on the design with ``beta`` and the
        supports, no separate biases.

        >>> p = ReLUProblem(np.array([[-1.], [1.]]), np.array([1., 1.]), width=2, beta=0.1)
        >>> p.train(3, rng=0, n_iter=20).weights[0].shape
        (3, 2, 2)
        """
        return _train(self, n_starts, rng=check_rng(rng, "ReLUProblem.train"), method=method,
                      n_iter=n_iter, init_scale=init_scale, stop_tol=stop_tol,
                      executor=executor, n_jobs=n_jobs, chunk_size=chunk_size,
                      checkpoint=checkpoint, progress=progress)[0]

    def sample_landscape(self, n_starts: int, *, rng: Any = None, method: str | None = None,
                         executor: Any = None, n_jobs: int | None = None,
                         chunk_size: int | None = None, n_iter: int | None = None,
                         checkpoint: Any = None, progress: bool | None = None,
                         **options: Any) -> LandscapeReport:
        """:func:`sample_relu` for :func:`landscape.sample` (problem protocol).

        ``None`` takes the default of :func:`sample_relu`. Options: ``rtol`` (also accepted
        under the generic name ``value_tol``), ``cluster_tol`` (or ``eq_tol``),
        ``reference``, ``init_scale``, ``stop_tol``; any other is a ``TypeError`` naming it.
        """
        func = "ReLUProblem.sample_landscape"
        synonyms = {"value_tol": "rtol", "eq_tol": "cluster_tol"}
        known = ("rtol", "cluster_tol", "reference", "init_scale", "stop_tol")
        kw: dict[str, Any] = {}
        for key, value in options.items():
            name = synonyms.get(key, key)
            if name not in known:
                raise param_error(func, key, "not given: it is no option of a ReLU problem "
                                  f"(options: {', '.join(known + tuple(synonyms))})", value,
                                  kind=TypeError)
            if name in kw:
                raise param_error(func, key, f"not given together with {name!r} (the same "
                                  "option)", value, kind=TypeError)
            if value is not None:
                kw[name] = value
        given = dict(method=method, n_jobs=n_jobs, chunk_size=chunk_size, n_iter=n_iter)
        kw.update({k: v for k, v in given.items() if v is not None})
        return sample_relu(self, n_starts, rng=rng, executor=executor, checkpoint=checkpoint,
                           progress=progress, **kw)


# --------------------------------------------------------------------------------------
# sampling
# --------------------------------------------------------------------------------------

def _train_chunk(seed: np.random.SeedSequence, n: int, X: np.ndarray, y: np.ndarray,
                 opts: dict) -> dict[str, np.ndarray]:
    """``n`` starts of :func:`train_relu` from ``seed`` as a dict of arrays (for map_chunks)."""
    r = train_relu(X, y, n_starts=n, rng=np.random.default_rng(seed), **opts)
    out = {f"W{l}": W for l, W in enumerate(r.weights)}
    out.update({f"b{l}": b for l, b in enumerate(r.biases)})
    out.update(objective=r.objective, history=r.history, norm_history=r.norm_history,
               converged=r.converged, n_iter=r.n_iter)
    return out


def _as_result(part: dict, method: str, beta: float) -> TrainResult:
    """A chunk's dict of arrays (possibly read back from a checkpoint) as a TrainResult."""
    conv = part["converged"].astype(bool)
    return TrainResult((part["W0"], part["W1"]), (part["b0"], part["b1"]), part["objective"],
                       part["history"], part["norm_history"], conv, part["n_iter"],
                       diverging_starts(part["history"], part["norm_history"], conv, beta,
                                        False), method, False)


def _train(problem: ReLUProblem, n_starts: int, *, rng: np.random.Generator, method: str,
           n_iter: int, init_scale: float, stop_tol: float, executor: Any, n_jobs: int,
           chunk_size: int, checkpoint: Any, progress: bool | None) -> tuple:
    """``(TrainResult, seeds)`` of the seeded, chunked training run of a ReLU problem."""
    func = "ReLUProblem.train"
    n_starts = check_int(n_starts, "n_starts", func, low=1)
    method = check_choice(method, "method", func, RELU_METHODS)
    n_jobs = check_int(n_jobs, "n_jobs", func, low=1)
    chunk_size = check_int(chunk_size, "chunk_size", func, low=1)
    opts = {"widths": problem.width, "beta": problem.beta, "bias": False, "method": method,
            "n_iter": n_iter, "init_scale": init_scale, "stop_tol": stop_tol}
    sizes, seeds = seed_plan(rng, n_starts, chunk_size)
    meta = {"problem": problem.fingerprint(), "n_starts": n_starts, "chunk_size": chunk_size,
            "seeds": [list(map(int, s.generate_state(2))) for s in seeds], "options": opts}
    if problem.supports is not None:
        opts = opts | {"constraints": [support(m) for m in problem.supports]}
    parts = map_chunks(_train_chunk, [(sd, k, problem.design, problem.Y, opts)
                                      for sd, k in zip(seeds, sizes)],
                       executor=executor, n_jobs=n_jobs, checkpoint=checkpoint, meta=meta,
                       progress=progress)
    train = merge_results([_as_result(p, method, problem.beta) for p in parts], problem.beta)
    return train, seeds


def _stationarity(problem: ReLUProblem, W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """Norm of the objective's gradient per start, divided by ``||y||^(3/2)`` (invariant
    under ``y -> c y`` at balanced weights, as for the linear problems)."""
    zeros = [np.zeros(W1.shape[:2]), np.zeros(W2.shape[:2])]
    _, gW, _ = loss_and_grads([W1, W2], zeros, problem.design, problem.Y)
    g2 = sum((((g + problem.beta * W) * m) ** 2).sum(axis=(1, 2))
             for g, W, m in zip(gW, (W1, W2), problem.masks))
    return np.sqrt(g2) / max(float(np.linalg.norm(problem.y)), 1e-300) ** 1.5


def descent_direction(problem: ReLUProblem, W1: Any, W2: Any, rng: Any = None
                      ) -> tuple | None:
    """A random perturbation ``(dW1, dW2)`` (on the supports) that decreases the objective of
    the network ``(W1, W2)``, or None: the saddle test of :func:`sample_relu`.

    64 directions at each of the radii 1e-2, 3e-2, 1e-1, relative to the parameter norm or
    to the natural weight scale ``sqrt(||y|| / ||X||)`` when that is larger (e.g. at the
    origin). Numerical evidence: None does not prove a local minimum.

    >>> p = ReLUProblem(np.array([[1.], [2.]]), np.array([1., 2.]), width=1, beta=0.01,
    ...                 bias=False)
    >>> descent_direction(p, np.zeros((1, 1)), np.zeros((1, 1)), rng=0) is not None
    True
    """
    func = "descent_direction"
    if not isinstance(problem, ReLUProblem):
        raise param_error(func, "problem", "a ReLUProblem", problem, kind=TypeError)
    (h, d), (o, _) = problem.shapes
    W1 = as_matrix(W1, "W1", func, allow_complex=False).astype(np.float64)
    W2 = as_matrix(W2, "W2", func, allow_complex=False).astype(np.float64)
    for name, W, sh in (("W1", W1, (h, d)), ("W2", W2, (o, h))):
        if W.shape != sh:
            raise param_error(func, name, f"an array of shape {sh}", f"shape {W.shape}",
                              raw=True)
    rng = check_rng(rng, func)
    theta = np.concatenate([W1.ravel(), W2.ravel()])
    free = np.concatenate([m.ravel() for m in problem.masks])
    F0 = float(problem.objective_batch([W1[None], W2[None]])[0])
    natural = np.sqrt(np.linalg.norm(problem.y) / max(np.linalg.norm(problem.design), 1e-300))
    scale = max(float(np.linalg.norm(theta)), float(natural), 1e-12)
    for r in _RADII:
        U = rng.standard_normal((_N_DIRECTIONS, theta.size)) * free
        U *= r * scale / np.linalg.norm(U, axis=1, keepdims=True)
        T = theta + U
        F = problem.objective_batch([T[:, :W1.size].reshape(-1, *W1.shape),
                                     T[:, W1.size:].reshape(-1, *W2.shape)])
        j = int(np.argmin(F))
        if F[j] < F0 - 1e-8 * max(1.0, abs(F0)):
            return U[j, :W1.size].reshape(W1.shape), U[j, W1.size:].reshape(W2.shape)
    return None


def _relu_reference(problem: ReLUProblem, ref: ConvexReference | None, best: float,
                    rtol: float) -> tuple[str, float, str, float | None]:
    """``(kind, value, note, lower bound)`` of the reference value for a ReLU problem."""
    if ref is None:
        why = "vector output" if problem.Y.shape[1] > 1 else "no weight decay (beta = 0)"
        return "best found", best, f"no certificate: no convex reference ({why})", None
    fits = ref.n_neurons <= problem.width and problem.supports is None
    if ref.exhaustive and ref.lower_bound is not None:
        lb = ref.lower_bound
        what = f"convex reformulation (Pilanci & Ergen; all {ref.n_patterns} activation " \
               f"patterns, dual bound {lb:.10g})"
        if fits:
            return "global", ref.objective, f"{what}: global optimum in [{lb:.10g}, " \
                f"{ref.objective:.10g}], the upper end attained by a network of " \
                f"{ref.n_neurons} <= {problem.width} neurons", lb
        if np.isfinite(best) and best <= lb + rtol * abs(lb):
            return "global", lb, f"{what}: a lower bound ({_why_not(problem, ref)}) met " \
                f"within {rtol:.2g} by a trained network", lb
        return "best found", best, f"not certified: the {what} value {lb:.10g} is only a " \
            f"lower bound ({_why_not(problem, ref)})", lb
    attained = fits
    value = min(best, ref.value) if attained else best
    return "best found", value, "not certified: convex program on " \
        f"{ref.n_patterns} sampled activation patterns (an upper bound of the optimum" + \
        (", attained by its network)" if attained else ")"), None


def _why_not(problem: ReLUProblem, ref: ConvexReference) -> str:
    if problem.supports is not None:
        return "the problem has fixed supports, the convex program is dense"
    return f"its network needs {ref.n_neurons} > {problem.width} neurons"


def _equivalence_classes(nets: list, tol: float) -> int:
    """Number of classes of ``nets`` modulo :func:`identifiability.relu.equivalent`."""
    reps: list[ReLUNet] = []
    for net in nets:
        if not any(r.widths == net.widths and equivalent(r, net, tol=tol) for r in reps):
            reps.append(net)
    return len(reps)


def _relu_clusters(problem: ReLUProblem, idx: np.ndarray, F: np.ndarray, train: TrainResult,
                   tol: float) -> list[tuple[np.ndarray, int]]:
    """Clusters of the starts ``idx``: objective within ``tol`` (relative) and outputs on the
    data within ``tol * ||Y||``; inside each, the equivalence classes modulo the ReLU
    symmetries (after merging parallel neurons for dense scalar-output problems). Returns
    ``(members, n_classes)`` by increasing objective."""
    if idx.size == 0:
        return []
    order = idx[np.argsort(F[idx], kind="stable")]
    out = forward([W[order] for W in train.weights], [b[order] for b in train.biases],
                  problem.design)[-1].reshape(order.size, -1)
    scale = tol * max(float(np.linalg.norm(problem.Y)), 1e-300)
    label = np.full(order.size, -1)
    groups = []
    for t in range(order.size):
        if label[t] >= 0:
            continue
        near = (label < 0) & (F[order] <= F[order[t]] + tol * max(abs(F[order[t]]), 1e-300)) \
            & (np.linalg.norm(out - out[t], axis=1) <= scale)
        label[near] = len(groups)
        groups.append(order[near])
    merge = problem.supports is None and problem.Y.shape[1] == 1
    return [(m, _equivalence_classes([reduce_network(train.net(int(i)), tol) if merge
                                      else train.net(int(i)) for i in m], tol)) for m in groups]


@renamed_keywords(tol="stop_tol")
def sample_relu(problem: ReLUProblem, n_starts: int, *, rng: Any = None, method: str = "lbfgs",
                n_iter: int = 500, rtol: float = 0.01, reference: ConvexReference | None = None,
                cluster_tol: float = 1e-2, init_scale: float = 1.0, stop_tol: float = 1e-6,
                executor: Any = None, n_jobs: int = 2, chunk_size: int = 16,
                checkpoint: Any = None, progress: bool | None = None) -> LandscapeReport:
    """Train from ``n_starts`` random starts and classify them against the convex optimum.

    The result is the same :class:`landscape.report.LandscapeReport` as for linear problems
    (:func:`landscape.sample` hands ReLU problems to this function through
    :meth:`ReLUProblem.sample_landscape`); its ``factors`` are the trained ``(W1, W2)``
    (leading start axis; ``W1`` acts on ``problem.design``) and ``convex`` holds the
    :class:`~landscape.relu.ConvexReference`.

    Reference value (``reference_kind``):

    * ``"global"`` when the convex program used every activation pattern and its network has
      at most ``problem.width`` neurons (reference = that network's objective; the global
      optimum is certified between ``lower_bound``, a rigorous dual bound, and it), or when
      the dual bound -- valid for any width -- is met within ``rtol`` by a trained network
      (reference = the bound);
    * ``"best found"`` otherwise (sampled patterns: the convex value is only an upper bound,
      used when its network fits in the width; fixed supports: the dense convex value is
      a lower bound; vector outputs or ``beta = 0``: no convex reference).

    Classes: ``"global"`` / ``"best found"`` within ``rtol`` (relative) of the reference;
    other converged starts are clustered and the cluster's best network is perturbed at
    random (:func:`descent_direction`): ``"saddle"`` when a perturbation decreases the
    objective (the direction is kept), ``"spurious local minimum"`` otherwise -- numerical
    evidence, like the linear test; ``"diverging"`` when the training result says so
    (:attr:`TrainResult.diverging`: :func:`landscape.divergence.diverging` on the records,
    never with ``beta > 0``, where the objective is coercive); ``"not converged"``
    otherwise.

    Parameters
    ----------
    problem : ReLUProblem
    n_starts : int
    rng : Generator, int or None, optional
    method : {"lbfgs", "palm", "sgd"}, default "lbfgs"
        Trainer (:func:`train_relu`, dense, ``beta = problem.beta``). PALM and SGD can stall
        at kinks sitting on data points (reported as "not converged").
    n_iter : int, default 500
        Iterations of the trainer (at most).
    rtol : float, default 0.01
        Relative gap to the reference under which a start is at the reference value.
    reference : ConvexReference, optional
        Default: :func:`convex_reference` on ``problem.design`` when
        ``problem.convex_applies`` (scalar output, ``beta > 0``), else none: the reference is
        then the best value found.
    cluster_tol : float, default 1e-2
        Starts whose objectives agree within ``cluster_tol`` (relative) and whose outputs on
        the data agree within ``cluster_tol * ||Y||`` form one cluster (one minimum, as the
        linear report clusters equal products); inside a cluster the networks are counted
        modulo the ReLU symmetries (:func:`identifiability.relu.equivalent` with this
        tolerance, after -- dense scalar-output problems -- dropping neurons whose balanced
        size is below ``cluster_tol`` of the largest and merging parallel neurons: weight
        decay makes neuron splitting free) in ``Minimum.n_classes``.
    init_scale : float, default 1
        Passed to :func:`train_relu`.
    stop_tol : float, default 1e-6
        Stopping rule of :func:`train_relu` (formerly ``tol``).
    executor : None, "serial", "joblib", "dask", address or Client, optional
        Where the chunks of starts run (:func:`landscape.executors.map_chunks`, ``n_jobs``
        workers). The starts are split into chunks of ``chunk_size`` with one child seed
        each (:func:`landscape.executors.seed_plan`), so for a given ``rng`` the result
        does not depend on the executor.
    n_jobs, chunk_size : int
        Workers of the executor; starts per chunk (default 2, 16).
    checkpoint : path, optional
        Directory of finished chunks (a rerun with the same arguments resumes from it).
    progress : bool, optional
        tqdm progress bar (default: on from 5000 starts).

    Returns
    -------
    landscape.report.LandscapeReport

    Examples
    --------
    >>> X = np.array([[-1.], [0.], [1.], [2.]])
    >>> prob = ReLUProblem(X, np.array([1., 0., 1., 2.]), width=4, beta=1e-2)
    >>> rep = sample_relu(prob, 4, rng=0)
    >>> rep.reference_kind, rep.fraction_within(0.01) > 0
    ('global', True)
    """
    func = "sample_relu"
    if not isinstance(problem, ReLUProblem):
        raise param_error(func, "problem", "a ReLUProblem", problem, kind=TypeError)
    n_starts = check_int(n_starts, "n_starts", func, low=1)
    method = check_choice(method, "method", func, RELU_METHODS)
    rtol = check_real(rtol, "rtol", func, low=0.0)
    cluster_tol = check_real(cluster_tol, "cluster_tol", func, low=0.0, low_open=True)
    rng = check_rng(rng, func)
    Xd, y = problem.design, problem.Y
    if reference is None and problem.convex_applies:
        reference = convex_reference(Xd, y[:, 0], beta=problem.beta, rng=rng)
    elif reference is not None and not isinstance(reference, ConvexReference):
        raise param_error(func, "reference", "a ConvexReference or None", reference,
                          kind=TypeError)
    elif reference is not None and not problem.convex_applies:
        raise param_error(func, "reference", "None (no convex reference for vector outputs "
                          "or beta = 0)", reference, kind=TypeError)
    train, seeds = _train(problem, n_starts, rng=rng, method=method, n_iter=n_iter,
                          init_scale=init_scale, stop_tol=stop_tol, executor=executor,
                          n_jobs=n_jobs, chunk_size=chunk_size, checkpoint=checkpoint,
                          progress=progress)
    W1, W2 = train.weights
    F = train.objective
    div = train.diverging          # the one detector, the same answer as the TrainResult
    ok = ~div
    best = float(F[ok].min()) if ok.any() else np.inf
    kind, ref, note, lower = _relu_reference(problem, reference, best, rtol)
    tol_abs = rtol * max(abs(ref), 1e-12 * max(1.0, float((y ** 2).sum()))) \
        if np.isfinite(ref) else 0.0
    at_ref = ok & (F <= ref + tol_abs)
    labels = np.where(div, "diverging", "not converged").astype(object)
    labels[at_ref] = kind
    cand = np.flatnonzero(at_ref | (ok & train.converged))
    cluster = np.full(n_starts, -1, dtype=np.int64)
    clusters = []
    check = np.random.default_rng(seeds[0].spawn(1)[0])
    for m, n_classes in _relu_clusters(problem, cand, F, train, cluster_tol):
        rep = int(m[np.argmin(F[m])])
        direction = None
        if F[rep] <= ref + tol_abs:
            ck, why = kind, f"within {rtol:.2g} (relative) of the reference value"
        else:
            direction = descent_direction(problem, W1[rep], W2[rep], check)
            ck, why = (("saddle", "a random perturbation decreases the objective")
                       if direction is not None else
                       ("spurious local minimum", f"above the reference by more than "
                        f"{rtol:.2g}; no descent among {_N_DIRECTIONS} random perturbations "
                        f"at each radius {_RADII} (relative)"))
        labels[m] = ck
        cluster[m] = len(clusters)
        clusters.append(Minimum(len(clusters), ck, float(F[rep]), int(m.size), m.size / n_starts,
                                rep, n_classes, float("nan"), direction, why))
    settings = {"method": method, "n_iter": n_iter, "rtol": rtol, "cluster_tol": cluster_tol,
                "init_scale": init_scale, "stop_tol": stop_tol, "chunk_size": chunk_size}
    return LandscapeReport(problem=problem, objective=F, stationarity=_stationarity(problem, W1, W2),
                           history=train.history, norms=train.norm_history, n_iter=train.n_iter,
                           labels=labels.astype(str), cluster=cluster, factors=(W1, W2),
                           reference=float(ref), reference_kind=kind, reference_note=note,
                           lower_bound=lower, clusters=tuple(clusters), settings=settings,
                           convex=reference)


register_problem(ReLUProblem.kind, ReLUProblem)
