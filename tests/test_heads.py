"""The many-to-one head: last state -> affine -> mean squared error, and its backward."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnn_core.gradcheck import numerical_gradient, rel_error
from rnn_core.heads import HeadCache, mse_head_backward, mse_head_forward

ROOT = Path(__file__).resolve().parents[1]


def make(rng, N=4, T=5, Dh=3, K=2, dtype=np.float64):
    h = rng.standard_normal((N, T, Dh)).astype(dtype)
    U = rng.standard_normal((Dh, K)).astype(dtype)
    b2 = rng.standard_normal(K).astype(dtype)
    y = rng.standard_normal((N, K)).astype(dtype)
    return h, U, b2, y


def test_forward_by_hand(rng):
    h, U, b2, y = make(rng)
    loss, cache = mse_head_forward(h, U, b2, y)
    N, T, Dh = h.shape
    K = U.shape[1]
    total = 0.0
    for n in range(N):  # one prediction per sequence, from its last state only
        for k in range(K):
            pred = sum(h[n, T - 1, j] * U[j, k] for j in range(Dh)) + b2[k]
            assert np.isclose(cache.yhat[n, k], pred, rtol=1e-12, atol=0)
            total += (pred - y[n, k]) ** 2
    assert np.isclose(loss, total / (N * K), rtol=1e-12, atol=0)


def test_earlier_states_are_ignored(rng):
    h, U, b2, y = make(rng)
    h2 = h.copy()
    h2[:, :-1] = rng.standard_normal(h[:, :-1].shape)
    assert mse_head_forward(h, U, b2, y)[0] == mse_head_forward(h2, U, b2, y)[0]


@pytest.mark.parametrize("dloss", [1.0, -0.7])
def test_gradients_match_central_differences(rng, dloss):
    h, U, b2, y = make(rng)
    loss, cache = mse_head_forward(h, U, b2, y)
    dh, dU, db2 = mse_head_backward(dloss, cache)
    f = {
        "h": lambda v: dloss * mse_head_forward(v, U, b2, y)[0],
        "U": lambda v: dloss * mse_head_forward(h, v, b2, y)[0],
        "b2": lambda v: dloss * mse_head_forward(h, U, v, y)[0],
    }
    for name, value, grad in (("h", h, dh), ("U", U, dU), ("b2", b2, db2)):
        num = numerical_gradient(f[name], value)
        assert rel_error(grad, num) < 1e-7, name
    assert not np.any(dh[:, :-1]), "the head reads h_T only, so earlier steps get exactly 0"


def test_zero_error_gives_zero_gradient(rng):
    h, U, b2, _ = make(rng)
    y = h[:, -1] @ U + b2
    _, cache = mse_head_forward(h, U, b2, y)
    assert all(not np.any(g) for g in mse_head_backward(1.0, cache))


def test_float32_stays_float32_and_inputs_untouched(rng):
    args = make(rng, dtype=np.float32)
    copies = [a.copy() for a in args]
    loss, cache = mse_head_forward(*args)
    grads = mse_head_backward(np.float64(1.0), cache)
    assert np.asarray(loss).dtype == np.float32
    assert [g.dtype for g in grads] == [np.float32] * 3
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("which, bad, needle", [
    ("y", lambda y: y[:, 0], "y"),
    ("U", lambda U: U.T, "U"),
    ("b2", lambda b2: b2[:1], "b2"),
    ("h", lambda h: h[:, -1], "h"),
])
def test_bad_shapes_name_the_argument(rng, which, bad, needle):
    h, U, b2, y = make(rng)
    args = dict(h=h, U=U, b2=b2, y=y)
    args[which] = bad(args[which])
    with pytest.raises(ValueError, match=rf"^{needle}:"):
        mse_head_forward(**args)


def test_bad_backward_arguments(rng):
    _, cache = mse_head_forward(*make(rng))
    for bad in (np.nan, np.inf, "1", True, None):
        with pytest.raises(ValueError, match="^dloss:"):
            mse_head_backward(bad, cache)
    with pytest.raises(ValueError, match="^cache:"):
        mse_head_backward(1.0, tuple(cache))
    assert isinstance(cache, HeadCache)


def test_matches_torch(rng):
    torch = pytest.importorskip("torch")
    h, U, b2, y = make(rng, N=6, T=4, Dh=5, K=1)
    loss, cache = mse_head_forward(h, U, b2, y)
    dh, dU, db2 = mse_head_backward(1.0, cache)
    lin = torch.nn.Linear(5, 1).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(U.T))  # torch stores (K, Dh)
        lin.bias.copy_(torch.tensor(b2))
    h_t = torch.tensor(h, requires_grad=True)
    loss_t = torch.nn.functional.mse_loss(lin(h_t[:, -1]), torch.tensor(y))
    loss_t.backward()
    assert np.isclose(loss, loss_t.item(), rtol=1e-12, atol=0)
    assert rel_error(dh, h_t.grad.numpy()) < 1e-12
    assert rel_error(dU, lin.weight.grad.numpy().T) < 1e-12
    assert rel_error(db2, lin.bias.grad.numpy()) < 1e-12


MUTATIONS = {
    "factor 2 dropped": ("dyhat = (2 * dloss / cache.err.size) * cache.err",
                         "dyhat = (dloss / cache.err.size) * cache.err"),
    "mean over N only": ("dyhat = (2 * dloss / cache.err.size) * cache.err",
                         "dyhat = (2 * dloss / cache.err.shape[0]) * cache.err"),
    "dU sign": ("dU = h_last.T @ dyhat", "dU = -h_last.T @ dyhat"),
    "gradient at the first step": ("dh[:, -1] = dyhat @ cache.U.T", "dh[:, 0] = dyhat @ cache.U.T"),
}


@pytest.mark.skipif(os.environ.get("RNN_CORE_MUTANT") == "1", reason="already inside a mutant")
@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_broken_backward_fails_the_gradient_check(name, tmp_path):
    original, broken = MUTATIONS[name]
    shutil.copytree(ROOT / "rnn_core", tmp_path / "rnn_core",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "rnn_core" / "heads.py"
    src = target.read_text()
    assert src.count(original) == 1, name
    target.write_text(src.replace(original, broken))
    shutil.copy(ROOT / "tests" / "test_heads.py", tmp_path / "test_heads.py")
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PYTHONDONTWRITEBYTECODE="1",
               RNN_CORE_MUTANT="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
         str(tmp_path / "test_heads.py"), "-k", "central_differences or torch"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, f"{name} was not caught:\n{proc.stdout[-2000:]}"
