"""The command line in process: bad input (64) versus internal errors (70), verify once."""

import json

import numpy as np
import pytest

import identifiability
from identifiability.two_layer import Verdict
from sparsefact import cli
from sparsefact.examples import two_layer_examples


@pytest.fixture
def c01(tmp_path):
    ex = two_layer_examples()["C01"]
    paths = []
    for name in ("A", "support1", "support2"):
        p = tmp_path / f"{name}.npy"
        np.save(p, ex[name].astype(int))
        paths.append(str(p))
    A, s1, s2 = paths
    return [A, "--s1", s1, "--s2", s2]


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_regression_check_verifies_once(c01, monkeypatch, capsys, json_flag):
    calls = []
    original = Verdict.verify

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(Verdict, "verify", counting)
    assert cli.main(["check", *c01, *json_flag]) == 0
    assert len(calls) == 1
    out = capsys.readouterr().out
    assert ("verify(): True" in out) if not json_flag else json.loads(out)["verified"]


@pytest.mark.parametrize("error", [RuntimeError("boom"), ValueError("an internal ValueError"),
                                   TypeError("an internal TypeError"), KeyError("k")])
def test_internal_error_is_not_bad_input(c01, monkeypatch, capsys, error):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(identifiability, "check_uniqueness", broken)
    assert cli.main(["check", *c01]) == cli.INTERNAL_ERROR == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "internal error" in err and "bug" in err and "--debug" in err
    with pytest.raises(type(error)):
        cli.main(["--debug", "check", *c01])
    with pytest.raises(type(error)):
        cli.main(["check", "--debug", *c01])


def test_bad_input_from_the_boundary_validation_is_64(c01, tmp_path, capsys):
    np.save(tmp_path / "bad.npy", 2 * np.ones((3, 2), int))     # not a 0/1 support
    args = list(c01)
    args[2] = str(tmp_path / "bad.npy")
    assert cli.main(["check", *args]) == cli.BAD_INPUT == 64
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "support1" in err
    assert cli.main(["check", *c01, "--tol", "-1"]) == 64


@pytest.mark.parametrize("problem", ["missing", "format", "unreadable", "out"])
def test_file_problems_are_bad_input(c01, tmp_path, capsys, problem):
    args = list(c01)
    if problem == "missing":
        args[0] = str(tmp_path / "nope.npy")
    elif problem == "format":
        (tmp_path / "A.txt").write_text("1 2")
        args[0] = str(tmp_path / "A.txt")
    elif problem == "unreadable":
        (tmp_path / "A_bad.npy").write_bytes(b"not a npy file")
        args[0] = str(tmp_path / "A_bad.npy")
    else:
        args += ["--out", str(tmp_path / "no_such_dir" / "v.json")]
    assert cli.main(["check", *args]) == 64
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("sparsefact: error:")


def test_verdict_to_dict_is_the_verdicts_own():
    ex = two_layer_examples()["C07"]
    v = identifiability.check_uniqueness(ex["A"], ex["support1"], ex["support2"])
    d = cli.verdict_to_dict(v)
    assert d == v.to_dict()
    assert d["certificate"]["type"] == "alternative_factorization"
    json.dumps(d)


def test_regression_closed_pipe_is_not_an_internal_error(c01):
    """``sparsefact check ... --json | head -1`` reported BrokenPipeError as a bug."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "sparsefact", "check", *c01, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()                      # the reader goes away before the output
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == cli.BROKEN_PIPE
    assert "internal error" not in err and "Traceback" not in err


def test_broken_pipe_in_process_returns_141(c01, monkeypatch, capsys):
    def closed(*args, **kwargs):
        raise BrokenPipeError

    monkeypatch.setattr(identifiability, "check_uniqueness", closed)
    assert cli.main(["check", *c01]) == 141
    assert capsys.readouterr().err == ""


def test_interrupt_is_one_line_and_130(c01, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(identifiability, "check_uniqueness", interrupted)
    assert cli.main(["check", *c01]) == 130
    assert capsys.readouterr().err.strip() == "sparsefact: interrupted"
