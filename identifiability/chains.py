"""Essential uniqueness of L-factor chains ``A = X[0] @ X[1] @ ... @ X[L-1]`` with fixed supports.

:func:`check_uniqueness_chain` decides it hierarchically (docs/theory.rst A5, B6, B7 and Le
Magoarou's hierarchical logic): split the chain at ``t`` into a left product
``P = X[0]...X[t-1]`` and a right product ``Q = X[t]...X[L-1]``, whose supports are contained
in the boolean products of the masks, decide the two-layer problem ``A = P Q`` with
:func:`~identifiability.two_layer.check_uniqueness`, and recurse on ``P`` and ``Q``.

What is proven (induction on the tree of splits)
------------------------------------------------
Write ``M`` for the matrix of a node (``A`` at the root, a factor of the parent's two-layer
verdict below).

* **unique.** If the two-layer verdict at a split is ``"unique"`` then every pair
  ``(P', Q')`` with the product supports and ``P' Q' = M`` is ``(P D, D^{-1} Q)`` with ``D``
  invertible diagonal and *no* permutation: a ``"unique"`` two-layer verdict has all
  contributions nonzero and no two active inner indices with the same rectangle (otherwise
  the checker answers ``"not_unique"``). A chain ``Y`` of ``M`` gives such a pair, and
  ``Y[i..t-1]`` with its last factor multiplied by ``D^{-1}`` is a chain of ``P`` (same
  supports). If both sides are unique in the same sense, every chain of ``M`` is therefore
  ``X[l] -> D[l-1]^{-1} X[l] D[l]`` with ``D[l]`` diagonal invertible and ``D[-1] = D[L-1] = I``:
  the gauge between consecutive factors is *only* diagonal scaling (in particular the chain
  is equivalent to every other one in the sense of
  :func:`identifiability.equivalence.equivalent`). A single factor is unique (it is ``M``).
* **infeasible.** If the two-layer problem at any split is infeasible, so is the chain (a
  chain gives a pair). If the split is ``"unique"`` and a side is infeasible, so is the chain
  (``P D`` has a chain iff ``P`` has one).
* **not_unique.** A second chain is built either from a ``"not_unique"`` sub-chain below a
  ``"unique"`` split, or by re-factoring both sides of the alternative of a ``"not_unique"``
  two-layer verdict; it is kept only if it multiplies back to ``A``, respects the supports and
  :func:`~identifiability.equivalence.equivalent` says it is not equivalent to the first
  chain (permutations allowed).
* Otherwise (two-layer verdicts ``"undecided"``/``"locally_unique"``, or a ``"not_unique"``
  split whose alternative cannot be re-factored into the sub-chain supports, at every
  split) the answer is ``"undecided"``: the two-layer relaxation loses information, so a
  chain can be unique although no split proves it.

Splits are tried in the order given by ``order`` (``"balanced"``: ``t = (i + j) // 2`` on the
factors ``i..j-1``; ``"left-to-right"``: ``t = i + 1``; ``"right-to-left"``: ``t = j - 1``;
the spellings ``"left_to_right"``/``"right_to_left"`` of earlier releases are accepted too),
then the other split points by distance to it, until one decides.

:func:`check_butterfly_uniqueness` is the chain check with the butterfly masks
(:func:`identifiability.supports.butterfly_supports`): at every split the N rank-one supports
are disjoint and tile the matrix (docs/theory.rst C16), so every two-layer step is the vectorised
disjoint path of the two-layer checker (each block must be rank one and nonzero), O(N^2)
per split.

Examples
--------
>>> import numpy as np
>>> from identifiability.multilayer import check_butterfly_uniqueness
>>> H2 = np.array([[1, 1], [1, -1]])
>>> H8 = np.kron(np.kron(H2, H2), H2)
>>> v = check_butterfly_uniqueness(H8)
>>> v.status, len(v.factors), v.verify()
('unique', 3, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .core.display import fmt_array, summary_repr
from .core.exact import exact_product_equals, to_exact
from .core.policy import DEFAULT_RTOL, decision_tolerance
from .core.validation import as_matrix, as_supports, check_choice, param_error
from .equivalence import equivalent
from .graphs import coverage, is_zero, matrix_product, product_equals_exact
from .supports import bit_reversal, butterfly_supports
from .two_layer.completion import check_uniqueness
from .two_layer.lifted import to_jsonable
from .two_layer.verdict import Verdict, decision_note, html_table

__all__ = ["ChainNode", "ChainVerdict", "check_uniqueness_chain", "check_butterfly_uniqueness",
           "mask_product", "is_chain_of"]

_ORDERS = ("balanced", "left-to-right", "right-to-left")   # the vocabulary's tree shapes
_CHAIN_STATUSES = ("unique", "not_unique", "infeasible", "undecided")


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainNode:
    """One node of the tree of splits.

    Attributes
    ----------
    start, stop : int
        The node stands for the factors ``start .. stop-1`` of the chain.
    status : str
        ``"unique"``, ``"not_unique"``, ``"infeasible"`` or ``"undecided"`` for this segment.
    split : int or None
        ``t``: left child = factors ``start..t-1``, right child = ``t..stop-1``; ``None`` for a
        leaf (a single factor) or when no split decided.
    verdict : Verdict or None
        The two-layer verdict at ``split`` (its ``A`` is the node's matrix, its ``factors``
        the children's matrices).
    children : tuple of ChainNode
        ``()`` for a leaf, ``(left,)`` or ``(left, right)`` as far as the recursion went.
    matrix : ndarray or None
        The factor itself, for a leaf.
    attempts : tuple of (int, str, str)
        ``(t, status, reason)`` of the splits tried before ``split`` that did not decide.
    """

    start: int
    stop: int
    status: str
    split: int | None = None
    verdict: Verdict | None = None
    children: tuple = ()
    matrix: np.ndarray | None = field(default=None, repr=False)
    attempts: tuple = ()

    def __repr__(self) -> str:
        where = f"split={self.split}" if self.split is not None else "leaf" \
            if self.stop - self.start == 1 else "no decisive split"
        kids = f", children={len(self.children)}" if self.children else ""
        return f"ChainNode([{self.start}:{self.stop}], {self.status!r}, {where}{kids})"


@dataclass(frozen=True)
class ChainVerdict:
    """Answer to "is ``A = X[0] @ ... @ X[L-1]`` with these supports essentially unique?".

    Attributes
    ----------
    status : str
        ``"unique"`` (every chain is the found one up to ``X[l] -> D[l-1]^{-1} X[l] D[l]``,
        diagonal ``D``), ``"not_unique"`` (``alternative`` is a second chain, not equivalent
        modulo permutation and scaling), ``"infeasible"`` (no chain exists) or
        ``"undecided"``.
    reason : str
    factors : tuple of ndarray or None
        One chain multiplying back to ``A`` (when one was found).
    certificate : ChainNode
        The tree of splits with their two-layer verdicts.
    alternative : tuple of ndarray or None
        The second chain of a ``"not_unique"`` verdict.
    field : str
        ``"exact"`` or ``"numerical (tol=...)"``.
    data : dict
        Extra facts (``check_butterfly_uniqueness``: the permutation used and, for an
        infeasible root split, ``lower_bound``: the squared distance from ``A`` to the
        closure of the products with the two split supports).
    A, supports, tol :
        The inputs, kept for :meth:`verify`.
    """

    status: str
    reason: str
    factors: tuple | None
    certificate: ChainNode
    alternative: tuple | None
    field: str
    data: dict = field(default_factory=dict, repr=False)
    A: np.ndarray = field(default=None, repr=False)
    supports: tuple = field(default=(), repr=False)
    tol: float | None = field(default=None, repr=False)
    tol_source: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.status not in _CHAIN_STATUSES:
            raise param_error("ChainVerdict", "status", f"one of {_CHAIN_STATUSES}",
                              self.status)
        if self.tol_source is None:
            object.__setattr__(self, "tol_source", "exact input" if self.tol is None else "given")

    @property
    def exact(self) -> bool:
        """True when every two-layer decision of the tree was made in exact arithmetic."""
        return self.tol is None

    def __repr__(self) -> str:
        n = len(self.factors) if self.factors is not None else None
        return summary_repr("ChainVerdict", status=self.status, field=self.field,
                            exact=self.exact, n_factors=n, certificate=self.certificate,
                            reason=self.reason)

    def verify(self) -> bool:
        """Re-check the tree from the inputs (every two-layer verdict re-verified, the children
        being the parent's factors, supports respected, products) and, for ``"not_unique"``,
        the alternative chain (product, supports, inequivalence). ``"undecided"`` verifies
        trivially."""
        if self.status == "undecided":
            return True
        root = self.certificate
        if root.status != self.status or (root.start, root.stop) != (0, len(self.supports)):
            return False
        if not _verify_node(root, self.A, self.supports, self.tol):
            return False
        if self.status == "infeasible":
            return self.factors is None
        # exact data: the verified tree already proves the chain (every node's verdict checks
        # M = F1 @ F2 exactly and its children are F1, F2; the leaves check their supports),
        # so the product is not recomputed; with a tolerance the errors compound: check it
        if self.factors is None or (self.tol is not None and not is_chain_of(
                self.factors, self.A, self.supports, self.tol)):
            return False
        leaves = _leaf_matrices(root)
        if len(leaves) != len(self.factors) or not all(
                np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(leaves, self.factors)):
            return False
        if self.status == "not_unique":
            return (self.alternative is not None
                    and is_chain_of(self.alternative, self.A, self.supports, self.tol)
                    and not bool(equivalent(list(self.factors), list(self.alternative),
                                            tol=self.tol)))
        return True

    def to_dict(self, *, verified: bool | None = None) -> dict:
        """A JSON-ready summary: status, reason, how it was decided, the tree of splits (each
        node's segment, status, split and two-layer status), the factors and ``verified``."""
        def node_dict(node: ChainNode) -> dict:
            return {"start": node.start, "stop": node.stop, "status": node.status,
                    "split": node.split,
                    "two_layer": None if node.verdict is None else node.verdict.status,
                    "children": [node_dict(c) for c in node.children]}

        return {"status": self.status, "reason": self.reason, "field": self.field,
                "exact": self.exact, "tol": self.tol, "tol_source": self.tol_source,
                "verified": bool(self.verify() if verified is None else verified),
                "tree": node_dict(self.certificate),
                "factors": None if self.factors is None else to_jsonable(list(self.factors)),
                "alternative": None if self.alternative is None else
                to_jsonable(list(self.alternative))}

    def _repr_html_(self) -> str:
        rows, stack = [], [self.certificate]
        while stack:
            node = stack.pop(0)
            two = node.verdict.status if node.verdict is not None else ""
            rows.append((f"{node.start}..{node.stop - 1}", node.status,
                         "" if node.split is None else node.split, two))
            stack.extend(node.children)
        head = html_table("ChainVerdict", [("status", self.status), ("reason", self.reason),
                                           ("field", self.field), ("verify()", self.verify())])
        tree = html_table("tree of splits", rows[:64],
                          header=("factors", "status", "split", "two-layer verdict"))
        return head + tree

    def explain(self) -> str:
        """A readable account: the verdict, then the tree of splits."""
        lines = [f"Chain verdict: {self.status.upper()}  ({self.field})", f"Reason: {self.reason}",
                 "Decision: " + decision_note(self.tol, self.tol_source,
                                              "the max entry of each node's matrix")]
        _explain_node(self.certificate, lines, "  ")
        if self.data.get("lower_bound") is not None:
            lines.append(f"Squared distance to the butterfly products of the failed split >= "
                         f"{self.data['lower_bound']:.6g}")
        if self.alternative is not None:
            lines.append("Second, inequivalent chain:")
            lines += [f"  X'[{i}] = {fmt_array(F)}" for i, F in enumerate(self.alternative)]
        lines.append(f"verify(): {self.verify()}")
        return "\n".join(lines)


def _explain_node(node: ChainNode, lines: list, pad: str) -> None:
    seg = f"factors {node.start}..{node.stop - 1}"
    if node.stop - node.start == 1:
        lines.append(f"{pad}{seg}: single factor, {node.status}")
        return
    for t, status, reason in node.attempts:
        lines.append(f"{pad}{seg}: split at {t} inconclusive ({status}): {reason}")
    if node.verdict is None:
        lines.append(f"{pad}{seg}: {node.status}, no split decided")
        return
    lines.append(f"{pad}{seg}: split at {node.split}: two-layer {node.verdict.status} "
                 f"({node.verdict.reason}) -> segment {node.status}")
    for child in node.children:
        _explain_node(child, lines, pad + "  ")


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

def mask_product(masks: Sequence[np.ndarray]) -> np.ndarray:
    """Support of ``X[0] @ ... @ X[-1]`` for factors supported in ``masks`` (boolean product).

    >>> from identifiability.supports import butterfly_supports
    >>> mask_product(butterfly_supports(4)).all()
    np.True_
    """
    masks = as_supports(masks, "masks", "mask_product")
    out = masks[0]
    for M in masks[1:]:
        out = coverage(out, M) > 0
    return out


def _atol(M: np.ndarray, tol: float | None) -> float | None:
    return None if tol is None else tol * float(np.max(np.abs(np.asarray(M, dtype=complex))))


def _outside_support(M: np.ndarray, mask: np.ndarray, tol: float | None) -> np.ndarray:
    atol = _atol(M, tol)
    vals = to_exact(M) if tol is None and M.dtype == object else M
    return ~mask & ~is_zero(vals, atol)


def _product(factors: Sequence[np.ndarray]) -> np.ndarray:
    """The numerical product of a chain (object factors as complex), sparse when cheaper."""
    return matrix_product([np.asarray(F, dtype=complex) if np.asarray(F).dtype == object
                           else np.asarray(F) for F in factors])


def is_chain_of(factors: Sequence[np.ndarray], A: np.ndarray, masks: Sequence[np.ndarray],
                 tol: float | None) -> bool:
    """Shapes, supports and product: ``factors`` is a chain of ``A`` with ``masks``."""
    if len(factors) != len(masks):
        return False
    for F, S in zip(factors, masks):
        F = np.asarray(F)
        if F.shape != S.shape or _outside_support(F, S, None).any():
            return False
    if tol is None:
        fast = product_equals_exact(factors, A)    # real rationals: sparse integer products
        if fast is not None:
            return fast
        try:
            return exact_product_equals(factors, A)
        except ValueError:
            return False
    err = float(np.max(np.abs(_product(factors) - A)))
    return err <= 10.0 * len(factors) * A.shape[0] * _atol(A, tol)


def _leaf_matrices(node: ChainNode) -> list:
    if node.stop - node.start == 1:
        return [node.matrix]
    return [M for child in node.children for M in _leaf_matrices(child)]


def _same(X: Any, Y: Any) -> bool:
    return X is Y or (np.shape(X) == np.shape(Y) and bool(np.all(np.asarray(X) == np.asarray(Y))))


def _verify_node(node: ChainNode, M: np.ndarray, masks: Sequence[np.ndarray],
                 tol: float | None) -> bool:
    """Re-derive the status of ``node`` (matrix ``M``, masks of its segment) bottom-up."""
    seg = masks[node.start:node.stop]
    if node.stop - node.start == 1:
        ok = not _outside_support(np.asarray(M), seg[0], tol).any()
        return (node.status == ("unique" if ok else "infeasible")) and (
            not ok or _same(node.matrix, M))
    v = node.verdict
    if v is None or node.split is None or not node.start < node.split < node.stop:
        return False
    t = node.split - node.start
    if not (_same(v.A, M) and np.array_equal(v.support1, mask_product(seg[:t]))
            and np.array_equal(v.support2, mask_product(seg[t:])) and v.tol == tol
            and v.verify()):
        return False
    if v.status == "infeasible":
        return node.status == "infeasible" and not node.children
    kids = node.children
    if v.status not in ("unique", "not_unique") or len(kids) == 0:
        return False
    for child, F in zip(kids, v.factors):
        if not _verify_node(child, F, masks, tol):
            return False
    statuses = [c.status for c in kids]
    if v.status == "not_unique":  # the children only provide a first chain
        return (node.status == "not_unique" and len(kids) == 2
                and "infeasible" not in statuses and "undecided" not in statuses)
    if "infeasible" in statuses:
        return node.status == "infeasible"
    if len(kids) != 2:
        return False
    if statuses == ["unique", "unique"]:
        return node.status == "unique"
    return node.status == "not_unique"  # the alternative is checked on the whole chain


# --------------------------------------------------------------------------------------
# the recursion
# --------------------------------------------------------------------------------------

@dataclass
class _Context:
    masks: list
    tol: float | None
    order: str
    products: dict = field(default_factory=dict)

    def product(self, i: int, j: int) -> np.ndarray:
        if (i, j) not in self.products:
            self.products[i, j] = mask_product(self.masks[i:j])
        return self.products[i, j]

    def splits(self, i: int, j: int) -> list[int]:
        pref = {"balanced": (i + j) // 2, "left-to-right": i + 1,
                "right-to-left": j - 1}[self.order]
        return sorted(range(i + 1, j), key=lambda t: (abs(t - pref), t))


@dataclass(frozen=True)
class _Outcome:
    node: ChainNode
    factors: tuple | None = None       # one chain of the segment (when feasible)
    alternative: tuple | None = None   # a second chain of the segment (not_unique)


def _decide(M: np.ndarray, i: int, j: int, ctx: _Context) -> _Outcome:
    """Decide the segment ``i..j-1`` for the matrix ``M``."""
    if j - i == 1:
        if _outside_support(M, ctx.masks[i], ctx.tol).any():
            return _Outcome(ChainNode(i, j, "infeasible", matrix=M))
        return _Outcome(ChainNode(i, j, "unique", matrix=M), (M,))
    attempts = []
    for t in ctx.splits(i, j):
        v = check_uniqueness(M, ctx.product(i, t), ctx.product(t, j), tol=ctx.tol)
        if v.status == "infeasible":
            return _Outcome(ChainNode(i, j, "infeasible", t, v, attempts=tuple(attempts)))
        if v.status == "unique":
            out = _after_unique(v, i, t, j, ctx, tuple(attempts))
            if out is not None:
                return out
            attempts.append((t, "unique", "a side of the split is undecided"))
            continue
        if v.status == "not_unique":
            out = _after_not_unique(v, i, t, j, ctx, tuple(attempts))
            if out is not None:
                return out
            attempts.append((t, "not_unique", "the alternative of the two-layer verdict (or its "
                             "factors) cannot be re-factored into the sub-chain supports"))
            continue
        attempts.append((t, v.status, v.reason))
    return _Outcome(ChainNode(i, j, "undecided", attempts=tuple(attempts)))


def _after_unique(v: Verdict, i: int, t: int, j: int, ctx: _Context, attempts: tuple
                  ) -> _Outcome | None:
    left = _decide(v.factors[0], i, t, ctx)
    if left.node.status == "infeasible":
        return _Outcome(ChainNode(i, j, "infeasible", t, v, (left.node,), attempts=attempts))
    right = _decide(v.factors[1], t, j, ctx)
    kids = (left.node, right.node)
    statuses = {left.node.status, right.node.status}
    if "infeasible" in statuses:
        return _Outcome(ChainNode(i, j, "infeasible", t, v, kids, attempts=attempts))
    if "undecided" in statuses:
        return None
    factors = left.factors + right.factors
    if statuses == {"unique"}:
        return _Outcome(ChainNode(i, j, "unique", t, v, kids, attempts=attempts), factors)
    alt = ((left.alternative or left.factors) + (right.alternative or right.factors))
    return _Outcome(ChainNode(i, j, "not_unique", t, v, kids, attempts=attempts), factors, alt)


def _after_not_unique(v: Verdict, i: int, t: int, j: int, ctx: _Context, attempts: tuple
                      ) -> _Outcome | None:
    """Chains through both pairs of the verdict (its factors and its alternative)."""
    chains, kids = [], ()
    for P, Q in (v.factors, v.certificate.factors):
        left = _decide(P, i, t, ctx)
        right = _decide(Q, t, j, ctx) if left.factors is not None else None
        if right is None or right.factors is None:
            return None
        chains.append(left.factors + right.factors)
        kids = kids or (left.node, right.node)
    node = ChainNode(i, j, "not_unique", t, v, kids, attempts=attempts)
    return _Outcome(node, chains[0], chains[1])


# --------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------

def _relative_tol(tol: Any, A: np.ndarray, func: str) -> tuple[float | None, str]:
    """The exactness policy: the relative tolerance of the decision and its source."""
    policy = decision_tolerance(tol, A, func=func)
    if policy.exact:
        return None, policy.source
    return (DEFAULT_RTOL if policy.source == "default" else policy.tol), policy.source


def _run(A: np.ndarray, masks: list, tol: float | None, order: str, data: dict,
         tol_source: str = "given") -> ChainVerdict:
    ctx = _Context(masks, tol, order)
    out = _decide(A, 0, len(masks), ctx)
    node = out.node
    field_ = "exact" if tol is None else f"numerical (tol={tol:g}" + (
        ", default)" if tol_source == "default" else ")")
    keep = dict(A=A, supports=tuple(masks), tol=tol, data=data,
                tol_source="exact input" if tol is None else tol_source)
    L = len(masks)
    if node.status == "unique":
        reason = ("every split of the tree is a unique two-layer factorization: the chain is "
                  "unique up to diagonal scaling between consecutive factors"
                  if L > 1 else "a single factor is its own (unique) factorization")
        return ChainVerdict("unique", reason, out.factors, node, None, field_, **keep)
    if node.status == "infeasible":
        return ChainVerdict("infeasible", _infeasible_reason(node), None, node, None, field_,
                            **keep)
    if node.status == "not_unique":
        eq = equivalent(list(out.factors), list(out.alternative), tol=tol)
        if not eq:
            return ChainVerdict("not_unique", "a second chain with the same supports and product "
                                f"is not equivalent to the first ({eq.reason})", out.factors,
                                node, out.alternative, field_, **keep)
        node = ChainNode(0, L, "undecided", attempts=((node.split, "not_unique",
                                                      "the second chain found is equivalent"),))
    return ChainVerdict("undecided", _undecided_reason(node), None, node, None, field_, **keep)


def _infeasible_reason(node: ChainNode) -> str:
    while node.children and node.verdict is not None and node.verdict.status == "unique":
        node = next(c for c in node.children if c.status == "infeasible")
    if node.verdict is None:
        return (f"factor {node.start} would need nonzero entries outside its support")
    return (f"splitting factors {node.start}..{node.stop - 1} at {node.split} gives an "
            f"infeasible two-layer problem: {node.verdict.reason}")


def _undecided_reason(node: ChainNode) -> str:
    tried = "; ".join(f"split at {t}: {s}" for t, s, _ in node.attempts) or "no split"
    return f"no split of factors {node.start}..{node.stop - 1} decided ({tried})"


def check_uniqueness_chain(A: Any, supports: Sequence[Any], *, tol: float | None = None,
                           order: str = "balanced") -> ChainVerdict:
    """Decide whether ``A = X[0] @ ... @ X[L-1]`` with ``supp(X[l]) within supports[l]`` is
    essentially unique, by a tree of two-layer splits (module docstring: what is proven).

    Parameters
    ----------
    A : array (m, n)
        Real or complex; exact (ints, exactly representable floats, Fractions) or any float
        with ``tol``.
    supports : sequence of L bool masks
        ``supports[0]`` is m x r_0, ..., ``supports[L-1]`` is r_{L-2} x n.
    tol : float, optional
        Decision tolerance, passed to every two-layer check (relative to the max entry of
        each node's matrix). ``None`` (default): exact decisions on exact input; inexact
        floats are decided numerically at ``DEFAULT_RTOL`` (``1e-9``) and the verdict says so
        (``exact=False``, ``tol_source="default"``, :mod:`identifiability.core.policy`).
    order : {"balanced", "left-to-right", "right-to-left"}
        Which split is tried first in every segment (the others follow when it does not
        decide). For exactly factorable, non-degenerate inputs the verdict does not depend on
        it (docs/theory.rst A5).

    Returns
    -------
    ChainVerdict
        ``status``, ``reason``, ``factors``, ``certificate`` (tree of splits),
        ``alternative``, ``verify()``, ``explain()``.

    Examples
    --------
    >>> import numpy as np
    >>> X1 = np.array([[1, 0, 2, 0], [0, 3, 0, -1], [2, 0, -1, 0], [0, 1, 0, 4]])
    >>> X2 = np.array([[1, 2, 0, 0], [-3, 1, 0, 0], [0, 0, 2, 5], [0, 0, 1, -1]])
    >>> v = check_uniqueness_chain(X1 @ X2, [X1 != 0, X2 != 0])      # docs/theory.rst C35
    >>> v.status, v.verify()
    ('unique', True)
    """
    func = "check_uniqueness_chain"
    A, masks = _check_inputs(A, supports, func)
    tol, source = _relative_tol(tol, A, func)
    order = _check_order(order, func)
    return _run(A, masks, tol, order, {}, source)


def _check_inputs(A: Any, supports: Sequence[Any], func: str) -> tuple[np.ndarray, list]:
    masks = as_supports(supports, "supports", func)
    A = as_matrix(A, "A", func, allow_object=True)
    if masks[0].shape[0] != A.shape[0]:
        raise param_error(func, "supports[0]", f"a mask with {A.shape[0]} rows (the rows of A)",
                          f"shape {masks[0].shape}", raw=True)
    if masks[-1].shape[1] != A.shape[1]:
        raise param_error(func, f"supports[{len(masks) - 1}]",
                          f"a mask with {A.shape[1]} columns (the columns of A)",
                          f"shape {masks[-1].shape}", raw=True)
    return A, masks


def _split_lower_bound(M: np.ndarray, support1: np.ndarray, support2: np.ndarray) -> float:
    """``sum_k sum_{s >= 2} sigma_s(M[I_k, J_k])^2``: the squared distance from M to the
    products with these supports, when the rectangles are disjoint and tile the matrix."""
    M = np.asarray(M, dtype=complex) if M.dtype == object else M
    total = 0.0
    for k in range(support1.shape[1]):
        block = M[np.ix_(support1[:, k], support2[k, :])]
        if block.size:
            s = np.linalg.svd(block, compute_uv=False)
            total += float(np.sum(s[1:] ** 2))
    return total


def check_butterfly_uniqueness(A: Any, *, tol: float | None = None, permutation: Any = None,
                               order: str = "balanced") -> ChainVerdict:
    """Essential uniqueness of a butterfly factorization ``A[:, perm] = X_1 ... X_L``.

    The chain check (:func:`check_uniqueness_chain`) with the log2 N butterfly masks
    ``I_{2^(l-1)} (x) 1_{2x2} (x) I_{N/2^l}``. Every split has N disjoint rank-one supports
    tiling the matrix, so the answer is exact and cheap (docs/theory.rst A5, B7): ``"unique"`` iff at
    every split of the tree all N blocks are rank one and nonzero (then the factors are
    unique up to diagonal scaling between consecutive factors); ``"infeasible"`` when a block
    is not rank one (``data["lower_bound"]`` then bounds the squared distance from A to every
    butterfly product from below, for a failure at the root split, docs/theory.rst C19);
    ``"not_unique"`` when a block is zero, with an explicit second chain. Example of the
    latter: if the 2 x 2 kernel of ``X_2`` on rows/columns {0, 2} of an N = 8 chain is zero,
    columns 0 and 2 of ``X_1 X_2`` vanish, so rows 0 and 2 of ``X_3`` multiply nothing and can
    be changed freely.

    Parameters
    ----------
    A : array (N, N), N a power of two >= 2
    tol : float, optional
        Decision tolerance (relative, as in :func:`check_uniqueness_chain`). ``None``
        (default): exact on exact input (Hadamard-like integer matrices), and a numerical
        decision at ``DEFAULT_RTOL`` on inexact floats such as the DFT (the verdict says so).
    permutation : None, "bit_reversal" or int array of length N
        Analyse ``A[:, perm]`` (that is ``A @ P.T`` with ``P[i, perm[i]] = 1``): the DFT
        is a butterfly product only after bit-reversing its columns.
    order : {"balanced", "left-to-right", "right-to-left"}
        First split tried in every segment.

    Returns
    -------
    ChainVerdict
        ``factors`` multiply back to ``A[:, perm]``; ``data["permutation"]`` is ``perm``.

    Examples
    --------
    >>> import numpy as np
    >>> N = 8
    >>> F = np.exp(-2j * np.pi * (np.outer(np.arange(N), np.arange(N)) % N) / N)
    >>> check_butterfly_uniqueness(F, tol=1e-10, permutation="bit_reversal").status
    'unique'
    >>> check_butterfly_uniqueness(F, tol=1e-10).status                 # docs/theory.rst C19
    'infeasible'
    """
    func = "check_butterfly_uniqueness"
    A = as_matrix(A, "A", func, allow_object=True)
    N = A.shape[0]
    if A.shape[1] != N or N < 2 or N & (N - 1):
        raise param_error(func, "A", "a square N x N matrix with N a power of two >= 2",
                          f"shape {A.shape}", raw=True)
    tol, source = _relative_tol(tol, A, func)
    order = _check_order(order, func)
    perm = _check_permutation(permutation, N, func)
    B = A if perm is None else A[:, perm]
    masks = butterfly_supports(N)
    v = _run(B, masks, tol, order, {"permutation": perm}, source)
    node = v.certificate
    if v.status == "infeasible" and node.verdict is not None and \
            node.verdict.status == "infeasible":
        bound = _split_lower_bound(B, node.verdict.support1, node.verdict.support2)
        v.data["lower_bound"] = bound
    return v


def _check_order(order: Any, func: str) -> str:
    """``order`` in the vocabulary's spelling (underscores of earlier releases accepted)."""
    if isinstance(order, str):
        order = order.replace("_", "-")
    return check_choice(order, "order", func, _ORDERS)


def _check_permutation(permutation: Any, N: int, func: str) -> np.ndarray | None:
    if permutation is None:
        return None
    if isinstance(permutation, str):
        check_choice(permutation, "permutation", func, ("bit_reversal",))
        return bit_reversal(N)
    perm = np.asarray(permutation)
    if perm.shape != (N,) or perm.dtype.kind not in "iu" or \
            not np.array_equal(np.sort(perm), np.arange(N)):
        raise param_error(func, "permutation", f"None, 'bit_reversal' or a permutation of "
                          f"range({N}) (int array)", permutation)
    return perm.astype(np.int64)

