"""Max pooling as an autograd Function, and the window arithmetic pooling layers share.

``max_pool2d`` keeps the largest value of every window. The forward pass loops over the
``kh * kw`` kernel offsets (never over pixels): offset ``k`` is one strided slice holding, for
every window at once, the entry at that offset; a running maximum over the slices gives the
output, and the offset at which each window's maximum was found (``argmax``, one small integer
per output) is all the backward pass needs::

    y[n, c, i, j] = max_k x_pad[n, c, i sh + ki dh, j sw + kj dw]         (k = (ki, kj))
    dx[n, c, r, q] = sum of dy[n, c, i, j] over the windows whose maximum sits at (r, q)

Padding is ``-inf`` (never a maximum). Ties go to the first offset. NaN propagates as in
PyTorch: a window holding NaN has maximum NaN, and its gradient goes to its last NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinytorch.autograd import Function
from tinytorch.tensor import Tensor

from .geometry import ConvGeometry, pair
from .im2col import pad_chwn

__all__ = ["MaxPool2dFunction", "ScatterToMaxFunction", "GatherAtMaxFunction", "window_max",
           "scatter_to_max", "gather_at_max", "pool_geometry", "offset_slices", "flat_indices"]


def offset_slices(geometry: ConvGeometry, out_h: int, out_w: int
                  ) -> list[tuple[int, tuple[slice, slice]]]:
    """For each kernel offset ``k = ki * kw + kj``: the (rows, cols) slices of the padded input
    that hold that offset's entry of every window."""
    (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    return [(ki * kw + kj, (slice(ki * dh, ki * dh + sh * (out_h - 1) + 1, sh),
                            slice(kj * dw, kj * dw + sw * (out_w - 1) + 1, sw)))
            for ki in range(kh) for kj in range(kw)]


def pool_geometry(op: str, shape: tuple[int, ...], kernel_size: Any, stride: Any, padding: Any,
                  dilation: Any, ceil_mode: bool) -> ConvGeometry:
    """Check pooling arguments as PyTorch does and return the window geometry.

    ``stride`` None (or empty) means ``kernel_size``. ``ceil_mode`` lets a last, partial window
    start inside the input (or its left padding): it is modelled as extra padding at the
    bottom/right, which then never contributes (``-inf`` for max, excluded from averages).

    Raises:
        RuntimeError: padding larger than half the (dilated) kernel; an output size < 1.
    """
    kernel = pair(kernel_size, "kernel_size", minimum=1)
    step = kernel if stride is None or stride == () or stride == [] else pair(
        stride, "stride", minimum=1)
    pads = pair(padding, "padding")
    spread = pair(dilation, "dilation", minimum=1)
    for p, k, d in zip(pads, kernel, spread):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but "
                               f"got pad={p}, kernel_size={k} and dilation={d}")
    extra = []
    for n, k, s, p, d in zip(shape[-2:], kernel, step, pads, spread):
        span = d * (k - 1) + 1
        rounding = math.ceil if ceil_mode else math.floor
        out = rounding((n + 2 * p - span) / s) + 1 if n + 2 * p >= span else 0
        if ceil_mode and out > 0 and (out - 1) * s >= n + p:  # last window must start inside
            out -= 1
        if out < 1:
            raise RuntimeError(
                f"{op}: Given input size: ({'x'.join(str(v) for v in shape[-3:])}). "
                f"Calculated output size too small (kernel {kernel}, stride {step}, padding "
                f"{pads}, dilation {spread}). Output size is too small")
        extra.append(max(0, (out - 1) * s + span - (n + 2 * p)))
    return ConvGeometry(kernel, step, ((pads[0], pads[0] + extra[0]),
                                       (pads[1], pads[1] + extra[1])), spread)


def flat_indices(argmax: np.ndarray, geometry: ConvGeometry, width: int) -> np.ndarray:
    """PyTorch's ``return_indices``: where each maximum sits, as ``row * W + col`` of the
    unpadded input. ``argmax`` is the kernel offset per output, as ``(C, oh, ow, N)``; the
    result is ``(N, C, oh, ow)`` int64."""
    kw, (sh, sw), (dh, dw) = geometry.kernel[1], geometry.stride, geometry.dilation
    (top, _), (left, _) = geometry.padding
    out_h, out_w = argmax.shape[1:3]
    ki, kj = np.divmod(argmax.astype(np.int64), kw)
    rows = np.arange(out_h)[:, None, None] * sh - top + ki * dh
    cols = np.arange(out_w)[None, :, None] * sw - left + kj * dw
    return (rows * width + cols).transpose(3, 0, 1, 2)


def window_max(padded: np.ndarray, geometry: ConvGeometry, out_h: int, out_w: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """The maximum of every window, and at which kernel offset it sits.

    Args:
        padded: the input as ``(C, Hp, Wp, N)`` memory, padded with ``-inf``.
        geometry: kernel, stride, padding, dilation; out_h, out_w: the number of windows.

    Returns:
        ``best`` ``(C, out_h, out_w, N)``, the maxima, and ``argmax`` of the same shape (uint8,
        or int32 for kernels of 256 taps or more): the offset ``k = ki * kw + kj`` of the first
        tap holding the maximum; for a window holding NaN, NaN and its last NaN tap.

    Hint: ``offset_slices`` gives, for each offset ``k``, the (rows, cols) slices of
    ``padded`` that hold that tap of every window. Fold them with ``np.maximum`` (which
    propagates NaN); then, walking the offsets backwards, overwrite ``argmax`` with ``k`` where
    offset ``k`` equals the maximum: the first such offset is left. (Integer arithmetic with the
    0/1 mask, ``argmax += mask * (k - argmax)``, is several times faster than ``np.copyto(...,
    where=mask)``.)
    """
    # BEGIN SOLUTION 4.8 max pooling: a running maximum over the kernel offsets
    entries = [padded[:, rows, cols, :]  # offset k of every window: (C, oh, ow, N) views
               for _, (rows, cols) in offset_slices(geometry, out_h, out_w)]
    best = entries[0].copy()
    for entry in entries[1:]:
        np.maximum(best, entry, out=best)  # NaN propagates, as in PyTorch
    # the first offset holding the maximum (walk backwards: earlier offsets overwrite)
    argmax = np.zeros(best.shape, np.uint8 if len(entries) < 256 else np.int32)
    hit = np.empty(best.shape, bool)  # one mask buffer for every offset
    for k in range(len(entries) - 1, 0, -1):
        np.equal(entries[k], best, out=hit)
        argmax -= argmax * hit                 # clear where offset k holds the maximum...
        argmax += hit * argmax.dtype.type(k)   # ...and write k (arithmetic: vectorised)
    if np.isnan(best).any():  # NaN != NaN: point at the window's last NaN, as PyTorch
        for k, entry in enumerate(entries):
            np.copyto(argmax, k, where=np.isnan(entry))
    return best, argmax
    # END SOLUTION


def scatter_to_max(grad: np.ndarray, argmax: np.ndarray, geometry: ConvGeometry,
                   shape: tuple[int, int, int, int]) -> np.ndarray:
    """The gradient of max pooling: each window's gradient goes to the tap that was its max.

    Args:
        grad: ``dL/dy`` as ``(C, out_h, out_w, N)``; argmax: the offsets from ``window_max``.
        geometry: the pooling geometry; shape: ``(N, C, H, W)`` of the input.

    Returns:
        ``dL/dx``, ``(N, C, H, W)`` (a view of ``(C, H, W, N)`` memory); padding dropped.

    Hint: start from zeros of the padded shape ``(C, Hp, Wp, N)``; for each offset ``k`` add
    ``(argmax == k) * grad`` into that offset's slice. Windows that overlap (stride smaller
    than the dilated kernel) must add; windows that do not may write the slice directly.
    """
    # BEGIN SOLUTION 4.9 max pooling backward: send each gradient to its window's maximum
    n, c, h, w = shape
    (top, bottom), (left, right) = geometry.padding
    padded = np.zeros((c, top + h + bottom, left + w + right, n), grad.dtype)
    overlap = any(s < d * (k - 1) + 1 for s, d, k in
                  zip(geometry.stride, geometry.dilation, geometry.kernel))
    hit = np.empty(argmax.shape, bool)  # one mask buffer for every offset
    for k, (rows, cols) in offset_slices(geometry, *grad.shape[1:3]):
        np.equal(argmax, k, out=hit)
        if overlap:  # a pixel may be the maximum of several windows: add up
            padded[:, rows, cols, :] += hit * grad
        else:        # each pixel is in one window at most: write in place
            np.multiply(hit, grad, out=padded[:, rows, cols, :])
    return padded[:, top:top + h, left:left + w, :].transpose(3, 0, 1, 2)
    # END SOLUTION


def gather_at_max(padded: np.ndarray, argmax: np.ndarray, geometry: ConvGeometry
                  ) -> np.ndarray:
    """Each window's entry at its ``argmax`` tap: ``(C, out_h, out_w, N)`` from a padded
    ``(C, Hp, Wp, N)`` array. The adjoint of ``scatter_to_max`` (and, applied to the input
    itself, max pooling again)."""
    out = np.zeros(argmax.shape, padded.dtype)
    hit = np.empty(argmax.shape, bool)
    for k, (rows, cols) in offset_slices(geometry, *argmax.shape[1:3]):
        np.equal(argmax, k, out=hit)
        out += hit * padded[:, rows, cols, :]
    return out


class MaxPool2dFunction(Function):
    """``(y, argmax) = max_pool2d(x)``; ``argmax`` is the kernel offset of each maximum.

    The gradient ``dx = S(dy)`` sends ``dy`` to the maxima; it is linear in ``dy`` and, ties
    aside, does not depend on ``x``. ``S`` and its adjoint ``G`` (gather at the maxima) are the
    two Functions below, each the other's backward: gradients of any order.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, geometry: ConvGeometry) -> tuple[Tensor, Tensor]:
        x = input.array
        out_h, out_w = geometry.output_size(*x.shape[2:])
        padded = pad_chwn(x, geometry, value=-np.inf)  # (C, Hp, Wp, N)
        best, argmax = window_max(padded, geometry, out_h, out_w)
        ctx.geometry, ctx.shape, ctx.argmax = geometry, x.shape, argmax
        argmax_tensor = Tensor(argmax.transpose(3, 0, 1, 2))
        ctx.mark_non_differentiable(argmax_tensor)
        return Tensor(best.transpose(3, 0, 1, 2)), argmax_tensor

    @staticmethod
    def backward(ctx: Any, grad: Tensor, _grad_argmax: Any) -> tuple[Any, ...]:
        return ScatterToMaxFunction.apply(grad, ctx.argmax, ctx.geometry, ctx.shape), None


class ScatterToMaxFunction(Function):
    """``dx = S(dy)``: each window's gradient added at its maximum (``scatter_to_max``)."""

    @staticmethod
    def forward(ctx: Any, grad: Tensor, argmax: np.ndarray, geometry: ConvGeometry,
                shape: tuple[int, int, int, int]) -> Tensor:
        ctx.argmax, ctx.geometry = argmax, geometry
        g = grad.array.transpose(1, 2, 3, 0)  # (C, oh, ow, N), like argmax
        return Tensor(scatter_to_max(g, argmax, geometry, shape))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return GatherAtMaxFunction.apply(grad, ctx.argmax, ctx.geometry), None, None, None


class GatherAtMaxFunction(Function):
    """``G(x)``: each window's entry at its maximum's position; the adjoint of ``S``."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, argmax: np.ndarray, geometry: ConvGeometry) -> Tensor:
        ctx.argmax, ctx.geometry, ctx.shape = argmax, geometry, input.shape
        padded = pad_chwn(input.array, geometry)
        return Tensor(gather_at_max(padded, argmax, geometry).transpose(3, 0, 1, 2))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return ScatterToMaxFunction.apply(grad, ctx.argmax, ctx.geometry, ctx.shape), None, None
