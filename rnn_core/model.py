"""A character-level language model assembled from the book's layers.

    ids (N, T) --embedding_forward--> x (N, T, d) --rnn_forward (tanh)--> h (N, T, Dh)
        --affine_forward--> theta (N, T, V) --softmax_cross_entropy--> loss

Every piece is one of ``rnn_core``'s functions; this module only wires them together
and keeps the parameters in one explicit dict.
"""

from __future__ import annotations

import numpy as np

from .init import gaussian, orthogonal
from .layers import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
)
from .losses import softmax_cross_entropy
from .recurrent import rnn_backward, rnn_forward
from .activations import ACTIVATIONS
from .contracts import arrays, float_dtype, generator, one_of, positive_int, shapes

PARAM_NAMES = ("E", "We", "Wh", "b1", "U", "b2")
#: The parameters' shapes, in the book's letters.
PARAM_SHAPES = dict(E="V d", We="Dh d", Wh="Dh Dh", b1="Dh", U="Dh V", b2="V")


@shapes(V=positive_int(), Dh=positive_int(), d=positive_int(), rng=generator, dtype=float_dtype)
def init_char_rnn(V: int, Dh: int, d: int, rng, dtype=np.float32) -> dict:
    """Fresh parameters for :class:`CharRNN`, drawn from the explicit generator ``rng``.

    ``E`` ~ N(0, 1); ``We`` ~ N(0, 1/d) so that each pre-activation starts with unit
    variance; ``Wh`` orthogonal with gain 0.5 (neither exploding nor dead at the start);
    ``U`` ~ N(0, 0.01/Dh), so the first predictions are close to uniform; biases zero.

    Parameters
    ----------
    V : int >= 1, the vocabulary size.
    Dh : int >= 1, the number of hidden units.
    d : int >= 1, the embedding size.
    rng : np.random.Generator, the only source of randomness.
    dtype : float32 (default) or float64, the dtype of every parameter.

    Returns
    -------
    params : dict with E (V, d), We (Dh, d), Wh (Dh, Dh), b1 (Dh,), U (Dh, V), b2 (V,).
    """
    raw = {
        "E": gaussian((V, d), rng, 1.0),
        "We": gaussian((Dh, d), rng, 1.0 / np.sqrt(d)),
        "Wh": orthogonal(Dh, rng, gain=0.5),
        "b1": np.zeros(Dh),
        "U": gaussian((Dh, V), rng, 0.1 / np.sqrt(Dh)),
        "b2": np.zeros(V),
    }
    return {k: v.astype(dtype) for k, v in raw.items()}


class CharRNN:
    """Embedding -> tanh RNN -> affine -> softmax cross-entropy, with an explicit parameter dict.

    The model object holds only ``params`` (a dict name -> array) and the activation;
    its methods never modify the arrays. Optimisers return new dicts.

    Parameters
    ----------
    params : dict with E (V, d), We (Dh, d), Wh (Dh, Dh), b1 (Dh,), U (Dh, V), b2 (V,).
    activation : "tanh" (default), "sigmoid" or "relu".
    """

    @shapes(params=arrays(**PARAM_SHAPES), activation=one_of(*ACTIVATIONS))
    def __init__(self, params: dict, activation: str = "tanh") -> None:
        self.params = params
        self.activation = activation

    @classmethod
    def init(cls, V: int, Dh: int, d: int, rng, dtype=np.float32, activation="tanh") -> "CharRNN":
        """A new model with parameters from :func:`init_char_rnn`."""
        return cls(init_char_rnn(V, Dh, d, rng, dtype), activation)

    @property
    def V(self) -> int:
        return self.params["U"].shape[1]

    @property
    def Dh(self) -> int:
        return self.params["Wh"].shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.params["E"].dtype

    @shapes(N=positive_int())
    def zero_state(self, N: int) -> np.ndarray:
        """An (N, Dh) zero hidden state in the model's dtype; N a positive int."""
        return np.zeros((N, self.Dh), dtype=self.dtype)

    def forward(self, ids, h0):
        """Logits for every position of a batch of id sequences.

        Parameters
        ----------
        ids : (N, T) integer ids in [0, V).
        h0 : (N, Dh) initial hidden state, the model's dtype.

        Returns
        -------
        theta : (N, T, V) logits.
        h_last : (N, Dh) the hidden state after the last input.
        caches : (embedding, rnn, affine) caches for the backward pass.
        """
        p = self.params
        x, emb_cache = embedding_forward(ids, p["E"])
        h, rnn_cache = rnn_forward(x, h0, p["Wh"], p["We"], p["b1"], self.activation)
        theta, aff_cache = affine_forward(h, p["U"], p["b2"])
        return theta, h[:, -1], (emb_cache, rnn_cache, aff_cache)

    def loss_and_grads(self, ids, targets, h0):
        """Mean cross-entropy (nats per character) of predicting ``targets`` from ``ids``, and its gradients.

        Parameters
        ----------
        ids : (N, T) input character ids.
        targets : (N, T) the next character of each input.
        h0 : (N, Dh) initial hidden state (the state carried from the previous window).

        Returns
        -------
        loss : float, nats per character.
        grads : dict with the keys and shapes of ``params``.
        h_last : (N, Dh) the hidden state after the last input, to carry to the next window.
            Gradients do not flow through it (truncated BPTT).
        """
        theta, h_last, (emb_cache, rnn_cache, aff_cache) = self.forward(ids, h0)
        loss, dtheta = softmax_cross_entropy(theta, targets)
        dh, dU, db2 = affine_backward(dtheta, aff_cache)
        dx, _dh0, dWh, dWe, db1 = rnn_backward(dh, rnn_cache)
        dE = embedding_backward(dx, emb_cache)
        grads = {"E": dE, "We": dWe, "Wh": dWh, "b1": db1, "U": dU, "b2": db2}
        return loss, grads, h_last

    def loss(self, ids, targets, h0):
        """Forward only: the mean cross-entropy of predicting ``targets`` from ``ids``.

        Parameters
        ----------
        ids : (N, T) input ids; targets : (N, T) the next character of each input;
        h0 : (N, Dh) initial hidden state.

        Returns
        -------
        loss : float, nats per character.
        h_last : (N, Dh) the hidden state after the last input.
        """
        theta, h_last, _ = self.forward(ids, h0)
        loss, _ = softmax_cross_entropy(theta, targets)
        return loss, h_last

    @shapes(n_streams=positive_int(), chunk=positive_int())
    def evaluate(self, ids, n_streams: int = 16, chunk: int = 256) -> float:
        """Mean nats per character over a whole text, e.g. the validation block.

        The ids are cut into ``n_streams`` contiguous streams (:func:`rnn_core.data.stream_view`),
        each read from a zero state with its hidden state carried from chunk to chunk, so
        every character after the first of each stream is predicted exactly once.

        Parameters
        ----------
        ids : (L,) integer ids, at least 2 per stream.
        n_streams : positive int.
        chunk : positive int, the number of positions read per forward pass.

        Returns
        -------
        float, mean nats per character.
        """
        from .data import stream_view

        x, y = stream_view(ids, n_streams)
        h = self.zero_state(n_streams)
        total, count = 0.0, 0
        for s in range(0, x.shape[1], chunk):
            xs, ys = x[:, s : s + chunk], y[:, s : s + chunk]
            loss, h = self.loss(xs, ys, h)
            total += loss * xs.size
            count += xs.size
        return total / count

    # A contract entry ``model=CharRNN`` checks the type and binds these letters and the
    # dtype from ``params`` (set last: inside the class body the name would hide ``@shapes``).
    shapes = PARAM_SHAPES
    bound_by = "the model's parameters"
