"""n-gram baselines: probabilities counted by hand, normalisation, and the reference numbers."""

import numpy as np
import pytest

from rnn_core.data import Vocab, load_pydoc_corpus, split_ids
from rnn_core.ngram import NGram, baseline_table, uniform_bpc


def test_uniform():
    assert uniform_bpc(8) == 3.0


def test_bigram_add_one_by_hand():
    # text "abab a": ids a=0, b=1; bigrams counted: ab, ba, ab -> count(a)=2 as context, count(b)=1
    ids = np.array([0, 1, 0, 1])
    m = NGram(2, V=2, k=1.0).fit(ids)
    # P(b|a) = (2+1)/(2+2) = 3/4;  P(a|b) = (1+1)/(1+2) = 2/3
    lp = m.log2_probs(np.array([0, 1, 0]))
    assert np.allclose(2.0 ** lp, [3 / 4, 2 / 3])


def test_unigram_add_k_by_hand():
    ids = np.array([0, 0, 0, 1])
    m = NGram(1, V=3, k=0.5).fit(ids)
    # P(c) = (count(c) + 0.5) / (4 + 1.5)
    assert np.allclose(2.0 ** m.log2_probs(np.array([0, 1, 2])), [3.5 / 5.5, 1.5 / 5.5, 0.5 / 5.5])


@pytest.mark.parametrize("order", [1, 2, 3])
def test_distributions_sum_to_one(order):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, 300)
    m = NGram(order, V=5, k=0.1).fit(ids)
    for ctx in ([0, 1], [4, 4], [2, 3]):
        assert np.isclose(m.probs(np.array(ctx)).sum(), 1.0)


def test_reference_numbers_on_the_bundled_split():
    """The issue quotes, for this split: bigram add-one ~3.35, trigram add-0.1 ~2.50 bpc."""
    text = load_pydoc_corpus()
    vocab = Vocab.from_text(text)
    train, valid = split_ids(vocab.encode(text))
    rows = dict(baseline_table(train, valid, vocab.size, k_values=(1.0, 0.1)))
    assert abs(rows["bigram add-1"] - 3.35) < 0.02
    assert abs(rows["trigram add-0.1"] - 2.50) < 0.02
    assert rows["uniform (log2 V)"] > rows["unigram add-1"] > rows["bigram add-1"] > rows["trigram add-0.1"]


def test_fit_required_and_bad_ids():
    with pytest.raises(ValueError, match="fit"):
        NGram(2, 3).log2_probs(np.array([0, 1]))
    with pytest.raises(ValueError, match="ids"):
        NGram(2, 3).fit(np.array([0, 5]))


@pytest.mark.parametrize("k", ["1", True, None, 0.0, -1.0, np.nan])
def test_k_must_be_a_positive_real(k):
    with pytest.raises(ValueError, match="k: expected"):
        NGram(2, 5, k)


@pytest.mark.parametrize("V", [0, 2.0, True, "3"])
def test_uniform_bpc_wants_an_int_V(V):
    with pytest.raises(ValueError, match="V: expected an int >= 1"):
        uniform_bpc(V)


def test_orders_that_overflow_int64_are_refused():
    NGram(9, 103)  # 103**9 ~ 1.3e18 fits in int64
    with pytest.raises(ValueError, match=r"order: expected V\*\*order <= 2\*\*63 - 1"):
        NGram(10, 103)  # 103**10 ~ 1.3e20 would wrap around silently


def test_bool_order_is_refused():
    with pytest.raises(ValueError, match="order"):
        NGram(True, 5)


@pytest.mark.parametrize("n_ids", [0, 1, 2])
def test_scoring_fewer_ids_than_the_order_is_refused(n_ids):
    m = NGram(3, 4).fit(np.array([0, 1, 2, 3, 0, 1]))
    with pytest.raises(ValueError, match=r"ids: expected shape \(L,\) with L >= 3"):
        m.log2_probs(np.zeros(n_ids, dtype=np.int64))
    with pytest.raises(ValueError, match="ids: expected shape"):
        m.bits_per_char(np.zeros(n_ids, dtype=np.int64))


def test_probs_needs_order_minus_one_context_ids():
    m = NGram(3, 4).fit(np.array([0, 1, 2, 3, 0, 1]))
    with pytest.raises(ValueError, match=r"context: expected shape \(L,\) with L >= 2"):
        m.probs(np.array([1]))
    assert np.isclose(m.probs(np.array([3, 0, 1])).sum(), 1.0)
