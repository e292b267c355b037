"""Sampling text from a character model, with a temperature.

At temperature tau the next-character distribution p becomes ``p_tau ∝ p ** (1/tau)``,
i.e. ``softmax(theta / tau)``: tau < 1 sharpens it towards the most likely character,
tau > 1 flattens it towards uniform, tau = 1 samples the model as it is.
"""

from __future__ import annotations

import numbers

import numpy as np

from .activations import softmax
from .cells import rnn_step_forward
from .layers import affine_forward


def _check_temperature(temperature) -> float:
    ok = isinstance(temperature, numbers.Real) and not isinstance(temperature, (bool, np.bool_))
    if not (ok and np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature: expected a positive finite real number, got {temperature!r}")
    return float(temperature)


def apply_temperature(theta, temperature: float) -> np.ndarray:
    """``softmax(theta / temperature)`` over the last axis (= ``p ** (1/tau)`` renormalised).

    theta : (..., V) logits. temperature : tau, a positive real.
    Returns probabilities of the same shape, in float64.
    """
    temperature = _check_temperature(temperature)
    return softmax(np.asarray(theta, dtype=np.float64) / temperature)


def sample_ids(model, rng, length: int, temperature: float = 1.0, prefix=(), h0=None):
    """Draw ``length`` character ids one at a time, feeding each back as the next input.

    Parameters
    ----------
    model : a :class:`rnn_core.model.CharRNN`.
    rng : np.random.Generator, the only source of randomness.
    length : number of ids to draw.
    temperature : tau > 0.
    prefix : (P,) ids in [0, V) to read first (a prompt); with none, the first input is id 0.
    h0 : (1, Dh) initial state in the model's dtype; zeros by default.

    Returns
    -------
    ids : (length,) int64, the sampled ids (the prefix not included).
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    if not isinstance(length, (int, np.integer)) or length < 0:
        raise ValueError(f"length: expected a non-negative int, got {length!r}")
    temperature = _check_temperature(temperature)
    p = model.params
    if h0 is None:
        h = model.zero_state(1)
    else:
        h = np.asarray(h0)
        if h.shape != (1, model.Dh) or not np.issubdtype(h.dtype, np.floating):
            raise ValueError(f"h0: expected a float array of shape (1, Dh) = (1, {model.Dh}), "
                             f"got {h.dtype} {h.shape}")
        if not np.all(np.isfinite(h)):
            raise ValueError("h0: expected finite values, got NaN or inf")
        h = h.astype(model.dtype, copy=False)
    arr = np.asarray(list(prefix))
    if arr.size and (arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"prefix: expected a 1-D sequence of integer ids (P,), "
                         f"got {arr.dtype} {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= model.V):
        raise ValueError(f"prefix: expected ids in [0, V) = [0, {model.V}), "
                         f"got {arr.min()}..{arr.max()}")
    prefix = [int(i) for i in arr] or [0]
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
