"""Initial parameters for the gated cells, in PyTorch's layout.

Two choices differ from PyTorch's default (every entry uniform in
``[-1/sqrt(Dh), 1/sqrt(Dh)]``):

- each Dh x Dh block of the recurrent weights ``Wh`` (one per gate) is a
  random orthogonal matrix (:func:`rnn_core.init.orthogonal`), so at the start
  the recurrence neither grows nor shrinks a vector's norm;
- the bias of the gate that keeps the old state, the LSTM's forget gate f and
  the GRU's update gate z, starts at ``forget_bias`` (1.0 by default): with
  ``sigmoid(1) = 0.73`` the cell state is mostly carried forward at the start,
  so gradients along it do not vanish before training has begun
  (Jozefowicz, Zaremba and Sutskever, 2015; Gers et al., 2000).

The input weights ``We`` are Gaussian with standard deviation ``1/sqrt(d)``.
All randomness comes from the ``rng`` passed in.
"""

from __future__ import annotations

import numpy as np

from .contracts import finite_real, float_dtype, generator, one_of, positive_int, shapes
from .init import gaussian, orthogonal

# Number of stacked gates, and which block holds the bias that keeps the old state.
GATES = {"lstm": ("ifgo", "f"), "gru": ("rzn", "z")}


@shapes(cell=one_of("lstm", "gru"), d=positive_int(), Dh=positive_int(), rng=generator,
        forget_bias=finite_real, dtype=float_dtype)
def init_gated(cell, d, Dh, rng, forget_bias=1.0, dtype=np.float64):
    """Initial parameters of an LSTM or a GRU layer, as a dict of arrays.

    Dimensions: d input features, Dh hidden units, G stacked gates (4 for the
    LSTM, i, f, g, o; 3 for the GRU, r, z, n).

    Parameters
    ----------
    cell : "lstm" or "gru".
    d : input size.
    Dh : hidden size.
    rng : np.random.Generator, the only source of randomness.
    forget_bias : the initial bias of the LSTM's forget gate f (in ``b1``) or of
        the GRU's update gate z (in ``b_ih``); 0.0 gives zero biases (PyTorch's
        are small and random around 0, uniform in ``[-1/sqrt(Dh), 1/sqrt(Dh)]``).
    dtype : np.float32 or np.float64.

    Returns
    -------
    params : for "lstm": ``Wh`` (4Dh, Dh), ``We`` (4Dh, d), ``b1`` (4Dh,), the
        arguments of :func:`rnn_core.lstm_forward`; for "gru": ``Wh`` (3Dh, Dh),
        ``We`` (3Dh, d), ``b_ih`` (3Dh,), ``b_hh`` (3Dh,), those of
        :func:`rnn_core.gru_forward`.
    """
    gates, keep = GATES[cell]
    G = len(gates)
    Wh = np.concatenate([orthogonal(Dh, rng) for _ in gates], axis=0)  # (G*Dh, Dh)
    We = gaussian((G * Dh, d), rng, std=1.0 / np.sqrt(d))
    b = np.zeros(G * Dh)
    k = gates.index(keep)
    b[k * Dh:(k + 1) * Dh] = forget_bias
    if cell == "lstm":
        params = dict(Wh=Wh, We=We, b1=b)
    else:
        params = dict(Wh=Wh, We=We, b_ih=b, b_hh=np.zeros(G * Dh))
    return {name: value.astype(dtype) for name, value in params.items()}
