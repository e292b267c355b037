"""Shape contracts declared once, at the door of a function.

A function the book derives states what it accepts in one line above its
``def``, in the book's dimension letters::

    @shapes(x_t="N d", h_prev="N Dh", Wh="Dh Dh", We="Dh d", b1="Dh")
    def rnn_step_forward(x_t, h_prev, Wh, We, b1, activation="sigmoid"):
        a = h_prev @ Wh.T + x_t @ We.T + b1
        ...

so that its body is the math and nothing else. :func:`shapes` checks every
call against the contract before the body runs and raises ``ValueError``
naming the argument, the shape expected (letters bound across arguments) and
the shape received. It never copies, casts or modifies what the caller passed,
except that a Python list or float becomes a float64 array.

What a contract may say about an argument:

- ``"N T d"``: a finite float32/float64 numpy array of that shape. Every float
  argument of one call shares one dtype, and one letter means one size across
  all of them. A token ``4Dh`` is four times ``Dh`` (stacked gates). A number
  is a fixed size.
- a cache class (a ``NamedTuple`` with a ``shapes`` dict, e.g. ``StepCache``):
  the object returned by the matching forward pass. Its arrays bind the letters
  and the dtype, so an upstream gradient declared after it, such as
  ``dh_next="N Dh"``, must match the forward pass.
- ``"... V"``: any number of leading axes, then the named ones (``"..."``
  alone: any shape, a 0-d array or a Python float too).
- a class with a ``shapes`` dict whose arrays live in a ``params`` dict (the
  model, :class:`~rnn_core.model.CharRNN`): its parameters bind the letters
  and the dtype, so ``h0="1 Dh"`` must match the model.
- ``ids("N T", below="V")``: an integer array with entries in ``[0, V)``;
  ``id_sequence(below="V")``: a possibly empty list, tuple or 1-D array of them.
- ``mask("N T")``: a boolean array (``mask("N T", nonempty=True)``: with a True entry).
- ``arrays()``: a dict name -> finite float array of any shape (gradients);
  ``arrays(like="params")``: the same keys, shapes and dtypes as the dict
  argument ``params``; ``arrays(E="V d", ...)``: those keys with those shapes.
- ``one_of("sigmoid", "tanh")``, ``positive_int()``, ``positive_real()``,
  ``generator``, ``float_dtype``, ``size_tuple``: a choice, an ``int >= 1``, a
  finite real ``> 0``, a ``np.random.Generator``, float32 or float64, and a
  shape (a tuple of positive ints, or one int).

An argument whose default is ``None`` may be left at ``None``.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from typing import Any, Callable

import numpy as np

from .validation import (
    FLOAT_DTYPES,
    Dims,
    all_finite,
    as_bool_mask,
    as_float_array,
    as_index_array,
    check_generator,
    check_id_range,
    check_positive_int,
    check_positive_real,
)

_TOKEN = re.compile(r"^(\d*)([A-Za-z_]\w*)$|^(\d+)$")


class Call:
    """What the arguments checked so far in one call have fixed: letter sizes and the dtype."""

    def __init__(self) -> None:
        self.dims = Dims()
        self.dtype: np.dtype | None = None
        self.dtype_source = ""
        self.checked: dict[str, Any] = {}  # the arguments checked so far, by name

    def bind_float(self, name: str, value, spec: "Spec") -> np.ndarray:
        arr = as_float_array(name, value, None, None, self.dtype, self.dtype_source)
        spec.match(name, arr.shape, self.dims)
        if self.dtype is None:
            self.dtype, self.dtype_source = arr.dtype, name
        return arr


class Spec:
    """A parsed shape such as ``"4Dh Dh"``: per axis a (multiple, letter) or a fixed size."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.axes: list[tuple[int, str] | int] = []
        tokens = text.split()
        self.leading = bool(tokens) and tokens[0] == "..."  # any number of leading axes
        for token in tokens[1:] if self.leading else tokens:
            m = _TOKEN.match(token)
            if m is None:
                raise ValueError(f"bad shape token {token!r} in {text!r}")
            if m.group(3) is not None:
                self.axes.append(int(m.group(3)))
            else:
                self.axes.append((int(m.group(1) or 1), m.group(2)))
        self._letters = [a if isinstance(a, int) else (a[1] if a[0] == 1 else f"{a[0]}{a[1]}")
                         for a in self.axes]
        self._stacked = any(isinstance(a, tuple) and a[0] > 1 for a in self.axes)

    def letters(self) -> list[str | int]:
        """The axes as ``Dims`` sees them: ``(4, "Dh")`` becomes ``"4Dh"``."""
        return list(self._letters)

    def match(self, name: str, shape: tuple[int, ...], dims: Dims) -> None:
        """Check ``shape``; bind new letters. A stacked axis ``kL`` binds ``L = size / k``."""
        if self.leading:  # "... V": the leading axes are whatever they are
            n = len(self.axes)
            if len(shape) < n:
                axes = "one axis" if n == 1 else f"{n} axes"
                raise ValueError(f"{name}: expected shape {self!r} with at least {axes}, "
                                 f"got {tuple(shape)}")
            lead = len(shape) - n
            dims.match(name, tuple(shape), [*shape[:lead], *self.letters()])
            return
        # Stacked axes are checked through a derived letter "kL" whose size Dims knows.
        # A plain axis of the same spec binds its letter first, so an unstacked (Dh, Dh)
        # matrix is reported against (4Dh, Dh) = (4 Dh, Dh), not read as Dh = size / 4.
        letters = self._letters
        if self._stacked and len(shape) == len(self.axes):
            for axis, size in zip(self.axes, shape):
                if isinstance(axis, tuple) and axis[0] == 1 and axis[1] not in dims.sizes:
                    if size >= 1:
                        dims.sizes[axis[1]], dims.source[axis[1]] = size, name
        for axis, size in zip(self.axes, shape) if self._stacked else ():
            if isinstance(axis, tuple) and axis[0] > 1:
                k, letter = axis
                if letter in dims.sizes:
                    dims.sizes.setdefault(f"{k}{letter}", k * dims.sizes[letter])
                    dims.source.setdefault(f"{k}{letter}", dims.source[letter])
                elif size >= 1 and size % k == 0 and len(shape) == len(self.axes):
                    dims.sizes[letter], dims.source[letter] = size // k, name
                    dims.sizes[f"{k}{letter}"], dims.source[f"{k}{letter}"] = size, name
                else:
                    raise ValueError(f"{name}: expected shape {dims.describe(letters)}, "
                                     f"got {tuple(shape)} ({k}{letter} must be a multiple of {k})")
        try:
            dims.match(name, tuple(shape), letters)
        except ValueError as err:
            if not self._stacked:
                raise
            stacks = ", ".join(f"{a[0]}{a[1]} stacks {a[0]} blocks of {a[1]} rows (one per gate)"
                               for a in self.axes if isinstance(a, tuple) and a[0] > 1)
            raise ValueError(f"{err}; {stacks}") from None

    def __repr__(self) -> str:
        letters = ["..."] * self.leading + [str(a) for a in self.letters()]
        comma = "," if len(letters) == 1 and not self.leading else ""
        return f"({', '.join(letters)}{comma})"


class Seen:
    """What the fast path has seen in one call: letter sizes and the one float dtype."""

    __slots__ = ("sizes", "dtype")

    def __init__(self) -> None:
        self.sizes: dict[str, int] = {}
        self.dtype: np.dtype | None = None  # float32 or float64 once bound


_F32, _F64 = FLOAT_DTYPES
_BOOL = np.dtype(bool)
_min, _max = np.minimum.reduce, np.maximum.reduce


def _fits(spec: Spec) -> Callable[[tuple, dict], bool] | None:
    """``spec`` compiled to ``(shape, sizes) -> bool``: does ``shape`` fit, binding new letters?

    It accepts exactly the shapes ``Spec.match`` accepts and binds the same letters
    (a stacked axis ``kL`` binds ``L``). None for ``"... kL"``, which only ``match`` reads.
    """
    if spec.leading and spec._stacked:
        return None
    axes = tuple((None, a) if isinstance(a, int) else (a[1], a[0]) for a in spec.axes)
    n, leading = len(axes), spec.leading

    def fits(shape, sizes):
        if leading:
            if len(shape) < n:
                return False
            shape = shape[len(shape) - n:]
        elif len(shape) != n:
            return False
        for (letter, k), size in zip(axes, shape):
            if letter is None:  # a fixed size
                if size != k:
                    return False
                continue
            bound = sizes.get(letter)
            if bound is None:
                if size < 1 or size % k:
                    return False
                sizes[letter] = size // k
            elif size != k * bound:
                return False
        return True

    return fits


def _fast_float(spec: Spec) -> Callable[[Any, Seen], bool] | None:
    """Fast acceptor of a finite float32/float64 ndarray of shape ``spec`` and the call's dtype."""
    fits = _fits(spec)
    if fits is None:
        return None

    def fast(value, seen):
        if type(value) is not np.ndarray:
            return False  # lists, floats and subclasses: the full check converts or refuses
        dtype = value.dtype
        if dtype is not seen.dtype:
            if seen.dtype is not None or (dtype is not _F32 and dtype is not _F64):
                return False
            seen.dtype = dtype
        return fits(value.shape, seen.sizes) and all_finite(value)

    return fast


class Check:
    """A contract entry: a function ``(name, value, call) -> value`` that checks and explains.

    ``fast``, when given, is ``(value, seen) -> bool``: True only if ``fn`` would
    return ``value`` itself, having bound the same letters (in ``seen.sizes``) and
    dtype (``seen.dtype``). It never raises a message of its own: whatever it does
    not accept goes to ``fn``, which converts it or says what is wrong.
    """

    def __init__(self, describe: str, fn: Callable[[str, Any, Call], Any],
                 fast: Callable[[Any, "Seen"], bool] | None = None) -> None:
        self.describe, self.fn, self.fast = describe, fn, fast

    def __call__(self, name: str, value, call: Call):
        return self.fn(name, value, call)

    def __repr__(self) -> str:
        return self.describe


def ids(spec: str, below: str | int) -> Check:
    """An integer array of shape ``spec`` with entries in ``[0, below)``; ``below`` may be a letter."""
    parsed = Spec(spec)

    def check(name, value, call):
        upper = below if isinstance(below, int) else call.dims.sizes.get(below)
        if upper is None:
            raise TypeError(f"contract of {name}: letter {below!r} must be bound first")
        return as_index_array(name, value, parsed.letters(), call.dims, upper)

    fits = None if parsed._stacked else _fits(parsed)

    def fast(value, seen):
        upper = below if isinstance(below, int) else seen.sizes.get(below)
        if (type(value) is not np.ndarray or value.dtype.kind not in "iu" or upper is None
                or not fits(value.shape, seen.sizes)):
            return False
        return not value.size or (_min(value, axis=None) >= 0 and _max(value, axis=None) < upper)

    return Check(f"ids{parsed} in [0, {below})", check, fast if fits else None)


def id_sequence(below: str | int) -> Check:
    """A list, tuple or 1-D integer array of ids in ``[0, below)``, possibly empty; an int64 array."""

    def check(name, value, call):
        upper = below if isinstance(below, int) else call.dims.sizes.get(below)
        arr = np.asarray(list(value) if not isinstance(value, np.ndarray) else value)
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"{name}: expected a 1-D sequence of integer ids (P,), "
                             f"got {arr.dtype} {arr.shape}")
        return check_id_range(name, arr, upper).astype(np.int64)

    return Check(f"ids(P,) in [0, {below})", check)


def mask(spec: str, nonempty: bool = False) -> Check:
    """A boolean numpy array of shape ``spec`` (with at least one True entry if ``nonempty``)."""
    parsed = Spec(spec)

    def check(name, value, call):
        value = as_bool_mask(name, value, parsed.letters(), call.dims)
        if nonempty and not value.any():
            raise ValueError(f"{name}: expected at least one True entry, got none "
                             f"(shape {value.shape})")
        return value

    fits = None if parsed._stacked else _fits(parsed)

    def fast(value, seen):
        return (type(value) is np.ndarray and value.dtype is _BOOL and fits(value.shape, seen.sizes)
                and (not nonempty or np.count_nonzero(value) > 0))

    return Check(f"bool{parsed}", check, fast if fits else None)


def arrays(like: str | None = None, **specs: str) -> Check:
    """A dict name -> finite float32/float64 array.

    Every entry must be a numpy array (a list is refused, not converted).
    ``arrays()``: any keys and shapes, each array its own dtype (a dict of gradients).
    ``arrays(like="params")``: numpy arrays with the keys of the argument ``params``
    (checked before), each of its entry's shape and dtype.
    ``arrays(E="V d", ...)``: numpy arrays; at least these keys (others are dropped), of
    these shapes, one dtype, the letters bound across them and the other arguments.
    """
    parsed = {k: Spec(v) for k, v in specs.items()}

    def check(name, value, call):
        if not isinstance(value, dict):
            raise ValueError(f"{name}: expected a dict name -> array, got {type(value).__name__}")
        if like is not None:
            ref = call.checked[like]
            if set(value) != set(ref):
                raise ValueError(f"{name}: expected the keys of {like} {sorted(ref)}, "
                                 f"got {sorted(value)}")
            out = {}
            for k, p in ref.items():
                g, entry = value[k], f"{name}[{k!r}]"
                if (isinstance(g, np.ndarray) and g.dtype in FLOAT_DTYPES
                        and g.dtype != p.dtype):
                    raise ValueError(f"{entry}: expected dtype {p.dtype} (the dtype of "
                                     f"{like}[{k!r}]), got {g.dtype}")
                g = _numpy_array(entry, g, call, dtype=p.dtype, dtype_source=f"{like}[{k!r}]")
                if g.shape != p.shape:
                    raise ValueError(f"{entry}: expected shape {p.shape}, got {g.shape}")
                out[k] = g
            return out
        if not parsed:
            return {k: _numpy_array(f"{name}[{k!r}]", g, call) for k, g in value.items()}
        missing = [k for k in parsed if k not in value]
        if missing:
            raise ValueError(f"{name}: missing {', '.join(missing)}; expected {tuple(parsed)}")
        return {k: _numpy_array(f"{name}[{k!r}]", value[k], call, spec)
                for k, spec in parsed.items()}

    shown = ", ".join(f"{k}{v!r}" for k, v in parsed.items())
    return Check(f"dict like {like}" if like else f"dict({shown})", check)


def _numpy_array(name: str, value, call: "Call", spec: "Spec | None" = None,
                 dtype=None, dtype_source: str = "") -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name}: expected a numpy array, got {type(value).__name__}")
    if spec is None:
        return as_float_array(name, value, None, None, dtype, dtype_source)
    return call.bind_float(name, value, spec)


def one_of(*choices) -> Check:
    """One of ``choices``."""

    def check(name, value, call):
        if value not in choices:
            raise ValueError(
                f"{name}: expected one of {', '.join(repr(c) for c in choices)}, got {value!r}")
        return value

    return Check(f"one of {choices}", check, lambda value, seen: value in choices)


def positive_int(minimum: int = 1) -> Check:
    """An ``int`` (not a bool) of at least ``minimum``."""
    return Check(f"int >= {minimum}",
                 lambda name, value, call: check_positive_int(name, value, minimum),
                 lambda value, seen: type(value) is int and value >= minimum)


def positive_real(allow_zero: bool = False) -> Check:
    """A finite real number above 0 (or at least 0)."""
    return Check("real >= 0" if allow_zero else "real > 0",
                 lambda name, value, call: check_positive_real(name, value, allow_zero),
                 lambda value, seen: (type(value) is float and math.isfinite(value)
                                      and (value >= 0 if allow_zero else value > 0)))


def _finite_real(name, value, call):
    ok = (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
          and math.isfinite(value))
    if not ok:
        raise ValueError(f"{name}: expected a finite real number, got {value!r}")
    return float(value)


#: A finite real number (not a bool), returned as a Python float.
finite_real = Check("finite real", _finite_real)


generator = Check("np.random.Generator",
                  lambda name, value, call: check_generator(name, value),
                  lambda value, seen: isinstance(value, np.random.Generator))


def _float_dtype(name, value, call):
    try:
        ok = np.dtype(value) in FLOAT_DTYPES
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{name}: expected float32 or float64, got {value!r}")
    return np.dtype(value)


float_dtype = Check("float32 or float64", _float_dtype)


def _size_tuple(name, value, call):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, tuple):
        raise ValueError(f"{name}: expected a tuple of positive ints, got "
                         f"{type(value).__name__} {value!r}")
    return tuple(check_positive_int(f"{name}[{i}]", s) for i, s in enumerate(value))


size_tuple = Check("tuple of ints >= 1", _size_tuple)


def _cache_check(cache_type: type) -> Check:
    """The cache returned by a forward pass (or a model); its arrays bind the letters and dtype.

    A cache's fields are read as attributes, a model's from its ``params`` dict; a field
    may also be a shape tuple, and a ``dtype`` attribute gives the dtype when no field does.
    """
    fields = {k: Spec(v) for k, v in cache_type.shapes.items()}
    producer = getattr(cache_type, "producer", None)
    source = getattr(cache_type, "bound_by", "the forward pass")
    wanted = (f"the {cache_type.__name__} returned by {producer}" if producer
              else f"a {cache_type.__name__}")

    def check(name, value, call):
        if not isinstance(value, cache_type):
            raise ValueError(f"{name}: expected {wanted}, got {type(value).__name__}")
        store = value.params if hasattr(cache_type, "bound_by") else None
        for field, spec in fields.items():
            arr = store[field] if store is not None else getattr(value, field)
            if arr is None:
                continue
            shape = arr if isinstance(arr, tuple) else arr.shape
            spec.match(f"{name}.{field}", shape, call.dims)
            if (call.dtype is None and not isinstance(arr, tuple)
                    and np.issubdtype(arr.dtype, np.floating)):
                call.dtype, call.dtype_source = arr.dtype, source
        if call.dtype is None and isinstance(getattr(value, "dtype", None), np.dtype):
            call.dtype, call.dtype_source = value.dtype, source
        prefix = f"{name}."  # letters bound by the cache's fields come from `source`
        for letter, where in call.dims.source.items():
            if where.startswith(prefix):
                call.dims.source[letter] = source
        return value

    compiled = [(field, _fits(spec)) for field, spec in fields.items()]
    in_params = hasattr(cache_type, "bound_by")

    def fast(value, seen):
        if type(value) is not cache_type or any(fits is None for _, fits in compiled):
            return False
        store = value.params if in_params else None
        for field, fits in compiled:
            arr = store[field] if in_params else getattr(value, field)
            if arr is None:
                continue
            if type(arr) is tuple:
                shape = arr
            else:
                shape = arr.shape
                if seen.dtype is None and arr.dtype.kind == "f":
                    if arr.dtype is not _F32 and arr.dtype is not _F64:
                        return False
                    seen.dtype = arr.dtype
            if not fits(shape, seen.sizes):
                return False
        if seen.dtype is None and isinstance(getattr(value, "dtype", None), np.dtype):
            if value.dtype is not _F32 and value.dtype is not _F64:
                return False
            seen.dtype = value.dtype
        return True

    return Check(cache_type.__name__, check, fast)


def _entry(spec) -> Check:
    if isinstance(spec, Check):
        return spec
    if isinstance(spec, str):
        parsed = Spec(spec)
        return Check(repr(parsed), lambda name, value, call: call.bind_float(name, value, parsed),
                     _fast_float(parsed))
    if isinstance(spec, type) and hasattr(spec, "shapes"):
        return _cache_check(spec)
    raise TypeError(f"unknown contract entry {spec!r}")


def shapes(**contract):
    """Declare what a function accepts; check every call against it before the body runs.

    Arguments are checked in the order the contract lists them, so letters bound
    by an earlier argument are expected of a later one; an argument left out of
    the contract is passed through unchecked. The wrapped function is available
    as ``__wrapped__``, and ``__contract__`` holds the contract for documentation.

    The contract is compiled once, when the function is defined: each entry
    becomes (position, name, check). A call first goes through the entries' fast
    acceptors, which only say yes (a float32/float64 ndarray of the call's dtype,
    shape and letters, finite by one ``isfinite`` pass and a count). Anything they do not accept, and
    every contract with an entry that has none, is checked in full, which
    converts lists and floats or raises the message; both test the same rules.
    """
    entries = {name: _entry(spec) for name, spec in contract.items()}

    def decorate(fn):
        sig = inspect.signature(fn)
        unknown = set(entries) - set(sig.parameters)
        if unknown:
            raise TypeError(f"{fn.__name__}: contract names unknown arguments {sorted(unknown)}")
        params = list(sig.parameters.values())
        names = [p.name for p in params]
        defaults_none = {p.name for p in params if p.default is None}
        simple = all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params)
        defaults = {p.name: p.default for p in params if p.default is not p.empty}
        # The compiled contract: (position, check, may be None) per entry, in contract order.
        position = {name: i for i, name in enumerate(names)}
        plan = [(position[name], entry.fast, name in defaults_none)
                for name, entry in entries.items()]
        positional = all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)
        if not positional or any(fast is None for _, fast, _ in plan):
            plan = None  # keyword-only parameters, or an entry checked only in full
        missing = object()
        tail = [tuple(p.default if p.default is not p.empty else missing for p in params[k:])
                for k in range(len(params) + 1)]  # the defaults after k positional arguments
        complete_tail = [None if any(v is missing for v in rest) else rest for rest in tail]

        def bind(args, kwargs) -> dict:
            if not simple or len(args) > len(names) or any(k in names[:len(args)] for k in kwargs):
                bound = sig.bind(*args, **kwargs)  # the general case, and Python's TypeErrors
                bound.apply_defaults()
                return dict(bound.arguments)
            arguments = {**defaults, **dict(zip(names, args)), **kwargs}
            if len(arguments) != len(names) or not set(kwargs) <= set(names):
                sig.bind(*args, **kwargs)  # raises the TypeError Python would
            return arguments

        def arrange(args, kwargs) -> tuple | list | None:
            """The arguments in parameter order, defaults filled in; None if not that simple."""
            n = len(args)
            if n > len(names):
                return None
            if not kwargs:
                rest = complete_tail[n]
                return None if rest is None else args + rest if rest else args
            values = [*args, *tail[n]]
            for key, value in kwargs.items():
                i = position.get(key, -1)
                if i < n:
                    return None  # an unknown or repeated keyword: Python's TypeError
                values[i] = value
            for value in values:
                if value is missing:
                    return None
            return values

        def accepted(values) -> bool:
            """Do the fast acceptors take every argument as it is?"""
            seen = Seen()
            try:
                for i, fast, may_be_none in plan:
                    value = values[i]
                    if not ((value is None and may_be_none) or fast(value, seen)):
                        return False
            except Exception:
                return False  # the full check says what is wrong
            return True

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            if plan is not None:
                values = arrange(args, kwargs)
                if values is not None and accepted(values):
                    return fn(*values)
            arguments = bind(args, kwargs)
            call = Call()
            for name, entry in entries.items():
                value = arguments[name]
                if value is None and name in defaults_none:
                    continue
                arguments[name] = call.checked[name] = entry(name, value, call)
            return fn(**arguments)

        checked.__contract__ = dict(contract)
        return checked

    return decorate
