"""n-gram baselines: probabilities counted by hand, normalisation, and the reference numbers."""

import numpy as np
import pytest

from rnn_core.data import Vocab, load_pydoc_corpus, split_ids
from rnn_core.ngram import KneserNey, NGram, baseline_table, uniform_bpc


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


# ---------------------------------------------------------------------------------------
# Interpolated Kneser-Ney, against probabilities worked out by hand
# ---------------------------------------------------------------------------------------
# Corpus "abaab" over V = 3 characters a=0, b=1, c=2 (c never occurs), discount D = 1/2.
#
# Level 1 (unigram) uses continuation counts N1+(. x): how many distinct characters come
# before x. The bigram types of "abaab" are {ab, ba, aa}: a follows b and a -> N1+(. a) = 2;
# b follows a -> N1+(. b) = 1; c -> 0. Total A = 3, seen types N1+(.) = 2. With P_0 = 1/3:
#   P1(a) = (2 - 1/2 + 1/2 * 2 * 1/3) / 3 = (3/2 + 1/3) / 3 = 11/18
#   P1(b) = (1 - 1/2 + 1/3) / 3                               =  5/18
#   P1(c) = (0 + 1/3) / 3                                     =  2/18      (sum 18/18)
P1 = {"a": 11 / 18, "b": 5 / 18, "c": 2 / 18}
#
# Order 2: the top level uses raw bigram counts ab = 2, ba = 1, aa = 1.
#   after a: A(a) = 3, two types (a, b):
#     P2(b|a) = (2 - 1/2 + 1/2 * 2 * 5/18) / 3 = (27/18 + 5/18) / 3  = 16/27
#     P2(a|a) = (1 - 1/2 + 11/18) / 3 = (9/18 + 11/18) / 3           = 10/27
#     P2(c|a) = (0 + 2/18) / 3                                       =  1/27
#   after b: A(b) = 1, one type (a):
#     P2(a|b) = 1 - 1/2 + 1/2 * 11/18 = 29/36;  P2(b|b) = 1/2 * 5/18 = 5/36;  P2(c|b) = 2/36
#   after c: never seen (A = 0), so P2(.|c) = P1.
BIGRAM = {"a": {"a": 10 / 27, "b": 16 / 27, "c": 1 / 27},
          "b": {"a": 29 / 36, "b": 5 / 36, "c": 2 / 36},
          "c": P1}
#
# Order 3: top level raw trigram counts aba = baa = aab = 1. Level 2 now uses continuation
# counts from the trigram types {aba, baa, aab}: their suffixes ba, aa, ab occur once each,
# so after a: aa = 1, ab = 1 (A = 2, two types); after b: ba = 1 (A = 1, one type).
#     P2'(a|a) = (1 - 1/2 + 1/2 * 2 * 11/18) / 2 = (9/18 + 11/18) / 2 = 10/18
#     P2'(b|a) = (1/2 + 5/18) / 2 = 7/18;   P2'(c|a) = (2/18) / 2 = 1/18
#   after aa: A = 1 (aab), one type:
#     P3(b|aa) = 1 - 1/2 + 1/2 * 7/18 = 25/36;  P3(a|aa) = 1/2 * 10/18 = 10/36;
#     P3(c|aa) = 1/2 * 1/18 = 1/36                                           (sum 36/36)
TRIGRAM_AFTER_AA = {"a": 10 / 36, "b": 25 / 36, "c": 1 / 36}

ABAAB = np.array([0, 1, 0, 0, 1])
IDS = {"a": 0, "b": 1, "c": 2}


def test_kneser_ney_unigram_by_hand():
    # At order 1 the unigram level is the top level, so it uses raw counts: a = 3, b = 2,
    # A = 5, two types. P(a) = (3 - 1/2 + 1/2 * 2 * 1/3) / 5 = (5/2 + 1/3) / 5 = 17/30,
    # P(b) = (3/2 + 1/3) / 5 = 11/30, P(c) = (1/3) / 5 = 2/30. (P1 above is the unigram level
    # *below* a bigram, with continuation counts; the bigram tests check it.)
    m = KneserNey(1, V=3, discount=0.5).fit(ABAAB)
    assert np.allclose(m.probs(np.array([], dtype=np.int64)), [17 / 30, 11 / 30, 2 / 30])


@pytest.mark.parametrize("before", ["a", "b", "c"])
def test_kneser_ney_bigram_by_hand(before):
    m = KneserNey(2, V=3, discount=0.5).fit(ABAAB)
    expected = [BIGRAM[before][x] for x in "abc"]
    assert np.allclose(m.probs(np.array([IDS[before]])), expected)


def test_kneser_ney_trigram_by_hand():
    m = KneserNey(3, V=3, discount=0.5).fit(ABAAB)
    assert np.allclose(m.probs(np.array([0, 0])), [TRIGRAM_AFTER_AA[x] for x in "abc"])
    # log2_probs scores every character with a full context: "aab" -> P3(b | aa) only
    assert np.allclose(m.log2_probs(np.array([0, 0, 1])), [np.log2(25 / 36)])


def test_kneser_ney_log2_probs_walks_the_text():
    m = KneserNey(2, V=3, discount=0.5).fit(ABAAB)
    # "acab": P2(c|a), P2(a|c) = P1(a), P2(b|a)
    got = 2.0 ** m.log2_probs(np.array([0, 2, 0, 1]))
    assert np.allclose(got, [1 / 27, 11 / 18, 16 / 27])


def test_kneser_ney_ney_discounts_by_hand():
    # Order 2 on "abaab": bigram counts {2, 1, 1}: n1 = 2, n2 = 1, D2 = 2 / (2 + 2) = 1/2;
    # continuation counts {a: 2, b: 1}: n1 = 1, n2 = 1, D1 = 1 / (1 + 2) = 1/3.
    m = KneserNey(2, V=3).fit(ABAAB)
    assert np.allclose(m.discounts, [1 / 3, 1 / 2])


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_kneser_ney_distributions_sum_to_one(order):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 6, 400) * rng.integers(0, 2, 400)  # skewed, some contexts unseen
    m = KneserNey(order, V=7).fit(ids)  # id 6 never occurs
    for ctx in ([0, 1, 2, 3], [5, 5, 5, 5], [6, 6, 6, 6], [0, 0, 0, 0], [3, 6, 0, 2]):
        p = m.probs(np.array(ctx))
        assert p.shape == (7,) and np.all(p > 0)
        assert np.isclose(p.sum(), 1.0, rtol=0, atol=1e-12)


def test_kneser_ney_on_the_bundled_split():
    """KN beats add-k at every order here, and gains from longer contexts up to order 7."""
    text = load_pydoc_corpus()
    vocab = Vocab.from_text(text)
    train, valid = split_ids(vocab.encode(text))
    kn = [KneserNey(n, vocab.size).fit(train).bits_per_char(valid) for n in (3, 4, 5, 7)]
    assert kn[0] < NGram(3, vocab.size, 0.1).fit(train).bits_per_char(valid)
    assert kn[0] > kn[1] > kn[2] > kn[3]
    assert kn[2] < 1.83  # order 5 beats the chapter's one-minute RNN


def test_kneser_ney_bad_input():
    with pytest.raises(ValueError, match="fit"):
        KneserNey(2, 3).log2_probs(np.array([0, 1]))
    with pytest.raises(ValueError, match="train_ids"):
        KneserNey(2, 3).fit(np.array([0, 5]))
    with pytest.raises(ValueError, match="train_ids"):
        KneserNey(3, 3).fit(np.array([0, 1]))
    with pytest.raises(ValueError, match="discount"):
        KneserNey(2, 3, discount=1.5)
    with pytest.raises(ValueError, match="discount"):
        KneserNey(2, 3, discount=0.0)
