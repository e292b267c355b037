"""The grader (``python -m rnn_assign grade``) against submissions that pass, fail, crash,
loop, flood the output, delete files outside their folder, and hard-code the answers
of the fixed checks."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from rnn_assign import checks
from rnn_assign.grader import grade_submission
from rnn_book.table import CHAPTERS
from tests._assign_support import GOOD, HARD_CODED, PY, check, edition, restore, submission


@pytest.fixture(scope="module")
def edition1(tmp_path_factory):
    out = tmp_path_factory.mktemp("ed1") / "edition"
    edition(CHAPTERS[1], out)
    return out


def test_runner_loads_the_reference_apart_from_the_submission(tmp_path):
    """The reference rnn_core (what the random checks compare with, and the numerical gradient)
    is loaded under another package name, with its relative imports (``from .cells import ...``)
    resolved next to it, so the submission's rnn_core never provides any of it."""
    import importlib.resources
    import importlib.util

    import rnn_core

    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "helper.py").write_text("H = 2\n")
    (fake / "__init__.py").write_text("from .helper import H\n")
    runner_py = importlib.resources.files("rnn_assign").joinpath("runner.py")
    spec = importlib.util.spec_from_file_location("_test_runner", runner_py)
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    assert runner._load("_test_reference", fake / "__init__.py", package=True).H == 2
    ref = runner._load("_test_reference_core", Path(list(rnn_core.__path__)[0]) / "__init__.py",
                       package=True)
    assert ref.__name__ == "_test_reference_core"
    assert ref.numerical_gradient.__module__ == "_test_reference_core.gradcheck"
    assert ref.rnn_step_forward is not rnn_core.rnn_step_forward
    assert ref.numerical_gradient(lambda v: float((v * v).sum()), np.array([3.0])).tolist() == \
        pytest.approx([6.0])


def test_grade_pass_and_fail(edition1, tmp_path):
    good = grade_submission(CHAPTERS[1], submission(edition1, tmp_path / "good", GOOD))
    assert good["passed"] and good["reason"] is None, good
    assert len(good["results"]) == len(checks.CHECKS["rnn_step_forward"])
    assert {r["kind"] for r in good["results"]} == {"fixed", "random"}
    assert isinstance(good["seed"], int)
    stub = grade_submission(CHAPTERS[1], submission(edition1, tmp_path / "stub"))
    assert not stub["passed"]
    assert all("not written yet" in r["detail"] for r in stub["results"])


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



# --- the gated chapters: grade 8 and grade 9 --------------------------------------------------

@pytest.fixture(scope="module")
def gated_editions(tmp_path_factory):
    """Editions of chapters 8 and 9 with the reference code of their module put back."""
    out = {}
    for number in (8, 9):
        folder = tmp_path_factory.mktemp(f"ed{number}") / "edition"
        edition(CHAPTERS[number], folder)
        restore(folder, CHAPTERS[number])
        out[number] = folder
    return out


@pytest.mark.parametrize("number", [8, 9])
def test_grade_gated_reference_passes(gated_editions, number):
    report = grade_submission(CHAPTERS[number], gated_editions[number])
    assert report["passed"] and report["reason"] is None, report
    functions = [f for _, f in CHAPTERS[number].derives]
    assert len(report["results"]) == sum(len(checks.CHECKS[f]) for f in functions)
    assert {r["kind"] for r in report["results"]} == {"fixed", "gradient", "random"}


def _mutant(gated_editions, tmp_path, name):
    from tests.test_mutations_gated import MUTATIONS

    module, old, new = MUTATIONS[name]
    number = 8 if module == "lstm.py" else 9
    sub = tmp_path / "mutant"
    shutil.copytree(gated_editions[number], sub)
    path = sub / "rnn_core" / module
    text = path.read_text()
    assert text.count(old) == 1, (name, old)
    path.write_text(text.replace(old, new))
    return number, sub


def _gated_mutation_names():
    from tests.test_mutations_gated import MUTATIONS

    return sorted(MUTATIONS)


@pytest.mark.parametrize("name", _gated_mutation_names())
def test_grade_gated_catches_the_mutations(gated_editions, tmp_path, name):
    """Every gated bug of the mutation suite (gate order, i and f swapped, the forget gate paired
    with c_t, the cell gradient not carried, tanh' forgotten, the reset gate on the wrong term,
    ...) fails the grader, and the student's check.py too."""
    number, sub = _mutant(gated_editions, tmp_path, name)
    report = grade_submission(CHAPTERS[number], sub, seed=11)
    assert report["reason"] is None and not report["passed"], report
    failed = [r for r in report["results"] if not r["passed"]]
    assert failed and all("not written yet" not in r["detail"] for r in failed)
    code, text = check(sub)
    assert code == 1 and " FAIL " in text, text


@pytest.mark.parametrize("module, old, new, caught_by", [
    # i and f swapped in the step: c_next = i c_prev + f g (9/5 instead of 29/20 by hand)
    ("lstm.py", "i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)",
     "f, i, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)",
     {"lstm_step_forward": "c_next: got [[1.8]]"}),
    # the GRU's two biases summed: b_hh's n block moved outside r
    ("gru.py", "n = np.tanh(ax_n + r * ah_n)", "n = np.tanh(ax_n + b_hn + r * (ah_n - b_hn))",
     {"gru_step_forward": "h_next: got"}),
])
def test_grade_gated_fixed_values_name_the_bug(gated_editions, tmp_path, module, old, new,
                                              caught_by):
    """The hand-worked scalar steps fail with the value the bug gives, not only the random ones."""
    number = 8 if module == "lstm.py" else 9
    sub = tmp_path / "bug"
    shutil.copytree(gated_editions[number], sub)
    path = sub / "rnn_core" / module
    text = path.read_text()
    assert text.count(old) == 1, old
    if "b_hn" in new:  # b_hh's n block, moved out of the product with r
        new = "b_hn = b_hh[2 * h_prev.shape[1]:]\n    " + new
    path.write_text(text.replace(old, new))
    report = grade_submission(CHAPTERS[number], sub, seed=5)
    assert not report["passed"]
    for function, detail in caught_by.items():
        fixed = [r for r in report["results"] if r["function"] == function and r["kind"] == "fixed"]
        assert any(not r["passed"] and detail in r["detail"] for r in fixed), report["results"]



# --- chapter 10: the many-to-one head ---------------------------------------------------------

@pytest.fixture(scope="module")
def head_edition(tmp_path_factory):
    """An edition of chapter 10 with the reference heads.py put back."""
    folder = tmp_path_factory.mktemp("ed10") / "edition"
    edition(CHAPTERS[10], folder)
    restore(folder, CHAPTERS[10])
    return folder


def test_grade_head_reference_passes(head_edition):
    report = grade_submission(CHAPTERS[10], head_edition, seed=3)
    assert report["passed"] and report["reason"] is None, report
    assert len(report["results"]) == sum(len(checks.CHECKS[f]) for f in
                                         ("mse_head_forward", "mse_head_backward"))
    assert {r["kind"] for r in report["results"]} == {"fixed", "gradient", "random"}
    code, text = check(head_edition)
    assert code == 0 and "FAIL" not in text, text


def _head_bugs():
    from tests.test_heads import MUTATIONS

    bugs = {name: (old, new) for name, (old, new) in MUTATIONS.items()}
    bugs.update({
        "dh at every step": ("dh[:, -1] = dyhat @ cache.U.T",
                             "dh[:] = (dyhat @ cache.U.T)[:, None]"),
        "dU transposed": ("dU = h_last.T @ dyhat", "dU = dyhat.T @ h_last"),
        "db2 not summed": ("db2 = dyhat.sum(axis=0)", "db2 = dyhat.mean(axis=0)"),
        "loss summed": ("loss = np.mean(err * err)", "loss = np.sum(err * err)"),
        "first state read": ("yhat = h[:, -1] @ U + b2\n    err", "yhat = h[:, 0] @ U + b2\n    err"),
    })
    return bugs


@pytest.mark.parametrize("name", sorted(_head_bugs()))
def test_grade_head_catches_the_bugs(head_edition, tmp_path, name):
    """The missing factor 2, dh at every step (or at the first), dU transposed, ... fail the
    grader and the student's check.py."""
    old, new = _head_bugs()[name]
    sub = tmp_path / "bug"
    shutil.copytree(head_edition, sub)
    path = sub / "rnn_core" / "heads.py"
    text = path.read_text()
    assert text.count(old) == 1, (name, old)
    path.write_text(text.replace(old, new))
    report = grade_submission(CHAPTERS[10], sub, seed=11)
    assert report["reason"] is None and not report["passed"], report
    failed = [r for r in report["results"] if not r["passed"]]
    assert failed and all("not written yet" not in r["detail"] for r in failed)
    code, out = check(sub)
    assert code == 1 and " FAIL " in out, out


@pytest.mark.parametrize("old, new, function, detail", [
    # without the factor 2: dyhat = (3/4, -1/4), so dU = 3/4 - 2/4 = 1/4 instead of 1/2
    ("2 * dloss / cache.err.size", "dloss / cache.err.size", "mse_head_backward", "dU (dloss = 1): got [[0.25]]"),
    # dh at every step: the first step gets 9/2 and -3/2 too instead of 0
    ("dh[:, -1] = dyhat @ cache.U.T", "dh[:] = (dyhat @ cache.U.T)[:, None]", "mse_head_backward",
     "dh (dloss = 1): got [[[4.5], [4.5]], [[-1.5], [-1.5]]]"),
    # summing instead of averaging: 9/4 + 1/4 = 5/2
    ("loss = np.mean(err * err)", "loss = np.sum(err * err)", "mse_head_forward", "loss: got 2.5"),
])
def test_grade_head_fixed_values_name_the_bug(head_edition, tmp_path, old, new, function, detail):
    """The hand-worked sequences fail with the value the bug gives."""
    sub = tmp_path / "bug"
    shutil.copytree(head_edition, sub)
    path = sub / "rnn_core" / "heads.py"
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))
    report = grade_submission(CHAPTERS[10], sub, seed=5)
    assert not report["passed"]
    fixed = [r for r in report["results"] if r["function"] == function and r["kind"] == "fixed"]
    assert any(not r["passed"] and detail in r["detail"] for r in fixed), report["results"]


# --- chapters 1-7: the mutation suite's bugs -------------------------------------------------

def _core_functions():
    return [f for number in range(1, 8) for _, f in CHAPTERS[number].derives]


@pytest.fixture(scope="module")
def core_copy(tmp_path_factory):
    """A copy of the reference rnn_core, which passes every check of chapters 1-7."""
    import rnn_core

    from rnn_assign.grader import run_checks

    root = tmp_path_factory.mktemp("core")
    shutil.copytree(list(rnn_core.__path__)[0], root / "rnn_core", ignore=shutil.ignore_patterns("__pycache__"))
    run = run_checks(root, _core_functions(), seed=7)
    assert run["reason"] is None and run["results"], run
    assert all(r["passed"] for r in run["results"]), [r for r in run["results"] if not r["passed"]]
    return root


def _core_mutation_names():
    from tests.test_mutations import MUTATIONS

    return sorted(MUTATIONS)


@pytest.mark.parametrize("name", _core_mutation_names())
def test_grader_catches_the_core_mutations(core_copy, tmp_path, name):
    """Every bug of the core mutation suite (a transposed dWh, the carried gradient forgotten,
    repeated ids overwriting, the one-hot not subtracted, ...) fails a check of chapters 1-7."""
    from rnn_assign.grader import run_checks
    from tests.test_mutations import MUTATIONS

    module, old, new = MUTATIONS[name]
    shutil.copytree(core_copy, tmp_path / "sub")
    path = tmp_path / "sub" / "rnn_core" / module
    text = path.read_text()
    assert text.count(old) == 1, (name, old)
    path.write_text(text.replace(old, new))
    run = run_checks(tmp_path / "sub", _core_functions(), seed=11)
    assert run["reason"] is None, run
    assert any(not r["passed"] for r in run["results"]), name
