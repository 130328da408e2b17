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

from tinytorch.autograd import no_grad
from tinytorch.tensor import Generator, Tensor, cat, zeros_like

__all__ = ["generate", "filter_logits", "sample_next_token", "check_generate_args"]


def filter_logits(logits: Tensor, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None) -> Tensor:
    """``logits (B, V) / temperature`` with every token outside the top-k and outside the
    nucleus (top-p) set to -inf. The most likely token always stays.

    * top-k: keep the ``top_k`` largest logits of each row (ties with the k-th kept too):
      ``logits.topk(top_k, dim=-1).values[:, -1:]`` is each row's k-th largest, (B, 1).
    * top-p: sort each row by decreasing logit (``logits.sort(dim=-1, descending=True)``) and
      keep a token while the probability of the tokens ranked above it is < ``top_p``: the
      kept set is the smallest whose probability reaches ``top_p``. Map the decision back to
      token order with ``scatter(-1, order, ...)``.
    * ``masked_fill(mask, float("-inf"))`` removes tokens.
    """
    # BEGIN SOLUTION 5.14 temperature, then -inf outside the top k and outside the nucleus
    logits = logits / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = logits.topk(top_k, dim=-1).values[:, -1:]  # (B, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None and top_p < 1.0:
        ranked, order = logits.sort(dim=-1, descending=True)  # (B, V), most likely first
        probs = ranked.softmax(dim=-1)
        before = probs.cumsum(dim=-1) - probs  # probability of the tokens ranked higher
        drop = zeros_like(before).scatter(-1, order, (before >= top_p).to(before.dtype))
        logits = logits.masked_fill(drop > 0, float("-inf"))
    return logits
    # END SOLUTION


def sample_next_token(logits: Tensor, do_sample: bool = True,
                      generator: Generator | None = None) -> Tensor:
    """One token id per row of ``logits (B, V)``, as (B, 1) int64: the argmax, or a draw from
    ``softmax(logits)``.

    ``logits.softmax(dim=-1)`` gives the probabilities (a token at -inf gets 0);
    ``probs.multinomial(1, generator=generator)`` draws one index per row, repeatably for a
    seeded :class:`tinytorch.tensor.Generator`.
    """
    if not do_sample:
        return logits.argmax(dim=-1, keepdim=True)
    # BEGIN SOLUTION 5.14 draw one token per row from softmax(logits)
    probs = logits.softmax(dim=-1)  # (B, V)
    return probs.multinomial(1, generator=generator)  # (B, 1)
    # END SOLUTION


def check_generate_args(name: str, idx: Tensor, max_new_tokens: int, temperature: float,
                        top_k: int | None, top_p: float | None, do_sample: bool) -> None:
    """Raise ValueError, naming ``name``, for arguments no generation loop can use."""
    if idx.ndim != 2 or idx.dtype.name not in ("int64", "int32"):
        raise ValueError(f"{name} expects token ids (B, T) of dtype int64, got shape "
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


def generate(model: Any, idx: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, do_sample: bool = True,
             generator: Generator | None = None) -> Tensor:
    """``idx (B, T)`` followed by ``max_new_tokens`` generated tokens: (B, T + max_new_tokens).

    ``model(idx)`` must return logits (B, T, V) (or a tuple starting with them) and
    ``model.config.block_size`` be its longest context. Runs without recording gradients; put
    the model in ``eval()`` mode first if it has dropout.

    Each step: crop the context to the last ``block_size`` tokens, take the logits of the
    last position (``[:, -1, :]``), filter them (:func:`filter_logits`) when sampling, pick
    with :func:`sample_next_token` and append that (B, 1) column (``cat(..., dim=1)``).
    """
    check_generate_args("generate", idx, max_new_tokens, temperature, top_k, top_p, do_sample)
    with no_grad():
        for _ in range(max_new_tokens):
            # BEGIN SOLUTION 5.15 crop the context, logits of the last position, pick, append
            block_size = model.config.block_size
            context = idx if idx.shape[1] <= block_size else idx[:, -block_size:]
            out = model(context)
            logits = (out[0] if isinstance(out, tuple) else out)[:, -1, :]  # (B, V)
            if do_sample:
                logits = filter_logits(logits, temperature, top_k, top_p)
            next_id = sample_next_token(logits, do_sample, generator)  # (B, 1)
            idx = cat([idx, next_id.to(idx.dtype)], dim=1)
            # END SOLUTION
    return idx
