"""Layers around the recurrence: the embedding below it and the affine output above it."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .contracts import ids, shapes


class AffineCache(NamedTuple):
    """What :func:`affine_backward` needs from :func:`affine_forward`."""

    h: np.ndarray  # (N, T, Dh)
    U: np.ndarray  # (Dh, V)

    shapes = dict(h="N T Dh", U="Dh V")
    producer = "affine_forward"


@shapes(h="N T Dh", U="Dh V", b2="V")
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
    N, T, Dh = h.shape
    theta = (h.reshape(N * T, Dh) @ U).reshape(N, T, -1) + b2  # all N*T rows in one matmul
    return theta, AffineCache(h, U)
    ### END SOLUTION


@shapes(cache=AffineCache, dtheta="N T V")
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
    N, T, V = dtheta.shape
    dtheta_flat = dtheta.reshape(N * T, V)  # all N*T rows in one matmul
    dh = (dtheta_flat @ cache.U.T).reshape(N, T, -1)
    dU = cache.h.reshape(N * T, -1).T @ dtheta_flat  # the sum over n and t is the matmul's
    db2 = dtheta_flat.sum(axis=0)
    return dh, dU, db2
    ### END SOLUTION


class EmbeddingCache(NamedTuple):
    """What :func:`embedding_backward` needs from :func:`embedding_forward`."""

    ids: np.ndarray  # (N, T) integer ids
    E_shape: tuple[int, int]  # (V, d)
    dtype: np.dtype

    shapes = dict(ids="N T", E_shape="V d")
    producer = "embedding_forward"


@shapes(E="V d", ids=ids("N T", below="V"))
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
    x = E[ids]
    return x, EmbeddingCache(ids.copy(), E.shape, E.dtype)
    ### END SOLUTION


@shapes(cache=EmbeddingCache, dx="N T d")
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
    dE = np.zeros(cache.E_shape, dtype=dx.dtype)
    np.add.at(dE, cache.ids, dx)
    return dE
    ### END SOLUTION
