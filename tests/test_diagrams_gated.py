"""Smoke tests for the gated-cell diagrams: a white Figure whose labels name every tensor and its shape."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from rnn_book.diagrams.gated import PATH_COLOUR, gru_cell_diagram, lstm_cell_diagram  # noqa: E402


def _texts(fig):
    return " | ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def _assert_white(fig):
    assert to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    assert tuple(rgba[0, 0]) == (255, 255, 255, 255)
    assert tuple(rgba[-1, -1]) == (255, 255, 255, 255)


def _thick_path_arrows(fig):
    """Arrows drawn in the path colour at the path's width: the memory path."""
    return [p for ax in fig.axes for p in ax.patches
            if isinstance(p, FancyArrowPatch) and p.get_linewidth() >= 3
            and to_rgba(p.get_edgecolor()) == to_rgba(PATH_COLOUR)]


@pytest.mark.parametrize("draw, needed, path_arrows", [
    (lstm_cell_diagram,
     ["x_t (N, d)", "h_prev (N, Dh)", "c_prev (N, Dh)", "h_next (N, Dh)", "c_next (N, Dh)",
      "Wh (4Dh, Dh)", "We (4Dh, d)", "b1 (4Dh,)", "(N, 4Dh), blocks i, f, g, o",
      r"$f = \sigma(a_f)$", r"$i = \sigma(a_i)$", r"$g = \tanh(a_g)$", r"$o = \sigma(a_o)$",
      "cell-state path"], 3),
    (gru_cell_diagram,
     ["x_t (N, d)", "h_prev (N, Dh)", "h_next (N, Dh)", "Wh (3Dh, Dh)", "We (3Dh, d)",
      "b_ih (3Dh,)", "b_hh (3Dh,)", "(N, 3Dh): r, z, n", "$a^h_n$: hidden n part",
      "$a^x_n$: input n part", r"$n = \tanh(a^x_n + r \odot a^h_n)$", "r, z parts",
      "1 - z", "copy path"], 3),
])
def test_gated_diagram_labels_every_tensor_with_its_shape(draw, needed, path_arrows):
    fig = draw()
    try:
        assert isinstance(fig, Figure)
        _assert_white(fig)
        text = _texts(fig)
        for item in needed:
            assert item in text, item
        # The memory path is drawn, thick and in its own colour, from the old state to the new.
        assert len(_thick_path_arrows(fig)) == path_arrows
    finally:
        plt.close(fig)


def test_lstm_diagram_has_no_unstacked_or_vanilla_shapes():
    fig = lstm_cell_diagram()
    try:
        text = _texts(fig)
        # The vanilla cell's (Dh, Dh) and the GRU's 3Dh must not leak into the LSTM's figure.
        assert "Wh (Dh, Dh)" not in text and "3Dh" not in text
    finally:
        plt.close(fig)
