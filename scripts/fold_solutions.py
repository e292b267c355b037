#!/usr/bin/env python3
"""Make the chapter notebooks read well outside the book: exercises as text, solutions folded.

The book renders ``{exercise}`` and the gated ``{solution-start}`` ... ``{solution-end}``
blocks with sphinx-exercise. Colab, JupyterLab without jupyterlab-myst and nbconvert render
Markdown as plain CommonMark, where a backtick-fenced directive is a code block and a solution is
just more text. This script rewrites every notebook so that, outside the book,

* an exercise is a **colon fence** (``:::{exercise} Title``): MyST's own syntax for directives
  whose content must also render as Markdown elsewhere. The body, maths included, renders as
  text; only the fence line shows as a short line of plain text.
* every stretch of a solution that lies in a Markdown cell is wrapped in
  ``<details class="rnn-fold"><summary>Solution</summary> ... </details>``, the directive fences
  included, so the solution is folded in Colab, JupyterLab, nbconvert's HTML and GitHub's
  preview. A Markdown cell cannot fold the cells after it, so
* every **code cell** inside a solution gets the nbformat metadata ``jupyter.source_hidden`` and
  ``jupyter.outputs_hidden`` (JupyterLab and Notebook 7 open the cell collapsed) and Colab's
  ``cellView: "form"`` (Colab hides the code behind "Show code").

The book is unchanged: ``book/_ext/book_site.py`` drops the ``rnn-fold`` HTML before
sphinx-exercise sees the solution, myst-nb ignores the cell metadata, and the colon fence is the
same directive as the backtick one.

The transformation is idempotent (``fold(fold(nb)) == fold(nb)``): it first removes what it
added before, so it can be re-run after anyone edits the prose. Usage::

    python scripts/fold_solutions.py book/*.ipynb          # rewrite in place
    python scripts/fold_solutions.py --check book/*.ipynb  # exit 1 if any notebook is not folded
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

FOLD_OPEN = '<details class="rnn-fold">'
FOLD_CLOSE = "</details>"
SUMMARY_START = "Solution"
SUMMARY_MORE = "Solution (continued)"
SUMMARY_END = "End of solution"
_SUMMARY = re.compile(r"^<summary>[^<\n]*</summary>$")

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<rest>.*)$")

HIDDEN = {"source_hidden": True, "outputs_hidden": True}
COLAB_VIEW = ("cellView", "form")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


# ------------------------------------------------------------------ unfold


def unfold_text(text: str) -> str:
    """A Markdown cell's text without the fold markup this script adds."""
    lines = text.split("\n")
    out, i, depth = [], 0, 0
    while i < len(lines):
        line = lines[i]
        if line == FOLD_OPEN and i + 1 < len(lines) and _SUMMARY.match(lines[i + 1]):
            depth += 1
            i += 2
            if i < len(lines) and lines[i] == "":
                i += 1  # the blank line after <summary> that lets Markdown resume
            continue
        if line == FOLD_CLOSE and depth:
            depth -= 1
            if out and out[-1] == "":
                out.pop()  # the blank line before </details>
            i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out).strip("\n")


def unfold(nb: dict) -> dict:
    """``nb`` without any fold (a copy); exercise fences keep the colon form."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = unfold_text(_source(cell))
        elif cell["cell_type"] == "code":
            meta = cell.setdefault("metadata", {})
            jup = meta.get("jupyter", {})
            for key in HIDDEN:
                jup.pop(key, None)
            if "jupyter" in meta and not jup:
                del meta["jupyter"]
            if meta.get(COLAB_VIEW[0]) == COLAB_VIEW[1]:
                del meta[COLAB_VIEW[0]]
    return nb


# ------------------------------------------------------------------ fences


def _blocks(text: str):
    """Split a cell's text into ``(kind, text)``: kind is a directive name or ``None``.

    A directive block runs from its opening fence to the first line that closes it (the same
    fence characters, at least as many, nothing else), as MyST reads it.
    """
    lines = text.split("\n")
    blocks, plain, i = [], [], 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if m and m.group("name") in ("exercise", "solution-start", "solution-end", "solution"):
            fence = m.group("fence")
            closing = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
            j = i + 1
            while j < len(lines) and not closing.match(lines[j]):
                j += 1
            if plain:
                blocks.append((None, "\n".join(plain)))
                plain = []
            blocks.append((m.group("name"), "\n".join(lines[i:j + 1])))
            i = j + 1
            continue
        plain.append(lines[i])
        i += 1
    if plain:
        blocks.append((None, "\n".join(plain)))
    return blocks


def colon_exercise(block: str) -> str:
    """An ``{exercise}`` as a colon fence (the same directive for MyST), its body set apart.

    Blank lines after the options and before the closing fence make plain Markdown render the
    fence line, the body and the closing ``:::`` as separate paragraphs.
    """
    lines = block.split("\n")
    m = _FENCE_OPEN.match(lines[0])
    fence = m.group("fence")
    closed = len(lines) > 1 and re.fullmatch(r"[ \t]*" + re.escape(fence[0]) + "{3,}[ \t]*", lines[-1])
    body = lines[1:-1] if closed else lines[1:]
    options = []
    while body and re.match(r"^[ \t]*:[\w-]+:", body[0]):
        options.append(body.pop(0))
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    depth = 3
    while any(re.match(r"^[ \t]*:{%d,}" % depth, ln) for ln in body):
        depth += 1  # a nested colon fence inside: the outer one must be longer
    colons = ":" * depth
    head = f"{m.group('indent')}{colons}{{exercise}}{m.group('rest')}"
    return "\n".join([head, *options, "", *body, "", colons])


# ------------------------------------------------------------------ fold


def _wrap(text: str, summary: str) -> str:
    return f"{FOLD_OPEN}\n<summary>{summary}</summary>\n\n{text.strip(chr(10))}\n\n{FOLD_CLOSE}"


def fold(nb: dict) -> dict:
    """``nb`` (parsed JSON) with exercises as colon fences and every solution folded (a copy)."""
    nb = unfold(nb)
    inside = False
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            if inside:
                meta = cell.setdefault("metadata", {})
                meta.setdefault("jupyter", {}).update(HIDDEN)
                meta[COLAB_VIEW[0]] = COLAB_VIEW[1]
            continue
        if cell["cell_type"] != "markdown":
            continue
        pieces, run, run_summary = [], [], SUMMARY_MORE if inside else None

        def flush():
            nonlocal run
            if run:
                pieces.append(_wrap("\n".join(run), run_summary))
                run = []

        for kind, text in _blocks(_source(cell)):
            if kind == "exercise":
                text = colon_exercise(text)
            if kind == "solution-start":
                if inside:
                    raise ValueError("a {solution-start} inside another solution")
                inside, run_summary = True, SUMMARY_START
                run.append(text)
            elif kind == "solution-end":
                if not inside:
                    raise ValueError("a {solution-end} without a {solution-start}")
                if run_summary == SUMMARY_MORE and not _has_prose(run):
                    run_summary = SUMMARY_END
                run.append(text)
                flush()
                inside = False
            elif inside:
                run.append(text)
            else:
                pieces.append(text)
        flush()
        cell["source"] = "\n\n".join(p.strip("\n") for p in pieces if p.strip())
    if inside:
        raise ValueError("a {solution-start} block has no {solution-end}")
    return nb


def _has_prose(run: list[str]) -> bool:
    return any(t.strip() for t in run)


def is_folded(nb: dict) -> bool:
    return fold(nb) == nb


# ------------------------------------------------------------------ files


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, nb: dict) -> None:
    # Markdown sources as nbformat writes them (a list of lines), code cells untouched.
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), str):
            cell["source"] = cell["source"].splitlines(keepends=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def _normalised(nb: dict) -> dict:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell["source"] = _source(cell)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook is not folded")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        nb = _normalised(_read(path))
        folded = fold(nb)
        if folded == nb:
            continue
        stale.append(path)
        if not args.check:
            _write(path, folded)
            print(f"folded {path}")
    if args.check and stale:
        for path in stale:
            print(f"{path}: not folded; run python scripts/fold_solutions.py {path}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
