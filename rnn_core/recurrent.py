"""The RNN unrolled over T steps: forward, and backpropagation through time.

Only the recurrence ``h_prev @ Wh.T`` stays inside the time loop. The input
projection of all T steps is one matmul before the loop, and the weight
gradients are one matmul over all steps after it. Internally the arrays are
time-major, so that each step reads and writes contiguous (N, Dh) blocks.

The parameter layout is PyTorch's ``nn.RNN``: ``We`` is ``weight_ih_l0``,
``Wh`` is ``weight_hh_l0``, ``b1`` is ``bias_ih_l0 + bias_hh_l0``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import activate, activation_derivative
from .validation import Dims, check_activation, check_floats


class RNNCache(NamedTuple):
    """What :func:`rnn_backward` needs from :func:`rnn_forward`."""

    x_tm: np.ndarray  # (T, N, d) the inputs, time-major copy
    hs: np.ndarray  # (T+1, N, Dh) time-major states, hs[0] = h0, hs[t] = h_t
    Wh: np.ndarray  # (Dh, Dh)
    We: np.ndarray  # (Dh, d)
    activation: str


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
    cache : RNNCache for :func:`rnn_backward`.
    """
    check_activation(activation)
    dims = Dims()
    Wh, We, b1, x, h0 = check_floats(
        dims,
        Wh=(Wh, ("Dh", "Dh")),
        We=(We, ("Dh", "d")),
        b1=(b1, ("Dh",)),
        x=(x, ("N", "T", "d")),
        h0=(h0, ("N", "Dh")),
    )
    N, T, d = x.shape
    Dh = Wh.shape[0]
    ### BEGIN SOLUTION
    # Input projection for all T steps at once, laid out time-major.
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    x_proj = (x_tm.reshape(T * N, d) @ We.T + b1).reshape(T, N, Dh)
    Wh_T = np.ascontiguousarray(Wh.T)  # contiguous once, reused at every step
    hs = np.empty((T + 1, N, Dh), dtype=x.dtype)
    hs[0] = h0
    for t in range(T):
        x_proj[t] += hs[t] @ Wh_T  # x_proj[t] becomes the pre-activation a_t
        hs[t + 1] = activate(x_proj[t], activation)
    h = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))
    ### END SOLUTION
    return h, RNNCache(x_tm, hs, Wh, We, activation)


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
    da : (T, N, Dh) gradients at the pre-activations, time-major.
    dh0 : (N, Dh) gradient at the initial state.
    total : (N, T, Dh) dL/dh_t, only when ``keep_total``.
    """
    T = cache.hs.shape[0] - 1
    ### BEGIN SOLUTION
    dh_tm = dh.transpose(1, 0, 2)  # a time-major view; dh itself is never written
    da = np.empty_like(cache.hs[1:])  # (T, N, Dh)
    total = np.empty_like(da) if keep_total else None
    carried = np.zeros_like(da[0])  # gradient arriving at h_T from step T+1: none
    for t in range(T - 1, -1, -1):
        g = dh_tm[t] + carried
        if keep_total:
            total[t] = g
        # Per step, so the elementwise work stays in cache.
        np.multiply(g, activation_derivative(cache.hs[t + 1], cache.activation), out=da[t])
        carried = da[t] @ cache.Wh
    dh0 = carried
    ### END SOLUTION
    if keep_total:
        return da, dh0, np.ascontiguousarray(total.transpose(1, 0, 2))
    return da, dh0


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
    T1, N, Dh = cache.hs.shape
    (dh,) = check_floats(Dims(N=N, T=T1 - 1, Dh=Dh), dh=(dh, ("N", "T", "Dh")))
    if dh.dtype != cache.hs.dtype:
        raise ValueError(
            f"dh: dtype {dh.dtype} does not match the forward pass ({cache.hs.dtype}); "
            f"shape {dh.shape}"
        )
    T = T1 - 1
    d = cache.x_tm.shape[2]
    ### BEGIN SOLUTION
    da, dh0 = backprop_recurrence(dh, cache)
    da_flat = da.reshape(T * N, Dh)
    # Shared weights: one matmul sums the contributions of all T steps.
    dWh = da_flat.T @ cache.hs[:-1].reshape(T * N, Dh)
    dWe = da_flat.T @ cache.x_tm.reshape(T * N, d)
    db1 = da_flat.sum(axis=0)
    dx = np.ascontiguousarray((da_flat @ cache.We).reshape(T, N, d).transpose(1, 0, 2))
    ### END SOLUTION
    return dx, dh0, dWh, dWe, db1
