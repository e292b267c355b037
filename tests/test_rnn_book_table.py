"""The chapter table (rnn_book.table) agrees with the book."""

from __future__ import annotations

import json

import pytest

from rnn_book.table import CHAPTERS, owner_of, resolve_chapter
from tests._assign_support import ROOT


def _h1(notebook):
    nb = json.loads((ROOT / "book" / notebook).read_text(encoding="utf-8"))
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
        f"rnn_book/table.py calls chapter {number} {chapter.title!r}; "
        f"book/{chapter.notebook} is titled {_h1(chapter.notebook)!r}")



def test_resolve_chapter():
    assert resolve_chapter("3").number == 3
    assert resolve_chapter("ch05_bptt.ipynb").number == 5
    assert resolve_chapter("book/ch02_unrolling.ipynb").number == 2
    with pytest.raises(ValueError, match="CHAPTER"):
        resolve_chapter("12")



def test_owner_of():
    assert owner_of("rnn_step_backward") == 4 and owner_of("Adam._update") == 7
    with pytest.raises(KeyError):
        owner_of("no_such_function")
