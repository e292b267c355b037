"""The checks of every graded function: the grader runs them, and the student's ``check.py`` is them.

Built from one table of cases (:data:`rnn_assign.checklib.CASES`), each function has

* **fixed** checks: small inputs whose expected outputs were worked out by hand (the arithmetic
  is in the comments) or in closed form, so a failure names the bug's value; and float32 in,
  float32 out with no input modified;
* a **gradient** check: a backward pass against central differences of a forward pass;
* a check that hard-coded outputs cannot pass. The grader's is **random**: the case's inputs,
  sizes included, drawn from :data:`SEED`, which it picks at grading time, compared with the
  reference ``rnn_core``. The student's is **known**: the case at fixed sizes, compared with the
  shapes and digests of the reference outputs, which the edition builder computes
  (:func:`rnn_assign.edition.known_digests`).

:data:`CHECKS` are the grader's and :data:`STUDENT_CHECKS` the student's. Every check is called
as ``check(rnn, ref)``, both ``rnn_core`` packages. In the grader
``rnn`` is the submission and ``ref`` the installed reference, which the runner loads under
another package name so that the two never mix; the gradient check differentiates ``ref``'s
forward. In ``check.py`` both are the edition's own ``rnn_core``. The hand-worked values are no
secret (the book is public, see the instructor page): what a student cannot know is the grader's
seed. This module and :mod:`rnn_assign.checklib` are joined into one self-contained script
(numpy only) by :func:`rnn_assign.edition.standalone`, for the grader and for ``check.py``.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
import zlib

import numpy as np

from .checklib import (BACKWARDS, CASES, FIXED_SIZES, FLOAT32, KnownAnswer, _close,
                       _PlainSGD, digest, float32_check, gradient_check, run_case)

#: Seed of the random and gradient checks, set by the runner (``--seed``); None: fixed seeds.
SEED = None


# Hand-worked one-step example, N=2, d=3, Dh=2 (Wh not symmetric, so Wh vs Wh.T shows).
_S_Wh = np.array([[1.0, 2.0], [0.0, -1.0]])
_S_We = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
_S_b1 = np.array([0.5, -1.0])
_S_h = np.array([[1.0, 0.0], [0.0, 1.0]])
_S_x = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
# row 0: h@Wh.T = [1, 0],  x@We.T = [0, 0],        + b1 -> a = [1.5, -1]
# row 1: h@Wh.T = [2, -1], x@We.T = [1+2, 1] = [3, 1], + b1 -> a = [5.5, -1]
_S_a = np.array([[1.5, -1.0], [5.5, -1.0]])

# The scalar chain h_t = relu(2 h_{t-1} + x_t), x = (1, 1, 1), h0 = 0: h = (1, 3, 7), h_t = 2^t - 1.
_C = dict(x=np.ones((1, 3, 1)), h0=np.zeros((1, 1)), Wh=np.array([[2.0]]),
          We=np.array([[1.0]]), b1=np.array([0.0]))


# --- chapter 1 -----------------------------------------------------------------------------

def step_forward_fixed(rnn, ref):
    for act, expected in (("relu", np.maximum(_S_a, 0)), ("tanh", np.tanh(_S_a)),
                          ("sigmoid", 1 / (1 + np.exp(-_S_a)))):
        h, _ = rnn.rnn_step_forward(_S_x, _S_h, _S_Wh, _S_We, _S_b1, act)
        _close(f"h_next ({act})", h, expected)
    return "hand-worked a = [[1.5, -1], [5.5, -1]] for relu, tanh, sigmoid"


# --- chapter 2 -----------------------------------------------------------------------------

def rnn_forward_chain(rnn, ref):
    # two sequences of h_t = relu(2 h_{t-1} + x_t):
    #   x = (1, 1, 1), h0 = 0: h = (1, 3, 7);   x = (0, 1, 0), h0 = 1: h = (2, 5, 10)
    x = np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])[..., None]
    h0 = np.array([[0.0], [1.0]])
    h, _ = rnn.rnn_forward(x, h0, _C["Wh"], _C["We"], _C["b1"], "relu")
    _close("h", h, np.array([[1.0, 3.0, 7.0], [2.0, 5.0, 10.0]])[..., None])
    return "h_t = 2 h_(t-1) + x_t: (1, 3, 7) and (2, 5, 10)"


# --- chapter 3 -----------------------------------------------------------------------------

def softmax_fixed(rnn, ref):
    ln2, ln3, ln5 = math.log(2), math.log(3), math.log(5)
    # exp(0), exp(ln 2), exp(ln 5) = 1, 2, 5 -> (1, 2, 5) / 8; a shift by 1000 changes nothing
    x = np.array([[0.0, ln2, ln5], [1000.0, 1000.0 + ln3, 1000.0 - 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = rnn.softmax(x)
    _close("softmax", p, [[1 / 8, 2 / 8, 5 / 8], [1 / 4, 3 / 4, 0.0]])
    return "softmax(0, ln 2, ln 5) = (1, 2, 5)/8; logits near 1000 without overflow"


def embedding_forward_fixed(rnn, ref):
    E = np.array([[0.0, 1.0], [10.0, 11.0], [20.0, 21.0]])
    x, _ = rnn.embedding_forward(np.array([[2, 0, 2]]), E)
    _close("x", x, [[[20.0, 21.0], [0.0, 1.0], [20.0, 21.0]]])
    x[0, 0, 0] = -1.0
    if E[2, 0] != 20.0:
        raise AssertionError("x is a view of E: writing to x changed E")
    return "rows 2, 0, 2 of E, as a copy"


def affine_forward_fixed(rnn, ref):
    h = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    U = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    # theta[t] = (h1, h2, h1 + h2 + 10)
    theta, _ = rnn.affine_forward(h, U, np.array([0.0, 0.0, 10.0]))
    _close("theta", theta, [[[1.0, 2.0, 13.0], [3.0, 4.0, 17.0]]])
    return "theta = (h1, h2, h1 + h2 + 10)"


def xent_fixed(rnn, ref):
    loss, d = rnn.softmax_cross_entropy(np.zeros((1, 2, 4)), np.array([[1, 3]]))
    _close("loss (uniform)", loss, math.log(4))
    _close("dtheta (uniform)", d, (np.full((1, 2, 4), 0.25) - np.eye(4)[[[1, 3]]]) / 2)
    # logits (0, ln 2, ln 5): probabilities (1, 2, 5)/8
    row = [0.0, math.log(2), math.log(5)]
    theta, y = np.array([[row, row]]), np.array([[2, 0]])
    loss, _ = rnn.softmax_cross_entropy(theta, y)
    _close("loss", loss, (math.log(8 / 5) + math.log(8)) / 2)
    loss, d = rnn.softmax_cross_entropy(theta, y, mask=np.array([[True, False]]))
    _close("loss (masked)", loss, math.log(8 / 5))
    _close("dtheta (masked)", d, [[[1 / 8, 2 / 8, 5 / 8 - 1], [0.0, 0.0, 0.0]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big, _ = rnn.softmax_cross_entropy(np.array([[[1000.0, 0.0]]]), np.array([[1]]))
    _close("loss (logits 1000, 0)", big, 1000.0)
    return "ln 4 for uniform logits, ln(8/5) and ln 8, a mask, logits of 1000"


# --- chapter 4 -----------------------------------------------------------------------------

def step_backward_fixed(rnn, ref):
    # relu at a = [[1.5, -1], [5.5, -1]]: act' = [[1, 0], [1, 0]]; dh_next = [[1, 1], [2, 2]]
    # da = [[1, 0], [2, 0]]; dx = da @ We, dh_prev = da @ Wh, dWh = da.T @ h, dWe = da.T @ x
    dh = np.array([[1.0, 1.0], [2.0, 2.0]])
    keep = dh.copy()
    _, cache = rnn.rnn_step_forward(_S_x, _S_h, _S_Wh, _S_We, _S_b1, "relu")
    dx, dhp, dWh, dWe, db1 = rnn.rnn_step_backward(dh, cache)
    _close("dx_t", dx, [[1.0, 0.0, 2.0], [2.0, 0.0, 4.0]])
    _close("dh_prev", dhp, [[1.0, 2.0], [2.0, 4.0]])
    _close("dWh", dWh, [[1.0, 2.0], [0.0, 0.0]])
    _close("dWe", dWe, [[2.0, 2.0, 2.0], [0.0, 0.0, 0.0]])
    _close("db1", db1, [3.0, 0.0])
    if not np.array_equal(dh, keep):
        raise AssertionError("dh_next was modified")
    return "hand-worked relu step"


def affine_backward_fixed(rnn, ref):
    h = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    U = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    _, cache = rnn.affine_forward(h, U, np.zeros(3))
    dh, dU, db2 = rnn.affine_backward(np.ones((1, 2, 3)), cache)
    # all-ones dtheta: dh = row sums of U = (2, 2); dU[i] = sum_t h[t, i] = (4, 6); db2 = T = 2
    _close("dh", dh, [[[2.0, 2.0], [2.0, 2.0]]])
    _close("dU", dU, [[4.0, 4.0, 4.0], [6.0, 6.0, 6.0]])
    _close("db2", db2, [2.0, 2.0, 2.0])
    return "all-ones upstream gradient"


def embedding_backward_fixed(rnn, ref):
    _, cache = rnn.embedding_forward(np.array([[2, 0, 2]]), np.zeros((3, 2)))
    dE = rnn.embedding_backward(np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]), cache)
    # id 2 appears twice: (1, 2) + (5, 6); id 1 never
    _close("dE", dE, [[3.0, 4.0], [0.0, 0.0], [6.0, 8.0]])
    return "a repeated id sums its gradients"


# --- chapter 5 -----------------------------------------------------------------------------


def recurrence_fixed(rnn, ref):
    # chain h_t = 2 h_(t-1) + x_t (relu, all positive: act' = 1), dL/dh_3 = 1 only:
    # g_3 = 1, g_2 = 2, g_1 = 4, dh0 = 8
    _, cache = rnn.rnn_forward(**_C, activation="relu")
    dh = np.array([[[0.0], [0.0], [1.0]]])
    da, dh0 = rnn.backprop_recurrence(dh, cache)
    _close("da", da, np.array([4.0, 2.0, 1.0]).reshape(1, 3, 1))
    _close("dh0", dh0, [[8.0]])
    return "dh3 = 1 on h_t = 2 h_(t-1) + x_t: da = (4, 2, 1), dh0 = 8"


def rnn_backward_fixed(rnn, ref):
    # h1 = x1, h2 = w x1 + x2, h3 = w^2 x1 + w x2 + x3 (h0 = 0, w = 2, all positive)
    _, cache = rnn.rnn_forward(**_C, activation="relu")
    # L = h3: dx = (w^2, w, 1) = (4, 2, 1); dWh = dh3/dw = 2w + 1 = 5; dWe = db1 = 7; dh0 = w^3
    dx, dh0, dWh, dWe, db1 = rnn.rnn_backward(np.array([[[0.0], [0.0], [1.0]]]), cache)
    for name, got, exp in (("dx", dx, [[[4.0], [2.0], [1.0]]]), ("dh0", dh0, [[8.0]]),
                           ("dWh", dWh, [[5.0]]), ("dWe", dWe, [[7.0]]), ("db1", db1, [7.0])):
        _close(f"{name} (L = h3)", got, exp)
    # L = h1 + h2 + h3: dx1 = 1 + w + w^2 = 7, dx2 = 3, dx3 = 1; dWh = 1 + (2w + 1) = 6
    dx, dh0, dWh, dWe, db1 = rnn.rnn_backward(np.ones((1, 3, 1)), cache)
    for name, got, exp in (("dx", dx, [[[7.0], [3.0], [1.0]]]), ("dh0", dh0, [[14.0]]),
                           ("dWh", dWh, [[6.0]]), ("dWe", dWe, [[11.0]]), ("db1", db1, [11.0])):
        _close(f"{name} (L = h1 + h2 + h3)", got, exp)
    return "scalar chain in closed form, L = h3 and L = h1 + h2 + h3"


# --- chapter 6 -----------------------------------------------------------------------------

def truncated_fixed(rnn, ref):
    # chain h_t = 2 h_(t-1) + x_t, h = (1, 3, 7), L = h1 + h2 + h3.
    # window 2: windows {1, 2} and {3}; no gradient crosses the cut.
    #   {3}: da3 = 1;  {1, 2}: da2 = 1, g1 = 1 + 2 = 3, da1 = 3, dh0 = 6
    #   dx = (3, 1, 1), dWh = da1 h0 + da2 h1 + da3 h2 = 0 + 1 + 3 = 4, dWe = db1 = 5
    # window 1: every da_t = 1: dx = (1, 1, 1), dWh = 0 + 1 + 3 = 4, dWe = db1 = 3, dh0 = 2
    dh = np.ones((1, 3, 1))
    for window, exp in ((2, ([3.0, 1.0, 1.0], 6.0, 4.0, 5.0, 5.0)),
                        (1, ([1.0, 1.0, 1.0], 2.0, 4.0, 3.0, 3.0)),
                        (3, ([7.0, 3.0, 1.0], 14.0, 6.0, 11.0, 11.0))):
        got = rnn.truncated_rnn_backward(**_C, dh=dh, window=window, activation="relu")
        for name, g, e in zip(("dx", "dh0", "dWh", "dWe", "db1"), got, exp):
            _close(f"{name} (window {window})", np.ravel(g), np.ravel(e))
    return "scalar chain with windows 1, 2 and 3 in closed form"


def clip_fixed(rnn, ref):
    grads = {"a": np.array([3.0]), "b": np.array([[4.0, 0.0]])}
    clipped, norm = rnn.clip_gradients(grads, 1.0)
    _close("norm", norm, 5.0)  # sqrt(9 + 16)
    _close("a", clipped["a"], [0.6])
    _close("b", clipped["b"], [[0.8, 0.0]])
    clipped, _ = rnn.clip_gradients(grads, 10.0)
    _close("a (under the threshold)", clipped["a"], [3.0])
    clipped, _ = rnn.clip_gradients(grads, 1.0, mode="value")
    _close("b (value)", clipped["b"], [[1.0, 0.0]])
    return "(3, 4) has norm 5 and becomes (0.6, 0.8)"


# --- chapter 7 -----------------------------------------------------------------------------

def _two_steps(opt, grads):
    p = {"w": np.array([1.0])}
    g0 = {"w": np.array([grads[0]])}
    keep_p, keep_g = p["w"].copy(), g0["w"].copy()
    p1 = opt.step(p, g0)
    if not (np.array_equal(p["w"], keep_p) and np.array_equal(g0["w"], keep_g)):
        raise AssertionError("step modified params or grads")
    p2 = opt.step(p1, {"w": np.array([grads[1]])})
    return p1["w"], p2["w"]


def sgd_fixed(rnn, ref):
    # lr 0.1, momentum 0.9, g = 2 twice: v = 2 -> p = 0.8; v = 0.9*2 + 2 = 3.8 -> p = 0.42
    p1, p2 = _two_steps(rnn.SGD(lr=0.1, momentum=0.9), (2.0, 2.0))
    _close("p after step 1", p1, [0.8])
    _close("p after step 2", p2, [0.42])
    return "momentum 0.9: 1 -> 0.8 -> 0.42"


def adagrad_fixed(rnn, ref):
    # lr 0.1, g = 2 twice: G = 4 -> p = 1 - 0.1*2/2 = 0.9; G = 8 -> p = 0.9 - 0.2/sqrt(8)
    p1, p2 = _two_steps(rnn.Adagrad(lr=0.1, eps=1e-12), (2.0, 2.0))
    _close("p after step 1", p1, [0.9])
    _close("p after step 2", p2, [0.9 - 0.2 / math.sqrt(8)])
    return "G = 4 then 8: 1 -> 0.9 -> 0.9 - 0.2/sqrt 8"


def adam_fixed(rnn, ref):
    # lr 0.1, g = 2 then -2. Step 1: m_hat = 2, v_hat = 4 -> p = 1 - 0.1 = 0.9.
    # Step 2: m = 0.9*0.2 - 0.2 = -0.02, m_hat = -0.02/0.19 = -2/19; v_hat = 4 -> p = 0.9 + 0.1/19
    p1, p2 = _two_steps(rnn.Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-12), (2.0, -2.0))
    _close("p after step 1", p1, [0.9])
    _close("p after step 2", p2, [0.9 + 0.1 / 19])
    return "bias-corrected: 1 -> 0.9 -> 0.9 + 0.1/19"


def ngram_fixed(rnn, ref):
    # bigram, V = 2, k = 1, fitted on 0 0 1 0: pairs (0,0) (0,1) (1,0); context 0 twice, 1 once
    # P(1|0) = (1+1)/(2+2) = 1/2;  P(1|1) = (0+1)/(1+2) = 1/3
    model = rnn.NGram(2, 2, k=1.0).fit(np.array([0, 0, 1, 0]))
    _close("log2 P (bigram)", model.log2_probs(np.array([0, 1, 1])), np.log2([1 / 2, 1 / 3]))
    # unigram, V = 3, k = 1, fitted on 0 0 1: P = (2+1, 1+1, 0+1)/(3+3)
    model = rnn.NGram(1, 3, k=1.0).fit(np.array([0, 0, 1]))
    _close("log2 P (unigram)", model.log2_probs(np.array([0, 1, 2])), np.log2([3 / 6, 2 / 6, 1 / 6]))
    return "add-one bigram and unigram counted by hand"


def sample_fixed(rnn, ref):
    # A model that always predicts "next id + 1 (mod 4)": one-hot embeddings, We = 3 I, Wh = 0,
    # so h = tanh(3) * onehot(current), and U = 100 * (shift by one): the right logit is
    # 99.5, every other 0, so sampling is certain up to exp(-99).
    V = 4
    shift = np.roll(np.eye(V), 1, axis=1)  # shift[i, (i + 1) % V] = 1
    params = dict(E=np.eye(V), We=3 * np.eye(V), Wh=np.zeros((V, V)), b1=np.zeros(V),
                  U=100 * shift, b2=np.zeros(V))
    model = rnn.CharRNN(params, activation="tanh")
    ids = rnn.sample_ids(model, np.random.default_rng(0), 6)
    if np.asarray(ids).dtype != np.int64:
        raise AssertionError(f"ids of dtype {np.asarray(ids).dtype}, expected int64")
    _close("ids (no prefix: first input 0)", ids, [1, 2, 3, 0, 1, 2])
    ids = rnn.sample_ids(model, np.random.default_rng(0), 3, prefix=(1, 2))
    _close("ids (prefix 1 2)", ids, [3, 0, 1])
    ids = rnn.sample_ids(model, np.random.default_rng(0), 0)
    if len(ids) != 0:
        raise AssertionError(f"length 0 gave {len(ids)} ids")
    return "a model that counts 0 1 2 3 0 ..."


def train_fixed(rnn, ref):
    # An all-zero model (V = 5, Dh = 6, d = 3): every logit is 0, so the first loss is ln 5, and
    # so is the validation loss at step 0; h stays 0. Only b2 gets a gradient (dU = h^T dtheta = 0,
    # and dh = dtheta U^T = 0 stops everything below the scores): db2 = p - (the targets' mean
    # one-hot). The stream 0 1 2 3 4 0 1 ... in N = 2 streams of 30, windows of T = 4:
    #   step 1, targets 1 2 3 4 in both streams: db2 = 1/5 - (0, 1/4, 1/4, 1/4, 1/4), norm sqrt(0.05);
    #   plain SGD with lr 0.1: b2 = (-0.02, 0.005, 0.005, 0.005, 0.005);
    #   step 2, targets 0 1 2 3: loss = lse(b2) - (b2_0 + b2_1 + b2_2 + b2_3)/4 = lse(b2) + 0.00125.
    V, Dh, d = 5, 6, 3
    ids = np.arange(60) % V
    zero = dict(E=np.zeros((V, d)), We=np.zeros((Dh, d)), Wh=np.zeros((Dh, Dh)), b1=np.zeros(Dh),
                U=np.zeros((Dh, V)), b2=np.zeros(V))
    config = rnn.TrainConfig(steps=2, lr=0.1, clip=None, eval_every=100, eval_streams=2)
    trained, _, state = rnn.train(rnn.CharRNN(zero, "tanh"), _PlainSGD(), rnn.StreamBatcher(ids, N=2, T=4),
                                  ids[:20], config, progress=False)
    if state.step != 2 or len(state.train_loss) != 2 or len(state.grad_norm) != 2:
        raise AssertionError(f"2 steps gave state.step {state.step}, {len(state.train_loss)} losses "
                             f"and {len(state.grad_norm)} gradient norms")
    b2 = np.array([-0.02, 0.005, 0.005, 0.005, 0.005])
    _close("valid_loss at step 0", state.valid_loss[:1], [math.log(V)])
    _close("train_loss", state.train_loss, [math.log(V), math.log(np.exp(b2).sum()) + 0.00125])
    _close("grad_norm of step 1", state.grad_norm[:1], [math.sqrt(0.05)])
    _close("state.h (carried to the next step)", state.h, np.zeros((2, Dh)))
    for n in ("E", "We", "Wh", "b1", "U"):
        _close(f"params[{n!r}] (no gradient)", trained.params[n], zero[n])
    # A model whose loss overflows must stop with advice, not train on NaN.
    params = dict(zero, U=np.full((Dh, V), 1e308), b1=np.full(Dh, 1e3))
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            rnn.train(rnn.CharRNN(params, "tanh"), _PlainSGD(), rnn.StreamBatcher(ids, N=2, T=4),
                      ids[:20], rnn.TrainConfig(steps=1, lr=0.1, clip=None, eval_every=100,
                                                eval_streams=2),
                      state=rnn.TrainState(valid_steps=[0], valid_loss=[0.0]), progress=False)
    except FloatingPointError as err:
        if "learning rate" not in str(err):
            raise AssertionError(f"divergence raised without advice: {err}") from None
    else:
        raise AssertionError("a model whose loss overflows did not raise TrainingDivergedError")
    return "an all-zero model: loss ln 5, only b2 moves; an overflowing loss stops with advice"


# --- chapter 8: the LSTM -------------------------------------------------------------------
# A scalar step (N = d = Dh = 1), gates i, f, g, o. With x_t = h_prev = 1:
#   a = Wh h_prev + We x_t + b1 = (0 + ln 3 + 0, 1 - 1 + 0, ln 2 + 0 + 0, 0 + 0 - ln 3)
#     = (ln 3, 0, ln 2, -ln 3)
#   i = sigmoid(ln 3) = 3/(3 + 1) = 3/4      f = sigmoid(0) = 1/2
#   g = tanh(ln 2) = (2 - 1/2)/(2 + 1/2) = 3/5   o = sigmoid(-ln 3) = 1/4
#   c_next = f c_prev + i g = 1/2 * 2 + 3/4 * 3/5 = 29/20;  h_next = o tanh(c_next) = tanh(29/20)/4
# Swapping i and f (or pairing f with g and i with c_prev) gives c_next = 3/2 + 3/10 = 9/5;
# CS231n's order (i, f, o, g) gives o = 2/3, g = -4/5 and c_next = 1 - 3/5 = 2/5.
_L2, _L3 = math.log(2), math.log(3)
_LS = dict(x_t=np.array([[1.0]]), h_prev=np.array([[1.0]]), c_prev=np.array([[2.0]]),
           Wh=np.array([[0.0], [1.0], [_L2], [0.0]]), We=np.array([[_L3], [-1.0], [0.0], [0.0]]),
           b1=np.array([0.0, 0.0, 0.0, -_L3]))


def lstm_step_forward_fixed(rnn, ref):
    h, c, _ = rnn.lstm_step_forward(**_LS)
    _close("c_next", c, [[29 / 20]])
    _close("h_next", h, [[math.tanh(29 / 20) / 4]])
    return "i, f, g, o = 3/4, 1/2, 3/5, 1/4; c_next = 29/20"


def lstm_step_backward_fixed(rnn, ref):
    # dh_next = 1, dc_next = 1/2; tau = tanh(29/20), the gates of the step above:
    #   dc = dc_next + dh_next o (1 - tau^2) = 1/2 + (1 - tau^2)/4
    #   da_i = dc g i (1 - i) = dc * 3/5 * 3/16 = 9/80 dc     da_f = dc c_prev f (1 - f) = dc/2
    #   da_g = dc i (1 - g^2) = dc * 3/4 * 16/25 = 12/25 dc  da_o = dh_next tau o (1 - o) = 3/16 tau
    #   dc_prev = dc f = dc/2;  dx_t = da We = ln 3 da_i - da_f;  dh_prev = da Wh = da_f + ln 2 da_g
    #   x_t = h_prev = 1, so dWh = dWe = db1 = da
    tau = math.tanh(29 / 20)
    dc = 0.5 + (1 - tau**2) / 4
    da = np.array([9 / 80 * dc, dc / 2, 12 / 25 * dc, 3 / 16 * tau])
    dh_next, dc_next = np.array([[1.0]]), np.array([[0.5]])
    _, _, cache = rnn.lstm_step_forward(**_LS)
    dx, dhp, dcp, dWh, dWe, db1 = rnn.lstm_step_backward(dh_next, dc_next, cache)
    _close("dc_prev", dcp, [[dc / 2]])
    _close("dx_t", dx, [[_L3 * da[0] - da[1]]])
    _close("dh_prev", dhp, [[da[1] + _L2 * da[2]]])
    _close("dWh", dWh, da[:, None])
    _close("dWe", dWe, da[:, None])
    _close("db1", db1, da)
    return "dh_next = 1, dc_next = 1/2; dc_prev = dc f"


# Two scalar steps with Wh = 0, so the gates are the same at both steps: We x_t = (ln 3, 0, ln 2, -ln 3)
# as above (i, f, g, o = 3/4, 1/2, 3/5, 1/4), and c_t = c_(t-1)/2 + 9/20:
#   c0 = 2:    c1 = 29/20, c2 = 29/40 + 9/20 = 47/40
#   c0 = None: c1 = 9/20,  c2 = 9/40 + 9/20 = 27/40;      h_t = tanh(c_t)/4
_LSEQ = dict(x=np.ones((1, 2, 1)), h0=np.array([[0.5]]), Wh=np.zeros((4, 1)),
             We=np.array([[_L3], [0.0], [_L2], [-_L3]]), b1=np.zeros(4))


def lstm_forward_fixed(rnn, ref):
    h, _ = rnn.lstm_forward(**_LSEQ, c0=np.array([[2.0]]))
    _close("h (c0 = 2)", h, np.tanh([[[29 / 20], [47 / 40]]]) / 4)
    h, _ = rnn.lstm_forward(**_LSEQ)
    _close("h (c0 = None)", h, np.tanh([[[9 / 20], [27 / 40]]]) / 4)
    return "c_t = c_(t-1)/2 + 9/20 from c0 = 2 and from c0 = None (zeros)"


def lstm_backward_fixed(rnn, ref):
    # L = h2 on the two steps above (c0 = 2). tau2 = tanh(47/40). Wh = 0: no gradient reaches h1
    # or h0, only the cell path carries it back:
    #   dc2 = o (1 - tau2^2) = (1 - tau2^2)/4;  dc1 = f dc2 = dc2/2;  dc0 = f dc1 = dc2/4;  dh0 = 0
    #   da2 = (9/80 dc2, c1/4 dc2, 12/25 dc2, 3/16 tau2);  da1 = (9/80 dc1, c0/4 dc1, 12/25 dc1, 0)
    #   dx_t = ln 3 da_i + ln 2 da_g - ln 3 da_o;  dWe = db1 = da1 + da2 (x = 1)
    #   dWh = da1 h0 + da2 h1, h0 = 1/2, h1 = tanh(29/20)/4
    tau2 = math.tanh(47 / 40)
    dc2 = (1 - tau2**2) / 4
    dc1 = dc2 / 2
    da2 = np.array([9 / 80 * dc2, 29 / 20 / 4 * dc2, 12 / 25 * dc2, 3 / 16 * tau2])
    da1 = np.array([9 / 80 * dc1, 2 / 4 * dc1, 12 / 25 * dc1, 0.0])
    dxs = [_L3 * a[0] + _L2 * a[2] - _L3 * a[3] for a in (da1, da2)]
    _, cache = rnn.lstm_forward(**_LSEQ, c0=np.array([[2.0]]))
    dx, dh0, dWh, dWe, db1, dc0 = rnn.lstm_backward(np.array([[[0.0], [1.0]]]), cache)
    _close("dc0", dc0, [[dc2 / 4]])
    _close("dh0", dh0, [[0.0]])
    _close("dx", dx, np.array(dxs).reshape(1, 2, 1))
    _close("db1", db1, da1 + da2)
    _close("dWe", dWe, (da1 + da2)[:, None])
    _close("dWh", dWh, (0.5 * da1 + math.tanh(29 / 20) / 4 * da2)[:, None])
    return "L = h2, Wh = 0: dc0 = f^2 dc2, dh0 = 0"


# --- chapter 9: the GRU --------------------------------------------------------------------
# A scalar step, gates r, z, n, x_t = h_prev = 1:
#   ax = We x_t + b_ih = (ln 3, 0, -3 + ln 3);   ah = Wh h_prev + b_hh = (0, -ln 3, 3 + 1) = (0, -ln 3, 4)
#   r = sigmoid(ln 3) = 3/4;   z = sigmoid(-ln 3) = 1/4
#   n = tanh(ax_n + r ah_n) = tanh(ln 3 - 3 + 3/4 * 4) = tanh(ln 3) = (3 - 1/3)/(3 + 1/3) = 4/5
#   h_next = (1 - z) n + z h_prev = 3/4 * 4/5 + 1/4 = 17/20
# r on the input part (tanh(r ax_n + ah_n)), b_hh's n block outside r (tanh(ln 3 + 1/4)), or z and
# 1 - z swapped (1/5 + 3/4 = 19/20) all give other numbers.
_GS = dict(x_t=np.array([[1.0]]), h_prev=np.array([[1.0]]), Wh=np.array([[0.0], [-_L3], [3.0]]),
           We=np.array([[_L3], [0.0], [-3.0]]), b_ih=np.array([0.0, 0.0, _L3]),
           b_hh=np.array([0.0, 0.0, 1.0]))


def gru_step_forward_fixed(rnn, ref):
    h, _ = rnn.gru_step_forward(**_GS)
    _close("h_next", h, [[17 / 20]])
    return "r, z, n = 3/4, 1/4, 4/5; h_next = 17/20"


def gru_step_backward_fixed(rnn, ref):
    # dh_next = 1, the gates of the step above (ah_n = 4):
    #   dn = 1 - z = 3/4;  dz = h_prev - n = 1/5;  dax_n = dn (1 - n^2) = 3/4 * 9/25 = 27/100
    #   dah_n = r dax_n = 81/400;  dr = dax_n ah_n = 27/25;  da_r = dr r (1 - r) = 27/25 * 3/16 = 81/400
    #   da_z = dz z (1 - z) = 1/5 * 3/16 = 3/80
    #   dax = (81/400, 3/80, 27/100), dah = (81/400, 3/80, 81/400)
    #   dx_t = dax We = 81/400 ln 3 - 3 * 27/100
    #   dh_prev = dah Wh + z = -3/80 ln 3 + 3 * 81/400 + 1/4
    #   x_t = h_prev = 1, so dWe = db_ih = dax and dWh = db_hh = dah
    dax = np.array([81 / 400, 3 / 80, 27 / 100])
    dah = np.array([81 / 400, 3 / 80, 81 / 400])
    _, cache = rnn.gru_step_forward(**_GS)
    dx, dhp, dWh, dWe, db_ih, db_hh = rnn.gru_step_backward(np.array([[1.0]]), cache)
    _close("dx_t", dx, [[81 / 400 * _L3 - 81 / 100]])
    _close("dh_prev", dhp, [[-3 / 80 * _L3 + 243 / 400 + 1 / 4]])
    _close("dWh", dWh, dah[:, None])
    _close("dWe", dWe, dax[:, None])
    _close("db_ih", db_ih, dax)
    _close("db_hh", db_hh, dah)
    return "dh_next = 1; r and b_hh inside n"


# Three scalar steps with Wh = 0: ax = We x_t = (ln 3, -ln 3, ln 3 - 3), ah = b_hh = (0, 0, 4), so at
# every step r = 3/4, z = 1/4, n = tanh(ln 3 - 3 + 3) = 4/5 and h_t = 3/5 + h_(t-1)/4. From h0 = 1:
#   h1 = 3/5 + 1/4 = 17/20,  h2 = 3/5 + 17/80 = 13/16,  h3 = 3/5 + 13/64 = 257/320
_GSEQ = dict(x=np.ones((1, 3, 1)), h0=np.array([[1.0]]), Wh=np.zeros((3, 1)),
             We=np.array([[_L3], [-_L3], [_L3 - 3]]), b_ih=np.zeros(3), b_hh=np.array([0.0, 0.0, 4.0]))


def gru_forward_fixed(rnn, ref):
    h, _ = rnn.gru_forward(**_GSEQ)
    _close("h", h, [[[17 / 20], [13 / 16], [257 / 320]]])
    return "h = 17/20, 13/16, 257/320"


def gru_backward_fixed(rnn, ref):
    # L = h3 on the three steps above. Wh = 0, so the gradient goes back only along the copy
    # path: dh_3 = 1, dh_2 = z = 1/4, dh_1 = 1/16, dh0 = z^3 = 1/64. At step t, with g = dh_t:
    #   dax_n = g (1 - z)(1 - n^2) = 27/100 g;  da_r = dax_n ah_n r (1 - r) = 81/400 g
    #   da_z = g (h_(t-1) - n) z (1 - z) = 3/16 g (h_(t-1) - 4/5), h_(t-1) - 4/5 = 1/5, 1/20, 1/80
    #   dx_t = ln 3 da_r - ln 3 da_z + (ln 3 - 3) dax_n
    #   db_hh = sum_t (da_r, da_z, r dax_n), sum_t g = 21/16:
    #         = (81/400 * 21/16, 3/16 (1/16 * 1/5 + 1/4 * 1/20 + 1/80) = 9/1280, 3/4 * 27/100 * 21/16)
    g = np.array([1 / 16, 1 / 4, 1.0])
    da_r, da_z, dax_n = 81 / 400 * g, 3 / 16 * g * np.array([1 / 5, 1 / 20, 1 / 80]), 27 / 100 * g
    _, cache = rnn.gru_forward(**_GSEQ)
    dx, dh0, dWh, dWe, db_ih, db_hh = rnn.gru_backward(np.array([[[0.0], [0.0], [1.0]]]), cache)
    _close("dh0", dh0, [[1 / 64]])
    _close("dx", dx, (_L3 * da_r - _L3 * da_z + (_L3 - 3) * dax_n).reshape(1, 3, 1))
    _close("db_hh", db_hh, [81 / 400 * 21 / 16, 9 / 1280, 3 / 4 * 27 / 100 * 21 / 16])
    return "L = h3, Wh = 0: dh0 = z^3 = 1/64"


# --- chapter 10: the many-to-one head ------------------------------------------------------
# N = 2 sequences, T = 2 steps, Dh = 1, K = 1. The first step (5 and -3) must not be read:
#   h_T = h[:, -1] = (1, 2);  U = 3, b2 = 1/2;  yhat = (3 + 1/2, 6 + 1/2) = (7/2, 13/2)
#   y = (2, 7):  yhat - y = (3/2, -1/2);  L = ((3/2)^2 + (1/2)^2) / 2 = (9/4 + 1/4) / 2 = 5/4
# Reading the first step instead gives yhat = (31/2, -17/2) and a loss in the hundreds;
# summing instead of averaging gives 5/2.
_HEAD = dict(h=np.array([[[5.0], [1.0]], [[-3.0], [2.0]]]), U=np.array([[3.0]]),
             b2=np.array([0.5]), y=np.array([[2.0], [7.0]]))


def mse_head_forward_fixed(rnn, ref):
    loss, cache = rnn.mse_head_forward(**_HEAD)
    _close("loss", loss, 5 / 4)
    _close("cache.yhat", cache.yhat, [[7 / 2], [13 / 2]])
    return "N = 2, T = 2, Dh = K = 1: yhat = 7/2, 13/2; loss = 5/4"


def mse_head_backward_fixed(rnn, ref):
    # The head above, M = N K = 2 entries, dloss = 1:
    #   dyhat = 2/M (yhat - y) = (3/2, -1/2)
    #   dh[:, -1] = dyhat U^T = (9/2, -3/2);  dh[:, 0] = 0 (the first step is not read)
    #   dU = h_T^T dyhat = 1 * 3/2 + 2 * (-1/2) = 1/2;  db2 = 3/2 - 1/2 = 1
    # Without the factor 2: dU = 1/4, db2 = 1/2. With dloss = 3 everything is 3 times larger.
    _, cache = rnn.mse_head_forward(**_HEAD)
    for dloss in (1.0, 3.0):
        dh, dU, db2 = rnn.mse_head_backward(dloss, cache)
        _close(f"dU (dloss = {dloss:g})", dU, [[dloss / 2]])
        _close(f"db2 (dloss = {dloss:g})", db2, [dloss])
        _close(f"dh (dloss = {dloss:g})", dh, dloss * np.array([[[0.0], [9 / 2]], [[0.0], [-3 / 2]]]))
    return "dloss = 1 and 3: dh[:, -1] = dloss (9/2, -3/2), dh[:, 0] = 0, dU = dloss/2, db2 = dloss"


# --- the tables ------------------------------------------------------------------------------

def _seed(function, k=0):
    """The seed of ``function``'s check number ``k``: from its name alone, or with the grader's SEED."""
    k += zlib.crc32(function.encode())
    return k if SEED is None else [int(SEED), k]


def agrees_with_reference(function):
    """The case of ``function`` at sizes and inputs drawn from SEED: every output as the reference's."""
    def check(rnn, ref):
        mine, sizes, _ = run_case(rnn, function, _seed(function))
        expected, _, _ = run_case(ref, function, _seed(function))
        for name, value in expected.items():
            if name not in mine:
                raise AssertionError(f"{name} is missing from the outputs")
            _close(name, mine[name], value)
        return " ".join(f"{k}={v}" for k, v in sizes.items())
    return check


def known(function):
    """The outputs of ``function``'s case at :data:`~rnn_assign.checklib.FIXED_SIZES`, to compare
    with the known-answer digests (:func:`run_one`)."""
    return lambda rnn, ref: KnownAnswer(run_case(rnn, function, _seed(function), FIXED_SIZES)[0])


def _checks(f, student):
    gradient = (lambda rnn, ref: gradient_check(rnn, ref, f, _seed(f, 1)))  # not the random sizes
    return [("fixed", d, c) for d, c in FIXED[f]] \
        + ([("gradient", BACKWARDS[f][0] + (" (of your own forward)" if student else ""), gradient)]
           if f in BACKWARDS else []) \
        + [("known", "known answers", known(f)) if student else
           ("random", "agrees with the reference at random sizes", agrees_with_reference(f))] \
        + ([("fixed", "float32 and no mutation", float32_check(f))] if f in FLOAT32 else [])


FIXED = {
    "rnn_step_forward": [("hand-worked step", step_forward_fixed)],
    "rnn_forward": [("scalar chain", rnn_forward_chain)],
    "softmax": [("closed form, stable", softmax_fixed)],
    "embedding_forward": [("row lookup", embedding_forward_fixed)],
    "affine_forward": [("hand-worked scores", affine_forward_fixed)],
    "softmax_cross_entropy": [("closed-form losses", xent_fixed)],
    "rnn_step_backward": [("hand-worked relu step", step_backward_fixed)],
    "affine_backward": [("all-ones upstream", affine_backward_fixed)],
    "embedding_backward": [("repeated ids", embedding_backward_fixed)],
    "backprop_recurrence": [("scalar chain", recurrence_fixed)],
    "rnn_backward": [("scalar chain", rnn_backward_fixed)],
    "truncated_rnn_backward": [("scalar chain, windows 1-3", truncated_fixed)],
    "clip_gradients": [("norm 5 example", clip_fixed)],
    "SGD._update": [("two momentum steps", sgd_fixed)],
    "Adagrad._update": [("two Adagrad steps", adagrad_fixed)],
    "Adam._update": [("two Adam steps", adam_fixed)],
    "NGram.log2_probs": [("add-one counts", ngram_fixed)],
    "sample_ids": [("a counting model", sample_fixed)],
    "train": [("an all-zero model, two steps", train_fixed)],
    "lstm_step_forward": [("hand-worked scalar step", lstm_step_forward_fixed)],
    "lstm_step_backward": [("hand-worked scalar step", lstm_step_backward_fixed)],
    "lstm_forward": [("two hand-worked scalar steps", lstm_forward_fixed)],
    "lstm_backward": [("two hand-worked scalar steps", lstm_backward_fixed)],
    "gru_step_forward": [("hand-worked scalar step", gru_step_forward_fixed)],
    "gru_step_backward": [("hand-worked scalar step", gru_step_backward_fixed)],
    "gru_forward": [("three hand-worked scalar steps", gru_forward_fixed)],
    "gru_backward": [("three hand-worked scalar steps", gru_backward_fixed)],
    "mse_head_forward": [("two hand-worked sequences", mse_head_forward_fixed)],
    "mse_head_backward": [("two hand-worked sequences, dloss = 1 and 3", mse_head_backward_fixed)],
}

#: The grader's checks, ``{function: [(kind, description, check), ...]}``.
CHECKS = {f: _checks(f, student=False) for f in CASES}
#: The student's checks (``check.py``), in the same form.
STUDENT_CHECKS = {f: _checks(f, student=True) for f in CASES}


def run_one(rnn, function, kind, description, check, digests):
    """``(passed, detail)`` of one of the student's checks; ``digests`` as in ``check.py``."""
    try:
        result = check(rnn, rnn)
        if isinstance(result, KnownAnswer):
            expected = digests.get(f"{function}: {description}", {})
            for name, (shape, _) in sorted(expected.items()):
                if name in result and list(np.shape(result[name])) != shape:
                    return False, f"{name}: shape {np.shape(result[name])}, expected {tuple(shape)}"
            wrong = [name for name, value in result.items()
                     if [list(np.shape(value)), digest(value)] != expected.get(name)]
            missing = sorted(set(expected) - set(result))
            if wrong or missing:
                return False, ("does not match the known answer: " + ", ".join(wrong + missing))
            return True, f"{len(result)} outputs match the known answers"
        return True, str(result)
    except NotImplementedError:
        return False, "not written yet (the stub raises NotImplementedError)"
    except Exception as exc:  # noqa: BLE001 - report every failure
        text = f"{type(exc).__name__}: {exc}"
        return False, text if len(text) <= 300 else text[:297] + "..."


def main(functions, digests, here):
    """``check.py``: the student's checks of ``functions`` on the ``rnn_core`` in folder ``here``."""
    sys.path.insert(0, here)
    sys.modules.pop("rnn_core", None)
    import rnn_core

    where = os.path.dirname(os.path.dirname(os.path.abspath(rnn_core.__file__)))
    if where != os.path.abspath(here):
        print(f"rnn_core was imported from {rnn_core.__file__}, not from this folder")
        return 2
    print(f"{'function':<24} {'kind':<9} {'result':<6} detail")
    print("-" * 96)
    passed = total = 0
    for function in functions:
        for kind, description, check in STUDENT_CHECKS.get(function, []):
            ok, detail = run_one(rnn_core, function, kind, description, check, digests)
            passed, total = passed + ok, total + 1
            print(f"{function:<24} {kind:<9} {'PASS' if ok else 'FAIL':<6} {description}: {detail}")
    print(f"\n{passed} of {total} checks pass")
    return 0 if total and passed == total else 1
