"""Gradient-flow instruments against finite differences and closed forms."""

import numpy as np
import pytest

from rnn_core.gradcheck import numerical_gradient, rel_error
from rnn_core.gradient_flow import (
    hidden_gradient_norms,
    hidden_gradients,
    jacobian_bound,
    jacobian_norms,
    step_jacobians,
)
from rnn_core.recurrent import rnn_forward


def _problem(seed, N=2, T=5, d=3, Dh=4, scale=0.8, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, d)).astype(dtype)
    h0 = rng.standard_normal((N, Dh)).astype(dtype) * 0.5
    Wh = (rng.standard_normal((Dh, Dh)) * scale).astype(dtype)
    We = rng.standard_normal((Dh, d)).astype(dtype) * 0.5
    b1 = rng.standard_normal(Dh).astype(dtype) * 0.1
    dh = rng.standard_normal((N, T, Dh)).astype(dtype)
    return x, h0, Wh, We, b1, dh


def _fd_total_gradient(x, h0, Wh, We, b1, dh, act, t):
    """dL/dh_t for L = sum_s <dh_s, h_s>, perturbing h_t and re-running the rest (1-based t)."""
    h, _ = rnn_forward(x, h0, Wh, We, b1, act)
    ht = h[:, t - 1]

    def loss(h_t):
        rest = 0.0
        if t < x.shape[1]:
            h_later, _ = rnn_forward(x[:, t:], h_t, Wh, We, b1, act)
            rest = np.sum(dh[:, t:] * h_later)
        return np.sum(dh[:, t - 1] * h_t) + rest

    return numerical_gradient(loss, ht)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_hidden_gradients_match_finite_differences(act):
    x, h0, Wh, We, b1, dh = _problem(1)
    _, cache = rnn_forward(x, h0, Wh, We, b1, act)
    total = hidden_gradients(dh, cache)
    norms = hidden_gradient_norms(dh, cache)
    T = x.shape[1]
    assert total.shape == dh.shape and norms.shape == (T,)
    for t in range(1, T + 1):
        fd = _fd_total_gradient(x, h0, Wh, We, b1, dh, act, t)
        assert rel_error(total[:, t - 1], fd) < 1e-7
        assert abs(norms[t - 1] - np.linalg.norm(fd)) < 1e-6 * max(1.0, np.linalg.norm(fd))


def test_last_total_gradient_is_the_upstream_gradient():
    x, h0, Wh, We, b1, dh = _problem(2)
    _, cache = rnn_forward(x, h0, Wh, We, b1, "tanh")
    total = hidden_gradients(dh, cache)
    assert np.array_equal(total[:, -1], dh[:, -1])  # nothing is carried back into h_T


def test_hidden_gradients_do_not_mutate_and_keep_float32():
    x, h0, Wh, We, b1, dh = _problem(3, dtype=np.float32)
    _, cache = rnn_forward(x, h0, Wh, We, b1)
    before = dh.copy()
    total = hidden_gradients(dh, cache)
    assert np.array_equal(dh, before)
    assert total.dtype == np.float32


def test_hidden_gradients_validate_shape_and_cache():
    x, h0, Wh, We, b1, dh = _problem(4)
    _, cache = rnn_forward(x, h0, Wh, We, b1)
    with pytest.raises(ValueError, match=r"dh: expected shape \(N, T, Dh\)"):
        hidden_gradients(dh[:, :-1], cache)
    with pytest.raises(ValueError, match="dtype"):
        hidden_gradients(dh.astype(np.float32), cache)
    message = "^cache: expected the RNNCache returned by rnn_forward, got tuple$"
    with pytest.raises(ValueError, match=message):
        hidden_gradient_norms(dh, (1, 2))
    for f in (step_jacobians, jacobian_norms):
        with pytest.raises(ValueError, match=message):
            f(tuple(cache))


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_jacobian_norms_match_finite_difference_jacobians(act):
    x, h0, Wh, We, b1, _ = _problem(5, N=2, T=4, Dh=3, scale=1.5)
    h, cache = rnn_forward(x, h0, Wh, We, b1, act)
    norms = jacobian_norms(cache)
    N, T, Dh = x.shape[0], x.shape[1], Wh.shape[0]
    assert norms.shape == (N, T + 1)
    states = np.concatenate([h0[:, None], h], axis=1)  # (N, T+1, Dh), states[:, t] = h_t
    for n in range(N):
        for t in range(T + 1):
            def last_state(h_t, n=n, t=t):
                if t == T:
                    return h_t.copy()  # a copy: the caller perturbs h_t in place
                h, _ = rnn_forward(x[n : n + 1, t:], h_t[None], Wh, We, b1, act)
                return h[0, -1]
            # Row i of the Jacobian is the gradient of the i-th output.
            J = np.stack(
                [numerical_gradient(last_state, states[n, t], df=np.eye(Dh)[i]) for i in range(Dh)]
            )
            assert abs(norms[n, t] - np.linalg.norm(J, 2)) < 1e-7 * max(1.0, norms[n, t])
    assert np.all(norms[:, T] == 1.0)


def test_step_jacobians_match_closed_form():
    x, h0, Wh, We, b1, _ = _problem(6)
    h, cache = rnn_forward(x, h0, Wh, We, b1, "tanh")
    J = step_jacobians(cache)
    assert J.shape == (x.shape[0], x.shape[1], Wh.shape[0], Wh.shape[0])
    for t in range(1, x.shape[1] + 1):
        for n in range(x.shape[0]):
            expected = np.diag(1 - h[n, t - 1] ** 2) @ Wh  # tanh' = 1 - tanh^2
            assert np.allclose(J[n, t - 1], expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.1])
def test_linear_regime_with_orthogonal_weights_gives_rho_to_the_power(rho):
    """ReLU with every unit active is linear: dh_T/dh_t = (rho Q)^(T-t), norm rho^(T-t).

    Q is a permutation matrix (orthogonal with non-negative entries), so a
    positive bias keeps every state positive and ReLU' = 1 at every step.
    """
    Dh, T = 5, 12
    Q = np.eye(Dh)[[2, 0, 4, 1, 3]]
    assert np.allclose(Q.T @ Q, np.eye(Dh))
    Wh = rho * Q
    x = np.zeros((1, T, 1))
    We = np.zeros((Dh, 1))
    b1 = np.full(Dh, 100.0)  # keeps every pre-activation positive: act' = 1
    h0 = np.zeros((1, Dh))
    h, cache = rnn_forward(x, h0, Wh, We, b1, "relu")
    assert np.all(h > 0)
    norms = jacobian_norms(cache)[0]
    expected = rho ** (T - np.arange(T + 1.0))
    assert np.allclose(norms, expected, rtol=1e-10, atol=0)
    # ... and the bound is attained exactly (gamma = 1, sigma_max = rho).
    assert np.allclose(jacobian_bound(Wh, "relu", T), expected, rtol=1e-10, atol=0)


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
@pytest.mark.parametrize("seed", range(4))
def test_jacobian_norms_never_exceed_the_pascanu_bound(act, seed):
    x, h0, Wh, We, b1, _ = _problem(10 + seed, N=3, T=8, Dh=5, scale=1.2)
    _, cache = rnn_forward(x, h0, Wh, We, b1, act)
    bound = jacobian_bound(Wh, act, x.shape[1])
    assert np.all(jacobian_norms(cache) <= bound * (1 + 1e-12))


def test_jacobian_bound_uses_singular_value_and_gamma():
    Wh = np.array([[0.0, 3.0], [0.0, 0.0]])  # eigenvalues 0, singular values 3 and 0
    assert np.allclose(jacobian_bound(Wh, "tanh", 2), [9.0, 3.0, 1.0])
    assert np.allclose(jacobian_bound(Wh, "sigmoid", 2), [0.5625, 0.75, 1.0])
    with pytest.raises(ValueError, match="T: expected an int >= 1"):
        jacobian_bound(Wh, "tanh", 0)
    with pytest.raises(ValueError, match="activation"):
        jacobian_bound(Wh, "gelu", 3)


def test_plot_helpers_draw_on_the_given_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_book.flow_plots import plot_gradient_heatmap, plot_gradient_norms

    x, h0, Wh, We, b1, dh = _problem(20)
    _, cache = rnn_forward(x, h0, Wh, We, b1, "tanh")
    fig, (a1, a2) = plt.subplots(1, 2)
    norms = hidden_gradient_norms(dh, cache)
    assert plot_gradient_norms(a1, norms, label="n", color="k") is a1
    line = a1.get_lines()[0]
    assert a1.get_yscale() == "log"
    assert np.array_equal(line.get_xdata(), np.arange(1, x.shape[1] + 1))
    assert np.allclose(line.get_ydata(), norms)
    grads = hidden_gradients(dh, cache)
    assert plot_gradient_heatmap(a2, grads) is a2
    image = a2.get_images()[0].get_array()
    # Drawn as (unit, step): the batch is reduced to the root of the sum of squares.
    assert np.allclose(image.T, np.sqrt(np.sum(grads**2, axis=0)))
    with pytest.raises(ValueError, match="norms: expected shape"):
        plot_gradient_norms(a1, np.ones((2, 3)))
    with pytest.raises(ValueError, match="grads: expected shape"):
        plot_gradient_heatmap(a2, np.ones(3))
    plt.close(fig)


def test_heatmap_shared_colour_scale():
    """vmin/vmax give two panels one log colour scale; by default each panel has its own."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_book.flow_plots import plot_gradient_heatmap

    small, large = np.full((4, 3), 1e-3), np.full((4, 3), 10.0)
    small[0, 0], large[0, 0] = 1e-1, 1e2          # each map spans a factor of 10 of its own
    fig, (a1, a2) = plt.subplots(1, 2)
    plot_gradient_heatmap(a1, small, colorbar=False)
    plot_gradient_heatmap(a2, large, colorbar=False)
    own = [ax.get_images()[0].norm for ax in (a1, a2)]
    assert (own[0].vmin, own[0].vmax) != (own[1].vmin, own[1].vmax)
    for ax, g in ((a1, small), (a2, large)):
        ax.clear()
        plot_gradient_heatmap(ax, g, colorbar=False, vmin=1e-3, vmax=1e2)
    shared = [ax.get_images()[0].norm for ax in (a1, a2)]
    assert all((n.vmin, n.vmax) == (1e-3, 1e2) for n in shared)
    plt.close(fig)


def test_derivative_bound_table_is_read_only():
    from rnn_core.gradient_flow import DERIVATIVE_BOUND

    with pytest.raises(TypeError):
        DERIVATIVE_BOUND["tanh"] = 2.0
    assert DERIVATIVE_BOUND["sigmoid"] == 0.25
