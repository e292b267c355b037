"""Bad input raises ValueError naming the argument, the shape expected and the shape got."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rnn_core import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
    numerical_gradient,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)

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
    }


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
    ("rnn_step_forward", "Wh", (Dh, Dh + 1), "(Dh, Dh)"),
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


def test_message_states_both_expected_and_actual_sizes():
    func, kwargs = forward_calls()["rnn_forward"]
    kwargs["h0"] = np.zeros((N, Dh + 3))
    with pytest.raises(ValueError, match=re.escape(f"h0: expected shape (N, Dh) = ({N}, {Dh}), "
                                                   f"got ({N}, {Dh + 3})")):
        func(**kwargs)


@pytest.mark.parametrize("func_name", list(forward_calls()))
def test_mismatched_dtypes(func_name):
    func, kwargs = forward_calls()[func_name]
    float_args = [k for k, v in kwargs.items() if v.dtype.kind == "f"]
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


@pytest.mark.parametrize("func_name", list(forward_calls()))
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values(func_name, bad):
    func, kwargs = forward_calls()[func_name]
    arg = next(k for k, v in kwargs.items() if v.dtype.kind == "f")
    kwargs[arg] = kwargs[arg].copy()
    kwargs[arg].flat[0] = bad
    with pytest.raises(ValueError, match=rf"^{arg}: expected finite values, got 1 NaN or inf"):
        func(**kwargs)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_activations_inputs(bad):
    for f in (sigmoid, softmax):
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
        softmax_cross_entropy(a["theta"], ids.copy().reshape(N, T).astype(np.int32) * 0 + ids)


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
