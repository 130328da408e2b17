"""Cached generation: part 5's ``generate``, one new token per forward pass.

``generate_with_cache`` takes the arguments of :func:`tinytorch.text.generate` and returns the
same tokens (greedy: identical; sampling: identical for the same generator), using part 5's own
``filter_logits`` and ``sample_next_token`` to pick them. What changes is the work per step:

1. *prefill*: run the prompt once, filling one :class:`~tinytorch.systems.kv_cache.KVCache`
   per block (``model(idx, caches=caches, start_pos=0)``);
2. *decode*: feed only the newest token at its position (``start_pos`` = tokens cached so far).

When the context outgrows the block size, part 5 crops it to the last ``block_size`` tokens,
which moves every token to a new position: the cached keys (computed at the old positions) no
longer apply. Then the caches are reset and the cropped context prefilled again, so each such
step costs what an uncached step does -- the speedup lives within one block.

:func:`kv_speedup` times both ways for a list of lengths, the measurement behind the "speedup as
a function of generated tokens" curve.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinytorch.autograd import no_grad
from tinytorch.tensor import Generator, Tensor, cat
from tinytorch.text import filter_logits, generate, sample_next_token
from tinytorch.text.generation import check_generate_args

from .kv_cache import make_caches

__all__ = ["generate_with_cache", "kv_speedup"]


def _last_logits(out: Any) -> Tensor:
    """Logits of the last position, (B, V), from ``model(...)`` (a tensor or a tuple)."""
    return (out[0] if isinstance(out, tuple) else out)[:, -1, :]


def generate_with_cache(model: Any, idx: Tensor, max_new_tokens: int, temperature: float = 1.0,
                        top_k: int | None = None, top_p: float | None = None,
                        do_sample: bool = True, generator: Generator | None = None) -> Tensor:
    """``idx (B, T)`` followed by ``max_new_tokens`` tokens, as :func:`tinytorch.text.generate`
    but with a KV cache. ``model`` must accept ``caches=`` and ``start_pos=`` (part 5's GPT)."""
    check_generate_args("generate_with_cache", idx, max_new_tokens, temperature, top_k, top_p,
                        do_sample)
    block_size = model.config.block_size
    if max_new_tokens == 0:
        return idx
    with no_grad():
        caches = make_caches(model, idx.shape[0])
        # BEGIN SOLUTION 6.25 cached decoding: prefill once, then one token per step
        logits = _last_logits(model(idx[:, -block_size:], caches=caches, start_pos=0))
        for step in range(max_new_tokens):
            if do_sample:
                logits = filter_logits(logits, temperature, top_k, top_p)
            next_id = sample_next_token(logits, do_sample, generator).to(idx.dtype)  # (B, 1)
            idx = cat([idx, next_id], dim=1)
            if step == max_new_tokens - 1:
                break
            position = caches[0].length
            if position < block_size:  # room left: feed only the new token
                out = model(next_id, caches=caches, start_pos=position)
            else:  # the context slides: positions change, so refill from the cropped context
                for cache in caches:
                    cache.reset()
                out = model(idx[:, -block_size:], caches=caches, start_pos=0)
            logits = _last_logits(out)
        # END SOLUTION
    return idx


def kv_speedup(model: Any, prompt: Tensor, lengths: Sequence[int], repeats: int = 1
               ) -> list[dict[str, float]]:
    """Greedy generation of each number of tokens in ``lengths``, timed with and without the
    cache (best of ``repeats``). Returns rows ``{"tokens", "uncached_s", "cached_s",
    "speedup"}``; raises if the two ever produce different tokens."""
    rows = []
    for n in lengths:
        best = {"uncached": float("inf"), "cached": float("inf")}
        outputs = {}
        for _ in range(repeats):
            for name, fn in (("uncached", generate), ("cached", generate_with_cache)):
                start = time.perf_counter()
                outputs[name] = fn(model, prompt, n, do_sample=False)
                best[name] = min(best[name], time.perf_counter() - start)
        if not np.array_equal(outputs["cached"].array, outputs["uncached"].array):
            raise AssertionError(f"cached and uncached generation differ at {n} tokens")
        rows.append({"tokens": n, "uncached_s": best["uncached"], "cached_s": best["cached"],
                     "speedup": best["uncached"] / best["cached"]})
    return rows
