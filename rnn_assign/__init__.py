"""rnn_assign: the instructor's tools (``pip install "rnn_core[instructor]"``).

    python -m rnn_assign list
    python -m rnn_assign student CHAPTER --out DIR
    python -m rnn_assign grade CHAPTER DIR [DIR ...] [--csv FILE] [--seed N]
    python -m rnn_assign site-config --out FILE
    python -m rnn_assign check | sync          (the repository URL and install cells)

CHAPTER is a number or a notebook file name; chapters plug in through one table,
:data:`rnn_book.table.CHAPTERS`. A function a chapter derives has its whole body
between solution markers (:mod:`rnn_assign.markers`). The grader and the students' ``check.py`` run the same
checks (:mod:`rnn_assign.checks`, joined with :mod:`rnn_assign.checklib`): the grader
compares with the reference on inputs drawn at grading time, ``check.py`` with known
answers. Commands that read the
repository (the book's notebooks, ``_config.yml``) take it from the current
directory or ``--root``.
"""
