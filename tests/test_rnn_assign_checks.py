"""The checks of the graded functions: one module, run by the grader and shipped as check.py."""

from __future__ import annotations

from rnn_assign import checklib, checks
from rnn_assign.edition import standalone
from rnn_book.table import CHAPTERS
from tests._assign_support import functions


def test_every_assigned_function_has_checks_that_hard_coding_cannot_pass():
    assigned = {f for c in CHAPTERS.values() for f in functions(c)}
    assert assigned <= set(checks.CHECKS), sorted(assigned - set(checks.CHECKS))
    for f in assigned:
        grader = [k for k, _, _ in checks.CHECKS[f]]
        student = [k for k, _, _ in checks.STUDENT_CHECKS[f]]
        assert set(grader) <= {"fixed", "gradient", "random"} and "random" in grader, f
        assert set(student) <= {"known", "fixed", "gradient"} and "known" in student, f
        # the hand-worked and gradient checks are the same on both sides
        assert [k for k in grader if k != "random"] == [k for k in student if k != "known"], f


def test_standalone_scripts_run_on_their_own(tmp_path):
    """The grader's checks.py and the student's check.py are checklib + checks, importing no
    neighbour."""
    text = standalone("checklib", "checks")
    assert "from ." not in text and text.count("class KnownAnswer") == 1
    path = tmp_path / "checks.py"
    path.write_text(text)
    namespace = {"__name__": "bundle"}
    exec(compile(text, str(path), "exec"), namespace)
    assert set(namespace["CHECKS"]) == set(checks.CHECKS)
    assert set(namespace["STUDENT_CHECKS"]) == set(checks.STUDENT_CHECKS)
    assert namespace["KnownAnswer"].__doc__ == checklib.KnownAnswer.__doc__
