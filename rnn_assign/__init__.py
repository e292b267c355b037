"""rnn_assign: the instructor's tools (``pip install "rnn_core[instructor]"``).

    python -m rnn_assign list
    python -m rnn_assign student CHAPTER --out DIR
    python -m rnn_assign grade CHAPTER DIR [DIR ...] [--csv FILE] [--seed N]
    python -m rnn_assign site-config --out FILE
    python -m rnn_assign check | sync          (the repository URL and install cells)

CHAPTER is a number or a notebook file name; chapters plug in through one table,
:data:`rnn_book.table.CHAPTERS`. A function a chapter derives has its whole body
between solution markers (:mod:`rnn_assign.markers`). The grader runs
:mod:`rnn_assign.checks` (with answers; never shipped), the students' ``check.py``
is :mod:`rnn_assign.student_checks` (without); both are joined with
:mod:`rnn_assign.checklib`, the helpers they share. Commands that read the
repository (the book's notebooks, ``_config.yml``) take it from the current
directory or ``--root``. nbgrader is optional (``requirements-instructor.txt``).
"""
