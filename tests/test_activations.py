"""activations.py: what the chapter shows is what runs."""

from __future__ import annotations

import inspect

import numpy as np

from rnn_core.activations import activate, activation_derivative, sigmoid


def test_sigmoid_source_shows_both_branches():
    src = inspect.getsource(sigmoid)
    assert "np.exp(-np.abs(x))" in src and "1 / (1 + z)" in src and "z / (1 + z)" in src


def test_activate_and_its_derivative_show_each_formula():
    act = inspect.getsource(activate)
    assert "sigmoid(a)" in act and "np.tanh(a)" in act and "np.maximum(a, 0)" in act
    der = inspect.getsource(activation_derivative)
    assert "h * (1 - h)" in der and "1 - h * h" in der


def test_activate_refuses_an_unknown_name():
    import pytest

    with pytest.raises(ValueError, match="^activation: expected one of"):
        activate(np.zeros(2), "gelu")
    with pytest.raises(ValueError, match="^activation: expected one of"):
        activation_derivative(np.zeros(2), "gelu")
