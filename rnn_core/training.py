"""The training loop of the character model: truncated BPTT over carried streams.

One step: take window k of the N streams, run the model from the hidden state
carried from window k-1 (zeros at wrap-around), compute the loss and gradients,
clip the gradients by their global norm, and let the optimiser update the
parameters at the learning rate of the schedule. The validation loss is measured
every ``eval_every`` steps and at the end.

Everything the loop depends on lives in :class:`TrainState` and the optimiser's
``state_dict()``, so a run saved at step s and resumed continues exactly as if it
had never stopped.

:func:`train` is the loop and nothing else. What surrounds it, the progress bar
(tqdm, imported only when a bar is shown) and Ctrl-C handling, is the decorator
:func:`supervised`: it copies the optimiser and the state, calls ``on_step`` after
every step, and on Ctrl-C rolls the run back to its last completed step.
"""

from __future__ import annotations

import copy
import functools
import math
import sys
from contextlib import contextmanager
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
    h : the state carried into the next window: (N, Dh), a pair (h, c) for the LSTM, None at first.
    train_loss : per step, nats per character of the training window.
    valid_steps, valid_loss : validation loss (nats per character) after those steps.
    grad_norm : per step of this call's run, the global norm of the gradient before clipping.

    ``grad_norm`` is not saved in checkpoints; compare it with ``TrainConfig.clip`` to see
    clipping fire.
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


class _Snapshot:
    """What a run looked like after a completed step; :meth:`restore` rolls back to it.

    Cheap: the optimiser replaces its state arrays (it never writes into them) and the
    loop never writes into ``state.h``, so shallow copies and list lengths suffice.
    """

    def __init__(self, model, optimizer, state: TrainState) -> None:
        self.model, self.t = model, optimizer.t
        self.slots = {s: dict(d) for s, d in optimizer.state.items()}
        self.scalars = (state.step, state.position, state.h)
        self.lengths = (len(state.train_loss), len(state.valid_steps), len(state.grad_norm))

    def restore(self, optimizer, state: TrainState) -> TrainingInterrupted:
        optimizer.t, optimizer.state = self.t, self.slots
        state.step, state.position, state.h = self.scalars
        n_train, n_valid, n_norm = self.lengths
        del state.train_loss[n_train:], state.valid_steps[n_valid:], state.valid_loss[n_valid:]
        del state.grad_norm[n_norm:]
        return TrainingInterrupted(self.model, optimizer, state)


def _progress_bar(progress, state: TrainState, steps: int):
    """A tqdm bar on stderr (``progress`` a dict: tqdm options), or None when ``progress`` is off."""
    if not progress:
        return None
    from tqdm import tqdm  # imported here: ``import rnn_core`` does not load tqdm

    options = dict(unit="step", desc="training", file=sys.stderr, mininterval=0.5,
                   dynamic_ncols=True)
    options.update(progress if isinstance(progress, dict) else {})
    return tqdm(total=steps, initial=state.step, **options)


def supervised(loop):
    """Run a training loop with a progress bar and Ctrl-C handling around it.

    The loop is called with copies of the optimiser and the state (a fresh
    :class:`TrainState` when None) and an ``on_step(step, model)`` that records a
    snapshot, advances the bar and then calls the caller's ``on_step``. Ctrl-C
    (``KeyboardInterrupt``, also one raised by the caller's ``on_step``) rolls the run
    back to its last snapshot and raises :class:`TrainingInterrupted`.
    """

    @functools.wraps(loop)
    def run(model, optimizer, batcher, valid_ids, config, state=None, progress=True,
            on_step=None):
        optimizer = copy.deepcopy(optimizer)
        state = copy.deepcopy(state) if state is not None else TrainState()
        snapshot = _Snapshot(model, optimizer, state)
        bar = None

        def after_step(step, model):
            nonlocal snapshot
            snapshot = _Snapshot(model, optimizer, state)
            if on_step is not None:
                on_step(step, model)
            if bar is not None:
                bar.update(1)
                if step % 10 == 0 or step == config.steps:
                    loss = state.train_loss[-1]
                    bar.set_postfix_str(f"loss {loss:.3f} nats = {loss / LN2:.3f} bpc",
                                        refresh=False)

        try:
            bar = _progress_bar(progress, state, config.steps)
            return loop(model, optimizer, batcher, valid_ids, config, state, progress, after_step)
        except KeyboardInterrupt:
            raise snapshot.restore(optimizer, state) from None
        finally:
            if bar is not None:
                bar.close()

    return run


@contextmanager
def diverged_at(step: int, lr: float):
    """Report a non-finite loss or parameter as :class:`TrainingDivergedError` with its step.

    Overflow warnings are silenced inside: the refusal of the non-finite values that
    follow (``ValueError`` "... expected finite values ...") is the report.
    """
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            yield
    except (ValueError, FloatingPointError) as err:
        if "finite" not in str(err) and not isinstance(err, FloatingPointError):
            raise
        raise TrainingDivergedError(
            f"{err} at step {step} (learning rate {lr:.3g}). Try a lower learning rate "
            "(--lr), gradient clipping (--clip), or check the data.") from None


@supervised
def train(model: CharRNN, optimizer, batcher, valid_ids, config: TrainConfig,
          state: TrainState | None = None, progress=True, on_step=None):
    """Train ``model`` until ``state.step == config.steps``.

    One step: the next window, loss and gradients from the carried state, clipping,
    the optimiser's update at the scheduled learning rate; the validation loss every
    ``config.eval_every`` steps. The decorator :func:`supervised` copies ``optimizer``
    and ``state`` first (nothing passed in is modified), shows the progress bar and
    handles Ctrl-C; the model is never changed (each step builds a new one).

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
    ### BEGIN SOLUTION
    h = state.h if state.h is not None else model.zero_state(batcher.N)
    eval_streams = max(1, min(config.eval_streams, len(valid_ids) // 2))
    if state.step == 0 and not state.valid_steps:
        state.valid_steps.append(0)
        state.valid_loss.append(model.evaluate(valid_ids, eval_streams))
    while state.step < config.steps:
        step, lr = state.step, config.lr_at(state.step)
        x, y, reset = batcher.window(state.position)
        if reset:
            h = model.zero_state(batcher.N)  # the streams wrapped around
        with diverged_at(step, lr):
            loss, grads, h = model.loss_and_grads(x, y, h)
            if not math.isfinite(loss):
                raise FloatingPointError(f"the training loss became {loss}")
            grad_norm = global_norm(grads)  # before clipping
            if config.clip is not None:
                grads, _ = clip_gradients(grads, config.clip)
            model = type(model)(optimizer.step(model.params, grads, lr), model.activation,
                                model.cell)
        state.step += 1
        state.position = (state.position + 1) % batcher.n_windows
        state.h = h
        state.train_loss.append(loss)
        state.grad_norm.append(grad_norm)
        if state.step % config.eval_every == 0 or state.step == config.steps:
            state.valid_steps.append(state.step)
            state.valid_loss.append(model.evaluate(valid_ids, eval_streams))
        on_step(state.step, model)
    return model, optimizer, state
    ### END SOLUTION
