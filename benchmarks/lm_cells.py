"""The three cells in the character model: equal CPU budget, equal parameter count, n-gram baselines.

    .venv/bin/python benchmarks/lm_cells.py --json book/data/lm_cells.json   # about 6 min of CPU
    .venv/bin/python benchmarks/lm_cells.py --calibrate                      # CPU ms per step

Every run trains :class:`rnn_core.model.CharRNN` on the book's split of the shipped corpus
(ch07: vocabulary of the whole text, the last 10 % for validation) with the CLI's
settings: d=64, N=32, T=64, Adam lr 5e-3 with linear decay to 0, clipping at 5, float32,
seed 0, one BLAS thread. Only the cell, Dh and the number of steps differ:

- equal budget, same Dh=256: the RNN gets the CLI's default 2000 steps; the LSTM and the
  GRU get the steps that cost the same CPU time;
- equal parameters (about 115-119 thousand, E and U included): RNN Dh=256, LSTM Dh=128,
  GRU Dh=148, again at the CPU budget of the RNN's 2000 steps.

The budget is measured as CPU time of this process (``time.process_time``), not wall-clock:
the machine is shared and its wall-clock is inflated several times by other jobs. The steps
per run are fixed below (from ``--calibrate`` on an idle-ish core), so the losses are
deterministic; the CPU seconds each run really took are recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time

import numpy as np
from threadpoolctl import threadpool_limits

from rnn_core.data import StreamBatcher, Vocab, load_pydoc_corpus, split_ids
from rnn_core.model import CharRNN
from rnn_core.ngram import KneserNey, baseline_table
from rnn_core.optim import Adam
from rnn_core.training import TrainConfig, train

LN2 = math.log(2)
SETTINGS = dict(embed=64, batch=32, seq_len=64, lr=5e-3, clip=5.0, seed=0, eval_every=250)
# (group, cell, Dh, steps). The steps of the gated cells are the RNN's 2000 steps times
# the ratio of CPU ms per step measured by --calibrate (RNN 34.6, LSTM-256 121.2,
# GRU-256 76.9, LSTM-128 44.9, GRU-148 42.1 ms per step).
RUNS = (("equal budget", "rnn", 256, 2000),
        ("equal budget", "lstm", 256, 570),
        ("equal budget", "gru", 256, 900),
        ("equal parameters", "lstm", 128, 1540),
        ("equal parameters", "gru", 148, 1640))


def book_split():
    text = load_pydoc_corpus()
    vocab = Vocab.from_text(text)
    train_ids, valid_ids = split_ids(vocab.encode(text), valid_fraction=0.1)
    return vocab, train_ids, valid_ids


def run(cell, Dh, steps, vocab, train_ids, valid_ids):
    S = SETTINGS
    model = CharRNN.init(vocab.size, Dh, S["embed"], np.random.default_rng(S["seed"]), cell=cell)
    batcher = StreamBatcher(train_ids, S["batch"], S["seq_len"])
    cfg = TrainConfig(steps=steps, lr=S["lr"], horizon=steps, clip=S["clip"],
                      eval_every=S["eval_every"])
    c0, t0 = time.process_time(), time.perf_counter()
    cpu_at = {0: 0.0}

    def on_step(step, _model):
        if step % cfg.eval_every == 0 or step == steps:
            cpu_at[step] = time.process_time() - c0

    _, _, state = train(model, Adam(S["lr"]), batcher, valid_ids, cfg, progress=False,
                        on_step=on_step)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    return {"cell": cell, "hidden": Dh, "params": int(model.n_params), "steps": steps,
            "cpu_seconds": round(cpu, 1), "wall_seconds": round(wall, 1),
            "valid_bpc": round(state.valid_loss[-1] / LN2, 4),
            "curve": {"steps": [int(s) for s in state.valid_steps],
                      "cpu_seconds": [round(cpu_at[s], 1) for s in state.valid_steps],
                      "valid_bpc": [round(v / LN2, 4) for v in state.valid_loss]}}


def calibrate(vocab, train_ids, valid_ids, steps=40):
    S = SETTINGS
    batcher = StreamBatcher(train_ids, S["batch"], S["seq_len"])
    ms = {}
    for _, cell, Dh, _ in RUNS:
        model = CharRNN.init(vocab.size, Dh, S["embed"], np.random.default_rng(0), cell=cell)
        cfg = TrainConfig(steps=steps, lr=S["lr"], horizon=steps, eval_every=10**9)
        c0 = time.process_time()
        train(model, Adam(S["lr"]), batcher, valid_ids[:1000], cfg, progress=False)
        ms[cell, Dh] = 1000 * (time.process_time() - c0) / steps
    budget = 2000 * ms["rnn", 256]
    for (cell, Dh), t in ms.items():
        print(f"{cell:<5} Dh={Dh:<4} {t:6.1f} CPU ms/step -> {budget / t:.0f} steps "
              f"in the budget of the RNN's 2000 steps")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", metavar="PATH", help="write the results to this JSON file")
    ap.add_argument("--calibrate", action="store_true",
                    help="only measure CPU ms per step of every configuration")
    args = ap.parse_args()
    vocab, train_ids, valid_ids = book_split()
    with threadpool_limits(1):
        if args.calibrate:
            calibrate(vocab, train_ids, valid_ids)
            return
        c0 = time.process_time()
        baselines = dict(baseline_table(train_ids, valid_ids, vocab.size, k_values=(1.0, 0.1)))
        for n in range(2, 8):
            baselines[f"Kneser-Ney order {n}"] = \
                KneserNey(n, vocab.size).fit(train_ids).bits_per_char(valid_ids)
        print(f"baselines ({time.process_time() - c0:.0f} s CPU):", flush=True)
        for name, bpc in baselines.items():
            print(f"  {name:<22} {bpc:.3f} bpc")
        results = []
        for group, cell, Dh, steps in RUNS:
            r = run(cell, Dh, steps, vocab, train_ids, valid_ids)
            r["group"] = group
            results.append(r)
            print(f"{group:<17} {cell:<5} Dh={Dh:<4} params={r['params']:<7,} steps={steps:<5} "
                  f"CPU {r['cpu_seconds']:6.1f} s (wall {r['wall_seconds']:6.1f} s) "
                  f"valid {r['valid_bpc']:.3f} bpc", flush=True)
    if args.json:
        out = {"script": "benchmarks/lm_cells.py", "settings": SETTINGS,
               "budget": "CPU time of the process (time.process_time), one BLAS thread; "
                         "steps fixed from --calibrate",
               "split": "ch07: Vocab.from_text(whole text), split_ids(valid_fraction=0.1)",
               "V": vocab.size, "train_chars": int(len(train_ids)),
               "valid_chars": int(len(valid_ids)),
               "baselines": {k: round(v, 4) for k, v in baselines.items()},
               "runs": results, "load_average": round(os.getloadavg()[0], 1),
               "python": platform.python_version(), "numpy": np.__version__}
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
