"""Smoke test of the paper build: every figure script runs its tiny variant and writes files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # paper/ is not an installed package: import it from the clone
    sys.path.insert(0, str(ROOT))

import paper  # noqa: E402

pytest.importorskip("matplotlib")


def test_every_figure_module_is_discovered():
    assert set(paper.FIGURES) >= {"uniqueness_phase", "butterfly_speed", "landscape_hist",
                                  "lu_divergence"}


@pytest.fixture(scope="module")
def quick_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("paper")
    return out, paper.build(outdir=out, quick=True)


@pytest.mark.parametrize("name", paper.FIGURES)
def test_quick_figure_writes_pdf_png_and_numbers(quick_build, name):
    out, numbers = quick_build
    assert (out / f"{name}.pdf").stat().st_size > 1000
    assert (out / f"{name}.png").stat().st_size > 1000
    assert json.loads((out / "numbers.json").read_text())[name]["files"] == numbers[name]["files"]


def test_quick_numbers_make_sense(quick_build):
    _, numbers = quick_build
    assert numbers["butterfly_speed"]["max_error"] < 1e-13
    hist = numbers["landscape_hist"]
    assert hist["C04"]["counts"] == {"global": hist["n_starts"]}      # tractable: all global
    assert hist["C04"]["reference_kind"] == "global"
    assert hist["C04"]["reference"] == pytest.approx(98.0)
    lu = numbers["lu_divergence"]
    assert lu["loss_monotone"] and lu["explicit_eps_1e-3"]["loss"] == pytest.approx(1e-6)
    phase = numbers["uniqueness_phase"]
    assert sum(phase["fraction"].values()) == pytest.approx(1.0)
    assert phase["unique_not_generic"] == 0 and phase["generic_above_count_line"] == 0
    assert numbers["relu_values"]["exhaustive"]


def test_command_line_rejects_an_unknown_figure():
    proc = subprocess.run([sys.executable, "-m", "paper", "no_such_figure"], cwd=ROOT,
                          check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 64 and "no_such_figure" in proc.stderr


def test_paper_text_references_every_figure_and_has_no_placeholder():
    text = (ROOT / "paper" / "paper.md").read_text()
    assert "{{" not in text
    for name in paper.FIGURES:
        assert f"build/{name}.png" in text


def test_phase_counts_resume_from_a_checkpoint(tmp_path):
    from paper.figures.uniqueness_phase import phase_counts

    first = phase_counts(3, 1, rng=4, checkpoint=tmp_path / "ck")
    assert any((tmp_path / "ck").iterdir())
    again = phase_counts(3, 1, rng=4, checkpoint=tmp_path / "ck")
    for status, table in first["counts"].items():
        assert (again["counts"][status] == table).all()
    assert first["counts"]["unique"].sum() + first["counts"]["not_unique"].sum() \
        + first["counts"]["infeasible"].sum() + first["counts"]["undecided"].sum() \
        + first["counts"]["locally_unique"].sum() == 9
    with pytest.raises(ValueError):
        phase_counts(3, 1, rng=5, checkpoint=tmp_path / "ck")      # another run's cells
