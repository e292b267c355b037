"""Command line for the character model: ``python -m rnn_core.charlm train|sample ...``.

Train on the bundled corpus (``pydoc_data.topics``) or on any UTF-8 file::

    python -m rnn_core.charlm train --out char.npz            # 2000 steps, about a minute
    python -m rnn_core.charlm train --text my.txt --out my.npz --steps 500
    python -m rnn_core.charlm sample --checkpoint char.npz --length 300 --temperature 0.8 --seed 0

``train`` prints, as its last line, ``valid_bpc=<validation bits per character>``.

Resuming: ``--steps`` is the total number of steps. ``--decay-steps`` fixes where the
learning rate reaches 0 (default: ``--steps``), so a run can be stopped early and
resumed on the same schedule::

    python -m rnn_core.charlm train --out a.npz --steps 1000 --decay-steps 2000
    python -m rnn_core.charlm train --resume a.npz --out b.npz --steps 2000

gives exactly the parameters of ``train --out b.npz --steps 2000``.

The vocabulary is built from the training block (the first 90 %) only; a ``--text`` whose
validation block holds a character absent from the training block is refused.

Bad input (a missing, empty, tiny or non-UTF-8 file, a missing or corrupt checkpoint,
one from another vocabulary, nonsense hyper-parameters) exits with status 2 and a
one-line reason on stderr, before anything is written.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sys
import types

import numpy as np

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .data import StreamBatcher, Vocab, load_pydoc_corpus, load_text, split_ids
from .model import PARAM_NAMES, CharRNN
from .optim import OPTIMIZERS
from .sampling import sample_text
from .training import LN2, TrainConfig, TrainingDivergedError, TrainState, train

FORMAT = "charlm-1"
# Read-only: a run changes its own copy (``conf``), never the defaults.
DEFAULTS = types.MappingProxyType(
    {"steps": 2000, "hidden": 256, "embed": 64, "seq_len": 64, "batch": 32,
     "lr": 5e-3, "clip": 5.0, "seed": 0, "optimizer": "adam", "schedule": "linear",
     "eval_every": 250, "valid_fraction": 0.1})
# Settings fixed by a checkpoint: a resumed run may not change them.
FROZEN = ("hidden", "embed", "seq_len", "batch", "lr", "clip", "seed", "optimizer",
          "schedule", "eval_every", "valid_fraction", "decay_steps")


class UsageError(ValueError):
    """Bad command-line input."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise UsageError(message)


def _positive_int(name):
    def parse(s):
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {s!r}") from None
        if v < 1:
            raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
        return v
    return parse


def _positive_float(name):
    def parse(s):
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {s!r}") from None
        if not (math.isfinite(v) and v > 0):
            raise argparse.ArgumentTypeError(f"expected a positive number, got {s}")
        return v
    return parse


def _nonneg_int(name):
    def parse(s):
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {s!r}") from None
        if v < 0:
            raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {v}")
        return v
    return parse


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m rnn_core.charlm", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = sub.add_parser("train", help="train (or resume) a model and save a checkpoint")
    t.add_argument("--text", help="UTF-8 text file (default: the bundled pydoc corpus)")
    t.add_argument("--out", required=True, help="checkpoint to write (.npz)")
    t.add_argument("--resume", help="checkpoint to continue from")
    t.add_argument("--steps", type=_nonneg_int("steps"), help="total steps (default 2000)")
    t.add_argument("--decay-steps", type=_positive_int("decay-steps"),
                   help="step at which the linear schedule reaches lr 0 (default: --steps)")
    t.add_argument("--hidden", type=_positive_int("hidden"), help="hidden units Dh (256)")
    t.add_argument("--embed", type=_positive_int("embed"), help="embedding size d (64)")
    t.add_argument("--seq-len", type=_positive_int("seq-len"), help="window length T (64)")
    t.add_argument("--batch", type=_positive_int("batch"), help="parallel streams N (32)")
    t.add_argument("--lr", type=_positive_float("lr"), help="learning rate (5e-3)")
    t.add_argument("--clip", type=_positive_float("clip"), help="global-norm clip (5)")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS), help="adam (default), sgd, adagrad")
    t.add_argument("--schedule", choices=("linear", "constant"), help="lr schedule (linear)")
    t.add_argument("--eval-every", type=_positive_int("eval-every"), help="validation interval (250)")
    t.add_argument("--seed", type=_nonneg_int("seed"), help="seed of the initialisation (0)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    s = sub.add_parser("sample", help="print text sampled from a checkpoint")
    s.add_argument("--checkpoint", required=True)
    s.add_argument("--length", type=_nonneg_int("length"), default=300)
    s.add_argument("--temperature", type=_positive_float("temperature"), default=1.0)
    s.add_argument("--seed", type=_nonneg_int("seed"), default=0)
    s.add_argument("--prompt", default="")
    return p


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_model(arrays: dict) -> tuple[CharRNN, Vocab]:
    try:
        vocab = Vocab(chr(int(c)) for c in arrays["vocab"])
        model = CharRNN({k: arrays[f"params.{k}"] for k in PARAM_NAMES}, "tanh")
    except (KeyError, ValueError) as err:
        raise CheckpointError(f"checkpoint: inconsistent contents ({err})") from None
    if model.V != vocab.size:
        raise CheckpointError(
            f"checkpoint: output size V={model.V} does not match its vocabulary ({vocab.size})")
    return model, vocab


REQUIRED = ("format", "vocab", "step", "position", "h", "text_sha256",
            *(f"params.{k}" for k in PARAM_NAMES), *(f"config.{k}" for k in FROZEN))


def _cmd_train(args) -> int:
    given = {k: getattr(args, k) for k in (*DEFAULTS, "decay_steps") if getattr(args, k, None) is not None}
    out_dir = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(out_dir):
        raise UsageError(f"--out: directory {out_dir!r} does not exist")
    if args.text is None:
        text, source = load_pydoc_corpus(), "pydoc_data.topics"
    else:
        text, source = load_text(args.text, min_chars=2), args.text
    resume = None
    if args.resume is not None:
        resume = load_checkpoint(args.resume, required=REQUIRED)
        if str(resume["format"]) != FORMAT:
            raise CheckpointError(f"checkpoint: format {resume['format']} is not {FORMAT}")
        conf = {k: resume[f"config.{k}"].item() for k in FROZEN}
        for k in FROZEN:
            if k in given and given[k] != conf[k]:
                raise UsageError(f"--{k.replace('_', '-')}: {given[k]} conflicts with the "
                                 f"checkpoint's {conf[k]}; a resumed run keeps its settings")
        if "steps" not in given:
            raise UsageError("--steps: required with --resume (the total number of steps)")
        conf["steps"] = given["steps"]
    else:
        conf = {**DEFAULTS, **given}
        conf["decay_steps"] = given.get("decay_steps", conf["steps"])
    conf["decay_steps"] = int(conf["decay_steps"]) if conf["decay_steps"] else None

    N, T = conf["batch"], conf["seq_len"]
    need = max(int(math.ceil(N * (T + 1) / (1 - conf["valid_fraction"]))) + 1, 20)
    if len(text) < need:
        raise UsageError(f"--text: {source!r} has {len(text)} characters; --batch {N} and "
                         f"--seq-len {T} need at least {need} (use a longer text or smaller "
                         "--batch/--seq-len)")
    # The vocabulary comes from the training block alone: the model never sees the
    # validation text, not even the list of its characters.
    _, valid_pos = split_ids(np.arange(len(text)), conf["valid_fraction"])
    train_text, valid_text = text[: valid_pos[0]], text[valid_pos[0]:]
    vocab = Vocab.from_text(train_text)
    unseen = sorted(set(valid_text) - set(vocab.chars))
    if unseen:
        raise UsageError(
            f"--text: the validation block (the last {conf['valid_fraction']:.0%}) has "
            f"{len(unseen)} character(s) absent from the training block, e.g. {unseen[:5]!r}; "
            "the model could not score them (remove them or use a longer text)")
    if resume is not None:
        model, ck_vocab = _read_model(resume)
        if ck_vocab != vocab:
            extra = sorted(set(vocab.chars) - set(ck_vocab.chars))[:5]
            raise CheckpointError(
                f"checkpoint: vocabulary of {ck_vocab.size} characters does not match the "
                f"text's {vocab.size} (e.g. new: {extra!r}); it was trained on another text")
        if str(resume["text_sha256"]) != _text_digest(text):
            raise CheckpointError("checkpoint: it was trained on another text (SHA-256 differs); "
                                  "resume with the same --text")
        if conf["steps"] < int(resume["step"]):
            raise UsageError(f"--steps: {conf['steps']} is below the checkpoint's step "
                             f"{int(resume['step'])}")
    else:
        if conf["steps"] < 1:
            raise UsageError(f"--steps: expected a positive integer, got {conf['steps']}")
    if conf["schedule"] == "linear" and conf["steps"] > conf["decay_steps"]:
        raise UsageError(f"--steps: {conf['steps']} exceeds the decay horizon "
                         f"{conf['decay_steps']} (the learning rate would be 0); "
                         "set --decay-steps when starting the run")

    train_ids, valid_ids = vocab.encode(train_text), vocab.encode(valid_text)
    batcher = StreamBatcher(train_ids, N, T)
    opt = OPTIMIZERS[conf["optimizer"]](conf["lr"])
    config = TrainConfig(steps=conf["steps"], lr=conf["lr"],
                         horizon=conf["decay_steps"] if conf["schedule"] == "linear" else None,
                         clip=conf["clip"], eval_every=conf["eval_every"])
    if resume is None:
        rng = np.random.default_rng(conf["seed"])
        model = CharRNN.init(vocab.size, conf["hidden"], conf["embed"], rng)
        state = TrainState()
    else:
        if resume["h"].shape != (N, model.Dh):
            raise CheckpointError(f"checkpoint: carried state h has shape {resume['h'].shape}, "
                                  f"expected {(N, model.Dh)}")
        try:
            opt.load_state_dict({k[len("optim."):]: v for k, v in resume.items()
                                 if k.startswith("optim.")})
        except ValueError as err:
            raise CheckpointError(f"checkpoint: optimiser state does not load ({err})") from None
        state = TrainState(step=int(resume["step"]), position=int(resume["position"]),
                           h=resume["h"].copy(), train_loss=list(resume["history.train"]),
                           valid_steps=[int(s) for s in resume["history.valid_steps"]],
                           valid_loss=list(resume["history.valid"]))

    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # 1 BLAS thread: faster and reproducible for these sizes
        model, opt, state = train(model, opt, batcher, valid_ids, config, state,
                                  progress=not args.quiet)
    arrays = {"format": np.array(FORMAT), "vocab": np.array([ord(c) for c in vocab.chars], dtype=np.int32),
              "text_sha256": np.array(_text_digest(text)),
              "step": np.array(state.step), "position": np.array(state.position),
              "h": state.h if state.h is not None else model.zero_state(N),
              "history.train": np.array(state.train_loss, dtype=np.float64),
              "history.valid_steps": np.array(state.valid_steps, dtype=np.int64),
              "history.valid": np.array(state.valid_loss, dtype=np.float64)}
    arrays.update({f"params.{k}": v for k, v in model.params.items()})
    arrays.update({f"optim.{k}": v for k, v in opt.state_dict().items()})
    arrays.update({f"config.{k}": np.array(conf[k] if conf[k] is not None else 0) for k in FROZEN})
    save_checkpoint(args.out, arrays)
    print(f"saved {args.out}: step {state.step}, {source}, V={vocab.size}")
    print(f"valid_bpc={state.valid_loss[-1] / LN2:.4f}")
    return 0


def _cmd_sample(args) -> int:
    arrays = load_checkpoint(args.checkpoint, required=REQUIRED)
    model, vocab = _read_model(arrays)
    if args.prompt and set(args.prompt) - set(vocab.chars):
        bad = sorted(set(args.prompt) - set(vocab.chars))
        raise UsageError(f"--prompt: characters {bad!r} are not in the checkpoint's vocabulary")
    rng = np.random.default_rng(args.seed)
    print(sample_text(model, vocab, rng, args.length, args.temperature, args.prompt))
    return 0


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 success, 2 bad input, 1 diverged)."""
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


if __name__ == "__main__":
    sys.exit(main())
