"""Truncated BPTT against full BPTT, local gradients and finite differences."""

import numpy as np
import pytest

from rnn_core.gradcheck import numerical_gradient, rel_error
from rnn_core.recurrent import rnn_backward, rnn_forward
from rnn_core.truncated import truncated_rnn_backward


def _problem(seed, N=2, T=7, d=3, Dh=4, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, d)).astype(dtype)
    h0 = rng.standard_normal((N, Dh)).astype(dtype) * 0.5
    Wh = rng.standard_normal((Dh, Dh)).astype(dtype)
    We = rng.standard_normal((Dh, d)).astype(dtype) * 0.5
    b1 = rng.standard_normal(Dh).astype(dtype) * 0.1
    dh = rng.standard_normal((N, T, Dh)).astype(dtype)
    return x, h0, Wh, We, b1, dh


@pytest.mark.parametrize("window", [7, 8, 100])
def test_window_at_least_T_is_full_bptt(window):
    """A window >= T is one window: the same gradients as rnn_backward (true by construction,
    so the parameter gradients are also checked against central differences of a plain
    numpy forward pass that shares no code with rnn_core)."""
    x, h0, Wh, We, b1, dh = _problem(0)
    _, cache = rnn_forward(x, h0, Wh, We, b1, "tanh")
    full = rnn_backward(dh, cache)
    trunc = truncated_rnn_backward(x, h0, Wh, We, b1, dh, window, "tanh")
    for a, b in zip(full, trunc):
        assert np.array_equal(a, b)

    def objective(Wh_, We_, b1_, h0_):  # sum_t <h_t, dh_t>, written out independently
        h, total = h0_, 0.0
        for t in range(x.shape[1]):
            h = np.tanh(h @ Wh_.T + x[:, t] @ We_.T + b1_)
            total += float(np.sum(h * dh[:, t]))
        return total

    _, dh0, dWh, dWe, db1 = trunc
    assert rel_error(dWh, numerical_gradient(lambda W: objective(W, We, b1, h0), Wh)) < 1e-7
    assert rel_error(dWe, numerical_gradient(lambda W: objective(Wh, W, b1, h0), We)) < 1e-7
    assert rel_error(db1, numerical_gradient(lambda b: objective(Wh, We, b, h0), b1)) < 1e-7
    assert rel_error(dh0, numerical_gradient(lambda h: objective(Wh, We, b1, h), h0)) < 1e-7


def test_window_one_is_the_sum_of_local_gradients():
    x, h0, Wh, We, b1, dh = _problem(1)
    dx, dh0, dWh, dWe, db1 = truncated_rnn_backward(x, h0, Wh, We, b1, dh, 1, "sigmoid")
    h, _ = rnn_forward(x, h0, Wh, We, b1, "sigmoid")
    states = np.concatenate([h0[:, None], h], axis=1)  # h_0..h_T
    eWh, eWe, eb1 = np.zeros_like(Wh), np.zeros_like(We), np.zeros_like(b1)
    for t in range(x.shape[1]):
        da = dh[:, t] * h[:, t] * (1 - h[:, t])  # sigmoid' = h (1 - h), local only
        eWh += da.T @ states[:, t]
        eWe += da.T @ x[:, t]
        eb1 += da.sum(0)
        assert np.allclose(dx[:, t], da @ We, rtol=1e-12, atol=1e-14)
    assert np.allclose(dWh, eWh, rtol=1e-12, atol=1e-14)
    assert np.allclose(dWe, eWe, rtol=1e-12, atol=1e-14)
    assert np.allclose(db1, eb1, rtol=1e-12, atol=1e-14)
    da0 = dh[:, 0] * h[:, 0] * (1 - h[:, 0])
    assert np.allclose(dh0, da0 @ Wh, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("window", [2, 3])
def test_truncated_gradient_is_the_gradient_with_boundary_states_held_constant(window):
    x, h0, Wh, We, b1, dh = _problem(2, T=7)
    act = "tanh"
    h, _ = rnn_forward(x, h0, Wh, We, b1, act)
    states = np.concatenate([h0[:, None], h], axis=1)
    T = x.shape[1]

    def loss(Wh_, We_, b1_):
        # Each window restarts from the *true* state as a constant.
        total = 0.0
        for s in range(0, T, window):
            e = min(s + window, T)
            hw, _ = rnn_forward(x[:, s:e], states[:, s], Wh_, We_, b1_, act)
            total += np.sum(dh[:, s:e] * hw)
        return total

    _, _, dWh, dWe, db1 = truncated_rnn_backward(x, h0, Wh, We, b1, dh, window, act)
    assert rel_error(dWh, numerical_gradient(lambda w: loss(w, We, b1), Wh)) < 1e-7
    assert rel_error(dWe, numerical_gradient(lambda w: loss(Wh, w, b1), We)) < 1e-7
    assert rel_error(db1, numerical_gradient(lambda w: loss(Wh, We, w), b1)) < 1e-7
    # ... and it really differs from the full gradient.
    _, cache = rnn_forward(x, h0, Wh, We, b1, act)
    assert rel_error(dWh, rnn_backward(dh, cache)[2]) > 1e-3


def test_float32_and_no_mutation():
    args = _problem(3, dtype=np.float32)
    before = [a.copy() for a in args]
    out = truncated_rnn_backward(*args, 3)
    for a, b in zip(args, before):
        assert np.array_equal(a, b)
    for g in out:
        assert g.dtype == np.float32
    x, h0, Wh, We, b1, dh = args
    shapes = [x.shape, h0.shape, Wh.shape, We.shape, b1.shape]
    assert [g.shape for g in out] == shapes


def test_dims_are_validated():
    x, h0, Wh, We, b1, dh = _problem(4)
    with pytest.raises(ValueError, match=r"dh: expected shape \(N, T, Dh\)"):
        truncated_rnn_backward(x, h0, Wh, We, b1, dh[:, :-1], 2)
    with pytest.raises(ValueError, match=r"h0: expected shape \(N, Dh\)"):
        truncated_rnn_backward(x, h0[:1], Wh, We, b1, dh, 2)
    for bad in [0, -2, 1.5, True, None]:
        with pytest.raises(ValueError, match="window: expected an int >= 1"):
            truncated_rnn_backward(x, h0, Wh, We, b1, dh, bad)
    with pytest.raises(ValueError, match="activation"):
        truncated_rnn_backward(x, h0, Wh, We, b1, dh, 2, "gelu")


def test_empty_sequence_is_rejected():
    """T = 0 used to return dh0 = None; now it is a ValueError naming x and T."""
    x, h0, Wh, We, b1, dh = _problem(5)
    with pytest.raises(ValueError) as info:
        truncated_rnn_backward(x[:, :0], h0, Wh, We, b1, dh[:, :0], 2)
    assert str(info.value) == f"x: expected T >= 1, got shape {x[:, :0].shape}"


@pytest.mark.parametrize("T", [1, 2, 3])
def test_dh0_is_always_an_array(T):
    x, h0, Wh, We, b1, dh = _problem(6, T=T)
    _, dh0, *_ = truncated_rnn_backward(x, h0, Wh, We, b1, dh, 2)
    assert isinstance(dh0, np.ndarray) and dh0.shape == h0.shape
