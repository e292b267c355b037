"""Computational graphs for Part II: one step with its local gradients (chapter 4),
and the gradient flowing back through the unrolled RNN (chapter 5).

Forward edges are solid black; backward edges are dashed vermillion and carry
the gradient that travels along them, in the book's letters. Both figures are
drawn from the same formulas as :func:`rnn_core.rnn_step_backward` and
:func:`rnn_core.rnn_backward`.
"""

from __future__ import annotations

import types

from .primitives import (
    ACT_SYMBOLS,
    arrow,
    box,
    canvas,
    check_diagram_activation,
    circle,
    label,
)

# act'(a_t) written with the output h_t, as rnn_core.activations.activation_derivative computes it.
_ACT_DERIV = types.MappingProxyType({
    "sigmoid": "h_next * (1 - h_next)",
    "tanh": "(1 - h_next**2)",
    "relu": "(h_next > 0)",
})


def step_graph_diagram(activation: str = "sigmoid"):
    """The computational graph of one step, forward and backward.

    Forward (black): ``a = h_prev @ Wh.T + x_t @ We.T + b1``, ``h_next = act(a)``.
    Backward (dashed vermillion): the gradient ``dh_next`` enters at ``h_next``, the
    sum of the part from the output layer and the part from step t+1; it
    becomes ``da = dh_next * act'(a)`` and splits into the five gradients of
    :func:`rnn_core.rnn_step_backward`, each written under its variable with
    its shape.

    Parameters
    ----------
    activation : "sigmoid" (default), "tanh" or "relu".

    Returns
    -------
    fig : matplotlib Figure on an opaque white background.
    """
    check_diagram_activation(activation)
    fig, ax = canvas(12.0, 7.0, (-0.4, 14.4), (-2.5, 7.0))
    grad = "gradient"

    # Leaves: the two inputs of the step and the three shared parameters.
    box(ax, 1.1, 4.4, 2.0, 0.9, "h_prev\n(N, Dh)", role="hidden", fontsize=10)
    box(ax, 1.1, 1.0, 2.0, 0.9, "x_t\n(N, d)", role="input", fontsize=10)
    box(ax, 4.6, 6.2, 1.9, 0.7, "Wh (Dh, Dh)", role="param", fontsize=10)
    box(ax, 4.6, -0.8, 1.9, 0.7, "We (Dh, d)", role="param", fontsize=10)
    box(ax, 7.6, -0.8, 1.6, 0.7, "b1 (Dh,)", role="param", fontsize=10)

    # Operations.
    box(ax, 4.6, 4.4, 2.1, 0.8, "h_prev @ Wh.T", fontsize=10)
    box(ax, 4.6, 1.0, 2.1, 0.8, "x_t @ We.T", fontsize=10)
    circle(ax, 7.6, 2.7, 0.4, "+", fontsize=16)
    box(ax, 10.0, 2.7, 1.2, 0.8, ACT_SYMBOLS[activation], fontsize=13)
    box(ax, 12.8, 2.7, 2.0, 0.9, "h_next\n(N, Dh)", role="hidden", fontsize=10)

    # Forward edges.
    arrow(ax, (2.1, 4.4), (3.55, 4.4))
    arrow(ax, (2.1, 1.0), (3.55, 1.0))
    arrow(ax, (4.6, 5.85), (4.6, 4.8), colour="param")
    arrow(ax, (4.6, -0.45), (4.6, 0.6), colour="param")
    arrow(ax, (5.65, 4.4), (7.3, 2.95))
    arrow(ax, (5.65, 1.0), (7.3, 2.45))
    arrow(ax, (7.6, -0.45), (7.6, 2.3), colour="param")
    arrow(ax, (8.0, 2.7), (9.4, 2.7), label="a (N, Dh)", label_offset=(0.0, 0.3), fontsize=9)
    arrow(ax, (10.6, 2.7), (11.8, 2.7))

    # Backward edges: the same graph walked from right to left.
    arrow(ax, (12.8, 1.4), (12.8, 2.2), colour=grad, linestyle="--")
    label(ax, 12.8, 1.0, "from the output\nlayer: dtheta @ U.T", colour=grad, fontsize=9)
    arrow(ax, (12.8, 4.0), (12.8, 3.2), colour=grad, linestyle="--")
    label(ax, 12.8, 4.45, "from step t+1:\nda_next @ Wh", colour=grad, fontsize=9)
    label(ax, 12.8, 5.5, "dh_next (N, Dh)\n= the sum of both", colour=grad, fontsize=9)
    arrow(ax, (11.8, 2.35), (10.6, 2.35), colour=grad, linestyle="--")
    arrow(ax, (9.4, 2.35), (8.0, 2.35), colour=grad, linestyle="--")
    label(ax, 10.0, 1.45, "da = dh_next *\n" + _ACT_DERIV[activation], colour=grad, fontsize=9)
    arrow(ax, (7.25, 2.95), (5.65, 4.05), colour=grad, linestyle="--",
          connectionstyle="arc3,rad=0.2")
    arrow(ax, (7.25, 2.45), (5.65, 1.35), colour=grad, linestyle="--",
          connectionstyle="arc3,rad=-0.2")
    arrow(ax, (7.9, 2.3), (7.9, -0.45), colour=grad, linestyle="--")
    arrow(ax, (3.55, 4.1), (2.1, 4.1), colour=grad, linestyle="--")
    arrow(ax, (3.55, 0.7), (2.1, 0.7), colour=grad, linestyle="--")
    arrow(ax, (4.9, 4.8), (4.9, 5.85), colour=grad, linestyle="--")
    arrow(ax, (4.9, 0.6), (4.9, -0.45), colour=grad, linestyle="--")

    # Each gradient, written next to its variable, with its shape.
    label(ax, 1.1, 3.35, "dh_prev = da @ Wh\n(N, Dh)", colour=grad, fontsize=9)
    label(ax, 1.1, -0.05, "dx_t = da @ We\n(N, d)", colour=grad, fontsize=9)
    label(ax, 5.8, 6.2, "dWh = da.T @ h_prev\n(Dh, Dh)", colour=grad, fontsize=9, ha="left")
    label(ax, 4.6, -1.75, "dWe = da.T @ x_t\n(Dh, d)", colour=grad, fontsize=9)
    label(ax, 7.6, -1.75, "db1 = da.sum(0)\n(Dh,)", colour=grad, fontsize=9)

    label(ax, 10.4, -1.75, "solid: forward\ndashed: backward", fontsize=9, ha="left")
    return fig


def bptt_diagram(T: int = 4):
    """Gradients flowing back through the RNN unrolled over ``T`` steps.

    Each column is one step. Forward edges (black) run up and to the right:
    ``x_t -> h_t``, ``h_{t-1} -> h_t``, ``h_t -> L_t``. Backward edges (dashed
    vermillion) run down and to the left: each loss term sends ``dh_t`` (from
    above) into ``h_t``, and each step sends ``da_t @ Wh`` back to ``h_{t-1}``,
    down to ``dh0``. The shared weights collect one term per step, so their
    gradient is a sum over t.

    Parameters
    ----------
    T : number of unrolled steps to draw, 2 to 6.

    Returns
    -------
    fig : matplotlib Figure on an opaque white background.
    """
    if not isinstance(T, int) or isinstance(T, bool) or not 2 <= T <= 6:
        raise ValueError(f"T: expected an integer from 2 to 6, got {T!r}")
    step = 2.6
    width = 1.6 + step * T + 1.0
    fig, ax = canvas(1.6 * (T + 1) + 1.0, 6.4, (-0.6, width), (-2.6, 5.6))
    grad = "gradient"
    hy, xy, ly = 2.0, 0.0, 4.3

    box(ax, 0.6, hy, 1.2, 0.8, "$h_0$", role="hidden", fontsize=12)
    label(ax, 0.6, hy - 0.9, "dh0", colour=grad, fontsize=10)
    for t in range(1, T + 1):
        cx = 0.6 + step * t
        box(ax, cx, hy, 1.2, 0.8, f"$h_{t}$", role="hidden", fontsize=12)
        box(ax, cx, xy, 1.2, 0.7, f"$x_{t}$", role="input", fontsize=12)
        box(ax, cx, ly, 1.2, 0.7, f"$L_{t}$", role="loss", fontsize=12)
        # Forward.
        arrow(ax, (cx - 0.15, xy + 0.35), (cx - 0.15, hy - 0.4))
        arrow(ax, (cx - 0.15, hy + 0.4), (cx - 0.15, ly - 0.35))
        arrow(ax, (cx - step + 0.6, hy + 0.15), (cx - 0.6, hy + 0.15))
        # Backward: from the loss above, and along the chain to the left.
        arrow(ax, (cx + 0.2, ly - 0.35), (cx + 0.2, hy + 0.4), colour=grad, linestyle="--")
        label(ax, cx + 0.3, (ly + hy) / 2, f"$dh_{t}$\nabove", colour=grad,
              fontsize=9, ha="left")
        arrow(ax, (cx - 0.6, hy - 0.2), (cx - step + 0.6, hy - 0.2), colour=grad,
              linestyle="--", label=f"$da_{t}$ @ Wh", label_offset=(0.0, -0.35), fontsize=9)
    # The shared parameter collects one term per step.
    px = 0.6 + step * T / 2
    box(ax, px, -1.9, step * (T - 1) + 1.6, 0.9,
        r"dWh = $\sum_t$ da$_t$.T @ $h_{t-1}$" + "\n(dWe and db1: sums over t too)",
        role="param", fontsize=10)
    for t in range(1, T + 1):
        cx = 0.6 + step * t - step / 2
        arrow(ax, (cx, hy - 0.6), (cx, -1.45), colour=grad, linestyle=":", linewidth=1.0)
    label(ax, width - 0.6, 5.3, "solid: forward   dashed: backward", fontsize=9, ha="right")
    label(ax, 0.6, 5.3, "L = mean of the $L_t$", fontsize=10, ha="left")
    return fig
