"""``linear``: ``y = x @ W.T + b``, written as a Function with its own backward.

Composed of part-1 ops (``x.matmul(w.t()) + b``), part 2 would differentiate it as two graph nodes
(matmul, add) plus a transpose. Every layer of every MLP calls it, so one node with a hand-written
backward is measurably faster on the training hot path. Forward and backward sit side by side.
"""

from __future__ import annotations

from typing import Any

from tinytorch.autograd import Function
from tinytorch.tensor import Tensor
from tinytorch.tensor.linalg import matmul_arrays

__all__ = ["linear", "LinearFunction"]


class LinearFunction(Function):
    """``y = x @ W.T + b`` for x ``(..., in)``, W ``(out, in)``, b ``(out,)`` or None."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        """``input.array @ weight.array.T`` (+ ``bias.array``), computed with NumPy (part 1's
        ``matmul_arrays``: ``np.matmul``, float16 through float32); a new
        Tensor ``(..., out)``. Save what backward needs: ``ctx.save_for_backward(input,
        weight)`` and ``ctx.has_bias``."""
        # BEGIN SOLUTION 3.11 linear forward
        ctx.save_for_backward(input, weight)
        ctx.has_bias = bias is not None
        out = matmul_arrays(input.array, weight.array.T)
        if bias is not None:
            out += bias.array
        return Tensor(out)
        # END SOLUTION

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, ...]:
        """Given ``g = dL/dy`` ``(..., out)``, return ``(dL/dx, dL/dW, dL/db)``:

        - ``dx = g @ W`` ``(..., in)``;
        - ``dW = g2.T @ x2`` ``(out, in)``, with g and x flattened to rows: ``g2 (rows, out)``,
          ``x2 (rows, in)`` (``.reshape(-1, n)``);
        - ``db = g2.sum(0)`` ``(out,)``, None without a bias.

        Write them with Tensor ops (``matmul``, ``t``, ``sum``), not NumPy, so that
        ``create_graph=True`` can differentiate them again. ``ctx.needs_input_grad[i]`` says
        whether input ``i`` wants a gradient: return None for the others (saves a matmul).
        """
        # BEGIN SOLUTION 3.11 linear backward: dx = g W, dW = g^T x, db = sum of g over rows
        input, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        g2 = grad_output.reshape(-1, grad_output.shape[-1])  # (rows, out)
        grad_input = grad_output.matmul(weight) if needs[0] else None
        grad_weight = g2.t().matmul(input.reshape(-1, input.shape[-1])) if needs[1] else None
        grad_bias = g2.sum(0) if ctx.has_bias and needs[2] else None
        return grad_input, grad_weight, grad_bias
        # END SOLUTION


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for ``input (..., in)``, ``weight (out, in)``, ``bias (out,)``."""
    if input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        got = input.shape[-1] if input.ndim else "a 0-d tensor"
        raise RuntimeError(
            f"linear: expected input with {weight.shape[-1]} features in its last dim (in_features"
            f"={weight.shape[-1]}), got {got} (input shape {tuple(input.shape)}, weight shape "
            f"{tuple(weight.shape)})")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype.name} "
                           f"and {weight.dtype.name}")
    return LinearFunction.apply(input, weight, bias)
