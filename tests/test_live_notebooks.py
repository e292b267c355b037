"""The chapter notebooks outside the book: in Colab, in JupyterLab without jupyterlab-myst.

Those render Markdown as plain CommonMark. nbconvert's HTML exporter does the same, so a chapter
rendered by nbconvert shows what a learner sees there:

* every exercise reads as text (its maths rendered, not a code block of directive source);
* no solution is in plain view: its Markdown sits in a closed ``<details>``, and its code cells
  carry ``jupyter.source_hidden``/``outputs_hidden``, the nbformat fields JupyterLab opens
  collapsed (nbconvert's own templates ignore them, so the render below adds them the way
  JupyterLab shows them: a fold to click) and Colab's ``cellView: "form"``.

``scripts/fold_solutions.py`` writes all of this; a failure here means: run it.
The second part executes the Colab install cell, read from the notebooks, on both branches.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbconvert = pytest.importorskip("nbconvert")
bs4 = pytest.importorskip("bs4")

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("ch*.ipynb"))
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("fold_solutions", ROOT / "scripts" / "fold_solutions.py")
fold_solutions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fold_solutions)

# The test's own reading of the gated solutions, independent of the script's.
START = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution-start\}[^\n]*\n(?:[ \t]*:[^\n]*\n)*[ \t]*\1[ \t]*$",
                   re.M)
END = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution-end\}[^\n]*\n[ \t]*\1[ \t]*$", re.M)
EXERCISE = re.compile(r"^[ \t]*(`{3,}|:{3,})\{exercise\}([^\n]*)\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)
FOLD_MARKUP = re.compile(r"^(<details[^>]*>|<summary>.*</summary>|</details>)$")


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def solution_pieces(nb: dict) -> list[str]:
    """Lines of every solution (Markdown prose, code, text outputs), long enough to be telling.

    A line that also occurs outside the solutions (an output printed in the chapter's text as
    well) tells nothing and is left out.
    """
    inside_lines, outside_lines = _lines(nb)
    public = " \n ".join(outside_lines)
    # Lines short enough to occur in the visible text by chance ("```", "plt.show()") say nothing.
    return [p for p in inside_lines if len(p) >= 25 and p not in public]


def _lines(nb: dict) -> tuple[list[str], list[str]]:
    pieces, public, inside = [], [], False
    for cell in nb["cells"]:
        text = _source(cell)
        if cell["cell_type"] == "code":
            lines = text.splitlines()
            for out in cell.get("outputs", []):
                lines += "".join(out.get("text", "") or out.get("data", {}).get("text/plain", "")
                                 ).splitlines()
            (pieces if inside else public).extend(lines)
            continue
        pos = 0
        while True:
            marker = (END if inside else START).search(text, pos)
            chunk = text[pos:marker.start() if marker else len(text)]
            lines = [ln for ln in chunk.splitlines() if not FOLD_MARKUP.match(ln.strip())
                     and not re.match(r"^[ \t]*(`{3,}|:{3,})|^:class:", ln)]
            (pieces if inside else public).extend(lines)
            if not marker:
                break
            inside, pos = not inside, marker.end()
    return [_norm(p) for p in pieces], [_norm(p) for p in public]


def exercise_bodies(nb: dict) -> list[str]:
    """The first line of prose of every exercise."""
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for m in EXERCISE.finditer(_source(cell)):
                body = [ln for ln in m.group(3).splitlines() if ln.strip() and not ln.startswith(":")]
                found.append(body[0])
    return found


# JupyterLab opens a cell whose metadata says source_hidden / outputs_hidden collapsed, behind a
# placeholder to click; nbconvert's lab template ignores both fields. This template renders them
# as JupyterLab shows them, as closed <details>, and changes nothing else.
_JUPYTERLAB_FOLDS = r"""
{%- extends 'index.html.j2' -%}
{% block input_group -%}
{%- if cell.metadata.get('jupyter', {}).get('source_hidden') -%}
<details class="jp-source-hidden"><summary>code</summary>{{ super() }}</details>
{%- else -%}{{ super() }}{%- endif -%}
{%- endblock input_group %}
{% block output_group -%}
{%- if cell.metadata.get('jupyter', {}).get('outputs_hidden') -%}
<details class="jp-outputs-hidden"><summary>outputs</summary>{{ super() }}</details>
{%- else -%}{{ super() }}{%- endif -%}
{%- endblock output_group %}
"""


def render(nb: dict, jupyterlab_folds: bool) -> str:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    node = nbformat.reads(json.dumps(nb), as_version=4)
    if jupyterlab_folds:
        exporter = HTMLExporter(extra_loaders=[DictLoader({"live.html.j2": _JUPYTERLAB_FOLDS})],
                                template_file="live.html.j2")
    else:
        exporter = HTMLExporter()  # stock: Markdown as classic Jupyter renders it
    body, _ = exporter.from_notebook_node(node)
    return body


def visible_text(html: str) -> str:
    """What a reader sees before unfolding anything: closed <details> show only their summary."""
    soup = bs4.BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head"]):
        tag.decompose()
    for details in soup.find_all("details"):
        if details.has_attr("open"):
            continue
        for child in list(details.children):
            if getattr(child, "name", None) != "summary":
                child.extract()
    return _norm(soup.get_text(" "))


def code_blocks_text(html: str) -> str:
    soup = bs4.BeautifulSoup(html, "html.parser")
    return " ".join(_norm(p.get_text(" ")) for p in soup.find_all(["pre", "code"]))


def unfolded_in(html: str, pieces: list[str]) -> list[str]:
    seen = visible_text(html)
    return [p for p in pieces if p in seen]


# ------------------------------------------------------------------ the notebooks are folded


def test_fold_script_check_passes():
    assert fold_solutions.main(["--check", *map(str, NOTEBOOKS)]) == 0, (
        "run: python scripts/fold_solutions.py book/*.ipynb")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_fold_is_idempotent_and_keeps_the_text(path):
    nb = _read(path)
    once = fold_solutions.fold(nb)
    assert fold_solutions.fold(once) == once
    # Folding adds markup and metadata, nothing else: every line of text is still there.
    before = [ln for c in nb["cells"] for ln in _source(c).splitlines() if ln.strip()]
    after = [ln for c in once["cells"] for ln in _source(c).splitlines() if ln.strip()]
    stripped = [ln for ln in after if not FOLD_MARKUP.match(ln)]
    unfenced = lambda lines: [re.sub(r"^[`:]{3,}", "", ln) for ln in lines]  # noqa: E731
    assert unfenced(stripped) == unfenced([ln for ln in before if not FOLD_MARKUP.match(ln)])


def test_check_mode_fails_on_an_unfolded_notebook(tmp_path):
    unfolded = fold_solutions.unfold(_read(CHAPTERS[0]))
    path = tmp_path / CHAPTERS[0].name
    path.write_text(json.dumps(unfolded), encoding="utf-8")
    assert fold_solutions.main(["--check", str(path)]) == 1
    assert fold_solutions.main([str(path)]) == 0
    assert fold_solutions.main(["--check", str(path)]) == 0


# ------------------------------------------------------------------ what nbconvert shows


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_nbconvert_shows_no_unfolded_solution(path):
    nb = _read(path)
    pieces = solution_pieces(nb)
    prose = solution_pieces({"cells": [c for c in nb["cells"] if c["cell_type"] == "markdown"]})
    assert pieces and prose, f"{path.name}: no solutions found; the test reads nothing"
    # Stock nbconvert: every line of solution prose is inside a closed <details>.
    assert unfolded_in(render(nb, jupyterlab_folds=False), prose) == []
    # With the cell folds JupyterLab honours, nothing of a solution is in plain view.
    assert unfolded_in(render(nb, jupyterlab_folds=True), pieces) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_nbconvert_shows_exercises_as_text(path):
    nb = _read(path)
    html = render(nb, jupyterlab_folds=False)
    seen, code = visible_text(html), code_blocks_text(html)
    bodies = exercise_bodies(nb)
    assert bodies, f"{path.name}: no exercises found"
    assert "{exercise}" not in code, "an exercise renders as a code block of directive source"
    for first in bodies:
        # Its words are on the page, outside any fold (maths stays as TeX for MathJax).
        words = _norm(re.sub(r"\$[^$]*\$|`[^`]*`|\{[a-z]+\}", " ", first)).split()[:4]
        assert " ".join(words) in re.sub(r"\$[^$]*\$|\{[a-z]+\}", " ", seen) or all(
            w in seen for w in words), f"{path.name}: exercise not visible: {first!r}"


def test_the_check_catches_an_unfolded_solution():
    """The same checks on the notebook without folds: the solutions are in plain view."""
    nb = fold_solutions.unfold(_read(CHAPTERS[0]))
    pieces = solution_pieces(nb)
    assert unfolded_in(render(nb, jupyterlab_folds=False), pieces)
    # Folded prose but code cells without the metadata: the code shows.
    half = fold_solutions.fold(nb)
    for cell in half["cells"]:
        cell.get("metadata", {}).pop("jupyter", None)
    code = [p for p in pieces if p not in solution_pieces(
        {"cells": [c for c in nb["cells"] if c["cell_type"] == "markdown"]})]
    assert unfolded_in(render(half, jupyterlab_folds=True), code)
    # And a backtick-fenced exercise is a code block, which the exercise check refuses.
    raw = json.loads(json.dumps(nb))
    for cell in raw["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = re.sub(r"^:::\{exercise\}(.*?)^:::$", r"```{exercise}\1```",
                                    _source(cell), flags=re.M | re.S)
    assert "{exercise}" in code_blocks_text(render(raw, jupyterlab_folds=False))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_solution_code_cells_fold_in_jupyterlab_and_colab(path):
    nb = _read(path)
    inside, checked = False, 0
    for i, cell in enumerate(nb["cells"]):
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            for m in re.finditer(r"\{solution-(start|end)\}", text):
                inside = m.group(1) == "start"
            continue
        meta = cell.get("metadata", {})
        hidden = meta.get("jupyter", {})
        if inside:
            checked += 1
            assert hidden.get("source_hidden") is True and hidden.get("outputs_hidden") is True, (
                f"{path.name} cell {i}: solution code not collapsed for JupyterLab")
            assert meta.get("cellView") == "form", f"{path.name} cell {i}: not hidden in Colab"
        else:
            assert not hidden.get("source_hidden") and "cellView" not in meta, (
                f"{path.name} cell {i}: a cell outside any solution is hidden")
    assert checked, f"{path.name}: no code cell inside a solution"


# ------------------------------------------------------------------ the Colab install cell


def _install_cell(path: Path) -> str:
    cell = next(c for c in _read(path)["cells"] if c["cell_type"] == "code")
    return _source(cell)


def _repository_url() -> str:
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    return re.search(r"^repository:\s*\n\s+url:\s*(\S+)", text, re.M).group(1)


class FakeIPython:
    def __init__(self):
        self.magics = []

    def run_line_magic(self, name, line):
        self.magics.append((name, line))


def run_install_cell(source: str, importable: bool, monkeypatch) -> list:
    """Execute the cell as IPython would (magics translated), with a fake ``%pip``."""
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    shell = FakeIPython()
    with monkeypatch.context() as m:
        if not importable:
            m.setitem(sys.modules, "rnn_core", None)  # `import rnn_core` raises ImportError
        exec(compile(code, "<install cell>", "exec"), {"get_ipython": lambda: shell})
    return shell.magics


INSTALL_LINE = re.compile(r'^install --quiet "rnn_core(\[([a-z,]+)\])? @ git\+(\S+)"$')


def test_every_chapter_has_the_same_install_cell_but_for_its_extras():
    """One cell everywhere; only the extras (what the chapter imports) differ."""
    cells = {p.name: re.sub(r"rnn_core\[[a-z,]+\]", "rnn_core[...]", _install_cell(p))
             for p in CHAPTERS}
    assert len(set(cells.values())) == 1, cells
    assert "import rnn_core" in next(iter(cells.values()))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_install_cell_does_nothing_when_rnn_core_is_importable(path, monkeypatch):
    assert run_install_cell(_install_cell(path), importable=True, monkeypatch=monkeypatch) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_install_cell_pip_installs_the_repository_when_rnn_core_is_missing(path, monkeypatch):
    magics = run_install_cell(_install_cell(path), importable=False, monkeypatch=monkeypatch)
    assert len(magics) == 1, magics
    name, line = magics[0]
    assert name == "pip"
    m = INSTALL_LINE.match(line)
    assert m is not None, line
    assert m.group(3) == _repository_url()
    extras = set((m.group(2) or "").split(",")) - {""}
    assert extras <= {"book", "cli", "threads", "instructor"}, extras


def test_install_cell_check_can_fail(monkeypatch):
    """A cell that always installs, or never does, fails one of the two branches above."""
    always = 'import rnn_core\n%pip install "rnn_core @ git+https://example.org/x"'
    assert run_install_cell(always, importable=True, monkeypatch=monkeypatch) != []
    never = "try:\n    import rnn_core\nexcept ImportError:\n    pass"
    assert run_install_cell(never, importable=False, monkeypatch=monkeypatch) == []
