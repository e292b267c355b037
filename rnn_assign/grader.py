"""Grade submissions: the chapter's checks against each submission's ``rnn_core``, in a subprocess.

Each submission is copied into a fresh temporary folder and run there by
``runner.py`` with a time limit, a cap on its output, limits on file size and
memory, its own process group (killed afterwards, children included) and a
minimal environment. The checks (:func:`rnn_assign.edition.standalone`), the runner
and the reference are the grader's own: the checks and the runner are written next to
the copy, and the installed reference ``rnn_core`` (what the random checks compare with,
and the numerical gradient) is loaded under another package name, never from the
submission. A canary file next to the
copy, and a listing of the submitted folder, show whether the code deleted or
changed anything outside the copy.

This contains honest mistakes and runaway code. It is not a security boundary
against a hostile student: for that, run the grader in a container or as an
unprivileged user with no access to anything else.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .edition import standalone

TIMEOUT = 60.0  # seconds per submission
CHECK_TIMEOUT = 20.0  # seconds per check
MAX_OUTPUT = 1_000_000  # bytes of stdout + stderr
KEEP_OUTPUT = 4000  # bytes of output kept in the report
FILE_LIMIT = 64 * 2**20  # largest file the code may write
MEMORY_LIMIT = 4 * 2**30  # address space
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".git")


def planned_checks(functions) -> list[tuple[str, str, str]]:
    """``(function, kind, description)`` of every check that should run."""
    from .checks import CHECKS

    plan = []
    for f in functions:
        entries = CHECKS.get(f) or [("-", "(no checks)", None)]
        plan.extend((f, kind, desc) for kind, desc, _ in entries)
    return plan


def write_tools(folder) -> dict:
    """Write the grader's ``checks.py`` and ``runner.py`` into ``folder``; their paths."""
    folder = Path(folder)
    checks, runner = folder / "checks.py", folder / "runner.py"
    checks.write_text(standalone("checklib", "checks"), encoding="utf-8")
    runner.write_text(importlib.resources.files("rnn_assign").joinpath("runner.py")
                      .read_text(encoding="utf-8"), encoding="utf-8")
    return dict(checks=checks, runner=runner)


def new_seed() -> int:
    """A seed for the randomised checks, drawn at grading time (not predictable from the edition)."""
    import secrets

    return secrets.randbelow(2**31)


def run_checks(package_root, functions, *, cwd=None, tools_dir=None, timeout=TIMEOUT,
               check_timeout=CHECK_TIMEOUT, max_output=MAX_OUTPUT, seed=None) -> dict:
    """Run the grader's checks on the ``rnn_core`` in ``package_root`` in a subprocess.

    Never raises for the code under test. ``tools_dir`` receives the checks, the
    runner and the results (default: a temporary folder). ``seed`` feeds the
    randomised and gradient checks (:data:`rnn_assign.checks.SEED`); None keeps
    their fixed seeds.

    Returns ``{"results": [...], "reason": str | None, "output": str, "seconds": float}``.
    """
    import rnn_core

    own_dir = None
    if tools_dir is None:
        own_dir = tools_dir = tempfile.mkdtemp(prefix="rnn-assign-tools-")
    tools = write_tools(tools_dir)
    result = Path(tools_dir) / "result.jsonl"
    result.unlink(missing_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd or package_root),
           "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
    cmd = [sys.executable, "-I", str(tools["runner"]), "--package-root", str(package_root),
           "--checks", str(tools["checks"]), "--reference", str(list(rnn_core.__path__)[0]),
           "--result", str(result),
           "--check-timeout", str(check_timeout), "--file-limit", str(FILE_LIMIT),
           "--memory-limit", str(MEMORY_LIMIT),
           *(["--seed", str(int(seed))] if seed is not None else []), *functions]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd or package_root, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    head, total, flooded = bytearray(), 0, threading.Event()

    def drain():
        nonlocal total
        while True:
            chunk = proc.stdout.read1(65536) if hasattr(proc.stdout, "read1") else proc.stdout.read(65536)
            if not chunk:
                return
            total += len(chunk)
            if len(head) < KEEP_OUTPUT:
                head.extend(chunk[:KEEP_OUTPUT - len(head)])
            if total > max_output:
                flooded.set()
                _kill(proc)
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    reason = None
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        reason = f"timed out after {timeout:g} s"
    finally:
        _kill(proc)
        proc.wait()
        reader.join(timeout=5)
        proc.stdout.close()
    if flooded.is_set():
        reason = f"printed more than {max_output:,} bytes"
    elif reason is None and proc.returncode not in (0, 1):
        reason = f"the check process died (exit status {proc.returncode})"
    records = []
    if result.exists():
        for line in result.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    if own_dir:
        shutil.rmtree(own_dir, ignore_errors=True)
    return dict(results=records, reason=reason, output=head.decode("utf-8", "replace"),
                seconds=round(time.monotonic() - start, 2))


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _snapshot(folder: Path) -> dict:
    snap = {}
    for path in sorted(folder.rglob("*")):
        try:
            st = path.lstat()
        except OSError:
            continue
        snap[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return snap


def _complete(plan, run) -> list[dict]:
    """Every planned check once, in plan order; missing ones failed with the run's reason."""
    got = {(r["function"], r["check"]): r for r in run["results"]}
    imports = {r["function"]: r for r in run["results"] if r.get("kind") == "import"}
    rows = []
    for function, kind, desc in plan:
        row = got.get((function, desc))
        if row is None and function in imports:
            row = dict(imports[function], kind=kind, check=desc)
        if row is None:
            row = dict(function=function, kind=kind, check=desc, passed=False, seconds=0.0,
                       detail="not run: " + (run["reason"] or "the check process stopped early"))
        rows.append(row)
    return rows


def grade_submission(chapter, submission, *, timeout=TIMEOUT, check_timeout=CHECK_TIMEOUT,
                     max_output=MAX_OUTPUT, seed=None) -> dict:
    """Grade one submitted folder (a student edition with the student's code).

    ``seed`` drives the randomised checks; by default a fresh one is drawn, and
    the report records it (pass it again to reproduce a grade).
    """
    submission = Path(submission).resolve()
    functions = [f for _, f in chapter.derives]
    plan = planned_checks(functions)
    seed = new_seed() if seed is None else int(seed)
    report = dict(submission=str(submission), chapter=chapter.number, passed=False, reason=None,
                  seed=seed)
    if not (submission / "rnn_core" / "__init__.py").is_file():
        report.update(reason="no rnn_core/ package in the folder",
                      results=_complete(plan, dict(results=[], reason="no rnn_core/ package")))
        return report
    box = Path(tempfile.mkdtemp(prefix="rnn-assign-grade-"))
    try:
        work, tools = box / "submission", box / "grader"
        shutil.copytree(submission, work, ignore=IGNORE, symlinks=True)
        tools.mkdir()
        canary = box / "canary.txt"
        canary.write_text("outside the submission: must survive\n")
        before = _snapshot(submission)
        run = run_checks(work, functions, cwd=work, tools_dir=tools, timeout=timeout,
                         check_timeout=check_timeout, max_output=max_output, seed=seed)
        reason = run["reason"]
        touched = []
        if not canary.exists() or canary.read_text() != "outside the submission: must survive\n":
            touched.append("deleted or changed a file outside its folder (canary)")
        if _snapshot(submission) != before:
            touched.append("changed the submitted folder itself")
        if touched:
            reason = "; ".join(touched + ([reason] if reason else []))
        rows = _complete(plan, run)
        if touched:
            for row in rows:
                row["passed"] = False
        report.update(results=rows, reason=reason, output=run["output"], seconds=run["seconds"],
                      passed=bool(rows) and reason is None and all(r["passed"] for r in rows))
        return report
    finally:
        shutil.rmtree(box, ignore_errors=True)


def format_table(rows, width=60) -> str:
    lines = [f"{'function':<24} {'kind':<9} {'result':<6} detail", "-" * 96]
    for r in rows:
        detail = r.get("detail", "")
        detail = detail if len(detail) <= width else detail[:width - 3] + "..."
        lines.append(f"{r['function']:<24} {r['kind']:<9} {'PASS' if r['passed'] else 'FAIL':<6} "
                     f"{r['check']}: {detail}")
    return "\n".join(lines)


def format_summary(reports) -> str:
    name_w = max([10] + [len(Path(r["submission"]).name) for r in reports])
    lines = [f"{'submission':<{name_w}}  checks  grade  reason", "-" * (name_w + 40)]
    for r in reports:
        ok = sum(x["passed"] for x in r["results"])
        lines.append(f"{Path(r['submission']).name:<{name_w}}  {ok:>2}/{len(r['results']):<3}  "
                     f"{'PASS' if r['passed'] else 'FAIL':<5}  {r['reason'] or ''}")
    n_pass = sum(r["passed"] for r in reports)
    lines.append(f"{n_pass} of {len(reports)} submissions pass")
    return "\n".join(lines)


def score(report) -> tuple[int, int]:
    """``(checks passed, checks run)`` of one report; a submission that broke the rules scores 0."""
    total = len(report["results"])
    passed = sum(bool(r["passed"]) for r in report["results"])
    return passed, total


def write_csv(reports, path) -> Path:
    """One row per submission for a learning-management system: name, passed, total, score."""
    import csv

    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "passed", "total", "score", "reason"])
        for r in reports:
            passed, total = score(r)
            w.writerow([Path(r["submission"]).name, passed, total,
                        f"{passed / total:.4f}" if total else "0.0000", r["reason"] or ""])
    return path
