"""Smoke tests for the Part I diagrams: a white Figure whose labels name every tensor and its shape."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnn_core.diagrams.cell import rnn_cell_diagram  # noqa: E402
from rnn_core.diagrams.unrolled import unrolled_rnn_diagram  # noqa: E402


def _texts(fig):
    return " | ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def _assert_white(fig):
    assert to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    # Rendered pixels at the corner are opaque white too.
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    assert tuple(rgba[0, 0]) == (255, 255, 255, 255)
    assert tuple(rgba[-1, -1]) == (255, 255, 255, 255)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_cell_diagram_labels_every_tensor_with_its_shape(activation):
    fig = rnn_cell_diagram(activation)
    try:
        assert isinstance(fig, Figure)
        _assert_white(fig)
        text = _texts(fig)
        for needed in ["x_t (N, d)", "h_prev (N, Dh)", "h_next (N, Dh)", "Wh (Dh, Dh)",
                       "We (Dh, d)", "b1 (Dh,)", "$a_t$ (N, Dh)"]:
            assert needed in text, needed
    finally:
        plt.close(fig)


def test_cell_diagram_rejects_unknown_activation():
    with pytest.raises(ValueError, match="activation"):
        rnn_cell_diagram("softplus")


@pytest.mark.parametrize("T", [1, 3, 4, 8])
@pytest.mark.parametrize("show_outputs", [True, False])
def test_unrolled_diagram_has_one_column_per_step(T, show_outputs):
    fig = unrolled_rnn_diagram(T, show_outputs=show_outputs)
    try:
        assert isinstance(fig, Figure)
        _assert_white(fig)
        text = _texts(fig)
        assert "h0 (N, Dh)" in text
        for t in range(T):
            assert f"x[:, {t}] (N, d)" in text
            assert f"h[:, {t}] (N, Dh)" in text
            assert (f"theta[:, {t}] (N, V)" in text) == show_outputs
        assert f"x[:, {T}]" not in text
        for shared in ["Wh (Dh, Dh)", "We (Dh, d)", "b1 (Dh,)"]:
            assert shared in text
    finally:
        plt.close(fig)


@pytest.mark.parametrize("T", [0, 9, 2.0])
def test_unrolled_diagram_rejects_bad_T(T):
    with pytest.raises(ValueError, match="T"):
        unrolled_rnn_diagram(T)
