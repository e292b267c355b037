"""Optimisers: SGD with momentum, Adagrad, Adam, and a linear learning-rate schedule.

Each optimiser is a small object whose only state is explicit arrays (and a step
count), readable and restorable with ``state_dict()`` / ``load_state_dict()``.

What changes and what does not:

* ``step(params, grads, lr=None)`` returns a **new** dict of parameters; the
  ``params`` and ``grads`` dicts and their arrays are never modified.
* The optimiser's **own** state (velocities, running averages, step count) is
  updated in place by ``step``; copy the optimiser (``copy.deepcopy``) to keep
  an earlier state.
"""

from __future__ import annotations

import numbers
import types

import numpy as np


def _check_positive(name, value, allow_zero=False):
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name}: expected a {kind} finite number, got {value!r}")
    return v


def _check_grads(params: dict, grads: dict) -> tuple[dict, dict]:
    """Both dicts as float arrays with the same keys, shapes and dtypes; finite values."""
    for name, d in (("params", params), ("grads", grads)):
        if not isinstance(d, dict):
            raise ValueError(f"{name}: expected a dict name -> array, got {type(d).__name__}")
    if set(params) != set(grads):
        raise ValueError(
            f"grads: expected the keys of params {sorted(params)}, got {sorted(grads)}"
        )
    P, G = {}, {}
    for k in params:
        p, g = np.asarray(params[k]), np.asarray(grads[k])
        for name, a in ((f"params[{k!r}]", p), (f"grads[{k!r}]", g)):
            if not np.issubdtype(a.dtype, np.floating):
                raise ValueError(f"{name}: expected a float array, got dtype {a.dtype}")
        if g.shape != p.shape:
            raise ValueError(f"grads[{k!r}]: expected shape {p.shape}, got {g.shape}")
        if g.dtype != p.dtype:
            raise ValueError(
                f"grads[{k!r}]: expected dtype {p.dtype} (the dtype of params[{k!r}]), got {g.dtype}"
            )
        if not np.all(np.isfinite(g)):
            raise ValueError(f"grads[{k!r}]: expected finite values, got NaN or inf")
        P[k], G[k] = p, g
    return P, G


class Optimizer:
    """Shared machinery: per-parameter state arrays created lazily on the first step."""

    slots: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        self.lr = _check_positive("lr", lr)
        self.t = 0  # number of steps taken
        self.state: dict[str, dict[str, np.ndarray]] = {s: {} for s in self.slots}

    def _ensure_state(self, params: dict) -> None:
        for s in self.slots:
            for k, p in params.items():
                if k not in self.state[s]:
                    self.state[s][k] = np.zeros_like(p)

    def step(self, params: dict, grads: dict, lr: float | None = None) -> dict:
        """One update. Returns new parameters; ``params`` and ``grads`` are left unchanged.

        ``params`` and ``grads`` are dicts name -> float array with the same keys; each
        gradient must have the shape and dtype of its parameter and finite entries
        (ValueError naming the parameter otherwise). The new parameters and the
        optimiser's state keep that dtype (float32 stays float32).

        ``lr`` overrides the optimiser's learning rate for this step (a schedule).
        """
        params, grads = _check_grads(params, grads)
        lr = self.lr if lr is None else _check_positive("lr", lr, allow_zero=True)
        for s in self.slots:  # restored state must match the parameters it updates
            for k, v in self.state[s].items():
                if k in params and (v.shape != params[k].shape or v.dtype != params[k].dtype):
                    raise ValueError(
                        f"state[{s!r}][{k!r}]: expected {params[k].dtype} {params[k].shape} "
                        f"(like params[{k!r}]), got {v.dtype} {v.shape}"
                    )
        self._ensure_state(params)
        self.t += 1
        return {k: self._update(k, params[k], grads[k], lr) for k in params}

    def _update(self, k, p, g, lr):  # pragma: no cover - abstract
        raise NotImplementedError

    def state_dict(self) -> dict:
        """The state as a flat dict of arrays: ``{"t": ..., "m.E": ..., ...}``."""
        out = {"t": np.array(self.t, dtype=np.int64)}
        for s in self.slots:
            for k, v in self.state[s].items():
                out[f"{s}.{k}"] = v.copy()
        return out

    def load_state_dict(self, state: dict) -> None:
        """Restore a state saved by :meth:`state_dict` (arrays are copied)."""
        if "t" not in state:
            raise ValueError("state: expected a key 't' (the step count), got none")
        self.t = int(state["t"])
        self.state = {s: {} for s in self.slots}
        for key, v in state.items():
            if key == "t":
                continue
            slot, _, name = key.partition(".")
            if slot not in self.slots or not name:
                raise ValueError(
                    f"state: unexpected key {key!r} for {type(self).__name__} "
                    f"(slots {self.slots})"
                )
            self.state[slot][name] = np.array(v, copy=True)


class SGD(Optimizer):
    """Stochastic gradient descent with (heavy-ball) momentum.

    ``v <- mu * v + g``;  ``p <- p - lr * v``. With ``momentum=0`` this is plain SGD.
    """

    slots = ("v",)

    def __init__(self, lr: float = 0.1, momentum: float = 0.0) -> None:
        super().__init__(lr)
        self.momentum = _check_positive("momentum", momentum, allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum: expected a number in [0, 1), got {momentum!r}")

    def _update(self, k, p, g, lr):
        ### BEGIN SOLUTION
        v = self.state["v"][k] * p.dtype.type(self.momentum) + g
        self.state["v"][k] = v
        return p - p.dtype.type(lr) * v
        ### END SOLUTION


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011): a per-entry step size from the gradient history.

    ``G <- G + g**2``;  ``p <- p - lr * g / (sqrt(G) + eps)``.
    """

    slots = ("G",)

    def __init__(self, lr: float = 0.1, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.eps = _check_positive("eps", eps)

    def _update(self, k, p, g, lr):
        ### BEGIN SOLUTION
        G = self.state["G"][k] + g * g
        self.state["G"][k] = G
        return p - p.dtype.type(lr) * g / (np.sqrt(G) + p.dtype.type(self.eps))
        ### END SOLUTION


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum and a per-entry scale, both bias-corrected.

    At step t = 1, 2, ...:
    ``m <- b1 m + (1 - b1) g``;  ``v <- b2 v + (1 - b2) g**2``;
    ``m_hat = m / (1 - b1**t)``;  ``v_hat = v / (1 - b2**t)``;
    ``p <- p - lr * m_hat / (sqrt(v_hat) + eps)``.
    """

    slots = ("m", "v")

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(lr)
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= float(b) < 1:
                raise ValueError(f"{name}: expected a number in [0, 1), got {b!r}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = _check_positive("eps", eps)

    def _update(self, k, p, g, lr):
        ### BEGIN SOLUTION
        b1, b2, t = self.beta1, self.beta2, self.t
        m = (b1 * self.state["m"][k] + (1 - b1) * g).astype(p.dtype, copy=False)
        v = (b2 * self.state["v"][k] + (1 - b2) * (g * g)).astype(p.dtype, copy=False)
        self.state["m"][k], self.state["v"][k] = m, v
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        return p - (lr * m_hat / (np.sqrt(v_hat) + self.eps)).astype(p.dtype, copy=False)
        ### END SOLUTION


#: name -> optimiser class, read-only (the command line's ``--optimizer`` choices).
OPTIMIZERS = types.MappingProxyType({"sgd": SGD, "adagrad": Adagrad, "adam": Adam})


def linear_decay(lr0: float, step: int, horizon: int) -> float:
    """The learning rate of step ``step`` (0-based) under linear decay to 0 at ``horizon``.

    ``lr = lr0 * (1 - step / horizon)``, and 0 from ``horizon`` on.

    Parameters
    ----------
    lr0 : positive real, the rate of step 0.
    step : non-negative int.
    horizon : positive int, the step at which the rate reaches 0.
    """
    lr0 = _check_positive("lr0", lr0)
    if not isinstance(step, (int, np.integer)) or isinstance(step, bool) or step < 0:
        raise ValueError(f"step: expected a non-negative int, got {step!r}")
    if not isinstance(horizon, (int, np.integer)) or isinstance(horizon, bool) or horizon < 1:
        raise ValueError(f"horizon: expected a positive int, got {horizon!r}")
    return lr0 * max(0.0, 1.0 - step / horizon)
