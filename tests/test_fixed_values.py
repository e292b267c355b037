"""Fixed inputs whose expected values are worked out by hand or from a closed form.

None of the expected numbers here comes from running rnn_core: they are
written from the formulas with Python's ``math`` on scalars.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnn_core import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
    log_softmax,
    numerical_gradient,
    rel_error,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)


def logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_sigmoid_known_values_and_no_overflow_warning():
    x = np.array([-1e4, -2.0, 0.0, 2.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow warning fails the test
        s = sigmoid(x)
    expected = [0.0, 1 / (1 + math.e**2), 0.5, 1 / (1 + math.e**-2), 1.0]
    np.testing.assert_allclose(s, expected, rtol=1e-15, atol=1e-300)
    assert sigmoid(np.float32(3.0)).dtype == np.float32


def test_softmax_known_values_and_large_logits():
    # softmax([0, ln 2]) = [1/3, 2/3]
    np.testing.assert_allclose(softmax(np.array([0.0, math.log(2.0)])), [1 / 3, 2 / 3], rtol=1e-15)
    # Shifting by 1e4 changes nothing; naive exp(1e4) would be inf.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(np.array([[1e4, 1e4 + math.log(2.0)], [-1e4, -1e4]]))
    np.testing.assert_allclose(p, [[1 / 3, 2 / 3], [0.5, 0.5]], rtol=1e-12)
    np.testing.assert_allclose(log_softmax(np.array([0.0, 0.0, 0.0, 0.0])), [-math.log(4)] * 4)


def _log_softmax_by_hand(offsets):
    """log softmax of ``c + offsets`` for any constant c: the offsets minus their log-sum-exp."""
    lse = math.log(sum(math.exp(o) for o in offsets))
    return [o - lse for o in offsets]


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_log_softmax_of_large_logits_in_two_dimensions(dtype, rtol):
    # Rows of logits near +1e4 and -1e4; exp of either would overflow or underflow to 0.
    offsets = [[0.0, math.log(2.0), -3.0], [1.0, 0.0, -0.5]]
    shifts = [1e4, -1e4]
    x = np.array([[c + o for o in row] for c, row in zip(shifts, offsets)], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = log_softmax(x)
    assert out.dtype == dtype and out.shape == (2, 3)
    # float32 holds 1e4 + o only to about 1e-3, so the expected value uses the stored logits.
    stored = [[float(v) - float(row[0]) for v in row] for row in x]
    expected = [_log_softmax_by_hand(row) for row in stored]
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=1e-6 if dtype == np.float32 else 0)
    # The first row is [0, ln 2, -3] shifted: log(1 / (3 + e^-3)), log(2 / (3 + e^-3)), ...
    if dtype == np.float64:
        np.testing.assert_allclose(out[0, 0], -math.log(3 + math.exp(-3.0)), rtol=1e-12)


def test_activate_sigmoid_is_the_public_sigmoid():
    from rnn_core.activations import activate

    for dtype in (np.float32, np.float64):
        a = np.array([-1e4, -30.0, -1.0, 0.0, 1.0, 30.0, 1e4], dtype=dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = activate(a, "sigmoid")
        assert got.dtype == dtype
        assert np.array_equal(got, sigmoid(a))
        np.testing.assert_allclose(got[2:5], [logistic(-1.0), 0.5, logistic(1.0)], rtol=1e-6)


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


def test_affine_by_hand():
    h = np.array([[[1.0, 2.0]]])  # N = T = 1, Dh = 2
    U = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])  # (Dh, V) = (2, 3)
    b2 = np.array([0.0, 1.0, 2.0])
    theta, cache = affine_forward(h, U, b2)
    np.testing.assert_allclose(theta, [[[2.0, 5.0, 1.0]]])
    dh, dU, db2 = affine_backward(np.array([[[1.0, 0.0, 2.0]]]), cache)
    np.testing.assert_allclose(dh, [[[1.0 - 2.0, 0.5]]])  # dtheta @ U.T
    np.testing.assert_allclose(dU, [[1.0, 0.0, 2.0], [2.0, 0.0, 4.0]])  # outer(h, dtheta)
    np.testing.assert_allclose(db2, [1.0, 0.0, 2.0])


def test_embedding_by_hand_repeated_ids_accumulate():
    E = np.arange(8.0).reshape(4, 2)
    ids = np.array([[3, 1, 3]])
    x, cache = embedding_forward(ids, E)
    np.testing.assert_array_equal(x, [[[6.0, 7.0], [2.0, 3.0], [6.0, 7.0]]])
    dE = embedding_backward(np.array([[[1.0, 1.0], [2.0, 0.0], [10.0, -1.0]]]), cache)
    np.testing.assert_array_equal(dE, [[0, 0], [2, 0], [0, 0], [11, 0]])


def test_cross_entropy_by_hand():
    # Two tokens, V = 2: p = softmax([0, ln 3]) = [1/4, 3/4].
    theta = np.array([[[0.0, math.log(3.0)], [0.0, math.log(3.0)]]])
    y = np.array([[1, 0]])
    loss, dtheta = softmax_cross_entropy(theta, y)
    assert loss == pytest.approx((-math.log(0.75) - math.log(0.25)) / 2, rel=1e-14)
    np.testing.assert_allclose(dtheta, [[[0.25 / 2, (0.75 - 1) / 2], [(0.25 - 1) / 2, 0.75 / 2]]],
                               rtol=1e-14)
    # A mask counting only the first token.
    loss, dtheta = softmax_cross_entropy(theta, y, np.array([[True, False]]))
    assert loss == pytest.approx(-math.log(0.75), rel=1e-14)
    np.testing.assert_allclose(dtheta[0, 1], [0.0, 0.0])


def test_cross_entropy_of_uniform_logits_is_log_v():
    for V in (2, 7, 65):
        loss, _ = softmax_cross_entropy(np.full((3, 4, V), 1.7), np.zeros((3, 4), dtype=int))
        assert loss == pytest.approx(math.log(V), rel=1e-14)


def test_numerical_gradient_of_known_functions():
    x = np.array([1.0, -2.0, 0.5])
    # f = sum(x^3): grad = 3x^2
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-8)
    # array-valued f = sin(x) with upstream df: grad = cos(x) * df
    df = np.array([2.0, -1.0, 0.5])
    np.testing.assert_allclose(numerical_gradient(np.sin, x, df), np.cos(x) * df, rtol=1e-8)


def test_rel_error_definition():
    assert rel_error(np.array([3.0, 4.0]), np.array([3.0, 4.0])) == 0.0
    # ||a - b|| = 1, ||a|| + ||b|| = 5 + sqrt(9 + 9) -> closed form
    a, b = np.array([3.0, 4.0]), np.array([3.0, 3.0])
    assert rel_error(a, b) == pytest.approx(1.0 / (5.0 + math.sqrt(18.0)), rel=1e-14)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="shape"):
        rel_error(np.zeros((2, 3)), np.zeros((3, 2)))


def test_numerical_gradient_of_a_function_returning_its_argument():
    # f(x) = x returns the perturbed buffer itself; the Jacobian is the identity.
    x = np.array([0.3, -1.2])
    df = np.array([2.0, 5.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: v, x, df), df, rtol=1e-9)


def test_numerical_gradient_of_a_transposed_view():
    x = np.arange(6.0).reshape(2, 3).T  # not C-contiguous
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-8)
