"""Time the chapter's training run and measure where it ends, in bits per character.

    .venv/bin/python benchmarks/bench_training.py                 # the chapter's run (1500 steps)
    .venv/bin/python benchmarks/bench_training.py --steps 3000    # the longer recipe
    .venv/bin/python benchmarks/bench_training.py --json book/data/training_decay.json
    .venv/bin/python benchmarks/bench_training.py --constant-lr --json book/data/training_constant_lr.json

(the last two write the results that ch07 loads and quotes: the schedule comparison).

Prints the wall time, the time per step, the validation bits per character, the
baselines on the same validation text, and the machine's load average (on a shared
machine the time grows with the load; the loss does not: the run is deterministic).
Targets (from the issue): the chapter's cell <= 90 s; validation <= 2.1 bpc (stretch 1.96).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import os
import time

import numpy as np
from threadpoolctl import threadpool_limits

from rnn_core.data import StreamBatcher, Vocab, load_pydoc_corpus, split_ids
from rnn_core.model import CharRNN
from rnn_core.ngram import KneserNey, baseline_table
from rnn_core.optim import Adam
from rnn_core.training import TrainConfig, train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--lr", type=float, default=5e-3)
    ap.add_argument("--constant-lr", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", metavar="PATH", help="also write the result to this JSON file")
    args = ap.parse_args()

    text = load_pydoc_corpus()
    vocab = Vocab.from_text(text)
    train_ids, valid_ids = split_ids(vocab.encode(text))
    rows = dict(baseline_table(train_ids, valid_ids, vocab.size, k_values=(1.0, 0.1)))
    trigram = rows["trigram add-0.1"]
    for n in (4, 5, 6, 7):
        rows[f"Kneser-Ney order {n}"] = KneserNey(n, vocab.size).fit(train_ids).bits_per_char(valid_ids)
    batcher = StreamBatcher(train_ids, args.batch, args.seq_len)
    model = CharRNN.init(vocab.size, args.hidden, args.embed, np.random.default_rng(args.seed))
    cfg = TrainConfig(steps=args.steps, lr=args.lr,
                      horizon=None if args.constant_lr else args.steps, clip=5.0, eval_every=250)
    load_before = os.getloadavg()[0]
    with threadpool_limits(1):
        t0, c0 = time.perf_counter(), time.process_time()
        _, _, state = train(model, Adam(args.lr), batcher, valid_ids, cfg, progress=False)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    bpc = state.valid_loss[-1] / math.log(2)
    print(f"config: Dh={args.hidden} d={args.embed} N={args.batch} T={args.seq_len} "
          f"steps={args.steps} Adam lr={args.lr} {'constant' if args.constant_lr else 'linear decay'}"
          f", clip 5, float32, 1 BLAS thread")
    print(f"load average before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
    print(f"wall time: {seconds:.1f} s ({1000 * seconds / args.steps:.1f} ms/step); "
          f"cell target <= 90 s: {seconds <= 90}")
    print(f"CPU time of this process: {cpu:.1f} s (about the wall time on an idle machine, "
          "1 BLAS thread)")
    for name, value in rows.items():
        print(f"  {name:<20} {value:.3f} bpc")
    print(f"valid_bpc={bpc:.3f}  (<= 2.1: {bpc <= 2.1}; beats trigram {trigram:.2f}: {bpc < trigram}; "
          f"beats Kneser-Ney order 4: {bpc < rows['Kneser-Ney order 4']}; "
          f"order 5: {bpc < rows['Kneser-Ney order 5']})")
    if args.json:
        result = {"script": "benchmarks/bench_training.py", "steps": args.steps,
                  "hidden": args.hidden, "embed": args.embed, "batch": args.batch,
                  "seq_len": args.seq_len, "lr": args.lr, "clip": 5.0,
                  "schedule": "constant" if args.constant_lr else "linear decay to 0",
                  "seed": args.seed, "valid_bpc": round(bpc, 4),
                  "python": platform.python_version(), "numpy": np.__version__}
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
