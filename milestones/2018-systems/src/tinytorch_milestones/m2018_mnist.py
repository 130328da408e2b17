"""The image half of the 2018 capstone: the 1998 CNN (LeNet-5) and the 1986 MLP on MNIST, made
smaller and faster.

Variants of each trained network, measured on the same test images:

* **float32**: the trained network (the baseline);
* **int8**: weights stored in one byte, convolutions and linears computed int8 x int8 -> int32
  (static calibration on training images);
* **pruned X% + KD**: structured pruning removes X% of every hidden layer's channels/units (a
  smaller dense network), then a short fine-tuning with knowledge distillation from the float32
  network (the teacher) brings the accuracy back; **+ int8** on top;
* **low-rank + KD** (MLP): each hidden Linear factorised by SVD at the rank that keeps 80% of
  its spectrum's energy, then distilled;
* **80% sparse** (LeNet-5): unstructured magnitude pruning, global, masks kept while
  fine-tuning, then made permanent: as accurate, but exactly as slow and as large as dense --
  dense matmuls do not skip zeros and dense storage does not drop them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.nn.data import MNIST, DataLoader
from tinytorch.nn.optim import AdamW
from tinytorch.systems import (
    BenchmarkResult,
    benchmark_models,
    distillation_loss,
    low_rank,
    measure_sparsity,
    prune_channels,
    pruning,
    quantize_model,
)
from tinytorch.vision import Conv2d
from tinytorch.vision.models import LeNet5

__all__ = ["ModelRun", "run_mnist", "train", "accuracy", "mlp"]


@dataclass
class ModelRun:
    """One network's variants: benchmark results, the models, and facts for the report."""

    title: str
    results: list[BenchmarkResult]
    models: dict[str, nn.Module] = field(repr=False)
    facts: dict[str, Any]


def mlp() -> nn.Module:
    """The 1986 milestone's MLP: 784 -> 512 -> 256 -> 10 with ReLU (dropout omitted)."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256),
                         nn.ReLU(), nn.Linear(256, 10))


def accuracy(model: nn.Module, images: tt.Tensor, labels: tt.Tensor, batch: int = 1000) -> float:
    """Top-1 accuracy of ``model`` (eval mode, no gradients) over ``images``."""
    model.eval()
    correct = 0
    with no_grad():
        for start in range(0, images.shape[0], batch):
            logits = model(images[start:start + batch])
            correct += int((logits.array.argmax(1) == labels.array[start:start + batch]).sum())
    return correct / images.shape[0]


def train(model: nn.Module, loader: DataLoader, epochs: int, lr: float,
          teacher: nn.Module | None = None, temperature: float = 4.0, alpha: float = 0.7) -> None:
    """AdamW on cross-entropy; with a ``teacher``, on the distillation loss instead."""
    optimizer = AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    if teacher is not None:
        teacher.eval()
    for _ in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            logits = model(x)
            if teacher is None:
                loss = F.cross_entropy(logits, y)
            else:
                with no_grad():
                    soft = teacher(x)
                loss = distillation_loss(logits, soft, y, temperature, alpha)
            loss.backward()
            optimizer.step()


def _sparse(model: nn.Module, amount: float, loader: DataLoader, epochs: int) -> nn.Module:
    """Global magnitude pruning of every weight matrix and filter bank, fine-tuned with the
    masks in place, then made permanent (``pruning.remove``)."""
    sparse = copy.deepcopy(model)
    params = [(m, "weight") for m in sparse.modules()
              if isinstance(m, (nn.Linear, Conv2d))]
    pruning.global_unstructured(params, pruning_method=pruning.L1Unstructured, amount=amount)
    train(sparse, loader, epochs, lr=1e-3)
    for module, name in params:
        pruning.remove(module, name)
    return sparse


def _widths(model: nn.Module) -> list[int]:
    """Output channels/units of every conv and linear layer, in order (factorised layers show
    their rank)."""
    return [int(m.weight.shape[0]) for m in model.modules()
            if "weight" in m._parameters and m.weight is not None and m.weight.ndim > 1]


def _variants(model: nn.Module, loader: DataLoader, finetune: int,
              calibration: list[tt.Tensor], amounts: tuple[float, ...],
              extra: Callable[[nn.Module], dict[str, nn.Module]]) -> dict[str, nn.Module]:
    """float32, int8, each structured pruning amount (+ KD), the last one + int8, extras."""
    variants: dict[str, nn.Module] = {"float32": model,
                                      "int8": quantize_model(model, calibration)}
    for amount in amounts:
        small = prune_channels(model, amount)
        train(small, loader, finetune, lr=1e-3, teacher=model)
        variants[f"pruned {amount:.0%} + KD"] = small
    last = f"pruned {amounts[-1]:.0%} + KD"
    variants[last + " + int8"] = quantize_model(variants[last], calibration)
    variants.update(extra(model))
    return variants


def run_mnist(data_dir: str | None, epochs: int, finetune: int, bench_images: int,
              repeats: int, seed: int, log: Any = print) -> list[ModelRun]:
    """Train LeNet-5 and the MLP, build their variants, benchmark them on ``bench_images``
    test images (latencies interleaved within each network's variants)."""
    tt.manual_seed(seed)
    train_set, test_set = MNIST(data_dir, train=True), MNIST(data_dir, train=False)
    log(f"MNIST: {len(train_set)} training / {len(test_set)} test images from {train_set.source}")
    loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=tt.Generator(seed))
    images, labels = test_set.data, test_set.targets
    calibration = [train_set.data[i:i + 256] for i in range(0, 1024, 256)]
    bench = images[:bench_images]

    def score(m: nn.Module) -> float:
        return accuracy(m, images, labels)

    runs = []
    specs = [("LeNet-5 (1998)", LeNet5, (0.5, 0.7),
              lambda m: {"80% sparse (unstructured)": _sparse(m, 0.8, loader, finetune)}),
             ("MLP 784-512-256-10 (1986)", mlp, (0.5, 0.7),
              lambda m: {"low-rank 80% energy + KD": _low_rank(m, loader, finetune)})]
    for title, build, amounts, extra in specs:
        model = build()
        train(model, loader, epochs, lr=3e-3)
        log(f"  {title}: {epochs} epochs, test accuracy {score(model):.2%}")
        variants = _variants(model, loader, finetune, calibration, amounts, extra)
        results = benchmark_models(variants, bench, accuracy_fn=score, warmup=2,
                                   repeats=repeats)
        sparse = variants.get("80% sparse (unstructured)")
        facts = {"widths": {k: _widths(v) for k, v in variants.items()
                            if k == "float32" or (k.endswith("KD") and "int8" not in k)}}
        if sparse is not None:
            facts["sparsity"] = measure_sparsity(sparse, layers=[nn.Linear, Conv2d])
        runs.append(ModelRun(title, results, variants, facts))
    return runs


def _low_rank(model: nn.Module, loader: DataLoader, finetune: int) -> nn.Module:
    """Every hidden Linear at the rank keeping 80% of its energy, distilled from ``model``."""
    factored = low_rank(model, energy=0.8, min_saving=0.2)
    train(factored, loader, finetune, lr=1e-3, teacher=model)
    return factored
