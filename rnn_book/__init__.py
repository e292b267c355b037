"""rnn_book: the book's helpers around ``rnn_core`` (they need matplotlib: ``rnn_core[book]``).

* :func:`~rnn_book.introspect.show_source`: a chapter shows ``rnn_core``'s own code, never a second copy;
* :mod:`rnn_book.style`: one palette and a white background for every figure;
* :mod:`rnn_book.diagrams`: every diagram, drawn by code;
* :mod:`rnn_book.flow_plots`: plots of gradient flow (chapters 6 and 7);
* :mod:`rnn_book.table`: which chapter derives which function (the instructor page,
  the student editions and the grader of :mod:`rnn_assign` read it);
* :mod:`rnn_book.folds`: a chapter's two forms, folded (committed: each exercise solution one
  closed ``<details>``) and executable (solutions as code cells, for nbval and the editions).

Importing this package, ``show_source`` or the table loads no matplotlib; the figure
modules do.
"""

from .introspect import show_source, source_of

__all__ = ["show_source", "source_of"]
