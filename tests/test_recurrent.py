"""recurrent.py: the RNN over T steps and backpropagation through time."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given

from rnn_core import numerical_gradient, rel_error, rnn_backward, rnn_forward

from .conftest import (
    ACTIVATIONS,
    FAST,
    SHAPES,
    TOL,
    activations,
    dims,
    make_rnn_params,
    rnn_case,
    seed_for,
    seeds,
)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rnn_backward(shape, activation):
    N, T, d, Dh, _ = shape
    rng = np.random.default_rng(seed_for((shape, activation, "seq")))
    x = rng.standard_normal((N, T, d))
    h0 = rng.standard_normal((N, Dh))
    Wh, We, b1 = make_rnn_params(rng, d, Dh, scale=1.0)
    h, cache = rnn_forward(x, h0, Wh, We, b1, activation)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWh, dWe, db1 = rnn_backward(dh, cache)

    def f(**over):
        args = dict(x=x, h0=h0, Wh=Wh, We=We, b1=b1) | over
        return rnn_forward(**args, activation=activation)[0]

    assert rel_error(dx, numerical_gradient(lambda v: f(x=v), x, dh)) < TOL
    assert rel_error(dh0, numerical_gradient(lambda v: f(h0=v), h0, dh)) < TOL
    assert rel_error(dWh, numerical_gradient(lambda v: f(Wh=v), Wh, dh)) < TOL
    assert rel_error(dWe, numerical_gradient(lambda v: f(We=v), We, dh)) < TOL
    assert rel_error(db1, numerical_gradient(lambda v: f(b1=v), b1, dh)) < TOL


def test_rnn_backward_relu():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 4, 3))
    h0 = rng.standard_normal((2, 5))
    Wh, We, b1 = make_rnn_params(rng, 3, 5, scale=1.0)
    h, cache = rnn_forward(x, h0, Wh, We, b1, "relu")
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWh, _, _ = rnn_backward(dh, cache)
    f = lambda v: rnn_forward(x, h0, v, We, b1, "relu")[0]  # noqa: E731
    assert rel_error(dWh, numerical_gradient(f, Wh, dh)) < TOL
    assert rel_error(dh0, numerical_gradient(lambda v: rnn_forward(x, v, Wh, We, b1, "relu")[0], h0, dh)) < TOL


def test_rnn_forward_scalar_recurrence_by_hand():
    # h_t = tanh(w h_{t-1} + u x_t + b), computed with math.tanh on floats.
    w, u, b, h = 0.7, -1.3, 0.2, 0.4
    xs = [0.5, -1.0, 2.0, 0.0]
    expected = []
    for xt in xs:
        h = math.tanh(w * h + u * xt + b)
        expected.append(h)
    out, _ = rnn_forward(np.array(xs).reshape(1, 4, 1), np.array([[0.4]]), np.array([[w]]),
                         np.array([[u]]), np.array([b]), activation="tanh")
    np.testing.assert_allclose(out[0, :, 0], expected, rtol=1e-14)


def test_rnn_backward_two_steps_scalar_by_hand():
    # Linear-ish check of the carried gradient: tanh, T = 2, upstream only at t = 2.
    w, u, b, h0 = 0.5, 1.0, 0.0, 0.1
    x1, x2 = 0.3, -0.2
    h1 = math.tanh(w * h0 + u * x1 + b)
    h2 = math.tanh(w * h1 + u * x2 + b)
    g2 = 1.0
    da2 = g2 * (1 - h2**2)
    da1 = (0.0 + da2 * w) * (1 - h1**2)  # carried from t = 2 only
    _, cache = rnn_forward(np.array([[[x1], [x2]]]), np.array([[h0]]), np.array([[w]]),
                           np.array([[u]]), np.array([b]), activation="tanh")
    dx, dh0, dWh, dWe, db1 = rnn_backward(np.array([[[0.0], [g2]]]), cache)
    assert dh0[0, 0] == pytest.approx(da1 * w, rel=1e-14)
    assert dWh[0, 0] == pytest.approx(da1 * h0 + da2 * h1, rel=1e-14)
    assert dWe[0, 0] == pytest.approx(da1 * x1 + da2 * x2, rel=1e-14)
    assert db1[0] == pytest.approx(da1 + da2, rel=1e-14)
    np.testing.assert_allclose(dx[0, :, 0], [da1 * u, da2 * u], rtol=1e-14)


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds, activation=activations)
def test_rnn_backward_matches_finite_differences(N, T, d, Dh, seed, activation):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, d))
    h0 = rng.standard_normal((N, Dh))
    Wh, We, b1 = make_rnn_params(rng, d, Dh, scale=1.0)
    h, cache = rnn_forward(x, h0, Wh, We, b1, activation)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWh, dWe, db1 = rnn_backward(dh, cache)
    f = lambda **o: rnn_forward(**(dict(x=x, h0=h0, Wh=Wh, We=We, b1=b1) | o),  # noqa: E731
                                activation=activation)[0]
    assert rel_error(dWh, numerical_gradient(lambda v: f(Wh=v), Wh, dh)) < 1e-7
    assert rel_error(dx, numerical_gradient(lambda v: f(x=v), x, dh)) < 1e-7
    assert rel_error(dh0, numerical_gradient(lambda v: f(h0=v), h0, dh)) < 1e-7


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_changing_h0_changes_every_hidden_state(rng, activation):
    x, h0, Wh, We, b1 = rnn_case(rng)
    h_a, _ = rnn_forward(x, h0, Wh, We, b1, activation)
    h_b, _ = rnn_forward(x, h0 + 0.5, Wh, We, b1, activation)
    per_step_change = np.abs(h_a - h_b).max(axis=(0, 2))
    assert np.all(per_step_change > 0), per_step_change


def test_recurrent_module_docstring_admits_the_h_prev_copy():
    """rnn_backward builds h_{t-1} as one (N, T, Dh) array; the module docstring must not deny it."""
    import inspect

    from rnn_core import recurrent

    doc = recurrent.__doc__
    assert "(N, T, Dh) copy" in doc
    assert "np.concatenate" in inspect.getsource(recurrent.rnn_backward)  # what the doc describes


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_returned_states_are_read_only_and_the_backward_is_untouched(rng, cell):
    """The returned h is the cache's own array, so it is handed out read-only: a write raises
    instead of silently changing the gradients of the next backward pass."""
    from rnn_core import gru_backward, gru_forward, lstm_backward, lstm_forward

    from .gated_helpers import gru_params, lstm_params

    N, T, d, Dh = 2, 4, 3, 5
    x, h0 = rng.standard_normal((N, T, d)), rng.standard_normal((N, Dh))
    if cell == "rnn":
        forward, backward = rnn_forward, rnn_backward
        params = (0.5 * rng.standard_normal((Dh, Dh)), rng.standard_normal((Dh, d)),
                  rng.standard_normal(Dh))
    elif cell == "lstm":
        forward, backward, params = lstm_forward, lstm_backward, lstm_params(rng, d, Dh)
    else:
        forward, backward, params = gru_forward, gru_backward, gru_params(rng, d, Dh)
    h, cache = forward(x, h0, *params)
    assert np.shares_memory(h, cache.h)  # what makes the rule necessary
    dh = rng.standard_normal(h.shape)
    before = backward(dh, cache)
    with pytest.raises(ValueError, match="read-only"):
        h[0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        h *= 2
    for a, b in zip(backward(dh, cache), before):
        assert np.array_equal(a, b)
