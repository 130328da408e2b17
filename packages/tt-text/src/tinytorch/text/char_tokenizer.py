"""``CharTokenizer``: one token per character, as nanoGPT's ``shakespeare_char``.

The vocabulary is the sorted set of characters of a training text (65 for Tiny Shakespeare);
token ``i`` is the ``i``-th of them. A character outside the vocabulary is handled by the
``unknown`` policy:

* ``"error"`` (default): ``encode`` raises ValueError naming the unknown characters;
* ``"skip"``: they are dropped;
* ``"replace"``: they become ``unk_token`` (U+FFFD by default), which joins the vocabulary.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._jsonfile import read_json, write_json

__all__ = ["CharTokenizer"]

POLICIES = ("error", "skip", "replace")


def _codepoints(text: str) -> np.ndarray:
    """The Unicode code points of ``text`` as a uint32 array (no Python loop over characters)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def token_ids(values: Any) -> np.ndarray:
    """Token ids given as a list, an ndarray or a Tensor (anything with ``.array``), as a 1-D
    int64 array; ValueError for anything that is not integers."""
    array = np.asarray(getattr(values, "array", values))
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype.kind not in "iu":
        raise ValueError(f"token ids must be integers, got dtype {array.dtype}")
    return array.reshape(-1).astype(np.int64, copy=False)


class CharTokenizer:
    """Characters to token ids and back.

    Args:
        chars: the vocabulary; duplicates are dropped and the rest sorted.
        unknown: what ``encode`` does with a character outside the vocabulary: ``"error"``,
            ``"skip"`` or ``"replace"`` (by ``unk_token``, added to the vocabulary).
        unk_token: the replacement character of the ``"replace"`` policy.

    Example:
        >>> tok = CharTokenizer.from_text("hello world")
        >>> tok.encode("hello")
        [3, 2, 4, 4, 5]
        >>> tok.decode([3, 2, 4, 4, 5])
        'hello'
    """

    def __init__(self, chars: Iterable[str], unknown: str = "error",
                 unk_token: str = "\ufffd") -> None:
        if unknown not in POLICIES:
            raise ValueError(f"unknown must be one of {POLICIES}, got {unknown!r}")
        if len(unk_token) != 1:
            raise ValueError(f"unk_token must be one character, got {unk_token!r}")
        vocab = set(chars)
        bad = [c for c in vocab if not isinstance(c, str) or len(c) != 1]
        if bad:
            raise ValueError(f"the vocabulary must be single characters, got {bad[:5]!r}")
        if unknown == "replace":
            vocab.add(unk_token)
        if not vocab:
            raise ValueError("the vocabulary is empty (build it from a non-empty text)")
        self.chars: list[str] = sorted(vocab)
        self.unknown = unknown
        self.unk_token = unk_token
        self._codes = _codepoints("".join(self.chars))  # sorted, so searchsorted finds ids

    @classmethod
    def from_text(cls, text: str, unknown: str = "error", unk_token: str = "\ufffd"
                  ) -> CharTokenizer:
        """The tokenizer whose vocabulary is every distinct character of ``text``."""
        return cls(set(text), unknown=unknown, unk_token=unk_token)

    @property
    def vocab_size(self) -> int:
        """Number of tokens (distinct characters)."""
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        """The token id of each character of ``text``, by the ``unknown`` policy.

        Vectorised, no Python loop over characters: ``_codepoints(text)`` gives the code points
        (uint32); ``self._codes`` holds the vocabulary's code points in sorted order, so
        ``np.searchsorted(self._codes, codes)`` gives each character's candidate id. A
        character is in the vocabulary when the code point at that id equals its own (mind
        ids equal to ``len(self._codes)``). Then apply the policy to the characters not
        found: ``"error"`` raises ValueError naming them (sorted, as one string, e.g.
        ``'xz'``) and the position of the first (``... (first at position 1) ...``);
        ``"skip"`` drops them; ``"replace"`` gives them the id of ``self.unk_token``.
        Return a list of Python ints (``.tolist()``).
        """
        # BEGIN SOLUTION 5.1 characters -> ids with searchsorted, then the unknown policy
        codes = _codepoints(text)
        ids = np.searchsorted(self._codes, codes)
        found = ids < len(self._codes)
        found[found] = self._codes[ids[found]] == codes[found]
        if not found.all():
            if self.unknown == "error":
                missing = sorted({chr(c) for c in codes[~found]})
                first = int(np.argmin(found))
                raise ValueError(f"{len(missing)} character(s) not in the vocabulary: "
                                 f"{''.join(missing)!r} (first at position {first}); build the "
                                 "tokenizer with unknown='skip' or 'replace' to accept them")
            if self.unknown == "skip":
                ids = ids[found]
            else:
                ids[~found] = self.chars.index(self.unk_token)
        return ids.tolist()
        # END SOLUTION

    def decode(self, ids: Iterable[int] | Any) -> str:
        """The text of token ids (a list, an ndarray or a Tensor).

        ``token_ids(ids)`` turns any of those into a 1-D int64 array (ValueError for
        non-integers). Ids outside ``[0, vocab_size)`` raise ValueError ``"token id 3 is out of
        range ..."``. Hint: index ``self._codes`` (uint32 code points) with the ids and decode
        the bytes as UTF-32-LE; joining one-character strings works too, but NumPy string
        arrays drop trailing ``"\\x00"`` characters.
        """
        # BEGIN SOLUTION 5.1 ids -> code points of the vocabulary -> text
        ids = token_ids(ids)
        bad = ids[(ids < 0) | (ids >= self.vocab_size)]
        if bad.size:
            raise ValueError(f"token id {int(bad[0])} is out of range for a vocabulary of "
                             f"{self.vocab_size} characters")
        return self._codes[ids].tobytes().decode("utf-32-le")
        # END SOLUTION

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the vocabulary and policy to ``path`` as JSON (atomically)."""
        write_json(path, {"type": "char", "version": 1, "chars": self.chars,
                          "unknown": self.unknown, "unk_token": self.unk_token})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CharTokenizer:
        """Read a tokenizer written by :meth:`save`."""
        obj = read_json(path, "char")
        try:
            return cls(obj["chars"], unknown=obj["unknown"], unk_token=obj["unk_token"])
        except (KeyError, TypeError) as error:
            raise ValueError(f"{path}: malformed char tokenizer file ({error!r})") from None

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size}, unknown={self.unknown!r})"
