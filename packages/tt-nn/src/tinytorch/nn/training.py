"""A small training loop: ``fit`` with history, progress lines, early stopping and checkpoints.

::

    history = fit(model, nn.CrossEntropyLoss(), optimizer, train_loader, epochs=10,
                  val_loader=test_loader, scheduler=scheduler, checkpoint="run.npz", resume=True)

A checkpoint (written atomically at the end of every epoch with :func:`tinytorch.nn.save`) holds
the model, optimizer and scheduler state dicts, the number of epochs done, the history, the
early-stopping counters and the random state: the global generator
(``tinytorch.tensor.get_rng_state``) and the training loader's own generator. Resuming from it
continues exactly: 2 epochs + resume for 2 more gives the same weights as 4 epochs straight.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinytorch.autograd import no_grad
from tinytorch.tensor import Tensor, get_rng_state, set_rng_state

from .clip_grad import clip_grad_norm_
from .serialization import load, save

__all__ = ["fit", "train_step", "evaluate", "accuracy", "History"]

History = dict[str, list[float]]
"""``{"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"}`` -> lists."""

HISTORY_KEYS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds")


def accuracy(output: Tensor, target: Tensor) -> float:
    """Fraction of rows of ``output`` (logits) whose argmax equals ``target``."""
    predicted = np.argmax(output.array, axis=-1)
    return float(np.mean(predicted == np.asarray(target.array)))


def _batch_size(target: Any) -> int:
    return int(target.shape[0]) if getattr(target, "ndim", 0) else 1


def evaluate(model: Any, loader: Any, loss_fn: Callable[..., Tensor] | None = None,
             metric: Callable[[Tensor, Tensor], float] | None = accuracy) -> tuple[float, float]:
    """Mean loss and mean metric of ``model`` over ``loader`` (eval mode, no graph)."""
    was_training = getattr(model, "training", True)
    model.eval()
    total_loss = total_metric = 0.0
    count = 0
    try:
        with no_grad():
            for inputs, target in loader:
                output = model(inputs)
                n = _batch_size(target)
                if loss_fn is not None:
                    total_loss += float(loss_fn(output, target).item()) * n
                if metric is not None:
                    total_metric += metric(output, target) * n
                count += n
    finally:
        model.train(was_training)
    if count == 0:
        return math.nan, math.nan
    return (total_loss / count if loss_fn is not None else math.nan,
            total_metric / count if metric is not None else math.nan)


def train_step(model: Any, loss_fn: Callable[[Tensor, Tensor], Tensor], optimizer: Any,
               inputs: Tensor, target: Tensor, clip_grad_norm: float | None = None
               ) -> tuple[Tensor, Tensor]:
    """One optimisation step on one batch; returns ``(output, loss)``.

    Forget the old gradients (``optimizer.zero_grad()``), forward (``model(inputs)``), the loss
    (``loss_fn(output, target)``), backward, then, when ``clip_grad_norm`` is given, scale the
    gradients of every parameter of ``optimizer.param_groups`` to that joint norm
    (:func:`~tinytorch.nn.clip_grad_norm_`), and finally ``optimizer.step()``.
    """
    # BEGIN SOLUTION 3.26 training step: zero grads, forward, loss, backward, (clip), step
    optimizer.zero_grad()
    output = model(inputs)
    loss = loss_fn(output, target)
    loss.backward()
    if clip_grad_norm is not None:
        clip_grad_norm_([p for group in optimizer.param_groups for p in group["params"]],
                        clip_grad_norm)
    optimizer.step()
    return output, loss
    # END SOLUTION


def _checkpoint_state(model: Any, optimizer: Any, scheduler: Any, loader: Any, epoch: int,
                      history: History, stopper: dict[str, Any]) -> dict[str, Any]:
    generator = getattr(loader, "generator", None)
    return {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "epoch": epoch,
        "history": history,
        "early_stopping": stopper,
        "rng": {"global": get_rng_state(),
                "loader": generator.get_state() if generator is not None else None},
    }


def _restore(state: dict[str, Any], model: Any, optimizer: Any, scheduler: Any,
             loader: Any) -> None:
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state["scheduler"] is not None:
        scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"]["global"])
    generator = getattr(loader, "generator", None)
    if generator is not None and state["rng"]["loader"] is not None:
        generator.set_state(state["rng"]["loader"])


def fit(model: Any, loss_fn: Callable[[Tensor, Tensor], Tensor], optimizer: Any,
        train_loader: Any, epochs: int, *, val_loader: Any = None, scheduler: Any = None,
        scheduler_interval: str = "epoch",
        metric: Callable[[Tensor, Tensor], float] | None = accuracy,
        checkpoint: str | os.PathLike[str] | None = None, resume: bool = False,
        early_stopping_patience: int | None = None, clip_grad_norm: float | None = None,
        log: Callable[[str], Any] | None = print) -> History:
    """Train ``model`` for ``epochs`` epochs; return the history (one entry per epoch).

    Args:
        scheduler: stepped after every epoch (``scheduler_interval="epoch"``) or after every
            optimizer step (``"step"``).
        metric: ``metric(output, target) -> float`` averaged over samples (default accuracy);
            None to skip.
        checkpoint: a path; the full training state is saved there after every epoch.
        resume: if ``checkpoint`` exists, restore it and continue from the epoch it reached.
        early_stopping_patience: stop after this many epochs without a lower validation loss
            (training loss when there is no ``val_loader``).
        clip_grad_norm: clip the gradients' joint 2-norm to this before each step.
        log: called with one progress line per epoch (``print`` by default; None: silent).
    """
    if scheduler_interval not in ("epoch", "step"):
        raise ValueError(f"scheduler_interval must be 'epoch' or 'step', got "
                         f"{scheduler_interval!r}")
    say = log or (lambda line: None)
    history: History = {key: [] for key in HISTORY_KEYS}
    stopper: dict[str, Any] = {"best": math.inf, "bad_epochs": 0, "stopped": False}
    start = 0
    if resume and checkpoint is not None and Path(checkpoint).is_file():
        state = load(checkpoint)
        _restore(state, model, optimizer, scheduler, train_loader)
        history = {key: list(state["history"][key]) for key in HISTORY_KEYS}
        stopper = dict(state["early_stopping"])
        start = int(state["epoch"])
        say(f"resumed from {checkpoint} after epoch {start}")

    for epoch in range(start, epochs):
        if stopper["stopped"]:
            break
        began = time.perf_counter()
        model.train()
        total_loss = total_metric = 0.0
        count = 0
        for inputs, target in train_loader:
            output, loss = train_step(model, loss_fn, optimizer, inputs, target, clip_grad_norm)
            if scheduler is not None and scheduler_interval == "step":
                scheduler.step()
            n = _batch_size(target)
            total_loss += float(loss.item()) * n
            if metric is not None:
                total_metric += metric(output, target) * n
            count += n
        if scheduler is not None and scheduler_interval == "epoch":
            scheduler.step()
        val_loss, val_acc = (evaluate(model, val_loader, loss_fn, metric)
                             if val_loader is not None else (math.nan, math.nan))
        seconds = time.perf_counter() - began
        train_loss = total_loss / max(count, 1)
        record = {"epoch": epoch + 1, "train_loss": train_loss,
                  "train_acc": total_metric / max(count, 1) if metric is not None else math.nan,
                  "val_loss": val_loss, "val_acc": val_acc,
                  "lr": float(optimizer.param_groups[0]["lr"]), "seconds": seconds}
        for key in HISTORY_KEYS:
            history[key].append(record[key])
        line = (f"epoch {epoch + 1:>3}/{epochs}  loss {train_loss:.4f}  "
                f"acc {record['train_acc']:.2%}")
        if val_loader is not None:
            line += f"  val_loss {val_loss:.4f}  val_acc {val_acc:.2%}"
        say(line + f"  lr {record['lr']:.2e}  {seconds:.1f}s")

        if early_stopping_patience is not None:
            watched = val_loss if val_loader is not None else train_loss
            if watched < stopper["best"]:
                stopper["best"], stopper["bad_epochs"] = watched, 0
            else:
                stopper["bad_epochs"] += 1
                if stopper["bad_epochs"] >= early_stopping_patience:
                    stopper["stopped"] = True
                    say(f"early stopping: no improvement for {early_stopping_patience} epochs")
        if checkpoint is not None:
            save(_checkpoint_state(model, optimizer, scheduler, train_loader, epoch + 1,
                                   history, stopper), checkpoint)
    return history
