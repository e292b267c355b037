"""Activations and the softmax, written to stay exact for large inputs."""

from __future__ import annotations

import numpy as np

from .contracts import shapes
from .validation import ACTIVATIONS


@shapes(x="...")
def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, element-wise.

    Two branches, each an ``exp`` of ``-|x|`` (in (0, 1], so it never overflows):
    ``1 / (1 + exp(-x))`` for ``x >= 0`` and ``exp(x) / (1 + exp(x))`` for ``x < 0``.
    No warning even for ``|x|`` of 1e4. Float32 in gives float32 out.

    Parameters
    ----------
    x : any shape (a 0-d array or a Python float too), float32 or float64, finite.

    Returns
    -------
    s : the shape and float dtype of ``x``, entries in [0, 1].
    """
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


@shapes(x="... V")
def softmax(x):
    """Softmax over the last axis.

    The row maximum is subtracted first, so logits of magnitude 1e4 give the
    exact result instead of ``inf / inf``.

    Parameters
    ----------
    x : (..., V) logits, float32 or float64, finite, at least one axis, V >= 1.

    Returns
    -------
    p : (..., V) probabilities, the dtype of ``x``; each row sums to 1.
    """
    ### BEGIN SOLUTION
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
    ### END SOLUTION


@shapes(x="... V")
def log_softmax(x):
    """``log(softmax(x))`` over the last axis, computed without forming ``softmax``.

    ``log_softmax(x) = (x - max) - log(sum(exp(x - max)))``: the shift by the row
    maximum keeps it exact and warning-free for logits of magnitude 1e4.

    Parameters
    ----------
    x : (..., V) logits, float32 or float64, finite, at least one axis, V >= 1.

    Returns
    -------
    log_p : (..., V) log-probabilities, the dtype of ``x``; all <= 0.
    """
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def activate(a, activation):
    """``act(a)``: the stable :func:`sigmoid`, ``tanh``, or ReLU ``max(a, 0)``.

    ``a`` is a float array the caller has checked; ``activation`` one of ``ACTIVATIONS``.
    """
    if activation == "sigmoid":
        return sigmoid(a)
    if activation == "tanh":
        return np.tanh(a)
    if activation == "relu":
        return np.maximum(a, 0)
    raise ValueError(f"activation: expected one of {ACTIVATIONS}, got {activation!r}")


def activation_derivative(h, activation):
    """Local derivative ``act'(a)`` written in terms of the output ``h = act(a)``.

    sigmoid: ``h (1 - h)``; tanh: ``1 - h**2``; relu: ``1`` where ``h > 0``.
    """
    if activation == "sigmoid":
        return h * (1 - h)
    if activation == "tanh":
        return 1 - h * h
    if activation == "relu":
        return (h > 0).astype(h.dtype)
    raise ValueError(f"activation: expected one of {ACTIVATIONS}, got {activation!r}")
