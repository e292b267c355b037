"""Instruments for gradient flow through time: how big is dL/dh_t, and dh_T/dh_t?

Two questions decide whether an RNN can learn a long-range dependency:

* how large is the *total* gradient ``dL/dh_t`` at each time step
  (:func:`hidden_gradients`, :func:`hidden_gradient_norms`), and
* how strongly does the last state depend on an earlier one, i.e. the norm
  of the Jacobian ``dh_T/dh_t`` (:func:`jacobian_norms`).

Both are read off the :class:`~rnn_core.recurrent.RNNCache` of
:func:`~rnn_core.recurrent.rnn_forward`. :func:`jacobian_bound` gives the
bound of Pascanu, Mikolov and Bengio (2013) that the Jacobian norms obey.
"""

from __future__ import annotations

import types

import numpy as np

from .activations import ACTIVATIONS, activation_derivative
from .contracts import one_of, positive_int, shapes
from .recurrent import RNNCache, backprop_recurrence

# Largest value of act'(a) over all a: the gamma of Pascanu et al.'s bound.
# Read-only, so no caller can change the bound for everyone else.
DERIVATIVE_BOUND = types.MappingProxyType({"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0})


@shapes(cache=RNNCache, dh="N T Dh")
def hidden_gradients(dh, cache):
    """The total gradient ``dL/dh_t`` at every hidden state.

    ``dh[:, t]`` is the gradient that reaches ``h_t`` from the layer above;
    the total adds what is carried back from all later steps,
    ``dL/dh_t = dh_t + (dL/dh_{t+1} * act'(a_{t+1})) @ Wh``.

    Parameters
    ----------
    dh : (N, T, Dh) upstream gradient at each hidden state; not modified.
    cache : RNNCache from :func:`~rnn_core.recurrent.rnn_forward`.

    Returns
    -------
    total : (N, T, Dh) the total gradients, same dtype as the forward pass.
    """
    _, _, total = backprop_recurrence(dh, cache, keep_total=True)
    return total


@shapes(cache=RNNCache, dh="N T Dh")
def hidden_gradient_norms(dh, cache):
    """``||dL/dh_t||`` for t = 1..T: Frobenius norm over the batch and the hidden units.

    Parameters
    ----------
    dh : (N, T, Dh) upstream gradient at each hidden state; not modified.
    cache : RNNCache from :func:`~rnn_core.recurrent.rnn_forward`.

    Returns
    -------
    norms : (T,) float64; ``norms[t - 1]`` belongs to ``h_t``.
    """
    total = hidden_gradients(dh, cache)
    return np.sqrt(np.sum(np.square(total, dtype=np.float64), axis=(0, 2)))


@shapes(cache=RNNCache)
def step_jacobians(cache):
    """The one-step Jacobians ``dh_t/dh_{t-1} = diag(act'(a_t)) @ Wh`` for t = 1..T.

    Parameters
    ----------
    cache : RNNCache from :func:`~rnn_core.recurrent.rnn_forward`.

    Returns
    -------
    J : (N, T, Dh, Dh); ``J[n, t - 1]`` is the Jacobian of step t for sequence n.
    """
    dact = activation_derivative(cache.h, cache.activation)  # (N, T, Dh), act'(a_t)
    return dact[:, :, :, None] * cache.Wh  # row i of Wh scaled by act'(a_t)_i


@shapes(cache=RNNCache)
def jacobian_norms(cache):
    """Spectral norms ``||dh_T/dh_t||_2`` for t = 0 (h0) .. T, per sequence.

    ``dh_T/dh_t = J_T @ J_{T-1} @ ... @ J_{t+1}`` with ``J_k`` from
    :func:`step_jacobians`; the product is accumulated from the right end,
    one matrix product per step, and each partial product's largest singular
    value is recorded.

    Parameters
    ----------
    cache : RNNCache from :func:`~rnn_core.recurrent.rnn_forward`.

    Returns
    -------
    norms : (N, T+1) float64; column t is ``||dh_T/dh_t||_2``, column T is 1.
    """
    J = step_jacobians(cache).astype(np.float64)
    N, T, Dh, _ = J.shape
    norms = np.empty((N, T + 1))
    P = np.broadcast_to(np.eye(Dh), (N, Dh, Dh)).copy()  # dh_T/dh_T
    norms[:, T] = 1.0
    for t in range(T, 0, -1):
        P = P @ J[:, t - 1]  # dh_T/dh_{t-1} = dh_T/dh_t @ dh_t/dh_{t-1}
        norms[:, t - 1] = np.linalg.norm(P, ord=2, axis=(1, 2))
    return norms


@shapes(activation=one_of(*ACTIVATIONS), Wh="Dh Dh", T=positive_int())
def jacobian_bound(Wh, activation, T):
    """Pascanu et al.'s bound ``(gamma * sigma_max(Wh)) ** (T - t)`` for t = 0..T.

    ``gamma`` is the largest value of the activation's derivative (1/4 for
    the sigmoid, 1 for tanh and ReLU) and ``sigma_max(Wh)`` the largest
    singular value of ``Wh`` (not its largest eigenvalue modulus).

    Parameters
    ----------
    Wh : (Dh, Dh) hidden-to-hidden weights.
    activation : "sigmoid", "tanh" or "relu".
    T : number of steps, a positive int.

    Returns
    -------
    bound : (T+1,) float64; entry t bounds ``||dh_T/dh_t||_2``.
    """
    rate = DERIVATIVE_BOUND[activation] * np.linalg.norm(Wh.astype(np.float64), ord=2)
    return rate ** (T - np.arange(T + 1, dtype=np.float64))
