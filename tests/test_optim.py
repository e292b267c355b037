"""Optimisers against their update formulas, worked by hand, and on a quadratic."""

import copy

import numpy as np
import pytest

from rnn_core.optim import SGD, Adagrad, Adam, linear_decay


def test_sgd_momentum_two_steps_by_hand():
    opt = SGD(lr=0.1, momentum=0.9)
    p = {"w": np.array([1.0, -2.0])}
    g = {"w": np.array([0.5, 1.0])}
    p1 = opt.step(p, g)
    # v1 = g = [0.5, 1];  p1 = p - 0.1 v1 = [0.95, -2.1]
    assert np.allclose(p1["w"], [0.95, -2.1])
    p2 = opt.step(p1, g)
    # v2 = 0.9 v1 + g = [0.95, 1.9];  p2 = p1 - 0.1 v2 = [0.855, -2.29]
    assert np.allclose(p2["w"], [0.855, -2.29])


def test_adagrad_two_steps_by_hand():
    opt = Adagrad(lr=0.5, eps=1e-12)
    p = {"w": np.array([1.0])}
    p1 = opt.step(p, {"w": np.array([3.0])})
    # G = 9; step = 0.5 * 3 / 3 = 0.5
    assert np.allclose(p1["w"], [0.5])
    p2 = opt.step(p1, {"w": np.array([4.0])})
    # G = 25; step = 0.5 * 4 / 5 = 0.4
    assert np.allclose(p2["w"], [0.1])


def test_adam_two_steps_by_hand():
    opt = Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    p = {"w": np.array([1.0])}
    p1 = opt.step(p, {"w": np.array([2.0])})
    # m = 0.2, v = 0.004; m_hat = 2, v_hat = 4: step = 0.1 * 2 / 2 = 0.1
    assert np.allclose(p1["w"], [0.9])
    p2 = opt.step(p1, {"w": np.array([-1.0])})
    # m = 0.9*0.2 - 0.1 = 0.08, v = 0.999*0.004 + 0.001 = 0.004996
    # m_hat = 0.08/0.19, v_hat = 0.004996/0.001999
    m_hat, v_hat = 0.08 / 0.19, 0.004996 / (1 - 0.999**2)
    assert np.allclose(p2["w"], [0.9 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)])


@pytest.mark.parametrize("make", [lambda: SGD(0.1, 0.9), lambda: Adagrad(0.5), lambda: Adam(0.05)])
def test_converges_on_a_quadratic(make):
    # f(w) = 0.5 (w - c)^T A (w - c) with an ill-conditioned diagonal A: minimum at c.
    A = np.array([1.0, 10.0])
    c = np.array([3.0, -2.0])
    opt = make()
    p = {"w": np.zeros(2)}
    for _ in range(2000):
        p = opt.step(p, {"w": A * (p["w"] - c)})
    assert np.allclose(p["w"], c, atol=1e-3)


def test_step_does_not_mutate_inputs():
    opt = Adam(0.1)
    p = {"w": np.ones(3, dtype=np.float32)}
    g = {"w": np.full(3, 0.5, dtype=np.float32)}
    p_copy, g_copy = copy.deepcopy(p), copy.deepcopy(g)
    new = opt.step(p, g)
    assert np.array_equal(p["w"], p_copy["w"]) and np.array_equal(g["w"], g_copy["w"])
    assert new["w"] is not p["w"]
    assert new["w"].dtype == np.float32  # float32 in, float32 out


@pytest.mark.parametrize("cls", [SGD, Adagrad, Adam])
def test_state_roundtrip_continues_identically(cls):
    rng = np.random.default_rng(0)
    grads = [{"w": rng.standard_normal(4), "b": rng.standard_normal(2)} for _ in range(6)]
    p0 = {"w": np.zeros(4), "b": np.zeros(2)}
    a = cls(0.1)
    p = p0
    for g in grads:
        p = a.step(p, g)
    b = cls(0.1)
    q = p0
    for g in grads[:3]:
        q = b.step(q, g)
    c = cls(0.1)
    c.load_state_dict(b.state_dict())
    for g in grads[3:]:
        q = c.step(q, g)
    for k in p:
        assert np.array_equal(p[k], q[k])


def test_bad_arguments():
    with pytest.raises(ValueError, match="lr"):
        Adam(lr=-1)
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.5)
    with pytest.raises(ValueError, match="grads"):
        SGD(0.1).step({"w": np.zeros(2)}, {"w": np.zeros(3)})


def test_linear_decay():
    assert linear_decay(1.0, 0, 4) == 1.0
    assert linear_decay(1.0, 3, 4) == 0.25
    assert linear_decay(1.0, 9, 4) == 0.0


# --- dtypes and input validation ----------------------------------------------------------

def _f32(seed=0):
    rng = np.random.default_rng(seed)
    p = {"W": rng.standard_normal((3, 4)).astype(np.float32),
         "b": rng.standard_normal(4).astype(np.float32)}
    g = {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in p.items()}
    return p, g


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9), lambda: Adagrad(0.1),
                                  lambda: Adam(1e-2)])
def test_float32_stays_float32(make):
    opt = make()
    p, g = _f32()
    for _ in range(3):
        p = opt.step(p, g, lr=0.05)
        assert all(v.dtype == np.float32 for v in p.values())
    assert all(v.dtype == np.float32 for k, v in opt.state_dict().items() if k != "t")


@pytest.mark.parametrize("make", [SGD, Adagrad, Adam])
def test_mixed_dtypes_are_rejected(make):
    p, g = _f32()
    g = dict(g, b=g["b"].astype(np.float64))
    with pytest.raises(ValueError, match=r"grads\['b'\]: expected dtype float32.*got float64"):
        make().step(p, g)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_grads_are_rejected_by_name(bad):
    p, g = _f32()
    g["W"] = g["W"].copy()
    g["W"][1, 2] = bad
    opt = Adam(1e-3)
    with pytest.raises(ValueError, match=r"grads\['W'\]: expected finite"):
        opt.step(p, g)
    assert opt.t == 0 and opt.state_dict() == {"t": 0}  # nothing was updated


def test_keys_and_shapes_are_checked():
    p, g = _f32()
    with pytest.raises(ValueError, match="keys"):
        SGD().step(p, {"W": g["W"]})
    with pytest.raises(ValueError, match=r"grads\['W'\]: expected shape \(3, 4\), got \(4, 3\)"):
        SGD().step(p, dict(g, W=g["W"].T))
    with pytest.raises(ValueError, match=r"grads\['b'\]: expected dtype float32 or float64, got int64"):
        SGD().step(p, dict(g, b=np.arange(4)))


@pytest.mark.parametrize("lr", ["0.1", True, None, [0.1]])
def test_lr_must_be_a_positive_real(lr):
    with pytest.raises(ValueError, match="lr"):
        SGD(lr)


def test_linear_decay_validates():
    assert linear_decay(0.5, 2, 4) == pytest.approx(0.25)
    for args, name in [((0.0, 1, 4), "lr0"), ((-1.0, 1, 4), "lr0"), (("1", 1, 4), "lr0"),
                       ((0.1, -1, 4), "step"), ((0.1, 1, 0), "horizon"), ((0.1, 1, 2.5), "horizon")]:
        with pytest.raises(ValueError, match=name):
            linear_decay(*args)


def test_optimizers_table_is_read_only():
    from rnn_core.optim import OPTIMIZERS

    with pytest.raises(TypeError):
        OPTIMIZERS["sgd"] = Adam
    assert OPTIMIZERS["adam"] is Adam


def test_adam_eps_sits_outside_the_square_root():
    """With g = 1e-8 the step is lr * g / (|g| + eps) = lr / 2: eps outside sqrt(v_hat)."""
    opt = Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    p = opt.step({"w": np.array([1.0])}, {"w": np.array([1e-8])})
    # m_hat = g, v_hat = g**2: step = 0.1 * 1e-8 / (1e-8 + 1e-8) = 0.05
    # (eps inside the root, or added to v_hat, would give about 0.1 * 1e-8 / 1e-4 = 1e-5)
    np.testing.assert_allclose(p["w"], [1.0 - 0.05], rtol=1e-12)


@pytest.mark.parametrize("name", ["beta1", "beta2"])
@pytest.mark.parametrize("bad", ["a", None, True, np.nan, -0.1, 1.0])
def test_adam_betas_are_checked_by_name(name, bad):
    with pytest.raises(ValueError, match=name):
        Adam(1e-3, **{name: bad})


@pytest.mark.parametrize("make", [SGD, Adagrad, Adam])
@pytest.mark.parametrize("bad, message", [
    (np.zeros((3, 4), dtype=np.float16), r"params\['W'\]: expected dtype float32 or float64"),
    ([[0.0] * 4] * 3, r"params\['W'\]: expected a numpy array, got list"),
    (np.full((3, 4), np.nan, dtype=np.float32), r"params\['W'\]: expected finite values"),
])
def test_params_must_be_finite_float32_or_float64_arrays(make, bad, message):
    p, g = _f32()
    with pytest.raises(ValueError, match=message):
        make().step(dict(p, W=bad), g)


def test_optimizer_and_clipping_share_one_check():
    from rnn_core import clipping

    g16 = {"W": np.zeros(3, dtype=np.float16)}
    with pytest.raises(ValueError, match=r"grads\['W'\]: expected dtype float32 or float64"):
        clipping.clip_gradients(g16, 1.0)
    with pytest.raises(ValueError, match=r"grads\['W'\]: expected dtype float32 or float64"):
        SGD().step({"W": np.zeros(3, dtype=np.float32)}, g16)


def test_solution_markers_cover_the_whole_body():
    import inspect

    for cls in (SGD, Adagrad, Adam):
        lines = inspect.getsource(cls._update).rstrip().splitlines()
        assert lines[-1].strip() == "### END SOLUTION" and "return" in lines[-2]
