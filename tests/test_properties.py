"""Invariants of the whole API, across modules: nothing mutated, deterministic, float32 kept,
docstrings complete, solution markers around whole bodies. Properties of one module live in
that module's test file."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)

from .conftest import rnn_case


# ---------------------------------------------------------------- invariants

def _snapshot(*arrays):
    return [a.copy() for a in arrays]


def _assert_unchanged(before, after):
    for b, a in zip(before, after):
        np.testing.assert_array_equal(b, a)


def test_no_function_mutates_its_inputs(rng):
    x, h0, Wh, We, b1 = rnn_case(rng)
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


def test_two_calls_give_identical_results(rng):
    x, h0, Wh, We, b1 = rnn_case(rng)
    h_a, c_a = rnn_forward(x, h0, Wh, We, b1)
    h_b, c_b = rnn_forward(x, h0, Wh, We, b1)
    np.testing.assert_array_equal(h_a, h_b)
    dh = rng.standard_normal(h_a.shape)
    for g_a, g_b in zip(rnn_backward(dh, c_a), rnn_backward(dh, c_b)):
        np.testing.assert_array_equal(g_a, g_b)


def test_float32_in_gives_float32_out(rng):
    x, h0, Wh, We, b1 = rnn_case(rng, dtype=np.float32)
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
    args64 = rnn_case(rng)
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
