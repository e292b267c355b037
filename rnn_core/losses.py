"""Softmax cross-entropy over a sequence of predictions."""

from __future__ import annotations

import numpy as np

from .activations import log_softmax
from .contracts import ids, mask, shapes


@shapes(theta="N T V", y=ids("N T", below="V"), mask=mask("N T", nonempty=True))
def softmax_cross_entropy(theta, y, mask=None):
    """Mean negative log-likelihood per counted token, and its gradient.

    ``loss = -(1/M) * sum over counted (n, t) of log_softmax(theta[n, t])[y[n, t]]``,
    where M is the number of counted tokens (all N*T without a mask). So
    ``exp(loss)`` is the perplexity, and ``loss / ln 2`` is bits per token.
    The gradient is ``(softmax(theta) - onehot(y)) / M`` at counted tokens and 0
    elsewhere.

    Parameters
    ----------
    theta : (N, T, V) logits, float32 or float64.
    y : (N, T) integer targets in [0, V).
    mask : (N, T) boolean, optional, at least one True; False entries are left out.

    Returns
    -------
    loss : float
    dtheta : (N, T, V), the dtype of ``theta``.
    """
    ### BEGIN SOLUTION
    counted = np.ones(y.shape, dtype=bool) if mask is None else mask
    count = int(counted.sum())
    log_p = log_softmax(theta)  # (N, T, V)
    log_p_target = np.take_along_axis(log_p, y[..., None], axis=-1)[..., 0]  # (N, T)
    loss = float(-np.where(counted, log_p_target, 0).sum(dtype=np.float64) / count)

    dtheta = np.exp(log_p)  # softmax(theta), from the log-probabilities at hand
    rows = dtheta.reshape(-1, theta.shape[-1])  # a view: one row per (n, t)
    rows[np.arange(rows.shape[0]), y.reshape(-1)] -= 1  # p - onehot(y)
    dtheta *= counted[..., None] / theta.dtype.type(count)  # counted tokens only, over M
    return loss, dtheta
    ### END SOLUTION
