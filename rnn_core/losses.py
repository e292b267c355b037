"""Softmax cross-entropy over a sequence of predictions."""

from __future__ import annotations

import numpy as np

from .validation import Dims, as_bool_mask, as_float_array, as_index_array


def softmax_cross_entropy(theta, y, mask=None):
    """Mean negative log-likelihood per counted token, and its gradient.

    ``loss = -(1/M) * sum over counted (n, t) of log softmax(theta[n, t])[y[n, t]]``,
    where M is the number of counted tokens (all N*T without a mask). So
    ``exp(loss)`` is the perplexity, and ``loss / ln 2`` is bits per token.
    The gradient is ``(softmax(theta) - onehot(y)) / M`` at counted tokens and 0
    elsewhere.

    Parameters
    ----------
    theta : (N, T, V) logits, float32 or float64.
    y : (N, T) integer targets in [0, V).
    mask : (N, T) boolean, optional; False entries are left out of the loss.

    Returns
    -------
    loss : float
    dtheta : (N, T, V), the dtype of ``theta``.
    """
    ### BEGIN SOLUTION
    dims = Dims()
    theta = as_float_array("theta", theta, ("N", "T", "V"), dims)
    N, T, V = theta.shape
    y = as_index_array("y", y, ("N", "T"), dims, upper=V)
    if mask is not None:
        mask = as_bool_mask("mask", mask, ("N", "T"), dims)
        count = int(mask.sum())
        if count == 0:
            raise ValueError("mask: expected at least one True entry, got none (shape "
                             f"{mask.shape})")
    else:
        count = N * T
    shifted = theta - theta.max(axis=-1, keepdims=True)  # exact for huge logits
    target = np.take_along_axis(shifted, y[..., None], axis=-1)[..., 0]  # (N, T)
    probs = np.exp(shifted, out=shifted)  # reuses the buffer: one large array in all
    norm = probs.sum(axis=-1, keepdims=True)
    log_p_target = target - np.log(norm[..., 0])  # log softmax(theta)[y]
    if mask is not None:
        log_p_target = np.where(mask, log_p_target, 0)
    loss = float(-log_p_target.sum(dtype=np.float64) / count)

    dtheta = probs
    dtheta /= norm  # softmax probabilities p
    rows = dtheta.reshape(-1, V)
    rows[np.arange(rows.shape[0]), y.reshape(-1)] -= 1  # p - onehot(y)
    if mask is not None:
        dtheta *= mask[..., None]
    dtheta /= count
    return loss, dtheta.astype(theta.dtype, copy=False)
    ### END SOLUTION
