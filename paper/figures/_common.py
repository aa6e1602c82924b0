"""Shared figure setup: non-interactive backend, readable defaults, PDF + PNG output."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plt", "save"]

plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "font.size": 10,
                     "axes.titlesize": 10, "axes.grid": False, "legend.fontsize": 8,
                     "legend.frameon": False})


def save(fig: plt.Figure, outdir: Path, name: str) -> list[str]:
    """Write ``outdir/name.pdf`` and ``outdir/name.png``, close the figure, return the paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("pdf", "png"):
        path = outdir / f"{name}.{ext}"
        fig.savefig(path)
        paths.append(str(path))
    plt.close(fig)
    return paths
