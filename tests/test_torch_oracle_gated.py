"""PyTorch as an independent oracle for the gated cells: same weights, same numbers.

rnn_core's LSTM and GRU promise PyTorch's layout (``We`` = ``weight_ih``,
``Wh`` = ``weight_hh``, gates stacked i, f, g, o and r, z, n; the LSTM's ``b1``
is the two biases summed, the GRU keeps both). Here ``nn.LSTM``, ``nn.GRU``,
``nn.LSTMCell`` and ``nn.GRUCell`` with rnn_core's weights compute the forward
pass and, by autograd, every gradient of ``sum(out * upstream)``; rnn_core must
agree to 1e-9 in float64. Skipped when torch is not installed
(``bash scripts/ensure_torch_oracle.sh``).
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core import (
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)

from .conftest import seed_for
from .gated_helpers import gru_params, lstm_params

torch = pytest.importorskip("torch")

# (N, T, d, Dh)
SHAPES = [(1, 1, 1, 1), (1, 6, 3, 2), (3, 1, 4, 5), (4, 9, 5, 7)]
SCALES = [0.5, 2.0]  # 2.0 saturates some gates
CLOSE = dict(rtol=1e-9, atol=1e-12)


def _t(a, grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _set(module, **weights):
    with torch.no_grad():
        for name, value in weights.items():
            getattr(module, name).copy_(torch.from_numpy(value))


def _check(pairs):
    for name, mine, theirs in pairs:
        theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
        assert mine.shape == theirs.shape, name
        np.testing.assert_allclose(mine, theirs, **CLOSE, err_msg=name)


def _split_bias(rng, b1):
    """Two torch biases that sum to b1 (each gets b1's gradient)."""
    b_ih = rng.standard_normal(b1.shape)
    return b_ih, b1 - b_ih


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("with_c0", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_matches_nn_lstm(shape, with_c0, scale):
    N, T, d, Dh = shape
    rng = np.random.default_rng(seed_for("oracle lstm", shape, with_c0, scale))
    Wh, We, b1 = lstm_params(rng, d, Dh, scale=scale)
    x, h0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh))
    c0 = rng.standard_normal((N, Dh)) if with_c0 else None
    dh = rng.standard_normal((N, T, Dh))

    lstm = torch.nn.LSTM(d, Dh, batch_first=True).double()
    b_ih, b_hh = _split_bias(rng, b1)
    _set(lstm, weight_hh_l0=Wh, weight_ih_l0=We, bias_ih_l0=b_ih, bias_hh_l0=b_hh)
    x_t, h0_t = _t(x), _t(h0[None])
    c0_t = _t(np.zeros((1, N, Dh)) if c0 is None else c0[None])  # torch's default is zeros too
    out, _ = lstm(x_t, (h0_t, c0_t))
    (out * torch.from_numpy(dh)).sum().backward()

    h, cache = lstm_forward(x, h0, Wh, We, b1, c0)
    dx, dh0, dWh, dWe, db1, dc0 = lstm_backward(dh, cache)
    _check([("h", h, out), ("dx", dx, x_t.grad), ("dh0", dh0, h0_t.grad[0]),
            ("dc0", dc0, c0_t.grad[0]), ("dWh", dWh, lstm.weight_hh_l0.grad),
            ("dWe", dWe, lstm.weight_ih_l0.grad), ("db1 vs bias_ih", db1, lstm.bias_ih_l0.grad),
            ("db1 vs bias_hh", db1, lstm.bias_hh_l0.grad)])


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_step_matches_nn_lstmcell(shape, scale):
    N, _, d, Dh = shape
    rng = np.random.default_rng(seed_for("oracle lstmcell", shape, scale))
    Wh, We, b1 = lstm_params(rng, d, Dh, scale=scale)
    x, h_prev, c_prev = (rng.standard_normal((N, k)) for k in (d, Dh, Dh))
    dh_next, dc_next = rng.standard_normal((N, Dh)), rng.standard_normal((N, Dh))

    cell = torch.nn.LSTMCell(d, Dh).double()
    b_ih, b_hh = _split_bias(rng, b1)
    _set(cell, weight_hh=Wh, weight_ih=We, bias_ih=b_ih, bias_hh=b_hh)
    x_t, h_t, c_t = _t(x), _t(h_prev), _t(c_prev)
    h_out, c_out = cell(x_t, (h_t, c_t))
    ((h_out * torch.from_numpy(dh_next)).sum() + (c_out * torch.from_numpy(dc_next)).sum()).backward()

    h_next, c_next, cache = lstm_step_forward(x, h_prev, c_prev, Wh, We, b1)
    dx, dhp, dcp, dWh, dWe, db1 = lstm_step_backward(dh_next, dc_next, cache)
    _check([("h_next", h_next, h_out), ("c_next", c_next, c_out), ("dx_t", dx, x_t.grad),
            ("dh_prev", dhp, h_t.grad), ("dc_prev", dcp, c_t.grad), ("dWh", dWh, cell.weight_hh.grad),
            ("dWe", dWe, cell.weight_ih.grad), ("db1 vs bias_ih", db1, cell.bias_ih.grad),
            ("db1 vs bias_hh", db1, cell.bias_hh.grad)])


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES)
def test_gru_matches_nn_gru(shape, scale):
    N, T, d, Dh = shape
    rng = np.random.default_rng(seed_for("oracle gru", shape, scale))
    Wh, We, b_ih, b_hh = gru_params(rng, d, Dh, scale=scale)
    x, h0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh))
    dh = rng.standard_normal((N, T, Dh))

    gru = torch.nn.GRU(d, Dh, batch_first=True).double()
    _set(gru, weight_hh_l0=Wh, weight_ih_l0=We, bias_ih_l0=b_ih, bias_hh_l0=b_hh)
    x_t, h0_t = _t(x), _t(h0[None])
    out, _ = gru(x_t, h0_t)
    (out * torch.from_numpy(dh)).sum().backward()

    h, cache = gru_forward(x, h0, Wh, We, b_ih, b_hh)
    dx, dh0, dWh, dWe, db_ih, db_hh = gru_backward(dh, cache)
    _check([("h", h, out), ("dx", dx, x_t.grad), ("dh0", dh0, h0_t.grad[0]),
            ("dWh", dWh, gru.weight_hh_l0.grad), ("dWe", dWe, gru.weight_ih_l0.grad),
            ("db_ih", db_ih, gru.bias_ih_l0.grad), ("db_hh", db_hh, gru.bias_hh_l0.grad)])


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES)
def test_gru_step_matches_nn_grucell(shape, scale):
    N, _, d, Dh = shape
    rng = np.random.default_rng(seed_for("oracle grucell", shape, scale))
    Wh, We, b_ih, b_hh = gru_params(rng, d, Dh, scale=scale)
    x, h_prev = rng.standard_normal((N, d)), rng.standard_normal((N, Dh))
    dh_next = rng.standard_normal((N, Dh))

    cell = torch.nn.GRUCell(d, Dh).double()
    _set(cell, weight_hh=Wh, weight_ih=We, bias_ih=b_ih, bias_hh=b_hh)
    x_t, h_t = _t(x), _t(h_prev)
    h_out = cell(x_t, h_t)
    (h_out * torch.from_numpy(dh_next)).sum().backward()

    h_next, cache = gru_step_forward(x, h_prev, Wh, We, b_ih, b_hh)
    dx, dhp, dWh, dWe, db_ih, db_hh = gru_step_backward(dh_next, cache)
    _check([("h_next", h_next, h_out), ("dx_t", dx, x_t.grad), ("dh_prev", dhp, h_t.grad),
            ("dWh", dWh, cell.weight_hh.grad), ("dWe", dWe, cell.weight_ih.grad),
            ("db_ih", db_ih, cell.bias_ih.grad), ("db_hh", db_hh, cell.bias_hh.grad)])


def test_pytorch_default_weights_move_over_unchanged():
    """A torch LSTM's own (default-initialised) parameters, read off as they are."""
    torch.manual_seed(0)  # torch's own generator, only to draw torch's initial weights
    lstm = torch.nn.LSTM(3, 4, batch_first=True).double()
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    out, _ = lstm(torch.from_numpy(x))
    h, _ = lstm_forward(x, np.zeros((2, 4)), lstm.weight_hh_l0.detach().numpy(),
                        lstm.weight_ih_l0.detach().numpy(),
                        (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy())
    np.testing.assert_allclose(h, out.detach().numpy(), **CLOSE)
