"""Local identifiability of a ReLU network's parameters from its outputs on data.

The parameters are locally identifiable from the outputs on the inputs ``X`` modulo the
symmetries when the Jacobian of ``theta -> f_theta(X)`` has rank ``n_params - orbit_dim``
(the orbit dimension is the rank of the rescaling tangents, one per hidden neuron whose
incoming or outgoing parameters are not all zero). With exact entries (integers, dyadic
floats, Fractions) the rank is exact over Q.

>>> from identifiability.relu import ReLUNet, local_identifiability
>>> net = ReLUNet([[[1, 0], [0, 1]], [[1, 1]]])
>>> local_identifiability(net, [[1, 2], [2, 1], [-1, 1], [-2, 3], [1, -1], [3, -2]]).identifiable
True
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.display import summary_repr
from ..core.exact import rank_exact, to_exact
from ..core.policy import DEFAULT_RTOL, decision_tolerance
from ..generic import RANK_MARGIN, numerical_rank, rank_is_clear
from .net import ReLUNet, as_inputs, check_net, float_array, layer_pre_activations
from .path_lifting import layers_jacobian

__all__ = ["ReLULocalResult", "local_identifiability"]


def _tangents(net: ReLUNet, exact: bool) -> np.ndarray:
    """One row per hidden neuron: the rescaling tangent ``(+incoming, -outgoing)``."""
    layers = net.layers(exact=exact)
    rows = []
    for k in range(net.depth - 1):
        for h in range(net.widths[k + 1]):
            mod = []
            for l, (W, b) in enumerate(layers):
                E, e = 0 * W, 0 * b
                if l == k:
                    E[h], e[h] = W[h], b[h]
                elif l == k + 1:
                    E[:, h] = -W[:, h]
                mod.append((E, e))
            rows.append(np.concatenate([np.concatenate([E[S], e] if net.biases is not None
                                                       else [E[S]])
                                        for (E, e), S in zip(mod, net.masks)]))
    return np.array(rows, dtype=object if exact else float).reshape(len(rows), net.n_params)


@dataclass(frozen=True, repr=False)
class ReLULocalResult:
    """Local identifiability of a network's parameters from its outputs on data.

    Attributes
    ----------
    identifiable : bool or None
        True: rank of the output Jacobian = ``n_params - orbit_dim`` (only the symmetries
        leave the outputs unchanged to first order). False: a larger kernel. None:
        undecided (``reason`` says why: a pre-activation is zero on a data point, or, at the
        default tolerance, a singular value too close to the cut).
    reason : str
    jacobian_rank, orbit_dim : int or None
    n_params, expected_rank : int or None
    field : str
        ``"Q"``, ``"numerical"`` or ``"none"``.
    activation : tuple of bool arrays
        Activation pattern of each hidden layer on the data, ``(n_samples, n_l)``.
    exact : bool
        True when decided in exact arithmetic (the exactness policy).
    tol : float or None
        The relative tolerance used (None when exact).
    tol_source : str
        ``"exact input"``, ``"given"`` or ``"default"`` (inexact floats without ``tol``).
    singular_value_gap : ndarray of shape (2,) or None
        Numerical decisions: the smallest singular value counted in the rank and the largest
        one discarded, relative to the largest (the margins of the answer).
    """

    identifiable: bool | None
    reason: str
    jacobian_rank: int | None
    n_params: int
    orbit_dim: int | None
    expected_rank: int | None
    field: str
    activation: tuple = ()
    exact: bool = True
    tol: float | None = None
    tol_source: str = "exact input"
    singular_value_gap: np.ndarray | None = None

    def __repr__(self) -> str:
        shapes = [f"{a.shape[0]}x{a.shape[1]}" for a in self.activation]
        fields = dict(identifiable=self.identifiable, jacobian_rank=self.jacobian_rank,
                      expected_rank=self.expected_rank, n_params=self.n_params,
                      field=self.field, exact=self.exact)
        if not self.exact:
            fields["tol"] = self.tol
        if shapes:
            fields["activation"] = " ".join(shapes) if len(shapes) <= 4 else \
                f"{len(shapes)} layers"
        return summary_repr("ReLULocalResult", **fields)

    def _repr_html_(self) -> str:
        rows = [("identifiable", self.identifiable), ("Jacobian rank", self.jacobian_rank),
                ("parameters", self.n_params), ("orbit dimension", self.orbit_dim),
                ("expected rank", self.expected_rank), ("field", self.field),
                ("decision", "exact" if self.exact else f"tol = {self.tol:.3g} "
                 f"({self.tol_source})"), ("reason", self.reason)]
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{html.escape(str(v))}"
                       "</td></tr>" for k, v in rows)
        return f"<table><caption>ReLULocalResult</caption>{body}</table>"

    def explain(self) -> str:
        """A readable account of the test."""
        word = {True: "locally identifiable modulo permutations and rescalings",
                False: "NOT locally identifiable", None: "undecided"}[self.identifiable]
        how = "decided in exact arithmetic" if self.exact else (
            f"numerical decision at tol = {self.tol:.3g} ("
            + ("the tolerance given" if self.tol_source == "given" else
               "the default tolerance: inexact input") + ")")
        gap = "" if self.singular_value_gap is None else (
            f"; singular values at the cut (relative): {self.singular_value_gap[0]:.3g} | "
            f"{self.singular_value_gap[1]:.3g}")
        return (f"{word}: {self.reason} (parameters {self.n_params}, orbit dimension "
                f"{self.orbit_dim}, Jacobian rank {self.jacobian_rank}, field {self.field}); "
                f"{how}{gap}")


def _rank(M: np.ndarray, exact: bool, tol: float | None) -> tuple[int, np.ndarray | None]:
    if M.size == 0:
        return 0, (None if exact else np.zeros(2))
    if exact:
        return rank_exact(M).rank, None
    return numerical_rank(M, tol)


def local_identifiability(net: ReLUNet, X: Any, *, tol: float | None = None) -> ReLULocalResult:
    """Are the parameters of ``net`` locally identifiable from its outputs on ``X``?

    Parameters
    ----------
    net : ReLUNet
    X : array (n_samples, n_0)
    tol : float or None, default None
        The exactness policy (:mod:`identifiability.core.policy`). None: exact ranks over Q
        when the net and ``X`` are exact; on inexact floats a numerical decision at the
        default relative tolerance :data:`~identifiability.core.DEFAULT_RTOL`, undecided
        (None) when a singular value lies within
        :data:`~identifiability.generic.RANK_MARGIN` of the cut. A float: ranks by SVD with
        relative threshold ``tol``, and pre-activations with ``|z| <= tol * max(1, max|z|)``
        count as zero. The result records ``exact``, ``tol``, ``tol_source`` and the
        singular-value margins.

    Returns
    -------
    ReLULocalResult

    Notes
    -----
    On a neighbourhood where the activation pattern on ``X`` is constant, the outputs are a
    polynomial map of ``theta``; by the constant-rank theorem, rank ``n_params - orbit_dim``
    of its Jacobian means the fibre through ``theta`` is locally the symmetry orbit. If some
    hidden pre-activation is 0 on a data point (within the tolerance) the map is not
    differentiable there and the answer is None.

    Examples
    --------
    >>> net = ReLUNet([[[1, 0], [0, 1]], [[1, 1]]])
    >>> X = [[1, 2], [2, 1], [-1, 1], [-2, 3], [1, -1], [3, -2]]
    >>> res = local_identifiability(net, X)
    >>> res.identifiable, res.jacobian_rank, res.n_params - res.orbit_dim
    (True, 4, 4)
    >>> local_identifiability(net, [[1, 2], [2, 1]]).identifiable   # one linear piece
    False
    >>> res = local_identifiability(net, [[1.1, 2.3], [2.7, 1.3], [-1.1, 1.3], [-2.3, 3.1],
    ...                                   [1.3, -1.1], [3.1, -2.3]])       # inexact floats
    >>> res.identifiable, res.exact, res.tol_source
    (True, False, 'default')
    """
    func = "local_identifiability"
    net = check_net(net, "net", func)
    X, _ = as_inputs(X, net.widths[0], func)
    policy = decision_tolerance(tol, X, *net.weights,
                                *(net.biases if net.biases is not None else ()), func=func)
    exact = policy.exact
    tol = None if exact else (policy.tol if policy.source == "given" else DEFAULT_RTOL)
    p = net.n_params
    record = dict(exact=exact, tol=tol, tol_source=policy.source)
    if exact:
        layers = net.layers(exact=True)
        X = to_exact(X)
    else:
        layers = net.layers()
        X = float_array(X)
    Z = layer_pre_activations(layers, X)
    activation = tuple(np.asarray(z > 0, dtype=bool) for z in Z)
    for k, z in enumerate(Z):
        zf = float_array(z) if exact else z
        thr = 0.0 if exact else tol * max(1.0, float(np.max(np.abs(zf))))
        bad = np.argwhere(np.abs(zf) <= thr)
        if bad.size:
            i, h = bad[0]
            return ReLULocalResult(None, f"the pre-activation of neuron {h} of hidden layer {k}"
                                   f" is zero on sample {i}: the output map is not "
                                   "differentiable there (activation pattern not locally "
                                   "constant)", None, p, None, None, "none", activation,
                                   **record)
    J = layers_jacobian(layers, net.masks, net.biases is not None, X)
    rank, gap = _rank(J, exact, tol)
    orbit, _ = _rank(_tangents(net, exact), exact, tol)
    expected = p - orbit
    field = "Q" if exact else "numerical"
    record["singular_value_gap"] = gap
    if not exact and policy.source == "default" and not rank_is_clear(gap, tol):
        return ReLULocalResult(None, f"numerical rank {rank} at the default tolerance is not "
                               f"clear-cut: a singular value lies within a factor "
                               f"{RANK_MARGIN:g} of tol (pass tol= to decide at a chosen cut)",
                               rank, p, orbit, expected, field, activation, **record)
    if rank == expected:
        reason = (f"Jacobian rank {rank} = {p} parameters - {orbit} rescaling directions: "
                  "only the symmetries leave the outputs unchanged near theta")
        return ReLULocalResult(True, reason, rank, p, orbit, expected, field, activation,
                               **record)
    reason = (f"Jacobian rank {rank} < {p} parameters - {orbit} rescaling directions: "
              f"{expected - rank} more direction(s) leave the outputs on X unchanged to "
              "first order")
    return ReLULocalResult(False, reason, rank, p, orbit, expected, field, activation, **record)
