"""Activations and the softmax, written to stay exact for large inputs."""

from __future__ import annotations

import numpy as np

from .validation import as_float_array, check_activation


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, element-wise.

    Evaluated as ``exp(-|x|)``-based branches, so no ``exp`` ever overflows:
    there is no warning even for ``|x|`` of 1e4. Float32 in gives float32 out.

    x : any shape, float32 or float64, finite.
    """
    x = as_float_array("x", x, None)
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(x.dtype, copy=False)


def softmax(x):
    """Softmax over the last axis.

    The row maximum is subtracted first, so logits of magnitude 1e4 give the
    exact result instead of ``inf / inf``.

    x : (..., V), float32 or float64, finite. Returns the same shape and dtype.
    """
    x = as_float_array("x", x, None)
    if x.ndim == 0:
        raise ValueError("x: expected shape (..., V) with at least one axis, got ()")
    ### BEGIN SOLUTION
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    p = e / e.sum(axis=-1, keepdims=True)
    ### END SOLUTION
    return p


def log_softmax(x):
    """``log(softmax(x))`` over the last axis, computed without forming ``softmax``.

    x : (..., V), float32 or float64, finite.
    """
    x = as_float_array("x", x, None)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def activate(a: np.ndarray, activation: str) -> np.ndarray:
    """Apply ``activation`` to pre-activations ``a`` (already validated)."""
    if activation == "sigmoid":
        z = np.exp(-np.abs(a))
        return np.where(a >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(a.dtype, copy=False)
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
