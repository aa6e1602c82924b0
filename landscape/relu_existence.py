"""Does a one-hidden-layer sparse ReLU training problem admit an optimum? (THEORY A6, B8)

:func:`relu_optimum_exists` answers for ``f(x) = W2 relu(W1 x)`` (no biases) with fixed
supports and the square loss:

1. scalar output (``W2`` has one row): an optimum always exists, for every data set
   (Le, Riccietti & Gribonval, NeurIPS 2023) -> ``"attained"``.
2. the linear counterpart ``W2 @ W1`` (identity activation) is checked against the tractable
   closed families (dense supports; pairwise disjoint rank-one rectangles): reported in
   ``linear_closed`` (True / None = not in a known closed family).
3. with data ``X, Y``: the activation patterns of every neuron on the data are enumerated
   (cells of the hyperplane arrangement, exhaustive for rows of ``W1`` with at most 3
   free entries) and, for every combination, the exact-fit system
   ``sum_h W2[o, h] D_h[k] (W1[h] x_k) = Y[k, o]`` is decided over Q by a Groebner basis
   (sympy). All bases equal to [1] certify that no network fits the data exactly. Then
   multistart PALM (fixed supports) estimates the infimum: if it goes to 0 with diverging
   balanced norms (:func:`landscape.relu_nets.diverging`) -> ``"not attained"`` (inf 0, no
   exact fit). C28 is the oracle: ``lu_sequence(eps)`` gives loss ``6 eps^2``.

Examples
--------
>>> import numpy as np
>>> relu_optimum_exists([np.ones((3, 2)), np.ones((1, 3))]).status
'attained'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import sympy

from identifiability._validation import (
    as_matrix,
    as_supports,
    check_int,
    check_rng,
    param_error,
)
from identifiability.exact import InexactInputError, to_exact
from identifiability.relu import ReLUNet
from identifiability.supports import rank_one_supports

from .projections import support
from .relu_nets import activation_patterns, train_relu

__all__ = ["ReLUExistence", "relu_optimum_exists", "lu_sequence"]


@dataclass(frozen=True)
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
        With data: False when every activation pattern's fit system is infeasible (Groebner
        basis [1]); None when some system was not refuted or patterns were sampled.
    n_patterns : int
        Pattern combinations decided.
    best_loss : float or None
        Smallest ``1/2 ||f(X) - Y||^2`` found by multistart training (data only).
    diverging : bool or None
        Whether the best training run shows the divergence signature.
    sequence_losses : tuple of float
        ``||f(X) - Y||^2`` along the minimising sequence at ``eps = 1e-1, ..., 1e-4`` (the
        given ``sequence``, or :func:`lu_sequence` for the C28 pattern).
    """

    status: str
    reason: str
    linear_closed: bool | None = None
    exact_fit: bool | None = None
    n_patterns: int = 0
    best_loss: float | None = None
    diverging: bool | None = None
    sequence_losses: tuple = ()


EPS = (1e-1, 1e-2, 1e-3, 1e-4)
LU_SUPPORTS = (np.array([[1, 1], [0, 1]], dtype=bool), np.array([[1, 0], [1, 1]], dtype=bool))


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


def _linear_closed(S1: np.ndarray, S2: np.ndarray) -> bool | None:
    if S1.all() and S2.all():
        return True
    rects = [(set(r), set(c)) for r, c in rank_one_supports(S2, S1) if len(r) and len(c)]
    disjoint = all(not (a[0] & b[0]) or not (a[1] & b[1])
                   for a, b in itertools.combinations(rects, 2))
    return True if disjoint else None


def _fit_infeasible(S1, S2, X, Y, pattern) -> bool:
    """Groebner basis of the exact-fit system for one activation pattern is [1]."""
    w = {(h, i): sympy.Symbol(f"w_{h}_{i}") for h, i in zip(*np.nonzero(S1))}
    v = {(o, h): sympy.Symbol(f"v_{o}_{h}") for o, h in zip(*np.nonzero(S2))}
    eqs = []
    for k in range(X.shape[0]):
        for o in range(Y.shape[1]):
            expr = -sympy.Rational(Y[k, o].numerator, Y[k, o].denominator)
            for h in range(S1.shape[0]):
                if (o, h) in v and pattern[h][k]:
                    pre = sum(w[(h, i)] * sympy.Rational(X[k, i].numerator, X[k, i].denominator)
                              for i in range(S1.shape[1]) if (h, i) in w)
                    expr += v[(o, h)] * pre
            eqs.append(sympy.expand(expr))
    eqs = [e for e in eqs if e != 0]
    if not eqs:
        return False
    if any(e.is_number for e in eqs):
        return True
    G = sympy.groebner(eqs, *w.values(), *v.values(), order="grevlex")
    return list(G.exprs) == [1]


def relu_optimum_exists(supports: Sequence[Any], X: Any = None, Y: Any = None, *,
                        max_patterns: int = 4096, n_starts: int = 8, n_iter: int = 3000,
                        sequence: Any = None, rng: Any = 0) -> ReLUExistence:
    """Is the infimum of ``1/2 ||W2 relu(W1 X^T) - Y^T||^2`` over the supports attained?

    Parameters
    ----------
    supports : (mask of W1 (h, d), mask of W2 (o, h))
        Network order (``weights[0]``, ``weights[1]``) of a one-hidden-layer net, no biases.
    X : array (n, d), optional
        Inputs (exact numbers for the Groebner step: ints, dyadic floats, Fractions).
    Y : array (n, o), optional
        Targets.
    max_patterns : int, default 4096
        Largest number of activation-pattern combinations decided.
    n_starts, n_iter : int
        Multistart PALM (fixed supports) estimating the infimum.
    sequence : callable, optional
        ``eps -> ReLUNet`` on the supports, a candidate minimising sequence (certificate of
        ``inf = 0`` when its losses go to 0). Default: :func:`lu_sequence` for the C28
        pattern when it applies (``Y = X[:, ::-1]``), else none.
    rng : Generator or int, default 0

    Returns
    -------
    ReLUExistence

    Examples
    --------
    >>> S1, S2 = np.array([[1, 1], [0, 1]]), np.array([[1, 0], [1, 1]])
    >>> X = np.array([[1, 1], [2, 1], [1, 2]])
    >>> res = relu_optimum_exists([S1, S2], X, X[:, ::-1], n_starts=4, n_iter=500)
    >>> res.exact_fit, res.n_patterns
    (False, 12)
    >>> res.status, [round(x, 8) for x in res.sequence_losses[:2]]
    ('not attained', [0.06, 0.0006])
    """
    func = "relu_optimum_exists"
    masks = as_supports(list(supports)[::-1], "supports", func) if len(list(supports)) == 2 \
        else None
    if masks is None:
        raise param_error(func, "supports", "two masks (W1, W2) of a one-hidden-layer network",
                          f"{len(list(supports))} masks", raw=True)
    S2, S1 = masks
    max_patterns = check_int(max_patterns, "max_patterns", func, low=1)
    n_starts = check_int(n_starts, "n_starts", func, low=1)
    n_iter = check_int(n_iter, "n_iter", func, low=1)
    rng = check_rng(rng, func)
    closed = _linear_closed(S1, S2)
    if S2.shape[0] == 1:
        return ReLUExistence("attained", "scalar output, one hidden layer: an optimum exists "
                             "for every training set (Le, Riccietti & Gribonval 2023)", closed)
    if X is None or Y is None:
        return ReLUExistence("undecided", "vector output without data: closedness of the "
                             "ReLU function set needs quantifier elimination (not "
                             "implemented); pass X and Y to decide this training problem",
                             closed)
    X = as_matrix(X, "X", func, allow_complex=False, allow_object=True)
    Y = as_matrix(Y, "Y", func, allow_complex=False, allow_object=True)
    if X.shape[1] != S1.shape[1] or Y.shape != (X.shape[0], S2.shape[0]):
        raise param_error(func, "Y", f"arrays X (n, {S1.shape[1]}) and Y (n, {S2.shape[0]})",
                          f"shapes {X.shape} and {Y.shape}", raw=True)
    exact_fit, n_pat, refuted = None, 0, False
    try:
        Xe, Ye = to_exact(X), to_exact(Y)
    except InexactInputError:
        Xe = None
    if Xe is not None:
        Xf = X.astype(float) if X.dtype != object else np.array(Xe, dtype=float)
        per_neuron, exhaustive = [], True
        for h in range(S1.shape[0]):
            cols = np.flatnonzero(S1[h])
            if cols.size == 0:
                per_neuron.append(np.zeros((1, X.shape[0]), dtype=bool))
                continue
            P, ex = activation_patterns(Xf[:, cols])
            exhaustive &= ex
            P = P & (np.abs(Xf[:, cols]).sum(axis=1) > 0)[None, :]   # x_k = 0 never active
            per_neuron.append(np.unique(P, axis=0))
        combos = list(itertools.islice(itertools.product(*per_neuron), max_patterns + 1))
        if len(combos) <= max_patterns and exhaustive:
            n_pat = len(combos)
            refuted = all(_fit_infeasible(S1, S2, Xe, Ye, c) for c in combos)
            exact_fit = False if refuted else None
    Xf, Yf = np.array(X, dtype=float), np.array(Y, dtype=float)
    if sequence is None and S1.shape == (2, 2) and all(
            np.array_equal(a, b) for a, b in zip((S1, S2), LU_SUPPORTS)) and np.array_equal(
            Yf, Xf[:, ::-1]) and np.all(Xf[:, 1] > 0):
        sequence = lu_sequence
    seq = ()
    if sequence is not None:
        nets = [sequence(e) for e in EPS]
        if not all(isinstance(n, ReLUNet) and n.widths == (S1.shape[1], S1.shape[0],
                                                            S2.shape[0]) for n in nets):
            raise param_error(func, "sequence", "a callable eps -> ReLUNet with the widths "
                              "of the supports", sequence, kind=TypeError)
        seq = tuple(float(((n(Xf) - Yf) ** 2).sum()) for n in nets)
    tr = train_relu(Xf, Yf, S1.shape[0], constraints=[support(S1), support(S2)], bias=False,
                    n_iter=n_iter, n_starts=n_starts, rng=rng)
    b = tr.best
    best = float(tr.objective[b])
    div = bool(tr.diverging[b])
    scale = float((Yf ** 2).sum())
    seq_to_zero = len(seq) > 1 and seq[-1] <= 1e-6 * scale and all(
        b < a for a, b in zip(seq, seq[1:]))
    if refuted and (best <= 1e-6 * scale or seq_to_zero):
        how = (f"the minimising sequence reaches loss {seq[-1]:.1e} at eps={EPS[-1]}"
               if seq_to_zero else f"training reaches loss {best:.2e}")
        return ReLUExistence("not attained", "no network fits the data exactly (every "
                             "activation pattern's fit system has Groebner basis [1]) while "
                             f"{how} -> infimum 0 not attained"
                             + (" (balanced norms diverging)" if div else ""), closed,
                             False, n_pat, best, div, seq)
    if refuted:
        return ReLUExistence("undecided", "no exact fit, and the infimum is positive or not "
                             f"reached numerically (best loss {best:.3g}" +
                             (", diverging" if div else "") + ")", closed, False, n_pat,
                             best, div, seq)
    if best <= 1e-12 * max(scale, 1e-300) and not div:
        return ReLUExistence("attained", f"training fits the data (loss {best:.2e}) with "
                             "bounded parameters", closed, exact_fit, n_pat, best, div, seq)
    return ReLUExistence("undecided", "the exact-fit systems were not all refuted (or "
                         "patterns were too many / sampled); training evidence only "
                         f"(best loss {best:.3g}" + (", diverging" if div else "") + ")",
                         closed, exact_fit, n_pat, best, div, seq)
