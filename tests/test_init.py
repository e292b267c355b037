"""Initialisers: orthogonality, spectra, reproducibility, validation."""

import numpy as np
import pytest

from rnn_core.init import gaussian, identity, orthogonal


@pytest.mark.parametrize("n", [1, 2, 7, 32])
@pytest.mark.parametrize("gain", [1.0, 0.9, 2.5])
def test_orthogonal_is_orthogonal(n, gain):
    W = orthogonal(n, np.random.default_rng(n), gain)
    assert W.shape == (n, n)
    assert np.allclose(W.T @ W, gain**2 * np.eye(n), atol=1e-12)
    assert np.allclose(W @ W.T, gain**2 * np.eye(n), atol=1e-12)
    assert np.allclose(np.linalg.svd(W, compute_uv=False), gain, atol=1e-12)


def test_orthogonal_is_reproducible_and_varies_with_seed():
    a = orthogonal(6, np.random.default_rng(3))
    b = orthogonal(6, np.random.default_rng(3))
    c = orthogonal(6, np.random.default_rng(4))
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_orthogonal_is_not_biased_towards_positive_diagonal():
    # Without the sign correction, QR returns Q with a biased diagonal; Haar Q has mean 0 entries.
    rng = np.random.default_rng(0)
    diag = np.array([orthogonal(3, rng)[0, 0] for _ in range(4000)])
    assert abs(diag.mean()) < 0.05  # the standard error is about 0.009


def test_gaussian_statistics_and_reproducibility():
    W = gaussian((200, 300), np.random.default_rng(1), 0.1)
    assert W.shape == (200, 300)
    assert abs(W.std() - 0.1) < 0.002 and abs(W.mean()) < 0.002
    assert np.array_equal(W, gaussian((200, 300), np.random.default_rng(1), 0.1))


def test_identity():
    assert np.array_equal(identity(3), np.eye(3))
    assert np.array_equal(identity(2, 0.5), 0.5 * np.eye(2))


def test_validation():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="rng: expected a numpy.random.Generator"):
        orthogonal(3, 0)
    with pytest.raises(ValueError, match="rng"):
        gaussian((2, 2), np.random.RandomState(0), 1.0)
    with pytest.raises(ValueError, match="n: expected an int >= 1"):
        orthogonal(0, rng)
    with pytest.raises(ValueError, match="n: expected an int >= 1"):
        identity(2.5)
    with pytest.raises(ValueError, match="std"):
        gaussian((2, 2), rng, -1.0)
    with pytest.raises(ValueError, match="gain"):
        orthogonal(2, rng, np.nan)
    with pytest.raises(ValueError, match=r"shape\[1\]"):
        gaussian((2, 0), rng, 1.0)


@pytest.mark.parametrize("shape, name", [([3, 3], "shape"), ("33", "shape"), ((3, 0), r"shape\[1\]"),
                                         ((3, 2.0), r"shape\[1\]"), ((True, 2), r"shape\[0\]"),
                                         (-1, r"shape\[0\]")])
def test_gaussian_shape_must_be_a_tuple_of_positive_ints(shape, name):
    with pytest.raises(ValueError, match=name):
        gaussian(shape, np.random.default_rng(0), 1.0)


@pytest.mark.parametrize("std", [0, 0.0, -1.0, "1", True, np.nan, np.inf, None])
def test_gaussian_std_must_be_a_positive_real(std):
    with pytest.raises(ValueError, match="std"):
        gaussian((2, 2), np.random.default_rng(0), std)


def test_gaussian_accepts_an_int_and_numpy_scalars():
    a = gaussian(3, np.random.default_rng(0), np.float32(0.5))
    b = gaussian((np.int64(3),), np.random.default_rng(0), 0.5)
    assert a.shape == (3,) and np.array_equal(a, b)
