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
#: The extra of pyproject.toml that brings each importable name a notebook may use.
EXTRA_OF = {"rnn_book": "book", "matplotlib": "book", "tqdm": "cli", "threadpoolctl": "threads",
            "rnn_assign": "instructor", "yaml": "instructor"}

# A copy of this repository's URL in prose or code: an install (``git+URL``) or a clone.
_COPY = re.compile(r"(?:rnn_core(?:\[[\w,]*\])?\s*@\s*git\+|git clone[ \t]+)"
                   r"(https://github\.com/[\w.-]+/[\w.-]+)")
# ``git clone URL [options]`` and, on the next line, ``cd NAME`` into the clone.
_CLONE_CD = re.compile(r"(?P<head>git clone[ \t]+(?P<url>https://github\.com/[\w.-]+/(?P<name>[\w.-]+?))"
                       r"(?:\.git)?(?![\w.-])[^\n]*\n[ \t]*cd[ \t]+)(?P=name)(?=[ \t]*\r?$)", re.M)
_TEMPLATE = (
    "# On Colab or another hosted kernel, install rnn_core when it is missing.\n"
    "try:\n"
    "    import rnn_core\n"
    "except ImportError:\n"
    '    %pip install --quiet "rnn_core{extras} @ git+{url}"'
)


def _plain(url: str) -> str:
    """A URL as written, without a sentence's full stop, a trailing slash or ``.git``."""
    url = url.rstrip("./")
    return url[: -len(".git")] if url.endswith(".git") else url


def repository_url(config: Path) -> str:
    """``repository.url`` of a Jupyter Book ``_config.yml``, without a trailing slash or ``.git``."""
    import yaml

    try:
        config_dict = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{config}: not valid YAML ({' '.join(str(exc).split())})") from None
    repository = config_dict.get("repository") if isinstance(config_dict, dict) else None
    url = repository.get("url") if isinstance(repository, dict) else None
    if not url:
        raise ValueError(f"{config}: no repository.url found")
    return _plain(str(url))


def install_cell(url: str, extras=()) -> str:
    """The source (no trailing newline) of the first code cell of a notebook that imports what
    the ``extras`` of ``rnn_core`` bring, e.g. ``("book",)``, installed from ``url``."""
    extras = sorted(set(extras))
    return _TEMPLATE.format(url=url.rstrip("/"), extras=f"[{','.join(extras)}]" if extras else "")


def notebook_extras(nb: dict) -> tuple[str, ...]:
    """The extras (:data:`EXTRA_OF`) that the imports of a notebook's code cells need, sorted.

    The install cell (a cell with ``%pip install``) does not count; IPython magics are skipped.
    """
    found = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or "%pip install" in _source(cell):
            continue
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in _source(cell).splitlines())
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            found.update(EXTRA_OF[n.split(".")[0]] for n in names if n.split(".")[0] in EXTRA_OF)
    return tuple(sorted(found))


def chapters(book: Path) -> list[Path]:
    """The chapter notebooks ``book/chNN_*.ipynb``, in order."""
    return sorted(Path(book).glob(CHAPTER_GLOB))


def first_code_cell(nb: dict) -> dict | None:
    """The first code cell of a notebook (as parsed JSON), or None."""
    return next((c for c in nb.get("cells", []) if c.get("cell_type") == "code"), None)


def install_cell_url(cell_source: str) -> str | None:
    """The repository URL an install cell installs from, or None."""
    m = _COPY.search(cell_source)
    return _plain(m[1]) if m else None


def _differs(found: str, url: str) -> str:
    return f"repository URL {found} differs from _config.yml's {url}"


def problems(path: Path, url: str) -> list[str]:
    """What is wrong with the first code cell of the notebook at ``path`` (empty when fine)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cell = first_code_cell(nb)
    if cell is None:
        return ["has no code cell"]
    found, source = [], _source(cell).rstrip("\n")
    if source != install_cell(url, notebook_extras(nb)):
        got = install_cell_url(source)
        found.append("install cell's " + _differs(got, url) if got not in (None, url) else
                     "first code cell is not the install cell of its imports "
                     "(rnn_assign.launch.install_cell)")
    if TAG not in cell.get("metadata", {}).get("tags", []):
        found.append(f"first code cell is not tagged {TAG!r}")
    return found


def sync_notebook(path: Path, url: str) -> bool:
    """Make the first code cell of ``path`` its install cell, tagged ``hide-output``.

    A first code cell that mentions ``%pip install`` is rewritten; otherwise the install cell
    is inserted before it. Returns True when the file changed.
    """
    raw = Path(path).read_text(encoding="utf-8")
    nb = json.loads(raw)
    cell, lines = first_code_cell(nb), install_cell(url, notebook_extras(nb)).splitlines(keepends=True)
    if cell is None or "%pip install" not in _source(cell):
        cells = nb.setdefault("cells", [])
        new = {"cell_type": "code", "execution_count": None, "id": "install-rnn-core",
               "metadata": {"tags": [TAG]}, "outputs": [], "source": lines}
        if (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) < (4, 5):
            del new["id"]  # cell ids came with nbformat 4.5
        cells.insert(cells.index(cell) if cell else len(cells), new)
    else:
        if _source(cell).rstrip("\n") != "".join(lines):
            cell["source"] = lines
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        tags += [] if TAG in tags else [TAG]
    out = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if out != raw:
        Path(path).write_text(out, encoding="utf-8")
    return out != raw


def notebooks(book: Path) -> list[Path]:
    """Every chapter, and every other ``book/*.ipynb`` whose first code cell installs something
    with ``%pip install`` (the instructor page): the notebooks that start with the install cell."""
    found = chapters(book)
    for path in sorted(Path(book).glob("*.ipynb")):
        try:
            cell = first_code_cell(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # not a notebook: not ours to check
        if path not in found and cell is not None and "%pip install" in _source(cell):
            found.append(path)
    return found


def known_urls(paths) -> tuple[str, ...]:
    """Every repository URL written after ``rnn_core @ git+`` or ``git clone`` in the files ``paths``."""
    found = [_plain(m[1]) for p in paths for m in _COPY.finditer(Path(p).read_text(encoding="utf-8"))]
    return tuple(dict.fromkeys(found))


def _stale(text: str, url: str, known=()) -> list[re.Match]:
    """Every copy in ``text`` of a URL other than ``url``: after ``git+`` or ``git clone``, or
    a link to one of the ``known`` URLs (a sub-page included, ``.git`` included)."""
    copies = [m for m in _COPY.finditer(text) if _plain(m[1]) != url]
    old = sorted(set(known) - {url}, key=len, reverse=True)
    links = re.compile("|".join(map(re.escape, old)) + r"(?:\.git)?(?![\w-]|\.\w)") if old else None
    spans = {m.start(1): (m.start(1), m.start(1) + len(m[1].rstrip("."))) for m in copies}
    for m in links.finditer(text) if links else ():
        spans.setdefault(m.start(), m.span())
    return [spans[k] for k in sorted(spans)]


def text_problems(path: Path, url: str, known=()) -> list[str]:
    """``line N: repository URL ... differs ...`` for each stale copy of the URL in a text file.

    ``known``: stale URLs found elsewhere (:func:`known_urls`); plain links to them count too.
    """
    text = Path(path).read_text(encoding="utf-8")
    return [f"line {text.count(chr(10), 0, a) + 1}: " + _differs(_plain(text[a:b]), url)
            for a, b in _stale(text, url, known)]


def sync_text(path: Path, url: str, known=()) -> bool:
    """Replace the stale copies of the repository URL in a text file by ``url``, and the
    ``cd OLD-NAME`` line after ``git clone OLD`` by ``cd NEW-NAME``. True when the file changed."""
    raw = Path(path).read_text(encoding="utf-8")
    name = url.rstrip("/").rsplit("/", 1)[-1]
    text = _CLONE_CD.sub(lambda m: m[0] if _plain(m["url"]) == url else m["head"] + name, raw)
    for a, b in reversed(_stale(text, url, known)):
        text = text[:a] + url + text[b:]
    if text != raw:
        Path(path).write_text(text, encoding="utf-8")
    return text != raw


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
    root = Path(root or (Path(config).resolve().parent if config else Path.cwd()))
    config = Path(config or root / "_config.yml")
    if not config.is_file():
        print(f"error: --config: {config} does not exist or is not a file (run from the "
              "repository root or pass --root)", file=sys.stderr)
        return 2
    try:
        url = repository_url(config)
    except (OSError, ValueError) as exc:
        print(f"error: --config: {exc}", file=sys.stderr)
        return 2
    pages = [p for pattern in TEXT_GLOBS for p in sorted(root.glob(pattern)) if p.is_file()]
    if book is not None:  # pages of a book folder outside ROOT/book
        pages += [p for p in sorted(Path(book).glob("*.md")) if p not in pages]
    book = Path(book or root / "book")
    cells = [first_code_cell(json.loads(p.read_text(encoding="utf-8"))) for p in notebooks(book)]
    known = known_urls(pages) + tuple(filter(None, (install_cell_url(_source(c)) for c in cells if c)))

    def name(path):
        path = Path(path).resolve()
        return str(path.relative_to(root.resolve())) if path.is_relative_to(root.resolve()) else str(path)

    bad = 0
    for path, found in [(p, problems(p, url)) for p in notebooks(book)] + \
            [(p, text_problems(p, url, known)) for p in pages]:
        if command == "check":
            print("".join(f"{name(path)}: {p}\n" for p in found), end="")
            bad += len(found)
        elif found and (sync_notebook(path, url) if path.suffix == ".ipynb" else
                        sync_text(path, url, known)):
            print(f"synced {name(path)}")
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
