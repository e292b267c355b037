"""What the student's and the grader's checks share: written once, shipped inside each.

The student's ``check.py`` is this module followed by :mod:`rnn_assign.student_checks`;
the grader's ``checks.py`` is this module followed by :mod:`rnn_assign.checks`
(:func:`rnn_assign.edition.standalone` joins them). So this module, like those two,
imports numpy and the standard library only, never ``rnn_core``: the checks are
handed the code under test as ``rnn``, a :class:`Namespace` over a submission's
``rnn_core``.
"""

import hashlib
import importlib

import numpy as np

GRAD_TOL = 1e-6  # relative error of analytic vs numerical gradients, float64
FIXED_TOL = 1e-9
ACTIVATIONS = ("sigmoid", "tanh", "relu")
MODULES = ("cells", "recurrent", "layers", "losses", "activations", "truncated", "clipping",
           "gradient_flow", "optim", "model", "sampling", "ngram", "training", "data",
           "gradcheck")


class Namespace:
    """``rnn_core``'s top level, then its submodules: ``rnn.truncated_rnn_backward`` works."""

    def __init__(self, package):
        self._sources = [package]
        for name in MODULES:
            try:
                self._sources.append(importlib.import_module(f"{package.__name__}.{name}"))
            except ImportError:
                pass

    def __getattr__(self, name):
        for source in self._sources:
            if hasattr(source, name):
                return getattr(source, name)
        raise AttributeError(f"rnn_core has no attribute {name!r}")


class KnownAnswer(dict):
    """Outputs to compare with the digests of the reference outputs (student checks)."""


def digest(value) -> str:
    """A fingerprint of an array rounded to 6 decimals: the answer stays hidden."""
    a = np.asarray(value, dtype=np.float64)
    r = np.round(a, 6) + 0.0
    return hashlib.sha256(repr(a.shape).encode() + r.tobytes()).hexdigest()[:20]


def _rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise AssertionError(f"shape {a.shape}, expected {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def _grads(names, analytic, numeric):
    """Each analytic gradient against its numerical one; the worst relative error."""
    analytic = list(analytic)
    if len(analytic) != len(names):
        raise AssertionError(f"expected {len(names)} gradients ({', '.join(names)}), "
                             f"got {len(analytic)}")
    worst = 0.0
    for name, a, n in zip(names, analytic, numeric):
        err = _rel(a, n)
        if not err < GRAD_TOL:
            raise AssertionError(f"{name}: relative error {err:.1e} against the numerical "
                                 f"gradient (limit {GRAD_TOL:.0e})")
        worst = max(worst, err)
    return f"max rel. error {worst:.1e}"


def _close(name, got, expected, tol=FIXED_TOL):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise AssertionError(f"{name}: shape {got.shape}, expected {expected.shape}")
    if not np.allclose(got, expected, rtol=tol, atol=tol):
        raise AssertionError(f"{name}: got {np.round(got, 4).tolist()}, "
                             f"expected {np.round(expected, 4).tolist()}")


def _shape(name, got, shape):
    if np.shape(got) != tuple(shape):
        raise AssertionError(f"{name}: shape {np.shape(got)}, expected {tuple(shape)}")


def _unchanged(name, before, after):
    if not np.array_equal(before, after):
        raise AssertionError(f"{name} was modified")


def rnn_inputs(rng, d=3, Dh=4, N=2, T=3, scale=0.6):
    """Inputs and weights of an RNN: x (N, T, d), h0 (N, Dh), Wh, We, b1."""
    return dict(x=rng.normal(size=(N, T, d)), h0=rng.normal(size=(N, Dh)) * scale,
                Wh=rng.normal(size=(Dh, Dh)) * scale, We=rng.normal(size=(Dh, d)) * scale,
                b1=rng.normal(size=Dh) * 0.3)


class _PlainSGD:
    """``p - lr * g``: the checks' own optimiser, so a train check does not rest on optim.py."""

    def __init__(self):
        self.t, self.state = 0, {}  # train() snapshots these of any optimiser; no slots here

    def step(self, params, grads, lr):
        self.t += 1
        return {k: params[k] - lr * grads[k] for k in params}


# --- gradient checks: a backward pass against central differences of a forward -------------
# One check per idea, used twice: the grader differentiates the book's equations written out
# in checks.py, the student's check.py the edition's own forward pass.

def step_gradients(rnn, numgrad, rng, step):
    """``rnn_step_backward`` against central differences of ``step(x_t, h_prev, Wh, We, b1, act)``."""
    for act in ACTIVATIONS:
        p = rnn_inputs(rng)
        args = [p["x"][:, 0], p["h0"], p["Wh"], p["We"], p["b1"]]
        dh = rng.normal(size=p["h0"].shape)
        keep = dh.copy()
        _, cache = rnn.rnn_step_forward(*args, act)
        got = rnn.rnn_step_backward(dh, cache)
        _unchanged("dh_next", dh, keep)
        num = [numgrad(lambda v, i=i: step(*args[:i], v, *args[i + 1:], act), args[i].copy(), dh)
               for i in range(5)]
        msg = _grads([f"{n} ({act})" for n in ("dx_t", "dh_prev", "dWh", "dWe", "db1")], got, num)
    return msg + " (sigmoid, tanh, relu)"


def sequence_gradients(rnn, numgrad, rng, unroll, backward):
    """``backward(dh, inputs, act)`` (dx, dh0, dWh, dWe, db1) against central differences of
    ``unroll(x, h0, Wh, We, b1, activation) -> h`` (N, T, Dh)."""
    for act in ACTIVATIONS:
        p = rnn_inputs(rng, T=4)
        dh = rng.normal(size=(2, 4, p["h0"].shape[1]))
        keep = dh.copy()
        got = backward(dh, p, act)
        _unchanged("dh", dh, keep)
        num = [numgrad(lambda v, k=k: unroll(**{**p, k: v}, activation=act), p[k].copy(), dh)
               for k in p]
        msg = _grads([f"d{k} ({act})" for k in p], got, num)
    return msg + " (sigmoid, tanh, relu)"


def affine_gradients(rnn, numgrad, rng, affine):
    """``affine_backward`` against central differences of ``affine(h, U, b2) -> theta``."""
    args = [rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5)), rng.normal(size=5)]
    dtheta = rng.normal(size=(2, 3, 5))
    _, cache = rnn.affine_forward(*args)
    got = rnn.affine_backward(dtheta, cache)
    num = [numgrad(lambda v, i=i: affine(*args[:i], v, *args[i + 1:]), args[i].copy(), dtheta)
           for i in range(3)]
    return _grads(["dh", "dU", "db2"], got, num)


def embedding_gradients(rnn, numgrad, rng, embed):
    """``embedding_backward`` against central differences of ``embed(ids, E) -> x``."""
    ids, E, dx = rng.integers(0, 4, size=(3, 5)), rng.normal(size=(4, 3)), rng.normal(size=(3, 5, 3))
    _, cache = rnn.embedding_forward(ids, E)
    got = rnn.embedding_backward(dx, cache)
    num = numgrad(lambda v: embed(ids, v), E.copy(), dx)
    return _grads(["dE"], [got], [num]) + " (repeated ids included)"


def xent_gradients(rnn, numgrad, rng, loss):
    """The ``dtheta`` of ``softmax_cross_entropy`` against central differences of
    ``loss(theta, y, mask)``, with a mask."""
    theta, y = rng.normal(size=(2, 3, 5)) * 2, rng.integers(0, 5, size=(2, 3))
    mask = np.array([[True, True, False], [True, False, True]])
    _, d = rnn.softmax_cross_entropy(theta, y, mask=mask)
    return _grads(["dtheta"], [d], [numgrad(lambda t: loss(t, y, mask), theta.copy())])


# --- the gated cells: inputs and gradient checks -------------------------------------------
# ``step(x_t, h_prev, c_prev, Wh, We, b1)`` of an LSTM returns h_next and c_next side by side,
# (N, 2Dh), so one upstream gradient [dh_next, dc_next] checks both outputs at once.

GATES = {"lstm": 4, "gru": 3}


def gated_inputs(rng, cell, N=2, T=3, d=3, Dh=4, scale=0.6):
    """Inputs and weights of an LSTM (x, h0, Wh, We, b1, c0) or a GRU (x, h0, Wh, We, b_ih, b_hh),
    PyTorch's layout: Wh (G*Dh, Dh), We (G*Dh, d) with G = 4 or 3 gate blocks."""
    G = GATES[cell]
    p = dict(x=rng.normal(size=(N, T, d)), h0=rng.normal(size=(N, Dh)) * scale,
             Wh=rng.normal(size=(G * Dh, Dh)) * scale, We=rng.normal(size=(G * Dh, d)) * scale)
    if cell == "lstm":
        p.update(b1=rng.normal(size=G * Dh) * 0.3, c0=rng.normal(size=(N, Dh)))
    else:
        p.update(b_ih=rng.normal(size=G * Dh) * 0.3, b_hh=rng.normal(size=G * Dh) * 0.3)
    return p


def _gated_sizes(rng):
    """Two sets of sizes: the smallest (N = T = d = Dh = 1), then sizes drawn from ``rng``."""
    return [dict(N=1, T=1, d=1, Dh=1),
            dict(N=int(rng.integers(1, 4)), T=int(rng.integers(2, 5)),
                 d=int(rng.integers(2, 4)), Dh=int(rng.integers(2, 4)))]


def _gradient_report(messages, sizes, step):
    """``max rel. error 3e-11 at N=1 d=1 Dh=1; ...``: one entry per set of sizes."""
    form = "N={N} d={d} Dh={Dh}" if step else "N={N} T={T} d={d} Dh={Dh}"
    return "; ".join(f"{m} at {form.format(**s)}" for m, s in zip(messages, sizes))


def lstm_step_gradients(rnn, numgrad, rng, step):
    """``lstm_step_backward`` against central differences of
    ``step(x_t, h_prev, c_prev, Wh, We, b1) -> [h_next, c_next]`` (N, 2Dh)."""
    names = ("dx_t", "dh_prev", "dc_prev", "dWh", "dWe", "db1")
    messages, sizes = [], _gated_sizes(rng)
    for s in sizes:
        p = gated_inputs(rng, "lstm", **s)
        args = [p["x"][:, 0], p["h0"], p["c0"], p["Wh"], p["We"], p["b1"]]
        dh, dc = rng.normal(size=p["h0"].shape), rng.normal(size=p["h0"].shape)
        keep = [a.copy() for a in (dh, dc)]
        _, _, cache = rnn.lstm_step_forward(*args)
        got = rnn.lstm_step_backward(dh, dc, cache)
        _unchanged("dh_next", dh, keep[0])
        _unchanged("dc_next", dc, keep[1])
        up = np.concatenate((dh, dc), axis=1)
        num = [numgrad(lambda v, i=i: step(*args[:i], v, *args[i + 1:]), args[i].copy(), up)
               for i in range(6)]
        messages.append(_grads(names, got, num))
    return _gradient_report(messages, sizes, step=True)


def lstm_sequence_gradients(rnn, numgrad, rng, unroll):
    """``lstm_backward`` (dx, dh0, dWh, dWe, db1, dc0) against central differences of
    ``unroll(x, h0, Wh, We, b1, c0) -> h`` (N, T, Dh)."""
    return _sequence_gradients(rnn, numgrad, rng, unroll, "lstm")


def gru_step_gradients(rnn, numgrad, rng, step):
    """``gru_step_backward`` against central differences of
    ``step(x_t, h_prev, Wh, We, b_ih, b_hh) -> h_next`` (N, Dh)."""
    names = ("dx_t", "dh_prev", "dWh", "dWe", "db_ih", "db_hh")
    messages, sizes = [], _gated_sizes(rng)
    for s in sizes:
        p = gated_inputs(rng, "gru", **s)
        args = [p["x"][:, 0], p["h0"], p["Wh"], p["We"], p["b_ih"], p["b_hh"]]
        dh = rng.normal(size=p["h0"].shape)
        keep = dh.copy()
        _, cache = rnn.gru_step_forward(*args)
        got = rnn.gru_step_backward(dh, cache)
        _unchanged("dh_next", dh, keep)
        num = [numgrad(lambda v, i=i: step(*args[:i], v, *args[i + 1:]), args[i].copy(), dh)
               for i in range(6)]
        messages.append(_grads(names, got, num))
    return _gradient_report(messages, sizes, step=True)


def gru_sequence_gradients(rnn, numgrad, rng, unroll):
    """``gru_backward`` (dx, dh0, dWh, dWe, db_ih, db_hh) against central differences of
    ``unroll(x, h0, Wh, We, b_ih, b_hh) -> h`` (N, T, Dh)."""
    return _sequence_gradients(rnn, numgrad, rng, unroll, "gru")


def _sequence_gradients(rnn, numgrad, rng, unroll, cell):
    """``{cell}_backward``: one gradient per input of ``{cell}_forward``, in its argument order."""
    forward, backward = getattr(rnn, f"{cell}_forward"), getattr(rnn, f"{cell}_backward")
    messages, sizes = [], _gated_sizes(rng)
    for s in sizes:
        p = gated_inputs(rng, cell, **s)  # keys in the forward's argument order
        dh = rng.normal(size=(s["N"], s["T"], s["Dh"]))
        keep = dh.copy()
        _, cache = forward(**p)
        got = backward(dh, cache)
        _unchanged("dh", dh, keep)
        num = [numgrad(lambda v, k=k: unroll(**{**p, k: v}), p[k].copy(), dh) for k in p]
        messages.append(_grads([f"d{k}" for k in p], got, num))
    return _gradient_report(messages, sizes, step=False)


def gated_float32(rnn, cell, function):
    """float32 in, float32 out, for ``function`` (a forward or a backward of ``cell``);
    no input, upstream gradients included, modified."""
    p = {k: v.astype(np.float32) for k, v in gated_inputs(np.random.default_rng(5), cell).items()}
    step = function.startswith(cell + "_step")
    if cell == "lstm":
        args = ([p["x"][:, 0], p["h0"], p["c0"], p["Wh"], p["We"], p["b1"]] if step
                else [p["x"], p["h0"], p["Wh"], p["We"], p["b1"], p["c0"]])
    else:
        args = ([p["x"][:, 0], p["h0"], p["Wh"], p["We"], p["b_ih"], p["b_hh"]] if step
                else [p["x"], p["h0"], p["Wh"], p["We"], p["b_ih"], p["b_hh"]])
    keep = [a.copy() for a in args]
    forward = getattr(rnn, f"{cell}_step_forward" if step else f"{cell}_forward")
    out = forward(*args)
    if function.endswith("_forward"):
        outputs = out[:-1]
    else:
        # one upstream gradient per output: (dh_next, dc_next) of an LSTM step, dh otherwise
        ups = [np.full(np.shape(o), 0.5, dtype=np.float32) for o in out[:-1]]
        keep_ups = [u.copy() for u in ups]
        outputs = getattr(rnn, function)(*ups, out[-1])
        for u, k in zip(ups, keep_ups):
            _unchanged("the upstream gradient", u, k)
    for o in outputs:
        if np.asarray(o).dtype != np.float32:
            raise AssertionError(f"float32 inputs gave {np.asarray(o).dtype}")
    for a, k in zip(args, keep):
        _unchanged("an input array", a, k)
    return "float32 in, float32 out; inputs unchanged"


# --- the many-to-one head (chapter 10): inputs and gradient check ---------------------------

def head_inputs(rng, N=2, T=3, Dh=3, K=2):
    """Inputs of the head: h (N, T, Dh), U (Dh, K), b2 (K,), y (N, K)."""
    return dict(h=rng.normal(size=(N, T, Dh)), U=rng.normal(size=(Dh, K)),
                b2=rng.normal(size=K), y=rng.normal(size=(N, K)))


def _head_sizes(rng):
    """The smallest sizes (all 1), then sizes from ``rng`` with N > 1 and Dh > K > 1: a
    transposed dU cannot pass for the right one, nor a mean over N alone (or over K alone) for
    the mean over the N K entries, nor a db2 averaged instead of summed."""
    return [dict(N=1, T=1, Dh=1, K=1),
            dict(N=int(rng.integers(2, 4)), T=int(rng.integers(2, 5)),
                 Dh=int(rng.integers(4, 6)), K=int(rng.integers(2, 4)))]


def head_gradients(rnn, numgrad, rng, loss):
    """``mse_head_backward`` (dh, dU, db2) against central differences of
    ``dloss * loss(h, U, b2, y)``, with ``dloss`` drawn from ``rng`` (not 1)."""
    names, order = ("dh", "dU", "db2"), ("h", "U", "b2")
    messages, sizes = [], _head_sizes(rng)
    for s in sizes:
        p = head_inputs(rng, **s)
        dloss = float(rng.uniform(0.5, 2.0))
        _, cache = rnn.mse_head_forward(**p)
        got = list(rnn.mse_head_backward(dloss, cache))
        if len(got) == 3 and np.ndim(got[0]) == 3 and np.any(np.asarray(got[0])[:, :-1]):
            raise AssertionError("dh is not zero before the last step: the head reads h[:, -1] only")
        num = [numgrad(lambda v, k=k: dloss * loss(**{**p, k: v}), p[k].copy()) for k in order]
        messages.append(_grads(names, got, num))
    return "; ".join(f"{m} at N={s['N']} T={s['T']} Dh={s['Dh']} K={s['K']}"
                     for m, s in zip(messages, sizes))


def head_float32(rnn, function):
    """float32 in, float32 out (the loss, or the three gradients); no input modified."""
    p = {k: v.astype(np.float32) for k, v in head_inputs(np.random.default_rng(5)).items()}
    keep = {k: v.copy() for k, v in p.items()}
    loss, cache = rnn.mse_head_forward(**p)
    outputs = {"loss": loss}
    if function == "mse_head_backward":
        outputs = dict(zip(("dh", "dU", "db2"), rnn.mse_head_backward(1.0, cache)))
    for name, o in outputs.items():
        if np.asarray(o).dtype != np.float32:
            raise AssertionError(f"float32 inputs gave {name} of dtype {np.asarray(o).dtype}")
    for k in p:
        _unchanged(k, p[k], keep[k])
    return "float32 in, float32 out; inputs unchanged"
