"""The milestone's figures: first-layer filters, a confusion matrix, accuracy curves (PNG)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_filters", "plot_confusion", "plot_curves"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_filters(weight: np.ndarray, path: Path, title: str) -> Path:
    """One tile per output channel of a ``(O, C, kh, kw)`` first-layer weight: gray for one
    input channel, colour for three; each tile stretched to its own range."""
    plt = _pyplot()
    count = weight.shape[0]
    cols = min(8, count)
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols, 1.2 * rows + 0.6), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= count:
            continue
        tile = weight[k].transpose(1, 2, 0)  # (kh, kw, C)
        tile = (tile - tile.min()) / (np.ptp(tile) + 1e-12)
        ax.imshow(tile[:, :, 0] if tile.shape[2] == 1 else tile, cmap="gray",
                  interpolation="nearest")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_confusion(matrix: np.ndarray, classes: list[str], path: Path, title: str) -> Path:
    """The confusion matrix as a heat map (rows: true class, columns: predicted), with counts."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(matrix, cmap="Blues")
    ax.set(xticks=range(len(classes)), yticks=range(len(classes)), xlabel="predicted",
           ylabel="true", title=title)
    ax.set_xticklabels(classes, rotation=45, ha="right", fontsize=8)
    ax.set_yticklabels(classes, fontsize=8)
    high = matrix.max() / 2 if matrix.size else 0
    for (t, p), count in np.ndenumerate(matrix):
        ax.text(p, t, str(count), ha="center", va="center", fontsize=7,
                color="white" if count > high else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_curves(histories: dict[str, dict[str, Any]], path: Path, title: str) -> Path:
    """Test (solid) and training (dashed) accuracy per epoch of each named run."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, history in histories.items():
        line, = ax.plot(history["epoch"], [100 * a for a in history["test_acc"]], "o-",
                        label=f"{name} (test)")
        ax.plot(history["epoch"], [100 * a for a in history["train_acc"]], "--",
                color=line.get_color(), label=f"{name} (train)")
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
