"""The linear sparse factorization problem: data, supports or constraints, and the problem
protocol of :mod:`landscape.report` (what :func:`landscape.sample` dispatches through).

>>> import numpy as np
>>> I = np.array([[1, 0], [1, 0], [0, 1]], bool)
>>> p = Problem(np.ones((3, 3)), supports=[I, I.T])
>>> p.kind, p.flat([np.ones((1, 3, 2)), np.ones((1, 2, 3))]).shape
('linear', (1, 6))
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence

import numpy as np

from identifiability.core.validation import as_matrix, check_chain, check_int, param_error

from ..engine.projections import Constraint, support
from ..report import LandscapeReport, decode_constraint, encode_constraint, register_problem
from .calculus import objective_values, unflatten
from .sampling import METHODS, sample_linear

__all__ = ["Problem"]


@dataclass(frozen=True, eq=False)
class Problem:
    """A factorization problem ``min ||A - S[0] @ ... @ S[L-1]||_F^2`` (L >= 2).

    Give exactly one of ``supports`` (boolean masks, one per factor: fixed-support problem)
    or ``constraints`` (:class:`landscape.projections.Constraint` objects: sparsity
    constraints such as ``topk(k)``). With constraints the inner sizes come from support
    constraints, else from ``inner`` (default ``min(m, n)`` each).

    Attributes
    ----------
    A : float64 or complex128 array (real input stays real)
    supports : tuple of bool arrays or None
    constraints : tuple of Constraint or None
    shapes : tuple of factor shapes

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[1, 0], [1, 1]], bool)
    >>> Problem(np.array([[0., 1], [1, 0]]), supports=[L, L.T])
    Problem(A: 2x2 real, supports: [3, 3] free entries, 6 parameters)

    It follows the problem protocol of :mod:`landscape.report` (``kind``, ``describe()``,
    ``to_state()`` / ``from_state``, ``flat`` / ``unflat`` / ``objective_batch``,
    ``sample_landscape``), so :func:`landscape.sample` runs it and reports can be saved.
    """

    #: Name of the problem class in saved reports.
    kind: ClassVar[str] = "linear"
    #: Methods of :meth:`sample_landscape` (the first is the default).
    methods: ClassVar[tuple] = METHODS

    A: Any
    supports: Any = None
    constraints: Any = None
    inner: Any = None
    shapes: tuple = field(init=False)

    def __post_init__(self) -> None:
        func = "Problem"
        A = as_matrix(self.A, "A", func)
        A = A.astype(np.complex128 if A.dtype.kind == "c" else np.float64)
        if (self.supports is None) == (self.constraints is None):
            raise param_error(func, "supports", "given, or constraints given (exactly one of "
                              "the two)", "both" if self.supports is not None else "neither",
                              raw=True)
        if self.supports is not None:
            if isinstance(self.supports, np.ndarray) and self.supports.ndim == 2:
                raise param_error(func, "supports", "a sequence of >= 2 masks",
                                  "a single mask", raw=True)
            items = list(self.supports)
            if len(items) < 2:
                raise param_error(func, "supports", "a sequence of >= 2 masks",
                                  f"{len(items)} mask(s)", raw=True)
            A, masks = check_chain(A, items, func)
            object.__setattr__(self, "supports", tuple(np.array(s) for s in masks))
            shapes = tuple(s.shape for s in masks)
        else:
            cons = self.constraints
            if isinstance(cons, Constraint) or not isinstance(cons, (list, tuple)):
                raise param_error(func, "constraints", "a list of >= 2 Constraint objects",
                                  cons, kind=TypeError)
            if len(cons) < 2:
                raise param_error(func, "constraints", "a list of >= 2 Constraint objects",
                                  f"{len(cons)} constraint(s)", raw=True)
            for j, c in enumerate(cons):
                if not isinstance(c, Constraint):
                    raise param_error(func, f"constraints[{j}]", "a Constraint", c,
                                      kind=TypeError)
            shapes = _constraint_shapes(A, cons, self.inner, func)
            for j, (c, shp) in enumerate(zip(cons, shapes)):
                c.check(shp, func=func, name=f"constraints[{j}]")
            object.__setattr__(self, "constraints", tuple(cons))
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "shapes", shapes)

    @property
    def n_factors(self) -> int:
        return len(self.shapes)

    @property
    def is_complex(self) -> bool:
        return self.A.dtype.kind == "c"

    @property
    def fixed(self) -> bool:
        """True for a fixed-support problem."""
        return self.supports is not None

    def constraint_list(self) -> list[Constraint]:
        """The constraints PALM projects onto (a support constraint per mask)."""
        return [support(s) for s in self.supports] if self.fixed else list(self.constraints)

    def n_parameters(self) -> int | None:
        """Real parameters of a fixed-support problem (``None`` for sparsity constraints)."""
        if not self.fixed:
            return None
        return int(sum(s.sum() for s in self.supports)) * (2 if self.is_complex else 1)

    def fingerprint(self) -> str:
        """A hash of the data (used to match a checkpoint to its run)."""
        h = hashlib.sha256(np.ascontiguousarray(self.A).tobytes())
        h.update(repr(self.A.shape).encode())
        for s in self.supports or ():
            h.update(np.packbits(s).tobytes() + repr(s.shape).encode())
        for c in self.constraints or ():
            h.update(repr(c).encode())
        h.update(repr(self.shapes).encode())
        return h.hexdigest()

    # ------------------------------------------------------------------ the problem protocol

    def sample_landscape(self, n_starts: int, **options: Any) -> LandscapeReport:
        """Run and classify ``n_starts`` starts: :func:`landscape.linear.sample_linear`
        (its keywords are the options)."""
        return sample_linear(self, n_starts, **options)

    def describe(self) -> dict:
        """What one cluster shares, and which function decides existence of an optimum."""
        return {"same": "product (not identifiable)", "existence": "infimum_attained"}

    def to_state(self) -> tuple[dict, dict]:
        """``(meta, arrays)`` that :meth:`from_state` rebuilds the problem from; constraints
        by :func:`landscape.report.encode_constraint`."""
        arrays = {"A": self.A}
        for j, s in enumerate(self.supports or ()):
            arrays[f"support{j}"] = s
        masks: list[np.ndarray] = []
        cons = None if self.fixed else [encode_constraint(c, masks) for c in self.constraints]
        arrays.update({f"mask{t}": m for t, m in enumerate(masks)})
        return {"n_factors": self.n_factors, "constraints": cons,
                "shapes": [list(s) for s in self.shapes]}, arrays

    @classmethod
    def from_state(cls, meta: dict, arrays: dict) -> "Problem":
        """Inverse of :meth:`to_state`."""
        L = meta["n_factors"]
        if meta["constraints"] is None:
            return cls(arrays["A"], supports=[arrays[f"support{j}"] for j in range(L)])
        cons = [decode_constraint(c, arrays) for c in meta["constraints"]]
        return cls(arrays["A"], constraints=cons, inner=[s[1] for s in meta["shapes"][:-1]])

    def _param_masks(self) -> list[np.ndarray]:
        if self.fixed:
            return list(self.supports)
        return [np.ones(shp, dtype=bool) for shp in self.shapes]

    def flat(self, factors: Sequence[np.ndarray]) -> np.ndarray:
        """Real parameter vectors ``(n, p)`` of a batch of factor tuples (batch axis first):
        the free entries (fixed supports; every entry under sparsity constraints) factor by
        factor, row-major, then imaginary parts for complex problems."""
        masks = self._param_masks()
        z = np.concatenate([np.asarray(F)[:, m] for F, m in zip(factors, masks)], axis=1)
        return np.concatenate([z.real, z.imag], axis=1) if self.is_complex else z.real.copy()

    def unflat(self, theta: np.ndarray) -> list[np.ndarray]:
        """Inverse of :meth:`flat` (``theta`` of shape ``(n, p)`` or ``(p,)``)."""
        return unflatten(self, theta, self._param_masks())

    def objective_batch(self, factors: Sequence[np.ndarray]) -> np.ndarray:
        """``||A - S[0] ... S[L-1]||_F^2`` for every start of a batch of factor tuples."""
        return objective_values(self, factors)

    def __repr__(self) -> str:
        kind = "complex" if self.is_complex else "real"
        head = f"Problem(A: {self.A.shape[0]}x{self.A.shape[1]} {kind}, "
        if self.fixed:
            return (head + f"supports: {[int(s.sum()) for s in self.supports]} free entries, "
                    f"{self.n_parameters()} parameters)")
        return head + f"constraints: {list(self.constraints)}, shapes {list(self.shapes)})"


def _constraint_shapes(A: np.ndarray, cons: Sequence[Constraint], inner: Any, func: str
                       ) -> tuple[tuple[int, int], ...]:
    L = len(cons)
    dims: list[int | None] = [A.shape[0]] + [None] * (L - 1) + [A.shape[1]]
    if inner is not None:
        vals = list(inner) if not np.isscalar(inner) else [inner] * (L - 1)
        if len(vals) != L - 1:
            raise param_error(func, "inner", f"{L - 1} inner sizes", f"{len(vals)}", raw=True)
        for t, v in enumerate(vals):
            dims[t + 1] = check_int(v, f"inner[{t}]", func, low=1)
    for j, c in enumerate(cons):
        if c.shape is not None:
            for pos, d in ((j, c.shape[0]), (j + 1, c.shape[1])):
                if dims[pos] is None:
                    dims[pos] = d
                elif dims[pos] != d:
                    raise param_error(func, f"constraints[{j}]", f"a constraint of shape "
                                      f"compatible with size {dims[pos]}", f"{c!r}", raw=True)
    dims = [min(A.shape) if d is None else d for d in dims]
    return tuple((dims[j], dims[j + 1]) for j in range(L))


register_problem(Problem.kind, Problem)
