"""The one table that ties chapters to the ``rnn_core`` functions they derive.

A chapter plugs into the student editions, the grader, the instructor page and
the dependency graph by adding one :class:`rnn_book.table.Chapter` entry to
:data:`rnn_book.table.CHAPTERS`
(and, for each function it derives, solution markers around its whole body and
checks in :mod:`rnn_assign.checks`, which the grader and the students' ``check.py`` run).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

class Chapter(NamedTuple):
    number: int
    notebook: str  # file name in book/
    title: str  # the notebook's H1 title (tests/test_rnn_book_table.py checks it)
    derives: tuple[tuple[str, str], ...]  # (module file in rnn_core/, function name)
    depends_on: tuple[int, ...]  # chapters whose functions or ideas this one uses
    minutes: int  # estimated study time, reading + exercises
    objectives: tuple[str, ...]


CHAPTERS: dict[int, Chapter] = {
    c.number: c
    for c in [
        Chapter(
            1, "ch01_rnn_cell.ipynb", "The RNN cell",
            (("cells.py", "rnn_step_forward"),),
            (), 60,
            ("Write one recurrent step `h_next = act(h_prev @ Wh.T + x_t @ We.T + b1)`, shapes `(N, Dh)`.",
             "Map PyTorch's `nn.RNN` parameter layout onto `We`, `Wh`, `b1`.",
             "Compare sigmoid, tanh and ReLU as the cell's activation."),
        ),
        Chapter(
            2, "ch02_unrolling.ipynb", "Unrolling through time",
            (("recurrent.py", "rnn_forward"),),
            (1,), 60,
            ("Unroll the cell over T steps with shared weights.",
             "Move the input projection out of the time loop: one matmul for all steps.",
             "Return batch-major `(N, T, Dh)` states while computing time-major inside."),
        ),
        Chapter(
            3, "ch03_predictions.ipynb", "From hidden states to predictions",
            (("activations.py", "softmax"), ("layers.py", "embedding_forward"),
             ("layers.py", "affine_forward"), ("losses.py", "softmax_cross_entropy")),
            (2,), 75,
            ("Embed token ids and score every step with one affine layer.",
             "Compute a numerically stable softmax and the mean cross-entropy with a mask.",
             "Relate the loss to perplexity and bits per token."),
        ),
        Chapter(
            4, "ch04_backprop_step.ipynb", "Backpropagation through one step",
            (("cells.py", "rnn_step_backward"), ("layers.py", "affine_backward"),
             ("layers.py", "embedding_backward")),
            (1, 3), 90,
            ("Derive the gradients of one step, of the affine layer and of the embedding.",
             "Check every gradient against central differences (`numerical_gradient`, `rel_error`).",
             "Explain why a repeated id sums its gradients (scatter-add)."),
        ),
        Chapter(
            5, "ch05_bptt.ipynb", "Backpropagation through time",
            (("recurrent.py", "backprop_recurrence"), ("recurrent.py", "rnn_backward")),
            (2, 4), 90,
            ("Carry the gradient back through the recurrence, step by step.",
             "Sum the gradients of shared weights over time in one matmul.",
             "Verify BPTT end to end against numerical gradients."),
        ),
        Chapter(
            6, "ch06_gradient_flow.ipynb", "Vanishing and exploding gradients",
            (("clipping.py", "clip_gradients"), ("truncated.py", "truncated_rnn_backward")),
            (5,), 90,
            ("Measure `dL/dh_t` and the Jacobian norms `||dh_T/dh_t||`; see them vanish or explode.",
             "Bound the Jacobian norms (Pascanu, Mikolov and Bengio 2013).",
             "Clip gradients by global norm, and truncate BPTT to a window."),
        ),
        Chapter(
            7, "ch07_char_lm.ipynb", "A character-level language model",
            (("ngram.py", "NGram.log2_probs"), ("optim.py", "SGD._update"),
             ("optim.py", "Adagrad._update"), ("optim.py", "Adam._update"),
             ("sampling.py", "sample_ids"), ("training.py", "train")),
            (3, 5, 6), 120,
            ("Train a character-level RNN language model end to end.",
             "Track the loss in bits per character and sample text from the model.",
             "Use the tools of chapter 6 (clipping, truncation) in a training loop."),
        ),
        Chapter(
            8, "ch08_lstm.ipynb", "The LSTM",
            (("lstm.py", "lstm_step_forward"), ("lstm.py", "lstm_step_backward"),
             ("lstm.py", "lstm_forward"), ("lstm.py", "lstm_backward")),
            (4, 5, 6), 90,
            ("Write the LSTM step, `c_next = f * c_prev + i * g`, `h_next = o * tanh(c_next)`, "
             "gates stacked i, f, g, o as in PyTorch.",
             "Derive every gradient of one step, `dc_prev` included, and of the sequence; "
             "check them numerically.",
             "Convert weights between PyTorch's gate order (i, f, g, o) and CS231n's (i, f, o, g).",
             "Explain why the forget gate's bias starts at 1, and measure what it changes."),
        ),
        Chapter(
            9, "ch09_gru.ipynb", "The GRU, and why gates work",
            (("gru.py", "gru_step_forward"), ("gru.py", "gru_step_backward"),
             ("gru.py", "gru_forward"), ("gru.py", "gru_backward")),
            (6, 8), 90,
            ("Write the GRU step in PyTorch's form (gates r, z, n) and say why it needs two biases.",
             "Derive and check its backward pass, the copy path `dh_next * z` included.",
             "Read the update gate as a learned leaky integrator; count the parameters and FLOPs "
             "of the three cells.",
             "Measure the Jacobian products of the vanilla, LSTM and GRU cells, and say when "
             "gating does not keep them near 1."),
        ),
        Chapter(
            10, "ch10_long_range.ipynb", "Long-range dependencies",
            (("heads.py", "mse_head_forward"), ("heads.py", "mse_head_backward")),
            (5, 6, 7, 8, 9), 90,
            ("Derive the adding problem's baseline: a model that remembers nothing scores "
             "Var(a + b) = 1/6.",
             "Write the many-to-one head, last state -> affine -> mean squared error, and its "
             "backward: `dh` is `2/M (yhat - y) U.T` at the last step and zero before.",
             "Train the tanh RNN, the IRNN, the LSTM and the GRU with the same budget, and read "
             "where each one stops learning as the distance grows.",
             "Measure the gradient that reaches the first marker, before and after training."),
        ),
    ]
}


# Functions with solution markers that no chapter assigns yet, and why. The student
# editions leave them as they are; tests/test_rnn_book_table.py keeps this list honest.
NOT_ASSIGNED: dict[str, str] = {}


def resolve_chapter(spec) -> Chapter:
    """A chapter from its number (``3``, ``"3"``, ``"03"``) or notebook name (``ch03_predictions.ipynb``)."""
    text = str(spec).strip()
    name = Path(text).name
    for chapter in CHAPTERS.values():
        if name in (chapter.notebook, Path(chapter.notebook).stem):
            return chapter
    try:
        number = int(text)
    except ValueError:
        number = None
    if number in CHAPTERS:
        return CHAPTERS[number]
    raise ValueError(
        f"CHAPTER: expected a number in {sorted(CHAPTERS)} or a notebook name such as "
        f"{CHAPTERS[1].notebook!r}, got {spec!r}"
    )


def owner_of(function: str) -> int:
    """The chapter that derives ``function``."""
    for chapter in CHAPTERS.values():
        if function in (f for _, f in chapter.derives):
            return chapter.number
    raise KeyError(function)
