"""Every backward pass against central differences, in float64, at several shapes.

The upstream gradient is random, so each check is a vector-Jacobian product
that covers every output entry. The bar is a relative error below 1e-7.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
    numerical_gradient,
    rel_error,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    softmax_cross_entropy,
)

from .conftest import make_rnn_params, seed_for

TOL = 1e-7
# (N, T, d, Dh, V): minimal sizes, d != Dh both ways, V != Dh.
SHAPES = [(1, 1, 1, 1, 2), (1, 3, 2, 5, 3), (4, 1, 6, 3, 4), (3, 5, 4, 6, 7), (2, 7, 5, 2, 3)]
ACTIVATIONS = ["sigmoid", "tanh"]


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


@pytest.mark.parametrize("shape", SHAPES)
def test_affine_backward(shape):
    N, T, _, Dh, V = shape
    rng = np.random.default_rng(seed_for((shape, "affine")))
    h = rng.standard_normal((N, T, Dh))
    U = rng.standard_normal((Dh, V))
    b2 = rng.standard_normal(V)
    theta, cache = affine_forward(h, U, b2)
    dtheta = rng.standard_normal(theta.shape)
    dh, dU, db2 = affine_backward(dtheta, cache)
    assert rel_error(dh, numerical_gradient(lambda v: affine_forward(v, U, b2)[0], h, dtheta)) < TOL
    assert rel_error(dU, numerical_gradient(lambda v: affine_forward(h, v, b2)[0], U, dtheta)) < TOL
    assert rel_error(db2, numerical_gradient(lambda v: affine_forward(h, U, v)[0], b2, dtheta)) < TOL


@pytest.mark.parametrize("shape", SHAPES)
def test_embedding_backward_with_repeated_ids(shape):
    N, T, d, _, V = shape
    rng = np.random.default_rng(seed_for((shape, "emb")))
    ids = rng.integers(0, V, size=(N, T))
    ids.flat[0] = ids.flat[-1]  # at least one repeat whenever N*T > 1
    E = rng.standard_normal((V, d))
    x, cache = embedding_forward(ids, E)
    dx = rng.standard_normal(x.shape)
    dE = embedding_backward(dx, cache)
    assert rel_error(dE, numerical_gradient(lambda v: embedding_forward(ids, v)[0], E, dx)) < TOL


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("masked", [False, True])
def test_softmax_cross_entropy_gradient(shape, masked):
    N, T, _, _, V = shape
    rng = np.random.default_rng(seed_for((shape, masked, "ce")))
    theta = rng.standard_normal((N, T, V))
    y = rng.integers(0, V, size=(N, T))
    mask = None
    if masked:
        mask = rng.random((N, T)) < 0.6
        mask.flat[0] = True
    _, dtheta = softmax_cross_entropy(theta, y, mask)
    num = numerical_gradient(lambda v: softmax_cross_entropy(v, y, mask)[0], theta)
    assert rel_error(dtheta, num) < TOL


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_full_model_gradient(activation):
    """Embedding -> RNN -> affine -> softmax cross-entropy, every parameter at once."""
    rng = np.random.default_rng(11)
    N, T, d, Dh, V = 2, 4, 3, 5, 6
    ids = rng.integers(0, V, (N, T))
    y = rng.integers(0, V, (N, T))
    params = {
        "E": rng.standard_normal((V, d)),
        "h0": rng.standard_normal((N, Dh)) * 0.3,
        "U": rng.standard_normal((Dh, V)),
        "b2": rng.standard_normal(V) * 0.1,
    }
    params["Wh"], params["We"], params["b1"] = make_rnn_params(rng, d, Dh, scale=1.0)

    def loss_of(p):
        x, _ = embedding_forward(ids, p["E"])
        h, _ = rnn_forward(x, p["h0"], p["Wh"], p["We"], p["b1"], activation)
        theta, _ = affine_forward(h, p["U"], p["b2"])
        return softmax_cross_entropy(theta, y)[0]

    x, c_emb = embedding_forward(ids, params["E"])
    h, c_rnn = rnn_forward(x, params["h0"], params["Wh"], params["We"], params["b1"], activation)
    theta, c_aff = affine_forward(h, params["U"], params["b2"])
    _, dtheta = softmax_cross_entropy(theta, y)
    dh, dU, db2 = affine_backward(dtheta, c_aff)
    dx, dh0, dWh, dWe, db1 = rnn_backward(dh, c_rnn)
    dE = embedding_backward(dx, c_emb)
    analytic = {"E": dE, "h0": dh0, "Wh": dWh, "We": dWe, "b1": db1, "U": dU, "b2": db2}
    for name, grad in analytic.items():
        num = numerical_gradient(lambda v: loss_of(params | {name: v}), params[name])
        assert rel_error(grad, num) < TOL, name


def test_gradient_check_detects_a_transposed_gradient():
    """The seed's affine_backward returned dU transposed; the check must reject that."""
    rng = np.random.default_rng(3)
    h = rng.standard_normal((2, 3, 4))
    U = rng.standard_normal((4, 4))
    theta, cache = affine_forward(h, U, np.zeros(4))
    dtheta = rng.standard_normal(theta.shape)
    _, dU, _ = affine_backward(dtheta, cache)
    num = numerical_gradient(lambda v: affine_forward(h, v, np.zeros(4))[0], U, dtheta)
    assert rel_error(dU, num) < TOL
    assert rel_error(dU.T, num) > 1e-2
