"""The symmetries of a ReLU network: permutations and positive rescalings of hidden neurons.

Permuting the hidden neurons of a layer, and multiplying the incoming weights and bias of a
hidden neuron by ``lam > 0`` while dividing its outgoing weights by ``lam``, leaves the
function unchanged (Stock & Gribonval, docs/theory.rst A7, C27). A *negative* scale does not (relu
is only positively homogeneous). In the witness convention used here (that of
:mod:`identifiability.equivalence`, with the weights transposed), hidden layer ``k`` of
``net_b`` comes from hidden layer ``k`` of ``net_a`` by
``W_b[k][j, i] = W_a[k][p_k[j], p_{k-1}[i]] * s_k[j] / s_{k-1}[i]`` and
``b_b[k][j] = b_a[k][p_k[j]] * s_k[j]`` (input and output coordinates fixed).

Examples
--------
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

from ..core.exact import is_exact, to_exact
from ..core.rescaling import balance_chain
from ..core.validation import as_matrix, param_error
from ..core.policy import decision_tolerance
from ..equivalence import OrbitWitness, relative_tolerance
from .net import ReLUNet, as_sequence, check_net, float_array

__all__ = ["ReLUEquivalence", "CanonicalNet", "transform", "balance", "balance_arrays",
           "equivalent", "canonical_form", "MAX_ORDERINGS"]

#: Largest number of matchings / orderings of look-alike neurons tried in deep networks.
MAX_ORDERINGS = 20_000


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
    net = check_net(net, "net", func)
    hidden = net.widths[1:-1]
    perms = as_sequence(permutations, "permutations", func)
    scal = as_sequence(scalings, "scalings", func)
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
    layers = _apply(net.layers(exact=exact), P, D if exact else [float_array(d) for d in D])
    supports = None
    if net.supports is not None:
        supports = [S[P[l]] if l < len(P) else S for l, S in enumerate(net.supports)]
        supports = [S[:, P[l - 1]] if l > 0 else S for l, S in enumerate(supports)]
    return ReLUNet([W for W, _ in layers], [b for _, b in layers] if net.biases is not None
                   else None, supports)


def balance(net: ReLUNet) -> ReLUNet:
    """Equivalent float network whose hidden neurons have equal incoming and outgoing norms.

    Each hidden neuron is rescaled by a positive factor so that its incoming parameters
    (weights and bias) and its outgoing weights have equal norms
    (:func:`identifiability.core.balance_chain`: one pass for one hidden layer, sweeps to
    convergence for deeper networks). This minimises the parameter norm over the rescaling
    orbit; the *balanced norm* of a training trajectory is the divergence signature of
    docs/theory.rst B8 / C31.

    >>> b = balance(ReLUNet([[[4.0, 0.0]], [[1.0]]]))
    >>> b.weights[0].tolist(), b.weights[1].tolist()
    ([[2.0, 0.0]], [[2.0]])
    """
    net = check_net(net, "net", "balance")
    layers = net.layers(exact=False)
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
        The relative tolerance used (None: exact decision).
    tol_source : str
        ``"exact input"``, ``"given"`` or ``"default"`` (inexact floats, no ``tol``).
    relative_residual : float
        ``residual / max(1, largest entry of net_b)``: the margin of a positive numerical
        answer (compare with ``tol``).
    """

    def explain(self) -> str:
        """A short account of the decision and of the witness."""
        if not self.equivalent:
            return f"Not equivalent: {self.reason}.\n  {self._how()}."
        lines = [f"Equivalent: {self.reason} (residual {self.residual:.3g})."]
        for k, (p, d) in enumerate(zip(self.permutations, self.scalings)):
            pairs = [f"{j}<-{int(i)} (x {x})" for j, (i, x) in enumerate(zip(p, d))]
            more = f", ... ({len(pairs) - 8} more)" if len(pairs) > 8 else ""
            lines.append(f"  hidden layer {k}: {', '.join(pairs[:8])}{more}")
        lines.append(f"  {self._how()}.")
        return "\n".join(lines)

    def apply(self, net_a: ReLUNet) -> ReLUNet:
        """``transform(net_a, permutations, scalings)`` (should give ``net_b``)."""
        if not self.equivalent:
            raise param_error("ReLUEquivalence.apply", "self", "a positive result "
                              "(equivalent=True), which carries a witness",
                              f"a negative result: not equivalent ({self.reason})", raw=True)
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


def _arrays(net: ReLUNet) -> list:
    return list(net.weights) + (list(net.biases) if net.biases is not None else [])


def _both_layers(net_a: ReLUNet, net_b: ReLUNet, tol: float | None, func: str):
    if net_a.widths != net_b.widths:
        raise param_error(func, "net_b", f"a network with widths {net_a.widths}",
                          f"widths {net_b.widths}", raw=True)
    exact = tol is None
    return net_a.layers(exact=exact), net_b.layers(exact=exact)


def equivalent(net_a: ReLUNet, net_b: ReLUNet, *, tol: float | None = None) -> ReLUEquivalence:
    """Decide whether two networks differ by a permutation and positive rescaling of neurons.

    Parameters
    ----------
    net_a, net_b : ReLUNet
        Same widths. Missing biases count as zero biases; supports are not compared.
    tol : float or None, default None
        None: the exactness policy (:mod:`identifiability.core.policy`): an exact decision
        when every entry is exact (ints, dyadic floats, Fractions); on inexact floats a
        numerical decision at the default relative tolerance
        :data:`~identifiability.core.DEFAULT_RTOL`, which the result reports (``exact=False``,
        ``tol``, ``tol_source="default"`` and the margin ``relative_residual``). A positive
        float: neurons are matched when their normalised parameters agree within ``tol``
        (relative to max(1, largest entry)).

    Returns
    -------
    ReLUEquivalence
        Truthy iff equivalent, with the witness (``net_b = transform(net_a, permutations,
        scalings)``).

    Notes
    -----
    Layer by layer from the input, each neuron is normalised by a positive-homogeneous norm
    of its incoming parameters (``|first non-zero|`` exactly, the 2-norm numerically); in
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

    Two float64 networks (inexact entries) are compared numerically, and the result says so:

    >>> c = ReLUNet([[[0.1, 0.7], [0.3, -0.2]], [[0.9, 1.3]]])
    >>> d = transform(c, [[1, 0]], [[3.0, 0.25]])
    >>> res = equivalent(c, d)
    >>> bool(res), res.exact, res.tol_source, res.relative_residual < 1e-12
    (True, False, 'default', True)
    """
    func = "equivalent"
    net_a = check_net(net_a, "net_a", func)
    net_b = check_net(net_b, "net_b", func)
    policy = decision_tolerance(tol, *_arrays(net_a), *_arrays(net_b), func=func)
    tol = relative_tolerance(policy)
    A, B = _both_layers(net_a, net_b, tol, func)
    path = _search(A, B, 0, tol, [])
    how = "exactly" if tol is None else f"within tol={tol:.3g}" + (
        " (the default tolerance: inexact input)" if policy.source == "default" else "")
    if path is None:
        return ReLUEquivalence(False, (), (), "no permutation and positive rescaling of the "
                               f"hidden neurons maps net_a onto net_b {how}", math.inf, tol,
                               policy.source, math.inf)
    perms, scales = tuple(p for p, _ in path), tuple(s for _, s in path)
    G = _apply(A, perms, scales)
    res = max(float(np.max(np.abs(float_array(x) - float_array(y)), initial=0.0))
              for (W, b), (V, c) in zip(G, B) for x, y in ((W, V), (b, c)))
    scale = max([1.0] + [float(np.max(np.abs(float_array(x)), initial=0.0))
                         for V, c in B for x in (V, c)])
    return ReLUEquivalence(True, perms, scales, f"equivalent {how}: net_b is net_a with permuted"
                           " and positively rescaled hidden neurons", res, tol, policy.source,
                           0.0 if tol is None else res / scale)


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


@dataclass(frozen=True, eq=False, init=False, repr=False)
class CanonicalNet(ReLUNet):
    """The :class:`ReLUNet` returned by :func:`canonical_form`, with how it was computed.

    ``exact`` (True: exact arithmetic), ``tol`` (None when exact) and ``tol_source``
    (``"exact input"``, ``"given"``, or ``"default"``: inexact floats without ``tol``).
    """

    tol: float | None
    tol_source: str

    def __init__(self, net: ReLUNet, *, tol: float | None = None,
                 tol_source: str = "exact input") -> None:
        super().__init__(net.weights, net.biases, net.supports)
        object.__setattr__(self, "tol", tol)
        object.__setattr__(self, "tol_source", tol_source)

    @property
    def exact(self) -> bool:
        """True when computed in exact arithmetic."""
        return self.tol is None

    def __repr__(self) -> str:
        how = "exact" if self.exact else f"tol={self.tol:.3g} ({self.tol_source})"
        return "CanonicalNet(" + super().__repr__()[len("ReLUNet("):-1] + f", {how})"


def canonical_form(net: ReLUNet, *, tol: float | None = None) -> CanonicalNet:
    """A canonical representative of the symmetry orbit of ``net``.

    Each hidden neuron is rescaled (positively) so that its incoming parameters have
    normaliser 1 (``|first non-zero| = 1`` exactly; unit 2-norm numerically; a neuron
    without incoming parameters in the last hidden layer gets outgoing normaliser 1), then
    the neurons are sorted by (incoming, outgoing) parameters, layer by layer. In earlier
    hidden layers, orderings of identical-looking neurons are tried (at most
    ``MAX_ORDERINGS``) and the lexicographically smallest network is kept. Two networks are
    :func:`equivalent` iff their canonical forms are equal (exact mode; with floats, when
    distinct neurons differ by more than rounding).

    The exactness policy: exact arithmetic when every entry is exact and ``tol`` is None;
    float arithmetic otherwise (inexact floats without ``tol``: at the default tolerance,
    ``tol_source="default"``). The result, a :class:`CanonicalNet`, records which.

    >>> a = ReLUNet([[[2, 0], [0, 3]], [[1, 1]]])
    >>> b = ReLUNet([[[0, 1], [1, 0]], [[3, 2]]])
    >>> [W.tolist() for W in canonical_form(a).weights] == \\
    ...     [W.tolist() for W in canonical_form(b).weights]
    True
    >>> canonical_form(ReLUNet([[[0.1, 0.3]], [[0.7]]])).exact
    False
    """
    func = "canonical_form"
    net = check_net(net, "net", func)
    policy = decision_tolerance(tol, *_arrays(net), func=func)
    tol = relative_tolerance(policy)
    exact = tol is None
    layers = net.layers(exact=exact)
    path = _canonical(layers, 0, exact)[1]
    out = transform(net, [p for p, _ in path], [s for _, s in path])
    return CanonicalNet(out, tol=tol, tol_source=policy.source)
