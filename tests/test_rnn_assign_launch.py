"""Every chapter's first code cell installs rnn_core, with the extras its imports need, from
the URL in _config.yml (rnn_assign.launch).

Fix a failure with ``python -m rnn_assign sync`` (it rewrites only the first
code cell and its ``hide-output`` tag).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rnn_assign import launch

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CONFIG = ROOT / "_config.yml"
URL = launch.repository_url(CONFIG)
CHAPTERS = launch.chapters(BOOK)
INSTALL_CELL = launch.install_cell(URL, ("book",))


def test_install_cell_is_built_from_config_url():
    assert URL.startswith("https://"), f"_config.yml repository.url looks wrong: {URL!r}"
    assert INSTALL_CELL.splitlines() == [
        "# On Colab or another hosted kernel, install rnn_core when it is missing.",
        "try:",
        "    import rnn_core",
        "except ImportError:",
        f'    %pip install --quiet "rnn_core[book] @ git+{URL}"',
    ]
    assert launch.install_cell(URL).endswith(f'"rnn_core @ git+{URL}"')
    assert launch.install_cell(URL, ("cli", "book", "cli")).endswith(
        f'"rnn_core[book,cli] @ git+{URL}"')


def _nb(*sources):
    return {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": s}
                      for s in sources], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("sources, extras", [
    (["import numpy as np\nfrom rnn_core import rnn_forward"], ()),
    (["from rnn_book import show_source"], ("book",)),
    (["import matplotlib.pyplot as plt"], ("book",)),
    (["if True:\n    from threadpoolctl import threadpool_limits", "%time x = 1"], ("threads",)),
    (["from rnn_assign.edition import make_edition\nimport rnn_book.style"],
     ("book", "instructor")),
    # the install cell's own text does not count
    (['try:\n    import rnn_core\nexcept ImportError:\n    %pip install "tqdm"', "x = 1"], ()),
])
def test_extras_come_from_the_imports(sources, extras):
    assert launch.notebook_extras(_nb(*sources)) == extras


def test_every_chapter_installs_what_it_imports():
    """The book's figures need rnn_book in every chapter; 5, 6, 7 and 10 limit BLAS threads
    (threadpoolctl, the ``threads`` extra); none imports tqdm (the ``cli`` extra's bar)."""
    found = {p.name[:4]: launch.notebook_extras(json.loads(p.read_text())) for p in CHAPTERS}
    assert found == {"ch01": ("book",), "ch02": ("book",), "ch03": ("book",), "ch04": ("book",),
                     "ch05": ("book", "threads"), "ch06": ("book", "threads"),
                     "ch07": ("book", "threads"), "ch08": ("book",), "ch09": ("book",),
                     "ch10": ("book", "threads")}
    nb = json.loads((BOOK / "instructors.ipynb").read_text())
    assert launch.notebook_extras(nb) == ("book", "instructor")


def test_contributing_shows_the_install_cell():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    indented = "\n".join("  " + line for line in INSTALL_CELL.splitlines())
    assert INSTALL_CELL in text or indented in text, (
        "CONTRIBUTING.md's install cell differs from rnn_assign.launch.install_cell(url, ['book'])"
    )


def test_there_are_chapters():
    assert CHAPTERS, "no book/chNN_*.ipynb found"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_first_code_cell_is_install_cell(path):
    found = launch.problems(path, URL)
    assert not found, (
        f"{path.name}: " + "; ".join(found) + ". Fix: python -m rnn_assign sync"
    )


def test_sync_rewrites_only_the_first_code_cell(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Title"]},
            {"cell_type": "code", "execution_count": 1, "id": "b",
             "metadata": {"tags": ["keep-me"], "other": 1},
             "outputs": [{"name": "stdout", "output_type": "stream", "text": ["hi\n"]}],
             "source": ["try:\n", "    import rnn_core\n", "except ImportError:\n",
                        '    %pip install "rnn_core @ git+https://old.example/x"']},
            {"cell_type": "code", "execution_count": 2, "id": "c", "metadata": {},
             "outputs": [], "source": ["import numpy as np"]},
        ],
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "ch01_x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert launch.problems(path, URL)
    assert launch.sync_notebook(path, URL)
    assert launch.problems(path, URL) == []
    new = json.loads(path.read_text(encoding="utf-8"))
    first, second = new["cells"][1], new["cells"][2]
    assert first["metadata"] == {"tags": ["keep-me", "hide-output"], "other": 1}
    assert first["outputs"] == nb["cells"][1]["outputs"] and first["id"] == "b"
    assert new["cells"][0] == nb["cells"][0] and second == nb["cells"][2]
    assert not launch.sync_notebook(path, URL), "sync is not idempotent"
    assert "".join(first["source"]) == launch.install_cell(URL)  # imports numpy only


def test_sync_inserts_a_missing_install_cell_and_check_cli(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# T"]},
                    {"cell_type": "code", "execution_count": None, "id": "c", "metadata": {},
                     "outputs": [], "source": ["import numpy as np"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (book / "ch09_new.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    config = tmp_path / "_config.yml"
    shutil.copy(CONFIG, config)
    assert launch.main(["check", "--book", str(book), "--config", str(config)]) == 1
    assert launch.main(["sync", "--book", str(book), "--config", str(config)]) == 0
    assert launch.main(["check", "--book", str(book), "--config", str(config)]) == 0
    cells = json.loads((book / "ch09_new.ipynb").read_text(encoding="utf-8"))["cells"]
    assert [c["id"] for c in cells] == ["a", "install-rnn-core", "c"]


def _pins(path):
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def test_binder_environment_matches_the_pins():
    binder = ROOT / "binder"
    root_pins = _pins(ROOT / "requirements.txt")
    binder_pins = _pins(binder / "requirements.txt")
    for name in ("numpy", "matplotlib"):
        assert name in binder_pins, f"binder/requirements.txt does not pin {name}"
    for name, version in binder_pins.items():
        assert root_pins.get(name) == version, (
            f"binder/requirements.txt pins {name}=={version}, "
            f"requirements.txt pins {root_pins.get(name)}"
        )
    post = (binder / "postBuild").read_text(encoding="utf-8")
    assert "pip install" in post and "-e ." in post, "binder/postBuild must pip install -e ."


NEW_URL = "https://github.com/someone-else/rnn-fork"


def _copy_repo(tmp_path, url=NEW_URL):
    """The files that hold the repository URL, copied to ``tmp_path``, with ``url`` in _config.yml."""
    (tmp_path / "book").mkdir()
    for path in sorted(BOOK.glob("*.ipynb")) + sorted(BOOK.glob("*.md")):
        shutil.copy(path, tmp_path / "book" / path.name)
    for name in ("CONTRIBUTING.md", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    old = URL
    config = tmp_path / "_config.yml"
    text = CONFIG.read_text(encoding="utf-8")
    assert f"  url: {old}\n" in text
    config.write_text(text.replace(f"  url: {old}\n", f"  url: {url}\n"), encoding="utf-8")
    return config, old


def test_the_repository_is_in_sync(capsys):
    """Every copy of the URL (notebooks, book pages, CONTRIBUTING.md, README.md) matches _config.yml."""
    assert launch.main(["check", "--root", str(ROOT)]) == 0, capsys.readouterr().out


def test_check_and_sync_from_the_command_line(tmp_path):
    """``python -m rnn_assign check`` reads the repository in the current directory."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "rnn_assign", "check"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0 and "in sync" in proc.stdout, proc.stdout + proc.stderr
    lost = subprocess.run([sys.executable, "-m", "rnn_assign", "check"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert lost.returncode == 2 and "--root" in lost.stderr and "Traceback" not in lost.stderr


def test_check_and_sync_every_copy_of_a_changed_url(tmp_path, capsys):
    config, old = _copy_repo(tmp_path)
    before = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file()}
    assert launch.main(["check", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    stale = [line for line in out.splitlines() if "differs from _config.yml" in line]
    named = {line.split(":", 1)[0] for line in stale}
    expected = {f"book/{p.name}" for p in CHAPTERS} | {
        "book/instructors.ipynb", "book/intro.md", "CONTRIBUTING.md"}
    assert expected <= named, out
    assert all(old in line and NEW_URL in line for line in stale), out
    assert "not the install cell" not in out, "say the URL differs"

    assert launch.main(["sync", "--config", str(config)]) == 0
    capsys.readouterr()
    assert launch.main(["check", "--config", str(config)]) == 0, capsys.readouterr().out
    assert not launch.main(["sync", "--config", str(config)]) and "synced" not in capsys.readouterr().out
    intro = (tmp_path / "book" / "intro.md").read_text(encoding="utf-8")
    assert f"git clone {NEW_URL}\ncd rnn-fork\n" in intro and old not in intro
    assert f"git+{NEW_URL}" in (tmp_path / "CONTRIBUTING.md").read_text(encoding="utf-8")
    nb = json.loads((tmp_path / "book" / "instructors.ipynb").read_text(encoding="utf-8"))
    assert launch.install_cell_url("".join(launch.first_code_cell(nb)["source"])) == NEW_URL
    # links to other projects are left alone; nothing but the URL (and the cd line) changed
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix == ".md" and path.name != "_config.yml":
            new = path.read_text(encoding="utf-8")
            assert new.replace(NEW_URL, old).replace("cd rnn-fork", f"cd {old.rsplit('/', 1)[-1]}") \
                == before[path.name], path
    assert "https://github.com/jupyterhub/nbgitpuller" in (
        tmp_path / "book" / "troubleshooting.md").read_text(encoding="utf-8")
    text = json.dumps(nb)
    assert "https://github.com/jupyter-book/jupyterlab-myst" in text


def test_text_sync_touches_only_copies_of_the_repository_url(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "See https://github.com/old/repo for the code.\n"
        "```bash\ngit clone https://github.com/old/repo.git\ncd repo\n```\n"
        'pip install "rnn_core @ git+https://github.com/old/repo".\n'
        "[tool](https://github.com/other/tool), pip install git+https://github.com/other/tool\n"
        "https://github.com/old/repository is another project.\n", encoding="utf-8")
    url = "https://github.com/new/name"
    assert [p.split(":")[0] for p in launch.text_problems(page, url)] == ["line 3", "line 6"]
    known = launch.known_urls([page])
    assert known == ("https://github.com/old/repo",)
    assert [p.split(":")[0] for p in launch.text_problems(page, url, known)] == [
        "line 1", "line 3", "line 6"]
    assert launch.sync_text(page, url, known)
    assert page.read_text(encoding="utf-8") == (
        f"See {url} for the code.\n"
        f"```bash\ngit clone {url}\ncd name\n```\n"
        f'pip install "rnn_core @ git+{url}".\n'
        "[tool](https://github.com/other/tool), pip install git+https://github.com/other/tool\n"
        "https://github.com/old/repository is another project.\n")
    assert launch.text_problems(page, url, known) == [] and not launch.sync_text(page, url, known)


def test_missing_config_is_a_one_line_error(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "rnn_assign", "check", "--config",
                           str(tmp_path / "_config.yml")],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr


def test_intro_installs_jupyterlab_before_starting_it():
    """requirements.txt (what make book installs) has no JupyterLab: the intro says to install it."""
    intro = (BOOK / "intro.md").read_text(encoding="utf-8")
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    if "jupyter lab" in intro and "jupyterlab" not in requirements:
        install = intro.find(".venv/bin/pip install jupyterlab jupyterlab-myst")
        assert 0 <= install < intro.find(".venv/bin/jupyter lab"), (
            "book/intro.md starts JupyterLab without installing it first")
        assert "MyST" in intro[install - 400:install + 400]


def test_clone_options_broken_configs_and_stray_files(tmp_path, capsys):
    """``cd`` follows a clone with options; a broken _config.yml is a one-line error; a file
    named .ipynb that is no notebook is skipped; an inserted cell has an id only from nbformat 4.5."""
    page = tmp_path / "page.md"
    page.write_text("git clone https://github.com/old/repo.git --depth 1\ncd repo\n", encoding="utf-8")
    assert launch.sync_text(page, NEW_URL)
    assert page.read_text(encoding="utf-8") == f"git clone {NEW_URL} --depth 1\ncd rnn-fork\n"
    book = tmp_path / "book"
    book.mkdir()
    (book / "notes.ipynb").write_text("", encoding="utf-8")
    old = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                      "source": "import numpy"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    (book / "ch01_old.ipynb").write_text(json.dumps(old), encoding="utf-8")
    config = tmp_path / "_config.yml"
    for text in ("repository:\n", "repository: [\n", "title: x\n"):
        config.write_text(text, encoding="utf-8")
        assert launch.main(["check", "--config", str(config)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --config:") and err.count("\n") == 1, err
    config.write_text(f"repository:\n  url: {NEW_URL}\n", encoding="utf-8")
    assert launch.main(["sync", "--config", str(config)]) == 0
    cells = json.loads((book / "ch01_old.ipynb").read_text(encoding="utf-8"))["cells"]
    assert "id" not in cells[0] and launch.install_cell_url("".join(cells[0]["source"])) == NEW_URL
