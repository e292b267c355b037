"""Smoke tests for the Part II diagrams (rnn_book.diagrams.graph)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnn_book.diagrams.graph import bptt_diagram, step_graph_diagram  # noqa: E402


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _assert_opaque_white(fig):
    assert isinstance(fig, Figure)
    np.testing.assert_allclose(fig.get_facecolor(), (1.0, 1.0, 1.0, 1.0))
    assert fig.patch.get_alpha() in (None, 1.0)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_step_graph_labels(activation):
    fig = step_graph_diagram(activation)
    try:
        _assert_opaque_white(fig)
        texts = _texts(fig)
        for node in ("h_prev\n(N, Dh)", "x_t\n(N, d)", "Wh (Dh, Dh)", "We (Dh, d)",
                     "b1 (Dh,)", "h_next\n(N, Dh)", "h_prev @ Wh.T", "x_t @ We.T", "+"):
            assert node in texts, node
        joined = "\n".join(texts)
        for grad in ("dh_prev = da @ Wh", "dx_t = da @ We", "dWh = da.T @ h_prev",
                     "dWe = da.T @ x_t", "db1 = da.sum(0)", "dh_next"):
            assert grad in joined, grad
    finally:
        plt.close(fig)


def test_step_graph_derivative_matches_activation():
    fig = step_graph_diagram("tanh")
    try:
        assert any("1 - h_next**2" in t for t in _texts(fig))
    finally:
        plt.close(fig)


@pytest.mark.parametrize("T", [2, 4, 6])
def test_bptt_labels(T):
    fig = bptt_diagram(T)
    try:
        _assert_opaque_white(fig)
        texts = _texts(fig)
        assert "$h_0$" in texts and "dh0" in texts
        for t in range(1, T + 1):
            for node in (f"$h_{t}$", f"$x_{t}$", f"$L_{t}$"):
                assert node in texts, node
        assert f"$h_{T + 1}$" not in texts
        assert any("dWh" in t and "sum" in t for t in texts)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("bad", [1, 7, 2.0, True])
def test_bptt_rejects_bad_T(bad):
    with pytest.raises(ValueError, match="T: expected"):
        bptt_diagram(bad)


def test_step_graph_rejects_unknown_activation():
    with pytest.raises(ValueError, match="activation"):
        step_graph_diagram("gelu")
