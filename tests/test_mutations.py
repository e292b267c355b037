"""Break a gradient in a copy of rnn_core by hand, and the gradient tests must fail.

Each mutation is a one-line edit of the kind a person makes when deriving a
backward pass: a dropped term, a transpose, a flipped sign, a wrong local
derivative. The copy is tested in a subprocess, with the copy first on the path.
"""

from __future__ import annotations

import pytest

from tests._mutants import assert_caught, pristine_copy, run_tests


# (file, original text, broken text): each original must occur exactly once.
MUTATIONS = {
    "step: transposed dWh": ("cells.py", "dWh = da.T @ cache.h_prev", "dWh = cache.h_prev.T @ da"),
    "step: db1 sign": ("cells.py", "db1 = da.sum(axis=0)", "db1 = -da.sum(axis=0)"),
    "step: no activation derivative": (
        "cells.py", "da = dh_next * activation_derivative(cache.h_next, cache.activation)",
        "da = dh_next * 1.0"),
    "step: dh_prev uses Wh.T": ("cells.py", "dh_prev = da @ cache.Wh", "dh_prev = da @ cache.Wh.T"),
    "bptt: gradient from t+1 forgotten": ("recurrent.py", "g = dh[:, t] + carried", "g = dh[:, t] + 0 * carried"),
    "bptt: carried through Wh.T": ("recurrent.py", "carried = da[:, t] @ cache.Wh", "carried = da[:, t] @ cache.Wh.T"),
    "bptt: dWh paired with h_t": ("recurrent.py", "dWh = da_flat.T @ h_prev.reshape(N * T, -1)",
                                  "dWh = da_flat.T @ cache.h.reshape(N * T, -1)"),
    "bptt: h0 left out of dWh": ("recurrent.py", "(cache.h0[:, None], cache.h[:, :-1])",
                                 "(0 * cache.h0[:, None], cache.h[:, :-1])"),
    "bptt: db1 sign": ("recurrent.py", "db1 = da_flat.sum(axis=0)", "db1 = -da_flat.sum(axis=0)"),
    "bptt: dx sign": ("recurrent.py", "dx = (da_flat @ cache.We)", "dx = (-da_flat @ cache.We)"),
    "affine: dU sign": ("layers.py", "dU = cache.h.reshape(N * T, -1).T @ dtheta_flat",
                        "dU = -cache.h.reshape(N * T, -1).T @ dtheta_flat"),
    "affine: dh scaled": ("layers.py", "dh = (dtheta_flat @ cache.U.T).reshape(N, T, -1)",
                          "dh = (0.5 * dtheta_flat @ cache.U.T).reshape(N, T, -1)"),
    "embedding: repeats overwrite": ("layers.py", "np.add.at(dE, cache.ids, dx)",
                                     "dE[cache.ids] = dx"),
    "loss: onehot not subtracted": ("losses.py", "rows[np.arange(rows.shape[0]), y.reshape(-1)] -= 1",
                                    "rows[np.arange(rows.shape[0]), y.reshape(-1)] -= 0"),
    "loss: not divided by count": ("losses.py", "counted[..., None] / theta.dtype.type(count)",
                                   "counted[..., None] / theta.dtype.type(1)"),
    "loss: gradient from unnormalised scores": ("losses.py", "dtheta = np.exp(log_p)",
                                                "dtheta = np.exp(theta)"),
    "sigmoid: one branch for all x": ("activations.py", "np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
                                      "np.where(x >= 0, 1 / (1 + z), 1 / (1 + z))"),
    "tanh derivative": ("activations.py", "return 1 - h * h", "return 1 - h"),
    "sigmoid derivative": ("activations.py", "return h * (1 - h)", "return 1 - h"),
}


# The test files of the mutated modules: gradient checks and hand-worked values of each.
TESTED_BY = [f"tests/test_{module}" for module in sorted({f for f, _, _ in MUTATIONS.values()})]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return pristine_copy(tmp_path_factory.mktemp("mutants"))


def test_unmutated_copy_passes(pristine):
    result = run_tests(pristine, TESTED_BY)
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_mutation_is_caught(name, pristine, tmp_path):
    assert_caught(name, MUTATIONS[name], pristine, tmp_path, TESTED_BY)
