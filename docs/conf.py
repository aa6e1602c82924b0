"""Sphinx configuration of the sparsefact documentation.

Built by ``tests/test_docs.py`` with ``sphinx-build -W --keep-going`` (warnings are errors).
Plain reStructuredText, numpydoc docstrings, no notebook execution.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import reprlib
import sys
from types import ModuleType

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.ext.autosummary import Autosummary, import_by_name
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective

# The packages are imported from the checkout this file belongs to (works without install).
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

project = "sparsefact"
author = "the sparsefact authors"
copyright = "the sparsefact authors, BSD-3-Clause"
release = version = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]

root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
templates_path: list[str] = []
html_static_path: list[str] = []
html_theme = "alabaster"
html_theme_options = {"description": "Is it unique? Is it optimal?", "fixed_sidebar": False}
html_show_sourcelink = False
html_copy_source = False
default_role = "code"

# autodoc / numpydoc: tolerant of plain numpydoc (the docstrings are doctested, not linted).
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autodoc_default_options: dict[str, object] = {}
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = False


#: The rooms of each package: an object re-exported at the top level is documented once, on
#: the page of the room that exports it; the top-level table links there.
ROOMS = {
    "identifiability": ["identifiability.core", "identifiability.two_layer",
                        "identifiability.relu"],
    "landscape": ["landscape.engine", "landscape.linear", "landscape.relu"],
}


def public_names(module: ModuleType) -> list[str]:
    """The names of ``module.__all__`` that autodoc documents (functions, classes, data),
    without the submodules that some package ``__init__`` files re-export."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return [n for n in names
            if hasattr(module, n) and not isinstance(getattr(module, n), ModuleType)]


def documented_at(modname: str) -> dict[str, str]:
    """``{name: full name where it is documented}`` for every public name of ``modname``."""
    module = importlib.import_module(modname)
    rooms = [importlib.import_module(r) for r in ROOMS.get(modname, [])]
    where = {}
    for name in public_names(module):
        obj = getattr(module, name)
        target = f"{modname}.{name}"
        for room in rooms:
            room_names = public_names(room)
            if name in room_names and getattr(room, name) is obj:
                target = f"{room.__name__}.{name}"
                break
            if not isinstance(obj, (int, float, str, bool)):
                alias = next((n for n in room_names if getattr(room, n) is obj), None)
                if alias is not None:
                    target = f"{room.__name__}.{alias}"
                    break
        where[name] = target
    return where


def first_paragraph(obj: object) -> str:
    """The first paragraph of a docstring on one line, or the shortened value of a constant
    (autosummary's own first-sentence cut would split literals such as ``A @ ... @ B``)."""
    if not is_documentable_code(obj):  # data: its (shortened) value
        return f"``{short_value(obj)}``"
    doc = inspect.getdoc(obj)
    if not doc:
        return ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def short_value(obj: object) -> str:
    """A one-line, shortened ``repr`` of a constant."""
    return " ".join(reprlib.repr(obj).split())


def is_documentable_code(obj: object) -> bool:
    """Functions and classes (autodoc documents them from their docstring)."""
    return inspect.isclass(obj) or inspect.isroutine(obj) or callable(obj)


def doc_comment(modname: str, name: str) -> list[str]:
    """The ``#:`` doc comment of the constant ``modname.name``, looked up in the module that
    assigns it (a package re-exports constants from its private modules)."""
    for candidate in sorted(m for m in list(sys.modules) if m == modname
                            or m.startswith(modname.split(".")[0] + ".")):
        try:
            docs = ModuleAnalyzer.for_module(candidate).find_attr_docs()
        except Exception:  # noqa: BLE001  (a namespace, an alias, a module without source)
            continue
        if ("", name) in docs:
            return [line for line in docs[("", name)] if line.strip()]
    return []


class PublicSummary(Autosummary):
    """``.. public-summary:: package``: an autosummary table of ``package.__all__``.

    The table follows ``__all__``, so a name added to or moved between rooms needs no edit
    of the docs; re-exported names link to the room page that documents them."""

    required_arguments = 1
    has_content = False

    def run(self):
        modname = self.arguments[0]
        # Names of the current module are given relative to it (autosummary's rule).
        self.where = {name: target.removeprefix(f"{modname}.")
                      for name, target in documented_at(modname).items()}
        self.content = StringList(list(self.where.values()), source="<public-summary>")
        self.options["nosignatures"] = True
        return super().run()

    def get_items(self, names):
        items = super().get_items(names)
        display = {target: name for name, target in self.where.items()}
        out = []
        for display_name, sig, summary, real_name in items:
            obj = import_by_name(real_name)[1]
            display_name = display_name.removeprefix("~")
            out.append((display.get(display_name, display_name), sig,
                        first_paragraph(obj) or summary, real_name))
        return out


class PublicAPI(SphinxDirective):
    """``.. public-api:: package``: the package docstring, the table of its public names,
    and the reference entries of the names this page owns (not those of its rooms)."""

    required_arguments = 1

    def run(self):
        modname = self.arguments[0]
        own = [n for n, target in documented_at(modname).items() if target == f"{modname}.{n}"]
        lines = [f".. automodule:: {modname}"]
        module = importlib.import_module(modname)
        data = [n for n in own if not is_documentable_code(getattr(module, n))]
        code = [n for n in own if n not in data]
        lines.append(f"   :members: {', '.join(code)}" if code else "   :no-members:")
        lines += ["", f"   .. public-summary:: {modname}", ""]
        for name in data:  # constants: autodoc would show the docstring of their type
            lines += [f"   .. py:data:: {name}",
                      f"      :value: {short_value(getattr(module, name))}", ""]
            lines += [f"      {line}" for line in doc_comment(modname, name)] + [""]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=f"<public-api {modname}>"),
                                self.content_offset, container)
        return container.children


def module_index(package: str) -> list[tuple[str, str]]:
    """``(module, first line of its docstring)`` for every module file of ``package``, read
    from the source (nothing is imported), private modules and the package ``__init__``
    included, in path order."""
    base = os.path.join(ROOT, *package.split("."))
    rows = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for fname in sorted(files):
            if not fname.endswith(".py"):
                continue
            path = os.path.join(folder, fname)
            rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
            name = rel.removesuffix(".__init__")
            with open(path, encoding="utf-8") as fh:
                try:
                    doc = ast.get_docstring(ast.parse(fh.read())) or ""
                except SyntaxError:  # a file mid-edit: list it without a summary
                    doc = ""
            rows.append((name, " ".join(doc.split("\n\n", 1)[0].split())))
    return rows


def historical_paths() -> dict[str, str]:
    """``{old module path: module that holds its code}``, from the alias tables that the
    package ``__init__`` files register with
    :func:`identifiability.core.aliases.register_aliases`."""
    for pkg in ("identifiability", "landscape", "sparsefact"):
        importlib.import_module(pkg)
    table: dict[str, str] = {}
    for finder in sys.meta_path:
        if type(finder).__module__ == "identifiability.core.aliases":
            table.update(getattr(finder, "table", {}))
    return dict(sorted(table.items()))


def _list_table(header: tuple[str, str], rows: list[tuple[str, str]]) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: 30 70", "",
             f"   * - {header[0]}", f"     - {header[1]}"]
    for left, right in rows:
        lines += [f"   * - {left}", f"     - {right or '(no docstring)'}"]
    return lines + [""]


class ModuleIndex(SphinxDirective):
    """``.. module-index:: package``: a table of the modules of ``package`` (read from the
    source files, so a new room shows up without an edit of the docs)."""

    required_arguments = 1

    def run(self):
        rows = [(f"``{name}``", doc) for name, doc in module_index(self.arguments[0])]
        return self._parse(_list_table(("module", "what it holds"), rows))

    def _parse(self, lines):
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="<module-index>"),
                                self.content_offset, container)
        return container.children


class HistoricalPaths(ModuleIndex):
    """``.. historical-paths::``: old module paths and the modules they import as."""

    required_arguments = 0

    def run(self):
        rows = [(f"``{old}``", f"``{new}``") for old, new in historical_paths().items()]
        return self._parse(_list_table(("old path", "imports as"), rows))


def link_reexports(app, env) -> None:
    """Make ``identifiability.check_uniqueness`` (a top-level re-export) a link target: an
    alias of the entry on the room page that documents it."""
    objects = env.get_domain("py").objects
    for package in ROOMS:
        for name, target in documented_at(package).items():
            full = f"{package}.{name}"
            if full != target and full not in objects and target in objects:
                entry = objects[target]
                objects[full] = entry._replace(aliased=True)


def setup(app):
    app.connect("env-check-consistency", link_reexports)
    app.add_directive("public-summary", PublicSummary)
    app.add_directive("public-api", PublicAPI)
    app.add_directive("module-index", ModuleIndex)
    app.add_directive("historical-paths", HistoricalPaths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
