"""The transformer half of the 2018 capstone: TinyGPT on Tiny Shakespeare, quantized and served
with a KV cache.

The model is the 2017 milestone's CPU configuration (4 layers, 4 heads, width 128) with a block
of 320 tokens, so that generation can run 256 tokens past a prompt without sliding the context.
It trains briefly on windows of ``window`` characters, so its learned position embeddings beyond
that stay near their initialisation: the printed sample stays within the window; the timed
generations run past it (their tokens are compared, not read).

* **int8**: every Linear (attention, MLP and the tied output head) as an int8 layer; the
  "accuracy" is next-character accuracy on fixed validation windows, and the loss is reported.
* **KV cache**: greedy generation of 32..256 tokens with and without the cache: the tokens must
  be identical, and the time per run gives the speedup curve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.nn import Module
from tinytorch.systems import (
    BenchmarkResult,
    benchmark_models,
    generate_with_cache,
    kv_speedup,
    quantize_model,
)
from tinytorch.text import GPT, CharCorpus, GPTConfig, tiny_shakespeare

__all__ = ["GPTRun", "run_gpt", "evaluate"]


@dataclass
class GPTRun:
    """What the transformer half produced."""

    results: list[BenchmarkResult]
    kv_rows: list[dict[str, float]]
    losses: dict[str, float]
    sample: str
    models: dict[str, Module] = field(repr=False)
    facts: dict[str, Any]


def evaluate(model: Module, batches: list[tuple[tt.Tensor, tt.Tensor]]) -> tuple[float, float]:
    """Mean cross-entropy and next-token accuracy over fixed validation batches."""
    model.eval()
    losses, correct, total = [], 0, 0
    with no_grad():
        for x, y in batches:
            logits = model(x)
            logits = logits[0] if isinstance(logits, tuple) else logits
            v = logits.shape[-1]
            losses.append(F.cross_entropy(logits.reshape(-1, v), y.reshape(-1)).item())
            correct += int((logits.array.argmax(-1) == y.array).sum())
            total += y.array.size
    return sum(losses) / len(losses), correct / total


def run_gpt(iterations: int, window: int, batch_size: int, kv_lengths: list[int],
            repeats: int, seed: int, log: Any = print) -> GPTRun:
    """Train TinyGPT briefly, quantize it, benchmark both, and measure the KV-cache curve."""
    tt.manual_seed(seed)
    corpus = CharCorpus(tiny_shakespeare())
    config = GPTConfig(block_size=320, vocab_size=corpus.vocab_size, n_layer=4, n_head=4,
                       n_embd=128, dropout=0.0)
    model = GPT(config)
    optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=2e-3,
                                           betas=(0.9, 0.99))
    generator = tt.Generator(seed)
    model.train()
    for _ in range(iterations):
        x, y = corpus.get_batch("train", batch_size, window, generator=generator)
        optimizer.zero_grad()
        _, loss = model(x, y)
        loss.backward()
        optimizer.step()
    val = [corpus.get_batch("val", 8, window, generator=tt.Generator(seed + 1))
           for _ in range(4)]
    calibration = [x for x, _ in (corpus.get_batch("train", 8, window, generator=generator)
                                  for _ in range(2))]
    variants: dict[str, Module] = {"float32": model.eval(),
                                   "int8": quantize_model(model, calibration)}
    losses = {name: evaluate(m, val)[0] for name, m in variants.items()}
    log(f"TinyGPT {config.n_layer}x{config.n_embd}, block {config.block_size}: {iterations} "
        f"iterations on windows of {window}; validation loss {losses['float32']:.3f} "
        f"(int8: {losses['int8']:.3f})")

    bench_x = val[0][0][:1]  # one sequence of ``window`` tokens: the cost of one forward pass
    results = benchmark_models(variants, bench_x, accuracy_fn=lambda m: evaluate(m, val)[1],
                               warmup=2, repeats=repeats)
    prompt = tt.tensor([corpus.tokenizer.encode("ROMEO:\n")])
    kv_rows = kv_speedup(model, prompt, kv_lengths)
    sample_ids = generate_with_cache(model, prompt, window - prompt.shape[1], temperature=0.8,
                                     top_k=20, generator=tt.Generator(seed))
    sample = corpus.tokenizer.decode(sample_ids.array[0].tolist())
    facts = {"block_size": config.block_size, "prompt_tokens": int(prompt.shape[1]),
             "window": window, "iterations": iterations,
             "cache_bytes_per_token": 2 * config.n_layer * config.n_embd * 4}
    return GPTRun(results, kv_rows, losses, sample, variants, facts)
