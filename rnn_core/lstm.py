"""The LSTM: one step and the unrolled sequence, forward and backward side by side.

The parameter layout is PyTorch's ``nn.LSTM``, so weights move between the two
unchanged: ``We`` is ``weight_ih_l0`` (4Dh, d), ``Wh`` is ``weight_hh_l0``
(4Dh, Dh), ``b1`` is ``bias_ih_l0 + bias_hh_l0`` (4Dh,). The four gates are
stacked in PyTorch's order, i, f, g, o (CS231n stacks i, f, o, g)::

    a = h_prev @ Wh.T + x_t @ We.T + b1        (N, 4Dh), split into a_i, a_f, a_g, a_o
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)
    g = tanh(a_g)
    c_next = f * c_prev + i * g
    h_next = o * tanh(c_next)

The sequence version keeps only the recurrence ``h_prev @ Wh.T`` (one matmul
for all four gates) inside the time loop. The input projection of all T steps
is one matmul before the loop, and the weight gradients are one matmul over all
steps after it, as in :mod:`rnn_core.recurrent`.
The loop repeats the gate equations of :func:`lstm_step_forward` instead of
calling it, because the step computes its own ``x_t @ We.T``: taking that out of
the loop is the lesson (the tests check that the sequence is the steps in turn).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import sigmoid
from .contracts import shapes


class LSTMStepCache(NamedTuple):
    """What :func:`lstm_step_backward` needs from :func:`lstm_step_forward`."""

    x_t: np.ndarray  # (N, d)
    h_prev: np.ndarray  # (N, Dh)
    c_prev: np.ndarray  # (N, Dh)
    gates: np.ndarray  # (N, 4Dh) the activated gates i, f, g, o side by side
    tanh_c: np.ndarray  # (N, Dh) tanh(c_next)
    Wh: np.ndarray  # (4Dh, Dh)
    We: np.ndarray  # (4Dh, d)

    shapes = dict(x_t="N d", h_prev="N Dh", c_prev="N Dh", gates="N 4Dh", tanh_c="N Dh",
                  Wh="4Dh Dh", We="4Dh d")
    producer = "lstm_step_forward"


@shapes(Wh="4Dh Dh", We="4Dh d", b1="4Dh", x_t="N d", h_prev="N Dh", c_prev="N Dh")
def lstm_step_forward(x_t, h_prev, c_prev, Wh, We, b1):
    """One LSTM step: ``c_next = f * c_prev + i * g``, ``h_next = o * tanh(c_next)``.

    Dimensions: N sequences in the minibatch, d input features, Dh hidden units.
    Layout as PyTorch's ``nn.LSTMCell``: ``We`` = ``weight_ih``, ``Wh`` =
    ``weight_hh``, ``b1`` = ``bias_ih + bias_hh``, gates stacked i, f, g, o.

    Parameters
    ----------
    x_t : (N, d) inputs at step t.
    h_prev : (N, Dh) hidden state from step t-1.
    c_prev : (N, Dh) cell state from step t-1.
    Wh : (4Dh, Dh) hidden-to-gates weights, blocks i, f, g, o.
    We : (4Dh, d) input-to-gates weights, blocks i, f, g, o.
    b1 : (4Dh,) gate biases, blocks i, f, g, o.

    Returns
    -------
    h_next : (N, Dh) hidden state at step t.
    c_next : (N, Dh) cell state at step t.
    cache : LSTMStepCache for :func:`lstm_step_backward`.
    """
    ### BEGIN SOLUTION
    a = h_prev @ Wh.T + x_t @ We.T + b1  # (N, 4Dh): one matmul per input for all four gates
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_next = f * c_prev + i * g
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    gates = np.concatenate((i, f, g, o), axis=1)
    return h_next, c_next, LSTMStepCache(x_t, h_prev, c_prev, gates, tanh_c, Wh, We)
    ### END SOLUTION


@shapes(cache=LSTMStepCache, dh_next="N Dh", dc_next="N Dh")
def lstm_step_backward(dh_next, dc_next, cache):
    """Backward pass of :func:`lstm_step_forward`.

    The cell state receives gradient from two places, the next cell state and
    ``h_next = o * tanh(c_next)``::

        dc = dc_next + dh_next * o * (1 - tanh(c_next)**2)
        da_i = dc * g * i (1 - i)          da_f = dc * c_prev * f (1 - f)
        da_g = dc * i * (1 - g**2)         da_o = dh_next * tanh(c_next) * o (1 - o)
        dc_prev = dc * f

    and with ``da = [da_i, da_f, da_g, da_o]`` (N, 4Dh) the rest is the affine
    map's backward: ``dx_t = da @ We``, ``dh_prev = da @ Wh``,
    ``dWh = da.T @ h_prev``, ``dWe = da.T @ x_t``, ``db1 = da.sum(0)``.

    Parameters
    ----------
    dh_next : (N, Dh) gradient of the loss with respect to ``h_next``.
    dc_next : (N, Dh) gradient of the loss with respect to ``c_next`` (from step t+1).
    cache : LSTMStepCache from :func:`lstm_step_forward`.

    Returns
    -------
    dx_t : (N, d)
    dh_prev : (N, Dh)
    dc_prev : (N, Dh)
    dWh : (4Dh, Dh)
    dWe : (4Dh, d)
    db1 : (4Dh,)
    """
    ### BEGIN SOLUTION
    i, f, g, o = np.split(cache.gates, 4, axis=1)
    dc = dc_next + dh_next * o * (1 - cache.tanh_c**2)
    da_i = dc * g * i * (1 - i)
    da_f = dc * cache.c_prev * f * (1 - f)
    da_g = dc * i * (1 - g * g)
    da_o = dh_next * cache.tanh_c * o * (1 - o)
    da = np.concatenate((da_i, da_f, da_g, da_o), axis=1)  # (N, 4Dh)
    dc_prev = dc * f
    dx_t = da @ cache.We
    dh_prev = da @ cache.Wh
    dWh = da.T @ cache.h_prev
    dWe = da.T @ cache.x_t
    db1 = da.sum(axis=0)
    return dx_t, dh_prev, dc_prev, dWh, dWe, db1
    ### END SOLUTION


class LSTMCache(NamedTuple):
    """What :func:`lstm_backward` needs from :func:`lstm_forward`."""

    x: np.ndarray  # (N, T, d) the inputs
    h0: np.ndarray  # (N, Dh) the initial hidden state
    c0: np.ndarray  # (N, Dh) the initial cell state (zeros when lstm_forward got None)
    gates: np.ndarray  # (N, T, 4Dh) the activated gates i, f, g, o of every step
    c: np.ndarray  # (N, T, Dh) the cell states c_1 .. c_T
    tanh_c: np.ndarray  # (N, T, Dh) tanh(c_t)
    h: np.ndarray  # (N, T, Dh) the hidden states h_1 .. h_T
    Wh: np.ndarray  # (4Dh, Dh)
    We: np.ndarray  # (4Dh, d)

    shapes = dict(x="N T d", h0="N Dh", c0="N Dh", gates="N T 4Dh", c="N T Dh",
                  tanh_c="N T Dh", h="N T Dh", Wh="4Dh Dh", We="4Dh d")
    producer = "lstm_forward"


@shapes(Wh="4Dh Dh", We="4Dh d", b1="4Dh", x="N T d", h0="N Dh", c0="N Dh")
def lstm_forward(x, h0, Wh, We, b1, c0=None):
    """Run the LSTM over a whole sequence, :func:`lstm_step_forward` at every step.

    Dimensions: N sequences, T time steps, d input features, Dh hidden units.
    The same ``Wh``, ``We`` and ``b1`` are used at every step. Layout as
    PyTorch's ``nn.LSTM`` (``batch_first=True``): ``We`` = ``weight_ih_l0``,
    ``Wh`` = ``weight_hh_l0``, ``b1`` = ``bias_ih_l0 + bias_hh_l0``, gates i, f, g, o.

    Parameters
    ----------
    x : (N, T, d) input sequences.
    h0 : (N, Dh) initial hidden state.
    Wh : (4Dh, Dh), We : (4Dh, d), b1 : (4Dh,) shared parameters.
    c0 : (N, Dh) initial cell state, or None for zeros (PyTorch's default).

    Returns
    -------
    h : (N, T, Dh) hidden states; ``h[:, t]`` is the state after reading ``x[:, t]``.
        It is read-only, because the cache holds the same numbers for the backward pass.
    cache : LSTMCache for :func:`lstm_backward`.
    """
    ### BEGIN SOLUTION
    N, T, d = x.shape
    Dh = h0.shape[1]
    c0 = np.zeros_like(h0) if c0 is None else c0
    # The input projection of all T steps in one matmul, before the loop.
    ax = (x.reshape(N * T, d) @ We.T).reshape(N, T, 4 * Dh)
    ax += b1
    # (N, T, 4Dh): step t's gates i, f, g, o overwrite ax[:, t] once it is read. A buffer of
    # its own for them costs 7 % more time (benchmarks/bench_gated.py, float64, forward + backward).
    gates = ax
    c, tanh_c, h = np.empty((3, N, T, Dh), dtype=ax.dtype)
    h_t, c_t = h0, c0
    for t in range(T):
        # Only the recurrence is left in the loop: one matmul for all four gates.
        a_i, a_f, a_g, a_o = np.split(ax[:, t] + h_t @ Wh.T, 4, axis=1)
        i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)
        g = np.tanh(a_g)
        c_t = f * c_t + i * g
        tanh_c_t = np.tanh(c_t)
        h_t = o * tanh_c_t
        # What the backward pass needs.
        gates[:, t] = np.concatenate((i, f, g, o), axis=1)
        c[:, t], tanh_c[:, t], h[:, t] = c_t, tanh_c_t, h_t
    h.flags.writeable = False  # the cache holds h too: a write into it would corrupt the backward pass
    return h, LSTMCache(x, h0, c0, gates, c, tanh_c, h, Wh, We)
    ### END SOLUTION


@shapes(cache=LSTMCache, dh="N T Dh")
def lstm_backward(dh, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    ``dh`` is the gradient that reaches each h_t from the layer above. Going
    back from t = T, two gradients are carried from step t+1 to step t: one to
    ``h_t`` (through ``Wh``) and one to ``c_t`` (through ``f_{t+1}`` alone).
    Each step is :func:`lstm_step_backward` without the weight gradients, which,
    the weights being shared by all steps, are sums over t, done after the loop.

    Parameters
    ----------
    dh : (N, T, Dh) upstream gradient at each hidden state; not modified.
    cache : LSTMCache from :func:`lstm_forward`.

    Returns
    -------
    dx : (N, T, d)
    dh0 : (N, Dh)
    dWh : (4Dh, Dh)
    dWe : (4Dh, d)
    db1 : (4Dh,)
    dc0 : (N, Dh) gradient at the initial cell state (returned also when c0 was None).
    """
    ### BEGIN SOLUTION
    N, T, Dh = cache.h.shape
    d = cache.x.shape[2]
    da = np.empty_like(cache.gates)  # (N, T, 4Dh) gradients at the pre-activations, filled from t = T
    dh_carried = np.zeros_like(cache.h0)  # nothing arrives at h_T or c_T from a step T+1
    dc_carried = np.zeros_like(cache.c0)
    for t in reversed(range(T)):
        i, f, g, o = np.split(cache.gates[:, t], 4, axis=1)
        c_prev = cache.c[:, t - 1] if t > 0 else cache.c0
        tanh_c = cache.tanh_c[:, t]
        dh_t = dh[:, t] + dh_carried  # from the layer above + carried back from t+1
        dc = dc_carried + dh_t * o * (1 - tanh_c**2)
        da_i = dc * g * i * (1 - i)
        da_f = dc * c_prev * f * (1 - f)
        da_g = dc * i * (1 - g * g)
        da_o = dh_t * tanh_c * o * (1 - o)
        da[:, t] = np.concatenate((da_i, da_f, da_g, da_o), axis=1)
        dc_carried = dc * f
        dh_carried = da[:, t] @ cache.Wh
    dh0, dc0 = dh_carried, dc_carried
    da_flat = da.reshape(N * T, 4 * Dh)
    # Shared weights: one matmul over all N*T rows sums the contributions of every step.
    dWe = da_flat.T @ cache.x.reshape(N * T, d)
    db1 = da_flat.sum(axis=0)
    dx = (da_flat @ cache.We).reshape(N, T, d)
    # The state each step read: h_{t-1} = h0, h_1, ..., h_{T-1} (one (N, T, Dh) copy).
    h_prev = np.concatenate((cache.h0[:, None], cache.h[:, :-1]), axis=1)
    dWh = da_flat.T @ h_prev.reshape(N * T, Dh)
    return dx, dh0, dWh, dWe, db1, dc0
    ### END SOLUTION
