"""activations.py: known values, large inputs, properties, and what the chapter shows is what runs."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnn_core import log_softmax, softmax
from rnn_core.activations import activate, activation_derivative, sigmoid

from .conftest import FAST, logistic, seeds


def _log_softmax_by_hand(offsets):
    """log softmax of ``c + offsets`` for any constant c: the offsets minus their log-sum-exp."""
    lse = math.log(sum(math.exp(o) for o in offsets))
    return [o - lse for o in offsets]


def test_sigmoid_source_shows_both_branches():
    src = inspect.getsource(sigmoid)
    assert "np.exp(-np.abs(x))" in src and "1 / (1 + z)" in src and "z / (1 + z)" in src


def test_activate_and_its_derivative_show_each_formula():
    act = inspect.getsource(activate)
    assert "sigmoid(a)" in act and "np.tanh(a)" in act and "np.maximum(a, 0)" in act
    der = inspect.getsource(activation_derivative)
    assert "h * (1 - h)" in der and "1 - h * h" in der


def test_activate_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="^activation: expected one of"):
        activate(np.zeros(2), "gelu")
    with pytest.raises(ValueError, match="^activation: expected one of"):
        activation_derivative(np.zeros(2), "gelu")


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


@FAST
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), seed=seeds,
       scale=st.sampled_from([1.0, 30.0, 1e4]))
def test_softmax_rows_sum_to_one(shape, seed, scale):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    p = softmax(x)
    assert np.all(p >= 0) and np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)


@FAST
@given(x=st.floats(-1e4, 1e4))
def test_sigmoid_in_unit_interval_and_symmetric(x):
    s = sigmoid(np.array([x, -x]))
    assert 0.0 <= s[0] <= 1.0
    assert s[0] + s[1] == pytest.approx(1.0, abs=1e-15)
