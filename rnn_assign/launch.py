"""Every chapter's first code cell: install ``rnn_core`` on a hosted kernel (Colab, Binder, a hub).

The repository URL has one home, ``repository.url`` in ``_config.yml``. This
module turns it into each notebook's install cell (:func:`install_cell`, with the
extras the notebook's imports need: :func:`notebook_extras`) and keeps every copy
of the URL equal to it. Run from the repository root (or pass ``--root``)::

    python -m rnn_assign check   # exit 1 and list every file whose copy differs
    python -m rnn_assign sync    # rewrite those copies

The copies: the first code cell of every chapter (which must be the install
cell), of every other ``book/*.ipynb`` whose first code cell is an install cell
(``instructors.ipynb``), and, in ``book/*.md``, ``CONTRIBUTING.md`` and
``README.md``, every repository URL written as ``rnn_core[EXTRAS] @ git+https://github.com/OWNER/NAME``
or ``git clone https://github.com/OWNER/NAME`` (with the ``cd NAME`` line that
follows a clone; these pages clone no other repository), and every other link to
a URL found so (a stale URL found in an install cell or a clone line). Links to
other projects are left alone.

In a notebook ``sync`` touches only the first code cell: its source, and its
``hide-output`` tag. Outputs, ids, other metadata and every other cell stay as
they are. In a text file it replaces only the URLs above.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

from rnn_book.folds import source as _source

TAG = "hide-output"
CHAPTER_GLOB = "ch[0-9][0-9]_*.ipynb"
#: Text files, relative to the repository root, whose repository URLs are kept in sync.
TEXT_GLOBS = ("book/*.md", "CONTRIBUTING.md", "README.md")

# A copy of this repository's URL in prose or code: an install (``git+URL``) or a clone.
_URL_COPY = re.compile(r"(?P<pre>rnn_core(?:\[[\w,]*\])?\s*@\s*git\+|git clone[ \t]+)(?P<url>https://github\.com/[\w.-]+/[\w.-]+)")
_CD = re.compile(r"^(?P<pre>[ \t]*cd[ \t]+)(?P<name>[\w.-]+)[ \t]*$")

_TEMPLATE = (
    "# On Colab or another hosted kernel, install rnn_core when it is missing.\n"
    "try:\n"
    "    import rnn_core\n"
    "except ImportError:\n"
    '    %pip install --quiet "rnn_core{extras} @ git+{url}"'
)
#: The extra of pyproject.toml that brings each importable name a notebook may use.
EXTRA_OF = {"rnn_book": "book", "matplotlib": "book", "tqdm": "cli", "threadpoolctl": "threads",
            "rnn_assign": "instructor", "yaml": "instructor"}


def repository_url(config: Path) -> str:
    """``repository.url`` from ``_config.yml``, read without a YAML library.

    Parameters
    ----------
    config : path of the Jupyter Book configuration file.

    Returns
    -------
    url : the URL, without a trailing slash or ``.git``.
    """
    in_repository = False
    for line in Path(config).read_text(encoding="utf-8").splitlines():
        if re.match(r"^repository\s*:", line):
            in_repository = True
            continue
        if in_repository:
            if line and not line[0].isspace() and not line.lstrip().startswith("#"):
                break  # the next top-level key
            m = re.match(r"^\s+url\s*:\s*[\"']?([^\"'#\s]+)", line)
            if m:
                url = m.group(1).rstrip("/")
                return url[: -len(".git")] if url.endswith(".git") else url
    raise ValueError(f"{config}: no repository.url found")


def install_cell(url: str, extras=()) -> str:
    """The text of a chapter's first code cell for the repository at ``url``.

    Parameters
    ----------
    url : the repository URL, e.g. ``https://github.com/owner/name``.
    extras : the extras of ``rnn_core`` to install, e.g. ``("book",)``.

    Returns
    -------
    source : the cell's source, without a trailing newline.
    """
    extras = sorted(set(extras))
    return _TEMPLATE.format(url=url.rstrip("/"),
                            extras=f"[{','.join(extras)}]" if extras else "")


def notebook_extras(nb: dict) -> tuple[str, ...]:
    """The extras (:data:`EXTRA_OF`) that the imports of a notebook's code cells need, sorted.

    The install cell (a cell with ``%pip install``) does not count; IPython magics are skipped.
    """
    found = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or "%pip install" in _source(cell):
            continue
        src = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                        for line in _source(cell).splitlines())
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            found.update(EXTRA_OF[n.split(".")[0]] for n in names if n.split(".")[0] in EXTRA_OF)
    return tuple(sorted(found))


def expected_cell(nb: dict, url: str) -> str:
    """The install cell notebook ``nb`` must start with."""
    return install_cell(url, notebook_extras(nb))


def chapters(book: Path) -> list[Path]:
    """The chapter notebooks ``book/chNN_*.ipynb``, in order."""
    return sorted(Path(book).glob(CHAPTER_GLOB))


def first_code_cell(nb: dict) -> dict | None:
    """The first code cell of a notebook (as parsed JSON), or None."""
    return next((c for c in nb.get("cells", []) if c.get("cell_type") == "code"), None)


def _url_copies(text: str, known: tuple[str, ...] = ()) -> list[tuple[int, int, str]]:
    """``(start, end, url)`` of every copy of a repository URL in ``text`` (see the module doc).

    Copies are the URLs after ``rnn_core @ git+`` or ``git clone``, and any other occurrence of one of
    the ``known`` URLs (copies found elsewhere), a link to its sub-pages included. ``url`` is
    normalised (no ``.git``); ``start:end`` spans it in ``text``, ``.git`` included, a
    sentence's full stop after it excluded. Sorted by ``start``.
    """
    found = {}
    for m in _URL_COPY.finditer(text):
        url = m.group("url").rstrip(".")
        end = m.start("url") + len(url)
        found[m.start("url")] = (m.start("url"), end,
                                 url[: -len(".git")] if url.endswith(".git") else url)
    for old in known:
        for m in re.finditer(re.escape(old) + r"(?:\.git)?(?![\w-]|\.\w)", text):
            found.setdefault(m.start(), (m.start(), m.end(), old))
    return [found[k] for k in sorted(found)]


def _differs(found: str, url: str) -> str:
    return f"repository URL {found} differs from _config.yml's {url}"


def install_cell_url(cell_source: str) -> str | None:
    """The repository URL an install cell installs from, or None."""
    copies = _url_copies(cell_source)
    return copies[0][2] if copies else None


def problems(path: Path, url: str) -> list[str]:
    """What is wrong with the first code cell of the notebook at ``path`` (empty when fine)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    expected = expected_cell(nb, url)
    cell = first_code_cell(nb)
    if cell is None:
        return ["has no code cell"]
    found = []
    source = _source(cell).rstrip("\n")
    if source != expected:
        url, got = install_cell_url(expected), install_cell_url(source)
        if got is not None and url is not None and got != url:
            found.append("install cell's " + _differs(got, url))
        else:
            found.append("first code cell is not the install cell of its imports "
                         "(rnn_assign.launch.install_cell)")
    if TAG not in cell.get("metadata", {}).get("tags", []):
        found.append(f"first code cell is not tagged {TAG!r}")
    return found


def notebooks(book: Path) -> list[Path]:
    """The notebooks whose first code cell must be the install cell.

    Every chapter, and every other ``book/*.ipynb`` whose first code cell installs
    something with ``%pip install`` (the instructor page).
    """
    found = chapters(book)
    for path in sorted(Path(book).glob("*.ipynb")):
        if path in found:
            continue
        try:
            cell = first_code_cell(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
        if cell is not None and "%pip install" in _source(cell):
            found.append(path)
    return found


def text_files(root: Path) -> list[Path]:
    """The text files whose repository URLs are kept in sync (:data:`TEXT_GLOBS`), if present."""
    seen = []
    for pattern in TEXT_GLOBS:
        for path in sorted(Path(root).glob(pattern)):
            if path.is_file() and path not in seen:
                seen.append(path)
    return seen


def known_urls(paths) -> tuple[str, ...]:
    """Every repository URL written after ``rnn_core @ git+`` or ``git clone`` in the files ``paths``."""
    found = []
    for path in paths:
        for _, _, url in _url_copies(Path(path).read_text(encoding="utf-8")):
            if url not in found:
                found.append(url)
    return tuple(found)


def text_problems(path: Path, url: str, known: tuple[str, ...] = ()) -> list[str]:
    """``line N: repository URL ... differs ...`` for each stale copy of the URL in a text file.

    ``known``: stale URLs found elsewhere (:func:`known_urls`); plain links to them count too.
    """
    text = Path(path).read_text(encoding="utf-8")
    known = tuple(k for k in known if k != url)
    return [f"line {text.count(chr(10), 0, start) + 1}: " + _differs(found, url)
            for start, _, found in _url_copies(text, known) if found != url]


def sync_text(path: Path, url: str, known: tuple[str, ...] = ()) -> bool:
    """Replace the stale copies of the repository URL in a text file by ``url``.

    ``known`` as in :func:`text_problems`. After ``git clone OLD``, a following
    ``cd OLD-NAME`` line becomes ``cd NEW-NAME``.
    Returns True when the file changed.
    """
    raw = Path(path).read_text(encoding="utf-8")
    lines = raw.splitlines(keepends=True)
    new_name = url.rstrip("/").rsplit("/", 1)[-1]
    known = tuple(k for k in known if k != url)
    renamed = None  # (old name) when the previous line cloned the old URL
    for i, line in enumerate(lines):
        if renamed is not None:
            body = line.rstrip("\r\n")
            m = _CD.match(body)
            if m and m.group("name") == renamed:
                lines[i] = m.group("pre") + new_name + line[len(body):]
                renamed = None
                continue
        renamed = None
        out, last = [], 0
        for start, end, found in _url_copies(line, known):
            if found == url:
                continue
            out += [line[last:start], url]
            last = end
            if line[:start].rstrip().endswith("git clone"):
                renamed = found.rsplit("/", 1)[-1]
        if out:
            lines[i] = "".join(out) + line[last:]
    text = "".join(lines)
    if text == raw:
        return False
    Path(path).write_text(text, encoding="utf-8")
    return True


def _split_lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def sync_notebook(path: Path, url: str) -> bool:
    """Make the first code cell of ``path`` its install cell, tagged ``hide-output``.

    A notebook without the install cell gets one inserted as its first code cell
    only when its current first code cell is not an install cell at all (one
    that mentions ``%pip install`` is replaced). Returns True when the file changed.
    """
    raw = Path(path).read_text(encoding="utf-8")
    nb = json.loads(raw)
    cell = first_code_cell(nb)
    expected = expected_cell(nb, url)
    if cell is None or "%pip install" not in _source(cell):
        new = {
            "cell_type": "code",
            "execution_count": None,
            "id": "install-rnn-core",
            "metadata": {"tags": [TAG]},
            "outputs": [],
            "source": _split_lines(expected),
        }
        if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
            del new["id"]
        cells = nb.setdefault("cells", [])
        at = cells.index(cell) if cell is not None else len(cells)
        cells.insert(at, new)
    else:
        if _source(cell).rstrip("\n") != expected:
            cell["source"] = _split_lines(expected)
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if TAG not in tags:
            tags.append(TAG)
    out = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if out == raw:
        return False
    Path(path).write_text(out, encoding="utf-8")
    return True


def _name(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``check`` and ``sync`` (shared with ``python -m rnn_assign``)."""
    parser.add_argument("--root", type=Path, default=None,
                        help="repository root holding _config.yml, CONTRIBUTING.md, README.md "
                             "and book/ (default: the folder of --config, else the current one)")
    parser.add_argument("--config", type=Path, default=None,
                        help="the _config.yml to read (default: ROOT/_config.yml)")
    parser.add_argument("--book", type=Path, default=None,
                        help="folder of the notebooks and pages (default: ROOT/book)")


def run(command: str, root=None, config=None, book=None) -> int:
    """``check`` or ``sync`` every copy of the repository URL; the exit status."""
    if root is None:
        root = Path(config).resolve().parent if config is not None else Path.cwd()
    root = Path(root)
    config = Path(config) if config is not None else root / "_config.yml"
    if not config.is_file():
        print(f"error: --config: {config} does not exist or is not a file (run from the "
              "repository root or pass --root)", file=sys.stderr)
        return 2
    try:
        url = repository_url(config)
    except (OSError, ValueError) as exc:
        print(f"error: --config: {exc}", file=sys.stderr)
        return 2
    book_given = book is not None
    book = Path(book) if book_given else root / "book"
    bad = 0
    for path in notebooks(book):
        if command == "check":
            for p in problems(path, url):
                print(f"{_name(path, root)}: {p}")
                bad += 1
        elif sync_notebook(path, url):
            print(f"synced {_name(path, root)}")
    pages = text_files(root)
    if book_given:  # pages of a book folder outside ROOT/book
        pages += [p for p in sorted(book.glob("*.md")) if p not in pages]
    known = known_urls(pages)
    for path in notebooks(book):
        cell = first_code_cell(json.loads(path.read_text(encoding="utf-8")))
        found = install_cell_url(_source(cell)) if cell is not None else None
        if found and found not in known:
            known += (found,)
    for path in pages:
        if command == "check":
            for p in text_problems(path, url, known):
                print(f"{_name(path, root)}: {p}")
                bad += 1
        elif sync_text(path, url, known):
            print(f"synced {_name(path, root)}")
    if command == "check":
        print(f"every copy of {url} in sync" if not bad
              else f"{bad} problem(s); fix with: python -m rnn_assign sync")
    return 1 if bad else 0


def main(argv=None) -> int:
    """``python -m rnn_assign.launch check|sync [--root DIR] [--config FILE] [--book DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m rnn_assign.launch",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("check", "sync"))
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.command, args.root, args.config, args.book)


if __name__ == "__main__":
    sys.exit(main())
