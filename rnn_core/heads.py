"""A many-to-one head: the last hidden state, an affine map, the mean squared error.

For a task with one answer per sequence (the adding problem of
:mod:`rnn_core.tasks`) only the state after the last step is read:

``yhat = h[:, -1] @ U + b2``,  ``loss = mean over n, k of (yhat - y)**2``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .contracts import finite_real, shapes


class HeadCache(NamedTuple):
    """What :func:`mse_head_backward` needs from :func:`mse_head_forward`."""

    h: np.ndarray  # (N, T, Dh) the hidden states (only the last is read)
    U: np.ndarray  # (Dh, K)
    yhat: np.ndarray  # (N, K) the predictions
    err: np.ndarray  # (N, K) yhat - y

    shapes = dict(h="N T Dh", U="Dh K", yhat="N K", err="N K")
    producer = "mse_head_forward"


@shapes(h="N T Dh", U="Dh K", b2="K", y="N K")
def mse_head_forward(h, U, b2, y):
    """Read the last state, predict ``yhat = h[:, -1] @ U + b2``, score it by the MSE.

    Dimensions: N sequences, T steps, Dh hidden units, K outputs (1 for the
    adding problem).

    Parameters
    ----------
    h : (N, T, Dh) hidden states; only ``h[:, -1]`` is read.
    U : (Dh, K) output weights.
    b2 : (K,) output bias.
    y : (N, K) targets.

    Returns
    -------
    loss : scalar of the dtype of ``h``, ``mean((yhat - y)**2)`` over N and K.
    cache : HeadCache for :func:`mse_head_backward`; ``cache.yhat`` holds the (N, K) predictions.
    """
    ### BEGIN SOLUTION
    yhat = h[:, -1] @ U + b2
    err = yhat - y
    loss = np.mean(err * err)
    return loss, HeadCache(h, U, yhat, err)
    ### END SOLUTION


@shapes(cache=HeadCache, dloss=finite_real)
def mse_head_backward(dloss, cache):
    """Backward pass of :func:`mse_head_forward`.

    With M = N K entries, ``dyhat = dloss * 2 (yhat - y) / M``; then
    ``dh[:, -1] = dyhat @ U.T`` (every earlier step gets 0 from the head),
    ``dU = h[:, -1].T @ dyhat`` and ``db2 = dyhat.sum(0)``.

    Parameters
    ----------
    dloss : finite real, the gradient at the loss (1 when it is the objective).
    cache : HeadCache from :func:`mse_head_forward`.

    Returns
    -------
    dh : (N, T, Dh), zero except at the last step.
    dU : (Dh, K)
    db2 : (K,)
    """
    ### BEGIN SOLUTION
    h_last = cache.h[:, -1]
    dyhat = (2 * dloss / cache.err.size) * cache.err  # a Python float: float32 stays float32
    dh = np.zeros_like(cache.h)
    dh[:, -1] = dyhat @ cache.U.T
    dU = h_last.T @ dyhat
    db2 = dyhat.sum(axis=0)
    return dh, dU, db2
    ### END SOLUTION
