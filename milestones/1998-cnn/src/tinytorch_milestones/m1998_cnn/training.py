"""The training loop of the 1998 milestone: epochs with a progress bar, evaluation, a history.

Kept here (not ``tinytorch.nn.training.fit``) so that the loop the milestone runs is on one page:
zero the gradients, forward, loss, backward, step, advance the LR schedule; evaluate on the test
set after each epoch.
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import numpy as np

from tinytorch.autograd import no_grad

__all__ = ["Progress", "train_epoch", "evaluate", "fit", "confusion_matrix",
           "keep_freed_memory"]


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed memory for reuse (``mallopt``), instead of returning it
    to the system after every large temporary array and taking it back, page fault by page
    fault, for the next one. Measured on a CIFAR-10 training step: 335 -> 277 ms. A no-op
    (False) where there is no glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        trim_threshold, top_pad = -1, -2  # M_TRIM_THRESHOLD, M_TOP_PAD in <malloc.h>
        return bool(libc.mallopt(trim_threshold, 1 << 31) and libc.mallopt(top_pad, 1 << 29))
    except (OSError, AttributeError):
        return False


class Progress:
    """A one-line progress bar over an iterable: ``epoch 3/12 |#####-----| 196/391 loss ...``.

    On a terminal the line is redrawn in place; otherwise (logs, CI) it is printed at every
    quarter of the epoch, so that a long run's log shows progress without flooding it.
    """

    def __init__(self, iterable: Iterable[Any], total: int, desc: str, width: int = 24,
                 stream: TextIO | None = None) -> None:
        self.iterable, self.total, self.desc, self.width = iterable, total, desc, width
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty()
        self.count, self.info, self.start = 0, "", time.perf_counter()

    def __iter__(self) -> Iterator[Any]:
        quarters = {round(self.total * q / 4) for q in (1, 2, 3)}
        for item in self.iterable:
            yield item
            self.count += 1
            if self.live:
                self._draw("\r")
            elif self.count in quarters:
                self._draw("")
                self.stream.write("\n")
        self._draw("\r" if self.live else "")
        self.stream.write("\n")
        self.stream.flush()

    def set(self, **values: float) -> None:
        """The numbers shown after the bar (``loss=0.31, acc=0.9``)."""
        self.info = "  ".join(f"{k} {v:.2%}" if k == "acc" else f"{k} {v:.4f}"
                              for k, v in values.items())

    def _draw(self, prefix: str) -> None:
        done = int(self.width * self.count / max(self.total, 1))
        bar = "#" * done + "-" * (self.width - done)
        seconds = time.perf_counter() - self.start
        self.stream.write(f"{prefix}{self.desc} |{bar}| {self.count}/{self.total}  {self.info}"
                          f"  {seconds:.0f}s")
        self.stream.flush()


def train_epoch(model: Any, loader: Any, loss_fn: Any, optimizer: Any, scheduler: Any,
                desc: str) -> tuple[float, float]:
    """One pass over ``loader``; returns (mean loss, accuracy) on the training batches."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    bar = Progress(loader, len(loader), desc)
    for images, labels in bar:
        optimizer.zero_grad()
        logits = model(images)
        loss = loss_fn(logits, labels)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        n = len(labels.array)
        total_loss += float(loss.item()) * n
        correct += int((logits.array.argmax(axis=1) == labels.array).sum())
        seen += n
        bar.set(loss=total_loss / seen, acc=correct / seen)
    return total_loss / seen, correct / seen


def evaluate(model: Any, loader: Any) -> tuple[float, np.ndarray, np.ndarray]:
    """(accuracy, predictions, labels) of ``model`` over ``loader``, in eval mode."""
    model.eval()
    predictions, targets = [], []
    with no_grad():
        for images, labels in loader:
            predictions.append(model(images).array.argmax(axis=1))
            targets.append(np.asarray(labels.array))
    predicted, truth = np.concatenate(predictions), np.concatenate(targets)
    return float((predicted == truth).mean()), predicted, truth


def confusion_matrix(predicted: np.ndarray, truth: np.ndarray, classes: int) -> np.ndarray:
    """``m[t, p]`` = how many images of class ``t`` were predicted as ``p``."""
    return np.bincount(truth * classes + predicted, minlength=classes * classes).reshape(
        classes, classes)


def fit(model: Any, train: Any, test: Any, loss_fn: Any, optimizer: Any, scheduler: Any,
        epochs: int, name: str) -> dict[str, Any]:
    """Train for ``epochs``, evaluating after each; the history and the final predictions."""
    history: dict[str, Any] = {"epoch": [], "train_loss": [], "train_acc": [], "test_acc": [],
                               "seconds": [], "cpu_seconds": []}
    predicted = truth = np.zeros(0, np.int64)
    for epoch in range(1, epochs + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        loss, acc = train_epoch(model, train, loss_fn, optimizer, scheduler,
                                f"{name} epoch {epoch:>2}/{epochs}")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        test_acc, predicted, truth = evaluate(model, test)
        for key, value in (("epoch", epoch), ("train_loss", loss), ("train_acc", acc),
                           ("test_acc", test_acc), ("seconds", seconds), ("cpu_seconds", cpu)):
            history[key].append(value)
        # CPU seconds (all threads) next to wall seconds: on a shared machine the wall clock
        # also counts the time other programs held the cores
        print(f"{name} epoch {epoch:>2}/{epochs}: train loss {loss:.4f}, train acc {acc:.2%}, "
              f"test acc {test_acc:.2%}, {seconds:.1f}s ({cpu:.1f}s CPU)", flush=True)
    history["predicted"], history["truth"] = predicted, truth
    return history
