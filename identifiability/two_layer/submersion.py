"""Not unique without solving the fibre: a certified submersion point.

When the rank-one completion is stuck on rectangles ``I_k x J_k`` (``k`` in ``stuck``, ``s`` of
them) with residual ``R``, the remaining unknowns are the factor entries
``theta = (x_k, y_k)_k`` (``N = sum |I_k| + |J_k|`` of them) and the equations are the ``E``
entries covered by the stuck rectangles::

    g(theta) = sum_k x_k y_k^T - R = 0      (on the covered entries; R is zero elsewhere)

**The argument** (docs/theory.rst, "Deciding the stuck rectangles"). If ``g`` has a real zero
``theta*`` at which its Jacobian has full row rank ``E``, then near ``theta*`` the real
solution set is a smooth manifold of dimension ``N - E`` (implicit function theorem). The
factorizations equivalent to ``theta*`` -- rescaling each pair ``(x_k, y_k)`` by
``(t x_k, y_k / t)``, permuting identical rectangles -- form finitely many orbits of the group
``(R^*)^s``, each a manifold of dimension at most ``s``. So when ``N - E > s`` the fibre holds
infinitely many pairwise inequivalent real factorizations: **not unique**, over R and over C.

**The certificate** makes both hypotheses checkable in exact rational arithmetic, without any
polynomial solver: ``N - E`` of the unknowns are held at dyadic values; for the ``E`` others
(``chosen``) a dyadic centre ``z~``, a radius ``eps`` and a preconditioner ``C`` (an integer
matrix over a power of two) satisfy Krawczyk's test

    |C g(z~)| + eps |I - C J(z~)| 1 + eps^2 |C| P 1 < eps 1      (componentwise),

where ``J`` is the ``E x E`` Jacobian of ``g`` in the chosen unknowns and ``P`` its 0/1
pattern of entries that vary with them (``g`` is bilinear: every entry of ``J`` is one
unknown, so ``|J(z) - J(z~)| <= eps P`` on the box). Then (Krawczyk; Rump; Neumaier,
*Interval methods for systems of equations*, Thm. 5.1.7) ``g`` has exactly one zero ``z*`` in
the box ``|z - z~| <= eps``, and every matrix of the interval ``J(box)`` -- hence ``J(z*)`` --
is nonsingular: the full Jacobian at ``theta* = (z*, fixed)`` has rank ``E``. All quantities
are rationals with power-of-two denominators (plus those of ``R``): :meth:`verify` recomputes
them from ``A``, the supports and the completion steps with integer matrix products (FLINT).

The search (:func:`certify_submersion`) is numerical and may fail (a singular Jacobian at the
numerical point, a fibre too flat for a box); failure proves nothing and the caller moves on.
Real data only (complex data would need complex discs).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any, ClassVar

import numpy as np

from ..core.display import summary_repr
from ..core.exact import GaussianRational, to_exact

__all__ = ["SubmersionCertificate", "certify_submersion", "submersion_count", "StuckLayout",
           "stuck_layout", "numerical_zero", "krawczyk_holds"]

#: Binary digits of the dyadic centre of the box (entries ``n / 2**CENTRE_BITS``).
CENTRE_BITS = 48


@dataclass(frozen=True)
class StuckLayout:
    """Unknowns, covered entries and bilinear terms of the stuck system."""

    n_unknowns: int
    entries: np.ndarray          # (E, 2) covered (i, j), row-major
    term_eq: np.ndarray          # per term x_k[a] y_k[b]: its equation,
    term_x: np.ndarray           # the index of x_k[a] among the unknowns,
    term_y: np.ndarray           # and that of y_k[b]

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """The ``E x N`` Jacobian of ``g`` at ``theta``."""
        J = np.zeros((len(self.entries), self.n_unknowns), dtype=theta.dtype)
        np.add.at(J, (self.term_eq, self.term_x), theta[self.term_y])
        np.add.at(J, (self.term_eq, self.term_y), theta[self.term_x])
        return J

    def residual(self, theta: np.ndarray, r: np.ndarray) -> np.ndarray:
        """``g(theta)`` for the right-hand sides ``r`` (the covered entries of ``R``)."""
        return np.bincount(self.term_eq, theta[self.term_x] * theta[self.term_y],
                           minlength=len(self.entries)) - r


def stuck_layout(rows: list, cols: list, stuck: list[int], shape: tuple[int, int]) -> StuckLayout:
    covered = np.zeros(shape, dtype=bool)
    for k in stuck:
        covered[np.ix_(rows[k], cols[k])] = True
    index = -np.ones(shape, dtype=np.int64)
    entries = np.argwhere(covered)
    index[covered] = np.arange(len(entries))
    eq, tx, ty, pos = [], [], [], 0
    for k in stuck:
        p, q = len(rows[k]), len(cols[k])
        eq.append(index[np.ix_(rows[k], cols[k])].ravel())
        tx.append(np.repeat(pos + np.arange(p), q))
        ty.append(np.tile(pos + p + np.arange(q), p))
        pos += p + q
    cat = (lambda a: np.concatenate(a) if a else np.zeros(0, np.int64))
    return StuckLayout(pos, entries, cat(eq), cat(tx), cat(ty))


def submersion_count(rows: list, cols: list, stuck: list[int], shape: tuple[int, int]
                     ) -> tuple[int, int, int]:
    """``(N, E, s)``: unknowns, covered entries and stuck rectangles; ``N - E > s`` is the
    dimension count under which a submersion point proves non-uniqueness."""
    lay = stuck_layout(rows, cols, stuck, shape)
    return lay.n_unknowns, len(lay.entries), len(stuck)


@dataclass(frozen=True, repr=False)
class SubmersionCertificate:
    """A certified real zero of the stuck system at which its Jacobian has full row rank.

    ``centre`` holds every unknown as an integer numerator over ``2**CENTRE_BITS`` (the
    unknowns of rectangle ``stuck[0]``: x then y, then ``stuck[1]``...); ``chosen`` the ``E``
    unknowns of the box (the others are held at their centre value); ``radius`` the box
    half-width ``radius_num / 2**radius_bits``; ``precond`` the integer matrix of ``C``
    (``C = precond / 2**precond_bits``). See the module docstring for what it proves.
    """

    stuck: tuple
    steps: tuple
    centre: tuple
    chosen: tuple
    radius_num: int
    radius_bits: int
    precond: tuple
    precond_bits: int
    counts: tuple                # (N, E, s)
    field: str = "R"

    type_name: ClassVar[str] = "submersion"
    proves: ClassVar[tuple] = ("not_unique",)

    def __repr__(self) -> str:
        N, E, s = self.counts
        return summary_repr("SubmersionCertificate", unknowns=N, equations=E, orbit_dim=s,
                            fibre_dim=N - E, radius=float(Fraction(self.radius_num,
                                                                   2 ** self.radius_bits)))

    def verify(self, v: Any) -> bool:
        """Replay the completion from ``v.A``, rebuild the stuck system and re-check the
        dimension count and Krawczyk's test in exact arithmetic."""
        from .certificates import replay_steps

        if v.tol is not None:
            return False
        ok, _, R, _, remaining = replay_steps(v, self.steps)
        if not ok or remaining != set(self.stuck):
            return False
        rows = [np.flatnonzero(v.support1[:, k]) for k in range(v.support1.shape[1])]
        cols = [np.flatnonzero(v.support2[k, :]) for k in range(v.support1.shape[1])]
        lay = stuck_layout(rows, cols, list(self.stuck), R.shape)
        N, E, s = lay.n_unknowns, len(lay.entries), len(self.stuck)
        if (N, E, s) != tuple(self.counts) or N - E <= s:
            return False
        R = to_exact(R)
        outside = np.ones(R.shape, dtype=bool)
        outside[tuple(lay.entries.T)] = False
        if any(x != 0 for x in R[outside]):
            return False
        return krawczyk_holds(lay, [R[i, j] for i, j in lay.entries], self)

    def explain_lines(self) -> list[str]:
        """The dimension count and the box."""
        N, E, s = self.counts
        eps = float(Fraction(self.radius_num, 2 ** self.radius_bits))
        return [f"Certificate: the stuck rectangles {list(self.stuck)} leave {N} unknown factor "
                f"entries for {E} covered entries; Krawczyk's test, checked in exact arithmetic, "
                f"puts a real factorization in a box of radius {eps:.1e} around a dyadic point, "
                f"with a Jacobian of full row rank {E} there: the fibre is a manifold of "
                f"dimension {N - E} > {s} (the dimension of the rescaling orbit), so "
                "infinitely many inequivalent factorizations exist."]

    def explain(self) -> str:
        """The certificate in words (:meth:`explain_lines` joined)."""
        return "\n".join(self.explain_lines())

    def to_dict(self) -> dict:
        """JSON-ready: the counts, the box (integers as strings) and the preconditioner."""
        return {"type": self.type_name, "field": self.field, "stuck": [int(k) for k in self.stuck],
                "counts": [int(c) for c in self.counts], "centre_bits": CENTRE_BITS,
                "centre": [str(c) for c in self.centre], "chosen": [int(c) for c in self.chosen],
                "radius": f"{self.radius_num}/2**{self.radius_bits}",
                "precond_bits": self.precond_bits,
                "precond": [[str(c) for c in row] for row in self.precond]}


def krawczyk_holds(lay: StuckLayout, r: list, cert: SubmersionCertificate) -> bool:
    """Krawczyk's test of the module docstring, in exact integer arithmetic."""
    import flint

    N, E = lay.n_unknowns, len(lay.entries)
    chosen = list(cert.chosen)
    if len(chosen) != E or len(set(chosen)) != E or not all(0 <= c < N for c in chosen) \
            or len(cert.centre) != N or len(cert.precond) != E \
            or any(len(row) != E for row in cert.precond):
        return False
    u = [int(c) for c in cert.centre]
    D, S = CENTRE_BITS, int(cert.precond_bits)
    # g(z~) = G / L with integer G: sum of products (scale 2^2D) minus R
    prod = [0] * E
    for e, a, b in zip(lay.term_eq.tolist(), lay.term_x.tolist(), lay.term_y.tolist()):
        prod[e] += u[a] * u[b]
    if any(isinstance(x, GaussianRational) and x.im != 0 for x in r):
        return False
    r = [Fraction(x.re) if isinstance(x, GaussianRational) else Fraction(x) for x in r]
    L = lcm(2 ** (2 * D), *(x.denominator for x in r))
    G = [p * (L >> (2 * D)) - x.numerator * (L // x.denominator) for p, x in zip(prod, r)]
    # J(z~) in the chosen unknowns (scale 2^D) and its pattern P
    col = {c: t for t, c in enumerate(chosen)}
    Jint = [[0] * E for _ in range(E)]
    varies = [0] * E                 # P 1: chosen partner unknowns of each equation
    for e, a, b in zip(lay.term_eq.tolist(), lay.term_x.tolist(), lay.term_y.tolist()):
        for mine, partner in ((a, b), (b, a)):
            if mine in col:
                Jint[e][col[mine]] += u[partner]
                varies[e] += partner in col
    Cm = flint.fmpz_mat(E, E, [int(c) for row in cert.precond for c in row])
    CG = Cm * flint.fmpz_mat(E, 1, G)                          # C g * 2^S L
    M0 = flint.fmpz_mat(E, E, [(2 ** (S + D)) * (i == j) for i in range(E) for j in range(E)]) \
        - Cm * flint.fmpz_mat(E, E, [x for row in Jint for x in row])   # (I - C J) * 2^(S+D)
    absC = flint.fmpz_mat(E, E, [abs(int(c)) for row in cert.precond for c in row])
    Bv = absC * flint.fmpz_mat(E, 1, varies)                   # |C| P 1 * 2^S
    eps = Fraction(int(cert.radius_num), 2 ** int(cert.radius_bits))
    if eps <= 0:
        return False
    m0 = M0.tolist()
    for i in range(E):
        lhs = (Fraction(abs(int(CG[i, 0])), (2 ** S) * L)
               + eps * Fraction(sum(abs(int(x)) for x in m0[i]), 2 ** (S + D))
               + eps * eps * Fraction(int(Bv[i, 0]), 2 ** S))
        if not lhs < eps:
            return False
    return True


def numerical_zero(lay: StuckLayout, r: np.ndarray, rng: np.random.Generator,
                   n_starts: int = 12, max_iter: int = 300,
                   held: np.ndarray | None = None) -> np.ndarray | None:
    """A numerical zero of ``g`` by Levenberg-Marquardt from ``n_starts`` random starts, the
    unknowns flagged in ``held`` staying at 1; None if no start reaches ``1e-10`` (relative;
    iterations go on to ``1e-13``).

    Underdetermined systems take minimum-norm steps ``J^T (J J^T + mu c I)^-1 g`` (``E x E``
    solves), overdetermined ones ``(J^T J + mu c I)^-1 J^T g`` (``c`` the mean of the
    diagonal: a large ``mu`` steps along the gradient, so a rejected step can be shortened
    into a descent step).
    """
    E = len(lay.entries)
    scale = max(1.0, float(np.abs(r).max(initial=0.0)))
    # small starts (a tenth of the balanced size sqrt|r|) reach a zero far more often
    spread = 0.1 * np.sqrt(max(1.0, float(np.abs(r).mean()) if E else 1.0))
    free = np.ones(lay.n_unknowns, bool) if held is None else ~held
    for _ in range(n_starts):
        theta = np.where(free, rng.standard_normal(lay.n_unknowns) * spread, 1.0)
        f = lay.residual(theta, r)
        cost, mu = float(f @ f), 1e-3
        for _ in range(max_iter):
            if np.abs(f).max(initial=0.0) <= 1e-13 * scale:
                return theta
            J = lay.jacobian(theta)[:, free]
            wide = E <= J.shape[1]
            H = J @ J.T if wide else J.T @ J
            # mu times a multiple of I (not diag(H)): large mu then steps along the gradient
            H = H + mu * (np.trace(H) / len(H) + 1e-300) * np.eye(len(H))
            try:
                step = J.T @ np.linalg.solve(H, f) if wide else np.linalg.solve(H, J.T @ f)
            except np.linalg.LinAlgError:
                break
            new = theta.copy()
            new[free] -= step
            fn = lay.residual(new, r)
            if float(fn @ fn) < cost:
                theta, f, cost, mu = new, fn, float(fn @ fn), max(mu / 5, 1e-12)
            else:
                mu *= 4
                if mu > 1e8:
                    break
        if np.abs(f).max(initial=0.0) <= 1e-10 * scale:     # a singular zero: slower
            return theta
    return None


def certify_submersion(R: np.ndarray, rows: list, cols: list, stuck: list[int],
                       steps: tuple, rng: Any = 0) -> SubmersionCertificate | None:
    """A :class:`SubmersionCertificate` for the stuck rectangles, or None when the dimension
    count fails, no numerical zero is found or Krawczyk's test does not pass.

    ``R`` is the exact residual of the completion (its covered entries are the right-hand
    sides); ``steps`` the completion steps, stored for :meth:`SubmersionCertificate.verify`;
    ``rng`` seeds the random starts of the numerical zero.
    """
    lay = stuck_layout(rows, cols, stuck, R.shape)
    N, E, s = lay.n_unknowns, len(lay.entries), len(stuck)
    if N - E <= s or E == 0:
        return None
    R = to_exact(R)
    r_exact = [R[i, j] for i, j in lay.entries]
    if any(isinstance(x, GaussianRational) and x.im != 0 for x in r_exact):
        return None
    r = np.array([float(x.re) if isinstance(x, GaussianRational) else float(x)
                  for x in r_exact])
    theta = numerical_zero(lay, r, np.random.default_rng(rng))
    if theta is None:
        return None
    J = lay.jacobian(theta)
    sv = np.linalg.svd(J, compute_uv=False)
    if sv[-1] <= 1e-8 * sv[0]:
        return None                                   # not a submersion numerically
    from scipy.linalg import qr

    chosen = np.sort(qr(J, pivoting=True, mode="r")[1][:E])
    scale = 2.0 ** CENTRE_BITS
    theta = np.round(theta * scale) / scale           # the held unknowns: dyadic
    for _ in range(8):                                # Newton on the chosen unknowns
        step = np.linalg.lstsq(lay.jacobian(theta)[:, chosen], lay.residual(theta, r),
                               rcond=None)[0]
        theta[chosen] = np.round((theta[chosen] - step) * scale) / scale
        if np.max(np.abs(step), initial=0.0) <= 2.0 ** -40 * max(1.0, np.abs(theta).max()):
            break
    JB = lay.jacobian(theta)[:, chosen]
    try:
        C = np.linalg.inv(JB)
    except np.linalg.LinAlgError:
        return None
    S = int(52 - np.ceil(np.log2(np.abs(C).max())))
    Cint = np.round(C * 2.0 ** S)
    Cf = Cint / 2.0 ** S
    g = np.abs(Cf @ lay.residual(theta, r))
    a = np.abs(np.eye(E) - Cf @ JB).sum(axis=1)
    in_box = np.zeros(N, dtype=bool)
    in_box[chosen] = True
    varies = np.bincount(lay.term_eq, 2.0 * (in_box[lay.term_x] & in_box[lay.term_y]),
                         minlength=E)
    b = np.abs(Cf) @ (varies + 1)                      # a little slack for rounding
    if a.max() >= 0.5:
        return None
    centre = tuple(int(c) for c in np.round(theta * scale).astype(object))
    for factor in (4.0, 16.0, 256.0):
        eps = factor * max(float(g.max()), 2.0 ** -60)
        if eps * float(b.max()) >= 0.25:
            return None
        bits = int(np.ceil(-np.log2(eps))) + 4
        cert = SubmersionCertificate(tuple(stuck), tuple(steps), centre,
                                     tuple(int(c) for c in chosen),
                                     int(np.ceil(eps * 2.0 ** bits)), bits,
                                     tuple(tuple(int(c) for c in row) for row in
                                           Cint.astype(object)), S, (N, E, s))
        if krawczyk_holds(lay, r_exact, cert):
            return cert
    return None
