"""The training loop: it learns, it resumes exactly, it stops clearly on divergence."""

import copy

import numpy as np
import pytest

from rnn_core.data import StreamBatcher
from rnn_core.model import PARAM_NAMES, CharRNN
from rnn_core.optim import SGD, Adam
from rnn_core.training import TrainConfig, TrainingDivergedError, train


def periodic_data(length=4000, period=5, V=6, seed=0):
    """A text that repeats a fixed random pattern: learnable to almost 0 bits."""
    rng = np.random.default_rng(seed)
    pattern = rng.integers(0, V, period)
    ids = np.tile(pattern, length // period + 1)[:length]
    return ids[: int(length * 0.9)], ids[int(length * 0.9):]


def setup(V=6, Dh=16, d=4, N=4, T=8):
    train_ids, valid_ids = periodic_data(V=V)
    model = CharRNN.init(V, Dh, d, np.random.default_rng(0))
    return model, StreamBatcher(train_ids, N, T), valid_ids


def test_learns_a_periodic_text():
    model, batcher, valid = setup()
    cfg = TrainConfig(steps=300, lr=1e-2, horizon=300, clip=5.0, eval_every=100)
    trained, _, state = train(model, Adam(1e-2), batcher, valid, cfg, progress=False)
    assert state.valid_steps == [0, 100, 200, 300]
    assert state.valid_loss[0] > 1.5  # about ln 6 = 1.79 at the start
    assert state.valid_loss[-1] < 0.1
    assert len(state.train_loss) == 300
    assert state.h.shape == (4, 16)


def test_inputs_are_not_modified():
    model, batcher, valid = setup()
    before = copy.deepcopy(model.params)
    opt = Adam(1e-2)
    cfg = TrainConfig(steps=5, lr=1e-2)
    train(model, opt, batcher, valid, cfg, progress=False)
    assert all(np.array_equal(before[k], model.params[k]) for k in PARAM_NAMES)
    assert opt.t == 0


def test_resume_equals_one_run():
    model, batcher, valid = setup()
    cfg = TrainConfig(steps=60, lr=1e-2, horizon=60, eval_every=20)
    one, opt_one, st_one = train(model, Adam(1e-2), batcher, valid, cfg, progress=False)
    half = TrainConfig(steps=30, lr=1e-2, horizon=60, eval_every=20)
    m, o, st = train(model, Adam(1e-2), batcher, valid, half, progress=False)
    two, opt_two, st_two = train(m, o, batcher, valid, cfg, state=st, progress=False)
    for k in PARAM_NAMES:
        assert np.array_equal(one.params[k], two.params[k]), k
    assert np.array_equal(st_one.h, st_two.h)
    assert st_one.train_loss == st_two.train_loss
    assert st_one.position == st_two.position and st_two.step == 60


class Recorder(CharRNN):
    """Records the norm of the initial state of every window it is trained on."""

    h0_norms: list = []

    def loss_and_grads(self, ids, targets, h0):
        Recorder.h0_norms.append(float(np.linalg.norm(h0)))
        return super().loss_and_grads(ids, targets, h0)


def test_state_is_carried_and_reset_at_wrap_around():
    model, batcher, valid = setup()
    Recorder.h0_norms = []
    steps = batcher.n_windows + 2
    cfg = TrainConfig(steps=steps, lr=1e-3, eval_every=10_000)
    _, _, st = train(Recorder(model.params), SGD(1e-3), batcher, valid, cfg, progress=False)
    norms = Recorder.h0_norms
    assert len(norms) == steps
    assert norms[0] == 0.0  # fresh start
    assert all(n > 0 for n in norms[1 : batcher.n_windows])  # carried from window to window
    assert norms[batcher.n_windows] == 0.0  # wrap-around: reset
    assert norms[batcher.n_windows + 1] > 0
    assert st.position == 2


def test_divergence_names_step_and_fixes():
    model, batcher, valid = setup()
    # float32 and an absurd learning rate without clipping: the logits overflow to inf
    cfg = TrainConfig(steps=50, lr=1e38, clip=None)
    with pytest.raises(TrainingDivergedError, match=r"at step \d+ .*lower learning rate.*clip.*data"):
        train(model, SGD(1e38, momentum=0.9), batcher, valid, cfg, progress=False)


def test_nan_loss_is_reported_with_its_step():
    model, batcher, valid = setup()

    class NaNLoss(CharRNN):
        def loss_and_grads(self, ids, targets, h0):
            _, grads, h = super().loss_and_grads(ids, targets, h0)
            return float("nan"), grads, h

    with pytest.raises(TrainingDivergedError, match="loss became nan at step 0"):
        train(NaNLoss(model.params), Adam(1e-3), batcher, valid, TrainConfig(steps=5, lr=1e-3),
              progress=False)


def test_config_rejects_nonsense():
    with pytest.raises(ValueError, match="steps"):
        TrainConfig(steps=-1, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        TrainConfig(steps=1, lr=0.0)
    with pytest.raises(ValueError, match="clip"):
        TrainConfig(steps=1, lr=0.1, clip=-1.0)


def test_schedule():
    cfg = TrainConfig(steps=10, lr=0.5, horizon=10)
    assert cfg.lr_at(0) == 0.5 and cfg.lr_at(5) == 0.25 and cfg.lr_at(10) == 0.0
    assert TrainConfig(steps=10, lr=0.5).lr_at(7) == 0.5


@pytest.mark.parametrize("kwargs, name", [
    ({"steps": 0}, "steps"), ({"steps": True}, "steps"), ({"steps": 2.0}, "steps"),
    ({"lr": "0.1"}, "lr"), ({"lr": True}, "lr"), ({"lr": np.nan}, "lr"),
    ({"horizon": 2.5}, "horizon"), ({"horizon": True}, "horizon"), ({"horizon": 0}, "horizon"),
    ({"clip": "5"}, "clip"), ({"eval_every": 0.5}, "eval_every"),
    ({"eval_streams": 0}, "eval_streams"), ({"eval_streams": 2.0}, "eval_streams"),
])
def test_config_types_are_checked(kwargs, name):
    args = {"steps": 10, "lr": 0.1, **kwargs}
    with pytest.raises(ValueError, match=f"{name}: expected"):
        TrainConfig(**args)


def test_config_accepts_numpy_scalars():
    cfg = TrainConfig(steps=np.int64(10), lr=np.float32(0.1), horizon=np.int32(10), eval_streams=4)
    assert cfg.lr_at(5) == pytest.approx(0.05)


def _stop_at(k):
    def on_step(step, model):
        if step == k:
            raise KeyboardInterrupt
    return on_step


class _InterruptingBatcher:
    """Ctrl-C in the middle of step k (after the first window was read)."""

    def __init__(self, batcher, k):
        self.b, self.k, self.calls = batcher, k, 0
        self.N, self.n_windows = batcher.N, batcher.n_windows

    def window(self, pos):
        self.calls += 1
        if self.calls == self.k + 1:
            raise KeyboardInterrupt
        return self.b.window(pos)


@pytest.mark.parametrize("where", ["on_step", "mid_step"])
def test_interrupt_keeps_a_consistent_state_that_resumes_exactly(where):
    from rnn_core.training import TrainingInterrupted

    model, batcher, valid = setup()
    cfg = TrainConfig(steps=40, lr=1e-2, horizon=40, eval_every=10)
    one, opt_one, st_one = train(model, Adam(1e-2), batcher, valid, cfg, progress=False)
    opt = Adam(1e-2)
    with pytest.raises(TrainingInterrupted) as info:
        if where == "on_step":
            train(model, opt, batcher, valid, cfg, progress=False, on_step=_stop_at(17))
        else:
            train(model, opt, _InterruptingBatcher(batcher, 17), valid, cfg, progress=False)
    stop = info.value
    assert isinstance(stop, KeyboardInterrupt) and opt.t == 0  # the input is not modified
    assert stop.state.step == 17 and stop.optimizer.t == 17 and len(stop.state.train_loss) == 17
    assert stop.state.valid_steps == [0, 10]
    two, opt_two, st_two = train(stop.model, stop.optimizer, batcher, valid, cfg,
                                 state=stop.state, progress=False)
    for k in PARAM_NAMES:
        assert np.array_equal(one.params[k], two.params[k]), k
    assert st_one.train_loss == st_two.train_loss and st_one.valid_loss == st_two.valid_loss
    assert np.array_equal(st_one.h, st_two.h)
    assert len(stop.state.grad_norm) == 17 and st_two.grad_norm == st_one.grad_norm


def test_grad_norm_is_logged_before_clipping():
    """state.grad_norm holds the pre-clip global norm of every step, computed here by hand
    for step 1 (window 0 from a zero state) from the model's own gradients."""
    model, batcher, valid = setup()
    x, y, _ = batcher.window(0)
    _, grads, _ = model.loss_and_grads(x, y, model.zero_state(batcher.N))
    by_hand = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads.values()))
    clip = by_hand / 10  # well below the first norm: clipping fires on step 1
    cfg = TrainConfig(steps=6, lr=1e-2, clip=clip)
    _, _, state = train(model, Adam(1e-2), batcher, valid, cfg, progress=False)
    assert len(state.grad_norm) == 6
    assert np.isclose(state.grad_norm[0], by_hand, rtol=1e-6)
    assert state.grad_norm[0] > clip  # logged before clipping, not after
