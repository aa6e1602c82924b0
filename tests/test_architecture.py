"""The rules of the house, checked: no import cycle (module- or function-level imports), no
import of another module's ``_private`` name, the layering contracts of ``pyproject.toml``
(import-linter), and the historical module paths still importing as the new modules."""

from __future__ import annotations

import ast
import importlib
import pathlib
import shutil
import subprocess
import sys

import networkx as nx
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("identifiability", "landscape", "sparsefact")


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, pathlib.Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(name: str, path: pathlib.Path, modules: set[str]):
    """(target module, imported names, line) for every import statement, at any depth."""
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:  # "from . import module"
                    yield sub, [], node.lineno
                else:
                    yield target, [alias.name], node.lineno


def _graph() -> nx.DiGraph:
    sources = _sources()
    G = nx.DiGraph()
    G.add_nodes_from(sources)
    for name, path in sources.items():
        for target, _, _ in _imports(name, path, set(sources)):
            if target in sources and target != name:
                G.add_edge(name, target)
    return G


def test_no_import_cycle():
    cycles = [sorted(c) for c in nx.strongly_connected_components(_graph()) if len(c) > 1]
    assert cycles == []


def test_no_cross_module_private_import():
    sources = _sources()
    bad = []
    for name, path in sources.items():
        for target, names, line in _imports(name, path, set(sources)):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and target != name and target.split(".")[0] in PACKAGES + ("tests",):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {private} from {target}")
    assert bad == []


def test_identifiability_never_imports_landscape():
    G = _graph()
    bad = [(a, b) for a, b in G.edges if a.startswith("identifiability")
           and not b.startswith("identifiability")]
    assert bad == []


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_layering_contracts():
    run = subprocess.run(["lint-imports", "--no-cache"], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


HISTORICAL_PATHS = {
    "identifiability.exact": "identifiability.core.exact",
    "identifiability.verdict": "identifiability.two_layer.verdict",
    "identifiability.stuck": "identifiability.two_layer.algebraic",
    "identifiability.certificates": "identifiability.two_layer.certificates",
    "identifiability.multilayer": "identifiability.chains",
    "identifiability.sparsity_levels": "identifiability.sparsity",
    "landscape.projections": "landscape.engine.projections",
    "landscape.palm": "landscape.engine.palm",
    "landscape.hierarchical": "landscape.engine.hierarchical",
    "landscape.butterfly": "landscape.engine.butterfly",
    "landscape.fixed_support": "landscape.engine.fixed_support",
    "landscape.bounds": "landscape.engine.bounds",
    "landscape.relu_nets": "landscape.relu",
    "landscape.relu_existence": "landscape.relu.existence",
    "landscape.relu_torch": "landscape.relu.torch_backend",
}


@pytest.mark.parametrize("old, new", sorted(HISTORICAL_PATHS.items()))
def test_historical_module_paths_import_as_the_new_modules(old, new):
    assert importlib.import_module(old) is importlib.import_module(new)
    assert old in sys.modules


def test_regression_historical_path_does_not_rebind_an_exported_function():
    """``landscape.hierarchical`` is both a function and a historical module path: importing
    the path (as the fft figure once did) must not replace the function on the package."""
    import landscape

    importlib.import_module("landscape.hierarchical")
    assert callable(landscape.hierarchical)
    from landscape import hierarchical
    assert hierarchical is importlib.import_module("landscape.engine.hierarchical").hierarchical
