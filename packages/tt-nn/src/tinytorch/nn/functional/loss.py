"""Regression and binary losses: ``mse_loss``, ``l1_loss``, ``huber_loss``, ``kl_div``,
``binary_cross_entropy`` (and its logits form). Class-index losses are in ``cross_entropy.py``.

Every loss computes one value per element, then reduces: ``reduction="mean"`` (the default),
``"sum"`` or ``"none"`` (the per-element losses), as in PyTorch.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from tinytorch.autograd import Function
from tinytorch.tensor import Tensor

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
           "binary_cross_entropy", "binary_cross_entropy_with_logits"]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         f"(expected one of {', '.join(REDUCTIONS)})")


def reduce(loss: Tensor, reduction: str) -> Tensor:
    """``loss.mean()``, ``loss.sum()`` or ``loss`` itself (``"none"``)."""
    check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def weighted_reduce(loss: Tensor, weight: Tensor | None, reduction: str,
                    mean_by: str = "weights") -> Tensor:
    """Reduce ``weight * loss`` (``weight`` of the loss's shape). PyTorch's weighted ``mean``
    divides by the summed weights for mse/l1 (``mean_by="weights"``) and by the element count for
    huber (``"count"``)."""
    if weight is None:
        return reduce(loss, reduction)
    if weight.shape != loss.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by == "weights":
        return loss.sum() / weight.sum()
    return reduce(loss, reduction)


def _warn_if_broadcast(input: Tensor, target: Tensor, name: str) -> None:
    if input.shape != target.shape:
        warnings.warn(f"{name}: using a target size ({tuple(target.shape)}) that is different to "
                      f"the input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.")


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error: ``reduce((input - target)^2)``, each element times ``weight`` when
    given. Reduce with ``weighted_reduce(loss, weight, reduction)``."""
    _warn_if_broadcast(input, target, "mse_loss")
    # BEGIN SOLUTION 3.14 mean squared error
    diff = input - target
    return weighted_reduce(diff * diff, weight, reduction)
    # END SOLUTION


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error: ``reduce(|input - target|)``, optionally weighted (as ``mse_loss``)."""
    _warn_if_broadcast(input, target, "l1_loss")
    # BEGIN SOLUTION 3.14 mean absolute error
    return weighted_reduce((input - target).abs(), weight, reduction)
    # END SOLUTION


def smooth_l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target)."""
    _warn_if_broadcast(input, target, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = (input - target).abs()
    if beta == 0:
        return reduce(diff, reduction)
    small = diff * diff * (0.5 / beta)
    return reduce(small.where(diff < beta, diff - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, *, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta): ``delta * smooth_l1(beta=delta)``."""
    _warn_if_broadcast(input, target, "huber_loss")
    diff = (input - target).abs()
    loss = (diff * diff * 0.5).where(diff < delta, (diff - 0.5 * delta) * delta)
    return weighted_reduce(loss, weight, reduction, "count")


def kl_div(input: Tensor, target: Tensor, *, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: ``target * (log target - input)`` (0 where target is
    0). ``input`` holds log-probabilities; ``reduction="batchmean"`` divides the sum by the batch
    size (the true KL divergence; ``"mean"`` divides by the number of elements)."""
    if reduction not in (*REDUCTIONS, "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size. 'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = Tensor(target.array > 0)
        safe = target.where(positive, Tensor(np.ones((), dtype=target.array.dtype)))
        loss = (target * (safe.log() - input)).where(positive, target * 0.0 - input * 0.0)
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return reduce(loss, reduction)


class BinaryCrossEntropyFunction(Function):
    """Elementwise ``-(t log x + (1 - t) log(1 - x))`` with both logs clamped at -100.

    A Function for its gradient: PyTorch's ``(x - t) / max(x (1 - x), 1e-12)`` stays finite at
    x = 0 or 1, where the composed one is 0/0.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor) -> Tensor:
        x = input.array
        t = target.array.astype(x.dtype, copy=False)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        ctx.save_for_backward(input, target)
        return Tensor(-(t * log_x + (1 - t) * log_1mx))

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, ...]:
        input, target = ctx.saved_tensors
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output * (input - target) / ((1 - input) * input).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            log_x = input.log().clamp(min=-100)
            log_1mx = (1 - input).log().clamp(min=-100)
            grad_target = grad_output * (log_1mx - log_x)
        return grad_input, grad_target


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, *,
                         reduction: str = "mean") -> Tensor:
    """-[t log x + (1 - t) log(1 - x)] for probabilities ``x``; logs clamp at -100 (PyTorch)."""
    check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(f"Using a target size ({tuple(target.shape)}) that is different to the "
                         f"input size ({tuple(input.shape)}) is deprecated. Please ensure they "
                         "have the same size.")
    for what, values in (("input", input.array), ("target", target.array)):
        if values.size and (np.nanmin(values) < 0 or np.nanmax(values) > 1):
            raise RuntimeError(
                f"all elements of {what} should be between 0 and 1, got values in "
                f"[{np.nanmin(values):g}, {np.nanmax(values):g}] (binary_cross_entropy takes "
                "probabilities; use binary_cross_entropy_with_logits for logits)")
    loss = BinaryCrossEntropyFunction.apply(input, target)
    return reduce(loss if weight is None else loss * weight, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, *, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(x), t)`` computed stably from the logits ``x``:

        loss = (1 - t) x + (1 + (pos_weight - 1) t) (-log sigmoid(x))

    (``pos_weight`` None: 1). ``-log sigmoid(x) = log(1 + e^-x)`` overflows for very negative
    x; write it as ``m + log(e^-m + e^(-x - m))`` with ``m = max(-x, 0)`` (detached), so no
    exponent is positive. Then times ``weight`` (if given) and ``reduce(loss, reduction)``.

    Raises:
        ValueError: target and input shapes differ.
    """
    check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(f"Target size ({tuple(target.shape)}) must be the same as input size "
                         f"({tuple(input.shape)})")
    # BEGIN SOLUTION 3.14 binary cross entropy on logits, stable for large |x|
    m = (-input).clamp(min=0).detach()
    neg_log_sigmoid = m + ((-m).exp() + (-input - m).exp()).log()
    positive = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
    loss = (1 - target) * input + positive * neg_log_sigmoid
    return reduce(loss if weight is None else loss * weight, reduction)
    # END SOLUTION
