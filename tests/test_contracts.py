"""The shape contract: what @shapes accepts, what it refuses, and how it words the refusal."""

from __future__ import annotations

import inspect
from typing import NamedTuple

import numpy as np
import pytest

from rnn_core.contracts import (
    Call,
    _entry,
    arrays,
    float_dtype,
    generator,
    id_sequence,
    ids,
    mask,
    one_of,
    positive_int,
    positive_real,
    shapes,
    size_tuple,
)


@shapes(x="... V")
def last_axis(x):
    return x


@shapes(params=arrays(), grads=arrays(like="params"))
def update(params, grads):
    return grads


@shapes(p=arrays(W="H H", b="H"), v=ids("N", below="H"))
def model_like(p, v):
    return p, v


def test_leading_axes_are_free_and_the_named_ones_checked():
    assert last_axis(np.zeros((2, 3, 4))).shape == (2, 3, 4)
    assert last_axis(np.zeros(4)).shape == (4,)
    with pytest.raises(ValueError) as info:
        last_axis(np.zeros(()))
    assert str(info.value) == "x: expected shape (..., V) with at least one axis, got ()"
    with pytest.raises(ValueError) as info:
        last_axis(np.zeros((3, 0)))
    assert str(info.value) == "x: expected V >= 1, got shape (3, 0)"


def test_a_dict_like_another_has_its_keys_shapes_and_dtypes():
    p = {"W": np.zeros((2, 2), np.float32)}
    assert update(p, {"W": np.ones((2, 2), np.float32)})["W"].dtype == np.float32
    with pytest.raises(ValueError, match=r"^grads: expected the keys of params \['W'\], got \['V'\]"):
        update(p, {"V": np.ones((2, 2), np.float32)})
    with pytest.raises(ValueError, match=r"^grads\['W'\]: expected shape \(2, 2\), got \(2, 3\)"):
        update(p, {"W": np.ones((2, 3), np.float32)})
    with pytest.raises(ValueError, match=r"^grads\['W'\]: expected dtype float32 \(the dtype of "
                                         r"params\['W'\]\), got float64"):
        update(p, {"W": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"^params\['W'\]: expected a numpy array, got list"):
        update({"W": [[0.0]]}, {"W": np.ones((1, 1))})
    with pytest.raises(ValueError, match=r"^params: expected a dict name -> array, got tuple"):
        update((1,), {})


def test_a_dict_of_named_shapes_binds_letters_across_arguments():
    p = {"W": np.zeros((3, 3)), "b": np.zeros(3), "extra": 1}
    checked, _ = model_like(p, np.array([0, 2]))
    assert set(checked) == {"W", "b"}  # only the declared keys are passed on
    with pytest.raises(ValueError, match=r"^p: missing b; expected \('W', 'b'\)"):
        model_like({"W": np.zeros((3, 3))}, np.array([0]))
    with pytest.raises(ValueError, match=r"^p\['b'\]: expected shape \(H,\) = \(3,\), got \(4,\)"):
        model_like({"W": np.zeros((3, 3)), "b": np.zeros(4)}, np.array([0]))
    with pytest.raises(ValueError, match=r"^v: expected ids in \[0, 3\), got values from 0 to 3"):
        model_like({"W": np.zeros((3, 3)), "b": np.zeros(3)}, np.array([0, 3]))


def test_id_sequences_may_be_lists_or_empty():
    @shapes(E="V d", prefix=id_sequence(below="V"))
    def f(E, prefix=()):
        return prefix

    E = np.zeros((5, 2))
    assert f(E).shape == (0,)
    assert f(E, [1, 4]).tolist() == [1, 4]
    with pytest.raises(ValueError, match=r"^prefix: expected ids in \[0, 5\), got values from"):
        f(E, [5])
    with pytest.raises(ValueError, match=r"^prefix: expected a 1-D sequence of integer ids"):
        f(E, [0.5])


def test_masks_can_require_a_true_entry():
    @shapes(y=ids("N", below=4), m=mask("N", nonempty=True))
    def f(y, m=None):
        return m

    assert f(np.array([1, 2])) is None
    with pytest.raises(ValueError, match=r"^m: expected at least one True entry"):
        f(np.array([1, 2]), np.zeros(2, bool))
    with pytest.raises(ValueError, match=r"^m: expected a boolean numpy array"):
        f(np.array([1, 2]), np.zeros(2))


def test_scalar_entries():
    @shapes(k=positive_int(0), c=one_of("a", "b"), rng=generator, dtype=float_dtype,
            shape=size_tuple)
    def f(k, c, rng, dtype, shape):
        return k, dtype, shape

    rng = np.random.default_rng(0)
    assert f(np.int64(0), "a", rng, "float32", 3) == (0, np.dtype(np.float32), (3,))
    for kwargs, message in [
        (dict(k=-1), r"^k: expected an int >= 0, got -1"),
        (dict(k=True), r"^k: expected an int >= 0, got True"),
        (dict(c="z"), r"^c: expected one of 'a', 'b', got 'z'"),
        (dict(rng=0), r"^rng: expected a numpy.random.Generator"),
        (dict(dtype=np.int32), r"^dtype: expected float32 or float64"),
        (dict(shape=(2, 0)), r"^shape\[1\]: expected an int >= 1, got 0"),
        (dict(shape=[2]), r"^shape: expected a tuple of positive ints, got list"),
    ]:
        args = dict(dict(k=1, c="a", rng=rng, dtype=np.float64, shape=(1,)), **kwargs)
        with pytest.raises(ValueError, match=message):
            f(**args)


def test_arguments_are_checked_in_contract_order_and_python_errors_stay_type_errors():
    @shapes(W="H H", x="N H")
    def f(x, W):
        return x

    with pytest.raises(ValueError, match=r"^W:"):  # W is first in the contract: it is blamed
        f(np.zeros((2, 4)), np.zeros((3, 2)))
    with pytest.raises(TypeError):
        f(np.zeros((2, 2)))  # a missing argument is Python's TypeError, as without a contract
    with pytest.raises(TypeError):
        f(np.zeros((2, 2)), np.zeros((2, 2)), W=np.zeros((2, 2)))


def test_contract_is_visible_in_the_source_and_the_wrapper_is_transparent():
    from rnn_core import rnn_step_forward

    src = inspect.getsource(rnn_step_forward)
    assert src.startswith("@shapes(") and "def rnn_step_forward" in src
    assert rnn_step_forward.__contract__["Wh"] == "Dh Dh"
    assert list(inspect.signature(rnn_step_forward).parameters) == [
        "x_t", "h_prev", "Wh", "We", "b1", "activation"]


def test_unknown_contract_names_are_refused_at_definition():
    with pytest.raises(TypeError, match="unknown arguments"):
        shapes(y="N")(lambda x: x)


class ProbeCache(NamedTuple):
    h: np.ndarray
    U: np.ndarray
    shape: tuple
    shapes = dict(h="N T Dh", U="Dh V", shape="V d")
    producer = "probe_forward"


PROBE = dict(cache=ProbeCache, x="N T d", Wh="3Dh Dh", z="... V", y=ids("N T", below="V"),
             m=mask("N T", nonempty=True), act=one_of("a", "b"), k=positive_int(),
             r=positive_real())


@shapes(**PROBE)
def probe(cache, x, Wh, z, y, m=None, act="a", k=1, r=1.0):
    return dict(cache=cache, x=x, Wh=Wh, z=z, y=y, m=m, act=act, k=k, r=r)


def _full_check(arguments):
    """The contract checked entry by entry, in full: what a call must do."""
    call, out = Call(), dict(arguments)
    for name, spec in PROBE.items():
        if out[name] is not None or name != "m":  # only m may be left at None
            out[name] = _entry(spec)(name, out[name], call)
    return out


def _spoil(rng, name, value):
    """``value``, or one of the ways a caller gets it wrong."""
    if rng.random() > 0.15:
        return value
    if name == "cache":
        return rng.choice([lambda v: v._replace(h=v.h[:, :, :-1]), lambda v: v._replace(U=v.U.T),
                           lambda v: v._replace(shape=(v.shape[0] + 1, 1)), lambda v: tuple(v),
                           lambda v: v._replace(h=v.h.astype(np.float16))])(value)
    if name in ("act", "k", "r"):
        wrong = ["c", None, 0, True, 2.0, np.int64(2), -1.0, float("inf"), 2, np.float64(0.5)]
        return wrong[rng.integers(len(wrong))]
    if name == "y":
        return [value + value.max() + 1, value - 1, value.astype(np.float64), value.astype(np.uint8),
                value > 0, value[:, :-1], value.tolist()][rng.integers(7)]
    if name == "m":
        return [np.zeros_like(value), value.astype(int), value[None], value.T][rng.integers(4)]
    return [value.astype(np.float16), value.astype(np.int64), value.astype(">f8"),
               value.astype(np.float32 if value.dtype == np.float64 else np.float64),
               value.tolist(), value[..., :-1], value[None], value[..., 0], np.float64(1.5), 1.5,
               np.where(value == value.flat[0], np.nan, value), np.full_like(value, np.inf),
               value.reshape(-1)][rng.integers(13)]


def test_the_fast_path_accepts_nothing_the_full_check_refuses():
    """Random calls, some with one argument wrong: same errors, same arguments as in full."""
    rng = np.random.default_rng(0)
    outcomes = set()
    for trial in range(3000):
        N, T, d, Dh, V = rng.integers(1, 4, 5)
        dtype = [np.float32, np.float64][trial % 2]
        floats = lambda *s: rng.standard_normal(s).astype(dtype)  # noqa: E731
        good = dict(cache=ProbeCache(floats(N, T, Dh), floats(Dh, V), (V, d)),
                    x=floats(N, T, d), Wh=floats(3 * Dh, Dh),
                    z=floats(*rng.integers(1, 3, rng.integers(0, 3)), V),
                    y=rng.integers(0, V, (N, T)), m=rng.random((N, T)) < 0.7,
                    act="b", k=3, r=0.5)
        good["m"].flat[0] = True
        arguments = {k: _spoil(rng, k, v) for k, v in good.items()}
        try:
            expected = _full_check(arguments)
        except (ValueError, TypeError) as err:
            with pytest.raises(type(err)) as got:
                probe(**arguments) if trial % 3 else probe(*arguments.values())
            assert str(got.value) == str(err)
            outcomes.add("refused")
            continue
        received = probe(**arguments) if trial % 3 else probe(*arguments.values())
        for name, value in expected.items():
            assert type(received[name]) is type(value), name
            if isinstance(value, np.ndarray):
                assert received[name].dtype == value.dtype and np.array_equal(received[name], value)
            else:
                assert received[name] == value or received[name] is value, name
        outcomes.add("accepted")
    assert outcomes == {"accepted", "refused"}


@shapes(W="3H H")
def stacked(W):
    return W


@pytest.mark.parametrize("shape", [(4, 1), (3, 2), (0, 0), (6, 2, 1)])
def test_a_stacked_axis_must_be_a_whole_multiple(shape):
    """``3H`` first: its size binds H = size / 3, so it must be a positive multiple of 3."""
    with pytest.raises(ValueError, match=r"^W: expected shape"):
        stacked(np.zeros(shape))
    assert stacked(np.zeros((6, 2))).shape == (6, 2)
