"""Fused ops: one graph node and one NumPy pass where the composed version has many.

``F.gelu`` composed from Tensor ops records five or six nodes (mul, erf, add, mul...) and keeps
each intermediate alive for backward. A fused op is a :class:`tinytorch.autograd.Function`: its
forward computes the result in one go and saves only what its hand-derived backward needs
(GELU: ``x``; softmax-cross-entropy: the probabilities; LayerNorm: ``x_hat`` and ``1/sigma``).
Fewer nodes, fewer temporaries, less memory traffic. Each equals its composed version (tests:
forward and backward, against the composed op and PyTorch) and
``benchmarks/bench_systems.py`` measures what fusing buys.

The backwards are NumPy, so these ops are differentiable once: with ``create_graph=True``
they raise instead of silently returning a wrong second derivative (PyTorch's
``once_differentiable``). Use the composed ops for higher-order gradients.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import tinytorch.nn as nn
from tinytorch.autograd import Function, is_grad_enabled
from tinytorch.tensor import Tensor, erf, ones, zeros
from tinytorch.text.gelu import normal_cdf_and_pdf

__all__ = [
    "GELUFunction", "SoftmaxCrossEntropyFunction", "LayerNormFunction", "fused_gelu",
    "fused_cross_entropy", "fused_layer_norm", "layer_norm_composed", "FusedGELU",
    "FusedLayerNorm", "FusedCrossEntropyLoss",
]

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
TANH_COEF = 0.044715


def _once_differentiable(name: str) -> None:
    """Fused backwards are NumPy: refuse ``create_graph=True`` rather than return a wrong graph."""
    if is_grad_enabled():
        raise RuntimeError(f"{name} is differentiable once (its backward is NumPy); for "
                           "create_graph=True use the composed op from tinytorch.nn.functional")


class GELUFunction(Function):
    """``y = x * Phi(x)``; ``approximate="tanh"``: ``y = x/2 (1 + tanh(sqrt(2/pi)(x + c x^3)))``."""

    # BEGIN SOLUTION 6.8 fused GELU: forward in one pass, backward by the derivative
    @staticmethod
    def forward(ctx: Any, x: Tensor, approximate: str = "none") -> Tensor:
        """GELU of ``x.array`` in NumPy. Save ``x`` and keep on ``ctx`` what the derivative
        needs besides x, so that backward computes no second erf/tanh (the expensive part).

        Exact: ``(Phi(x), phi(x)) = normal_cdf_and_pdf(x)`` (part 5's float32 erf; for float64
        inputs ``tinytorch.tensor.erf``, exact), ``y = x Phi(x)``. Tanh:
        ``t = tanh(sqrt(2/pi) (x + 0.044715 x^3))``, ``y = x (1 + t) / 2``. Return a new Tensor
        of the input's dtype.
        """
        a = x.array
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            ctx.t = np.tanh(SQRT_2_OVER_PI * (a + TANH_COEF * a ** 3))
            return Tensor(0.5 * a * (1.0 + ctx.t))
        if a.dtype == np.float64:
            ctx.cdf = 0.5 * (1.0 + erf(Tensor._wrap(a / math.sqrt(2.0))).array)
            ctx.pdf = np.exp(-0.5 * a * a) / math.sqrt(2.0 * math.pi)
        else:
            ctx.cdf, ctx.pdf = normal_cdf_and_pdf(a)
        return Tensor(a * ctx.cdf)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        """``grad * dy/dx``, and None for ``approximate``.

        Exact: ``dy/dx = Phi(x) + x phi(x)``, ``phi(x) = exp(-x^2 / 2) / sqrt(2 pi)``.
        Tanh: ``dy/dx = (1 + t) / 2 + x (1 - t^2) / 2 * sqrt(2/pi) (1 + 3 * 0.044715 x^2)``.
        Start with ``_once_differentiable("fused_gelu")``.
        """
        _once_differentiable("fused_gelu")
        (x,) = ctx.saved_tensors
        a, g = x.array, grad.array
        if ctx.approximate == "tanh":
            t = ctx.t
            du = SQRT_2_OVER_PI * (1.0 + 3.0 * TANH_COEF * a * a)
            dy = 0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * du
        else:
            dy = ctx.cdf + a * ctx.pdf
        return Tensor((g * dy).astype(a.dtype, copy=False)), None
    # END SOLUTION


def fused_gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU as one fused op; same values and gradients as ``F.gelu(input, approximate)``."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELUFunction.apply(input, approximate)


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


class LayerNormFunction(Function):
    """``y = (x - mean) / sqrt(var + eps) * w + b`` over the last D elements of each row.

    Backward with ``x_hat = (x - mean) * rstd`` and ``gh = g * w``:
    ``dx = rstd * (gh - mean(gh) - x_hat * mean(gh * x_hat))``, ``dw = sum(g * x_hat)``,
    ``db = sum(g)`` (sums over rows).
    """

    # BEGIN SOLUTION 6.10 fused LayerNorm: save x_hat and 1/sigma, backward in closed form
    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor | None, bias: Tensor | None, d: int,
                eps: float) -> Tensor:
        """View ``x`` as rows of ``d`` numbers; normalise each row with its mean and biased
        variance; scale by ``weight`` and shift by ``bias`` (either may be None). Keep ``x_hat``
        and ``rstd = 1 / sqrt(var + eps)`` (R, 1) on ``ctx``; save ``weight``."""
        rows = x.array.reshape(-1, d)
        mean = rows.mean(axis=1, keepdims=True)
        centered = rows - mean
        rstd = 1.0 / np.sqrt((centered * centered).mean(axis=1, keepdims=True) + eps)
        x_hat = centered * rstd
        y = x_hat if weight is None else x_hat * weight.array.reshape(-1)
        if bias is not None:
            y = y + bias.array.reshape(-1)
        ctx.x_hat, ctx.rstd, ctx.shape = x_hat, rstd, x.shape
        ctx.save_for_backward(weight)
        ctx.bias_shape = None if bias is None else bias.shape
        return Tensor(y.reshape(x.shape).astype(x.array.dtype, copy=False))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        """``dx, dw, db`` by the formulas above (dw/db None without weight/bias), then None,
        None for ``d`` and ``eps``."""
        _once_differentiable("fused_layer_norm")
        (weight,) = ctx.saved_tensors
        x_hat, rstd = ctx.x_hat, ctx.rstd
        g = grad.array.reshape(x_hat.shape)
        gh = g if weight is None else g * weight.array.reshape(-1)
        dx = rstd * (gh - gh.mean(axis=1, keepdims=True)
                     - x_hat * (gh * x_hat).mean(axis=1, keepdims=True))
        dw = None if weight is None else Tensor((g * x_hat).sum(axis=0).reshape(weight.shape))
        db = None if ctx.bias_shape is None else Tensor(g.sum(axis=0).reshape(ctx.bias_shape))
        return Tensor(dx.reshape(ctx.shape)), dw, db, None, None
    # END SOLUTION


def _normalized(input: Tensor, normalized_shape: Any) -> tuple[int, ...]:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape or len(shape) > input.ndim:
        raise ValueError(f"layer_norm: normalized_shape {shape} does not match the last "
                         f"dimensions of the input of shape {tuple(input.shape)}")
    return shape


def fused_layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
                     bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation over the trailing ``normalized_shape`` as one fused op (the
    signature of ``torch.nn.functional.layer_norm``)."""
    shape = _normalized(input, normalized_shape)
    return LayerNormFunction.apply(input, weight, bias, int(np.prod(shape)), eps)


def layer_norm_composed(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
                        bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """The unfused reference: the same math in differentiable Tensor ops (several nodes)."""
    shape = _normalized(input, normalized_shape)
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


class FusedLayerNorm(nn.Module):
    """Drop-in for ``nn.LayerNorm`` (same ``weight``/``bias`` names) by :func:`fused_layer_norm`."""

    def __init__(self, normalized_shape: Any, eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True) -> None:
        super().__init__()
        self.normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                                 else tuple(normalized_shape))
        self.eps = eps
        if elementwise_affine:
            self.weight = nn.Parameter(ones(*self.normalized_shape))
        else:
            self.register_parameter("weight", None)
        if elementwise_affine and bias:
            self.bias = nn.Parameter(zeros(*self.normalized_shape))
        else:
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        return fused_layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, " \
               f"elementwise_affine={self.weight is not None}"


class FusedCrossEntropyLoss(nn.Module):
    """Drop-in for ``nn.CrossEntropyLoss`` (class-index targets) by :func:`fused_cross_entropy`."""

    def __init__(self, reduction: str = "mean", ignore_index: int = -100) -> None:
        super().__init__()
        self.reduction, self.ignore_index = reduction, ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return fused_cross_entropy(input, target, self.reduction, self.ignore_index)
