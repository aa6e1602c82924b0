"""Sparse ReLU networks: rescaling symmetries, path-lifting, local identifiability.

A network with ``L`` layers maps ``x in R^{n_0}`` to
``f(x) = W_L relu(... relu(W_1 x + b_1) ...) + b_L`` (``weights[l]`` has shape
``(n_{l+1}, n_l)``; no activation on the output layer). Its parameters are the entries of
the weights inside their supports and, when present, the biases.

Symmetries (Stock & Gribonval, THEORY.md A7)
--------------------------------------------
Permuting the hidden neurons of a layer, and multiplying the incoming weights and bias of a
hidden neuron by ``lam > 0`` while dividing its outgoing weights by ``lam``, leaves the
function unchanged (C27). A *negative* scale does not (relu is only positively homogeneous).
In the witness convention used here (that of :mod:`identifiability.equivalence`, with the
weights transposed), hidden layer ``k`` of ``net_b`` comes from hidden layer ``k`` of ``net_a``
by ``W_b[k][j, i] = W_a[k][p_k[j], p_{k-1}[i]] * s_k[j] / s_{k-1}[i]`` and
``b_b[k][j] = b_a[k][p_k[j]] * s_k[j]`` (input and output coordinates fixed).

Path-lifting
------------
``Phi(theta)`` collects the products of the weights along every input-to-output path, and of
a bias times the weights after it (bias paths); it is invariant under rescaling, and on a
region where the activation pattern is constant the network is a linear function of
``Phi`` (C34). For one hidden layer ``Phi[o, h, i] = W2[o, h] W1[h, i]``.

Local identifiability
---------------------
The parameters are locally identifiable from the outputs on the inputs ``X`` modulo the
symmetries when the Jacobian of ``theta -> f_theta(X)`` has rank
``n_params - orbit_dim`` (the orbit dimension is the rank of the rescaling tangents, one per
hidden neuron whose incoming or outgoing parameters are not all zero). With exact entries
(integers, dyadic floats, Fractions) the rank is exact over Q.

Examples
--------
>>> import numpy as np
>>> from identifiability.relu import ReLUNet, equivalent, transform
>>> net = ReLUNet([[[1, -2], [1, 1]], [[1, 2]]], [[0, 1], [0]])
>>> other = transform(net, [[1, 0]], [[2, 4]])
>>> res = equivalent(net, other)
>>> bool(res), res.permutations[0].tolist(), [str(s) for s in res.scalings[0]]
(True, [1, 0], ['2', '4'])
>>> net([1, 1]).tolist(), other([1, 1]).tolist()
([6.0], [6.0])
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
from networkx import Graph
from networkx.algorithms.bipartite import hopcroft_karp_matching

from ..core.validation import as_matrix, as_support, check_tol, param_error
from ..equivalence import OrbitWitness
from ..core.exact import InexactInputError, exact_to_float, is_exact, rank_exact, to_exact
from ..core.rescaling import balance_chain

__all__ = [
    "ReLUNet",
    "ReLUEquivalence",
    "ReLULocalResult",
    "PathLifting",
    "transform",
    "balance",
    "equivalent",
    "canonical_form",
    "path_lifting",
    "path_lifting_jacobian",
    "output_jacobian",
    "local_identifiability",
]

#: Largest number of matchings / orderings of look-alike neurons tried in deep networks.
MAX_ORDERINGS = 20_000


# --------------------------------------------------------------------------------------
# the network
# --------------------------------------------------------------------------------------

def _frozen(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    a.flags.writeable = False
    return a


def _sequence(value: Any, name: str, func: str) -> list:
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
              for l, W in enumerate(_sequence(weights, "weights", func))]
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
            bs = _sequence(biases, "biases", func)
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
            Ss = _sequence(supports, "supports", func)
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
            self._exact_layers()
        except InexactInputError:
            return False
        return True

    def __repr__(self) -> str:
        bias = "with biases" if self.biases is not None else "no biases"
        nnz = [int(np.count_nonzero(np.asarray(W != 0))) for W in self.weights]
        return f"ReLUNet(widths={self.widths}, {bias}, nonzeros per layer={nnz})"

    # ---- evaluation
    def _layers(self, exact: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(W_l, b_l)]`` as exact object arrays or float64 (zero biases when absent)."""
        out = []
        for l, W in enumerate(self.weights):
            b = self.biases[l] if self.biases is not None else np.zeros(W.shape[0], dtype=int)
            if exact:
                out.append((to_exact(W), to_exact(b)))
            else:
                out.append((_float(W), _float(b)))
        return out

    def _exact_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return self._layers(exact=True)

    def forward(self, X: Any) -> np.ndarray:
        """Outputs on ``X`` of shape ``(n_samples, n_0)`` (or ``(n_0,)``): ``(n_samples, n_L)``.

        Exact object arrays in give exact object arrays out; numbers are computed in the
        input's arithmetic otherwise (float64).
        """
        X, single = _inputs(X, self.widths[0], "ReLUNet.forward")
        H = _forward(self._numeric_layers(X), X)[-1]
        return H[0] if single else H

    __call__ = forward

    def pre_activations(self, X: Any) -> list[np.ndarray]:
        """Pre-activations ``W_l h_{l-1} + b_l`` of the hidden layers, each ``(n_samples, n_l)``."""
        X, _ = _inputs(X, self.widths[0], "ReLUNet.pre_activations")
        return _pre_activations(self._numeric_layers(X), X)

    def _numeric_layers(self, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        obj = X.dtype == object or any(W.dtype == object for W in self.weights) or (
            self.biases is not None and any(b.dtype == object for b in self.biases))
        return self._layers(exact=True) if obj else self._layers(exact=False)

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


def _float(A: np.ndarray) -> np.ndarray:
    return exact_to_float(A) if A.dtype == object else A.astype(np.float64)


def _inputs(X: Any, n0: int, func: str) -> tuple[np.ndarray, bool]:
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


def _relu(Z: np.ndarray) -> np.ndarray:
    return np.where(Z > 0, Z, 0 * Z)


def _pre_activations(layers, X) -> list[np.ndarray]:
    if X.dtype != object and layers[0][0].dtype == object:
        X = to_exact(X)
    H, out = X, []
    for W, b in layers[:-1]:
        Z = H @ W.T + b
        out.append(Z)
        H = _relu(Z)
    return out


def _forward(layers, X) -> list[np.ndarray]:
    """Activations ``[X, h_1, ..., h_{L-1}, output]``."""
    if X.dtype != object and layers[0][0].dtype == object:
        X = to_exact(X)
    H, out = X, [X]
    for l, (W, b) in enumerate(layers):
        Z = H @ W.T + b
        H = Z if l == len(layers) - 1 else _relu(Z)
        out.append(H)
    return out


def _check_net(net: Any, name: str, func: str) -> ReLUNet:
    if not isinstance(net, ReLUNet):
        raise param_error(func, name, "a ReLUNet", net, kind=TypeError)
    return net


# --------------------------------------------------------------------------------------
# the symmetry group
# --------------------------------------------------------------------------------------

def _apply(layers, perms, scales) -> list[tuple[np.ndarray, np.ndarray]]:
    out, p_prev, s_prev = [], None, None
    for l, (W, b) in enumerate(layers):
        if p_prev is not None:
            W = W[:, p_prev] / s_prev[None, :]
        if l < len(layers) - 1:
            p, s = perms[l], scales[l]
            W, b = W[p] * s[:, None], b[p] * s
            p_prev, s_prev = p, s
        out.append((W, b))
    return out


def transform(net: ReLUNet, permutations: Sequence[Any], scalings: Sequence[Any]) -> ReLUNet:
    """Apply the symmetry (permutations, positive scalings) of the hidden layers to ``net``.

    Hidden neuron ``j`` of layer ``k`` of the result is neuron ``permutations[k][j]`` of
    ``net`` with incoming weights and bias times ``scalings[k][j]`` and outgoing weights
    divided by it. Exact in, exact out (Fractions) when the scalings are exact.

    >>> net = ReLUNet([[[1.0, 2.0]], [[3.0]]])
    >>> transform(net, [[0]], [[2.0]]).weights[1].tolist()
    [[1.5]]
    """
    func = "transform"
    net = _check_net(net, "net", func)
    hidden = net.widths[1:-1]
    perms = _sequence(permutations, "permutations", func)
    scal = _sequence(scalings, "scalings", func)
    if len(perms) != len(hidden) or len(scal) != len(hidden):
        raise param_error(func, "permutations", f"{len(hidden)} permutations and scalings "
                          "(one per hidden layer)", f"{len(perms)} and {len(scal)}", raw=True)
    P, D = [], []
    for k, (p, s, n) in enumerate(zip(perms, scal, hidden)):
        p = np.asarray(p)
        if p.shape != (n,) or p.dtype.kind not in "iu" or sorted(p.tolist()) != list(range(n)):
            raise param_error(func, f"permutations[{k}]", f"a permutation of range({n})", p)
        s = as_matrix(np.asarray(s), f"scalings[{k}]", func, allow_complex=False,
                      allow_object=True, ndim=1)
        if s.shape != (n,) or not all(x > 0 for x in s):
            raise param_error(func, f"scalings[{k}]", f"{n} positive numbers", s)
        P.append(p)
        D.append(s)
    objects = any(d.dtype == object for d in D) or any(W.dtype == object for W in net.weights)
    exact = objects and net.is_exact and all(is_exact(d) for d in D)
    D = [to_exact(d) for d in D] if exact else D
    layers = _apply(net._layers(exact=exact), P, D if exact else [_float(d) for d in D])
    supports = None
    if net.supports is not None:
        supports = [S[P[l]] if l < len(P) else S for l, S in enumerate(net.supports)]
        supports = [S[:, P[l - 1]] if l > 0 else S for l, S in enumerate(supports)]
    return ReLUNet([W for W, _ in layers], [b for _, b in layers] if net.biases is not None
                   else None, supports)


def balance(net: ReLUNet) -> ReLUNet:
    """Equivalent float network whose hidden neurons have equal incoming and outgoing norms.

    Each hidden neuron (layer by layer, from the first) is rescaled by
    ``sqrt(||out|| / ||in||)`` (incoming = weights and bias). For one hidden layer this
    minimises the parameter norm over the rescaling orbit; the *balanced norm* of a
    training trajectory is the divergence signature of THEORY.md B8 / C31.

    >>> b = balance(ReLUNet([[[4.0, 0.0]], [[1.0]]]))
    >>> b.weights[0].tolist(), b.weights[1].tolist()
    ([[2.0, 0.0]], [[2.0]])
    """
    net = _check_net(net, "net", "balance")
    layers = net._layers(exact=False)
    Ws, bs = balance_arrays([W for W, _ in layers], [b for _, b in layers])
    return ReLUNet(Ws, bs if net.biases is not None else None, net.supports)


def balance_arrays(Ws: list[np.ndarray], bs: list[np.ndarray], *, n_sweeps: int | None = None
                    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """:func:`identifiability.core.balance_chain` in the ReLU convention.

    ``Ws = [W_1, ..., W_L]`` and ``bs = [b_1, ..., b_L]`` (any leading batch axes); the
    output bias is returned unchanged.
    """
    Ws, bs = list(Ws), list(bs)
    F, B = balance_chain(Ws[::-1], biases=bs[:-1][::-1], n_sweeps=n_sweeps)
    return F[::-1], B[::-1] + [np.array(bs[-1], dtype=np.result_type(bs[-1], float))]


# --------------------------------------------------------------------------------------
# equivalence and canonical form
# --------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False, repr=False)
class ReLUEquivalence(OrbitWitness):
    """Outcome of :func:`equivalent`; truthy iff the networks are in the same symmetry orbit.

    Attributes
    ----------
    equivalent : bool
    permutations, scalings : tuple of arrays
        One per hidden layer (empty when not equivalent): ``net_b = transform(net_a,
        permutations, scalings)``; scalings are positive (Fractions when decided exactly).
    reason : str
    residual : float
        Largest absolute deviation between ``net_b`` and the transformed ``net_a``.
    tol : float or None
    """

    def apply(self, net_a: ReLUNet) -> ReLUNet:
        """``transform(net_a, permutations, scalings)`` (should give ``net_b``)."""
        if not self.equivalent:
            raise ValueError("ReLUEquivalence.apply needs a witness, but the networks are not "
                             f"equivalent ({self.reason}).")
        return transform(net_a, self.permutations, self.scalings)


def _norm(V: np.ndarray, exact: bool) -> np.ndarray:
    """Positive-homogeneous row normaliser: |first non-zero| (exact) or the 2-norm (0 if 0)."""
    if not exact:
        return np.sqrt((V.astype(float) ** 2).sum(axis=1))
    out = np.empty(V.shape[0], dtype=object)
    for h, row in enumerate(V):
        nz = [x for x in row if x != 0]
        out[h] = abs(nz[0]) if nz else Fraction(0)
    return out


def _keys(layers, k: int, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """Normalised keys and normalising constants ``c`` of the neurons of hidden layer ``k``.

    ``key = (incoming / c, outgoing * c)`` for the last hidden layer (the output layer is
    fixed, so the outgoing weights are comparable), ``incoming / c`` otherwise.
    ``c = ||incoming||`` when it is non-zero, ``1 / ||outgoing||`` for a neuron without
    incoming parameters in the last hidden layer, and 1 otherwise.
    """
    W, b = layers[k]
    inc = np.concatenate([W, b[:, None]], axis=1)
    c = _norm(inc, exact)
    last = k == len(layers) - 2
    one = Fraction(1) if exact else 1.0
    if last:
        out = layers[k + 1][0].T
        co = _norm(out, exact)
        c = np.array([ci if ci != 0 else (one / oi if oi != 0 else one)
                      for ci, oi in zip(c, co)], dtype=object if exact else float)
        return np.concatenate([inc / c[:, None], out * c[:, None]], axis=1), c
    c = np.array([ci if ci != 0 else one for ci in c], dtype=object if exact else float)
    return inc / c[:, None], c


def _close(a: np.ndarray, b: np.ndarray, tol: float | None) -> bool:
    if tol is None:
        return a.shape == b.shape and all(x == y for x, y in zip(a.flat, b.flat))
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol * scale))


def _candidates(Ka: np.ndarray, Kb: np.ndarray, tol: float | None) -> list[list[int]]:
    if tol is None:
        groups: dict = {}
        for h, row in enumerate(Ka):
            groups.setdefault(tuple(row), []).append(h)
        return [groups.get(tuple(row), []) for row in Kb]
    scale = np.maximum(1.0, np.maximum(np.abs(Ka).max(axis=1)[None, :],
                                       np.abs(Kb).max(axis=1)[:, None]))
    dist = np.abs(Kb[:, None, :] - Ka[None, :, :]).max(axis=2)
    return [np.flatnonzero(row).tolist() for row in dist <= tol * scale]


def _matchings(cands: list[list[int]], n: int, last: bool):
    """Perfect matchings ``j -> cands[j]`` (one is enough for the last hidden layer)."""
    if last:
        G = Graph()
        G.add_nodes_from(("b", j) for j in range(n))
        G.add_nodes_from(("a", h) for h in range(n))
        G.add_edges_from((("b", j), ("a", h)) for j, c in enumerate(cands) for h in c)
        match = hopcroft_karp_matching(G, top_nodes=[("b", j) for j in range(n)])
        if all(("b", j) in match for j in range(n)):
            yield np.array([match[("b", j)][1] for j in range(n)])
        return
    order = sorted(range(n), key=lambda j: len(cands[j]))
    used, p = set(), np.zeros(n, dtype=int)

    def rec(t: int):
        if t == n:
            yield p.copy()
            return
        j = order[t]
        for h in cands[j]:
            if h not in used:
                used.add(h)
                p[j] = h
                yield from rec(t + 1)
                used.discard(h)

    yield from itertools.islice(rec(0), MAX_ORDERINGS)


def _search(A, B, k: int, tol: float | None, acc: list) -> list | None:
    """Match hidden layer ``k`` of B onto A (A already expressed in B's coordinates below)."""
    if k == len(A) - 1:
        ok = _close(A[k][0], B[k][0], tol) and _close(A[k][1], B[k][1], tol)
        return acc if ok else None
    exact = tol is None
    Ka, ca = _keys(A, k, exact)
    Kb, cb = _keys(B, k, exact)
    cands = _candidates(Ka, Kb, tol)
    n = Ka.shape[0]
    for p in _matchings(cands, n, k == len(A) - 2):
        s = cb / ca[p]
        moved = list(A)
        W, b = A[k]
        moved[k] = (W[p] * s[:, None], b[p] * s)
        V, c = A[k + 1]
        moved[k + 1] = (V[:, p] / s[None, :], c)
        found = _search(moved, B, k + 1, tol, acc + [(p, s)])
        if found is not None:
            return found
    return None


def _both_layers(net_a: ReLUNet, net_b: ReLUNet, tol: float | None, func: str):
    if net_a.widths != net_b.widths:
        raise param_error(func, "net_b", f"a network with widths {net_a.widths}",
                          f"widths {net_b.widths}", raw=True)
    if tol is not None:
        return net_a._layers(), net_b._layers()
    try:
        return net_a._exact_layers(), net_b._exact_layers()
    except InexactInputError as exc:
        raise ValueError(f"{func} decides exactly when tol=None, but an entry is not exact "
                         f"({exc}). Pass tol=...") from exc


def equivalent(net_a: ReLUNet, net_b: ReLUNet, *, tol: float | None = None) -> ReLUEquivalence:
    """Decide whether two networks differ by a permutation and positive rescaling of neurons.

    Parameters
    ----------
    net_a, net_b : ReLUNet
        Same widths. Missing biases count as zero biases; supports are not compared.
    tol : float or None, default None
        None: exact decision (entries must be exact: ints, dyadic floats, Fractions).
        A positive float: neurons are matched when their normalised parameters agree within
        ``tol`` (relative to max(1, largest entry)).

    Returns
    -------
    ReLUEquivalence
        Truthy iff equivalent, with the witness (``net_b = transform(net_a, permutations,
        scalings)``).

    Notes
    -----
    Layer by layer from the input, each neuron is normalised by a positive-homogeneous norm
    of its incoming parameters (``|first non-zero|`` exactly, the 2-norm with ``tol``); in
    the last hidden layer its outgoing weights are compared too and a bipartite matching
    (Hopcroft-Karp) pairs the neurons. In earlier layers look-alike neurons are paired by
    backtracking (at most ``MAX_ORDERINGS`` matchings per layer). Gap: a neuron of a
    non-last hidden layer without incoming parameters is only matched with scale 1.

    Examples
    --------
    >>> a = ReLUNet([[[1, 0], [0, 1]], [[1, 1]]])
    >>> b = ReLUNet([[[0, 2], [1, 0]], [[0.5, 1]]])
    >>> res = equivalent(a, b)
    >>> bool(res), res.permutations[0].tolist()
    (True, [1, 0])
    >>> bool(equivalent(a, ReLUNet([[[-1, 0], [0, 1]], [[-1, 1]]])))   # sign flip
    False
    """
    func = "equivalent"
    net_a = _check_net(net_a, "net_a", func)
    net_b = _check_net(net_b, "net_b", func)
    tol = check_tol(tol, "tol", func)
    A, B = _both_layers(net_a, net_b, tol, func)
    path = _search(A, B, 0, tol, [])
    if path is None:
        return ReLUEquivalence(False, (), (), "no permutation and positive rescaling of the "
                               "hidden neurons maps net_a onto net_b", math.inf, tol)
    perms, scales = tuple(p for p, _ in path), tuple(s for _, s in path)
    G = _apply(A, perms, scales)
    res = max(float(np.max(np.abs(_float(x) - _float(y)), initial=0.0))
              for (W, b), (V, c) in zip(G, B) for x, y in ((W, V), (b, c)))
    how = "exactly" if tol is None else f"within tol={tol}"
    return ReLUEquivalence(True, perms, scales, f"equivalent {how}: net_b is net_a with permuted"
                           " and positively rescaled hidden neurons", res, tol)


def _sort_key(row: np.ndarray, exact: bool) -> tuple:
    return tuple(row) if exact else tuple(float(x) for x in row)


def _canonical(layers, k: int, exact: bool) -> tuple[tuple, list]:
    """Smallest flattened network (and its per-layer ``(p, s)``) from hidden layer ``k`` on."""
    if k == len(layers) - 1:
        return tuple(_sort_key(np.concatenate([W.ravel(), b]), exact) for W, b in layers), []
    K, c = _keys(layers, k, exact)
    keys = [_sort_key(r, exact) for r in K]
    order = sorted(range(len(keys)), key=lambda h: keys[h])
    classes = [list(g) for _, g in itertools.groupby(order, key=lambda h: keys[h])]
    choices = [order] if k == len(layers) - 2 else (
        sum((list(g) for g in combo), []) for combo in
        itertools.product(*[itertools.permutations(g) for g in classes]))
    best = None
    for p in itertools.islice(choices, MAX_ORDERINGS):
        p = np.asarray(p, dtype=int)
        s = np.array([1 / x for x in c[p]], dtype=object if exact else float)
        moved = list(layers)
        W, b = layers[k]
        moved[k] = (W[p] * s[:, None], b[p] * s)
        V, cb = layers[k + 1]
        moved[k + 1] = (V[:, p] / s[None, :], cb)
        flat, path = _canonical(moved, k + 1, exact)
        if best is None or flat < best[0]:
            best = (flat, [(p, s)] + path)
    return best


def canonical_form(net: ReLUNet, *, tol: float | None = None) -> ReLUNet:
    """A canonical representative of the symmetry orbit of ``net``.

    Each hidden neuron is rescaled (positively) so that its incoming parameters have
    normaliser 1 (``|first non-zero| = 1`` exactly; unit 2-norm with ``tol``; a neuron
    without incoming parameters in the last hidden layer gets outgoing normaliser 1), then
    the neurons are sorted by (incoming, outgoing) parameters, layer by layer. In earlier
    hidden layers, orderings of identical-looking neurons are tried (at most
    ``MAX_ORDERINGS``) and the lexicographically smallest network is kept. Two networks are
    :func:`equivalent` iff their canonical forms are equal (exact mode; with floats, when
    distinct neurons differ by more than rounding).

    >>> a = ReLUNet([[[2, 0], [0, 3]], [[1, 1]]])
    >>> b = ReLUNet([[[0, 1], [1, 0]], [[3, 2]]])
    >>> [W.tolist() for W in canonical_form(a).weights] == \\
    ...     [W.tolist() for W in canonical_form(b).weights]
    True
    """
    func = "canonical_form"
    net = _check_net(net, "net", func)
    tol = check_tol(tol, "tol", func)
    exact = tol is None
    try:
        layers = net._layers(exact=exact)
    except InexactInputError as exc:
        raise ValueError(f"{func} works exactly when tol=None, but an entry is not exact "
                         f"({exc}). Pass tol=...") from exc
    path = _canonical(layers, 0, exact)[1]
    return transform(net, [p for p, _ in path], [s for _, s in path])


# --------------------------------------------------------------------------------------
# path-lifting
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
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
    net = _check_net(net, "net", "path_lifting")
    exact = any(W.dtype == object for W in net.weights)
    weights, biases = _lift(net._layers(exact=exact), net.biases is not None)
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
    net = _check_net(net, "net", "path_lifting_jacobian")
    exact = any(W.dtype == object for W in net.weights)
    layers = net._layers(exact=exact)
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


# --------------------------------------------------------------------------------------
# local identifiability from outputs
# --------------------------------------------------------------------------------------

def _jacobian(layers, masks, has_b: bool, X: np.ndarray) -> np.ndarray:
    acts = _forward(layers, X)
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
    net = _check_net(net, "net", func)
    X, _ = _inputs(X, net.widths[0], func)
    layers = net._numeric_layers(X)
    if X.dtype != object and layers[0][0].dtype == object:
        X = to_exact(X)
    if X.dtype != object:
        X = X.astype(np.float64)
    return _jacobian(layers, net.masks, net.biases is not None, X)


def _tangents(net: ReLUNet, exact: bool) -> np.ndarray:
    """One row per hidden neuron: the rescaling tangent ``(+incoming, -outgoing)``."""
    layers = net._layers(exact=exact)
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
    net = _check_net(net, "net", func)
    tol = check_tol(tol, "tol", func)
    X, _ = _inputs(X, net.widths[0], func)
    exact = tol is None
    p = net.n_params
    if exact:
        try:
            layers = net._exact_layers()
            X = to_exact(X)
        except InexactInputError as exc:
            return ReLULocalResult(None, f"inexact entries ({exc}); pass tol=... for a "
                                   "numerical decision", None, p, None, None, "none")
    else:
        layers = net._layers()
        X = _float(X)
    Z = _pre_activations(layers, X)
    activation = tuple(np.asarray(z > 0, dtype=bool) for z in Z)
    for k, z in enumerate(Z):
        zf = _float(z) if exact else z
        thr = 0.0 if exact else tol * max(1.0, float(np.max(np.abs(zf))))
        bad = np.argwhere(np.abs(zf) <= thr)
        if bad.size:
            i, h = bad[0]
            return ReLULocalResult(None, f"the pre-activation of neuron {h} of hidden layer {k}"
                                   f" is zero on sample {i}: the output map is not "
                                   "differentiable there (activation pattern not locally "
                                   "constant)", None, p, None, None, "none", activation)
    J = _jacobian(layers, net.masks, net.biases is not None, X)
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
