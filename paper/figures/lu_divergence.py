"""Figure: no LU factorization of the antidiagonal matrix, and what PALM does about it.

``A = [[0, 1], [1, 0]]`` with ``S1`` lower and ``S2`` upper triangular (docs/theory.rst C03, C31, C37):
the infimum 0 of ``||A - S1 S2||_F^2`` is not attained. Plain PALM (``palm4msa(...,
normalize=False)``, gamma = 1.01) is run in chunks restarted from its own iterates, so that
the factors can be inspected along the way: the loss keeps decreasing towards 0 while the
balanced factor norm ``min_D sqrt(||S1 D||_F^2 + ||D^-1 S2||_F^2) = sqrt(2 sum_k ||S1[:, k]||
||S2[k, :]||)`` grows without bound. The explicit minimising sequence
``X_eps = [[1, 0], [1/eps, 1]]``, ``W_eps = [[eps, 1], [0, -1/eps]]`` (loss ``eps^2``, balanced
norm ~ ``2/sqrt(eps)``) and the exact certificate of
:func:`landscape.existence.infimum_attained` follow the same trade-off
``norm ~ 2 loss^(-1/4)``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from landscape import palm4msa, support
from landscape.linear.existence import infimum_attained

from ._common import plt, save

__all__ = ["main", "balanced_norm", "explicit_sequence"]

A = np.array([[0.0, 1.0], [1.0, 0.0]])
LOWER = np.array([[1, 0], [1, 1]], bool)


def balanced_norm(S1: np.ndarray, S2: np.ndarray) -> np.ndarray:
    """``min_D sqrt(||S1 D||_F^2 + ||D^-1 S2||_F^2)`` over invertible diagonal D (batched)."""
    return np.sqrt(2 * np.sum(np.linalg.norm(S1, axis=-2) * np.linalg.norm(S2, axis=-1),
                              axis=-1))


def explicit_sequence(eps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The factors ``X_eps, W_eps`` (batched over ``eps``), with ``X_eps W_eps -> A``."""
    one, zero = np.ones_like(eps), np.zeros_like(eps)
    X = np.stack([np.stack([one, zero], -1), np.stack([1 / eps, one], -1)], -2)
    W = np.stack([np.stack([eps, one], -1), np.stack([zero, -1 / eps], -1)], -2)
    return X, W


def main(outdir: Path, *, quick: bool = False) -> dict:
    n_total, n_starts = (300, 2) if quick else (20000, 3)
    checkpoints = np.unique(np.geomspace(10, n_total, 16 if quick else 28).astype(int))
    cons = [support(LOWER), support(LOWER.T)]
    t0 = time.perf_counter()
    rng = np.random.default_rng(3)
    factors, history, norms, done = None, [], [], 0
    for stop in checkpoints:
        res = palm4msa(A, cons, normalize=False, n_iter=int(stop - done), stop_tol=0.0, step=1.01,
                       n_starts=n_starts, init=factors, init_lam=1.0, rng=rng)
        factors, done = list(res.factors), stop
        history.append(res.history)
        norms.append(balanced_norm(*factors))
    seconds = time.perf_counter() - t0
    loss = np.concatenate(history, axis=1)            # (n_starts, n_total)
    norms = np.array(norms).T                          # (n_starts, len(checkpoints))
    at_ckpt = loss[:, checkpoints - 1]
    half = checkpoints >= checkpoints[-1] / 10
    slope_loss = float(np.polyfit(np.log(checkpoints[half]), np.log(at_ckpt[:, half].mean(0)),
                                  1)[0])
    slope_norm = float(np.polyfit(np.log(checkpoints[half]), np.log(norms[:, half].mean(0)),
                                  1)[0])
    eps = np.geomspace(0.3, 0.02, 20)
    Xe, We = explicit_sequence(np.append(eps, 1e-3))
    loss_e = np.sum((A - Xe @ We) ** 2, axis=(-2, -1))
    norm_e = balanced_norm(Xe, We)
    proof = infimum_attained(LOWER, LOWER.T, A.astype(int), rng=0)
    seq = proof.certificate

    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
    it = np.arange(1, n_total + 1)
    for b in range(n_starts):
        ax1.loglog(it, loss[b], lw=1, label=f"PALM start {b}")
        ax2.loglog(checkpoints, norms[b], "o-", ms=3, lw=1, label=f"PALM start {b}")
        ax3.loglog(at_ckpt[b], norms[b], "o-", ms=3, lw=1, label=f"PALM start {b}")
    ax3.loglog(loss_e[:-1], norm_e[:-1], "k--", lw=1.5,
               label=r"$X_\varepsilon, W_\varepsilon$ ($\varepsilon$ = 0.3 .. 0.02)")
    ax3.loglog(seq.errors, seq.norms, "kx", ms=7,
               label="exact minimizing sequence\n(infimum_attained certificate)")
    ax1.set_xlabel("PALM sweep")
    ax1.set_ylabel(r"loss $\|A - S_1 S_2\|_F^2$")
    ax1.set_title(f"Loss decreases towards 0 (slope {slope_loss:.2f})")
    ax2.set_xlabel("PALM sweep")
    ax2.set_ylabel("balanced norm\n" r"$\min_D (\|S_1D\|_F^2 + \|D^{-1}S_2\|_F^2)^{1/2}$")
    ax2.set_title(f"... while the factors blow up (slope {slope_norm:.2f})")
    ax3.set_xlabel(r"loss $\|A - S_1 S_2\|_F^2$")
    ax3.set_ylabel("balanced norm")
    ax3.set_title(r"Same trade-off: norm $\approx 2\,$loss$^{-1/4}$")
    ax3.invert_xaxis()
    for ax in (ax1, ax2, ax3):
        ax.legend()
    fig.suptitle("A = [[0, 1], [1, 0]] has no LU factorization: the infimum 0 is not attained",
                 fontsize=11)
    files = save(fig, outdir, "lu_divergence")

    out = {"n_sweeps": int(n_total), "n_starts": n_starts, "seconds": round(seconds, 1),
           "final_loss": [float(f"{x:.4g}") for x in loss[:, -1]],
           "final_balanced_norm": [round(float(x), 2) for x in norms[:, -1]],
           "loss_monotone": bool(np.all(np.diff(loss, axis=1) <= 1e-15)),
           "slope_loss_vs_sweep": round(slope_loss, 3), "slope_norm_vs_sweep": round(slope_norm, 3),
           "norm_times_loss_quarter_palm": [round(float(x), 3) for x in
                                            norms[:, -1] * loss[:, -1] ** 0.25],
           "infimum_attained": {"attained": proof.attained, "proven": proof.proven,
                                "infimum": float(proof.infimum), "verify": seq.verify(),
                                "errors": [float(f"{x:.4g}") for x in seq.errors],
                                "norms": [round(float(x), 3) for x in seq.norms]},
           "explicit_eps_1e-3": {"loss": float(f"{loss_e[-1]:.4g}"),
                                 "balanced_norm": round(float(norm_e[-1]), 2)},
           "files": files}
    print(f"{n_starts} starts x {n_total} sweeps in {seconds:.1f} s: final loss "
          f"{out['final_loss']}, balanced norm {out['final_balanced_norm']}, monotone "
          f"{out['loss_monotone']}; slopes loss {slope_loss:.2f}, norm {slope_norm:.2f}; "
          f"explicit eps = 1e-3: loss {loss_e[-1]:.3g}, norm {norm_e[-1]:.1f}; "
          f"infimum_attained: attained={proof.attained}, proven={proof.proven}")
    return out
