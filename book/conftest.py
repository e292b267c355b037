"""``pytest --nbval`` on this folder's notebooks runs and checks their executable form.

A committed chapter is folded (``rnn_book/folds.py``): the code of each exercise solution is
a Markdown code block, followed by what it printed. Under ``--nbval`` this hook has nbval read
each notebook through :func:`rnn_book.folds.unfold`, so every code cell of the chapter runs,
the solutions' cells included, in the chapter's order, and each stored output, the printed
answers inside the folds included, is compared strictly. The items keep the committed file's
name (``book/ch04_backprop_step.ipynb::Cell 37``); the number counts the code cells of the
executable form (``python scripts/fold_solutions.py --unfold FILE -o COPY`` writes it). The
kernel runs in this folder, as for the folded file; nothing is written to disk.

The executable form holds every code cell of the folded one, unchanged, so this one run also
checks every output the folded file shows.
"""

from __future__ import annotations

import json
from unittest import mock

import pytest


def _executable_collector():
    import nbformat
    from nbval import plugin

    from rnn_book.folds import unfold

    class Unfolding:
        """nbformat, as nbval's collector sees it: ``read`` returns the executable form."""

        def read(self, path, as_version):
            with open(path, encoding="utf-8") as f:
                return nbformat.reads(json.dumps(unfold(json.load(f))), as_version=as_version)

        def __getattr__(self, name):
            return getattr(nbformat, name)

    class ExecutableNotebook(plugin.IPyNbFile):
        def collect(self):
            with mock.patch.object(plugin, "nbformat", Unfolding()):
                return list(super().collect())

    return plugin.IPyNbFile, ExecutableNotebook


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collected = yield
    if not any(type(c).__name__ == "IPyNbFile" for c in collected):
        return collected
    nbval_file, executable = _executable_collector()
    return [executable.from_parent(parent, path=file_path) if type(c) is nbval_file else c
            for c in collected]
