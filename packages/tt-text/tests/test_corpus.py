"""The embedded Tiny Shakespeare and CharCorpus: checksum, 90/10 split, random windows."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.text import TINY_SHAKESPEARE_SHA256, CharCorpus, CharTokenizer


def test_embedded_text_is_the_full_tiny_shakespeare(shakespeare):
    assert len(shakespeare) == 1_115_394
    assert hashlib.sha256(shakespeare.encode()).hexdigest() == TINY_SHAKESPEARE_SHA256
    assert shakespeare.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")


def test_split_is_90_10(shakespeare):
    corpus = CharCorpus(shakespeare)
    assert corpus.vocab_size == 65
    assert (len(corpus.train), len(corpus.val)) == (1_003_854, 111_540)  # as nanoGPT
    assert corpus.train.dtype == np.int64
    tok = corpus.tokenizer
    assert tok.decode(corpus.val[:20]) == shakespeare[1_003_854:1_003_874]


@pytest.mark.task("5.5")
def test_batches_are_windows_and_next_tokens():
    text = "".join(chr(ord("a") + i % 26) for i in range(1000))
    corpus = CharCorpus(text, CharTokenizer.from_text(text))
    x, y = corpus.get_batch("train", 8, 16, generator=tt.Generator(0))
    assert x.shape == y.shape == (8, 16) and x.dtype is tt.int64 and y.dtype is tt.int64
    xs, ys = x.array, y.array
    np.testing.assert_array_equal(ys[:, :-1], xs[:, 1:])
    np.testing.assert_array_equal(ys[:, -1], (xs[:, -1] + 1) % 26)
    np.testing.assert_array_equal(np.diff(xs, axis=1) % 26, 1)  # contiguous windows
    starts = {corpus.tokenizer.decode(row)[:3] for row in xs}
    assert len(starts) > 1  # random starts


@pytest.mark.task("5.5")
def test_batches_cover_the_split_and_are_seeded(shakespeare):
    corpus = CharCorpus(shakespeare[:20_000])
    a = corpus.get_batch("val", 4, 32, generator=tt.Generator(7))
    b = corpus.get_batch("val", 4, 32, generator=tt.Generator(7))
    np.testing.assert_array_equal(a[0].array, b[0].array)
    val_text = corpus.tokenizer.decode(corpus.val)
    for row in a[0].array:
        assert corpus.tokenizer.decode(row) in val_text
    x, _ = corpus.get_batch("train", 2000, 8, generator=tt.Generator(1))
    firsts = x.array[:, 0]
    assert firsts.min() >= 0 and len(np.unique(x.array[:, 0])) > 10


def test_batch_errors():
    corpus = CharCorpus("abcdefghij" * 3)
    with pytest.raises(ValueError, match="split must be 'train' or 'val'"):
        corpus.get_batch("test", 2, 4)
    with pytest.raises(ValueError, match="too few for windows"):
        corpus.get_batch("val", 2, 3)
    with pytest.raises(ValueError, match="val_fraction"):
        CharCorpus("abc", val_fraction=1.0)
