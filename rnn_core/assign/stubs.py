"""Replace nbgrader solution regions by a stub, in Python files and in notebook cells.

The stub is nbgrader's own (``ClearSolutions.code_stub["python"]``), so a
region stubbed here looks exactly like one stubbed by ``nbgrader generate_assignment``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# nbgrader's default python stub, word for word.
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


def solution_regions(source: str) -> list[tuple[int, int, str]]:
    """``(begin_line, end_line, function)`` for every marker region of a module (0-based lines).

    ``function`` is the qualified name of the innermost function around the
    region (``"Class.method"`` for a method).
    """
    lines = source.splitlines()
    owners: list[tuple[int, int, str]] = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    owners.append((child.lineno - 1, child.end_lineno - 1, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    regions, start = [], None
    for i, line in enumerate(lines):
        text = line.strip()
        if text == BEGIN:
            if start is not None:
                raise ValueError(f"line {i + 1}: nested {BEGIN!r}")
            start = i
        elif text == END:
            if start is None:
                raise ValueError(f"line {i + 1}: {END!r} without {BEGIN!r}")
            inside = [o for o in owners if o[0] < start <= o[1]]
            if not inside:
                raise ValueError(f"line {start + 1}: solution region outside any function")
            innermost = max(inside, key=lambda o: o[0])
            regions.append((start, i, innermost[2]))
            start = None
    if start is not None:
        raise ValueError(f"line {start + 1}: {BEGIN!r} without {END!r}")
    return regions


def stub_source(source: str, functions, message=None) -> tuple[str, set[str]]:
    """Stub the solution regions of ``functions`` in a module's source.

    ``message`` maps a function name to the text of its ``NotImplementedError``
    (default: nbgrader's bare stub). Returns the new source and the set of
    functions whose regions were stubbed.
    """
    functions = set(functions)
    lines = source.splitlines()
    out, done, cursor = [], set(), 0
    for begin, end, name in solution_regions(source):
        if name not in functions and name.split(".")[-1] not in functions:
            continue
        out.extend(lines[cursor:begin])
        indent = re.match(r"\s*", lines[begin]).group(0)
        stub = CODE_STUB
        if message and message.get(name):
            stub = f"# YOUR CODE HERE\nraise NotImplementedError({message[name]!r})"
        out.extend(indent + s for s in stub.split("\n"))
        cursor = end + 1
        done.add(name)
    out.extend(lines[cursor:])
    text = "\n".join(out) + ("\n" if source.endswith("\n") else "")
    ast.parse(text)  # the stubbed module must still be valid Python
    return text, done


def marked_functions(package_dir: Path) -> dict[str, str]:
    """Every function of the package with a solution region: ``{function: module file}``."""
    found = {}
    for path in sorted(Path(package_dir).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if BEGIN not in text:
            continue
        for _, _, name in solution_regions(text):
            found[name] = path.name
    return found


def clear_solution_regions(text: str, stub: str) -> tuple[str, bool]:
    """nbgrader's ``ClearSolutions`` region logic for one cell, for when nbgrader is absent.

    Same rule as nbgrader 0.9: a line *containing* ``BEGIN SOLUTION`` starts a
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
