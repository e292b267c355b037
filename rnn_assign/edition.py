"""Build a student edition: one folder a student can open, run and check.

The edition holds the chapter notebook, a copy of ``rnn_core`` with the bodies
of the chapter's functions (and later chapters') stubbed, a copy of ``rnn_book``
(the notebook's figures and ``show_source``), and a ``check.py`` made of
:mod:`rnn_assign.checklib` and :mod:`rnn_assign.checks`: the grader's own checks, run
with known answers (digests) where the grader compares with the reference.

The packages are copied from where Python imports them (``importlib.resources``);
the notebook comes from the book folder given (default: ``book/`` of the current
directory, the repository root).
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.resources
import json
import shutil
from pathlib import Path

import numpy as np

from rnn_book.table import CHAPTERS, Chapter, owner_of

from .markers import marked_functions, stub_source
from .notebook import student_notebook
CHECK_HEADER = '''\
"""Check your functions for chapter {n}: python check.py (exit status 0 when all pass).

Fixed checks compare your outputs with values worked out by hand (and check that
float32 stays float32 and no input is modified), gradient checks compare your backward
passes with numerical gradients, and known-answer checks compare your outputs on inputs
drawn from fixed seeds (CASES below) with the shapes and fingerprints (SHA-256 digests)
of the right outputs. The code below is your instructor's grader, which runs the same
checks (CHECKS) but compares with the book's rnn_core, on inputs drawn at grading time,
where you have the known answers (STUDENT_CHECKS).
"""
FUNCTIONS = {functions!r}
DIGESTS = {digests}
'''

CHECK_FOOTER = """

if __name__ == "__main__":
    sys.exit(main(FUNCTIONS, DIGESTS, os.path.dirname(os.path.abspath(__file__))))
"""

KIND_TEXT = {
    "fixed": "fixed checks: your outputs on small inputs against values worked out by hand; "
             "float32 kept, inputs left unchanged",
    "gradient": "gradient checks: your backward pass against numerical gradients",
    "known": "known-answer checks: your outputs on fixed inputs against the shapes and "
             "fingerprints of the right answers",
}

README = """\
# Chapter {n}: {title} (student edition)

You write: {functions}.

Each of them is stubbed in `rnn_core/`: look for `# YOUR CODE HERE`. The
signature, the shape contract above it and the docstring say what the function
takes and returns; its body is yours. Everything that earlier chapters derived
works as in the book.{later}

## Install
Python 3.11 or newer, then in this folder:

    python -m pip install {pins} jupyterlab jupyterlab-myst

Do **not** `pip install rnn_core`: the notebook uses the copy in this folder
(and the book's figure helpers in `rnn_book/`), and its first code cell checks
that it does. `jupyterlab-myst` renders the
book's MyST markup (exercise boxes, figure references such as `{{numref}}`);
without it (and in Colab) that markup shows as raw text, which is harmless.

## Run
    jupyter lab {notebook}

Run the cells from the top. The notebook comes without outputs, because they
would give the answers away; cells that use the functions you write raise
`NotImplementedError` until your code is in.{self_checks}

## Check
    python check.py

prints a table with one row per check. For this chapter these are:

{kinds}

It exits with status 0 when everything passes. Hand in this whole folder.
Your instructor grades with the same checks, except that in place of the
known answers your outputs are compared with the right ones on inputs drawn
at grading time: make your functions right for every input, not only for these.
"""

SELF_CHECK_TEXT = """

**Self-checks.** {count} of the notebook check your work as you go.
They carry the tag `self-check`, which JupyterLab shows only in the property
inspector (the gear icon in the right sidebar) and Colab not at all; you can
recognise them as the cells that print a sentence ending in `True` or `False`
(or stop with an `AssertionError`). Run them once your code is in."""


def package_dir(name: str) -> Path:
    """The folder of the installed package ``name`` (an editable install included)."""
    files = importlib.resources.files(name)
    if not isinstance(files, Path):
        raise RuntimeError(f"{name} is not installed as a folder ({files!r})")
    return files


def standalone(*modules: str) -> str:
    """The modules ``rnn_assign.<name>`` joined into one script, for ``check.py`` and the grader.

    Each module's docstring, ``from __future__`` line and imports from its
    neighbours (``from .checklib import ...``) are dropped: the neighbours' code
    is in the same file.
    """
    parts = []
    for name in modules:
        source = importlib.resources.files("rnn_assign").joinpath(f"{name}.py").read_text(
            encoding="utf-8")
        lines = source.splitlines()
        drop = set()
        tree = ast.parse(source)
        for node in tree.body:
            relative = isinstance(node, ast.ImportFrom) and (node.level or node.module == "__future__")
            docstring = node is tree.body[0] and isinstance(node, ast.Expr) and isinstance(
                getattr(node, "value", None), ast.Constant)
            if relative or docstring:
                drop.update(range(node.lineno - 1, node.end_lineno))
        parts.append(f"# --- rnn_assign/{name}.py ---\n"
                     + "\n".join(ln for i, ln in enumerate(lines) if i not in drop).strip() + "\n")
    return "\n\n".join(parts)


def _requirement_pins(names=("numpy", "matplotlib", "threadpoolctl", "tqdm")) -> str:
    """``"numpy==X" "matplotlib==Y" ...``: the versions the edition was built with."""
    pins = []
    for name in names:
        try:
            pins.append(f'"{name}=={importlib.metadata.version(name)}"')
        except importlib.metadata.PackageNotFoundError:
            pins.append(name)
    return " ".join(pins)


def known_digests(functions) -> dict:
    """Shapes and fingerprints of the reference outputs of the known-answer checks of
    ``functions``."""
    import rnn_core

    from . import checklib, checks

    out = {}
    for function in functions:
        for kind, description, check in checks.STUDENT_CHECKS.get(function, []):
            if kind == "known":
                outputs = check(rnn_core, rnn_core)
                out[f"{function}: {description}"] = {
                    k: [list(np.shape(v)), checklib.digest(v)] for k, v in outputs.items()}
    return out


def check_script(chapter: Chapter) -> str:
    """The text of the edition's ``check.py``: the student's checks and the known-answer digests."""
    mine = [f for _, f in chapter.derives]
    digests = json.dumps(known_digests(mine), indent=1, sort_keys=True)
    return (CHECK_HEADER.format(n=chapter.number, functions=mine, digests=digests)
            + standalone("checklib", "checks") + CHECK_FOOTER)


def _self_check_cells(nb: dict) -> list[str]:
    return [c["source"] for c in nb.get("cells", [])
            if "self-check" in c.get("metadata", {}).get("tags", [])]


def _readme(chapter: Chapter, stubbed, self_checks) -> str:
    from .checks import STUDENT_CHECKS

    mine = [f for _, f in chapter.derives]
    kinds = [k for k in KIND_TEXT
             if any(k == kind for f in mine for kind, _, _ in STUDENT_CHECKS.get(f, []))]
    later_stubbed = sorted(f for f in stubbed if f not in mine)
    return README.format(
        n=chapter.number, title=chapter.title, notebook=chapter.notebook,
        functions=", ".join(f"`{f}`" for f in mine) or "(no functions in this chapter)",
        later=("" if not later_stubbed else
               "\nFunctions of later chapters are stubbed too: " +
               ", ".join(f"`{f}`" for f in later_stubbed) + "."),
        pins=_requirement_pins(),
        self_checks=("" if not self_checks else SELF_CHECK_TEXT.format(
            count=f"{len(self_checks)} code cell{'s' if len(self_checks) > 1 else ''}")),
        kinds="\n".join(f"- {KIND_TEXT[k]}" for k in kinds) or "- (no checks)")


def _message(function: str, chapter: Chapter) -> str:
    """The text of the ``NotImplementedError`` that replaces the body of ``function``."""
    owner = owner_of(function)
    if owner == chapter.number:
        return f"{function}: write its body (the docstring says what it computes)"
    return (f"{function} is derived in chapter {owner}; "
            f"this is the student edition of chapter {chapter.number}")


def make_edition(chapter: Chapter, out: Path, *, keep_later: bool = False,
                 book_dir: Path = Path("book"), overwrite: bool = False) -> dict:
    """Write the student edition of ``chapter`` into ``out``; return its manifest.

    ``book_dir``: the folder of the chapter notebooks (default: ``book/`` of the
    current directory).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out: {out} is a file, not a folder")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(f"--out: {out} exists and is not empty (use --force)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)

    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in ("rnn_core", "rnn_book"):
        shutil.copytree(package_dir(name), out / name, ignore=ignore)
    marked = marked_functions(out / "rnn_core")
    mine = [f for _, f in chapter.derives]
    later = [f for c in CHAPTERS.values() if c.number > chapter.number for _, f in c.derives]
    stub = {f: _message(f, chapter) for f in mine + ([] if keep_later else later) if f in marked}
    warnings = [f"{f}: no solution markers in rnn_core/{m}; left as is"
                for m, f in chapter.derives if f not in marked]
    stubbed = set()
    for module in sorted({marked[f] for f in stub}):
        path = out / "rnn_core" / module
        text, done = stub_source(path.read_text(encoding="utf-8"),
                                 {f: m for f, m in stub.items() if marked[f] == module})
        path.write_text(text, encoding="utf-8")
        stubbed |= done

    self_checks = []
    nb_path = Path(book_dir) / chapter.notebook
    if nb_path.exists():
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        nb = student_notebook(nb)
        self_checks = _self_check_cells(nb)
        (out / chapter.notebook).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    else:
        warnings.append(f"{nb_path} not found: the edition has no notebook")

    (out / "check.py").write_text(check_script(chapter), encoding="utf-8")
    (out / "README.md").write_text(_readme(chapter, stubbed, self_checks), encoding="utf-8")
    manifest = dict(chapter=chapter.number, notebook=chapter.notebook, functions=mine,
                    stubbed=sorted(stubbed), warnings=warnings)
    (out / "assignment.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest
