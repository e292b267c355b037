"""How the chapters depend on each other (the instructor page).

Drawn from :data:`rnn_book.table.CHAPTERS`, so a new chapter appears
here as soon as it has an entry in that table.
"""

from __future__ import annotations

import textwrap

from .primitives import arrow, box, canvas, label

# Parts of the book: (first chapter, name, role colour).
PARTS = ((1, "Part I: the forward pass", "hidden"),
         (4, "Part II: the backward pass", "loss"),
         (6, "Part III: training", "output"),
         (8, "Part IV: gated cells", "param"))


def _part_of(number: int) -> tuple[int, str, str]:
    found = PARTS[0]
    for part in PARTS:
        if number >= part[0]:
            found = part
    return found


def dependency_edges(chapters=None) -> list[tuple[int, int]]:
    """``(prerequisite, chapter)`` pairs; each prerequisite must be an earlier chapter."""
    if chapters is None:
        from ..table import CHAPTERS as chapters
    edges = []
    for c in chapters.values():
        for dep in c.depends_on:
            if dep not in chapters or dep >= c.number:
                raise ValueError(f"chapters: chapter {c.number} depends on {dep}, expected an "
                                 f"earlier chapter among {sorted(chapters)}")
            edges.append((dep, c.number))
    return edges


def chapter_graph(chapters=None):
    """Draw the chapters as boxes (title, time, functions derived) and their dependencies as arrows.

    The chapters sit in reading order, coloured by the part of the book they
    belong to. An arrow from A to B means B uses what A derives: straight
    between neighbours, an arc above the row when it skips chapters.

    Parameters
    ----------
    chapters : mapping number -> Chapter, default :data:`rnn_book.table.CHAPTERS`.

    Returns
    -------
    fig : matplotlib Figure on an opaque white background.
    """
    if chapters is None:
        from ..table import CHAPTERS as chapters
    edges = dependency_edges(chapters)
    numbers = sorted(chapters)
    step, bw, bh = 3.3, 2.8, 2.1
    pos = {n: step * i for i, n in enumerate(numbers)}
    longest = max([numbers.index(b) - numbers.index(a) for a, b in edges] + [1])
    top = bh / 2 + 0.45 * longest + 0.4
    xlim = (-bw / 2 - 0.2, pos[numbers[-1]] + bw / 2 + 0.2)
    ylim = (-bh / 2 - 1.6, top)
    scale = min(0.6, 13.5 / (xlim[1] - xlim[0]))
    fig, ax = canvas(scale * (xlim[1] - xlim[0]), scale * (ylim[1] - ylim[0]), xlim, ylim)

    for n in numbers:
        c = chapters[n]
        title = "\n".join(textwrap.wrap(c.title, 17))
        count = len(c.derives)
        body = (f"Chapter {n}\n{title}\n~{c.minutes} min"
                + (f"\n{count} function{'s' * (count != 1)}" if count else ""))
        # The figure shrinks to fit a page as chapters are added: the text shrinks with it,
        # so that it stays inside its box.
        box(ax, pos[n], 0.0, bw, bh, body, role=_part_of(n)[2], fontsize=8.5 * scale / 0.6)
    # The parts, as brackets under their chapters.
    for first, name, role in PARTS:
        members = [n for n in numbers if _part_of(n)[0] == first]
        if not members:
            continue
        x0, x1 = pos[members[0]] - bw / 2, pos[members[-1]] + bw / 2
        ax.plot([x0, x0, x1, x1], [-bh / 2 - 0.2, -bh / 2 - 0.35, -bh / 2 - 0.35, -bh / 2 - 0.2],
                color="black", linewidth=1.0)
        label(ax, (x0 + x1) / 2, -bh / 2 - 0.7, name, fontsize=9.5)
    for a, b in edges:
        span = numbers.index(b) - numbers.index(a)
        if span == 1:
            arrow(ax, (pos[a] + bw / 2, 0.0), (pos[b] - bw / 2, 0.0))
        else:
            arrow(ax, (pos[a] + 0.35, bh / 2), (pos[b] - 0.35, bh / 2),
                  connectionstyle=f"arc3,rad=-{0.18 + 0.02 * span:.2f}", colour="#555555")
    label(ax, (xlim[0] + xlim[1]) / 2, ylim[0] + 0.3,
          "A \u2192 B: chapter B uses what chapter A derives "
          "(straight: the chapter before; arc: an earlier one)", fontsize=9)
    return fig
