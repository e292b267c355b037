"""Assign chapters: student editions, function-level checks and a grader.

    python -m rnn_core.assign student CHAPTER --out DIR
    python -m rnn_core.assign grade CHAPTER DIR [DIR ...] [--csv FILE] [--seed N]
    python -m rnn_core.assign list
    python -m rnn_core.assign site-config --out FILE

CHAPTER is a number or a notebook file name. Chapters plug in through one
table, :data:`rnn_core.assign.table.CHAPTERS`. The grader runs
:mod:`rnn_core.assign.checks` (with answers; never shipped), the students'
``check.py`` is built from :mod:`rnn_core.assign.student_checks` (without). nbgrader is optional
(``requirements-instructor.txt``) and only imported when an edition is built.
"""

from .table import CHAPTERS, Chapter, resolve_chapter

__all__ = ["CHAPTERS", "Chapter", "resolve_chapter"]
