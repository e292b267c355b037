"""Build a student edition: one folder a student can open, run and check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .notebook import student_notebook
from .stubs import marked_functions, stub_source
from .table import BOOK_DIR, CHAPTERS, PACKAGE_DIR, Chapter, owner_of

CHECK_SCRIPT = '''\
"""Check your functions for this chapter: python check.py (exit status 0 when all pass)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from rnn_core.assign.grader import check_folder  # noqa: E402

sys.exit(check_folder(HERE, {functions!r}))
'''

README = """\
# Chapter {n}: {title} (student edition)

You write: {functions}.

Each of them is stubbed in `rnn_core/` (look for `# YOUR CODE HERE` and
`raise NotImplementedError()`). Everything that earlier chapters derived works
as in the book.{later}

## Install
Python 3.11 or newer, then in this folder:

    python -m pip install numpy matplotlib threadpoolctl tqdm jupyterlab

Do **not** `pip install rnn_core`: the notebook uses the copy in this folder,
and its first code cell checks that it does.

## Run
    jupyter lab {notebook}

Run the cells from the top. Cells tagged `self-check` tell you whether a
function works.

## Check
    python check.py

prints a table: for each function, gradient checks (against numerical
gradients) and checks on fixed inputs with known answers. It exits with status 0
when everything passes. Hand in this whole folder.
"""


def _later_message(function: str, chapter: Chapter) -> str:
    return (f"{function} is derived in chapter {owner_of(function)}; "
            f"this is the student edition of chapter {chapter.number}")


def make_edition(chapter: Chapter, out: Path, *, keep_later: bool = False,
                 use_nbgrader: bool | None = None, book_dir: Path = BOOK_DIR,
                 package_dir: Path = PACKAGE_DIR, overwrite: bool = False) -> dict:
    """Write the student edition of ``chapter`` into ``out``; return its manifest."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(f"--out: {out} exists and is not empty (use --force)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)

    marked = marked_functions(package_dir)
    mine = [f for _, f in chapter.derives]
    later = [f for c in CHAPTERS.values() if c.number > chapter.number for _, f in c.derives]
    stub = {f: None for f in mine if f in marked}
    if not keep_later:
        stub.update({f: _later_message(f, chapter) for f in later if f in marked})
    warnings = [f"{f}: no solution markers in rnn_core/{m}; left as is"
                for m, f in chapter.derives if f not in marked]

    pkg = out / "rnn_core"
    shutil.copytree(package_dir, pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    stubbed = set()
    for module in sorted({marked[f] for f in stub}):
        path = pkg / module
        text, done = stub_source(path.read_text(encoding="utf-8"),
                                 [f for f in stub if marked[f] == module], stub)
        path.write_text(text, encoding="utf-8")
        stubbed |= done

    engine = None
    nb_path = Path(book_dir) / chapter.notebook
    if nb_path.exists():
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        nb, engine = student_notebook(nb, sorted(stubbed), use_nbgrader)
        (out / chapter.notebook).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    else:
        warnings.append(f"{nb_path} not found: the edition has no notebook")

    (out / "check.py").write_text(CHECK_SCRIPT.format(functions=mine), encoding="utf-8")
    later_stubbed = sorted(f for f in stubbed if f not in mine)
    (out / "README.md").write_text(README.format(
        n=chapter.number, title=chapter.title, notebook=chapter.notebook,
        functions=", ".join(f"`{f}`" for f in mine) or "(no functions in this chapter)",
        later=("" if not later_stubbed else
               "\nFunctions of later chapters are stubbed too: " +
               ", ".join(f"`{f}`" for f in later_stubbed) + ".")), encoding="utf-8")
    manifest = dict(chapter=chapter.number, notebook=chapter.notebook, functions=mine,
                    stubbed=sorted(stubbed), notebook_engine=engine, warnings=warnings)
    (out / "assignment.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest
