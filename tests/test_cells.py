"""cells.py: one RNN step, forward and backward, against hand-worked values and central differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_core import numerical_gradient, rel_error, rnn_forward, rnn_step_backward, rnn_step_forward

from .conftest import ACTIVATIONS, SHAPES, TOL, logistic, make_rnn_params, seed_for


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rnn_step_backward(shape, activation):
    N, _, d, Dh, _ = shape
    rng = np.random.default_rng(seed_for((shape, activation)))
    x_t = rng.standard_normal((N, d))
    h_prev = rng.standard_normal((N, Dh))
    Wh, We, b1 = make_rnn_params(rng, d, Dh)
    h_next, cache = rnn_step_forward(x_t, h_prev, Wh, We, b1, activation)
    dh_next = rng.standard_normal(h_next.shape)
    dx_t, dh_prev, dWh, dWe, db1 = rnn_step_backward(dh_next, cache)

    def f(**over):
        args = dict(x_t=x_t, h_prev=h_prev, Wh=Wh, We=We, b1=b1) | over
        return rnn_step_forward(**args, activation=activation)[0]

    assert rel_error(dx_t, numerical_gradient(lambda v: f(x_t=v), x_t, dh_next)) < TOL
    assert rel_error(dh_prev, numerical_gradient(lambda v: f(h_prev=v), h_prev, dh_next)) < TOL
    assert rel_error(dWh, numerical_gradient(lambda v: f(Wh=v), Wh, dh_next)) < TOL
    assert rel_error(dWe, numerical_gradient(lambda v: f(We=v), We, dh_next)) < TOL
    assert rel_error(db1, numerical_gradient(lambda v: f(b1=v), b1, dh_next)) < TOL


def test_rnn_step_forward_one_unit_by_hand():
    # a = h_prev*Wh + x*We + b1 = 0.5*2 + 1*(-1) + 0.5 = 0.5
    h, _ = rnn_step_forward(np.array([[1.0]]), np.array([[0.5]]), np.array([[2.0]]),
                            np.array([[-1.0]]), np.array([0.5]))
    assert h[0, 0] == pytest.approx(logistic(0.5), rel=1e-15)
    h, _ = rnn_step_forward(np.array([[1.0]]), np.array([[0.5]]), np.array([[2.0]]),
                            np.array([[-1.0]]), np.array([0.5]), activation="tanh")
    assert h[0, 0] == pytest.approx(math.tanh(0.5), rel=1e-15)


def test_rnn_step_forward_uses_pytorch_layout():
    # Wh rows act on the output unit: with Wh = [[0, 1], [0, 0]], unit 0 reads h_prev[1].
    x_t = np.zeros((1, 3))
    h_prev = np.array([[0.0, 2.0]])
    Wh = np.array([[0.0, 1.0], [0.0, 0.0]])
    We = np.zeros((2, 3))
    We[1, 2] = 3.0  # unit 1 reads x_t[2]
    x_t[0, 2] = 1.0
    h, _ = rnn_step_forward(x_t, h_prev, Wh, We, np.zeros(2), activation="tanh")
    np.testing.assert_allclose(h, [[math.tanh(2.0), math.tanh(3.0)]], rtol=1e-15)


def test_zero_weights_give_activation_of_bias():
    b1 = np.array([-1.0, 0.0, 2.0])
    h, _ = rnn_forward(np.ones((2, 4, 5)), np.ones((2, 3)), np.zeros((3, 3)), np.zeros((3, 5)), b1)
    expected = [logistic(-1.0), 0.5, logistic(2.0)]
    np.testing.assert_allclose(h, np.broadcast_to(expected, (2, 4, 3)), rtol=1e-15)


def test_rnn_step_backward_one_unit_by_hand():
    x, hp, w, u, b, g = 1.0, 0.5, 2.0, -1.0, 0.5, 3.0
    s = logistic(hp * w + x * u + b)
    local = g * s * (1 - s)  # dL/da
    _, cache = rnn_step_forward(np.array([[x]]), np.array([[hp]]), np.array([[w]]),
                                np.array([[u]]), np.array([b]))
    dx, dhp, dWh, dWe, db1 = rnn_step_backward(np.array([[g]]), cache)
    assert dx[0, 0] == pytest.approx(local * u, rel=1e-14)
    assert dhp[0, 0] == pytest.approx(local * w, rel=1e-14)
    assert dWh[0, 0] == pytest.approx(local * hp, rel=1e-14)
    assert dWe[0, 0] == pytest.approx(local * x, rel=1e-14)
    assert db1[0] == pytest.approx(local, rel=1e-14)
