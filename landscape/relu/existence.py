"""Does a one-hidden-layer sparse ReLU training problem admit an optimum? (docs/theory.rst A6, B8, C28)

:func:`relu_optimum_exists` answers for ``f(x) = W2 relu(W1 x + b1) + b2`` with fixed supports
and the square loss on finite data ``X`` (n, d), ``Y`` (n, o), with a certificate that
:meth:`ReLUExistence.verify` re-checks from the inputs. Statuses never over-claim.

Biases reduce exactly to the no-bias case
-----------------------------------------
A hidden bias is a weight on an extra input column of ones (``W1``'s mask gets that column =
the mask of ``b1``; ``X`` gets a column of ones). The bias of output ``o`` is an extra
hidden neuron whose only input is the ones column and whose only output is ``o``:
``relu(c) b`` with ``c > 0`` is any ``b``, ``c <= 0`` gives 0 (which is ``b = 0``), so the
function set on any data is the same (one neuron per output keeps the output-overlap
components below as they are without biases). Everything below is about the reduced
problem.

Data-free certificate: the output-overlap graph
-----------------------------------------------
Hidden neurons with an empty input or output mask contribute nothing and are dropped; two
neurons are joined when their output masks intersect. On any data the set of outputs
``F = f(X)`` is the direct product, over the connected components, of the sets of the
components' outputs (disjoint output coordinates), and the loss splits accordingly: the
optimum is attained iff it is attained on every component. With ``V_C = {relu(X_C a)}``
(``X_C`` the columns of a neuron's input mask), ``V_C`` is a finite union of polyhedral
cones (on the closure of each activation cell ``relu(X_C a) = D X_C a``, a linear image of a
polyhedral cone), hence a closed cone. A component is certified closed when

* it is a **single neuron**: ``{v b^T : v in V, b in R^O}`` is closed (if
  ``v_k b_k^T -> M != 0``, normalise ``u_k = v_k / |v_k|`` in the compact ``V ∩ sphere``; a
  subsequence converges to ``u in V`` and ``|v_k| b_k = (v_k b_k^T)^T u_k -> M^T u``, so
  ``M = u (M^T u)^T``);
* it has a **scalar output** (all its neurons feed the same single output): the set is
  ``sum_h (V_h ∪ -V_h)``, a finite union of Minkowski sums of polyhedral cones, i.e. a finite
  union of polyhedral cones: closed (A6: Le, Riccietti & Gribonval 2023);
* every neuron has **one input**: ``relu(a t) = a relu(t)`` (``a >= 0``) or
  ``|a| relu(-t)`` (``a < 0``), so for each of the finitely many sign choices the set is a
  linear subspace: a finite union of subspaces, closed.

A closed set and a square loss coercive in the outputs: the minimum is attained. If every
component is certified, the status is ``"attained"`` for every data set
(certificate: :class:`Components`).

With data: the components that are not certified ("open")
-----------------------------------------------------------
Only the open neurons and their outputs are studied (the others attain their own optimum).

* **Exact fit** -> ``"attained"`` (infimum 0 attained). Multistart training proposes
  ``W1``; its rows are normalised and rationalised (``Fraction.limit_denominator``), the
  hidden features ``relu(X W1^T)`` are computed exactly and ``W2`` is solved on its support
  over Q (:func:`identifiability.exact.solve_exact`). The certificate (:class:`ExactFit`) is
  the exact network; ``verify()`` re-evaluates it exactly. Needs exact data (integers,
  dyadic floats, Fractions).
* **No exact fit** -> every combination of per-neuron activation patterns gives a polynomial
  system ``sum_h W2[o, h] D_h[k] (W1[h] x_k) = Y[k, o]`` with no solution over C (Groebner
  basis ``[1]`` over Q), decided by the exact polynomial engine
  :func:`identifiability.core.solve_system` (msolve, sympy fallback, its default time limit
  of 60 s per system; a system it does not decide leaves the status ``"undecided"``); a
  combination with an equation ``0 = Y[k, o] != 0`` needs no engine. msolve's ``"empty"`` is
  multi-modular (correct with high probability); :meth:`ReLUExistence.verify` re-solves
  every system with sympy's exact Groebner basis, which makes the refutation a proof.
  Refuting a *superset* of the realisable patterns is still a refutation. Per neuron, the
  open cells of the hyperplane arrangement ``{x_k^T u = 0}`` are enumerated by
  :func:`landscape.relu.arrangements.open_cells` (a point on a face of a cell behaves, in
  the fit system, like a point of an adjacent open cell since ``x_k^T u = 0`` there): the
  certified sweep for at most 3 inputs, else one data point at a time in exact arithmetic
  (an extension is kept when an LP point is verified exactly, dropped only with an exact
  Gordan certificate ``y >= 0, y != 0, A^T y = 0`` of emptiness, kept otherwise:
  ``patterns_exact`` is then False).
* **Not attained**: no exact fit *and* a minimising sequence (``sequence``, or
  :func:`lu_sequence` for the C28 pattern) whose losses decrease strictly to ~0 (certificate
  :class:`NoExactFit`). What is proven: no exact fit; the loss is at most each listed value;
  the limit 0 is read from the listed terms (for :func:`lu_sequence` it is ``6 eps^2``).
* Otherwise ``"undecided"`` with the reason (training evidence only).

Examples
--------
>>> import numpy as np
>>> relu_optimum_exists([np.ones((3, 2)), np.ones((1, 3))]).status
'attained'
>>> relu_optimum_exists([np.ones((2, 2)), np.eye(2)]).certificate.kinds
('single neuron', 'single neuron')
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import networkx as nx
import numpy as np

from identifiability.core.validation import (
    as_matrix,
    as_support,
    check_int,
    check_rng,
    param_error,
)
from identifiability.core.exact import (
    InexactInputError,
    exact_matmul,
    exact_to_float,
    solve_exact,
    to_exact,
)
from identifiability.core.display import summary_repr
from identifiability.core.polynomial import SystemSolution, solve_system
from identifiability.relu import ReLUNet
from identifiability.supports import rank_one_supports

from ..engine.projections import support
from .arrangements import open_cells
from .training import train_relu

__all__ = ["Components", "ExactFit", "NoExactFit", "ReLUExistence", "lu_sequence",
           "relu_optimum_exists"]

_FUNC = "relu_optimum_exists"
EPS = (1e-1, 1e-2, 1e-3, 1e-4)
LU_SUPPORTS = (np.array([[1, 1], [0, 1]], dtype=bool), np.array([[1, 0], [1, 1]], dtype=bool))
_DENOMINATORS = (1, 2, 6, 12, 100, 10 ** 4, 10 ** 6)
_LBFGS_ITER = 200       # iterations of the L-BFGS exact-fit search (it converges fast or never)
_TO_ZERO = 1e-6          # sequence "reaches ~0": last loss <= _TO_ZERO * ||Y||^2


# --------------------------------------------------------------------------- certificates

@dataclass(frozen=True, repr=False)
class Components:
    """Connected components of the output-overlap graph of the (bias-reduced) hidden neurons.

    Attributes
    ----------
    neurons, outputs : tuple of tuple of int
        Per component, its hidden neurons (reduced numbering: the original neurons, then the
        output-bias neuron when there is one) and the outputs they feed.
    kinds : tuple of str
        ``"single neuron"``, ``"scalar output"``, ``"one input per neuron"`` (certified
        closed, see the module docstring) or ``"open"``.
    dropped : tuple of int
        Neurons with an empty input or output mask (they contribute nothing).
    """

    neurons: tuple
    outputs: tuple
    kinds: tuple
    dropped: tuple

    def __repr__(self) -> str:
        return summary_repr("Components", kinds=self.kinds,
                            n_neurons=sum(len(c) for c in self.neurons),
                            dropped=self.dropped)

    @property
    def certified(self) -> bool:
        """Every component is certified closed (optimum attained for every data set)."""
        return "open" not in self.kinds

    @property
    def open_neurons(self) -> list[int]:
        """Neurons of the open components (sorted)."""
        return sorted(j for c, k in zip(self.neurons, self.kinds) if k == "open" for j in c)

    @property
    def open_outputs(self) -> list[int]:
        """Outputs of the open components (sorted)."""
        return sorted(o for c, k in zip(self.outputs, self.kinds) if k == "open" for o in c)


@dataclass(frozen=True, eq=False, repr=False)
class ExactFit:
    """An exact network fitting the open outputs: ``net(X)[:, outputs] == Y[:, outputs]``.

    ``net`` is a :class:`identifiability.relu.ReLUNet` on the original supports (biases when
    the problem has biases) with ``Fraction`` entries; the neurons of certified components
    are zero.
    """

    net: ReLUNet
    outputs: tuple

    def __repr__(self) -> str:
        return summary_repr("ExactFit", widths=self.net.widths, outputs=self.outputs)


@dataclass(frozen=True, eq=False, repr=False)
class NoExactFit:
    """Refuted activation patterns and a minimising sequence (status "not attained").

    Attributes
    ----------
    patterns : tuple of bool ndarray
        Per open neuron, the activation patterns on the data (rows); every combination's
        fit system has no solution (Groebner basis [1]).
    patterns_exact : bool
        The patterns are exactly the realisable ones (False: a superset, still sound).
    n_combinations : int
    eps : tuple of float
    nets : tuple of ReLUNet
        The sequence ``sequence(eps)`` on the original supports.
    losses : tuple of float
        ``||f(X) - Y||^2`` on the open outputs along the sequence.
    systems : tuple of SystemSolution or None
        Per combination (in the order of ``itertools.product(*patterns)``), the answer
        ``"empty"`` of :func:`~identifiability.core.solve_system` (msolve, sympy fallback)
        on its fit system, or None when an equation ``0 = Y[k, o] != 0`` refutes it alone.
    """

    patterns: tuple
    patterns_exact: bool
    n_combinations: int
    eps: tuple
    nets: tuple = field(repr=False)
    losses: tuple
    systems: tuple = field(repr=False)

    def __repr__(self) -> str:
        return summary_repr("NoExactFit", n_patterns=tuple(len(P) for P in self.patterns),
                            patterns_exact=self.patterns_exact,
                            n_combinations=self.n_combinations,
                            losses=tuple(float(f"{x:.3g}") for x in self.losses))


@dataclass(frozen=True)
class _Problem:
    """The validated inputs and the bias-reduced masks ``R1`` (h', d'), ``R2`` (o, h')."""

    S1: np.ndarray
    S2: np.ndarray
    b1: np.ndarray | None
    b2: np.ndarray | None
    X: np.ndarray | None
    Y: np.ndarray | None
    R1: np.ndarray
    R2: np.ndarray

    @property
    def ones_column(self) -> bool:
        return self.R1.shape[1] > self.S1.shape[1]

    def reduced_data(self) -> tuple:
        """``(Xf, Yf, Xe, Ye)``: float and exact (None if inexact) reduced data."""
        try:
            Xe, Ye = to_exact(self.X), to_exact(self.Y)
        except InexactInputError:
            Xe = Ye = None
        Xf, Yf = _float(self.X), _float(self.Y)
        if self.ones_column:
            Xf = np.hstack([Xf, np.ones((Xf.shape[0], 1))])
            if Xe is not None:
                Xe = np.hstack([Xe, np.full((Xe.shape[0], 1), Fraction(1), dtype=object)])
        return Xf, Yf, Xe, Ye


# --------------------------------------------------------------------------- result

@dataclass(frozen=True, repr=False)
class ReLUExistence:
    """Outcome of :func:`relu_optimum_exists`.

    Attributes
    ----------
    status : str
        ``"attained"``, ``"not attained"`` or ``"undecided"``.
    reason : str
    linear_closed : bool or None
        The linear counterpart's product set is closed (known family) or unknown (None).
    exact_fit : bool or None
        With data: True when an exact network fits the open outputs (certificate
        :class:`ExactFit`); False when every activation pattern's fit system is infeasible
        (Groebner basis [1]); None otherwise.
    n_patterns : int
        Activation-pattern combinations refuted (0 when not run).
    best_loss : float or None
        Smallest ``1/2 ||f(X) - Y||^2`` on the open outputs found by multistart training.
    diverging : bool or None
        Whether the best training run shows the divergence signature.
    sequence_losses : tuple of float
        ``||f(X) - Y||^2`` on the open outputs along the minimising sequence at
        ``eps = 1e-1, ..., 1e-4`` (the given ``sequence``, or :func:`lu_sequence` for C28).
    patterns_exact : bool or None
        The enumerated activation patterns are exactly the realisable ones (False: a
        superset; None: not enumerated).
    components : Components
        The output-overlap graph's components (always computed).
    certificate : Components, ExactFit, NoExactFit or None
        What proves the status (None when undecided).
    exact : bool
        The status was decided in exact arithmetic (data-free certificate, or exact data:
        ints, Fractions, floats that are exact rationals). False only for inexact float
        data, where the status is ``"undecided"`` with the reason (exactness policy of
        :mod:`identifiability.core.policy`: no numerical claim is made about existence).
    """

    status: str
    reason: str
    linear_closed: bool | None = None
    exact_fit: bool | None = None
    n_patterns: int = 0
    best_loss: float | None = None
    diverging: bool | None = None
    sequence_losses: tuple = ()
    patterns_exact: bool | None = None
    components: Components | None = None
    certificate: Any = None
    exact: bool = True
    problem: _Problem | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return summary_repr("ReLUExistence", status=self.status, exact_fit=self.exact_fit,
                            n_patterns=self.n_patterns,
                            best_loss=None if self.best_loss is None else
                            float(f"{self.best_loss:.6g}"),
                            certificate=type(self.certificate).__name__, exact=self.exact,
                            reason=self.reason)

    def verify(self) -> bool:
        """Re-check the certificate from the inputs; True when it proves the status.

        Recomputes the components; for an exact fit re-evaluates the network exactly; for
        "not attained" re-enumerates the patterns, rebuilds every fit system, checks that
        the certificate's answer is about that system and re-solves it with sympy (exact
        Groebner basis over Q, independent of msolve which decides by default), and
        re-evaluates the sequence. ``"undecided"`` verifies when no component certificate
        was missed (it claims nothing else).
        """
        p = self.problem
        if p is None:
            return False
        comps = _components(p.R1, p.R2)
        if comps != self.components:
            return False
        cert = self.certificate
        if self.status == "attained":
            if isinstance(cert, Components):
                return comps.certified and cert == comps
            return isinstance(cert, ExactFit) and _verify_fit(cert, p, comps)
        if self.status == "not attained":
            return (isinstance(cert, NoExactFit) and not comps.certified
                    and _verify_no_fit(cert, p, comps))
        return not comps.certified

    def explain(self) -> str:
        """A few lines in words: the status, why, and what the certificate is."""
        lines = [f"Status: {self.status}. {self.reason}"]
        c = self.components
        names = {"single neuron": "closed (single neuron)",
                 "scalar output": "closed (scalar output)",
                 "one input per neuron": "closed (one input per neuron)",
                 "open": "not certified"}
        for ns, os, k in zip(c.neurons, c.outputs, c.kinds):
            lines.append(f"  component: neurons {list(ns)} -> outputs {list(os)}: {names[k]}")
        cert = self.certificate
        if isinstance(cert, ExactFit):
            lines.append(f"  exact network (Fractions) reproduces Y on outputs "
                         f"{list(cert.outputs)} exactly: {cert.net!r}")
        if isinstance(cert, NoExactFit):
            kind = "exact" if cert.patterns_exact else "a superset of the realisable ones"
            engines = [sol.engine for sol in cert.systems if sol is not None]
            by = ", ".join(f"{engines.count(e)} by {e}" for e in sorted(set(engines)))
            lines.append(f"  {cert.n_combinations} activation-pattern combinations ({kind}) "
                         "all have Groebner basis [1]: no exact fit ("
                         f"{cert.n_combinations - len(engines)} by a constant equation"
                         + (f", {by}" if by else "") + "; verify() re-solves with sympy)")
            lines.append("  minimising sequence losses: "
                         + ", ".join(f"{x:.3g}" for x in cert.losses))
        if self.linear_closed is not None:
            lines.append("  the linear counterpart W2 @ W1 is in a closed family")
        lines.append("  decided in exact arithmetic" if self.exact else
                     "  inexact float data: no exact step was run (exactness policy)")
        return "\n".join(lines)


# --------------------------------------------------------------------------- C28 sequence

def lu_sequence(eps: float) -> ReLUNet:
    """The C28 minimising sequence ``W1 = [[eps, 1], [0, 1/eps]]``, ``W2 = [[1, 0], [1/eps, -1]]``.

    On data with ``x2 > 0`` and ``eps x1 + x2 > 0`` it computes ``(eps x1 + x2, x1)``:
    the target ``(x2, x1)`` up to ``eps x1``, so the loss ``||f(X) - Y||^2`` is
    ``eps^2 sum x1^2`` while the parameters blow up.

    >>> X = np.array([[1, 1], [2, 1], [1, 2]])
    >>> net = lu_sequence(0.1)
    >>> round(float(((net(X) - X[:, ::-1]) ** 2).sum()), 12)
    0.06
    """
    return ReLUNet([[[eps, 1.0], [0.0, 1.0 / eps]], [[1.0, 0.0], [1.0 / eps, -1.0]]],
                   supports=[[[1, 1], [0, 1]], [[1, 0], [1, 1]]])


# --------------------------------------------------------------------------- structure

def _linear_closed(S1: np.ndarray, S2: np.ndarray) -> bool | None:
    if S1.all() and S2.all():
        return True
    rects = [(set(r), set(c)) for r, c in rank_one_supports(S2, S1) if len(r) and len(c)]
    disjoint = all(not (a[0] & b[0]) or not (a[1] & b[1])
                   for a, b in itertools.combinations(rects, 2))
    return True if disjoint else None


def _reduce(S1: np.ndarray, S2: np.ndarray, b1, b2) -> tuple[np.ndarray, np.ndarray]:
    """Bias-free masks: ones column for hidden biases, one extra neuron per output bias
    (fed by the ones column only, writing to that output only: output-overlap components
    stay as they were without the biases)."""
    if b1 is None or not (b1.any() or b2.any()):
        return S1, S2
    d = S1.shape[1]
    outs = np.flatnonzero(b2)
    R1 = np.vstack([np.hstack([S1, b1[:, None]]),
                    np.tile(np.arange(d + 1) == d, (outs.size, 1))])
    R2 = np.hstack([S2, np.arange(S2.shape[0])[:, None] == outs[None, :]])
    return R1, R2


def _components(R1: np.ndarray, R2: np.ndarray) -> Components:
    keep = R1.any(axis=1) & R2.any(axis=0)
    G = nx.Graph()
    for j in np.flatnonzero(keep):
        G.add_node(("n", int(j)))
        G.add_edges_from((("n", int(j)), ("o", int(o))) for o in np.flatnonzero(R2[:, j]))
    comps = sorted((tuple(sorted(i for t, i in c if t == "n")),
                    tuple(sorted(i for t, i in c if t == "o")))
                   for c in nx.connected_components(G))
    kinds = tuple("single neuron" if len(ns) == 1 else "scalar output" if len(os) == 1
                  else "one input per neuron" if all(R1[j].sum() == 1 for j in ns) else "open"
                  for ns, os in comps)
    return Components(tuple(c[0] for c in comps), tuple(c[1] for c in comps), kinds,
                      tuple(int(j) for j in np.flatnonzero(~keep)))


# --------------------------------------------------------------------------- validation

def _check_biases(biases: Any, h: int, o: int) -> tuple:
    if biases is None or biases is False:
        return None, None
    if biases is True:
        return np.ones(h, dtype=bool), np.ones(o, dtype=bool)
    if not isinstance(biases, (tuple, list)) or len(biases) != 2:
        raise param_error(_FUNC, "biases", "None, True or a pair (mask of b1, mask of b2)",
                          biases, kind=TypeError)
    return (as_support(biases[0], "biases[0]", _FUNC, shape=(h,), ndim=1),
            as_support(biases[1], "biases[1]", _FUNC, shape=(o,), ndim=1))


def _problem(supports: Any, X: Any, Y: Any, biases: Any) -> _Problem:
    items = list(supports) if isinstance(supports, (list, tuple)) else None
    if items is None or len(items) != 2:
        raise param_error(_FUNC, "supports", "two masks (W1, W2) of a one-hidden-layer network",
                          f"{len(items)} masks" if items is not None else repr(supports)[:60],
                          raw=True)
    S1, S2 = (as_support(S, f"supports[{i}]", _FUNC) for i, S in enumerate(items))
    if S2.shape[1] != S1.shape[0]:
        raise param_error(_FUNC, "supports[1]", f"a mask with {S1.shape[0]} columns (the rows "
                          "of supports[0], the hidden neurons)", f"shape {S2.shape}", raw=True)
    b1, b2 = _check_biases(biases, S1.shape[0], S2.shape[0])
    if (X is None) != (Y is None):
        raise param_error(_FUNC, "Y" if Y is None else "X", "given together with "
                          + ("X" if Y is None else "Y") + " (or both None)", "None", raw=True)
    if X is not None:
        X = as_matrix(X, "X", _FUNC, allow_complex=False, allow_object=True)
        Y = as_matrix(Y, "Y", _FUNC, allow_complex=False, allow_object=True)
        if X.shape[1] != S1.shape[1]:
            raise param_error(_FUNC, "X", f"an array (n, {S1.shape[1]}) (the columns of "
                              "supports[0])", f"shape {X.shape}", raw=True)
        if Y.shape != (X.shape[0], S2.shape[0]):
            raise param_error(_FUNC, "Y", f"an array of shape {(X.shape[0], S2.shape[0])}",
                              f"shape {Y.shape}", raw=True)
    return _Problem(S1, S2, b1, b2, X, Y, *_reduce(S1, S2, b1, b2))


def _check_sequence(sequence: Any, p: _Problem) -> tuple:
    """``sequence(eps)`` for eps in EPS, each a ReLUNet on the supports (and bias masks)."""
    if not callable(sequence):
        raise param_error(_FUNC, "sequence", "a callable eps -> ReLUNet", sequence,
                          kind=TypeError)
    nets = tuple(sequence(e) for e in EPS)
    if not all(_on_supports(n, p) for n in nets):
        raise param_error(_FUNC, "sequence", "a callable eps -> ReLUNet with the widths, "
                          "supports and bias masks of the problem", sequence, kind=TypeError)
    return nets


def _on_supports(net: Any, p: _Problem) -> bool:
    if not isinstance(net, ReLUNet) or net.widths != (p.S1.shape[1], p.S1.shape[0],
                                                       p.S2.shape[0]):
        return False
    ok = all(not np.any(np.asarray(W)[~S] != 0) for W, S in zip(net.weights, (p.S1, p.S2)))
    if net.biases is not None:
        masks = (p.b1, p.b2) if p.b1 is not None else (np.zeros(p.S1.shape[0], bool),
                                                       np.zeros(p.S2.shape[0], bool))
        ok &= all(not np.any(np.asarray(b)[~m] != 0) for b, m in zip(net.biases, masks))
    return ok


def _float(A: np.ndarray) -> np.ndarray:
    return exact_to_float(A) if A.dtype == object else A.astype(float)


def _is_c28(p: _Problem) -> bool:
    """LU masks, ``Y = X[:, ::-1]`` and ``x2 > 0``: :func:`lu_sequence` applies."""
    X, Y = _float(p.X), _float(p.Y)
    return all(np.array_equal(a, b) for a, b in zip((p.S1, p.S2), LU_SUPPORTS)) and \
        np.array_equal(Y, X[:, ::-1]) and bool(np.all(X[:, 1] > 0))


def _sequence_losses(nets: tuple, p: _Problem, outputs: list[int]) -> tuple:
    Xf, Yf = _float(p.X), _float(p.Y)
    return tuple(float(((n(Xf) - Yf)[:, outputs] ** 2).sum()) for n in nets)


def _to_zero(losses: tuple, scale: float) -> bool:
    return len(losses) > 1 and losses[-1] <= _TO_ZERO * scale and all(
        b < a for a, b in itertools.pairwise(losses))


# --------------------------------------------------------------------------- patterns

def _neuron_patterns(R1: np.ndarray, Xe: np.ndarray, limit: int
                     ) -> tuple[list | None, bool]:
    """Per neuron (row of ``R1``), a superset of its activation patterns on the data."""
    out, exact = [], True
    for row in R1:
        cols = np.flatnonzero(row)
        P, ex = open_cells(Xe[:, cols], limit=limit)
        if P is None:
            return None, False
        exact &= ex
        if len(P) > limit:
            return None, exact
        out.append(P)
    return out, exact


def _fit_system(R1: np.ndarray, R2: np.ndarray, X: np.ndarray, Y: np.ndarray, pattern
                ) -> tuple[list[str], list[dict]]:
    """The exact-fit system of one activation pattern, in the input form of ``solve_system``.

    Equations ``sum_h v[o, h] pattern[h][k] (w[h] . x_k) - Y[k, o] = 0`` for every data point
    ``k`` and output ``o``, in the variables ``w_h_i`` (support of ``R1``) then ``v_o_h``
    (support of ``R2``); each polynomial an exponent dict with Fraction coefficients, zero
    polynomials dropped. Returns ``(variable names, polynomials)``.
    """
    w = [(int(h), int(i)) for h, i in zip(*np.nonzero(R1))]
    v = [(int(o), int(h)) for o, h in zip(*np.nonzero(R2))]
    names = [f"w_{h}_{i}" for h, i in w] + [f"v_{o}_{h}" for o, h in v]
    n = len(names)
    w_index = {key: j for j, key in enumerate(w)}
    v_index = {key: len(w) + j for j, key in enumerate(v)}
    polys = []
    for k in range(X.shape[0]):
        for o in range(Y.shape[1]):
            f = {(0,) * n: -Fraction(Y[k, o])} if Y[k, o] != 0 else {}
            for (h, i), a in w_index.items():
                b = v_index.get((o, h))
                if b is not None and pattern[h][k] and X[k, i] != 0:
                    f[tuple(int(j in (a, b)) for j in range(n))] = Fraction(X[k, i])
            if f:
                polys.append(f)
    return names, polys


def _has_constant(polys: list[dict], n: int) -> bool:
    """Some equation reads ``c = 0`` with a constant ``c != 0``: no solution, no engine needed."""
    return any(list(f) == [(0,) * n] for f in polys)


@dataclass(frozen=True)
class _Refutation:
    """The pattern sweep: ``refuted`` True (every fit system is empty), False (one has a
    solution), None (not decided, ``reason`` says why); ``systems`` the engine's answer per
    combination (None when a constant equation refutes it)."""

    patterns: list | None
    exact: bool
    n_combinations: int
    refuted: bool | None
    systems: tuple = ()
    reason: str = ""


def _refute(R1, R2, Xe, Ye, max_patterns: int) -> _Refutation:
    """Decide every combination of activation patterns with :func:`solve_system` (status
    ``"empty"``: no solution over C, i.e. Groebner basis [1]); stops at the first that is not
    refuted."""
    pats, exact = _neuron_patterns(R1, Xe, max_patterns)
    too_many = f"too many activation patterns (more than max_patterns={max_patterns})"
    if pats is None:
        return _Refutation(None, exact, 0, None, reason=too_many)
    n = int(np.prod([len(P) for P in pats]))
    if n > max_patterns:
        return _Refutation(pats, exact, n, None, reason=too_many)
    not_refuted = "some activation pattern's fit system was not refuted"
    systems = []
    for combination in itertools.product(*pats):
        names, polys = _fit_system(R1, R2, Xe, Ye, combination)
        if not polys:   # every equation is 0 = 0: the zero network fits
            return _Refutation(pats, exact, n, False, reason=not_refuted)
        if _has_constant(polys, len(names)):
            systems.append(None)
            continue
        sol = solve_system(polys, names, real=False)
        if sol.status in ("finite", "positive_dimensional"):
            return _Refutation(pats, exact, n, False, reason=not_refuted)
        if sol.status != "empty":
            return _Refutation(pats, exact, n, None, reason="the polynomial engine did not "
                               f"decide a fit system ({sol.engine}, {sol.status}: "
                               f"{sol.message})")
        systems.append(sol)
    return _Refutation(pats, exact, n, True, tuple(systems))


def _empty_rechecked(names: list[str], polys: list[dict], sol: SystemSolution | None) -> bool:
    """One fit system of a :class:`NoExactFit`, re-checked without trusting the certificate.

    A system with a non-zero constant equation needs no engine (``sol`` None). Otherwise
    ``sol`` must be an ``"empty"`` answer for exactly this system, and sympy's exact Groebner
    basis over Q, recomputed here (``solve_system(engine="sympy")``), must be [1]: a proof
    that does not rest on the engine that decided (msolve's multi-modular answer is correct
    with high probability only).
    """
    if not polys:
        return False
    if _has_constant(polys, len(names)):
        return sol is None
    if (not isinstance(sol, SystemSolution) or sol.status != "empty"
            or sol.variables != tuple(names) or [dict(q) for q in sol.polynomials] != polys):
        return False
    return solve_system(polys, names, real=False, engine="sympy").status == "empty"


# --------------------------------------------------------------------------- exact fit

def _relu_exact(Z: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda x: x if x > 0 else Fraction(0), otypes=[object])(Z)


def _solve_outputs(R2: np.ndarray, H: np.ndarray, Ye: np.ndarray) -> np.ndarray | None:
    """Exact ``W2`` on its support with ``H W2^T = Y``, or None."""
    W2 = np.full(R2.shape, Fraction(0), dtype=object)
    for o in range(R2.shape[0]):
        cols = np.flatnonzero(R2[o])
        if cols.size == 0:
            if any(y != 0 for y in Ye[:, o]):
                return None
            continue
        c = solve_exact(H[:, cols], Ye[:, o])
        if c is None:
            return None
        W2[o, cols] = c
    return W2


def _exact_fit(R1, R2, Xe, Ye, trained) -> tuple | None:
    """Rationalise each start's ``W1`` (best first, rows normalised), solve ``W2`` exactly."""
    seen = set()
    for W1 in trained.weights[0][np.argsort(trained.objective)]:
        scale = np.abs(W1).max(axis=1, keepdims=True)
        V = np.where(R1, W1, 0.0) / np.where(scale > 0, scale, 1.0)
        for D in _DENOMINATORS:
            W1q = np.array([[Fraction(float(x)).limit_denominator(D) for x in row] for row in V],
                           dtype=object).reshape(V.shape)
            key = tuple(W1q.flat)
            if key in seen:
                continue
            seen.add(key)
            W2q = _solve_outputs(R2, _relu_exact(exact_matmul(Xe, W1q.T)), Ye)
            if W2q is not None:
                return W1q, W2q
    return None


def _lift(p: _Problem, neurons: list[int], outputs: list[int], W1q, W2q) -> ReLUNet:
    """The reduced sub-network as a ReLUNet on the original supports (biases restored)."""
    h, d = p.S1.shape
    A = np.full(p.R1.shape, Fraction(0), dtype=object)
    B = np.full(p.R2.shape, Fraction(0), dtype=object)
    A[neurons] = W1q
    B[np.ix_(outputs, neurons)] = W2q
    W1, W2 = A[:h, :d], B[:, :h]
    if p.b1 is None:
        return ReLUNet([W1, W2], supports=[p.S1, p.S2])
    b1 = A[:h, d] if p.ones_column else np.full(h, Fraction(0), dtype=object)
    b2 = np.full(p.S2.shape[0], Fraction(0), dtype=object)
    for j, o in enumerate(np.flatnonzero(p.b2)):           # one bias neuron per output
        b2[o] = B[o, h + j] * max(A[h + j, d], Fraction(0))
    return ReLUNet([W1, W2], [b1, b2], supports=[p.S1, p.S2])


# --------------------------------------------------------------------------- verification

def _verify_fit(cert: ExactFit, p: _Problem, comps: Components) -> bool:
    if p.X is None or not _on_supports(cert.net, p) or not set(comps.open_outputs) <= set(
            cert.outputs):
        return False
    try:
        Xe, Ye = to_exact(p.X), to_exact(p.Y)
        out = cert.net(Xe)
    except InexactInputError:
        return False
    return all(out[k, o] == Ye[k, o] for k in range(Ye.shape[0]) for o in cert.outputs)


def _verify_no_fit(cert: NoExactFit, p: _Problem, comps: Components) -> bool:
    if p.X is None or not all(_on_supports(n, p) for n in cert.nets):
        return False
    N, O = comps.open_neurons, comps.open_outputs
    Xf, Yf, Xe, Ye = p.reduced_data()
    if Xe is None:
        return False
    R1, R2 = p.R1[N], p.R2[np.ix_(O, N)]
    pats, _ = _neuron_patterns(R1, Xe, max(cert.n_combinations, 1))
    same = pats is not None and len(pats) == len(cert.patterns) and all(
        np.array_equal(a, b) for a, b in zip(pats, cert.patterns))
    if not (same and int(np.prod([len(P) for P in pats])) == cert.n_combinations
            == len(cert.systems)):
        return False
    if not all(_empty_rechecked(*_fit_system(R1, R2, Xe, Ye[:, O], c), sol)
               for c, sol in zip(itertools.product(*pats), cert.systems)):
        return False
    losses = _sequence_losses(cert.nets, p, O)
    return bool(np.allclose(losses, cert.losses, rtol=1e-9, atol=0)
                and _to_zero(losses, float((Yf[:, O] ** 2).sum())))


# --------------------------------------------------------------------------- main

def relu_optimum_exists(supports: Sequence[Any], X: Any = None, Y: Any = None, *,
                        biases: Any = None, max_patterns: int = 4096, n_starts: int = 8,
                        n_iter: int = 3000, sequence: Callable[[float], ReLUNet] | None = None,
                        rng: Any = None) -> ReLUExistence:
    """Is the infimum of ``1/2 ||W2 relu(W1 X^T + b1) + b2 - Y^T||^2`` over the supports attained?

    See the module docstring for the method and the proofs behind each status.

    Parameters
    ----------
    supports : (mask of W1 (h, d), mask of W2 (o, h))
        Network order (``weights[0]``, ``weights[1]``) of a one-hidden-layer net.
    X : array (n, d), optional
        Inputs. Exact numbers (ints, dyadic floats, Fractions) are needed for the exact
        steps (exact fit, refutation of the fit systems); otherwise only the data-free certificate
        can decide.
    Y : array (n, o), optional
        Targets (given together with ``X``).
    biases : None, True or (mask of b1 (h,), mask of b2 (o,)), default None
        No biases, all biases free, or free biases on the masks. Reduced exactly to the
        no-bias case (module docstring).
    max_patterns : int, default 4096
        Largest number of activation patterns per neuron and of pattern combinations
        whose fit systems are refuted (one exact polynomial system each).
    n_starts, n_iter : int
        Multistart training (fixed supports: PALM for the loss and divergence evidence,
        L-BFGS with neuron restarts for exact-fit candidates).
    sequence : callable, optional
        ``eps -> ReLUNet`` on the supports (and bias masks), a candidate minimising
        sequence, evaluated at ``eps = 1e-1, ..., 1e-4``. Default: :func:`lu_sequence` for
        the C28 pattern when it applies (LU masks, ``Y = X[:, ::-1]``, ``X[:, 1] > 0``).
    rng : Generator, int or None, optional
        Randomness of the multistart training (the certificates do not depend on it; an
        exact fit may be found or not).

    Returns
    -------
    ReLUExistence

    Examples
    --------
    >>> S1, S2 = np.array([[1, 1], [0, 1]]), np.array([[1, 0], [1, 1]])
    >>> X = np.array([[1, 1], [2, 1], [1, 2]])
    >>> res = relu_optimum_exists([S1, S2], X, X[:, ::-1], n_starts=2, n_iter=300, rng=0)
    >>> res.status, res.exact_fit, res.n_patterns, res.verify()
    ('not attained', False, 12, True)
    >>> [round(x, 8) for x in res.sequence_losses[:2]]
    [0.06, 0.0006]
    >>> relu_optimum_exists([S1, S2], X, X @ [[1, 0], [1, 1]], n_starts=2, n_iter=200,
    ...                     rng=0).status
    'attained'
    """
    p = _problem(supports, X, Y, biases)
    max_patterns = check_int(max_patterns, "max_patterns", _FUNC, low=1)
    n_starts = check_int(n_starts, "n_starts", _FUNC, low=1)
    n_iter = check_int(n_iter, "n_iter", _FUNC, low=1)
    rng = check_rng(rng, _FUNC)
    closed = _linear_closed(p.S1, p.S2)
    comps = _components(p.R1, p.R2)
    base = {"linear_closed": closed, "components": comps, "problem": p}
    if comps.certified:
        kinds = sorted(set(comps.kinds)) or ["no neuron reaches an output"]
        return ReLUExistence("attained", "every component of the output-overlap graph is "
                             f"certified closed ({', '.join(kinds)}): an optimum exists for "
                             "every training set", certificate=comps, **base)
    if p.X is None:
        return ReLUExistence("undecided", "a component mixes several outputs (vector "
                             "output): closedness of its function set is not certified "
                             "without data (needs quantifier elimination); pass X and Y to "
                             "decide this training problem", **base)
    N, O = comps.open_neurons, comps.open_outputs
    Xf, Yf, Xe, Ye = p.reduced_data()
    R1, R2, Yo = p.R1[N], p.R2[np.ix_(O, N)], Yf[:, O]
    if sequence is None and _is_c28(p):
        sequence = lu_sequence
    nets = () if sequence is None else _check_sequence(sequence, p)
    seq = _sequence_losses(nets, p, O) if nets else ()
    cons = [support(R1), support(R2)]
    tr = train_relu(Xf, Yo, len(N), constraints=cons, bias=False, n_iter=n_iter,
                    n_starts=n_starts, rng=rng)
    best, div = float(tr.objective[tr.best]), bool(tr.diverging[tr.best])
    base.update(best_loss=best, diverging=div, sequence_losses=seq)
    evidence = f"best training loss {best:.3g}" + (", balanced norms diverging" if div else "")
    if Xe is None:
        return ReLUExistence("undecided", "the data are not exact numbers (ints, dyadic "
                             "floats, Fractions): no exact fit / refutation attempted; "
                             + evidence, exact=False, **base)
    Yeo = Ye[:, O]
    fit = _exact_fit(R1, R2, Xe, Yeo, tr)
    if fit is None:
        fit = _exact_fit(R1, R2, Xe, Yeo, train_relu(
            Xf, Yo, len(N), constraints=cons, bias=False, method="lbfgs", restarts=1,
            n_iter=min(n_iter, _LBFGS_ITER), n_starts=n_starts, rng=rng))
    if fit is not None:
        cert = ExactFit(_lift(p, N, O, *fit), tuple(O))
        return ReLUExistence("attained", "an exact network (rational weights, checked in "
                             "exact arithmetic) fits the data of the open components: "
                             "infimum 0 attained" + ("" if len(O) == p.S2.shape[0] else
                                                     "; the other components are certified "
                                                     "closed"), exact_fit=True,
                             certificate=cert, **base)
    ref = _refute(R1, R2, Xe, Yeo, max_patterns)
    base.update(patterns_exact=ref.exact if ref.patterns is not None else None)
    if not ref.refuted:
        return ReLUExistence("undecided", f"no exact fit found and {ref.reason}; {evidence}",
                             n_patterns=0, **base)
    n = ref.n_combinations
    scale = float((Yo ** 2).sum())
    if _to_zero(seq, scale):
        cert = NoExactFit(tuple(ref.patterns), ref.exact, n, EPS, nets, seq, ref.systems)
        return ReLUExistence("not attained", f"no network fits the data exactly (all {n} "
                             "activation-pattern fit systems have Groebner basis [1]) while "
                             f"the minimising sequence reaches loss {seq[-1]:.1e} at "
                             f"eps={EPS[-1]} -> infimum 0 not attained", exact_fit=False,
                             n_patterns=n, certificate=cert, **base)
    return ReLUExistence("undecided", "no exact fit (every fit system has Groebner basis "
                         "[1]), but no minimising sequence to 0 is known"
                         + ("" if seq else " (pass `sequence`)") + f"; {evidence}"
                         + ("; likely not attained" if div or best <= _TO_ZERO * scale
                            else ""), exact_fit=False, n_patterns=n, **base)
