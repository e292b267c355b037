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

import types

import numpy as np

from .contracts import arrays, positive_int, positive_real, shapes
from .validation import check_positive_real


def _below_one(name: str, value) -> float:
    """A real in [0, 1): a momentum or an Adam decay rate."""
    value = check_positive_real(name, value, allow_zero=True)
    if value >= 1:
        raise ValueError(f"{name}: expected a number in [0, 1), got {value!r}")
    return value


class Optimizer:
    """Shared machinery: per-parameter state arrays created lazily on the first step."""

    slots: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        self.lr = check_positive_real("lr", lr)
        self.t = 0  # number of steps taken
        self.state: dict[str, dict[str, np.ndarray]] = {s: {} for s in self.slots}

    def _ensure_state(self, params: dict) -> None:
        for s in self.slots:
            for k, p in params.items():
                if k not in self.state[s]:
                    self.state[s][k] = np.zeros_like(p)

    @shapes(params=arrays(), grads=arrays(like="params"), lr=positive_real(allow_zero=True))
    def step(self, params: dict, grads: dict, lr: float | None = None) -> dict:
        """One update. Returns new parameters; ``params`` and ``grads`` are left unchanged.

        ``params`` and ``grads`` are dicts name -> float32/float64 numpy array with the same
        keys and finite entries; each gradient must have the shape and dtype of its
        parameter (ValueError naming the entry otherwise). The new parameters and the
        optimiser's state keep that dtype (float32 stays float32).

        ``lr`` overrides the optimiser's learning rate for this step (a schedule).
        """
        lr = self.lr if lr is None else lr
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
        self.momentum = _below_one("momentum", momentum)

    def _update(self, k, p, g, lr):
        """One parameter's update: the new ``p``; this optimiser's state for ``k`` is updated.

        p : any shape, float32/float64, the parameter named ``k``.
        g : the shape and dtype of ``p``, its gradient. lr : float, this step's rate.
        Returns an array of the shape and dtype of ``p`` (Python floats do not promote).
        """
        ### BEGIN SOLUTION
        v = self.state["v"][k] * self.momentum + g
        self.state["v"][k] = v
        return p - lr * v
        ### END SOLUTION


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011): a per-entry step size from the gradient history.

    ``G <- G + g**2``;  ``p <- p - lr * g / (sqrt(G) + eps)``.
    """

    slots = ("G",)

    def __init__(self, lr: float = 0.1, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.eps = check_positive_real("eps", eps)

    def _update(self, k, p, g, lr):
        """One parameter's update: the new ``p``; this optimiser's state for ``k`` is updated.

        p : any shape, float32/float64, the parameter named ``k``.
        g : the shape and dtype of ``p``, its gradient. lr : float, this step's rate.
        Returns an array of the shape and dtype of ``p`` (Python floats do not promote).
        """
        ### BEGIN SOLUTION
        G = self.state["G"][k] + g * g
        self.state["G"][k] = G
        return p - lr * g / (np.sqrt(G) + self.eps)
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
        self.beta1, self.beta2 = _below_one("beta1", beta1), _below_one("beta2", beta2)
        self.eps = check_positive_real("eps", eps)

    def _update(self, k, p, g, lr):
        """One parameter's update: the new ``p``; this optimiser's state for ``k`` is updated.

        p : any shape, float32/float64, the parameter named ``k``.
        g : the shape and dtype of ``p``, its gradient. lr : float, this step's rate.
        Returns an array of the shape and dtype of ``p`` (Python floats do not promote).
        """
        ### BEGIN SOLUTION
        b1, b2, t = self.beta1, self.beta2, self.t
        m = b1 * self.state["m"][k] + (1 - b1) * g
        v = b2 * self.state["v"][k] + (1 - b2) * (g * g)
        self.state["m"][k], self.state["v"][k] = m, v
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        return p - lr * m_hat / (np.sqrt(v_hat) + self.eps)
        ### END SOLUTION


#: name -> optimiser class, read-only (the command line's ``--optimizer`` choices).
OPTIMIZERS = types.MappingProxyType({"sgd": SGD, "adagrad": Adagrad, "adam": Adam})


@shapes(lr0=positive_real(), step=positive_int(0), horizon=positive_int())
def linear_decay(lr0: float, step: int, horizon: int) -> float:
    """The learning rate of step ``step`` (0-based) under linear decay to 0 at ``horizon``.

    ``lr = lr0 * (1 - step / horizon)``, and 0 from ``horizon`` on.

    Parameters
    ----------
    lr0 : positive real, the rate of step 0.
    step : int >= 0, the 0-based step.
    horizon : int >= 1, the step at which the rate reaches 0.

    Returns
    -------
    lr : float in [0, lr0], the learning rate of that step.
    """
    return lr0 * max(0.0, 1.0 - step / horizon)
