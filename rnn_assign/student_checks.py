"""The checks a student runs: with :mod:`rnn_assign.checklib`, the ``check.py`` of every edition.

:func:`rnn_assign.edition.check_script` ships this module, joined with
``checklib``, as the edition's ``check.py``, so it must not give answers away.
It holds three kinds of check:

* **gradient**: a backward pass against central differences of the edition's
  own, working forward pass (``numerical_gradient`` from ``rnn_core.gradcheck``);
* **property**: shapes, dtypes, inputs left unchanged, sums to one, limits;
* **known answer**: outputs on inputs fixed here, compared with SHA-256 digests
  of the reference outputs (rounded to 6 decimals) that the edition builder
  computes (:func:`rnn_assign.edition.known_digests`); the inputs are visible, the answers are not.

The grader does not use these: it runs :mod:`rnn_assign.checks`, which the
editions do not contain, with randomised checks drawn at grading time.
"""

import math
import os
import sys
import warnings

import numpy as np

from .checklib import (
    ACTIVATIONS,
    KnownAnswer,
    Namespace,
    _grads,
    _PlainSGD,
    _shape,
    _unchanged,
    affine_gradients,
    digest,
    embedding_gradients,
    gated_float32,
    gated_inputs,
    gru_sequence_gradients,
    gru_step_gradients,
    head_float32,
    head_gradients,
    head_inputs,
    lstm_sequence_gradients,
    lstm_step_gradients,
    rnn_inputs,
    sequence_gradients,
    step_gradients,
    xent_gradients,
)

# chapter 1

def step_forward_known(rnn, numgrad):
    p = rnn_inputs(np.random.default_rng(101))
    out = KnownAnswer()
    for act in ACTIVATIONS:
        h, _ = rnn.rnn_step_forward(p["x"][:, 0], p["h0"], p["Wh"], p["We"], p["b1"], act)
        out[f"h_next ({act})"] = h
    return out


def step_forward_properties(rnn, numgrad):
    p = rnn_inputs(np.random.default_rng(102), N=3)
    args = [a.astype(np.float32) for a in (p["x"][:, 0], p["h0"], p["Wh"], p["We"], p["b1"])]
    keep = [a.copy() for a in args]
    h, _ = rnn.rnn_step_forward(*args, "tanh")
    _shape("h_next", h, (3, 4))
    if h.dtype != np.float32:
        raise AssertionError(f"float32 inputs gave {h.dtype}")
    for name, a, b in zip(("x_t", "h_prev", "Wh", "We", "b1"), args, keep):
        _unchanged(name, a, b)
    for act, lo, hi in (("sigmoid", 0, 1), ("tanh", -1, 1)):
        h, _ = rnn.rnn_step_forward(*keep, act)
        if not (np.all(h > lo) and np.all(h < hi)):
            raise AssertionError(f"h_next ({act}) outside ({lo}, {hi})")
    return "shape (N, Dh), float32 kept, inputs unchanged, range of sigmoid and tanh"


# chapter 2

def rnn_forward_known(rnn, numgrad):
    p = rnn_inputs(np.random.default_rng(201), T=5)
    out = KnownAnswer()
    for act in ACTIVATIONS:
        h, _ = rnn.rnn_forward(p["x"], p["h0"], p["Wh"], p["We"], p["b1"], act)
        out[f"h ({act})"] = h
    return out


def rnn_forward_properties(rnn, numgrad):
    p = rnn_inputs(np.random.default_rng(202), T=6)
    keep = {k: v.copy() for k, v in p.items()}
    h, _ = rnn.rnn_forward(p["x"], p["h0"], p["Wh"], p["We"], p["b1"], "tanh")
    _shape("h", h, (2, 6, 4))
    for k in p:
        _unchanged(k, p[k], keep[k])
    h3, _ = rnn.rnn_forward(p["x"][:, :3], p["h0"], p["Wh"], p["We"], p["b1"], "tanh")
    if not np.allclose(h3, h[:, :3], rtol=1e-12, atol=1e-12):
        raise AssertionError("a run on the first 3 steps does not give the first 3 states")
    state = p["h0"]
    for t in range(6):
        state, _ = rnn.rnn_step_forward(p["x"][:, t], state, p["Wh"], p["We"], p["b1"], "tanh")
        if not np.allclose(h[:, t], state, rtol=1e-10, atol=1e-12):
            raise AssertionError(f"h[:, {t}] differs from {t + 1} steps of rnn_step_forward")
    return "shape (N, T, Dh), inputs unchanged, prefixes, agrees with the cell step by step"


# chapter 3

def softmax_known(rnn, numgrad):
    x = np.random.default_rng(301).normal(size=(2, 3, 5)) * 3
    return KnownAnswer(softmax=rnn.softmax(x), **{"softmax (shifted by 1000)": rnn.softmax(x + 1000)})


def softmax_properties(rnn, numgrad):
    x = np.random.default_rng(302).normal(size=(4, 6)) * 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = rnn.softmax(x)
        big = rnn.softmax(np.array([[1000.0, 999.0, -1000.0]]))
    _shape("softmax", p, x.shape)
    if not (np.all(p >= 0) and np.allclose(p.sum(axis=-1), 1.0)):
        raise AssertionError("rows are not probabilities (non-negative, sum 1)")
    if not np.allclose(rnn.softmax(x + 7.5), p):
        raise AssertionError("adding a constant to every logit changed the probabilities")
    if not (np.all(np.isfinite(big)) and np.isclose(big.sum(), 1.0)):
        raise AssertionError("logits near 1000 overflow")
    return "probabilities, unchanged by a shift, no overflow at 1000"


def embedding_forward_known(rnn, numgrad):
    rng = np.random.default_rng(311)
    E, ids = rng.normal(size=(6, 3)), rng.integers(0, 6, size=(2, 4))
    x, _ = rnn.embedding_forward(ids, E)
    return KnownAnswer(x=x)


def embedding_forward_properties(rnn, numgrad):
    rng = np.random.default_rng(312)
    E, ids = rng.normal(size=(5, 3)), rng.integers(0, 5, size=(2, 4))
    keep = E.copy()
    x, _ = rnn.embedding_forward(ids, E)
    _shape("x", x, (2, 4, 3))
    x[...] = 0.0
    _unchanged("E (writing to x)", E, keep)
    return "shape (N, T, d), a copy of the rows"


def affine_forward_known(rnn, numgrad):
    rng = np.random.default_rng(321)
    theta, _ = rnn.affine_forward(rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5)),
                                  rng.normal(size=5))
    return KnownAnswer(theta=theta)


def affine_forward_properties(rnn, numgrad):
    rng = np.random.default_rng(322)
    h, U, b2 = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5)), rng.normal(size=5)
    theta, _ = rnn.affine_forward(h, U, b2)
    _shape("theta", theta, (2, 3, 5))
    one, _ = rnn.affine_forward(h[:, 1:2], U, b2)
    if not np.allclose(one[:, 0], theta[:, 1]):
        raise AssertionError("the scores of a step depend on the other steps")
    return "shape (N, T, V), each step on its own"


def xent_known(rnn, numgrad):
    rng = np.random.default_rng(331)
    theta, y = rng.normal(size=(2, 4, 5)) * 2, rng.integers(0, 5, size=(2, 4))
    mask = np.array([[True, True, False, True], [True, False, False, True]])
    loss, d = rnn.softmax_cross_entropy(theta, y)
    loss_m, d_m = rnn.softmax_cross_entropy(theta, y, mask=mask)
    return KnownAnswer(loss=loss, dtheta=d, **{"loss (masked)": loss_m, "dtheta (masked)": d_m})


def xent_properties(rnn, numgrad):
    V = 7
    loss, d = rnn.softmax_cross_entropy(np.zeros((2, 3, V)), np.zeros((2, 3), dtype=int))
    if not math.isclose(float(loss), math.log(V), rel_tol=1e-12):
        raise AssertionError(f"uniform logits over V={V} gave loss {float(loss):.6g}, "
                             f"expected ln V = {math.log(V):.6g}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big, _ = rnn.softmax_cross_entropy(np.array([[[1000.0, 0.0]]]), np.array([[0]]))
    if not (math.isfinite(float(big)) and float(big) < 1e-6):
        raise AssertionError("a confident right answer with logits of 1000 should cost ~0")
    return "ln V for uniform logits, stable at 1000"


# chapter 4

# chapter 5

def recurrence_known(rnn, numgrad):
    rng = np.random.default_rng(501)
    p = rnn_inputs(rng, T=4)
    _, cache = rnn.rnn_forward(p["x"], p["h0"], p["Wh"], p["We"], p["b1"], "tanh")
    da, dh0, total = rnn.backprop_recurrence(rng.normal(size=(2, 4, 4)), cache, keep_total=True)
    return KnownAnswer(da=da, dh0=dh0, total=total)


def recurrence_gradient(rnn, numgrad):
    rng = np.random.default_rng(502)
    for act in ACTIVATIONS:
        p = rnn_inputs(rng, T=4)
        dh = rng.normal(size=(2, 4, 4))
        keep = dh.copy()
        _, cache = rnn.rnn_forward(p["x"], p["h0"], p["Wh"], p["We"], p["b1"], act)
        da, dh0 = rnn.backprop_recurrence(dh, cache)
        _unchanged("dh", dh, keep)
        _shape("da", da, dh.shape)
        num = numgrad(lambda v: rnn.rnn_forward(p["x"], v, p["Wh"], p["We"], p["b1"], act)[0],
                      p["h0"].copy(), dh)
        msg = _grads([f"dh0 ({act})"], [dh0], [num])
    return msg + " (sigmoid, tanh, relu)"


# chapter 6

def truncated_known(rnn, numgrad):
    rng = np.random.default_rng(602)
    p = rnn_inputs(rng, T=5)
    dh = rng.normal(size=(2, 5, 4))
    out = KnownAnswer()
    for window in (1, 2, 3):
        got = rnn.truncated_rnn_backward(**p, dh=dh, window=window, activation="tanh")
        for name, g in zip(("dx", "dh0", "dWh", "dWe", "db1"), got):
            out[f"{name} (window {window})"] = g
    return out


def clip_known(rnn, numgrad):
    rng = np.random.default_rng(611)
    grads = {"a": rng.normal(size=(2, 3)), "b": rng.normal(size=4)}
    out = KnownAnswer()
    for c in (0.5, 100.0):
        clipped, norm = rnn.clip_gradients(grads, c)
        out.update({f"{k} (max_norm {c})": v for k, v in clipped.items()}, norm=norm)
    clipped, _ = rnn.clip_gradients(grads, 0.3, mode="value")
    out.update({f"{k} (value 0.3)": v for k, v in clipped.items()})
    return out


def clip_properties(rnn, numgrad):
    rng = np.random.default_rng(612)
    grads = {"a": rng.normal(size=(3, 2)), "b": rng.normal(size=5)}
    keep = {k: v.copy() for k, v in grads.items()}
    total = math.sqrt(sum(float(np.sum(v * v)) for v in grads.values()))
    clipped, norm = rnn.clip_gradients(grads, total / 4)
    for k in grads:
        _unchanged(f"grads[{k!r}]", grads[k], keep[k])
    if not math.isclose(float(norm), total, rel_tol=1e-12):
        raise AssertionError(f"norm {float(norm):.6g}, expected the global norm {total:.6g}")
    new = math.sqrt(sum(float(np.sum(v * v)) for v in clipped.values()))
    if not new <= total / 4 * (1 + 1e-12):
        raise AssertionError("after clipping by norm the global norm is above max_norm")
    flat = np.concatenate([clipped[k].ravel() for k in grads])
    orig = np.concatenate([grads[k].ravel() for k in grads])
    if not math.isclose(float(flat @ orig) / (np.linalg.norm(flat) * total), 1.0, rel_tol=1e-9):
        raise AssertionError("clipping by norm changed the direction")
    same, _ = rnn.clip_gradients(grads, total * 2)
    if not all(np.allclose(same[k], grads[k]) for k in grads):
        raise AssertionError("gradients under the threshold changed")
    value, _ = rnn.clip_gradients(grads, 0.2, mode="value")
    if not all(np.all(np.abs(v) <= 0.2) for v in value.values()):
        raise AssertionError("mode='value': an entry is outside [-max_norm, max_norm]")
    return "inputs unchanged, norm, bound, direction, under the threshold, by value"


# chapter 7

def _three_steps(opt, dtype=np.float64):
    rng = np.random.default_rng(701)
    p = {"w": rng.normal(size=(2, 3)).astype(dtype), "b": rng.normal(size=3).astype(dtype)}
    out = KnownAnswer()
    for t in range(1, 4):
        g = {k: rng.normal(size=v.shape).astype(dtype) for k, v in p.items()}
        keep_p, keep_g = {k: v.copy() for k, v in p.items()}, {k: v.copy() for k, v in g.items()}
        new = opt.step(p, g)
        for k in p:
            _unchanged(f"params[{k!r}]", p[k], keep_p[k])
            _unchanged(f"grads[{k!r}]", g[k], keep_g[k])
            if new[k].dtype != dtype:
                raise AssertionError(f"{np.dtype(dtype).name} parameters became {new[k].dtype}")
        p = new
        out.update({f"{k} after step {t}": v for k, v in p.items()})
    return out


def sgd_known(rnn, numgrad):
    return _three_steps(rnn.SGD(lr=0.1, momentum=0.9))


def adagrad_known(rnn, numgrad):
    return _three_steps(rnn.Adagrad(lr=0.1))


def adam_known(rnn, numgrad):
    return _three_steps(rnn.Adam(lr=0.1))


def _optimiser_properties(make):
    def check(rnn, numgrad):
        _three_steps(make(rnn), np.float32)
        return "float32 kept, params and grads unchanged"
    return check


def ngram_known(rnn, numgrad):
    rng = np.random.default_rng(711)
    train, test = rng.integers(0, 4, size=50), rng.integers(0, 4, size=12)
    out = KnownAnswer()
    for order, k in ((1, 1.0), (2, 0.5), (3, 1.0)):
        out[f"log2 P (order {order}, k {k})"] = rnn.NGram(order, 4, k=k).fit(train).log2_probs(test)
    return out


def ngram_properties(rnn, numgrad):
    rng = np.random.default_rng(712)
    V = 3
    for order in (1, 2, 3):
        model = rnn.NGram(order, V, k=0.5).fit(rng.integers(0, V, size=30))
        for ctx in rng.integers(0, V, size=(4, order - 1)):
            probs = [2.0 ** float(model.log2_probs(np.append(ctx, c).astype(int))[-1])
                     for c in range(V)]
            if not math.isclose(sum(probs), 1.0, rel_tol=1e-9):
                raise AssertionError(f"order {order}: P(c | {tuple(int(i) for i in ctx)}) sums "
                                     f"to {sum(probs):.6g} over c, not 1")
        n = len(model.log2_probs(np.zeros(10, dtype=int)))
        if n != 10 - order + 1:
            raise AssertionError(f"order {order}: {n} scores for 10 ids, expected {11 - order}")
    return "P(c | context) sums to 1 over c; L - n + 1 scores"


def sample_properties(rnn, numgrad):
    V = 5
    model = rnn.CharRNN.init(V, 4, 3, np.random.default_rng(721), dtype=np.float64)
    ids = rnn.sample_ids(model, np.random.default_rng(1), 20)
    again = rnn.sample_ids(model, np.random.default_rng(1), 20)
    _shape("ids", ids, (20,))
    if ids.dtype != np.int64 or ids.min() < 0 or ids.max() >= V:
        raise AssertionError(f"expected int64 ids in [0, {V}), got {ids.dtype} {ids.tolist()}")
    if not np.array_equal(ids, again):
        raise AssertionError("the same rng seed gave different samples")
    if len(rnn.sample_ids(model, np.random.default_rng(1), 0)) != 0:
        raise AssertionError("length 0 did not give 0 ids")
    shift = np.roll(np.eye(V), 1, axis=1)
    certain = rnn.CharRNN(dict(E=np.eye(V), We=3 * np.eye(V), Wh=np.zeros((V, V)),
                               b1=np.zeros(V), U=100 * shift, b2=np.zeros(V)), activation="tanh")
    got = rnn.sample_ids(certain, np.random.default_rng(2), 6, prefix=(3,))
    if got.tolist() != [4, 0, 1, 2, 3, 4]:
        raise AssertionError(f"a model that always predicts 'id + 1 mod {V}' read 3 and gave "
                             f"{got.tolist()}")
    return "length, dtype, range, reproducible, a model that counts"


def _tiny_run(rnn, lr=0.1, clip=1e-3, steps=2, seed=731):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 5, size=60)
    batcher = rnn.StreamBatcher(ids, N=2, T=4)
    model = rnn.CharRNN.init(5, 6, 3, rng, dtype=np.float64)
    config = rnn.TrainConfig(steps=steps, lr=lr, clip=clip, eval_every=100, eval_streams=2)
    return model, rnn.train(model, _PlainSGD(), batcher, ids[:20], config, progress=False)


def train_known(rnn, numgrad):
    _, (trained, _, state) = _tiny_run(rnn)
    out = KnownAnswer(train_loss=state.train_loss)
    out.update({f"params[{k!r}]": v for k, v in trained.params.items()})
    return out


def train_properties(rnn, numgrad):
    model, (trained, _, state) = _tiny_run(rnn, clip=None, steps=3)
    keep = {k: v.copy() for k, v in model.params.items()}
    if len(state.train_loss) != 3 or state.step != 3:
        raise AssertionError(f"3 steps gave step {state.step} and {len(state.train_loss)} losses")
    if not all(math.isfinite(v) for v in state.train_loss):
        raise AssertionError("a training loss is not finite")
    if state.h is None or np.shape(state.h) != (2, 6):
        raise AssertionError("the carried state h is missing or has the wrong shape")
    if all(np.array_equal(trained.params[k], keep[k]) for k in keep):
        raise AssertionError("the parameters did not change")
    rng = np.random.default_rng(732)
    ids = rng.integers(0, 5, size=60)
    params = dict(model.params, U=np.full_like(model.params["U"], 1e308),
                  b1=np.full_like(model.params["b1"], 1e3))
    config = rnn.TrainConfig(steps=1, lr=0.1, clip=None, eval_every=100, eval_streams=2)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            huge = rnn.CharRNN(params, model.activation)
            rnn.train(huge, _PlainSGD(), rnn.StreamBatcher(ids, N=2, T=4), ids[:20], config,
                      state=rnn.TrainState(valid_steps=[0], valid_loss=[0.0]), progress=False)
    except FloatingPointError as err:
        if "learning rate" not in str(err):
            raise AssertionError(f"divergence raised without advice: {err}") from None
    else:
        raise AssertionError("a model whose loss overflows did not raise TrainingDivergedError")
    return "steps and losses recorded, h carried, parameters move, divergence raises"


# chapter 8

def _lstm_step_args(p):
    return p["x"][:, 0], p["h0"], p["c0"], p["Wh"], p["We"], p["b1"]


def lstm_step_forward_known(rnn, numgrad):
    p = gated_inputs(np.random.default_rng(801), "lstm", N=3, d=2, Dh=3)
    h, c, _ = rnn.lstm_step_forward(*_lstm_step_args(p))
    return KnownAnswer(h_next=h, c_next=c)


def lstm_step_forward_properties(rnn, numgrad):
    p = gated_inputs(np.random.default_rng(802), "lstm", N=3, d=2, Dh=3)
    h, c, _ = rnn.lstm_step_forward(*_lstm_step_args(p))
    _shape("h_next", h, (3, 3))
    _shape("c_next", c, (3, 3))
    if not np.all(np.abs(h) < 1):
        raise AssertionError("|h_next| >= 1: h_next = o * tanh(c_next) lies in (-1, 1)")
    # Gates forced by their biases alone (weights zero): the forget gate open and the input
    # gate shut keep the cell; the other way round, the cell is overwritten by g.
    Dh = 3
    zero = dict(Wh=np.zeros_like(p["Wh"]), We=np.zeros_like(p["We"]))
    g = np.linspace(-0.5, 0.5, Dh)
    written = np.broadcast_to(np.tanh(g), (3, Dh))
    for name, i_bias, f_bias, expected in (("kept", -50.0, 50.0, p["c0"]),
                                           ("overwritten", 50.0, -50.0, written)):
        b1 = np.concatenate([np.full(Dh, i_bias), np.full(Dh, f_bias), g, np.zeros(Dh)])
        _, c, _ = rnn.lstm_step_forward(p["x"][:, 0], p["h0"], p["c0"], b1=b1, **zero)
        if not np.allclose(c, expected, atol=1e-9):
            raise AssertionError(f"with the forget gate {'open' if f_bias > 0 else 'shut'} and "
                                 f"the input gate {'open' if i_bias > 0 else 'shut'} (gates "
                                 "stacked i, f, g, o) the cell was not " + name)
    return "shapes, |h| < 1, gate order i, f, g, o (a cell kept, a cell overwritten)"


def lstm_forward_known(rnn, numgrad):
    p = gated_inputs(np.random.default_rng(811), "lstm", N=2, T=4, d=3, Dh=2)
    h, _ = rnn.lstm_forward(**p)
    h_none, _ = rnn.lstm_forward(**{**p, "c0": None})
    return KnownAnswer(h=h, **{"h (c0 = None)": h_none})


def lstm_forward_properties(rnn, numgrad):
    p = gated_inputs(np.random.default_rng(812), "lstm", N=2, T=5, d=3, Dh=2)
    h, _ = rnn.lstm_forward(**p)
    _shape("h", h, (2, 5, 2))
    state, cell = p["h0"], p["c0"]
    for t in range(5):
        state, cell, _ = rnn.lstm_step_forward(p["x"][:, t], state, cell, p["Wh"], p["We"], p["b1"])
        if not np.allclose(h[:, t], state, rtol=1e-10, atol=1e-12):
            raise AssertionError(f"h[:, {t}] differs from {t + 1} steps of lstm_step_forward")
    zeros, _ = rnn.lstm_forward(**{**p, "c0": np.zeros_like(p["c0"])})
    none, _ = rnn.lstm_forward(**{**p, "c0": None})
    if not np.allclose(zeros, none, rtol=1e-12, atol=1e-12):
        raise AssertionError("c0=None does not give the same states as c0 = zeros")
    return "shape (N, T, Dh), agrees with lstm_step_forward step by step, c0=None means zeros"


# chapter 9

def _gru_step_args(p):
    return p["x"][:, 0], p["h0"], p["Wh"], p["We"], p["b_ih"], p["b_hh"]


def gru_step_forward_known(rnn, numgrad):
    p = gated_inputs(np.random.default_rng(901), "gru", N=3, d=2, Dh=3)
    h, _ = rnn.gru_step_forward(*_gru_step_args(p))
    return KnownAnswer(h_next=h)


def gru_step_forward_properties(rnn, numgrad):
    p = gated_inputs(np.random.default_rng(902), "gru", N=3, d=2, Dh=3)
    h, _ = rnn.gru_step_forward(*_gru_step_args(p))
    _shape("h_next", h, (3, 3))
    # The update gate forced by its bias (z is the middle block of r, z, n): z = 1 copies h_prev.
    Dh = 3
    b_ih = p["b_ih"].copy()
    b_ih[Dh:2 * Dh] = 50.0
    h, _ = rnn.gru_step_forward(p["x"][:, 0], p["h0"], p["Wh"], p["We"], b_ih, p["b_hh"])
    if not np.allclose(h, p["h0"], atol=1e-9):
        raise AssertionError("with the update gate z = 1 (gates stacked r, z, n) h_next is not h_prev")
    b_ih[Dh:2 * Dh] = -50.0
    h, _ = rnn.gru_step_forward(p["x"][:, 0], 5 * p["h0"], p["Wh"], p["We"], b_ih, p["b_hh"])
    if not np.all(np.abs(h) < 1):
        raise AssertionError("with the update gate z = 0, h_next = n should lie in (-1, 1)")
    return "shape, gate order r, z, n (z = 1 copies h_prev, z = 0 gives n)"


def gru_forward_known(rnn, numgrad):
    p = gated_inputs(np.random.default_rng(911), "gru", N=2, T=4, d=3, Dh=2)
    h, _ = rnn.gru_forward(**p)
    return KnownAnswer(h=h)


def gru_forward_properties(rnn, numgrad):
    p = gated_inputs(np.random.default_rng(912), "gru", N=2, T=5, d=3, Dh=2)
    h, _ = rnn.gru_forward(**p)
    _shape("h", h, (2, 5, 2))
    state = p["h0"]
    for t in range(5):
        state, _ = rnn.gru_step_forward(p["x"][:, t], state, p["Wh"], p["We"], p["b_ih"], p["b_hh"])
        if not np.allclose(h[:, t], state, rtol=1e-10, atol=1e-12):
            raise AssertionError(f"h[:, {t}] differs from {t + 1} steps of gru_step_forward")
    return "shape (N, T, Dh), agrees with gru_step_forward step by step"


# chapter 10

def mse_head_forward_known(rnn, numgrad):
    p = head_inputs(np.random.default_rng(1001), N=3, T=4, Dh=3, K=2)
    loss, cache = rnn.mse_head_forward(**p)
    return KnownAnswer(loss=loss, yhat=cache.yhat)


def mse_head_forward_properties(rnn, numgrad):
    p = head_inputs(np.random.default_rng(1002), N=3, T=4, Dh=3, K=2)
    loss, cache = rnn.mse_head_forward(**p)
    _shape("loss", loss, ())
    _shape("cache.yhat", cache.yhat, (3, 2))
    if not loss > 0:
        raise AssertionError(f"loss {float(loss):.4g}: a mean of squares of nonzero errors is > 0")
    # only the last state is read: changing the earlier ones changes nothing
    h = p["h"].copy()
    h[:, :-1] = 100.0
    other, _ = rnn.mse_head_forward(h, p["U"], p["b2"], p["y"])
    if not np.isclose(other, loss, rtol=1e-12, atol=0):
        raise AssertionError("the loss changed with h[:, :-1]: the head reads the last state only")
    # targets equal to the predictions: no error
    zero, _ = rnn.mse_head_forward(p["h"], p["U"], p["b2"], np.array(cache.yhat))
    if not abs(zero) < 1e-12:
        raise AssertionError(f"y = cache.yhat gave loss {float(zero):.3g}, expected 0")
    # a mean, not a sum: the same rows twice give the same loss
    twice = {k: np.concatenate([v, v]) if k in ("h", "y") else v for k, v in p.items()}
    if not np.isclose(rnn.mse_head_forward(**twice)[0], loss, rtol=1e-12, atol=0):
        raise AssertionError("repeating every sequence changed the loss: average, do not sum")
    return "scalar loss > 0, yhat (N, K), only h[:, -1] read, 0 when y = yhat, a mean"


def mse_head_backward_properties(rnn, numgrad):
    p = head_inputs(np.random.default_rng(1003), N=3, T=4, Dh=3, K=2)
    _, cache = rnn.mse_head_forward(**p)
    dh, dU, db2 = rnn.mse_head_backward(1.0, cache)
    _shape("dh", dh, (3, 4, 3))
    _shape("dU", dU, (3, 2))
    _shape("db2", db2, (2,))
    if np.any(dh[:, :-1]):
        raise AssertionError("dh is not zero before the last step")
    _, cache = rnn.mse_head_forward(p["h"], p["U"], p["b2"], np.array(cache.yhat))
    for name, g in zip(("dh", "dU", "db2"), rnn.mse_head_backward(1.0, cache)):
        if np.any(g):
            raise AssertionError(f"with y = yhat (no error) {name} is not zero")
    return "shapes, dh zero before the last step, zero error gives zero gradients"


def _own_lstm_step(rnn):
    """Your own lstm_step_forward, h_next and c_next side by side."""
    return lambda *a: np.concatenate(rnn.lstm_step_forward(*a)[:2], axis=1)


# function -> [(kind, description, check)]
CHECKS = {
    "rnn_step_forward": [("known", "fixed inputs", step_forward_known),
                         ("property", "shape, dtype, no mutation", step_forward_properties)],
    "rnn_forward": [("known", "fixed inputs", rnn_forward_known),
                    ("property", "prefixes, cell by cell", rnn_forward_properties)],
    "softmax": [("known", "fixed logits", softmax_known),
                ("property", "probabilities, stable", softmax_properties)],
    "embedding_forward": [("known", "fixed ids", embedding_forward_known),
                          ("property", "shape, a copy", embedding_forward_properties)],
    "affine_forward": [("known", "fixed inputs", affine_forward_known),
                       ("property", "shape, per step", affine_forward_properties)],
    "softmax_cross_entropy": [("known", "fixed logits, a mask", xent_known),
                              ("gradient", "dtheta vs numerical (of your own loss)",
                               lambda rnn, g: xent_gradients(rnn, g, np.random.default_rng(332),
                                   lambda t, y, m: rnn.softmax_cross_entropy(t, y, mask=m)[0])),
                              ("property", "uniform logits, stable", xent_properties)],
    "rnn_step_backward": [("gradient", "all five vs numerical", lambda rnn, g: step_gradients(
        rnn, g, np.random.default_rng(401), lambda *a: rnn.rnn_step_forward(*a)[0]))],
    "affine_backward": [("gradient", "dh, dU, db2 vs numerical", lambda rnn, g: affine_gradients(
        rnn, g, np.random.default_rng(411), lambda *a: rnn.affine_forward(*a)[0]))],
    "embedding_backward": [("gradient", "dE vs numerical", lambda rnn, g: embedding_gradients(
        rnn, g, np.random.default_rng(421), lambda *a: rnn.embedding_forward(*a)[0]))],
    "backprop_recurrence": [("gradient", "dh0 vs numerical", recurrence_gradient),
                            ("known", "fixed inputs", recurrence_known)],
    "rnn_backward": [("gradient", "all five vs numerical", lambda rnn, g: sequence_gradients(
        rnn, g, np.random.default_rng(511), lambda **kw: rnn.rnn_forward(**kw)[0],
        lambda dh, p, act: rnn.rnn_backward(dh, rnn.rnn_forward(**p, activation=act)[1])))],
    "truncated_rnn_backward": [("gradient", "full window vs numerical", lambda rnn, g: sequence_gradients(
                                   rnn, g, np.random.default_rng(601), lambda **kw: rnn.rnn_forward(**kw)[0],
                                   lambda dh, p, act: rnn.truncated_rnn_backward(
                                       **p, dh=dh, window=10, activation=act))),
                               ("known", "windows 1-3", truncated_known)],
    "clip_gradients": [("known", "fixed gradients", clip_known),
                       ("property", "norm, bound, direction", clip_properties)],
    "SGD._update": [("known", "three steps", sgd_known),
                    ("property", "float32, no mutation", _optimiser_properties(
                        lambda rnn: rnn.SGD(lr=0.1, momentum=0.9)))],
    "Adagrad._update": [("known", "three steps", adagrad_known),
                        ("property", "float32, no mutation", _optimiser_properties(
                            lambda rnn: rnn.Adagrad(lr=0.1)))],
    "Adam._update": [("known", "three steps", adam_known),
                     ("property", "float32, no mutation", _optimiser_properties(
                         lambda rnn: rnn.Adam(lr=0.1)))],
    "NGram.log2_probs": [("known", "orders 1-3", ngram_known),
                         ("property", "sums to one", ngram_properties)],
    "sample_ids": [("property", "length, range, a counting model", sample_properties)],
    "train": [("known", "two clipped steps", train_known),
              ("property", "the loop's bookkeeping, divergence", train_properties)],
    "lstm_step_forward": [("known", "fixed inputs", lstm_step_forward_known),
                          ("property", "shapes, range, gate order", lstm_step_forward_properties),
                          ("property", "float32, no mutation", lambda rnn, g: gated_float32(
                              rnn, "lstm", "lstm_step_forward"))],
    "lstm_step_backward": [("gradient", "all six vs numerical (of your own step)",
                            lambda rnn, g: lstm_step_gradients(rnn, g, np.random.default_rng(821),
                                                               _own_lstm_step(rnn))),
                           ("property", "float32, no mutation", lambda rnn, g: gated_float32(
                               rnn, "lstm", "lstm_step_backward"))],
    "lstm_forward": [("known", "fixed inputs, c0 and None", lstm_forward_known),
                     ("property", "step by step, c0=None", lstm_forward_properties),
                     ("property", "float32, no mutation", lambda rnn, g: gated_float32(
                         rnn, "lstm", "lstm_forward"))],
    "lstm_backward": [("gradient", "all six vs numerical (of your own forward), dc0 included",
                       lambda rnn, g: lstm_sequence_gradients(
                           rnn, g, np.random.default_rng(831),
                           lambda **kw: rnn.lstm_forward(**kw)[0])),
                      ("property", "float32, no mutation", lambda rnn, g: gated_float32(
                          rnn, "lstm", "lstm_backward"))],
    "gru_step_forward": [("known", "fixed inputs", gru_step_forward_known),
                         ("property", "shape, gate order", gru_step_forward_properties),
                         ("property", "float32, no mutation", lambda rnn, g: gated_float32(
                             rnn, "gru", "gru_step_forward"))],
    "gru_step_backward": [("gradient", "all six vs numerical (of your own step)",
                           lambda rnn, g: gru_step_gradients(
                               rnn, g, np.random.default_rng(921),
                               lambda *a: rnn.gru_step_forward(*a)[0])),
                          ("property", "float32, no mutation", lambda rnn, g: gated_float32(
                              rnn, "gru", "gru_step_backward"))],
    "gru_forward": [("known", "fixed inputs", gru_forward_known),
                    ("property", "step by step", gru_forward_properties),
                    ("property", "float32, no mutation", lambda rnn, g: gated_float32(
                        rnn, "gru", "gru_forward"))],
    "gru_backward": [("gradient", "all six vs numerical (of your own forward)",
                      lambda rnn, g: gru_sequence_gradients(
                          rnn, g, np.random.default_rng(931),
                          lambda **kw: rnn.gru_forward(**kw)[0])),
                     ("property", "float32, no mutation", lambda rnn, g: gated_float32(
                         rnn, "gru", "gru_backward"))],
    "mse_head_forward": [("known", "fixed inputs", mse_head_forward_known),
                         ("property", "shapes, last state only, a mean", mse_head_forward_properties),
                         ("property", "float32, no mutation",
                          lambda rnn, g: head_float32(rnn, "mse_head_forward"))],
    "mse_head_backward": [("gradient", "dh, dU, db2 vs numerical (of your own forward)",
                           lambda rnn, g: head_gradients(
                               rnn, g, np.random.default_rng(1011),
                               lambda **kw: rnn.mse_head_forward(**kw)[0])),
                          ("property", "shapes, the last step only, zero error",
                           mse_head_backward_properties),
                          ("property", "float32, no mutation",
                           lambda rnn, g: head_float32(rnn, "mse_head_backward"))],
}


def run_one(rnn, numgrad, function, kind, description, check, digests):
    """``(passed, detail)`` of one check."""
    try:
        result = check(rnn, numgrad)
        if isinstance(result, KnownAnswer):
            expected = digests.get(f"{function}: {description}", {})
            wrong = [name for name, value in result.items()
                     if digest(value) != expected.get(name)]
            missing = sorted(set(expected) - set(result))
            if wrong or missing:
                return False, ("does not match the known answer: " + ", ".join(wrong + missing))
            return True, f"{len(result)} outputs match the known answers"
        return True, str(result)
    except NotImplementedError:
        return False, "not implemented (raise NotImplementedError)"
    except Exception as exc:  # noqa: BLE001 - report every failure
        text = f"{type(exc).__name__}: {exc}"
        return False, text if len(text) <= 300 else text[:297] + "..."


def main(functions, digests, here):
    sys.path.insert(0, here)
    sys.modules.pop("rnn_core", None)
    import rnn_core

    where = os.path.dirname(os.path.dirname(os.path.abspath(rnn_core.__file__)))
    if where != os.path.abspath(here):
        print(f"rnn_core was imported from {rnn_core.__file__}, not from this folder")
        return 2
    rnn = Namespace(rnn_core)
    numgrad = rnn.numerical_gradient
    print(f"{'function':<24} {'kind':<9} {'result':<6} detail")
    print("-" * 96)
    passed = total = 0
    for function in functions:
        for kind, description, check in CHECKS.get(function, []):
            ok, detail = run_one(rnn, numgrad, function, kind, description, check, digests)
            passed, total = passed + ok, total + 1
            print(f"{function:<24} {kind:<9} {'PASS' if ok else 'FAIL':<6} {description}: {detail}")
    print(f"\n{passed} of {total} checks pass")
    return 0 if total and passed == total else 1
