"""The RNN unrolled over T time steps, with its shared parameters (chapter 2)."""

from __future__ import annotations

from .primitives import arrow, box, canvas, label


def unrolled_rnn_diagram(T: int = 4, show_outputs: bool = True):
    """Draw the RNN unrolled over ``T`` steps: one copy of the cell per step.

    Every copy uses the same ``Wh``, ``We`` and ``b1`` (one purple box, dotted
    lines to each step). Each box is labelled with its tensor and shape in the
    book's letters. With ``show_outputs`` the output layer ``theta_t = h_t @ U + b2``
    of chapter 3 is drawn above each step.

    Parameters
    ----------
    T : number of steps drawn, 1 to 8.
    show_outputs : draw the logits theta_t (N, V) above the hidden states.

    Returns
    -------
    fig : matplotlib Figure on an opaque white background.
    """
    if not isinstance(T, int) or not 1 <= T <= 8:
        raise ValueError(f"T: expected an integer from 1 to 8, got {T!r}")
    step = 3.7
    x0 = 1.6  # h0 column
    bw = 2.75  # box width
    xs = [x0 + step * (t + 1) for t in range(T)]
    top = 5.8 if show_outputs else 3.7
    xlim = (-0.1, xs[-1] + bw / 2 + 0.2)
    ylim = (-1.15, top + 0.1)
    scale = min(0.5, 13.0 / (xlim[1] - xlim[0]))  # inches per data unit
    fig, ax = canvas(scale * (xlim[1] - xlim[0]), scale * (ylim[1] - ylim[0]), xlim, ylim)

    box(ax, x0, 2.4, bw, 0.95, "$h_0$\nh0 (N, Dh)", role="hidden", fontsize=9.5)
    for t, xc in enumerate(xs, start=1):
        box(ax, xc, 0.0, bw, 0.9, f"$x_{t}$\nx[:, {t - 1}] (N, d)", role="input", fontsize=10)
        box(ax, xc, 2.4, bw, 0.95, f"$h_{t}$\nh[:, {t - 1}] (N, Dh)", role="hidden",
            fontsize=9.5)
        arrow(ax, (xc, 0.45), (xc, 1.92), label="We", label_offset=(0.3, 0.0), colour="param")
        prev_right = (x0 if t == 1 else xs[t - 2]) + bw / 2
        arrow(ax, (prev_right, 2.4), (xc - bw / 2, 2.4), label="Wh", label_offset=(0.0, 0.25),
              colour="param")
        if show_outputs:
            box(ax, xc, 4.6, bw, 0.9, f"$\\theta_{t}$\ntheta[:, {t - 1}] (N, V)",
                role="output", fontsize=9.5)
            arrow(ax, (xc, 2.88), (xc, 4.15), label="U, b2", label_offset=(0.5, 0.0))
    # The shared parameters, stated once.
    y_shared = top - 0.3
    label(ax, (x0 + xs[-1]) / 2, y_shared,
          "shared by every step:  Wh (Dh, Dh),  We (Dh, d),  b1 (Dh,)"
          + ("   |   U (Dh, V),  b2 (V,)" if show_outputs else ""),
          fontsize=10, colour="black")
    label(ax, (x0 + xs[-1]) / 2, -0.85,
          f"T = {T} steps, run left to right; "
          "$h_t = \\mathrm{act}(h_{t-1} W_h^\\top + x_t W_e^\\top + b_1)$",
          fontsize=10)
    return fig
