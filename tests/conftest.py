"""Shared helpers for the unit tests of rnn_core."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Gradient checks: central differences in float64 must agree to this relative error.
TOL = 1e-7
# (N, T, d, Dh, V): minimal sizes, d != Dh both ways, V != Dh.
SHAPES = [(1, 1, 1, 1, 2), (1, 3, 2, 5, 3), (4, 1, 6, 3, 4), (3, 5, 4, 6, 7), (2, 7, 5, 2, 3)]
ACTIVATIONS = ["sigmoid", "tanh"]

# Property tests (hypothesis): small random sizes and any seed.
dims = st.integers(min_value=1, max_value=5)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
activations = st.sampled_from(ACTIVATIONS)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def logistic(z: float) -> float:
    """The logistic function on a Python float, written from its formula (expected values)."""
    return 1.0 / (1.0 + math.exp(-z))


def seed_for(*parts) -> int:
    """A seed that depends only on ``parts`` (Python's str hash varies between runs)."""
    return zlib.crc32(repr(parts).encode())


def make_rnn_params(rng: np.random.Generator, d: int, Dh: int, scale: float = 0.5,
                    dtype=np.float64):
    """Wh (Dh, Dh), We (Dh, d), b1 (Dh,) with entries of a moderate size."""
    Wh = (rng.standard_normal((Dh, Dh)) * scale / np.sqrt(Dh)).astype(dtype)
    We = (rng.standard_normal((Dh, d)) * scale).astype(dtype)
    b1 = (rng.standard_normal(Dh) * 0.1).astype(dtype)
    return Wh, We, b1


def rnn_case(rng: np.random.Generator, N=3, T=6, d=4, Dh=5, dtype=np.float64):
    """Arguments of rnn_forward: x (N, T, d), h0 (N, Dh), Wh, We, b1."""
    x = rng.standard_normal((N, T, d)).astype(dtype)
    h0 = rng.standard_normal((N, Dh)).astype(dtype)
    return (x, h0, *make_rnn_params(rng, d, Dh, scale=1.0, dtype=dtype))


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)
