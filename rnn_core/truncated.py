"""Truncated backpropagation through time.

Each window is run forward from the state the previous window ended in, so
every window starts from the true hidden state; the backward pass treats that
state as a constant, so no gradient crosses a window boundary. Only one
window's cache is alive at a time: memory grows with the window, not with T.
"""

from __future__ import annotations

import numpy as np

from .recurrent import rnn_backward, rnn_forward
from .validation import Dims, check_activation, check_floats


def truncated_rnn_backward(x, h0, Wh, We, b1, dh, window, activation="sigmoid"):
    """Gradients of truncated BPTT with windows of ``window`` steps.

    The sequence is cut into windows [0, k), [k, 2k), ... with k = ``window``
    (the last one may be shorter). Hidden-state *values* are carried forward
    across the cuts; *gradients* are cut: each window is backpropagated as if
    its first incoming state were a constant. With ``window >= T`` this is
    full BPTT; with ``window = 1`` every step keeps only its local gradient.

    Parameters
    ----------
    x : (N, T, d) inputs.
    h0 : (N, Dh) initial hidden state.
    Wh : (Dh, Dh), We : (Dh, d), b1 : (Dh,) shared parameters.
    dh : (N, T, Dh) upstream gradient at each hidden state; not modified.
    window : positive int, the truncation length k.
    activation : "sigmoid" (default), "tanh" or "relu".

    Returns
    -------
    dx : (N, T, d)
    dh0 : (N, Dh) gradient at h0 (it only comes from the first window)
    dWh : (Dh, Dh)
    dWe : (Dh, d)
    db1 : (Dh,)
    """
    ### BEGIN SOLUTION
    check_activation(activation)
    dims = Dims()
    Wh, We, b1, x, h0, dh = check_floats(
        dims,
        Wh=(Wh, ("Dh", "Dh")),
        We=(We, ("Dh", "d")),
        b1=(b1, ("Dh",)),
        x=(x, ("N", "T", "d")),
        h0=(h0, ("N", "Dh")),
        dh=(dh, ("N", "T", "Dh")),
    )
    if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 1:
        raise ValueError(f"window: expected a positive int, got {window!r}")
    T = x.shape[1]
    dx = np.empty_like(x)
    dWh, dWe, db1 = np.zeros_like(Wh), np.zeros_like(We), np.zeros_like(b1)
    dh0 = None
    h_start = h0
    for s in range(0, T, window):
        e = min(s + window, T)
        # Forward over the window from the carried state (a value, not a variable) ...
        h_w, cache_w = rnn_forward(x[:, s:e], h_start, Wh, We, b1, activation)
        # ... and backward within the window only.
        dx_w, dh_start, dWh_w, dWe_w, db1_w = rnn_backward(dh[:, s:e], cache_w)
        dx[:, s:e] = dx_w
        dWh += dWh_w
        dWe += dWe_w
        db1 += db1_w
        if s == 0:
            dh0 = dh_start  # later dh_start are dropped: that is the truncation
        h_start = h_w[:, -1]  # the state handed to the next window
    return dx, dh0, dWh, dWe, db1
    ### END SOLUTION
