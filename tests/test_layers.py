"""layers.py: the affine output layer and the embedding."""

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
)

from .conftest import SHAPES, TOL, seed_for


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
