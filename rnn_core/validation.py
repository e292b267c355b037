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
        """Check ``shape`` against ``spec`` and bind any new letters to ``name``'s sizes."""
        before = dict(self.sizes)
        conflict = None
        if len(shape) == len(spec):
            for size, s in zip(shape, spec):
                expected = s if isinstance(s, int) else self.sizes.get(s)
                if expected is None:
                    self.sizes[s] = size
                    self.source[s] = name
                elif size != expected:
                    conflict = s
                    break
        if len(shape) != len(spec) or conflict is not None:
            self.sizes = before
            hint = ""
            if isinstance(conflict, str) and self.source.get(conflict, name) != name:
                hint = f" ({conflict} = {before[conflict]} from {self.source[conflict]})"
            raise ValueError(
                f"{name}: expected shape {self.describe(spec)}, got {tuple(shape)}{hint}"
            )


def check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation: expected one of {', '.join(repr(a) for a in ACTIVATIONS)}, "
            f"got {activation!r}"
        )
    return activation


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
    # Fast path: a finite sum means every entry is finite (an overflowing sum
    # of finite entries falls through to the exact check).
    if not np.isfinite(value.sum()) and not np.all(np.isfinite(value)):
        bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
        raise ValueError(
            f"{name}: expected finite values, got {bad} NaN or inf entries "
            f"(shape {value.shape})"
        )
    return value


def check_floats(dims: Dims, **named: tuple[object, Sequence[str | int]]) -> list[np.ndarray]:
    """Check several float arguments of one call, in order; they must share one dtype."""
    out: list[np.ndarray] = []
    dtype = None
    source = ""
    for name, (value, spec) in named.items():
        arr = as_float_array(name, value, spec, dims, dtype, source)
        if dtype is None:
            dtype, source = arr.dtype, name
        out.append(arr)
    return out


def check_upstream(name: str, value, spec: Sequence[str | int], dims: Dims,
                   forward_dtype: np.dtype) -> np.ndarray:
    """An upstream gradient: finite floats of shape ``spec`` and the forward pass's dtype."""
    (value,) = check_floats(dims, **{name: (value, spec)})
    if value.dtype != forward_dtype:
        raise ValueError(
            f"{name}: dtype {value.dtype} does not match the forward pass ({forward_dtype}); "
            f"shape {value.shape}"
        )
    return value


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
    if value.size and (value.min() < 0 or value.max() >= upper):
        lo, hi = int(value.min()), int(value.max())
        raise ValueError(
            f"{name}: expected ids in [0, {upper}), got values from {lo} to {hi} "
            f"(shape {value.shape})"
        )
    return value


def as_bool_mask(name: str, value, spec: Sequence[str | int], dims: Dims) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.dtype != np.bool_:
        got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise ValueError(f"{name}: expected a boolean numpy array, got {got}")
    dims.match(name, value.shape, spec)
    return value
