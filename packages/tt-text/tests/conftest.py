"""Shared fixtures of the tt-text tests: the corpus, and nanoGPT's model written in PyTorch
(the oracle: same parameter names, so state dicts move between the two)."""

from __future__ import annotations

import types

import numpy as np
import pytest


@pytest.fixture(scope="session")
def shakespeare() -> str:
    """The embedded Tiny Shakespeare text (checked against its SHA-256 when read)."""
    from tinytorch.text.corpus import tiny_shakespeare

    return tiny_shakespeare()


@pytest.fixture(scope="session")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="session")
def torch_state(torch):
    """A function: our state dict as a PyTorch one (copies)."""
    return lambda state: {k: torch.from_numpy(np.array(v.array, copy=True))
                          for k, v in state.items()}


@pytest.fixture(scope="session")
def nanogpt(torch):
    """nanoGPT's modules (LayerNorm, CausalSelfAttention, MLP, Block, GPT) in PyTorch, with
    nanoGPT's parameter names; ``GPT.forward`` returns the logits of every position."""
    nn, F = torch.nn, torch.nn.functional

    class LayerNorm(nn.Module):
        def __init__(self, ndim, bias):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(ndim))
            self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

        def forward(self, x):
            return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)

    class CausalSelfAttention(nn.Module):
        def __init__(self, n_embd, n_head, bias=True):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
            self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
            self.n_head = n_head

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.c_attn(x).split(C, dim=2)
            q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
                       for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    class MLP(nn.Module):
        def __init__(self, n_embd, bias=True):
            super().__init__()
            self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)

        def forward(self, x):
            return self.c_proj(self.gelu(self.c_fc(x)))

    class Block(nn.Module):
        def __init__(self, n_embd, n_head, bias=True):
            super().__init__()
            self.ln_1 = LayerNorm(n_embd, bias)
            self.attn = CausalSelfAttention(n_embd, n_head, bias)
            self.ln_2 = LayerNorm(n_embd, bias)
            self.mlp = MLP(n_embd, bias)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self, block_size, vocab_size, n_layer, n_head, n_embd, bias=True):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(vocab_size, n_embd),
                wpe=nn.Embedding(block_size, n_embd),
                h=nn.ModuleList([Block(n_embd, n_head, bias) for _ in range(n_layer)]),
                ln_f=LayerNorm(n_embd, bias),
            ))
            self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight

        def forward(self, idx, targets=None):
            pos = torch.arange(idx.shape[1])
            x = self.transformer.wte(idx) + self.transformer.wpe(pos)
            for block in self.transformer.h:
                x = block(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                       ignore_index=-1)
            return logits, loss

    return types.SimpleNamespace(LayerNorm=LayerNorm, CausalSelfAttention=CausalSelfAttention,
                                 MLP=MLP, Block=Block, GPT=GPT)
