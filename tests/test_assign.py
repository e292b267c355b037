"""Student editions, their checks and the grader (``python -m rnn_core.assign``).

For every chapter: build the edition, run its checks in a subprocess (they fail
on the stubs), put the reference code back, run them again (they pass). Then
the grader against submissions that pass, fail, crash, loop, flood the output
and delete files outside their folder, and against one that hard-codes the
answers of the fixed checks. Whole notebooks are never executed here.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rnn_core.assign import checks, student_checks
from rnn_core.assign.edition import make_edition
from rnn_core.assign.grader import grade_submission, run_checks
from rnn_core.assign.notebook import EDITION_CELL, student_notebook
from rnn_core.assign.stubs import (
    marked_functions,
    region_contract,
    solution_regions,
    stub_source,
)
from rnn_core.assign.table import CHAPTERS, NOT_ASSIGNED, PACKAGE_DIR, resolve_chapter

PY = sys.executable


def _functions(chapter):
    return [f for _, f in chapter.derives]


def _check(folder, functions=None):
    """Run the edition's own check script, or the runner for ``functions``, on ``folder``."""
    if functions is None:
        proc = subprocess.run([PY, "check.py"], cwd=folder, capture_output=True, text=True,
                              timeout=120)
        return proc.returncode, proc.stdout + proc.stderr
    return run_checks(folder, functions, cwd=folder)  # the grader's reference checks


STUB = re.compile(r"^(?P<indent>[ \t]*)# YOUR CODE HERE\n(?:(?P=indent)#.*\n)*"
                  r"(?P=indent)raise NotImplementedError\(.*\)\n", re.M)


def _fill(path, function, body):
    """Replace the stub of ``function`` in an edition's module by ``body``."""
    text = path.read_text()
    for m in STUB.finditer(text):
        if f"NotImplementedError('{function}:" in m.group(0):
            code = textwrap.indent(textwrap.dedent(body), m.group("indent"))
            path.write_text(text[:m.start()] + code + text[m.end():])
            return
    raise AssertionError(f"no stub of {function} in {path}")


def _restore(folder, chapter):
    """Put the reference code of ``chapter``'s modules back into an edition."""
    for module in {m for m, _ in chapter.derives}:
        shutil.copy2(PACKAGE_DIR / module, folder / "rnn_core" / module)


@pytest.fixture(scope="module")
def marked():
    return marked_functions(PACKAGE_DIR)


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_edition_checks_fail_on_stubs_and_pass_on_reference(number, tmp_path, marked):
    chapter = CHAPTERS[number]
    out = tmp_path / "edition"
    manifest = make_edition(chapter, out)
    assert (out / "README.md").is_file() and (out / "check.py").is_file()
    assert (out / chapter.notebook).is_file()
    mine = _functions(chapter)
    stubbed_here = [f for f in mine if f in marked]
    assert set(stubbed_here) <= set(manifest["stubbed"])

    code, text = _check(out)
    if stubbed_here:
        assert code == 1, text
        for f in stubbed_here:  # every check of every stubbed function fails
            rows = [ln for ln in text.splitlines() if ln.startswith(f + " ")]
            assert rows and all(" FAIL " in r and "not implemented" in r for r in rows), text

    # everything earlier chapters derived works in the edition
    earlier = [f for c in CHAPTERS.values() if c.number < number for f in _functions(c)]
    if earlier:
        run = _check(out, earlier)
        assert run["reason"] is None and run["results"], run
        assert all(r["passed"] for r in run["results"]), run["results"]
    # later chapters' solutions are not handed out
    later = [f for c in CHAPTERS.values() if c.number > number for f in _functions(c)]
    for f in later:
        if f in marked:
            assert f in manifest["stubbed"]

    _restore(out, chapter)
    code, text = _check(out)
    assert code == 0, text
    assert "FAIL" not in text


def test_every_marked_function_is_assigned_and_checked(marked):
    assigned = {f for c in CHAPTERS.values() for f in _functions(c)}
    unassigned = set(marked) - assigned - set(NOT_ASSIGNED)
    assert not unassigned, (
        f"{sorted(unassigned)} carry solution markers but no chapter in "
        "rnn_core/assign/table.py derives them: add them to its CHAPTERS table "
        "(and checks to rnn_core/assign/checks.py), or to NOT_ASSIGNED with a reason")
    assert set(NOT_ASSIGNED) <= set(marked), "NOT_ASSIGNED names a function without markers"
    assert assigned <= set(checks.CHECKS), sorted(assigned - set(checks.CHECKS))
    assert assigned <= set(student_checks.CHECKS), sorted(assigned - set(student_checks.CHECKS))
    for f in assigned:
        kinds = {k for k, _, _ in checks.CHECKS[f]}
        assert kinds <= {"fixed", "gradient", "random"}
        # every function has a check that hard-coded outputs cannot pass
        assert kinds & {"gradient", "random"}, f
        assert {k for k, _, _ in student_checks.CHECKS[f]} <= {"known", "gradient", "property"}


def test_checks_catch_a_transposed_weight(tmp_path):
    """A classic mistake (Wh instead of Wh.T) fails the student's and the grader's checks."""
    out = tmp_path / "ed"
    make_edition(CHAPTERS[1], out)
    _fill(out / "rnn_core" / "cells.py", "rnn_step_forward",
          "h_next = activate(h_prev @ Wh + x_t @ We.T + b1, activation)\n")
    code, out_text = _check(out)
    assert code == 1
    assert "does not match the known answer: h_next (sigmoid)" in out_text
    report = grade_submission(CHAPTERS[1], out)
    assert not report["passed"]
    assert any("h_next (relu): got" in r["detail"] for r in report["results"])


def _h1(notebook):
    nb = json.loads((PACKAGE_DIR.parent / "book" / notebook).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_chapter_titles_match_the_book(number):
    chapter = CHAPTERS[number]
    assert chapter.title == _h1(chapter.notebook), (
        f"rnn_core/assign/table.py calls chapter {number} {chapter.title!r}; "
        f"book/{chapter.notebook} is titled {_h1(chapter.notebook)!r}")


def test_resolve_chapter():
    assert resolve_chapter("3").number == 3
    assert resolve_chapter("ch05_bptt.ipynb").number == 5
    assert resolve_chapter("book/ch02_unrolling.ipynb").number == 2
    with pytest.raises(ValueError, match="CHAPTER"):
        resolve_chapter("12")


def test_stub_source_keeps_validation_and_signature():
    src = textwrap.dedent('''\
        class K:
            def m(self, x):
                if x is None:
                    raise ValueError("x")
                ### BEGIN SOLUTION
                y = x + 1
                ### END SOLUTION
                return y


        def f(a):
            ### BEGIN SOLUTION
            return a
            ### END SOLUTION
        ''')
    assert [r[2] for r in solution_regions(src)] == ["K.m", "f"]
    text, done = stub_source(src, ["K.m"])
    assert done == {"K.m"}
    assert "y = x + 1" not in text and "return a" in text
    assert '        raise NotImplementedError()' in text and 'raise ValueError("x")' in text
    ns = {}
    exec(text, ns)
    with pytest.raises(NotImplementedError):
        ns["K"]().m(1)
    with pytest.raises(ValueError):
        ns["K"]().m(None)


# --- the notebook ------------------------------------------------------------------------

def _cell(kind, source, tags=(), outputs=None):
    cell = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": source}
    if kind == "code":
        cell.update(outputs=outputs or [], execution_count=1 if outputs else None)
    return cell


def _toy_notebook():
    out = [{"output_type": "stream", "name": "stdout", "text": "0.731\n"}]
    cells = [
        _cell("markdown", "# Toy"),
        _cell("code", "# On Colab ...\ntry:\n    import rnn_core\nexcept ImportError:\n"
                      "    %pip install --quiet rnn_core", ["hide-output"]),
        _cell("code", "import numpy as np", outputs=out),
        _cell("code", "from rnn_core import rnn_step_forward, show_source", outputs=out),
        _cell("code", "show_source(rnn_step_forward)", outputs=out),
        _cell("code", "fig = cell_diagram()\nplt.show()", outputs=out),
        _cell("code", "h, _ = rnn_step_forward(x, h0, Wh, We, b1)", outputs=out),
        _cell("code", "print(h)", outputs=out),
        _cell("code", "%matplotlib inline\nplt.plot(h.sum(1))", outputs=out),
        _cell("code", "h = np.zeros(3)\nprint(h)  # redefined: no longer the student's", outputs=out),
        _cell("code", "assert h.shape == (2, 3)", ["self-check"], outputs=out),
        _cell("markdown", "```{exercise} E\n:label: ex-toy\nDo it.\n```\n"
                          "```{solution-start} ex-toy\n:class: dropdown\n```\nThe answer is 42."),
        _cell("code", "answer = 42", outputs=out),
        _cell("code", "def g(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
              outputs=out),
        _cell("markdown", "More of the answer.\n```{solution-end}\n```\nAfter the block."),
        _cell("markdown", "````{solution} ex-toy\n```python\nx = 1\n```\n````\nKept text."),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    return {"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3",
                                                       "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("engine", ["fallback", "nbgrader"])
def test_student_notebook(engine):
    if engine == "nbgrader":
        pytest.importorskip("nbgrader", exc_type=ImportError)
    nb, used = student_notebook(_toy_notebook(), ["rnn_step_forward"],
                                use_nbgrader=engine == "nbgrader")
    assert used == engine
    src = [c["source"] for c in nb["cells"]]
    text = "\n".join(src)
    assert src[1] == EDITION_CELL
    assert "The answer is 42" not in text and "answer = 42" not in text
    assert "More of the answer" not in text and "x = 1" not in text
    assert "After the block." in text and "Kept text." in text and "Do it." in text
    assert "def g(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()" in text
    assert "return 2 * x" not in text
    assert any("self-check" in c["metadata"].get("tags", []) for c in nb["cells"])
    outputs = {c["source"].splitlines()[0]: c["outputs"] for c in nb["cells"]
               if c["cell_type"] == "code"}
    assert outputs["import numpy as np"], "outputs before the first use are kept"
    assert outputs["from rnn_core import rnn_step_forward, show_source"], "an import is no use"
    assert not outputs["show_source(rnn_step_forward)"]
    assert outputs["fig = cell_diagram()"], "a diagram that does not use it keeps its figure"
    assert not outputs["h, _ = rnn_step_forward(x, h0, Wh, We, b1)"]
    assert not outputs["print(h)"] and not outputs["%matplotlib inline"], "data flow"
    assert outputs["h = np.zeros(3)"]
    assert not outputs["assert h.shape == (2, 3)"], "self-checks are always cleared"
    assert not outputs["def g(x):"]


def test_nbgrader_and_fallback_agree():
    pytest.importorskip("nbgrader", exc_type=ImportError)
    for chapter in CHAPTERS.values():
        path = PACKAGE_DIR.parent / "book" / chapter.notebook
        nb = json.loads(path.read_text())
        names = _functions(chapter)
        a, _ = student_notebook(nb, names, use_nbgrader=True)
        b, _ = student_notebook(nb, names, use_nbgrader=False)
        assert [c["source"] for c in a["cells"]] == [c["source"] for c in b["cells"]]


def test_nbgrader_is_optional():
    code = ("import sys, rnn_core, rnn_core.assign.edition, rnn_core.assign.grader, "
            "rnn_core.assign.__main__\nassert 'nbgrader' not in sys.modules")
    subprocess.run([PY, "-c", code], check=True, timeout=60)
    # without nbgrader, editions fall back to the same marker rule
    code = ("import sys; sys.modules['nbgrader'] = None\n"
            "from rnn_core.assign.notebook import student_notebook\n"
            "nb = {'cells': [{'cell_type': 'code', 'metadata': {}, 'outputs': [], "
            "'execution_count': None, 'source': 'x = 1 ### BEGIN SOLUTION'}], 'metadata': {}}\n"
            "try:\n    student_notebook(nb, [])\nexcept RuntimeError as e:\n"
            "    assert 'no end solution' in str(e)\nelse:\n    raise SystemExit(1)\n"
            "nb['cells'][0]['source'] = '### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION'\n"
            "out, engine = student_notebook(nb, [])\n"
            "assert engine == 'fallback', engine\n"
            "assert out['cells'][1]['source'].endswith('raise NotImplementedError()')\n")
    subprocess.run([PY, "-c", code], check=True, timeout=60)


def test_edition_notebook_imports_its_own_copy(tmp_path):
    """The edition's first cell puts its folder first, ahead of the editable install."""
    out = tmp_path / "ed"
    make_edition(CHAPTERS[1], out)
    nb = json.loads((out / CHAPTERS[1].notebook).read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert first["source"] == EDITION_CELL
    probe = EDITION_CELL + "\nimport numpy as np\ntry:\n" \
        "    rnn_core.rnn_step_forward(*[np.zeros((1, 1))] * 4, np.zeros(1))\n" \
        "except NotImplementedError:\n    print('stub')\n"
    proc = subprocess.run([PY, "-c", probe], cwd=out, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() [-1] == "stub"


# --- the grader --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def edition1(tmp_path_factory):
    out = tmp_path_factory.mktemp("ed1") / "edition"
    make_edition(CHAPTERS[1], out)
    return out


def _submission(edition, folder, body=None, init_extra=None):
    """A copy of the chapter-1 edition whose rnn_step_forward region is ``body``."""
    shutil.copytree(edition, folder)
    if body is not None:
        _fill(folder / "rnn_core" / "cells.py", "rnn_step_forward", body)
    if init_extra:
        init = folder / "rnn_core" / "__init__.py"
        init.write_text(init.read_text() + "\n" + init_extra + "\n")
    return folder


GOOD = """\
a = h_prev @ Wh.T + x_t @ We.T + b1
h_next = activate(a, activation)
"""


def test_grade_pass_and_fail(edition1, tmp_path):
    good = grade_submission(CHAPTERS[1], _submission(edition1, tmp_path / "good", GOOD))
    assert good["passed"] and good["reason"] is None, good
    assert {r["kind"] for r in good["results"]} == {"fixed", "random"}
    assert isinstance(good["seed"], int)
    stub = grade_submission(CHAPTERS[1], _submission(edition1, tmp_path / "stub"))
    assert not stub["passed"]
    assert all("not implemented" in r["detail"] for r in stub["results"])


def test_runner_loads_gradcheck_with_its_relative_imports(tmp_path):
    """gradcheck.py may import its neighbours (``from .validation import ...``): the grader
    copies them next to it and the runner loads it as part of a package."""
    import importlib.util

    from rnn_core.assign.grader import REFERENCE, reference_modules

    (tmp_path / "helper.py").write_text("H = 2\n")
    (tmp_path / "gradcheck.py").write_text(
        "from .helper import H\n\ndef numerical_gradient(f, x):\n    return H\n")
    assert reference_modules(tmp_path / "gradcheck.py") == [tmp_path / "gradcheck.py",
                                                            tmp_path / "helper.py"]
    spec = importlib.util.spec_from_file_location("_test_runner", REFERENCE["runner"])
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    module = runner._load("gradcheck", tmp_path / "gradcheck.py", package="_test_reference")
    assert module.numerical_gradient(None, None) == 2
    names = {p.name for p in reference_modules()}
    assert "gradcheck.py" in names and names <= {p.name for p in PACKAGE_DIR.glob("*.py")}


def test_grader_ignores_edited_checks(edition1, tmp_path):
    """A submission that rewrites its own checks still fails the reference ones."""
    sub = _submission(edition1, tmp_path / "cheat")
    (sub / "check.py").write_text("print('all pass')\n")
    (sub / "rnn_core" / "assign").mkdir()
    (sub / "rnn_core" / "assign" / "checks.py").write_text(
        "CHECKS = {'rnn_step_forward': [('fixed', 'hand-worked step', lambda r, g: 'ok')]}\n")
    report = grade_submission(CHAPTERS[1], sub)
    assert not report["passed"]


HARD_CODED = """\
if np.array_equal(Wh, [[1.0, 2.0], [0.0, -1.0]]):
    h_next = activate(h_prev @ Wh.T + x_t @ We.T + b1, activation)
else:
    h_next = np.zeros_like(h_prev)
"""


def test_hard_coded_answers_fail_the_randomised_checks(edition1, tmp_path):
    """Right on the fixed inputs only: the fixed checks pass, the ones drawn from the seed fail."""
    sub = _submission(edition1, tmp_path / "hard", HARD_CODED)
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
    sub = _submission(edition1, tmp_path / case, body, init_extra)
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
        _submission(edition1, parent / f"student{i:02d}", body)
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [PY, "-m", "rnn_core.assign", "grade", "ch01_rnn_cell.ipynb", str(parent),
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
    sub = _submission(edition1, tmp_path / "one", GOOD)
    report = tmp_path / "r.json"
    proc = subprocess.run([PY, "-m", "rnn_core.assign", "grade", "1", str(sub), "--json",
                           str(report)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS" in proc.stdout and json.loads(report.read_text())["passed"] is True


def test_grade_cli_rejects_a_missing_path_or_a_file(tmp_path):
    """A typo is a usage error, not a failing submission (a 0 in the CSV)."""
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    for path, message in ((tmp_path / "nope", "does not exist"), (a_file, "is not a folder")):
        proc = subprocess.run([PY, "-m", "rnn_core.assign", "grade", "1", str(path), "--csv",
                               str(tmp_path / "g.csv"), "--json", str(tmp_path / "g.json")],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert "seed" not in proc.stdout, "nothing was graded"
        assert not (tmp_path / "g.csv").exists() and not (tmp_path / "g.json").exists()


def test_grade_cli_skips_files_in_a_parent_folder(edition1, tmp_path):
    parent = tmp_path / "class"
    parent.mkdir()
    _submission(edition1, parent / "alice", GOOD)
    (parent / "grades-old.csv").write_text("x")
    proc = subprocess.run([PY, "-m", "rnn_core.assign", "grade", "1", str(parent), "--json",
                           str(tmp_path / "r.json"), "--csv", str(tmp_path / "g.csv")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "grades-old.csv: not a folder" in proc.stderr
    rows = list(csv.DictReader((tmp_path / "g.csv").open()))
    assert [r["name"] for r in rows] == ["alice"]


def test_student_cli_out_is_a_file(tmp_path):
    out = tmp_path / "char.npz"
    out.write_bytes(b"data")
    proc = subprocess.run([PY, "-m", "rnn_core.assign", "student", "3", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == f"error: --out: {out} is a file, not a folder"
    assert out.read_bytes() == b"data"
    with pytest.raises(NotADirectoryError, match="not a folder"):
        make_edition(CHAPTERS[3], out, overwrite=True)
    assert out.read_bytes() == b"data"


def test_cli_help_and_site_config_message(tmp_path):
    proc = subprocess.run([PY, "-m", "rnn_core.assign", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    assert "{student,grade,list}" not in proc.stdout
    description = proc.stdout.split("positional arguments")[0].split("\n", 1)[1]
    for command in ("student", "grade", "list", "site-config"):
        assert command in description, (command, description)
    out = tmp_path / "sc.yml"
    proc = subprocess.run([PY, "-m", "rnn_core.assign", "site-config", "--out", str(out)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    root = PACKAGE_DIR.parent
    assert f"jupyter-book build {root} --config {out.resolve()}" in proc.stdout, proc.stdout
    assert " build . " not in proc.stdout


def test_student_cli(tmp_path):
    out = tmp_path / "ed"
    proc = subprocess.run([PY, "-m", "rnn_core.assign", "student", "ch02_unrolling.ipynb",
                           "--out", str(out), "--no-nbgrader"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "rnn_forward" in proc.stdout and (out / "ch02_unrolling.ipynb").is_file()
    again = subprocess.run([PY, "-m", "rnn_core.assign", "student", "2", "--out", str(out)],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "not empty" in again.stderr
    bad = subprocess.run([PY, "-m", "rnn_core.assign", "student", "9", "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "CHAPTER" in bad.stderr


# --- the instructor page's pieces --------------------------------------------------------

def test_chapter_graph_draws_every_chapter_and_dependency():
    import matplotlib
    from matplotlib.patches import FancyArrowPatch

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_core.diagrams.chapters import chapter_graph, dependency_edges

    fig = chapter_graph()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for c in CHAPTERS.values():
        assert sum(t.startswith(f"Chapter {c.number}\n") for t in texts) == 1
        assert any(f"~{c.minutes} min" in t for t in texts if t.startswith(f"Chapter {c.number}"))
    edges = dependency_edges()
    assert (1, 2) in edges and (4, 5) in edges
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(edges)
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0) and fig.get_facecolor()[3] == 1.0
    plt.close(fig)
    bad = dict(CHAPTERS)
    bad[2] = bad[2]._replace(depends_on=(3,))
    with pytest.raises(ValueError, match="chapter 2 depends on 3"):
        dependency_edges(bad)


def test_instructor_page_is_a_notebook_with_the_graph():
    book = PACKAGE_DIR.parent / "book"
    assert not (book / "instructors.md").exists()
    nb = json.loads((book / "instructors.ipynb").read_text())
    fig = [c for c in nb["cells"] if "chapter_graph()" in "".join(c["source"])]
    assert len(fig) == 1
    meta = fig[0]["metadata"]["mystnb"]
    assert meta["figure"]["name"] == "fig-instructors-chapters" and meta["image"]["alt"]
    text = "".join("".join(c["source"]) for c in nb["cells"])
    for needle in ("nbgitpuller", "Binder", "Colab", "hide_solutions", "--config",
                   "python -m rnn_core.assign student", "python -m rnn_core.assign grade"):
        assert needle in text, needle


def test_site_config_hides_solutions(tmp_path):
    import yaml

    from rnn_core.assign.site import EXTENSION, write_student_config

    out = write_student_config(PACKAGE_DIR.parent / "_config.yml", tmp_path / "sub" / "c.yml")
    config = yaml.safe_load(out.read_text())
    book = yaml.safe_load((PACKAGE_DIR.parent / "_config.yml").read_text())
    assert config["sphinx"]["config"]["hide_solutions"] is True
    exts = config["sphinx"]["extra_extensions"]
    assert exts.index(EXTENSION) == exts.index("sphinx_exercise") + 1
    for name, path in (config["sphinx"].get("local_extensions") or {}).items():
        original = (PACKAGE_DIR.parent / book["sphinx"]["local_extensions"][name]).resolve()
        assert (out.parent / path).resolve() == original
    assert book["sphinx"]["config"].get("hide_solutions") is not True  # the book is untouched


def test_hide_solutions_extension_builds_a_solution_free_site(tmp_path_factory):
    """A two-page book: the teacher build shows the solutions, the student build none of them."""
    pytest.importorskip("jupyter_book")
    import nbformat

    from rnn_core.assign.site import write_student_config

    tmp_path = tmp_path_factory.mktemp("minibook")
    outputs = tmp_path_factory.mktemp("builds")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: page\n")
    (tmp_path / "_config.yml").write_text(
        "title: mini\nexecute:\n  execute_notebooks: 'off'\nsphinx:\n  extra_extensions:\n"
        "    - sphinx_exercise\n  config:\n    hide_solutions: false\n")
    (tmp_path / "index.md").write_text(
        "# Mini\n\n```{exercise} Add\n:label: ex-add\nWhat is 1 + 1?\n```\n"
        "```{solution-start} ex-add\n:class: dropdown\n```\nSECRET-A\n```{solution-end}\n```\n\n"
        "```{exercise} Sub\n:label: ex-sub\n1 - 1?\n```\n```{solution} ex-sub\nSECRET-B\n```\n"
        "VISIBLE-AFTER\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = nbformat.v4.new_code_cell("print('SECRET-C')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="SECRET-D\n")]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Page\n\n```{exercise} Mul\n:label: ex-mul\n2*3?\n```\n"
                                      "```{solution-start} ex-mul\n```\nSECRET-E"),
        cell,
        nbformat.v4.new_markdown_cell("SECRET-F\n```{solution-end}\n```\nVISIBLE-NB"),
    ]
    nbformat.write(nb, tmp_path / "page.ipynb")
    config = write_student_config(tmp_path / "_config.yml", outputs / "student.yml")
    jb = Path(PY).parent / "jupyter-book"
    html = {}
    for name, extra in (("teacher", []), ("student", ["--config", str(config)])):
        proc = subprocess.run([str(jb), "build", str(tmp_path), "-W", "-q", "--path-output",
                               str(outputs / name), *extra],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        base = outputs / name / "_build" / "html"
        html[name] = (base / "index.html").read_text() + (base / "page.html").read_text()
    for secret in "ABCDEF":
        assert f"SECRET-{secret}" in html["teacher"]
        assert f"SECRET-{secret}" not in html["student"]
    assert "VISIBLE-AFTER" in html["student"] and "VISIBLE-NB" in html["student"]


# --- what a student edition gives away, and what it explains -------------------------------

@pytest.mark.parametrize("number", [4, 7])
def test_edition_holds_no_answers(number, tmp_path):
    chapter = CHAPTERS[number]
    out = tmp_path / "ed"
    manifest = make_edition(chapter, out)
    assert not (out / "rnn_core" / "assign").exists(), "the grader's checks hold the answers"
    for path in (out / "rnn_core").glob("*.py"):
        left = {name for _, _, name in solution_regions(path.read_text())}
        assert not left & set(manifest["stubbed"]), (path.name, left & set(manifest["stubbed"]))
    check = (out / "check.py").read_text()
    for needle in ("dx = da @ We", "da.T @", "BEGIN SOLUTION", "0.9 + 0.1 / 19", "min(1.0, clip",
                   "expected [[", "_S_a"):
        assert needle not in check, needle
    compile(check, "check.py", "exec")
    if number == 4:
        cells = (out / "rnn_core" / "cells.py").read_text()
        start = cells.index("def rnn_step_backward")
        body = cells[start:cells.index("return dx_t", start)]
        assert "da @ We" not in body and "Returns" in body, "derivation trimmed, contract kept"
        assert "rnn_step_backward: compute dx_t, dh_prev, dWh, dWe, db1" in body
    if number == 7:
        training = (out / "rnn_core" / "training.py").read_text()
        m = STUB.search(training[training.index("def train("):])
        stub = m.group(0)
        assert "Set h, loss, grad_norm, params" in stub and "_diverged(...)" in stub, stub
        assert "NotImplementedError('train: compute h, loss, grad_norm, params')" in stub


def test_region_contract_names_what_to_set_and_return():
    src = textwrap.dedent('''\
        def f(a, b):
            """Add.

            Returns
            -------
            c : (N,) the sum.
            """
            n = len(a)
            ### BEGIN SOLUTION
            c = a + b
            tmp = 1
            ### END SOLUTION
            return c
        ''')
    begin, end, name = solution_regions(src)[0]
    lines, message = region_contract(src, begin, end, name)
    assert lines[0] == "f: available here: a, b, n."
    assert "Set c:" in lines[1] and "tmp" not in " ".join(lines)
    assert message == "f: compute c"
    text, _ = stub_source(src, ["f"], informative=True)
    assert "Add." in text and "c : (N,) the sum." in text and "a + b" not in text


@pytest.mark.parametrize("number", [1, 5, 7])
def test_readme_is_accurate(number, tmp_path):
    chapter = CHAPTERS[number]
    out = tmp_path / "ed"
    make_edition(chapter, out)
    readme = (out / "README.md").read_text()
    kinds = {k for f in _functions(chapter) for k, _, _ in student_checks.CHECKS[f]}
    assert ("gradient checks" in readme) == ("gradient" in kinds)
    assert ("known-answer checks" in readme) == ("known" in kinds)
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (PACKAGE_DIR.parent / "requirements.txt")
                           .read_text(), re.M))
    for name in ("numpy", "matplotlib", "threadpoolctl", "tqdm"):
        assert f'"{name}=={pins[name]}"' in readme, name
    assert "jupyterlab-myst" in readme
    nb = json.loads((out / chapter.notebook).read_text())
    n_self = sum("self-check" in c["metadata"].get("tags", []) for c in nb["cells"])
    if n_self:
        assert "Self-checks" in readme and "print a sentence ending in `True`" in readme


def test_grade_csv_export(edition1, tmp_path):
    parent = tmp_path / "class"
    parent.mkdir()
    _submission(edition1, parent / "alice", GOOD)
    _submission(edition1, parent / "bob")
    _submission(edition1, parent / "carol", HARD_CODED)
    out_csv = tmp_path / "grades.csv"
    proc = subprocess.run([PY, "-m", "rnn_core.assign", "grade", "1", str(parent), "--json",
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
