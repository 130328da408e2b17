"""CharTokenizer: the vocabulary, round trips, the unknown-character policies, JSON files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.tensor as tt
from tinytorch.text import CharTokenizer

pytestmark = pytest.mark.task("5.1")


def test_vocabulary_is_the_sorted_distinct_characters():
    tok = CharTokenizer.from_text("hello world")
    assert tok.chars == [" ", "d", "e", "h", "l", "o", "r", "w"]
    assert tok.vocab_size == 8
    assert tok.encode("hello") == [3, 2, 4, 4, 5]
    assert tok.decode([7, 5, 6, 4, 1]) == "world"


def test_shakespeare_vocabulary(shakespeare):
    tok = CharTokenizer.from_text(shakespeare)
    assert tok.vocab_size == 65  # as nanoGPT's shakespeare_char
    ids = tok.encode(shakespeare[:1000])
    assert ids[:4] == [tok.chars.index(c) for c in "Firs"]
    assert tok.decode(ids) == shakespeare[:1000]


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1), st.data())
def test_round_trip_on_random_unicode(vocab_text, data):
    tok = CharTokenizer.from_text(vocab_text)
    text = data.draw(st.text(alphabet=st.sampled_from(sorted(set(vocab_text)))))
    ids = tok.encode(text)
    assert len(ids) == len(text)
    assert all(0 <= i < tok.vocab_size for i in ids)
    assert tok.decode(ids) == text


def test_decode_takes_arrays_and_tensors():
    tok = CharTokenizer.from_text("abc")
    assert tok.decode(np.array([2, 1, 0])) == "cba"
    assert tok.decode(tt.tensor([[0, 1], [2, 2]])) == "abcc"
    assert tok.decode([]) == ""
    assert tok.encode("") == []


def test_unknown_error_names_the_characters():
    tok = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError, match=r"'xz'.*position 1"):
        tok.encode("axbz")


def test_unknown_skip_drops_them():
    tok = CharTokenizer.from_text("abc", unknown="skip")
    assert tok.vocab_size == 3
    assert tok.encode("axbz") == [0, 1]


def test_unknown_replace_maps_to_the_unknown_token():
    tok = CharTokenizer.from_text("abc", unknown="replace")
    assert tok.vocab_size == 4 and "\ufffd" in tok.chars
    assert tok.decode(tok.encode("axb")) == "a\ufffdb"
    custom = CharTokenizer.from_text("abc", unknown="replace", unk_token="?")
    assert custom.decode(custom.encode("a!c")) == "a?c"


def test_bad_arguments_and_ids():
    with pytest.raises(ValueError, match="unknown must be one of"):
        CharTokenizer.from_text("abc", unknown="ignore")
    with pytest.raises(ValueError, match="empty"):
        CharTokenizer.from_text("")
    tok = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError, match="token id 3 is out of range"):
        tok.decode([0, 3])
    with pytest.raises(ValueError, match="integers"):
        tok.decode([0.5])


def test_save_and_load(tmp_path):
    tok = CharTokenizer.from_text("héllo wörld ✓", unknown="replace")
    path = tmp_path / "tok.json"
    tok.save(path)
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "char"
    assert [p.name for p in tmp_path.iterdir()] == ["tok.json"]  # no temporary file left
    back = CharTokenizer.load(path)
    assert back.chars == tok.chars and back.unknown == "replace"
    assert back.encode("wörld?") == tok.encode("wörld?")
    (tmp_path / "bad.json").write_text('{"type": "byte-bpe"}')
    with pytest.raises(ValueError, match="expected a 'char' tokenizer"):
        CharTokenizer.load(tmp_path / "bad.json")
