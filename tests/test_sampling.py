"""Sampling: input validation of sample_ids and apply_temperature (prefix, h0, temperature)."""

import numpy as np
import pytest

from rnn_core.model import CharRNN
from rnn_core.sampling import apply_temperature, sample_ids


def tiny(dtype=np.float32):
    return CharRNN.init(7, 5, 3, np.random.default_rng(0), dtype=dtype)


@pytest.mark.parametrize("prefix, shown", [([-1], "-1..-1"), ([0, 7], "0..7"),
                                           (np.array([3, 100]), "3..100")])
def test_prefix_ids_must_be_in_range(prefix, shown):
    with pytest.raises(ValueError, match=rf"prefix: expected ids in \[0, V\) = \[0, 7\), got {shown}"):
        sample_ids(tiny(), np.random.default_rng(0), 5, prefix=prefix)


def test_prefix_must_be_integer_ids():
    with pytest.raises(ValueError, match="prefix: expected a 1-D sequence of integer ids"):
        sample_ids(tiny(), np.random.default_rng(0), 5, prefix=[1.5, 2.0])


def test_prefix_at_the_edges_is_accepted():
    m = tiny()
    a = sample_ids(m, np.random.default_rng(0), 5, prefix=[0, 6])
    b = sample_ids(m, np.random.default_rng(0), 5, prefix=np.array([0, 6], dtype=np.int32))
    assert np.array_equal(a, b) and a.shape == (5,)


@pytest.mark.parametrize("h0", [np.zeros((2, 5)), np.zeros(5), np.zeros((1, 4)),
                                np.zeros((1, 5), dtype=np.int64)])
def test_h0_shape_is_checked_by_name(h0):
    with pytest.raises(ValueError, match=r"h0: expected a float array of shape \(1, Dh\) = \(1, 5\)"):
        sample_ids(tiny(), np.random.default_rng(0), 5, h0=h0)


def test_h0_is_used_and_not_modified():
    m = tiny()
    h0 = np.full((1, 5), 0.5, dtype=np.float32)
    keep = h0.copy()
    a = sample_ids(m, np.random.default_rng(0), 30, h0=h0)
    assert np.array_equal(h0, keep)
    assert np.array_equal(a, sample_ids(m, np.random.default_rng(0), 30, h0=h0.astype(np.float64)))


@pytest.mark.parametrize("tau", [0, -1.0, np.inf, np.nan, "1", True, None])
def test_temperature_must_be_a_positive_real(tau):
    with pytest.raises(ValueError, match="temperature"):
        apply_temperature(np.zeros(3), tau)
    with pytest.raises(ValueError, match="temperature"):
        sample_ids(tiny(), np.random.default_rng(0), 3, temperature=tau)
