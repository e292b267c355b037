"""Every chapter's first code cell installs rnn_core from the URL in _config.yml.

Fix a failure with ``python -m rnn_core.launch sync`` (it rewrites only the first
code cell and its ``hide-output`` tag).
"""

from __future__ import annotations

import json
import shutil

import pytest

from rnn_core import launch

CHAPTERS = launch.chapters()


def test_install_cell_is_built_from_config_url():
    url = launch.repository_url()
    assert url.startswith("https://"), f"_config.yml repository.url looks wrong: {url!r}"
    assert launch.INSTALL_CELL == launch.install_cell(url)
    assert f'"rnn_core @ git+{url}"' in launch.INSTALL_CELL
    assert launch.INSTALL_CELL.splitlines() == [
        "# On Colab or another hosted kernel, install rnn_core when it is missing.",
        "try:",
        "    import rnn_core",
        "except ImportError:",
        f'    %pip install --quiet "rnn_core @ git+{url}"',
    ]


def test_contributing_shows_the_install_cell():
    text = (launch.ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    indented = "\n".join("  " + line for line in launch.INSTALL_CELL.splitlines())
    assert launch.INSTALL_CELL in text or indented in text, (
        "CONTRIBUTING.md's install cell differs from rnn_core.launch.INSTALL_CELL"
    )


def test_there_are_chapters():
    assert CHAPTERS, "no book/chNN_*.ipynb found"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_first_code_cell_is_install_cell(path):
    found = launch.problems(path, launch.INSTALL_CELL)
    assert not found, (
        f"{path.name}: " + "; ".join(found) + ". Fix: python -m rnn_core.launch sync"
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
    assert launch.problems(path, launch.INSTALL_CELL)
    assert launch.sync_notebook(path, launch.INSTALL_CELL)
    assert launch.problems(path, launch.INSTALL_CELL) == []
    new = json.loads(path.read_text(encoding="utf-8"))
    first, second = new["cells"][1], new["cells"][2]
    assert first["metadata"] == {"tags": ["keep-me", "hide-output"], "other": 1}
    assert first["outputs"] == nb["cells"][1]["outputs"] and first["id"] == "b"
    assert new["cells"][0] == nb["cells"][0] and second == nb["cells"][2]
    assert not launch.sync_notebook(path, launch.INSTALL_CELL), "sync is not idempotent"


def test_sync_inserts_a_missing_install_cell_and_check_cli(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# T"]},
                    {"cell_type": "code", "execution_count": None, "id": "c", "metadata": {},
                     "outputs": [], "source": ["import numpy as np"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (book / "ch09_new.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    config = tmp_path / "_config.yml"
    shutil.copy(launch.CONFIG, config)
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
    binder = launch.ROOT / "binder"
    root_pins = _pins(launch.ROOT / "requirements.txt")
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
    for path in sorted(launch.BOOK.glob("*.ipynb")) + sorted(launch.BOOK.glob("*.md")):
        shutil.copy(path, tmp_path / "book" / path.name)
    for name in ("CONTRIBUTING.md", "README.md"):
        shutil.copy(launch.ROOT / name, tmp_path / name)
    old = launch.repository_url()
    config = tmp_path / "_config.yml"
    text = launch.CONFIG.read_text(encoding="utf-8")
    assert f"  url: {old}\n" in text
    config.write_text(text.replace(f"  url: {old}\n", f"  url: {url}\n"), encoding="utf-8")
    return config, old


def test_the_repository_is_in_sync(capsys):
    """Every copy of the URL (notebooks, book pages, CONTRIBUTING.md, README.md) matches _config.yml."""
    assert launch.main(["check"]) == 0, capsys.readouterr().out


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
    assert "not rnn_core.launch.INSTALL_CELL" not in out, "say the URL differs"

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

    proc = subprocess.run([sys.executable, "-m", "rnn_core.launch", "--config",
                           str(tmp_path / "_config.yml"), "check"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr


def test_intro_installs_jupyterlab_before_starting_it():
    """requirements.txt (what make book installs) has no JupyterLab: the intro says to install it."""
    intro = (launch.BOOK / "intro.md").read_text(encoding="utf-8")
    requirements = (launch.ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    if "jupyter lab" in intro and "jupyterlab" not in requirements:
        install = intro.find(".venv/bin/pip install jupyterlab jupyterlab-myst")
        assert 0 <= install < intro.find(".venv/bin/jupyter lab"), (
            "book/intro.md starts JupyterLab without installing it first")
        assert "MyST" in intro[install - 400:install + 400]
