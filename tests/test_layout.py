"""The packages by audience: what each one imports, declares and reads.

rnn_core is numpy only (its CLI's tqdm and threadpoolctl are imported lazily);
rnn_book brings matplotlib when a figure module is imported; rnn_assign needs
neither for grading. No installed module finds repository files through
``__file__``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "tqdm", "threadpoolctl", "yaml", "IPython")


def _loaded(statement):
    code = (f"import sys\n{statement}\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split("\n")[-2]


@pytest.mark.parametrize("statement, allowed", [
    ("import rnn_core", []),
    ("import rnn_core.charlm", []),
    ("import rnn_book, rnn_book.table, rnn_book.folds", []),
    ("from rnn_book import show_source", []),
    ("import rnn_assign.grader, rnn_assign.edition, rnn_assign.launch, rnn_assign.__main__", []),
    ("import rnn_book.diagrams.cell, rnn_book.flow_plots", ["matplotlib"]),
])
def test_what_each_import_loads(statement, allowed):
    assert _loaded(statement) == repr(allowed)


def test_extras_declare_what_each_package_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert [d.split(">")[0] for d in project["dependencies"]] == ["numpy"]
    extras = {k: {d.split(">")[0].split("=")[0].lower() for d in v}
              for k, v in project["optional-dependencies"].items()}
    assert extras["book"] >= {"matplotlib"}
    assert extras["cli"] >= {"tqdm", "threadpoolctl"}
    assert extras["threads"] == {"threadpoolctl"}
    assert extras["instructor"] >= {"pyyaml"}
    from rnn_assign.launch import EXTRA_OF

    assert set(EXTRA_OF.values()) <= set(extras)


@pytest.mark.parametrize("package", ["rnn_core", "rnn_book", "rnn_assign"])
def test_no_installed_module_reads_the_repository_through_file(package):
    """``__file__`` may name a module's own package (the student edition checks where rnn_core
    came from), never a path outside it such as ``parent.parent / "book"``."""
    for path in sorted((ROOT / package).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"__file__", text):
            line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.end())]
            assert ".parent.parent" not in line and "parents[" not in line, (path, line)
            assert "REPO" not in line and "book" not in line.lower(), (path, line)
