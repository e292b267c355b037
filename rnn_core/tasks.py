"""Synthetic long-range tasks: the adding problem and the copy-memory task.

Both are built so that the answer depends on inputs far in the past, and both
come with a *memoryless baseline*, the best a model can do without carrying
information across the sequence:

* :func:`adding_problem` (Hochreiter and Schmidhuber 1997, in the form of Le,
  Jaitly and Hinton 2015): predicting 1 always gives a mean squared error of
  1/6 (:data:`ADDING_BASELINE_MSE`).
* :func:`copy_memory` (Arjovsky, Shah and Bengio 2016): predicting the blank
  and then guessing uniformly gives a cross-entropy of ``10 log 8 / (T + 20)``
  (:func:`copy_memory_baseline`).

All randomness comes from an explicit ``np.random.Generator``.
"""

from __future__ import annotations

import math

import numpy as np

from .contracts import float_dtype, generator, positive_int, shapes

#: The MSE of always predicting 1 on the adding problem, Var(a + b) = 1/12 + 1/12.
ADDING_BASELINE_MSE = 1.0 / 6.0

#: The copy-memory alphabet (0 is the blank, 1..8 the symbols to copy, 9 the delimiter).
COPY_BLANK, COPY_SYMBOLS, COPY_DELIMITER, COPY_VOCAB = 0, 8, 9, 10
COPY_LENGTH = 10  # symbols to remember


@shapes(N=positive_int(), T=positive_int(2), rng=generator, dtype=float_dtype)
def adding_problem(N, T, rng, dtype=np.float64):
    """N sequences of the adding problem: add the two marked numbers.

    Channel 0 holds values drawn from U(0, 1); channel 1 is a marker that is 1
    at exactly two steps, one in the first half ``[0, T // 2)`` and one in the
    second half ``[T // 2, T)``, and 0 elsewhere. The target is the sum of the
    two marked values, so it lies in [0, 2] with mean 1 and variance 1/6.

    Parameters
    ----------
    N : int >= 1, the number of sequences.
    T : int >= 2, the sequence length (each half needs a step).
    rng : np.random.Generator, the only source of randomness.
    dtype : float32 or float64 (the default).

    Returns
    -------
    x : (N, T, 2) inputs, ``x[:, :, 0]`` values and ``x[:, :, 1]`` markers.
    y : (N, 1) targets, ``y[n, 0] = sum over t of x[n, t, 0] * x[n, t, 1]``.
    """
    half = T // 2
    values = rng.uniform(0.0, 1.0, size=(N, T))
    first = rng.integers(0, half, size=N)  # a step in the first half
    second = rng.integers(half, T, size=N)  # a step in the second half
    markers = np.zeros((N, T))
    rows = np.arange(N)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)
    y = (values[rows, first] + values[rows, second])[:, None].astype(dtype)
    return x, y


@shapes(N=positive_int(), T=positive_int(2), rng=generator)
def copy_memory(N, T, rng):
    """N sequences of the copy-memory task with a delay of T steps.

    Each sequence has ``T + 20`` steps: 10 symbols drawn uniformly from
    {1, ..., 8}, then ``T - 1`` blanks (0), the delimiter 9, and 10 more
    blanks. The target is blank for the first ``T + 10`` steps and then the 10
    symbols, in order: the model must reproduce them after the delimiter.

    Parameters
    ----------
    N : int >= 1, the number of sequences.
    T : int >= 2, the delay between the last symbol and the delimiter, plus one.
    rng : np.random.Generator.

    Returns
    -------
    ids : (N, T + 20) int64 inputs in [0, 10).
    targets : (N, T + 20) int64 targets in [0, 9).
    """
    L = COPY_LENGTH
    symbols = rng.integers(1, COPY_SYMBOLS + 1, size=(N, L))
    ids = np.full((N, T + 2 * L), COPY_BLANK, dtype=np.int64)
    ids[:, :L] = symbols
    ids[:, L + T - 1] = COPY_DELIMITER
    targets = np.full((N, T + 2 * L), COPY_BLANK, dtype=np.int64)
    targets[:, T + L:] = symbols
    return ids, targets


@shapes(T=positive_int(2))
def copy_memory_baseline(T):
    """Cross-entropy (nats per step) of the memoryless strategy on :func:`copy_memory`.

    Predict the blank with certainty for the first ``T + 10`` steps (loss 0),
    then a uniform guess over the 8 symbols for the last 10 (loss ``log 8``
    each): ``10 log 8 / (T + 20)`` averaged over all ``T + 20`` steps.

    T : int >= 2. Returns a Python float.
    """
    return COPY_LENGTH * math.log(COPY_SYMBOLS) / (T + 2 * COPY_LENGTH)
