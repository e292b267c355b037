"""Gradient clipping: direction, caps, no mutation, dtypes, errors."""

import numpy as np
import pytest

from rnn_core.clipping import clip_gradients, global_norm


def _grads(dtype=np.float64, scale=10.0, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "Wh": (rng.standard_normal((4, 4)) * scale).astype(dtype),
        "We": (rng.standard_normal((4, 3)) * scale).astype(dtype),
        "b1": (rng.standard_normal(4) * scale).astype(dtype),
    }


def _flat(grads):
    return np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads.values()])


def _cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_global_norm_is_the_norm_of_all_entries():
    g = {"a": np.array([3.0]), "b": np.array([[4.0, 0.0]])}
    assert global_norm(g) == 5.0


def test_norm_mode_keeps_direction_and_caps_norm():
    g = _grads()
    clipped, norm = clip_gradients(g, 1.0, "norm")
    v, w = _flat(g), _flat(clipped)
    assert abs(norm - np.linalg.norm(v)) < 1e-12 * norm
    assert norm > 1.0
    assert abs(np.linalg.norm(w) - 1.0) < 1e-12
    assert abs(_cos(v, w) - 1.0) < 1e-12


def test_norm_mode_leaves_small_gradients_alone():
    g = _grads(scale=0.01)
    clipped, norm = clip_gradients(g, 1.0, "norm")
    assert norm < 1.0
    for k in g:
        assert np.array_equal(clipped[k], g[k])
        assert clipped[k] is not g[k]


def test_value_mode_bounds_entries_and_changes_direction():
    g = _grads()
    clipped, _ = clip_gradients(g, 1.0, "value")
    for k in g:
        assert np.max(np.abs(clipped[k])) <= 1.0
        inside = np.abs(g[k]) <= 1.0
        assert np.array_equal(clipped[k][inside], g[k][inside])
        assert np.array_equal(clipped[k][~inside], np.sign(g[k][~inside]))
    assert _cos(_flat(g), _flat(clipped)) < 0.999


@pytest.mark.parametrize("mode", ["norm", "value"])
def test_no_mutation_and_float32_kept(mode):
    g = _grads(np.float32)
    before = {k: v.copy() for k, v in g.items()}
    clipped, norm = clip_gradients(g, 0.5, mode)
    assert isinstance(norm, float)
    assert set(clipped) == set(g)
    for k in g:
        assert np.array_equal(g[k], before[k])
        assert clipped[k].dtype == np.float32
        assert clipped[k].shape == g[k].shape


@pytest.mark.parametrize("bad", [0, -1.0, np.inf, np.nan, None, "1"])
def test_bad_max_norm(bad):
    with pytest.raises(ValueError, match="max_norm"):
        clip_gradients(_grads(), bad)


def test_bad_mode_and_non_finite_gradients():
    with pytest.raises(ValueError, match="mode"):
        clip_gradients(_grads(), 1.0, "l1")
    g = _grads()
    g["b1"] = g["b1"].copy()
    g["b1"][0] = np.nan
    with pytest.raises(ValueError, match=r"grads\['b1'\]"):
        clip_gradients(g, 1.0)


@pytest.mark.parametrize("mode", ["norm", "value"])
def test_zero_gradients_come_back_unchanged_as_copies(mode):
    grads = {"W": np.zeros((2, 3), dtype=np.float32), "b": np.zeros(3)}
    clipped, norm = clip_gradients(grads, 1.0, mode)
    assert norm == 0.0
    for k in grads:
        assert clipped[k].dtype == grads[k].dtype and np.array_equal(clipped[k], grads[k])
        assert not np.shares_memory(clipped[k], grads[k])


@pytest.mark.parametrize("bad", [np.zeros(3, dtype=np.float16), np.zeros(3, dtype=np.int32)])
def test_only_float32_and_float64(bad):
    with pytest.raises(ValueError, match=r"grads\['g'\]: expected dtype float32 or float64"):
        clip_gradients({"g": bad}, 1.0)
