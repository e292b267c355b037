"""Sampling text from a character model, with a temperature.

At temperature tau the next-character distribution p becomes ``p_tau ∝ p ** (1/tau)``,
i.e. ``softmax(theta / tau)``: tau < 1 sharpens it towards the most likely character,
tau > 1 flattens it towards uniform, tau = 1 samples the model as it is.
"""

from __future__ import annotations

import numpy as np

from .activations import softmax
from .contracts import generator, id_sequence, positive_int, positive_real, shapes
from .model import CharRNN, carried_state


@shapes(theta="... V", temperature=positive_real())
def apply_temperature(theta, temperature: float) -> np.ndarray:
    """``softmax(theta / temperature)`` over the last axis (= ``p ** (1/tau)`` renormalised).

    theta : (..., V) logits. temperature : tau, a positive real.
    Returns probabilities of the same shape, in float64.
    """
    return softmax(theta.astype(np.float64) / temperature)


@shapes(model=CharRNN, rng=generator, length=positive_int(0), temperature=positive_real(),
        prefix=id_sequence(below="V"), h0=carried_state("1 Dh"))
def sample_ids(model, rng, length: int, temperature: float = 1.0, prefix=(), h0=None):
    """Draw ``length`` character ids one at a time, feeding each back as the next input.

    Each step is :meth:`CharRNN.step <rnn_core.model.CharRNN.step>` (the cell, e.g.
    :func:`~rnn_core.cells.rnn_step_forward`, on the embedding of the current id, then
    the output layer) and :func:`apply_temperature`.

    Parameters
    ----------
    model : a :class:`rnn_core.model.CharRNN`.
    rng : np.random.Generator, the only source of randomness.
    length : int >= 0, the number of ids to draw.
    temperature : tau > 0.
    prefix : (P,) ids in [0, V) to read first (a prompt); with none, the first input is id 0.
    h0 : (1, Dh) finite initial state in the model's dtype, for the LSTM a pair (h, c) of
        them (another dtype is refused, not cast); zeros by default. It is not modified.

    Returns
    -------
    ids : (length,) int64, the sampled ids (the prefix not included).
    """
    ### BEGIN SOLUTION
    state = model.zero_state(1) if h0 is None else h0
    inputs = list(prefix) or [0]
    for i in inputs[:-1]:  # read the prompt; its predictions are not needed
        _, state = model.step([i], state)
    current = inputs[-1]
    out = np.empty(length, dtype=np.int64)
    for t in range(length):
        theta, state = model.step([current], state)  # (1, V)
        probs = apply_temperature(theta[0], temperature)  # (V,)
        current = int(rng.choice(len(probs), p=probs))
        out[t] = current
    return out
    ### END SOLUTION


def sample_text(model, vocab, rng, length: int = 200, temperature: float = 1.0, prompt: str = ""):
    """Sample ``length`` characters and decode them; the prompt (if any) is prepended.

    With no prompt the model starts from the first character of the vocabulary
    (a newline for the bundled corpus).

    Parameters
    ----------
    model : CharRNN with V = ``vocab.size``.
    vocab : the :class:`rnn_core.data.Vocab` the model was trained with.
    rng : np.random.Generator.
    length : int >= 0, the number of characters to sample.
    temperature : tau > 0.
    prompt : str of characters in ``vocab``, read before sampling.

    Returns
    -------
    text : str, ``prompt`` followed by the ``length`` sampled characters.
    """
    prefix = vocab.encode(prompt) if prompt else ()
    return prompt + vocab.decode(sample_ids(model, rng, length, temperature, prefix))
