"""The RNN unrolled over T steps: forward, and backpropagation through time.

Only the recurrence ``h_prev @ Wh.T`` stays inside the time loop. The input
projection of all T steps is one matmul before the loop, and the weight
gradients are one matmul over all steps after it (``benchmarks/bench_rnn.py``
measures what that buys). For that matmul the backward pass builds the states
each step read, ``h_{t-1} = (h0, h_1, ..., h_{T-1})``, as one (N, T, Dh) copy.

The parameter layout is PyTorch's ``nn.RNN``: ``We`` is ``weight_ih_l0``,
``Wh`` is ``weight_hh_l0``, ``b1`` is ``bias_ih_l0 + bias_hh_l0``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS, activate, activation_derivative
from .contracts import one_of, shapes


class RNNCache(NamedTuple):
    """What :func:`rnn_backward` needs from :func:`rnn_forward`."""

    x: np.ndarray  # (N, T, d) the inputs
    h0: np.ndarray  # (N, Dh) the initial state
    h: np.ndarray  # (N, T, Dh) the hidden states h_1 .. h_T
    Wh: np.ndarray  # (Dh, Dh)
    We: np.ndarray  # (Dh, d)
    activation: str

    shapes = dict(x="N T d", h0="N Dh", h="N T Dh", Wh="Dh Dh", We="Dh d")
    producer = "rnn_forward"


@shapes(activation=one_of(*ACTIVATIONS), Wh="Dh Dh", We="Dh d", b1="Dh", x="N T d", h0="N Dh")
def rnn_forward(x, h0, Wh, We, b1, activation="sigmoid"):
    """Run the RNN over a whole sequence: ``h_t = act(h_{t-1} @ Wh.T + x_t @ We.T + b1)``.

    Dimensions: N sequences, T time steps, d input features, Dh hidden units.
    The same ``Wh``, ``We`` and ``b1`` are used at every step. Layout as
    PyTorch's ``nn.RNN`` (``We`` = ``weight_ih_l0``, ``Wh`` = ``weight_hh_l0``,
    ``b1`` = ``bias_ih_l0 + bias_hh_l0``).

    Parameters
    ----------
    x : (N, T, d) input sequences.
    h0 : (N, Dh) initial hidden state.
    Wh : (Dh, Dh), We : (Dh, d), b1 : (Dh,) shared parameters.
    activation : "sigmoid" (default), "tanh" or "relu".

    Returns
    -------
    h : (N, T, Dh) hidden states; ``h[:, t]`` is the state after reading ``x[:, t]``.
        It is read-only, because the cache holds the same numbers for the backward pass.
    cache : RNNCache for :func:`rnn_backward`.
    """
    ### BEGIN SOLUTION
    N, T, d = x.shape
    # The input projection of all T steps in one matmul, before the loop.
    a = (x.reshape(N * T, d) @ We.T).reshape(N, T, -1) + b1
    h = np.empty_like(a)  # (N, T, Dh)
    h_t = h0
    for t in range(T):
        h_t = activate(a[:, t] + h_t @ Wh.T, activation)  # only the recurrence is left
        h[:, t] = h_t
    h.flags.writeable = False  # the cache holds h too: a write into it would corrupt the backward pass
    return h, RNNCache(x, h0, h, Wh, We, activation)
    ### END SOLUTION


@shapes(cache=RNNCache, dh="N T Dh")
def backprop_recurrence(dh, cache, keep_total=False):
    """Carry the loss gradient back through the recurrence.

    For t = T..1: ``g_t = dh_t + da_{t+1} @ Wh`` (the gradient from the layer
    above plus the one carried from step t+1), ``da_t = g_t * act'(a_t)``.

    Parameters
    ----------
    dh : (N, T, Dh) upstream gradient at each h_t; not modified.
    cache : RNNCache from :func:`rnn_forward`.
    keep_total : also return the total gradients ``g_t`` = dL/dh_t.

    Returns
    -------
    da : (N, T, Dh) gradients at the pre-activations a_t.
    dh0 : (N, Dh) gradient at the initial state.
    total : (N, T, Dh) dL/dh_t, only when ``keep_total``.
    """
    ### BEGIN SOLUTION
    T = dh.shape[1]
    da = np.empty_like(dh)
    total = np.empty_like(dh)
    carried = np.zeros_like(cache.h0)  # nothing arrives at h_T from a step T+1
    for t in reversed(range(T)):
        g = dh[:, t] + carried  # from the layer above + carried back from t+1
        total[:, t] = g
        da[:, t] = g * activation_derivative(cache.h[:, t], cache.activation)
        carried = da[:, t] @ cache.Wh
    return (da, carried, total) if keep_total else (da, carried)
    ### END SOLUTION


@shapes(cache=RNNCache, dh="N T Dh")
def rnn_backward(dh, cache):
    """Backpropagation through time for :func:`rnn_forward`.

    ``dh`` is the gradient that reaches each h_t from the layer above; this
    function adds the gradient carried back from step t+1. Because Wh, We and
    b1 are shared by all steps, their gradients are sums over t.

    Parameters
    ----------
    dh : (N, T, Dh) upstream gradient at each hidden state; not modified.
    cache : RNNCache from :func:`rnn_forward`.

    Returns
    -------
    dx : (N, T, d)
    dh0 : (N, Dh)
    dWh : (Dh, Dh)
    dWe : (Dh, d)
    db1 : (Dh,)
    """
    ### BEGIN SOLUTION
    N, T, d = cache.x.shape
    da, dh0 = backprop_recurrence(dh, cache)
    # Shared weights: one matmul over all N*T rows sums the contributions of every step.
    da_flat = da.reshape(N * T, -1)
    dWe = da_flat.T @ cache.x.reshape(N * T, d)
    db1 = da_flat.sum(axis=0)
    dx = (da_flat @ cache.We).reshape(N, T, d)
    # The state each step read: h_{t-1} = h0, h_1, ..., h_{T-1}.
    h_prev = np.concatenate((cache.h0[:, None], cache.h[:, :-1]), axis=1)
    dWh = da_flat.T @ h_prev.reshape(N * T, -1)
    return dx, dh0, dWh, dWe, db1
    ### END SOLUTION
