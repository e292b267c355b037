"""Count-based baselines for a character model, scored in bits per character.

An n-gram model predicts a character from the n-1 characters before it, with add-k
smoothing: ``P(c | ctx) = (count(ctx, c) + k) / (count(ctx) + k V)``. Order 1 is the
unigram model (no context); the uniform model is ``log2 V`` bits per character.

:class:`KneserNey` is the honest baseline: interpolated Kneser-Ney, absolute discounting
with continuation counts, interpolated recursively down to the uniform distribution.
"""

from __future__ import annotations

import numpy as np

from .validation import as_id_vector, check_id_range, check_positive_int, check_positive_real

_INT64_MAX = np.iinfo(np.int64).max


def _codes(ids: np.ndarray, order: int, V: int) -> np.ndarray:
    """Integer code of each window of ``order`` ids: ``sum ids[i+j] * V**(order-1-j)``."""
    n = len(ids) - order + 1
    code = np.zeros(n, dtype=np.int64)
    for j in range(order):
        code = code * V + ids[j : j + n]
    return code


def _check_codes_fit(V: int, order: int) -> None:
    """The n-gram codes are int64: ``V**order`` must fit."""
    if int(V) ** int(order) > _INT64_MAX:
        raise ValueError(
            f"order: expected V**order <= 2**63 - 1 (the n-gram codes are int64), got "
            f"V={V}, order={order}: V**order = {int(V) ** int(order):.3g}"
        )


def _check_discount(discount):
    """None (Ney's estimate) or a Kneser-Ney discount D in (0, 1], as a float."""
    if discount is None:
        return None
    discount = check_positive_real("discount", discount)
    if discount > 1:
        raise ValueError(f"discount: expected a real in (0, 1], got {discount!r}")
    return discount


def _check_ids(name, ids, V, min_length=0):
    """(L,) integer ids in [0, V), L >= min_length, as int64."""
    return check_id_range(name, as_id_vector(name, ids, min_length), V).astype(np.int64)


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
        _check_codes_fit(V, order)
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
        codes = self._scored_codes(ids)  # one code per n-gram of ids
        c_gram = self._lookup(self._grams, self._gram_counts, codes)
        c_ctx = self._lookup(self._ctx, self._ctx_counts, codes // self.V)
        p = (c_gram + self.k) / (c_ctx + self.k * self.V)
        return np.log2(p)
        ### END SOLUTION

    def _scored_codes(self, ids) -> np.ndarray:
        """The n-gram codes of ``ids`` to score, once the model is fitted and ``ids`` checked."""
        if self._grams is None:
            raise ValueError("NGram: call fit(ids) before scoring")
        return _codes(_check_ids("ids", ids, self.V, self.order), self.order, self.V)

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


# --------------------------------------------------------------------------------------
# Interpolated Kneser-Ney
# --------------------------------------------------------------------------------------

from typing import NamedTuple  # noqa: E402  (kept beside the code that uses it)

from .contracts import Check, ids as id_array, positive_int, positive_real, shapes  # noqa: E402


def _size_of(letter: str) -> Check:
    """A contract entry for an ``int >= 1`` that binds the letter ``letter`` (e.g. V)."""

    def check(name, value, call):
        value = check_positive_int(name, value)
        call.dims.sizes[letter], call.dims.source[letter] = int(value), name
        return value

    return Check(f"int >= 1, binds {letter}", check)


class KNLevel(NamedTuple):
    """The counts of one level m (1 <= m <= order) of a Kneser-Ney model.

    The count a(g) is the raw count at the top level and the continuation count
    N1+(. g) (distinct characters seen before g) below it.

    grams : (G,) int64, sorted codes of the m-grams with a count (see ``_codes``).
    counts : (G,) int64, their count a(g).
    contexts : (H,) int64, sorted codes of the (m-1)-gram contexts, ``gram // V``.
    totals : (H,) int64, A(h) = sum over c of a(h c).
    types : (H,) int64, N1+(h .) = how many characters c have a(h c) > 0.
    discount : float in (0, 1], the D subtracted from every positive count.
    """

    grams: np.ndarray
    counts: np.ndarray
    contexts: np.ndarray
    totals: np.ndarray
    types: np.ndarray
    discount: float


def _ney_discount(counts: np.ndarray) -> float:
    """Ney's estimate ``D = n1 / (n1 + 2 n2)`` (n_r = number of grams counted r times); 0.5 if
    there are no singletons or no doubletons to estimate it from."""
    n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
    return n1 / (n1 + 2 * n2) if n1 and n2 else 0.5


def _level(grams: np.ndarray, counts: np.ndarray, V: int, discount) -> KNLevel:
    """A :class:`KNLevel` from sorted gram codes and their counts a(g)."""
    ctx = grams // V
    contexts, start, types = np.unique(ctx, return_index=True, return_counts=True)
    totals = np.add.reduceat(counts, start)
    D = _ney_discount(counts) if discount is None else float(discount)
    return KNLevel(grams, counts, contexts, totals, types, D)


@shapes(V=_size_of("V"), train_ids=id_array("L", below="V"), order=positive_int(),
        discount=positive_real())
def kneser_ney_counts(train_ids, V, order, discount=None) -> list:
    """Count what interpolated Kneser-Ney needs, for every level m = 1 .. order.

    Level ``order`` counts each n-gram; every lower level m counts, for each m-gram g,
    its **continuation count** N1+(. g): the number of distinct characters that precede
    g in the text (the number of distinct (m+1)-grams ending in g). A character that
    follows many different contexts is a good guess for a context never seen; one that
    is frequent only after one context is not.

    Parameters
    ----------
    train_ids : (L,) integer ids in [0, V), L >= order.
    V : int >= 1, the vocabulary size.
    order : int >= 1, the n of the n-gram (the context is the n - 1 characters before).
    discount : the D in (0, 1] of every level, or None for Ney's estimate
        ``n1 / (n1 + 2 n2)`` per level.

    Returns
    -------
    levels : list of ``order`` :class:`KNLevel`, level m at index m - 1.
    """
    if len(train_ids) < order:
        raise ValueError(f"train_ids: expected shape (L,) with L >= order = {order}, "
                         f"got {train_ids.shape}")
    discount = _check_discount(discount)
    _check_codes_fit(V, order)
    train_ids = train_ids.astype(np.int64)
    top, top_counts = np.unique(_codes(train_ids, order, V), return_counts=True)
    levels = [_level(top, top_counts, V, discount)]
    types = top  # the distinct (m+1)-grams, from which level m's continuation counts come
    for m in range(order - 1, 0, -1):
        grams, continuation = np.unique(types % V**m, return_counts=True)  # suffix g of each
        levels.insert(0, _level(grams, continuation, V, discount))
        types = np.unique(_codes(train_ids, m, V))
    return levels


def _kneser_ney_probs(level_codes: list, levels: list, V: int) -> np.ndarray:
    """Interpolated Kneser-Ney probabilities of K queries.

    level_codes[m - 1] : (K,) codes of the m-gram (context of m - 1 characters, then the
    character c) of each query. Returns (K,) probabilities P_order(c | context).

    The recursion, from the uniform distribution up, with a(h c), A(h), N1+(h .) and D of
    level m (:class:`KNLevel`) and h' the context h without its first character::

        P_0(c) = 1 / V
        P_m(c | h) = ( max(a(h c) - D, 0) + D N1+(h .) P_{m-1}(c | h') ) / A(h)   if A(h) > 0
        P_m(c | h) = P_{m-1}(c | h')                                              if A(h) = 0

    Every A(h) > 0 level gives away D for each of its N1+(h .) seen characters, and
    hands exactly that mass to the level below: the probabilities sum to 1.
    """
    p = np.full(len(level_codes[0]), 1.0 / V)
    for codes, lv in zip(level_codes, levels):
        a = NGram._lookup(lv.grams, lv.counts, codes)
        A = NGram._lookup(lv.contexts, lv.totals, codes // V)
        seen = NGram._lookup(lv.contexts, lv.types, codes // V)
        backoff = lv.discount * seen * p
        p = np.where(A > 0, (np.maximum(a - lv.discount, 0.0) + backoff) / np.maximum(A, 1), p)
    return p


class KneserNey:
    """An interpolated Kneser-Ney character n-gram model (Kneser and Ney, 1995).

    Absolute discounting with continuation counts, interpolated: every seen count gives
    up a discount D, and the mass freed is spread by the model one character shorter,
    whose counts are continuation counts (how many different characters come before a
    gram, not how often it occurs), down to the uniform distribution. With a(h c), A(h),
    N1+(h .) and D of level m (see :class:`KNLevel` and :func:`kneser_ney_counts`)::

        P_0(c) = 1 / V
        P_m(c | h) = ( max(a(h c) - D, 0) + D N1+(h .) P_{m-1}(c | h') ) / A(h)   if A(h) > 0
        P_m(c | h) = P_{m-1}(c | h')                                              if A(h) = 0

    Parameters
    ----------
    order : n >= 1 (the context is the n - 1 characters before).
    V : vocabulary size.
    discount : D in (0, 1] at every level, or None (default) for Ney's estimate
        ``n1 / (n1 + 2 n2)`` per level.
    """

    def __init__(self, order: int, V: int, discount: float | None = None) -> None:
        self.order, self.V = check_positive_int("order", order), check_positive_int("V", V)
        self.discount = _check_discount(discount)
        self.levels: list | None = None

    def fit(self, ids) -> "KneserNey":
        """Count the training ids: ids is (L,) integer ids in [0, V), L >= order. Returns self."""
        self.levels = kneser_ney_counts(ids, self.V, self.order, self.discount)
        return self

    @property
    def discounts(self) -> tuple:
        """The discount D of each level, from level 1 (unigram) to ``order``."""
        return tuple(lv.discount for lv in self._fitted())

    def _fitted(self) -> list:
        if self.levels is None:
            raise ValueError("KneserNey: call fit(ids) before scoring")
        return self.levels

    def log2_probs(self, ids) -> np.ndarray:
        """``log2 P(ids[i] | ids[i-n+1:i])`` for every i >= n - 1.

        ids : (L,) integer ids in [0, V), L >= order. Returns (L - order + 1,) float64.
        """
        levels = self._fitted()
        ids = _check_ids("ids", ids, self.V, self.order)
        n = self.order
        codes = [_codes(ids, m, self.V)[n - m:] for m in range(1, n + 1)]  # all end at i
        return np.log2(_kneser_ney_probs(codes, levels, self.V))

    def bits_per_char(self, ids) -> float:
        """Mean ``-log2 P`` over the characters of ``ids`` that have a full context."""
        return float(-self.log2_probs(ids).mean())

    def probs(self, context) -> np.ndarray:
        """The next-character distribution after ``context``.

        context : (C,) integer ids in [0, V), C >= order - 1; only the last order - 1 are used.
        Returns (V,) float64 probabilities summing to 1.
        """
        levels = self._fitted()
        context = _check_ids("context", context, self.V, self.order - 1)
        context = context[len(context) - (self.order - 1):]
        c = np.arange(self.V, dtype=np.int64)
        codes = []
        for m in range(1, self.order + 1):
            h = 0
            for x in context[len(context) - (m - 1):] if m > 1 else ():
                h = h * self.V + int(x)
            codes.append(h * self.V + c)
        return _kneser_ney_probs(codes, levels, self.V)
