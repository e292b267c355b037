"""The checks a student runs: with :mod:`rnn_assign.checklib`, the ``check.py`` of every edition.

:func:`rnn_assign.edition.check_script` ships this module, joined with ``checklib``, as the
edition's ``check.py``, so it must not give answers away. Each function gets, from the shared
table of cases (:data:`rnn_assign.checklib.CASES`):

* **known answer**: the case's outputs at fixed sizes and inputs, compared with the shapes and
  SHA-256 digests of the reference outputs (rounded to 6 decimals) that the edition builder
  computes (:func:`rnn_assign.edition.known_digests`): the inputs are visible, the answers not;
* **gradient**: a backward pass against central differences of the edition's own forward pass
  (``numerical_gradient`` from ``rnn_core.gradcheck``);
* **property**: float32 kept and inputs unchanged, and the invariants below (shapes are
  reported by the known-answer check).

Checks are called as ``check(rnn, own)``, both the edition's ``rnn_core`` (the edition builder
passes the reference as both, to compute the digests). The grader does not use these: it runs :mod:`rnn_assign.checks`,
which the editions do not contain, with randomised checks drawn at grading time.
"""

import math
import os
import sys
import warnings
import zlib

import numpy as np

from .checklib import (
    CASES,
    FIXED_SIZES,
    FLOAT32,
    BACKWARDS,
    KnownAnswer,
    Namespace,
    _PlainSGD,
    _step_of,
    _unchanged,
    digest,
    float32_check,
    gradient_check,
    gated_inputs,
    head_inputs,
    rnn_inputs,
    run_case,
)


def _seed(function):
    return zlib.crc32(function.encode())


def known(function):
    """The outputs of ``function``'s case at :data:`~rnn_assign.checklib.FIXED_SIZES`, for the
    known-answer digests."""
    return lambda rnn, own: KnownAnswer(run_case(rnn, function, _seed(function), FIXED_SIZES)[0])


def own_gradient(function):
    return lambda rnn, own: gradient_check(rnn, own, function, _seed(function) + 1)


# --- invariants, chapter by chapter ------------------------------------------------------------

def step_forward_range(rnn, own):
    p = _step_of(rnn_inputs(np.random.default_rng(102), N=3))
    for act, lo, hi in (("sigmoid", 0, 1), ("tanh", -1, 1)):
        h, _ = rnn.rnn_step_forward(**p, activation=act)
        if not (np.all(h > lo) and np.all(h < hi)):
            raise AssertionError(f"h_next ({act}) outside ({lo}, {hi})")
    return "sigmoid in (0, 1), tanh in (-1, 1)"


def rnn_forward_properties(rnn, own):
    p = rnn_inputs(np.random.default_rng(202), T=6)
    h, _ = rnn.rnn_forward(**p, activation="tanh")
    h3, _ = rnn.rnn_forward(**{**p, "x": p["x"][:, :3]}, activation="tanh")
    if not np.allclose(h3, h[:, :3], rtol=1e-12, atol=1e-12):
        raise AssertionError("a run on the first 3 steps does not give the first 3 states")
    state = p["h0"]
    for t in range(6):
        state, _ = rnn.rnn_step_forward(p["x"][:, t], state, p["Wh"], p["We"], p["b1"], "tanh")
        if not np.allclose(h[:, t], state, rtol=1e-10, atol=1e-12):
            raise AssertionError(f"h[:, {t}] differs from {t + 1} steps of rnn_step_forward")
    return "prefixes, agrees with the cell step by step"


def softmax_properties(rnn, own):
    x = np.random.default_rng(302).normal(size=(4, 6)) * 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = rnn.softmax(x)
        big = rnn.softmax(np.array([[1000.0, 999.0, -1000.0]]))
    if not (np.all(p >= 0) and np.allclose(p.sum(axis=-1), 1.0)):
        raise AssertionError("rows are not probabilities (non-negative, sum 1)")
    if not np.allclose(rnn.softmax(x + 7.5), p):
        raise AssertionError("adding a constant to every logit changed the probabilities")
    if not (np.all(np.isfinite(big)) and np.isclose(big.sum(), 1.0)):
        raise AssertionError("logits near 1000 overflow")
    return "probabilities, unchanged by a shift, no overflow at 1000"


def embedding_forward_copy(rnn, own):
    rng = np.random.default_rng(312)
    E, ids = rng.normal(size=(5, 3)), rng.integers(0, 5, size=(2, 4))
    keep = E.copy()
    x, _ = rnn.embedding_forward(ids, E)
    x[...] = 0.0
    _unchanged("E (writing to x)", E, keep)
    return "a copy of the rows"


def affine_forward_per_step(rnn, own):
    rng = np.random.default_rng(322)
    h, U, b2 = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5)), rng.normal(size=5)
    theta, _ = rnn.affine_forward(h, U, b2)
    one, _ = rnn.affine_forward(h[:, 1:2], U, b2)
    if not np.allclose(one[:, 0], theta[:, 1]):
        raise AssertionError("the scores of a step depend on the other steps")
    return "each step on its own"


def xent_properties(rnn, own):
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


def clip_properties(rnn, own):
    rng = np.random.default_rng(612)
    grads = {"a": rng.normal(size=(3, 2)), "b": rng.normal(size=5)}
    total = math.sqrt(sum(float(np.sum(v * v)) for v in grads.values()))
    clipped, norm = rnn.clip_gradients(grads, total / 4)
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
    return "norm, bound, direction, under the threshold, by value"


def ngram_properties(rnn, own):
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


def sample_properties(rnn, own):
    V = 5
    model = rnn.CharRNN.init(V, 4, 3, np.random.default_rng(721), dtype=np.float64)
    ids = rnn.sample_ids(model, np.random.default_rng(1), 20)
    again = rnn.sample_ids(model, np.random.default_rng(1), 20)
    if np.shape(ids) != (20,) or ids.dtype != np.int64 or ids.min() < 0 or ids.max() >= V:
        raise AssertionError(f"expected 20 int64 ids in [0, {V}), got {ids.dtype} {ids.tolist()}")
    if not np.array_equal(ids, again):
        raise AssertionError("the same rng seed gave different samples")
    if len(rnn.sample_ids(model, np.random.default_rng(1), 0)) != 0:
        raise AssertionError("length 0 did not give 0 ids")
    return "length, dtype, range, reproducible"


def train_properties(rnn, own):
    rng = np.random.default_rng(731)
    ids = rng.integers(0, 5, size=60)
    model = rnn.CharRNN.init(5, 6, 3, rng, dtype=np.float64)
    keep = {k: v.copy() for k, v in model.params.items()}
    config = rnn.TrainConfig(steps=3, lr=0.1, clip=None, eval_every=100, eval_streams=2)
    trained, _, state = rnn.train(model, _PlainSGD(), rnn.StreamBatcher(ids, N=2, T=4), ids[:20],
                                  config, progress=False)
    if len(state.train_loss) != 3 or state.step != 3:
        raise AssertionError(f"3 steps gave step {state.step} and {len(state.train_loss)} losses")
    if not all(math.isfinite(v) for v in state.train_loss):
        raise AssertionError("a training loss is not finite")
    if state.h is None or np.shape(state.h) != (2, 6):
        raise AssertionError("the carried state h is missing or has the wrong shape")
    if all(np.array_equal(trained.params[k], keep[k]) for k in keep):
        raise AssertionError("the parameters did not change")
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


def lstm_step_forward_properties(rnn, own):
    p = _step_of(gated_inputs(np.random.default_rng(802), "lstm", N=3, d=2, Dh=3), "lstm")
    h, c, _ = rnn.lstm_step_forward(**p)
    if not np.all(np.abs(h) < 1):
        raise AssertionError("|h_next| >= 1: h_next = o * tanh(c_next) lies in (-1, 1)")
    # Gates forced by their biases alone (weights zero): the forget gate open and the input
    # gate shut keep the cell; the other way round, the cell is overwritten by g.
    Dh = 3
    zero = dict(p, Wh=np.zeros_like(p["Wh"]), We=np.zeros_like(p["We"]))
    g = np.linspace(-0.5, 0.5, Dh)
    for name, i_bias, f_bias, expected in (("kept", -50.0, 50.0, p["c_prev"]),
                                           ("overwritten", 50.0, -50.0, np.tanh(g) + 0 * p["c_prev"])):
        b1 = np.concatenate([np.full(Dh, i_bias), np.full(Dh, f_bias), g, np.zeros(Dh)])
        _, c, _ = rnn.lstm_step_forward(**{**zero, "b1": b1})
        if not np.allclose(c, expected, atol=1e-9):
            raise AssertionError(f"with the forget gate {'open' if f_bias > 0 else 'shut'} and "
                                 f"the input gate {'open' if i_bias > 0 else 'shut'} (gates "
                                 "stacked i, f, g, o) the cell was not " + name)
    return "|h| < 1, gate order i, f, g, o (a cell kept, a cell overwritten)"


def _step_by_step(rnn, cell, h, p):
    state, c = p["h0"], p.get("c0")
    for t in range(h.shape[1]):
        args = _step_of({**p, "x": p["x"][:, t:], "h0": state, "c0": c}, cell)
        out = getattr(rnn, f"{cell}_step_forward")(**args)
        state, c = out[0], (out[1] if cell == "lstm" else None)
        if not np.allclose(h[:, t], state, rtol=1e-10, atol=1e-12):
            raise AssertionError(f"h[:, {t}] differs from {t + 1} steps of {cell}_step_forward")


def lstm_forward_properties(rnn, own):
    p = gated_inputs(np.random.default_rng(812), "lstm", N=2, T=5, d=3, Dh=2)
    h, _ = rnn.lstm_forward(**p)
    _step_by_step(rnn, "lstm", h, p)
    zeros, _ = rnn.lstm_forward(**{**p, "c0": np.zeros_like(p["c0"])})
    none, _ = rnn.lstm_forward(**{**p, "c0": None})
    if not np.allclose(zeros, none, rtol=1e-12, atol=1e-12):
        raise AssertionError("c0=None does not give the same states as c0 = zeros")
    return "agrees with lstm_step_forward step by step, c0=None means zeros"


def gru_step_forward_properties(rnn, own):
    p = _step_of(gated_inputs(np.random.default_rng(902), "gru", N=3, d=2, Dh=3), "gru")
    # The update gate forced by its bias (z is the middle block of r, z, n): z = 1 copies h_prev.
    Dh = 3
    b_ih = p["b_ih"].copy()
    b_ih[Dh:2 * Dh] = 50.0
    h, _ = rnn.gru_step_forward(**{**p, "b_ih": b_ih})
    if not np.allclose(h, p["h_prev"], atol=1e-9):
        raise AssertionError("with the update gate z = 1 (gates stacked r, z, n) h_next is not h_prev")
    b_ih[Dh:2 * Dh] = -50.0
    h, _ = rnn.gru_step_forward(**{**p, "b_ih": b_ih, "h_prev": 5 * p["h_prev"]})
    if not np.all(np.abs(h) < 1):
        raise AssertionError("with the update gate z = 0, h_next = n should lie in (-1, 1)")
    return "gate order r, z, n (z = 1 copies h_prev, z = 0 gives n)"


def gru_forward_properties(rnn, own):
    p = gated_inputs(np.random.default_rng(912), "gru", N=2, T=5, d=3, Dh=2)
    h, _ = rnn.gru_forward(**p)
    _step_by_step(rnn, "gru", h, p)
    return "agrees with gru_step_forward step by step"


def mse_head_forward_properties(rnn, own):
    p = head_inputs(np.random.default_rng(1002), N=3, T=4, Dh=3, K=2)
    loss, cache = rnn.mse_head_forward(**p)
    if not loss > 0:
        raise AssertionError(f"loss {float(loss):.4g}: a mean of squares of nonzero errors is > 0")
    # only the last state is read: changing the earlier ones changes nothing
    h = p["h"].copy()
    h[:, :-1] = 100.0
    if not np.isclose(rnn.mse_head_forward(**{**p, "h": h})[0], loss, rtol=1e-12, atol=0):
        raise AssertionError("the loss changed with h[:, :-1]: the head reads the last state only")
    # targets equal to the predictions: no error
    zero, _ = rnn.mse_head_forward(**{**p, "y": np.array(cache.yhat)})
    if not abs(zero) < 1e-12:
        raise AssertionError(f"y = cache.yhat gave loss {float(zero):.3g}, expected 0")
    # a mean, not a sum: the same rows twice give the same loss
    twice = {k: np.concatenate([v, v]) if k in ("h", "y") else v for k, v in p.items()}
    if not np.isclose(rnn.mse_head_forward(**twice)[0], loss, rtol=1e-12, atol=0):
        raise AssertionError("repeating every sequence changed the loss: average, do not sum")
    return "loss > 0, only h[:, -1] read, 0 when y = yhat, a mean"


def mse_head_backward_properties(rnn, own):
    p = head_inputs(np.random.default_rng(1003), N=3, T=4, Dh=3, K=2)
    _, cache = rnn.mse_head_forward(**p)
    dh, dU, db2 = rnn.mse_head_backward(1.0, cache)
    if np.any(dh[:, :-1]):
        raise AssertionError("dh is not zero before the last step")
    _, cache = rnn.mse_head_forward(**{**p, "y": np.array(cache.yhat)})
    for name, g in zip(("dh", "dU", "db2"), rnn.mse_head_backward(1.0, cache)):
        if np.any(g):
            raise AssertionError(f"with y = yhat (no error) {name} is not zero")
    return "dh zero before the last step, zero error gives zero gradients"


PROPERTIES = {
    "rnn_step_forward": [("range", step_forward_range)],
    "rnn_forward": [("prefixes, cell by cell", rnn_forward_properties)],
    "softmax": [("probabilities, stable", softmax_properties)],
    "embedding_forward": [("a copy", embedding_forward_copy)],
    "affine_forward": [("per step", affine_forward_per_step)],
    "softmax_cross_entropy": [("uniform logits, stable", xent_properties)],
    "clip_gradients": [("norm, bound, direction", clip_properties)],
    "NGram.log2_probs": [("sums to one", ngram_properties)],
    "sample_ids": [("length, range, reproducible", sample_properties)],
    "train": [("the loop's bookkeeping, divergence", train_properties)],
    "lstm_step_forward": [("range, gate order", lstm_step_forward_properties)],
    "lstm_forward": [("step by step, c0=None", lstm_forward_properties)],
    "gru_step_forward": [("gate order", gru_step_forward_properties)],
    "gru_forward": [("step by step", gru_forward_properties)],
    "mse_head_forward": [("last state only, a mean", mse_head_forward_properties)],
    "mse_head_backward": [("the last step only, zero error", mse_head_backward_properties)],
}

# function -> [(kind, description, check)]
CHECKS = {f: [("known", "fixed inputs", known(f))]
          + ([("gradient", BACKWARDS[f][0] + " (of your own forward)", own_gradient(f))]
             if f in BACKWARDS else [])
          + [("property", d, c) for d, c in PROPERTIES.get(f, [])]
          + ([("property", "float32, no mutation", float32_check(f))] if f in FLOAT32 else [])
          for f in CASES}


def run_one(rnn, function, kind, description, check, digests):
    """``(passed, detail)`` of one check."""
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
    print(f"{'function':<24} {'kind':<9} {'result':<6} detail")
    print("-" * 96)
    passed = total = 0
    for function in functions:
        for kind, description, check in CHECKS.get(function, []):
            ok, detail = run_one(rnn, function, kind, description, check, digests)
            passed, total = passed + ok, total + 1
            print(f"{function:<24} {kind:<9} {'PASS' if ok else 'FAIL':<6} {description}: {detail}")
    print(f"\n{passed} of {total} checks pass")
    return 0 if total and passed == total else 1
