"""CharRNN: gradients against central differences, carried state, evaluation, sampling."""

import copy

import numpy as np
import pytest

from rnn_core import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
    rnn_backward,
    rnn_forward,
    softmax_cross_entropy,
)
from rnn_core.gradcheck import numerical_gradient, rel_error
from rnn_core.model import PARAM_NAMES, CharRNN
from rnn_core.sampling import apply_temperature, sample_ids

from .conftest import ACTIVATIONS, TOL, make_rnn_params


def tiny(dtype=np.float64, seed=0, V=7, Dh=5, d=3):
    return CharRNN.init(V, Dh, d, np.random.default_rng(seed), dtype=dtype)


def test_init_shapes_dtype_and_determinism():
    m = tiny(np.float32)
    shapes = {"E": (7, 3), "We": (5, 3), "Wh": (5, 5), "b1": (5,), "U": (5, 7), "b2": (7,)}
    assert {k: v.shape for k, v in m.params.items()} == shapes
    assert all(v.dtype == np.float32 for v in m.params.values())
    m2 = tiny(np.float32)
    assert all(np.array_equal(m.params[k], m2.params[k]) for k in PARAM_NAMES)
    m3 = tiny(np.float32, seed=1)
    assert not np.array_equal(m.params["Wh"], m3.params["Wh"])


def test_initial_loss_is_near_uniform():
    m = tiny(V=20, Dh=16, d=8)
    rng = np.random.default_rng(1)
    ids, y = rng.integers(0, 20, (4, 10)), rng.integers(0, 20, (4, 10))
    loss, _ = m.loss(ids, y, m.zero_state(4))
    assert abs(loss - np.log(20)) < 0.05


@pytest.mark.parametrize("name", PARAM_NAMES)
def test_gradients_match_central_differences(name):
    m = tiny()
    rng = np.random.default_rng(2)
    ids, y = rng.integers(0, 7, (2, 4)), rng.integers(0, 7, (2, 4))
    h0 = rng.standard_normal((2, 5)) * 0.5
    _, grads, _ = m.loss_and_grads(ids, y, h0)

    def f(value):
        params = dict(m.params, **{name: value})
        return CharRNN(params).loss(ids, y, h0)[0]

    num = numerical_gradient(f, m.params[name])
    assert rel_error(grads[name], num) < 1e-6


def test_h_last_carries_the_state():
    """Two windows with the carried state give the losses of one long window."""
    m = tiny()
    rng = np.random.default_rng(3)
    ids, y = rng.integers(0, 7, (3, 8)), rng.integers(0, 7, (3, 8))
    h0 = m.zero_state(3)
    loss_all, h_all = m.loss(ids, y, h0)
    loss_a, h_a = m.loss(ids[:, :4], y[:, :4], h0)
    loss_b, h_b = m.loss(ids[:, 4:], y[:, 4:], h_a)
    assert np.isclose(loss_all, (loss_a + loss_b) / 2)
    assert np.allclose(h_all, h_b)


def test_loss_and_grads_leaves_inputs_alone():
    m = tiny(np.float32)
    before = copy.deepcopy(m.params)
    rng = np.random.default_rng(4)
    ids, y = rng.integers(0, 7, (2, 5)), rng.integers(0, 7, (2, 5))
    h0 = np.ones((2, 5), dtype=np.float32) * 0.1
    h0_copy = h0.copy()
    loss, grads, h = m.loss_and_grads(ids, y, h0)
    assert all(np.array_equal(before[k], m.params[k]) for k in PARAM_NAMES)
    assert np.array_equal(h0, h0_copy)
    assert all(g.dtype == np.float32 for g in grads.values()) and h.dtype == np.float32


def test_evaluate_counts_every_character_once():
    m = tiny()
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 7, 41)  # 4 streams of 10: 9 predictions each
    x = ids[:40].reshape(4, 10)
    # The expected mean NLL, computed step by step without CharRNN.loss: tanh cell,
    # output layer, log-softmax, one stream and one character at a time.
    p = m.params
    nll = []
    for n in range(4):
        h = np.zeros(m.Dh)
        for t in range(9):
            h = np.tanh(p["Wh"] @ h + p["We"] @ p["E"][x[n, t]] + p["b1"])
            theta = h @ p["U"] + p["b2"]
            log_p = theta - theta.max() - np.log(np.sum(np.exp(theta - theta.max())))
            nll.append(-log_p[x[n, t + 1]])
    assert len(nll) == 36  # every character after the first of each stream, once; id 41 dropped
    assert np.isclose(m.evaluate(ids, n_streams=4, chunk=3), np.mean(nll), rtol=1e-10)
    assert np.isclose(m.evaluate(ids, n_streams=4, chunk=100), np.mean(nll), rtol=1e-10)


@pytest.mark.parametrize("kwargs, name", [({"n_streams": 0}, "n_streams"), ({"chunk": 0}, "chunk"),
                                          ({"n_streams": 2.0}, "n_streams"),
                                          ({"chunk": True}, "chunk")])
def test_evaluate_rejects_bad_counts(kwargs, name):
    ids = np.arange(20) % 7
    with pytest.raises(ValueError, match=name):
        tiny().evaluate(ids, **kwargs)


@pytest.mark.parametrize("N", [-1, 0, 1.5, True])
def test_zero_state_rejects_bad_N(N):
    with pytest.raises(ValueError, match="N: expected an int >= 1"):
        tiny().zero_state(N)


def test_params_are_validated():
    p = tiny().params
    with pytest.raises(ValueError, match="Wh"):
        CharRNN(dict(p, Wh=np.zeros((5, 4))))
    with pytest.raises(ValueError, match="missing"):
        CharRNN({k: v for k, v in p.items() if k != "U"})


def test_temperature_is_power_of_probabilities():
    theta = np.array([1.0, 2.0, 0.5])
    p = np.exp(theta) / np.exp(theta).sum()
    for tau in (0.5, 0.8, 2.0):
        q = p ** (1 / tau)
        assert np.allclose(apply_temperature(theta, tau), q / q.sum())
    with pytest.raises(ValueError, match="temperature"):
        apply_temperature(theta, 0.0)


def test_sampling_is_reproducible_and_seeded():
    m = tiny()
    a = sample_ids(m, np.random.default_rng(0), 50, 1.0)
    b = sample_ids(m, np.random.default_rng(0), 50, 1.0)
    c = sample_ids(m, np.random.default_rng(1), 50, 1.0)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.min() >= 0 and a.max() < 7


def test_low_temperature_picks_the_most_likely():
    m = tiny()
    p = dict(m.params)
    p["b2"] = np.zeros(7)
    p["b2"][3] = 5.0  # character 3 is far the most likely after any input
    p["U"] = np.zeros_like(p["U"])
    ids = sample_ids(CharRNN(p), np.random.default_rng(0), 100, temperature=0.05)
    assert np.all(ids == 3)
    hot = sample_ids(CharRNN(p), np.random.default_rng(0), 2000, temperature=1.0)
    # at tau = 1 the frequency of character 3 is close to its probability
    prob = np.exp(5) / (np.exp(5) + 6)
    assert abs(np.mean(hot == 3) - prob) < 0.03


@pytest.mark.parametrize("dtype", [np.int32, np.float16, "int64", bool, "nonsense"])
def test_init_dtype_must_be_float32_or_float64(dtype):
    from rnn_core.model import init_char_rnn

    with pytest.raises(ValueError, match="dtype: expected float32 or float64"):
        init_char_rnn(5, 4, 3, np.random.default_rng(0), dtype=dtype)
    assert init_char_rnn(5, 4, 3, np.random.default_rng(0), np.float64)["Wh"].dtype == np.float64


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_full_model_gradient(activation):
    """Embedding -> RNN -> affine -> softmax cross-entropy, every parameter at once."""
    rng = np.random.default_rng(11)
    N, T, d, Dh, V = 2, 4, 3, 5, 6
    ids = rng.integers(0, V, (N, T))
    y = rng.integers(0, V, (N, T))
    params = {
        "E": rng.standard_normal((V, d)),
        "h0": rng.standard_normal((N, Dh)) * 0.3,
        "U": rng.standard_normal((Dh, V)),
        "b2": rng.standard_normal(V) * 0.1,
    }
    params["Wh"], params["We"], params["b1"] = make_rnn_params(rng, d, Dh, scale=1.0)

    def loss_of(p):
        x, _ = embedding_forward(ids, p["E"])
        h, _ = rnn_forward(x, p["h0"], p["Wh"], p["We"], p["b1"], activation)
        theta, _ = affine_forward(h, p["U"], p["b2"])
        return softmax_cross_entropy(theta, y)[0]

    x, c_emb = embedding_forward(ids, params["E"])
    h, c_rnn = rnn_forward(x, params["h0"], params["Wh"], params["We"], params["b1"], activation)
    theta, c_aff = affine_forward(h, params["U"], params["b2"])
    _, dtheta = softmax_cross_entropy(theta, y)
    dh, dU, db2 = affine_backward(dtheta, c_aff)
    dx, dh0, dWh, dWe, db1 = rnn_backward(dh, c_rnn)
    dE = embedding_backward(dx, c_emb)
    analytic = {"E": dE, "h0": dh0, "Wh": dWh, "We": dWe, "b1": db1, "U": dU, "b2": db2}
    for name, grad in analytic.items():
        num = numerical_gradient(lambda v: loss_of(params | {name: v}), params[name])
        assert rel_error(grad, num) < TOL, name


# --- the gated cells in the same model -------------------------------------------------

from rnn_core.model import CELLS, init_char_rnn, param_shapes  # noqa: E402


def tiny_cell(cell, dtype=np.float64, seed=0, V=7, Dh=5, d=3):
    return CharRNN.init(V, Dh, d, np.random.default_rng(seed), dtype=dtype, cell=cell)


def random_state(m, N, rng):
    """A non-zero carried state of the model's cell: (N, Dh), a pair for the LSTM."""
    h = rng.standard_normal((N, m.Dh)) * 0.5
    return (h, rng.standard_normal((N, m.Dh)) * 0.5) if m.cell == "lstm" else h


@pytest.mark.parametrize("cell, expected", [
    ("rnn", {"E": (7, 3), "We": (5, 3), "Wh": (5, 5), "b1": (5,), "U": (5, 7), "b2": (7,)}),
    ("lstm", {"E": (7, 3), "We": (20, 3), "Wh": (20, 5), "b1": (20,), "U": (5, 7), "b2": (7,)}),
    ("gru", {"E": (7, 3), "We": (15, 3), "Wh": (15, 5), "b_ih": (15,), "b_hh": (15,),
             "U": (5, 7), "b2": (7,)}),
])
def test_each_cell_has_its_parameters(cell, expected):
    m = tiny_cell(cell, np.float32)
    assert m.cell == cell and m.Dh == 5 and m.V == 7
    assert {k: v.shape for k, v in m.params.items()} == expected
    assert list(m.params) == list(param_shapes(cell))
    assert all(v.dtype == np.float32 for v in m.params.values())
    assert m.n_params == sum(int(np.prod(s)) for s in expected.values())


def test_rnn_cell_is_the_default_and_draws_as_before():
    a = init_char_rnn(7, 5, 3, np.random.default_rng(0))
    b = init_char_rnn(7, 5, 3, np.random.default_rng(0), cell="rnn")
    assert all(np.array_equal(a[k], b[k]) for k in PARAM_NAMES)
    assert CharRNN(a).cell == "rnn"


def test_gated_init_keeps_the_old_state():
    """The forget gate (LSTM) and the update gate (GRU) start with bias 1, the rest 0."""
    lstm, gru = tiny_cell("lstm").params, tiny_cell("gru").params
    assert np.array_equal(lstm["b1"], np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    assert np.array_equal(gru["b_ih"], np.r_[np.zeros(5), np.ones(5), np.zeros(5)])
    assert np.array_equal(gru["b_hh"], np.zeros(15))


@pytest.mark.parametrize("cell", CELLS)
def test_initial_loss_is_near_uniform_for_every_cell(cell):
    m = tiny_cell(cell, V=20, Dh=16, d=8)
    rng = np.random.default_rng(1)
    ids, y = rng.integers(0, 20, (4, 10)), rng.integers(0, 20, (4, 10))
    loss, _ = m.loss(ids, y, m.zero_state(4))
    assert abs(loss - np.log(20)) < 0.05


@pytest.mark.parametrize("cell", CELLS)
def test_every_cell_gradient_matches_central_differences(cell):
    """float64 central differences for every parameter, from a non-zero carried state."""
    m = tiny_cell(cell)
    rng = np.random.default_rng(2)
    ids, y = rng.integers(0, 7, (2, 4)), rng.integers(0, 7, (2, 4))
    h0 = random_state(m, 2, rng)
    _, grads, _ = m.loss_and_grads(ids, y, h0)
    assert list(grads) == list(m.params)
    for name in m.params:
        def f(value):
            return CharRNN(dict(m.params, **{name: value}), cell=cell).loss(ids, y, h0)[0]

        num = numerical_gradient(f, m.params[name])
        assert rel_error(grads[name], num) < 1e-7, name


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_gradient_check_catches_a_wrong_backward(cell, monkeypatch):
    """The check above can fail: a backward that drops the cell's input gradient is caught."""
    import rnn_core.model as model_module

    forward, backward, step = model_module.LAYERS[cell]

    def broken(dh, cache):
        dx, grads = backward(dh, cache)
        return dx * 0.5, grads

    monkeypatch.setitem(model_module.LAYERS, cell, (forward, broken, step))
    m = tiny_cell(cell)
    rng = np.random.default_rng(2)
    ids, y = rng.integers(0, 7, (2, 4)), rng.integers(0, 7, (2, 4))
    h0 = random_state(m, 2, rng)
    _, grads, _ = m.loss_and_grads(ids, y, h0)
    num = numerical_gradient(lambda E: CharRNN(dict(m.params, E=E), cell=cell).loss(ids, y, h0)[0],
                             m.params["E"])
    assert rel_error(grads["E"], num) > 1e-3


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_state_is_carried(cell):
    """Two windows with the carried state give the losses and the state of one long window."""
    m = tiny_cell(cell)
    rng = np.random.default_rng(3)
    ids, y = rng.integers(0, 7, (3, 8)), rng.integers(0, 7, (3, 8))
    loss_all, s_all = m.loss(ids, y, m.zero_state(3))
    loss_a, s_a = m.loss(ids[:, :4], y[:, :4], m.zero_state(3))
    loss_b, s_b = m.loss(ids[:, 4:], y[:, 4:], s_a)
    assert np.isclose(loss_all, (loss_a + loss_b) / 2)
    if cell == "lstm":
        assert isinstance(s_all, tuple) and len(s_all) == 2
        assert all(np.allclose(u, v) for u, v in zip(s_all, s_b))
    else:
        assert np.allclose(s_all, s_b)
    # and the state matters: from another start the second window scores differently
    assert not np.isclose(m.loss(ids[:, 4:], y[:, 4:], m.zero_state(3))[0], loss_b)


@pytest.mark.parametrize("cell", CELLS)
def test_step_is_one_column_of_forward(cell):
    """``step`` (used by sampling) gives the logits and state of ``forward`` on one column."""
    m = tiny_cell(cell)
    rng = np.random.default_rng(6)
    ids = rng.integers(0, 7, (3, 5))
    state = random_state(m, 3, rng)
    theta, s_last, _ = m.forward(ids, state)
    s = state
    for t in range(5):
        logits, s = m.step(ids[:, t], s)
        assert np.allclose(logits, theta[:, t], rtol=1e-12, atol=1e-12)
    pair = (lambda x: x) if cell == "lstm" else (lambda x: (x,))
    assert all(np.allclose(u, v, rtol=1e-12, atol=1e-12) for u, v in zip(pair(s), pair(s_last)))


@pytest.mark.parametrize("cell", CELLS)
def test_sampling_works_for_every_cell(cell):
    m = tiny_cell(cell, np.float32)
    a = sample_ids(m, np.random.default_rng(0), 40, 1.0, prefix=(1, 2, 3))
    b = sample_ids(m, np.random.default_rng(0), 40, 1.0, prefix=(1, 2, 3))
    assert np.array_equal(a, b) and a.min() >= 0 and a.max() < 7


def test_lstm_sampling_wants_a_pair_as_h0():
    m = tiny_cell("lstm")
    with pytest.raises(ValueError, match=r"h0: expected the LSTM's state, a pair \(h, c\)"):
        sample_ids(m, np.random.default_rng(0), 5, h0=np.zeros((1, 5)))
    with pytest.raises(ValueError, match=r"h0\[1\]"):
        sample_ids(m, np.random.default_rng(0), 5, h0=(np.zeros((1, 5)), np.zeros((1, 4))))
    got = sample_ids(m, np.random.default_rng(0), 5, h0=(np.zeros((1, 5)), np.zeros((1, 5))))
    assert np.array_equal(got, sample_ids(m, np.random.default_rng(0), 5))


@pytest.mark.parametrize("cell, other", [("rnn", "lstm"), ("lstm", "gru"), ("gru", "rnn"),
                                         ("lstm", "rnn")])
def test_parameters_must_fit_the_cell(cell, other):
    p = tiny_cell(other).params
    with pytest.raises(ValueError, match=r"params(\['\w+'\])?: "):
        CharRNN(p, cell=cell)


def test_unknown_cell_is_refused():
    with pytest.raises(ValueError, match="cell: expected one of 'rnn', 'lstm', 'gru', got 'LSTM'"):
        CharRNN(tiny().params, cell="LSTM")
    with pytest.raises(ValueError, match="cell"):
        init_char_rnn(5, 4, 3, np.random.default_rng(0), cell="transformer")
