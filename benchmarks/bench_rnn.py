"""Forward + backward speed of rnn_core against a straightforward per-step implementation.

Both compute the same model: tanh RNN -> affine -> softmax cross-entropy over
N=64 sequences of T=100 steps, d=128, Dh=256, V=65 (the issue's size), and at
min-char-rnn's size N=1, T=25, Dh=100. The straightforward version
(written here, the way the seed notebook started) does every matmul inside the
time loop. rnn_core hoists the input projection out of the loop and computes the
weight gradients as one matmul over all steps.

Both run in the same process, one BLAS thread, alternating, best of several
repeats; the script prints times and their ratio. If PyTorch is installed, its
nn.RNN + Linear + cross-entropy is timed as well, as a reference.

    .venv/bin/python benchmarks/bench_rnn.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from rnn_core import (
    affine_backward,
    affine_forward,
    rel_error,
    rnn_backward,
    rnn_forward,
    softmax_cross_entropy,
)

# The size, then min-char-rnn's (one sequence at a time), where the
# per-step overhead of the straightforward version shows most.
CONFIGS = [dict(N=64, T=100, d=128, Dh=256, V=65), dict(N=1, T=25, d=65, Dh=100, V=65)]


def make_problem(sizes, dtype, rng):
    N, T, d, Dh, V = (sizes[k] for k in "N T d Dh V".split())
    p = dict(
        x=rng.standard_normal((N, T, d)),
        h0=np.zeros((N, Dh)),
        Wh=rng.standard_normal((Dh, Dh)) / np.sqrt(Dh),
        We=rng.standard_normal((Dh, d)) / np.sqrt(d),
        b1=np.zeros(Dh),
        U=rng.standard_normal((Dh, V)) / np.sqrt(Dh),
        b2=np.zeros(V),
    )
    p = {k: v.astype(dtype) for k, v in p.items()}
    y = rng.integers(0, V, (N, T))
    return p, y


def core_step(p, y):
    """rnn_core: forward and backward through the whole model."""
    h, c_rnn = rnn_forward(p["x"], p["h0"], p["Wh"], p["We"], p["b1"], "tanh")
    theta, c_aff = affine_forward(h, p["U"], p["b2"])
    loss, dtheta = softmax_cross_entropy(theta, y)
    dh, dU, db2 = affine_backward(dtheta, c_aff)
    dx, dh0, dWh, dWe, db1 = rnn_backward(dh, c_rnn)
    return loss, dict(Wh=dWh, We=dWe, b1=db1, U=dU, b2=db2, x=dx)


def naive_step(p, y):
    """Every matmul inside the time loop, one step at a time."""
    x, h0, Wh, We, b1, U, b2 = (p[k] for k in "x h0 Wh We b1 U b2".split())
    N, T, _ = x.shape
    hs, probs = [h0], []
    loss = 0.0
    for t in range(T):
        h = np.tanh(hs[-1] @ Wh.T + x[:, t] @ We.T + b1)
        hs.append(h)
        theta = h @ U + b2
        theta = theta - theta.max(axis=1, keepdims=True)
        e = np.exp(theta)
        prob = e / e.sum(axis=1, keepdims=True)
        loss -= np.log(prob[np.arange(N), y[:, t]]).sum()
        probs.append(prob)
    loss /= N * T
    g = {k: np.zeros_like(p[k]) for k in ("Wh", "We", "b1", "U", "b2", "x")}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        dtheta = probs[t].copy()
        dtheta[np.arange(N), y[:, t]] -= 1
        dtheta /= N * T
        g["U"] += hs[t + 1].T @ dtheta
        g["b2"] += dtheta.sum(axis=0)
        dh = dtheta @ U.T + dh_next
        da = dh * (1 - hs[t + 1] ** 2)
        g["Wh"] += da.T @ hs[t]
        g["We"] += da.T @ x[:, t]
        g["b1"] += da.sum(axis=0)
        g["x"][:, t] = da @ We
        dh_next = da @ Wh
    return float(loss), g


def torch_step_factory(sizes, p, y):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    dtype = torch.float32 if p["x"].dtype == np.float32 else torch.float64
    N, T, d, Dh, V = (sizes[k] for k in "N T d Dh V".split())
    rnn = torch.nn.RNN(d, Dh, batch_first=True, nonlinearity="tanh").to(dtype)
    lin = torch.nn.Linear(Dh, V).to(dtype)
    x = torch.tensor(p["x"])
    target = torch.tensor(y).reshape(-1)

    def step():
        rnn.zero_grad()
        lin.zero_grad()
        h, _ = rnn(x)
        loss = torch.nn.functional.cross_entropy(lin(h).reshape(-1, V), target)
        loss.backward()
        return loss

    return step


def best_times(fns, repeats):
    """Best-of-``repeats`` time of each function, run in turn so that load on a
    shared machine hits them alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print("forward + backward of tanh RNN -> affine -> softmax cross-entropy, 1 BLAS thread")
    with threadpool_limits(1):
        for sizes in CONFIGS:
            print("sizes:", ", ".join(f"{k}={v}" for k, v in sizes.items()))
            for dtype in (np.float32, np.float64):
                print("  " + run_one(sizes, dtype, rng, args.repeats))


def run_one(sizes, dtype, rng, repeats):
    p, y = make_problem(sizes, dtype, rng)
    loss_a, g_a = core_step(p, y)
    loss_b, g_b = naive_step(p, y)
    worst = max(rel_error(g_a[k], g_b[k]) for k in g_a)
    assert abs(loss_a - loss_b) < 1e-4 and worst < 1e-3, (loss_a, loss_b, worst)
    core_step(p, y), naive_step(p, y)  # warm-up
    fns = [lambda: core_step(p, y), lambda: naive_step(p, y)]
    torch_step = torch_step_factory(sizes, p, y)
    if torch_step is not None:
        fns.append(torch_step)
    t_core, t_naive, *t_torch = best_times(fns, repeats)
    line = (f"{np.dtype(dtype).name:8s} rnn_core {t_core * 1e3:8.2f} ms | per-step "
            f"{t_naive * 1e3:8.2f} ms | per-step / rnn_core = {t_naive / t_core:5.2f}")
    if t_torch:
        line += f" | torch {t_torch[0] * 1e3:8.2f} ms | rnn_core / torch = {t_core / t_torch[0]:5.2f}"
    return line

if __name__ == "__main__":
    main()
