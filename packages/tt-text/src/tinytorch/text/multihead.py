"""``MultiHeadAttention``: causal self-attention with several heads, as in GPT.

The input x (B, T, C) is projected once to queries, keys and values together (``c_attn``, C to
3C), split into ``nh`` heads of size ``hs = C / nh``, and every head attends at once: the heads
are a batch dimension of one batched matmul, (B, nh, T, hs) @ (B, nh, hs, T). The heads' outputs
are put side by side again and projected back (``c_proj``). Parameter names follow nanoGPT's
``CausalSelfAttention``, so its checkpoints load.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.nn import Dropout, Linear, Module
from tinytorch.tensor import Tensor

from .attention import attention_math, scaled_dot_product_attention
from .cache import AttentionCache

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(Module):
    """Self-attention of ``num_heads`` heads over a sequence of ``embed_dim``-vectors.

    Args:
        embed_dim: C, the size of each position's vector (a multiple of ``num_heads``).
        num_heads: nh; each head works on ``C / nh`` features.
        dropout: dropout on the attention weights (inside the attention) and on the output,
            in training mode.
        bias: whether the two projections have biases.
        causal: each position attends only to itself and earlier positions.

    Shape: x (B, T, C) -> (B, T, C); with ``need_weights=True`` also the weights of every head,
    (B, nh, T, S), S the number of keys (T, or more with a cache).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 causal: bool = True) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim ({embed_dim}) must be divisible by num_heads "
                             f"({num_heads})")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout, self.causal = dropout, causal
        self.c_attn = Linear(embed_dim, 3 * embed_dim, bias=bias)  # q, k, v in one matmul
        self.c_proj = Linear(embed_dim, embed_dim, bias=bias)
        self.resid_dropout = Dropout(dropout)

    def forward(self, x: Tensor, attn_mask: Any = None, need_weights: bool = False,
                cache: AttentionCache | None = None) -> Any:
        """Self-attention of x (B, T, C): (B, T, C), and with ``need_weights`` also the
        weights (B, nh, T, S).

        ``attn_mask`` (bool: True = attend, or float: added) is combined with the causal mask;
        ``cache`` (see :mod:`tinytorch.text.cache`) holds past keys and values. The steps::

            q, k, v = c_attn(x).split(C, dim=2)       3 x (B, T, C)
            q = q.view(B, T, nh, hs).transpose(1, 2)  (B, nh, T, hs), same for k and v
            k, v = cache.update(k, v)                 (B, nh, S, hs), if a cache is given
            y = attention(q, k, v, mask, p)           (B, nh, T, hs), all heads at once
            y = y.transpose(1, 2).reshape(B, T, C)    the heads side by side again
            out = resid_dropout(c_proj(y))

        Attention: :func:`scaled_dot_product_attention` (fused), or :func:`attention_math`
        when the weights are wanted; dropout ``p = self.dropout`` in training, else 0. Causal
        masking with S keys for T queries (S > T with a cache): the queries are the last T
        positions, so query t sees keys 0 .. S - T + t: ``np.tril(ones((T, S), bool),
        k=S - T)``. Pass that as ``attn_mask`` (combined with the user's by :func:`_both`), or
        ``is_causal=True`` when S == T and there is no user mask.
        """
        if x.ndim != 3 or x.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiHeadAttention expects x of shape (B, T, {self.embed_dim}), "
                             f"got {tuple(x.shape)}")
        if cache is not None and not isinstance(cache, AttentionCache):
            raise TypeError(f"cache must have an update(k, v) -> (k_all, v_all) method, got "
                            f"{type(cache).__name__}")
        # BEGIN SOLUTION 5.10 project to q, k, v; split the heads; attend; merge the heads
        B, T, C = x.shape
        nh, hs = self.num_heads, self.head_dim
        q, k, v = self.c_attn(x).split(C, dim=2)  # 3 x (B, T, C)
        q = q.view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
        v = v.view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
        if cache is not None:
            k, v = cache.update(k, v)  # (B, nh, S, hs), S = past + T
        S = k.shape[2]
        is_causal = self.causal
        if self.causal and (S != T or attn_mask is not None):  # the causal mask, made explicit:
            causal = np.tril(np.ones((T, S), dtype=bool), k=S - T)  # queries = last T positions
            attn_mask = causal if attn_mask is None else _both(attn_mask, causal)
            is_causal = False
        p = self.dropout if self.training else 0.0
        if need_weights:
            y, weights = attention_math(q, k, v, attn_mask, p, is_causal)
        else:
            y, weights = scaled_dot_product_attention(q, k, v, attn_mask, p, is_causal), None
        y = y.transpose(1, 2).reshape(B, T, C)  # (B, T, nh * hs): the heads side by side
        y = self.resid_dropout(self.c_proj(y))
        return (y, weights) if need_weights else y
        # END SOLUTION

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, causal={self.causal}")


def _both(attn_mask: Any, causal: np.ndarray) -> Any:
    """A user mask combined with the causal one: bool masks and-ed; a float mask gets -inf
    where the causal mask forbids (added as a Tensor, so a learned bias keeps its gradient)."""
    if isinstance(attn_mask, Tensor) and attn_mask.is_floating_point():
        return attn_mask + Tensor(np.where(causal, 0.0, -np.inf).astype(attn_mask.array.dtype))
    mask = np.asarray(getattr(attn_mask, "array", attn_mask))
    if mask.dtype == np.bool_:
        return mask & causal
    return np.where(causal, mask, -np.inf).astype(mask.dtype)
