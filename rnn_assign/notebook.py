"""The student edition of a chapter notebook.

It starts from the chapter's executable form (:func:`rnn_book.folds.unfold`): the committed
chapter folds each solution, code included, into one Markdown cell, and the steps below see the
solution's code cells as cells again.

1. Solution regions (``### BEGIN SOLUTION`` ... ``### END SOLUTION``) in any cell
   become nbgrader's stub, by the rule of nbgrader's ``ClearSolutions``
   (:func:`rnn_assign.markers.clear_solution_regions`).
2. sphinx-exercise solutions (``{solution-start}`` ... ``{solution-end}`` and the
   cells in between, or a one-cell ``{solution}`` directive) are removed; a
   code cell inside one that carries solution markers is kept, stubbed, for the
   student to fill in; so is a ``self-check`` cell.
3. Every code cell's outputs are cleared (as nbgrader's release step does): a
   printed value, a figure or ``show_source`` of a stubbed function would give the
   answer away, and the student runs the notebook anyway.
4. The install cell is replaced by one that puts the notebook's folder first on
   ``sys.path`` and checks that ``rnn_core`` is the folder's stubbed copy.
"""

from __future__ import annotations

import copy
import re

from rnn_book.folds import source as _source
from rnn_book.folds import unfold

from .markers import CODE_STUB, TEXT_STUB, clear_solution_regions

SELF_CHECK = "self-check"
NOTE = ("*(The solution is not part of the student edition.)*")
EDITION_CELL = """\
# Student edition: import the rnn_core copy in this folder (your code), not an installed one.
import os, sys
_here = os.path.abspath("")
sys.path.insert(0, _here)
import rnn_core
assert os.path.dirname(os.path.dirname(os.path.abspath(rnn_core.__file__))) == _here, (
    f"rnn_core was imported from {rnn_core.__file__}; restart the kernel and run this cell first")
print("rnn_core from this folder:", True)"""

_FENCE = r"(?P<fence>`{3,}|:{3,})"
_START = re.compile(r"^[ \t]*" + _FENCE + r"\{solution-start\}.*?^[ \t]*(?P=fence)[ \t]*$\n?",
                    re.M | re.S)
_END = re.compile(r"^[ \t]*" + _FENCE + r"\{solution-end\}.*?^[ \t]*(?P=fence)[ \t]*$\n?",
                  re.M | re.S)
_WHOLE = re.compile(r"^[ \t]*" + _FENCE + r"\{solution\}.*?^[ \t]*(?P=fence)[ \t]*$\n?",
                    re.M | re.S)


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _is_install_cell(cell) -> bool:
    src = _source(cell)
    return cell["cell_type"] == "code" and "import rnn_core" in src and "pip install" in src


def remove_exercise_solutions(cells: list) -> list:
    """Drop sphinx-exercise solution blocks; keep stubbed solution code and self-checks."""
    out, inside = [], False
    for cell in cells:
        if cell["cell_type"] != "markdown":
            if not inside:
                out.append(cell)
            elif SELF_CHECK in _tags(cell) or "BEGIN SOLUTION" in _source(cell):
                out.append(cell)  # the student writes this one
            continue
        text = _WHOLE.sub(NOTE + "\n", _source(cell))
        kept, pos = [], 0
        while True:
            if not inside:
                m = _START.search(text, pos)
                if not m:
                    kept.append(text[pos:])
                    break
                kept.append(text[pos:m.start()] + NOTE + "\n")
                inside, pos = True, m.end()
            else:
                m = _END.search(text, pos)
                if not m:
                    break  # the rest of this cell is solution text
                inside, pos = False, m.end()
        new_text = "".join(kept)
        if new_text.strip():
            new = copy.deepcopy(cell)
            new["source"] = new_text
            out.append(new)
    if inside:
        raise ValueError("a {solution-start} block has no {solution-end}")
    return out


def student_notebook(nb: dict) -> dict:
    """The student edition of notebook ``nb`` (a dict, not modified)."""
    nb = unfold(nb)  # a copy, in the executable form
    for cell in nb["cells"]:
        cell["source"] = _source(cell)
    nb["cells"] = remove_exercise_solutions(nb["cells"])
    for cell in nb["cells"]:
        stub = CODE_STUB if cell["cell_type"] == "code" else TEXT_STUB
        cell["source"], _ = clear_solution_regions(cell["source"], stub)
    edition = {"cell_type": "code", "execution_count": None, "id": "edition",
               "metadata": {"tags": ["student-edition"]}, "outputs": [], "source": EDITION_CELL}
    cells = []
    for cell in nb["cells"]:
        if _is_install_cell(cell):
            cell = dict(edition, id=cell.get("id", "edition"))
        elif cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    if not any(c.get("source") == EDITION_CELL for c in cells):
        first = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
        cells.insert(first, edition)
    nb["cells"] = cells
    return nb
