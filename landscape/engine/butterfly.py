"""Butterfly factorization by hierarchical block rank-one approximations.

A butterfly factorization of an N x N matrix (N = 2^L) is ``A ~ X_1 X_2 ... X_L P`` with
``supp(X_l) = I_{2^(l-1)} (x) 1_{2x2} (x) I_{N/2^l}`` (two non-zeros per row and column) and an
optional permutation ``P``. :func:`butterfly_factorize` implements the hierarchical algorithm
of Zheng, Riccietti & Gribonval (SIMODS 2023) and Le, Zheng, Riccietti & Gribonval (ICASSP
2022): split the chain ``X_i ... X_j`` at ``t``; the two-factor problem ``X_i..X_t`` times
``X_{t+1}..X_j`` has N pairwise disjoint rank-one supports that tile the product support, so it
is solved exactly by N independent best rank-one approximations
(:func:`landscape.fixed_support.best_rank_one_batched`); recurse on both halves.

Implementation: a matrix with support ``supp(i..j) = I_a (x) 1_{b x b} (x) I_c`` is stored
compactly as a tensor ``T[a, b, b, c]`` (``M[(x, p, z), (x, q, z)] = T[x, p, q, z]``). The N
blocks of a split are a strided view (reshape/transpose, no copy) of ``T`` and their top
singular triplets one batched call working on that view, so a split of a node costs
``O(N b)`` and the whole algorithm ``O(N^2)`` for the left-to-right and right-to-left orders
(blocks 2 x N/2^l, 2 x 2 Gram matrices) and ``O(N^2 sqrt(N))`` at worst for the balanced
order (Gram matrices of size up to sqrt(N)). The product of the factors is rebuilt from the
same compact tensors (the product of two adjacent segments is an entrywise product of their
tensors), so the error is computed directly in ``O(N^2)``. The default left-to-right order
with no permutation or bit reversal never copies ``A`` (the bit reversal is absorbed in the
views) nor forms the N x N product (see :func:`_left_to_right`).

Examples
--------
>>> res = butterfly_factorize(dft(16), permutation="bit_reversal")
>>> res.exact, len(res.chain.factors)
(True, 5)
>>> x = np.arange(16.0)
>>> bool(np.allclose(res.chain @ x, np.fft.fft(x)))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from identifiability.core.display import summary_repr
from identifiability.core.validation import (as_matrix, check_choice, check_power_of_two,
                                         check_real, check_rng, param_error)
from identifiability.supports import bit_reversal, butterfly_supports

from .fixed_support import best_rank_one_batched

__all__ = [
    "hadamard",
    "dft",
    "random_butterfly_factors",
    "bit_reversal",
    "FactorChain",
    "ButterflyResult",
    "butterfly_factorize",
]

_ORDERS = ("left-to-right", "right-to-left", "balanced")
_PERMUTATIONS = ("auto", "bit_reversal", "learn")

#: Searches for unknown permutations, by name: ``f(A, tol) -> ButterflyResult``. The table is
#: filled by :mod:`landscape.engine.discovery` when it is imported (always, through
#: :mod:`landscape.engine`), so that this module does not import the search built on it.
PERMUTATION_SEARCHES: dict = {}


# --------------------------------------------------------------------------- transforms

def hadamard(N: int) -> np.ndarray:
    """Sylvester Hadamard matrix ``H_N = H_2 (x) ... (x) H_2`` (float64, entries +-1).

    >>> hadamard(4).astype(int).tolist()[1]
    [1, -1, 1, -1]
    """
    N = check_power_of_two(N, "N", "hadamard")
    H = np.ones((1, 1))
    for _ in range(N.bit_length() - 1):
        H = np.block([[H, H], [H, -H]])
    return H


def dft(N: int) -> np.ndarray:
    """Unnormalised DFT matrix ``F[j, k] = exp(-2 pi i j k / N)`` (complex128).

    The exponent is reduced mod N first, so every entry is accurate to rounding.

    >>> bool(np.allclose(dft(4)[1], [1, -1j, -1, 1j]))
    True
    """
    N = check_power_of_two(N, "N", "dft")
    jk = np.outer(np.arange(N), np.arange(N)) % N
    return np.exp(-2j * np.pi * jk / N)


def random_butterfly_factors(N: int, *, rng: Any = None, dtype: Any = complex
                             ) -> list[np.ndarray]:
    """The ``log2 N`` factors of a random butterfly: N(0, 1) entries on the butterfly supports.

    Complex entries (the default) have independent N(0, 1) real and imaginary parts; with
    ``dtype=float`` they are real. The product of the factors is the classic test matrix
    of butterfly factorization (Le, Zheng, Riccietti & Gribonval, ICASSP 2022).

    >>> F = random_butterfly_factors(8, rng=0)
    >>> len(F), F[0].shape, int(np.count_nonzero(F[0]))
    (3, (8, 8), 16)
    """
    func = "random_butterfly_factors"
    N = check_power_of_two(N, "N", func, low=2)
    rng = check_rng(rng, func)
    kind = np.dtype(dtype).kind
    if kind not in "fc":
        raise param_error(func, "dtype", "float or complex", dtype, kind=TypeError)
    factors = []
    for S in butterfly_supports(N):
        X = rng.standard_normal(S.shape)
        if kind == "c":
            X = X + 1j * rng.standard_normal(S.shape)
        factors.append(X * S)
    return factors


# --------------------------------------------------------------------------- factor chain

@dataclass(frozen=True, repr=False)
class FactorChain:
    """A product of sparse factors ``factors[0] @ ... @ factors[-1]`` applied in O(nnz).

    Attributes
    ----------
    factors : tuple of scipy.sparse CSR matrices, left to right; when a permutation is used
        its permutation matrix ``P`` (``P[i, permutation[i]] = 1``) is the last factor.
    permutation : None or the index array of ``P`` (so ``(P x)[i] = x[permutation[i]]``).

    ``chain @ x`` multiplies a vector or a matrix (right to left, one sparse product per
    factor: ``O(N log N)`` per column for a butterfly chain); :meth:`toarray` forms the dense
    product only on request.
    """

    factors: tuple
    permutation: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (self.factors[0].shape[0], self.factors[-1].shape[1])

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(*(f.dtype for f in self.factors))

    @property
    def nnz(self) -> int:
        """Stored entries over all factors (structural: zeros inside a support count)."""
        return int(sum(f.nnz for f in self.factors))

    def __matmul__(self, x: Any) -> np.ndarray:
        arr = np.asarray(x)
        x = as_matrix(x, "x", "FactorChain.__matmul__", ndim=1 if arr.ndim == 1 else 2)
        if x.shape[0] != self.shape[1]:
            raise param_error("FactorChain.__matmul__", "x", f"an array with {self.shape[1]} rows",
                              f"shape {x.shape}", raw=True)
        for f in reversed(self.factors):
            x = f @ x
        return x

    def toarray(self) -> np.ndarray:
        """The dense product (O(N^2 log N) work, O(N^2) memory)."""
        out = self.factors[-1].toarray()
        for f in reversed(self.factors[:-1]):
            out = f @ out
        return out

    @property
    def n_factors(self) -> int:
        """Sparse factors, the closing permutation not counted."""
        return len(self.factors) - (self.permutation is not None)

    def _rows(self) -> list[tuple[str, tuple[int, int], int, float]]:
        names = [f"X_{i + 1}" for i in range(self.n_factors)]
        names += ["P"] if self.permutation is not None else []
        return [(nm, f.shape, int(f.nnz), f.nnz / max(1, f.shape[0] * f.shape[1]))
                for nm, f in zip(names, self.factors)]

    def __repr__(self) -> str:
        return summary_repr("FactorChain", shape=self.shape, dtype=str(self.dtype),
                            n_factors=self.n_factors,
                            permutation=self.permutation is not None, nnz=self.nnz)

    def explain(self) -> str:
        """The factors, one line each: shape, stored entries, density."""
        m, n = self.shape
        dense = m * n
        lines = [f"Product of {self.n_factors} sparse factors"
                 + (" and a permutation" if self.permutation is not None else "")
                 + f" ({m} x {n}, {self.dtype}): {self.nnz} stored entries, "
                 f"{self.nnz / max(1, dense):.3g} x the {dense} of the dense matrix."]
        rows = self._rows()
        for nm, shp, nnz, dens in rows[:12]:
            lines.append(f"  {nm}: {shp[0]} x {shp[1]}, nnz {nnz}, density {dens:.3g}")
        if len(rows) > 12:
            lines.append(f"  ... {len(rows) - 12} more")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "<tr><th>factor</th><th>shape</th><th>nnz</th><th>density</th></tr>"
        body = "".join(f"<tr><td>{nm}</td><td>{shp[0]} x {shp[1]}</td><td>{nnz}</td>"
                       f"<td>{dens:.3g}</td></tr>" for nm, shp, nnz, dens in self._rows())
        return (f"<table><caption>FactorChain {self.shape[0]} x {self.shape[1]}, "
                f"{self.dtype}, nnz {self.nnz}</caption>{head}{body}</table>")


def _leaf_to_csr(T: np.ndarray) -> sp.csr_matrix:
    """CSR matrix of the butterfly factor stored as T[a, 2, 2, c] (2 entries per row)."""
    a, _, _, c = T.shape
    N = 2 * a * c
    x, p, z = np.meshgrid(np.arange(a), np.arange(2), np.arange(c), indexing="ij")
    base = (x * 2 * c + z).ravel()                       # row (x, p, z) in row-major order
    indices = np.stack([base, base + c], axis=1).ravel()  # columns (x, q, z), q = 0, 1
    data = T.transpose(0, 1, 3, 2).ravel()                # [x, p, z, q]
    return sp.csr_matrix((data, indices, np.arange(0, 2 * N + 1, 2)), shape=(N, N))


def _permutation_csr(perm: np.ndarray, dtype: np.dtype) -> sp.csr_matrix:
    N = perm.size
    return sp.csr_matrix((np.ones(N, dtype=dtype), perm, np.arange(N + 1)), shape=(N, N))


# --------------------------------------------------------------------------- algorithm

def _split_blocks(T: np.ndarray, b1: int, b2: int) -> np.ndarray:
    """The N blocks (b1 x b2) of the split of segment tensor T[a, b1*b2, b1*b2, c], as a
    strided view (no copy) of shape ``[x, q1, p2, z, p1, q2]``."""
    a, _, _, c = T.shape
    return T.reshape(a, b1, b2, b1, b2, c).transpose(0, 3, 2, 5, 1, 4)


def _split(T: np.ndarray, b1: int, b2: int, *, discarded: bool = False
           ) -> tuple[np.ndarray, np.ndarray, np.float64 | None]:
    """Solve the two-factor split of a segment tensor exactly (N block rank-one fits).

    Returns the compact tensors of the left and right products and, on request, the optimal
    value of the split (sum of the blocks' discarded squared singular values).
    """
    a, _, _, c = T.shape
    u, _, vh, d = best_rank_one_batched(_split_blocks(T, b1, b2), discarded=discarded,
                                        balanced=True)
    # u: [x, q1, p2, z, p1] -> left [x, p1, q1, (p2, z)]
    Tl = u.transpose(0, 4, 1, 2, 3).reshape(a, b1, b1, b2 * c)
    # vh: [x, q1, p2, z, q2] -> right [(x, q1), p2, q2, z] (a view when c = 1)
    Tr = vh.transpose(0, 1, 2, 4, 3).reshape(a * b1, b2, b2, c)
    return Tl, Tr, (None if d is None else np.float64(d.sum()))


def _factor(T: np.ndarray, i: int, j: int, order: str) -> tuple[list[np.ndarray], np.ndarray]:
    """Butterfly factors (compact leaves) of segment i..j and the compact tensor of their
    product."""
    if i == j:
        return [T], T
    t = {"left-to-right": i, "right-to-left": j - 1, "balanced": (i + j) // 2}[order]
    a, _, _, c = T.shape
    b1, b2 = 2 ** (t - i + 1), 2 ** (j - t)
    Tl, Tr, _ = _split(T, b1, b2)
    left, Pl = _factor(Tl, i, t, order)
    right, Pr = _factor(Tr, t + 1, j, order)
    Pl = Pl.reshape(a, b1, b1, b2, c).transpose(0, 1, 3, 2, 4)[:, :, :, :, None, :]
    Pr = Pr.reshape(a, b1, b2, b2, c).transpose(0, 2, 1, 3, 4)[:, None]
    product = np.empty(T.shape, dtype=np.result_type(Pl, Pr))
    np.multiply(Pl, Pr, out=product.reshape(a, b1, b2, b1, b2, c))
    return left + right, product


def _times_leaf(X: np.ndarray, P: np.ndarray, out: np.ndarray, reversed_columns: bool
                ) -> np.ndarray:
    """``out[x, (p1, p2), (q1, q2)] = X[x, p1, q1, p2] P[(x, q1), p2, q2]``: the product of a
    left-to-right leaf and the product of the segment after it (columns stored ``(q2, q1)``
    bit-reversed when ``reversed_columns``)."""
    a, b2 = X.shape[0], X.shape[3]
    Pr = P.reshape(a, 2, b2, b2)
    shaped = out.reshape((a, 2, b2, b2, 2) if reversed_columns else (a, 2, b2, 2, b2))
    for q in range(2):      # one contiguous read of P per q1
        o = shaped[..., q] if reversed_columns else shaped[:, :, :, q]
        np.multiply(X[:, :, q, :, None], Pr[:, None, q], out=o)
    return out


def _left_to_right(A: np.ndarray, reversed_columns: bool
                   ) -> tuple[list[np.ndarray], np.float64, np.float64]:
    """Left-to-right algorithm on ``A`` (``A[:, bit_reversal(N)]`` if ``reversed_columns``),
    on strided views of ``A``: neither ``A`` nor its blocks are ever copied.

    The segment ``l..L`` is kept as ``T[x, p, q]`` (a ``2^(l-1)`` block-diagonal stack of
    ``b x b`` blocks, ``b = N / 2^(l-1)``); its split blocks ``[x, q1, p2] -> (p1, q2)`` are a
    transposed view and the right product ``u^H B`` comes out contiguous in the layout of the
    next segment. With ``reversed_columns`` the column index ``q`` is stored bit-reversed
    (``A``'s own order): the top bit ``q1`` of the permuted index is the lowest stored bit
    and the rest stays bit-reversed, so the permutation is never applied.

    Returns the leaves, the squared error and the optimum of the first split. The error
    uses the exact splitting of the first level: block-wise ``B - s u p = u_perp u_perp^H B
    + sqrt(s) u (r - p)`` (``u`` unit, ``r = sqrt(s) vh``) is an orthogonal sum, so
    ``||A P^T - product||^2 = lower + sum_rows s ||R_1 - P_2||^2`` (``P_2`` the product of the
    factors 2..L). The N x N product is never formed; the products of the segments l..L
    reuse the buffers of the segments themselves, and ``P_2`` is formed half by half.
    """
    N = A.shape[0]
    L = N.bit_length() - 1
    T = A.reshape(1, N, N)
    leaves, segments, lower = [], [], np.float64(0.0)
    for level in range(1, L):
        a, b2 = T.shape[0], T.shape[1] // 2
        if reversed_columns:   # [x, p1, p2, r, q1] -> blocks [x, q1, p2, p1, r]
            blocks = T.reshape(a, 2, b2, b2, 2).transpose(0, 4, 2, 1, 3)
        else:                  # [x, p1, p2, q1, q2] -> blocks [x, q1, p2, p1, q2]
            blocks = T.reshape(a, 2, b2, 2, b2).transpose(0, 3, 2, 1, 4)
        u, s, vh, d = best_rank_one_batched(blocks, discarded=level == 1, balanced=True)
        leaves.append(u.transpose(0, 3, 1, 2))                   # [x, p1, q1, p2]
        T = vh.reshape(2 * a, b2, b2)
        segments.append(T)
        if level == 1:
            lower, weights = np.float64(d.sum()), s.reshape(2, b2)
    leaves.append(T.reshape(N // 2, 2, 2, 1))
    if L <= 2:
        return leaves, lower, lower
    R1, P = segments[0], T
    for X, buf in zip(leaves[-2:1:-1], segments[-2:0:-1]):      # products of l..L, l >= 3
        P = _times_leaf(X, P, buf, reversed_columns)
    err2, half = lower, np.empty((1,) + R1.shape[1:], dtype=R1.dtype)
    for x in range(2):
        D = _times_leaf(leaves[1][x:x + 1], P[2 * x:2 * x + 2], half, reversed_columns)
        np.subtract(R1[x:x + 1], D, out=D)
        err2 += np.vecdot(np.vecdot(D[0], D[0]).real, weights[x])
    return leaves, np.float64(err2), lower


@dataclass(frozen=True, repr=False)
class ButterflyResult:
    """Outcome of :func:`butterfly_factorize`.

    Attributes
    ----------
    chain : FactorChain with ``chain @ x ~ A @ x``.
    relative_error : ``||A - chain||_F / ||A||_F`` (0 for A = 0), computed directly.
    permutation : None or the column permutation ``perm`` used (butterfly fit of ``A[:, perm]``).
    lower_bound : certified lower bound on ``min_B ||A P^T - B||_F^2`` over butterfly ``B``
        (the optimum of the first two-factor split t = 1, docs/theory.rst C19), up to rounding.
    exact : True when ``relative_error <= tol`` and ``lower_bound <= (tol ||A||_F)^2``: a
        numerical decision at ``tol`` (the factors are computed in floating point).
    order : splitting order used.
    tried : names of the permutations tried (``"none"``, ``"bit_reversal"``, ``"custom"``).
    tried_errors : relative error for each entry of ``tried``.
    tol : the relative tolerance the ``exact`` flag was decided at.
    row_permutation : None, or (``permutation="learn"``) the learned row order ``r``: then
        ``A[np.ix_(r, permutation)]`` is the butterfly product and ``chain`` is
        ``P_r, X_1, ..., X_L, P`` (the permutations included, it multiplies back to ``A``).
    error_bound : None, or (``permutation="learn"``) a certified lower bound on
        ``min ||A - P B Q||_F / ||A||_F`` over *every* permutations ``P, Q`` and butterfly
        ``B`` (:func:`landscape.engine.discovery.permutation_lower_bound`); 0 when exact.
    reason : why no exact structure was found ("" when exact or not searched).
    """

    chain: FactorChain
    relative_error: np.float64
    permutation: np.ndarray | None
    lower_bound: np.float64
    exact: bool
    order: str
    tried: tuple[str, ...]
    tried_errors: np.ndarray
    tol: float = 1e-10
    row_permutation: np.ndarray | None = None
    error_bound: np.float64 | None = None
    reason: str = ""

    def __repr__(self) -> str:
        perm = None if self.permutation is None else self.tried[int(np.argmin(self.tried_errors))]
        extra = {} if self.error_bound is None else {
            "error_bound": float(f"{float(self.error_bound):.3e}")}
        return summary_repr("ButterflyResult", shape=self.chain.shape,
                            n_factors=self.chain.n_factors, nnz=self.chain.nnz,
                            relative_error=float(f"{float(self.relative_error):.3e}"),
                            lower_bound=float(f"{float(self.lower_bound):.6g}"),
                            exact=self.exact, order=self.order, permutation=perm, **extra)

    def _repr_html_(self) -> str:
        status = "exact" if self.exact else "not exact"
        cap = (f"<p>ButterflyResult: {status} at tol {self.tol:.1e}, relative error "
               f"{float(self.relative_error):.3e}, lower bound {float(self.lower_bound):.6g}, "
               f"{self.order}</p>")
        return cap + self.chain._repr_html_()

    def explain(self) -> str:
        """Plain-language summary of the fit and of what is certified."""
        N = self.chain.shape[0]
        lines = [f"Butterfly factorization of a {N} x {N} matrix into {N.bit_length() - 1} "
                 f"factors ({self.order} splitting), {self.chain.nnz} stored entries.",
                 f"Relative error ||A - product||_F / ||A||_F = {float(self.relative_error):.3e}."]
        if self.error_bound is not None:     # permutation="learn"
            lines.append(
                "Row and column permutations learned from A: A = P_r X_1 ... X_L P_c, exact "
                f"(numerical decision at relative tol = {self.tol:.1e})." if self.exact else
                f"No butterfly-with-permutations structure found ({self.reason}). Certified: "
                f"every P B Q (any permutations P, Q, any butterfly B) has relative error >= "
                f"{float(self.error_bound):.3e}; the fit returned has "
                f"{float(self.relative_error):.3e}.")
        else:
            lines.append(f"Exact butterfly factorization found (numerical decision at relative "
                         f"tol = {self.tol:.1e})." if self.exact else
                         f"Not exact: no butterfly B can have ||A P^T - B||_F^2 < "
                         f"{float(self.lower_bound):.6g} (optimum of the first split, "
                         f"certified).")
        if len(self.tried) > 1:
            lines.append("Permutations tried: " + ", ".join(
                f"{n} (error {float(e):.3e})" for n, e in zip(self.tried, self.tried_errors)))
        return "\n".join(lines)


def _norm(X: np.ndarray) -> float:
    x = X.ravel()
    return float(np.sqrt(np.vdot(x, x).real))


def _run(A: np.ndarray, perm: np.ndarray | None, order: str
         ) -> tuple[FactorChain, np.float64, np.float64]:
    """Chain, absolute error and first-split optimum of the butterfly fit of ``A[:, perm]``."""
    N = A.shape[0]
    bit_reversed = perm is not None and np.array_equal(perm, bit_reversal(N))
    if order == "left-to-right" and (perm is None or bit_reversed):
        leaves, err2, lower = _left_to_right(A, bit_reversed)
        err = np.sqrt(err2)
    else:
        target = A if perm is None else A[:, perm]
        T = target.reshape(1, N, N, 1)
        leaves, product = _factor(T, 1, N.bit_length() - 1, order)
        # optimum of the split t = 1: certified lower bound on the best butterfly error^2
        lower = np.float64(0.0) if N == 2 else _split(T, 2, N // 2, discarded=True)[2]
        err = np.float64(_norm(target - product.reshape(N, N)))
    factors = [_leaf_to_csr(X) for X in leaves]
    if perm is not None:
        factors.append(_permutation_csr(perm, A.dtype))
    return FactorChain(tuple(factors), perm), err, lower


def butterfly_factorize(A: Any, *, permutation: str | Sequence[int] | None = "auto",
                        order: str = "left-to-right", tol: float = 1e-10,
                        rng: Any = None) -> ButterflyResult:
    """Butterfly factorization ``A ~ X_1 ... X_L P`` by hierarchical block rank-one fits.

    Parameters
    ----------
    A : (N, N) real or complex array, N a power of two >= 2, finite entries
        Integer or float32 input is computed in float64, complex64 in complex128; real
        input stays real.
    permutation : "auto" (default), None, "bit_reversal", "learn" or an index array ``perm``
        The butterfly is fitted to ``A[:, perm]`` (``A P^T`` with ``P[i, perm[i]] = 1``) and
        ``P`` closes the chain. "auto" tries no permutation and bit reversal and keeps the
        smaller error (ties keep no permutation); both errors are reported. "learn" finds
        unknown row *and* column permutations, ``A = P_r X_1 ... X_L P_c``, from ``A`` alone
        (:func:`landscape.engine.discovery.discover_butterfly`; ``order`` is not used: the
        search fits left to right): the chain starts with ``P_r`` and ends with ``P_c``; when
        no such structure exists the result says why (``reason``) and gives a certified
        ``error_bound`` over every permutation pair (``lower_bound`` is the same bound, as a
        squared absolute error).
    order : {"left-to-right", "right-to-left", "balanced"}
        Splitting order of the chain ``X_1 ... X_L``. All orders recover an exact
        butterfly exactly (up to diagonal scaling); on other matrices they differ.
        Default left-to-right: every split has 2 x N/2^l blocks, total work O(N^2).
    tol : float, default 1e-10
        Relative tolerance of the ``exact`` flag.
    rng : numpy.random.Generator, int seed or None, default None
        Used by ``permutation="learn"`` only (hash vectors of the search, column triples of
        the bound); an exactly structured input gives the same answer for every seed.

    Returns
    -------
    ButterflyResult

    Notes
    -----
    **Guarantees.** (i) If ``A P^T`` has a butterfly factorization whose factors have no
    zero inside their supports (Hadamard, DFT with bit reversal, generic butterflies), every
    order recovers it exactly, and the factors are unique up to ``X_l -> D_{l-1}^{-1} X_l D_l``
    (Zheng, Riccietti & Gribonval, SIMODS 2023). (ii) Whatever ``A``, ``lower_bound`` is
    certified: every butterfly ``B`` is feasible for the two-factor problem of the split
    t = 1, whose optimum is the sum over the N blocks (2 x N/2) of their discarded squared
    singular values, so ``||A P^T - B||_F^2 >= lower_bound``. ``relative_error`` is the
    achieved error, hence the optimum lies in ``[lower_bound, (relative_error ||A||_F)^2]``.
    (iii) Le, Zheng, Riccietti & Gribonval ("Butterfly factorization with error guarantees",
    arXiv:2411.04506) prove for chainable supports that a *refined* hierarchical algorithm,
    with orthonormalisation steps, returns ``B`` with ``||A - B||_F <= C inf_butterfly ||A -
    B'||_F``, ``C`` depending only on the architecture. This function implements the plain
    hierarchical algorithm (no orthonormalisation), so that constant is not claimed here.

    Examples
    --------
    >>> res = butterfly_factorize(dft(8), permutation=None)
    >>> res.exact, round(float(res.lower_bound), 8)
    (False, 32.0)
    >>> butterfly_factorize(hadamard(8)).exact
    True
    >>> rng = np.random.default_rng(0)
    >>> A = dft(16)[rng.permutation(16)][:, rng.permutation(16)]
    >>> res = butterfly_factorize(A, permutation="learn")
    >>> res.exact, bool(np.allclose(res.chain.toarray(), A))
    (True, True)
    """
    func = "butterfly_factorize"
    A = as_matrix(A, "A", func)
    if A.shape[0] != A.shape[1] or A.shape[0] < 2 or A.shape[0] & (A.shape[0] - 1):
        raise param_error(func, "A", "a square N x N matrix with N a power of two >= 2",
                          f"shape {A.shape}", raw=True)
    order = check_choice(order, "order", func, _ORDERS)
    tol = check_real(tol, "tol", func, low=0.0)
    A = A.astype(np.complex128 if np.iscomplexobj(A) else np.float64, copy=False)
    N = A.shape[0]
    if permutation is None or isinstance(permutation, str):
        if permutation is not None:
            check_choice(permutation, "permutation", func, _PERMUTATIONS)
        if permutation in PERMUTATION_SEARCHES:
            return PERMUTATION_SEARCHES[permutation](A, tol, check_rng(rng, func))
        candidates = {None: [("none", None)], "bit_reversal": [("bit_reversal", bit_reversal(N))],
                      "auto": [("none", None), ("bit_reversal", bit_reversal(N))]}[permutation]
    else:
        perm = np.asarray(permutation)
        if (perm.shape != (N,) or perm.dtype.kind not in "iu"
                or not np.array_equal(np.sort(perm), np.arange(N))):
            raise param_error(func, "permutation", f'"auto", None, "bit_reversal" or a '
                              f"permutation of range({N}) (int array)", permutation)
        candidates = [("custom", perm.astype(np.int64))]
    norm = _norm(A)
    scale = 1.0 / norm if norm > 0 else 0.0
    runs = [_run(A, perm, order) for _, perm in candidates]
    errors = np.array([r[1] * scale for r in runs])
    best = int(np.argmin(errors))
    chain, _, lower = runs[best]
    rel = np.float64(errors[best])
    exact = bool(rel <= tol and lower <= (tol * norm) ** 2)
    return ButterflyResult(chain, rel, chain.permutation, lower, exact, order,
                           tuple(name for name, _ in candidates), errors, tol)
