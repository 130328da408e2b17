"""Structured pruning: remove whole neurons and channels, so the model gets *smaller and faster*.

Zeroing single weights (:mod:`.pruning`) leaves every matrix its full size. Removing a hidden
neuron of ``Linear(a, n) -> ReLU -> Linear(n, b)`` deletes a row of the first weight, an entry of
its bias and a column of the second weight: both matmuls shrink, and dense BLAS runs them
faster. A convolution's output channel is the same thing one level up: a filter of the first
conv, a channel of the batch norm after it, and an input channel of every filter of the next
conv. Which units? Those whose incoming weights are smallest (L1 norm by default, as Li et al.,
"Pruning Filters for Efficient ConvNets", 2017): they contribute least.

:func:`prune_channels` walks the model's leaf layers in registration order (the call order of an
``nn.Sequential``) and, for every producer layer followed by another producer, keeps the
largest units and cuts the rest from both. Between the two only layers that act on each unit
separately may sit (activations, dropout, pooling, batch norm, ``Flatten``, where a channel
becomes a block of features). Residual connections are out of scope (a skip would need the same
channels kept on both sides). ``shrink=False`` builds the *masked* equivalent instead: same sizes, the removed
units' outgoing weights zeroed. Its outputs equal the smaller model's (a test checks), which is
the proof that shrinking changed nothing but the cost.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

import tinytorch.nn as nn
from tinytorch.tensor import Tensor
from tinytorch.vision import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout2d,
    MaxPool2d,
)

__all__ = ["prune_channels", "units_to_keep", "PASS_THROUGH"]

PASS_THROUGH: tuple[type, ...] = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.GELU, nn.SiLU, nn.ELU, nn.CELU, nn.SELU, nn.Mish,
    nn.Tanh, nn.Sigmoid, nn.Softplus, nn.Hardtanh, nn.Hardswish, nn.Hardsigmoid, nn.Dropout,
    nn.Identity, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Dropout2d,
)
"""Layers whose output unit (channel) i depends only on input unit i: pruning passes through
them. Batch norms too, their per-channel parameters and statistics cut like the units."""

NORMS: tuple[type, ...] = (BatchNorm1d, BatchNorm2d)


def units_to_keep(weight: np.ndarray, amount: float, norm: int = 1) -> np.ndarray:
    """Indices (ascending) of the output units to keep, ranked by the ``norm`` of each unit's
    incoming weights ``weight[i]`` (every dim but the first).

    Keeps ``n - round(amount * n)`` of the ``n = weight.shape[0]`` units, and at least one;
    ties go to the lower index.
    """
    if not 0.0 <= amount < 1.0:
        raise ValueError(f"amount must be a fraction in [0, 1), got {amount}")
    n = weight.shape[0]
    # BEGIN SOLUTION 6.15 rank units by the norm of their weights, keep the largest
    scores = np.linalg.norm(weight.reshape(n, -1).astype(np.float64), ord=norm, axis=1)
    count = max(1, n - round(amount * n))
    best = np.argsort(-scores, kind="stable")[:count]
    return np.sort(best)
    # END SOLUTION


def _param(array: np.ndarray, like: nn.Parameter) -> nn.Parameter:
    return nn.Parameter(Tensor(np.ascontiguousarray(array)), requires_grad=like.requires_grad)


def _shrink_outputs(layer: nn.Module, keep: np.ndarray) -> None:
    """Keep only the output units ``keep`` of a Linear or Conv2d: the weight's rows (dim 0) and
    the bias entries; update ``out_features``/``out_channels``."""
    # BEGIN SOLUTION 6.16 cut a producer's output units and a consumer's input columns
    layer.weight = _param(layer.weight.array[keep], layer.weight)
    if layer.bias is not None:
        layer.bias = _param(layer.bias.array[keep], layer.bias)
    if isinstance(layer, Conv2d):
        layer.out_channels = len(keep)
    else:
        layer.out_features = len(keep)
    # END SOLUTION


def _shrink_inputs(layer: nn.Module, columns: np.ndarray) -> None:
    """Keep only the inputs ``columns`` of a Linear or Conv2d: the weight's dim 1; update
    ``in_features``/``in_channels``."""
    # BEGIN SOLUTION 6.16 cut a consumer's input columns
    layer.weight = _param(layer.weight.array[:, columns], layer.weight)
    if isinstance(layer, Conv2d):
        layer.in_channels = len(columns)
    else:
        layer.in_features = len(columns)
    # END SOLUTION


def _shrink_norm(norm: nn.Module, keep: np.ndarray) -> None:
    """Keep only the channels ``keep`` of a batch norm: affine parameters and statistics."""
    for name in ("weight", "bias"):
        param = norm._parameters.get(name)
        if param is not None:
            setattr(norm, name, _param(param.array[keep], param))
    for name in ("running_mean", "running_var"):
        buffer = norm._buffers.get(name)
        if buffer is not None:
            setattr(norm, name, Tensor(buffer.array[keep].copy()))
    norm.num_features = len(keep)


def _mask_inputs(layer: nn.Module, columns: np.ndarray) -> None:
    """Zero every input column of ``layer`` not in ``columns`` (the masked equivalent)."""
    dropped = np.setdiff1d(np.arange(layer.weight.shape[1]), columns)
    layer.weight.array[:, dropped] = 0


PRODUCERS: tuple[type, ...] = (nn.Linear, Conv2d)
"""Layers whose output units can be removed (and whose input features can be)."""


def _leaves(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(name, m) for name, m in model.named_modules() if not any(True for _ in m.children())]


def prune_channels(model: nn.Module, amount: float, norm: int = 1, *,
                   shrink: bool = True) -> nn.Module:
    """A copy of ``model`` with ``amount`` of the units of every hidden layer removed.

    Args:
        model: a feed-forward chain (leaf layers registered in call order, e.g. Sequential).
            The last producer layer keeps all its outputs (they are the model's outputs).
        amount: the fraction of units to remove from each hidden layer.
        norm: rank units by the L1 (1) or L2 (2) norm of their weights.
        shrink: True builds the smaller dense model; False the same-size model with the
            removed units' outgoing weights zeroed (equal outputs, for checking).

    Raises:
        TypeError: a layer between two producers that does not act unit by unit.
    """
    new = copy.deepcopy(model)
    leaves = _leaves(new)
    producers = [i for i, (_, m) in enumerate(leaves) if isinstance(m, PRODUCERS)]
    for _, layer in (leaves[i] for i in producers):
        if getattr(layer, "groups", 1) != 1:
            raise TypeError("structured pruning supports convolutions with groups=1 only")
    for a, b in zip(producers[:-1], producers[1:]):
        name, producer = leaves[a]
        norms = []
        for between_name, layer in leaves[a + 1:b]:
            if isinstance(layer, NORMS):
                norms.append(layer)
            elif not isinstance(layer, (*PASS_THROUGH, nn.Flatten)):
                raise TypeError(f"structured pruning cannot pass through {between_name!r} "
                                f"({type(layer).__name__}) between {name!r} and "
                                f"{leaves[b][0]!r}: only layers acting unit by unit can sit "
                                "between two pruned layers")
        keep = units_to_keep(producer.weight.array, amount, norm)
        consumer = leaves[b][1]
        columns = _columns(keep, producer.weight.shape[0], consumer.weight.shape[1], leaves[b][0])
        if shrink:
            _shrink_outputs(producer, keep)
            for layer in norms:
                _shrink_norm(layer, keep)
            _shrink_inputs(consumer, columns)
        else:
            _mask_inputs(consumer, columns)
    return new


def _columns(keep: np.ndarray, units: int, in_features: int, consumer: str) -> np.ndarray:
    """The consumer's input features fed by the kept units; after a Flatten each unit (channel)
    feeds a block of ``in_features / units`` consecutive features."""
    if in_features % units:
        raise TypeError(f"{consumer!r} takes {in_features} inputs, not a multiple of the "
                        f"{units} units of the layer before it")
    block = in_features // units
    return (keep[:, None] * block + np.arange(block)).ravel()


def count_units(model: nn.Module) -> dict[str, Any]:
    """Output units (channels) of every producer layer, by name (to report what pruning
    removed)."""
    return {name: m.weight.shape[0] for name, m in _leaves(model) if isinstance(m, PRODUCERS)}
