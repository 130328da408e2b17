"""``LayerNorm`` (Ba et al., 2016): normalise each position's features, then scale and shift.

Over the last dims (``normalized_shape``, D features in all), for each row x::

    mean = sum(x) / D     var = sum((x - mean)^2) / D      (biased, as PyTorch)
    xhat = (x - mean) / sqrt(var + eps)
    y    = xhat * weight + bias

Backward, with g = dL/dy and gh = g * weight (the gradient reaching xhat)::

    dweight = sum over rows of g * xhat          dbias = sum over rows of g
    dx      = (gh - mean(gh) - xhat * mean(gh * xhat)) / sqrt(var + eps)

:class:`LayerNormFunction` computes both in NumPy as one graph node (composed of Tensor ops the
same layer is about eight nodes; ``benchmarks/bench_text.py`` compares the two).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinytorch.autograd import Function, is_grad_enabled
from tinytorch.nn import Module, Parameter
from tinytorch.tensor import Tensor, ones, zeros

__all__ = ["LayerNorm", "layer_norm", "LayerNormFunction"]


class LayerNormFunction(Function):
    """Layer norm over the last dims of x; ``weight``/``bias`` None or of those dims' shape."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor | None, bias: Tensor | None,
                n_dims: int, eps: float) -> Tensor:
        """Normalise x over its last ``n_dims`` dims (D features), then scale and shift.

        View x as rows (N, D); per row ``xhat = (x - mean) / sqrt(var + eps)`` with the biased
        variance (divide by D); ``out = xhat * weight + bias`` (each optional, flattened to
        (D,)). Keep ``xhat`` and ``rstd = 1 / sqrt(var + eps)`` (N, 1) on ctx, and the weight
        with ``ctx.save_for_backward``; ``ctx.bias_shape`` (None without a bias) tells the
        backward whether to return a bias gradient. Return a Tensor of x's shape.
        Hint: row means over a short last axis are faster as ``rows @ np.full((D, 1), 1 / D)``.
        """
        # BEGIN SOLUTION 5.11 layer norm forward: normalise each row, keep xhat and 1/std
        shape = x.shape
        D = math.prod(shape[len(shape) - n_dims:])
        rows = x.array.reshape(-1, D)  # (N, D)
        average = np.full((D, 1), 1.0 / D, dtype=rows.dtype)  # row means as a matmul: fast
        centered = rows - rows @ average
        var = np.einsum("nd,nd->n", centered, centered)[:, None] / D  # (N, 1)
        rstd = 1.0 / np.sqrt(var + eps)
        xhat = centered * rstd  # (N, D)
        out = xhat
        if weight is not None:
            out = out * weight.array.reshape(-1)
        if bias is not None:
            out = out + bias.array.reshape(-1)
        ctx.xhat, ctx.rstd = xhat, rstd
        ctx.save_for_backward(weight)
        ctx.bias_shape = None if bias is None else bias.shape
        return Tensor(out.reshape(shape))
        # END SOLUTION

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        """``(dx, dweight, dbias, None, None)`` for ``grad`` = dL/d(out) (the module's math)."""
        if is_grad_enabled():
            raise RuntimeError("layer_norm: the fused backward cannot be differentiated again "
                               "(create_graph=True); compose it of Tensor ops for higher-order "
                               "gradients")
        (weight,) = ctx.saved_tensors
        # BEGIN SOLUTION 5.11 layer norm backward: dx, dweight, dbias
        xhat, rstd = ctx.xhat, ctx.rstd
        g = grad.array.reshape(xhat.shape)  # (N, D)
        dweight = dbias = None
        if weight is not None:
            dweight = Tensor(np.einsum("nd,nd->d", g, xhat).reshape(weight.shape))
            gh = g * weight.array.reshape(-1)
        else:
            gh = g
        if ctx.bias_shape is not None:
            dbias = Tensor(g.sum(axis=0).reshape(ctx.bias_shape))
        D = xhat.shape[1]
        dot = np.einsum("nd,nd->n", gh, xhat)[:, None] / D  # mean(gh * xhat) per row
        mean = gh @ np.full((D, 1), 1.0 / D, dtype=gh.dtype)  # mean(gh) per row
        dx = (gh - mean - xhat * dot) * rstd
        return Tensor(dx.reshape(grad.shape)), dweight, dbias, None, None
        # END SOLUTION


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation over the last ``len(normalized_shape)`` dims of ``input``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise RuntimeError(f"layer_norm: expected input with shape [*, {', '.join(map(str, shape))}]"
                           f", but got input of size {list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} must have shape {list(shape)}, got "
                               f"{list(t.shape)}")
    return LayerNormFunction.apply(input, weight, bias, len(shape), eps)


class LayerNorm(Module):
    """``y = (x - mean) / sqrt(var + eps) * weight + bias`` over the last dims.

    Args:
        normalized_shape: the trailing shape to normalise over (an int for the last dim).
        eps: added to the variance.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros) of that shape.
        bias: with ``elementwise_affine``, whether to learn the bias too.
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only, got device={device!r}")
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
