"""TinyTorch part 5: text. Tokenizers, attention, the transformer, GPT and generation.

``import tinytorch.text as text``. Files, in the order of the course:

=====================  ==============================================================
``char_tokenizer.py``   CharTokenizer: one token per character
``bpe.py``              BPETokenizer: byte-level byte-pair encoding (GPT-2 style)
``corpus.py``           the embedded Tiny Shakespeare; CharCorpus: train/val split, batches
=====================  ==============================================================
"""

import tinytorch.nn  # noqa: F401  - parts 1-3: Tensor, autograd engine, Module

from ._version import __version__
from .bpe import GPT2_SPLIT_PATTERN, BPETokenizer
from .char_tokenizer import CharTokenizer
from .corpus import TINY_SHAKESPEARE_SHA256, CharCorpus, tiny_shakespeare

__all__ = [
    "__version__", "CharTokenizer", "BPETokenizer", "GPT2_SPLIT_PATTERN", "tiny_shakespeare",
    "TINY_SHAKESPEARE_SHA256", "CharCorpus",
]
