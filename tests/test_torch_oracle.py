"""PyTorch as an independent oracle: same parameters, same numbers.

rnn_core promises PyTorch's parameter layout (``We`` = ``weight_ih_l0``,
``Wh`` = ``weight_hh_l0``, ``b1`` = the two biases summed). Here torch's own
``nn.RNN`` + ``nn.Linear`` + ``cross_entropy`` and its autograd compute the
forward pass and every gradient, and rnn_core must agree. Skipped when torch
is not installed (``pip install torch==2.13.0``; ``make test`` tries to).
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
    rnn_backward,
    rnn_forward,
    softmax_cross_entropy,
)

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("N, T, d, Dh, V", [(1, 1, 2, 3, 4), (3, 7, 5, 6, 9)])
def test_full_model_matches_torch(nonlinearity, N, T, d, Dh, V):
    torch.manual_seed(0)  # torch's own generator, only to draw torch's initial weights
    rnn = torch.nn.RNN(d, Dh, batch_first=True, nonlinearity=nonlinearity).double()
    head = torch.nn.Linear(Dh, V).double()
    emb = torch.nn.Embedding(V, d).double()
    rng = np.random.default_rng(N * 100 + T)
    ids = rng.integers(0, V, (N, T))
    y = rng.integers(0, V, (N, T))
    h0 = rng.standard_normal((N, Dh)) * 0.5

    ids_t = torch.tensor(ids)
    h0_t = torch.tensor(h0[None], requires_grad=True)
    out, _ = rnn(emb(ids_t), h0_t)
    logits = head(out)
    loss_t = torch.nn.functional.cross_entropy(logits.reshape(-1, V), torch.tensor(y).reshape(-1))
    loss_t.backward()

    p = {name: t.detach().numpy().copy() for name, t in [
        ("E", emb.weight), ("We", rnn.weight_ih_l0), ("Wh", rnn.weight_hh_l0),
        ("U", head.weight.T), ("b2", head.bias)]}
    p["b1"] = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy()

    x, c_emb = embedding_forward(ids, p["E"])
    h, c_rnn = rnn_forward(x, h0, p["Wh"], p["We"], p["b1"], nonlinearity)
    theta, c_aff = affine_forward(h, p["U"], p["b2"])
    loss, dtheta = softmax_cross_entropy(theta, y)
    dh, dU, db2 = affine_backward(dtheta, c_aff)
    dx, dh0, dWh, dWe, db1 = rnn_backward(dh, c_rnn)
    dE = embedding_backward(dx, c_emb)

    close = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h, out.detach().numpy(), **close)
    np.testing.assert_allclose(loss, loss_t.item(), **close)
    np.testing.assert_allclose(dE, emb.weight.grad.numpy(), **close)
    np.testing.assert_allclose(dWe, rnn.weight_ih_l0.grad.numpy(), **close)
    np.testing.assert_allclose(dWh, rnn.weight_hh_l0.grad.numpy(), **close)
    # b1 stands for both torch biases; each receives the same gradient.
    np.testing.assert_allclose(db1, rnn.bias_ih_l0.grad.numpy(), **close)
    np.testing.assert_allclose(db1, rnn.bias_hh_l0.grad.numpy(), **close)
    np.testing.assert_allclose(dU, head.weight.grad.numpy().T, **close)
    np.testing.assert_allclose(db2, head.bias.grad.numpy(), **close)
    np.testing.assert_allclose(dh0, h0_t.grad.numpy()[0], **close)
