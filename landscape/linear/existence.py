"""Is ``inf ||A - S1 S2||_F^2`` over fixed supports attained? (docs/theory.rst A4, B8, C03/C31/C32/C36/C37)

:func:`infimum_attained` answers with a certificate:

* **attained, for every A** (closed set of products) when the supports are certified
  tractable by :func:`landscape.fixed_support.solve_fixed_support` -- pairwise disjoint
  rectangles, complete equivalence classes with disjoint rectangular remainders, dense
  supports. Proven: the product set is then a product of a linear space and determinantal
  varieties (rank <= |P| on disjoint blocks), a closed set; with ``A`` the certificate is
  the exact minimiser.
* **attained for this A** when ``A`` (inside the rectangles) has an exact factorization:
  :func:`identifiability.check_uniqueness` returns one (C32); the error is then the energy
  of ``A`` outside the rectangles. Proven (exact arithmetic).
* **not attained for this A** when the covered part of ``A`` has *no* exact factorization
  (an exact obstruction from ``check_uniqueness``) but ``A + eps E`` has one for
  ``eps = 2^-2, 2^-4, ...`` (``E`` a unit matrix at a covered zero of ``A`` or a generic
  integer matrix on the rectangles; every term factorized in exact arithmetic). The
  certificate (:class:`MinimizingSequence`) lists the factor pairs, their errors
  ``||A_out||^2 + eps^2 ||E||^2`` -> the infimum ``||A_out||^2`` and their balanced norms,
  which must (and do) grow without bound. What is proven: A is not exactly factorizable
  (exact obstruction) and the infimum is at most each listed error (exact factorizations);
  that the errors go to the infimum along the *whole* sequence is checked on the listed
  terms only (it holds for every eps in the LU / C36 families, where the factors are
  rational functions of eps, see docs/theory.rst C03/C36).
* **attained for this A** when the exact enumeration of every real critical point
  (:func:`landscape.linear.critical_values`, small supports, exact data) finds the smallest
  critical value below the *escape bound* (the least objective at a limit of products with
  unbounded factors): the certificate is the :class:`~landscape.linear.CriticalValues`, the
  infimum its global value (docs/theory.rst C33: 27/2 - 3 sqrt(5)/2, although the set of products is
  not closed there). Proven, up to the completeness of msolve's parametrization.
* **A=None** ("attained for every A?"): True for the closed families; False with a witness
  ``A`` (a generic product with one covered entry set to 0 that passes the test above, e.g.
  LU); ``None`` otherwise -- deciding closedness in general needs real quantifier
  elimination (Le, Riccietti & Gribonval 2023), not attempted.

For small supports the result also carries :class:`DivergenceEvidence` (numerical only):
plain PALM's objective and balanced factor norms at checkpoints (C37: the loss decreases,
the norms grow).

Examples
--------
>>> import numpy as np
>>> L = np.array([[1, 0], [1, 1]], bool)
>>> res = infimum_attained(L, L.T, np.array([[0, 1], [1, 0]]), rng=0)   # docs/theory.rst C03
>>> res.attained, float(res.infimum)
(False, 0.0)
>>> bool(np.all(np.diff(res.certificate.norms) > 0))
True
>>> infimum_attained(L, L.T, np.array([[2, 1], [1, 0]])).attained   # C32
True

Exactness policy (:mod:`identifiability.core.policy`): exact input is decided in exact
arithmetic (``exact=True``, and a proof when the answer is True/False); inexact floats
without ``tol`` are decided numerically at the default tolerance, which the result records
(``exact=False``, ``tol``, ``tol_source="default"``, ``proven=False``) and ``explain()``
states.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from identifiability import check_uniqueness
from identifiability.core.aliases import renamed_keywords
from identifiability.core.display import summary_repr
from identifiability.core.policy import Tolerance, decision_tolerance
from identifiability.core.rescaling import balanced_norm
from identifiability.core.validation import (as_support, check_chain, check_int,
                                         check_rng, param_error)
from identifiability.graphs import coverage

from ..divergence import diverging
from ..engine.fixed_support import solve_fixed_support
from .critical_values import critical_values
from .problem import Problem
from .sampling import Settings, descend

__all__ = ["Existence", "MinimizingSequence", "DivergenceEvidence", "infimum_attained"]

_FUNC = "infimum_attained"
_FEASIBLE = ("unique", "not_unique", "locally_unique")


@dataclass(frozen=True, repr=False)
class MinimizingSequence:
    """Exact factorizations of ``A + eps_k E`` witnessing ``inf = ||A_out||^2``, not attained.

    Attributes
    ----------
    A, E : the target and the perturbation direction (E supported on the rectangles)
    eps : (K,) the perturbation sizes; factors : tuple of (S1, S2) per term (float)
    errors : (K,) ``||A - S1 S2||_F^2``; norms : (K,) balanced ``sqrt(||S1||^2 + ||S2||^2)``
    infimum : ``||A outside the rectangles||_F^2``
    """

    A: np.ndarray
    E: np.ndarray
    eps: np.ndarray
    factors: tuple
    errors: np.ndarray
    norms: np.ndarray
    infimum: float

    def verify(self, *, rtol: float = 1e-9) -> bool:
        """Products equal ``A + eps E`` on the rectangles, errors decrease to the infimum,
        norms increase."""
        ok = True
        for e, (S1, S2), err in zip(self.eps, self.factors, self.errors):
            P = S1 @ S2
            cov = P != 0
            target = (self.A + e * self.E)
            scale = max(1.0, np.abs(target).max())
            ok &= bool(np.allclose(P[cov], target[cov], rtol=0, atol=rtol * scale * 1e3))
            ok &= bool(np.isclose(np.linalg.norm(self.A - P) ** 2, err, rtol=1e-6, atol=1e-12))
        ok &= bool(np.all(np.diff(self.errors) < 0) and np.all(np.diff(self.norms) > 0))
        ok &= bool(self.errors[-1] - self.infimum <= 1e-6 * max(1.0, self.infimum) + 1e-6)
        return ok

    def __repr__(self) -> str:
        return summary_repr("MinimizingSequence", A=self.A, terms=len(self.eps),
                            last_eps=float(f"{self.eps[-1]:.3g}"),
                            last_error=float(f"{self.errors[-1]:.3g}"),
                            last_norm=float(f"{self.norms[-1]:.4g}"),
                            infimum=float(f"{self.infimum:.6g}"))


@dataclass(frozen=True, repr=False)
class DivergenceEvidence:
    """Plain PALM (``normalize=False``) from random starts: numerical evidence only.

    ``objective`` and ``norms`` are (n_starts, T + 1) at checkpoints every ``segment``
    sweeps; ``diverging`` flags the starts with the divergence signature.
    """

    objective: np.ndarray
    norms: np.ndarray
    segment: int
    diverging: np.ndarray

    def __repr__(self) -> str:
        return summary_repr("DivergenceEvidence", starts=self.objective.shape[0],
                            checkpoints=self.objective.shape[1],
                            diverging=int(self.diverging.sum()))


@dataclass(frozen=True, repr=False)
class Existence:
    """Answer of :func:`infimum_attained`.

    ``attained`` is True, False or None (undecided); ``proven`` tells whether the answer is
    a proof (see the module docstring for what exactly is proven) or numerical evidence;
    ``infimum`` the infimum when known; ``certificate`` a FixedSupportSolution, a Verdict
    with factors, a CriticalValues, or a MinimizingSequence; ``witness`` the matrix A the
    answer is about (chosen by the function when A=None); ``evidence`` optional PALM runs.

    How it was decided (the exactness policy): ``exact`` (exact arithmetic on exact input),
    ``tol`` (the decision tolerance used, None when exact) and ``tol_source``
    (``"exact input"``, ``"given"`` or ``"default"``).
    """

    attained: bool | None
    reason: str
    certificate: Any
    infimum: float | None
    proven: bool
    witness: np.ndarray | None = None
    evidence: DivergenceEvidence | None = None
    exact: bool = True
    tol: float | None = None
    tol_source: str = "exact input"

    def __repr__(self) -> str:
        return summary_repr("Existence", attained=self.attained, proven=self.proven,
                            infimum=self.infimum, exact=self.exact, tol=self.tol,
                            reason=self.reason)

    @property
    def margins(self) -> dict:
        """Numerical margins of the feasibility decision the answer rests on (those of the
        :func:`identifiability.check_uniqueness` verdict at ``tol``); empty when exact."""
        inner = getattr(self.certificate, "certificate", None)
        found = getattr(inner, "margins", None)
        return dict(found) if found and not self.exact else {}

    def explain(self) -> str:
        """The answer, how it was decided (exactly, or at which tolerance and margins), and
        the certificate."""
        head = {True: "The infimum is attained", False: "The infimum is NOT attained",
                None: "Undecided"}[self.attained]
        lines = [f"{head} ({'proof' if self.proven else 'no proof'}): {self.reason}",
                 "How: " + Tolerance(self.tol, self.exact, self.tol_source).note + "."]
        if self.margins:
            lines.append("Margins: " + ", ".join(f"{k} = {v:.3g}" if isinstance(v, float)
                                                 else f"{k} = {v}"
                                                 for k, v in self.margins.items()))
        if isinstance(self.certificate, MinimizingSequence):
            c = self.certificate
            lines.append("Minimizing sequence (eps, error, balanced norm): " + "; ".join(
                f"{e:.3g}, {er:.3g}, {nm:.4g}" for e, er, nm in zip(c.eps, c.errors, c.norms)))
        if self.evidence is not None:
            ev = self.evidence
            lines.append(f"PALM evidence: {int(ev.diverging.sum())} of {ev.diverging.size} "
                         "starts show a decreasing loss with growing balanced norms.")
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers

def _float_factors(v) -> tuple[np.ndarray, np.ndarray]:
    S1, S2 = v.factors
    conv = (lambda M: np.array([[complex(x) for x in row] for row in M])
            if M.dtype == object else M)
    S1, S2 = conv(S1), conv(S2)
    if np.iscomplexobj(S1) and not (np.iscomplexobj(v.A) or np.any(np.imag(S1)) or
                                    np.any(np.imag(S2))):
        S1, S2 = S1.real, S2.real
    return S1, S2


def _decide(A, s1, s2, tol):
    return check_uniqueness(A, s1, s2, tol=tol)


def _sequence(A: np.ndarray, s1: np.ndarray, s2: np.ndarray, cov: np.ndarray, rng,
              n_terms: int, tol: float | None) -> MinimizingSequence | None:
    """Exact factorizations of ``A_in + eps E`` for eps = 4^-1..4^-n_terms, or None."""
    A_in = np.where(cov, A, 0)
    out_energy = float(np.sum(np.abs(np.where(cov, 0, A)) ** 2))
    candidates = []
    for i, j in np.argwhere(cov & (A == 0)):
        E = np.zeros(A.shape, dtype=np.int64)
        E[i, j] = 1
        candidates.append(E)
    G = rng.integers(1, 4, size=A.shape) * rng.choice([-1, 1], size=A.shape)
    candidates.append(np.where(cov, G, 0))
    eps = 4.0 ** -np.arange(1, n_terms + 1)
    for E in candidates:
        facs, errs, norms = [], [], []
        for e in eps:
            target = A_in + e * E
            v = _decide(target, s1, s2, tol)
            if v.status not in _FEASIBLE or v.factors is None:
                break
            S1, S2 = _float_factors(v)
            facs.append((S1, S2))
            errs.append(float(np.sum(np.abs(A - S1 @ S2) ** 2)))
            norms.append(float(balanced_norm([S1, S2])))
        else:
            seq = MinimizingSequence(np.asarray(A), E, eps, tuple(facs), np.array(errs),
                                     np.array(norms), out_energy)
            if np.all(np.diff(seq.norms) > 0) and np.all(np.diff(seq.errors) < 0):
                return seq
    return None


def _evidence(A, s1, s2, rng, n_starts: int, n_iter: int) -> DivergenceEvidence:
    settings = Settings(n_iter=n_iter, segment=max(1, n_iter // 10), stat_tol=1e-10,
                        step=1.01)
    A = np.asarray(A)
    out = descend(Problem(A.astype(np.complex128 if A.dtype.kind == "c" else np.float64),
                          supports=[s1, s2]), n_starts, rng.integers(2 ** 63), settings)
    div = diverging(out["history"], out["norms"],
                    converged=out["stationarity"] <= settings.stat_tol)
    return DivergenceEvidence(out["history"], out["norms"], settings.segment, div)


def _for_matrix(A, s1, s2, cov, rng, n_terms, tol, critical: bool = True) -> Existence:
    """Decide for one matrix (supports not in a closed family); ``critical``: try the exact
    critical points (off in the witness search, which looks for a non-attained infimum)."""
    A_in = np.where(cov, A, 0)
    out_energy = float(np.sum(np.abs(np.where(cov, 0, A)) ** 2))
    v = _decide(A_in, s1, s2, tol)
    if v.status in _FEASIBLE and v.factors is not None:
        return Existence(True, "the part of A on the rectangles has an exact factorization "
                         f"(check_uniqueness: {v.status}); the minimum is the energy outside "
                         "the rectangles", v, out_energy, tol is None, np.asarray(A))
    if v.status != "infeasible":
        return Existence(None, f"exact feasibility undecided: {v.reason}", v, None, False,
                         np.asarray(A))
    seq = _sequence(A, s1, s2, cov, rng, n_terms, tol)
    if seq is None and tol is None and critical:
        cv = critical_values(A, [s1, s2])
        if cv.certified:
            return Existence(True, "every real critical point was enumerated exactly "
                             f"(critical_values: {len(cv.points)} orbits modulo scaling); the "
                             f"smallest critical value {cv.global_value:.10g} is below the "
                             f"escape bound {float(cv.escape_bound):.10g} (the least objective "
                             "at a limit of products with unbounded factors), so the infimum "
                             "is attained there", cv, cv.global_value, True, np.asarray(A))
    if seq is None:
        return Existence(None, "no exact factorization of A on the rectangles "
                         f"({v.reason}), and no perturbation A + eps E with exact "
                         "factorizations was found: the infimum may be larger than the energy "
                         "outside the rectangles", v, None, False, np.asarray(A))
    return Existence(False, f"A has no exact factorization ({v.reason}), but A + eps E "
                     "has one for every listed eps, with errors decreasing to "
                     f"{out_energy:.6g} while the balanced factor norms grow",
                     seq, out_energy, tol is None, np.asarray(A))


# --------------------------------------------------------------------------- public API

@renamed_keywords(palm_starts="n_starts", palm_iter="n_iter")
def infimum_attained(support1: Any, support2: Any, A: Any = None, *, rng: Any = None,
                     n_terms: int = 6, tol: float | None = None,
                     n_starts: int = 0, n_iter: int = 4000) -> Existence:
    """Decide whether ``inf ||A - S1 S2||_F^2`` over the supports is attained.

    Parameters
    ----------
    support1 : (m, r) bool mask; support2 : (r, n) bool mask
    A : (m, n) array, optional
        The target. ``None`` asks whether the infimum is attained for *every* A
        (closedness of the set of products); then a witness A is searched.
    rng : Generator, int seed or None
        For the generic perturbation direction, the witness search and the PALM starts.
    n_terms : int, default 6
        Terms of the minimizing sequence (eps = 4^-1 ... 4^-n_terms).
    tol : float, optional
        Decision tolerance, passed to :func:`identifiability.check_uniqueness`. None: exact
        arithmetic on exact input; on inexact floats the default tolerance of
        :func:`identifiability.core.policy.decision_tolerance` (recorded in the result).
        With a tolerance the answer is numerical (``proven=False``).
    n_starts : int, default 0
        If positive, also run that many plain-PALM starts (``n_iter`` sweeps each) and
        attach the divergence evidence (C37). Formerly ``palm_starts``.
    n_iter : int, default 4000
        Sweeps of each PALM start. Formerly ``palm_iter``.

    Returns
    -------
    Existence
        ``attained`` True / False / None, ``reason``, ``certificate``, ``infimum``,
        ``proven``, ``witness``, optional ``evidence``, and ``exact`` / ``tol`` /
        ``tol_source`` (how it was decided).

    Examples
    --------
    >>> import numpy as np
    >>> I = np.array([[1, 0], [1, 0], [0, 1]], bool)
    >>> infimum_attained(I, I.T).attained            # disjoint rectangles: closed
    True
    >>> L = np.array([[1, 0], [1, 1]], bool)
    >>> res = infimum_attained(L, L.T, rng=0)         # LU pattern: a witness A
    >>> res.attained, res.witness.tolist()
    (False, [[0, -9], [-2, -9]])
    """
    s1 = as_support(support1, "support1", _FUNC)
    s2 = as_support(support2, "support2", _FUNC)
    if s1.shape[1] != s2.shape[0]:
        raise param_error(_FUNC, "support2", f"a mask with {s1.shape[1]} rows (the columns of "
                          "support1)", f"shape {s2.shape}", raw=True)
    if A is not None:
        A, _ = check_chain(A, [s1, s2], _FUNC, names=["support1", "support2"])
    rng = check_rng(rng, _FUNC)
    n_terms = check_int(n_terms, "n_terms", _FUNC, low=2, high=20)
    n_starts = check_int(n_starts, "n_starts", _FUNC, low=0)
    n_iter = check_int(n_iter, "n_iter", _FUNC, low=10)
    policy = decision_tolerance(tol, *(() if A is None else (A,)), func=_FUNC)
    tol = policy.tol
    how = {"exact": policy.exact, "tol": policy.tol, "tol_source": policy.source}
    res = _decide_all(s1, s2, A, rng, n_terms, tol, n_starts, n_iter)
    return replace(res, **how)


def _decide_all(s1, s2, A, rng, n_terms, tol, n_starts, n_iter) -> Existence:
    cov = coverage(s1, s2) > 0
    probe = np.zeros(cov.shape) if A is None else A
    sol = solve_fixed_support(probe, s1, s2)
    if sol.status == "global":
        reason = (f"the supports are certified tractable ({sol.reason}): the set of products "
                  "is closed, so the infimum is attained for every A")
        return Existence(True, reason, sol, None if A is None else float(sol.value), True,
                         None if A is None else np.asarray(A))
    if A is not None:
        res = _for_matrix(A, s1, s2, cov, rng, n_terms, tol)
        if n_starts:
            res = replace(res, evidence=_evidence(A, s1, s2, rng, n_starts, n_iter))
        return res
    if cov.size > 64:
        return Existence(None, "the supports are not in a certified closed family and are too "
                         "large for the witness search (more than 64 entries)", sol, None,
                         False)
    x = np.where(s1, rng.integers(1, 4, size=s1.shape) * rng.choice([-1, 1], size=s1.shape), 0)
    y = np.where(s2, rng.integers(1, 4, size=s2.shape) * rng.choice([-1, 1], size=s2.shape), 0)
    P = x @ y
    for i, j in np.argwhere(cov):
        W = P.copy()
        W[i, j] = 0
        res = _for_matrix(W, s1, s2, cov, rng, n_terms, None, critical=False)
        if res.attained is False:
            return Existence(False, f"the set of products is not closed: witness A (a generic "
                             f"product with entry ({i}, {j}) set to 0): " + res.reason,
                             res.certificate, res.infimum, res.proven, W)
    return Existence(None, "the supports are not in a certified closed family and no witness "
                     "of non-closedness was found among generic products with one entry set "
                     "to 0; deciding closedness in general needs real quantifier elimination",
                     sol, None, False)

