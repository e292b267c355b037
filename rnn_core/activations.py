"""Activations and the softmax, written to stay exact for large inputs."""

from __future__ import annotations

import numpy as np

from .validation import ACTIVATIONS, as_float_array, check_activation


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function on an already-checked float array; same shape and dtype."""
    z = np.exp(-np.abs(a))  # in (0, 1]: never overflows
    return np.where(a >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(a.dtype, copy=False)


def _check_logits(x) -> np.ndarray:
    """The input of :func:`softmax` and :func:`log_softmax`: finite floats with a last axis V >= 1."""
    x = as_float_array("x", x, None)
    if x.ndim == 0:
        raise ValueError("x: expected shape (..., V) with at least one axis, got ()")
    if x.shape[-1] < 1:
        raise ValueError(f"x: expected V >= 1, got shape {x.shape}")
    return x


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, element-wise.

    Evaluated as ``exp(-|x|)``-based branches, so no ``exp`` ever overflows:
    there is no warning even for ``|x|`` of 1e4. Float32 in gives float32 out.

    Parameters
    ----------
    x : any shape (a 0-d array or a Python float too), float32 or float64, finite.

    Returns
    -------
    s : the shape and float dtype of ``x``, entries in [0, 1].
    """
    return _sigmoid(as_float_array("x", x, None))


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
    x = _check_logits(x)
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    p = e / e.sum(axis=-1, keepdims=True)
    return p
    ### END SOLUTION


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
    x = _check_logits(x)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def activate(a: np.ndarray, activation: str) -> np.ndarray:
    """Apply ``activation`` to pre-activations ``a`` (already validated)."""
    if activation == "sigmoid":
        return _sigmoid(a)
    if activation == "tanh":
        return np.tanh(a)
    if activation == "relu":
        return np.maximum(a, 0)
    check_activation(activation)
    raise AssertionError("unreachable")


def activation_derivative(h: np.ndarray, activation: str) -> np.ndarray:
    """Local derivative ``act'(a)`` written in terms of the output ``h = act(a)``.

    sigmoid: ``h (1 - h)``; tanh: ``1 - h**2``; relu: ``1`` where ``h > 0``.
    """
    if activation == "sigmoid":
        return h * (1 - h)
    if activation == "tanh":
        return 1 - h * h
    if activation == "relu":
        return (h > 0).astype(h.dtype)
    check_activation(activation)
    raise AssertionError("unreachable")
