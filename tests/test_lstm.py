"""The LSTM (rnn_core.lstm): gradient checks, values by hand, properties, contracts.

Gradient checks: every gradient of every backward pass against central
differences in float64, with a random upstream gradient (a vector-Jacobian
product covering every output entry), relative error below 1e-7.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_core import (
    GRUStepCache,
    LSTMCache,
    LSTMStepCache,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    numerical_gradient,
    rel_error,
)

from .conftest import seed_for
from .gated_helpers import SHAPES, TOL, frozen, lstm_params

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _step_inputs(rng, N, d, Dh, dtype=np.float64):
    x_t = rng.standard_normal((N, d)).astype(dtype)
    h_prev = rng.standard_normal((N, Dh)).astype(dtype)
    c_prev = (rng.standard_normal((N, Dh)) * 2).astype(dtype)  # |c| > 1 happens
    return x_t, h_prev, c_prev


# --- gradient checks ---------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_step_backward_gradients(shape):
    N, _, d, Dh = shape
    rng = np.random.default_rng(seed_for("lstm step", shape))
    x_t, h_prev, c_prev = _step_inputs(rng, N, d, Dh)
    Wh, We, b1 = lstm_params(rng, d, Dh)
    h_next, c_next, cache = lstm_step_forward(x_t, h_prev, c_prev, Wh, We, b1)
    dh_next = rng.standard_normal(h_next.shape)
    dc_next = rng.standard_normal(c_next.shape)
    grads = lstm_step_backward(dh_next, dc_next, cache)
    dx_t, dh_prev, dc_prev, dWh, dWe, db1 = grads

    # The loss sum(h_next * dh_next) + sum(c_next * dc_next), through both outputs at once.
    upstream = np.concatenate((dh_next, dc_next))

    def f(**over):
        args = dict(x_t=x_t, h_prev=h_prev, c_prev=c_prev, Wh=Wh, We=We, b1=b1) | over
        return np.concatenate(lstm_step_forward(**args)[:2])

    for name, grad in [("x_t", dx_t), ("h_prev", dh_prev), ("c_prev", dc_prev), ("Wh", dWh),
                       ("We", dWe), ("b1", db1)]:
        value = dict(x_t=x_t, h_prev=h_prev, c_prev=c_prev, Wh=Wh, We=We, b1=b1)[name]
        num = numerical_gradient(lambda v: f(**{name: v}), value, upstream)
        assert grad.shape == value.shape, name
        assert rel_error(grad, num) < TOL, name


@pytest.mark.parametrize("with_c0", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_backward_gradients(shape, with_c0):
    N, T, d, Dh = shape
    rng = np.random.default_rng(seed_for("lstm seq", shape, with_c0))
    x = rng.standard_normal((N, T, d))
    h0 = rng.standard_normal((N, Dh))
    c0 = rng.standard_normal((N, Dh)) * 2 if with_c0 else None
    Wh, We, b1 = lstm_params(rng, d, Dh)
    h, cache = lstm_forward(x, h0, Wh, We, b1, c0)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWh, dWe, db1, dc0 = lstm_backward(dh, cache)

    c0_point = np.zeros((N, Dh)) if c0 is None else c0  # c0=None means zeros

    def f(**over):
        args = dict(x=x, h0=h0, Wh=Wh, We=We, b1=b1, c0=c0_point) | over
        return lstm_forward(**args)[0]

    inputs = dict(x=x, h0=h0, Wh=Wh, We=We, b1=b1, c0=c0_point)
    for name, grad in [("x", dx), ("h0", dh0), ("Wh", dWh), ("We", dWe), ("b1", db1), ("c0", dc0)]:
        num = numerical_gradient(lambda v: f(**{name: v}), inputs[name], dh)
        assert grad.shape == inputs[name].shape, name
        assert rel_error(grad, num) < TOL, name


def test_dc0_matters_when_t_is_long():
    """dc0 is not zero: the cell path carries gradient from every step back to c0."""
    rng = np.random.default_rng(7)
    Wh, We, b1 = lstm_params(rng, 2, 3)
    b1[3:6] = 4.0  # forget gates near 1
    h, cache = lstm_forward(rng.standard_normal((2, 30, 2)), np.zeros((2, 3)), Wh, We, b1)
    dh = np.zeros_like(h)
    dh[:, -1] = 1.0  # only the last step's loss
    dc0 = lstm_backward(dh, cache)[5]
    assert np.all(np.abs(dc0) > 1e-3)


# --- values derived by hand, for a scalar LSTM step (N = d = Dh = 1) ---------------------

def _sig(a):
    return 1.0 / (1.0 + math.exp(-a))


def test_scalar_lstm_step_by_hand():
    x, h, c = 0.5, -0.3, 0.8
    Wh = [0.1, -0.2, 0.3, 0.4]  # i, f, g, o
    We = [0.5, 0.6, -0.7, 0.8]
    b1 = [0.1, 0.2, -0.1, 0.0]
    # a_k = Wh_k * h + We_k * x + b_k, by hand:
    # a_i = -0.03 + 0.25 + 0.1 = 0.32     a_f = 0.06 + 0.30 + 0.2 = 0.56
    # a_g = -0.09 - 0.35 - 0.1 = -0.54    a_o = -0.12 + 0.40 + 0.0 = 0.28
    i, f, g, o = _sig(0.32), _sig(0.56), math.tanh(-0.54), _sig(0.28)
    c_next = f * c + i * g
    h_next = o * math.tanh(c_next)
    # The same numbers, rounded, as a check of the arithmetic above.
    assert abs(c_next - 0.2235621) < 1e-6 and abs(h_next - 0.1252492) < 1e-6

    dh, dc_in = 0.7, -0.4
    t = math.tanh(c_next)
    dc = dc_in + dh * o * (1 - t * t)
    da = [dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g * g), dh * t * o * (1 - o)]

    arr = lambda v, *s: np.array(v, dtype=np.float64).reshape(s)  # noqa: E731
    h_n, c_n, cache = lstm_step_forward(arr(x, 1, 1), arr(h, 1, 1), arr(c, 1, 1),
                                        arr(Wh, 4, 1), arr(We, 4, 1), arr(b1, 4))
    assert h_n.shape == (1, 1) and c_n.shape == (1, 1)
    assert math.isclose(h_n.item(), h_next, rel_tol=1e-14)
    assert math.isclose(c_n.item(), c_next, rel_tol=1e-14)
    dx, dhp, dcp, dWh, dWe, db1 = lstm_step_backward(arr(dh, 1, 1), arr(dc_in, 1, 1), cache)
    close = dict(rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(dx.item(), sum(a * w for a, w in zip(da, We)), **close)
    np.testing.assert_allclose(dhp.item(), sum(a * w for a, w in zip(da, Wh)), **close)
    np.testing.assert_allclose(dcp.item(), dc * f, **close)
    np.testing.assert_allclose(dWh.ravel(), [a * h for a in da], **close)
    np.testing.assert_allclose(dWe.ravel(), [a * x for a in da], **close)
    np.testing.assert_allclose(db1, da, **close)


# --- properties ---------------------------------------------------------------------------

dims = st.integers(min_value=1, max_value=4)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds)
def test_lstm_backward_random_shapes(N, T, d, Dh, seed):
    rng = np.random.default_rng(seed)
    x, h0, c0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh)), rng.standard_normal((N, Dh))
    Wh, We, b1 = lstm_params(rng, d, Dh, scale=1.0)
    h, cache = lstm_forward(x, h0, Wh, We, b1, c0)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWh, dWe, db1, dc0 = lstm_backward(dh, cache)
    f = lambda **o: lstm_forward(**(dict(x=x, h0=h0, Wh=Wh, We=We, b1=b1, c0=c0) | o))[0]  # noqa: E731
    assert rel_error(dWh, numerical_gradient(lambda v: f(Wh=v), Wh, dh)) < TOL
    assert rel_error(dc0, numerical_gradient(lambda v: f(c0=v), c0, dh)) < TOL
    assert rel_error(dx, numerical_gradient(lambda v: f(x=v), x, dh)) < TOL


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds, scale=st.sampled_from([0.1, 1.0, 5.0]))
def test_lstm_sequence_is_steps(N, T, d, Dh, seed, scale):
    """lstm_forward/backward equal lstm_step_forward/backward chained by hand."""
    rng = np.random.default_rng(seed)
    x, h0, c0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh)), rng.standard_normal((N, Dh))
    Wh, We, b1 = lstm_params(rng, d, Dh, scale=scale)
    h, cache = lstm_forward(x, h0, Wh, We, b1, c0)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWh, dWe, db1, dc0 = lstm_backward(dh, cache)

    hs, cs, caches = [h0], [c0], []
    for t in range(T):
        h_t, c_t, step = lstm_step_forward(x[:, t], hs[-1], cs[-1], Wh, We, b1)
        hs.append(h_t), cs.append(c_t), caches.append(step)
    np.testing.assert_allclose(h, np.stack(hs[1:], axis=1), rtol=1e-12, atol=1e-14)
    g_h, g_c = np.zeros((N, Dh)), np.zeros((N, Dh))
    sums = [np.zeros_like(Wh), np.zeros_like(We), np.zeros_like(b1)]
    dxs = []
    for t in reversed(range(T)):
        dx_t, g_h, g_c, *dW = lstm_step_backward(dh[:, t] + g_h, g_c, caches[t])
        sums = [s + w for s, w in zip(sums, dW)]
        dxs.append(dx_t)
    close = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, np.stack(dxs[::-1], axis=1), **close)
    np.testing.assert_allclose(dh0, g_h, **close)
    np.testing.assert_allclose(dc0, g_c, **close)
    for got, want in zip((dWh, dWe, db1), sums):
        np.testing.assert_allclose(got, want, **close)


@FAST
@given(N=dims, d=dims, Dh=dims, seed=seeds, scale=st.sampled_from([0.5, 3.0, 30.0]))
def test_lstm_step_bounds(N, d, Dh, seed, scale):
    """|c_next| <= |c_prev| + 1 (f < 1, |i g| < 1), and |h_next| <= |tanh(c_next)| < 1."""
    rng = np.random.default_rng(seed)
    x_t, h_prev, c_prev = _step_inputs(rng, N, d, Dh)
    c_prev *= scale
    Wh, We, b1 = lstm_params(rng, d, Dh, scale=scale)
    h_next, c_next, _ = lstm_step_forward(x_t, h_prev, c_prev, Wh, We, b1)
    assert np.all(np.abs(c_next) <= np.abs(c_prev) + 1)
    assert np.all(np.abs(h_next) <= np.abs(np.tanh(c_next)))
    assert np.all(np.abs(h_next) <= 1)


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds)
def test_lstm_open_forget_closed_input_keeps_the_cell(N, T, d, Dh, seed):
    """With f = 1 and i = 0 (saturated biases) the cell state is carried unchanged,
    and so is its gradient: dc0 is the sum of what reaches every c_t."""
    rng = np.random.default_rng(seed)
    x, h0, c0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh)), rng.standard_normal((N, Dh))
    Wh, We, b1 = lstm_params(rng, d, Dh, scale=0.1)
    b1[:Dh], b1[Dh:2 * Dh] = -60.0, 60.0  # i = sigmoid(-60) ~ 1e-26, f = 1 - 1e-26
    h, cache = lstm_forward(x, h0, Wh, We, b1, c0)
    np.testing.assert_allclose(cache.c, np.broadcast_to(c0[:, None], (N, T, Dh)), rtol=1e-14)


# --- contracts: bad input, dtypes, nothing mutated ----------------------------------------

def _good(rng, N=2, T=3, d=3, Dh=4, dtype=np.float64):
    x = rng.standard_normal((N, T, d)).astype(dtype)
    h0 = rng.standard_normal((N, Dh)).astype(dtype)
    c0 = rng.standard_normal((N, Dh)).astype(dtype)
    return x, h0, c0, *lstm_params(rng, d, Dh, dtype=dtype)


@pytest.mark.parametrize("fn", ["step", "sequence"])
def test_unstacked_wh_says_4dh(rng, fn):
    x, h0, c0, Wh, We, b1 = _good(rng, Dh=4)
    Wh_unstacked = Wh[:4]  # (Dh, Dh) = (4, 4): one gate's block
    # Dh = 4 is divisible by 4: the (4, 4) block must not be read as a stacked Dh = 1.
    with pytest.raises(ValueError, match=r"^Wh: expected shape \(4Dh, Dh\) = \(16, 4\), "
                                         r"got \(4, 4\); 4Dh stacks 4 blocks of Dh rows"):
        if fn == "step":
            lstm_step_forward(x[:, 0], h0, c0, Wh_unstacked, We, b1)
        else:
            lstm_forward(x, h0, Wh_unstacked, We, b1, c0)
    with pytest.raises(ValueError, match=r"^Wh: expected shape \(4Dh, Dh\).*got \(3, 3\)"):
        lstm_forward(x, h0[:, :3], Wh[:3, :3], We, b1, c0)


@pytest.mark.parametrize("name, bad, message", [
    ("We", lambda a: a[:-1], r"^We: expected shape \(4Dh, d\) = \(16, 3\), got \(15, 3\)"),
    ("b1", lambda a: a[:4], r"^b1: expected shape \(4Dh,\)"),
    ("h0", lambda a: a[:, :3], r"^h0: expected shape \(N, Dh\)"),
    ("c0", lambda a: a[:1], r"^c0: expected shape \(N, Dh\)"),
    ("x", lambda a: a[..., :2], r"^x: expected shape \(N, T, d\)"),
    ("x", lambda a: np.where(a > 0, np.nan, a), r"^x: .*finite"),
    ("c0", lambda a: np.where(a > 0, np.inf, a), r"^c0: .*finite"),
    ("b1", lambda a: a.astype(np.float32), r"^b1: dtype float32 does not match"),
    ("c0", lambda a: a.astype(np.float32), r"^c0: dtype float32 does not match"),
    ("x", lambda a: a.astype(np.int64), r"^x: expected dtype float32 or float64"),
])
def test_lstm_forward_bad_input(rng, name, bad, message):
    args = dict(zip(["x", "h0", "c0", "Wh", "We", "b1"], _good(rng)))
    args[name] = bad(args[name])
    with pytest.raises(ValueError, match=message):
        lstm_forward(**args)


def test_lstm_step_backward_bad_input(rng):
    x, h0, c0, Wh, We, b1 = _good(rng)
    h, c, cache = lstm_step_forward(x[:, 0], h0, c0, Wh, We, b1)
    with pytest.raises(ValueError, match=r"^dc_next: expected shape \(N, Dh\) = \(2, 4\), got \(2, 3\)"):
        lstm_step_backward(h, c[:, :3], cache)
    with pytest.raises(ValueError, match=r"^dh_next: expected shape \(N, Dh\) = \(2, 4\), got \(4, 2\)"):
        lstm_step_backward(h.T, c, cache)
    with pytest.raises(ValueError, match=r"^dc_next: dtype float32 does not match"):
        lstm_step_backward(h, c.astype(np.float32), cache)
    with pytest.raises(ValueError, match=r"^dh_next: .*finite"):
        lstm_step_backward(np.full_like(h, np.nan), c, cache)
    gru_like = GRUStepCache(x[:, 0], h0, np.zeros((2, 12)), h0, Wh[:12], We[:12])
    with pytest.raises(ValueError, match=r"^cache: expected the LSTMStepCache returned by "
                                         r"lstm_step_forward, got GRUStepCache"):
        lstm_step_backward(h, c, gru_like)
    with pytest.raises(ValueError, match=r"^cache: expected the LSTMStepCache"):
        lstm_step_backward(h, c, tuple(cache))


def test_lstm_backward_bad_input(rng):
    x, h0, c0, Wh, We, b1 = _good(rng)
    h, cache = lstm_forward(x, h0, Wh, We, b1, c0)
    step_cache = lstm_step_forward(x[:, 0], h0, c0, Wh, We, b1)[2]
    with pytest.raises(ValueError, match=r"^dh: expected shape \(N, T, Dh\) = \(2, 3, 4\), got \(2, 4\)"):
        lstm_backward(h[:, 0], cache)
    with pytest.raises(ValueError, match=r"^cache: expected the LSTMCache returned by lstm_forward, "
                                         r"got LSTMStepCache"):
        lstm_backward(h, step_cache)
    with pytest.raises(ValueError, match=r"^dh: dtype float32"):
        lstm_backward(np.asarray(h, dtype=np.float32), cache)
    assert isinstance(cache, LSTMCache)


def test_float32_stays_float32(rng):
    x, h0, c0, Wh, We, b1 = _good(rng, dtype=np.float32)
    h, cache = lstm_forward(x, h0, Wh, We, b1)  # c0 = None: zeros of h0's dtype
    grads = lstm_backward(np.ones_like(h), cache)
    h_t, c_t, step = lstm_step_forward(x[:, 0], h0, c0, Wh, We, b1)
    step_grads = lstm_step_backward(h_t, c_t, step)
    for a in (h, h_t, c_t, *grads, *step_grads, *[v for v in cache if isinstance(v, np.ndarray)]):
        assert a.dtype == np.float32


def test_nothing_is_mutated(rng):
    """Inputs, upstream gradients included, are read-only here: any write would raise."""
    originals = _good(rng)
    x, h0, c0, Wh, We, b1 = frozen(*originals)
    h, cache = lstm_forward(x, h0, Wh, We, b1, c0)
    (dh,) = frozen(rng.standard_normal(h.shape))
    lstm_backward(dh, cache)
    lstm_backward(dh, cache)  # the cache is not consumed either
    h_t, c_t, step = lstm_step_forward(x[:, 0], h0, c0, Wh, We, b1)
    dh_t, dc_t = frozen(h_t, c_t)
    lstm_step_backward(dh_t, dc_t, step)
    for a, b in zip((x, h0, c0, Wh, We, b1), originals):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError):
        h[0, 0, 0] = 1.0  # h is the cache's array, so it is handed out read-only


def test_step_cache_is_named():
    assert LSTMStepCache.producer == "lstm_step_forward" and LSTMCache.producer == "lstm_forward"
    assert LSTMStepCache.shapes["Wh"] == "4Dh Dh" and LSTMCache.shapes["gates"] == "N T 4Dh"
