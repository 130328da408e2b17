"""Milestone 1998, part 2: what convolution buys on natural images (CIFAR-10).

A small network of conv-BN-ReLU blocks (:class:`tinytorch.vision.models.CifarNet`, 0.4 M
parameters), trained with SGD + Nesterov momentum, a one-cycle learning rate, label smoothing and
random crops and flips, against a multi-layer perceptron (3072-1024-512-10) trained on the same
images. Target: >= 80% test accuracy for the CNN within 45 minutes on 2 CPU cores; the MLP
stays near 55%.

Data: the 200-image CIFAR-10 sample embedded in tt-vision by default (seconds), or the full set
with ``--data-dir DIR`` (or ``TINYTORCH_DATA=DIR``), DIR holding ``cifar-10-batches-bin/`` or the
official ``cifar-10-binary.tar.gz``.

    tt-milestone-1998-cifar                          # embedded sample
    tt-milestone-1998-cifar --data-dir /data         # full CIFAR-10

Writes ``cifar_filters.png`` (the first layer's kernels), ``cifar_confusion.png`` (the CNN) and
``cifar_curves.png`` (CNN against MLP, per epoch) into ``--out``.
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
from tinytorch.nn.optim import SGD, AdamW
from tinytorch.nn.optim.lr_scheduler import OneCycleLR
from tinytorch.vision import transforms as T
from tinytorch.vision.datasets import CIFAR10
from tinytorch.vision.models import CifarNet

from .figures import plot_confusion, plot_curves, plot_filters
from .training import confusion_matrix, fit, keep_freed_memory

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)
"""CIFAR-10's per-channel pixel mean and standard deviation (training set)."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tt-milestone-1998-cifar",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory with cifar-10-batches-bin/ (default: $TINYTORCH_DATA, "
                             "else the embedded sample)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="CNN epochs (default: 16 on full CIFAR-10, 8 on the sample)")
    parser.add_argument("--mlp-epochs", type=int, default=None,
                        help="MLP epochs (default: 10, 8 on the sample; 0 skips the MLP)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="CNN batch size (default: 256; 32 on the sample)")
    parser.add_argument("--width", type=int, default=16, help="CifarNet's first-stage channels")
    parser.add_argument("--lr", type=float, default=None,
                        help="peak SGD learning rate (default: 0.2; 0.05 on the sample)")
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("out", "1998-cifar"),
                        help="directory for the PNG figures")
    return parser.parse_args(argv)


def build_mlp() -> nn.Module:
    """3072 -> 1024 -> 512 -> 10 with ReLU and dropout: the baseline without convolutions."""
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 1024), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(1024, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10))


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Train the CNN and the MLP; return their accuracies, epochs, seconds and figure paths."""
    args = parse_args(argv)
    began = time.perf_counter()
    keep_freed_memory()
    tt.manual_seed(args.seed)
    plain = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    augment = T.Compose([T.ToTensor(), T.RandomCrop(32, padding=4, padding_mode="reflect",
                                                    generator=tt.Generator(args.seed)),
                         T.RandomHorizontalFlip(generator=tt.Generator(args.seed + 1)),
                         T.Normalize(MEAN, STD)])
    train_set = CIFAR10(args.data_dir, train=True, transform=augment)
    test_set = CIFAR10(args.data_dir, train=False, transform=plain)
    small = len(train_set) < 10_000  # the embedded sample: a smoke test of the whole pipeline
    epochs = args.epochs if args.epochs is not None else (8 if small else 16)
    mlp_epochs = args.mlp_epochs if args.mlp_epochs is not None else (8 if small else 10)
    batch = args.batch_size if args.batch_size is not None else (32 if small else 256)
    lr = args.lr if args.lr is not None else (0.05 if small else 0.2)
    print(f"1998 CNN on CIFAR-10: {len(train_set)} training / {len(test_set)} test images from "
          f"{train_set.source}; CNN {epochs} epochs, MLP {mlp_epochs} epochs", flush=True)
    if small:
        print("(20 images per class cannot show what convolution buys: run with --data-dir on the "
              "full CIFAR-10 for the comparison)", flush=True)
    test = DataLoader(test_set, batch_size=500)

    model = CifarNet(args.width)
    train = DataLoader(train_set, batch_size=batch, shuffle=True, drop_last=not small,
                       generator=tt.Generator(args.seed))
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True,
                    weight_decay=args.weight_decay)
    scheduler = OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * len(train),
                           pct_start=0.25)
    cnn_began = time.perf_counter()
    cnn = fit(model, train, test, nn.CrossEntropyLoss(label_smoothing=0.1), optimizer,
              scheduler, epochs, "CNN")
    cnn_seconds = time.perf_counter() - cnn_began
    histories = {"CNN": cnn}

    mlp_seconds = 0.0
    if mlp_epochs > 0:
        mlp = build_mlp()
        plain_train = CIFAR10(args.data_dir, train=True, transform=plain)
        train = DataLoader(plain_train, batch_size=128, shuffle=True,
                           generator=tt.Generator(args.seed))
        optimizer = AdamW(mlp.parameters(), lr=1e-3, weight_decay=1e-2)
        scheduler = OneCycleLR(optimizer, max_lr=1e-3, total_steps=mlp_epochs * len(train),
                               pct_start=0.2)
        mlp_began = time.perf_counter()
        histories["MLP"] = fit(mlp, train, test, nn.CrossEntropyLoss(), optimizer, scheduler,
                               mlp_epochs, "MLP")
        mlp_seconds = time.perf_counter() - mlp_began

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    accuracy = cnn["test_acc"][-1]
    matrix = confusion_matrix(cnn["predicted"], cnn["truth"], 10)
    first = model.features[0][0].weight.array
    result: dict[str, Any] = {
        "cnn": {"test_accuracy": accuracy, "epochs": epochs, "seconds": cnn_seconds,
                "seconds_per_epoch": sum(cnn["seconds"]) / epochs},
        "histories": histories}
    print(f"CNN: test accuracy {accuracy:.2%} after {epochs} epochs, "
          f"{result['cnn']['seconds_per_epoch']:.1f}s per training epoch, {cnn_seconds:.0f}s")
    if "MLP" in histories:
        mlp_accuracy = histories["MLP"]["test_acc"][-1]
        result["mlp"] = {"test_accuracy": mlp_accuracy, "epochs": mlp_epochs,
                         "seconds": mlp_seconds,
                         "seconds_per_epoch": sum(histories["MLP"]["seconds"]) / mlp_epochs}
        print(f"MLP: test accuracy {mlp_accuracy:.2%} after {mlp_epochs} epochs, "
              f"{result['mlp']['seconds_per_epoch']:.1f}s per training epoch, {mlp_seconds:.0f}s")
    print(f"training took {time.perf_counter() - began:.0f}s ({time.process_time():.0f}s CPU)")
    figures = [
        plot_filters(first, out / "cifar_filters.png",
                     f"CifarNet: the {first.shape[0]} first-layer kernels (3x3, RGB)"),
        plot_confusion(matrix, test_set.classes, out / "cifar_confusion.png",
                       f"CNN on CIFAR-10: test accuracy {accuracy:.2%}"),
        plot_curves(histories, out / "cifar_curves.png",
                    f"CIFAR-10 ({len(train_set)} training images): CNN against MLP"),
    ]
    result["seconds"] = time.perf_counter() - began
    result["figures"] = [str(p) for p in figures]
    for path in figures:
        print(f"wrote {path}")
    return result


def main(argv: list[str] | None = None) -> int:
    """Console script ``tt-milestone-1998-cifar``: exit status 0 on success."""
    run(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
