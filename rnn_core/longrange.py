"""Training the four recurrent cells on the adding problem, and measuring what reaches the marker.

The cells, all read by the many-to-one head of :mod:`rnn_core.heads`:

* ``"rnn"``: the tanh RNN of :func:`~rnn_core.recurrent.rnn_forward`, ``Wh`` orthogonal;
* ``"irnn"``: the same recurrence with ReLU and ``Wh = I`` (Le, Jaitly and Hinton 2015);
* ``"lstm"`` and ``"gru"``: :mod:`rnn_core.lstm` and :mod:`rnn_core.gru`, initialised by
  :func:`rnn_core.gated_init.init_gated` (orthogonal recurrent blocks, forget bias 1).

Every cell draws its input weights from N(0, 1/d), its head weights ``U`` from
N(0, 1/Dh), and starts with zero biases (apart from the gated initialiser's forget
bias) and a zero initial state. :func:`train_adding` trains one cell with Adam and
global-norm clipping on fresh batches and returns what ``benchmarks/longrange_sweep.py``
records; :func:`marker_gain` measures how much of the head's gradient reaches the
state at the first marker.
"""

from __future__ import annotations

import time

import numpy as np

from .clipping import clip_gradients
from .gradient_flow import hidden_gradients
from .heads import mse_head_backward, mse_head_forward
from .init import gaussian, identity, orthogonal
from .optim import Adam
from .recurrent import rnn_backward, rnn_forward
from .tasks import adding_problem
from .contracts import generator, ids, one_of, positive_int, positive_real, shapes

CELLS = ("rnn", "irnn", "lstm", "gru")
ACTIVATION = {"rnn": "tanh", "irnn": "relu"}


@shapes(cell=one_of(*CELLS), d=positive_int(), Dh=positive_int(), K=positive_int(), rng=generator)
def init_params(cell, d, Dh, K, rng):
    """Initial parameters of ``cell`` with a head of K outputs, as a dict of float64 arrays.

    Returns the recurrence's arguments (``Wh``, ``We``, ``b1`` for "rnn", "irnn"
    and "lstm"; ``Wh``, ``We``, ``b_ih``, ``b_hh`` for "gru") and the head's
    ``U`` (Dh, K) and ``b2`` (K,).
    """
    if cell in ("lstm", "gru"):
        from .gated_init import init_gated

        params = init_gated(cell, d, Dh, rng)
    else:
        Wh = orthogonal(Dh, rng) if cell == "rnn" else identity(Dh)
        params = dict(Wh=Wh, We=gaussian((Dh, d), rng, std=1 / np.sqrt(d)), b1=np.zeros(Dh))
    params["U"] = gaussian((Dh, K), rng, std=1 / np.sqrt(Dh))
    params["b2"] = np.zeros(K)
    return params


@shapes(cell=one_of(*CELLS))
def encode(cell, params, x, h0=None, c0=None):
    """Run ``cell`` over ``x`` (N, T, d) from ``h0`` (zeros when None); returns ``(h, cache)``.

    ``c0`` is the LSTM's initial cell state (zeros when None); other cells ignore it.
    """
    N = np.shape(x)[0]
    Dh = params["Wh"].shape[1]
    h0 = np.zeros((N, Dh), dtype=params["Wh"].dtype) if h0 is None else h0
    p = params
    if cell == "lstm":
        from .lstm import lstm_forward

        return lstm_forward(x, h0, p["Wh"], p["We"], p["b1"], c0=c0)
    if cell == "gru":
        from .gru import gru_forward

        return gru_forward(x, h0, p["Wh"], p["We"], p["b_ih"], p["b_hh"])
    return rnn_forward(x, h0, p["Wh"], p["We"], p["b1"], activation=ACTIVATION[cell])


@shapes(cell=one_of(*CELLS))
def encode_backward(cell, dh, cache):
    """Backward pass of :func:`encode`: ``(dx, dh0, grads)``, grads a dict named like the params."""
    if cell == "lstm":
        from .lstm import lstm_backward

        dx, dh0, dWh, dWe, db1, _ = lstm_backward(dh, cache)
        return dx, dh0, dict(Wh=dWh, We=dWe, b1=db1)
    if cell == "gru":
        from .gru import gru_backward

        dx, dh0, dWh, dWe, db_ih, db_hh = gru_backward(dh, cache)
        return dx, dh0, dict(Wh=dWh, We=dWe, b_ih=db_ih, b_hh=db_hh)
    dx, dh0, dWh, dWe, db1 = rnn_backward(dh, cache)
    return dx, dh0, dict(Wh=dWh, We=dWe, b1=db1)


def loss_and_grads(cell, params, x, y):
    """The head's MSE on ``(x, y)`` and its gradient for every parameter (a dict)."""
    h, cache = encode(cell, params, x)
    loss, head_cache = mse_head_forward(h, params["U"], params["b2"], y)
    # Backward in the reverse order of forward: the head, then the recurrence.
    dh, dU, db2 = mse_head_backward(1.0, head_cache)
    _, _, grads = encode_backward(cell, dh, cache)
    grads.update(U=dU, b2=db2)
    return float(loss), grads


def predict(cell, params, x):
    """The head's predictions ``yhat`` (N, K) for inputs ``x`` (N, T, d)."""
    h, _ = encode(cell, params, x)
    return h[:, -1] @ params["U"] + params["b2"]


def evaluate_mse(cell, params, x, y):
    """Mean squared error of :func:`predict` against ``y`` (N, K), a Python float."""
    return float(np.mean((predict(cell, params, x) - y) ** 2))


@shapes(cell=one_of(*CELLS), x="N T d", steps=ids("N", below="T"))
def state_gradient_at(cell, params, x, steps, dh_last):
    """``dL/dh_t`` at step ``steps[n]`` of each sequence, for a loss that reads only h_T.

    The gradient that reaches ``h_t`` is the gradient at the *initial* state of the
    rest of the sequence: run the cell from ``h_t`` (and the LSTM's ``c_t``) over
    ``x[:, t+1:]``, inject ``dh_last`` at its last step, and read ``dh0``. This
    needs nothing but the cell's own forward and backward passes, so it serves
    every cell; for the vanilla cells it agrees with
    :func:`rnn_core.gradient_flow.hidden_gradients` (``tests/test_tasks.py``).

    Parameters
    ----------
    x : (N, T, d) inputs.
    steps : (N,) integer steps in [0, T), 0-based (``h[:, t]`` read ``x[:, t]``).
    dh_last : (N, Dh) the gradient injected at ``h_T``.

    Returns
    -------
    g : (N, Dh), ``g[n] = dL/dh_{steps[n]}`` for sequence n.
    """
    h, cache = encode(cell, params, x)
    N, T, _ = h.shape
    g = np.empty_like(np.asarray(dh_last, dtype=h.dtype))
    for t in np.unique(steps):
        rows = np.flatnonzero(steps == t)
        if t == T - 1:
            g[rows] = dh_last[rows]  # nothing after h_T
            continue
        c_t = cache.c[rows, t] if cell == "lstm" else None
        h_rest, cache_rest = encode(cell, params, x[rows, t + 1:], h0=h[rows, t], c0=c_t)
        dh = np.zeros_like(h_rest)
        dh[:, -1] = dh_last[rows]
        g[rows] = encode_backward(cell, dh, cache_rest)[1]  # dh0 of the rest = dL/dh_t
    return g


def marker_gain(cell, params, x):
    """``||d yhat/d h_p|| / ||d yhat/d h_T||`` per sequence, p the step of the first marker.

    The head's weights ``U[:, 0]`` are injected at the last state (the gradient of
    the prediction itself, whatever the error), and the gradient that reaches the
    state right after the first marker was read is measured: for the vanilla cells
    with chapter 6's :func:`~rnn_core.gradient_flow.hidden_gradients`, for the
    gated cells with :func:`state_gradient_at`.

    Returns (N,) float64 ratios.
    """
    N, T, _ = x.shape
    first = np.argmax(x[:, :, 1] > 0, axis=1)  # the first marker's step
    u = params["U"][:, 0]
    dh_last = np.broadcast_to(u, (N, u.size)).copy()
    if cell in ("rnn", "irnn"):
        _, cache = encode(cell, params, x)
        dh = np.zeros_like(cache.h)
        dh[:, -1] = dh_last
        g = hidden_gradients(dh, cache)[np.arange(N), first]
    else:
        g = state_gradient_at(cell, params, x, first, dh_last)
    return np.linalg.norm(g, axis=1) / np.linalg.norm(u)


def gain_curve(cell, params, x):
    """``||d yhat/d h_t|| / ||d yhat/d h_T||`` for every sequence and every step t.

    As :func:`marker_gain`, at all steps instead of the first marker's. For the
    gated cells this runs the rest of the sequence once per step (T passes), so
    keep ``x`` to a few dozen sequences.

    Returns (N, T) float64 ratios; column T - 1 is 1.
    """
    N, T, _ = x.shape
    u = params["U"][:, 0]
    dh_last = np.broadcast_to(u, (N, u.size)).copy()
    out = np.empty((N, T))
    for t in range(T):
        g = state_gradient_at(cell, params, x, np.full(N, t), dh_last)
        out[:, t] = np.linalg.norm(g, axis=1) / np.linalg.norm(u)
    return out


@shapes(cell=one_of(*CELLS), T=positive_int(2), steps=positive_int(), Dh=positive_int(),
        N=positive_int(), lr=positive_real(), clip=positive_real(), n_test=positive_int(),
        curve_every=positive_int())
def train_adding(cell, T, steps, seed, Dh=32, N=32, lr=1e-2, clip=1.0, n_test=500,
                 curve_every=25):
    """Train ``cell`` on the adding problem of length T; return what the sweep records.

    Initial parameters come from ``np.random.default_rng([seed, 0])``, the
    training batches (N fresh sequences per step) from ``default_rng([seed, 1])``,
    and the test set (``n_test`` sequences, the same for every cell and seed)
    from ``default_rng([T, 2])``. Adam with learning rate ``lr``, gradients clipped
    to global norm ``clip``.

    Returns
    -------
    dict with ``cell``, ``T``, ``seed``, ``steps``, ``test_mse`` (after training),
    ``test_mse_init``, ``seconds`` (training only), ``curve_steps`` and ``curve``
    (mean training loss over each block of ``curve_every`` steps),
    ``gain_init`` and ``gain_trained`` (median of :func:`marker_gain` over the
    test set), and ``final_params``.
    """
    params = init_params(cell, 2, Dh, 1, np.random.default_rng([seed, 0]))
    data_rng = np.random.default_rng([seed, 1])
    x_test, y_test = adding_problem(n_test, T, np.random.default_rng([T, 2]))
    mse_init = evaluate_mse(cell, params, x_test, y_test)
    gain_init = float(np.median(marker_gain(cell, params, x_test)))
    opt = Adam(lr)
    losses = np.empty(steps)
    start = time.perf_counter()
    for i in range(steps):
        x, y = adding_problem(N, T, data_rng)
        losses[i], grads = loss_and_grads(cell, params, x, y)
        grads, _ = clip_gradients(grads, clip)
        params = opt.step(params, grads)
    seconds = time.perf_counter() - start
    blocks = losses[: steps // curve_every * curve_every].reshape(-1, curve_every)
    return dict(
        cell=cell, T=T, seed=int(seed), steps=steps, Dh=Dh, N=N, lr=lr, clip=clip,
        test_mse=evaluate_mse(cell, params, x_test, y_test), test_mse_init=mse_init,
        seconds=seconds,
        curve_steps=[int((k + 1) * curve_every) for k in range(len(blocks))],
        curve=[float(v) for v in blocks.mean(axis=1)],
        gain_init=gain_init,
        gain_trained=float(np.median(marker_gain(cell, params, x_test))),
        final_params=params,
    )
