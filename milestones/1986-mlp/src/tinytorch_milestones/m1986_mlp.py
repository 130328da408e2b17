"""Milestone 1986: a multi-layer perceptron trained by backpropagation, on MNIST.

Rumelhart, Hinton and Williams ("Learning representations by back-propagating errors", Nature,
1986) showed that hidden layers trained with the chain rule learn useful features. Here the same
idea, with every piece built in TinyTorch parts 1-3: an MLP 784-512-256-10 (Linear, ReLU,
Dropout), cross-entropy, AdamW with linear warm-up then cosine decay, mini-batches from a
DataLoader.

Data: the small MNIST sample embedded in tt-nn by default (2,000 training / 500 test images; runs
in seconds), or the full dataset with ``--data-dir DIR`` (or ``TINYTORCH_DATA=DIR``), where DIR
holds ``mnist/train-images-idx3-ubyte.gz`` and the three other official files.

    tt-milestone-1986                                  # embedded sample
    tt-milestone-1986 --data-dir /data --epochs 20     # full MNIST: >= 98% test accuracy

Writes ``mlp_curves.png`` (loss and accuracy per epoch) into ``--out``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.nn.data import MNIST, DataLoader
from tinytorch.nn.optim import AdamW
from tinytorch.nn.optim.lr_scheduler import warmup_cosine
from tinytorch.nn.training import fit


def build_model(hidden: tuple[int, ...] = (512, 256), dropout: float = 0.2) -> nn.Module:
    """784 -> hidden... -> 10, ReLU and dropout between layers."""
    layers: list[nn.Module] = [nn.Flatten()]
    width = 28 * 28
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
        width = size
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tt-milestone-1986", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory with the MNIST files (default: $TINYTORCH_DATA, else the "
                             "embedded sample)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="default: 20 on full MNIST, 8 on the embedded sample")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    parser.add_argument("--out", default=os.path.join("out", "1986-mlp"),
                        help="directory for the PNG figure")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def plot(history: dict[str, list[float]], path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = history["epoch"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, history["train_loss"], "o-", label="train")
    left.plot(epochs, history["val_loss"], "s-", label="test")
    left.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    left.legend()
    right.plot(epochs, [100 * a for a in history["train_acc"]], "o-", label="train")
    right.plot(epochs, [100 * a for a in history["val_acc"]], "s-", label="test")
    right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    right.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Train and evaluate; return the results (test accuracy, epochs, seconds, PNG, history)."""
    args = parse_args(argv)
    began = time.perf_counter()
    tt.manual_seed(args.seed)
    train_set = MNIST(args.data_dir, train=True)
    test_set = MNIST(args.data_dir, train=False)
    print(f"1986 MLP on MNIST: {len(train_set)} training / {len(test_set)} test images "
          f"from {train_set.source}")
    if args.epochs is None:
        args.epochs = 8 if len(train_set) < 10_000 else 20
    train = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                       generator=tt.Generator(args.seed))
    test = DataLoader(test_set, batch_size=1000)
    model = build_model()
    optimizer = AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    total = args.epochs * len(train)
    warmup = max(1, min(len(train), total // 10))
    scheduler = warmup_cosine(optimizer, warmup, total) if total > warmup else None
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, args.epochs, val_loader=test,
                  scheduler=scheduler, scheduler_interval="step")
    seconds = time.perf_counter() - began
    accuracy = history["val_acc"][-1]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    png = out / "mlp_curves.png"
    plot(history, png, f"1986 MLP on MNIST ({len(train_set)} images): "
                       f"test accuracy {accuracy:.2%}")
    print(f"test accuracy {accuracy:.2%} after {args.epochs} epochs, {seconds:.1f}s in total")
    print(f"wrote {png}")
    return {"test_accuracy": accuracy, "epochs": args.epochs, "seconds": seconds,
            "png": str(png), "history": history}


def main(argv: list[str] | None = None) -> int:
    """Console script ``tt-milestone-1986``: exit status 0 on success."""
    run(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
