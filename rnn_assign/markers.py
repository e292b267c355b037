"""Solution markers: find the functions they cover and stub them, in modules and notebook cells.

The convention (as in CS231n's assignments): a function a chapter derives has its
*whole body* between nbgrader's markers, ``### BEGIN SOLUTION`` as the first line
after the docstring and ``### END SOLUTION`` as the last line, after the final
``return``. The signature, the shape contract (``@shapes(...)``) and the docstring
stay outside: they are what the student is given. A student edition replaces
everything between the markers with ``raise NotImplementedError``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# nbgrader's default python stub, word for word.
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


def _functions(tree):
    """``(qualified name, FunctionDef)`` of every function and method of a module."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.append((name, child))
                visit(child, name + ".")

    visit(tree, "")
    return found


def solution_bodies(source: str) -> dict[str, tuple[int, int]]:
    """``{function: (begin line, end line)}`` (0-based, the marker lines) of a module.

    Raises ValueError for a marker that does not follow the convention: the
    first line after the docstring and the last line of the same function.
    """
    lines = source.splitlines()
    markers = [i for i, line in enumerate(lines) if line.strip() in (BEGIN, END)]
    found = {}
    for name, func in _functions(ast.parse(source)):
        body = func.body
        has_doc = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                   and isinstance(body[0].value.value, str))
        code = body[1:] if has_doc else body
        if not code:
            continue
        start = body[0].end_lineno if has_doc else func.lineno  # 0-based: the line after
        window = [i for i in markers if start <= i < code[0].lineno - 1]
        if not window or lines[window[0]].strip() != BEGIN:
            continue
        begin = window[0]
        if has_doc and any(ln.strip() for ln in lines[start:begin]):
            raise ValueError(f"line {begin + 1}: {BEGIN!r} must be the first line of the body "
                             f"of {name} (right after its docstring)")
        end = body[-1].end_lineno  # the line after the last statement
        if end >= len(lines) or lines[end].strip() != END:
            raise ValueError(f"{name}: {END!r} must be the last line of its body, after the "
                             f"final statement (line {end + 1})")
        found[name] = (begin, end)
    claimed = {i for span in found.values() for i in span}
    stray = [i for i in markers if i not in claimed]
    if stray:
        raise ValueError(f"line {stray[0] + 1}: solution marker outside the convention "
                         "(the whole body of one function)")
    return found


def stub_source(source: str, messages: dict[str, str]) -> tuple[str, set[str]]:
    """Stub the bodies of the functions in ``messages`` (qualified name -> text of the error).

    Returns the new source and the set of functions stubbed.
    """
    lines = source.splitlines()
    bodies = solution_bodies(source)
    done = set()
    for name, (begin, end) in sorted(bodies.items(), key=lambda kv: -kv[1][0]):
        if name not in messages:
            continue
        message = messages[name]
        indent = re.match(r"\s*", lines[begin]).group(0)
        lines[begin:end + 1] = [indent + "# YOUR CODE HERE",
                                indent + f"raise NotImplementedError({message!r})"]
        done.add(name)
    text = "\n".join(lines) + ("\n" if source.endswith("\n") else "")
    ast.parse(text)  # the stubbed module must still be valid Python
    return text, done


def marked_functions(package_dir) -> dict[str, str]:
    """Every function of a package folder with a solution body: ``{function: module file}``."""
    found = {}
    for path in sorted(Path(package_dir).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if BEGIN in text:
            found.update(dict.fromkeys(solution_bodies(text), path.name))
    return found


def clear_solution_regions(text: str, stub: str) -> tuple[str, bool]:
    """nbgrader's ``ClearSolutions`` region logic for one cell (``text``).

    The rule of nbgrader 0.9: a line *containing* ``BEGIN SOLUTION`` starts a
    region (replaced by ``stub``, indented like the marker), a line containing
    ``END SOLUTION`` ends it.
    """
    new, inside, replaced = [], False, False
    for line in text.split("\n"):
        if "BEGIN SOLUTION" in line:
            if inside:
                raise RuntimeError("encountered nested begin solution statements")
            inside = replaced = True
            indent = re.match(r"\s*", line).group(0)
            new.extend(indent + s for s in stub.split("\n"))
        elif "END SOLUTION" in line:
            inside = False
        elif not inside:
            new.append(line)
    if inside:
        raise RuntimeError("no end solution statement found")
    return "\n".join(new), replaced
