"""Gradient clipping: rescale by the global norm, or clamp each entry."""

from __future__ import annotations

import numpy as np

from .validation import as_float_array, check_positive_real


def _check_grads(grads, params=None):
    """Check a dict of gradients (and, when given, the parameters they belong to).

    grads : dict name -> finite float32/float64 array (any shapes).
    params : optional dict name -> float32/float64 numpy array with the same keys; each
        gradient must then have its parameter's shape and dtype, and the parameters must
        be finite numpy arrays too.

    Returns ``grads`` as a dict of arrays, or ``(params, grads)`` when ``params`` is given.
    Shared by :func:`clip_gradients` and :meth:`rnn_core.optim.Optimizer.step`.
    """
    if not isinstance(grads, dict):
        raise ValueError(f"grads: expected a dict name -> array, got {type(grads).__name__}")
    if params is None:
        return {k: as_float_array(f"grads[{k!r}]", g, None) for k, g in grads.items()}
    if not isinstance(params, dict):
        raise ValueError(f"params: expected a dict name -> array, got {type(params).__name__}")
    if set(params) != set(grads):
        raise ValueError(
            f"grads: expected the keys of params {sorted(params)}, got {sorted(grads)}"
        )
    P, G = {}, {}
    for k in params:
        name = f"params[{k!r}]"
        if not isinstance(params[k], np.ndarray):
            raise ValueError(f"{name}: expected a numpy array, got {type(params[k]).__name__}")
        p = as_float_array(name, params[k], None)
        g = grads[k]
        if isinstance(g, np.ndarray) and g.dtype in (np.float32, np.float64) and g.dtype != p.dtype:
            raise ValueError(f"grads[{k!r}]: expected dtype {p.dtype} (the dtype of {name}), "
                             f"got {g.dtype}")
        g = as_float_array(f"grads[{k!r}]", g, None, dtype=p.dtype, dtype_source=name)
        if g.shape != p.shape:
            raise ValueError(f"grads[{k!r}]: expected shape {p.shape}, got {g.shape}")
        P[k], G[k] = p, g
    return P, G


def _global_norm(grads: dict) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values())))


def global_norm(grads: dict) -> float:
    """``sqrt(sum of squares over every entry of every gradient)``, in float64.

    grads : dict name -> finite float32/float64 array. Returns a Python float.
    """
    return _global_norm(_check_grads(grads))


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
    ### BEGIN SOLUTION
    if mode not in ("norm", "value"):
        raise ValueError(f"mode: expected 'norm' or 'value', got {mode!r}")
    max_norm = check_positive_real("max_norm", max_norm)
    grads = _check_grads(grads)  # also rejects NaN and inf: clipping cannot repair them
    norm = _global_norm(grads)  # checked once, just above
    if mode == "norm":
        scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
        clipped = {k: g * g.dtype.type(scale) for k, g in grads.items()}
    else:
        clipped = {k: np.clip(g, -g.dtype.type(max_norm), g.dtype.type(max_norm)) for k, g in grads.items()}
    return clipped, norm
    ### END SOLUTION
