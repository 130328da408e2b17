"""Fused ops: one graph node and one NumPy pass where the composed version has many.

``F.gelu`` composed from Tensor ops records five or six nodes (mul, erf, add, mul...) and keeps
each intermediate alive for backward. A fused op is a :class:`tinytorch.autograd.Function`: its
forward computes the result in one go and saves only what its hand-derived backward needs
(tanh GELU: ``x`` and the tanh; softmax-cross-entropy: the probabilities). Fewer nodes, fewer
temporaries, less memory traffic.

Part 5 already fuses the exact GELU (:func:`tinytorch.text.gelu`) and LayerNorm
(:func:`tinytorch.text.layer_norm`), because a transformer spends its time there; this module
adds the tanh-approximate GELU and softmax-cross-entropy, and keeps the composed LayerNorm as
the reference that ``benchmarks/bench_systems.py`` measures part 5's fused one against. Each
fused op equals its composed version (tests: forward and backward, against the composed op and
PyTorch).

The backwards here are NumPy, so these ops are differentiable once: with ``create_graph=True``
they raise instead of silently returning a wrong second derivative (PyTorch's
``once_differentiable``). Use the composed ops for higher-order gradients.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import tinytorch.nn as nn
from tinytorch.autograd import Function, is_grad_enabled
from tinytorch.tensor import Tensor
from tinytorch.text.gelu import gelu

__all__ = [
    "TanhGELUFunction", "SoftmaxCrossEntropyFunction", "fused_gelu", "fused_cross_entropy",
    "layer_norm_composed", "FusedGELU", "FusedCrossEntropyLoss",
]

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
TANH_COEF = 0.044715


def _once_differentiable(name: str) -> None:
    """Fused backwards are NumPy: refuse ``create_graph=True`` rather than return a wrong graph."""
    if is_grad_enabled():
        raise RuntimeError(f"{name} is differentiable once (its backward is NumPy); for "
                           "create_graph=True use the composed op from tinytorch.nn.functional")


class TanhGELUFunction(Function):
    """``y = x/2 (1 + t)`` with ``t = tanh(sqrt(2/pi) (x + 0.044715 x^3))`` (GPT-2's GELU)."""

    # BEGIN SOLUTION 6.8 fused tanh GELU: forward in one pass, backward by the derivative
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        """The tanh GELU of ``x.array`` in NumPy. Save ``x`` and keep ``t`` on ``ctx``, so that
        backward computes no second tanh (the expensive part). Return a new Tensor of the
        input's dtype."""
        a = x.array
        ctx.save_for_backward(x)
        ctx.t = np.tanh(SQRT_2_OVER_PI * (a + TANH_COEF * a ** 3))
        return Tensor(0.5 * a * (1.0 + ctx.t))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        """``grad * dy/dx`` with ``dy/dx = (1 + t) / 2 + x (1 - t^2) / 2 * sqrt(2/pi)
        (1 + 3 * 0.044715 x^2)``. Start with ``_once_differentiable("fused_gelu")``."""
        _once_differentiable("fused_gelu")
        (x,) = ctx.saved_tensors
        a, t = x.array, ctx.t
        du = SQRT_2_OVER_PI * (1.0 + 3.0 * TANH_COEF * a * a)
        dy = 0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * du
        return Tensor((grad.array * dy).astype(a.dtype, copy=False))
    # END SOLUTION


def fused_gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU as one fused op; same values and gradients as ``F.gelu(input, approximate)``.
    ``"none"`` is part 5's exact fused GELU, ``"tanh"`` :class:`TanhGELUFunction`."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
    if approximate == "none":
        return gelu(input)
    if not input.is_floating_point():
        raise TypeError(f"gelu: expected a float tensor, got {input.dtype.name}")
    return TanhGELUFunction.apply(input)


class SoftmaxCrossEntropyFunction(Function):
    """``loss_i = logsumexp(z_i) - z_i[t_i]`` for logits z (N, C) and targets t (N,);
    ``d loss_i / d z_i = softmax(z_i) - onehot(t_i)``. Rows whose target is ``ignore_index``
    count 0 and are left out of the mean."""

    # BEGIN SOLUTION 6.9 fused softmax-cross-entropy: loss from logsumexp, grad p - onehot
    @staticmethod
    def forward(ctx: Any, logits: Tensor, target: np.ndarray, reduction: str,
                ignore_index: int) -> Tensor:
        """The reduced loss; keep the softmax probabilities (N, C) on ``ctx`` for backward.

        Stable: subtract each row's max before ``exp``. ``reduction`` is "none" (N,), "sum" or
        "mean" (over the rows whose target is not ``ignore_index``; nan if there are none).
        """
        z = logits.array
        rows = np.arange(z.shape[0])
        keep = target != ignore_index
        safe = np.where(keep, target, 0)
        shifted = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        losses = np.where(keep, lse[:, 0] - shifted[rows, safe], 0).astype(z.dtype)
        count = int(keep.sum())
        ctx.probs = np.exp(shifted - lse)
        ctx.rows, ctx.safe, ctx.keep, ctx.count = rows, safe, keep, count
        ctx.reduction = reduction
        if reduction == "none":
            return Tensor(losses)
        if reduction == "sum":
            return Tensor(losses.sum(dtype=z.dtype))
        return Tensor(np.asarray(losses.sum(dtype=z.dtype) / z.dtype.type(count)
                                 if count else np.nan, dtype=z.dtype))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        """``(softmax - onehot(target))`` per row, zero for ignored rows, times the upstream
        gradient (per row for "none"), divided by the row count for "mean"; None for the other
        three arguments."""
        _once_differentiable("fused_cross_entropy")
        dz = ctx.probs.copy()
        dz[ctx.rows, ctx.safe] -= 1
        dz *= ctx.keep[:, None]
        g = grad.array
        if ctx.reduction == "none":
            dz *= g[:, None]
        elif ctx.reduction == "sum":
            dz *= g
        else:
            dz *= g / max(ctx.count, 1)
        return Tensor(dz), None, None, None
    # END SOLUTION


def fused_cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean",
                        ignore_index: int = -100) -> Tensor:
    """Softmax + cross-entropy as one op, equal to ``F.cross_entropy(input, target, ...)`` for
    logits (N, C) and class indices (N,)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    t = np.asarray(target.array if isinstance(target, Tensor) else target)
    if input.ndim != 2 or t.shape != (input.shape[0],) or t.dtype.kind not in "iu":
        raise ValueError(f"fused_cross_entropy expects logits (N, C) and integer targets (N,), "
                         f"got {tuple(input.shape)} and {t.shape} of dtype {t.dtype}")
    bad = (t != ignore_index) & ((t < 0) | (t >= input.shape[1]))
    if bad.any():
        raise IndexError(f"target {int(t[bad][0])} is out of bounds for {input.shape[1]} classes")
    return SoftmaxCrossEntropyFunction.apply(input, t, reduction, ignore_index)


def layer_norm_composed(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
                        bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation in differentiable Tensor ops (several nodes): the unfused reference
    for part 5's fused :func:`tinytorch.text.layer_norm`, which checks the shapes."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    centered = input - input.mean(dim=dims, keepdim=True)
    var = (centered * centered).mean(dim=dims, keepdim=True)
    out = centered * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out + bias if bias is not None else out


class FusedGELU(nn.Module):
    """Drop-in for ``nn.GELU`` computed by :func:`fused_gelu`."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return fused_gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate='{self.approximate}'"


class FusedCrossEntropyLoss(nn.Module):
    """Drop-in for ``nn.CrossEntropyLoss`` (class-index targets) by :func:`fused_cross_entropy`."""

    def __init__(self, reduction: str = "mean", ignore_index: int = -100) -> None:
        super().__init__()
        self.reduction, self.ignore_index = reduction, ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return fused_cross_entropy(input, target, self.reduction, self.ignore_index)
