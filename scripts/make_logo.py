"""Draw the book's logo and favicon with matplotlib (run from the repository root).

    .venv/bin/python scripts/make_logo.py

Writes book/_static/logo.png (sidebar) and book/_static/favicon.png (browser tab):
an RNN cell, a circle with its recurrent loop, unrolled into three steps, in the
Okabe-Ito colours of rnn_book.style on an opaque white background, so that it
reads in the light and the dark theme alike.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: E402

from rnn_book.style import OKABE_ITO  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "book" / "_static"
BLUE, ORANGE, GREEN, BLACK = (OKABE_ITO[k] for k in ("blue", "orange", "green", "black"))


def _arrow(ax, start, end, colour, **kw):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                 lw=2.2, color=colour, shrinkA=0, shrinkB=0, **kw))


def logo(path: Path) -> None:
    """Three hidden states h1..h3 left to right, inputs below, outputs above."""
    fig = plt.figure(figsize=(4.0, 2.2), dpi=100)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 5.5)
    ax.set_aspect("equal")
    ax.axis("off")
    xs = (2.0, 5.0, 8.0)
    for i, x in enumerate(xs, start=1):
        ax.add_patch(Circle((x, 2.6), 0.8, facecolor=BLUE, edgecolor=BLACK, lw=1.5))
        ax.text(x, 2.6, f"$h_{i}$", color="white", ha="center", va="center", fontsize=16)
        ax.add_patch(FancyBboxPatch((x - 0.45, 0.2), 0.9, 0.7, boxstyle="round,pad=0.05",
                                    facecolor=GREEN, edgecolor=BLACK, lw=1.2))
        _arrow(ax, (x, 0.95), (x, 1.8), BLACK)
        _arrow(ax, (x, 3.4), (x, 4.3), BLACK)
        ax.add_patch(FancyBboxPatch((x - 0.45, 4.35), 0.9, 0.7, boxstyle="round,pad=0.05",
                                    facecolor=ORANGE, edgecolor=BLACK, lw=1.2))
    for a, b in zip(xs, xs[1:]):
        _arrow(ax, (a + 0.8, 2.6), (b - 0.8, 2.6), ORANGE)
    fig.savefig(path, facecolor="white", transparent=False)
    plt.close(fig)


def favicon(path: Path) -> None:
    """One cell with its recurrent loop, legible at 32 x 32 pixels."""
    fig = plt.figure(figsize=(0.64, 0.64), dpi=100)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    # The recurrent loop: out of the cell's right side, over the top, back in on the left.
    ax.add_patch(FancyArrowPatch((7.2, 5.4), (2.8, 5.4), connectionstyle="arc3,rad=1.5",
                                 arrowstyle="-|>", mutation_scale=9, lw=2.6, color=ORANGE))
    ax.add_patch(Circle((5, 3.5), 3.0, facecolor=BLUE, edgecolor=BLACK, lw=0.8))
    ax.text(5, 3.4, "h", color="white", ha="center", va="center", fontsize=17,
            fontweight="bold")
    fig.savefig(path, facecolor="white", transparent=False)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    logo(OUT / "logo.png")
    favicon(OUT / "favicon.png")
    print(f"wrote {OUT / 'logo.png'} and {OUT / 'favicon.png'}")
