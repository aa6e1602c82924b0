"""Historical names kept working: module paths and keyword arguments.

The flat modules of the first releases (``landscape.palm``, ``identifiability.exact``, ...)
moved into subpackages. Their old import paths keep working: importing one returns the new
module object itself (same functions, same classes), loaded on first use.

Renamed keywords (see the vocabulary in the docs) are accepted under their old name with a
``DeprecationWarning``, by :func:`renamed_keywords`.

>>> import importlib
>>> importlib.import_module("identifiability.exact") is importlib.import_module(
...     "identifiability.core.exact")
True
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import Any, Callable, Mapping, TypeVar

__all__ = ["register_aliases", "renamed_keywords"]

F = TypeVar("F", bound=Callable[..., Any])


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

    A target that is already imported is bound in ``sys.modules`` at once, so that importing
    the old path never rebinds an attribute of the parent package (``landscape.hierarchical``
    stays the function when ``import landscape.hierarchical`` runs); the others are loaded on
    first use. Call it at the end of the package ``__init__``.

    Parameters
    ----------
    table : mapping of str to str
        ``{"package.old_module": "package.sub.new_module"}``.
    """
    lazy = {}
    for old, new in table.items():
        if new in sys.modules:
            sys.modules.setdefault(old, sys.modules[new])
        else:
            lazy[old] = new
    if lazy:
        sys.meta_path.append(_AliasFinder(lazy))


def renamed_keywords(**old_to_new: str) -> Callable[[F], F]:
    """Accept the old name of each renamed keyword, with a ``DeprecationWarning``.

    Passing both the old and the new name is a ``TypeError``.

    >>> @renamed_keywords(max_iter="n_iter")
    ... def run(*, n_iter=10):
    ...     return n_iter
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     run(max_iter=3)
    3
    """
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__name__}() got both '{old}' and its new name "
                                        f"'{new}'")
                    warnings.warn(f"{func.__name__}(): '{old}' is now called '{new}'",
                                  DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate
