"""The sparsefact command, run as a subprocess: output, exit codes, bad input."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sparsefact.examples import two_layer_examples

EXAMPLES = two_layer_examples()


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sparsefact", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def _write(tmp_path, key, fmt="npy"):
    ex = EXAMPLES[key]
    paths = []
    for name in ("A", "support1", "support2"):
        p = tmp_path / f"{key}_{name}.{fmt}"
        arr = ex[name].astype(int)
        if fmt == "npy":
            np.save(p, arr)
        elif fmt == "csv":
            np.savetxt(p, arr, delimiter=",", fmt="%d")
        elif fmt == "mtx":
            from scipy.io import mmwrite

            mmwrite(str(p), arr.astype(float))
        else:
            np.savez(p, A=arr)
        paths.append(p)
    return paths


@pytest.mark.parametrize("key, code", [("C01", 0), ("C07", 1), ("C03", 3)])
def test_check_exit_codes(tmp_path, key, code):
    A, s1, s2 = _write(tmp_path, key)
    res = run("check", A, "--s1", s1, "--s2", s2)
    assert res.returncode == code, res.stderr
    assert EXAMPLES[key]["expected"].upper() in res.stdout
    assert "verify(): True" in res.stdout


@pytest.mark.parametrize("fmt", ["csv", "mtx", "npz"])
def test_check_reads_other_formats_and_writes_json(tmp_path, fmt):
    A, s1, s2 = _write(tmp_path, "C06", fmt)
    out = tmp_path / "verdict.json"
    res = run("check", A, "--s1", s1, "--s2", s2, "--json", "--out", out)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["status"] == "unique" and data["verified"] is True
    assert data["certificate"]["type"] == "completion"
    assert json.loads(out.read_text())["status"] == "unique"


def test_check_inexact_without_tol_is_a_numerical_decision(tmp_path):
    # intended change (the one exactness policy): this was "undecided" (exit code 2)
    np.save(tmp_path / "A.npy", np.array([[0.1, 0.2]]))
    np.save(tmp_path / "s1.npy", np.ones((1, 1), int))
    np.save(tmp_path / "s2.npy", np.ones((1, 2), int))
    args = [tmp_path / "A.npy", "--s1", tmp_path / "s1.npy", "--s2", tmp_path / "s2.npy"]
    res = run("check", *args, "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["exact"] is False and data["tol_source"] == "default" and data["verified"]
    assert run("check", *args, "--tol", "1e-12").returncode == 0


@pytest.mark.parametrize("problem", ["missing", "shape", "nan", "support"])
def test_check_bad_input_is_one_line_and_64(tmp_path, problem):
    A, s1, s2 = _write(tmp_path, "C01")
    if problem == "missing":
        A = tmp_path / "nope.npy"
    elif problem == "shape":
        np.save(s1, np.ones((5, 2), int))
    elif problem == "nan":
        np.save(A, np.array([[np.nan, 1, 0], [1, 1, 0], [0, 0, 1]]))
    else:
        np.save(s1, 2 * np.ones((3, 2), int))
    res = run("check", A, "--s1", s1, "--s2", s2)
    assert res.returncode == 64
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "error" in res.stderr


def test_butterfly_subcommand():
    res = run("butterfly", "--dft", 16)
    assert res.returncode == 0, res.stderr
    assert "relative error" in res.stdout
    bad = run("butterfly", "--hadamard", 6)
    assert bad.returncode == 64 and "Traceback" not in bad.stderr


def test_help_on_every_subcommand():
    for sub in ("check", "butterfly", "landscape", "tour", "paper"):
        res = run(sub, "--help")
        assert res.returncode == 0 and "example" in res.stdout


def test_tour_writes_report(tmp_path):
    res = run("tour", "--out", tmp_path / "rep", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    report = (tmp_path / "rep" / "report.md").read_text()
    assert "C07" in report and "NOT_UNIQUE" in report and "verify(): True" in report
    assert "EXPECTED" not in res.stdout  # every example came out as docs/theory.rst says
    assert "C28 (sparse ReLU, LU supports): not attained (certificate verified: True)" in \
        res.stdout
    assert "within 1% of the convex value" in report and "spurious local minimum" in report


ROOT = Path(__file__).resolve().parent.parent


def test_check_on_the_shipped_example():
    ex = ROOT / "examples"
    res = run("check", ex / "nested_A.csv", "--s1", ex / "nested_S1.csv", "--s2",
              ex / "nested_S2.csv")
    assert res.returncode == 1 and "NOT_UNIQUE" in res.stdout and "verify(): True" in res.stdout


def test_landscape_subcommand_writes_report_and_figure(tmp_path):
    ex = ROOT / "examples"
    out = tmp_path / "land"
    res = run("landscape", ex / "c33_A.npy", "--s1", ex / "c33_S1.npy", "--s2", ex / "c33_S2.npy",
              "--starts", 48, "--seed", 1, "--out", out)
    assert res.returncode == 0, res.stderr
    assert "spurious local minimum" in res.stdout and "10.14589803" in res.stdout
    assert (out / "landscape.png").stat().st_size > 0
    bad = run("landscape", ex / "c33_A.npy", "--s1", ex / "nested_S1.csv", "--s2",
              ex / "c33_S2.npy", "--starts", 4)
    assert bad.returncode == 64 and "Traceback" not in bad.stderr


def test_paper_subcommand_builds_one_figure_quickly(tmp_path):
    res = run("paper", "lu_divergence", "--quick", "--outdir", tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "lu_divergence.png").stat().st_size > 0
    assert (tmp_path / "lu_divergence.pdf").stat().st_size > 0
    bad = run("paper", "no_such_figure")
    assert bad.returncode == 64
