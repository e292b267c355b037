"""Gradient clipping: rescale by the global norm, or clamp each entry."""

from __future__ import annotations

import numpy as np

from .validation import as_float_array


def _check_grads(grads) -> dict:
    if not isinstance(grads, dict):
        raise ValueError(f"grads: expected a dict name -> array, got {type(grads).__name__}")
    return {k: as_float_array(f"grads[{k!r}]", g, None) for k, g in grads.items()}


def global_norm(grads: dict) -> float:
    """``sqrt(sum of squares over every entry of every gradient)``, in float64."""
    grads = _check_grads(grads)
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values())))


def clip_gradients(grads: dict, max_norm, mode: str = "norm"):
    """Clip a dict of gradients; the input dict and its arrays are left unchanged.

    mode="norm": if the global norm exceeds ``max_norm``, scale every gradient
    by ``max_norm / norm``. The direction is kept (cosine with the original is 1).
    mode="value": clamp every entry to ``[-max_norm, max_norm]``. Cheaper, but it
    changes the direction of the update.

    Parameters
    ----------
    grads : dict name -> float array, any shapes, finite values.
    max_norm : positive float, the threshold.
    mode : "norm" or "value".

    Returns
    -------
    clipped : dict name -> array, new arrays of the same shapes and dtypes.
    norm : float, the global norm before clipping.
    """
    if mode not in ("norm", "value"):
        raise ValueError(f"mode: expected 'norm' or 'value', got {mode!r}")
    ok = isinstance(max_norm, (int, float, np.integer, np.floating)) and not isinstance(max_norm, bool)
    if not (ok and np.isfinite(max_norm) and max_norm > 0):
        raise ValueError(f"max_norm: expected a positive finite number, got {max_norm!r}")
    grads = _check_grads(grads)  # also rejects NaN and inf: clipping cannot repair them
    norm = global_norm(grads)
    ### BEGIN SOLUTION
    if mode == "norm":
        scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
        clipped = {k: g * g.dtype.type(scale) for k, g in grads.items()}
    else:
        clipped = {k: np.clip(g, -g.dtype.type(max_norm), g.dtype.type(max_norm)) for k, g in grads.items()}
    ### END SOLUTION
    return clipped, norm
