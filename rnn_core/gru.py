"""The GRU: one step and the unrolled sequence, forward and backward side by side.

The parameter layout is PyTorch's ``nn.GRU``, so weights move between the two
unchanged: ``We`` is ``weight_ih_l0`` (3Dh, d), ``Wh`` is ``weight_hh_l0``
(3Dh, Dh), ``b_ih`` and ``b_hh`` are ``bias_ih_l0`` and ``bias_hh_l0`` (3Dh,).
The gates are stacked r, z, n::

    ax = x_t @ We.T + b_ih                    (N, 3Dh), split into ax_r, ax_z, ax_n
    ah = h_prev @ Wh.T + b_hh                 (N, 3Dh), split into ah_r, ah_z, ah_n
    r, z = sigmoid(ax_r + ah_r), sigmoid(ax_z + ah_z)
    n = tanh(ax_n + r * ah_n)
    h_next = (1 - z) * n + z * h_prev

The two biases cannot be summed into one, because the reset gate multiplies
the hidden part of n, ``b_hh``'s n block included.

The sequence version keeps only the recurrence ``h_prev @ Wh.T`` (one matmul
for all three gates) inside the time loop. The input projection of all T steps
is one matmul before the loop, and the weight gradients are one matmul over all
steps after it, as in :mod:`rnn_core.recurrent`.
The loop repeats the gate equations of :func:`gru_step_forward` instead of
calling it, because the step computes its own ``x_t @ We.T``: taking that out of
the loop is the lesson (the tests check that the sequence is the steps in turn).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import sigmoid
from .contracts import shapes


class GRUStepCache(NamedTuple):
    """What :func:`gru_step_backward` needs from :func:`gru_step_forward`."""

    x_t: np.ndarray  # (N, d)
    h_prev: np.ndarray  # (N, Dh)
    gates: np.ndarray  # (N, 3Dh) the activated gates r, z, n side by side
    ah_n: np.ndarray  # (N, Dh) h_prev @ W_hn.T + b_hn, the part of n that r multiplies
    Wh: np.ndarray  # (3Dh, Dh)
    We: np.ndarray  # (3Dh, d)

    shapes = dict(x_t="N d", h_prev="N Dh", gates="N 3Dh", ah_n="N Dh",
                  Wh="3Dh Dh", We="3Dh d")
    producer = "gru_step_forward"


@shapes(Wh="3Dh Dh", We="3Dh d", b_ih="3Dh", b_hh="3Dh", x_t="N d", h_prev="N Dh")
def gru_step_forward(x_t, h_prev, Wh, We, b_ih, b_hh):
    """One GRU step: ``h_next = (1 - z) * n + z * h_prev``.

    Dimensions: N sequences in the minibatch, d input features, Dh hidden units.
    Layout as PyTorch's ``nn.GRUCell``: ``We`` = ``weight_ih``, ``Wh`` =
    ``weight_hh``, ``b_ih`` = ``bias_ih``, ``b_hh`` = ``bias_hh``, gates r, z, n.

    Parameters
    ----------
    x_t : (N, d) inputs at step t.
    h_prev : (N, Dh) hidden state from step t-1.
    Wh : (3Dh, Dh) hidden-to-gates weights, blocks r, z, n.
    We : (3Dh, d) input-to-gates weights, blocks r, z, n.
    b_ih : (3Dh,) input-side biases, blocks r, z, n.
    b_hh : (3Dh,) hidden-side biases, blocks r, z, n.

    Returns
    -------
    h_next : (N, Dh) hidden state at step t.
    cache : GRUStepCache for :func:`gru_step_backward`.
    """
    ### BEGIN SOLUTION
    ax = x_t @ We.T + b_ih  # (N, 3Dh)
    ah = h_prev @ Wh.T + b_hh  # (N, 3Dh): one matmul for all three gates
    ax_r, ax_z, ax_n = np.split(ax, 3, axis=1)
    ah_r, ah_z, ah_n = np.split(ah, 3, axis=1)
    r = sigmoid(ax_r + ah_r)
    z = sigmoid(ax_z + ah_z)
    n = np.tanh(ax_n + r * ah_n)
    h_next = (1 - z) * n + z * h_prev
    gates = np.concatenate((r, z, n), axis=1)
    return h_next, GRUStepCache(x_t, h_prev, gates, ah_n, Wh, We)
    ### END SOLUTION


@shapes(cache=GRUStepCache, dh_next="N Dh")
def gru_step_backward(dh_next, cache):
    """Backward pass of :func:`gru_step_forward`.

    ``h_next`` is a mix of ``n`` and ``h_prev`` weighted by ``z``; going back
    through it and the gates::

        dn = dh_next * (1 - z)             dz = dh_next * (h_prev - n)
        dax_n = dn * (1 - n**2)            dah_n = dax_n * r
        dr = dax_n * ah_n
        da_r = dr * r (1 - r)              da_z = dz * z (1 - z)

    The input side gets ``dax = [da_r, da_z, dax_n]``, the hidden side
    ``dah = [da_r, da_z, dah_n]`` (both (N, 3Dh)); ``h_prev`` also reaches
    ``h_next`` directly, through ``z * h_prev``::

        dx_t = dax @ We        dh_prev = dah @ Wh + dh_next * z
        dWe = dax.T @ x_t      dWh = dah.T @ h_prev
        db_ih = dax.sum(0)     db_hh = dah.sum(0)

    Parameters
    ----------
    dh_next : (N, Dh) gradient of the loss with respect to ``h_next``.
    cache : GRUStepCache from :func:`gru_step_forward`.

    Returns
    -------
    dx_t : (N, d)
    dh_prev : (N, Dh)
    dWh : (3Dh, Dh)
    dWe : (3Dh, d)
    db_ih : (3Dh,)
    db_hh : (3Dh,)
    """
    ### BEGIN SOLUTION
    r, z, n = np.split(cache.gates, 3, axis=1)
    dn = dh_next * (1 - z)
    dz = dh_next * (cache.h_prev - n)
    dax_n = dn * (1 - n * n)
    dah_n = dax_n * r
    dr = dax_n * cache.ah_n
    da_r = dr * r * (1 - r)
    da_z = dz * z * (1 - z)
    dax = np.concatenate((da_r, da_z, dax_n), axis=1)  # (N, 3Dh)
    dah = np.concatenate((da_r, da_z, dah_n), axis=1)  # (N, 3Dh)
    dx_t = dax @ cache.We
    dh_prev = dah @ cache.Wh + dh_next * z
    dWh = dah.T @ cache.h_prev
    dWe = dax.T @ cache.x_t
    db_ih = dax.sum(axis=0)
    db_hh = dah.sum(axis=0)
    return dx_t, dh_prev, dWh, dWe, db_ih, db_hh
    ### END SOLUTION


class GRUCache(NamedTuple):
    """What :func:`gru_backward` needs from :func:`gru_forward`."""

    x: np.ndarray  # (N, T, d) the inputs
    h0: np.ndarray  # (N, Dh) the initial state
    gates: np.ndarray  # (N, T, 3Dh) the activated gates r, z, n of every step
    ah_n: np.ndarray  # (N, T, Dh) h_{t-1} @ W_hn.T + b_hn of every step
    h: np.ndarray  # (N, T, Dh) the hidden states h_1 .. h_T
    Wh: np.ndarray  # (3Dh, Dh)
    We: np.ndarray  # (3Dh, d)

    shapes = dict(x="N T d", h0="N Dh", gates="N T 3Dh", ah_n="N T Dh", h="N T Dh",
                  Wh="3Dh Dh", We="3Dh d")
    producer = "gru_forward"


@shapes(Wh="3Dh Dh", We="3Dh d", b_ih="3Dh", b_hh="3Dh", x="N T d", h0="N Dh")
def gru_forward(x, h0, Wh, We, b_ih, b_hh):
    """Run the GRU over a whole sequence, :func:`gru_step_forward` at every step.

    Dimensions: N sequences, T time steps, d input features, Dh hidden units.
    The same parameters are used at every step. Layout as PyTorch's ``nn.GRU``
    (``batch_first=True``): ``We`` = ``weight_ih_l0``, ``Wh`` = ``weight_hh_l0``,
    ``b_ih`` = ``bias_ih_l0``, ``b_hh`` = ``bias_hh_l0``, gates r, z, n.

    Parameters
    ----------
    x : (N, T, d) input sequences.
    h0 : (N, Dh) initial hidden state.
    Wh : (3Dh, Dh), We : (3Dh, d), b_ih : (3Dh,), b_hh : (3Dh,) shared parameters.

    Returns
    -------
    h : (N, T, Dh) hidden states; ``h[:, t]`` is the state after reading ``x[:, t]``.
        It is read-only, because the cache holds the same numbers for the backward pass.
    cache : GRUCache for :func:`gru_backward`.
    """
    ### BEGIN SOLUTION
    N, T, d = x.shape
    Dh = h0.shape[1]
    # The input projection of all T steps in one matmul, before the loop.
    ax = (x.reshape(N * T, d) @ We.T).reshape(N, T, 3 * Dh)
    ax += b_ih
    # (N, T, 3Dh): step t's gates r, z, n overwrite ax[:, t] once it is read. A buffer of
    # its own for them costs 1-2 % more time (benchmarks/bench_gated.py, float64, forward +
    # backward): under the 5 % bar, kept because without it the GRU is slower than before.
    gates = ax
    ah_n, h = np.empty((2, N, T, Dh), dtype=ax.dtype)
    h_t = h0
    for t in range(T):
        ax_r, ax_z, ax_n = np.split(ax[:, t], 3, axis=1)
        ah_r, ah_z, ah_n_t = np.split(h_t @ Wh.T + b_hh, 3, axis=1)  # only the recurrence is left
        r = sigmoid(ax_r + ah_r)
        z = sigmoid(ax_z + ah_z)
        n = np.tanh(ax_n + r * ah_n_t)
        h_t = (1 - z) * n + z * h_t
        # What the backward pass needs.
        gates[:, t] = np.concatenate((r, z, n), axis=1)
        ah_n[:, t], h[:, t] = ah_n_t, h_t
    h.flags.writeable = False  # the cache holds h too: a write into it would corrupt the backward pass
    return h, GRUCache(x, h0, gates, ah_n, h, Wh, We)
    ### END SOLUTION


@shapes(cache=GRUCache, dh="N T Dh")
def gru_backward(dh, cache):
    """Backpropagation through time for :func:`gru_forward`.

    ``dh`` is the gradient that reaches each h_t from the layer above. Going
    back from t = T, the gradient carried from step t+1 to ``h_t`` has two
    parts: ``dah_{t+1} @ Wh`` through the gates and ``dh_{t+1} * z_{t+1}``
    straight through the update. Each step is :func:`gru_step_backward` without
    the weight gradients, which, the weights being shared by all steps, are
    sums over t, done after the loop.

    Parameters
    ----------
    dh : (N, T, Dh) upstream gradient at each hidden state; not modified.
    cache : GRUCache from :func:`gru_forward`.

    Returns
    -------
    dx : (N, T, d)
    dh0 : (N, Dh)
    dWh : (3Dh, Dh)
    dWe : (3Dh, d)
    db_ih : (3Dh,)
    db_hh : (3Dh,)
    """
    ### BEGIN SOLUTION
    N, T, Dh = cache.h.shape
    d = cache.x.shape[2]
    dax = np.empty_like(cache.gates)  # (N, T, 3Dh) gradients at the input side, filled from t = T
    dah = np.empty_like(cache.gates)  # (N, T, 3Dh) gradients at the hidden side
    carried = np.zeros_like(cache.h0)  # nothing arrives at h_T from a step T+1
    for t in reversed(range(T)):
        r, z, n = np.split(cache.gates[:, t], 3, axis=1)
        h_prev = cache.h[:, t - 1] if t > 0 else cache.h0
        dh_t = dh[:, t] + carried  # from the layer above + carried back from t+1
        dn = dh_t * (1 - z)
        dz = dh_t * (h_prev - n)
        dax_n = dn * (1 - n * n)
        dah_n = dax_n * r
        dr = dax_n * cache.ah_n[:, t]
        da_r = dr * r * (1 - r)
        da_z = dz * z * (1 - z)
        dax[:, t] = np.concatenate((da_r, da_z, dax_n), axis=1)
        dah[:, t] = np.concatenate((da_r, da_z, dah_n), axis=1)
        carried = dah[:, t] @ cache.Wh + dh_t * z
    dh0 = carried
    dax_flat = dax.reshape(N * T, 3 * Dh)
    dah_flat = dah.reshape(N * T, 3 * Dh)
    # Shared weights: one matmul over all N*T rows sums the contributions of every step.
    dWe = dax_flat.T @ cache.x.reshape(N * T, d)
    db_ih = dax_flat.sum(axis=0)
    db_hh = dah_flat.sum(axis=0)
    dx = (dax_flat @ cache.We).reshape(N, T, d)
    # The state each step read: h_{t-1} = h0, h_1, ..., h_{T-1} (one (N, T, Dh) copy).
    h_prev = np.concatenate((cache.h0[:, None], cache.h[:, :-1]), axis=1)
    dWh = dah_flat.T @ h_prev.reshape(N * T, Dh)
    return dx, dh0, dWh, dWe, db_ih, db_hh
    ### END SOLUTION
