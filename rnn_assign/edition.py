"""Build a student edition: one folder a student can open, run and check.

The edition holds the chapter notebook, a copy of ``rnn_core`` with the
chapter's functions (and later chapters') stubbed, and a ``check.py`` built from
:mod:`rnn_core.assign.student_checks`. It does not hold ``rnn_core/assign``:
the grader's checks (:mod:`rnn_core.assign.checks`) contain the answers.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .notebook import student_notebook
from .stubs import marked_functions, stub_source
from .table import BOOK_DIR, CHAPTERS, PACKAGE_DIR, REPO_DIR, Chapter, owner_of

CHECK_HEADER = '''\
"""Check your functions for chapter {n}: python check.py (exit status 0 when all pass).

Gradient checks compare your backward passes with numerical gradients, property
checks test shapes, dtypes and invariants, and known-answer checks compare your
outputs on the fixed inputs below with fingerprints (SHA-256 digests) of the right
outputs. Your instructor grades with further checks on inputs drawn at grading time.
"""
FUNCTIONS = {functions!r}
DIGESTS = {digests}
'''

CHECK_FOOTER = """

if __name__ == "__main__":
    sys.exit(main(FUNCTIONS, DIGESTS, os.path.dirname(os.path.abspath(__file__))))
"""

KIND_TEXT = {
    "gradient": "gradient checks: your backward pass against numerical gradients",
    "property": "property checks: shapes, dtypes, inputs left unchanged, invariants",
    "known": "known-answer checks: your outputs on fixed inputs against fingerprints of "
             "the right answers",
}

README = """\
# Chapter {n}: {title} (student edition)

You write: {functions}.

Each of them is stubbed in `rnn_core/`: look for `# YOUR CODE HERE`. The comment
lines under it say which names are available there and which you must set or
return, and the `NotImplementedError` names what is missing. Everything that
earlier chapters derived works as in the book.{later}

## Install
Python 3.11 or newer, then in this folder:

    python -m pip install {pins} jupyterlab jupyterlab-myst

Do **not** `pip install rnn_core`: the notebook uses the copy in this folder,
and its first code cell checks that it does. `jupyterlab-myst` renders the
book's MyST markup (exercise boxes, figure references such as `{{numref}}`);
without it (and in Colab) that markup shows as raw text, which is harmless.

## Run
    jupyter lab {notebook}

Run the cells from the top. The outputs of cells that call the functions you
write (or use their results) were removed, because they would give the answers
away; those cells raise `NotImplementedError` until your code is in. Cells that
do not depend on your functions, diagrams and figures included, keep their
outputs.{self_checks}

## Check
    python check.py

prints a table with one row per check. For this chapter these are:

{kinds}

It exits with status 0 when everything passes. Hand in this whole folder.
Your instructor grades with further checks whose inputs are drawn at grading
time, so make your functions right for every input, not only for these.
"""

SELF_CHECK_TEXT = """

**Self-checks.** {count} of the notebook check your work as you go.
They carry the tag `self-check`, which JupyterLab shows only in the property
inspector (the gear icon in the right sidebar) and Colab not at all; you can
recognise them as the cells that print a sentence ending in `True` or `False`
(or stop with an `AssertionError`), such as
`{example}`. Their outputs were removed too: run them once your code is in."""


def _requirement_pins(names=("numpy", "matplotlib", "threadpoolctl", "tqdm"),
                      path=REPO_DIR / "requirements.txt") -> str:
    """``"numpy==X" "matplotlib==Y" ...`` as pinned in the repository's requirements.txt."""
    pins = {}
    if Path(path).is_file():
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            m = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s#;]+)", line)
            if m:
                pins[m.group(1).lower()] = m.group(2)
    return " ".join(f'"{n}=={pins[n]}"' if n in pins else n for n in names)


def known_digests(functions) -> dict:
    """Fingerprints of the reference outputs of the known-answer checks of ``functions``."""
    import rnn_core

    from . import student_checks as sc

    rnn = sc.Namespace(rnn_core)
    out = {}
    for function in functions:
        for kind, description, check in sc.CHECKS.get(function, []):
            if kind == "known":
                result = check(rnn, rnn.numerical_gradient)
                out[f"{function}: {description}"] = {k: sc.digest(v) for k, v in result.items()}
    return out


def check_script(chapter: Chapter) -> str:
    """The text of the edition's ``check.py``: the student checks, with no answers in them."""
    from . import student_checks

    mine = [f for _, f in chapter.derives]
    marker = "# --- check.py ---\n"
    body = Path(student_checks.__file__).read_text(encoding="utf-8")
    body = body[body.index(marker) + len(marker):]
    digests = json.dumps(known_digests(mine), indent=1, sort_keys=True)
    return CHECK_HEADER.format(n=chapter.number, functions=mine, digests=digests) + body + \
        CHECK_FOOTER


def _self_check_cells(nb: dict) -> list[str]:
    return [c["source"] for c in nb.get("cells", [])
            if "self-check" in c.get("metadata", {}).get("tags", [])]


def _readme(chapter: Chapter, stubbed, self_checks) -> str:
    from .student_checks import CHECKS as STUDENT_CHECKS

    mine = [f for _, f in chapter.derives]
    kinds = [k for k in KIND_TEXT
             if any(k == kind for f in mine for kind, _, _ in STUDENT_CHECKS.get(f, []))]
    later_stubbed = sorted(f for f in stubbed if f not in mine)
    example = ""
    for src in self_checks:
        m = re.search(r'print\((f?"[^"\n]{8,70}"),', src)
        if m:
            example = "print(" + m.group(1) + ", ...)"
            break
    if not example:
        prints = [ln.strip() for src in self_checks for ln in src.splitlines()
                  if ln.strip().startswith("print(")]
        if prints:
            example = prints[0] if len(prints[0]) <= 90 else prints[0][:86] + " ..."
    return README.format(
        n=chapter.number, title=chapter.title, notebook=chapter.notebook,
        functions=", ".join(f"`{f}`" for f in mine) or "(no functions in this chapter)",
        later=("" if not later_stubbed else
               "\nFunctions of later chapters are stubbed too: " +
               ", ".join(f"`{f}`" for f in later_stubbed) + "."),
        pins=_requirement_pins(),
        self_checks=("" if not self_checks else SELF_CHECK_TEXT.format(
            count=f"{len(self_checks)} code cell{'s' if len(self_checks) > 1 else ''}",
            example=example or "print(..., True)")),
        kinds="\n".join(f"- {KIND_TEXT[k]}" for k in kinds) or "- (no checks)")


def _later_message(function: str, chapter: Chapter) -> str:
    return (f"{function} is derived in chapter {owner_of(function)}; "
            f"this is the student edition of chapter {chapter.number}")


def make_edition(chapter: Chapter, out: Path, *, keep_later: bool = False,
                 use_nbgrader: bool | None = None, book_dir: Path = BOOK_DIR,
                 package_dir: Path = PACKAGE_DIR, overwrite: bool = False) -> dict:
    """Write the student edition of ``chapter`` into ``out``; return its manifest."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out: {out} is a file, not a folder")
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
    root = Path(package_dir).resolve()

    def ignore(folder, names):
        top = Path(folder).resolve() == root
        return [n for n in names if n in ("__pycache__", ".ipynb_checkpoints")
                or n.endswith(".pyc") or (top and n == "assign")]

    shutil.copytree(package_dir, pkg, ignore=ignore)
    stubbed = set()
    for module in sorted({marked[f] for f in stub}):
        path = pkg / module
        text, done = stub_source(path.read_text(encoding="utf-8"),
                                 [f for f in stub if marked[f] == module], stub,
                                 informative=True)
        path.write_text(text, encoding="utf-8")
        stubbed |= done

    engine, self_checks = None, []
    nb_path = Path(book_dir) / chapter.notebook
    if nb_path.exists():
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        nb, engine = student_notebook(nb, sorted(stubbed), use_nbgrader)
        self_checks = _self_check_cells(nb)
        (out / chapter.notebook).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    else:
        warnings.append(f"{nb_path} not found: the edition has no notebook")

    (out / "check.py").write_text(check_script(chapter), encoding="utf-8")
    (out / "README.md").write_text(_readme(chapter, stubbed, self_checks), encoding="utf-8")
    manifest = dict(chapter=chapter.number, notebook=chapter.notebook, functions=mine,
                    stubbed=sorted(stubbed), notebook_engine=engine, warnings=warnings)
    (out / "assignment.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest
