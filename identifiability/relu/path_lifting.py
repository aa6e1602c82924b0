"""Path-lifting of a ReLU network and the Jacobians of the lifting and of the outputs.

``Phi(theta)`` collects the products of the weights along every input-to-output path, and of
a bias times the weights after it (bias paths); it is invariant under rescaling, and on a
region where the activation pattern is constant the network is a linear function of
``Phi`` (docs/theory.rst C34). For one hidden layer ``Phi[o, h, i] = W2[o, h] W1[h, i]``.

>>> from identifiability.relu import ReLUNet, path_lifting
>>> path_lifting(ReLUNet([[[1, 2]], [[3]]])).weights.tolist()
[[[3.0, 6.0]]]
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..core.display import summary_repr
from ..core.exact import to_exact
from .net import ReLUNet, as_inputs, check_net, layer_activations

__all__ = ["PathLifting", "path_lifting", "path_lifting_jacobian", "output_jacobian",
           "layers_jacobian"]


@dataclass(frozen=True, repr=False)
class PathLifting:
    """The path-lifting ``Phi(theta)`` of a network (rescaling-invariant).

    Attributes
    ----------
    weights : ndarray of shape (n_L, n_{L-1}, ..., n_1, n_0)
        ``weights[o, h_{L-1}, ..., h_1, i] = W_L[o, h_{L-1}] ... W_1[h_1, i]``: input paths.
    biases : tuple of ndarrays
        ``biases[l]`` has shape ``(n_L, ..., n_{l+1})``: the bias of neuron ``h_{l+1}`` of
        layer ``l`` times the weights after it (``biases[L-1] = b_L``). Empty without biases.
    """

    weights: np.ndarray
    biases: tuple

    def __repr__(self) -> str:
        n_bias = int(sum(np.size(b) for b in self.biases))
        return summary_repr("PathLifting", weights=self.weights, n_paths=int(self.weights.size),
                            n_bias_paths=n_bias, exact=self.weights.dtype == object)

    def explain(self) -> str:
        """What the lifting holds, by shape."""
        shape = " x ".join(map(str, self.weights.shape))
        lines = [f"Path-lifting: {self.weights.size} input paths (array {shape}: output, "
                 "hidden neurons from the last layer down, input)"]
        for l, b in enumerate(self.biases):
            lines.append(f"  bias paths from layer {l}: {np.size(b)}")
        nz = int(np.count_nonzero(self.vector != 0)) if self.vector.size else 0
        lines.append(f"  nonzero path values: {nz} of {self.vector.size}; invariant under "
                     "permutation and positive rescaling of the hidden neurons")
        return "\n".join(lines)

    @property
    def vector(self) -> np.ndarray:
        """All path values as one vector (input paths, then bias paths layer by layer)."""
        parts = [self.weights.ravel()] + [b.ravel() for b in self.biases]
        obj = any(p.dtype == object for p in parts)
        return np.concatenate([p.astype(object) if obj else p for p in parts])


def _lift(layers, with_biases: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    def carry(T: np.ndarray, start: int) -> np.ndarray:
        for W, _ in layers[start:]:
            T = W.reshape(W.shape + (1,) * (T.ndim - 1)) * T[None]
        return T

    weights = carry(layers[0][0], 1)
    biases = [carry(b, l + 1) for l, (_, b) in enumerate(layers)] if with_biases else []
    return weights, biases


def path_lifting(net: ReLUNet) -> PathLifting:
    """Products of the parameters along the paths of ``net`` (Stock & Gribonval).

    >>> net = ReLUNet([[[1, -2], [0.5, 1]], [[1, 2], [0, 1]]])
    >>> path_lifting(net).weights[:, :, 0].tolist()      # W2[o, h] * W1[h, 0]
    [[1.0, 1.0], [0.0, 0.5]]
    """
    net = check_net(net, "net", "path_lifting")
    exact = any(W.dtype == object for W in net.weights)
    weights, biases = _lift(net.layers(exact=exact), net.biases is not None)
    return PathLifting(weights, tuple(biases))


def path_lifting_jacobian(net: ReLUNet) -> np.ndarray:
    """Jacobian of ``path_lifting(net).vector`` with respect to ``net.params()``.

    ``Phi`` is linear in each layer's parameters separately, so the column of a parameter
    is the lifting of the network with that parameter set to 1 and the rest of its layer to
    0, restricted to the paths that use the layer. Exact when the entries are exact.

    >>> J = path_lifting_jacobian(ReLUNet([[[1, 2]], [[3]]]))
    >>> J.tolist()     # paths (3*1, 3*2), params (w11, w12, v)
    [[3.0, 0.0, 1.0], [0.0, 3.0, 2.0]]
    """
    net = check_net(net, "net", "path_lifting_jacobian")
    exact = any(W.dtype == object for W in net.weights)
    layers = net.layers(exact=exact)
    has_b = net.biases is not None
    zero = Fraction(0) if exact else 0.0
    one = Fraction(1) if exact else 1.0
    cols = []
    for l, ((W, b), S) in enumerate(zip(layers, net.masks)):
        units = [("W", idx) for idx in zip(*np.nonzero(S))]
        units += [("b", h) for h in range(W.shape[0])] if has_b else []
        for kind, idx in units:
            E = np.full(W.shape, zero, dtype=W.dtype)
            e = np.full(b.shape, zero, dtype=b.dtype)
            if kind == "W":
                E[idx] = one
            else:
                e[idx] = one
            mod = list(layers)
            mod[l] = (E, e)
            weights, biases = _lift(mod, has_b)
            # bias paths starting after layer l do not use layer l
            biases = [B if m <= l else np.zeros_like(B) for m, B in enumerate(biases)]
            cols.append(PathLifting(weights, tuple(biases)).vector)
    return np.stack(cols, axis=1)


def layers_jacobian(layers, masks, has_b: bool, X: np.ndarray) -> np.ndarray:
    acts = layer_activations(layers, X)
    n, L = X.shape[0], len(layers)
    n_out = layers[-1][0].shape[0]
    eye = to_exact(np.eye(n_out, dtype=int)) if acts[-1].dtype == object else np.eye(n_out)
    G = np.broadcast_to(eye, (n, n_out, n_out))
    blocks = []
    for l in range(L - 1, -1, -1):
        W, _ = layers[l]
        H = acts[l]                                    # input of layer l
        dW = G[:, :, :, None] * H[:, None, None, :]    # (n, o, n_{l+1}, n_l)
        block = [dW[:, :, masks[l]]]
        if has_b:
            block.append(G)
        blocks.append(np.concatenate(block, axis=2) if has_b else block[0])
        if l > 0:
            active = (acts[l] > 0)
            G = (G @ W) * active[:, None, :]
    J = np.concatenate(blocks[::-1], axis=2)
    return J.reshape(n * n_out, -1)


def output_jacobian(net: ReLUNet, X: Any) -> np.ndarray:
    """Jacobian of ``theta -> net.with_params(theta)(X).ravel()`` at ``net.params()``.

    Rows: samples x outputs (row-major); columns: ``net.params()``. Valid where no hidden
    pre-activation vanishes (the activation pattern is then locally constant). Exact object
    array when the net and ``X`` are exact.

    >>> output_jacobian(ReLUNet([[[1, 2]], [[3]]]), [[1, 1]]).tolist()
    [[3.0, 3.0, 3.0]]
    """
    func = "output_jacobian"
    net = check_net(net, "net", func)
    X, _ = as_inputs(X, net.widths[0], func)
    layers = net.numeric_layers(X)
    if X.dtype != object and layers[0][0].dtype == object:
        X = to_exact(X)
    if X.dtype != object:
        X = X.astype(np.float64)
    return layers_jacobian(layers, net.masks, net.biases is not None, X)

