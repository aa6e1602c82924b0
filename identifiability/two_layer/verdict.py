"""The answer of :func:`~identifiability.two_layer.check_uniqueness`: a :class:`Verdict`.

Every answer of the toolkit to "is this factorization unique?" is a :class:`Verdict` whose
``certificate`` a user can re-check with ``verdict.verify()``; the certificate classes
(:mod:`identifiability.two_layer.certificates`, re-exported here) verify and explain
themselves, and the verdict dispatches to them:

* ``"unique"`` -- :class:`CompletionCertificate` or :class:`AlgebraicCertificate`;
* ``"not_unique"`` -- :class:`AlternativeCertificate`;
* ``"infeasible"`` -- :class:`Obstruction`;
* ``"locally_unique"`` -- :class:`JacobianCertificate`;
* ``"undecided"`` -- no certificate, only the ``reason``.

How the decision was made follows the one exactness policy
(:mod:`identifiability.core.policy`): ``exact`` says whether it was made in exact
arithmetic, ``tol`` and ``tol_source`` record the tolerance of a numerical decision.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.display import closing_lines, summary_repr
from ..core.validation import param_error
from .certificates import (OBSTRUCTION_KINDS, AlgebraicCertificate, AlternativeCertificate,
                           CompletionCertificate, CompletionStep, JacobianCertificate,
                           Obstruction)
from .lifted import Shown, to_jsonable

__all__ = [
    "STATUSES",
    "OBSTRUCTION_KINDS",
    "Verdict",
    "CompletionStep",
    "CompletionCertificate",
    "AlternativeCertificate",
    "Obstruction",
    "AlgebraicCertificate",
    "JacobianCertificate",
    "decision_note",
    "html_table",
]

STATUSES = ("unique", "not_unique", "infeasible", "locally_unique", "undecided")

_TOL_SOURCES = ("exact input", "given", "default")


def decision_note(tol: float | None, tol_source: str, what: str = "max|A|") -> str:
    """One line for ``explain()``: exact arithmetic, or the tolerance and where it came from."""
    if tol is None:
        return "decided in exact arithmetic"
    how = "the tol given" if tol_source == "given" else \
        "the default tolerance DEFAULT_RTOL: inexact float input"
    return f"numerical decision at tol = {tol:.3g} relative to {what} ({how})"


def html_table(caption: str, rows: list[tuple[Any, ...]], header: tuple | None = None) -> str:
    """A small HTML table (for ``_repr_html_``): one ``<tr>`` per row, text escaped.

    >>> page = html_table("T", [("status", "unique"), ("verify()", True)])
    >>> page.startswith("<table><caption>T</caption>"), page.count("<tr>")
    (True, 2)
    """
    def cell(tag: str, v: Any) -> str:
        return f"<{tag} style='text-align:left'>{html.escape(str(v))}</{tag}>"

    head = "<tr>" + "".join(cell("th", h) for h in header) + "</tr>" if header else ""
    body = "".join("<tr>" + cell("th", r[0]) + "".join(cell("td", v) for v in r[1:]) + "</tr>"
                   for r in rows)
    return f"<table><caption>{html.escape(caption)}</caption>{head}{body}</table>"


@dataclass(frozen=True, repr=False)
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
    tol : float or None
        The relative decision tolerance used (``None``: exact arithmetic).
    tol_source : str
        ``"exact input"``, ``"given"`` (the caller's ``tol``) or ``"default"`` (inexact
        input decided at ``DEFAULT_RTOL``).
    margins : dict
        Numerical decisions: what the verdict rests on (``atol``, the smallest entry used as
        nonzero, the largest residual taken as zero, ...); ``{}`` for exact decisions.
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
    tol_source: str | None = field(default=None, repr=False)
    margins: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise param_error("Verdict", "status", f"one of {STATUSES}", self.status)
        if self.tol_source is None:
            object.__setattr__(self, "tol_source", "exact input" if self.tol is None else "given")
        elif self.tol_source not in _TOL_SOURCES:
            raise param_error("Verdict", "tol_source", f"one of {_TOL_SOURCES}",
                              self.tol_source)

    @property
    def exact(self) -> bool:
        """True when the verdict was decided in exact arithmetic (no tolerance involved)."""
        return self.tol is None and not self.field.startswith("numerical")

    def __repr__(self) -> str:
        return summary_repr("Verdict", status=self.status, field=self.field, exact=self.exact,
                            certificate=Shown(type(self.certificate).__name__)
                            if self.certificate is not None else None, reason=self.reason)

    def verify(self) -> bool:
        """Re-check the certificate from scratch; True when it proves the status.

        ``"undecided"`` verdicts verify trivially (they claim nothing). The certificate
        verifies itself (``certificate.verify(verdict)``) and must be one that can prove
        the status.
        """
        if self.status == "undecided":
            return True
        cert = self.certificate
        if cert is None or self.status not in getattr(cert, "proves", ()):
            return False
        return bool(cert.verify(self))

    def explain(self, *, verified: bool | None = None) -> str:
        """A readable multi-line account of the verdict and its certificate.

        ``verified``: the result of :meth:`verify` when already computed (else it runs).
        """
        lines = [f"Verdict: {self.status.upper()}  (field: {self.field})",
                 f"Reason: {self.reason}", f"Decision: {decision_note(self.tol, self.tol_source)}"]
        if self.margins and not getattr(self.certificate, "margins", None):
            lines.append(f"Margins: {self.margins}")
        if self.certificate is not None:
            lines += self.certificate.explain_lines()
        if verified is None:
            verified = self.verify()
        return "\n".join(lines + closing_lines(self.factors, verified))

    def to_dict(self, *, verified: bool | None = None) -> dict:
        """A JSON-ready summary: status, reason, how it was decided, the certificate
        (its own ``to_dict()``), the factors (exact numbers as strings) and ``verified``
        (computed unless given)."""
        out: dict[str, Any] = {"status": self.status, "reason": self.reason, "field": self.field,
                               "exact": self.exact, "tol": self.tol,
                               "tol_source": self.tol_source,
                               "margins": to_jsonable(self.margins),
                               "verified": bool(self.verify() if verified is None else verified)}
        if self.certificate is not None:
            out["certificate"] = self.certificate.to_dict()
        if self.factors is not None:
            out["factors"] = {"S1": to_jsonable(self.factors[0]),
                              "S2": to_jsonable(self.factors[1])}
        return out

    def _repr_html_(self) -> str:
        kind = type(self.certificate).__name__ if self.certificate is not None else "none"
        if getattr(self.certificate, "kind", None) is not None:
            kind += f" ({self.certificate.kind})"
        rows = [("status", self.status), ("reason", self.reason), ("field", self.field),
                ("decision", decision_note(self.tol, self.tol_source)),
                ("certificate", kind), ("verify()", str(self.verify()))]
        return html_table("Verdict", rows)
