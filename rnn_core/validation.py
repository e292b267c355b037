"""Input checks shared by every public function.

Bad input raises ``ValueError`` naming the argument, the shape (or dtype)
expected and the one received; nothing is ever silently broadcast.

Shapes are written with the book's dimension letters, e.g. ``("N", "T", "d")``.
A :class:`Dims` object binds each letter to a size the first time it is seen,
so a later argument with a different size for the same letter is reported
against the earlier one.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
ACTIVATIONS = ("sigmoid", "tanh", "relu")


class Dims:
    """Sizes bound to dimension letters while the arguments of one call are checked."""

    def __init__(self, **known: int) -> None:
        self.sizes: dict[str, int] = dict(known)
        self.source: dict[str, str] = {k: "the forward pass" for k in known}

    def describe(self, spec: Sequence[str | int]) -> str:
        """``(N, Dh) = (?, 4)``: the letters and what is known of their sizes."""
        comma = "," if len(spec) == 1 else ""
        letters = ", ".join(str(s) for s in spec) + comma
        sizes = [str(s) if isinstance(s, int) else str(self.sizes.get(s, "?")) for s in spec]
        return f"({letters}) = ({', '.join(sizes)}{comma})"

    def match(self, name: str, shape: tuple[int, ...], spec: Sequence[str | int]) -> None:
        """Check ``shape`` against ``spec`` and bind any new letters to ``name``'s sizes.

        Every dimension named by a letter must have size 1 or more: an empty
        sequence, batch or vocabulary is reported here, not deep inside numpy.
        The message states the sizes expected as far as they are known, those
        bound earlier in this same ``spec`` included: a (5, 6) ``Wh`` is
        reported against ``(Dh, Dh) = (5, 5)``.
        """
        before = dict(self.sizes)
        conflict = None
        if len(shape) == len(spec):
            for size, s in zip(shape, spec):
                if isinstance(s, str) and size < 1:
                    self.sizes = before
                    raise ValueError(f"{name}: expected {s} >= 1, got shape {tuple(shape)}")
                expected = s if isinstance(s, int) else self.sizes.get(s)
                if expected is None:
                    self.sizes[s] = size
                    self.source[s] = name
                elif size != expected:
                    conflict = s
                    break
        if len(shape) != len(spec) or conflict is not None:
            described = self.describe(spec)  # before the sizes bound here are forgotten
            self.sizes = before
            hint = ""
            if isinstance(conflict, str) and self.source.get(conflict, name) != name:
                hint = f" ({conflict} = {before[conflict]} from {self.source[conflict]})"
            raise ValueError(f"{name}: expected shape {described}, got {tuple(shape)}{hint}")


def as_float_array(
    name: str,
    value,
    spec: Sequence[str | int] | None,
    dims: Dims | None = None,
    dtype: np.dtype | None = None,
    dtype_source: str = "",
) -> np.ndarray:
    """Return ``value`` as a finite float32/float64 array of the shape ``spec``.

    ``dtype``, when given, is the dtype every other float argument of the call
    already has; ``dtype_source`` names the argument it came from.
    """
    if not isinstance(value, np.ndarray):
        if isinstance(value, np.floating):
            value = np.asarray(value)  # a numpy scalar keeps its dtype
        elif isinstance(value, (list, tuple, float, int)) and not isinstance(value, bool):
            value = np.asarray(value, dtype=np.float64)
        else:
            raise ValueError(
                f"{name}: expected a numpy array, got {type(value).__name__}"
            )
    if value.dtype not in FLOAT_DTYPES:
        raise ValueError(
            f"{name}: expected dtype float32 or float64, got {value.dtype} "
            f"(shape {value.shape})"
        )
    if dtype is not None and value.dtype != dtype:
        raise ValueError(
            f"{name}: dtype {value.dtype} does not match {dtype_source} ({dtype}); "
            f"shape {value.shape}. Convert all arrays to one float dtype."
        )
    if spec is not None:
        (dims if dims is not None else Dims()).match(name, value.shape, spec)
    if not all_finite(value):
        bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
        raise ValueError(
            f"{name}: expected finite values, got {bad} NaN or inf entries "
            f"(shape {value.shape})"
        )
    return value


def all_finite(value: np.ndarray) -> bool:
    """Every entry of a float array finite: one ``isfinite`` pass and one count, no warnings."""
    return np.count_nonzero(np.isfinite(value)) == value.size


def as_index_array(
    name: str, value, spec: Sequence[str | int], dims: Dims, upper: int
) -> np.ndarray:
    """Return ``value`` as an integer array of shape ``spec`` with entries in [0, upper)."""
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name}: expected a numpy integer array, got {type(value).__name__}")
    if not np.issubdtype(value.dtype, np.integer):
        raise ValueError(
            f"{name}: expected an integer dtype, got {value.dtype} (shape {value.shape})"
        )
    dims.match(name, value.shape, spec)
    return check_id_range(name, value, upper)


def check_id_range(name: str, ids: np.ndarray, upper: int) -> np.ndarray:
    """The one id-range check: every entry of ``ids`` in ``[0, upper)``.

    Parameters
    ----------
    name : the argument's name, used in the error message.
    ids : an integer numpy array, any shape.
    upper : the vocabulary size V.

    Returns
    -------
    ids : the same array, unchanged.
    """
    if ids.size and (ids.min() < 0 or ids.max() >= upper):
        lo, hi = int(ids.min()), int(ids.max())
        raise ValueError(
            f"{name}: expected ids in [0, {upper}), got values from {lo} to {hi} "
            f"(shape {ids.shape})"
        )
    return ids


def as_bool_mask(name: str, value, spec: Sequence[str | int], dims: Dims) -> np.ndarray:
    """Return ``value`` unchanged if it is a boolean numpy array of the shape ``spec``.

    Parameters
    ----------
    name : the argument's name, used in the error message.
    value : the mask to check; must already be ``dtype=bool`` (0/1 ints are refused).
    spec : its shape in the book's letters, e.g. ``("N", "T")``.
    dims : the :class:`Dims` of the call, so the letters agree with the other arguments.

    Returns
    -------
    mask : ``value`` itself, of shape ``spec``.
    """
    if not isinstance(value, np.ndarray) or value.dtype != np.bool_:
        got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise ValueError(f"{name}: expected a boolean numpy array, got {got}")
    dims.match(name, value.shape, spec)
    return value


def check_positive_int(name: str, value, minimum: int = 1) -> int:
    """An int (not a bool) of at least ``minimum``; returned as a Python int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value!r}")
    return int(value)


def check_positive_real(name: str, value, allow_zero: bool = False) -> float:
    """A finite real number (not a bool or a string) above 0 (or at least 0)."""
    ok = (isinstance(value, (int, float, np.integer, np.floating))
          and not isinstance(value, bool) and np.isfinite(value)
          and (value >= 0 if allow_zero else value > 0))
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: expected a finite real number {bound}, got {value!r}")
    return float(value)


def check_generator(name: str, rng) -> np.random.Generator:
    """An explicit ``np.random.Generator`` (no global seeds anywhere in rnn_core)."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"{name}: expected a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    return rng


def as_id_vector(name: str, value, min_length: int = 1) -> np.ndarray:
    """A 1-D integer array of token ids with at least ``min_length`` entries."""
    if not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.integer):
        got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise ValueError(f"{name}: expected a 1-D numpy integer array, got {got}")
    if value.ndim != 1 or value.shape[0] < min_length:
        raise ValueError(
            f"{name}: expected shape (L,) with L >= {min_length}, got {value.shape}"
        )
    return value
