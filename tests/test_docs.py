"""The documentation builds without a warning, and the theory has every section the code cites.

The build is ``sphinx-build -W --keep-going -b html -q docs <tmp>``: warnings are errors, no
notebook is executed, the API pages come from the numpydoc docstrings (one page per room).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

API_PAGES = ["identifiability", "identifiability.core", "identifiability.two_layer",
             "identifiability.relu", "landscape", "landscape.engine", "landscape.linear",
             "landscape.relu", "sparsefact"]
PAGES = ["index", "theory", "policy", "vocabulary", "architecture", "api", "notebooks", "cli"]

#: A section cited in the code: "THEORY.md B7", "THEORY C03/C31", "docs/theory.rst, B7".
CITATION = re.compile(r"(?:THEORY(?:\.md)?|theory\.rst),?\s*((?:[A-E]\d{1,2}(?:\s*[/,]\s*|\s+and\s+)?)+)")


def theory_labels() -> set[str]:
    text = (DOCS / "theory.rst").read_text(encoding="utf-8")
    return set(re.findall(r"^\.\. _theory-([A-Z]\d*):\s*$", text, flags=re.M))


def cited_sections() -> dict[str, str]:
    """``{section id: a file citing it}`` over the packages, the paper and the notebooks."""
    cited: dict[str, str] = {}
    for folder in ("identifiability", "landscape", "sparsefact", "paper", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in CITATION.finditer(path.read_text(encoding="utf-8", errors="replace")):
                for section in re.findall(r"[A-E]\d{1,2}", match.group(1)):
                    cited.setdefault(section, str(path.relative_to(ROOT)))
    return cited


def test_theory_has_a_label_for_every_section_the_code_cites():
    labels = theory_labels()
    missing = {s: f for s, f in cited_sections().items() if s not in labels}
    assert not missing, f"docs/theory.rst has no label for {missing}"


def test_theory_keeps_the_section_identifiers():
    labels = theory_labels()
    expected = ({f"A{i}" for i in range(1, 11)} | {f"B{i}" for i in range(1, 9)}
                | {f"C{i:02d}" for i in range(1, 38)} | {"D", "E"})
    assert expected <= labels, sorted(expected - labels)


@pytest.mark.skipif(importlib.util.find_spec("sphinx") is None
                    or importlib.util.find_spec("numpydoc") is None,
                    reason="sphinx and numpydoc are in the test extra")
def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    for page in PAGES:
        assert (out / f"{page}.html").is_file(), page
    for page in API_PAGES:
        html = (out / "api" / f"{page}.html").read_text(encoding="utf-8")
        assert f'id="{page}' in html, f"no reference entries on the API page of {page}"
    # The top-level tables link re-exported names to the room that documents them.
    top = (out / "api" / "identifiability.html").read_text(encoding="utf-8")
    assert "identifiability.two_layer.html#identifiability.two_layer.check_uniqueness" in top
