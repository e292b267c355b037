"""Diagrams drawn by code with matplotlib: every figure in the book is made here.

Each public function returns a matplotlib ``Figure`` on an opaque white
background, built from the primitives in :mod:`rnn_book.diagrams.primitives`.
"""
