"""losses.py: softmax cross-entropy, its gradient and its mask."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnn_core import numerical_gradient, rel_error, softmax_cross_entropy

from .conftest import FAST, SHAPES, TOL, dims, seed_for, seeds


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


@FAST
@given(N=dims, T=dims, V=st.integers(2, 9), seed=seeds)
def test_cross_entropy_gradient_matches_finite_differences(N, T, V, seed):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((N, T, V))
    y = rng.integers(0, V, (N, T))
    _, dtheta = softmax_cross_entropy(theta, y)
    num = numerical_gradient(lambda v: softmax_cross_entropy(v, y)[0], theta)
    assert rel_error(dtheta, num) < 1e-7


@FAST
@given(N=dims, T=dims, V=st.integers(2, 50), c=st.floats(-1e3, 1e3), seed=seeds)
def test_uniform_logits_give_log_v(N, T, V, c, seed):
    y = np.random.default_rng(seed).integers(0, V, (N, T))
    loss, dtheta = softmax_cross_entropy(np.full((N, T, V), c), y)
    assert loss == pytest.approx(math.log(V), rel=1e-12)
    np.testing.assert_allclose(dtheta.sum(axis=-1), 0.0, atol=1e-15)


@FAST
@given(N=dims, T=dims, V=st.integers(2, 9), seed=seeds)
def test_mask_removes_tokens_exactly(N, T, V, seed):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((N, T, V))
    y = rng.integers(0, V, (N, T))
    mask = rng.random((N, T)) < 0.5
    mask.flat[rng.integers(N * T)] = True
    loss, dtheta = softmax_cross_entropy(theta, y, mask)
    # The same loss as the kept tokens alone, laid out as one sequence.
    kept_loss, kept_grad = softmax_cross_entropy(theta[mask][None], y[mask][None])
    assert loss == pytest.approx(kept_loss, rel=1e-12)
    np.testing.assert_allclose(dtheta[mask], kept_grad[0], rtol=1e-12)
    assert np.all(dtheta[~mask] == 0)
    # Anything at a masked-out position is ignored.
    theta2, y2 = theta.copy(), y.copy()
    theta2[~mask] = rng.standard_normal((int((~mask).sum()), V)) * 10
    y2[~mask] = (y2[~mask] + 1) % V
    assert softmax_cross_entropy(theta2, y2, mask)[0] == pytest.approx(loss, rel=1e-12)
