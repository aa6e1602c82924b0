"""The ReLU network: ``f(x) = W_L relu(... relu(W_1 x + b_1) ...) + b_L``.

``weights[l]`` has shape ``(n_{l+1}, n_l)``; no activation on the output layer. Its
parameters are the entries of the weights inside their supports and, when present, the
biases. Besides :class:`ReLUNet`, this room holds the small kernels that the other rooms of
:mod:`identifiability.relu` share (layers as ``(W, b)`` pairs, forward passes, input checks).

>>> net = ReLUNet([[[1, -2], [1, 1]], [[1, 2]]], [[0, 1], [0]])
>>> net([1, 1]).tolist()
[6.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..core.exact import InexactInputError, exact_to_float, to_exact
from ..core.validation import as_matrix, as_support, param_error

__all__ = [
    "ReLUNet",
    # kernels shared by the rooms of identifiability.relu
    "as_sequence",
    "check_net",
    "as_inputs",
    "float_array",
    "relu",
    "layer_pre_activations",
    "layer_activations",
]

def _frozen(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    a.flags.writeable = False
    return a


def as_sequence(value: Any, name: str, func: str) -> list:
    if isinstance(value, np.ndarray) or isinstance(value, (str, bytes)):
        raise param_error(func, name, "a sequence of arrays (one per layer)",
                          value, kind=TypeError)
    try:
        return list(value)
    except TypeError as exc:
        raise param_error(func, name, "a sequence of arrays (one per layer)", value,
                          kind=TypeError) from exc


@dataclass(frozen=True, eq=False, init=False)
class ReLUNet:
    """A fully explicit (sparse) ReLU network ``W_L relu(... relu(W_1 x + b_1) ...) + b_L``.

    Parameters
    ----------
    weights : sequence of 2-D arrays
        ``weights[l]`` has shape ``(n_{l+1}, n_l)``; at least one layer. Real numbers;
        exact object arrays (``Fraction``) are accepted for exact computations.
    biases : sequence of 1-D arrays, optional
        ``biases[l]`` of length ``n_{l+1}``. None: a network without biases.
    supports : sequence of boolean masks, optional
        ``supports[l]`` of the shape of ``weights[l]``: the free entries. The weights must
        vanish outside. None: every entry is free (dense).

    Examples
    --------
    >>> net = ReLUNet([[[1, 0], [0, -1]], [[1, 1]]])
    >>> net.widths, net.n_params
    ((2, 2, 1), 6)
    >>> net([[3, 1], [1, -2]]).tolist()
    [[3.0], [3.0]]
    """

    weights: tuple
    biases: tuple | None
    supports: tuple | None

    def __init__(self, weights: Sequence[Any], biases: Sequence[Any] | None = None,
                 supports: Sequence[Any] | None = None) -> None:
        func = "ReLUNet"
        Ws = [as_matrix(W, f"weights[{l}]", func, allow_complex=False, allow_object=True)
              for l, W in enumerate(as_sequence(weights, "weights", func))]
        if not Ws:
            raise param_error(func, "weights", "a non-empty sequence of 2-D arrays",
                              "an empty sequence", raw=True)
        for l in range(1, len(Ws)):
            if Ws[l].shape[1] != Ws[l - 1].shape[0]:
                raise param_error(func, f"weights[{l}]", f"an array with {Ws[l - 1].shape[0]} "
                                  f"columns (the rows of weights[{l - 1}])",
                                  f"shape {Ws[l].shape}", raw=True)
        bs = None
        if biases is not None:
            bs = as_sequence(biases, "biases", func)
            if len(bs) != len(Ws):
                raise param_error(func, "biases", f"{len(Ws)} vectors (one per layer)",
                                  f"{len(bs)} vectors", raw=True)
            bs = [as_matrix(b, f"biases[{l}]", func, allow_complex=False, allow_object=True,
                            ndim=1) for l, b in enumerate(bs)]
            for l, (W, b) in enumerate(zip(Ws, bs)):
                if b.shape[0] != W.shape[0]:
                    raise param_error(func, f"biases[{l}]", f"a vector of length {W.shape[0]}",
                                      f"length {b.shape[0]}", raw=True)
        Ss = None
        if supports is not None:
            Ss = as_sequence(supports, "supports", func)
            if len(Ss) != len(Ws):
                raise param_error(func, "supports", f"{len(Ws)} masks (one per layer)",
                                  f"{len(Ss)} masks", raw=True)
            Ss = [as_support(S, f"supports[{l}]", func, shape=W.shape)
                  for l, (S, W) in enumerate(zip(Ss, Ws))]
            for l, (W, S) in enumerate(zip(Ws, Ss)):
                if any(x != 0 for x in W[~S]):
                    raise param_error(func, f"weights[{l}]", f"zero outside supports[{l}]",
                                      "non-zero entries outside the support", raw=True)
        object.__setattr__(self, "weights", tuple(_frozen(W) for W in Ws))
        object.__setattr__(self, "biases", None if bs is None else tuple(_frozen(b) for b in bs))
        object.__setattr__(self, "supports", None if Ss is None else tuple(_frozen(S) for S in Ss))

    # ---- structure
    @property
    def depth(self) -> int:
        """Number of layers ``L`` (one hidden layer: 2)."""
        return len(self.weights)

    @property
    def widths(self) -> tuple[int, ...]:
        """``(n_0, n_1, ..., n_L)``."""
        return (self.weights[0].shape[1],) + tuple(W.shape[0] for W in self.weights)

    @property
    def masks(self) -> tuple[np.ndarray, ...]:
        """The supports (all-True masks for a dense network)."""
        if self.supports is not None:
            return self.supports
        return tuple(np.ones(W.shape, dtype=bool) for W in self.weights)

    @property
    def n_params(self) -> int:
        """Number of free parameters (support entries plus biases)."""
        n = sum(int(S.sum()) for S in self.masks)
        return n + (sum(W.shape[0] for W in self.weights) if self.biases is not None else 0)

    @property
    def is_exact(self) -> bool:
        """True when every entry is exactly a rational (see :mod:`identifiability.exact`)."""
        try:
            self.layers(exact=True)
        except InexactInputError:
            return False
        return True

    def __repr__(self) -> str:
        bias = "with biases" if self.biases is not None else "no biases"
        nnz = [int(np.count_nonzero(np.asarray(W != 0))) for W in self.weights]
        if len(nnz) > 6:
            nnz = f"[{', '.join(map(str, nnz[:3]))}, ..., {', '.join(map(str, nnz[-2:]))}]"
        widths = self.widths if len(self.widths) <= 8 else f"<{len(self.widths)} widths>"
        return f"ReLUNet(widths={widths}, {bias}, nonzeros per layer={nnz})"

    # ---- evaluation
    def layers(self, exact: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(W_l, b_l)]`` as exact object arrays or float64 (zero biases when absent).

        ``exact=True`` raises :class:`~identifiability.core.InexactInputError` when an entry
        is not exactly a rational.
        """
        out = []
        for l, W in enumerate(self.weights):
            b = self.biases[l] if self.biases is not None else np.zeros(W.shape[0], dtype=int)
            if exact:
                out.append((to_exact(W), to_exact(b)))
            else:
                out.append((float_array(W), float_array(b)))
        return out

    def forward(self, X: Any) -> np.ndarray:
        """Outputs on ``X`` of shape ``(n_samples, n_0)`` (or ``(n_0,)``): ``(n_samples, n_L)``.

        Exact object arrays in give exact object arrays out; numbers are computed in the
        input's arithmetic otherwise (float64).
        """
        X, single = as_inputs(X, self.widths[0], "ReLUNet.forward")
        H = layer_activations(self.numeric_layers(X), X)[-1]
        return H[0] if single else H

    __call__ = forward

    def pre_activations(self, X: Any) -> list[np.ndarray]:
        """Pre-activations ``W_l h_{l-1} + b_l`` of the hidden layers, each ``(n_samples, n_l)``."""
        X, _ = as_inputs(X, self.widths[0], "ReLUNet.pre_activations")
        return layer_pre_activations(self.numeric_layers(X), X)

    def numeric_layers(self, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`layers` in the arithmetic of the network and of the inputs ``X``: exact
        when one of them holds exact objects, float64 otherwise."""
        obj = X.dtype == object or any(W.dtype == object for W in self.weights) or (
            self.biases is not None and any(b.dtype == object for b in self.biases))
        return self.layers(exact=True) if obj else self.layers(exact=False)

    # ---- parameters
    def params(self) -> np.ndarray:
        """The free parameters as one vector: per layer the support entries (row-major),
        then the bias."""
        parts = []
        for l, (W, S) in enumerate(zip(self.weights, self.masks)):
            parts.append(W[S])
            if self.biases is not None:
                parts.append(self.biases[l])
        obj = any(p.dtype == object for p in parts)
        return np.concatenate([p.astype(object) if obj else p for p in parts])

    def with_params(self, theta: Any) -> "ReLUNet":
        """The network with the same structure and free parameters ``theta``."""
        theta = np.asarray(theta)
        if theta.shape != (self.n_params,):
            raise param_error("ReLUNet.with_params", "theta", f"a vector of length "
                              f"{self.n_params}", f"shape {theta.shape}", raw=True)
        Ws, bs, pos = [], [], 0
        for W, S in zip(self.weights, self.masks):
            k = int(S.sum())
            M = np.zeros(W.shape, dtype=theta.dtype)
            M[S] = theta[pos:pos + k]
            Ws.append(M)
            pos += k
            if self.biases is not None:
                bs.append(theta[pos:pos + W.shape[0]])
                pos += W.shape[0]
        return ReLUNet(Ws, bs if self.biases is not None else None, self.supports)


def float_array(A: np.ndarray) -> np.ndarray:
    """float64 copy of an exact (object) or numeric array."""
    return exact_to_float(A) if A.dtype == object else A.astype(np.float64)


def as_inputs(X: Any, n0: int, func: str) -> tuple[np.ndarray, bool]:
    """Validate network inputs ``(n_samples, n0)`` or ``(n0,)``: ``(X 2-D, was_single)``."""
    arr = np.asarray(X) if not isinstance(X, np.ndarray) else X
    single = arr.ndim == 1
    X = as_matrix(arr[None, :] if single else arr, "X", func, allow_complex=False,
                  allow_object=True)
    if X.shape[1] != n0:
        raise param_error(func, "X", f"an array with {n0} columns (the input width)",
                          f"shape {X.shape}", raw=True)
    if X.dtype == object:
        X = to_exact(X)
    return X, single


def relu(Z: np.ndarray) -> np.ndarray:
    """``max(Z, 0)`` in the arithmetic of ``Z`` (exact objects stay exact)."""
    return np.where(Z > 0, Z, 0 * Z)


def layer_pre_activations(layers, X) -> list[np.ndarray]:
    """Pre-activations of the hidden layers of ``layers = [(W_l, b_l)]`` on ``X``."""
    if X.dtype != object and layers[0][0].dtype == object:
        X = to_exact(X)
    H, out = X, []
    for W, b in layers[:-1]:
        Z = H @ W.T + b
        out.append(Z)
        H = relu(Z)
    return out


def layer_activations(layers, X) -> list[np.ndarray]:
    """Activations ``[X, h_1, ..., h_{L-1}, output]``."""
    if X.dtype != object and layers[0][0].dtype == object:
        X = to_exact(X)
    H, out = X, [X]
    for l, (W, b) in enumerate(layers):
        Z = H @ W.T + b
        H = Z if l == len(layers) - 1 else relu(Z)
        out.append(H)
    return out


def check_net(net: Any, name: str, func: str) -> ReLUNet:
    """Boundary check: ``net`` is a :class:`ReLUNet`."""
    if not isinstance(net, ReLUNet):
        raise param_error(func, name, "a ReLUNet", net, kind=TypeError)
    return net

