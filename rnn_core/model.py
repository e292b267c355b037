"""A character-level language model assembled from the book's layers.

    ids (N, T) --embedding_forward--> x (N, T, d) --recurrent layer--> h (N, T, Dh)
        --affine_forward--> theta (N, T, V) --softmax_cross_entropy--> loss

The recurrent layer is one of three cells, named by ``cell``:

- ``"rnn"``: the tanh RNN of Part II, :func:`~rnn_core.recurrent.rnn_forward`;
  parameters ``We`` (Dh, d), ``Wh`` (Dh, Dh), ``b1`` (Dh,);
- ``"lstm"``: the LSTM of chapter 8, :func:`~rnn_core.lstm.lstm_forward`;
  ``We`` (4Dh, d), ``Wh`` (4Dh, Dh), ``b1`` (4Dh,); its carried state is the pair (h, c);
- ``"gru"``: the GRU of chapter 9, :func:`~rnn_core.gru.gru_forward`;
  ``We`` (3Dh, d), ``Wh`` (3Dh, Dh), ``b_ih`` (3Dh,), ``b_hh`` (3Dh,).

Every piece is one of ``rnn_core``'s functions; this module only wires them together
and keeps the parameters in one explicit dict.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .cells import rnn_step_forward
from .contracts import Check, Spec, arrays, float_dtype, generator, one_of, positive_int, shapes
from .gated_init import init_gated
from .gru import gru_backward, gru_forward, gru_step_forward
from .init import gaussian, orthogonal
from .layers import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
)
from .losses import softmax_cross_entropy
from .lstm import lstm_backward, lstm_forward, lstm_step_forward
from .recurrent import rnn_backward, rnn_forward

#: The recurrent cells the model can use.
CELLS = ("rnn", "lstm", "gru")
#: The recurrent layer's parameters per cell, in the book's letters (PyTorch's layout).
CELL_SHAPES = {
    "rnn": dict(We="Dh d", Wh="Dh Dh", b1="Dh"),
    "lstm": dict(We="4Dh d", Wh="4Dh Dh", b1="4Dh"),
    "gru": dict(We="3Dh d", Wh="3Dh Dh", b_ih="3Dh", b_hh="3Dh"),
}


def param_shapes(cell: str = "rnn") -> dict:
    """The model's parameters and their shapes for ``cell``: E, the cell's, U, b2."""
    return dict(E="V d", **CELL_SHAPES[cell], U="Dh V", b2="V")


#: The parameters' shapes of the tanh-RNN model (the default cell), in the book's letters.
PARAM_SHAPES = param_shapes("rnn")
PARAM_NAMES = tuple(PARAM_SHAPES)


@shapes(V=positive_int(), Dh=positive_int(), d=positive_int(), rng=generator, dtype=float_dtype,
        cell=one_of(*CELLS))
def init_char_rnn(V: int, Dh: int, d: int, rng, dtype=np.float32, cell: str = "rnn") -> dict:
    """Fresh parameters for :class:`CharRNN`, drawn from the explicit generator ``rng``.

    ``E`` ~ N(0, 1); ``U`` ~ N(0, 0.01/Dh), so the first predictions are close to
    uniform; ``b2`` zero. The recurrent layer: for ``"rnn"``, ``We`` ~ N(0, 1/d) so
    that each pre-activation starts with unit variance, ``Wh`` orthogonal with gain
    0.5 (neither exploding nor dead at the start), ``b1`` zero; for ``"lstm"`` and
    ``"gru"``, :func:`rnn_core.gated_init.init_gated` (orthogonal blocks, the bias of
    the gate that keeps the old state at 1).

    Parameters
    ----------
    V : int >= 1, the vocabulary size.
    Dh : int >= 1, the number of hidden units.
    d : int >= 1, the embedding size.
    rng : np.random.Generator, the only source of randomness.
    dtype : float32 (default) or float64, the dtype of every parameter.
    cell : "rnn" (default), "lstm" or "gru".

    Returns
    -------
    params : dict with the keys and shapes of ``param_shapes(cell)``, e.g. for "rnn"
        E (V, d), We (Dh, d), Wh (Dh, Dh), b1 (Dh,), U (Dh, V), b2 (V,).
    """
    E = gaussian((V, d), rng, 1.0)
    if cell == "rnn":
        layer = {"We": gaussian((Dh, d), rng, 1.0 / np.sqrt(d)),
                 "Wh": orthogonal(Dh, rng, gain=0.5), "b1": np.zeros(Dh)}
    else:
        layer = init_gated(cell, d, Dh, rng, forget_bias=1.0, dtype=np.float64)
    raw = {"E": E, **layer, "U": gaussian((Dh, V), rng, 0.1 / np.sqrt(Dh)), "b2": np.zeros(V)}
    return {k: raw[k].astype(dtype) for k in param_shapes(cell)}


# The recurrent layer of each cell, forward and backward side by side. A forward takes
# the inputs x (N, T, d), the carried state, the parameters and the RNN's activation,
# and returns the states h (N, T, Dh), the state to carry on and the cache; a backward
# takes dh (N, T, Dh) and the cache and returns dx (N, T, d) and the cell's gradients.
# Gradients stop at the initial state (truncated BPTT).

def rnn_layer_forward(x, state, p, activation):
    """The tanh RNN over x (N, T, d) from state (N, Dh): h (N, T, Dh), h_T (N, Dh), RNNCache."""
    h, cache = rnn_forward(x, state, p["Wh"], p["We"], p["b1"], activation)
    return h, h[:, -1], cache


def rnn_layer_backward(dh, cache):
    """dh (N, T, Dh) -> dx (N, T, d) and the gradients of We, Wh, b1."""
    dx, _dh0, dWh, dWe, db1 = rnn_backward(dh, cache)
    return dx, {"We": dWe, "Wh": dWh, "b1": db1}


def lstm_layer_forward(x, state, p, activation):
    """The LSTM over x (N, T, d) from state (h0, c0), each (N, Dh): h, (h_T, c_T), LSTMCache."""
    h0, c0 = state
    h, cache = lstm_forward(x, h0, p["Wh"], p["We"], p["b1"], c0)
    return h, (h[:, -1], cache.c[:, -1]), cache


def lstm_layer_backward(dh, cache):
    """dh (N, T, Dh) -> dx (N, T, d) and the gradients of We, Wh, b1."""
    dx, _dh0, dWh, dWe, db1, _dc0 = lstm_backward(dh, cache)
    return dx, {"We": dWe, "Wh": dWh, "b1": db1}


def gru_layer_forward(x, state, p, activation):
    """The GRU over x (N, T, d) from state (N, Dh): h (N, T, Dh), h_T (N, Dh), GRUCache."""
    h, cache = gru_forward(x, state, p["Wh"], p["We"], p["b_ih"], p["b_hh"])
    return h, h[:, -1], cache


def gru_layer_backward(dh, cache):
    """dh (N, T, Dh) -> dx (N, T, d) and the gradients of We, Wh, b_ih, b_hh."""
    dx, _dh0, dWh, dWe, db_ih, db_hh = gru_backward(dh, cache)
    return dx, {"We": dWe, "Wh": dWh, "b_ih": db_ih, "b_hh": db_hh}


# One step of each cell on inputs x_t (N, d): the next state and its h (N, Dh).

def rnn_cell_step(x_t, state, p, activation):
    """One tanh-RNN step on x_t (N, d) from state (N, Dh): h (N, Dh) and the next state."""
    h, _ = rnn_step_forward(x_t, state, p["Wh"], p["We"], p["b1"], activation)
    return h, h


def lstm_cell_step(x_t, state, p, activation):
    """One LSTM step on x_t (N, d) from state (h, c): h (N, Dh) and the next state (h, c)."""
    h, c, _ = lstm_step_forward(x_t, *state, p["Wh"], p["We"], p["b1"])
    return h, (h, c)


def gru_cell_step(x_t, state, p, activation):
    """One GRU step on x_t (N, d) from state (N, Dh): h (N, Dh) and the next state."""
    h, _ = gru_step_forward(x_t, state, p["Wh"], p["We"], p["b_ih"], p["b_hh"])
    return h, h


LAYERS = {"rnn": (rnn_layer_forward, rnn_layer_backward, rnn_cell_step),
          "lstm": (lstm_layer_forward, lstm_layer_backward, lstm_cell_step),
          "gru": (gru_layer_forward, gru_layer_backward, gru_cell_step)}


def recurrent_forward(cell, x, state, p, activation):
    """The recurrent layer of ``cell``: rnn_forward, lstm_forward or gru_forward (see LAYERS)."""
    return LAYERS[cell][0](x, state, p, activation)


def recurrent_backward(cell, dh, cache):
    """Backward of :func:`recurrent_forward` (rnn_backward, lstm_backward or gru_backward)."""
    return LAYERS[cell][1](dh, cache)


def recurrent_step(cell, x_t, state, p, activation):
    """One step of ``cell``: rnn_step_forward, lstm_step_forward or gru_step_forward."""
    return LAYERS[cell][2](x_t, state, p, activation)


def _cell_params(name, value, call):
    """The contract of ``params``: the shapes of ``param_shapes(cell)``, ``cell`` checked first."""
    return arrays(**param_shapes(call.checked["cell"]))(name, value, call)


def carried_state(spec: str) -> Check:
    """A contract entry: the state the model's cell carries, each array of shape ``spec``.

    An (N, Dh) array for "rnn" and "gru", a pair (h, c) of them for "lstm"; the
    argument ``model`` must be checked first.
    """
    parsed = Spec(spec)

    def check(name, value, call):
        if call.checked["model"].cell != "lstm":
            return call.bind_float(name, value, parsed)
        if not (isinstance(value, tuple) and len(value) == 2):
            raise ValueError(f"{name}: expected the LSTM's state, a pair (h, c) of arrays "
                             f"{parsed.text!r}, got {type(value).__name__}")
        return tuple(call.bind_float(f"{name}[{i}]", v, parsed) for i, v in enumerate(value))

    return Check(f"state {parsed.text!r}, a pair (h, c) for the LSTM", check)


class CharRNN:
    """Embedding -> recurrent layer -> affine -> softmax cross-entropy; an explicit parameter dict.

    The model object holds only ``params`` (a dict name -> array), the activation and
    the cell; its methods never modify the arrays. Optimisers return new dicts.

    Parameters
    ----------
    params : dict with the keys and shapes of ``param_shapes(cell)``: E (V, d), the
        cell's (see the module docstring), U (Dh, V), b2 (V,).
    activation : "tanh" (default), "sigmoid" or "relu", the nonlinearity of the "rnn"
        cell (the gated cells have their own).
    cell : "rnn" (default), "lstm" or "gru", the recurrent layer.
    """

    @shapes(cell=one_of(*CELLS), activation=one_of(*ACTIVATIONS),
            params=Check("the parameters of param_shapes(cell)", _cell_params))
    def __init__(self, params: dict, activation: str = "tanh", cell: str = "rnn") -> None:
        self.params = params
        self.activation = activation
        self.cell = cell

    @classmethod
    def init(cls, V: int, Dh: int, d: int, rng, dtype=np.float32, activation="tanh",
             cell="rnn") -> "CharRNN":
        """A new model with parameters from :func:`init_char_rnn`."""
        return cls(init_char_rnn(V, Dh, d, rng, dtype, cell), activation, cell)

    @property
    def V(self) -> int:
        return self.params["U"].shape[1]

    @property
    def Dh(self) -> int:
        return self.params["U"].shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.params["E"].dtype

    @property
    def n_params(self) -> int:
        """The number of scalar parameters."""
        return sum(v.size for v in self.params.values())

    @shapes(N=positive_int())
    def zero_state(self, N: int):
        """The zero state of N streams, model's dtype: (N, Dh), for the LSTM a pair of them."""
        h = np.zeros((N, self.Dh), dtype=self.dtype)
        return (h, h.copy()) if self.cell == "lstm" else h

    def forward(self, ids, h0):
        """Logits for every position of a batch of id sequences.

        Parameters
        ----------
        ids : (N, T) integer ids in [0, V).
        h0 : the initial state in the model's dtype: (N, Dh), for the LSTM a pair (h, c).

        Returns
        -------
        theta : (N, T, V) logits.
        h_last : the state after the last input, like ``h0``.
        caches : (embedding, recurrent layer, affine) caches for the backward pass; the
            recurrent layer's is an RNNCache, LSTMCache or GRUCache.
        """
        p = self.params
        x, emb_cache = embedding_forward(ids, p["E"])
        h, h_last, rec_cache = recurrent_forward(self.cell, x, h0, p, self.activation)
        theta, aff_cache = affine_forward(h, p["U"], p["b2"])
        return theta, h_last, (emb_cache, rec_cache, aff_cache)

    def loss_and_grads(self, ids, targets, h0):
        """Mean cross-entropy (nats per character) of predicting ``targets`` from ``ids``, and its gradients.

        Parameters
        ----------
        ids : (N, T) input character ids.
        targets : (N, T) the next character of each input.
        h0 : the initial state (carried from the previous window): (N, Dh), for the LSTM
            a pair (h, c).

        Returns
        -------
        loss : float, nats per character.
        grads : dict with the keys and shapes of ``params``.
        h_last : the state after the last input, like ``h0``, to carry to the next window.
            Gradients do not flow through it (truncated BPTT).
        """
        theta, h_last, (emb_cache, rec_cache, aff_cache) = self.forward(ids, h0)
        loss, dtheta = softmax_cross_entropy(theta, targets)
        dh, dU, db2 = affine_backward(dtheta, aff_cache)
        dx, drec = recurrent_backward(self.cell, dh, rec_cache)  # e.g. rnn_backward
        dE = embedding_backward(dx, emb_cache)
        grads = {"E": dE, **drec, "U": dU, "b2": db2}  # drec: the cell's We, Wh, b1 (or b_ih, b_hh)
        return loss, grads, h_last

    def step(self, ids_t, state):
        """Read one character per stream: the cell's step on its embedding, then the logits.

        Parameters
        ----------
        ids_t : (N,) integer ids in [0, V).
        state : the state before reading them: (N, Dh), for the LSTM a pair (h, c).

        Returns
        -------
        theta : (N, V) logits of the next character.
        state : the state after reading them, like ``state``.
        """
        p = self.params
        h, state = recurrent_step(self.cell, p["E"][ids_t], state, p, self.activation)
        return h @ p["U"] + p["b2"], state

    def loss(self, ids, targets, h0):
        """Forward only: the mean cross-entropy of predicting ``targets`` from ``ids``.

        Parameters
        ----------
        ids : (N, T) input ids; targets : (N, T) the next character of each input;
        h0 : the initial state, (N, Dh) or for the LSTM a pair (h, c).

        Returns
        -------
        loss : float, nats per character.
        h_last : the state after the last input, like ``h0``.
        """
        theta, h_last, _ = self.forward(ids, h0)
        loss, _ = softmax_cross_entropy(theta, targets)
        return loss, h_last

    @shapes(n_streams=positive_int(), chunk=positive_int())
    def evaluate(self, ids, n_streams: int = 16, chunk: int = 256) -> float:
        """Mean nats per character over a whole text, e.g. the validation block.

        The ids are cut into ``n_streams`` contiguous streams (:func:`rnn_core.data.stream_view`),
        each read from a zero state with its state carried from chunk to chunk, so
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
    # Only the parameters every cell has: the cell's own bind Dh in multiples (4Dh, 3Dh).
    shapes = dict(E="V d", U="Dh V", b2="V")
    bound_by = "the model's parameters"
