"""gradcheck.py: central differences and the relative error, on functions known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_core import affine_backward, affine_forward, numerical_gradient, rel_error

from .conftest import TOL


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


def test_numerical_gradient_never_changes_the_callers_array(rng):
    x = rng.standard_normal((3, 2))
    x_before = x.copy()
    seen = []

    def f(v):
        seen.append(np.shares_memory(v, x))
        np.testing.assert_array_equal(x, x_before)  # not even for a moment
        return np.sum(v**2)

    numerical_gradient(f, x)
    np.testing.assert_array_equal(x, x_before)
    assert not any(seen)
