"""Sampling text from a character model, with a temperature.

At temperature tau the next-character distribution p becomes ``p_tau ∝ p ** (1/tau)``,
i.e. ``softmax(theta / tau)``: tau < 1 sharpens it towards the most likely character,
tau > 1 flattens it towards uniform, tau = 1 samples the model as it is.
"""

from __future__ import annotations

import numpy as np

from .activations import activate, softmax
from .model import CharRNN
from .validation import (
    Dims,
    as_float_array,
    check_generator,
    check_positive_int,
    check_positive_real,
)


def apply_temperature(theta, temperature: float) -> np.ndarray:
    """``softmax(theta / temperature)`` over the last axis (= ``p ** (1/tau)`` renormalised).

    theta : (..., V) logits. temperature : tau, a positive real.
    Returns probabilities of the same shape, in float64.
    """
    temperature = check_positive_real("temperature", temperature)
    return softmax(np.asarray(theta, dtype=np.float64) / temperature)


def sample_ids(model, rng, length: int, temperature: float = 1.0, prefix=(), h0=None):
    """Draw ``length`` character ids one at a time, feeding each back as the next input.

    Parameters
    ----------
    model : a :class:`rnn_core.model.CharRNN`.
    rng : np.random.Generator, the only source of randomness.
    length : int >= 0, the number of ids to draw.
    temperature : tau > 0.
    prefix : (P,) ids in [0, V) to read first (a prompt); with none, the first input is id 0.
    h0 : (1, Dh) finite initial state in the model's dtype (another dtype is refused,
        not cast); zeros by default. It is not modified.

    Returns
    -------
    ids : (length,) int64, the sampled ids (the prefix not included).
    """
    ### BEGIN SOLUTION
    if not isinstance(model, CharRNN):
        raise ValueError(f"model: expected a CharRNN, got {type(model).__name__}")
    rng = check_generator("rng", rng)
    length = check_positive_int("length", length, minimum=0)
    temperature = check_positive_real("temperature", temperature)
    # The weights were checked when the model was built; the loop below works on them
    # directly instead of re-checking every weight for every character.
    p = model.params
    if h0 is None:
        h = model.zero_state(1)
    else:
        dims = Dims(Dh=model.Dh)
        dims.source["Dh"] = "the model"
        h = as_float_array("h0", h0, (1, "Dh"), dims, model.dtype, "the model's parameters")
    arr = np.asarray(list(prefix))
    if arr.size and (arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"prefix: expected a 1-D sequence of integer ids (P,), "
                         f"got {arr.dtype} {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= model.V):
        raise ValueError(f"prefix: expected ids in [0, V) = [0, {model.V}), "
                         f"got {arr.min()}..{arr.max()}")
    prefix = [int(i) for i in arr] or [0]
    Wh_T, We_T, b1, U, b2, act = p["Wh"].T, p["We"].T, p["b1"], p["U"], p["b2"], model.activation
    for i in prefix[:-1]:  # read the prompt; its predictions are not needed
        h = activate(h @ Wh_T + p["E"][[i]] @ We_T + b1, act)
    current = prefix[-1]
    out = np.empty(length, dtype=np.int64)
    for t in range(length):
        h = activate(h @ Wh_T + p["E"][[current]] @ We_T + b1, act)  # (1, Dh)
        theta = h @ U  # (1, V)
        theta += b2
        probs = apply_temperature(theta[0], temperature)
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
