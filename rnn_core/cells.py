"""One step of a vanilla RNN: the cell, forward and backward side by side.

The parameter layout is PyTorch's ``nn.RNN``: ``We`` is ``weight_ih_l0`` (Dh, d),
``Wh`` is ``weight_hh_l0`` (Dh, Dh) and ``b1`` is ``bias_ih_l0 + bias_hh_l0`` (Dh,).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS, activate, activation_derivative
from .contracts import one_of, shapes


class StepCache(NamedTuple):
    """What :func:`rnn_step_backward` needs from the forward step."""

    x_t: np.ndarray  # (N, d)
    h_prev: np.ndarray  # (N, Dh)
    h_next: np.ndarray  # (N, Dh)
    Wh: np.ndarray  # (Dh, Dh)
    We: np.ndarray  # (Dh, d)
    activation: str

    shapes = dict(x_t="N d", h_prev="N Dh", h_next="N Dh", Wh="Dh Dh", We="Dh d")
    producer = "rnn_step_forward"


@shapes(Wh="Dh Dh", We="Dh d", b1="Dh", x_t="N d", h_prev="N Dh",
        activation=one_of(*ACTIVATIONS))
def rnn_step_forward(x_t, h_prev, Wh, We, b1, activation="sigmoid"):
    """One time step: ``h_next = act(h_prev @ Wh.T + x_t @ We.T + b1)``.

    Dimensions: N sequences in the minibatch, d input features, Dh hidden units.
    Layout as PyTorch's ``nn.RNN``: ``We`` = ``weight_ih_l0``, ``Wh`` =
    ``weight_hh_l0``, ``b1`` = ``bias_ih_l0 + bias_hh_l0``.

    Parameters
    ----------
    x_t : (N, d) inputs at step t.
    h_prev : (N, Dh) hidden state from step t-1.
    Wh : (Dh, Dh) hidden-to-hidden weights.
    We : (Dh, d) input-to-hidden weights.
    b1 : (Dh,) bias.
    activation : "sigmoid" (the default, as in the seed notebook), "tanh" or "relu".

    Returns
    -------
    h_next : (N, Dh) hidden state at step t.
    cache : StepCache for :func:`rnn_step_backward`.
    """
    ### BEGIN SOLUTION
    a = h_prev @ Wh.T + x_t @ We.T + b1
    h_next = activate(a, activation)
    return h_next, StepCache(x_t, h_prev, h_next, Wh, We, activation)
    ### END SOLUTION


@shapes(cache=StepCache, dh_next="N Dh")
def rnn_step_backward(dh_next, cache):
    """Backward pass of :func:`rnn_step_forward`.

    With ``a = h_prev @ Wh.T + x_t @ We.T + b1`` and ``da = dh_next * act'(a)``:
    ``dx_t = da @ We``, ``dh_prev = da @ Wh``, ``dWh = da.T @ h_prev``,
    ``dWe = da.T @ x_t``, ``db1 = da.sum(0)``.

    Parameters
    ----------
    dh_next : (N, Dh) gradient of the loss with respect to ``h_next``.
    cache : StepCache from :func:`rnn_step_forward`.

    Returns
    -------
    dx_t : (N, d)
    dh_prev : (N, Dh)
    dWh : (Dh, Dh)
    dWe : (Dh, d)
    db1 : (Dh,)
    """
    ### BEGIN SOLUTION
    da = dh_next * activation_derivative(cache.h_next, cache.activation)
    dx_t = da @ cache.We
    dh_prev = da @ cache.Wh
    dWh = da.T @ cache.h_prev
    dWe = da.T @ cache.x_t
    db1 = da.sum(axis=0)
    return dx_t, dh_prev, dWh, dWe, db1
    ### END SOLUTION
