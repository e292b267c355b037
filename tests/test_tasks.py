"""The long-range tasks, their baselines, and the instruments of rnn_core.longrange."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_core.gradcheck import numerical_gradient, rel_error
from rnn_core.gradient_flow import hidden_gradients
from rnn_core.longrange import (
    CELLS,
    encode,
    encode_backward,
    evaluate_mse,
    init_params,
    loss_and_grads,
    marker_gain,
    state_gradient_at,
    train_adding,
)
from rnn_core.losses import softmax_cross_entropy
from rnn_core.tasks import (
    ADDING_BASELINE_MSE,
    adding_problem,
    copy_memory,
    copy_memory_baseline,
)


def gated_available(cell):
    if cell in ("lstm", "gru"):
        pytest.importorskip(f"rnn_core.{cell}")


# ---------------------------------------------------------------- adding problem
@pytest.mark.parametrize("T", [2, 3, 7, 50])
def test_adding_problem_structure(T):
    N = 200
    x, y = adding_problem(N, T, np.random.default_rng(T))
    assert x.shape == (N, T, 2) and y.shape == (N, 1)
    values, markers = x[:, :, 0], x[:, :, 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = T // 2
    for n in range(N):
        where = np.flatnonzero(markers[n])
        assert len(where) == 2, "exactly two markers"
        assert where[0] < half <= where[1], "one in each half"
        assert y[n, 0] == values[n, where[0]] + values[n, where[1]]


def test_adding_problem_markers_cover_each_half():
    T = 10
    x, _ = adding_problem(2000, T, np.random.default_rng(0))
    steps = set(np.flatnonzero(x[:, :, 1].sum(axis=0)))
    assert steps == set(range(T)), "every step can carry a marker"


def test_adding_problem_seeded_and_float32():
    a = adding_problem(5, 8, np.random.default_rng(3))
    b = adding_problem(5, 8, np.random.default_rng(3))
    c = adding_problem(5, 8, np.random.default_rng(4))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    x, y = adding_problem(5, 8, np.random.default_rng(3), dtype=np.float32)
    assert x.dtype == y.dtype == np.float32


def test_baseline_is_one_sixth():
    # Always predicting 1 (the mean of a + b): E[(1 - a - b)^2] = Var(a + b) = 2 * Var(U(0, 1))
    # = 2 * (E[a^2] - E[a]^2) = 2 * (1/3 - 1/4) = 1/6.
    assert ADDING_BASELINE_MSE == pytest.approx(1 / 6, abs=1e-15)
    _, y = adding_problem(200_000, 20, np.random.default_rng(11))
    err = (1.0 - y[:, 0]) ** 2
    stderr = err.std() / math.sqrt(err.size)
    assert abs(err.mean() - 1 / 6) < 4 * stderr
    # and 1 is the best constant: a shift by 0.05 either way is worse, beyond the noise
    for c in (0.95, 1.05):
        assert np.mean((c - y[:, 0]) ** 2) > err.mean() + 0.002


@pytest.mark.parametrize("kwargs, needle", [
    (dict(N=5, T=1), "^T:"), (dict(N=0, T=5), "^N:"), (dict(N=5, T=2.5), "^T:"),
    (dict(N=True, T=5), "^N:"),
])
def test_adding_problem_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        adding_problem(rng=np.random.default_rng(0), **kwargs)


def test_adding_problem_needs_a_generator_and_a_float_dtype():
    with pytest.raises(ValueError, match="^rng:"):
        adding_problem(3, 4, 0)
    with pytest.raises(ValueError, match="^dtype:"):
        adding_problem(3, 4, np.random.default_rng(0), dtype=np.int64)


# ---------------------------------------------------------------- copy memory
def test_copy_memory_structure():
    T, N = 15, 30
    ids, targets = copy_memory(N, T, np.random.default_rng(1))
    assert ids.shape == targets.shape == (N, T + 20)
    assert np.all((ids[:, :10] >= 1) & (ids[:, :10] <= 8))
    assert np.all(ids[:, 10:T + 9] == 0) and np.all(ids[:, T + 9] == 9) and np.all(ids[:, T + 10:] == 0)
    assert np.all(targets[:, :T + 10] == 0)
    np.testing.assert_array_equal(targets[:, T + 10:], ids[:, :10])
    with pytest.raises(ValueError, match="^T:"):
        copy_memory(3, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="^N:"):
        copy_memory(0, 5, np.random.default_rng(0))


@pytest.mark.parametrize("T", [2, 100])
def test_copy_memory_baseline_is_the_memoryless_loss(T):
    # The memoryless strategy as logits: blank for sure until the copy, then uniform over 1..8.
    N = 7
    _, targets = copy_memory(N, T, np.random.default_rng(T))
    theta = np.full((N, T + 20, 10), -60.0)
    theta[:, :T + 10, 0] = 0.0
    theta[:, T + 10:, 1:9] = 0.0
    loss, _ = softmax_cross_entropy(theta, targets)
    assert loss == pytest.approx(copy_memory_baseline(T), rel=1e-12)
    assert copy_memory_baseline(T) == pytest.approx(10 * math.log(8) / (T + 20))


# ---------------------------------------------------------------- the instruments
def test_state_gradient_agrees_with_chapter_6(rng):
    """For the vanilla cells, the rest-of-the-sequence gradient is chapter 6's total gradient."""
    x, _ = adding_problem(6, 12, rng)
    for cell in ("rnn", "irnn"):
        params = init_params(cell, 2, 5, 1, np.random.default_rng(1))
        h, cache = encode(cell, params, x)
        dh = np.zeros_like(h)
        dh[:, -1] = rng.standard_normal((6, 5))
        total = hidden_gradients(dh, cache)
        steps = np.array([0, 3, 5, 7, 10, 11])
        g = state_gradient_at(cell, params, x, steps, dh[:, -1])
        assert rel_error(g, total[np.arange(6), steps]) < 1e-12, cell


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_state_gradient_of_gated_cells(cell, rng):
    """The rest of the sequence, run from (h_t, c_t), ends where the whole run ends, and its
    dh0 is the derivative of that end point (central differences)."""
    gated_available(cell)
    x, _ = adding_problem(3, 9, rng)
    params = init_params(cell, 2, 4, 1, np.random.default_rng(2))
    h, cache = encode(cell, params, x)
    t = 4
    c_t = cache.c[:, t] if cell == "lstm" else None
    h_rest, _ = encode(cell, params, x[:, t + 1:], h0=h[:, t], c0=c_t)
    np.testing.assert_allclose(h_rest[:, -1], h[:, -1], rtol=1e-13, atol=1e-15)
    w = rng.standard_normal((3, 4))
    g = state_gradient_at(cell, params, x, np.full(3, t), w)

    def end(h_t):
        return encode(cell, params, x[:, t + 1:], h0=h_t, c0=c_t)[0][:, -1]

    assert rel_error(g, numerical_gradient(end, h[:, t], df=w)) < 1e-7


def test_marker_gain_closed_form():
    """IRNN with Wh = rho I and every unit active is linear: the gain is rho^(T-1-p) exactly."""
    T, N, Dh, rho = 20, 8, 3, 0.9
    x, _ = adding_problem(N, T, np.random.default_rng(5))
    params = dict(Wh=rho * np.eye(Dh), We=np.full((Dh, 2), 0.5), b1=np.full(Dh, 0.1),
                  U=np.array([[1.0], [-2.0], [0.5]]), b2=np.zeros(1))
    h, _ = encode("irnn", params, x)
    assert np.all(h > 0), "every unit active"
    first = np.argmax(x[:, :, 1], axis=1)
    np.testing.assert_allclose(marker_gain("irnn", params, x), rho ** (T - 1 - first), rtol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_loss_and_grads_match_central_differences(cell, rng):
    gated_available(cell)
    x, y = adding_problem(3, 6, rng)
    params = init_params(cell, 2, 4, 1, np.random.default_rng(3))
    loss, grads = loss_and_grads(cell, params, x, y)
    assert set(grads) == set(params)
    for name in params:
        def f(v, name=name):
            return loss_and_grads(cell, {**params, name: v}, x, y)[0]
        assert rel_error(grads[name], numerical_gradient(f, params[name])) < 1e-7, name


def test_encode_backward_returns_dx(rng):
    x, _ = adding_problem(2, 5, rng)
    params = init_params("rnn", 2, 3, 1, np.random.default_rng(0))
    h, cache = encode("rnn", params, x)
    dx, dh0, grads = encode_backward("rnn", np.ones_like(h), cache)
    assert dx.shape == x.shape and dh0.shape == (2, 3)


def test_bad_cell_is_named():
    with pytest.raises(ValueError, match="^cell:"):
        init_params("transformer", 2, 3, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="^T:"):
        train_adding("rnn", 1, 10, 0)


def test_training_is_seeded_and_learns_a_short_problem():
    a = train_adding("irnn", 6, 150, seed=0, Dh=8, N=16, n_test=200)
    b = train_adding("irnn", 6, 150, seed=0, Dh=8, N=16, n_test=200)
    assert a["curve"] == b["curve"] and a["test_mse"] == b["test_mse"]
    assert a["test_mse"] < 0.5 * ADDING_BASELINE_MSE < a["test_mse_init"]
    assert evaluate_mse("irnn", a["final_params"], *adding_problem(200, 6, np.random.default_rng([6, 2]))) \
        == a["test_mse"]
