"""Shared helpers for the unit tests of rnn_core."""

from __future__ import annotations

import zlib

import numpy as np
import pytest


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


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)
