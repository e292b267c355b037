"""The gated cells, one step each, with every tensor and its shape (chapters 8 and 9).

Drawn from the same primitives and palette as the vanilla cell
(:mod:`rnn_book.diagrams.cell`), so the three cells can be compared at a
glance. The LSTM's cell-state path, the route along which the gradient is
multiplied only by the forget gate, is drawn thick, in its own colour; so is
the GRU's copy path ``z * h_prev``.
"""

from __future__ import annotations

from ..style import OKABE_ITO
from .primitives import arrow, box, canvas, circle, label

# The colour and width of the path that carries memory (and gradient) straight through.
PATH_COLOUR = OKABE_ITO["blue"]
PATH_WIDTH = 3.2


def _segment(ax, start, end, colour="black", linewidth=1.4, linestyle="-"):
    """A line without a head: the first leg of a bent arrow."""
    arrow(ax, start, end, colour=colour, style="-", linewidth=linewidth, linestyle=linestyle,
          shrink=0.0)


def lstm_cell_diagram():
    """Draw one LSTM step, gates stacked i, f, g, o as in PyTorch::

        a = h_prev @ Wh.T + x_t @ We.T + b1          (N, 4Dh)
        i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o);  g = tanh(a_g)
        c_next = f * c_prev + i * g
        h_next = o * tanh(c_next)

    The cell-state path from ``c_prev`` to ``c_next`` is drawn thick and blue:
    on it the only operations are a product with ``f`` and a sum.

    Returns
    -------
    fig : matplotlib Figure on an opaque white background.
    """
    fig, ax = canvas(12.0, 6.6, (-0.2, 15.0), (-1.35, 7.9))

    # The cell-state path along the top.
    box(ax, 1.1, 6.5, 2.0, 0.95, "$c_{t-1}$\nc_prev (N, Dh)", role=PATH_COLOUR, fontsize=10)
    circle(ax, 4.3, 6.5, 0.32, r"$\times$", fontsize=14)
    circle(ax, 7.8, 6.5, 0.32, "+", fontsize=15)
    box(ax, 13.8, 6.5, 2.0, 0.95, "$c_t$\nc_next (N, Dh)", role=PATH_COLOUR, fontsize=10)
    arrow(ax, (2.1, 6.5), (3.98, 6.5), colour=PATH_COLOUR, linewidth=PATH_WIDTH)
    arrow(ax, (4.62, 6.5), (7.48, 6.5), colour=PATH_COLOUR, linewidth=PATH_WIDTH)
    arrow(ax, (8.12, 6.5), (12.8, 6.5), colour=PATH_COLOUR, linewidth=PATH_WIDTH)
    label(ax, 6.9, 7.45, r"cell-state path: $c_t = f \odot c_{t-1} + i \odot g$"
          "  (no matrix, no squashing)", fontsize=10.5, colour=PATH_COLOUR)

    # Inputs, the one fused gate matmul, and the parameters it reads.
    box(ax, 1.1, 1.7, 2.0, 0.95, "$h_{t-1}$\nh_prev (N, Dh)", role="hidden", fontsize=10)
    box(ax, 1.1, 0.1, 2.0, 0.95, "$x_t$\nx_t (N, d)", role="input", fontsize=10)
    box(ax, 6.6, 1.3, 5.2, 1.1, "h_prev @ Wh.T + x_t @ We.T + b1\n"
        "$a$ (N, 4Dh), blocks i, f, g, o", fontsize=10)
    arrow(ax, (2.1, 1.7), (3.95, 1.5))
    arrow(ax, (2.1, 0.1), (3.95, 1.05))
    box(ax, 4.9, -0.9, 1.9, 0.6, "Wh (4Dh, Dh)", role="param", fontsize=9.5)
    box(ax, 6.9, -0.9, 1.8, 0.6, "We (4Dh, d)", role="param", fontsize=9.5)
    box(ax, 8.7, -0.9, 1.5, 0.6, "b1 (4Dh,)", role="param", fontsize=9.5)
    for x in (4.9, 6.9, 8.7):
        arrow(ax, (x, -0.6), (x, 0.72), colour="param")

    # The four gates, each (N, Dh).
    gates = [(4.3, r"$f = \sigma(a_f)$"), (6.1, r"$i = \sigma(a_i)$"),
             (7.9, r"$g = \tanh(a_g)$"), (9.9, r"$o = \sigma(a_o)$")]
    for x, text in gates:
        box(ax, x, 3.6, 1.6, 0.7, text, fontsize=10)
        arrow(ax, (x if x < 9 else 8.6, 1.88), (x, 3.23))
    label(ax, 11.2, 2.45, "each gate\n(N, Dh)", fontsize=9)

    # f scales the old cell; i * g is what is written.
    arrow(ax, (4.3, 3.97), (4.3, 6.16), label="forget", label_offset=(-0.45, 0.0), fontsize=9)
    circle(ax, 7.8, 5.1, 0.3, r"$\times$", fontsize=13)
    arrow(ax, (6.1, 3.97), (7.57, 4.9))
    arrow(ax, (7.9, 3.97), (7.82, 4.78))
    arrow(ax, (7.8, 5.4), (7.8, 6.16), label="write", label_offset=(-0.45, 0.0), fontsize=9)

    # h_next = o * tanh(c_next): a read-out of the cell.
    box(ax, 11.8, 5.1, 1.1, 0.6, "tanh", fontsize=11)
    _segment(ax, (11.8, 6.5), (11.8, 5.42))
    circle(ax, 11.8, 3.6, 0.3, r"$\times$", fontsize=13)
    arrow(ax, (11.8, 4.8), (11.8, 3.92))
    arrow(ax, (10.7, 3.6), (11.49, 3.6), label="read", label_offset=(0.0, 0.25), fontsize=9)
    box(ax, 13.8, 3.6, 2.0, 0.95, "$h_t$\nh_next (N, Dh)", role="hidden", fontsize=10)
    arrow(ax, (12.11, 3.6), (12.8, 3.6))
    label(ax, 13.8, 4.7, r"$h_t = o \odot \tanh(c_t)$", fontsize=10)

    # Where the two states go.
    arrow(ax, (13.8, 6.98), (13.8, 7.6), linestyle="--", colour=PATH_COLOUR)
    label(ax, 14.55, 7.3, "to\nt+1", fontsize=9)
    arrow(ax, (13.8, 3.12), (13.8, 2.2), linestyle="--", colour="hidden")
    label(ax, 13.8, 1.75, "to step t+1\nand the output layer", fontsize=9)
    return fig


def gru_cell_diagram():
    """Draw one GRU step, gates stacked r, z, n as in PyTorch::

        a^x = x_t @ We.T + b_ih,  a^h = h_prev @ Wh.T + b_hh     (N, 3Dh) each
        r = sigmoid(a^x_r + a^h_r),  z = sigmoid(a^x_z + a^h_z)
        n = tanh(a^x_n + r * a^h_n)
        h_next = (1 - z) * n + z * h_prev

    The copy path ``z * h_prev`` is drawn thick and blue, like the LSTM's
    cell-state path.

    Returns
    -------
    fig : matplotlib Figure on an opaque white background.
    """
    fig, ax = canvas(12.0, 6.6, (-0.2, 15.0), (-1.35, 7.9))

    # The copy path along the top.
    box(ax, 1.1, 6.5, 2.0, 0.95, "$h_{t-1}$\nh_prev (N, Dh)", role="hidden", fontsize=10)
    circle(ax, 7.6, 6.5, 0.32, r"$\times$", fontsize=14)
    circle(ax, 11.6, 6.5, 0.32, "+", fontsize=15)
    box(ax, 13.8, 6.5, 2.0, 0.95, "$h_t$\nh_next (N, Dh)", role="hidden", fontsize=10)
    arrow(ax, (2.1, 6.5), (7.28, 6.5), colour=PATH_COLOUR, linewidth=PATH_WIDTH)
    arrow(ax, (7.92, 6.5), (11.28, 6.5), colour=PATH_COLOUR, linewidth=PATH_WIDTH)
    arrow(ax, (11.92, 6.5), (12.8, 6.5), colour=PATH_COLOUR, linewidth=PATH_WIDTH)
    label(ax, 7.0, 7.45, r"copy path: $h_t = z \odot h_{t-1} + (1 - z) \odot n$"
          "  (a learned leaky average)", fontsize=10.5, colour=PATH_COLOUR)

    # The two affine maps, one per input, each with its own bias.
    box(ax, 1.1, 0.3, 2.0, 0.95, "$x_t$\nx_t (N, d)", role="input", fontsize=10)
    box(ax, 4.5, 2.6, 3.0, 0.9, "h_prev @ Wh.T + b_hh\n(N, 3Dh): r, z, n", fontsize=10)
    box(ax, 4.5, 0.3, 3.0, 0.9, "x_t @ We.T + b_ih\n(N, 3Dh): r, z, n", fontsize=10)
    _segment(ax, (1.1, 6.02), (1.1, 2.6))
    arrow(ax, (1.1, 2.6), (2.98, 2.6))
    arrow(ax, (2.1, 0.3), (2.98, 0.3))
    box(ax, 3.6, 3.75, 1.9, 0.55, "Wh (3Dh, Dh)", role="param", fontsize=9.5)
    box(ax, 5.5, 3.75, 1.6, 0.55, "b_hh (3Dh,)", role="param", fontsize=9.5)
    box(ax, 3.6, -0.85, 1.8, 0.55, "We (3Dh, d)", role="param", fontsize=9.5)
    box(ax, 5.5, -0.85, 1.6, 0.55, "b_ih (3Dh,)", role="param", fontsize=9.5)
    for x in (3.6, 5.5):
        arrow(ax, (x, 3.47), (x, 3.07), colour="param")
        arrow(ax, (x, -0.57), (x, -0.17), colour="param")

    # Reset and update gates from the sum of the r, z parts.
    box(ax, 7.6, 4.6, 2.0, 0.7, r"$r, z = \sigma(\cdot)$", fontsize=10)
    arrow(ax, (6.0, 2.95), (7.1, 4.24))
    arrow(ax, (6.0, 0.6), (7.5, 4.24))
    label(ax, 7.85, 3.4, "r, z parts", fontsize=9)  # right of both arrows, crossing neither
    arrow(ax, (7.6, 4.96), (7.6, 6.17), label="z", label_offset=(-0.3, 0.0), fontsize=9)

    # The reset gate scales the hidden part of n only: hence two biases.
    circle(ax, 8.8, 2.6, 0.3, r"$\times$", fontsize=13)
    arrow(ax, (6.0, 2.6), (8.49, 2.6))
    label(ax, 7.76, 2.28, r"$a^h_n$: hidden n part", fontsize=8.5)  # below its arrow
    arrow(ax, (8.1, 4.24), (8.7, 2.9), label="r", label_offset=(0.25, 0.0), fontsize=9)
    box(ax, 11.6, 1.2, 3.3, 0.8, r"$n = \tanh(a^x_n + r \odot a^h_n)$", fontsize=10.5)
    arrow(ax, (9.1, 2.5), (10.3, 1.62))
    arrow(ax, (6.0, 0.3), (9.93, 0.95), label=r"$a^x_n$: input n part",
          label_offset=(0.0, -0.3), fontsize=9)

    # (1 - z) * n joins the copy path.
    box(ax, 10.0, 4.0, 1.1, 0.55, "1 - z", fontsize=10)
    arrow(ax, (8.6, 4.45), (9.45, 4.1))
    circle(ax, 11.6, 4.0, 0.3, r"$\times$", fontsize=13)
    arrow(ax, (10.55, 4.0), (11.29, 4.0))
    arrow(ax, (11.6, 1.62), (11.6, 3.69), label="n", label_offset=(0.25, 0.0), fontsize=9)
    arrow(ax, (11.6, 4.31), (11.6, 6.17))

    arrow(ax, (13.8, 6.02), (13.8, 5.0), linestyle="--", colour="hidden")
    label(ax, 13.8, 4.55, "to step t+1\nand the output layer", fontsize=9)
    return fig
