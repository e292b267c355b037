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


def _function_nodes(tree):
    """``{qualified name: FunctionDef}`` of every function and method of a module."""
    found = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found[name] = child
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def _returns_section(doc: str) -> list[str]:
    """The entries of a numpy-style ``Returns`` section: ``["h_next : (N, Dh) ...", ...]``."""
    lines = (doc or "").splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.strip() == "Returns" and set(lines[i + 1].strip()) == {"-"}:
            entries = []
            for entry in lines[i + 2:]:
                text = entry.strip()
                if not text or (set(text) == {"-"}):
                    break
                if " : " in text or re.match(r"^\w+(, \w+)*$", text):
                    entries.append(text.rstrip("."))
            return entries
    return []


def region_contract(source: str, begin: int, end: int, name: str) -> tuple[list[str], str]:
    """What a stubbed region must do, without its code: comment lines and an error message.

    Read from the function around lines ``begin..end`` (0-based, the markers): the
    names the region sets that the rest of the function reads, the names available
    before it, the errors it raises, and the ``Returns`` section of the docstring.
    """
    tree = ast.parse(source)
    func = _function_nodes(tree)[name]
    comp = {n.id for c in ast.walk(func) if isinstance(c, ast.comprehension)
            for n in ast.walk(c.target) if isinstance(n, ast.Name)}
    names = [n for n in ast.walk(func) if isinstance(n, ast.Name)]

    def where(lo, hi, ctx):
        return {n.id for n in names if lo < n.lineno - 1 < hi and isinstance(n.ctx, ctx)}

    args = [a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs
            if a.arg != "self"]
    loop = {n.id for n in names if n.lineno - 1 < begin and isinstance(n.ctx, ast.Store)
            and any(isinstance(f, (ast.For, ast.While)) and f.lineno - 1 < begin < f.end_lineno
                    for f in ast.walk(func))}
    read_after = where(end, 10**9, ast.Load)
    if any(isinstance(f, (ast.For, ast.While)) and f.lineno - 1 < begin and end < f.end_lineno - 1
           for f in ast.walk(func)):
        # read again on the next pass of the loop before this block sets it
        for n in names:
            if begin < n.lineno - 1 < end and isinstance(n.ctx, ast.Load) and not any(
                    m.id == n.id and isinstance(m.ctx, ast.Store) and begin < m.lineno - 1 < end
                    and m.lineno < n.lineno for m in names):
                read_after.add(n.id)
    stored = where(begin, end, ast.Store)
    doc_returns = _returns_section(ast.get_docstring(func) or "")
    doc_names = [e.split(" : ")[0].strip() for e in doc_returns]
    first = {}
    for n in sorted(names, key=lambda n: (n.lineno, n.col_offset)):
        if begin < n.lineno - 1 < end and isinstance(n.ctx, ast.Store):
            first.setdefault(n.id, n.lineno)
    sets = sorted(stored & read_after,
                  key=lambda v: (doc_names.index(v) if v in doc_names else len(doc_names), first[v]))
    available = args + sorted((where(-1, begin, ast.Store) | loop) - set(args) - comp)
    available = [v for v in dict.fromkeys(available) if not v.startswith("_")]
    inside = [n for n in ast.walk(func) if isinstance(n, ast.Raise) and begin < n.lineno - 1 < end]
    raises = sorted({ast.unparse(n.exc.func) if isinstance(n.exc, ast.Call) else ast.unparse(n.exc)
                     for n in inside if n.exc is not None})
    returns_here = any(isinstance(n, ast.Return) and begin < n.lineno - 1 < end
                       for n in ast.walk(func))
    owner = name.rsplit(".", 1)[0] if "." in name else None
    lines = [f"{name}: available here: {', '.join(available)}"
             + (", and self (its attributes and state)" if owner else "") + "."]
    if sets:
        lines.append(f"Set {', '.join(sets)}: the code after this block uses "
                     f"{'them' if len(sets) > 1 else 'it'}.")
    if returns_here or not sets:
        if doc_returns:
            lines.append("Return " + "; ".join(doc_returns) + ".")
        elif owner:
            lines.append(f"Return what the docstring of {owner} describes.")
    if raises:
        lines.append(f"Raise with {', '.join(raises)}(...) when this block detects a failure "
                     "(the code after it shows how).")
    if sets:
        message = f"{name}: compute {', '.join(sets)}"
    elif doc_returns:
        message = f"{name}: compute and return " + "; ".join(doc_returns)
    elif owner:
        message = f"{name}: compute the update described in the docstring of {owner}"
    else:
        message = f"{name}: not implemented yet"
    return lines, message


def _trim_docstrings(source: str, functions) -> str:
    """Keep the summary line(s) and the Parameters/Returns sections of the docstrings of ``functions``.

    The prose in between can state the derivation (the answer); the contract stays.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    cuts = []
    for name, func in _function_nodes(tree).items():
        if name not in functions and name.split(".")[-1] not in functions:
            continue
        first = func.body[0] if func.body else None
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            continue
        s, e = first.lineno - 1, first.end_lineno - 1
        blank = next((i for i in range(s, e + 1) if not lines[i].strip()), None)
        if blank is None:
            continue
        heading = next((i for i in range(blank, e) if lines[i].strip() in ("Parameters", "Returns")
                        and set(lines[i + 1].strip()) == {"-"}), None)
        stop = heading if heading is not None else e
        if stop > blank + 1:
            cuts.append((blank + 1, stop, heading is None))
    for a, b, closing in sorted(cuts, reverse=True):
        if closing:  # no sections: keep the summary and the closing quotes
            indent = re.match(r"\s*", lines[b]).group(0)
            lines[a - 1:b] = [] if lines[b].strip() in ('"""', "'''") else [indent]
        else:
            del lines[a:b]
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


def stub_source(source: str, functions, message=None, *, informative=False) -> tuple[str, set[str]]:
    """Stub the solution regions of ``functions`` in a module's source.

    ``message`` maps a function name to the text of its ``NotImplementedError``
    (default: nbgrader's bare stub). With ``informative=True`` each stub also
    carries comment lines stating the region's contract (names available, names
    to set, what to return; see :func:`region_contract`), its error names what is
    missing, and the stubbed functions' docstrings keep their summary and their
    Parameters/Returns sections only. Returns the new source and the set of
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
        text = message.get(name) if message else None
        if informative and not text:
            contract, text = region_contract(source, begin, end, name)
            stub = "# YOUR CODE HERE\n" + "\n".join("# " + c for c in contract) + \
                f"\nraise NotImplementedError({text!r})"
        elif text:
            stub = f"# YOUR CODE HERE\nraise NotImplementedError({text!r})"
        out.extend(indent + s for s in stub.split("\n"))
        cursor = end + 1
        done.add(name)
    out.extend(lines[cursor:])
    text = "\n".join(out) + ("\n" if source.endswith("\n") else "")
    ast.parse(text)  # the stubbed module must still be valid Python
    if informative and done:
        text = _trim_docstrings(text, done | {n.split(".")[-1] for n in done})
        ast.parse(text)
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
