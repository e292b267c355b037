"""rnn_core: the reference numpy implementation behind *Recurrent Neural Networks from Scratch*.

Every ``*_forward`` returns ``(out, cache)``; every ``*_backward(dout, cache)``
returns the gradients named after the forward inputs. The parameter layout is
PyTorch's ``nn.RNN``: ``We`` is ``weight_ih_l0`` (Dh, d), ``Wh`` is
``weight_hh_l0`` (Dh, Dh), ``b1`` is ``bias_ih_l0 + bias_hh_l0`` (Dh,).
"""

from .activations import log_softmax, sigmoid, softmax
from .cells import StepCache, rnn_step_backward, rnn_step_forward
from .gradcheck import numerical_gradient, rel_error
from .layers import (
    AffineCache,
    EmbeddingCache,
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
)
from .losses import softmax_cross_entropy
from .recurrent import RNNCache, backprop_recurrence, rnn_backward, rnn_forward

__all__ = [
    "AffineCache",
    "EmbeddingCache",
    "RNNCache",
    "StepCache",
    "affine_backward",
    "affine_forward",
    "backprop_recurrence",
    "embedding_backward",
    "embedding_forward",
    "log_softmax",
    "numerical_gradient",
    "rel_error",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
]
