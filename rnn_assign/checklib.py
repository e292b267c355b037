"""How the checks draw a graded function's inputs and run them: one case per function.

The grader's ``checks.py`` and the student's ``check.py`` are this module followed by
:mod:`rnn_assign.checks` (:func:`rnn_assign.edition.standalone` joins them). So this module,
like that one, imports numpy and the standard library only, never ``rnn_core``: the checks
are handed the ``rnn_core`` under test as ``rnn`` (every name they use is at its top level).
"""

import hashlib

import numpy as np

GRAD_TOL = 1e-6  # relative error of analytic vs numerical gradients, float64
FIXED_TOL = 1e-9
ACTIVATIONS = ("sigmoid", "tanh", "relu")


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


def _unchanged(name, before, after):
    if not np.array_equal(before, after):
        raise AssertionError(f"{name} was modified")


class _PlainSGD:
    """``p - lr * g``: the checks' own optimiser, so a train check does not rest on optim.py."""

    def __init__(self):
        self.t, self.state = 0, {}  # train() snapshots these of any optimiser; no slots here

    def step(self, params, grads, lr):
        self.t += 1
        return {k: params[k] - lr * grads[k] for k in params}


# --- one case per function: inputs drawn from an rng, and the outputs that must agree ---------
# ``CASES[f] = (inputs, call)``: ``inputs(rng, s)`` draws the arguments at the sizes ``s``, and
# ``call(m, p)`` runs them through the ``rnn_core`` package ``m``, returning every output by name. The
# student's check.py runs each case at fixed sizes and compares the outputs with digests of the
# reference's (known answers); the grader draws the sizes from its seed and compares with the
# reference itself, loaded apart from the submission.

#: Sizes of the student's known-answer cases.
FIXED_SIZES = dict(N=2, T=4, d=3, Dh=4, V=5, K=2)


def draw_sizes(rng):
    """N, T, d, Dh, V, K drawn from ``rng``; all but d at least 2, so that sequences mixed up
    (N), steps mixed up (T) or a transposed matrix (Dh, V, K) show in the values."""
    return dict(N=int(rng.integers(2, 5)), T=int(rng.integers(2, 6)), d=int(rng.integers(1, 5)),
                Dh=int(rng.integers(2, 6)), V=int(rng.integers(3, 7)), K=int(rng.integers(2, 4)))


def _named(names, values):
    values = list(values)
    if len(values) != len(names):
        raise AssertionError(f"expected {len(names)} outputs ({', '.join(names)}), got {len(values)}")
    return dict(zip(names, values))


def _without(p, *keys):
    return {k: v for k, v in p.items() if k not in keys}


def _step_of(p, cell="rnn"):
    """The one-step arguments of a cell from its sequence inputs (the first time step)."""
    names = {"rnn": ("x_t", "h_prev", "Wh", "We", "b1"),
             "lstm": ("x_t", "h_prev", "c_prev", "Wh", "We", "b1"),
             "gru": ("x_t", "h_prev", "Wh", "We", "b_ih", "b_hh")}[cell]
    values = {"x_t": p["x"][:, 0], "h_prev": p["h0"], "c_prev": p.get("c0"), **p}
    return {k: values[k] for k in names}


GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _cell(r, s, cell="rnn", ups=(), step=False):
    """Inputs and weights of a cell at the sizes ``s`` in PyTorch's layout (``G`` gate blocks
    stacked in ``Wh`` and ``We``): x, h0, Wh, We, then b1, or b_ih and b_hh (GRU), and c0 (LSTM);
    with ``step``, those of one step (x_t, h_prev, ...); and the upstream gradients ``ups``."""
    N, T, d, Dh, G = s["N"], 1 if step else s["T"], s["d"], s["Dh"], GATES[cell]
    p = dict(x=r.normal(size=(N, T, d)), h0=r.normal(size=(N, Dh)) * 0.6,
             Wh=r.normal(size=(G * Dh, Dh)) * 0.6, We=r.normal(size=(G * Dh, d)) * 0.6)
    if cell == "gru":
        p.update(b_ih=r.normal(size=G * Dh) * 0.3, b_hh=r.normal(size=G * Dh) * 0.3)
    else:
        p.update(b1=r.normal(size=G * Dh) * 0.3)
    if cell == "lstm":
        p.update(c0=r.normal(size=(N, Dh)))
    if step:
        p = _step_of(p, cell)
    for up in ups:
        p[up] = r.normal(size=(N, Dh) if step else (N, T, Dh))
    return p


def _per_activation(f):
    return lambda m, p: {f"{k} ({a})": v for a in ACTIVATIONS for k, v in f(m, p, a).items()}


def _backward(forward, backward, ups, names, **fixed):
    """Run ``forward`` on the inputs without the upstream gradients ``ups``, then ``backward``."""
    def call(m, p):
        cache = getattr(m, forward)(**_without(p, *ups), **fixed)[-1]
        grads = getattr(m, backward)(*(p[u] for u in ups), cache)
        return _named(names, [grads] if len(names) == 1 else grads)
    return call


def _steps(make):
    """Three steps of an optimiser; the parameters after each."""
    def call(m, p):
        opt, params, out = make(m, p), p["params"], {}
        for t, grads in enumerate(p["grads"], 1):
            params = opt.step(params, grads)
            out.update({f"{k} after step {t}": v for k, v in params.items()})
        return out
    return call


def _opt_inputs(r, s):
    params = {"w": r.normal(size=(s["N"], s["d"])), "b": r.normal(size=s["Dh"])}
    grads = [{k: r.normal(size=v.shape) for k, v in params.items()} for _ in range(3)]
    return dict(params=params, grads=grads, lr=float(r.uniform(0.01, 0.5)),
                a=float(r.uniform(0.5, 0.95)), b=float(r.uniform(0.9, 0.999)),
                eps=float(r.uniform(1e-3, 1e-1)))


def _permutation_model(m, perm):
    """A CharRNN that always predicts ``perm[current id]``: one-hot input, We = 3 I, Wh = 0,
    U[i, perm[i]] = 100, so the right logit leads by about 99."""
    V = len(perm)
    U = np.zeros((V, V))
    U[np.arange(V), perm] = 100.0
    return m.CharRNN(dict(E=np.eye(V), We=3 * np.eye(V), Wh=np.zeros((V, V)), b1=np.zeros(V),
                          U=U, b2=np.zeros(V)), activation="tanh")


def _clipped(m, grads, c, mode):
    clipped, norm = m.clip_gradients(grads, c, mode=mode)
    return {**clipped, "norm": norm}


def _tiny_run(m, p):
    """Two steps of ``train`` with plain SGD and clipping on a stream of ids."""
    batcher = m.StreamBatcher(p["ids"], N=2, T=4)
    model = m.CharRNN(p["params"], "tanh")
    config = m.TrainConfig(steps=2, lr=p["lr"], clip=p["clip"], eval_every=100, eval_streams=2)
    trained, _, state = m.train(model, _PlainSGD(), batcher, p["ids"][:20], config, progress=False)
    return dict(train_loss=state.train_loss, grad_norm=state.grad_norm,
                **{f"params[{k!r}]": v for k, v in trained.params.items()})


def _train_inputs(r, s):
    V, Dh, d = s["V"], s["Dh"], s["d"]
    params = dict(E=r.normal(size=(V, d)), We=r.normal(size=(Dh, d)) * 0.5,
                  Wh=r.normal(size=(Dh, Dh)) * 0.5, b1=np.zeros(Dh),
                  U=r.normal(size=(Dh, V)) * 0.5, b2=np.zeros(V))
    return dict(ids=r.integers(0, V, size=60), params=params, lr=float(r.uniform(0.05, 0.5)),
                clip=float(r.uniform(1e-3, 1e-2)))  # far below the gradient norm: it clips


#: function -> ``(inputs, call)``: one case per graded function (see above).
CASES = {
    "rnn_step_forward": (lambda r, s: _cell(r, s, step=True), _per_activation(
        lambda m, p, a: {"h_next": m.rnn_step_forward(**p, activation=a)[0]})),
    "rnn_forward": (_cell, _per_activation(lambda m, p, a: {"h": m.rnn_forward(**p, activation=a)[0]})),
    "softmax": (lambda r, s: dict(x=r.normal(size=(s["N"], s["T"], s["V"])) * 3 + r.normal() * 50),
                lambda m, p: {"softmax": m.softmax(p["x"])}),
    "embedding_forward": (lambda r, s: dict(ids=r.integers(0, s["V"], size=(s["N"], s["T"])),
                                            E=r.normal(size=(s["V"], s["d"]))),
                          lambda m, p: {"x": m.embedding_forward(**p)[0]}),
    "affine_forward": (lambda r, s: dict(h=r.normal(size=(s["N"], s["T"], s["Dh"])),
                                         U=r.normal(size=(s["Dh"], s["V"])), b2=r.normal(size=s["V"])),
                       lambda m, p: {"theta": m.affine_forward(**p)[0]}),
    "softmax_cross_entropy": (
        lambda r, s: dict(theta=r.normal(size=(s["N"], s["T"], s["V"])) * 2,
                          y=r.integers(0, s["V"], size=(s["N"], s["T"])),
                          mask=np.arange(s["N"] * s["T"]).reshape(s["N"], s["T"]) % 3 != 1),
        lambda m, p: {**_named(("loss", "dtheta"), m.softmax_cross_entropy(p["theta"], p["y"])),
                      **_named(("loss (masked)", "dtheta (masked)"), m.softmax_cross_entropy(**p))}),
    "rnn_step_backward": (lambda r, s: _cell(r, s, ups=["dh_next"], step=True), _per_activation(
        lambda m, p, a: _backward("rnn_step_forward", "rnn_step_backward", ["dh_next"],
                                  ("dx_t", "dh_prev", "dWh", "dWe", "db1"), activation=a)(m, p))),
    "affine_backward": (lambda r, s: dict(CASES_INPUTS["affine_forward"](r, s),
                                          dtheta=r.normal(size=(s["N"], s["T"], s["V"]))),
                        _backward("affine_forward", "affine_backward", ["dtheta"], ("dh", "dU", "db2"))),
    "embedding_backward": (lambda r, s: dict(CASES_INPUTS["embedding_forward"](r, s),
                                             dx=r.normal(size=(s["N"], s["T"], s["d"]))),
                           _backward("embedding_forward", "embedding_backward", ["dx"], ("dE",))),
    "backprop_recurrence": (lambda r, s: _cell(r, s, ups=["dh"]), _per_activation(
        lambda m, p, a: _named(("da", "dh0", "total"), m.backprop_recurrence(
            p["dh"], m.rnn_forward(**_without(p, "dh"), activation=a)[1], keep_total=True)))),
    "rnn_backward": (lambda r, s: _cell(r, s, ups=["dh"]), _per_activation(
        lambda m, p, a: _backward("rnn_forward", "rnn_backward", ["dh"],
                                  ("dx", "dh0", "dWh", "dWe", "db1"), activation=a)(m, p))),
    "truncated_rnn_backward": (lambda r, s: _cell(r, s, ups=["dh"]), _per_activation(lambda m, p, a: {
        # window 3 leaves a shorter last window unless 3 divides T; T and T + 3 are full BPTT
        f"{k} (window {label})": v
        for w, label in ((1, "1"), (3, "3"), (p["x"].shape[1], "T"), (p["x"].shape[1] + 3, "T+3"))
        for k, v in _named(("dx", "dh0", "dWh", "dWe", "db1"),
                           m.truncated_rnn_backward(**p, window=w, activation=a)).items()})),
    "clip_gradients": (
        lambda r, s: dict(grads={"a": r.normal(size=(s["N"], s["d"])), "b": r.normal(size=s["Dh"])},
                          low=float(r.uniform(0.1, 0.5)), high=float(r.uniform(20, 30))),
        lambda m, p: {f"{k} ({mode} {c:.3g})": v
                      for mode, c in (("norm", p["low"]), ("norm", p["high"]), ("value", p["low"]))
                      for k, v in _clipped(m, p["grads"], c, mode).items()}),
    "SGD._update": (_opt_inputs, _steps(lambda m, p: m.SGD(lr=p["lr"], momentum=p["a"]))),
    "Adagrad._update": (_opt_inputs, _steps(lambda m, p: m.Adagrad(lr=p["lr"], eps=p["eps"]))),
    "Adam._update": (_opt_inputs, _steps(lambda m, p: m.Adam(lr=p["lr"], beta1=p["a"], beta2=p["b"],
                                                              eps=p["eps"]))),
    "NGram.log2_probs": (
        lambda r, s: dict(train=r.integers(0, s["V"], size=50), test=r.integers(0, s["V"], size=12),
                          V=s["V"], k=float(r.uniform(0.1, 2))),
        lambda m, p: {f"log2 P (order {n})": m.NGram(n, p["V"], k=p["k"]).fit(p["train"])
                      .log2_probs(p["test"]) for n in (1, 2, 3)}),
    "sample_ids": (
        lambda r, s: dict(perm=r.permutation(s["V"]), seed=int(r.integers(1 << 30)),
                          prefix=tuple(int(i) for i in r.integers(0, s["V"], size=s["N"]))),
        lambda m, p: {"ids": m.sample_ids(_permutation_model(m, p["perm"]),
                                          np.random.default_rng(p["seed"]), 7, prefix=p["prefix"])}),
    "train": (_train_inputs, _tiny_run),
    "lstm_step_forward": (lambda r, s: _cell(r, s, "lstm", step=True),
                          lambda m, p: _named(("h_next", "c_next"), m.lstm_step_forward(**p)[:2])),
    "lstm_step_backward": (lambda r, s: _cell(r, s, "lstm", ("dh_next", "dc_next"), step=True),
                           _backward("lstm_step_forward", "lstm_step_backward", ["dh_next", "dc_next"],
                                     ("dx_t", "dh_prev", "dc_prev", "dWh", "dWe", "db1"))),
    "lstm_forward": (lambda r, s: _cell(r, s, "lstm"), lambda m, p: {
        "h": m.lstm_forward(**p)[0], "h (c0 = None)": m.lstm_forward(**{**p, "c0": None})[0]}),
    "lstm_backward": (lambda r, s: _cell(r, s, "lstm", ("dh",)),
                      _backward("lstm_forward", "lstm_backward", ["dh"],
                                ("dx", "dh0", "dWh", "dWe", "db1", "dc0"))),
    "gru_step_forward": (lambda r, s: _cell(r, s, "gru", step=True),
                         lambda m, p: {"h_next": m.gru_step_forward(**p)[0]}),
    "gru_step_backward": (lambda r, s: _cell(r, s, "gru", ("dh_next",), step=True),
                          _backward("gru_step_forward", "gru_step_backward", ["dh_next"],
                                    ("dx_t", "dh_prev", "dWh", "dWe", "db_ih", "db_hh"))),
    "gru_forward": (lambda r, s: _cell(r, s, "gru"), lambda m, p: {"h": m.gru_forward(**p)[0]}),
    "gru_backward": (lambda r, s: _cell(r, s, "gru", ("dh",)),
                     _backward("gru_forward", "gru_backward", ["dh"],
                               ("dx", "dh0", "dWh", "dWe", "db_ih", "db_hh"))),
    "mse_head_forward": (lambda r, s: dict(h=r.normal(size=(s["N"], s["T"], s["Dh"])),
                                           U=r.normal(size=(s["Dh"], s["K"])), b2=r.normal(size=s["K"]),
                                           y=r.normal(size=(s["N"], s["K"]))),
                         lambda m, p: _named(("loss", "cache.yhat"), (lambda o: (o[0], o[1].yhat))(
                             m.mse_head_forward(**p)))),
    "mse_head_backward": (lambda r, s: dict(CASES_INPUTS["mse_head_forward"](r, s),
                                            dloss=float(r.uniform(0.5, 2.0))),
                          _backward("mse_head_forward", "mse_head_backward", ["dloss"],
                                    ("dh", "dU", "db2"))),
}
CASES_INPUTS = {f: inputs for f, (inputs, _) in CASES.items()}

#: Functions whose floating-point outputs must stay float32 for float32 inputs.
FLOAT32 = {"rnn_step_forward", "rnn_forward", "softmax", "embedding_forward", "affine_forward",
           "softmax_cross_entropy", "rnn_step_backward", "affine_backward", "embedding_backward",
           "backprop_recurrence", "rnn_backward", "truncated_rnn_backward", "clip_gradients",
           "SGD._update", "Adagrad._update", "Adam._update", "lstm_step_forward",
           "lstm_step_backward", "lstm_forward", "lstm_backward", "gru_step_forward",
           "gru_step_backward", "gru_forward", "gru_backward", "mse_head_forward",
           "mse_head_backward"}


def _cast(value, dtype):
    if dtype is None:
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(dtype)
    if isinstance(value, dict):
        return {k: _cast(v, dtype) for k, v in value.items()}
    if isinstance(value, list):
        return [_cast(v, dtype) for v in value]
    return value


def _arrays(value, name):
    """``(name, array)`` of every array in ``value``, nested dicts and lists included."""
    if isinstance(value, np.ndarray):
        return [(name, value)]
    if isinstance(value, dict):
        return [a for k, v in value.items() for a in _arrays(v, f"{name}[{k!r}]" if name else k)]
    if isinstance(value, (list, tuple)):
        return [a for i, v in enumerate(value) for a in _arrays(v, f"{name}[{i}]")]
    return []


class _Sizes(dict):
    """Sizes that remember which of them were read."""

    def __getitem__(self, key):
        self.read = getattr(self, "read", set()) | {key}
        return super().__getitem__(key)


def run_case(m, function, seed, sizes=None, dtype=None):
    """``(outputs, sizes, inputs)`` of ``CASES[function]`` run through ``m``, with inputs drawn
    from ``np.random.default_rng(seed)`` at ``sizes`` (drawn from the same generator when None)
    and cast to ``dtype``; the sizes returned are those the inputs used. Fails if the call
    modified any input."""
    rng = np.random.default_rng(seed)
    s = _Sizes(draw_sizes(rng) if sizes is None else sizes)
    inputs, call = CASES[function]
    p = _cast(inputs(rng, s), dtype)
    keep = [(name, a.copy()) for name, a in _arrays(p, "")]
    out = call(m, p)
    for (name, a), (_, before) in zip(_arrays(p, ""), keep):
        _unchanged(name, a, before)
    return out, {k: v for k, v in s.items() if k in getattr(s, "read", ())}, p


#: The outputs that are Python floats by design, whatever the dtype of the inputs (the loss of
#: ``softmax_cross_entropy`` and the global norm of ``clip_gradients``).
PYTHON_FLOATS = {"softmax_cross_entropy": "loss", "clip_gradients": "norm"}


def float32_check(function):
    """float32 in, float32 out for every floating-point output of ``function`` (but
    :data:`PYTHON_FLOATS`); no input modified."""
    def check(rnn, ref):
        out, _, _ = run_case(rnn, function, 5, FIXED_SIZES, np.float32)
        for name, value in out.items():
            if name.startswith(PYTHON_FLOATS.get(function, "\0")):
                continue
            dtype = np.asarray(value).dtype
            if dtype.kind == "f" and dtype != np.float32:
                raise AssertionError(f"float32 inputs gave {name} of dtype {dtype}")
        return "float32 in, float32 out; inputs unchanged"
    return check


# --- gradient checks: a backward pass against central differences of a forward ---------------
# function -> (description, forward, upstream names, {gradient: input of the forward}, activations).
# The gradients are outputs of the function's case; the forward is ``ref``'s: the grader's
# reference, or the student's own code in check.py.

_RNN_GRADS = dict(zip(("dx_t", "dh_prev", "dWh", "dWe", "db1"), ("x_t", "h_prev", "Wh", "We", "b1")))
_SEQ_GRADS = dict(zip(("dx", "dh0", "dWh", "dWe", "db1"), ("x", "h0", "Wh", "We", "b1")))
BACKWARDS = {
    "softmax_cross_entropy": ("dtheta vs numerical", "softmax_cross_entropy", (),
                              {"dtheta (masked)": "theta"}, (None,)),
    "rnn_step_backward": ("all five vs numerical", "rnn_step_forward", ("dh_next",),
                          {f"{g} ({{a}})": x for g, x in _RNN_GRADS.items()}, ACTIVATIONS),
    "affine_backward": ("dh, dU, db2 vs numerical", "affine_forward", ("dtheta",),
                        {"dh": "h", "dU": "U", "db2": "b2"}, (None,)),
    "embedding_backward": ("dE vs numerical", "embedding_forward", ("dx",), {"dE": "E"}, (None,)),
    "backprop_recurrence": ("dh0 vs numerical", "rnn_forward", ("dh",), {"dh0 ({a})": "h0"}, ACTIVATIONS),
    "rnn_backward": ("all five vs numerical", "rnn_forward", ("dh",),
                     {f"{g} ({{a}})": x for g, x in _SEQ_GRADS.items()}, ACTIVATIONS),
    "truncated_rnn_backward": ("windows T and T + 3 vs numerical", "rnn_forward", ("dh",),
                               {f"{g} (window {w}) ({{a}})": x for w in ("T", "T+3")
                                for g, x in _SEQ_GRADS.items()}, ACTIVATIONS),
    "lstm_step_backward": ("all six vs numerical", "lstm_step_forward", ("dh_next", "dc_next"), dict(zip(
        ("dx_t", "dh_prev", "dc_prev", "dWh", "dWe", "db1"), ("x_t", "h_prev", "c_prev", "Wh", "We", "b1"))),
        (None,)),
    "lstm_backward": ("all six vs numerical, dc0 included", "lstm_forward", ("dh",),
                      {**_SEQ_GRADS, "dc0": "c0"}, (None,)),
    "gru_step_backward": ("all six vs numerical", "gru_step_forward", ("dh_next",), dict(zip(
        ("dx_t", "dh_prev", "dWh", "dWe", "db_ih", "db_hh"), ("x_t", "h_prev", "Wh", "We", "b_ih", "b_hh"))),
        (None,)),
    "gru_backward": ("all six vs numerical", "gru_forward", ("dh",), dict(zip(
        ("dx", "dh0", "dWh", "dWe", "db_ih", "db_hh"), ("x", "h0", "Wh", "We", "b_ih", "b_hh"))), (None,)),
    "mse_head_backward": ("dh, dU, db2 vs numerical", "mse_head_forward", ("dloss",),
                          {"dh": "h", "dU": "U", "db2": "b2"}, (None,)),
}
#: The smallest sizes; a gradient check runs there and at sizes drawn from its generator.
ONES = dict(N=1, T=1, d=1, Dh=1, V=2, K=1)


def gradient_check(rnn, ref, function, seed):
    """Each gradient of ``function``'s case (run through ``rnn``) against central differences of
    ``ref``'s forward, contracted with the case's upstream gradients."""
    _, forward, ups, wrt, activations = BACKWARDS[function]
    report = []
    for sizes in (ONES, draw_sizes(np.random.default_rng(seed))):
        got, used, p = run_case(rnn, function, seed, sizes)
        inputs = _without(p, *ups)
        up = np.concatenate([np.ravel(p[u]) for u in ups]) if ups else None
        names, analytic, numeric = [], [], []
        for a in activations:
            kw = {} if a is None else {"activation": a}

            def f(v, x):
                out = getattr(ref, forward)(**{**inputs, x: v}, **kw)
                flat = np.concatenate([np.ravel(o) for o in out[:max(1, len(ups))]])
                return flat if ups else flat[0]
            for g, x in wrt.items():
                names.append(g.format(a=a))
                analytic.append(got[names[-1]])
                numeric.append(ref.numerical_gradient(lambda v, x=x: f(v, x), inputs[x], up))
        report.append(_grads(names, analytic, numeric) + " at "
                      + " ".join(f"{k}={v}" for k, v in used.items()))
    return "; ".join(report)
