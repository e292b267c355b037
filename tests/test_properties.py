"""Property tests over random shapes and seeds (hypothesis), and invariants of the API."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_core import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
    numerical_gradient,
    rel_error,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)

from .conftest import make_rnn_params

dims = st.integers(min_value=1, max_value=5)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
activations = st.sampled_from(["sigmoid", "tanh"])
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(N=dims, T=dims, d=dims, Dh=dims, seed=seeds, activation=activations)
def test_rnn_backward_matches_finite_differences(N, T, d, Dh, seed, activation):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, d))
    h0 = rng.standard_normal((N, Dh))
    Wh, We, b1 = make_rnn_params(rng, d, Dh, scale=1.0)
    h, cache = rnn_forward(x, h0, Wh, We, b1, activation)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWh, dWe, db1 = rnn_backward(dh, cache)
    f = lambda **o: rnn_forward(**(dict(x=x, h0=h0, Wh=Wh, We=We, b1=b1) | o),  # noqa: E731
                                activation=activation)[0]
    assert rel_error(dWh, numerical_gradient(lambda v: f(Wh=v), Wh, dh)) < 1e-7
    assert rel_error(dx, numerical_gradient(lambda v: f(x=v), x, dh)) < 1e-7
    assert rel_error(dh0, numerical_gradient(lambda v: f(h0=v), h0, dh)) < 1e-7


@FAST
@given(N=dims, T=dims, V=st.integers(2, 9), seed=seeds)
def test_cross_entropy_gradient_matches_finite_differences(N, T, V, seed):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((N, T, V))
    y = rng.integers(0, V, (N, T))
    _, dtheta = softmax_cross_entropy(theta, y)
    num = numerical_gradient(lambda v: softmax_cross_entropy(v, y)[0], theta)
    assert rel_error(dtheta, num) < 1e-7


@FAST
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), seed=seeds,
       scale=st.sampled_from([1.0, 30.0, 1e4]))
def test_softmax_rows_sum_to_one(shape, seed, scale):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    p = softmax(x)
    assert np.all(p >= 0) and np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)


@FAST
@given(N=dims, T=dims, V=st.integers(2, 50), c=st.floats(-1e3, 1e3), seed=seeds)
def test_uniform_logits_give_log_v(N, T, V, c, seed):
    y = np.random.default_rng(seed).integers(0, V, (N, T))
    loss, dtheta = softmax_cross_entropy(np.full((N, T, V), c), y)
    assert loss == pytest.approx(math.log(V), rel=1e-12)
    np.testing.assert_allclose(dtheta.sum(axis=-1), 0.0, atol=1e-15)


@FAST
@given(N=dims, T=dims, V=st.integers(2, 9), seed=seeds)
def test_mask_removes_tokens_exactly(N, T, V, seed):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((N, T, V))
    y = rng.integers(0, V, (N, T))
    mask = rng.random((N, T)) < 0.5
    mask.flat[rng.integers(N * T)] = True
    loss, dtheta = softmax_cross_entropy(theta, y, mask)
    # The same loss as the kept tokens alone, laid out as one sequence.
    kept_loss, kept_grad = softmax_cross_entropy(theta[mask][None], y[mask][None])
    assert loss == pytest.approx(kept_loss, rel=1e-12)
    np.testing.assert_allclose(dtheta[mask], kept_grad[0], rtol=1e-12)
    assert np.all(dtheta[~mask] == 0)
    # Anything at a masked-out position is ignored.
    theta2, y2 = theta.copy(), y.copy()
    theta2[~mask] = rng.standard_normal((int((~mask).sum()), V)) * 10
    y2[~mask] = (y2[~mask] + 1) % V
    assert softmax_cross_entropy(theta2, y2, mask)[0] == pytest.approx(loss, rel=1e-12)


@FAST
@given(x=st.floats(-1e4, 1e4))
def test_sigmoid_in_unit_interval_and_symmetric(x):
    s = sigmoid(np.array([x, -x]))
    assert 0.0 <= s[0] <= 1.0
    assert s[0] + s[1] == pytest.approx(1.0, abs=1e-15)


# ---------------------------------------------------------------- invariants

def _rnn_case(rng, N=3, T=6, d=4, Dh=5, dtype=np.float64):
    x = rng.standard_normal((N, T, d)).astype(dtype)
    h0 = rng.standard_normal((N, Dh)).astype(dtype)
    return (x, h0, *make_rnn_params(rng, d, Dh, scale=1.0, dtype=dtype))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_changing_h0_changes_every_hidden_state(rng, activation):
    x, h0, Wh, We, b1 = _rnn_case(rng)
    h_a, _ = rnn_forward(x, h0, Wh, We, b1, activation)
    h_b, _ = rnn_forward(x, h0 + 0.5, Wh, We, b1, activation)
    per_step_change = np.abs(h_a - h_b).max(axis=(0, 2))
    assert np.all(per_step_change > 0), per_step_change


def _snapshot(*arrays):
    return [a.copy() for a in arrays]


def _assert_unchanged(before, after):
    for b, a in zip(before, after):
        np.testing.assert_array_equal(b, a)


def test_no_function_mutates_its_inputs(rng):
    x, h0, Wh, We, b1 = _rnn_case(rng)
    args = (x, h0, Wh, We, b1)
    before = _snapshot(*args)
    h, cache = rnn_forward(*args)
    dh = rng.standard_normal(h.shape)
    dh_before = dh.copy()
    rnn_backward(dh, cache)
    _assert_unchanged(before + [dh_before], list(args) + [dh])

    h1, c1 = rnn_step_forward(x[:, 0], h0, Wh, We, b1)
    dh1 = rng.standard_normal(h1.shape)
    dh1_before = dh1.copy()
    rnn_step_backward(dh1, c1)
    np.testing.assert_array_equal(dh1, dh1_before)
    _assert_unchanged(before, list(args))

    U, b2 = rng.standard_normal((5, 7)), rng.standard_normal(7)
    ub = _snapshot(U, b2, h)
    theta, ca = affine_forward(h, U, b2)
    dtheta = rng.standard_normal(theta.shape)
    dt_before = dtheta.copy()
    affine_backward(dtheta, ca)
    _assert_unchanged(ub + [dt_before], [U, b2, h, dtheta])

    y = rng.integers(0, 7, (3, 6))
    mask = rng.random((3, 6)) < 0.7
    mask[0, 0] = True
    sb = _snapshot(theta, y, mask)
    softmax_cross_entropy(theta, y, mask)
    _assert_unchanged(sb, [theta, y, mask])

    E = rng.standard_normal((7, 4))
    eb = _snapshot(E, y)
    xe, ce = embedding_forward(y, E)
    xe[:] = 0  # writing to the output must not reach E
    dxe = rng.standard_normal(xe.shape)
    dxe_before = dxe.copy()
    embedding_backward(dxe, ce)
    _assert_unchanged(eb + [dxe_before], [E, y, dxe])

    z = rng.standard_normal(5)
    zb = z.copy()
    sigmoid(z), softmax(z)
    np.testing.assert_array_equal(z, zb)


def test_numerical_gradient_never_changes_the_callers_array(rng):
    x = rng.standard_normal((3, 2))
    x_before = x.copy()
    seen = []

    def f(v):
        seen.append(np.shares_memory(v, x))
        np.testing.assert_array_equal(x, x_before)  # not even for a moment
        return np.sum(v**2)

    numerical_gradient(f, x)
    np.testing.assert_array_equal(x, x_before)
    assert not any(seen)


def test_two_calls_give_identical_results(rng):
    x, h0, Wh, We, b1 = _rnn_case(rng)
    h_a, c_a = rnn_forward(x, h0, Wh, We, b1)
    h_b, c_b = rnn_forward(x, h0, Wh, We, b1)
    np.testing.assert_array_equal(h_a, h_b)
    dh = rng.standard_normal(h_a.shape)
    for g_a, g_b in zip(rnn_backward(dh, c_a), rnn_backward(dh, c_b)):
        np.testing.assert_array_equal(g_a, g_b)


def test_float32_in_gives_float32_out(rng):
    x, h0, Wh, We, b1 = _rnn_case(rng, dtype=np.float32)
    h, cache = rnn_forward(x, h0, Wh, We, b1, "tanh")
    assert h.dtype == np.float32
    grads = rnn_backward(np.ones_like(h), cache)
    assert all(g.dtype == np.float32 for g in grads)
    h1, c1 = rnn_step_forward(x[:, 0], h0, Wh, We, b1)
    assert h1.dtype == np.float32
    assert all(g.dtype == np.float32 for g in rnn_step_backward(np.ones_like(h1), c1))
    U, b2 = np.ones((5, 3), np.float32), np.zeros(3, np.float32)
    theta, ca = affine_forward(h, U, b2)
    assert theta.dtype == np.float32
    assert all(g.dtype == np.float32 for g in affine_backward(np.ones_like(theta), ca))
    loss, dtheta = softmax_cross_entropy(theta, np.zeros((3, 6), dtype=np.int64))
    assert dtheta.dtype == np.float32 and isinstance(loss, float)
    E = np.ones((3, 4), np.float32)
    xe, ce = embedding_forward(np.zeros((3, 6), dtype=np.int32), E)
    assert xe.dtype == np.float32
    assert embedding_backward(np.ones_like(xe), ce).dtype == np.float32
    assert sigmoid(np.ones(3, np.float32)).dtype == np.float32
    assert softmax(np.ones(3, np.float32)).dtype == np.float32


def test_float32_forward_agrees_with_float64(rng):
    args64 = _rnn_case(rng)
    args32 = [a.astype(np.float32) for a in args64]
    h64, _ = rnn_forward(*args64, activation="tanh")
    h32, _ = rnn_forward(*args32, activation="tanh")
    np.testing.assert_allclose(h32, h64, atol=1e-5)


@pytest.mark.parametrize("func_path", ["rnn_core.activations.sigmoid", "rnn_core.activations.softmax",
                                       "rnn_core.activations.log_softmax",
                                       "rnn_core.validation.as_bool_mask",
                                       "rnn_core.validation.check_id_range"])
def test_docstrings_list_inputs_and_outputs(func_path):
    import importlib
    import inspect

    module, name = func_path.rsplit(".", 1)
    func = getattr(importlib.import_module(module), name)
    doc = inspect.getdoc(func)
    assert "Parameters\n----------" in doc and "Returns\n-------" in doc, func_path
    for param in inspect.signature(func).parameters:
        assert param in doc, f"{func_path}: {param} is not documented"


def test_recurrent_module_docstring_admits_the_h_prev_copy():
    """rnn_backward builds h_{t-1} as one (N, T, Dh) array; the module docstring must not deny it."""
    import inspect

    from rnn_core import recurrent

    doc = recurrent.__doc__
    assert "(N, T, Dh) copy" in doc
    assert "np.concatenate" in inspect.getsource(recurrent.rnn_backward)  # what the doc describes


def test_solution_markers_cover_whole_bodies():
    """BEGIN is the first line after the docstring, END the last line of the body."""
    import ast
    import pathlib

    import rnn_core

    root = pathlib.Path(rnn_core.__file__).parent
    marked = 0
    for path in sorted(root.glob("*.py")):
        source = path.read_text()
        if "### BEGIN SOLUTION" not in source:
            continue
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = lines[node.body[0].end_lineno:node.end_lineno]  # after the docstring
            if not any("### BEGIN SOLUTION" in line for line in body):
                continue
            marked += 1
            code = [line.strip() for line in body if line.strip()]
            assert code[0] == "### BEGIN SOLUTION", f"{path.name}:{node.name}"
            end = lines[node.end_lineno:]
            following = next((line.strip() for line in end if line.strip()), "")
            assert following == "### END SOLUTION", f"{path.name}:{node.name}"
    assert marked >= 15
