"""BPETokenizer: pair counting and merging, a hand-checked training run, deterministic merges,
round trips on random Unicode (hypothesis), special tokens and JSON files."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.text import GPT2_SPLIT_PATTERN, BPETokenizer
from tinytorch.text.bpe import count_pairs, learn_merges, merge_pair

# -- 5.2 pair counts and merges -------------------------------------------------------------


@pytest.mark.task("5.2")
def test_count_pairs():
    assert count_pairs([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    counts = {(1, 2): 5}
    assert count_pairs([1, 2, 2], counts, weight=3) is counts
    assert counts == {(1, 2): 8, (2, 2): 3}
    assert count_pairs([7]) == {} and count_pairs([]) == {}


@pytest.mark.task("5.2")
def test_merge_pair_scans_left_to_right():
    assert merge_pair([1, 1, 1, 2], (1, 1), 9) == [9, 1, 2]
    assert merge_pair([1, 1, 1, 1], (1, 1), 9) == [9, 9]
    assert merge_pair([5, 1, 2, 5, 1, 2], (1, 2), 7) == [5, 7, 5, 7]
    assert merge_pair([1, 2], (2, 1), 7) == [1, 2]
    assert merge_pair([], (1, 2), 7) == []


# -- 5.3 training -----------------------------------------------------------------------------


@pytest.mark.task("5.3")
def test_hand_checked_example():
    # "aaabdaaabac" (Wikipedia's example). Pairs: aa 4, ab 2, others 1 -> merge aa = 256:
    # [256 a b d 256 a b a c]; now (256, a) and (a, b) both occur twice: the tie goes to the
    # smaller pair (97, 98) = 257: [256 257 d 256 257 a c]; then (256, 257) = 258.
    tok = BPETokenizer.train("aaabdaaabac", vocab_size=259)
    assert tok.merges == [(97, 97), (97, 98), (256, 257)]
    assert tok.vocab[258] == b"aaab"
    assert tok.decode([258, 100]) == "aaabd"


@pytest.mark.task("5.3")
def test_training_matches_a_from_scratch_recount(shakespeare):
    # The incremental counts must give the merges that recounting every pair after each
    # merge gives (the slow, obviously right algorithm).
    text = shakespeare[:20_000]
    chunks = re.findall(GPT2_SPLIT_PATTERN, text)
    words = [list(c.encode("utf-8")) for c in chunks]
    slow = []
    for step in range(40):
        counts: dict = {}
        for w in words:
            for pair in zip(w, w[1:]):
                counts[pair] = counts.get(pair, 0) + 1
        best = max(counts, key=lambda p: (counts[p], -p[0], -p[1]))
        slow.append(best)
        words = [merge_pair(w, best, 256 + step) for w in words]
    assert learn_merges(chunks, 40) == slow


@pytest.mark.task("5.3")
def test_merges_are_deterministic_and_chunked(shakespeare):
    text = shakespeare[:50_000]
    first = BPETokenizer.train(text, vocab_size=300)
    again = BPETokenizer.train(text, vocab_size=300)
    assert first.merges == again.merges and len(first.merges) == 44
    assert first.vocab[256] == b" t" and first.vocab[257] == b"he"  # the commonest pairs
    # merges never cross a chunk boundary: no token holds a letter followed by a space
    assert not any(re.search(rb"[A-Za-z] ", token) for token in first.vocab.values())


@pytest.mark.task("5.3")
def test_training_stops_when_no_pair_is_left():
    tok = BPETokenizer.train("ab ab", vocab_size=1000)
    assert [tok.vocab[256 + i] for i in range(len(tok.merges))] == [b"ab", b" ab"]
    with pytest.raises(ValueError, match=r"at least 256 \+ 1 special token\(s\) = 257"):
        BPETokenizer.train("abc", vocab_size=256, special_tokens=["<|eos|>"])


# -- 5.4 encoding -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(shakespeare):
    return BPETokenizer.train(shakespeare[:200_000], vocab_size=400,
                              special_tokens=["<|endoftext|>", "<|pad|>"])


@pytest.mark.task("5.4")
def test_encode_applies_merges_by_rank(trained):
    # the hand-checked merges: in " aab", aa (rank 0) wins over ab (rank 1): " " aa b
    tok = BPETokenizer([(97, 97), (97, 98), (256, 257)])
    assert tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99]  # Wikipedia's "XdXac"
    assert tok.encode("aaab aab") == [258, 32, 256, 98]
    ids = trained.encode(" the king")
    assert [trained.vocab[i] for i in ids] == [b" the", b" king"] or len(ids) < 9
    assert trained.decode(ids) == " the king"


@pytest.mark.task("5.4")
def test_encoding_compresses_shakespeare(trained, shakespeare):
    text = shakespeare[200_000:260_000]  # text the tokenizer did not see
    ids = trained.encode(text)
    assert trained.decode(ids) == text
    assert len(text) / len(ids) > 1.6  # 142 merges: 1.7 characters per token


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
@pytest.mark.task("5.4")
def test_round_trip_on_random_unicode(trained, text):
    ids = trained.encode(text)
    assert all(0 <= i < trained.vocab_size for i in ids)
    assert trained.decode(ids) == text


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=300), st.integers(256, 330))
@pytest.mark.task("5.4")
def test_a_tokenizer_trained_on_a_text_round_trips_it(text, vocab_size):
    tok = BPETokenizer.train(text, vocab_size)
    ids = tok.encode(text)
    assert tok.decode(ids) == text
    assert len(ids) <= len(text.encode("utf-8"))


@pytest.mark.task("5.4")
def test_special_tokens(trained):
    eot, pad = trained.special_tokens["<|endoftext|>"], trained.special_tokens["<|pad|>"]
    assert (eot, pad) == (398, 399) and trained.vocab_size == 400
    ids = trained.encode("To be<|endoftext|>or not<|pad|>")
    assert ids.count(eot) == 1 and ids[-1] == pad
    assert trained.decode(ids) == "To be<|endoftext|>or not<|pad|>"
    plain = trained.encode("be<|endoftext|>", allowed_special="none")
    assert eot not in plain and trained.decode(plain) == "be<|endoftext|>"
    with pytest.raises(ValueError, match="allowed_special"):
        trained.encode("x", allowed_special="some")


@pytest.mark.task("5.4")
def test_decode_of_a_cut_character_and_bad_ids(trained):
    ids = trained.encode("é")  # two bytes, one token or two
    assert trained.decode(list(b"\xc3")) == "\ufffd"  # half a character: replacement mark
    assert trained.decode(ids) == "é"
    with pytest.raises(ValueError, match="token id 400 is out of range"):
        trained.decode([400])


@pytest.mark.task("5.4")
def test_save_and_load(trained, tmp_path):
    path = tmp_path / "bpe.json"
    trained.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["bpe.json"]
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["type"] == "byte-bpe" and len(saved["merges"]) == 142
    back = BPETokenizer.load(path)
    text = "Now is the winter of our discontent<|endoftext|> ✓"
    assert back.encode(text) == trained.encode(text)
    assert back.special_tokens == trained.special_tokens
    saved["merges"][0] = [300, 1]
    path.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="does not exist yet"):
        BPETokenizer.load(path)
