"""Corpus, vocabulary, contiguous split and stream batching."""

import sys

import numpy as np
import pytest

from rnn_core.data import StreamBatcher, Vocab, load_pydoc_corpus, load_text, split_ids, stream_view


# The shipped corpus, measured once from rnn_core/corpus/pydoc_topics.txt.xz when it was made
# (CPython 3.11.7's pydoc_data.topics); see rnn_core/corpus/README.md.
CORPUS_CHARS = 464_970
CORPUS_SHA256 = "37d06970fc926e60c16dff401e441b84752446a36b6b64516c229fdec77e992c"


def test_pydoc_corpus_is_the_shipped_text():
    import hashlib

    text = load_pydoc_corpus()
    assert len(text) == CORPUS_CHARS
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == CORPUS_SHA256
    assert len(set(text)) == 103


def test_pydoc_corpus_does_not_read_the_interpreter(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pydoc_data.topics", None)  # importing it now fails
    assert len(load_pydoc_corpus()) == CORPUS_CHARS


@pytest.mark.skipif(sys.version_info[:3] != (3, 11, 7),
                    reason="pydoc_data.topics differs between releases; the corpus is 3.11.7's")
def test_pydoc_corpus_is_the_sorted_join_of_cpython_3_11_7():
    from pydoc_data.topics import topics

    assert load_pydoc_corpus() == "".join(topics[key] for key in sorted(topics))


def test_vocab_sorted_roundtrip():
    v = Vocab.from_text("hello world")
    assert v.chars == tuple(sorted(set("hello world")))
    assert v.size == 8
    ids = v.encode("world hello")
    assert ids.dtype == np.int32
    assert v.decode(ids) == "world hello"
    assert v.encode("d")[0] == v.chars.index("d")


def test_vocab_rejects_unknown_character():
    v = Vocab.from_text("abc")
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        v.encode("abz")


def test_split_is_contiguous_and_disjoint():
    ids = np.arange(1000)
    train, valid = split_ids(ids, 0.1)
    assert len(valid) == 100 and len(train) == 900
    assert np.array_equal(np.concatenate([train, valid]), ids)
    assert train.max() < valid.min()  # every validation position comes after training


def test_split_returns_copies():
    ids = np.arange(100)
    train, valid = split_ids(ids)
    train[0] = -1
    assert ids[0] == 0


def test_batcher_windows_continue_each_stream():
    ids = np.arange(103)  # N=4 streams of 25 ids, T=6: (25-1)//6 = 4 windows
    b = StreamBatcher(ids, N=4, T=6)
    assert b.n_windows == 4
    assert np.array_equal(b.streams[:, 0], [0, 25, 50, 75])
    x0, y0, reset0 = b.window(0)
    x1, y1, reset1 = b.window(1)
    assert reset0 and not reset1
    assert x0.shape == (4, 6) and y0.shape == (4, 6)
    assert np.array_equal(y0, x0 + 1)  # targets are the next character
    assert np.array_equal(x1[:, 0], x0[:, -1] + 1)  # window 1 continues window 0 in every row
    assert np.array_equal(y1[:, 0], y0[:, -1] + 1)


def test_batcher_wraps_around():
    b = StreamBatcher(np.arange(103), N=4, T=6)
    x4, _, reset = b.window(b.n_windows)
    assert reset
    assert np.array_equal(x4, b.window(0)[0])
    # the last window never reads past its stream
    _, y_last, _ = b.window(b.n_windows - 1)
    assert np.array_equal(y_last[:, -1], b.streams[:, b.n_windows * 6])


def test_batcher_every_target_once_per_epoch():
    ids = np.arange(1000)
    b = StreamBatcher(ids, N=5, T=7)
    targets = np.concatenate([b.window(k)[1].ravel() for k in range(b.n_windows)])
    assert len(np.unique(targets)) == len(targets) == 5 * 7 * b.n_windows


def test_batcher_too_short():
    with pytest.raises(ValueError, match="too few"):
        StreamBatcher(np.arange(20), N=4, T=6)


def test_stream_view_predicts_each_id_once():
    x, y = stream_view(np.arange(40), 4)
    assert x.shape == (4, 9)
    assert np.array_equal(y, x + 1)
    assert len(np.unique(y)) == y.size


def test_load_text(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("héllo\nwörld", encoding="utf-8")
    assert load_text(p) == "héllo\nwörld"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"abc\xff\xfe")
    with pytest.raises(ValueError, match="not UTF-8"):
        load_text(bad)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="0 characters"):
        load_text(empty)
    with pytest.raises(ValueError, match="does not exist"):
        load_text(tmp_path / "missing.txt")


@pytest.mark.parametrize("N", [0, -2, 1.0, True])
def test_stream_view_rejects_bad_N(N):
    with pytest.raises(ValueError, match="N: expected an int >= 1"):
        stream_view(np.arange(20), N)


@pytest.mark.parametrize("ids", [np.linspace(0, 1, 20), np.arange(20).reshape(4, 5)])
def test_stream_view_and_split_want_1d_integer_ids(ids):
    with pytest.raises(ValueError, match=r"ids: expected (a 1-D numpy integer array|shape \(L,\))"):
        stream_view(ids, 2)
    with pytest.raises(ValueError, match=r"ids: expected (a 1-D numpy integer array|shape \(L,\))"):
        split_ids(ids, 0.1)


@pytest.mark.parametrize("frac", [0.0, 1.0, -0.1, 1, "0.1", True, None])
def test_split_valid_fraction_must_be_a_float_in_0_1(frac):
    with pytest.raises(ValueError, match="valid_fraction: expected a float in"):
        split_ids(np.arange(100), frac)


@pytest.mark.parametrize("L", [0, 1, 9, 10, 15, 19, 20, 25, 1000, 1005])
def test_split_point_is_where_split_ids_cuts(L):
    from rnn_core.data import split_point

    ids = np.arange(L)
    if L >= 20:
        train, valid = split_ids(ids, 0.1)
        assert split_point(L, 0.1) == len(train) and L - split_point(L, 0.1) == len(valid)
    assert split_point(L, 0.1) == L - round(L * 0.1)
