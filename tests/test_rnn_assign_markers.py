"""Solution markers around whole function bodies (rnn_assign.markers)."""

from __future__ import annotations

import textwrap

import pytest

from rnn_assign.markers import marked_functions, solution_bodies, stub_source
from rnn_book.table import CHAPTERS, NOT_ASSIGNED
from tests._assign_support import PACKAGE_DIR, functions

SRC = textwrap.dedent('''\
    @contract(x="N")
    def f(a):
        """Double.

        Returns
        -------
        b : twice a.
        """
        ### BEGIN SOLUTION
        b = 2 * a
        return b
        ### END SOLUTION


    class K:
        def m(self, x):
            """Add one."""
            ### BEGIN SOLUTION
            if x is None:
                raise ValueError("x")
            return x + 1
            ### END SOLUTION

        def plain(self):
            return 0
    ''')


def test_solution_bodies_and_stub():
    bodies = solution_bodies(SRC)
    assert set(bodies) == {"f", "K.m"}
    text, done = stub_source(SRC, {"K.m": "K.m: write it"})
    assert done == {"K.m"}
    assert "raise ValueError" not in text and "return x + 1" not in text
    assert "b = 2 * a" in text and '"""Add one."""' in text and "def plain" in text
    assert "        # YOUR CODE HERE\n        raise NotImplementedError('K.m: write it')" in text
    ns = {"contract": lambda **kw: (lambda g: g)}
    exec(text, ns)
    with pytest.raises(NotImplementedError, match="K.m: write it"):
        ns["K"]().m(1)
    assert ns["f"](2) == 4 and ns["K"]().plain() == 0
    text, done = stub_source(SRC, {"f": "f: write it"})
    assert done == {"f"} and "b = 2 * a" not in text and "b : twice a." in text
    assert "@contract" in text


@pytest.mark.parametrize("bad, message", [
    # a region after the first line of the body: the old mid-function convention
    ('def f(a):\n    """Doc."""\n    a = 1\n    ### BEGIN SOLUTION\n    return a\n'
     '    ### END SOLUTION\n', "outside the convention"),
    # END before the final statement
    ('def f(a):\n    """Doc."""\n    ### BEGIN SOLUTION\n    a = 1\n    ### END SOLUTION\n'
     '    return a\n', "last line of its body"),
    ('def f(a):\n    """Doc."""\n\n    x = 1\n    ### END SOLUTION\n', "outside the convention"),
])
def test_markers_off_the_convention_are_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        solution_bodies(bad)


def test_every_marked_function_is_assigned():
    marked = marked_functions(PACKAGE_DIR)
    assigned = {f for c in CHAPTERS.values() for f in functions(c)}
    unassigned = set(marked) - assigned - set(NOT_ASSIGNED)
    assert not unassigned, (
        f"{sorted(unassigned)} carry solution markers but no chapter in "
        "rnn_book/table.py derives them: add them to its CHAPTERS table "
        "(and checks to rnn_assign/checks.py), or to NOT_ASSIGNED with a reason")
    assert set(NOT_ASSIGNED) <= set(marked), "NOT_ASSIGNED names a function without markers"
    modules = {f: m for c in CHAPTERS.values() for m, f in c.derives}
    for f in assigned & set(marked):
        assert marked[f] == modules[f], (f, marked[f], modules[f])
