"""Forward + backward speed of rnn_core's LSTM and GRU against torch.nn.LSTM / nn.GRU.

Both compute the same thing with the same weights: the cell over N=64
sequences of T=100 steps, d=128, Dh=256 (the issue's size), and the gradients
of the loss ``sum(h * dh)`` for a fixed random ``dh``, with respect to the
input, the initial state(s) and every parameter. rnn_core keeps only the
recurrence (one matmul for all gates) inside the time loop; the input
projection and the weight gradients are one matmul each over all steps.

One thread for both (threadpoolctl for numpy's BLAS, ``torch.set_num_threads(1)``),
run in turn in the same process, best of several repeats; the script prints
times and their ratio, and checks that the two agree. Without torch it prints
rnn_core's times only. The times are the process's CPU time
(``time.process_time``): on a shared machine a single-threaded job's wall time
also counts the time other processes held the core, and that varies from run
to run. The wall-clock ratio is printed beside it.

    .venv/bin/python benchmarks/bench_gated.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from threadpoolctl import threadpool_limits

from rnn_core import gru_backward, gru_forward, init_gated, lstm_backward, lstm_forward, rel_error

SIZES = dict(N=64, T=100, d=128, Dh=256)


def make_problem(cell, dtype, rng):
    N, T, d, Dh = (SIZES[k] for k in "N T d Dh".split())
    params = init_gated(cell, d, Dh, rng, dtype=dtype)
    x = rng.standard_normal((N, T, d)).astype(dtype)
    h0 = (rng.standard_normal((N, Dh)) * 0.1).astype(dtype)
    dh = rng.standard_normal((N, T, Dh)).astype(dtype)
    return params, x, h0, dh


def numpy_step(cell, params, x, h0, dh):
    """rnn_core: forward, then every gradient of sum(h * dh)."""
    if cell == "lstm":
        c0 = np.zeros_like(h0)
        h, cache = lstm_forward(x, h0, **params, c0=c0)
        dx, dh0, dWh, dWe, db1, dc0 = lstm_backward(dh, cache)
        return h, dict(x=dx, h0=dh0, Wh=dWh, We=dWe, b=db1)
    h, cache = gru_forward(x, h0, **params)
    dx, dh0, dWh, dWe, db_ih, db_hh = gru_backward(dh, cache)
    return h, dict(x=dx, h0=dh0, Wh=dWh, We=dWe, b=db_hh)


def torch_step_factory(cell, params, x, h0, dh):
    """The same computation in torch, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    dtype = torch.float32 if x.dtype == np.float32 else torch.float64
    N, T, d, Dh = (SIZES[k] for k in "N T d Dh".split())
    module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(d, Dh, batch_first=True).to(dtype)
    with torch.no_grad():
        module.weight_hh_l0.copy_(torch.from_numpy(params["Wh"]))
        module.weight_ih_l0.copy_(torch.from_numpy(params["We"]))
        if cell == "lstm":  # b1 = bias_ih + bias_hh
            module.bias_ih_l0.copy_(torch.from_numpy(params["b1"]))
            module.bias_hh_l0.zero_()
        else:
            module.bias_ih_l0.copy_(torch.from_numpy(params["b_ih"]))
            module.bias_hh_l0.copy_(torch.from_numpy(params["b_hh"]))
    x_t = torch.from_numpy(x).requires_grad_(True)
    h0_t = torch.from_numpy(h0[None].copy()).requires_grad_(True)
    c0_t = torch.zeros_like(h0_t).requires_grad_(True)
    dh_t = torch.from_numpy(dh)

    def step():
        module.zero_grad()
        x_t.grad = h0_t.grad = c0_t.grad = None
        out, _ = module(x_t, (h0_t, c0_t)) if cell == "lstm" else module(x_t, h0_t)
        (out * dh_t).sum().backward()
        return out.detach().numpy(), dict(x=x_t.grad.numpy(), h0=h0_t.grad.numpy()[0],
                                          Wh=module.weight_hh_l0.grad.numpy(),
                                          We=module.weight_ih_l0.grad.numpy(),
                                          b=module.bias_hh_l0.grad.numpy())

    return step


def best_times(fns, repeats):
    """Best-of-``repeats`` CPU and wall times of each function, run in turn so
    that load on a shared machine hits them alike."""
    cpu, wall = [float("inf")] * len(fns), [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            fn()
            cpu[i] = min(cpu[i], time.process_time() - start_cpu)
            wall[i] = min(wall[i], time.perf_counter() - start_wall)
    return cpu, wall


def run_one(cell, dtype, rng, repeats):
    params, x, h0, dh = make_problem(cell, dtype, rng)
    ours = lambda: numpy_step(cell, params, x, h0, dh)  # noqa: E731
    theirs = torch_step_factory(cell, params, x, h0, dh)
    name = f"{cell.upper():4s} {np.dtype(dtype).name}"
    if theirs is None:
        (t_np,), _ = best_times([ours], repeats)
        return f"| {name} | {t_np * 1e3:5.0f} ms | (no torch) | | | |"
    h_a, g_a = ours()
    h_b, g_b = theirs()
    worst = max([rel_error(h_a, h_b)] + [rel_error(g_a[k], g_b[k]) for k in g_a])
    (t_np, t_torch), (w_np, w_torch) = best_times([ours, theirs], repeats)
    return (f"| {name} | {t_np * 1e3:5.0f} ms | {t_torch * 1e3:5.0f} ms | {t_np / t_torch:4.2f} "
            f"| {w_np / w_torch:4.2f} | {worst:.0e} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    try:
        import torch
        versions = f"numpy {np.__version__}, torch {torch.__version__}"
    except ImportError:
        versions = f"numpy {np.__version__}, no torch"
    print(f"forward + backward of sum(h * dh), 1 thread, "
          + ", ".join(f"{k}={v}" for k, v in SIZES.items()))
    print(f"{versions}, Python {platform.python_version()}, best of {args.repeats}")
    print("| cell, dtype | rnn_core (CPU) | torch (CPU) | rnn_core / torch (CPU) "
          "| rnn_core / torch (wall) | largest rel. difference |")
    print("|---|---|---|---|---|---|")
    with threadpool_limits(1):
        for cell in ("lstm", "gru"):
            for dtype in (np.float64, np.float32):
                print(run_one(cell, dtype, rng, args.repeats), flush=True)


if __name__ == "__main__":
    main()
