"""Run the function-level checks of a chapter against one copy of ``rnn_core``.

A plain script, self-contained on purpose (standard library and numpy only):

    python runner.py --package-root DIR --checks CHECKS_PY --reference REF_DIR \
        --result OUT.jsonl FUNCTION [FUNCTION ...]

``DIR`` holds the ``rnn_core`` under test; it goes first on ``sys.path`` and
the script refuses to run if ``rnn_core`` was imported from anywhere else
(an editable install of the reference is *appended* to ``sys.meta_path``, so
``sys.path`` wins, but this is checked, not assumed). ``CHECKS_PY`` (the
grader's checks, written by :func:`rnn_assign.grader.write_tools`) is loaded by
file path. ``REF_DIR`` is the reference ``rnn_core``: it is loaded first, under
another package name, so that it and the modules it imports never mix with the
submission's. Each check is called as ``check(rnn, ref)``, the submission's package
and the reference: the random checks compare with ``ref``, and the numerical
gradient is ``ref``'s.
One JSON line per check is appended to ``OUT.jsonl`` and flushed at once: a run
killed half-way still reports what it finished.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import sys
import time
import traceback

class CheckTimeout(Exception):
    pass


def _load(name, path, package=False):
    """Load the file ``path`` as the module ``name``; with ``package``, ``path`` is a package's
    ``__init__.py`` and its relative imports (``from .cells import ...``) load the files next to it."""
    locations = [os.path.dirname(os.path.abspath(path))] if package else None
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=locations)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _set_limits(file_limit, memory_limit):
    """Cap the size of any file written and the address space, before any student code runs."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return
    for limit, value in ((resource.RLIMIT_FSIZE, file_limit), (resource.RLIMIT_AS, memory_limit),
                         (resource.RLIMIT_CORE, 0)):
        if value or limit == resource.RLIMIT_CORE:
            try:
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):
                pass


def _where(tb, root: str) -> str:
    """`` (line N of rnn_core/cells.py)``: the innermost frame in the submission at ``root``.

    A failure inside the student's code (a check that timed out in their loop included)
    points there, not into the grader's files; otherwise the innermost frame outside this
    script is named. Empty when there is no frame to name.
    """
    frames = traceback.extract_tb(tb)
    for frame in reversed(frames):
        path = os.path.realpath(frame.filename)
        if path.startswith(root + os.sep):
            return f" (line {frame.lineno} of {os.path.relpath(path, root)})"
    here = os.path.realpath(__file__)
    for frame in reversed(frames):
        if os.path.realpath(frame.filename) != here:
            return f" (line {frame.lineno} of {os.path.basename(frame.filename)})"
    return ""


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 300 else text[:297] + "..."


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--package-root", required=True)
    parser.add_argument("--checks", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("--check-timeout", type=float, default=20.0)
    parser.add_argument("--file-limit", type=int, default=0)
    parser.add_argument("--memory-limit", type=int, default=0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("functions", nargs="+")
    args = parser.parse_args(argv)
    _set_limits(args.file_limit, args.memory_limit)

    root = os.path.realpath(args.package_root)
    out = open(args.result, "a", encoding="utf-8")

    def emit(record):
        out.write(json.dumps(record) + "\n")
        out.flush()

    checks = _load("_assign_checks", args.checks)
    if args.seed is not None:
        checks.SEED = args.seed
    ref = _load("_assign_reference", os.path.join(args.reference, "__init__.py"), package=True)
    sys.path.insert(0, root)
    sys.modules.pop("rnn_core", None)
    try:
        import rnn_core
        where = os.path.realpath(rnn_core.__file__)
        if not where.startswith(root + os.sep):
            raise ImportError(f"rnn_core was imported from {where}, not from {root}")
        rnn = rnn_core
    except BaseException as exc:  # a broken submission must still give a report
        for function in args.functions:
            emit(dict(function=function, kind="import", check="import rnn_core", passed=False,
                      detail=_short(exc), seconds=0.0))
        return 1

    def on_alarm(signum, frame):
        raise CheckTimeout(f"check took longer than {args.check_timeout:g} s")

    signal.signal(signal.SIGALRM, on_alarm)
    failures = 0
    for function in args.functions:
        entries = checks.CHECKS.get(function)
        if not entries:
            emit(dict(function=function, kind="-", check="(no checks)", passed=False,
                      detail="no checks are registered for this function", seconds=0.0))
            failures += 1
            continue
        for kind, description, check in entries:
            start = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, args.check_timeout)
            try:
                detail, passed = check(rnn, ref), True
            except NotImplementedError:
                detail, passed = "not written yet (the stub raises NotImplementedError)", False
            except BaseException as exc:  # noqa: BLE001 - report every failure, never stop
                if isinstance(exc, KeyboardInterrupt):
                    raise
                detail, passed = _short(exc) + _where(exc.__traceback__, root), False
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            failures += not passed
            emit(dict(function=function, kind=kind, check=description, passed=passed,
                      detail=str(detail), seconds=round(time.perf_counter() - start, 3)))
    out.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
