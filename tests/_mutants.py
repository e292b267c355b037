"""The mechanism behind the mutation suites: break rnn_core by hand in a copy, and test the copy.

Each suite lists its mutations as ``name -> (file in rnn_core/, original text, broken text)``
and the pytest arguments that select its tests. The copy is tested in a subprocess with
the copy first on the path, so the broken module is the one imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pristine_copy(base: Path) -> Path:
    """``rnn_core`` and ``tests`` copied into ``base``: the unbroken starting point."""
    for folder in ("rnn_core", "tests"):
        shutil.copytree(ROOT / folder, base / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return base


def run_tests(where: Path, pytest_args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(where), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         *pytest_args],
        cwd=where, env=env, capture_output=True, text=True, timeout=300,
    )


def assert_caught(name: str, mutation: tuple[str, str, str], pristine: Path, where: Path,
                  pytest_args) -> None:
    """Apply one mutation to a copy of ``pristine`` in ``where``; the tests must fail on it."""
    filename, original, broken = mutation
    shutil.copytree(pristine / "rnn_core", where / "rnn_core")
    shutil.copytree(pristine / "tests", where / "tests")
    target = where / "rnn_core" / filename
    source = target.read_text()
    assert source.count(original) == 1, f"{name}: the text to break is not in {filename} once"
    target.write_text(source.replace(original, broken))
    result = run_tests(where, pytest_args)
    assert result.returncode == 1, f"{name} was not caught:\n{result.stdout[-2000:]}"
    # The copy really was the one imported: the failure comes from a test, not an import error.
    last = result.stdout.splitlines()[-1]
    assert "failed" in result.stdout and "error" not in last, result.stdout[-2000:]
