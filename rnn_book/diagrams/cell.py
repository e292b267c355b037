"""One RNN cell with every tensor and its shape (chapter 1).

It replaces the seed notebook's missing ``RNN Diagram.png``: the figure is
drawn by code, so it always agrees with :func:`rnn_core.rnn_step_forward`.
"""

from __future__ import annotations

from .primitives import (
    ACT_SYMBOLS,
    arrow,
    box,
    canvas,
    check_diagram_activation,
    circle,
    label,
)


def rnn_cell_diagram(activation: str = "sigmoid"):
    """Draw one step ``h_next = act(h_prev @ Wh.T + x_t @ We.T + b1)``.

    Every tensor is a box labelled with its name and shape in the book's
    letters (N, d, Dh); parameters are purple, inputs blue, the hidden state
    orange, operations white.

    Parameters
    ----------
    activation : "sigmoid" (default), "tanh" or "relu"; the symbol in the activation box.

    Returns
    -------
    fig : matplotlib Figure on an opaque white background.
    """
    check_diagram_activation(activation)
    fig, ax = canvas(10.0, 5.8, (-0.2, 12.2), (-0.9, 6.1))

    # Inputs of the step.
    box(ax, 1.1, 3.8, 1.8, 0.95, "$h_{t-1}$\nh_prev (N, Dh)", role="hidden", fontsize=10)
    box(ax, 1.1, 0.9, 1.8, 0.95, "$x_t$\nx_t (N, d)", role="input", fontsize=10)

    # Parameters, shared by every step.
    box(ax, 3.9, 5.1, 2.0, 0.7, "Wh (Dh, Dh)", role="param", fontsize=10)
    box(ax, 3.9, -0.45, 2.0, 0.7, "We (Dh, d)", role="param", fontsize=10)
    box(ax, 6.6, -0.45, 1.6, 0.7, "b1 (Dh,)", role="param", fontsize=10)

    # The two matrix products.
    box(ax, 3.9, 3.8, 2.0, 0.8, "h_prev @ Wh.T", fontsize=10)
    box(ax, 3.9, 0.9, 2.0, 0.8, "x_t @ We.T", fontsize=10)
    arrow(ax, (2.0, 3.8), (2.9, 3.8))
    arrow(ax, (2.0, 0.9), (2.9, 0.9))
    arrow(ax, (3.9, 4.75), (3.9, 4.2), colour="param")
    arrow(ax, (3.9, -0.1), (3.9, 0.5), colour="param")

    # Sum of the two products and the bias: the pre-activation a_t.
    circle(ax, 6.6, 2.35, 0.38, "+", fontsize=16)
    arrow(ax, (4.9, 3.8), (6.35, 2.62), label="(N, Dh)", label_offset=(0.25, 0.3))
    arrow(ax, (4.9, 0.9), (6.35, 2.08), label="(N, Dh)", label_offset=(0.25, -0.3))
    arrow(ax, (6.6, -0.1), (6.6, 1.97), colour="param",
          label="added to every row", label_offset=(1.05, -0.55), fontsize=9)

    # Activation and the new state.
    box(ax, 8.75, 2.35, 1.2, 0.8, ACT_SYMBOLS[activation], fontsize=13)
    arrow(ax, (6.98, 2.35), (8.15, 2.35), label="$a_t$ (N, Dh)", label_offset=(0.0, 0.3))
    box(ax, 10.95, 2.35, 1.9, 0.95, "$h_t$\nh_next (N, Dh)", role="hidden", fontsize=10)
    arrow(ax, (9.35, 2.35), (10.0, 2.35))

    # Where h_next goes: the next step, and the output layer (chapter 3).
    arrow(ax, (10.95, 2.83), (10.95, 4.2), linestyle="--", colour="hidden")
    label(ax, 10.95, 4.5, "to step t+1\nand the output layer", fontsize=9)
    label(ax, 6.0, 5.9, "one step of the RNN:  "
          "$h_t = \\mathrm{act}(h_{t-1} W_h^\\top + x_t W_e^\\top + b_1)$", fontsize=11)
    return fig
