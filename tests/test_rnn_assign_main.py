"""The command line of the instructor tools: ``python -m rnn_assign``."""

from __future__ import annotations

import subprocess
import sys

from rnn_book.table import CHAPTERS


def test_cli_help_names_every_command():
    proc = subprocess.run([sys.executable, "-m", "rnn_assign", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    description = " ".join(proc.stdout.split("positional arguments")[0].split("...", 1)[1].split())
    for command in ("student", "grade", "list", "site-config"):
        assert f"({command})" in description, (command, description)
    assert "(check, sync)" in description, description
    assert "`" not in proc.stdout, "plain text, no reST markup"


def test_list_cli_prints_every_chapter():
    proc = subprocess.run([sys.executable, "-m", "rnn_assign", "list"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(CHAPTERS)
    for line, chapter in zip(lines, CHAPTERS.values()):
        assert line.split()[:2] == [str(chapter.number), chapter.notebook]
        assert all(f in line for _, f in chapter.derives)
