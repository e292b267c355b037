"""Gradient clipping: rescale by the global norm, or clamp each entry."""

from __future__ import annotations

import numpy as np

from .contracts import arrays, one_of, positive_real, shapes


@shapes(grads=arrays())
def global_norm(grads):
    """``sqrt(sum of squares over every entry of every gradient)``, in float64.

    grads : dict name -> finite float32/float64 array. Returns a Python float.
    """
    return float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads.values())))


@shapes(mode=one_of("norm", "value"), max_norm=positive_real(), grads=arrays())
def clip_gradients(grads, max_norm, mode="norm"):
    """Clip a dict of gradients; the input dict and its arrays are left unchanged.

    mode="norm": if the global norm exceeds ``max_norm``, scale every gradient
    by ``max_norm / norm``. The direction is kept (cosine with the original is 1).
    mode="value": clamp every entry to ``[-max_norm, max_norm]``. Cheaper, but it
    changes the direction of the update. NaN and inf are refused: clipping cannot
    repair them.

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
    norm = global_norm(grads)
    if mode == "norm":
        scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
        clipped = {k: g * scale for k, g in grads.items()}
    else:
        clipped = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}
    return clipped, norm
    ### END SOLUTION
