"""Break the LSTM or the GRU in a copy of rnn_core by hand: the tests must fail.

The mechanism of ``tests/test_mutations.py``: each mutation is a one-line edit
of the kind people make when deriving a gated backward pass (or wiring a gated
forward pass); the copy is tested in a subprocess, with the copy first on the
path, by the gradient checks and the values derived by hand.
"""

from __future__ import annotations

import pytest

from tests._mutants import assert_caught, pristine_copy, run_tests


# (file, original text, broken text): each original must occur exactly once. A line
# that a docstring repeats is matched with its newline and its 4-space indent.
MUTATIONS = {
    # gate order: PyTorch's i, f, g, o read as CS231n's i, f, o, g
    "lstm step: gate order i, f, o, g": (
        "lstm.py", "a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)",
        "a_i, a_f, a_o, a_g = np.split(a, 4, axis=1)"),
    "lstm: gate order i, f, o, g in the loop": (
        "lstm.py", "a_i, a_f, a_g, a_o = np.split(ax[:, t] + h_t @ Wh.T, 4, axis=1)",
        "a_i, a_f, a_o, a_g = np.split(ax[:, t] + h_t @ Wh.T, 4, axis=1)"),
    "lstm: gates cached in the order i, f, o, g": (
        "lstm.py", "gates[:, t] = np.concatenate((i, f, g, o), axis=1)",
        "gates[:, t] = np.concatenate((i, f, o, g), axis=1)"),
    "gru step: gate order z, r, n": (
        "gru.py", "ax_r, ax_z, ax_n = np.split(ax, 3, axis=1)", "ax_z, ax_r, ax_n = np.split(ax, 3, axis=1)"),
    # the cell gradient not carried to c_prev
    "lstm step: dc_prev from dc_next only": ("lstm.py", "\n    dc_prev = dc * f\n", "\n    dc_prev = dc_next * f\n"),
    "lstm: carried cell gradient dropped": (
        "lstm.py", "dc = dc_carried + dh_t * o * (1 - tanh_c**2)", "dc = dh_t * o * (1 - tanh_c**2)"),
    # tanh' of the cell path forgotten
    "lstm step: tanh' of the cell path forgotten": (
        "lstm.py", "dc = dc_next + dh_next * o * (1 - cache.tanh_c**2)", "dc = dc_next + dh_next * o"),
    "lstm: tanh' of the cell path forgotten": (
        "lstm.py", "dc = dc_carried + dh_t * o * (1 - tanh_c**2)", "dc = dc_carried + dh_t * o"),
    # the reset gate applied to the wrong term
    "gru step: reset gate on the input part": (
        "gru.py", "n = np.tanh(ax_n + r * ah_n)", "n = np.tanh(r * ax_n + ah_n)"),
    "gru: reset gate on the input part in the loop": (
        "gru.py", "n = np.tanh(ax_n + r * ah_n_t)", "n = np.tanh(r * ax_n + ah_n_t)"),
    "gru step: reset gate left out of dah_n": ("gru.py", "\n    dah_n = dax_n * r\n", "\n    dah_n = dax_n\n"),
    "gru: reset gate left out of dah_n": (
        "gru.py", "\n        dah_n = dax_n * r\n", "\n        dah_n = dax_n\n"),
    # more: the forget gate's partner, the output gate's source, the GRU's direct path
    "lstm: forget gate paired with c_t, not c_{t-1}": (
        "lstm.py", "c_prev = cache.c[:, t - 1] if t > 0 else cache.c0",
        "c_prev = cache.c[:, t] if t > 0 else cache.c0"),
    "lstm step: output gate fed dc, not dh": (
        "lstm.py", "da_o = dh_next * cache.tanh_c * o * (1 - o)", "da_o = dc * cache.tanh_c * o * (1 - o)"),
    "gru step: z and 1 - z swapped": ("gru.py", "\n    dn = dh_next * (1 - z)\n", "\n    dn = dh_next * z\n"),
    "gru: direct path z * h_prev dropped": (
        "gru.py", "carried = dah[:, t] @ cache.Wh + dh_t * z", "carried = dah[:, t] @ cache.Wh"),
    "gru step: one bias gradient for both": ("gru.py", "db_hh = dah.sum(axis=0)", "db_hh = dax.sum(axis=0)"),
}


# The gradient checks and hand-worked values of the gated cells.
GATED_TESTS = ["tests/test_lstm.py", "tests/test_gru.py", "-k", "gradients or by_hand or is_steps"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return pristine_copy(tmp_path_factory.mktemp("gated_mutants"))


def test_unmutated_copy_passes(pristine):
    result = run_tests(pristine, GATED_TESTS)
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_mutation_is_caught(name, pristine, tmp_path):
    assert_caught(name, MUTATIONS[name], pristine, tmp_path, GATED_TESTS)
