"""Verdicts and the certificates that back them.

Every answer of the toolkit to "is this factorization unique?" is a :class:`Verdict` whose
``certificate`` a user can re-check with ``verdict.verify()``:

* ``"unique"`` -- :class:`CompletionCertificate` (the completion order, the private
  entries used at each step and a spanning tree of the bipartite graph they form) or
  :class:`AlgebraicCertificate` (a Groebner basis that has a single solution);
* ``"not_unique"`` -- :class:`AlternativeCertificate`: a second factorization that multiplies
  back to A and is not equivalent to ``verdict.factors``;
* ``"infeasible"`` -- :class:`Obstruction`: why no factorization exists;
* ``"locally_unique"`` -- :class:`JacobianCertificate`: the Jacobian rank at
  ``verdict.factors`` equals the number of parameters minus the scaling-orbit dimension;
* ``"undecided"`` -- no certificate, only the ``reason``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.display import fmt_array

__all__ = [
    "STATUSES",
    "Verdict",
    "CompletionStep",
    "CompletionCertificate",
    "AlternativeCertificate",
    "Obstruction",
    "AlgebraicCertificate",
    "JacobianCertificate",
]

STATUSES = ("unique", "not_unique", "infeasible", "locally_unique", "undecided")


@dataclass(frozen=True)
class CompletionStep:
    """One step of the rank-one completion argument.

    Attributes
    ----------
    k : int
        Inner index whose contribution ``C_k = S1[:, k] S2[k, :]`` is determined here.
    rows, cols : ndarray of int
        The rectangle ``I_k x J_k``.
    private : ndarray of shape (p, 2)
        Entries of the rectangle covered by no other not-yet-determined rectangle: there
        ``C_k`` equals the residual ``A - sum of the contributions determined before``.
    tree : ndarray of shape (t, 2)
        Edges (i, j) of a spanning tree of the nonzero private entries, seen as a bipartite
        graph on rows and columns: its connectivity fixes ``C_k`` up to nothing (the scale of
        ``x`` and ``y`` cancels in ``C_k``).
    zero_rows, zero_cols : ndarray of shape (z, 2)
        Private entries (i, j) with residual 0 that force a row i (resp. a column j) of the
        rectangle to vanish in ``C_k`` because the other end of the edge is nonzero.
    """

    k: int
    rows: np.ndarray
    cols: np.ndarray
    private: np.ndarray
    tree: np.ndarray
    zero_rows: np.ndarray
    zero_cols: np.ndarray


@dataclass(frozen=True)
class CompletionCertificate:
    """Proof of uniqueness by rank-one completion (Zheng, Riccietti, Gribonval 2021).

    ``steps`` lists, in order, how each contribution was forced. ``margins`` (numerical mode
    only) records the smallest |entry| used as nonzero and the largest consistency residual.
    """

    steps: tuple[CompletionStep, ...]
    field: str
    margins: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        order = [s.k for s in self.steps]
        head = order[:12]
        more = "" if len(order) <= 12 else f", ... ({len(order)} steps)"
        return f"CompletionCertificate(order={head}{more}, field={self.field!r})"


@dataclass(frozen=True)
class AlternativeCertificate:
    """A second factorization ``(S1, S2)`` of A, inequivalent to the verdict's factors."""

    factors: tuple[np.ndarray, np.ndarray]
    explanation: str

    def __repr__(self) -> str:
        return (f"AlternativeCertificate(S1={fmt_array(self.factors[0])}, "
                f"S2={fmt_array(self.factors[1])}, explanation={self.explanation!r})")


@dataclass(frozen=True)
class Obstruction:
    """Why no factorization with the given supports exists.

    ``kind`` is one of ``"uncovered_entry"``, ``"zero_private_entry"``,
    ``"inconsistent_completion"``, ``"nonzero_residual"``, ``"class_rank"``,
    ``"groebner"``; ``data`` holds the entries / matrices involved.
    """

    kind: str
    explanation: str
    data: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Obstruction(kind={self.kind!r}, explanation={self.explanation!r})"


@dataclass(frozen=True)
class AlgebraicCertificate:
    """Exact algebraic decision: a Groebner basis of the rank-one lifting system.

    ``basis`` is the reduced lex basis (sympy expressions) of ``system`` (the lifted
    equations on the rectangles ``stuck`` after the completion steps), ``variables`` the
    unknown entries of the contributions, ``n_solutions`` the number of solutions over the
    field (``None`` for infinitely many). ``steps`` are the completion steps that came first.
    ``method="z3"``: uniqueness over R rests on z3 proving that no real solution other than
    ``point`` exists (``verify()`` asks z3 again).
    """

    basis: tuple
    variables: tuple
    n_solutions: int | None
    field: str
    system: tuple = ()
    stuck: tuple = ()
    steps: tuple = ()
    method: str = "groebner"
    point: tuple = ()

    def __repr__(self) -> str:
        return (f"AlgebraicCertificate(field={self.field!r}, n_solutions={self.n_solutions}, "
                f"basis of {len(self.basis)} polynomials in {len(self.variables)} variables)")


@dataclass(frozen=True)
class JacobianCertificate:
    """Local uniqueness: rank of the Jacobian of (S1, S2) -> S1 @ S2 at the factors."""

    rank: int
    n_params: int
    orbit_dim: int
    field: str

    def __repr__(self) -> str:
        return (f"JacobianCertificate(rank={self.rank}, n_params={self.n_params}, "
                f"orbit_dim={self.orbit_dim}, field={self.field!r})")


@dataclass(frozen=True)
class Verdict:
    """Answer to "is A = S1 @ S2 unique (up to scaling and support-preserving permutations)?".

    Attributes
    ----------
    status : str
        One of ``"unique"``, ``"not_unique"``, ``"infeasible"``, ``"locally_unique"``,
        ``"undecided"``.
    reason : str
        One or two sentences a person can read.
    certificate : object or None
        See the module docstring; ``verify()`` re-checks it.
    factors : tuple (S1, S2) or None
        One factorization when one exists (float/complex arrays, or object arrays of
        ``Fraction`` when the entries are not exactly representable in floating point).
    field : str
        Where the verdict holds: ``"Q"``/``"R"``/``"C"`` for exact decisions (a rational A's
        completion verdict holds over every field containing its entries), or
        ``"numerical (tol=...)"``.
    A, support1, support2 : ndarray
        The inputs, kept so that ``verify()`` needs no arguments.
    """

    status: str
    reason: str
    certificate: Any
    factors: tuple | None
    field: str
    A: np.ndarray = field(repr=False)
    support1: np.ndarray = field(repr=False)
    support2: np.ndarray = field(repr=False)
    tol: float | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    def __repr__(self) -> str:
        return (f"Verdict(status={self.status!r}, field={self.field!r}, reason={self.reason!r}, "
                f"certificate={self.certificate!r})")

    def verify(self) -> bool:
        """Re-check the certificate from scratch; True when it proves the status.

        ``"undecided"`` verdicts verify trivially (they claim nothing).
        """
        from .certificates import verify_verdict

        return verify_verdict(self)

    def explain(self) -> str:
        """A readable multi-line account of the verdict and its certificate."""
        from .certificates import explain_verdict

        return explain_verdict(self)
