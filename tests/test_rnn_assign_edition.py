"""Student editions (``python -m rnn_assign student``): stubs, check.py, README, the CLI.

For every chapter: build the edition, run its checks in a subprocess (they fail
on the stubs), put the reference code back, run them again (they pass). Whole
notebooks are never executed here.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess

import pytest

from rnn_assign.checks import STUDENT_CHECKS
from rnn_assign.edition import make_edition
from rnn_assign.markers import marked_functions, solution_bodies
from rnn_assign.notebook import EDITION_CELL
from rnn_book.table import CHAPTERS
from tests._assign_support import (
    GOOD,
    PACKAGE_DIR,
    PY,
    ROOT,
    check,
    edition,
    fill,
    functions,
    restore,
)


@pytest.fixture(scope="module")
def marked():
    return marked_functions(PACKAGE_DIR)


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_edition_checks_fail_on_stubs_and_pass_on_reference(number, tmp_path, marked):
    chapter = CHAPTERS[number]
    out = tmp_path / "edition"
    manifest = edition(chapter, out)
    assert (out / "README.md").is_file() and (out / "check.py").is_file()
    assert (out / chapter.notebook).is_file()
    mine = functions(chapter)
    stubbed_here = [f for f in mine if f in marked]
    assert set(stubbed_here) <= set(manifest["stubbed"])

    code, text = check(out)
    if stubbed_here:
        assert code == 1, text
        for f in stubbed_here:  # every check of every stubbed function fails
            rows = [ln for ln in text.splitlines() if ln.startswith(f + " ")]
            assert rows and all(" FAIL " in r and "not written yet" in r for r in rows), text

    # everything earlier chapters derived works in the edition
    earlier = [f for c in CHAPTERS.values() if c.number < number for f in functions(c)]
    if earlier:
        run = check(out, earlier)
        assert run["reason"] is None and run["results"], run
        assert all(r["passed"] for r in run["results"]), run["results"]
    # later chapters' solutions are not handed out
    later = [f for c in CHAPTERS.values() if c.number > number for f in functions(c)]
    for f in later:
        if f in marked:
            assert f in manifest["stubbed"]

    restore(out, chapter)
    code, text = check(out)
    assert code == 0, text
    assert "FAIL" not in text


def test_checks_catch_a_transposed_weight(tmp_path):
    """A classic mistake (Wh instead of Wh.T) fails the student's and the grader's checks."""
    from rnn_assign.grader import grade_submission

    out = tmp_path / "ed"
    edition(CHAPTERS[1], out)
    wrong = GOOD.replace("h_prev @ Wh.T", "h_prev @ Wh")
    assert wrong != GOOD, "the reference body no longer contains h_prev @ Wh.T"
    fill(out / "rnn_core" / "cells.py", "rnn_step_forward", wrong)
    code, out_text = check(out)
    assert code == 1
    assert "does not match the known answer: h_next (sigmoid)" in out_text
    report = grade_submission(CHAPTERS[1], out)
    assert not report["passed"]
    assert any("h_next (relu): got" in r["detail"] for r in report["results"])


def test_edition_notebook_imports_its_own_copy(tmp_path):
    """The edition's first cell puts its folder first, ahead of the editable install."""
    out = tmp_path / "ed"
    edition(CHAPTERS[1], out)
    nb = json.loads((out / CHAPTERS[1].notebook).read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert first["source"] == EDITION_CELL
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    probe = EDITION_CELL + "\nimport numpy as np\nimport rnn_book\ntry:\n" \
        "    rnn_core.rnn_step_forward(*[np.zeros((1, 1))] * 4, np.zeros(1))\n" \
        "except NotImplementedError:\n    print('stub')\n" \
        "print(os.path.dirname(os.path.dirname(rnn_book.__file__)) == _here)\n"
    proc = subprocess.run([PY, "-c", probe], cwd=out, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-2:] == ["stub", "True"]


@pytest.mark.parametrize("number", [4, 7, 8, 9, 10])
def test_edition_holds_no_reference_code(number, tmp_path):
    """The stubbed bodies are gone, and check.py holds the hand-worked checks (their values are
    no secret: the book is public) but no implementation of a graded function."""
    chapter = CHAPTERS[number]
    out = tmp_path / "ed"
    manifest = edition(chapter, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["rnn_core", "rnn_book", "check.py", "README.md", "assignment.json", chapter.notebook])
    assert not list(out.rglob("rnn_assign")), "the edition needs none of the instructor's tools"
    for path in (out / "rnn_core").glob("*.py"):
        left = set(solution_bodies(path.read_text()))
        assert not left & set(manifest["stubbed"]), (path.name, left & set(manifest["stubbed"]))
    check_py = (out / "check.py").read_text()
    for needle in ("BEGIN SOLUTION", "def _unroll", "def _xent", "def _lstm_step(",
                   "def _gru_unroll(", "dc_prev = dc * f", "dh_next * z", "def _mse_head(",
                   "h[:, -1] @ U + b2", "dyhat @ cache.U.T", "min(1.0, clip", "loss_and_grads("):
        assert needle not in check_py, needle
    compile(check_py, "check.py", "exec")
    # a stubbed function keeps its signature, contract and docstring; its body is the stub
    for module, function in chapter.derives:
        scope = ast.parse((out / "rnn_core" / module).read_text())
        for part in function.split("."):
            scope = next(n for n in scope.body if getattr(n, "name", None) == part)
        body = scope.body
        docstring = body[:-1]  # a docstring, if the reference has one, and nothing else
        assert len(docstring) <= 1 and all(isinstance(n, ast.Expr) for n in docstring), function
        assert isinstance(body[-1], ast.Raise), function
        assert ast.unparse(body[-1].exc).startswith(f"NotImplementedError('{function}: write")


@pytest.mark.parametrize("number", [1, 5, 7])
def test_readme_is_accurate(number, tmp_path):
    chapter = CHAPTERS[number]
    out = tmp_path / "ed"
    edition(chapter, out)
    readme = (out / "README.md").read_text()
    kinds = {k for f in functions(chapter) for k, _, _ in STUDENT_CHECKS[f]}
    assert ("fixed checks" in readme) == ("fixed" in kinds)
    assert ("gradient checks" in readme) == ("gradient" in kinds)
    assert ("known-answer checks" in readme) == ("known" in kinds)
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt")
                           .read_text(), re.M))
    for name in ("numpy", "matplotlib", "threadpoolctl", "tqdm"):
        assert f'"{name}=={pins[name]}"' in readme, name
    assert "jupyterlab-myst" in readme
    nb = json.loads((out / chapter.notebook).read_text())
    n_self = sum("self-check" in c["metadata"].get("tags", []) for c in nb["cells"])
    if n_self:
        assert "Self-checks" in readme and "print a sentence ending in `True`" in readme


def test_student_cli_out_is_a_file(tmp_path):
    out = tmp_path / "char.npz"
    out.write_bytes(b"data")
    proc = subprocess.run([PY, "-m", "rnn_assign", "student", "3", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == f"error: --out: {out} is a file, not a folder"
    assert out.read_bytes() == b"data"
    with pytest.raises(NotADirectoryError, match="not a folder"):
        make_edition(CHAPTERS[3], out, overwrite=True)
    assert out.read_bytes() == b"data"


def test_student_cli(tmp_path):
    """From the repository root (the default) and from elsewhere with --root."""
    out = tmp_path / "ed"
    proc = subprocess.run([PY, "-m", "rnn_assign", "student", "ch02_unrolling.ipynb",
                           "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "rnn_forward" in proc.stdout and (out / "ch02_unrolling.ipynb").is_file()
    again = subprocess.run([PY, "-m", "rnn_assign", "student", "2", "--out", str(out)],
                           capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert again.returncode == 2 and "not empty" in again.stderr
    bad = subprocess.run([PY, "-m", "rnn_assign", "student", "99", "--out", str(out)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and "CHAPTER" in bad.stderr
    other = subprocess.run([PY, "-m", "rnn_assign", "student", "1", "--out", str(tmp_path / "e1"),
                            "--root", str(ROOT)], capture_output=True, text=True, timeout=120,
                           cwd=tmp_path)
    assert other.returncode == 0 and (tmp_path / "e1" / "ch01_rnn_cell.ipynb").is_file(), \
        other.stderr
    lost = subprocess.run([PY, "-m", "rnn_assign", "student", "1", "--out", str(tmp_path / "e2")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert lost.returncode == 0 and "has no notebook" in lost.stderr, lost.stderr
