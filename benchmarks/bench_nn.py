"""Benchmarks of part 3 (nn: layers, optimizers, data loading) against the PyTorch anchor.

``cases()`` returns a list of dicts ``{"name", "ours", "torch", "numpy", "target", "note"}``: each
callable takes no arguments and runs one iteration (data is made once, outside); ``target`` is
the ratio ours / torch we aim for. ``python benchmarks/bench_nn.py`` measures them alone.

* ``nn.mlp_train_step``: one training step of an MLP 784-256-128-10 at batch 128 with
  ``tinytorch.nn`` (Linear, ReLU, CrossEntropyLoss) and AdamW: zero_grad, forward, loss,
  backward, step. Target <= 1.3x PyTorch.
* ``nn.dataloader_batch``: one shuffled batch of 128 from an in-memory MNIST-sized
  TensorDataset (60,000 x 784 float32). The goal is relative to the training step: under 5% of
  it (the note gives the measured share); PyTorch's DataLoader (per-sample fetch + collate) is
  the anchor for the ratio.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.nn.data import DataLoader, TensorDataset
from tinytorch.nn.optim import AdamW

try:
    import torch
except ImportError:  # the anchor is optional
    torch = None

SIZES = [784, 256, 128, 10]
BATCH = 128


def _arrays() -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    weights = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        weights.append((rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32))
        weights.append(np.zeros(n_out, np.float32))
    xs = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    ys = rng.integers(0, 10, BATCH)
    return weights, xs, ys


def _train_step_case() -> dict[str, Any]:
    weights, xs, ys = _arrays()
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    for p, w in zip(model.parameters(), weights):
        p.array[...] = w
    loss_fn = nn.CrossEntropyLoss()
    opt = AdamW(model.parameters(), lr=1e-3)
    x, y = tt.tensor(xs), tt.tensor(ys)

    def ours() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    state = [np.zeros_like(w) for w in weights] + [np.zeros_like(w) for w in weights]
    step = [0]

    def numpy_only() -> None:  # hand-written forward, backward and AdamW: the floor
        w1, b1, w2, b2, w3, b3 = weights
        a1 = xs @ w1.T + b1
        h1 = np.maximum(a1, 0)
        a2 = h1 @ w2.T + b2
        h2 = np.maximum(a2, 0)
        z = h2 @ w3.T + b3
        z = z - z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        p[np.arange(BATCH), ys] -= 1
        dz = p / BATCH
        dh2 = (dz @ w3) * (a2 > 0)
        dh1 = (dh2 @ w2) * (a1 > 0)
        grads = [dh1.T @ xs, dh1.sum(0), dh2.T @ h1, dh2.sum(0), dz.T @ h2, dz.sum(0)]
        step[0] += 1
        t = step[0]
        for w, g, m, v in zip(weights, grads, state[:6], state[6:]):
            w *= 1 - 1e-3 * 1e-2
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            w -= (1e-3 / (1 - 0.9 ** t)) * m / (np.sqrt(v) / np.sqrt(1 - 0.999 ** t) + 1e-8)

    case: dict[str, Any] = {"name": "nn.mlp_train_step", "ours": ours, "torch": None,
                            "numpy": numpy_only, "target": 1.3,
                            "note": "MLP 784-256-128-10, batch 128, CrossEntropyLoss + AdamW"}
    if torch is not None:
        tmodel = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                     torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                     torch.nn.Linear(128, 10))
        with torch.no_grad():
            for p, w in zip(tmodel.parameters(), weights):
                p.copy_(torch.from_numpy(w))
        tloss = torch.nn.CrossEntropyLoss()
        topt = torch.optim.AdamW(tmodel.parameters(), lr=1e-3)
        tx, ty = torch.from_numpy(xs), torch.from_numpy(ys)

        def theirs() -> None:
            topt.zero_grad()
            tloss(tmodel(tx), ty).backward()
            topt.step()

        case["torch"] = theirs
    return case


def _cycle(loader: Any) -> Callable[[], Any]:
    """A callable returning the next batch, starting a new epoch when one ends."""
    iterator: list[Iterator[Any]] = [iter(loader)]

    def next_batch() -> Any:
        try:
            return next(iterator[0])
        except StopIteration:
            iterator[0] = iter(loader)
            return next(iterator[0])

    return next_batch


def _loader_case(step_seconds: float | None) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    images = rng.random((60_000, 784), dtype=np.float32)
    labels = rng.integers(0, 10, 60_000)
    loader = DataLoader(TensorDataset(tt.from_numpy(images), tt.from_numpy(labels)),
                        batch_size=BATCH, shuffle=True, generator=tt.Generator(0))
    ours = _cycle(loader)
    note = "one shuffled batch of 128 from a 60,000 x 784 TensorDataset"
    if step_seconds:
        share = _time(ours, repeat=3, min_seconds=0.1) / step_seconds
        note += f"; {share:.2%} of an nn.mlp_train_step (goal < 5%)"
    case: dict[str, Any] = {"name": "nn.dataloader_batch", "ours": ours, "torch": None,
                            "numpy": None, "target": {"torch": 1.0, "numpy": 1.5}, "note": note}
    perm = [rng.permutation(60_000), 0]

    def numpy_only() -> Any:  # the floor: one fancy index per array
        start = perm[1]
        if start + BATCH > 60_000:
            perm[0], start = rng.permutation(60_000), 0
        perm[1] = start + BATCH
        idx = perm[0][start:start + BATCH]
        return images[idx], labels[idx]

    case["numpy"] = numpy_only
    if torch is not None:
        tloader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels)),
            batch_size=BATCH, shuffle=True, generator=torch.Generator().manual_seed(0))
        case["torch"] = _cycle(tloader)
    return case


def cases() -> list[dict[str, Any]]:
    """The nn benchmark cases (see the module docstring)."""
    step = _train_step_case()
    step_seconds = _time(step["ours"], repeat=3, min_seconds=0.1)
    return [step, _loader_case(step_seconds)]


def _time(fn: Callable[[], Any], repeat: int = 7, min_seconds: float = 0.2) -> float:
    """Best-of-``repeat`` seconds per call, each repeat running for at least ``min_seconds``."""
    fn()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= min_seconds / 5:
            break
        number *= 2
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best

