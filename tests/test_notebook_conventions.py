"""The conventions of CONTRIBUTING.md that can be read off the committed notebooks.

nbval checks that each notebook reproduces its outputs; these tests check that
the outputs and metadata are the kind the book promises: run top to bottom,
no errors, every figure captioned and described, nothing that another BLAS
would change at the last digit. They read the executable form (rnn_book/folds.py), in
which the code cells folded into the solutions' Markdown are cells again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rnn_book.folds import unfold

BOOK = Path(__file__).resolve().parents[1] / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
RAW_NUMPY_SCALAR = re.compile(r"np\.(float|int)(16|32|64)\(")


def cells_of(path: Path):
    return unfold(json.loads(path.read_text(encoding="utf-8")))["cells"]


def code_cells(path: Path):
    return [c for c in cells_of(path) if c["cell_type"] == "code"]


def output_text(output) -> str:
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    return "".join(output.get("data", {}).get("text/plain", ""))


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return request.param


def test_there_are_chapters():
    assert len([p for p in NOTEBOOKS if p.name.startswith("ch")]) >= 7


def test_executed_top_to_bottom(notebook):
    counts = [c.get("execution_count") for c in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), f"{notebook.name}: {counts}"


def test_no_error_outputs(notebook):
    for i, cell in enumerate(code_cells(notebook)):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{notebook.name} code cell {i}: {out.get('ename')}"


def test_every_figure_has_caption_and_alt_text(notebook):
    for i, cell in enumerate(code_cells(notebook)):
        has_image = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        if not has_image:
            continue
        meta = cell.get("metadata", {}).get("mystnb", {})
        caption = meta.get("figure", {}).get("caption", "")
        alt = meta.get("image", {}).get("alt", "")
        assert caption.strip(), f"{notebook.name} code cell {i}: figure without caption"
        assert len(alt.strip()) >= 20, f"{notebook.name} code cell {i}: figure without real alt text"


def test_one_figure_per_cell(notebook):
    """A cell ending in a bare ``fig`` shows its figure twice; the caption fits only one."""
    for i, cell in enumerate(code_cells(notebook)):
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        assert len(images) <= 1, f"{notebook.name} code cell {i}: {len(images)} figures"


def test_no_raw_numpy_scalar_reprs(notebook):
    """``np.float64(0.5648738071467869)`` breaks nbval under another BLAS; print rounded values."""
    for i, cell in enumerate(code_cells(notebook)):
        tags = cell.get("metadata", {}).get("tags", [])
        if "nbval-ignore-output" in tags:
            continue
        for out in cell.get("outputs", []):
            text = output_text(out)
            assert not RAW_NUMPY_SCALAR.search(text), f"{notebook.name} code cell {i}: {text[:120]!r}"


def test_no_timing_metadata(notebook):
    """jupyter-execute's per-cell timestamps make every re-run a diff; scripts/execute_notebooks.sh drops them."""
    for i, cell in enumerate(cells_of(notebook)):
        assert "execution" not in cell.get("metadata", {}), f"{notebook.name} cell {i}"
