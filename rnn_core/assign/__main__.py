"""Command line: ``python -m rnn_core.assign {student,grade,list} ...``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .table import CHAPTERS, resolve_chapter


def _submissions(paths) -> list[Path]:
    """Folders to grade: each path that holds ``rnn_core/``, or the sub-folders of one that does not."""
    found = []
    for p in map(Path, paths):
        if (p / "rnn_core").is_dir() or not p.is_dir():
            found.append(p)
        else:
            subs = sorted(q for q in p.iterdir() if q.is_dir() and not q.name.startswith("."))
            found.extend(subs or [p])
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnn_core.assign", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("student", help="write the student edition of a chapter")
    s.add_argument("chapter", help="chapter number or notebook file name")
    s.add_argument("--out", required=True, help="folder to write (must be empty or new)")
    s.add_argument("--force", action="store_true", help="replace --out if it exists")
    s.add_argument("--keep-later", action="store_true",
                   help="leave the solutions of later chapters in the rnn_core copy")
    engine = s.add_mutually_exclusive_group()
    engine.add_argument("--nbgrader", dest="use_nbgrader", action="store_const", const=True,
                        help="require nbgrader's ClearSolutions (default: use it when installed)")
    engine.add_argument("--no-nbgrader", dest="use_nbgrader", action="store_const", const=False,
                        help="use the built-in equivalent of ClearSolutions")

    g = sub.add_parser("grade", help="grade one or many submitted folders")
    g.add_argument("chapter")
    g.add_argument("folders", nargs="+",
                   help="submission folders, or a parent folder holding one folder per student")
    g.add_argument("--json", default=None, help="report file (default: grade-chNN.json)")
    g.add_argument("--csv", default=None,
                   help="also write a CSV for a learning-management system: one row per "
                        "submission with name, passed, total, score (fraction 0-1), reason")
    g.add_argument("--seed", type=int, default=None,
                   help="seed of the randomised checks (default: a fresh one, printed and "
                        "recorded in the report; pass it again to reproduce a grade)")
    g.add_argument("--timeout", type=float, default=60.0, help="seconds per submission")
    g.add_argument("--check-timeout", type=float, default=20.0, help="seconds per check")
    g.add_argument("--max-output", type=int, default=1_000_000, help="bytes of output allowed")
    g.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))

    sub.add_parser("list", help="list the chapters and the functions each one derives")

    c = sub.add_parser("site-config",
                       help="write a _config.yml for a book site without exercise solutions")
    c.add_argument("--config", default=None, help="the book's _config.yml (default: the repository's)")
    c.add_argument("--out", required=True, help="where to write the student site's config")
    args = parser.parse_args(argv)

    if args.command == "list":
        for c in CHAPTERS.values():
            print(f"{c.number}  {c.notebook:<26} {', '.join(f for _, f in c.derives) or '-'}")
        return 0

    if args.command == "site-config":
        from .site import write_student_config

        path = write_student_config(args.config, args.out)
        print(f"wrote {path}: build with  jupyter-book build . --config {path} "
              "--path-output _build/student")
        return 0

    try:
        chapter = resolve_chapter(args.chapter)
    except ValueError as exc:
        parser.error(str(exc))

    if args.command == "student":
        from .edition import make_edition

        try:
            manifest = make_edition(chapter, Path(args.out), keep_later=args.keep_later,
                                    use_nbgrader=args.use_nbgrader, overwrite=args.force)
        except (FileExistsError, ImportError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for w in manifest["warnings"]:
            print("warning:", w, file=sys.stderr)
        print(f"chapter {chapter.number} student edition in {args.out}: stubbed "
              f"{', '.join(manifest['stubbed']) or 'nothing'} "
              f"(notebook: {manifest['notebook_engine'] or 'none'})")
        return 0

    from .grader import (
        format_summary,
        format_table,
        grade_submission,
        new_seed,
        write_csv,
    )

    folders = _submissions(args.folders)
    seed = new_seed() if args.seed is None else args.seed
    print(f"seed of the randomised checks: {seed}")
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        reports = list(pool.map(lambda f: grade_submission(
            chapter, f, timeout=args.timeout, check_timeout=args.check_timeout,
            max_output=args.max_output, seed=seed), folders))
    for r in reports:
        print(f"\n== {r['submission']}: {'PASS' if r['passed'] else 'FAIL'}"
              + (f" ({r['reason']})" if r["reason"] else ""))
        print(format_table(r["results"]))
    if len(reports) > 1:
        print("\n" + format_summary(reports))
    out = Path(args.json or f"grade-ch{chapter.number:02d}.json")
    out.write_text(json.dumps(dict(chapter=chapter.number, notebook=chapter.notebook,
                                   seed=seed, passed=all(r["passed"] for r in reports),
                                   submissions=reports), indent=1) + "\n", encoding="utf-8")
    print(f"report: {out}")
    if args.csv:
        print(f"csv: {write_csv(reports, args.csv)}")
    return 0 if reports and all(r["passed"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
