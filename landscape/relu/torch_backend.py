"""Optional torch back end for CIFAR-scale training of sparse ReLU networks.

torch is imported lazily (only when :func:`train_torch` runs); without it a clear
``ImportError`` says how to install the ``[torch]`` extra. The objective and the
projection (fixed supports, re-applied after every step) are those of
:func:`landscape.relu.train_relu` with ``method="sgd"``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from identifiability.core.validation import as_support, check_int, check_real, check_rng
from identifiability.relu import ReLUNet

from identifiability.core.aliases import renamed_keywords

from .training import check_data, check_widths

__all__ = ["train_torch"]


def _torch():
    try:
        import torch
    except ImportError as exc:
        raise ImportError("landscape.relu.torch_backend needs PyTorch, which is not installed. Install "
                          "the optional extra: pip install 'sparsefact[torch]' (or pip install "
                          "torch).") from exc
    return torch


@renamed_keywords(weight_decay="beta")
def train_torch(X: Any, Y: Any, widths: Any, *, masks: Sequence[Any] | None = None,
                n_iter: int = 10, batch_size: int = 128, step: float = 1e-2,
                beta: float = 0.0, rng: Any = None) -> ReLUNet:
    """Minibatch projected SGD in torch (CPU); returns the trained network (numpy weights and
    biases in an :class:`identifiability.relu.ReLUNet`).

    Parameters
    ----------
    X, Y, widths : as in :func:`landscape.relu.train_relu`
    masks : sequence of bool arrays, optional
        Fixed supports (weights are multiplied by the mask after every step).
    n_iter : int
        Epochs.
    batch_size : int
    step : float
        Step on the mean loss.
    beta : float
        Weight decay (formerly ``weight_decay``).
    rng : Generator or int, optional
        Seeds torch's generator.
    """
    torch = _torch()
    func = "train_torch"
    X, Y = check_data(X, Y, func)
    sizes = check_widths(widths, X, Y, func)
    n_iter = check_int(n_iter, "n_iter", func, low=1)
    batch_size = check_int(batch_size, "batch_size", func, low=1)
    step = check_real(step, "step", func, low=0.0, low_open=True)
    beta = check_real(beta, "beta", func, low=0.0)
    rng = check_rng(rng, func)
    gen = torch.Generator().manual_seed(int(rng.integers(2 ** 31)))
    Ws = [torch.randn(sizes[l + 1], sizes[l], generator=gen, dtype=torch.float64)
          / np.sqrt(sizes[l]) for l in range(len(sizes) - 1)]
    Ms = None if masks is None else [
        torch.as_tensor(as_support(m, f"masks[{l}]", func, shape=(sizes[l + 1], sizes[l])))
        for l, m in enumerate(masks)]
    if Ms is not None:
        Ws = [W * M for W, M in zip(Ws, Ms)]
    for W in Ws:
        W.requires_grad_(True)
    bs = [torch.zeros(n, dtype=torch.float64, requires_grad=True) for n in sizes[1:]]
    opt = torch.optim.SGD(Ws + bs, lr=step, weight_decay=0.0)
    Xt, Yt = torch.as_tensor(X), torch.as_tensor(Y)
    for _ in range(n_iter):
        perm = torch.randperm(len(Xt), generator=gen)
        for s in range(0, len(Xt), batch_size):
            idx = perm[s:s + batch_size]
            H = Xt[idx]
            for l, (W, b) in enumerate(zip(Ws, bs)):
                H = H @ W.T + b
                if l < len(Ws) - 1:
                    H = torch.relu(H)
            loss = 0.5 * ((H - Yt[idx]) ** 2).sum(dim=1).mean()
            loss = loss + 0.5 * beta * sum((W ** 2).sum() for W in Ws) / len(Xt)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if Ms is not None:
                with torch.no_grad():
                    for W, M in zip(Ws, Ms):
                        W.mul_(M)
    return ReLUNet([W.detach().numpy().copy() for W in Ws],
                   [b.detach().numpy().copy() for b in bs])
