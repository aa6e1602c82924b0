"""Historical module paths kept as aliases of the modules that now hold the code.

The flat modules of the first releases (``landscape.palm``, ``identifiability.exact``, ...)
moved into subpackages. Their old import paths keep working: importing one returns the new
module object itself (same functions, same classes), loaded on first use.

>>> import importlib
>>> importlib.import_module("identifiability.exact") is importlib.import_module(
...     "identifiability.core.exact")
True
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Mapping

__all__ = ["register_aliases"]


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``old.path`` and loads it as the module ``table[old.path]``."""

    def __init__(self, table: Mapping[str, str]):
        self.table = dict(table)

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.table:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec) -> ModuleType:
        return importlib.import_module(self.table[spec.name])

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the target module is already executed."""


def register_aliases(table: Mapping[str, str]) -> None:
    """Make each old module path in ``table`` import as the new module it maps to.

    Parameters
    ----------
    table : mapping of str to str
        ``{"package.old_module": "package.sub.new_module"}``.
    """
    sys.meta_path.append(_AliasFinder(table))
