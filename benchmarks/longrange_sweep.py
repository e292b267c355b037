"""The long-range sweep of chapter 10: four recurrent cells on the adding problem.

    .venv/bin/python benchmarks/longrange_sweep.py --jobs 2             # the committed results
    .venv/bin/python benchmarks/longrange_sweep.py --quick --out /tmp/lr.json   # a smoke run of a few seconds

Trains the tanh RNN, the IRNN, the LSTM and the GRU of :mod:`rnn_core.longrange`
(Dh = 32, N = 32 fresh sequences per step, Adam 1e-2, global-norm clipping at 1,
the same number of steps for every run) on the adding problem at every length in
``--lengths`` with every seed in ``--seeds``; the two vanilla cells also run the
extra seeds and lengths of ``--vanilla-seeds`` / ``--vanilla-lengths``, for their
success rate. For each run it records the test MSE (500 test sequences per
length, the same for every cell and seed) against the memoryless baseline 1/6,
the wall-clock of the training loop (``seconds``), the wall-clock and CPU time of
the whole run over the same span (``wall_seconds``, ``cpu_seconds``: training, the
two test-set evaluations and the two marker-gain passes; on a shared machine read
the CPU time, the wall-clock grows with the load), the learning curve (mean
training loss per 25 steps), and the gradient that reaches the first marker, at initialisation and
after training. For seed 0 at the longest length it also records the whole
gradient profile over the steps.

One BLAS thread; the results are deterministic given the seeds on one machine
(another BLAS may change the last digits; the wall-clock varies with the load).
Writes JSON to ``--out`` (default ``book/data/longrange.json``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from rnn_core.longrange import CELLS, gain_curve, init_params, train_adding  # noqa: E402
from rnn_core.tasks import ADDING_BASELINE_MSE, adding_problem  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v]


def run_one(job):
    """One training run (in a worker process, one BLAS thread); the gradient profile if asked."""
    cell, T, seed, args, with_profile = job
    with threadpool_limits(1):
        wall, cpu = time.perf_counter(), time.process_time()
        r = train_adding(cell, T, args.steps, seed, Dh=args.hidden, N=args.batch,
                         lr=args.lr, clip=args.clip)
        # wall and CPU time over the same span: the whole call (the two test-set
        # evaluations, the two marker-gain passes and the training); r["seconds"]
        # is train_adding's own wall-clock of the training loop alone
        r["wall_seconds"] = time.perf_counter() - wall
        r["cpu_seconds"] = time.process_time() - cpu
        params = r.pop("final_params")
        profile = None
        if with_profile:  # the gradient over all steps, at initialisation and trained
            x_prof, _ = adding_problem(args.profile_sequences, T, np.random.default_rng([T, 3]))
            init = init_params(cell, 2, args.hidden, 1, np.random.default_rng([seed, 0]))
            profile = dict(cell=cell, T=T, seed=seed,
                           init=np.median(gain_curve(cell, init, x_prof), axis=0).tolist(),
                           trained=np.median(gain_curve(cell, params, x_prof), axis=0).tolist())
    return r, profile


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", type=ints, default=[10, 50, 100])
    ap.add_argument("--seeds", type=ints, default=[0, 1])
    ap.add_argument("--vanilla-lengths", type=ints, default=[10, 20, 50, 100])
    ap.add_argument("--vanilla-seeds", type=ints, default=[0, 1, 2, 3])
    ap.add_argument("--cells", type=lambda s: s.split(","), default=list(CELLS))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=1,
                    help="worker processes, one BLAS thread each (the results do not depend on it)")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--profile-sequences", type=int, default=32)
    ap.add_argument("--quick", action="store_true",
                    help="a smoke run: lengths 10,20, one seed, 100 steps")
    ap.add_argument("--out", type=Path, default=ROOT / "book" / "data" / "longrange.json")
    args = ap.parse_args()
    if args.quick:
        args.lengths, args.seeds, args.steps = [10, 20], [0], 100
        args.vanilla_lengths, args.vanilla_seeds = [10, 20], [0, 1]
    bad = [c for c in args.cells if c not in CELLS]
    if bad:
        ap.error(f"--cells: unknown {bad}; choose from {', '.join(CELLS)}")

    plan = [(c, T, s) for c in args.cells for T in args.lengths for s in args.seeds]
    plan += [(c, T, s) for c in ("rnn", "irnn") if c in args.cells
             for T in args.vanilla_lengths for s in args.vanilla_seeds
             if (c, T, s) not in plan]
    T_long = max(args.lengths)
    jobs = [(cell, T, seed, args, T == T_long and seed == args.seeds[0]) for cell, T, seed in plan]
    runs, profiles = [], []
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for k, (r, profile) in enumerate(pool.imap(run_one, jobs), 1):
            runs.append(r)
            if profile is not None:
                profiles.append(profile)
            print(f"[{k}/{len(plan)}] {r['cell']:4s} T={r['T']:3d} seed={r['seed']}: "
                  f"test MSE {r['test_mse']:.4f} (baseline {ADDING_BASELINE_MSE:.4f}), "
                  f"{r['wall_seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s CPU, "
                  f"gain at marker {r['gain_init']:.2e} -> {r['gain_trained']:.2e}",
                  file=sys.stderr, flush=True)
    total = time.perf_counter() - start
    meta = dict(
        command="python benchmarks/longrange_sweep.py", steps=args.steps, Dh=args.hidden,
        N=args.batch, lr=args.lr, clip=args.clip, optimizer="Adam", blas_threads=1,
        lengths=args.lengths, seeds=args.seeds, vanilla_lengths=args.vanilla_lengths,
        vanilla_seeds=args.vanilla_seeds, jobs=args.jobs, n_test=500, curve_every=25,
        baseline_mse=ADDING_BASELINE_MSE, total_seconds=round(total, 1),
        python=platform.python_version(), numpy=np.__version__,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    def sig(v):  # 4 significant digits: gains span thirty orders of magnitude
        return float(f"{v:.4g}")

    rounded = [{k: (sig(v) if isinstance(v, float) else v) for k, v in r.items()} for r in runs]
    for r in rounded:
        r["curve"] = [sig(v) for v in r["curve"]]
    for p in profiles:
        p["init"] = [sig(v) for v in p["init"]]
        p["trained"] = [sig(v) for v in p["trained"]]
    args.out.write_text(json.dumps(dict(meta=meta, runs=rounded, profiles=profiles), indent=1) + "\n")
    print(f"wrote {len(runs)} runs to {args.out} in {total:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
