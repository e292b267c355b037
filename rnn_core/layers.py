"""Layers around the recurrence: the embedding below it and the affine output above it."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .validation import Dims, as_index_array, check_cache, check_floats, check_upstream


class AffineCache(NamedTuple):
    """What :func:`affine_backward` needs from :func:`affine_forward`."""

    h: np.ndarray  # (N, T, Dh)
    U: np.ndarray  # (Dh, V)


def affine_forward(h, U, b2):
    """Scores for every time step in one matmul: ``theta = h @ U + b2``.

    The steps do not depend on each other here, so all N*T hidden states are
    multiplied at once.

    Parameters
    ----------
    h : (N, T, Dh) hidden states.
    U : (Dh, V) output weights.
    b2 : (V,) output bias.

    Returns
    -------
    theta : (N, T, V) unnormalised log-probabilities (logits).
    cache : AffineCache for :func:`affine_backward`.
    """
    ### BEGIN SOLUTION
    dims = Dims()
    h, U, b2 = check_floats(
        dims, h=(h, ("N", "T", "Dh")), U=(U, ("Dh", "V")), b2=(b2, ("V",))
    )
    N, T, Dh = h.shape
    V = U.shape[1]
    theta = (h.reshape(N * T, Dh) @ U).reshape(N, T, V)
    theta += b2
    return theta, AffineCache(h, U)
    ### END SOLUTION


def affine_backward(dtheta, cache):
    """Backward pass of :func:`affine_forward`.

    ``dh = dtheta @ U.T``, ``dU = h.T @ dtheta`` and ``db2 = dtheta`` summed
    over N and T; each gradient has the shape of the array it belongs to.

    Parameters
    ----------
    dtheta : (N, T, V) gradient at the logits.
    cache : AffineCache from :func:`affine_forward`.

    Returns
    -------
    dh : (N, T, Dh), dU : (Dh, V), db2 : (V,)
    """
    ### BEGIN SOLUTION
    cache = check_cache("cache", cache, AffineCache, "affine_forward")
    N, T, Dh = cache.h.shape
    V = cache.U.shape[1]
    dtheta = check_upstream(
        "dtheta", dtheta, ("N", "T", "V"), Dims(N=N, T=T, V=V), cache.h.dtype
    )
    dtheta_flat = dtheta.reshape(N * T, V)
    dh = (dtheta_flat @ cache.U.T).reshape(N, T, Dh)
    dU = cache.h.reshape(N * T, Dh).T @ dtheta_flat
    db2 = dtheta_flat.sum(axis=0)
    return dh, dU, db2
    ### END SOLUTION


class EmbeddingCache(NamedTuple):
    """What :func:`embedding_backward` needs from :func:`embedding_forward`."""

    ids: np.ndarray  # (N, T) integer ids
    E_shape: tuple[int, int]  # (V, d)
    dtype: np.dtype


def embedding_forward(ids, E):
    """Look up one row of ``E`` per id: ``x[n, t] = E[ids[n, t]]``.

    Parameters
    ----------
    ids : (N, T) integers in [0, V).
    E : (V, d) embedding matrix.

    Returns
    -------
    x : (N, T, d) embedded inputs (a copy, not a view of ``E``).
    cache : EmbeddingCache for :func:`embedding_backward`.
    """
    ### BEGIN SOLUTION
    dims = Dims()
    (E,) = check_floats(dims, E=(E, ("V", "d")))
    ids = as_index_array("ids", ids, ("N", "T"), dims, upper=E.shape[0])
    x = E[ids]
    return x, EmbeddingCache(ids.copy(), E.shape, E.dtype)
    ### END SOLUTION


def embedding_backward(dx, cache):
    """Backward pass of :func:`embedding_forward`: scatter-add rows of ``dx`` into ``dE``.

    An id that appears several times receives the sum of its gradients.

    Parameters
    ----------
    dx : (N, T, d) gradient at the embedded inputs.
    cache : EmbeddingCache from :func:`embedding_forward`.

    Returns
    -------
    dE : (V, d)
    """
    ### BEGIN SOLUTION
    cache = check_cache("cache", cache, EmbeddingCache, "embedding_forward")
    V, d = cache.E_shape
    N, T = cache.ids.shape
    dx = check_upstream("dx", dx, ("N", "T", "d"), Dims(N=N, T=T, d=d), cache.dtype)
    dE = np.zeros((V, d), dtype=dx.dtype)
    np.add.at(dE, cache.ids.reshape(-1), dx.reshape(N * T, d))
    return dE
    ### END SOLUTION
