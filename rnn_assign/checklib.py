"""What the student's and the grader's checks share: written once, shipped inside each.

The student's ``check.py`` is this module followed by :mod:`rnn_assign.student_checks`;
the grader's ``checks.py`` is this module followed by :mod:`rnn_assign.checks`
(:func:`rnn_assign.edition.standalone` joins them). So this module, like those two,
imports numpy and the standard library only, never ``rnn_core``: the checks are
handed the code under test as ``rnn``, a :class:`Namespace` over a submission's
``rnn_core``.
"""

import hashlib
import importlib

import numpy as np

GRAD_TOL = 1e-6  # relative error of analytic vs numerical gradients, float64
FIXED_TOL = 1e-9
ACTIVATIONS = ("sigmoid", "tanh", "relu")
MODULES = ("cells", "recurrent", "layers", "losses", "activations", "truncated", "clipping",
           "gradient_flow", "optim", "model", "sampling", "ngram", "training", "data",
           "gradcheck")


class Namespace:
    """``rnn_core``'s top level, then its submodules: ``rnn.truncated_rnn_backward`` works."""

    def __init__(self, package):
        self._sources = [package]
        for name in MODULES:
            try:
                self._sources.append(importlib.import_module(f"{package.__name__}.{name}"))
            except ImportError:
                pass

    def __getattr__(self, name):
        for source in self._sources:
            if hasattr(source, name):
                return getattr(source, name)
        raise AttributeError(f"rnn_core has no attribute {name!r}")


class KnownAnswer(dict):
    """Outputs to compare with the digests of the reference outputs (student checks)."""


def digest(value) -> str:
    """A fingerprint of an array rounded to 6 decimals: the answer stays hidden."""
    a = np.asarray(value, dtype=np.float64)
    r = np.round(a, 6) + 0.0
    return hashlib.sha256(repr(a.shape).encode() + r.tobytes()).hexdigest()[:20]


def _rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise AssertionError(f"shape {a.shape}, expected {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def _grads(names, analytic, numeric):
    """Each analytic gradient against its numerical one; the worst relative error."""
    analytic = list(analytic)
    if len(analytic) != len(names):
        raise AssertionError(f"expected {len(names)} gradients ({', '.join(names)}), "
                             f"got {len(analytic)}")
    worst = 0.0
    for name, a, n in zip(names, analytic, numeric):
        err = _rel(a, n)
        if not err < GRAD_TOL:
            raise AssertionError(f"{name}: relative error {err:.1e} against the numerical "
                                 f"gradient (limit {GRAD_TOL:.0e})")
        worst = max(worst, err)
    return f"max rel. error {worst:.1e}"


def _close(name, got, expected, tol=FIXED_TOL):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise AssertionError(f"{name}: shape {got.shape}, expected {expected.shape}")
    if not np.allclose(got, expected, rtol=tol, atol=tol):
        raise AssertionError(f"{name}: got {np.round(got, 4).tolist()}, "
                             f"expected {np.round(expected, 4).tolist()}")


def _shape(name, got, shape):
    if np.shape(got) != tuple(shape):
        raise AssertionError(f"{name}: shape {np.shape(got)}, expected {tuple(shape)}")


def _unchanged(name, before, after):
    if not np.array_equal(before, after):
        raise AssertionError(f"{name} was modified")


def rnn_inputs(rng, d=3, Dh=4, N=2, T=3, scale=0.6):
    """Inputs and weights of an RNN: x (N, T, d), h0 (N, Dh), Wh, We, b1."""
    return dict(x=rng.normal(size=(N, T, d)), h0=rng.normal(size=(N, Dh)) * scale,
                Wh=rng.normal(size=(Dh, Dh)) * scale, We=rng.normal(size=(Dh, d)) * scale,
                b1=rng.normal(size=Dh) * 0.3)


class _PlainSGD:
    """``p - lr * g``: the checks' own optimiser, so a train check does not rest on optim.py."""

    def __init__(self):
        self.t, self.state = 0, {}  # train() snapshots these of any optimiser; no slots here

    def step(self, params, grads, lr):
        self.t += 1
        return {k: params[k] - lr * grads[k] for k in params}
