"""The fixed-support two-layer problem ``min ||A - S1 @ S2||_F^2``, ``supp(S_i) in support_i``.

Three things live here:

* the smooth calculus of ``f(S1, S2) = ||A - S1 @ S2||_F^2`` restricted to the supports:
  :func:`objective`, :func:`gradient`, :func:`hessian`, with :func:`pack` / :func:`unpack`
  between the factor pair and the real parameter vector ``theta``;
* the batched best rank-one approximation :func:`best_rank_one` (Eckart--Young), the one
  primitive that both the tractable solver below and the butterfly algorithm
  (:mod:`landscape.butterfly`) use;
* :func:`solve_fixed_support`, the exact polynomial-time solver of Le, Riccietti & Gribonval
  (SIMAX 2023) for *certified tractable* supports: pairwise disjoint rank-one supports and
  complete equivalence classes (CEC). Anything else is reported ``"not_tractable"``, never
  solved heuristically and presented as global.

Conventions
-----------
``f`` carries **no** factor 1/2: ``f = ||A - S1 S2||_F^2`` (the oracle value 11 of the
spurious local minimum C33 and the Hessian eigenvalues ``0, 0, 1.184, ..., 87.0789`` quoted
for it are for this ``f``).

Parameter vector ``theta`` (see :func:`pack`): the free entries of ``S1`` (``support1`` in
row-major order) followed by those of ``S2`` (``support2`` in row-major order), ``p`` numbers
in all. Real problems use ``theta = z`` (length ``p``); complex problems use the real
parameters ``theta = [Re z, Im z]`` (length ``2p``: all real parts first, then all imaginary
parts in the same order). A problem is complex when ``A``, ``S1`` or ``S2`` is complex.

Examples
--------
>>> import numpy as np
>>> A = np.array([[3., 1, 5], [1, 3, 7], [2, 4, 6]])
>>> I = np.array([[1, 0], [1, 0], [0, 1]], bool)
>>> sol = solve_fixed_support(A, I, I.T)
>>> sol.status, round(float(sol.value), 10)
('global', 98.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from identifiability.core.display import summary_repr
from identifiability.core.validation import as_matrix, as_support, check_chain, param_error
from identifiability.supports import equivalence_classes

__all__ = [
    "objective",
    "gradient",
    "hessian",
    "pack",
    "unpack",
    "best_rank_one",
    "best_rank_one_batched",
    "FixedSupportSolution",
    "solve_fixed_support",
]

_EPS = np.finfo(float).eps


# --------------------------------------------------------------------------- validation

def _check_pair(S1: Any, S2: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    S1 = as_matrix(S1, "S1", func)
    S2 = as_matrix(S2, "S2", func)
    if S1.shape[1] != S2.shape[0]:
        raise param_error(func, "S2", f"a matrix with {S1.shape[1]} rows (the columns of S1)",
                          f"shape {S2.shape}", raw=True)
    return S1, S2


def _check_problem(A: Any, S1: Any, S2: Any, func: str) -> tuple[np.ndarray, ...]:
    A = as_matrix(A, "A", func)
    S1, S2 = _check_pair(S1, S2, func)
    if (S1.shape[0], S2.shape[1]) != A.shape:
        raise param_error(func, "S1", f"factors whose product has the shape of A {A.shape}",
                          f"S1 {S1.shape} and S2 {S2.shape}", raw=True)
    return A, S1, S2


def _check_supports(S1: np.ndarray, S2: np.ndarray, support1: Any, support2: Any,
                    func: str) -> tuple[np.ndarray, np.ndarray]:
    s1 = as_support(support1, "support1", func, shape=S1.shape)
    s2 = as_support(support2, "support2", func, shape=S2.shape)
    return s1, s2


# --------------------------------------------------------------------------- calculus

def objective(A: Any, S1: Any, S2: Any) -> np.float64:
    """``f = ||A - S1 @ S2||_F^2`` (no factor 1/2).

    >>> objective([[1., 2.], [2., 4.]], [[1.], [2.]], [[1., 2.]])
    np.float64(0.0)
    """
    A, S1, S2 = _check_problem(A, S1, S2, "objective")
    R = A - S1 @ S2
    return np.float64(np.vdot(R, R).real)


def gradient(A: Any, S1: Any, S2: Any, support1: Any, support2: Any
             ) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of ``f = ||A - S1 S2||_F^2`` restricted to the supports.

    Returns ``(G1, G2) = (-2 (R S2^H) * support1, -2 (S1^H R) * support2)`` with
    ``R = A - S1 S2``. For complex data the real and imaginary parts of ``G`` are the partial
    derivatives of ``f`` with respect to the real and imaginary parts of the entries, so
    ``pack(G1, G2, support1, support2)`` is the gradient with respect to ``theta``.

    >>> G1, G2 = gradient([[2.]], [[1.]], [[1.]], [[True]], [[True]])
    >>> float(G1[0, 0]), float(G2[0, 0])
    (-2.0, -2.0)
    """
    func = "gradient"
    A, S1, S2 = _check_problem(A, S1, S2, func)
    s1, s2 = _check_supports(S1, S2, support1, support2, func)
    R = A - S1 @ S2
    return -2 * (R @ S2.conj().T) * s1, -2 * (S1.conj().T @ R) * s2


def pack(S1: Any, S2: Any, support1: Any, support2: Any) -> np.ndarray:
    """Real parameter vector ``theta`` of the free entries (ordering: module docstring).

    >>> pack([[1., 2.]], [[3.], [4.]], [[True, False]], [[True], [True]])
    array([1., 3., 4.])
    """
    func = "pack"
    S1, S2 = _check_pair(S1, S2, func)
    s1, s2 = _check_supports(S1, S2, support1, support2, func)
    z = np.concatenate([S1[s1], S2[s2]])
    if np.iscomplexobj(z):
        return np.concatenate([z.real, z.imag])
    return z.astype(np.float64)


def unpack(theta: Any, support1: Any, support2: Any) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`pack`: ``theta`` of length ``p`` gives real factors, of length ``2p``
    complex factors (``p`` = number of free entries of the two supports).

    >>> S1, S2 = unpack([1., 3., 4.], [[True, False]], [[True], [True]])
    >>> S1.tolist(), S2.tolist()
    ([[1.0, 0.0]], [[3.0], [4.0]])
    """
    func = "unpack"
    s1 = as_support(support1, "support1", func)
    s2 = as_support(support2, "support2", func)
    if s1.shape[1] != s2.shape[0]:
        raise param_error(func, "support2", f"a mask with {s1.shape[1]} rows (the columns of "
                          "support1)", f"shape {s2.shape}", raw=True)
    theta = as_matrix(theta, "theta", func, allow_complex=False, ndim=1)
    p1, p = int(s1.sum()), int(s1.sum() + s2.sum())
    if theta.size == p:
        z = theta.astype(np.float64)
    elif theta.size == 2 * p:
        z = theta[:p] + 1j * theta[p:]
    else:
        raise param_error(func, "theta", f"a vector of length {p} (real) or {2 * p} (complex)",
                          f"length {theta.size}", raw=True)
    S1 = np.zeros(s1.shape, dtype=z.dtype)
    S2 = np.zeros(s2.shape, dtype=z.dtype)
    S1[s1] = z[:p1]
    S2[s2] = z[p1:]
    return S1, S2


def hessian(A: Any, S1: Any, S2: Any, support1: Any, support2: Any) -> np.ndarray:
    """Hessian of ``f = ||A - S1 S2||_F^2`` with respect to ``theta`` (real symmetric).

    ``H = 2 J^T J + H2`` where ``J`` is the real Jacobian of ``S1 S2`` and the bilinear part
    ``H2`` couples ``S1[i, k]`` with ``S2[k, j]`` through the residual ``R = A - S1 S2``:
    ``-2 Re R[i, j]`` (real-real), ``+2 Re R[i, j]`` (imag-imag), ``-2 Im R[i, j]`` (mixed).
    Size ``p x p`` (real problem) or ``2p x 2p`` (complex), ordered as :func:`pack`.

    >>> H = hessian([[3.]], [[1.]], [[1.]], [[True]], [[True]])
    >>> H.tolist()  # f = (3 - xy)^2 at x = y = 1
    [[2.0, -2.0], [-2.0, 2.0]]
    """
    func = "hessian"
    A, S1, S2 = _check_problem(A, S1, S2, func)
    s1, s2 = _check_supports(S1, S2, support1, support2, func)
    m, n = A.shape
    is_complex = any(np.iscomplexobj(x) for x in (A, S1, S2))
    i1, k1 = np.nonzero(s1)          # free entries of S1, row-major
    k2, j2 = np.nonzero(s2)          # free entries of S2, row-major
    p1, p = i1.size, i1.size + k2.size
    # complex Jacobian of vec(S1 S2) (row-major, m*n rows) with respect to z (holomorphic)
    J = np.zeros((m, n, p), dtype=np.result_type(S1, S2, float))
    J[i1, :, np.arange(p1)] = S2[k1, :]
    J[:, j2, p1 + np.arange(k2.size)] = S1[:, k2]
    J = J.reshape(m * n, p)
    R = A - S1 @ S2
    # bilinear coupling: pairs (S1[i, k], S2[k, j]) sharing k
    idx2 = -np.ones(s2.shape, dtype=int)
    idx2[k2, j2] = p1 + np.arange(k2.size)
    a, b = np.nonzero(idx2[k1] >= 0)     # a: index into S1 free entries, b: column j
    rows, cols, r = a, idx2[k1[a], b], R[i1[a], b]
    if not is_complex:
        H = 2 * (J.T @ J)
        np.add.at(H, (rows, cols), -2 * r)
        np.add.at(H, (cols, rows), -2 * r)
        return H
    Jr = np.block([[J.real, -J.imag], [J.imag, J.real]])
    H = 2 * (Jr.T @ Jr)
    for (dr, dc, val) in ((0, 0, -2 * r.real), (p, p, 2 * r.real),
                          (0, p, -2 * r.imag), (p, 0, -2 * r.imag)):
        np.add.at(H, (rows + dr, cols + dc), val)
        np.add.at(H, (cols + dc, rows + dr), val)
    return H


# --------------------------------------------------------------------------- rank one

_TINY = 4            # Gram side up to which LAPACK eigh on the whole stack is cheapest
_ACCEPT = 16 * _EPS  # relative residual under which a block counts as numerically rank one
_CHUNK = 2 ** 18     # entries per chunk of the residual computation


def _top_eigvec_2x2(G: np.ndarray) -> np.ndarray:
    """Closed form for a stack of 2 x 2 Hermitian PSD ``[[a, c], [conj(c), d]]``.

    With ``h = (a - d) / 2`` and ``r = sqrt(h^2 + |c|^2)``, ``lambda_1 = (a + d) / 2 + r`` and
    the eigenvector is ``[r + h, conj(c)]`` if ``a >= d``, else ``[c, r - h]``: the large
    entry has no cancellation. A numerical tie ``G ~ a I`` (``r`` at rounding level, any
    vector is optimal) gives ``e_0``, so ties are broken the same way on every machine.
    """
    a, d, c = G[:, 0, 0].real, G[:, 1, 1].real, G[:, 0, 1]
    h = (a - d) / 2
    r = np.hypot(h, np.abs(c))
    first = h >= 0
    x = np.empty((G.shape[0], 2), dtype=G.dtype)
    x[:, 0] = np.where(first, r + h, c)
    x[:, 1] = np.where(first, c.conj(), r - h)
    nrm = np.sqrt(np.vecdot(x, x).real)
    flat = r <= 4 * _EPS * (a + d)
    x /= np.where(flat, 1.0, nrm)[:, None]
    x[flat] = (1, 0)
    return x


def _top_eigvec(G: np.ndarray, *, tol: float = 1e-14, maxiter: int = 8) -> np.ndarray:
    """Unit top eigenvector of each Hermitian PSD matrix in the stack ``G`` (K, k, k).

    Tiny matrices go straight to LAPACK ``eigh``. Larger ones start a power iteration from
    their largest column and accept a matrix when the Davis--Kahan bound
    ``||G x - rho x|| / (2 rho - tr G)`` certifies the eigenvector to ``tol``
    (``2 rho - tr G`` is a lower bound on the spectral gap); the matrices not certified
    after ``maxiter`` steps are solved by ``eigh``.
    """
    K, k, _ = G.shape
    if k == 2:
        return _top_eigvec_2x2(G)
    if k <= _TINY:
        return np.linalg.eigh(G)[1][..., -1]
    diag = np.einsum("kii->ki", G).real
    trace = diag.sum(axis=1)
    x = np.take_along_axis(G, np.argmax(diag, axis=1)[:, None, None], axis=2)[..., 0]
    todo = np.arange(K)
    xs = x.copy()
    for _ in range(maxiter):
        nrm = np.linalg.norm(x, axis=1)
        nrm[nrm == 0] = 1.0
        x = x / nrm[:, None]
        Gx = np.matvec(G[todo], x)
        rho = np.vecdot(x, Gx).real
        res = np.linalg.norm(Gx - rho[:, None] * x, axis=1)
        gap = 2 * rho - trace[todo]
        ok = (trace[todo] == 0) | ((gap > 0) & (res <= tol * gap))
        xs[todo[ok]] = x[ok]
        todo, x = todo[~ok], Gx[~ok]
        if todo.size == 0:
            return xs
    xs[todo] = np.linalg.eigh(G[todo])[1][..., -1]
    return xs


def _project(B: np.ndarray, u: np.ndarray, discarded: bool
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``w = u^H B``, ``s = ||w||``, ``vh = w / s`` and, on request, ``||B - u w||_F^2``."""
    w = np.vecmat(u, B)                                     # (K, n), conjugates u
    s = np.sqrt(np.vecdot(w, w).real)
    zero = s == 0
    w /= np.where(zero, 1.0, s)[:, None]
    w[zero] = np.eye(1, B.shape[2], dtype=w.dtype)
    if not discarded:
        return s, w, None
    K, m, n = B.shape
    d = np.empty(K)
    step = max(1, _CHUNK // (m * n))   # chunks keep the residual temporaries small
    for c in range(0, K, step):
        R = B[c:c + step] - u[c:c + step, :, None] * (s[c:c + step, None] * w[c:c + step])[:, None]
        d[c:c + step] = np.vecdot(R, R).real.sum(axis=1)
    return s, w, d


def best_rank_one_batched(B: np.ndarray, *, discarded: bool = True, balanced: bool = False
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Unvalidated kernel of :func:`best_rank_one` for a stack of shape ``(..., m, n)``.

    For array code that has validated its input already (the butterfly splits call it on
    strided views). ``B`` must be a float64 or complex128 ndarray; ``discarded=False`` skips
    the residual and returns ``None`` for it; ``balanced=True`` returns ``sqrt(s) u`` and
    ``sqrt(s) vh`` instead of the unit vectors.

    >>> u, s, vh, d = best_rank_one_batched(np.array([[[3., 0.], [0., 4.]]]), balanced=True)
    >>> float(s[0]), float(d[0]), np.outer(u[0], vh[0]).tolist()   # s u vh, balanced
    (4.0, 9.0, [[0.0, 0.0], [0.0, 4.0]])

    Any batch shape and any strides: the blocks may be a strided view of a larger array
    (the butterfly splits), never copied when a side is at most ``_TINY``. The Gram matrix of
    the small side (``k (k + 1) / 2`` inner products of its rows) costs one pass over ``B``;
    one product with the eigenvector basis ``E = [u, Q]`` costs another and gives both
    ``u^H B`` and ``Q^H B``, whose energy is the discarded one (no cancellation, no residual
    array).
    """
    *batch, m, n = B.shape
    k = min(m, n)
    if k > _TINY:
        u, s, vh, d = _rank_one_large(B.reshape(-1, m, n), batch, discarded)
        if balanced:
            root = np.sqrt(s)[..., None]
            u, vh = u * root, vh * root
        return u, s, vh, d
    # rank one of the small side: Bs = B (m <= n) or B^T = s x w  <=>  B = s w^T x^T
    Bs = B if m <= n else B.swapaxes(-1, -2)
    G = np.empty((*batch, k, k), dtype=B.dtype)
    for i in range(k):
        for j in range(i, k):
            G[..., i, j] = np.vecdot(Bs[..., j, :], Bs[..., i, :])       # (Bs Bs^H)[i, j]
            G[..., j, i] = G[..., i, j].conj()
    x = _top_eigvec(G.reshape(-1, k, k))
    d = None
    if discarded:
        if k == 2:
            Q = np.stack([-x[:, 1].conj(), x[:, 0].conj()], axis=1)[:, :, None]
        else:   # the first column of a complete Householder QR of x is +-x
            Q = np.linalg.qr(x[:, :, None], mode="complete")[0][..., 1:]
        Qh = Q.conj().swapaxes(1, 2).reshape(*batch, k - 1, k)
        d = np.empty(batch)
        ax = int(np.argmax(batch))     # chunks along the longest batch axis: small temporaries
        step = max(1, batch[ax] * _CHUNK // B.size)
        for c in range(0, batch[ax], step):
            idx = (slice(None),) * ax + (slice(c, c + step),)
            R = Qh[idx] @ Bs[idx]                                    # Q^H B
            d[idx] = np.vecdot(R, R).real.sum(axis=-1)
    x = x.reshape(*batch, k)
    w = (x[..., None, :].conj() @ Bs)[..., 0, :]                     # u^H B, contiguous
    s = np.sqrt(np.vecdot(w, w).real)
    zero = s == 0
    safe = np.where(zero, 1.0, s)
    w *= (np.where(zero, 0.0, np.sqrt(safe)) / safe if balanced else 1 / safe)[..., None]
    if balanced:
        x = x * np.sqrt(s)[..., None]
    else:
        w[zero] = np.eye(1, max(m, n), dtype=w.dtype)
    return (x, s, w, d) if m <= n else (w, s, x, d)


def _rank_one_large(B: np.ndarray, batch: list[int], discarded: bool
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """:func:`best_rank_one_batched` for a (K, m, n) stack, both sides larger than ``_TINY``:
    a cheap test first (the largest column spans a numerically rank-one block), the Gram
    matrix of the small side and its power iteration / ``eigh`` only for the other blocks."""
    K, m, n = B.shape
    if m > n:  # work on B^H: B^H ~ s u' vh'  <=>  B ~ s conj(vh') conj(u')
        up, s, vhp, d = _rank_one_large(B.conj().transpose(0, 2, 1), batch, discarded)
        return vhp.conj(), s, up.conj(), d
    col2 = np.vecdot(B, B, axis=1).real                     # (K, n) squared column norms
    j = np.argmax(col2, axis=1)
    u = np.take_along_axis(B, j[:, None, None], axis=2)[..., 0]
    nrm = np.sqrt(np.take_along_axis(col2, j[:, None], axis=1))
    u = np.where(nrm > 0, u / np.where(nrm > 0, nrm, 1.0), np.eye(1, m, dtype=B.dtype))
    s, vh, d = _project(B, u, True)
    rest = np.flatnonzero(d > (_ACCEPT ** 2) * col2.sum(axis=1))
    if rest.size:
        Br = B[rest]
        u[rest] = _top_eigvec(Br @ Br.conj().transpose(0, 2, 1))
        s[rest], vh[rest], dr = _project(Br, u[rest], True)
        d[rest] = dr
    return (u.reshape(*batch, m), s.reshape(batch), vh.reshape(*batch, n),
            d.reshape(batch) if discarded else None)


def best_rank_one(B: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Best rank-one approximation ``B[k] ~ s[k] * outer(u[k], vh[k])`` of a stack of matrices.

    Parameters
    ----------
    B : array of shape (K, m, n) or (m, n), real or complex
        One matrix or a batch of matrices of the same shape, all handled in one array
        computation (no Python loop over the batch).

    Returns
    -------
    u : (K, m) unit vectors, s : (K,) top singular values, vh : (K, n) unit vectors
        (``vh = v^H``, so the approximation is ``s u vh`` also for complex data),
    discarded : (K,) ``||B[k] - s u vh||_F^2``, the squared Frobenius norm of the discarded
        singular values, computed from the explicit residual (no cancellation in
        ``||B||^2 - s^2``).

    Notes
    -----
    The top singular vector of the smaller side comes from the Gram matrix (``B B^H`` if
    ``m <= n``); the other one is ``u^H B / s``, so ``s u vh`` is exactly the projection of
    ``B`` on ``u``. A zero matrix gives ``s = 0``, ``discarded = 0`` and a unit basis vector.
    A (m, n) input gives outputs without the batch axis.

    >>> u, s, vh, d = best_rank_one([[3., 0.], [0., 4.]])
    >>> float(s), float(d)
    (4.0, 9.0)
    """
    func = "best_rank_one"
    arr = np.asarray(B)
    single = arr.ndim == 2
    B = as_matrix(B, "B", func, ndim=2 if single else 3)
    B = B.astype(np.complex128 if np.iscomplexobj(B) else np.float64, copy=False)
    out = best_rank_one_batched(B[None] if single else B)
    return tuple(x[0] for x in out) if single else out


# --------------------------------------------------------------------------- tractable solver

@dataclass(frozen=True, repr=False)
class FixedSupportSolution:
    """Outcome of :func:`solve_fixed_support`.

    Attributes
    ----------
    status : ``"global"`` (certified tractable; ``value`` and ``factors`` are a global
        minimiser) or ``"not_tractable"`` (the support pattern fails the check; nothing is
        claimed).
    value : global optimal value of ``||A - S1 S2||_F^2`` or ``None``.
    factors : ``(S1, S2)`` attaining ``value`` or ``None``.
    reason : one sentence saying why the pattern is (not) certified.
    classes : equivalence classes of rank-one supports (inner indices with identical
        rectangles, empty rectangles left out), sorted by smallest index.
    complete : bool per class, ``True`` for a complete class (``|P| >= min(|I_P|, |J_P|)``).
    exact : bool, always ``True``: the status is decided on the supports alone (a
        combinatorial test on boolean masks, exact whatever the entries of ``A``); the
        ``value`` and ``factors`` are then computed in floating point (truncated SVDs),
        accurate to rounding. Nothing in the decision depends on a tolerance.
    """

    status: str
    value: np.float64 | None
    factors: tuple[np.ndarray, np.ndarray] | None
    reason: str
    classes: tuple[tuple[int, ...], ...]
    complete: np.ndarray
    exact: bool = True

    def __repr__(self) -> str:
        value = None if self.value is None else float(f"{float(self.value):.10g}")
        shapes = None if self.factors is None else " @ ".join(
            f"{F.shape[0]}x{F.shape[1]}" for F in self.factors)
        classes = self.classes if len(self.classes) <= 4 else f"<{len(self.classes)} classes>"
        return summary_repr("FixedSupportSolution", status=self.status, value=value,
                            factors=shapes, classes=classes,
                            n_complete=int(np.count_nonzero(self.complete)))

    def explain(self) -> str:
        """Plain-language account of the verdict and of what it rests on."""
        kinds = ", ".join(f"{list(c)}{' (complete)' if f else ''}"
                          for c, f in zip(self.classes[:12], self.complete[:12]))
        if len(self.classes) > 12:
            kinds += f", ... ({len(self.classes)} classes)"
        head = (f"Global optimum {float(self.value):.10g} (certified: {self.reason})"
                if self.status == "global" else f"Not certified tractable: {self.reason}")
        rests = ("Decided exactly on the supports (a combinatorial test, no tolerance); "
                 "the value and factors are floating point (truncated SVDs), accurate to "
                 "rounding." if self.status == "global" else
                 "Decided exactly on the supports (a combinatorial test, no tolerance); "
                 "nothing is claimed about the optimum.")
        return f"{head}\nEquivalence classes of rank-one supports: {kinds or 'none'}.\n{rests}"


def _truncated(B: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factors ``(X, Y)`` of the best rank-``k`` approximation ``X @ Y`` of ``B`` (k columns)."""
    if k == 1:
        u, s, vh, _ = best_rank_one_batched(B[None], discarded=False)
        root = np.sqrt(s[0])
        return (root * u[0])[:, None], (root * vh[0])[None, :]
    U, s, Vh = np.linalg.svd(B, full_matrices=False)
    X = np.zeros((B.shape[0], k), dtype=B.dtype)
    Y = np.zeros((k, B.shape[1]), dtype=B.dtype)
    q = min(k, s.size)
    X[:, :q] = U[:, :q] * np.sqrt(s[:q])
    Y[:q] = np.sqrt(s[:q])[:, None] * Vh[:q]
    return X, Y


def solve_fixed_support(A: Any, support1: Any, support2: Any) -> FixedSupportSolution:
    """Globally solve ``min ||A - S1 S2||_F^2`` on supports certified tractable (docs/theory.rst B5).

    The certificate (conservative version of Le, Riccietti & Gribonval, SIMAX 2023): group
    the rank-one supports ``I_k x J_k`` into classes of identical rectangles; a class ``P`` is
    complete when ``|P| >= min(|I_P|, |J_P|)`` (it realises every matrix on its rectangle);
    let ``F`` be the union of complete rectangles. The problem is certified when, for every
    non-complete class, ``Q_P = (I_P x J_P) minus F`` is a rectangle ``I'_P x J'_P`` (or empty)
    and these ``Q_P`` are pairwise disjoint. Then the minimum is attained and equals
    ``sum_P sum_{t > |P|} s_t(A[I'_P, J'_P])^2 + ||A outside F and the Q_P||^2``, reached by
    truncated SVDs of the ``A[I'_P, J'_P]`` and an exact fit of the remainder on ``F`` by the
    complete classes. Pairwise disjoint rectangles (all classes singletons, ``F`` empty) are
    the special case ``||A||^2 - sum_k s_1(A[I_k, J_k])^2``.

    Parameters
    ----------
    A : (m, n) real or complex array
    support1 : (m, r) bool mask of ``S1``;  support2 : (r, n) bool mask of ``S2``

    Returns
    -------
    FixedSupportSolution
        ``status="global"`` with value and factors, or ``status="not_tractable"`` with the
        reason (FSMF is NP-hard in general; a local method's answer is not a certificate).

    Examples
    --------
    >>> A = np.array([[1., 2, 1], [3, 4, 0], [5, 6, 2], [7, 9, 0]])
    >>> I = np.array([[1, 1, 1], [1, 1, 1], [0, 0, 1], [0, 0, 1]], bool)
    >>> J = np.array([[1, 1, 1], [1, 1, 1], [0, 0, 0]], bool)
    >>> sol = solve_fixed_support(A, I, J.T)
    >>> sol.status, round(float(sol.value), 8)
    ('global', 5.04713205)
    """
    func = "solve_fixed_support"
    A, (s1, s2) = check_chain(A, [support1, support2], func, names=["support1", "support2"])
    A = A.astype(np.complex128 if np.iscomplexobj(A) else np.float64, copy=False)
    classes = tuple(tuple(c) for c in equivalence_classes(s1, s2))
    rects = [(np.flatnonzero(s1[:, c[0]]), np.flatnonzero(s2[c[0], :])) for c in classes]
    complete = np.array([len(c) >= min(I.size, J.size) for c, (I, J) in zip(classes, rects)],
                        dtype=bool)
    F = np.zeros(A.shape, dtype=bool)
    for (I, J), full in zip(rects, complete):
        if full:
            F[np.ix_(I, J)] = True
    covered = F.copy()
    blocks = []  # (class index, rows', cols')
    for c, ((I, J), full) in enumerate(zip(rects, complete)):
        if full:
            continue
        Q = np.zeros(A.shape, dtype=bool)
        Q[np.ix_(I, J)] = True
        Q &= ~F
        rows, cols = np.flatnonzero(Q.any(axis=1)), np.flatnonzero(Q.any(axis=0))
        if Q.sum() != rows.size * cols.size:
            return FixedSupportSolution(
                "not_tractable", None, None,
                f"the rectangle of class {list(classes[c])} minus the complete-class rectangles "
                "is not a rectangle", classes, complete)
        if np.any(covered & Q):
            return FixedSupportSolution(
                "not_tractable", None, None,
                f"the rectangle of class {list(classes[c])} (minus complete-class rectangles) "
                "overlaps another class's rectangle", classes, complete)
        covered |= Q
        blocks.append((c, rows, cols))
    S1 = np.zeros(s1.shape, dtype=A.dtype)
    S2 = np.zeros(s2.shape, dtype=A.dtype)
    for c, rows, cols in blocks:
        if rows.size:
            X, Y = _truncated(A[np.ix_(rows, cols)], len(classes[c]))
            S1[np.ix_(rows, classes[c])] = X
            S2[np.ix_(classes[c], cols)] = Y
    residual = A - S1 @ S2
    value = np.float64(np.vdot(residual[~F], residual[~F]).real)
    owned = np.zeros(A.shape, dtype=bool)   # each entry of F is fitted by one complete class
    for c, ((I, J), full) in enumerate(zip(rects, complete)):
        if full:
            mine = np.zeros(A.shape, dtype=bool)
            mine[np.ix_(I, J)] = True
            mine &= ~owned
            owned |= mine
            X, Y = _truncated((residual * mine)[np.ix_(I, J)], len(classes[c]))
            S1[np.ix_(I, classes[c])] = X
            S2[np.ix_(classes[c], J)] = Y
    if not classes:
        reason = "no rank-one support is non-empty"
    elif complete.any():
        reason = ("complete equivalence classes; the remaining class rectangles minus the "
                  "complete ones are pairwise disjoint rectangles")
    else:
        reason = "the class rectangles are pairwise disjoint (truncated SVD on each)"
    return FixedSupportSolution("global", value, (S1, S2), reason, classes, complete)
