"""Plots of gradient flow: norms against time step, and a time x unit heatmap."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm

from .style import SEQUENTIAL_CMAP


def plot_gradient_norms(ax, norms, label=None, *, first_step=1, **kw):
    """Draw gradient norms against the time step on a log scale.

    Parameters
    ----------
    ax : matplotlib Axes to draw on.
    norms : (T,) norms, e.g. from :func:`~rnn_core.gradient_flow.hidden_gradient_norms`
        (steps 1..T) or one row of :func:`~rnn_core.gradient_flow.jacobian_norms`
        (steps 0..T: pass ``first_step=0``).
    label : legend label.
    first_step : the time step of ``norms[0]``.
    **kw : passed on to ``ax.plot`` (colour, line style, ...).

    Returns
    -------
    ax
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1:
        raise ValueError(f"norms: expected shape (T,), got {norms.shape}")
    steps = first_step + np.arange(norms.size)
    ax.plot(steps, norms, label=label, **kw)
    ax.set_yscale("log")
    ax.set_xlabel("time step $t$")
    if not ax.get_ylabel():
        ax.set_ylabel(r"$\|\partial L / \partial h_t\|$")
    return ax


def plot_gradient_heatmap(ax, grads, *, first_step=1, colorbar=True, vmin=None, vmax=None):
    """Draw ``|gradient|`` over (time step, hidden unit) with a log colour scale (cividis).

    Parameters
    ----------
    ax : matplotlib Axes to draw on.
    grads : (T, Dh) gradients, or (N, T, Dh), e.g. from
        :func:`~rnn_core.gradient_flow.hidden_gradients`; a batch is reduced to
        the root of the sum of squares over the N sequences.
    first_step : the time step of ``grads[0]`` (or ``grads[:, 0]``).
    colorbar : add a colour bar next to ``ax``.
    vmin, vmax : ends of the log colour scale; default: this panel's own range. Pass the
        same values to several panels to give them one shared scale.

    Returns
    -------
    ax
    """
    g = np.asarray(grads, dtype=np.float64)
    if g.ndim == 3:
        g = np.sqrt(np.sum(g * g, axis=0))
    elif g.ndim == 2:
        g = np.abs(g)
    else:
        raise ValueError(f"grads: expected shape (T, Dh) or (N, T, Dh), got {g.shape}")
    T, Dh = g.shape
    top = float(g.max()) if g.size and g.max() > 0 else 1.0
    positive = g[g > 0]
    bottom = max(float(positive.min()) if positive.size else top * 1e-12, top * 1e-12)
    if bottom >= top:
        bottom = top / 10
    top = top if vmax is None else float(vmax)
    bottom = bottom if vmin is None else float(vmin)
    image = ax.imshow(
        np.clip(g, bottom, None).T,
        aspect="auto",
        origin="lower",
        cmap=SEQUENTIAL_CMAP,
        norm=LogNorm(vmin=bottom, vmax=top),
        extent=(first_step - 0.5, first_step + T - 0.5, -0.5, Dh - 0.5),
        interpolation="nearest",
    )
    ax.set_xlabel("time step $t$")
    ax.set_ylabel("hidden unit")
    ax.grid(False)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=r"$|\partial L / \partial h_t|$")
    return ax
