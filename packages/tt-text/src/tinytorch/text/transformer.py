"""``TransformerBlock``: attention, then a position-wise MLP, each in a pre-LN residual branch.

GPT-2's block (Radford et al., 2019), as nanoGPT's ``Block``::

    x = x + attn(ln_1(x))     # positions exchange information
    x = x + mlp(ln_2(x))      # each position computes on its own: C -> 4C -> GELU -> C

Normalising the input of each branch (pre-LN) rather than the sum keeps a clean residual path
from the embeddings to the output, which is what lets deep stacks train without warm-up tricks.
"""

from __future__ import annotations

from typing import Any

from tinytorch.nn import Dropout, Linear, Module
from tinytorch.tensor import Tensor

from .cache import AttentionCache
from .gelu import gelu
from .layernorm import LayerNorm
from .multihead import MultiHeadAttention

__all__ = ["MLP", "TransformerBlock"]


class MLP(Module):
    """``dropout(c_proj(gelu(c_fc(x))))``: (..., C) -> (..., 4C) -> (..., C); exact GELU,
    fused (:mod:`tinytorch.text.gelu`)."""

    def __init__(self, n_embd: int, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__()
        self.c_fc = Linear(n_embd, 4 * n_embd, bias=bias)
        self.c_proj = Linear(4 * n_embd, n_embd, bias=bias)
        self.dropout = Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(self.c_proj(gelu(self.c_fc(x))))


class TransformerBlock(Module):
    """One pre-LN transformer block of causal self-attention and an MLP.

    Shape: x (B, T, C) -> (B, T, C). Parameter names follow nanoGPT's ``Block``.
    """

    def __init__(self, n_embd: int, n_head: int, dropout: float = 0.0, bias: bool = True,
                 causal: bool = True) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, bias=bias)
        self.attn = MultiHeadAttention(n_embd, n_head, dropout=dropout, bias=bias, causal=causal)
        self.ln_2 = LayerNorm(n_embd, bias=bias)
        self.mlp = MLP(n_embd, dropout=dropout, bias=bias)

    def forward(self, x: Tensor, cache: AttentionCache | None = None,
                need_weights: bool = False) -> Any:
        """``x + attn(ln_1(x))``, then ``+ mlp(ln_2(...))``: (B, T, C) -> (B, T, C).

        ``cache`` goes to the attention. With ``need_weights=True`` the attention returns
        ``(out, weights)`` and so does the block: ``(x, weights (B, nh, T, S))``.
        """
        # BEGIN SOLUTION 5.12 pre-LN residual branches: attention, then MLP
        attended = self.attn(self.ln_1(x), cache=cache, need_weights=need_weights)
        weights = None
        if need_weights:
            attended, weights = attended
        x = x + attended
        x = x + self.mlp(self.ln_2(x))
        return (x, weights) if need_weights else x
        # END SOLUTION
