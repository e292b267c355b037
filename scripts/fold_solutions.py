#!/usr/bin/env python3
"""Fold or unfold the exercise solutions of chapter notebooks (the forms: rnn_book/folds.py).

The committed chapters are *folded*: each solution is one Markdown cell inside
``<details class="rnn-fold"><summary>Solution</summary> ... </details>``, its code cells written
as ``python rnn-cell`` blocks followed by what they printed (``text rnn-output`` blocks), so that
no viewer (Colab, JupyterLab, nbconvert, GitHub) shows a solution unfolded and nothing of it runs
outside the executable form. Exercises are colon fences (``:::{exercise}``), which read as text.
The *executable* form has the solution's code cells back as code cells; tests, re-execution
and student editions use it, and it is never committed.

    python scripts/fold_solutions.py book/*.ipynb            # fold in place (either form in)
    python scripts/fold_solutions.py --check book/*.ipynb    # exit 1 if one is not folded
    python scripts/fold_solutions.py --unfold book/ch04_backprop_step.ipynb   # to edit in Jupyter
    python scripts/fold_solutions.py --unfold book/ch04_backprop_step.ipynb -o /tmp/ch04.ipynb

Folding is idempotent and undoes unfolding exactly; run it again after any edit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # rnn_book without an install

from rnn_book.folds import dumps, fold, normalised, unfold  # noqa: E402


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="change nothing; exit 1 if a notebook is not folded")
    mode.add_argument("--unfold", action="store_true",
                      help="write the executable form (solution code as code cells) instead")
    parser.add_argument("-o", "--output", type=Path,
                        help="write here instead of in place (one notebook only)")
    args = parser.parse_args(argv)
    if args.output and (args.check or len(args.notebooks) != 1):
        parser.error("--output takes one notebook, and not with --check")
    stale = []
    for path in args.notebooks:
        nb = normalised(_read(path))
        new = unfold(nb) if args.unfold else fold(nb)
        target = args.output or path
        if new == nb and target == path:
            continue
        stale.append(path)
        if not args.check:
            target.write_text(dumps(new), encoding="utf-8")
            if target == path:
                print(f"{'unfolded' if args.unfold else 'folded'} {path}")
    if args.check and stale:
        for path in stale:
            print(f"{path}: not folded; run python scripts/fold_solutions.py {path}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
