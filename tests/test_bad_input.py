"""Bad input raises ValueError naming the argument, the shape expected and the shape got."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from rnn_core import (
    affine_backward,
    affine_forward,
    backprop_recurrence,
    embedding_backward,
    embedding_forward,
    hidden_gradients,
    log_softmax,
    numerical_gradient,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    sigmoid,
    softmax,
    softmax_cross_entropy,
    step_jacobians,
    truncated_rnn_backward,
)
from rnn_core.validation import as_float_array

N, T, d, Dh, V = 2, 3, 4, 5, 6


def arrays(dtype=np.float64):
    rng = np.random.default_rng(0)
    f = lambda *s: rng.standard_normal(s).astype(dtype)  # noqa: E731
    return dict(x=f(N, T, d), x_t=f(N, d), h0=f(N, Dh), h_prev=f(N, Dh), Wh=f(Dh, Dh),
                We=f(Dh, d), b1=f(Dh), U=f(Dh, V), b2=f(V), h=f(N, T, Dh), theta=f(N, T, V),
                E=f(V, d))


def forward_calls():
    """(function, keyword arguments) for every public forward-style function."""
    a = arrays()
    ids = np.zeros((N, T), dtype=np.int64)
    return {
        "rnn_step_forward": (rnn_step_forward, dict(x_t=a["x_t"], h_prev=a["h_prev"], Wh=a["Wh"],
                                                    We=a["We"], b1=a["b1"])),
        "rnn_forward": (rnn_forward, dict(x=a["x"], h0=a["h0"], Wh=a["Wh"], We=a["We"], b1=a["b1"])),
        "affine_forward": (affine_forward, dict(h=a["h"], U=a["U"], b2=a["b2"])),
        "embedding_forward": (embedding_forward, dict(ids=ids, E=a["E"])),
        "softmax_cross_entropy": (softmax_cross_entropy, dict(theta=a["theta"], y=ids)),
        "truncated_rnn_backward": (truncated_rnn_backward,
                                   dict(x=a["x"], h0=a["h0"], Wh=a["Wh"], We=a["We"], b1=a["b1"],
                                        dh=a["h"], window=2)),
    }


def backward_calls():
    """(backward function, upstream argument name, upstream gradient, cache) for every backward."""
    a = arrays()
    _, c1 = rnn_step_forward(a["x_t"], a["h_prev"], a["Wh"], a["We"], a["b1"])
    _, c = rnn_forward(a["x"], a["h0"], a["Wh"], a["We"], a["b1"])
    _, ca = affine_forward(a["h"], a["U"], a["b2"])
    _, ce = embedding_forward(np.zeros((N, T), int), a["E"])
    return {
        "rnn_step_backward": (rnn_step_backward, "dh_next", a["h_prev"], c1),
        "rnn_backward": (rnn_backward, "dh", a["h"], c),
        "backprop_recurrence": (backprop_recurrence, "dh", a["h"], c),
        "hidden_gradients": (hidden_gradients, "dh", a["h"], c),
        "affine_backward": (affine_backward, "dtheta", a["theta"], ca),
        "embedding_backward": (embedding_backward, "dx", a["x"], ce),
    }


def float_arguments():
    """(function name, argument) for every float argument of every forward-style function."""
    return [(name, arg) for name, (_, kwargs) in forward_calls().items()
            for arg, value in kwargs.items()
            if isinstance(value, np.ndarray) and value.dtype.kind == "f"]


def expect_shape_error(func, kwargs, name, expected_fragment, got):
    with pytest.raises(ValueError) as info:
        func(**kwargs)
    msg = str(info.value)
    assert msg.startswith(f"{name}:"), msg
    assert expected_fragment in msg, msg
    assert str(got) in msg, msg


# Wrong shapes: one case per float argument of every forward function.
WRONG_SHAPES = [
    ("rnn_step_forward", "x_t", (N, d + 1), "(N, d)"),
    ("rnn_step_forward", "h_prev", (N + 1, Dh), "(N, Dh)"),
    ("rnn_step_forward", "Wh", (Dh, Dh + 1), f"(Dh, Dh) = ({Dh}, {Dh})"),
    ("rnn_step_forward", "We", (Dh + 1, d), "(Dh, d)"),
    ("rnn_step_forward", "b1", (Dh, 1), "(Dh,)"),
    ("rnn_forward", "x", (N, d), "(N, T, d)"),
    ("rnn_forward", "h0", (N, Dh - 1), "(N, Dh)"),
    ("rnn_forward", "b1", (Dh + 2,), "(Dh,)"),
    ("rnn_forward", "Wh", (Dh,), "(Dh, Dh)"),
    ("affine_forward", "h", (N, Dh), "(N, T, Dh)"),
    ("affine_forward", "U", (V, Dh), "(Dh, V)"),
    ("affine_forward", "b2", (V + 1,), "(V,)"),
    ("embedding_forward", "E", (V,), "(V, d)"),
    ("softmax_cross_entropy", "theta", (N, V), "(N, T, V)"),
]


@pytest.mark.parametrize("func_name, arg, bad_shape, expected", WRONG_SHAPES)
def test_wrong_shape_is_named(func_name, arg, bad_shape, expected):
    func, kwargs = forward_calls()[func_name]
    kwargs[arg] = np.zeros(bad_shape)
    expect_shape_error(func, kwargs, arg, expected, bad_shape)


def test_wrong_id_shapes():
    a = arrays()
    expect_shape_error(embedding_forward, dict(ids=np.zeros((N, T, 1), int), E=a["E"]),
                       "ids", "(N, T)", (N, T, 1))
    expect_shape_error(softmax_cross_entropy, dict(theta=a["theta"], y=np.zeros((N, T + 1), int)),
                       "y", "(N, T)", (N, T + 1))
    expect_shape_error(softmax_cross_entropy,
                       dict(theta=a["theta"], y=np.zeros((N, T), int), mask=np.ones((T, N), bool)),
                       "mask", "(N, T)", (T, N))


def test_repeated_letter_keeps_its_size_in_the_message():
    """Wh (5, 6): Dh = 5 is bound by Wh's own first axis, and the message says so."""
    func, kwargs = forward_calls()["rnn_step_forward"]
    kwargs["Wh"] = np.zeros((Dh, Dh + 1))
    with pytest.raises(ValueError) as info:
        func(**kwargs)
    assert str(info.value) == f"Wh: expected shape (Dh, Dh) = ({Dh}, {Dh}), got ({Dh}, {Dh + 1})"


# Zero-size dimensions: one case per dimension letter of every function.
ZERO_SIZES = [
    ("rnn_step_forward", "x_t", (0, d), "N"),
    ("rnn_step_forward", "x_t", (N, 0), "d"),
    ("rnn_step_forward", "Wh", (0, 0), "Dh"),
    ("rnn_forward", "x", (0, T, d), "N"),
    ("rnn_forward", "x", (N, 0, d), "T"),
    ("rnn_forward", "x", (N, T, 0), "d"),
    ("rnn_forward", "Wh", (0, 0), "Dh"),
    ("affine_forward", "h", (N, 0, Dh), "T"),
    ("affine_forward", "U", (Dh, 0), "V"),
    ("affine_forward", "h", (0, T, Dh), "N"),
    ("embedding_forward", "E", (0, d), "V"),
    ("embedding_forward", "E", (V, 0), "d"),
    ("softmax_cross_entropy", "theta", (N, 0, V), "T"),
    ("softmax_cross_entropy", "theta", (0, T, V), "N"),
    ("softmax_cross_entropy", "theta", (N, T, 0), "V"),
    ("truncated_rnn_backward", "x", (N, 0, d), "T"),
]


@pytest.mark.parametrize("func_name, arg, shape, letter", ZERO_SIZES)
def test_zero_size_dimension_is_rejected(func_name, arg, shape, letter):
    func, kwargs = forward_calls()[func_name]
    kwargs[arg] = np.zeros(shape)
    with pytest.raises(ValueError) as info:
        func(**kwargs)
    assert str(info.value) == f"{arg}: expected {letter} >= 1, got shape {shape}"


def test_zero_size_ids_are_rejected():
    a = arrays()
    with pytest.raises(ValueError, match=re.escape(f"ids: expected T >= 1, got shape ({N}, 0)")):
        embedding_forward(np.zeros((N, 0), int), a["E"])


def test_empty_sequence_is_rejected_before_the_backward_pass():
    """T = 0 used to run forward and then fail inside rnn_backward with numpy's reshape error."""
    a = arrays()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=re.escape(f"x: expected T >= 1, got shape ({N}, 0, {d})")):
            rnn_forward(np.zeros((N, 0, d)), a["h0"], a["Wh"], a["We"], a["b1"])
        with pytest.raises(ValueError, match=r"^theta: expected N >= 1"):
            softmax_cross_entropy(np.zeros((0, T, V)), np.zeros((0, T), int))


@pytest.mark.parametrize("f", [softmax, log_softmax])
def test_softmax_needs_an_axis_of_size_at_least_one(f):
    with pytest.raises(ValueError) as info:
        f(np.zeros((3, 0)))
    assert str(info.value) == "x: expected V >= 1, got shape (3, 0)"
    with pytest.raises(ValueError) as info:
        f(np.float64(1.0))
    assert str(info.value) == "x: expected shape (..., V) with at least one axis, got ()"
    with pytest.raises(ValueError, match=r"^x: expected shape \(\.\.\., V\)"):
        f(2.0)


def test_finite_check_is_silent_before_its_error():
    """The fast path sums the array: an overflowing or inf - inf sum must not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = np.array([3e38, 3e38], dtype=np.float32)  # finite, but the float32 sum overflows
        assert as_float_array("x", big, None) is big
        assert sigmoid(big).dtype == np.float32
        with pytest.raises(ValueError, match="^x: expected finite values, got 2 NaN or inf"):
            as_float_array("x", np.array([np.inf, -np.inf]), None)
        with pytest.raises(ValueError, match="^x: expected finite values, got 1 NaN or inf"):
            as_float_array("x", np.array([3e38, 3e38, np.inf], dtype=np.float32), None)


def test_message_states_both_expected_and_actual_sizes():
    func, kwargs = forward_calls()["rnn_forward"]
    kwargs["h0"] = np.zeros((N, Dh + 3))
    with pytest.raises(ValueError, match=re.escape(f"h0: expected shape (N, Dh) = ({N}, {Dh}), "
                                                   f"got ({N}, {Dh + 3})")):
        func(**kwargs)


@pytest.mark.parametrize("func_name", list(forward_calls()))
def test_mismatched_dtypes(func_name):
    func, kwargs = forward_calls()[func_name]
    float_args = [k for k, v in kwargs.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    if len(float_args) < 2:  # a single float argument can't mismatch: make it an integer array
        arg = float_args[0]
        kwargs[arg] = kwargs[arg].astype(np.int64)
        with pytest.raises(ValueError, match=rf"^{arg}: expected dtype float32 or float64, got int64"):
            func(**kwargs)
        return
    last = float_args[-1]
    kwargs[last] = kwargs[last].astype(np.float32)
    with pytest.raises(ValueError, match=rf"^{last}: dtype float32 does not match"):
        func(**kwargs)


@pytest.mark.parametrize("func_name, arg", float_arguments())
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values(func_name, arg, bad):
    func, kwargs = forward_calls()[func_name]
    kwargs[arg] = kwargs[arg].copy()
    kwargs[arg].flat[-1] = bad
    with pytest.raises(ValueError, match=rf"^{arg}: expected finite values, got 1 NaN or inf"):
        func(**kwargs)


@pytest.mark.parametrize("func_name", list(backward_calls()))
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_upstream_gradients(func_name, bad):
    func, arg, good, cache = backward_calls()[func_name]
    upstream = good.copy()
    upstream.flat[0] = bad
    with pytest.raises(ValueError, match=rf"^{arg}: expected finite values, got 1 NaN or inf"):
        func(upstream, cache)


@pytest.mark.parametrize("func_name", list(backward_calls()))
def test_backward_checks_the_cache_type(func_name):
    func, _, good, cache = backward_calls()[func_name]
    kind = type(cache).__name__
    with pytest.raises(ValueError, match=rf"^cache: expected the {kind} returned by \w+_forward, "
                                         "got tuple"):
        func(good, (1, 2))
    with pytest.raises(ValueError, match=r"^cache: expected"):
        func(good, tuple(cache))  # the same fields, but not the cache type


def test_gradient_flow_checks_the_cache_type():
    with pytest.raises(ValueError, match="^cache: expected the RNNCache returned by rnn_forward, "
                                         "got tuple"):
        step_jacobians((1, 2))


def test_backprop_recurrence_checks_its_upstream_gradient():
    """Public, so it checks dh itself: no broadcasting, no NaN, no silent cast."""
    func, _, good, cache = backward_calls()["backprop_recurrence"]
    expect_shape_error(func, dict(dh=np.zeros((N, T, 1)), cache=cache), "dh", "(N, T, Dh)",
                       (N, T, 1))
    bad = good.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="^dh: expected finite values"):
        func(bad, cache)
    a = arrays(np.float32)
    _, cache32 = rnn_forward(a["x"], a["h0"], a["Wh"], a["We"], a["b1"])
    with pytest.raises(ValueError, match=r"^dh: dtype float64 does not match the forward pass \(float32\)"):
        func(good, cache32)
    da, dh0 = func(good.astype(np.float32), cache32)
    assert da.dtype == dh0.dtype == np.float32


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_activations_inputs(bad):
    for f in (sigmoid, softmax, log_softmax):
        with pytest.raises(ValueError, match="^x: expected finite values"):
            f(np.array([0.0, bad]))


@pytest.mark.parametrize("bad_id", [-1, V])
def test_ids_outside_vocabulary(bad_id):
    a = arrays()
    ids = np.zeros((N, T), dtype=np.int64)
    ids[1, 2] = bad_id
    with pytest.raises(ValueError, match=rf"^ids: expected ids in \[0, {V}\), got values from"):
        embedding_forward(ids, a["E"])
    with pytest.raises(ValueError, match=rf"^y: expected ids in \[0, {V}\)"):
        softmax_cross_entropy(a["theta"], ids)


def test_float_ids_are_rejected():
    a = arrays()
    with pytest.raises(ValueError, match="^ids: expected an integer dtype, got float64"):
        embedding_forward(np.zeros((N, T)), a["E"])
    with pytest.raises(ValueError, match="^y: expected an integer dtype"):
        softmax_cross_entropy(a["theta"], np.zeros((N, T)))
    with pytest.raises(ValueError, match="^mask: expected a boolean numpy array"):
        softmax_cross_entropy(a["theta"], np.zeros((N, T), int), mask=np.ones((N, T)))
    with pytest.raises(ValueError, match="^mask: expected at least one True"):
        softmax_cross_entropy(a["theta"], np.zeros((N, T), int), mask=np.zeros((N, T), bool))


@pytest.mark.parametrize("func_name", ["rnn_step_forward", "rnn_forward"])
@pytest.mark.parametrize("activation", ["relu6", "Sigmoid", "", None])
def test_unknown_activation(func_name, activation):
    func, kwargs = forward_calls()[func_name]
    with pytest.raises(ValueError, match="^activation: expected one of 'sigmoid', 'tanh', 'relu'"):
        func(**kwargs, activation=activation)


def test_backward_upstream_gradient_checked():
    a = arrays()
    h1, c1 = rnn_step_forward(a["x_t"], a["h_prev"], a["Wh"], a["We"], a["b1"])
    expect_shape_error(rnn_step_backward, dict(dh_next=np.zeros((Dh, N)), cache=c1),
                       "dh_next", "(N, Dh)", (Dh, N))
    h, c = rnn_forward(a["x"], a["h0"], a["Wh"], a["We"], a["b1"])
    expect_shape_error(rnn_backward, dict(dh=np.zeros((N, Dh)), cache=c), "dh", "(N, T, Dh)", (N, Dh))
    theta, ca = affine_forward(a["h"], a["U"], a["b2"])
    expect_shape_error(affine_backward, dict(dtheta=np.zeros((N, T, V + 1)), cache=ca),
                       "dtheta", "(N, T, V)", (N, T, V + 1))
    xe, ce = embedding_forward(np.zeros((N, T), int), a["E"])
    expect_shape_error(embedding_backward, dict(dx=np.zeros((N, T)), cache=ce), "dx", "(N, T, d)",
                       (N, T))
    # Upstream gradients of another dtype than the forward pass.
    for func, arg, good, cache in [(rnn_step_backward, "dh_next", h1, c1), (rnn_backward, "dh", h, c),
                                   (affine_backward, "dtheta", theta, ca),
                                   (embedding_backward, "dx", xe, ce)]:
        with pytest.raises(ValueError, match=rf"^{arg}: dtype float32 does not match"):
            func(good.astype(np.float32), cache)
        bad = good.copy()
        bad.flat[-1] = np.nan
        with pytest.raises(ValueError, match=rf"^{arg}: expected finite values"):
            func(bad, cache)


def test_non_array_arguments():
    a = arrays()
    with pytest.raises(ValueError, match="^Wh: expected a numpy array, got str"):
        rnn_forward(a["x"], a["h0"], "Wh", a["We"], a["b1"])
    with pytest.raises(ValueError, match="^ids: expected a numpy integer array, got list"):
        embedding_forward([[0, 1, 2], [0, 1, 2]], a["E"])


def test_numerical_gradient_bad_input():
    with pytest.raises(ValueError, match="^x: expected finite values"):
        numerical_gradient(np.sum, np.array([np.nan]))
    with pytest.raises(ValueError, match=r"^df: expected shape \(2,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(2), df=np.ones(3))
    with pytest.raises(ValueError, match="^df: f returns shape"):
        numerical_gradient(lambda v: v * 2, np.ones(2))


@pytest.mark.parametrize("h", [0, 0.0, -1e-5, np.nan, np.inf, "1e-5", None, True])
def test_numerical_gradient_step_must_be_positive(h):
    with pytest.raises(ValueError, match=r"^h: expected a finite real number > 0, got"):
        numerical_gradient(np.sum, np.ones(2), h=h)
