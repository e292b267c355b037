"""The grader (``python -m rnn_assign grade``) against submissions that pass, fail, crash,
loop, flood the output, delete files outside their folder, and hard-code the answers
of the fixed checks."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from rnn_assign import checks
from rnn_assign.grader import grade_submission
from rnn_book.table import CHAPTERS
from tests._assign_support import GOOD, HARD_CODED, PY, edition, submission


@pytest.fixture(scope="module")
def edition1(tmp_path_factory):
    out = tmp_path_factory.mktemp("ed1") / "edition"
    edition(CHAPTERS[1], out)
    return out


def test_runner_loads_the_reference_gradcheck_apart_from_the_submission(tmp_path):
    """The numerical gradient is the installed reference's: gradcheck.py is loaded under another
    package name, with its relative imports (``from .validation import ...``) resolved next to
    it, so the submission's rnn_core never provides it."""
    import importlib.resources
    import importlib.util

    import rnn_core

    (tmp_path / "helper.py").write_text("H = 2\n")
    (tmp_path / "gradcheck.py").write_text(
        "from .helper import H\n\ndef numerical_gradient(f, x):\n    return H\n")
    runner_py = importlib.resources.files("rnn_assign").joinpath("runner.py")
    spec = importlib.util.spec_from_file_location("_test_runner", runner_py)
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    module = runner._load("gradcheck", tmp_path / "gradcheck.py", package="_test_reference")
    assert module.numerical_gradient(None, None) == 2
    ref = runner._load("gradcheck", Path(list(rnn_core.__path__)[0]) / "gradcheck.py",
                       package="_test_reference_core")
    assert ref.__name__ == "_test_reference_core.gradcheck"
    assert ref.numerical_gradient(lambda v: float((v * v).sum()), [3.0]).tolist() == \
        pytest.approx([6.0])


def test_grade_pass_and_fail(edition1, tmp_path):
    good = grade_submission(CHAPTERS[1], submission(edition1, tmp_path / "good", GOOD))
    assert good["passed"] and good["reason"] is None, good
    assert len(good["results"]) == len(checks.CHECKS["rnn_step_forward"])
    assert {r["kind"] for r in good["results"]} == {"fixed", "random"}
    assert isinstance(good["seed"], int)
    stub = grade_submission(CHAPTERS[1], submission(edition1, tmp_path / "stub"))
    assert not stub["passed"]
    assert all("not implemented" in r["detail"] for r in stub["results"])


def test_grader_ignores_edited_checks(edition1, tmp_path):
    """A submission that rewrites its own checks still fails the reference ones."""
    sub = submission(edition1, tmp_path / "cheat")
    (sub / "check.py").write_text("print('all pass')\n")
    (sub / "checks.py").write_text(
        "CHECKS = {'rnn_step_forward': [('fixed', 'hand-worked step', lambda r, g: 'ok')]}\n")
    report = grade_submission(CHAPTERS[1], sub)
    assert not report["passed"]


def test_hard_coded_answers_fail_the_randomised_checks(edition1, tmp_path):
    """Right on the fixed inputs only: the fixed checks pass, the ones drawn from the seed fail."""
    sub = submission(edition1, tmp_path / "hard", HARD_CODED)
    report = grade_submission(CHAPTERS[1], sub, seed=1234)
    assert report["seed"] == 1234 and not report["passed"]
    kinds = {r["kind"]: r["passed"] for r in report["results"]}
    assert kinds == {"fixed": True, "random": False}, report["results"]
    again = grade_submission(CHAPTERS[1], sub, seed=1234)
    assert [r["detail"] for r in again["results"]] == [r["detail"] for r in report["results"]]


@pytest.mark.parametrize("case, body, init_extra, reason", [
    ("import-crash", None, "raise RuntimeError('broken package')", None),
    ("hard-exit", "import os\nos._exit(3)\n", None, "died"),
    ("loop", "while True:\n    pass\n", None, None),
    ("unstoppable", "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                    "    except BaseException:\n        pass\n", None, "timed out"),
    ("flood", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", None, "printed more"),
    ("delete-outside", "import os, shutil\nshutil.rmtree(os.path.dirname(os.getcwd()), "
                       "ignore_errors=True)\n" + GOOD, None, "outside its folder"),
], ids=lambda v: v if isinstance(v, str) and "\n" not in v and len(v) < 20 else "")
def test_grader_survives_bad_submissions(edition1, tmp_path, case, body, init_extra, reason):
    sub = submission(edition1, tmp_path / case, body, init_extra)
    listing = sorted(p.relative_to(sub) for p in sub.rglob("*"))
    report = grade_submission(CHAPTERS[1], sub, timeout=5, check_timeout=1, max_output=200_000)
    assert not report["passed"]
    assert report["results"] and not any(r["passed"] for r in report["results"])
    if reason:
        assert reason in (report["reason"] or ""), report
    if case == "import-crash":
        assert "broken package" in report["results"][0]["detail"]
    if case == "loop":
        detail = report["results"][0]["detail"]
        assert "longer than 1 s" in detail
        loop = [i for i, text in enumerate((sub / "rnn_core" / "cells.py").read_text()
                                           .splitlines(), 1) if text.strip() in ("while True:", "pass")]
        # the student's own line, not the grader's
        assert any(detail.endswith(f"(line {i} of rnn_core/cells.py)") for i in loop), detail
        assert "runner.py" not in detail and "checks.py" not in detail
    assert sorted(p.relative_to(sub) for p in sub.rglob("*")) == listing  # the original is intact
    assert tmp_path.exists()


def test_grade_many_from_the_command_line(edition1, tmp_path):
    """Forty submissions in one command: a parent folder, a summary table, a JSON report."""
    parent = tmp_path / "class"
    parent.mkdir()
    for i in range(40):
        body = GOOD if i % 4 else ("while True:\n    pass\n" if i == 0 else None)
        submission(edition1, parent / f"student{i:02d}", body)
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [PY, "-m", "rnn_assign", "grade", "ch01_rnn_cell.ipynb", str(parent),
         "--json", str(report), "--check-timeout", "1", "--timeout", "20", "--jobs", "4"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(report.read_text())
    assert len(data["submissions"]) == 40
    passed = {Path(s["submission"]).name for s in data["submissions"] if s["passed"]}
    assert passed == {f"student{i:02d}" for i in range(40) if i % 4}
    assert "30 of 40 submissions pass" in proc.stdout
    assert "student00" in proc.stdout.split("submissions pass")[0].split("submission  checks")[-1]


def test_grade_cli_exit_zero_when_all_pass(edition1, tmp_path):
    sub = submission(edition1, tmp_path / "one", GOOD)
    report = tmp_path / "r.json"
    proc = subprocess.run([PY, "-m", "rnn_assign", "grade", "1", str(sub), "--json",
                           str(report)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS" in proc.stdout and json.loads(report.read_text())["passed"] is True


def test_grade_cli_rejects_a_missing_path_or_a_file(tmp_path):
    """A typo is a usage error, not a failing submission (a 0 in the CSV)."""
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    for path, message in ((tmp_path / "nope", "does not exist"), (a_file, "is not a folder")):
        proc = subprocess.run([PY, "-m", "rnn_assign", "grade", "1", str(path), "--csv",
                               str(tmp_path / "g.csv"), "--json", str(tmp_path / "g.json")],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert "seed" not in proc.stdout, "nothing was graded"
        assert not (tmp_path / "g.csv").exists() and not (tmp_path / "g.json").exists()


def test_grade_cli_skips_files_in_a_parent_folder(edition1, tmp_path):
    parent = tmp_path / "class"
    parent.mkdir()
    submission(edition1, parent / "alice", GOOD)
    (parent / "grades-old.csv").write_text("x")
    proc = subprocess.run([PY, "-m", "rnn_assign", "grade", "1", str(parent), "--json",
                           str(tmp_path / "r.json"), "--csv", str(tmp_path / "g.csv")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "grades-old.csv: not a folder" in proc.stderr
    rows = list(csv.DictReader((tmp_path / "g.csv").open()))
    assert [r["name"] for r in rows] == ["alice"]


def test_grade_csv_export(edition1, tmp_path):
    parent = tmp_path / "class"
    parent.mkdir()
    submission(edition1, parent / "alice", GOOD)
    submission(edition1, parent / "bob")
    submission(edition1, parent / "carol", HARD_CODED)
    out_csv = tmp_path / "grades.csv"
    proc = subprocess.run([PY, "-m", "rnn_assign", "grade", "1", str(parent), "--json",
                           str(tmp_path / "r.json"), "--csv", str(out_csv), "--seed", "7"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "seed of the randomised checks: 7" in proc.stdout
    rows = {r["name"]: r for r in csv.DictReader(out_csv.open())}
    assert set(rows) == {"alice", "bob", "carol"}
    n = len(checks.CHECKS["rnn_step_forward"])
    assert rows["alice"]["passed"] == str(n) and rows["alice"]["total"] == str(n)
    assert float(rows["alice"]["score"]) == 1.0 and float(rows["bob"]["score"]) == 0.0
    assert 0.0 < float(rows["carol"]["score"]) < 1.0
    assert json.loads((tmp_path / "r.json").read_text())["seed"] == 7

