"""Count-based baselines for a character model, scored in bits per character.

An n-gram model predicts a character from the n-1 characters before it, with add-k
smoothing: ``P(c | ctx) = (count(ctx, c) + k) / (count(ctx) + k V)``. Order 1 is the
unigram model (no context); the uniform model is ``log2 V`` bits per character.
"""

from __future__ import annotations

import numpy as np

from .validation import as_id_vector, check_positive_int, check_positive_real

_INT64_MAX = np.iinfo(np.int64).max


def _codes(ids: np.ndarray, order: int, V: int) -> np.ndarray:
    """Integer code of each window of ``order`` ids: ``sum ids[i+j] * V**(order-1-j)``."""
    n = len(ids) - order + 1
    code = np.zeros(n, dtype=np.int64)
    for j in range(order):
        code = code * V + ids[j : j + n]
    return code


def _check_ids(name, ids, V, min_length=0):
    """(L,) integer ids in [0, V), L >= min_length, as int64."""
    ids = as_id_vector(name, ids, min_length)
    if ids.size and (ids.min() < 0 or ids.max() >= V):
        raise ValueError(f"{name}: expected ids in [0, {V}), got {ids.min()}..{ids.max()}")
    return ids.astype(np.int64)


def uniform_bpc(V: int) -> float:
    """Bits per character of guessing uniformly among V characters: ``log2 V`` (V an int >= 1)."""
    V = check_positive_int("V", V)
    return float(np.log2(V))


class NGram:
    """An add-k smoothed character n-gram model.

    Parameters
    ----------
    order : n >= 1 (1 = unigram, 2 = bigram, 3 = trigram, ...).
    V : vocabulary size.
    k : the pseudo-count added to every (context, character) pair, a real > 0.

    The n-grams are coded as integers below ``V**order``, which must fit in int64.
    """

    def __init__(self, order: int, V: int, k: float = 1.0) -> None:
        order, V = check_positive_int("order", order), check_positive_int("V", V)
        k = check_positive_real("k", k)
        if int(V) ** int(order) > _INT64_MAX:
            raise ValueError(
                f"order: expected V**order <= 2**63 - 1 (the n-gram codes are int64), got "
                f"V={V}, order={order}: V**order = {int(V) ** int(order):.3g}"
            )
        self.order, self.V, self.k = int(order), int(V), float(k)
        self._grams = self._gram_counts = self._ctx = self._ctx_counts = None

    def fit(self, ids) -> "NGram":
        """Count every n-gram and every context in the training ids.

        Parameters
        ----------
        ids : (L,) integer ids in [0, V), L >= order.

        Returns
        -------
        self, fitted.
        """
        ids = _check_ids("ids", ids, self.V, self.order)
        codes = _codes(ids, self.order, self.V)
        self._grams, self._gram_counts = np.unique(codes, return_counts=True)
        ctx = codes // self.V  # the context of each counted n-gram
        self._ctx, self._ctx_counts = np.unique(ctx, return_counts=True)
        return self

    @staticmethod
    def _lookup(keys, counts, query):
        pos = np.searchsorted(keys, query)
        pos = np.minimum(pos, len(keys) - 1)
        return np.where(keys[pos] == query, counts[pos], 0)

    def log2_probs(self, ids) -> np.ndarray:
        """``log2 P(ids[i] | ids[i-n+1:i])`` for every i >= n-1.

        ids : (L,) integer ids in [0, V), L >= order. Returns (L - order + 1,) float64.
        """
        ### BEGIN SOLUTION
        if self._grams is None:
            raise ValueError("NGram: call fit(ids) before scoring")
        ids = _check_ids("ids", ids, self.V, self.order)
        codes = _codes(ids, self.order, self.V)
        c_gram = self._lookup(self._grams, self._gram_counts, codes)
        c_ctx = self._lookup(self._ctx, self._ctx_counts, codes // self.V)
        p = (c_gram + self.k) / (c_ctx + self.k * self.V)
        return np.log2(p)
        ### END SOLUTION

    def bits_per_char(self, ids) -> float:
        """Mean ``-log2 P`` over the characters of ``ids`` that have a full context."""
        return float(-self.log2_probs(ids).mean())

    def probs(self, context) -> np.ndarray:
        """The next-character distribution after ``context``.

        context : (C,) integer ids in [0, V), C >= order - 1; only the last order - 1 are used.
        Returns (V,) float64 probabilities summing to 1.
        """
        context = _check_ids("context", context, self.V, self.order - 1)
        context = context[len(context) - (self.order - 1):]
        grams = np.concatenate([np.tile(context, (self.V, 1)), np.arange(self.V)[:, None]], axis=1)
        return 2.0 ** np.array([self.log2_probs(g)[0] for g in grams])


def baseline_table(train_ids, valid_ids, V: int, k_values=(1.0, 0.1), orders=(1, 2, 3)):
    """Bits per character on ``valid_ids`` of the uniform model and of add-k n-grams.

    Parameters
    ----------
    train_ids : (L,) integer ids in [0, V) to count the n-grams in.
    valid_ids : (Lv,) integer ids in [0, V) to score, Lv >= max(orders).
    V : int >= 1, the vocabulary size.
    k_values : pseudo-counts k > 0 to try.
    orders : n-gram orders n >= 1 to try.

    Returns
    -------
    rows : list of (name, bits per character), uniform first.
    """
    rows = [("uniform (log2 V)", uniform_bpc(V))]
    names = {1: "unigram", 2: "bigram", 3: "trigram"}
    for order in orders:
        for k in k_values:
            m = NGram(order, V, k).fit(train_ids)
            rows.append((f"{names.get(order, f'{order}-gram')} add-{k:g}", m.bits_per_char(valid_ids)))
    return rows
