"""Helpers shared by the tests of rnn_assign: editions, submissions, the reference bodies."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import rnn_core
from rnn_assign.edition import make_edition
from rnn_assign.grader import run_checks
from rnn_assign.markers import solution_bodies

PY = sys.executable
ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PACKAGE_DIR = Path(rnn_core.__file__).resolve().parent

STUB = re.compile(r"^(?P<indent>[ \t]*)# YOUR CODE HERE\n"
                  r"(?P=indent)raise NotImplementedError\(.*\)\n", re.M)


def functions(chapter):
    return [f for _, f in chapter.derives]


def edition(chapter, out, **kw):
    """``make_edition`` with this repository's book folder."""
    return make_edition(chapter, out, book_dir=BOOK, **kw)


def check(folder, functions=None):
    """Run the edition's own check script, or the grader's checks for ``functions``, on ``folder``."""
    if functions is None:
        proc = subprocess.run([PY, "check.py"], cwd=folder, capture_output=True, text=True,
                              timeout=120)
        return proc.returncode, proc.stdout + proc.stderr
    return run_checks(folder, functions, cwd=folder)


def reference_body(module, function) -> str:
    """The reference body of ``function`` (between its markers), dedented."""
    text = (PACKAGE_DIR / module).read_text(encoding="utf-8")
    begin, end = solution_bodies(text)[function]
    return textwrap.dedent("\n".join(text.splitlines()[begin + 1:end])) + "\n"


def fill(path, function, body):
    """Replace the stub of ``function`` in an edition's module by ``body``."""
    text = path.read_text()
    for m in STUB.finditer(text):
        if f"NotImplementedError('{function}:" in m.group(0):
            code = textwrap.indent(textwrap.dedent(body), m.group("indent"))
            path.write_text(text[:m.start()] + code + text[m.end():])
            return
    raise AssertionError(f"no stub of {function} in {path}")


def restore(folder, chapter):
    """Put the reference code of ``chapter``'s modules back into an edition."""
    for module in {m for m, _ in chapter.derives}:
        shutil.copy2(PACKAGE_DIR / module, folder / "rnn_core" / module)


def submission(edition_dir, folder, body=None, init_extra=None):
    """A copy of the chapter-1 edition whose rnn_step_forward body is ``body``."""
    shutil.copytree(edition_dir, folder)
    if body is not None:
        fill(folder / "rnn_core" / "cells.py", "rnn_step_forward", body)
    if init_extra:
        init = folder / "rnn_core" / "__init__.py"
        init.write_text(init.read_text() + "\n" + init_extra + "\n")
    return folder


GOOD = reference_body("cells.py", "rnn_step_forward")
# Right on the grader's hand-worked inputs only: zeros everywhere else.
HARD_CODED = ("if not np.array_equal(Wh, [[1.0, 2.0], [0.0, -1.0]]):\n"
              "    return np.zeros_like(h_prev), None\n" + GOOD)
