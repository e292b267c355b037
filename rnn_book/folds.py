"""The two forms of a chapter notebook: folded (committed) and executable (generated).

A chapter's exercises use sphinx-exercise: ``:::{exercise}`` and a gated solution,
``{solution-start}`` ... ``{solution-end}``, whose code cells run like any other. The book
renders the solution as a dropdown; every other viewer (Colab, JupyterLab without
jupyterlab-myst, nbconvert, GitHub's preview) renders Markdown as plain CommonMark, where a
solution would be in plain view, code cells and printed answers included. So a chapter exists
in two forms:

**Folded** (``book/chNN_*.ipynb``, the committed file). Each solution is *one* Markdown cell::

    <details class="rnn-fold">
    <summary>Solution</summary>

    ```{solution-start} ex-ch04-einsum
    :class: dropdown
    ```
    Prose of the solution ...

    ```python rnn-cell tags=self-check
    the source of a solution code cell, verbatim
    ```

    ```text rnn-output
    what that cell printed (stdout), verbatim
    ```

    ```{solution-end}
    ```

    </details>

Every viewer shows it closed, and nothing of it runs. ``rnn-cell`` marks a code block that is a
cell of the executable form (``tags=`` lists its cell tags, such as ``self-check``);
``rnn-output`` marks what the cell before it printed (``stderr`` after it for the error stream,
``no-eol`` when the text does not end with a newline). Viewers read only the first word of a
fence's info string, so they show Python and plain text. The book drops the ``<details>`` HTML
(``book/_ext/book_site.py``) and shows the solution as a dropdown whose code and output are
static text. Exercises are colon fences (``:::{exercise}``), which read as text everywhere.

**Executable** (:func:`unfold`, never committed). Each ``rnn-cell`` block is a code cell again,
its ``rnn-output`` blocks its outputs, and the solution's prose Markdown cells around them, as
the chapter was written. ``scripts/execute_notebooks.sh`` runs this form and folds the result,
so a solution's printed output comes from real execution; ``book/conftest.py`` makes
``pytest --nbval`` run and check this form; the student editions start from it.

:func:`fold` accepts either form (it unfolds first), so it is idempotent, and
``fold(unfold(nb)) == nb`` for a folded ``nb``. What the folded form does not keep: a solution
code cell's id and execution count (rebuilt by :func:`unfold`: ids from the solution cell's,
counts following the previous code cell's) and the split of its streams into several outputs
(merged per stream, as nbval compares them). A solution code cell may print text only: a figure
or a displayed value cannot be folded into Markdown, and :func:`fold` says so.
"""

from __future__ import annotations

import copy
import json
import re

FOLD_OPEN = '<details class="rnn-fold">'
SUMMARY = "<summary>Solution</summary>"
FOLD_CLOSE = "</details>"
CELL_WORD = "rnn-cell"
OUTPUT_WORD = "rnn-output"

_FOLDED = re.compile(re.escape(FOLD_OPEN + "\n" + SUMMARY + "\n\n") + r"(?P<body>.*)\n\n"
                     + re.escape(FOLD_CLOSE) + r"\Z", re.S)
_CODE_FENCE = re.compile(r"^(?P<fence>`{3,})python " + CELL_WORD + r"(?P<options>(?: \S+)*)[ \t]*$")
_OUTPUT_FENCE = re.compile(r"^(?P<fence>`{3,})text " + OUTPUT_WORD
                           + r"(?: (?P<name>stdout|stderr))?(?P<noeol> no-eol)?[ \t]*$")
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<rest>.*)$")

# Cell metadata that is the viewer's state (JupyterLab's collapsed cells, Colab's form view,
# jupyter-execute's timings), not part of the chapter: folding drops it.
VIEW_STATE = ("jupyter", "collapsed", "scrolled", "cellView", "execution", "ExecuteTime")


def source(cell: dict) -> str:
    """A cell's source as one string (nbformat stores a list of lines or a string)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _text(output: dict) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def normalised(nb: dict) -> dict:
    """A copy of ``nb`` with every source and stream text as one string (for comparing)."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell["source"] = source(cell)
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = _text(out)
    return nb


def is_solution_cell(cell: dict) -> bool:
    """Whether ``cell`` is a folded solution (a Markdown cell that opens with the fold)."""
    return cell["cell_type"] == "markdown" and source(cell).startswith(FOLD_OPEN + "\n")


# ------------------------------------------------------------------ unfold


def _fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text`` (at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _closing(lines: list[str], start: int, fence: str) -> int:
    closing = re.compile(r"^ {0,3}`{%d,}[ \t]*$" % len(fence))
    for j in range(start, len(lines)):
        if closing.match(lines[j]):
            return j
    raise ValueError(f"a {fence} block in a folded solution is not closed")


def unfold_cell(cell: dict) -> list[dict]:
    """The cells of the executable form that the folded solution ``cell`` stands for."""
    m = _FOLDED.match(source(cell))
    if m is None:
        raise ValueError(f"cell {cell.get('id')}: a folded solution must be the whole cell: "
                         f"{FOLD_OPEN!r}, {SUMMARY!r}, a blank line, the solution, a blank line "
                         f"and {FOLD_CLOSE!r}")
    ident, meta = cell.get("id"), cell.get("metadata", {})
    cells, prose = [], []

    def with_id(new):  # the first cell keeps the solution's id, the others derive theirs
        if ident is not None:
            new["id"] = ident if not cells else f"{ident}-{len(cells)}"
        return new

    def flush():
        text = "\n".join(prose).strip("\n")
        prose.clear()
        if text:
            cells.append(with_id({"cell_type": "markdown", "metadata": copy.deepcopy(meta),
                                  "source": text}))

    lines, i = m.group("body").split("\n"), 0
    while i < len(lines):
        code, output = _CODE_FENCE.match(lines[i]), _OUTPUT_FENCE.match(lines[i])
        if not (code or output):
            prose.append(lines[i])
            i += 1
            continue
        j = _closing(lines, i + 1, (code or output).group("fence"))
        text = "\n".join(lines[i + 1:j])
        if code:
            flush()
            meta_code = {}
            for option in code.group("options").split():
                key, equals, value = option.partition("=")
                if key != "tags" or not equals or not value:
                    raise ValueError(f"cell {ident}: unknown option {option!r} in {lines[i]!r}")
                meta_code["tags"] = value.split(",")
            cells.append(with_id({"cell_type": "code", "execution_count": None,
                                  "metadata": meta_code, "outputs": [], "source": text}))
        else:
            if any(p.strip() for p in prose) or not cells or cells[-1]["cell_type"] != "code":
                raise ValueError(f"cell {ident}: an {OUTPUT_WORD} block must follow an "
                                 f"{CELL_WORD} block (blank lines only between them)")
            prose.clear()
            cells[-1]["outputs"].append({"name": output.group("name") or "stdout",
                                         "output_type": "stream",
                                         "text": text + ("" if output.group("noeol") else "\n")})
        i = j + 1
    flush()
    return cells


def unfold(nb: dict) -> dict:
    """The executable form of ``nb`` (a copy): every folded solution as the cells it stands for."""
    nb = copy.deepcopy(nb)
    cells, count = [], None
    for cell in nb["cells"]:
        new = unfold_cell(cell) if is_solution_cell(cell) else [cell]
        for c in new:
            if c["cell_type"] != "code":
                continue
            if c is cell:
                count = c.get("execution_count")
            else:  # run where it stands: one after the code cell before it
                count = c["execution_count"] = None if count is None else count + 1
        cells.extend(new)
    nb["cells"] = cells
    return nb


# ------------------------------------------------------------------ fences


def _blocks(text: str):
    """Split a cell's text into ``(kind, text)``: kind is a directive name or ``None``.

    A directive block runs from its opening fence to the first line that closes it (the same
    fence characters, at least as many, nothing else), as MyST reads it. Joining the texts
    with newlines gives ``text`` back.
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


def _fenced(info: str, text: str) -> str:
    """``text`` as a fenced block whose lines join back to exactly ``text``."""
    fence = _fence_for(text)
    return f"{fence}{info}\n" + (text + "\n" if text else "") + fence


def fold_code_cell(cell: dict) -> str:
    """A solution code cell as Markdown: its source, then each stream it printed."""
    ident = cell.get("id", "?")
    meta = {k: v for k, v in cell.get("metadata", {}).items() if k not in VIEW_STATE}
    tags = meta.pop("tags", [])
    if meta:
        raise ValueError(f"solution code cell {ident}: metadata {sorted(meta)} cannot be folded "
                         "into Markdown (only tags can)")
    if any(not re.fullmatch(r"[\w.-]+", t) for t in tags):
        raise ValueError(f"solution code cell {ident}: tags {tags} cannot be folded")
    parts = [_fenced(f"python {CELL_WORD}" + (f" tags={','.join(tags)}" if tags else ""),
                     source(cell))]
    streams: dict[str, str] = {}
    for out in cell.get("outputs", []):
        if out.get("output_type") != "stream":
            raise ValueError(f"solution code cell {ident}: a {out.get('output_type')} output "
                             "cannot be folded; a solution's code may only print text")
        streams[out["name"]] = streams.get(out["name"], "") + _text(out)  # merged, as nbval does
    for name, text in streams.items():
        info = f"text {OUTPUT_WORD}" + ("" if name == "stdout" else f" {name}")
        if text.endswith("\n"):
            text = text[:-1]
        else:
            info += " no-eol"
        parts.append(_fenced(info, text))
    return "\n\n".join(parts)


def _fold_solution(ident: str | None, meta: dict, parts: list) -> dict:
    """One folded Markdown cell from a solution's parts: ``(cell number, text)`` or a code cell."""
    merged = []  # consecutive text from the same cell joins as it was written
    for part in parts:
        if isinstance(part, tuple) and merged and isinstance(merged[-1], tuple) \
                and merged[-1][0] == part[0]:
            merged[-1] = (part[0], merged[-1][1] + "\n" + part[1])
        else:
            merged.append(part)
    texts = [p[1].strip("\n") if isinstance(p, tuple) else fold_code_cell(p) for p in merged]
    body = "\n\n".join(t for t in texts if t.strip())
    cell = {"cell_type": "markdown", "metadata": copy.deepcopy(meta),
            "source": f"{FOLD_OPEN}\n{SUMMARY}\n\n{body}\n\n{FOLD_CLOSE}"}
    if ident is not None:
        cell["id"] = ident
    return cell


def fold(nb: dict) -> dict:
    """The folded form of ``nb`` (a copy); ``nb`` may be in either form.

    Every solution becomes one folded Markdown cell (text before its ``{solution-start}`` and
    after its ``{solution-end}`` stays in cells of its own), and every exercise a colon fence.
    """
    nb = normalised(unfold(nb))
    out, solution = [], None  # solution: [id, metadata, parts] while inside one
    for number, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            if solution is None:
                out.append(cell)
            elif cell["cell_type"] == "code":
                solution[2].append(cell)
            else:
                raise ValueError(f"cell {cell.get('id')}: a {cell['cell_type']} cell inside a "
                                 "solution")
            continue
        ident, used, plain = cell.get("id"), 0, []

        def next_id():  # the first cell made of this one keeps its id
            nonlocal used
            used += 1
            return None if ident is None else ident if used == 1 else f"{ident}-s{used - 1}"

        def flush_plain():
            text = "\n".join(plain).strip("\n")
            plain.clear()
            if text.strip():
                new = dict(copy.deepcopy(cell), source=text)
                if ident is not None:
                    new["id"] = next_id()
                out.append(new)

        for kind, text in _blocks(cell["source"]):
            if kind == "exercise":
                text = colon_exercise(text)
            if kind == "solution-start":
                if solution is not None:
                    raise ValueError(f"cell {ident}: a {{solution-start}} inside another solution")
                flush_plain()
                solution = [next_id(), cell.get("metadata", {}), [(number, text)]]
            elif kind == "solution-end":
                if solution is None:
                    raise ValueError(f"cell {ident}: a {{solution-end}} without a {{solution-start}}")
                solution[2].append((number, text))
                out.append(_fold_solution(*solution))
                solution = None
            elif solution is not None:
                solution[2].append((number, text))
            else:
                plain.append(text)
        flush_plain()
    if solution is not None:
        raise ValueError("a {solution-start} block has no {solution-end}")
    seen = set()
    for cell in out:  # ids stay unique (nbformat 4.5)
        base, k = cell.get("id"), 1
        while base is not None and cell["id"] in seen:
            cell["id"], k = f"{base}-{k}", k + 1
        seen.add(cell.get("id"))
    nb["cells"] = out
    return nb


def is_folded(nb: dict) -> bool:
    """Whether ``nb`` is in the folded form (folding would change nothing)."""
    return fold(nb) == normalised(nb)


# ------------------------------------------------------------------ files


def dumps(nb: dict) -> str:
    """``nb`` as nbformat writes it: sources and stream texts as lists of lines, keys sorted."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell["source"] = source(cell).splitlines(keepends=True)
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = _text(out).splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
