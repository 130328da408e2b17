"""Text generation: feed the model its own predictions, one token at a time.

Each step crops the context to the model's ``block_size``, takes the logits of the last
position, and picks the next token:

* greedy (``do_sample=False``): the most likely token;
* sampling: from ``softmax(logits / temperature)``, optionally restricted to the ``top_k`` most
  likely tokens and/or to the smallest set whose probability reaches ``top_p`` (nucleus
  sampling, Holtzman et al. 2019). Pass a :class:`tinytorch.tensor.Generator` for repeatable
  samples.

Low temperatures sharpen the distribution (towards greedy), high ones flatten it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.autograd import no_grad
from tinytorch.tensor import Generator, Tensor, cat, rand

__all__ = ["generate", "filter_logits", "sample_next_token"]


def filter_logits(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None) -> np.ndarray:
    """``logits (B, V) / temperature`` with every token outside the top-k and outside the
    nucleus (top-p) set to -inf. The most likely token always stays.

    * top-k: keep the ``top_k`` largest logits of each row (ties with the k-th kept too):
      ``np.partition(logits, -top_k, axis=-1)[:, -top_k]`` is each row's k-th largest.
    * top-p: sort each row by decreasing probability (``np.argsort``), and keep a token while
      the probability of the tokens ranked above it is < ``top_p``; the kept set is the
      smallest whose probability reaches ``top_p``. Map the decision back to token order
      (``np.put_along_axis``).
    """
    # BEGIN SOLUTION 5.14 temperature, then -inf outside the top k and outside the nucleus
    logits = logits / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.partition(logits, -top_k, axis=-1)[:, -top_k, None]  # (B, 1)
        logits = np.where(logits < kth, -np.inf, logits)
    if top_p is not None and top_p < 1.0:
        order = np.argsort(-logits, axis=-1, kind="stable")  # (B, V), most likely first
        ranked = np.take_along_axis(logits, order, axis=-1)
        probs = np.exp(ranked - ranked[:, :1])
        probs /= probs.sum(axis=-1, keepdims=True)
        before = np.cumsum(probs, axis=-1) - probs  # probability of the tokens ranked higher
        drop = np.zeros_like(before, dtype=bool)
        np.put_along_axis(drop, order, before >= top_p, axis=-1)  # back to token order
        logits = np.where(drop, -np.inf, logits)
    return logits
    # END SOLUTION


def sample_next_token(logits: np.ndarray, do_sample: bool = True,
                      generator: Generator | None = None) -> np.ndarray:
    """One token id per row of ``logits (B, V)``: argmax, or a draw from their softmax.

    Sampling by inversion: with the cumulative sums ``c`` of each row's (unnormalised)
    probabilities ``exp(logits - max)`` and a uniform ``u`` in ``[0, c[-1])`` per row, the
    token is the first index with ``c > u`` (count the entries ``<= u``). Draw u with
    ``tinytorch.tensor.rand(B, generator=generator)`` so that a seeded Generator repeats.
    Tokens at -inf get probability 0 and are never drawn.
    """
    if not do_sample:
        return logits.argmax(axis=-1)
    # BEGIN SOLUTION 5.14 draw from softmax(logits): first index whose cumulative prob > u
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))  # -inf -> probability 0
    cumulative = np.cumsum(probs, axis=-1)
    u = rand(logits.shape[0], generator=generator, dtype="float64").array[:, None]
    u = u * cumulative[:, -1:]  # uniform in [0, total): no need to normalise
    return np.minimum((cumulative <= u).sum(axis=-1), logits.shape[-1] - 1)
    # END SOLUTION


def generate(model: Any, idx: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, do_sample: bool = True,
             generator: Generator | None = None) -> Tensor:
    """``idx (B, T)`` followed by ``max_new_tokens`` generated tokens: (B, T + max_new_tokens).

    ``model(idx)`` must return logits (B, T, V) (or a tuple starting with them) and
    ``model.config.block_size`` be its longest context. Runs without recording gradients; put
    the model in ``eval()`` mode first if it has dropout.

    Each step: crop the context to the last ``block_size`` tokens, take the logits of the
    last position (``[:, -1, :]``, as a NumPy array), filter them (:func:`filter_logits`)
    when sampling, pick with :func:`sample_next_token`, append the (B, 1) int64 column
    (``cat(..., dim=1)``).
    """
    if idx.ndim != 2 or idx.dtype.name not in ("int64", "int32"):
        raise ValueError(f"generate expects token ids (B, T) of dtype int64, got shape "
                         f"{tuple(idx.shape)} dtype {idx.dtype.name}")
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens}")
    if do_sample and not temperature > 0:
        raise ValueError(f"temperature must be > 0 when sampling, got {temperature} "
                         "(use do_sample=False for greedy decoding)")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    if top_p is not None and not 0.0 < top_p <= 1.0:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    with no_grad():
        for _ in range(max_new_tokens):
            # BEGIN SOLUTION 5.15 crop the context, logits of the last position, pick, append
            block_size = model.config.block_size
            context = idx if idx.shape[1] <= block_size else idx[:, -block_size:]
            out = model(context)
            logits = (out[0] if isinstance(out, tuple) else out).array[:, -1, :]  # (B, V)
            if do_sample:
                logits = filter_logits(logits, temperature, top_k, top_p)
            next_id = sample_next_token(logits, do_sample, generator)  # (B,)
            idx = cat([idx, Tensor(next_id.astype(np.int64)[:, None])], dim=1)
            # END SOLUTION
    return idx
