"""Magnitude pruning with masks, as ``torch.nn.utils.prune``: zero the smallest weights, keep
them zero while fine-tuning.

Pruning a parameter ``weight`` of a module *reparametrizes* it (PyTorch's scheme, names
included):

* the learned values move to a Parameter ``weight_orig``;
* a buffer ``weight_mask`` (1 = kept, 0 = pruned) joins the state dict;
* a forward pre-hook recomputes ``module.weight = weight_orig * weight_mask`` before every
  forward. The product is a Tensor op, so the gradient reaching ``weight_orig`` is zero where
  the mask is: pruned weights stay pruned through any number of fine-tuning steps.

:func:`remove` makes it permanent (``weight`` becomes a plain Parameter again, zeros included).
Pruning unstructured weights saves nothing by itself on dense hardware: a matrix with 90%
zeros multiplies as fast as a full one. It shrinks a compressed file, and shows how much of a
network is redundant; :mod:`.structured` removes whole neurons and channels, which is faster.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

import tinytorch.nn as nn
from tinytorch.tensor import Tensor

__all__ = ["l1_unstructured", "global_unstructured", "remove", "is_pruned",
           "magnitude_mask", "measure_sparsity", "L1Unstructured"]


def _count(amount: float | int, n: int) -> int:
    """How many of ``n`` entries to prune: an int is a count, a float a fraction (rounded)."""
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        raise TypeError(f"amount must be an int (a count) or a float (a fraction), "
                        f"got {type(amount).__name__}")
    if isinstance(amount, float):
        if not 0.0 <= amount <= 1.0:
            raise ValueError(f"amount={amount} should be a float in [0, 1] (a fraction)")
        return round(amount * n)
    if not 0 <= amount <= n:
        raise ValueError(f"amount={amount} should be a count between 0 and the number of "
                         f"parameters to prune, {n}")
    return amount


def magnitude_mask(values: np.ndarray, k: int, candidates: np.ndarray | None = None
                   ) -> np.ndarray:
    """A 0/1 mask of ``values``' shape with exactly ``k`` zeros: at the ``k`` entries of
    smallest absolute value among ``candidates`` (a boolean mask; default every entry).

    Ties are broken by position, so the count is exact even when many values are equal.
    """
    flat = np.abs(values).ravel().astype(np.float64)
    allowed = np.ones(flat.size, bool) if candidates is None else candidates.ravel().astype(bool)
    if not 0 <= k <= allowed.sum():
        raise ValueError(f"cannot prune {k} entries: only {int(allowed.sum())} can be pruned")
    # BEGIN SOLUTION 6.13 magnitude pruning: zero exactly the k smallest |w| among candidates
    mask = np.ones(flat.size, dtype=values.dtype)
    if k > 0:
        scores = np.where(allowed, flat, np.inf)  # entries already pruned are never chosen
        smallest = np.argsort(scores, kind="stable")[:k]
        mask[smallest] = 0
    return mask.reshape(values.shape)
    # END SOLUTION


class L1Unstructured:
    """Prune the entries of smallest absolute value (``torch.nn.utils.prune.L1Unstructured``)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: float | int) -> None:
        self.amount = amount

    def compute_mask(self, t: np.ndarray, default_mask: np.ndarray) -> np.ndarray:
        """The new mask: ``amount`` more zeros among the entries ``default_mask`` still keeps
        (a fraction is of those entries, as when PyTorch prunes iteratively)."""
        alive = default_mask != 0
        k = _count(self.amount, int(alive.sum()))
        return magnitude_mask(t, k, alive) * default_mask

    @classmethod
    def apply(cls, module: nn.Module, name: str, amount: float | int) -> nn.Module:
        method = cls(amount)
        orig, mask = _reparametrize(module, name)
        mask.array[...] = method.compute_mask(orig.array, mask.array)
        _recompute(module, name)
        return module


def _reparametrize(module: nn.Module, name: str) -> tuple[nn.Parameter, Tensor]:
    """``name`` -> ``name_orig`` (Parameter) and ``name_mask`` (buffer, ones), plus the hook.
    Already pruned: return the existing pair, so masks compose."""
    if is_pruned(module, name):
        return module._parameters[name + "_orig"], module._buffers[name + "_mask"]
    param = module._parameters.get(name)
    if param is None:
        names = sorted(k for k, v in module._parameters.items() if v is not None)
        raise AttributeError(f"{type(module).__name__} has no parameter {name!r} to prune "
                             f"(parameters: {names})")
    del module._parameters[name]
    module.register_parameter(name + "_orig", param)
    module.register_buffer(name + "_mask", Tensor(np.ones_like(param.array)))
    hooks = getattr(module, "_pruning_hooks", None)
    if hooks is None:
        hooks = module._pruning_hooks = {}
    hooks[name] = module.register_forward_pre_hook(lambda m, args, name=name: _recompute(m, name))
    return param, module._buffers[name + "_mask"]


def _recompute(module: nn.Module, name: str) -> None:
    """``module.<name> = <name>_orig * <name>_mask`` (a plain attribute, recorded by autograd)."""
    weight = module._parameters[name + "_orig"] * module._buffers[name + "_mask"]
    setattr(module, name, weight)


def l1_unstructured(module: nn.Module, name: str, amount: float | int) -> nn.Module:
    """Prune ``amount`` (a count, or a fraction rounded to the nearest count) of ``module.<name>``,
    the entries of smallest absolute value. Returns ``module``."""
    return L1Unstructured.apply(module, name, amount)


def global_unstructured(parameters: Iterable[tuple[nn.Module, str]], pruning_method: type =
                        L1Unstructured, importance_scores: Any = None, **kwargs: Any) -> None:
    """Prune ``amount`` of all the given ``(module, name)`` parameters together: one ranking of
    |w| across every tensor, so layers with many small weights lose more of them.

    Only ``L1Unstructured`` and ``amount=`` are supported (as PyTorch's most common use).
    """
    if pruning_method is not L1Unstructured:
        raise TypeError(f"only L1Unstructured is supported, got {pruning_method!r}")
    if importance_scores is not None:
        raise TypeError("importance_scores is not supported: pruning ranks |w| itself")
    if set(kwargs) != {"amount"}:
        raise TypeError(f"global_unstructured takes amount=..., got {sorted(kwargs)}")
    pairs = list(parameters)
    if not pairs:
        raise ValueError("global_unstructured needs at least one (module, name) pair")
    tensors = [_reparametrize(module, name) for module, name in pairs]
    # BEGIN SOLUTION 6.14 global pruning: one ranking over every tensor, then split the mask
    values = np.concatenate([orig.array.ravel() for orig, _ in tensors])
    alive = np.concatenate([mask.array.ravel() for _, mask in tensors]) != 0
    k = _count(kwargs["amount"], int(alive.sum()))
    joint = magnitude_mask(values, k, alive)
    start = 0
    for orig, mask in tensors:
        size = orig.array.size
        mask.array[...] = joint[start:start + size].reshape(orig.shape) * mask.array
        start += size
    # END SOLUTION
    for module, name in pairs:
        _recompute(module, name)


def is_pruned(module: nn.Module, name: str | None = None) -> bool:
    """Whether ``module`` (or its parameter ``name``) is reparametrized by pruning."""
    hooks = getattr(module, "_pruning_hooks", {})
    return bool(hooks) if name is None else name in hooks


def remove(module: nn.Module, name: str) -> nn.Module:
    """Make pruning permanent: ``name`` becomes a Parameter holding ``orig * mask``; the
    ``_orig`` parameter, the ``_mask`` buffer and the hook go away."""
    if not is_pruned(module, name):
        raise ValueError(f"Parameter '{name}' of module {type(module).__name__} has to be "
                         "pruned before pruning can be removed")
    module._pruning_hooks.pop(name).remove()
    orig = module._parameters.pop(name + "_orig")
    mask = module._buffers.pop(name + "_mask")
    delattr(module, name)
    module.register_parameter(name, nn.Parameter(Tensor(orig.array * mask.array),
                                                 requires_grad=orig.requires_grad))
    return module


def _effective(module: nn.Module) -> Iterable[tuple[str, Tensor]]:
    """A module's own parameters as the forward uses them (pruned ones masked)."""
    for name, param in module._parameters.items():
        if param is None:
            continue
        if name.endswith("_orig") and is_pruned(module, name[:-5]):
            base = name[:-5]
            yield base, param * module._buffers[base + "_mask"]
        else:
            yield name, param


def measure_sparsity(model: nn.Module | Tensor | np.ndarray,
                     layers: Sequence[type] | None = None) -> float:
    """The fraction of exact zeros: in a tensor, or in every parameter of a model as its
    forward uses it (masks applied), optionally only in modules of the ``layers`` types."""
    if isinstance(model, (Tensor, np.ndarray)):
        array = model.array if isinstance(model, Tensor) else model
        return float((array == 0).sum() / max(array.size, 1))
    zeros = total = 0
    for module in model.modules():
        if layers is not None and not isinstance(module, tuple(layers)):
            continue
        for _, value in _effective(module):
            zeros += int((value.array == 0).sum())
            total += value.array.size
    return zeros / max(total, 1)
