"""Command line: ``python -m rnn_assign {list,student,grade,site-config,check,sync} ...``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rnn_book.table import CHAPTERS, resolve_chapter

from . import launch

DESCRIPTION = ("Assign the book's chapters: write student editions (student), grade "
               "submissions (grade), list the chapters (list), write a _config.yml for "
               "a book site without exercise solutions (site-config), and check or sync "
               "every copy of the repository URL and the chapters' install cells (check, sync). "
               "Commands that read the repository take it from the current directory "
               "or --root.")


def _submissions(paths) -> tuple[list[Path], list[str]]:
    """Folders to grade, and notes on what was skipped.

    Each path that holds ``rnn_core/`` is one submission; a folder that does not is a
    parent holding one folder per student (its files are skipped, with a note). The
    caller has checked that every path is an existing folder.
    """
    found, notes = [], []
    for p in map(Path, paths):
        if (p / "rnn_core").is_dir():
            found.append(p)
            continue
        subs = []
        for q in sorted(p.iterdir()):
            if q.name.startswith("."):
                continue
            if q.is_dir():
                subs.append(q)
            else:
                notes.append(f"skipped {q}: not a folder")
        found.extend(subs or [p])
    return found, notes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnn_assign", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("student", help="write the student edition of a chapter")
    s.add_argument("chapter", help="chapter number or notebook file name")
    s.add_argument("--out", required=True, help="folder to write (must be empty or new)")
    s.add_argument("--force", action="store_true", help="replace --out if it exists")
    s.add_argument("--root", type=Path, default=Path("."),
                   help="repository root: the notebook is ROOT/book/CHAPTER (default: .)")
    s.add_argument("--keep-later", action="store_true",
                   help="leave the solutions of later chapters in the rnn_core copy")

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
    c.add_argument("--config", type=Path, default=Path("_config.yml"),
                   help="the book's _config.yml (default: ./_config.yml)")
    c.add_argument("--out", required=True, help="where to write the student site's config")

    for name, text in (("check", "list every copy of the repository URL and every install "
                                 "cell that is out of date (exit 1 if any)"),
                       ("sync", "rewrite them from _config.yml's repository.url and each "
                                "notebook's imports")):
        launch.add_arguments(sub.add_parser(name, help=text))
    args = parser.parse_args(argv)

    if args.command in ("check", "sync"):
        return launch.run(args.command, args.root, args.config, args.book)

    if args.command == "list":
        for c in CHAPTERS.values():
            print(f"{c.number}  {c.notebook:<26} {', '.join(f for _, f in c.derives) or '-'}")
        return 0

    if args.command == "site-config":
        from .site import write_student_config

        if not args.config.is_file():
            print(f"error: --config: {args.config} does not exist (run from the repository "
                  "root or pass --config)", file=sys.stderr)
            return 2
        try:
            path = write_student_config(args.config, args.out).resolve()
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        root = args.config.resolve().parent
        print(f"wrote {path}: build with  jupyter-book build {root} --config {path} "
              f"--path-output {root / '_build' / 'student'}")
        return 0

    try:
        chapter = resolve_chapter(args.chapter)
    except ValueError as exc:
        parser.error(str(exc))

    if args.command == "student":
        from .edition import make_edition

        out = Path(args.out)
        if out.exists() and not out.is_dir():
            print(f"error: --out: {out} is a file, not a folder", file=sys.stderr)
            return 2
        try:
            manifest = make_edition(chapter, Path(args.out), keep_later=args.keep_later,
                                    overwrite=args.force, book_dir=args.root / "book")
        except (FileExistsError, NotADirectoryError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for w in manifest["warnings"]:
            print("warning:", w, file=sys.stderr)
        print(f"chapter {chapter.number} student edition in {args.out}: stubbed "
              f"{', '.join(manifest['stubbed']) or 'nothing'}")
        return 0

    from .grader import (
        format_summary,
        format_table,
        grade_submission,
        new_seed,
        write_csv,
    )

    for folder in map(Path, args.folders):
        if not folder.exists():
            print(f"error: FOLDERS: {folder} does not exist", file=sys.stderr)
            return 2
        if not folder.is_dir():
            print(f"error: FOLDERS: {folder} is not a folder (give a submission folder, or a "
                  "folder holding one folder per student)", file=sys.stderr)
            return 2
    folders, notes = _submissions(args.folders)
    for note in notes:
        print("note:", note, file=sys.stderr)
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
