"""Ops whose backward this part writes itself, as :class:`tinytorch.autograd.Function` s.

Each could be composed from part-1 ops (and part 2 would differentiate it); a Function is used
where that is measurably faster on the training hot path (``linear``, ``nll_loss``: one graph
node instead of several) or numerically safer (``binary_cross_entropy``: PyTorch's gradient
``(x - t) / max(x (1 - x), 1e-12)`` stays finite at x = 0 or 1 where the composed one is 0/0).

Forwards compute with NumPy; backwards are written in Tensor ops, so that they are
differentiable again under ``create_graph=True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.autograd import Function
from tinytorch.tensor import Tensor

__all__ = ["LinearFunction", "NLLLossFunction", "BinaryCrossEntropyFunction"]


class LinearFunction(Function):
    """``y = x @ W.T + b`` for x (..., in), W (out, in), b (out,) or None."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        # BEGIN SOLUTION 3.3 linear forward
        ctx.save_for_backward(input, weight)
        ctx.has_bias = bias is not None
        out = np.matmul(input.array, weight.array.T)
        if bias is not None:
            out += bias.array
        return Tensor(out)
        # END SOLUTION

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, ...]:
        # BEGIN SOLUTION 3.3 linear backward: dx = g W, dW = g^T x, db = sum of g over rows
        input, weight = ctx.saved_tensors
        needs = getattr(ctx, "needs_input_grad", (True, True, True))
        g2 = grad_output.reshape(-1, grad_output.shape[-1])  # (rows, out)
        grad_input = grad_output.matmul(weight) if needs[0] else None
        grad_weight = g2.t().matmul(input.reshape(-1, input.shape[-1])) if needs[1] else None
        grad_bias = g2.sum(0) if ctx.has_bias and needs[2] else None
        return grad_input, grad_weight, grad_bias
        # END SOLUTION


class NLLLossFunction(Function):
    """``loss_i = -w_i * input[i, t_i]`` over rows (M, C), reduced; w_i = 0 for ignored targets.

    ``coef`` is the (M, C) matrix d(loss)/d(input) for a unit upstream gradient: ``-w_i / d`` at
    ``(i, t_i)``, zero elsewhere (``d`` = summed weights for ``mean``, else 1). The backward is one
    multiplication by it.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, target: np.ndarray, w: np.ndarray,
                reduction: str) -> Tensor:
        # BEGIN SOLUTION 3.6 nll forward: pick -w_i * input[i, t_i] and reduce
        rows = np.arange(target.shape[0])
        losses = -w * input.array[rows, target]
        denominator = w.sum(dtype=w.dtype) if reduction == "mean" else w.dtype.type(1)
        with np.errstate(divide="ignore", invalid="ignore"):  # all ignored: nan, as PyTorch
            if reduction == "none":
                out = losses
            else:
                out = np.asarray(losses.sum(dtype=w.dtype) / denominator)
            coef = np.zeros(input.shape, dtype=input.array.dtype)
            if denominator != 0:  # all targets ignored: a zero gradient, as PyTorch
                coef[rows, target] = -w / denominator
        ctx.reduction = reduction
        ctx.coef = coef
        return Tensor(out)
        # END SOLUTION

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, ...]:
        # BEGIN SOLUTION 3.6 nll backward: scatter the upstream gradient to the target entries
        g = grad_output.reshape(-1, 1) if ctx.reduction == "none" else grad_output
        return Tensor(ctx.coef) * g, None, None, None
        # END SOLUTION


class BinaryCrossEntropyFunction(Function):
    """Elementwise ``-(t log x + (1 - t) log(1 - x))`` with both logs clamped at -100."""

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
        needs = getattr(ctx, "needs_input_grad", (True, True))
        grad_input = grad_target = None
        if needs[0]:
            grad_input = grad_output * (input - target) / ((1 - input) * input).clamp(min=1e-12)
        if needs[1]:
            log_x = input.log().clamp(min=-100)
            log_1mx = (1 - input).log().clamp(min=-100)
            grad_target = grad_output * (log_1mx - log_x)
        return grad_input, grad_target
