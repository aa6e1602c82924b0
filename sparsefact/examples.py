"""The classic examples of docs/theory.rst, in the package convention ``A = S1 @ S2``.

Each example is a dict with ``A``, ``support1``, ``support2``, a one-line ``title`` and the
``expected`` status; used by ``sparsefact tour``, the notebooks and the paper.
"""

from __future__ import annotations

import numpy as np

__all__ = ["two_layer_examples"]


def two_layer_examples() -> dict[str, dict]:
    """The two-layer oracle cases (fresh arrays on every call)."""
    raw = {
        "C01": ("disjoint rank-one blocks", [[1, 3, 0], [2, 6, 0], [0, 0, 2]],
                [[1, 0], [1, 0], [0, 1]],
                [[1, 1, 0], [0, 0, 1]], "unique"),
        "C02": ("dense 2x2, A = I (GL(2) ambiguity)", [[1, 0], [0, 1]],
                [[1, 1], [1, 1]],
                [[1, 1], [1, 1]], "not_unique"),
        "C03": ("LU pattern, A = antidiagonal (no LU exists)", [[0, 1], [1, 0]],
                [[1, 0], [1, 1]],
                [[1, 1], [0, 1]], "infeasible"),
        "C06": ("overlapping rectangles, connected private entries", [[1, 1, 0], [2, 4, 1], [0, 6, 3]],
                [[1, 0], [1, 1], [0, 1]],
                [[1, 1, 0], [0, 1, 1]], "unique"),
        "C07": ("nested rectangles (disconnected private graph)", [[1, 2], [1, 3]],
                [[1, 1], [1, 1]],
                [[1, 1], [0, 1]], "not_unique"),
        "C08": ("dense 3x2 supports, rank-2 A", [[1, 2, 3], [2, 4, 6], [1, 1, 1]],
                [[1, 1], [1, 1], [1, 1]],
                [[1, 1, 1], [1, 1, 1]], "not_unique"),
        "C10": ("zero partner column", [[1, 1], [2, 2]],
                [[1, 1], [1, 0]],
                [[1, 1], [0, 1]], "not_unique"),
        "C11": ("duplicated rectangles", [[1, 2], [3, 4]],
                [[1, 1], [1, 1]],
                [[1, 1], [1, 1]], "not_unique"),
        "C32": ("LU pattern, a11 != 0", [[2, 1], [1, 0]],
                [[1, 0], [1, 1]],
                [[1, 1], [0, 1]], "unique"),
        "C35": ("generic 4x4 butterfly split", [[1, 2, 4, 10], [-9, 3, -1, 1], [2, 4, -2, -5], [-3, 1, 4, -4]],
                [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]],
                [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]], "unique"),
        "C36": ("complete class + overlap: infeasible", [[1, 2, 0], [3, 4, 1], [0, 1, 0]],
                [[1, 1, 0], [1, 1, 1], [0, 0, 1]],
                [[1, 1, 0], [1, 1, 0], [0, 1, 1]], "infeasible"),
    }
    return {key: {"title": title, "A": np.array(A), "support1": np.array(s1, dtype=bool),
                  "support2": np.array(s2, dtype=bool), "expected": expected}
            for key, (title, A, s1, s2, expected) in raw.items()}
