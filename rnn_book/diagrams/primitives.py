"""Boxes, arrows and labels on a blank canvas: the building blocks of every diagram."""

from __future__ import annotations

import types

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..style import OKABE_ITO, RC

# Roles of diagram elements, mapped onto the colour-blind-safe palette.
# Read-only, like the palette it is drawn from.
ROLE_COLOURS = types.MappingProxyType({
    "input": OKABE_ITO["sky_blue"],
    "hidden": OKABE_ITO["orange"],
    "output": OKABE_ITO["green"],
    "param": OKABE_ITO["purple"],
    "loss": OKABE_ITO["vermillion"],
    "op": "#FFFFFF",
    "gradient": OKABE_ITO["vermillion"],
    "forward": OKABE_ITO["black"],
})

# How each activation is written in a diagram's activation box. The diagrams of
# one step (chapter 1) and of its graph (chapter 4) share it, and its keys are
# the activations rnn_core accepts (rnn_core.validation.ACTIVATIONS).
ACT_SYMBOLS = types.MappingProxyType({"sigmoid": r"$\sigma$", "tanh": "tanh", "relu": "ReLU"})


def check_diagram_activation(activation) -> str:
    """Return ``activation`` if a diagram can draw it (a key of ``ACT_SYMBOLS``).

    Raises ``ValueError`` naming the argument, the accepted names and the value got.
    """
    if not isinstance(activation, str) or activation not in ACT_SYMBOLS:
        raise ValueError(
            f"activation: expected one of {', '.join(repr(a) for a in ACT_SYMBOLS)}, "
            f"got {activation!r}"
        )
    return activation


def canvas(width: float, height: float, xlim: tuple[float, float], ylim: tuple[float, float]):
    """A figure with one axis-free axes in data coordinates ``xlim`` x ``ylim``.

    Parameters
    ----------
    width, height : figure size in inches.
    xlim, ylim : (low, high) data limits; the aspect ratio is equal, so one data
        unit is as long on both axes.

    Returns
    -------
    fig : matplotlib Figure on an opaque white background.
    ax : its Axes, with the axis lines and ticks turned off.
    """
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
    """A filled box centred at (x, y) with ``text`` in it.

    Parameters
    ----------
    ax : the Axes to draw on (from :func:`canvas`).
    x, y : centre, in data coordinates.
    w, h : width and height, in data units.
    text : the label, centred in the box.
    role : a key of ``ROLE_COLOURS`` (its colour, lightened) or any matplotlib
        colour; ``"op"`` (the default) is a white box.
    fontsize : of ``text``, in points.
    rounded : rounded corners (True) or square ones.
    alpha : how strongly the role colour tints the white fill, 0 to 1.

    Returns
    -------
    patch : the ``FancyBboxPatch`` added to ``ax``.
    """
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
    """A circle (an operation node such as ``+``) centred at (x, y).

    Parameters
    ----------
    ax : the Axes to draw on.
    x, y : centre, in data coordinates.
    r : radius, in data units.
    text : the label in the circle.
    role : as in :func:`box`; ``"op"`` (the default) is a white circle.
    fontsize : of ``text``, in points.

    Returns
    -------
    None; the circle and its text are added to ``ax``.
    """
    colour = ROLE_COLOURS.get(role, role)
    face = "white" if role == "op" else _tint(colour, 0.35)
    ax.add_patch(plt.Circle((x, y), r, facecolor=face, edgecolor="black", linewidth=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5)


def arrow(ax, start: tuple[float, float], end: tuple[float, float], colour: str = "black",
          label: str | None = None, label_offset: tuple[float, float] = (0.0, 0.15),
          style: str = "-|>", linestyle: str = "-", linewidth: float = 1.4,
          connectionstyle: str = "arc3,rad=0", fontsize: float = 10, shrink: float = 2.0):
    """An arrow from ``start`` to ``end``, optionally labelled at its midpoint.

    Parameters
    ----------
    ax : the Axes to draw on.
    start, end : (x, y) points in data coordinates; the head is at ``end``.
    colour : a key of ``ROLE_COLOURS`` or any matplotlib colour.
    label : text at the midpoint (shifted by ``label_offset``), on a white background.
    label_offset : (dx, dy) from the midpoint, in data units.
    style : matplotlib arrow style, ``"-|>"`` by default.
    linestyle, linewidth : of the shaft (the book draws backward edges dashed).
    connectionstyle : matplotlib connection style; ``"arc3,rad=r"`` bends the arrow.
    fontsize : of ``label``, in points.
    shrink : gap left at both ends, in points.

    Returns
    -------
    patch : the ``FancyArrowPatch`` added to ``ax``.
    """
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
    """Free text on the canvas.

    Parameters
    ----------
    ax : the Axes to draw on.
    x, y : anchor point, in data coordinates.
    text : the text.
    fontsize : in points.
    colour : a key of ``ROLE_COLOURS`` or any matplotlib colour.
    **kw : passed on to ``ax.text``; ``ha`` and ``va`` default to ``"center"``.

    Returns
    -------
    None; the text is added to ``ax``.
    """
    ax.text(x, y, text, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"),
            fontsize=fontsize, color=ROLE_COLOURS.get(colour, colour), zorder=6, **kw)


def _tint(hex_colour: str, strength: float) -> tuple[float, float, float]:
    """Blend ``hex_colour`` (``"#RRGGBB"``) with white: light fills keep black text readable.

    ``strength`` 1 keeps the colour, 0 gives white. Returns an (r, g, b) tuple in [0, 1].
    """
    hex_colour = hex_colour.lstrip("#")
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(1 - strength * (1 - c) for c in rgb)
