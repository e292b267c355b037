"""Initialisers for the recurrent weights Wh: Gaussian, orthogonal, identity.

All randomness comes from an explicit ``np.random.Generator``.
"""

from __future__ import annotations

import numpy as np

from .contracts import generator, positive_int, positive_real, shapes, size_tuple


@shapes(rng=generator, shape=size_tuple, std=positive_real())
def gaussian(shape, rng, std):
    """Entries drawn independently from N(0, std**2).

    Parameters
    ----------
    shape : tuple of positive ints, e.g. (Dh, Dh) (a single positive int means (n,)).
    rng : np.random.Generator.
    std : positive real, the standard deviation.

    Returns
    -------
    W : float64 array of ``shape``.
    """
    return rng.standard_normal(shape) * std


@shapes(n=positive_int(), rng=generator, gain=positive_real(allow_zero=True))
def orthogonal(n, rng, gain=1.0):
    """A random orthogonal matrix times ``gain``: ``Q.T @ Q = gain**2 * I``.

    Q comes from the QR decomposition of a standard Gaussian matrix, with the
    signs of R's diagonal moved into Q, so that Q is uniformly (Haar)
    distributed over the orthogonal group. Every singular value of the result
    is ``gain``: repeated products neither grow nor shrink a vector's norm
    (Saxe et al., 2014).

    Parameters
    ----------
    n : positive int, the size (Dh).
    rng : np.random.Generator.
    gain : non-negative float.

    Returns
    -------
    W : (n, n) float64.
    """
    A = rng.standard_normal((n, n))
    Q, R = np.linalg.qr(A)
    signs = np.where(np.diag(R) < 0, -1.0, 1.0)
    return gain * (Q * signs)  # scales column j of Q by the sign of R[j, j]


@shapes(n=positive_int(), gain=positive_real(allow_zero=True))
def identity(n, gain=1.0):
    """``gain`` times the identity: the IRNN initialisation of Le et al. (2015).

    With ReLU and zero biases, an identity ``Wh`` copies the hidden state
    forward unchanged, so gradients neither vanish nor explode at the start.

    Parameters
    ----------
    n : positive int, the size (Dh).
    gain : non-negative float.

    Returns
    -------
    W : (n, n) float64.
    """
    return gain * np.eye(n)
