"""Milestone 2017 (b): TinyGPT learns to write Shakespeare, character by character.

A decoder-only transformer (Radford et al. 2018, after Vaswani et al. 2017) trained with
nanoGPT's CPU recipe on Tiny Shakespeare (1.1 MB, embedded in tt-text), every piece from
TinyTorch parts 1-3 and 5: n_layer 4, n_head 4, n_embd 128, context 64, batch 12, dropout 0,
no biases; AdamW (weight decay 0.1 on matrices, betas 0.9 / 0.99), lr 1e-3 with 100 warm-up
iterations and cosine decay to 1e-4, gradients clipped at 1.0.

    tt-milestone-2017                  # a short run (300 iterations), about a minute
    tt-milestone-2017 --full           # nanoGPT's 2,000 iterations: validation loss <= 1.92

``--data-dir DIR`` (or ``TINYTORCH_DATA``) reads ``DIR/tinyshakespeare/input.txt`` instead of
the embedded copy. Prints the wall time and a generated sample; writes ``tinygpt_loss.png``
(the loss curves) and ``tinygpt_attention.png`` (every head's attention on a line of text)
into ``--out``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.text import GPT, CharCorpus, GPTConfig, tiny_shakespeare

FULL_ITERS = 2000
TARGET_VAL_LOSS = 1.92


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tt-milestone-2017", description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true",
                        help=f"nanoGPT's full run: {FULL_ITERS} iterations, checks validation "
                             f"loss <= {TARGET_VAL_LOSS}")
    parser.add_argument("--iters", type=int, default=None,
                        help=f"training iterations (default 300, or {FULL_ITERS} with --full)")
    parser.add_argument("--eval-batches", type=int, default=None,
                        help="validation batches for the final loss (default 50; 200 with --full)")
    parser.add_argument("--data-dir", default=None,
                        help="directory holding tinyshakespeare/input.txt (default: "
                             "$TINYTORCH_DATA, else the copy embedded in tt-text)")
    parser.add_argument("--sample-tokens", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--out", default=os.path.join("out", "2017-transformer"),
                        help="directory for the PNG figures")
    args = parser.parse_args(argv)
    if args.iters is None:
        args.iters = FULL_ITERS if args.full else 300
    if args.eval_batches is None:
        args.eval_batches = 200 if args.full else 50
    return args


def load_text(data_dir: str | None) -> tuple[str, str]:
    """The corpus and where it came from."""
    data_dir = data_dir or os.environ.get("TINYTORCH_DATA")
    if data_dir:
        path = Path(data_dir) / "tinyshakespeare" / "input.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8"), str(path)
        print(f"{path} not found: using the copy embedded in tt-text", file=sys.stderr)
    return tiny_shakespeare(), "the copy embedded in tt-text"


def learning_rate(it: int, iters: int, lr: float = 1e-3, min_lr: float = 1e-4,
                  warmup: int = 100) -> float:
    """nanoGPT's schedule: linear warm-up, then cosine decay from ``lr`` to ``min_lr``."""
    warmup = min(warmup, max(1, iters // 10))
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    ratio = min(1.0, (it - warmup) / max(1, iters - warmup))
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def estimate_loss(model: GPT, corpus: CharCorpus, split: str, batches: int, seed: int) -> float:
    """Mean loss over ``batches`` random batches of ``split`` (the same batches every call)."""
    generator = tt.Generator(seed)
    model.eval()
    losses = []
    with no_grad():
        for _ in range(batches):
            x, y = corpus.get_batch(split, 12, model.config.block_size, generator)
            losses.append(model(x, y)[1].item())
    model.train()
    return float(np.mean(losses))


def progress(it: int, total: int, loss: float, began: float) -> None:
    """A one-line progress bar on stderr: iteration, bar, loss, speed, time left. Redrawn in
    place on a terminal; in a log (not a terminal) a line at every tenth of the run."""
    live = sys.stderr.isatty()
    if not live and (it + 1) % max(total // 10, 1) and it + 1 != total:
        return
    done = (it + 1) / total
    elapsed = time.perf_counter() - began
    rate = (it + 1) / elapsed if elapsed > 0 else 0.0
    left = (total - it - 1) / rate if rate else 0.0
    bar = "#" * int(30 * done) + "-" * (30 - int(30 * done))
    start, end = ("\r", "\n" if it + 1 == total else "") if live else ("", "\n")
    print(f"{start}{it + 1:5d}/{total} [{bar}] loss {loss:.4f}  {rate:5.1f} it/s  "
          f"{elapsed:6.1f}s elapsed, {left:5.0f}s left", end=end, file=sys.stderr, flush=True)


def plot_losses(history: dict[str, list[Any]], path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    train = np.array(history["train"])
    window = max(1, len(train) // 50)
    smooth = np.convolve(train, np.ones(window) / window, mode="valid")
    ax.plot(np.arange(len(train)), train, color="C0", alpha=0.25, lw=0.8)
    ax.plot(np.arange(window - 1, len(train)), smooth, color="C0", label="train (batch)")
    its, vals = zip(*history["val"])
    ax.plot(its, vals, "s-", color="C1", label="validation")
    ax.axhline(TARGET_VAL_LOSS, color="gray", ls="--", lw=0.8, label=f"{TARGET_VAL_LOSS}")
    ax.set(xlabel="iteration", ylabel="cross-entropy (nats per character)", title=title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_attention(model: GPT, corpus: CharCorpus, text: str, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids = tt.tensor([corpus.tokenizer.encode(text)])
    maps = model.attention_weights(ids)  # n_layer x (1, nh, T, T)
    rows, cols = len(maps), maps[0].shape[1]
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.6 * rows), squeeze=False)
    chars = [repr(c)[1:-1] for c in text]
    for layer, weights in enumerate(maps):
        for head in range(cols):
            ax = axes[layer, head]
            ax.imshow(weights.array[0, head], cmap="viridis", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"layer {layer}, head {head}", fontsize=8)
    axes[-1, 0].set_xticks(range(len(chars)), chars, fontsize=5)
    axes[-1, 0].set_yticks(range(len(chars)), chars, fontsize=5)
    fig.suptitle(f"attention of every head on {text!r} (query rows, key columns)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Train TinyGPT; return the validation loss, the seconds, the sample and the figures."""
    args = parse_args(argv)
    began = time.perf_counter()
    tt.manual_seed(args.seed)
    text, source = load_text(args.data_dir)
    corpus = CharCorpus(text)
    config = GPTConfig(block_size=64, vocab_size=corpus.vocab_size, n_layer=4, n_head=4,
                       n_embd=128, dropout=0.0, bias=False)
    model = GPT(config)
    optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=1e-3,
                                           betas=(0.9, 0.99))
    print(f"2017 transformer (b): TinyGPT, {model.num_parameters() / 1e6:.2f}M parameters, "
          f"{len(corpus.train):,} training characters from {source}, {args.iters} iterations")
    batches = tt.Generator(args.seed)
    history: dict[str, list[Any]] = {"train": [], "val": []}
    eval_every = 250 if args.iters > 500 else max(1, args.iters // 3)
    train_began = time.perf_counter()
    for it in range(args.iters):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(it, args.iters)
        x, y = corpus.get_batch("train", 12, config.block_size, batches)
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        history["train"].append(loss.item())
        progress(it, args.iters, history["train"][-1], train_began)
        if (it + 1) % eval_every == 0 and it + 1 < args.iters:
            history["val"].append((it + 1, estimate_loss(model, corpus, "val", 20, 0)))
    train_seconds = time.perf_counter() - train_began
    val_loss = estimate_loss(model, corpus, "val", args.eval_batches, 0)
    history["val"].append((args.iters, val_loss))
    print(f"validation loss {val_loss:.4f} ({args.eval_batches} batches of 12 x 64) after "
          f"{args.iters} iterations; training took {train_seconds:.1f}s "
          f"({1000 * train_seconds / args.iters:.1f} ms per iteration)")
    model.eval()
    prompt = tt.tensor([corpus.tokenizer.encode("\n")])
    sample_ids = model.generate(prompt, args.sample_tokens, temperature=0.8,
                                generator=tt.Generator(args.seed))
    sample = corpus.tokenizer.decode(sample_ids[0])
    print("--- sample (temperature 0.8) ---" + sample + "\n-------------------------------")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    loss_png, attention_png = out / "tinygpt_loss.png", out / "tinygpt_attention.png"
    plot_losses(history, loss_png, f"TinyGPT on Tiny Shakespeare: validation loss "
                                   f"{val_loss:.3f} after {args.iters} iterations")
    plot_attention(model, corpus, "ROMEO:\nBut soft, what light", attention_png)
    seconds = time.perf_counter() - began
    print(f"wrote {loss_png} and {attention_png}; {seconds:.1f}s in total")
    passed = val_loss <= TARGET_VAL_LOSS
    if args.full:
        print(f"target: validation loss <= {TARGET_VAL_LOSS}: {'reached' if passed else 'MISSED'}")
    return {"val_loss": val_loss, "full": args.full, "iters": args.iters, "train_seconds": train_seconds,
            "seconds": seconds, "sample": sample, "passed": passed,
            "pngs": [str(loss_png), str(attention_png)], "history": history}


def main(argv: list[str] | None = None) -> int:
    """Console script ``tt-milestone-2017``: with ``--full``, exit 1 if the target is missed."""
    result = run(argv)
    return 1 if result["full"] and not result["passed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
