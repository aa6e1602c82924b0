"""The one exactness policy on every deciding function of two_layer, sparsity and chains;
short reprs; certificates that verify and explain themselves; the obstruction kinds."""

import ast
import inspect
import json
import pathlib

import numpy as np
import pytest

import identifiability.two_layer.certificates as certificates
from identifiability import (check_uniqueness,
                             check_butterfly_uniqueness, check_uniqueness_chain,
                             check_uniqueness_sparse)
from identifiability.core.policy import DEFAULT_RTOL
from identifiability.supports import butterfly_split_supports
from identifiability.two_layer import OBSTRUCTION_KINDS, Obstruction, Verdict

TWO_LAYER = pathlib.Path(certificates.__file__).parent

# A = S1 @ S2 with entries like 0.1 (not exactly representable in binary)
S1 = np.array([[0.1, 0.0], [0.3, 0.0], [0.0, 0.7]])
S2 = np.array([[0.2, 0.5, 0.0], [0.0, 0.0, 0.9]])
A = S1 @ S2
X1 = np.array([[1, 0, 2, 0], [0, 3, 0, -1], [2, 0, -1, 0], [0, 1, 0, 4]])
X2 = np.array([[1, 2, 0, 0], [-3, 1, 0, 0], [0, 0, 2, 5], [0, 0, 1, -1]])


def _dft(N):
    j = np.arange(N)
    return np.exp(-2j * np.pi * (np.outer(j, j) % N) / N)


def _deciders():
    yield "check_uniqueness", lambda tol=None: check_uniqueness(A, S1 != 0, S2 != 0, tol=tol)
    yield "check_uniqueness_sparse", lambda tol=None: check_uniqueness_sparse(A, 2, 2, tol=tol)
    yield "check_uniqueness_chain", lambda tol=None: check_uniqueness_chain(
        0.1 * X1 @ X2, [X1 != 0, X2 != 0], tol=tol)
    yield "check_butterfly_uniqueness", lambda tol=None: check_butterfly_uniqueness(
        _dft(8), tol=tol, permutation="bit_reversal")


DECIDERS = dict(_deciders())


@pytest.mark.parametrize("name", sorted(DECIDERS))
def test_regression_inexact_float_input_was_undecided(name):
    """Every deciding function decides inexact floats numerically at the default tolerance
    (was: "undecided" because the input is not exact) and says so."""
    v = DECIDERS[name]()
    assert v.status == "unique", v.reason
    assert v.exact is False and v.tol == DEFAULT_RTOL and v.tol_source == "default"
    assert "numerical" in v.field and "default" in v.field
    assert "numerical decision" in v.explain() and "default" in v.explain()
    assert v.verify()


@pytest.mark.parametrize("name", sorted(DECIDERS))
def test_an_explicit_tol_is_reported_as_given(name):
    v = DECIDERS[name](tol=1e-11)
    assert v.status == "unique" and v.verify()
    assert (v.exact, v.tol, v.tol_source) == (False, 1e-11, "given")


def test_exact_input_stays_exact():
    v = check_uniqueness(X1 @ X2, X1 != 0, X2 != 0)
    assert (v.exact, v.tol, v.tol_source) == (True, None, "exact input")
    assert "exact arithmetic" in v.explain()
    w = check_uniqueness_chain(X1 @ X2, [X1 != 0, X2 != 0])
    assert w.exact and w.tol_source == "exact input"
    assert check_uniqueness_sparse(np.diag([1, 2]), 1, 1).exact


def test_numerical_not_unique_and_infeasible_verdicts_verify():
    # two identical rectangles: not unique; a rank-two block in one rectangle: infeasible
    v = check_uniqueness(np.array([[0.1, 0.2], [0.3, 0.7]]), np.ones((2, 2)), np.ones((2, 2)))
    assert v.status == "not_unique" and not v.exact and v.verify()
    w = check_uniqueness(np.array([[0.1, 0.2], [0.3, 0.7]]), np.ones((2, 1)), np.ones((1, 2)))
    assert w.status == "infeasible" and not w.exact and w.verify()


def _hadamard(N):
    H = np.array([[1]])
    while H.shape[0] < N:
        H = np.kron(H, np.array([[1, 1], [1, -1]]))
    return H


@pytest.mark.parametrize("matrix", ["hadamard", "dft"])
def test_repr_of_a_verdict_on_a_64x64_butterfly_level_is_short(matrix):
    N = 64
    M = _hadamard(N) if matrix == "hadamard" else _dft(N)
    if matrix == "dft":
        br = np.array([int(format(i, "06b")[::-1], 2) for i in range(N)])
        M = M[:, br]
    left, right = butterfly_split_supports(N, 1)
    v = check_uniqueness(M, left, right)
    assert v.status == "unique"
    assert len(repr(v)) < 400 and len(repr(v.certificate)) < 400
    assert len(repr(v.certificate.steps[0])) < 300
    chain = check_butterfly_uniqueness(M)
    assert chain.status == "unique"
    assert len(repr(chain)) < 400 and len(repr(chain.certificate)) < 300


def test_sparse_verdict_repr_is_short():
    v = check_uniqueness_sparse(np.kron(np.eye(4), np.ones((2, 2))).astype(int), 2, 2)
    assert len(repr(v)) < 400


def test_verdict_repr_html_is_a_small_table():
    v = check_uniqueness(X1 @ X2, X1 != 0, X2 != 0)
    page = v._repr_html_()
    assert page.startswith("<table") and "unique" in page and "verify()" in page
    assert "CompletionCertificate" in page and len(page) < 2000
    obs = check_uniqueness(np.eye(2), np.ones((2, 1)), np.ones((1, 2)))._repr_html_()
    assert "inconsistent_completion" in obs


@pytest.mark.parametrize("A_, s1, s2", [
    (X1 @ X2, X1 != 0, X2 != 0),                                   # completion
    (np.eye(2), np.ones((2, 2)), np.ones((2, 2))),                  # alternative
    (np.eye(2), np.ones((2, 1)), np.ones((1, 2))),                  # obstruction
    (np.array([[10, -3, -2], [4, -2, 0]]), np.ones((2, 2)),         # Groebner
     np.array([[1, 1, 0], [1, 0, 1]])),
])
def test_certificates_verify_explain_and_serialise_themselves(A_, s1, s2):
    v = check_uniqueness(A_, s1, s2)
    cert = v.certificate
    assert v.status in cert.proves
    assert cert.verify(v) is v.verify() is True
    lines = cert.explain_lines()
    assert lines and all(line in v.explain() for line in lines)
    assert cert.explain() == "\n".join(lines)
    d = v.to_dict()
    assert d["certificate"] == cert.to_dict() and d["certificate"]["type"] == cert.type_name
    json.dumps(d)


def test_a_certificate_that_cannot_prove_the_status_does_not_verify():
    from dataclasses import replace

    v = check_uniqueness(np.eye(2), np.ones((2, 2)), np.ones((2, 2)))       # not_unique
    assert not replace(v, status="unique").verify()
    assert not replace(v, certificate=None).verify()


def _produced_kinds():
    """Every obstruction kind built in two_layer: ``Obstruction("kind", ...)`` calls and the
    ``("infeasible", ("kind", ...))`` parts that :func:`try_complete` returns."""
    kinds = set()
    for path in TWO_LAYER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Obstruction" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                kinds.add(node.args[0].value)
            if isinstance(node, ast.Tuple) and len(node.elts) == 2 and \
                    isinstance(node.elts[0], ast.Constant) and node.elts[0].value == "infeasible" \
                    and isinstance(node.elts[1], ast.Tuple):
                kinds.add(node.elts[1].elts[0].value)
    return kinds


def test_every_produced_obstruction_kind_is_documented_and_no_other():
    produced = _produced_kinds()
    assert produced == set(OBSTRUCTION_KINDS)
    doc = inspect.getdoc(certificates)
    section = doc[doc.index("Obstruction kinds"):]
    documented = {line.split('"')[1] for line in section.splitlines()
                  if line.startswith('* ``"')}
    assert documented == set(OBSTRUCTION_KINDS)
    with pytest.raises(ValueError, match="kind"):
        Obstruction("nonzero_residual", "never produced")


def test_verdict_rejects_an_unknown_status():
    with pytest.raises(ValueError, match="status"):
        Verdict("maybe", "", None, None, "Q", np.eye(1), np.ones((1, 1), bool),
                np.ones((1, 1), bool))


def test_chain_and_sparse_verdicts_have_html_tables():
    chain = check_butterfly_uniqueness(_hadamard(8))
    page = chain._repr_html_()
    assert page.count("<table") == 2 and "tree of splits" in page and "0..2" in page
    sparse = check_uniqueness_sparse(np.eye(2), 2, 2)._repr_html_()
    assert sparse.startswith("<table") and "not_unique" in sparse


def test_chain_order_uses_the_vocabulary_spelling():
    A_ = X1 @ X2
    for order in ("left-to-right", "right-to-left", "balanced", "left_to_right"):
        assert check_uniqueness_chain(A_, [X1 != 0, X2 != 0], order=order).status == "unique"
    with pytest.raises(ValueError, match="order"):
        check_uniqueness_chain(A_, [X1 != 0, X2 != 0], order="sideways")


def test_default_tolerance_is_undecided_when_the_margins_do_not_separate():
    s1, s2 = np.ones((2, 1)), np.ones((1, 2))
    near = np.outer([1, 3e-9], [1, 1.0])           # 3e-9 is within 10 x the default atol
    v = check_uniqueness(near, s1, s2)
    assert v.status == "undecided" and "margins do not separate" in v.reason and "tol=" in v.reason
    assert v.verify()
    assert check_uniqueness(near, s1, s2, tol=1e-12).status == "unique"   # the caller decides
    far = np.outer([1, 3e-3], [1, 1.0])
    w = check_uniqueness(far, s1, s2)
    assert w.status == "unique" and w.certificate.margins["n_entries_near_atol"] == 0


def test_numerical_verdicts_record_their_margins():
    v = check_uniqueness(A, S1 != 0, S2 != 0)
    assert v.margins["atol"] == pytest.approx(DEFAULT_RTOL * np.abs(A).max())
    assert v.margins == v.certificate.margins and v.to_dict()["margins"]["atol"] > 0
    w = check_uniqueness(np.outer([1, 3e-9], [1, 1.0]), np.ones((2, 1)), np.ones((1, 2)))
    assert w.status == "undecided" and w.margins["smallest_pivot_entry"] == pytest.approx(3e-9)
    assert "Margins:" in w.explain()
    assert check_uniqueness(X1 @ X2, X1 != 0, X2 != 0).margins == {}


def test_chain_and_sparse_verdicts_serialise_to_json():
    chain = check_butterfly_uniqueness(_dft(8), permutation="bit_reversal")
    d = chain.to_dict()
    assert d["status"] == "unique" and d["verified"] and d["tol_source"] == "default"
    assert d["tree"]["split"] is not None and len(d["factors"]) == 3
    json.dumps(d)
    sparse = check_uniqueness_sparse(np.eye(2), 2, 2).to_dict()
    assert sparse["status"] == "not_unique" and sparse["certificate"] == "SparseAlternative"
    json.dumps(sparse)
