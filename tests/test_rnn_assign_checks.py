"""The grader's and the student's checks: one helper library, no drift, no answers shipped."""

from __future__ import annotations

import ast
import importlib.resources

from rnn_assign import checklib, checks, student_checks
from rnn_assign.edition import standalone
from rnn_book.table import CHAPTERS
from tests._assign_support import functions


def _top_level(name):
    tree = ast.parse(importlib.resources.files("rnn_assign").joinpath(f"{name}.py").read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_every_assigned_function_has_both_kinds_of_checks():
    assigned = {f for c in CHAPTERS.values() for f in functions(c)}
    assert assigned <= set(checks.CHECKS), sorted(assigned - set(checks.CHECKS))
    assert assigned <= set(student_checks.CHECKS), sorted(assigned - set(student_checks.CHECKS))
    for f in assigned:
        kinds = {k for k, _, _ in checks.CHECKS[f]}
        assert kinds <= {"fixed", "gradient", "random"}
        # every function has a check that hard-coded outputs cannot pass
        assert kinds & {"gradient", "random"}, f
        assert {k for k, _, _ in student_checks.CHECKS[f]} <= {"known", "gradient", "property"}


def test_helpers_live_once():
    """Nothing checklib defines is defined again in either set of checks, and the two share
    no helper of their own (the check tables and check functions are theirs)."""
    lib = _top_level("checklib")
    grader, student = _top_level("checks"), _top_level("student_checks")
    assert not lib & grader, lib & grader
    assert not lib & student, lib & student
    shared = (grader & student) - {"CHECKS"}
    helpers = {n for n in shared if n.startswith("_") or n.isupper()}
    assert not helpers, f"defined in both checks.py and student_checks.py: {sorted(helpers)}"


def test_standalone_scripts_run_on_their_own(tmp_path):
    """check.py and the grader's checks.py are checklib + their module, importing no neighbour."""
    for name in ("checks", "student_checks"):
        text = standalone("checklib", name)
        assert "from ." not in text and text.count("class Namespace") == 1
        path = tmp_path / f"{name}.py"
        path.write_text(text)
        namespace = {"__name__": "bundle"}
        exec(compile(text, str(path), "exec"), namespace)
        module = checks if name == "checks" else student_checks
        assert set(namespace["CHECKS"]) == set(module.CHECKS)
        assert namespace["Namespace"].__doc__ == checklib.Namespace.__doc__
