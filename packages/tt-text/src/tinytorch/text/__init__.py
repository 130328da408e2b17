"""TinyTorch part 5: text. Tokenizers, attention, the transformer, GPT and generation.

``import tinytorch.text as text``. Files, in the order of the course:

=====================  ==============================================================
``char_tokenizer.py``   CharTokenizer: one token per character
``bpe.py``              BPETokenizer: byte-level byte-pair encoding (GPT-2 style)
``corpus.py``           the embedded Tiny Shakespeare; CharCorpus: train/val split, batches
``embedding.py``        Embedding: a learned vector per token id
``positional.py``       sinusoidal and learned positional encodings
``attention.py``        scaled_dot_product_attention (composed and fused)
``cache.py``            the attention cache protocol (for a KV cache, part 6)
``multihead.py``        MultiHeadAttention: all heads in one batched matmul
``layernorm.py``        LayerNorm
``transformer.py``      TransformerBlock: pre-LN attention and MLP
``generation.py``       generate: greedy, temperature, top-k, top-p
``gpt.py``              GPTConfig, GPT
=====================  ==============================================================
"""

import tinytorch.nn  # noqa: F401  - parts 1-3: Tensor, autograd engine, Module

from ._version import __version__
from .attention import ScaledDotProductAttention, attention_math, scaled_dot_product_attention
from .bpe import GPT2_SPLIT_PATTERN, BPETokenizer
from .cache import AttentionCache, ConcatCache
from .char_tokenizer import CharTokenizer
from .corpus import TINY_SHAKESPEARE_SHA256, CharCorpus, tiny_shakespeare
from .embedding import Embedding, embedding
from .generation import filter_logits, generate, sample_next_token
from .gpt import GPT, GPTConfig
from .layernorm import LayerNorm, layer_norm
from .multihead import MultiHeadAttention
from .positional import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    sinusoidal_encoding,
)
from .transformer import MLP, TransformerBlock

__all__ = [
    "__version__", "CharTokenizer", "BPETokenizer", "GPT2_SPLIT_PATTERN", "tiny_shakespeare",
    "TINY_SHAKESPEARE_SHA256", "CharCorpus", "Embedding", "embedding", "sinusoidal_encoding",
    "SinusoidalPositionalEncoding", "LearnedPositionalEncoding", "scaled_dot_product_attention",
    "attention_math", "ScaledDotProductAttention", "AttentionCache", "ConcatCache",
    "MultiHeadAttention",
    "LayerNorm", "layer_norm", "MLP", "TransformerBlock", "GPTConfig", "GPT", "generate",
    "filter_logits", "sample_next_token",
]
