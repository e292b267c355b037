"""Boxes, arrows and labels on a blank canvas: the building blocks of every diagram."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..style import OKABE_ITO, RC

# Roles of diagram elements, mapped onto the colour-blind-safe palette.
ROLE_COLOURS = {
    "input": OKABE_ITO["sky_blue"],
    "hidden": OKABE_ITO["orange"],
    "output": OKABE_ITO["green"],
    "param": OKABE_ITO["purple"],
    "loss": OKABE_ITO["vermillion"],
    "op": "#FFFFFF",
    "gradient": OKABE_ITO["vermillion"],
    "forward": OKABE_ITO["black"],
}


def canvas(width: float, height: float, xlim: tuple[float, float], ylim: tuple[float, float]):
    """A figure with one axis-free axes in data coordinates ``xlim`` x ``ylim``."""
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(width, height))
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def box(ax, x: float, y: float, w: float, h: float, text: str, role: str = "op",
        fontsize: float = 11, rounded: bool = True, alpha: float = 0.35):
    """A filled box centred at (x, y) with ``text`` in it; returns the patch."""
    colour = ROLE_COLOURS.get(role, role)
    style = "round,pad=0.02,rounding_size=0.12" if rounded else "square,pad=0.02"
    patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style,
                           facecolor=colour, edgecolor="black", linewidth=1.2,
                           alpha=1.0 if role == "op" else None)
    if role != "op":
        patch.set_facecolor(_tint(colour, alpha))
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5)
    return patch


def circle(ax, x: float, y: float, r: float, text: str, role: str = "op", fontsize: float = 12):
    """A circle (an operation node) centred at (x, y)."""
    colour = ROLE_COLOURS.get(role, role)
    face = "white" if role == "op" else _tint(colour, 0.35)
    ax.add_patch(plt.Circle((x, y), r, facecolor=face, edgecolor="black", linewidth=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5)


def arrow(ax, start: tuple[float, float], end: tuple[float, float], colour: str = "black",
          label: str | None = None, label_offset: tuple[float, float] = (0.0, 0.15),
          style: str = "-|>", linestyle: str = "-", linewidth: float = 1.4,
          connectionstyle: str = "arc3,rad=0", fontsize: float = 10, shrink: float = 2.0):
    """An arrow from ``start`` to ``end``, optionally labelled at its midpoint."""
    colour = ROLE_COLOURS.get(colour, colour)
    patch = FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14, color=colour,
                            linestyle=linestyle, linewidth=linewidth,
                            connectionstyle=connectionstyle, shrinkA=shrink, shrinkB=shrink,
                            zorder=4)
    ax.add_patch(patch)
    if label:
        mx = (start[0] + end[0]) / 2 + label_offset[0]
        my = (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=fontsize, color=colour,
                zorder=6, bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
    return patch


def label(ax, x: float, y: float, text: str, fontsize: float = 10, colour: str = "black", **kw):
    """Free text on the canvas."""
    ax.text(x, y, text, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"),
            fontsize=fontsize, color=ROLE_COLOURS.get(colour, colour), zorder=6, **kw)


def _tint(hex_colour: str, strength: float) -> tuple[float, float, float]:
    """Blend ``hex_colour`` with white: light fills keep black text readable."""
    hex_colour = hex_colour.lstrip("#")
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(1 - strength * (1 - c) for c in rgb)
