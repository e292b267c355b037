"""Shared helpers for the tests of the gated cells (rnn_core.lstm, rnn_core.gru)."""

from __future__ import annotations

import numpy as np

# (N, T, d, Dh): the minimal size, N = 1 and T = 1 alone, d != Dh both ways.
SHAPES = [(1, 1, 1, 1), (1, 4, 3, 2), (3, 1, 2, 4), (2, 5, 4, 3), (4, 3, 2, 5)]
TOL = 1e-7  # relative error of a float64 gradient check


def lstm_params(rng, d, Dh, scale=0.5, dtype=np.float64):
    """Wh (4Dh, Dh), We (4Dh, d), b1 (4Dh,): gate pre-activations of order 1."""
    Wh = rng.standard_normal((4 * Dh, Dh)) * scale / np.sqrt(Dh)
    We = rng.standard_normal((4 * Dh, d)) * scale
    b1 = rng.standard_normal(4 * Dh) * 0.3
    return tuple(p.astype(dtype) for p in (Wh, We, b1))


def gru_params(rng, d, Dh, scale=0.5, dtype=np.float64):
    """Wh (3Dh, Dh), We (3Dh, d), b_ih (3Dh,), b_hh (3Dh,)."""
    Wh = rng.standard_normal((3 * Dh, Dh)) * scale / np.sqrt(Dh)
    We = rng.standard_normal((3 * Dh, d)) * scale
    b_ih = rng.standard_normal(3 * Dh) * 0.3
    b_hh = rng.standard_normal(3 * Dh) * 0.3
    return tuple(p.astype(dtype) for p in (Wh, We, b_ih, b_hh))


def frozen(*arrays):
    """Read-only copies: any in-place write by the code under test raises."""
    out = []
    for a in arrays:
        a = np.array(a, copy=True)
        a.flags.writeable = False
        out.append(a)
    return out
