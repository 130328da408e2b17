"""``GPT``: a decoder-only transformer language model (Radford et al., 2018/2019), as nanoGPT.

Token ids (B, T) become vectors (token embedding + position embedding), pass through
``n_layer`` :class:`TransformerBlock` s and a final LayerNorm, and a linear head turns each
position's vector into logits over the vocabulary: position t predicts token t + 1. The head
shares its weight with the token embedding (weight tying, Press & Wolf 2017).

Parameter names are nanoGPT's (``transformer.wte.weight``, ``transformer.h.0.attn.c_attn.weight``,
..., ``lm_head.weight``), so a state dict of nanoGPT's ``GPT`` loads
(:meth:`GPT.load_nanogpt_state_dict`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import tinytorch.nn.functional as F
from tinytorch.autograd import no_grad
from tinytorch.nn import Dropout, Linear, Module, ModuleDict, ModuleList, init
from tinytorch.nn.optim import AdamW
from tinytorch.tensor import Generator, Tensor, arange, from_numpy

from .cache import AttentionCache
from .embedding import Embedding
from .generation import generate
from .layernorm import LayerNorm
from .positional import LearnedPositionalEncoding, SinusoidalPositionalEncoding
from .transformer import TransformerBlock

__all__ = ["GPTConfig", "GPT"]


@dataclass
class GPTConfig:
    """The shape of a GPT. Defaults are GPT-2 small's (124M parameters).

    Attributes:
        block_size: the longest context, in tokens.
        vocab_size: the number of token ids.
        n_layer, n_head, n_embd: depth, heads per attention, width (C, divisible by n_head).
        dropout: dropout rate in training mode (embeddings, attention, residual branches).
        bias: biases in the Linear layers and LayerNorms.
        positional: ``"learned"`` (GPT's ``wpe`` table) or ``"sinusoidal"`` (fixed).
    """

    block_size: int = 1024
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True
    positional: str = "learned"

    def __post_init__(self) -> None:
        for name in ("block_size", "vocab_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"GPTConfig.{name} must be a positive int, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"GPTConfig: n_embd ({self.n_embd}) must be divisible by n_head "
                             f"({self.n_head})")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig.dropout must be in [0, 1), got {self.dropout}")
        if self.positional not in ("learned", "sinusoidal"):
            raise ValueError(f"GPTConfig.positional must be 'learned' or 'sinusoidal', got "
                             f"{self.positional!r}")


class GPT(Module):
    """A GPT language model: ``model(idx, targets)`` returns ``(logits (B, T, V), loss)``."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = c = config
        wpe: Module = (LearnedPositionalEncoding(c.block_size, c.n_embd)
                       if c.positional == "learned"
                       else SinusoidalPositionalEncoding(c.block_size, c.n_embd))
        self.transformer = ModuleDict({
            "wte": Embedding(c.vocab_size, c.n_embd),
            "wpe": wpe,
            "drop": Dropout(c.dropout),
            "h": ModuleList([TransformerBlock(c.n_embd, c.n_head, c.dropout, c.bias)
                             for _ in range(c.n_layer)]),
            "ln_f": LayerNorm(c.n_embd, bias=c.bias),
        })
        self.lm_head = Linear(c.n_embd, c.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # tied: one (V, C) matrix
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """nanoGPT's initialisation: every Linear and Embedding weight N(0, 0.02), biases 0,
        and the projections into the residual stream (``c_proj``) N(0, 0.02 / sqrt(2 n_layer)),
        since each block adds two of them to the stream.

        Walk ``self.modules()`` (isinstance Linear / Embedding; LearnedPositionalEncoding is an
        Embedding), then ``self.named_parameters()`` for the names ending in
        ``"c_proj.weight"``. Use ``init.normal_(param, 0.0, std)`` and ``init.zeros_``.
        LayerNorms keep their ones and zeros.
        """
        # BEGIN SOLUTION 5.13 nanoGPT init: N(0, 0.02), zero biases, scaled residual projections
        for module in self.modules():
            if isinstance(module, Linear):
                init.normal_(module.weight, 0.0, 0.02)
                if module.bias is not None:
                    init.zeros_(module.bias)
            elif isinstance(module, Embedding):
                init.normal_(module.weight, 0.0, 0.02)
        for name, param in self.named_parameters():
            if name.endswith("c_proj.weight"):
                init.normal_(param, 0.0, 0.02 / math.sqrt(2 * self.config.n_layer))
        # END SOLUTION

    def num_parameters(self, non_embedding: bool = True) -> int:
        """Parameter count; by default without the position table (the token table is counted:
        it is also the output layer)."""
        n = sum(p.numel() for p in self.parameters())
        if non_embedding and self.config.positional == "learned":
            n -= self.transformer.wpe.weight.numel()
        return n

    def forward(self, idx: Tensor, targets: Tensor | None = None, *,
                caches: Sequence[AttentionCache] | None = None, start_pos: int = 0
                ) -> tuple[Tensor, Tensor | None]:
        """Logits ``(B, T, vocab_size)`` for token ids ``idx (B, T)``, and the mean
        cross-entropy against ``targets (B, T)`` (ids; -1 = ignore), or None without targets.

        With ``caches`` (one :class:`AttentionCache` per block), ``idx`` holds only the new
        tokens and ``start_pos`` is the position of the first of them.

        The steps (``tr = self.transformer``)::

            pos = arange(start_pos, start_pos + T)          (T,)
            x = tr.drop(tr.wte(idx) + tr.wpe(pos))          (B, T, C), positions broadcast
            x = block(x, cache=...) for each block in tr.h  (B, T, C)
            logits = self.lm_head(tr.ln_f(x))               (B, T, V)
            loss = F.cross_entropy(logits as (B*T, V), targets as (B*T,), ignore_index=-1)
        """
        if idx.ndim != 2 or idx.dtype.name not in ("int64", "int32"):
            raise ValueError(f"GPT expects token ids of shape (B, T) and dtype int64, got "
                             f"shape {tuple(idx.shape)} dtype {idx.dtype.name}")
        B, T = idx.shape
        if start_pos + T > self.config.block_size:
            raise ValueError(f"Cannot forward a sequence of length {T} from position "
                             f"{start_pos}: block size is only {self.config.block_size}")
        if caches is not None and len(caches) != self.config.n_layer:
            raise ValueError(f"caches must hold one cache per block ({self.config.n_layer}), "
                             f"got {len(caches)}")
        # BEGIN SOLUTION 5.13 embeddings, blocks, final norm, tied head, loss
        tr = self.transformer
        pos = arange(start_pos, start_pos + T)  # (T,)
        x = tr.drop(tr.wte(idx) + tr.wpe(pos))  # (B, T, C) + (T, C)
        for i, block in enumerate(tr.h):
            x = block(x, cache=None if caches is None else caches[i])  # (B, T, C)
        logits = self.lm_head(tr.ln_f(x))  # (B, T, V)
        loss = None
        if targets is not None:
            V = logits.shape[-1]
            loss = F.cross_entropy(logits.view(B * T, V), targets.reshape(B * T),
                                   ignore_index=-1)
        return logits, loss
        # END SOLUTION

    def load_nanogpt_state_dict(self, state_dict: Mapping[str, Any]) -> Any:
        """Load the weights of a nanoGPT ``GPT`` (its ``state_dict()``, or a checkpoint's
        ``"model"`` entry): values may be any array-like (PyTorch CPU tensors, NumPy arrays).

        The names are the same as ours; the ``_orig_mod.`` prefix of a ``torch.compile``-d
        model is dropped, and so are the causal-mask buffers (``*.attn.bias``, 4-D) that
        nanoGPT registers when it has no flash attention. Returns ``load_state_dict``'s
        result; the tied token embedding and head stay one matrix.
        """
        converted = {}
        for key, value in state_dict.items():
            array = np.asarray(value)  # PyTorch CPU tensors support the array protocol
            key = key.removeprefix("_orig_mod.")
            if key.endswith(".attn.bias") and array.ndim == 4:
                continue
            converted[key] = from_numpy(np.array(array, dtype=np.float32))
        return self.load_state_dict(converted)

    def attention_weights(self, idx: Tensor) -> list[Tensor]:
        """The attention weights of every block for ``idx (B, T)``: a list of (B, nh, T, T)."""
        tr = self.transformer
        weights = []
        with no_grad():
            x = tr.drop(tr.wte(idx) + tr.wpe(arange(idx.shape[1])))
            for block in tr.h:
                x, w = block(x, need_weights=True)
                weights.append(w)
        return weights

    def configure_optimizers(self, weight_decay: float, learning_rate: float,
                             betas: tuple[float, float] = (0.9, 0.95)) -> AdamW:
        """AdamW with weight decay on the matrices (dim >= 2) and none on biases and norms."""
        params = list(self.parameters())
        decay = [p for p in params if p.ndim >= 2]
        no_decay = [p for p in params if p.ndim < 2]
        groups = [{"params": decay, "weight_decay": weight_decay},
                  {"params": no_decay, "weight_decay": 0.0}]
        return AdamW(groups, lr=learning_rate, betas=betas)

    def generate(self, idx: Tensor, max_new_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None, top_p: float | None = None, do_sample: bool = True,
                 generator: Generator | None = None) -> Tensor:
        """Continue ``idx (B, T)`` by ``max_new_tokens`` tokens; see :func:`generate`."""
        return generate(self, idx, max_new_tokens, temperature=temperature, top_k=top_k,
                        top_p=top_p, do_sample=do_sample, generator=generator)

    def extra_repr(self) -> str:
        return f"{self.num_parameters() / 1e6:.2f}M parameters"
