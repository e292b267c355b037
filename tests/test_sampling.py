"""Sampling: input validation of sample_ids and apply_temperature (prefix, h0, temperature)."""

import numpy as np
import pytest

from rnn_core.model import CharRNN
from rnn_core.sampling import apply_temperature, sample_ids


def tiny(dtype=np.float32):
    return CharRNN.init(7, 5, 3, np.random.default_rng(0), dtype=dtype)


@pytest.mark.parametrize("prefix, shown", [([-1], "-1 to -1"), ([0, 7], "0 to 7"),
                                           (np.array([3, 100]), "3 to 100")])
def test_prefix_ids_must_be_in_range(prefix, shown):
    with pytest.raises(ValueError, match=rf"prefix: expected ids in \[0, 7\), got values from {shown}"):
        sample_ids(tiny(), np.random.default_rng(0), 5, prefix=prefix)


def test_prefix_must_be_integer_ids():
    with pytest.raises(ValueError, match="prefix: expected a 1-D sequence of integer ids"):
        sample_ids(tiny(), np.random.default_rng(0), 5, prefix=[1.5, 2.0])


def test_prefix_at_the_edges_is_accepted():
    m = tiny()
    a = sample_ids(m, np.random.default_rng(0), 5, prefix=[0, 6])
    b = sample_ids(m, np.random.default_rng(0), 5, prefix=np.array([0, 6], dtype=np.int32))
    assert np.array_equal(a, b) and a.shape == (5,)


@pytest.mark.parametrize("shape", [(2, 5), (5,), (1, 4)])
def test_h0_shape_is_checked_by_name(shape):
    with pytest.raises(ValueError, match=r"h0: expected shape \(1, Dh\) = \(1, 5\)"):
        sample_ids(tiny(), np.random.default_rng(0), 5, h0=np.zeros(shape, dtype=np.float32))


@pytest.mark.parametrize("dtype, message", [
    (np.int64, "h0: expected dtype float32 or float64, got int64"),
    (np.float64, r"h0: dtype float64 does not match the model's parameters \(float32\)"),
])
def test_h0_dtype_must_be_the_models(dtype, message):
    with pytest.raises(ValueError, match=message):  # refused, never cast silently
        sample_ids(tiny(), np.random.default_rng(0), 5, h0=np.zeros((1, 5), dtype=dtype))


def test_h0_is_used_and_not_modified():
    # Wh = 3 I keeps the sign of h0 alive for many steps, U x 100 makes it decide the samples
    p = dict(tiny(np.float64).params)
    p["Wh"] = 3.0 * np.eye(5)
    p["U"] = p["U"] * 100
    m = CharRNN(p)
    h0 = np.full((1, 5), 0.9)
    keep = h0.copy()
    a = sample_ids(m, np.random.default_rng(0), 30, h0=h0)
    assert np.array_equal(h0, keep)
    b = sample_ids(m, np.random.default_rng(0), 30, h0=-h0)
    zero = sample_ids(m, np.random.default_rng(0), 30)
    assert not np.array_equal(a, b) and not np.array_equal(a, zero)
    assert np.array_equal(a, sample_ids(m, np.random.default_rng(0), 30, h0=h0.copy()))


@pytest.mark.parametrize("length", [True, -1, 2.0, "3", None])
def test_length_must_be_an_int(length):
    with pytest.raises(ValueError, match="length: expected an int >= 0"):
        sample_ids(tiny(), np.random.default_rng(0), length)


@pytest.mark.parametrize("model", [object(), None, {"E": 1}])
def test_model_must_be_a_char_rnn(model):
    with pytest.raises(ValueError, match="model: expected a CharRNN"):
        sample_ids(model, np.random.default_rng(0), 3)


def test_rng_must_be_a_generator():
    with pytest.raises(ValueError, match="rng: expected a numpy.random.Generator"):
        sample_ids(tiny(), 0, 3)


def test_sampling_matches_the_checked_layers():
    """The unchecked fast loop computes exactly what rnn_step_forward + affine_forward give."""
    from rnn_core.cells import rnn_step_forward
    from rnn_core.layers import affine_forward

    m = tiny(np.float64)
    p = m.params
    ids = sample_ids(m, np.random.default_rng(3), 20, temperature=0.7, prefix=[2, 4])
    rng, h, cur, ref = np.random.default_rng(3), m.zero_state(1), 4, []
    h, _ = rnn_step_forward(p["E"][[2]], h, p["Wh"], p["We"], p["b1"], "tanh")
    for _ in range(20):
        h, _ = rnn_step_forward(p["E"][[cur]], h, p["Wh"], p["We"], p["b1"], "tanh")
        theta, _ = affine_forward(h[:, None, :], p["U"], p["b2"])
        cur = int(rng.choice(7, p=apply_temperature(theta[0, 0], 0.7)))
        ref.append(cur)
    assert ids.tolist() == ref


@pytest.mark.parametrize("tau", [0, -1.0, np.inf, np.nan, "1", True, None])
def test_temperature_must_be_a_positive_real(tau):
    with pytest.raises(ValueError, match="temperature"):
        apply_temperature(np.zeros(3), tau)
    with pytest.raises(ValueError, match="temperature"):
        sample_ids(tiny(), np.random.default_rng(0), 3, temperature=tau)
