"""Language-model data: the embedded Tiny Shakespeare and random training windows.

``tiny_shakespeare()`` is the 1.1 MB text of Karpathy's char-rnn collection (the works of
Shakespeare, public domain), shipped inside this package and checked against its SHA-256.
``CharCorpus`` turns a text into token ids, splits them 90/10 into train and validation, and
draws batches of random windows as nanoGPT's ``get_batch``: ``x`` is ``block_size`` tokens and
``y`` the same window shifted by one, so position ``t`` of ``y`` is the token after ``x[:t+1]``.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Any

import numpy as np

from tinytorch.tensor import Generator, Tensor, randint

from .char_tokenizer import CharTokenizer

__all__ = ["tiny_shakespeare", "CharCorpus", "TINY_SHAKESPEARE_SHA256"]

TINY_SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
"""SHA-256 of ``input.txt`` of karpathy/char-rnn's tinyshakespeare (1,115,394 bytes)."""


def tiny_shakespeare() -> str:
    """The full Tiny Shakespeare text embedded in this package (verified by its SHA-256)."""
    raw = resources.files("tinytorch.text").joinpath("data", "tinyshakespeare.txt").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != TINY_SHAKESPEARE_SHA256:
        raise RuntimeError(f"the embedded tinyshakespeare.txt is corrupted: SHA-256 {digest}, "
                           f"expected {TINY_SHAKESPEARE_SHA256}; reinstall tt-text")
    return raw.decode("utf-8")


class CharCorpus:
    """A text as token ids, split into train (first 90%) and validation (last 10%).

    Args:
        text: the corpus.
        tokenizer: anything with ``encode(str) -> list[int]`` and ``vocab_size``; by default a
            :class:`CharTokenizer` built from ``text``.
        val_fraction: the share of tokens (at the end) kept for validation.
    """

    def __init__(self, text: str, tokenizer: Any = None, val_fraction: float = 0.1) -> None:
        if not 0.0 < val_fraction < 1.0:
            raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
        self.tokenizer = tokenizer if tokenizer is not None else CharTokenizer.from_text(text)
        data = np.asarray(self.tokenizer.encode(text), dtype=np.int64)
        n = int(len(data) * (1.0 - val_fraction))
        self.train, self.val = data[:n], data[n:]

    @property
    def vocab_size(self) -> int:
        return int(self.tokenizer.vocab_size)

    def get_batch(self, split: str, batch_size: int, block_size: int,
                  generator: Generator | None = None) -> tuple[Tensor, Tensor]:
        """``batch_size`` random windows of ``split`` ("train" or "val"): inputs ``x`` and
        next-token targets ``y``, both int64 Tensors ``(batch_size, block_size)``.

        Draw the window starts ``s`` uniformly from ``[0, len(data) - block_size)`` with
        ``randint(..., generator=generator)`` (the generator makes batches repeatable); then
        ``x[b] = data[s_b : s_b + block_size]`` and ``y[b] = data[s_b + 1 : s_b + block_size
        + 1]``. No Python loop over the batch: add ``np.arange(block_size)`` to the starts as a
        column to get a (B, T) index array.
        """
        if split not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', got {split!r}")
        data = self.train if split == "train" else self.val
        if len(data) <= block_size:
            raise ValueError(f"the {split} split has {len(data)} tokens, too few for windows of "
                             f"block_size={block_size} (+1 for the targets)")
        # BEGIN SOLUTION 5.5 random windows: x = data[s : s+T], y = data[s+1 : s+T+1]
        starts = randint(0, len(data) - block_size, (batch_size,), generator=generator).array
        index = starts[:, None] + np.arange(block_size)  # (B, T)
        x = Tensor(data[index])
        y = Tensor(data[index + 1])
        return x, y
        # END SOLUTION

    def __repr__(self) -> str:
        return (f"CharCorpus(vocab_size={self.vocab_size}, train={len(self.train)} tokens, "
                f"val={len(self.val)} tokens)")
