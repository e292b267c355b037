"""Text for a character-level language model: corpus, vocabulary, split, stream batches.

The pipeline is

1. a corpus, one long string (:func:`load_pydoc_corpus`, or :func:`load_text` for a file);
2. a :class:`Vocab`, the sorted characters of the corpus, which turns text into ids;
3. :func:`split_ids`, contiguous blocks: the first 90 % to train, the last 10 % to validate,
   so no validation character is ever seen in training;
4. :class:`StreamBatcher`, which cuts the training ids into N parallel streams and serves them
   as consecutive (N, T) windows. Window k+1 continues exactly where window k stopped, so the
   hidden state at the end of one window is the right initial state of the next; after the last
   window the streams wrap around to their beginnings and the state is reset to zero.
"""

from __future__ import annotations

import os

import numpy as np

from .validation import as_id_vector, check_id_range, check_positive_int


def _ids(name: str, ids, min_length: int = 1) -> np.ndarray:
    """A list or tuple of ids as an array, then :func:`rnn_core.validation.as_id_vector`."""
    if isinstance(ids, (list, tuple)):
        ids = np.asarray(ids, dtype=np.int64 if not ids else None)
    return as_id_vector(name, ids, min_length)


def load_pydoc_corpus() -> str:
    """The bundled corpus: CPython 3.11.7's ``pydoc_data.topics``, joined in sorted key order.

    This is the reference documentation that ``help()`` prints (PSF licence), 464,970
    characters of English prose and Python code. The text ships with this package,
    xz-compressed (``rnn_core/corpus/pydoc_topics.txt.xz``), because ``pydoc_data.topics``
    itself changes from one Python release to the next: the same text, and the same
    numbers in the book, under every Python.
    """
    import lzma
    from importlib.resources import files

    packed = files("rnn_core").joinpath("corpus", "pydoc_topics.txt.xz").read_bytes()
    return lzma.decompress(packed).decode("utf-8")


def load_text(path, min_chars: int = 2) -> str:
    """Read a UTF-8 text file; raise ``ValueError`` with a one-line reason when it is unusable.

    Parameters
    ----------
    path : str or path-like, the file.
    min_chars : the fewest characters accepted.

    Returns
    -------
    text : str, the decoded contents (newlines kept as they are).
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise ValueError(f"text: file {path!r} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"text: {path!r} is a directory, expected a UTF-8 text file") from None
    except OSError as err:
        raise ValueError(f"text: cannot read {path!r}: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"text: {path!r} is not UTF-8 (byte {raw[err.start]:#04x} at offset {err.start}); "
            "convert it, e.g. with iconv -t UTF-8"
        ) from None
    if len(text) < min_chars:
        raise ValueError(
            f"text: {path!r} has {len(text)} characters, expected at least {min_chars}"
        )
    return text


class Vocab:
    """The character vocabulary: sorted distinct characters, id = position in that order.

    Parameters
    ----------
    chars : iterable of distinct single characters (they are sorted).
    """

    def __init__(self, chars) -> None:
        chars = list(chars)
        if any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise ValueError("chars: expected single characters")
        if len(set(chars)) != len(chars):
            raise ValueError("chars: expected distinct characters, got duplicates")
        if not chars:
            raise ValueError("chars: expected at least one character, got none")
        self.chars: tuple[str, ...] = tuple(sorted(chars))
        self._index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> "Vocab":
        """The vocabulary of every character that occurs in ``text``."""
        if not text:
            raise ValueError("text: expected a non-empty string, got ''")
        return cls(set(text))

    @property
    def size(self) -> int:
        """V, the number of characters."""
        return len(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocab) and self.chars == other.chars

    def __repr__(self) -> str:
        return f"Vocab(V={self.size})"

    def encode(self, text: str) -> np.ndarray:
        """``text`` as an (L,) int32 array of ids; an unknown character raises ValueError."""
        try:
            return np.fromiter((self._index[c] for c in text), dtype=np.int32, count=len(text))
        except KeyError as err:
            raise ValueError(
                f"text: character {err.args[0]!r} is not in the vocabulary (V={self.size})"
            ) from None

    def decode(self, ids) -> str:
        """The text of an (L,) integer array (or list) of ids in [0, V)."""
        ids = check_id_range("ids", _ids("ids", ids, min_length=0), self.size)
        return "".join(self.chars[i] for i in ids)


def split_ids(ids, valid_fraction: float = 0.1):
    """Split a sequence into contiguous blocks: the first part trains, the last validates.

    Parameters
    ----------
    ids : (L,) integer ids.
    valid_fraction : in (0, 1); the validation block has ``round(L * valid_fraction)`` ids.

    Returns
    -------
    train : (L - Lv,) copy of the first ids.
    valid : (Lv,) copy of the last ids.
    """
    ids = _ids("ids", ids)
    start = split_point(len(ids), valid_fraction)
    n_valid = len(ids) - start
    if n_valid < 2 or start < 2:
        raise ValueError(
            f"ids: {len(ids)} ids are too few to split with valid_fraction={valid_fraction}"
        )
    return ids[:start].copy(), ids[start:].copy()


def split_point(L: int, valid_fraction: float = 0.1) -> int:
    """Where :func:`split_ids` cuts L ids: the index of the first validation id.

    L : int >= 0, the length of the sequence. valid_fraction : a float in (0, 1).
    Returns ``L - round(L * valid_fraction)``.
    """
    L = check_positive_int("L", L, minimum=0)
    ok = isinstance(valid_fraction, (float, np.floating))
    if not (ok and 0 < valid_fraction < 1):
        raise ValueError(
            f"valid_fraction: expected a float in (0, 1), got {type(valid_fraction).__name__} "
            f"{valid_fraction!r}"
        )
    return L - int(round(L * valid_fraction))


class StreamBatcher:
    """Serve a long id sequence as N parallel streams, in consecutive (N, T) windows.

    The ids are cut into N contiguous streams of ``L // N`` ids each (the remainder is
    dropped); stream n is row n of ``streams``. Window k holds, for every stream, the
    inputs ``streams[:, k*T : k*T + T]`` and the targets shifted by one,
    ``streams[:, k*T + 1 : k*T + T + 1]``. So row n of window k+1 continues row n of
    window k: the hidden state can be carried from one window to the next. There are
    ``n_windows = (L // N - 1) // T`` windows; window ``n_windows`` is window 0 again
    (wrap-around), where the carried state must be reset.

    The batcher holds no position: the caller asks for window ``k`` explicitly, so a
    training run can be saved and resumed at any step.

    Parameters
    ----------
    ids : (L,) integer ids, the training text.
    N : number of streams (the batch size).
    T : window length (the truncation length of BPTT).
    """

    def __init__(self, ids, N: int, T: int) -> None:
        ids = _ids("ids", ids)
        N, T = check_positive_int("N", N), check_positive_int("T", T)
        need = N * (T + 1)
        if len(ids) < need:
            raise ValueError(
                f"ids: {len(ids)} training characters are too few for {N} streams of windows "
                f"of {T}; expected at least N*(T+1) = {need}"
            )
        L = len(ids) // N
        self.N, self.T = int(N), int(T)
        self.streams = ids[: N * L].reshape(N, L).copy()  # (N, L)
        self.n_windows = (L - 1) // T

    def window(self, k: int):
        """Window ``k`` (taken modulo ``n_windows``).

        Returns
        -------
        x : (N, T) input ids.
        y : (N, T) target ids, ``y[:, t]`` is the character after ``x[:, t]``.
        reset : bool, True when this is window 0 (reset the carried hidden state).
        """
        k = int(k) % self.n_windows
        s = k * self.T
        return self.streams[:, s : s + self.T], self.streams[:, s + 1 : s + self.T + 1], k == 0


def stream_view(ids, N: int):
    """The evaluation layout: ``ids`` cut into N contiguous streams, inputs and targets.

    Every id after the first of each stream is predicted exactly once; the last
    ``len(ids) % N`` ids are dropped.

    Parameters
    ----------
    ids : (L,) integer ids.
    N : positive int, the number of streams.

    Returns
    -------
    x : (N, M) inputs, y : (N, M) targets with ``M = len(ids) // N - 1``.
    """
    ids = _ids("ids", ids)
    N = check_positive_int("N", N)
    L = len(ids) // N
    if L < 2:
        raise ValueError(f"ids: {len(ids)} ids are too few for {N} streams")
    s = ids[: N * L].reshape(N, L)
    return s[:, :-1], s[:, 1:]
