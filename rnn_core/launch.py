"""Every chapter's first code cell: install ``rnn_core`` on a hosted kernel (Colab, Binder, a hub).

The repository URL has one home, ``repository.url`` in ``_config.yml``. This
module turns it into the install cell (:func:`install_cell`) and keeps every
chapter's first code cell equal to it::

    python -m rnn_core.launch check   # exit 1 and list the chapters that differ
    python -m rnn_core.launch sync    # rewrite the first code cell of those chapters

``sync`` touches only the first code cell of each chapter: its source, and its
``hide-output`` tag. Outputs, ids, other metadata and every other cell stay as
they are.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"
BOOK = ROOT / "book"
TAG = "hide-output"
CHAPTER_GLOB = "ch[0-9][0-9]_*.ipynb"

_TEMPLATE = (
    "# On Colab or another hosted kernel, install rnn_core when it is missing.\n"
    "try:\n"
    "    import rnn_core\n"
    "except ImportError:\n"
    '    %pip install --quiet "rnn_core @ git+{url}"'
)


def repository_url(config: Path = CONFIG) -> str:
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


def install_cell(url: str) -> str:
    """The text of a chapter's first code cell for the repository at ``url``.

    Parameters
    ----------
    url : the repository URL, e.g. ``https://github.com/owner/name``.

    Returns
    -------
    source : the cell's source, without a trailing newline.
    """
    return _TEMPLATE.format(url=url.rstrip("/"))


#: The install cell for the URL in ``_config.yml`` (the text CONTRIBUTING.md shows).
INSTALL_CELL = install_cell(repository_url()) if CONFIG.exists() else None


def chapters(book: Path = BOOK) -> list[Path]:
    """The chapter notebooks ``book/chNN_*.ipynb``, in order."""
    return sorted(Path(book).glob(CHAPTER_GLOB))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def first_code_cell(nb: dict) -> dict | None:
    """The first code cell of a notebook (as parsed JSON), or None."""
    return next((c for c in nb.get("cells", []) if c.get("cell_type") == "code"), None)


def problems(path: Path, expected: str) -> list[str]:
    """What is wrong with the first code cell of the notebook at ``path`` (empty when fine)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cell = first_code_cell(nb)
    if cell is None:
        return ["has no code cell"]
    found = []
    if _source(cell).rstrip("\n") != expected:
        found.append("first code cell is not rnn_core.launch.INSTALL_CELL")
    if TAG not in cell.get("metadata", {}).get("tags", []):
        found.append(f"first code cell is not tagged {TAG!r}")
    return found


def _split_lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def sync_notebook(path: Path, expected: str) -> bool:
    """Make the first code cell of ``path`` the install cell tagged ``hide-output``.

    A notebook without the install cell gets one inserted as its first code cell
    only when its current first code cell is not an install cell at all (one
    that mentions ``%pip install`` is replaced). Returns True when the file changed.
    """
    raw = Path(path).read_text(encoding="utf-8")
    nb = json.loads(raw)
    cell = first_code_cell(nb)
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


def main(argv: list[str] | None = None) -> int:
    """``python -m rnn_core.launch check|sync [--book DIR] [--config FILE]``."""
    parser = argparse.ArgumentParser(prog="python -m rnn_core.launch", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("check", "sync"))
    parser.add_argument("--book", type=Path, default=BOOK, help="folder of chNN_*.ipynb")
    parser.add_argument("--config", type=Path, default=CONFIG, help="the _config.yml to read")
    args = parser.parse_args(argv)
    expected = install_cell(repository_url(args.config))
    bad = 0
    for path in chapters(args.book):
        if args.command == "check":
            for p in problems(path, expected):
                print(f"{path.name}: {p}")
                bad += 1
        elif sync_notebook(path, expected):
            print(f"synced {path.name}")
    if args.command == "check":
        print("all chapters in sync" if not bad else f"{bad} problem(s); fix with: python -m rnn_core.launch sync")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
