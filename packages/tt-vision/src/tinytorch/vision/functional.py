"""Stateless vision ops, as ``torch.nn.functional``: convolution, pooling, batch norm, dropout2d.

``import tinytorch.vision.functional as VF``. Each function checks its arguments (errors name
what is wrong), then calls the autograd Function that owns the math:

- ``conv2d``, ``conv1d``, ``conv_transpose2d``: ``conv_functions.py`` (GEMMs in ``conv_gemm.py``)
- ``max_pool2d``: ``pooling_functions.py``; ``avg_pool2d``: a depthwise convolution (here)
- ``adaptive_avg_pool2d``: two matmuls with averaging matrices (here)
- ``batch_norm``: ``batchnorm_function.py``
- ``dropout2d``: ``dropout.py`` (a channel mask)

Images are ``(N, C, H, W)`` as in PyTorch (a single ``(C, H, W)`` image works too). Results are
often ``(C, H, W, N)`` in memory, viewed as ``(N, C, H, W)``: the layout in which the next
convolution's copies and matrix multiply are fastest (``im2col.py``). Shapes and values are
PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

from ._checks import batched, check_bias, check_float_and_same_dtype, check_tensor
from .batchnorm_function import batch_norm
from .conv_functions import Conv2dFunction, ConvTranspose2dFunction
from .dropout import dropout2d
from .geometry import ConvGeometry, pair
from .pooling_functions import MaxPool2dFunction, flat_indices, pool_geometry

__all__ = ["conv2d", "conv1d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
           "adaptive_avg_pool2d", "batch_norm", "dropout2d"]


# ---------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------

def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as PyTorch): ``(N, C, H, W) -> (N, O, out_h, out_w)``.

    ``out[n, o] = bias[o] + sum_c weight[o, c] (*) input[n, g C/G + c]``, ``(*)`` sliding the
    ``kh x kw`` kernel with ``stride``, over ``padding`` zeros, taps ``dilation`` apart;
    ``out_h = floor((H + 2 ph - dh (kh - 1) - 1) / sh) + 1``.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        weight: ``(O, C / groups, kh, kw)``.
        bias: ``(O,)`` or None.
        stride: int or ``(h, w)``.
        padding: int, ``(h, w)``, ``"valid"`` (none) or ``"same"`` (output size = input size;
            stride 1 only).
        dilation: int or ``(h, w)``: the spacing between kernel taps.
        groups: split channels into this many independent blocks (``groups = C`` is depthwise).

    Raises:
        RuntimeError: wrong channel count (naming expected and actual), kernel larger than the
            padded input (naming both sizes), dtypes that differ, a non-float input.
    """
    check_tensor(input, "input", "conv2d")
    check_tensor(weight, "weight", "conv2d")
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: expected a 4-D weight (out_channels, in_channels / groups, "
                           f"kh, kw), got shape {tuple(weight.shape)}")
    x, added = batched(input, "conv2d", 2)
    check_float_and_same_dtype("conv2d", x, ("weight", weight), ("bias", bias))
    geometry = ConvGeometry.make(weight.shape[2:], stride, padding, dilation, groups)
    if weight.shape[0] % groups:
        raise RuntimeError(f"conv2d: out_channels ({weight.shape[0]}) must be divisible by "
                           f"groups ({groups})")
    check_bias("conv2d", bias, weight.shape[0])
    out = Conv2dFunction.apply(x, weight, bias, geometry)
    return out.squeeze(0) if added else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution ``(N, C, L) -> (N, O, out_l)``: a ``conv2d`` over images of height 1.

    Args as :func:`conv2d` with single ints (or 1-tuples); ``weight`` is ``(O, C / groups, k)``.
    """
    check_tensor(input, "input", "conv1d")
    check_tensor(weight, "weight", "conv1d")
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D weight (out_channels, in_channels / groups, "
                           f"k), got shape {tuple(weight.shape)}")
    x, added = batched(input, "conv1d", 1)

    def height_one(value: Any, name: str) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, (tuple, list)) and len(value) == 1:
            value = value[0]
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"conv1d: {name} must be an int or a 1-tuple, got {value!r}")
        return (1 if name != "padding" else 0, value)

    out = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, height_one(stride, "stride"),
                 height_one(padding, "padding"), height_one(dilation, "dilation"), groups)
    out = out.squeeze(2)
    return out.squeeze(0) if added else out


def conv_transpose_output_size(size: tuple[int, int], geometry: ConvGeometry,
                               output_padding: tuple[int, int]) -> tuple[int, int]:
    """``(H_out, W_out)`` of a transposed convolution: the input size of the convolution it is
    the transpose of, ``(H - 1) s - 2 p + d (k - 1) + output_padding + 1``."""
    ph, pw = geometry.symmetric_padding
    out = []
    for n, k, s, p, d, extra in zip(size, geometry.kernel, geometry.stride, (ph, pw),
                                    geometry.dilation, output_padding):
        out.append((n - 1) * s - 2 * p + d * (k - 1) + extra + 1)
    if min(out) < 1:
        raise RuntimeError(f"conv_transpose2d: the output size {tuple(out)} is too small for an "
                           f"input of size {tuple(size)} with padding {(ph, pw)}")
    return out[0], out[1]


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """Transposed 2-D convolution (the input gradient of :func:`conv2d`, with its own weight).

    ``(N, C_in, H, W) -> (N, C_out, H_out, W_out)`` with
    ``H_out = (H - 1) sh - 2 ph + dh (kh - 1) + output_padding_h + 1``.

    Args:
        input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
        weight: ``(C_in, C_out / groups, kh, kw)`` (PyTorch's layout for transposed convs).
        output_padding: extra rows/cols at the bottom/right, smaller than the stride.

    Raises:
        RuntimeError: wrong channel count, output_padding not smaller than the stride.
    """
    check_tensor(input, "input", "conv_transpose2d")
    check_tensor(weight, "weight", "conv_transpose2d")
    if weight.ndim != 4:
        raise RuntimeError(f"conv_transpose2d: expected a 4-D weight (in_channels, out_channels "
                           f"/ groups, kh, kw), got shape {tuple(weight.shape)}")
    x, added = batched(input, "conv_transpose2d", 2)
    check_float_and_same_dtype("conv_transpose2d", x, ("weight", weight), ("bias", bias))
    if isinstance(padding, str):
        raise ValueError(f"conv_transpose2d: padding must be an int or a tuple of two ints, got "
                         f"{padding!r} (string paddings exist for conv2d only)")
    geometry = ConvGeometry.make(weight.shape[2:], stride, padding, dilation, groups)
    extra = pair(output_padding, "output_padding")
    if extra[0] >= geometry.stride[0] or extra[1] >= geometry.stride[1]:
        raise RuntimeError(f"conv_transpose2d: output padding must be smaller than the stride, "
                           f"but got output_padding={extra} and stride={geometry.stride}")
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.shape[0]} channels, but got {x.shape[1]} "
            "channels instead")
    if weight.shape[0] % groups:
        raise RuntimeError(f"conv_transpose2d: in_channels ({weight.shape[0]}) must be "
                           f"divisible by groups ({groups})")
    check_bias("conv_transpose2d", bias, weight.shape[1] * groups)
    size = conv_transpose_output_size(tuple(x.shape[2:]), geometry, extra)
    out = ConvTranspose2dFunction.apply(x, weight, bias, geometry, size)
    return out.squeeze(0) if added else out


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------

def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum of every ``kh x kw`` window: ``(N, C, H, W) -> (N, C, out_h, out_w)``.

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the kernel) is ``-inf``;
    ``ceil_mode`` keeps a last partial window. With ``return_indices`` also returns where each
    maximum is, as int64 ``row * W + col`` of its input plane (PyTorch's convention).
    """
    check_tensor(input, "input", "max_pool2d")
    x, added = batched(input, "max_pool2d", 2)
    check_float_and_same_dtype("max_pool2d", x)
    geometry = pool_geometry("max_pool2d", tuple(x.shape), kernel_size, stride, padding,
                             dilation, ceil_mode)
    out, argmax = MaxPool2dFunction.apply(x, geometry)
    if added:
        out = out.squeeze(0)
    if not return_indices:
        return out
    indices = flat_indices(argmax.array.transpose(1, 2, 3, 0), geometry, x.shape[3])
    return out, Tensor(indices[0] if added else indices)


def window_counts(n: int, out: int, kernel: int, stride: int, padding: int,
                  include_padding: bool) -> np.ndarray:
    """How many entries each of the ``out`` windows along one dim averages over.

    Window ``i`` covers ``[i stride - padding, i stride - padding + kernel)``, clipped to the
    padded input ``[-padding, n + padding)`` (``include_padding``) or to the input ``[0, n)``.
    """
    # BEGIN SOLUTION 4.10 window sizes: each window clipped to the (padded) input
    starts = np.arange(out) * stride - padding
    low, high = (-padding, n + padding) if include_padding else (0, n)
    return np.minimum(starts + kernel, high) - np.maximum(starts, low)
    # END SOLUTION


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of every ``kh x kw`` window: ``(N, C, H, W) -> (N, C, out_h, out_w)``.

    A window's sum is a depthwise convolution (``groups = C``) with a kernel of ones, so the
    convolution's GEMMs and gradients do the work. The sum is divided by the window's size:
    ``kh kw`` (padding zeros counted, ``count_include_pad``), or only the entries inside the
    input, or ``divisor_override``. The divisors of a ``(out_h, out_w)`` grid are the outer
    product of the per-dim counts of :func:`window_counts`.

    Hints: a weight of ones ``(C, 1, kh, kw)`` and ``ConvGeometry(kernel, stride, padding,
    dilation, groups=C)`` with ``Conv2dFunction.apply(x, ones, None, geometry)`` give the sums,
    with their gradient. Multiply by ``1 / counts`` as a constant Tensor of ``(out_h, out_w)``
    (it broadcasts), and squeeze the batch dim back when the input was one image.
    """
    check_tensor(input, "input", "avg_pool2d")
    x, added = batched(input, "avg_pool2d", 2)
    check_float_and_same_dtype("avg_pool2d", x)
    if divisor_override is not None and (isinstance(divisor_override, bool) or
                                         not isinstance(divisor_override, int) or
                                         divisor_override <= 0):
        raise RuntimeError(f"avg_pool2d: divisor must be a positive int, got {divisor_override!r}")
    geometry = pool_geometry("avg_pool2d", tuple(x.shape), kernel_size, stride, padding, 1,
                             ceil_mode)
    c, (h, w) = x.shape[1], x.shape[2:]
    out_h, out_w = geometry.output_size(h, w)
    # BEGIN SOLUTION 4.10 average pooling: depthwise convolution with ones, then divide
    ones = Tensor(np.ones((c, 1, *geometry.kernel), dtype=x.array.dtype))
    sums = Conv2dFunction.apply(x, ones, None, ConvGeometry(
        geometry.kernel, geometry.stride, geometry.padding, geometry.dilation, groups=c))
    if divisor_override is not None:
        out = sums / float(divisor_override)
    else:
        (top, _), (left, _) = geometry.padding
        counts = np.outer(
            window_counts(h, out_h, geometry.kernel[0], geometry.stride[0], top,
                          count_include_pad),
            window_counts(w, out_w, geometry.kernel[1], geometry.stride[1], left,
                          count_include_pad))
        out = sums * Tensor((1.0 / counts).astype(x.array.dtype))
    return out.squeeze(0) if added else out
    # END SOLUTION


def averaging_matrix(n: int, out: int, dtype: Any = np.float32) -> np.ndarray:
    """``(out, n)`` matrix whose row ``i`` averages input entries ``floor(i n / out)`` to
    ``ceil((i + 1) n / out) - 1`` (PyTorch's adaptive bins; they overlap when ``n % out``)."""
    # BEGIN SOLUTION 4.11 adaptive bins as an averaging matrix
    i = np.arange(out)
    starts = (i * n) // out
    ends = -((-(i + 1) * n) // out)  # ceil((i + 1) n / out)
    columns = np.arange(n)
    inside = (columns >= starts[:, None]) & (columns < ends[:, None])
    return (inside / (ends - starts)[:, None]).astype(dtype)
    # END SOLUTION


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average over ``output_size`` bins per dim, whatever the input size:
    ``(N, C, H, W) -> (N, C, oh, ow)``.

    Row bin ``i`` spans ``[floor(i H / oh), ceil((i + 1) H / oh))`` (likewise for columns), so
    ``out = A_h @ x @ A_w.T`` with the averaging matrices of :func:`averaging_matrix`: two
    matmuls, differentiable by part 1's rules. ``output_size`` entries may be None (keep the
    input's size); ``1`` gives global average pooling.

    Hints: ``Tensor(averaging_matrix(h, out_h, dtype))`` is ``(oh, H)``; ``matmul`` broadcasts it
    over ``(N, C, H, W)``; the column matrix goes on the right, transposed. For ``(1, 1)`` a mean
    over dims ``(2, 3)`` (``keepdim=True``) is the same and cheaper.
    """
    check_tensor(input, "input", "adaptive_avg_pool2d")
    x, added = batched(input, "adaptive_avg_pool2d", 2)
    check_float_and_same_dtype("adaptive_avg_pool2d", x)
    if isinstance(output_size, int) or output_size is None:
        output_size = (output_size, output_size)
    if len(output_size) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got "
                         f"{output_size!r}")
    h, w = x.shape[2:]
    out_h, out_w = (n if o is None else int(o) for o, n in zip(output_size, (h, w)))
    if min(out_h, out_w) < 1 or min(h, w) < 1:
        raise RuntimeError(f"adaptive_avg_pool2d: output size {(out_h, out_w)} and input size "
                           f"{(h, w)} must be positive")
    dtype = x.array.dtype
    # BEGIN SOLUTION 4.11 adaptive average pooling: A_h @ x @ A_w.T (or one mean when global)
    if (out_h, out_w) == (1, 1):  # global average pooling: one mean is cheaper
        out = x.mean(dim=(2, 3), keepdim=True)
    else:
        rows = Tensor(averaging_matrix(h, out_h, dtype))             # (oh, H)
        cols = Tensor(averaging_matrix(w, out_w, dtype).T.copy())    # (W, ow)
        out = rows.matmul(x).matmul(cols)                            # (N, C, oh, ow)
    return out.squeeze(0) if added else out
    # END SOLUTION
