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
