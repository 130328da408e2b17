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
inherit). The simplest one concatenates::

    class ConcatCache:
        def __init__(self):
            self.k = self.v = None
        def update(self, k, v):
            if self.k is not None:
                k, v = tt.cat([self.k, k], dim=2), tt.cat([self.v, v], dim=2)
            self.k, self.v = k, v
            return k, v

A :class:`GPT` takes one cache per block (``caches=[...]``) and the absolute position of the
first new token (``start_pos``), for its position embeddings.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tinytorch.tensor import Tensor

__all__ = ["AttentionCache"]


@runtime_checkable
class AttentionCache(Protocol):
    """An object that stores past keys and values: ``update(k, v) -> (k_all, v_all)``."""

    def update(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Append the keys and values of the new positions, ``(B, nh, T, hs)`` each, and
        return all keys and values so far, ``(B, nh, S, hs)`` each with ``S >= T``."""
        ...
