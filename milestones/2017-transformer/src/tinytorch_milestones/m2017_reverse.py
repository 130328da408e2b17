"""Milestone 2017 (a): attention learns to reverse a sequence.

Vaswani et al. ("Attention is all you need", 2017) replaced recurrence by attention: every
position looks at every other one and takes what it needs. Reversing a sequence of digits is
the cleanest test of that: output position i must copy input position n - 1 - i, and nothing
but attention moves information between positions. A two-block transformer (tt-text's
Embedding, learned positions, non-causal TransformerBlocks, LayerNorm) trained on random digit
strings reaches 100% exact match on held-out strings in seconds; its attention maps show the
anti-diagonal it learned.

    tt-milestone-2017-reverse                    # length 8, until 100% exact match
    tt-milestone-2017-reverse --length 12

Writes ``reverse_attention.png`` (the last block's attention, every head) into ``--out``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.nn.optim import AdamW
from tinytorch.text import Embedding, LayerNorm, LearnedPositionalEncoding, TransformerBlock

DIGITS = 10


class Reverser(nn.Module):
    """Digits (B, n) -> logits (B, n, 10) of the reversed digits: an encoder-only transformer."""

    def __init__(self, length: int, n_embd: int = 64, n_head: int = 4, n_layer: int = 2) -> None:
        super().__init__()
        self.tok = Embedding(DIGITS, n_embd)
        self.pos = LearnedPositionalEncoding(length, n_embd, std=0.1)
        self.blocks = nn.ModuleList([TransformerBlock(n_embd, n_head, causal=False)
                                     for _ in range(n_layer)])
        self.ln = LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, DIGITS)

    def forward(self, digits: tt.Tensor, need_weights: bool = False) -> Any:
        x = self.tok(digits) + self.pos(tt.arange(digits.shape[1]))  # (B, n, C)
        weights = []
        for block in self.blocks:
            if need_weights:
                x, w = block(x, need_weights=True)
                weights.append(w)
            else:
                x = block(x)
        logits = self.head(self.ln(x))  # (B, n, 10)
        return (logits, weights) if need_weights else logits


def batch(rng: np.random.Generator, size: int, length: int) -> tuple[tt.Tensor, tt.Tensor]:
    digits = rng.integers(0, DIGITS, (size, length))
    return tt.tensor(digits), tt.tensor(digits[:, ::-1].copy())


def exact_match(model: Reverser, x: tt.Tensor, y: tt.Tensor) -> float:
    """Share of sequences reversed without a single wrong digit."""
    with no_grad():
        predicted = model(x).array.argmax(-1)
    return float((predicted == y.array).all(axis=1).mean())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tt-milestone-2017-reverse",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--length", type=int, default=8, help="digits per sequence")
    parser.add_argument("--max-steps", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("out", "2017-transformer"),
                        help="directory for the PNG figure")
    return parser.parse_args(argv)


def plot(weights: list[tt.Tensor], digits: np.ndarray, path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    last = weights[-1].array[0]  # (nh, n, n) of the first sequence
    heads = last.shape[0]
    fig, axes = plt.subplots(1, heads, figsize=(3 * heads, 3.6))
    labels = [str(d) for d in digits]
    for h, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(last[h], cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"head {h}")
        ax.set_xticks(range(len(labels)), labels)
        ax.set_yticks(range(len(labels)), labels[::-1])
        ax.set_xlabel("input digit (key)")
        if h == 0:
            ax.set_ylabel("output digit (query)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Train until 100% exact match on 1,000 held-out sequences (or ``--max-steps``)."""
    args = parse_args(argv)
    began = time.perf_counter()
    tt.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = Reverser(args.length)
    optimizer = AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    test_x, test_y = batch(np.random.default_rng(args.seed + 1), 1000, args.length)
    print(f"2017 transformer (a): reversing {args.length} digits, "
          f"{sum(p.numel() for p in model.parameters()):,} parameters")
    accuracy, step = 0.0, 0
    for step in range(1, args.max_steps + 1):
        x, y = batch(rng, args.batch_size, args.length)
        loss = F.cross_entropy(model(x).reshape(-1, DIGITS), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % 50 == 0:
            accuracy = exact_match(model, test_x, test_y)
            print(f"step {step:5d}  loss {loss.item():.4f}  exact match {accuracy:7.2%}  "
                  f"{time.perf_counter() - began:6.1f}s", flush=True)
            if accuracy == 1.0:
                break
    seconds = time.perf_counter() - began
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    png = out / "reverse_attention.png"
    with no_grad():
        _, weights = model(test_x[:1], need_weights=True)
    plot(weights, test_x.array[0], png, f"reversing {args.length} digits: last block's "
                                         f"attention ({accuracy:.0%} exact match)")
    print(f"exact match {accuracy:.2%} on 1,000 held-out sequences after {step} steps, "
          f"{seconds:.1f}s")
    print(f"wrote {png}")
    return {"exact_match": accuracy, "steps": step, "seconds": seconds, "png": str(png)}


def main(argv: list[str] | None = None) -> int:
    """Console script ``tt-milestone-2017-reverse``: exit status 1 unless 100% exact match."""
    return 0 if run(argv)["exact_match"] == 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
