"""The GRU (rnn_core.gru): gradient checks, values by hand, properties, contracts.

Gradient checks: every gradient of every backward pass against central
differences in float64, with a random upstream gradient, relative error below 1e-7.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_core import (
    GRUCache,
    GRUStepCache,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    lstm_step_forward,
    numerical_gradient,
    rel_error,
)

from .conftest import seed_for
from .gated_helpers import SHAPES, TOL, frozen, gru_params

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ["Wh", "We", "b_ih", "b_hh"]


# --- gradient checks ---------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_gru_step_backward_gradients(shape):
    N, _, d, Dh = shape
    rng = np.random.default_rng(seed_for("gru step", shape))
    x_t, h_prev = rng.standard_normal((N, d)), rng.standard_normal((N, Dh))
    params = dict(zip(NAMES, gru_params(rng, d, Dh)))
    h_next, cache = gru_step_forward(x_t, h_prev, **params)
    dh_next = rng.standard_normal(h_next.shape)
    grads = dict(zip(["x_t", "h_prev"] + NAMES, gru_step_backward(dh_next, cache)))
    inputs = dict(x_t=x_t, h_prev=h_prev, **params)
    for name, grad in grads.items():
        num = numerical_gradient(lambda v: gru_step_forward(**(inputs | {name: v}))[0],
                                 inputs[name], dh_next)
        assert grad.shape == inputs[name].shape, name
        assert rel_error(grad, num) < TOL, name


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_backward_gradients(shape):
    N, T, d, Dh = shape
    rng = np.random.default_rng(seed_for("gru seq", shape))
    x, h0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh))
    params = dict(zip(NAMES, gru_params(rng, d, Dh)))
    h, cache = gru_forward(x, h0, **params)
    dh = rng.standard_normal(h.shape)
    grads = dict(zip(["x", "h0"] + NAMES, gru_backward(dh, cache)))
    inputs = dict(x=x, h0=h0, **params)
    for name, grad in grads.items():
        num = numerical_gradient(lambda v: gru_forward(**(inputs | {name: v}))[0], inputs[name], dh)
        assert grad.shape == inputs[name].shape, name
        assert rel_error(grad, num) < TOL, name


# --- values derived by hand, for a scalar GRU step (N = d = Dh = 1) ----------------------

def _sig(a):
    return 1.0 / (1.0 + math.exp(-a))


def test_scalar_gru_step_by_hand():
    x, h = 0.5, -0.3
    Wh = [0.1, -0.2, 0.3]  # r, z, n
    We = [0.5, 0.6, -0.7]
    b_ih = [0.1, 0.2, -0.1]
    b_hh = [0.05, -0.1, 0.2]
    # by hand: ax = We x + b_ih = (0.35, 0.50, -0.45); ah = Wh h + b_hh = (0.02, -0.04, 0.11)
    r, z = _sig(0.35 + 0.02), _sig(0.50 - 0.04)
    n = math.tanh(-0.45 + r * 0.11)
    h_next = (1 - z) * n + z * h
    assert abs(h_next - (-0.3259240)) < 1e-6  # the arithmetic above, rounded

    dh = 0.7
    # h_next = (1 - z) n + z h: d/dn = 1 - z, d/dz = h - n, d/dh (direct) = z
    dax_n = dh * (1 - z) * (1 - n * n)  # through n = tanh(ax_n + r ah_n)
    da_r = dax_n * 0.11 * r * (1 - r)  # dn/dr = (1 - n^2) ah_n
    da_z = dh * (h - n) * z * (1 - z)
    dax = [da_r, da_z, dax_n]
    dah = [da_r, da_z, dax_n * r]  # the hidden part of n is scaled by r

    arr = lambda v, *s: np.array(v, dtype=np.float64).reshape(s)  # noqa: E731
    h_n, cache = gru_step_forward(arr(x, 1, 1), arr(h, 1, 1), arr(Wh, 3, 1), arr(We, 3, 1),
                                  arr(b_ih, 3), arr(b_hh, 3))
    assert h_n.shape == (1, 1)
    assert math.isclose(h_n.item(), h_next, rel_tol=1e-14)
    dx, dhp, dWh, dWe, db_ih, db_hh = gru_step_backward(arr(dh, 1, 1), cache)
    close = dict(rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(dx.item(), sum(a * w for a, w in zip(dax, We)), **close)
    np.testing.assert_allclose(dhp.item(), sum(a * w for a, w in zip(dah, Wh)) + dh * z, **close)
    np.testing.assert_allclose(dWh.ravel(), [a * h for a in dah], **close)
    np.testing.assert_allclose(dWe.ravel(), [a * x for a in dax], **close)
    np.testing.assert_allclose(db_ih, dax, **close)
    np.testing.assert_allclose(db_hh, dah, **close)


# --- properties ---------------------------------------------------------------------------

dims = st.integers(min_value=1, max_value=4)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds)
def test_gru_backward_random_shapes(N, T, d, Dh, seed):
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh))
    params = dict(zip(NAMES, gru_params(rng, d, Dh, scale=1.0)))
    h, cache = gru_forward(x, h0, **params)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWh, dWe, db_ih, db_hh = gru_backward(dh, cache)
    f = lambda **o: gru_forward(**(dict(x=x, h0=h0, **params) | o))[0]  # noqa: E731
    assert rel_error(dWh, numerical_gradient(lambda v: f(Wh=v), params["Wh"], dh)) < TOL
    assert rel_error(db_hh, numerical_gradient(lambda v: f(b_hh=v), params["b_hh"], dh)) < TOL
    assert rel_error(dh0, numerical_gradient(lambda v: f(h0=v), h0, dh)) < TOL


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds, scale=st.sampled_from([0.1, 1.0, 5.0]))
def test_gru_sequence_is_steps(N, T, d, Dh, seed, scale):
    """gru_forward/backward equal gru_step_forward/backward chained by hand."""
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh))
    params = gru_params(rng, d, Dh, scale=scale)
    h, cache = gru_forward(x, h0, *params)
    dh = rng.standard_normal(h.shape)
    dx, dh0, *dparams = gru_backward(dh, cache)

    hs, caches = [h0], []
    for t in range(T):
        h_t, step = gru_step_forward(x[:, t], hs[-1], *params)
        hs.append(h_t), caches.append(step)
    np.testing.assert_allclose(h, np.stack(hs[1:], axis=1), rtol=1e-12, atol=1e-14)
    g = np.zeros((N, Dh))
    sums = [np.zeros_like(p) for p in params]
    dxs = []
    for t in reversed(range(T)):
        dx_t, g, *dW = gru_step_backward(dh[:, t] + g, caches[t])
        sums = [s + w for s, w in zip(sums, dW)]
        dxs.append(dx_t)
    close = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, np.stack(dxs[::-1], axis=1), **close)
    np.testing.assert_allclose(dh0, g, **close)
    for got, want in zip(dparams, sums):
        np.testing.assert_allclose(got, want, **close)


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds, scale=st.sampled_from([0.5, 3.0, 30.0]))
def test_gru_h_stays_between_n_and_h_prev(N, T, d, Dh, seed, scale):
    """h_next = (1 - z) n + z h_prev is a convex mix: from h0 in (-1, 1), h stays in (-1, 1)."""
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((N, T, d)) * scale, np.tanh(rng.standard_normal((N, Dh)))
    h, cache = gru_forward(x, h0, *gru_params(rng, d, Dh, scale=scale))
    n = cache.gates[:, :, 2 * Dh:]
    h_prev = np.concatenate((h0[:, None], h[:, :-1]), axis=1)
    assert np.all(h >= np.minimum(n, h_prev) - 1e-15) and np.all(h <= np.maximum(n, h_prev) + 1e-15)
    assert np.all(np.abs(h) <= 1)


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds)
def test_gru_update_gate_one_keeps_h(N, T, d, Dh, seed):
    """z = 1 (a saturated update bias) keeps h0 for every step, and passes dh straight to h0."""
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh))
    Wh, We, b_ih, b_hh = gru_params(rng, d, Dh, scale=0.1)
    b_ih[Dh:2 * Dh] = 60.0  # z = 1 - 1e-26
    h, cache = gru_forward(x, h0, Wh, We, b_ih, b_hh)
    np.testing.assert_allclose(h, np.broadcast_to(h0[:, None], h.shape), rtol=1e-14, atol=1e-15)
    dh = rng.standard_normal(h.shape)
    dh0 = gru_backward(dh, cache)[1]
    np.testing.assert_allclose(dh0, dh.sum(axis=1), rtol=1e-12, atol=1e-14)


@FAST
@given(N=dims, d=dims, Dh=dims, seed=seeds)
def test_gru_reset_gate_zero_forgets_hidden_part_of_n(N, d, Dh, seed):
    """r = 0: n no longer depends on the hidden half, W_hn and b_hn have no effect."""
    rng = np.random.default_rng(seed)
    x_t, h_prev = rng.standard_normal((N, d)), rng.standard_normal((N, Dh))
    Wh, We, b_ih, b_hh = gru_params(rng, d, Dh)
    b_ih[:Dh] = -60.0  # r = 1e-26
    _, cache = gru_step_forward(x_t, h_prev, Wh, We, b_ih, b_hh)
    Wh2, b_hh2 = Wh.copy(), b_hh.copy()
    Wh2[2 * Dh:] += 1.0
    b_hh2[2 * Dh:] -= 1.0
    _, cache2 = gru_step_forward(x_t, h_prev, Wh2, We, b_ih, b_hh2)
    np.testing.assert_allclose(cache.gates, cache2.gates, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(cache.gates[:, 2 * Dh:], np.tanh(x_t @ We[2 * Dh:].T + b_ih[2 * Dh:]),
                               rtol=1e-14, atol=1e-15)


# --- contracts: bad input, dtypes, nothing mutated ----------------------------------------

def _good(rng, N=2, T=3, d=3, Dh=4, dtype=np.float64):
    x = rng.standard_normal((N, T, d)).astype(dtype)
    h0 = rng.standard_normal((N, Dh)).astype(dtype)
    return dict(x=x, h0=h0, **dict(zip(NAMES, gru_params(rng, d, Dh, dtype=dtype))))


@pytest.mark.parametrize("fn", ["step", "sequence"])
def test_unstacked_wh_says_3dh(rng, fn):
    args = _good(rng, Dh=3)
    args["Wh"] = args["Wh"][:3]  # (Dh, Dh) = (3, 3): one gate's block
    with pytest.raises(ValueError, match=r"^Wh: expected shape \(3Dh, Dh\) = \(9, 3\), got \(3, 3\); 3Dh stacks 3 blocks"):
        if fn == "step":
            gru_step_forward(args["x"][:, 0], args["h0"], args["Wh"], args["We"], args["b_ih"], args["b_hh"])
        else:
            gru_forward(**args)
    args = _good(rng, Dh=4)
    args["Wh"] = args["Wh"][:4]
    with pytest.raises(ValueError, match=r"^Wh: expected shape \(3Dh, Dh\) = \(12, 4\), got \(4, 4\)"):
        gru_forward(**args)
    args = _good(rng, Dh=6)  # Dh divisible by 3: an unstacked (6, 6) is still not read as Dh = 2
    args["Wh"] = args["Wh"][:6]
    with pytest.raises(ValueError, match=r"^Wh: expected shape \(3Dh, Dh\) = \(18, 6\), got \(6, 6\)"):
        gru_forward(**args)


@pytest.mark.parametrize("name, bad, message", [
    ("We", lambda a: a[:-3], r"^We: expected shape \(3Dh, d\) = \(12, 3\), got \(9, 3\)"),
    ("b_ih", lambda a: a[:4], r"^b_ih: expected shape \(3Dh,\)"),
    ("b_hh", lambda a: np.concatenate((a, a[:4])), r"^b_hh: expected shape \(3Dh,\) = \(12,\)"),
    ("b_hh", lambda a: a[None], r"^b_hh: expected shape \(3Dh,\)"),
    ("h0", lambda a: a[:, :3], r"^h0: expected shape \(N, Dh\)"),
    ("x", lambda a: a[:, :, None], r"^x: expected shape \(N, T, d\)"),
    ("x", lambda a: np.where(a > 0, np.nan, a), r"^x: .*finite"),
    ("b_hh", lambda a: a.astype(np.float32), r"^b_hh: dtype float32 does not match"),
    ("h0", lambda a: a.astype(np.float32), r"^h0: dtype float32 does not match"),
])
def test_gru_forward_bad_input(rng, name, bad, message):
    args = _good(rng)
    args[name] = bad(args[name])
    with pytest.raises(ValueError, match=message):
        gru_forward(**args)


def test_gru_backward_bad_input(rng):
    args = _good(rng)
    h, cache = gru_forward(**args)
    x, h0, *params = args.values()
    h_t, step = gru_step_forward(x[:, 0], h0, *params)
    with pytest.raises(ValueError, match=r"^dh: expected shape \(N, T, Dh\) = \(2, 3, 4\), got \(2, 4\)"):
        gru_backward(h_t, cache)
    with pytest.raises(ValueError, match=r"^dh_next: expected shape \(N, Dh\) = \(2, 4\), got \(2, 3, 4\)"):
        gru_step_backward(h, step)
    with pytest.raises(ValueError, match=r"^cache: expected the GRUCache returned by gru_forward, "
                                         r"got GRUStepCache"):
        gru_backward(h, step)
    lstm_cache = lstm_step_forward(x[:, 0], h0, h0, np.zeros((16, 4)), np.zeros((16, 3)), np.zeros(16))[2]
    with pytest.raises(ValueError, match=r"^cache: expected the GRUStepCache returned by "
                                         r"gru_step_forward, got LSTMStepCache"):
        gru_step_backward(h_t, lstm_cache)
    with pytest.raises(ValueError, match=r"^dh_next: dtype float32"):
        gru_step_backward(h_t.astype(np.float32), step)
    with pytest.raises(ValueError, match=r"^dh: .*finite"):
        gru_backward(np.full(h.shape, np.inf), cache)
    assert isinstance(cache, GRUCache)


def test_float32_stays_float32(rng):
    args = _good(rng, dtype=np.float32)
    h, cache = gru_forward(**args)
    grads = gru_backward(np.ones_like(h), cache)
    x, h0, *params = args.values()
    h_t, step = gru_step_forward(x[:, 0], h0, *params)
    step_grads = gru_step_backward(h_t, step)
    for a in (h, h_t, *grads, *step_grads, *[v for v in cache if isinstance(v, np.ndarray)]):
        assert a.dtype == np.float32


def test_nothing_is_mutated(rng):
    """Inputs, upstream gradients included, are read-only here: any write would raise."""
    originals = list(_good(rng).values())
    x, h0, *params = frozen(*originals)
    h, cache = gru_forward(x, h0, *params)
    (dh,) = frozen(rng.standard_normal(h.shape))
    gru_backward(dh, cache)
    gru_backward(dh, cache)
    h_t, step = gru_step_forward(x[:, 0], h0, *params)
    (dh_t,) = frozen(h_t)
    gru_step_backward(dh_t, step)
    for a, b in zip((x, h0, *params), originals):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError):
        h[0, 0, 0] = 1.0


def test_caches_are_named():
    assert GRUStepCache.producer == "gru_step_forward" and GRUCache.producer == "gru_forward"
    assert GRUStepCache.shapes["Wh"] == "3Dh Dh" and GRUCache.shapes["gates"] == "N T 3Dh"
