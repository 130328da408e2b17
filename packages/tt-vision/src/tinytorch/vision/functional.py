"""Stateless vision ops, as ``torch.nn.functional``: convolution, pooling, batch norm, dropout2d.

``import tinytorch.vision.functional as VF``. Each function checks its arguments (errors name
what is wrong), then calls the autograd Function that owns the math:

=============================================  =======================================
``conv2d``, ``conv1d``, ``conv_transpose2d``    ``conv_functions.py`` (GEMM kernels in ``conv_gemm.py``)
``max_pool2d``, ``avg_pool2d``                  ``pooling_functions.py``
``adaptive_avg_pool2d``                         two matmuls with averaging matrices (here)
``batch_norm``                                  ``batchnorm_function.py``
``dropout2d``                                   a channel mask (here)
=============================================  =======================================

Images are ``(N, C, H, W)`` as in PyTorch (a single ``(C, H, W)`` image works too). Results are
often *channel-major in memory* (``(C, N, H, W)`` storage viewed as ``(N, C, H, W)``): the layout
in which the next convolution's matrix multiply needs no copy. Shapes and values are PyTorch's.
"""

from __future__ import annotations

from typing import Any

from tinytorch.tensor import Tensor

from .conv_functions import Conv2dFunction, ConvTranspose2dFunction
from .geometry import ConvGeometry, pair

__all__ = ["conv2d", "conv1d", "conv_transpose2d"]


# ---------------------------------------------------------------------------------------------
# Argument checks shared by the ops
# ---------------------------------------------------------------------------------------------

def _check_tensor(value: Any, name: str, op: str) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be a Tensor, not {type(value).__name__}")


def _check_float_and_same_dtype(op: str, input: Tensor, *others: tuple[str, Tensor | None]
                                ) -> None:
    """Float input; every other tensor (weight, bias...) of the input's dtype."""
    if not input.is_floating_point():
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype.name} "
                           "(convert images with .float() or transforms.ToTensor())")
    for name, other in others:
        if other is not None and other.dtype != input.dtype:
            raise RuntimeError(f"{op}: Input type ({input.dtype.name}) and {name} type "
                               f"({other.dtype.name}) should be the same")


def _batched(input: Tensor, op: str, spatial: int) -> tuple[Tensor, bool]:
    """``input`` with a batch dim: ``(C, *S)`` -> ``(1, C, *S)``; says whether one was added."""
    if input.ndim == spatial + 2:
        return input, False
    if input.ndim == spatial + 1:
        return input.unsqueeze(0), True
    dims = "HW" if spatial == 2 else "L"
    raise RuntimeError(f"{op}: expected a {spatial + 1}-D (unbatched, C {dims}) or "
                       f"{spatial + 2}-D (batched, N C {dims}) input, got shape "
                       f"{tuple(input.shape)}")


def _check_bias(op: str, bias: Tensor | None, channels: int) -> None:
    if bias is not None and tuple(bias.shape) != (channels,):
        raise RuntimeError(f"{op}: expected bias of shape ({channels},) (one per output "
                           f"channel), got {tuple(bias.shape)}")


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
        stride, dilation: int or ``(h, w)``.
        padding: int, ``(h, w)``, ``"valid"`` (none) or ``"same"`` (output size = input size;
            stride 1 only).
        groups: split channels into this many independent blocks (``groups = C`` is depthwise).

    Raises:
        RuntimeError: wrong channel count (naming expected and actual), kernel larger than the
            padded input (naming both sizes), dtypes that differ, a non-float input.
    """
    _check_tensor(input, "input", "conv2d")
    _check_tensor(weight, "weight", "conv2d")
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: expected a 4-D weight (out_channels, in_channels / groups, "
                           f"kh, kw), got shape {tuple(weight.shape)}")
    x, added = _batched(input, "conv2d", 2)
    _check_float_and_same_dtype("conv2d", x, ("weight", weight), ("bias", bias))
    geometry = ConvGeometry.make(weight.shape[2:], stride, padding, dilation, groups)
    if weight.shape[0] % groups:
        raise RuntimeError(f"conv2d: out_channels ({weight.shape[0]}) must be divisible by "
                           f"groups ({groups})")
    _check_bias("conv2d", bias, weight.shape[0])
    out = Conv2dFunction.apply(x, weight, bias, geometry)
    return out.squeeze(0) if added else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution ``(N, C, L) -> (N, O, out_l)``: a ``conv2d`` over images of height 1.

    Args as :func:`conv2d` with single ints (or 1-tuples); ``weight`` is ``(O, C / groups, k)``.
    """
    _check_tensor(input, "input", "conv1d")
    _check_tensor(weight, "weight", "conv1d")
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D weight (out_channels, in_channels / groups, "
                           f"k), got shape {tuple(weight.shape)}")
    x, added = _batched(input, "conv1d", 1)

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
    _check_tensor(input, "input", "conv_transpose2d")
    _check_tensor(weight, "weight", "conv_transpose2d")
    if weight.ndim != 4:
        raise RuntimeError(f"conv_transpose2d: expected a 4-D weight (in_channels, out_channels "
                           f"/ groups, kh, kw), got shape {tuple(weight.shape)}")
    x, added = _batched(input, "conv_transpose2d", 2)
    _check_float_and_same_dtype("conv_transpose2d", x, ("weight", weight), ("bias", bias))
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
    _check_bias("conv_transpose2d", bias, weight.shape[1] * groups)
    size = conv_transpose_output_size(tuple(x.shape[2:]), geometry, extra)
    out = ConvTranspose2dFunction.apply(x, weight, bias, geometry, size)
    return out.squeeze(0) if added else out
