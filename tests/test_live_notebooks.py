"""The chapter notebooks outside the book: in Colab, in JupyterLab without jupyterlab-myst.

Those render Markdown as plain CommonMark, and so does nbconvert's HTML exporter: a chapter
rendered by stock nbconvert (no template of ours) shows what a learner sees there, and here

* every exercise reads as text (its maths rendered, not a code block of directive source);
* no line of any solution, prose, code or printed output, is visible outside a closed
  ``<details>``: the committed chapters are folded (``rnn_book/folds.py``), each solution one
  Markdown cell in ``<details class="rnn-fold">``, its code and output as text blocks.

``scripts/fold_solutions.py`` writes the folded form; a failure here means: run it.
The second part executes the Colab install cell, read from the notebooks, on both branches.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbconvert = pytest.importorskip("nbconvert")

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("ch*.ipynb"))
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("fold_solutions", ROOT / "scripts" / "fold_solutions.py")
fold_solutions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fold_solutions)
fold, unfold = fold_solutions.fold, fold_solutions.unfold

# The test's own reading of the gated solutions, independent of the fold module's.
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


def _outputs(cell) -> list[str]:
    lines = []
    for out in cell.get("outputs", []):
        lines += "".join(out.get("text", "") or out.get("data", {}).get("text/plain", "")).splitlines()
    return lines


def split_solutions(nb: dict) -> tuple[list[str], dict]:
    """The lines of every solution (prose, code, printed output), and ``nb`` without them.

    A solution runs from the line after its ``{solution-start}`` fence to the line before its
    ``{solution-end}`` fence, across cells; a code cell in between is part of it, and in the
    folded form its code and output are lines of the Markdown. The copy keeps everything else,
    the fold markup and the directive fences included.
    """
    lines, public, inside = [], json.loads(json.dumps(nb)), False
    kept = []
    for cell in public["cells"]:
        text = _source(cell)
        if cell["cell_type"] != "markdown":
            if inside:
                lines += text.splitlines() + _outputs(cell)
            else:
                kept.append(cell)
            continue
        pos, out = 0, []
        while True:
            marker = (END if inside else START).search(text, pos)
            chunk = text[pos:marker.start() if marker else len(text)]
            if inside:
                lines += chunk.splitlines()
            else:
                out.append(chunk)
            if not marker:
                break
            out.append(marker.group(0))
            inside, pos = not inside, marker.end()
        cell["source"] = "".join(out)
        kept.append(cell)
    public["cells"] = kept
    return [ln for ln in map(_norm, lines) if ln and not FOLD_MARKUP.match(ln)], public


def exercise_bodies(nb: dict) -> list[str]:
    """The first line of prose of every exercise."""
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for m in EXERCISE.finditer(_source(cell)):
                body = [ln for ln in m.group(3).splitlines() if ln.strip() and not ln.startswith(":")]
                found.append(body[0])
    return found


def render(nb: dict) -> str:
    """``nb`` as stock nbconvert renders it (HTMLExporter, its default template)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4))
    return body


class Reading(HTMLParser):
    """What a reader sees before unfolding anything, line by line, and the text of code blocks.

    The content of a ``<details>`` without ``open`` is hidden except its ``<summary>``; scripts
    and styles are not text.
    """

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.visible, self.code = [""], []
        self._details = []  # per open <details>: True when it is closed (hides its content)
        self._summary = 0
        self._skip = 0
        self._pre = 0
        self.feed(html)
        self.close()
        self.lines = [ln for ln in map(_norm, "".join(self.visible).split("\n")) if ln]

    def _hidden(self) -> bool:
        # Inside a closed <details>, only the summary of the outermost closed one is shown.
        closed = [i for i, hides in enumerate(self._details) if hides]
        return bool(closed) and not (self._summary and len(closed) == 1
                                     and closed[0] == len(self._details) - 1)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "details":
            self._details.append("open" not in dict(attrs))
        elif tag == "summary":
            self._summary += 1
        elif tag in ("pre", "code"):
            self._pre += 1
            self.code.append("")
        if tag in ("p", "div", "br", "li", "pre", "tr", "h1", "h2", "h3", "h4", "summary", "details"):
            self.visible.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "details" and self._details:
            self._details.pop()
        elif tag == "summary":
            self._summary = max(0, self._summary - 1)
        elif tag in ("pre", "code"):
            self._pre = max(0, self._pre - 1)
        if tag in ("p", "div", "li", "pre", "tr", "summary", "details"):
            self.visible.append("\n")

    def handle_data(self, data):
        if self._skip:
            return
        if self._pre and not self._hidden():
            self.code[-1] += data
        if not self._hidden():
            self.visible.append(data)


def unfolded_lines(nb: dict) -> list[str]:
    """Lines the rendered ``nb`` shows in plain view that the same page without solutions lacks.

    The page without solutions is ``nb`` with every solution's lines taken out (fold markup and
    directive fences kept): a closed fold then renders to its summary alone. Any line of a
    solution that is visible makes the two differ.
    """
    _, public = split_solutions(nb)
    seen, expected = Reading(render(nb)).lines, Reading(render(public)).lines
    return [d[2:] for d in difflib.ndiff(expected, seen) if d.startswith("+ ")]


# ------------------------------------------------------------------ the notebooks are folded


def test_fold_script_check_passes():
    assert fold_solutions.main(["--check", *map(str, NOTEBOOKS)]) == 0, (
        "run: python scripts/fold_solutions.py book/*.ipynb")


def _text_lines(nb: dict) -> list[str]:
    """Every line of source and of text output, without fold markup and fence lines."""
    lines = []
    for cell in nb["cells"]:
        lines += _source(cell).splitlines() + (_outputs(cell) if cell["cell_type"] == "code" else [])
    return [ln for ln in lines if ln.strip() and not FOLD_MARKUP.match(ln)
            and not re.match(r"^`{3,}(python rnn-cell.*|text rnn-output.*)?$", ln)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_fold_is_idempotent_and_keeps_the_text(path):
    nb = fold_solutions.normalised(_read(path))
    assert fold(nb) == nb
    executable = unfold(nb)
    assert fold(executable) == nb and fold(fold(executable)) == nb
    assert sum(c["cell_type"] == "code" for c in executable["cells"]) > sum(
        c["cell_type"] == "code" for c in nb["cells"]), f"{path.name}: no solution code cell"
    # Unfolding moves text between Markdown and code cells, and drops markup; nothing else.
    assert _text_lines(executable) == _text_lines(nb)


def test_check_mode_fails_on_an_unfolded_notebook(tmp_path):
    path = tmp_path / CHAPTERS[0].name
    path.write_text(json.dumps(unfold(_read(CHAPTERS[0]))), encoding="utf-8")
    assert fold_solutions.main(["--check", str(path)]) == 1
    assert fold_solutions.main([str(path)]) == 0
    assert fold_solutions.main(["--check", str(path)]) == 0
    assert _read(path) == _read(CHAPTERS[0])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_solutions_hold_no_code_cell(path):
    """In the committed file, each solution is one Markdown cell, inside one closed fold."""
    inside = False
    for i, cell in enumerate(_read(path)["cells"]):
        text = _source(cell)
        if cell["cell_type"] != "markdown":
            assert not inside, f"{path.name} cell {i}: a code cell inside a solution"
            continue
        starts, ends = len(START.findall(text)), len(END.findall(text))
        assert starts == ends <= 1, f"{path.name} cell {i}: a solution spans cells"
        if starts:
            assert text.startswith('<details class="rnn-fold">\n<summary>Solution</summary>\n')
            assert text.endswith("\n</details>") and text.count("<details") == 1


# ------------------------------------------------------------------ what nbconvert shows


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_nbconvert_shows_no_unfolded_solution(path):
    nb = _read(path)
    lines, _ = split_solutions(nb)
    code = [c for c in unfold(nb)["cells"] if c["cell_type"] == "code"]
    assert lines and len(code) > sum(c["cell_type"] == "code" for c in nb["cells"]), (
        f"{path.name}: no solutions found; the test reads nothing")
    assert unfolded_lines(nb) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_nbconvert_shows_exercises_as_text(path):
    nb = _read(path)
    reading = Reading(render(nb))
    seen, code = " ".join(reading.lines), " ".join(map(_norm, reading.code))
    bodies = exercise_bodies(nb)
    assert bodies, f"{path.name}: no exercises found"
    assert "{exercise}" not in code, "an exercise renders as a code block of directive source"
    for first in bodies:
        # Its words are on the page, outside any fold (maths stays as TeX for MathJax).
        words = _norm(re.sub(r"\$[^$]*\$|`[^`]*`|\{[a-z]+\}", " ", first)).split()[:4]
        assert " ".join(words) in re.sub(r"\$[^$]*\$|\{[a-z]+\}", " ", seen) or all(
            w in seen for w in words), f"{path.name}: exercise not visible: {first!r}"


def test_the_check_catches_an_unfolded_solution():
    """The same checks on notebooks that show solutions: each kind of line is caught."""
    nb = _read(CHAPTERS[0])
    # The executable form has no folds: prose, code and printed output are in plain view.
    executable = unfold(nb)
    leaked = unfolded_lines(executable)
    code_cells = [c for c in executable["cells"] if c["cell_type"] == "code"
                  and not any(c["source"] == d["source"] for d in nb["cells"])]
    prose = [ln for ln in split_solutions(nb)[0]  # lines with no markup render as written
             if len(ln) > 40 and re.fullmatch(r"[A-Za-z][\w ,.;:()'-]*", ln)
             and not any(ln in _norm(c["source"]) for c in code_cells)]
    assert prose and set(prose) <= set(leaked)
    assert all(_norm(c["source"].splitlines()[0]) in leaked for c in code_cells)
    assert all(_norm(_outputs(c)[-1]) in leaked for c in code_cells if _outputs(c))
    # A fold closed too early: the solution's printed output is outside it.
    cut = json.loads(json.dumps(nb))
    cell = next(c for c in cut["cells"] if "```text rnn-output" in _source(c))
    text = _source(cell).replace("\n</details>", "")
    cell["source"] = text.replace("```text rnn-output", "</details>\n\n```text rnn-output", 1)
    output = text.split("```text rnn-output\n", 1)[1].split("\n", 1)[0]
    assert unfolded_lines(cut) and _norm(output) in unfolded_lines(cut)
    # And a backtick-fenced exercise is a code block, which the exercise check refuses.
    raw = json.loads(json.dumps(nb))
    for c in raw["cells"]:
        if c["cell_type"] == "markdown":
            c["source"] = re.sub(r"^:::\{exercise\}(.*?)^:::$", r"```{exercise}\1```",
                                 _source(c), flags=re.M | re.S)
    assert "{exercise}" in " ".join(Reading(render(raw)).code)


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
