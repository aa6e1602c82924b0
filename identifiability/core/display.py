"""Short, readable text for result objects: the one place that decides how arrays print.

Results print as one summary line (shapes, counts, a few entries), never a dumped array;
``explain()`` texts end with the same closing lines.

>>> import numpy as np
>>> fmt_array(np.eye(20))
'<20x20 array>'
>>> summary_repr("Verdict", status="unique", A=np.zeros((3, 4)))
"Verdict(status='unique', A=<3x4 float64>)"
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fmt_array", "fmt_value", "summary_repr", "closing_lines"]


def fmt_array(a: Any, limit: int = 8) -> str:
    """A small array in full on one line, a large one (more than ``limit**2`` entries) by shape."""
    a = np.asarray(a)
    if a.size > limit * limit:
        return f"<{a.shape[0]}x{a.shape[1]} array>" if a.ndim == 2 else f"<array {a.shape}>"
    if a.dtype == object:
        if a.ndim != 2:
            return "[" + ", ".join(str(x) for x in a.reshape(-1)) + "]"
        return "[" + ", ".join("[" + ", ".join(str(x) for x in row) + "]" for row in a) + "]"
    return np.array2string(a, precision=6, suppress_small=True).replace("\n", "")


def fmt_value(value: Any, max_len: int = 60) -> str:
    """One short token for a field of a result: arrays by shape and dtype, long texts cut."""
    if isinstance(value, np.ndarray):
        return f"<{'x'.join(map(str, value.shape)) or 'scalar'} {value.dtype}>"
    if isinstance(value, (list, tuple)) and len(value) > 4:
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
        inner = ", ".join(fmt_value(v, max_len) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    text = repr(value)
    return text if len(text) <= max_len else text[:max_len - 3] + "..."


def summary_repr(name: str, **fields: Any) -> str:
    """``Name(field=value, ...)`` with every value shortened by :func:`fmt_value`."""
    return f"{name}(" + ", ".join(f"{k}={fmt_value(v)}" for k, v in fields.items()) + ")"


def closing_lines(factors: tuple | None, verified: bool) -> list[str]:
    """The last lines of every ``explain()``: the factors (when any) and ``verify()``."""
    lines = []
    if factors is not None:
        lines.append(f"Factors: S1 = {fmt_array(factors[0])}")
        lines.append(f"         S2 = {fmt_array(factors[1])}")
    return lines + [f"verify(): {verified}"]
