"""The folded and executable forms of a chapter (rnn_book/folds.py), and the truth of both.

The committed chapter is folded: a solution's code and printed output are Markdown text. Their
truth is kept by nbval, which runs the executable form (book/conftest.py); the last test here
changes one printed digit inside a fold and sees nbval fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from rnn_book.folds import dumps, fold, is_folded, normalised, unfold

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("ch*.ipynb"))


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def md(source, id_):
    return {"cell_type": "markdown", "id": id_, "metadata": {}, "source": source}


def code(source, id_, count, outputs=(), tags=None):
    return {"cell_type": "code", "execution_count": count, "id": id_,
            "metadata": {"tags": tags} if tags else {}, "outputs": list(outputs), "source": source}


def stdout(text, name="stdout"):
    return {"name": name, "output_type": "stream", "text": text}


def notebook(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


# A small chapter in its executable form, and the folded form written out by hand.
EXECUTABLE = notebook([
    code("x = 2", "c1", 1),
    md(":::{exercise} Double\n:label: ex-double\n\nDouble x.\n\n:::", "m1"),
    md("```{solution-start} ex-double\n:class: dropdown\n```\nMultiply by two:", "m2"),
    code("y = 2 * x\nprint(y)", "m2-1", 2, [stdout("4\n")]),
    code("print('``` is a fence')\nimport sys\nprint('oops', file=sys.stderr, end='')", "m2-2", 3,
         [stdout("``` is a fence\n"), stdout("oops", "stderr")], tags=["self-check"]),
    md("So y is 4.\n```{solution-end}\n```", "m2-3"),
    md("After the exercise.", "m3"),
])
FOLDED_SOLUTION = """\
<details class="rnn-fold">
<summary>Solution</summary>

```{solution-start} ex-double
:class: dropdown
```
Multiply by two:

```python rnn-cell
y = 2 * x
print(y)
```

```text rnn-output
4
```

````python rnn-cell tags=self-check
print('``` is a fence')
import sys
print('oops', file=sys.stderr, end='')
````

````text rnn-output
``` is a fence
````

```text rnn-output stderr no-eol
oops
```

So y is 4.
```{solution-end}
```

</details>"""
FOLDED = notebook([EXECUTABLE["cells"][0], EXECUTABLE["cells"][1], md(FOLDED_SOLUTION, "m2"),
                   EXECUTABLE["cells"][-1]])


def test_fold_writes_the_documented_form():
    assert fold(EXECUTABLE) == FOLDED
    assert is_folded(FOLDED) and not is_folded(EXECUTABLE)


def test_unfold_restores_the_executable_form():
    assert unfold(FOLDED) == EXECUTABLE
    assert fold(unfold(FOLDED)) == FOLDED and fold(FOLDED) == FOLDED


def test_fold_splits_a_cell_at_the_solution_and_merges_streams():
    """Text around a solution gets cells of its own; a stream printed in pieces is one block."""
    cells = [md("Intro.\n```{solution-start} ex\n:class: dropdown\n```\nWhy:", "a"),
             code("print(1)\nprint(2)", "b", 7, [stdout("1\n"), stdout("2\n")]),
             md("```{solution-end}\n```\nOutro.", "c")]
    folded = fold(notebook(cells))
    assert [c["source"] for c in folded["cells"]] == [
        "Intro.",
        '<details class="rnn-fold">\n<summary>Solution</summary>\n\n```{solution-start} ex\n'
        ":class: dropdown\n```\nWhy:\n\n```python rnn-cell\nprint(1)\nprint(2)\n```\n\n"
        "```text rnn-output\n1\n2\n```\n\n```{solution-end}\n```\n\n</details>",
        "Outro."]
    assert [c["id"] for c in folded["cells"]] == ["a", "a-s1", "c"]
    again = unfold(folded)["cells"]
    assert again[2]["outputs"] == [stdout("1\n2\n")] and again[2]["execution_count"] is None


def test_execution_counts_follow_the_previous_code_cell():
    cells = unfold(notebook([code("a = 1", "x", 5), md(FOLDED_SOLUTION, "s"), code("b", "y", 8)]))
    assert [c["execution_count"] for c in cells["cells"] if c["cell_type"] == "code"] == [5, 6, 7, 8]


@pytest.mark.parametrize("output", [
    {"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}},
    {"output_type": "execute_result", "data": {"text/plain": "4"}, "metadata": {},
     "execution_count": 2},
])
def test_a_solution_cell_may_only_print_text(output):
    nb = json.loads(json.dumps(EXECUTABLE))
    nb["cells"][3]["outputs"].append(output)
    with pytest.raises(ValueError, match="may only print text"):
        fold(nb)


def test_metadata_other_than_tags_cannot_be_folded_but_view_state_is_dropped():
    nb = json.loads(json.dumps(EXECUTABLE))
    nb["cells"][3]["metadata"] = {"jupyter": {"source_hidden": True}, "cellView": "form",
                                  "execution": {"iopub.status.busy": "2026"}}
    assert fold(nb) == FOLDED
    nb["cells"][3]["metadata"]["mystnb"] = {"figure": {"caption": "c"}}
    with pytest.raises(ValueError, match="mystnb"):
        fold(nb)


@pytest.mark.parametrize("broken, message", [
    ([md("```{solution-start} ex\n```", "a")], "no {solution-end}"),
    ([md("```{solution-end}\n```", "a")], "without a {solution-start}"),
    ([md(FOLDED_SOLUTION + "\nmore", "a")], "must be the whole cell"),
    ([md(FOLDED_SOLUTION.replace("```python rnn-cell\n", "```text rnn-output\n", 1), "a")],
     "must follow"),
    ([md(FOLDED_SOLUTION.replace("```python rnn-cell\n", "```python rnn-cell hidden\n", 1), "a")],
     "unknown option 'hidden'"),
])
def test_malformed_solutions_are_refused(broken, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        fold(notebook(broken))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_the_chapters_round_trip(path):
    folded = normalised(_read(path))
    executable = unfold(folded)
    assert fold(executable) == folded
    assert normalised(unfold(fold(executable))) == normalised(executable)
    assert dumps(folded) == path.read_text(encoding="utf-8"), "not written as nbformat writes"
    ids = [c.get("id") for c in executable["cells"]]
    assert len(ids) == len(set(ids)), "cell ids repeat in the executable form"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_main_text_code_runs_after_a_solution(path):
    """The book runs the folded form, where a solution's code does not run.

    nbval checks the outputs of the executable form, where it does. The two agree because no
    code cell of the main text comes after a solution's code: nothing the book shows can depend
    on it. (An exercise with code in mid-chapter would need its state set up again after it.)
    """
    nb = _read(path)
    main = {c["id"] for c in nb["cells"] if c["cell_type"] == "code"}
    kinds = ["main" if c["id"] in main else "solution"
             for c in unfold(nb)["cells"] if c["cell_type"] == "code"]
    assert "solution" in kinds
    assert "main" not in kinds[kinds.index("solution"):], f"{path.name}: {kinds}"


def _nbval(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval",
         "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", str(path.relative_to(ROOT))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_nbval_fails_when_a_printed_answer_inside_a_fold_is_wrong():
    """One digit changed in a solution's stored output, in the folded file: nbval fails there."""
    chapter = CHAPTERS[0]
    nb = _read(chapter)
    cell = next(c for c in nb["cells"] if re.search(r"```text rnn-output\n[^`]*\d", "".join(c["source"])))
    text = "".join(cell["source"])
    head, block = text.split("```text rnn-output\n", 1)
    digit = re.search(r"\d", block)
    wrong = str((int(digit.group()) + 1) % 10)
    cell["source"] = head + "```text rnn-output\n" + block[:digit.start()] + wrong + block[digit.end():]
    # In the chapter's folder (the kernel reads data/ from there), hidden from the book and git.
    copy = BOOK / f".executable-mutant-{uuid.uuid4().hex[:8]}.ipynb"
    copy.write_text(json.dumps(nb), encoding="utf-8")
    try:
        proc = _nbval(copy)
    finally:
        copy.unlink()
    before, after = ([c for c in unfold(n)["cells"] if c["cell_type"] == "code"]
                     for n in (_read(chapter), nb))
    changed = [i for i, (b, a) in enumerate(zip(before, after)) if b != a]
    assert len(changed) == 1 and len(before) == len(after)
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert f"1 failed, {len(after) - 1} passed" in proc.stdout, proc.stdout[-2000:]
    assert f"Cell {changed[0]}: Cell outputs differ" in proc.stdout, proc.stdout[-2000:]
