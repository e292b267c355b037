"""Numerical gradients by central differences, and the relative error used to judge them."""

from __future__ import annotations

import numpy as np

from .contracts import positive_real, shapes


@shapes(h=positive_real())
def numerical_gradient(f, x, df=None, h=1e-5):
    """Central-difference gradient of ``f`` at ``x``, in float64.

    ``f`` is called as ``f(x_perturbed)`` with a private float64 copy of ``x``,
    so the caller's arrays are never changed, not even for a moment.

    * scalar ``f``: returns ``df/dx``;
    * array-valued ``f``: returns the vector-Jacobian product
      ``sum(df * d f(x) / dx)``, i.e. the gradient of ``sum(f(x) * df)``.

    Parameters
    ----------
    f : callable taking an array shaped like ``x``.
    x : array, any shape; the point at which to differentiate.
    df : array shaped like ``f(x)``, required when ``f`` returns an array.
    h : step size, a finite real number > 0.

    Returns
    -------
    grad : float64 array shaped like ``x``.
    """
    x_work = np.array(x, dtype=np.float64, copy=True, order="C")  # C order: flat is a view
    if not np.all(np.isfinite(x_work)):
        raise ValueError(f"x: expected finite values (shape {x_work.shape})")
    upstream = None if df is None else np.array(df, dtype=np.float64, copy=True)
    grad = np.zeros_like(x_work)
    flat = x_work.reshape(-1)  # a view: writing flat[i] perturbs x_work
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + h
        plus = np.array(f(x_work), dtype=np.float64, copy=True)  # f may return a view of x
        flat[i] = original - h
        minus = np.array(f(x_work), dtype=np.float64, copy=True)
        flat[i] = original
        if upstream is None:
            if plus.size != 1:
                raise ValueError(
                    f"df: f returns shape {plus.shape}, so df of that shape is required"
                )
            grad.reshape(-1)[i] = (plus.item() - minus.item()) / (2 * h)
        else:
            if plus.shape != upstream.shape:
                raise ValueError(
                    f"df: expected shape {plus.shape} (the shape of f(x)), "
                    f"got {upstream.shape}"
                )
            grad.reshape(-1)[i] = np.sum((plus - minus) * upstream) / (2 * h)
    return grad


def rel_error(a, b):
    """Relative error of two gradients as whole arrays: ``||a - b|| / (||a|| + ||b||)``.

    Norms are Frobenius norms; the denominator is floored at 1e-12 so two zero
    arrays compare as equal. A per-entry ratio would be dominated by round-off
    in entries close to zero (a softmax gradient has many), so the whole-array
    ratio is the one a gradient check can hold to 1e-7 in float64.

    Returns a Python float. Shapes must be equal: a transposed gradient is an
    error here, never broadcast away.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b: expected shape {a.shape} (the shape of a), got {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(scale, 1e-12))
