"""The KV cache: generate each new token without recomputing the past.

A decoder generating token t+1 needs the keys and values of positions 0..t in every attention
layer. Without a cache the model reruns the whole context each step: generating N tokens costs
about N^2 / 2 token-passes. The keys and values of old positions never change (causal
attention: position i only sees positions <= i), so we keep them: each step then feeds only the
newest token and appends its key and value -- N token-passes in all.

:class:`KVCache` implements part 5's cache protocol (``update(k, v) -> (k_all, v_all)``, see
``tinytorch.text.cache``) with one buffer per layer for keys and one for values, each
``(B, nh, max_len, hs)``, allocated once: an update writes the new positions in place and
returns views of the filled part, where a concatenating cache would copy everything it holds at
every step. Writing past ``max_len`` is an error that names the length.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.autograd import is_grad_enabled
from tinytorch.tensor import Tensor, from_numpy

__all__ = ["KVCache", "make_caches"]


class KVCache:
    """Preallocated keys and values of one attention layer.

    Args:
        batch_size: sequences generated at once (B).
        num_heads: attention heads (nh).
        max_len: positions the cache can hold.
        head_dim: size of one head (hs); the buffers are ``(B, nh, max_len, hs)``.
        dtype: NumPy dtype of the buffers (float32).

    For inference (under ``no_grad``): the returned keys and values are views of buffers
    that later updates write into, which autograd could not track.
    """

    def __init__(self, batch_size: int, num_heads: int, max_len: int, head_dim: int,
                 dtype: Any = np.float32) -> None:
        dims = {"batch_size": batch_size, "num_heads": num_heads, "max_len": max_len,
                "head_dim": head_dim}
        bad = {k: v for k, v in dims.items() if not isinstance(v, int) or v < 1}
        if bad:
            raise ValueError(f"KVCache dimensions must be positive ints, got {bad}")
        shape = (batch_size, num_heads, max_len, head_dim)
        self.keys = np.zeros(shape, dtype=dtype)
        self.values = np.zeros(shape, dtype=dtype)
        self.length = 0

    @property
    def max_len(self) -> int:
        """How many positions the cache can hold."""
        return self.keys.shape[2]

    @property
    def nbytes(self) -> int:
        """Memory of both buffers."""
        return self.keys.nbytes + self.values.nbytes

    def reset(self) -> None:
        """Forget every position (the buffers are reused)."""
        self.length = 0

    def update(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Append the keys and values of T new positions, ``(B, nh, T, hs)`` each, and return
        all keys and values so far, ``(B, nh, length, hs)`` each (views of the buffers).

        Raises:
            ValueError: shapes that do not match the buffers, or more positions than
                ``max_len`` holds (the message names both).
            RuntimeError: called while gradients are being recorded.
        """
        batch, heads, _, dim = self.keys.shape
        if k.shape != v.shape or k.ndim != 4 or (k.shape[0], k.shape[1], k.shape[3]) != \
                (batch, heads, dim):
            raise ValueError(f"KVCache.update expects keys and values of shape ({batch}, "
                             f"{heads}, T, {dim}), got {tuple(k.shape)} and {tuple(v.shape)}")
        if is_grad_enabled() and (k.requires_grad or v.requires_grad):
            raise RuntimeError("KVCache is for inference: run generation under no_grad()")
        new = k.shape[2]
        if self.length + new > self.max_len:
            raise ValueError(f"KV cache overflow: the cache holds max_len={self.max_len} "
                             f"positions, {self.length} are filled and {new} more were given; "
                             "make the cache longer or crop the context")
        # BEGIN SOLUTION 6.24 KV cache: write the new positions in place, return filled views
        end = self.length + new
        self.keys[:, :, self.length:end] = k.array
        self.values[:, :, self.length:end] = v.array
        self.length = end
        return from_numpy(self.keys[:, :, :end]), from_numpy(self.values[:, :, :end])
        # END SOLUTION


def make_caches(model: Any, batch_size: int, max_len: int | None = None) -> list[KVCache]:
    """One :class:`KVCache` per block of a GPT-like ``model`` (``model.config`` with
    ``n_layer``, ``n_head``, ``n_embd``, ``block_size``), ``max_len`` defaulting to the block
    size, in the dtype of the model's parameters."""
    config = model.config
    dtype = next(iter(model.parameters())).array.dtype
    length = config.block_size if max_len is None else max_len
    return [KVCache(batch_size, config.n_head, length, config.n_embd // config.n_head, dtype)
            for _ in range(config.n_layer)]
