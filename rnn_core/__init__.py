"""rnn_core: the reference numpy implementation behind *Recurrent Neural Networks from Scratch*.

Every ``*_forward`` returns ``(out, cache)``; every ``*_backward(dout, cache)``
returns the gradients named after the forward inputs. The parameter layout is
PyTorch's ``nn.RNN``: ``We`` is ``weight_ih_l0`` (Dh, d), ``Wh`` is
``weight_hh_l0`` (Dh, Dh), ``b1`` is ``bias_ih_l0 + bias_hh_l0`` (Dh,).
"""

from .activations import log_softmax, sigmoid, softmax
from .cells import StepCache, rnn_step_backward, rnn_step_forward
from .clipping import clip_gradients, global_norm
from .gradcheck import numerical_gradient, rel_error
from .gated_init import init_gated
from .gru import (
    GRUCache,
    GRUStepCache,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
)
from .heads import HeadCache, mse_head_backward, mse_head_forward
from .lstm import (
    LSTMCache,
    LSTMStepCache,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from .gradient_flow import (
    hidden_gradient_norms,
    hidden_gradients,
    jacobian_bound,
    jacobian_norms,
    step_jacobians,
)
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
from .tasks import ADDING_BASELINE_MSE, adding_problem, copy_memory, copy_memory_baseline
from .truncated import truncated_rnn_backward

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .data import StreamBatcher, Vocab, load_pydoc_corpus, load_text, split_ids
from .model import CharRNN, init_char_rnn
from .ngram import KneserNey, NGram, baseline_table, uniform_bpc
from .optim import SGD, Adagrad, Adam, linear_decay
from .sampling import apply_temperature, sample_ids, sample_text
from .training import TrainConfig, TrainingDivergedError, TrainState, train

__all__ = [
    "Adagrad",
    "Adam",
    "CharRNN",
    "CheckpointError",
    "KneserNey",
    "NGram",
    "SGD",
    "StreamBatcher",
    "TrainConfig",
    "TrainState",
    "TrainingDivergedError",
    "Vocab",
    "apply_temperature",
    "baseline_table",
    "init_char_rnn",
    "linear_decay",
    "load_checkpoint",
    "load_pydoc_corpus",
    "load_text",
    "sample_ids",
    "sample_text",
    "save_checkpoint",
    "split_ids",
    "train",
    "uniform_bpc",
    "clip_gradients",
    "global_norm",
    "hidden_gradient_norms",
    "hidden_gradients",
    "jacobian_bound",
    "jacobian_norms",
    "step_jacobians",
    "truncated_rnn_backward",
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
    "GRUCache",
    "GRUStepCache",
    "LSTMCache",
    "LSTMStepCache",
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
    "init_gated",
    "lstm_backward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "HeadCache",
    "mse_head_backward",
    "mse_head_forward",
    "ADDING_BASELINE_MSE",
    "adding_problem",
    "copy_memory",
    "copy_memory_baseline",
]
