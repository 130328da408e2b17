"""The attention cache protocol: how a later part adds a KV cache without touching this one.

When a model generates text one token at a time, the keys and values of the earlier positions
do not change. A cache keeps them, so that each step computes keys and values for the new
position only. :class:`MultiHeadAttention` takes an optional ``cache`` and, when one is given,
does exactly this with it::

    k, v = ...                     # keys, values of the T new positions: (B, nh, T, hs)
    k, v = cache.update(k, v)      # all keys, values so far:            (B, nh, S, hs)
    # the T queries attend over the S = S_past + T keys; with causal masking query t (absolute
    # position S - T + t) sees keys 0 .. S - T + t.

Any object with that ``update`` method is a cache (structural typing: no base class to
inherit). The simplest one, :class:`ConcatCache`, concatenates; part 6's ``KVCache``
preallocates instead.

A :class:`GPT` takes one cache per block (``caches=[...]``) and the absolute position of the
first new token (``start_pos``), for its position embeddings.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tinytorch.tensor import Tensor, cat

__all__ = ["AttentionCache", "ConcatCache"]


@runtime_checkable
class AttentionCache(Protocol):
    """An object that stores past keys and values: ``update(k, v) -> (k_all, v_all)``."""

    def update(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Append the keys and values of the new positions, ``(B, nh, T, hs)`` each, and
        return all keys and values so far, ``(B, nh, S, hs)`` each with ``S >= T``."""
        ...


class ConcatCache:
    """The simplest cache: the keys and values so far, grown by concatenation along the
    positions (dim 2) at every step, which copies them all each time."""

    def __init__(self) -> None:
        self.k: Tensor | None = None
        self.v: Tensor | None = None

    def update(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        if self.k is not None and self.v is not None:
            k, v = cat([self.k, k], dim=2), cat([self.v, v], dim=2)
        self.k, self.v = k, v
        return k, v
