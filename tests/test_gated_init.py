"""init_gated: PyTorch-layout shapes, orthogonal recurrent blocks, the forget-gate bias."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core import gru_forward, init_gated, lstm_forward


@pytest.mark.parametrize("cell, G, names", [("lstm", 4, ["Wh", "We", "b1"]),
                                            ("gru", 3, ["Wh", "We", "b_ih", "b_hh"])])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_dtype_and_orthogonal_blocks(cell, G, names, dtype):
    d, Dh = 5, 7
    p = init_gated(cell, d, Dh, np.random.default_rng(0), dtype=dtype)
    assert list(p) == names
    assert p["Wh"].shape == (G * Dh, Dh) and p["We"].shape == (G * Dh, d)
    assert all(v.dtype == dtype for v in p.values())
    for k in range(G):  # every gate's Dh x Dh block is orthogonal
        block = p["Wh"][k * Dh:(k + 1) * Dh].astype(np.float64)
        np.testing.assert_allclose(block.T @ block, np.eye(Dh), atol=1e-5 if dtype == np.float32 else 1e-12)
    blocks = p["Wh"].reshape(G, Dh, Dh)
    assert not np.allclose(blocks[0], blocks[1])  # independent draws, not one block repeated


def test_forget_bias_goes_to_the_gate_that_keeps_the_state():
    Dh = 3
    lstm = init_gated("lstm", 2, Dh, np.random.default_rng(1), forget_bias=2.5)
    np.testing.assert_array_equal(lstm["b1"], [0] * Dh + [2.5] * Dh + [0] * 2 * Dh)  # i, f, g, o
    gru = init_gated("gru", 2, Dh, np.random.default_rng(1), forget_bias=2.5)
    np.testing.assert_array_equal(gru["b_ih"], [0] * Dh + [2.5] * Dh + [0] * Dh)  # r, z, n
    np.testing.assert_array_equal(gru["b_hh"], np.zeros(3 * Dh))
    zero = init_gated("lstm", 2, Dh, np.random.default_rng(1), forget_bias=0.0)
    np.testing.assert_array_equal(zero["b1"], np.zeros(4 * Dh))


def test_same_generator_state_same_parameters():
    a = init_gated("lstm", 4, 6, np.random.default_rng(3))
    b = init_gated("lstm", 4, 6, np.random.default_rng(3))
    c = init_gated("lstm", 4, 6, np.random.default_rng(4))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["Wh"], c["Wh"])


def test_the_parameters_fit_the_cells():
    rng = np.random.default_rng(0)
    x, h0 = rng.standard_normal((2, 3, 4)), np.zeros((2, 5))
    assert lstm_forward(x, h0, **init_gated("lstm", 4, 5, rng))[0].shape == (2, 3, 5)
    assert gru_forward(x, h0, **init_gated("gru", 4, 5, rng))[0].shape == (2, 3, 5)


def test_forget_bias_keeps_more_of_the_cell():
    """With the forget bias at 1 the mean forget gate is about sigmoid(1) = 0.73, not 0.5."""
    rng = np.random.default_rng(0)
    Dh = 64
    x, h0 = rng.standard_normal((16, 20, 8)) * 0.1, np.zeros((16, Dh))
    for bias, expected in [(0.0, 0.5), (1.0, 0.731)]:
        p = init_gated("lstm", 8, Dh, np.random.default_rng(5), forget_bias=bias)
        _, cache = lstm_forward(x, h0, **p)
        assert abs(cache.gates[..., Dh:2 * Dh].mean() - expected) < 0.02


@pytest.mark.parametrize("kwargs, message", [
    (dict(cell="rnn"), r"^cell: expected one of 'lstm', 'gru', got 'rnn'"),
    (dict(Dh=0), r"^Dh: "),
    (dict(d=2.0), r"^d: "),
    (dict(rng=0), r"^rng: "),
    (dict(forget_bias=float("nan")), r"^forget_bias: expected a finite real number"),
    (dict(forget_bias="1"), r"^forget_bias: expected a finite real number"),
    (dict(dtype=np.int32), r"^dtype: expected float32 or float64"),
])
def test_bad_arguments(kwargs, message):
    args = dict(cell="lstm", d=2, Dh=3, rng=np.random.default_rng(0)) | kwargs
    with pytest.raises(ValueError, match=message):
        init_gated(**args)
