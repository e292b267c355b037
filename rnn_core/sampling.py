"""Sampling text from a character model, with a temperature.

At temperature tau the next-character distribution p becomes ``p_tau ∝ p ** (1/tau)``,
i.e. ``softmax(theta / tau)``: tau < 1 sharpens it towards the most likely character,
tau > 1 flattens it towards uniform, tau = 1 samples the model as it is.
"""

from __future__ import annotations

import numpy as np

from .activations import softmax
from .cells import rnn_step_forward
from .layers import affine_forward


def apply_temperature(theta, temperature: float) -> np.ndarray:
    """``softmax(theta / temperature)`` over the last axis (= ``p ** (1/tau)`` renormalised).

    theta : (..., V) logits. Returns probabilities of the same shape, in float64.
    """
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature: expected a positive number, got {temperature!r}")
    return softmax(np.asarray(theta, dtype=np.float64) / temperature)


def sample_ids(model, rng, length: int, temperature: float = 1.0, prefix=(), h0=None):
    """Draw ``length`` character ids one at a time, feeding each back as the next input.

    Parameters
    ----------
    model : a :class:`rnn_core.model.CharRNN`.
    rng : np.random.Generator, the only source of randomness.
    length : number of ids to draw.
    temperature : tau > 0.
    prefix : ids to read first (a prompt); with none, the first input is id 0.
    h0 : (1, Dh) initial state; zeros by default.

    Returns
    -------
    ids : (length,) int64, the sampled ids (the prefix not included).
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    if not isinstance(length, (int, np.integer)) or length < 0:
        raise ValueError(f"length: expected a non-negative int, got {length!r}")
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature: expected a positive number, got {temperature!r}")
    p = model.params
    h = model.zero_state(1) if h0 is None else h0
    prefix = [int(i) for i in prefix] or [0]
    for i in prefix[:-1]:  # read the prompt; its predictions are not needed
        h, _ = rnn_step_forward(p["E"][[i]], h, p["Wh"], p["We"], p["b1"], model.activation)
    current = prefix[-1]
    out = np.empty(length, dtype=np.int64)
    ### BEGIN SOLUTION
    for t in range(length):
        h, _ = rnn_step_forward(p["E"][[current]], h, p["Wh"], p["We"], p["b1"], model.activation)
        theta, _ = affine_forward(h[:, None, :], p["U"], p["b2"])  # (1, 1, V)
        probs = apply_temperature(theta[0, 0], temperature)
        current = int(rng.choice(len(probs), p=probs))
        out[t] = current
    ### END SOLUTION
    return out


def sample_text(model, vocab, rng, length: int = 200, temperature: float = 1.0, prompt: str = ""):
    """Sample ``length`` characters and decode them; the prompt (if any) is prepended.

    With no prompt the model starts from the first character of the vocabulary
    (a newline for the bundled corpus).
    """
    prefix = vocab.encode(prompt) if prompt else ()
    return prompt + vocab.decode(sample_ids(model, rng, length, temperature, prefix))
