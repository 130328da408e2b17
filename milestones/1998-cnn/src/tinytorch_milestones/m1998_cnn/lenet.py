"""Milestone 1998, part 1: LeNet-5 reads handwritten digits (LeCun et al., Proc. IEEE, 1998).

The network of :class:`tinytorch.vision.models.LeNet5` (the paper's layer sizes; ReLU and max
pooling instead of the scaled tanh and trainable subsampling), trained with AdamW and a one-cycle
learning rate on MNIST, with random shifts of up to 2 pixels as augmentation.

Data: the 2,000-image MNIST sample embedded in tt-nn by default (seconds), or the full set with
``--data-dir DIR`` (or ``TINYTORCH_DATA=DIR``), DIR holding ``mnist/*-ubyte.gz``.

    tt-milestone-1998-lenet                                   # embedded sample
    tt-milestone-1998-lenet --data-dir /data                  # full MNIST: >= 99.0% test accuracy

Writes ``lenet_filters.png`` (the six C1 kernels), ``lenet_confusion.png`` and
``lenet_curves.png`` into ``--out``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.nn.data import DataLoader
from tinytorch.nn.optim import AdamW
from tinytorch.nn.optim.lr_scheduler import OneCycleLR
from tinytorch.vision import transforms as T
from tinytorch.vision.datasets import MNIST
from tinytorch.vision.models import LeNet5

from .figures import plot_confusion, plot_curves, plot_filters
from .training import confusion_matrix, fit, keep_freed_memory

MEAN, STD = (0.1307,), (0.3081,)
"""MNIST's pixel mean and standard deviation (training set)."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tt-milestone-1998-lenet",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory with mnist/ (default: $TINYTORCH_DATA, else the embedded "
                             "sample)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="default: 12 on full MNIST, 5 on the embedded sample")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--no-augment", action="store_true", help="no random shifts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("out", "1998-lenet"),
                        help="directory for the PNG figures")
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Train and evaluate LeNet-5; return accuracy, epochs, seconds and the figure paths."""
    args = parse_args(argv)
    began = time.perf_counter()
    keep_freed_memory()
    tt.manual_seed(args.seed)
    normalize = T.Normalize(MEAN, STD)
    augment = T.Compose([T.RandomCrop(28, padding=2, generator=tt.Generator(args.seed)),
                         normalize])
    train_set = MNIST(args.data_dir, train=True, transform=normalize if args.no_augment
                      else augment)
    test_set = MNIST(args.data_dir, train=False, transform=normalize)
    if args.epochs is None:
        args.epochs = 5 if len(train_set) < 10_000 else 12
    print(f"1998 LeNet-5 on MNIST: {len(train_set)} training / {len(test_set)} test images from "
          f"{train_set.source}; {args.epochs} epochs", flush=True)
    train = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                       generator=tt.Generator(args.seed))
    test = DataLoader(test_set, batch_size=1000)
    model = LeNet5()
    optimizer = AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.epochs * len(train),
                           pct_start=0.2)
    history = fit(model, train, test, nn.CrossEntropyLoss(), optimizer, scheduler, args.epochs,
                  "LeNet-5")
    accuracy = history["test_acc"][-1]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    matrix = confusion_matrix(history["predicted"], history["truth"], 10)
    figures = [
        plot_filters(model.features[0].weight.array, out / "lenet_filters.png",
                     "LeNet-5: the six C1 kernels (5x5) after training"),
        plot_confusion(matrix, test_set.classes, out / "lenet_confusion.png",
                       f"LeNet-5 on MNIST: test accuracy {accuracy:.2%}"),
        plot_curves({"LeNet-5": history}, out / "lenet_curves.png",
                    f"LeNet-5 on MNIST ({len(train_set)} training images)"),
    ]
    seconds = time.perf_counter() - began
    per_epoch = sum(history["seconds"]) / len(history["seconds"])
    print(f"LeNet-5: test accuracy {accuracy:.2%} after {args.epochs} epochs, {per_epoch:.1f}s "
          f"per training epoch, {seconds:.1f}s in total ({time.process_time():.0f}s CPU)")
    for path in figures:
        print(f"wrote {path}")
    return {"test_accuracy": accuracy, "epochs": args.epochs, "seconds": seconds,
            "seconds_per_epoch": per_epoch, "history": history,
            "figures": [str(p) for p in figures]}


def main(argv: list[str] | None = None) -> int:
    """Console script ``tt-milestone-1998-lenet``: exit status 0 on success."""
    run(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
