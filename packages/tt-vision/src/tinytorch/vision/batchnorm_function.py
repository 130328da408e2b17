"""Batch normalisation as an autograd Function (Ioffe & Szegedy, 2015).

Per channel ``c`` (statistics over the batch and every pixel: ``m`` values)::

    x_hat = (x - mean) * invstd,      invstd = 1 / sqrt(var + eps)
    y     = weight * x_hat + bias

In training ``mean`` and ``var`` (biased, divided by ``m``) are the batch's own, so they depend
on ``x`` and the gradient has the well-known closed form (``g_hat = dy * weight``)::

    dx      = invstd * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat))
    dweight = sum(dy * x_hat)          dbias = sum(dy)

In evaluation ``mean`` and ``invstd`` come from the running statistics: constants, and
``dx = dy * weight * invstd``. Sums and means are over every dim except the channel dim 1.
Both passes are written as per-channel scale-and-shift steps (``y = x * a + b``,
``dx = dy * a + x * b + c``) so each touches the big arrays only two or three times. Under
``create_graph=True`` the backward pass is the same formula in Tensor ops, with the batch
statistics recomputed from ``x``, so it can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.autograd import Function, is_grad_enabled, no_grad
from tinytorch.tensor import Tensor

from ._checks import check_float_and_same_dtype, check_tensor

__all__ = ["BatchNormFunction", "batch_norm", "batch_norm_forward", "batch_norm_backward",
           "update_running_stats", "channel_axes", "per_channel"]


def channel_axes(ndim: int) -> tuple[int, ...]:
    """Every axis but the channel axis 1: what the statistics reduce over."""
    return (0, *range(2, ndim))


def per_channel(values: np.ndarray, ndim: int) -> np.ndarray:
    """``(C,)`` values shaped ``(1, C, 1, ...)`` to broadcast against an ``ndim``-d input."""
    return values.reshape((1, -1) + (1,) * (ndim - 2))


def batch_norm_forward(x: np.ndarray, mean: np.ndarray, invstd: np.ndarray,
                       weight: np.ndarray | None, bias: np.ndarray | None) -> np.ndarray:
    """``y = (x - mean) * invstd * weight + bias`` per channel (channel dim 1).

    Args:
        x: ``(N, C, ...)``; mean, invstd: ``(C,)``; weight, bias: ``(C,)`` or None (1 and 0).

    Returns:
        ``y``, the shape (and memory layout) of ``x``.

    Hint: fold the four per-channel numbers into one ``scale`` and one ``shift`` (``(C,)``
    arrays, cheap) and touch ``x`` only twice: ``y = x * scale + shift``, broadcast with
    ``per_channel``.
    """
    # BEGIN SOLUTION 4.12 batch norm forward: one scale and one shift per channel
    scale = invstd if weight is None else invstd * weight
    shift = -mean * scale if bias is None else bias - mean * scale
    y = x * per_channel(scale, x.ndim)
    y += per_channel(shift, x.ndim)
    return y
    # END SOLUTION


def batch_norm_backward(g: np.ndarray, x: np.ndarray, mean: np.ndarray, invstd: np.ndarray,
                        weight: np.ndarray | None, batch_stats: bool
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dx, dweight, dbias)`` of batch norm, for the upstream gradient ``g`` (the shape of x).

    With ``m`` values per channel, ``x_hat = (x - mean) invstd`` and ``gamma = weight`` (or 1)::

        dbias   = sum(g)                  dweight = sum(g * x_hat)        (sums over all but dim 1)
        dx      = gamma invstd (g - dbias / m - x_hat dweight / m)       if batch_stats
        dx      = gamma invstd g                                          otherwise

    Hint: written out, ``dx = g * a + x * b + c`` with per-channel ``a, b, c``: compute the two
    sums, then three ``(C,)`` arrays, then touch the big arrays only a few times.
    """
    # BEGIN SOLUTION 4.13 batch norm backward: the closed form as dy * a + x * b + c
    ndim, axes = x.ndim, channel_axes(x.ndim)
    m = x.size // x.shape[1]                                         # values per channel
    grad_bias = g.sum(axis=axes)
    grad_weight = ((x - per_channel(mean, ndim)) * g).sum(axis=axes) * invstd
    a = invstd if weight is None else weight * invstd
    if not batch_stats:  # running statistics: constants, only the scale remains
        return g * per_channel(a, ndim), grad_weight, grad_bias
    b = -a * invstd * grad_weight / m  # mean and variance depend on x: two more terms
    c = -a * grad_bias / m - b * mean
    grad_input = g * per_channel(a, ndim) + x * per_channel(b, ndim)
    grad_input += per_channel(c, ndim)
    return grad_input, grad_weight, grad_bias
    # END SOLUTION


class BatchNormFunction(Function):
    """``y = (x - mean) * invstd * weight + bias``; ``mean``/``invstd`` are ``(C,)`` arrays.

    ``batch_stats=True`` when they are the batch's own statistics (training), so that the
    backward pass accounts for their dependence on ``x``. ``weight``/``bias`` may be None.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Tensor | None, bias: Tensor | None,
                mean: np.ndarray, invstd: np.ndarray, batch_stats: bool, eps: float) -> Tensor:
        ctx.save_for_backward(input, weight)
        ctx.mean, ctx.invstd, ctx.batch_stats, ctx.eps = mean, invstd, batch_stats, eps
        ctx.has_bias = bias is not None
        return Tensor(batch_norm_forward(input.array, mean, invstd,
                                         None if weight is None else weight.array,
                                         None if bias is None else bias.array))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        input, weight = ctx.saved_tensors
        needs_input, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        if is_grad_enabled():  # create_graph=True: the same closed form, in Tensor ops
            dx, dw, db = _differentiable_backward(grad, input, weight, ctx)
        else:
            dx, dw, db = (Tensor(a) for a in batch_norm_backward(
                grad.array, input.array, ctx.mean, ctx.invstd,
                None if weight is None else weight.array, ctx.batch_stats))
        return (dx if needs_input else None, dw if needs_weight else None,
                db if ctx.has_bias and needs_bias else None, None, None, None, None)


def _differentiable_backward(g: Tensor, x: Tensor, weight: Tensor | None, ctx: Any
                             ) -> tuple[Tensor, Tensor, Tensor]:
    """``batch_norm_backward`` written with Tensor ops, the batch statistics recomputed from
    ``x``, so that ``create_graph=True`` differentiates it again (second order and up)."""
    dims = channel_axes(x.ndim)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if ctx.batch_stats:
        mean = x.mean(dim=dims, keepdim=True)
        invstd = (((x - mean) ** 2).mean(dim=dims, keepdim=True) + ctx.eps) ** -0.5
    else:
        mean, invstd = Tensor(ctx.mean.reshape(shape)), Tensor(ctx.invstd.reshape(shape))
    x_hat = (x - mean) * invstd
    scale = invstd if weight is None else weight.reshape(shape) * invstd
    grad_weight = (g * x_hat).sum(dim=dims)
    grad_bias = g.sum(dim=dims)
    if not ctx.batch_stats:
        return g * scale, grad_weight, grad_bias
    g_mean = g.mean(dim=dims, keepdim=True)
    gx_mean = (g * x_hat).mean(dim=dims, keepdim=True)
    return scale * (g - g_mean - x_hat * gx_mean), grad_weight, grad_bias


def update_running_stats(running_mean: Tensor, running_var: Tensor, mean: np.ndarray,
                         var: np.ndarray, count: int, momentum: float) -> None:
    """Move the running statistics a step ``momentum`` toward the batch's, in place:
    ``running = (1 - momentum) running + momentum batch``, with the *unbiased* batch variance
    ``var * count / (count - 1)`` (as PyTorch; normalising itself uses the biased one).

    Hint: update ``running_mean.array`` and ``running_var.array`` in place (``*=``, ``+=``), so
    that the module's buffers see it, under ``no_grad()``.
    """
    # BEGIN SOLUTION 4.14 running statistics: exponential moving average, unbiased variance
    unbiased = var * (count / (count - 1))
    with no_grad():
        running_mean.array *= 1 - momentum
        running_mean.array += momentum * mean
        running_var.array *= 1 - momentum
        running_var.array += momentum * unbiased
    # END SOLUTION


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) to zero mean and unit variance, then scale and shift.

    ``training`` (or no running statistics): use the batch's statistics over every dim but 1,
    and (if given) update ``running_mean``/``running_var`` in place by ``momentum``. Otherwise
    use the running statistics. ``y = (x - mean) / sqrt(var + eps) * weight + bias``.

    Raises:
        ValueError: training with a single value per channel (no variance to estimate).
    """
    check_tensor(input, "input", "batch_norm")
    check_float_and_same_dtype("batch_norm", input, ("weight", weight), ("bias", bias))
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input with a channel dim (N, C, ...), got "
                         f"shape {tuple(input.shape)}")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    x = input.array
    batch_stats = training or running_mean is None or running_var is None
    if batch_stats:
        count = x.size // channels
        if count <= 1 and training:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {list(input.shape)}")
        axes = channel_axes(x.ndim)
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        if training and running_mean is not None and running_var is not None:
            update_running_stats(running_mean, running_var, mean, var, count, momentum)
    else:
        mean, var = running_mean.array, running_var.array
    invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
    return BatchNormFunction.apply(input, weight, bias, mean.astype(x.dtype), invstd,
                                   batch_stats, eps)
