"""The training loop of the character model: truncated BPTT over carried streams.

One step: take window k of the N streams, run the model from the hidden state
carried from window k-1 (zeros at wrap-around), compute the loss and gradients,
clip the gradients by their global norm, and let the optimiser update the
parameters at the learning rate of the schedule. The validation loss is measured
every ``eval_every`` steps and at the end.

Everything the loop depends on lives in :class:`TrainState` and the optimiser's
``state_dict()``, so a run saved at step s and resumed continues exactly as if it
had never stopped.
"""

from __future__ import annotations

import copy
import math
import sys
from dataclasses import dataclass, field

import numpy as np

from .clipping import clip_gradients, global_norm
from .model import CharRNN
from .optim import linear_decay
from .validation import check_positive_int, check_positive_real

LN2 = math.log(2.0)


class TrainingDivergedError(FloatingPointError):
    """The loss or the parameters became NaN or infinite."""


@dataclass
class TrainConfig:
    """What the loop needs besides model, optimiser and data.

    steps : positive int, the total number of steps; the run stops when ``state.step == steps``.
    lr : the base learning rate.
    horizon : linear decay of the learning rate to 0 at this step; None = constant.
    clip : global-norm threshold for :func:`rnn_core.clipping.clip_gradients`; None = off.
    eval_every : measure the validation loss every this many steps (and at the end).
    eval_streams : streams used to read the validation text.
    """

    steps: int
    lr: float
    horizon: int | None = None
    clip: float | None = 5.0
    eval_every: int = 250
    eval_streams: int = 16

    def __post_init__(self):
        check_positive_int("steps", self.steps)
        check_positive_real("lr", self.lr)
        if self.horizon is not None:
            check_positive_int("horizon", self.horizon)
        if self.clip is not None:
            check_positive_real("clip", self.clip)
        check_positive_int("eval_every", self.eval_every)
        check_positive_int("eval_streams", self.eval_streams)

    def lr_at(self, step: int) -> float:
        """The learning rate used by step ``step`` (0-based)."""
        return self.lr if self.horizon is None else linear_decay(self.lr, step, self.horizon)


@dataclass
class TrainState:
    """Where a run stands: steps done, data position, carried state, loss history.

    step : steps taken so far.
    position : index of the next window of the :class:`rnn_core.data.StreamBatcher`.
    h : (N, Dh) the hidden state carried into the next window (None before the first).
    train_loss : per step, nats per character of the training window.
    valid_steps, valid_loss : validation loss (nats per character) after those steps.
    grad_norm : per step of this call's run, the global norm of the gradient before clipping
        (not saved in checkpoints; compare it with ``TrainConfig.clip`` to see clipping fire).
    """

    step: int = 0
    position: int = 0
    h: np.ndarray | None = None
    train_loss: list = field(default_factory=list)
    valid_steps: list = field(default_factory=list)
    valid_loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`train`: the run as it stood after its last completed step.

    ``model``, ``optimizer`` and ``state`` are consistent with one another (the step in
    progress, if any, is rolled back), so they can be saved and resumed exactly.
    """

    def __init__(self, model, optimizer, state) -> None:
        super().__init__(f"training interrupted after step {state.step}")
        self.model, self.optimizer, self.state = model, optimizer, state


def _snapshot(model, optimizer, state: TrainState) -> tuple:
    """What :func:`_interrupted` needs to roll a run back to this point.

    Cheap: the optimiser replaces its state arrays (it never writes into them) and the
    loop never writes into ``state.h``, so shallow copies and list lengths suffice.
    """
    return (model, optimizer.t, {s: dict(d) for s, d in optimizer.state.items()},
            state.step, state.position, state.h, len(state.train_loss), len(state.valid_steps),
            len(state.grad_norm))


def _interrupted(snap: tuple, optimizer, state: TrainState) -> "TrainingInterrupted":
    """Roll ``optimizer`` and ``state`` back to ``snap``; the exception that carries them."""
    (model, optimizer.t, optimizer.state, state.step, state.position, state.h, n_train,
     n_valid, n_norm) = snap
    del state.train_loss[n_train:], state.valid_steps[n_valid:], state.valid_loss[n_valid:]
    del state.grad_norm[n_norm:]
    return TrainingInterrupted(model, optimizer, state)


def _diverged(what: str, step: int, lr: float) -> TrainingDivergedError:
    return TrainingDivergedError(
        f"{what} at step {step} (learning rate {lr:.3g}). Try a lower learning rate "
        "(--lr), gradient clipping (--clip), or check the data."
    )


def train(model: CharRNN, optimizer, batcher, valid_ids, config: TrainConfig,
          state: TrainState | None = None, progress=True, on_step=None):
    """Train ``model`` until ``state.step == config.steps``.

    Nothing passed in is modified: the optimiser and the state are copied first, and the
    model is never changed (each step builds a new :class:`~rnn_core.model.CharRNN` from new arrays).

    Ctrl-C (``KeyboardInterrupt``, also one raised by ``on_step``) stops the run and raises
    :class:`TrainingInterrupted` carrying the model, optimiser and state of the last
    completed step.

    Parameters
    ----------
    model : CharRNN.
    optimizer : an :mod:`rnn_core.optim` optimiser (its state is part of the run).
    batcher : StreamBatcher over the training ids.
    valid_ids : (Lv,) validation ids.
    config : TrainConfig.
    state : TrainState to resume from; a fresh one by default.
    progress : show a tqdm bar with the current loss (on stderr); a dict instead of True
        is passed on to ``tqdm`` as options, e.g. ``{"mininterval": 5}``.
    on_step : optional ``f(step, model)`` called after every step (e.g. to keep snapshots).

    Returns
    -------
    model, optimizer, state : the trained model, the optimiser and the state after the run.

    Raises
    ------
    TrainingDivergedError : the loss or a parameter became NaN or infinite.
    TrainingInterrupted : on KeyboardInterrupt, with the run as of the last completed step.
    """
    from tqdm import tqdm

    optimizer = copy.deepcopy(optimizer)
    state = copy.deepcopy(state) if state is not None else TrainState()
    params, activation = model.params, model.activation
    h = state.h if state.h is not None else model.zero_state(batcher.N)

    snap = _snapshot(model, optimizer, state)
    bar = None
    try:
        eval_streams = max(1, min(config.eval_streams, len(valid_ids) // 2))
        if state.step == 0 and not state.valid_steps:
            state.valid_steps.append(0)
            state.valid_loss.append(model.evaluate(valid_ids, eval_streams))
            snap = _snapshot(model, optimizer, state)
        options = dict(unit="step", desc="training", file=sys.stderr, mininterval=0.5,
                       dynamic_ncols=True)
        if isinstance(progress, dict):
            options.update(progress)
        bar = tqdm(total=config.steps, initial=state.step, disable=not progress, **options)
        while state.step < config.steps:
            step, lr = state.step, config.lr_at(state.step)
            ### BEGIN SOLUTION
            x, y, reset = batcher.window(state.position)
            if reset:
                h = model.zero_state(batcher.N)  # the streams wrapped around
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    loss, grads, h = model.loss_and_grads(x, y, h)
            except ValueError as err:  # a layer refused an inf/NaN activation
                if "finite" not in str(err):
                    raise
                raise _diverged(f"the forward pass overflowed ({err})", step, lr) from None
            if not math.isfinite(loss):
                raise _diverged(f"the training loss became {loss}", step, lr)
            grad_norm = global_norm(grads)  # before clipping, logged in state.grad_norm
            if config.clip is not None:
                grads, _ = clip_gradients(grads, config.clip)
            params = optimizer.step(params, grads, lr)
            ### END SOLUTION
            bad = [k for k, p in params.items() if not np.all(np.isfinite(p))]
            if bad:
                raise _diverged(f"parameter(s) {', '.join(bad)} became NaN or infinite", step, lr)
            # Checked just above; the optimiser keeps shapes and dtypes: no second check.
            model = type(model)._from_checked(params, activation)
            state.step += 1
            state.position = (state.position + 1) % batcher.n_windows
            state.h = h
            state.train_loss.append(loss)
            state.grad_norm.append(grad_norm)
            if state.step % config.eval_every == 0 or state.step == config.steps:
                state.valid_steps.append(state.step)
                state.valid_loss.append(model.evaluate(valid_ids, eval_streams))
            snap = _snapshot(model, optimizer, state)
            if on_step is not None:
                on_step(state.step, model)
            bar.update(1)
            if state.step % 10 == 0 or state.step == config.steps:
                bar.set_postfix_str(f"loss {loss:.3f} nats = {loss / LN2:.3f} bpc", refresh=False)
    except KeyboardInterrupt:
        raise _interrupted(snap, optimizer, state) from None
    finally:
        if bar is not None:
            bar.close()
    return model, optimizer, state
