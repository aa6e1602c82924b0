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

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.exact import InexactInputError, rank_exact, to_exact
from ..core.validation import check_tol
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


@dataclass(frozen=True)
class ReLULocalResult:
    """Local identifiability of a network's parameters from its outputs on data.

    Attributes
    ----------
    identifiable : bool or None
        True: rank of the output Jacobian = ``n_params - orbit_dim`` (only the symmetries
        leave the outputs unchanged to first order). False: a larger kernel. None:
        undecided (``reason`` says why: a pre-activation is zero on a data point, or inexact
        entries without ``tol``).
    reason : str
    jacobian_rank, orbit_dim : int or None
    n_params, expected_rank : int or None
    field : str
        ``"Q"``, ``"numerical"`` or ``"none"``.
    activation : tuple of bool arrays
        Activation pattern of each hidden layer on the data, ``(n_samples, n_l)``.
    """

    identifiable: bool | None
    reason: str
    jacobian_rank: int | None
    n_params: int
    orbit_dim: int | None
    expected_rank: int | None
    field: str
    activation: tuple = ()

    def explain(self) -> str:
        """A readable account of the test."""
        word = {True: "locally identifiable modulo permutations and rescalings",
                False: "NOT locally identifiable", None: "undecided"}[self.identifiable]
        return (f"{word}: {self.reason} (parameters {self.n_params}, orbit dimension "
                f"{self.orbit_dim}, Jacobian rank {self.jacobian_rank}, field {self.field})")


def _rank(M: np.ndarray, exact: bool, tol: float | None) -> int:
    if M.size == 0:
        return 0
    if exact:
        return rank_exact(M).rank
    s = np.linalg.svd(M.astype(float), compute_uv=False)
    return int(np.sum(s > tol * s[0])) if s[0] > 0 else 0


def local_identifiability(net: ReLUNet, X: Any, *, tol: float | None = None) -> ReLULocalResult:
    """Are the parameters of ``net`` locally identifiable from its outputs on ``X``?

    Parameters
    ----------
    net : ReLUNet
    X : array (n_samples, n_0)
    tol : float or None, default None
        None: exact ranks over Q (net and X must be exact, else undecided). A float: ranks
        by SVD with relative threshold ``tol``, and pre-activations with
        ``|z| <= tol * max|z|`` count as zero.

    Returns
    -------
    ReLULocalResult

    Notes
    -----
    On a neighbourhood where the activation pattern on ``X`` is constant, the outputs are a
    polynomial map of ``theta``; by the constant-rank theorem, rank ``n_params - orbit_dim``
    of its Jacobian means the fibre through ``theta`` is locally the symmetry orbit. If some
    hidden pre-activation is exactly 0 on a data point the map is not differentiable there
    and the answer is None.

    Examples
    --------
    >>> net = ReLUNet([[[1, 0], [0, 1]], [[1, 1]]])
    >>> X = [[1, 2], [2, 1], [-1, 1], [-2, 3], [1, -1], [3, -2]]
    >>> res = local_identifiability(net, X)
    >>> res.identifiable, res.jacobian_rank, res.n_params - res.orbit_dim
    (True, 4, 4)
    >>> local_identifiability(net, [[1, 2], [2, 1]]).identifiable   # one linear piece
    False
    """
    func = "local_identifiability"
    net = check_net(net, "net", func)
    tol = check_tol(tol, "tol", func)
    X, _ = as_inputs(X, net.widths[0], func)
    exact = tol is None
    p = net.n_params
    if exact:
        try:
            layers = net.layers(exact=True)
            X = to_exact(X)
        except InexactInputError as exc:
            return ReLULocalResult(None, f"inexact entries ({exc}); pass tol=... for a "
                                   "numerical decision", None, p, None, None, "none")
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
                                   "constant)", None, p, None, None, "none", activation)
    J = layers_jacobian(layers, net.masks, net.biases is not None, X)
    rank = _rank(J, exact, tol)
    orbit = _rank(_tangents(net, exact), exact, tol)
    expected = p - orbit
    field = "Q" if exact else "numerical"
    if rank == expected:
        reason = (f"Jacobian rank {rank} = {p} parameters - {orbit} rescaling directions: "
                  "only the symmetries leave the outputs unchanged near theta")
        return ReLULocalResult(True, reason, rank, p, orbit, expected, field, activation)
    reason = (f"Jacobian rank {rank} < {p} parameters - {orbit} rescaling directions: "
              f"{expected - rank} more direction(s) leave the outputs on X unchanged to "
              "first order")
    return ReLULocalResult(False, reason, rank, p, orbit, expected, field, activation)

