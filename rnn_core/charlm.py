"""Command line for the character model: ``python -m rnn_core.charlm train|sample ...``.

Train on the bundled corpus (``pydoc_data.topics``) or on any UTF-8 file::

    python -m rnn_core.charlm train --out char.npz            # a GRU, 850 steps, about a minute
    python -m rnn_core.charlm train --cell rnn --out rnn.npz  # the tanh RNN of ch07, 2000 steps
    python -m rnn_core.charlm train --text my.txt --out my.npz --steps 500
    python -m rnn_core.charlm sample --checkpoint char.npz --length 300 --temperature 0.8 --seed 0

``--cell`` chooses the recurrent layer: ``gru`` (chapter 9, the default), ``lstm``
(chapter 8) or ``rnn`` (the tanh RNN of chapter 7); the checkpoint records it, and
``sample`` and ``--resume`` read it from there (a checkpoint without one is an ``rnn``).
The default ``--steps`` depends on the cell (2000 for rnn, 850 for gru, 600 for lstm):
about the same CPU time for each, in which the GRU ends lowest
(``benchmarks/lm_cells.py``, ``book/data/lm_cells.json``).

``train`` prints, as its last line, ``valid_bpc=<validation bits per character>``.

Resuming: ``--steps`` is the total number of steps. ``--decay-steps`` fixes where the
learning rate reaches 0 (default: ``--steps``), so a run can be stopped early and
resumed on the same schedule::

    python -m rnn_core.charlm train --out a.npz --steps 1000 --decay-steps 2000
    python -m rnn_core.charlm train --resume a.npz --out b.npz --steps 2000

gives exactly the parameters of ``train --out b.npz --steps 2000``.

A resumed run keeps every setting of the checkpoint, ``--decay-steps`` included, and is
then bit-exact. To go beyond the stored decay horizon (e.g. a run started without
``--decay-steps``, whose horizon is its own ``--steps``), pass ``--decay-steps D`` with
``D >= --steps`` on resume: from the checkpoint's step s on, the rate is ``lr*(1 - s/D)``,
reaching 0 at step D (a new schedule, not bit-equal to any single run).

Ctrl-C saves the run as of its last completed step to ``--out`` and exits with status 130;
resume it with ``--resume``.

The vocabulary is built from the training block (the first 90 %) only; a ``--text`` whose
validation block holds a character absent from the training block is refused.

Bad input (a missing, empty, tiny or non-UTF-8 file, a missing or corrupt checkpoint,
one from another vocabulary, nonsense hyper-parameters) exits with status 2 and a
one-line reason on stderr, before anything is written.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import math
import os
import shlex
import sys
import types

import numpy as np

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .data import StreamBatcher, Vocab, load_pydoc_corpus, load_text, split_point
from .model import CELLS, CharRNN, param_shapes
from .optim import OPTIMIZERS
from .sampling import sample_text
from .training import (
    LN2,
    TrainConfig,
    TrainingDivergedError,
    TrainingInterrupted,
    TrainState,
    train,
)

FORMAT = "charlm-1"
# Read-only: a run changes its own copy (``conf``), never the defaults.
DEFAULTS = types.MappingProxyType(
    {"hidden": 256, "embed": 64, "seq_len": 64, "batch": 32,
     "lr": 5e-3, "clip": 5.0, "seed": 0, "optimizer": "adam", "schedule": "linear",
     "eval_every": 250, "valid_fraction": 0.1, "cell": "gru"})
# The default --steps of each cell: about the same CPU time, that of 2000 steps of the tanh
# RNN at Dh=256 (benchmarks/lm_cells.py measures it; the GRU is the default cell because it
# ends lowest in that time).
DEFAULT_STEPS = types.MappingProxyType({"rnn": 2000, "lstm": 600, "gru": 850})
# Settings fixed by a checkpoint: a resumed run may not change them.
FROZEN = ("hidden", "embed", "seq_len", "batch", "lr", "clip", "seed", "optimizer",
          "schedule", "eval_every", "valid_fraction", "decay_steps", "cell")
# Settings that older checkpoints lack, and what those checkpoints meant by their absence.
LEGACY = types.MappingProxyType({"cell": "rnn"})


class UsageError(ValueError):
    """Bad command-line input."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise UsageError(message)


def _int_at_least(minimum: int):
    """An argparse type: an integer >= ``minimum`` (one wording for every integer option)."""
    def parse(s):
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {s!r}") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {v}")
        return v
    return parse


def _positive_float(s):
    """An argparse type: a finite number > 0."""
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {s!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {s}")
    return v


TRAIN_EPILOG = """\
resuming: --resume keeps every setting of the checkpoint (--hidden, --lr, --decay-steps,
...); give --steps, the new total, and the same --text. With unchanged settings the result
is bit-exact: equal to one uninterrupted run. A linear schedule ends at --decay-steps
(default: the --steps of the first run); to train past it, pass --decay-steps D with
D >= --steps on resume: from the checkpoint's step s on, the rate is lr*(1 - s/D), reaching
0 at step D (it steps up at the resume point: a new schedule, not bit-equal to any single
run). Any other change of --decay-steps on resume is refused.
Ctrl-C saves the last completed step to --out and exits with status 130."""


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m rnn_core.charlm",
                description="Train a character-level RNN language model, or sample text from "
                            "a trained one.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    D = DEFAULTS
    t = sub.add_parser("train", help="train (or resume) a model and save a checkpoint",
                       description="Train (or resume) a character RNN and save a checkpoint.",
                       epilog=TRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--text", help="UTF-8 text file to train on (default: the bundled "
                                  "pydoc_data.topics corpus; on resume: the same as before)")
    t.add_argument("--out", required=True,
                   help="checkpoint file to write (.npz; required, no default); its directory "
                        "must exist and be writable")
    t.add_argument("--resume", help="checkpoint to continue from (default: none, a fresh run)")
    t.add_argument("--steps", type=_int_at_least(1),
                   help=f"total number of steps, counted from the start of the run "
                        f"(default: {', '.join(f'{n} for {c}' for c, n in DEFAULT_STEPS.items())}"
                        f", about the same CPU time; required with --resume)")
    t.add_argument("--decay-steps", type=_int_at_least(1),
                   help="step at which the linear schedule reaches lr 0 (default: --steps; "
                        "on resume: the checkpoint's, see below)")
    t.add_argument("--cell", choices=CELLS,
                   help=f"recurrent layer: the tanh RNN (ch07), the LSTM (ch08) or the GRU "
                        f"(ch09) (default: {D['cell']})")
    t.add_argument("--hidden", type=_int_at_least(1),
                   help=f"hidden units Dh (default: {D['hidden']})")
    t.add_argument("--embed", type=_int_at_least(1),
                   help=f"embedding size d (default: {D['embed']})")
    t.add_argument("--seq-len", type=_int_at_least(1),
                   help=f"window length T of truncated BPTT (default: {D['seq_len']})")
    t.add_argument("--batch", type=_int_at_least(1),
                   help=f"parallel streams N (default: {D['batch']})")
    t.add_argument("--lr", type=_positive_float, help=f"base learning rate (default: {D['lr']:g})")
    t.add_argument("--clip", type=_positive_float,
                   help=f"global-norm gradient clipping threshold (default: {D['clip']:g})")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS),
                   help=f"optimiser (default: {D['optimizer']})")
    t.add_argument("--schedule", choices=("linear", "constant"),
                   help=f"learning-rate schedule (default: {D['schedule']})")
    t.add_argument("--eval-every", type=_int_at_least(1),
                   help=f"measure the validation loss every this many steps "
                        f"(default: {D['eval_every']})")
    t.add_argument("--seed", type=_int_at_least(0),
                   help=f"seed of the initialisation (default: {D['seed']})")
    t.add_argument("--quiet", action="store_true",
                   help="no progress bar (default: show one on stderr)")
    s = sub.add_parser("sample", help="print text sampled from a checkpoint",
                       description="Print text sampled from a checkpoint.")
    s.add_argument("--checkpoint", required=True,
                   help="checkpoint written by train (.npz; required, no default)")
    s.add_argument("--length", type=_int_at_least(0), default=300,
                   help="number of characters to sample (default: %(default)s)")
    s.add_argument("--temperature", type=_positive_float, default=1.0,
                   help="sampling temperature tau > 0; < 1 sharpens, > 1 flattens "
                        "(default: %(default)s)")
    s.add_argument("--seed", type=_int_at_least(0), default=0,
                   help="seed of the sampler (default: %(default)s)")
    s.add_argument("--prompt", default="",
                   help="text to read before sampling, printed first (default: none)")
    return p


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _with_flag(err: Exception, flag: str, prefix: str) -> Exception:
    """The same error with a library prefix (``text:``) renamed to the CLI flag (``--text:``)."""
    msg = str(err)
    if msg.startswith(prefix + ":"):
        msg = flag + msg[len(prefix):]
    return type(err)(msg)


def _cell_of(arrays: dict) -> str:
    """The checkpoint's cell; "rnn" for a checkpoint written before cells were recorded."""
    cell = str(arrays["config.cell"]) if "config.cell" in arrays else LEGACY["cell"]
    if cell not in CELLS:
        raise CheckpointError(f"checkpoint: unknown cell {cell!r}; expected one of "
                              f"{', '.join(CELLS)}")
    return cell


def _read_model(arrays: dict) -> tuple[CharRNN, Vocab]:
    cell = _cell_of(arrays)
    try:
        vocab = Vocab(chr(int(c)) for c in arrays["vocab"])
        model = CharRNN({k: arrays[f"params.{k}"] for k in param_shapes(cell)}, "tanh", cell)
    except (KeyError, ValueError) as err:
        raise CheckpointError(f"checkpoint: inconsistent contents ({err})") from None
    if model.V != vocab.size:
        raise CheckpointError(
            f"checkpoint: output size V={model.V} does not match its vocabulary ({vocab.size})")
    return model, vocab


# Every cell's checkpoint has these; the cell's own parameters are checked by _read_model.
REQUIRED = ("format", "vocab", "step", "position", "h", "text_sha256",
            *(f"params.{k}" for k in ("E", "We", "Wh", "U", "b2")),
            *(f"config.{k}" for k in FROZEN if k not in LEGACY))
PYDOC = "pydoc_data.topics"


def _check_out(path: str) -> None:
    """Refuse, before any training, an --out that could not be written."""
    full = os.path.abspath(path)
    if os.path.isdir(full):
        raise UsageError(f"--out: {path!r} is a directory; expected a file path, "
                         f"e.g. {os.path.join(path, 'model.npz')!r}")
    parent = os.path.dirname(full)
    if not os.path.isdir(parent):
        raise UsageError(f"--out: directory {parent!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out: directory {parent!r} is not writable")


def _min_chars(N: int, T: int, valid_fraction: float) -> int:
    """The shortest text that trains: N*(T+1) training and 2 validation characters."""
    need = N * (T + 1)
    L = max(0, int(need / (1 - valid_fraction)) - 2)
    while True:
        start = split_point(L, valid_fraction)
        if start >= need and L - start >= 2:
            return L
        L += 1


def _resume_hint(trained_on: str | None) -> str:
    if trained_on is None:
        return "resume with the same --text"
    if trained_on == PYDOC:
        return "resume without --text (the bundled corpus)"
    return f"resume with --text {shlex.quote(trained_on)}"


def _checkpoint_arrays(model, opt, state, vocab, text, source, conf, N) -> dict:
    # the carried state; None only when interrupted before the first step
    carried = state.h if state.h is not None else model.zero_state(N)
    h, c = carried if model.cell == "lstm" else (carried, None)
    arrays = {"format": np.array(FORMAT),
              "vocab": np.array([ord(c) for c in vocab.chars], dtype=np.int32),
              "text_sha256": np.array(_text_digest(text)), "text_source": np.array(source),
              "step": np.array(state.step), "position": np.array(state.position),
              "h": h,
              "history.train": np.array(state.train_loss, dtype=np.float64),
              "history.valid_steps": np.array(state.valid_steps, dtype=np.int64),
              "history.valid": np.array(state.valid_loss, dtype=np.float64)}
    arrays.update({f"params.{k}": v for k, v in model.params.items()})
    arrays.update({f"optim.{k}": v for k, v in opt.state_dict().items()})
    arrays.update({f"config.{k}": np.array(conf[k]) for k in FROZEN})
    if c is not None:
        arrays["c"] = c  # the LSTM's carried cell state
    return arrays


def _save(path: str, arrays: dict) -> None:
    try:
        save_checkpoint(path, arrays)
    except OSError as err:
        raise UsageError(f"--out: cannot write {path!r} ({err.strerror or err})") from None


def _cmd_train(args) -> int:
    """Train or resume: check every input first, then run, then save (also on Ctrl-C)."""
    _check_out(args.out)
    resume = _load_resume(args.resume)
    conf = _settings(args, resume)
    text, source = _read_text(args.text, conf)
    vocab, train_ids, valid_ids = _encode_blocks(text, conf)
    if resume is not None:
        model, state, optimizer = _restore(resume, conf, vocab, text, source)
    else:
        model = CharRNN.init(vocab.size, conf["hidden"], conf["embed"],
                             np.random.default_rng(conf["seed"]), cell=conf["cell"])
        state, optimizer = TrainState(), OPTIMIZERS[conf["optimizer"]](conf["lr"])
    _check_horizon(conf, resume)
    batcher = StreamBatcher(train_ids, conf["batch"], conf["seq_len"])

    from threadpoolctl import threadpool_limits

    save = functools.partial(_save_run, args.out, vocab, text, source, conf)
    try:
        with threadpool_limits(1):  # 1 BLAS thread: faster and reproducible for these sizes
            model, optimizer, state = train(model, optimizer, batcher, valid_ids,
                                            _train_config(conf), state, progress=not args.quiet)
    except TrainingInterrupted as stop:
        save(stop.model, stop.optimizer, stop.state)
        print(f"charlm: interrupted; saved step {stop.state.step} to {args.out}; resume with: "
              f"{shlex.join(_resume_command(args, conf))}", file=sys.stderr)
        return 130
    save(model, optimizer, state)
    print(f"saved {args.out}: step {state.step}, {source}, V={vocab.size}, cell {model.cell}")
    print(f"valid_bpc={state.valid_loss[-1] / LN2:.4f}")
    return 0


def _load_resume(path: str | None) -> dict | None:
    """The arrays of the ``--resume`` checkpoint, or None without one."""
    if path is None:
        return None
    try:
        resume = load_checkpoint(path, required=REQUIRED)
    except CheckpointError as err:
        raise _with_flag(err, "--resume", "checkpoint") from None
    if str(resume["format"]) != FORMAT:
        raise CheckpointError(f"--resume: format {resume['format']} is not {FORMAT}")
    return resume


def _settings(args, resume: dict | None) -> dict:
    """The run's settings: the defaults and the flags, or a checkpoint's (frozen) settings."""
    given = {k: getattr(args, k) for k in (*DEFAULTS, "steps", "decay_steps")
             if getattr(args, k, None) is not None}
    if resume is None:
        conf = {**DEFAULTS, **given}
        conf["steps"] = given.get("steps", DEFAULT_STEPS[conf["cell"]])
        conf["decay_steps"] = given.get("decay_steps", conf["steps"])
        return conf
    conf = {k: resume[f"config.{k}"].item() if f"config.{k}" in resume else LEGACY[k]
            for k in FROZEN}
    for k in FROZEN:
        if k != "decay_steps" and k in given and given[k] != conf[k]:
            raise UsageError(f"--{k.replace('_', '-')}: {given[k]} conflicts with the "
                             f"checkpoint's {conf[k]}; a resumed run keeps its settings")
    if "steps" not in given:
        raise UsageError("--steps: required with --resume (the total number of steps)")
    conf["steps"] = given["steps"]
    if conf["steps"] < int(resume["step"]):
        raise UsageError(f"--steps: {conf['steps']} is below the checkpoint's step "
                         f"{int(resume['step'])}")
    new_horizon = given.get("decay_steps", conf["decay_steps"])
    if new_horizon != conf["decay_steps"]:
        # The documented way to extend a run: a new horizon covering the new --steps.
        if conf["schedule"] != "linear":
            raise UsageError(f"--decay-steps: the checkpoint's schedule is "
                             f"{conf['schedule']}; --decay-steps applies to 'linear' only")
        if new_horizon < conf["steps"]:
            raise UsageError(f"--decay-steps: {new_horizon} is below --steps "
                             f"{conf['steps']}; expected at least {conf['steps']}")
        conf["decay_steps"] = new_horizon
    conf["trained_on"] = str(resume["text_source"]) if "text_source" in resume else None
    return conf


def _read_text(path: str | None, conf: dict) -> tuple[str, str]:
    """The training text and its name; long enough for ``--batch`` streams of ``--seq-len``."""
    if path is None:
        text, source = load_pydoc_corpus(), PYDOC
    else:
        try:
            text, source = load_text(path, min_chars=0), path
        except ValueError as err:
            raise _with_flag(err, "--text", "text") from None
    N, T, vf = conf["batch"], conf["seq_len"], conf["valid_fraction"]
    need = _min_chars(N, T, vf)
    if len(text) < need:
        raise UsageError(f"--text: {source!r} has {len(text)} characters; --batch {N} and "
                         f"--seq-len {T} need at least {need} ({N}*({T}+1) to train and "
                         f"{vf:.0%} to validate; use a longer text or smaller --batch/--seq-len)")
    return text, source


def _encode_blocks(text: str, conf: dict):
    """The vocabulary of the training block, and both blocks as ids.

    The vocabulary comes from the training block alone: the model never sees the
    validation text, not even the list of its characters.
    """
    vf = conf["valid_fraction"]
    start = split_point(len(text), vf)
    train_text, valid_text = text[:start], text[start:]
    vocab = Vocab.from_text(train_text)
    unseen = sorted(set(valid_text) - set(vocab.chars))
    if unseen:
        raise UsageError(
            f"--text: the validation block (the last {vf:.0%}) has "
            f"{len(unseen)} character(s) absent from the training block, e.g. {unseen[:5]!r}; "
            "the model could not score them (remove them or use a longer text)")
    return vocab, vocab.encode(train_text), vocab.encode(valid_text)


def _restore(resume: dict, conf: dict, vocab: Vocab, text: str, source: str):
    """Model, training state and optimiser of a checkpoint that fits this text and batch."""
    try:
        model, ck_vocab = _read_model(resume)
    except CheckpointError as err:
        raise _with_flag(err, "--resume", "checkpoint") from None
    trained_on = conf["trained_on"]
    name = repr(trained_on) if trained_on else "another text"
    if ck_vocab != vocab:
        new = sorted(set(vocab.chars) - set(ck_vocab.chars))
        missing = sorted(set(ck_vocab.chars) - set(vocab.chars))
        detail = "; ".join(text for c, text in (
            (new, f"the text has {len(new)} character(s) the checkpoint lacks, e.g. {new[:5]!r}"),
            (missing, f"{len(missing)} of the checkpoint's characters are missing from the "
                      f"text, e.g. {missing[:5]!r}")) if c)
        raise CheckpointError(
            f"--resume: the checkpoint's vocabulary of {ck_vocab.size} characters does not "
            f"match the {vocab.size} of {source!r} ({detail}); it was trained on {name}: "
            f"{_resume_hint(trained_on)}")
    if str(resume["text_sha256"]) != _text_digest(text):
        raise CheckpointError(
            f"--resume: the checkpoint was trained on {name}, not on {source!r} "
            f"(SHA-256 differs); {_resume_hint(trained_on)}")
    N = conf["batch"]
    names = ("h", "c") if model.cell == "lstm" else ("h",)
    for k in names:
        if k not in resume:
            raise CheckpointError(f"--resume: the {model.cell} checkpoint lacks its carried "
                                  f"state {k}")
        if resume[k].shape != (N, model.Dh):
            raise CheckpointError(f"--resume: carried state {k} has shape {resume[k].shape}, "
                                  f"expected {(N, model.Dh)}")
    carried = tuple(resume[k].copy() for k in names)
    state = TrainState(step=int(resume["step"]), position=int(resume["position"]),
                       h=carried if model.cell == "lstm" else carried[0],
                       train_loss=list(resume["history.train"]),
                       valid_steps=[int(s) for s in resume["history.valid_steps"]],
                       valid_loss=list(resume["history.valid"]))
    optimizer = OPTIMIZERS[conf["optimizer"]](conf["lr"])
    try:
        optimizer.load_state_dict({k[len("optim."):]: v for k, v in resume.items()
                                   if k.startswith("optim.")})
    except ValueError as err:
        raise CheckpointError(f"--resume: optimiser state does not load ({err})") from None
    return model, state, optimizer


def _check_horizon(conf: dict, resume: dict | None) -> None:
    """A linear schedule must not reach 0 before the last step."""
    if conf["schedule"] != "linear" or conf["steps"] <= conf["decay_steps"]:
        return
    if resume is not None:
        raise UsageError(
            f"--steps: {conf['steps']} goes past the checkpoint's decay horizon "
            f"{conf['decay_steps']} (its learning rate reaches 0 there); to train on, add "
            f"--decay-steps {conf['steps']} (or more) to this command: from step "
            f"{int(resume['step'])} on, the rate then decays to 0 at that step")
    raise UsageError(f"--decay-steps: {conf['decay_steps']} is below --steps "
                     f"{conf['steps']} (the learning rate would reach 0 early); "
                     f"expected at least {conf['steps']}")


def _train_config(conf: dict) -> TrainConfig:
    return TrainConfig(steps=conf["steps"], lr=conf["lr"],
                       horizon=conf["decay_steps"] if conf["schedule"] == "linear" else None,
                       clip=conf["clip"], eval_every=conf["eval_every"])


def _save_run(path, vocab, text, source, conf, model, optimizer, state) -> None:
    _save(path, _checkpoint_arrays(model, optimizer, state, vocab, text, source, conf,
                                   conf["batch"]))


def _resume_command(args, conf: dict) -> list[str]:
    again = ["python", "-m", "rnn_core.charlm", "train", "--resume", args.out,
             "--out", args.out, "--steps", str(conf["steps"])]
    if args.text is not None:
        again += ["--text", args.text]
    return again


def _cmd_sample(args) -> int:
    try:
        arrays = load_checkpoint(args.checkpoint, required=REQUIRED)
        model, vocab = _read_model(arrays)
    except CheckpointError as err:
        raise _with_flag(err, "--checkpoint", "checkpoint") from None
    if args.prompt and set(args.prompt) - set(vocab.chars):
        bad = sorted(set(args.prompt) - set(vocab.chars))
        raise UsageError(f"--prompt: characters {bad!r} are not in the checkpoint's vocabulary")
    rng = np.random.default_rng(args.seed)
    print(sample_text(model, vocab, rng, args.length, args.temperature, args.prompt))
    return 0


def main(argv=None) -> int:
    """Run the command line; returns the exit status.

    0 success, 1 diverged, 2 bad input, 130 interrupted (Ctrl-C; ``train`` saves first).
    """
    try:
        args = build_parser().parse_args(argv)
        if args.command == "train":
            return _cmd_train(args)
        return _cmd_sample(args)
    except (UsageError, CheckpointError, ValueError, OSError) as err:
        print(f"charlm: error: {err}".replace("\n", " "), file=sys.stderr)
        return 2
    except TrainingDivergedError as err:
        print(f"charlm: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # before training started: nothing to save
        print("charlm: interrupted; nothing saved", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
