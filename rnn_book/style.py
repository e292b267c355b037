"""One look for every figure: a colour-blind-safe palette on an opaque white background.

The palette is Okabe and Ito's (Wong 2011, Nature Methods 8:441), distinguishable
under the common colour-vision deficiencies. The background is opaque white so
that a figure stays readable when the book is switched to its dark theme.
"""

from __future__ import annotations

import types

import matplotlib

import matplotlib.pyplot as plt

# The tables below are read-only (a mapping proxy, a tuple), so no chapter can
# change the book's look for every figure drawn after it.
OKABE_ITO = types.MappingProxyType({
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
})
# The order in which line plots take colours (yellow last: weak on white).
CYCLE = tuple(OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple",
                                     "sky_blue", "black", "yellow"))
# Diverging and sequential colour maps that are colour-blind-safe.
DIVERGING_CMAP = "PuOr"
SEQUENTIAL_CMAP = "cividis"

RC = types.MappingProxyType({
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 11,
    "figure.dpi": 100,
})


def use_book_style() -> None:
    """Apply the book's matplotlib settings (call once at the top of a chapter)."""
    plt.rcParams.update(dict(RC))


def new_figure(width: float = 7.0, height: float = 4.0, **subplot_kw):
    """A figure and axes on an opaque white background, in the book's style.

    Parameters
    ----------
    width, height : figure size in inches.
    **subplot_kw : passed on to ``plt.subplots`` (e.g. ``nrows``, ``ncols``, ``sharex``).

    Returns
    -------
    fig : matplotlib Figure with an opaque white background.
    ax : one Axes, or an array of them when ``nrows``/``ncols`` ask for several.
    """
    with plt.rc_context(dict(RC)):
        fig, ax = plt.subplots(figsize=(width, height), **subplot_kw)
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    return fig, ax
