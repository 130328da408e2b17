"""``BPETokenizer``: byte-level byte-pair encoding, as GPT-2's tokenizer (Sennrich et al., 2016).

Text is UTF-8 bytes, so the 256 byte values are the first 256 tokens and any Unicode text can be
encoded. Training repeats one step: find the most frequent adjacent pair of tokens and replace it
everywhere by a new token (``256, 257, ...``). Encoding replays the learned merges, earliest
first; decoding concatenates each token's bytes.

Before counting, the text is cut into chunks (words, numbers, punctuation runs, spaces) with
GPT-2's pattern (written for Python's ``re``), so no token spans two words; identical chunks
are counted once, weighted by how often they occur. Training keeps the pair counts up to date
incrementally: a merge only touches the chunks that contain the merged pair (``where``), so
Tiny Shakespeare (1.1 MB) trains to 512 tokens in seconds.

Special tokens (``"<|endoftext|>"``...) take the ids after the merges; ``encode`` maps them as
wholes and never merges across them.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ._jsonfile import read_json, write_json
from .char_tokenizer import token_ids

__all__ = ["BPETokenizer", "GPT2_SPLIT_PATTERN", "count_pairs", "merge_pair", "learn_merges"]

GPT2_SPLIT_PATTERN = (r"'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+"
                      r"|\s+(?!\S)|\s+")
"""GPT-2's pre-tokenizer for the standard ``re`` module: contractions, letters, digits,
punctuation (each with an optional leading space), then whitespace. Every character falls in
one alternative, so the chunks of a text concatenate back to it."""

Pair = tuple[int, int]


def count_pairs(ids: Sequence[int], counts: dict[Pair, int] | None = None, weight: int = 1
                ) -> dict[Pair, int]:
    """Add ``weight`` to ``counts[(a, b)]`` for every adjacent pair of ``ids``; returns counts.

    ``count_pairs([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}``. Without ``counts``
    start from a new dict; with it, add into that same dict and return it (training keeps one
    table for all words, a word's pairs weighted by how often the word occurs).
    Hint: ``zip(ids, ids[1:])`` walks the adjacent pairs.
    """
    # BEGIN SOLUTION 5.2 count adjacent pairs (weighted)
    counts = {} if counts is None else counts
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + weight
    return counts
    # END SOLUTION


def merge_pair(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """Replace each occurrence of ``pair`` in ``ids`` by ``new_id``, scanning left to right.

    ``merge_pair([1, 1, 1, 2], (1, 1), 9) == [9, 1, 2]``: once a token is merged it is not
    reused for the next pair, so ``[1, 1, 1, 1]`` becomes ``[9, 9]``. Returns a new list.
    Hint: walk an index ``i``; on a match append ``new_id`` and step 2, else copy and step 1.
    """
    # BEGIN SOLUTION 5.2 replace every occurrence of a pair, left to right
    out: list[int] = []
    i, n = 0, len(ids)
    first, second = pair
    while i < n:
        if i + 1 < n and ids[i] == first and ids[i + 1] == second:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
    # END SOLUTION


def _check_special(special_tokens: Iterable[str]) -> list[str]:
    specials = list(special_tokens)
    if len(set(specials)) != len(specials):
        raise ValueError(f"special tokens must be distinct, got {specials!r}")
    if any(not isinstance(s, str) or not s for s in specials):
        raise ValueError(f"special tokens must be non-empty strings, got {specials!r}")
    return specials


class BPETokenizer:
    """A byte-level BPE tokenizer: build it with :meth:`train` or :meth:`load`.

    Args:
        merges: the learned merges in order; merge ``i`` makes token ``256 + i``.
        special_tokens: strings that are tokens of their own, ids after the merges.
        pattern: the regular expression that cuts text into chunks before merging.

    Example:
        >>> tok = BPETokenizer.train(text, vocab_size=512, special_tokens=["<|endoftext|>"])
        >>> ids = tok.encode("To be, or not to be<|endoftext|>")
        >>> tok.decode(ids)
        'To be, or not to be<|endoftext|>'
    """

    def __init__(self, merges: Iterable[Pair] = (), special_tokens: Iterable[str] = (),
                 pattern: str = GPT2_SPLIT_PATTERN) -> None:
        self.merges: list[Pair] = []
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        for a, b in merges:
            new_id = 256 + len(self.merges)
            if not (0 <= a < new_id and 0 <= b < new_id):
                raise ValueError(f"merge {len(self.merges)} ({a}, {b}) uses a token that does "
                                 f"not exist yet (ids below {new_id})")
            self.merges.append((int(a), int(b)))
            self.vocab[new_id] = self.vocab[a] + self.vocab[b]
        self.ranks: dict[Pair, int] = {pair: i for i, pair in enumerate(self.merges)}
        first_special = 256 + len(self.merges)
        self.special_tokens: dict[str, int] = {
            s: first_special + i for i, s in enumerate(_check_special(special_tokens))}
        self.pattern = pattern
        self._split = re.compile(pattern)
        # longest first, so that "<|a|>" wins over its prefix "<|a"
        alternatives = sorted(self.special_tokens, key=len, reverse=True)
        self._special_split = (re.compile("(" + "|".join(map(re.escape, alternatives)) + ")")
                               if alternatives else None)
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        """256 bytes + the merges + the special tokens."""
        return 256 + len(self.merges) + len(self.special_tokens)

    @classmethod
    def train(cls, text: str, vocab_size: int, special_tokens: Iterable[str] = (),
              pattern: str = GPT2_SPLIT_PATTERN) -> BPETokenizer:
        """Learn ``vocab_size - 256 - len(special_tokens)`` merges from ``text``.

        Ties between equally frequent pairs go to the smallest pair ``(a, b)``, so training is
        deterministic. Stops early (a smaller vocabulary) when no pair is left to merge.
        """
        specials = _check_special(special_tokens)
        n_merges = vocab_size - 256 - len(specials)
        if n_merges < 0:
            raise ValueError(f"vocab_size must be at least 256 + {len(specials)} special "
                             f"token(s) = {256 + len(specials)}, got {vocab_size}")
        merges = learn_merges(re.findall(pattern, text), n_merges)
        return cls(merges, specials, pattern)

    def _encode_chunk(self, chunk: str) -> list[int]:
        """Token ids of one chunk, cached per distinct chunk (text repeats its words)."""
        ids = self._cache.get(chunk)
        if ids is None:
            ids = self.apply_merges(chunk)
            if len(self._cache) < 100_000:
                self._cache[chunk] = ids
        return ids

    def apply_merges(self, chunk: str) -> list[int]:
        """The token ids of one chunk: its UTF-8 bytes, merged as training merged them.

        Start from ``list(chunk.encode("utf-8"))``. Repeat: among the adjacent pairs, find the
        one learned earliest (lowest rank in ``self.ranks``, a dict pair -> merge index; pairs
        never learned have no rank); if none was learned, stop; else replace it everywhere with
        ``merge_pair(ids, pair, 256 + rank)``. Earliest first matters: with merges
        ``[(a, a), (a, b)]``, ``"aab"`` is ``[aa, b]``, not ``[a, ab]``.
        Hint: ``min(pairs, key=lambda p: self.ranks.get(p, <a rank larger than any>))``.
        """
        # BEGIN SOLUTION 5.4 apply the earliest learned merge present until none applies
        ids = list(chunk.encode("utf-8"))
        while len(ids) >= 2:
            pair = min(zip(ids, ids[1:]), key=lambda p: self.ranks.get(p, len(self.ranks)))
            rank = self.ranks.get(pair)
            if rank is None:
                break
            ids = merge_pair(ids, pair, 256 + rank)
        return ids
        # END SOLUTION

    def encode_ordinary(self, text: str) -> list[int]:
        """Token ids of ``text`` with special-token strings treated as ordinary text."""
        ids: list[int] = []
        for chunk in self._split.findall(text):
            ids.extend(self._encode_chunk(chunk))
        return ids

    def encode(self, text: str, allowed_special: str = "all") -> list[int]:
        """Token ids of ``text``. ``allowed_special="all"`` maps special-token strings to their
        ids; ``"none"`` encodes them as ordinary text."""
        if allowed_special not in ("all", "none"):
            raise ValueError(f"allowed_special must be 'all' or 'none', got {allowed_special!r}")
        if allowed_special == "none" or self._special_split is None:
            return self.encode_ordinary(text)
        ids: list[int] = []
        for i, part in enumerate(self._special_split.split(text)):
            if i % 2:  # the separators captured by split(): the special tokens
                ids.append(self.special_tokens[part])
            elif part:
                ids.extend(self.encode_ordinary(part))
        return ids

    def decode(self, ids: Iterable[int] | Any) -> str:
        """The text of token ids; bytes that do not form valid UTF-8 (a sequence cut inside
        a character) decode to U+FFFD, as GPT-2's decoder does."""
        special_bytes = {i: s.encode("utf-8") for s, i in self.special_tokens.items()}
        pieces = []
        for i in token_ids(ids).tolist():
            piece = self.vocab.get(i) or special_bytes.get(i)
            if piece is None:
                raise ValueError(f"token id {i} is out of range for a vocabulary of "
                                 f"{self.vocab_size} tokens")
            pieces.append(piece)
        return b"".join(pieces).decode("utf-8", errors="replace")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write merges, special tokens and pattern to ``path`` as JSON (atomically)."""
        write_json(path, {"type": "byte-bpe", "version": 1, "pattern": self.pattern,
                          "merges": [list(m) for m in self.merges],
                          "special_tokens": list(self.special_tokens)})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BPETokenizer:
        """Read a tokenizer written by :meth:`save`."""
        obj = read_json(path, "byte-bpe")
        try:
            merges = [(int(a), int(b)) for a, b in obj["merges"]]
            return cls(merges, obj["special_tokens"], obj["pattern"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: malformed BPE tokenizer file ({error})") from None

    def __repr__(self) -> str:
        return (f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)}, "
                f"special_tokens={list(self.special_tokens)})")


def learn_merges(chunks: Iterable[str], n_merges: int) -> list[Pair]:
    """The first ``n_merges`` merges of byte-pair encoding over ``chunks`` (fewer if the chunks
    run out of pairs), with pair counts kept up to date incrementally.

    Each distinct chunk is a "word": ``words[w]`` its current token ids, ``weights[w]`` how
    often it occurs. Count every adjacent pair once (``count_pairs(ids, counts, weight)``)
    and remember which words hold each pair (``where[pair]``: a set of word indices). Then,
    ``n_merges`` times (or until no pair is left):

    1. the best pair is the most frequent; ties go to the smallest pair (so that training is
       deterministic): ``max(counts, key=lambda p: (counts[p], -p[0], -p[1]))``;
    2. it becomes token ``256 + len(merges)``;
    3. only the words in ``where.pop(best)`` change: for each, subtract its old pairs from
       ``counts`` (delete pairs whose count drops to 0), merge (``merge_pair``), add its new
       pairs and record them in ``where``. An entry can be stale (the pair left that word in
       an earlier merge): then merging changes nothing; skip it.

    Recounting every pair after every merge gives the same merges (the tests check that), but
    is about 100 times slower on Tiny Shakespeare.
    """
    frequency = Counter(chunks)
    words = [list(chunk.encode("utf-8")) for chunk in frequency]
    weights = list(frequency.values())
    # BEGIN SOLUTION 5.3 incremental BPE training: count once, then update around each merge
    counts: dict[Pair, int] = {}
    where: dict[Pair, set[int]] = defaultdict(set)  # pair -> the words that contain it
    for w, ids in enumerate(words):
        count_pairs(ids, counts, weights[w])
        for pair in zip(ids, ids[1:]):
            where[pair].add(w)
    merges: list[Pair] = []
    while len(merges) < n_merges and counts:
        best = max(counts, key=lambda p: (counts[p], -p[0], -p[1]))  # ties: smallest pair
        new_id = 256 + len(merges)
        merges.append(best)
        for w in where.pop(best):
            old = words[w]
            new = merge_pair(old, best, new_id)
            if len(new) == len(old):
                continue  # a stale entry: the pair left this word in an earlier merge
            for pair in zip(old, old[1:]):  # forget the word's old pairs...
                counts[pair] -= weights[w]
                if counts[pair] == 0:
                    del counts[pair]
            count_pairs(new, counts, weights[w])  # ...and count its new ones
            for pair in zip(new, new[1:]):
                where[pair].add(w)
            words[w] = new
    return merges
    # END SOLUTION
