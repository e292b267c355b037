"""Show the package's own source in a chapter, so the book never holds a second copy."""

from __future__ import annotations

import inspect
import textwrap

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def source_of(obj) -> str:
    """Source code of ``obj`` with nbgrader's solution-marker lines left out."""
    src = textwrap.dedent(inspect.getsource(obj))
    lines = [ln for ln in src.splitlines() if ln.strip() not in SOLUTION_MARKERS]
    return "\n".join(lines)


def show_source(*objs) -> None:
    """Display the source of each object as a highlighted Python block.

    In the rendered book this is a syntax-highlighted code block; in a plain
    terminal it prints the code.
    """
    text = "\n\n\n".join(source_of(o) for o in objs)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # plain Python: no display machinery
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    display(Markdown(f"```python\n{text}\n```"))
