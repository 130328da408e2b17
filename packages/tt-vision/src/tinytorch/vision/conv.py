"""Convolution layers: ``Conv2d``, ``Conv1d`` and ``ConvTranspose2d``, as ``torch.nn``.

A layer owns a ``weight`` of shape ``(out_channels, in_channels / groups, *kernel_size)``
(``(in_channels, out_channels / groups, *kernel_size)`` for the transposed conv) and an optional
``bias`` of shape ``(out_channels,)``, initialised as PyTorch does::

    weight ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))    (kaiming_uniform_ with a = sqrt(5))
    bias   ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))    fan_in = weight.shape[1] * prod(kernel_size)

The math is in :mod:`tinytorch.vision.functional`.
"""

from __future__ import annotations

import math
from typing import Any

import tinytorch.nn.functional as F
from tinytorch.nn import Module, Parameter, init
from tinytorch.tensor import Generator, Tensor, empty

from . import functional as VF
from .geometry import ConvGeometry, pair

__all__ = ["Conv2d", "Conv1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, initialisation, repr."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple[int, ...],
                 stride: tuple[int, ...], padding: Any, dilation: tuple[int, ...],
                 transposed: bool, output_padding: tuple[int, ...], groups: int, bias: bool,
                 padding_mode: str, device: Any, dtype: Any) -> None:
        super().__init__()
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only, got device={device!r}")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             "['valid', 'same']")
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.transposed, self.output_padding = dilation, transposed, output_padding
        self.groups, self.padding_mode = groups, padding_mode
        shape = ((in_channels, out_channels // groups) if transposed
                 else (out_channels, in_channels // groups)) + tuple(kernel_size)
        self._make_parameters(shape, bias, dtype)
        self.reset_parameters()

    def _make_parameters(self, weight_shape: tuple[int, ...], bias: bool, dtype: Any) -> None:
        """A ``weight`` of ``weight_shape`` and a ``bias`` of ``(out_channels,)`` or None.

        Hints: ``Parameter(empty(*shape, dtype=dtype))`` (the values come from
        ``reset_parameters``); without a bias, ``self.register_parameter("bias", None)`` so that
        ``self.bias`` exists and is None, as PyTorch.
        """
        # BEGIN SOLUTION 4.7 create the weight and the optional bias (one per output channel)
        self.weight = Parameter(empty(*weight_shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        # END SOLUTION

    def reset_parameters(self, generator: Generator | None = None) -> None:
        """Draw fresh weights as PyTorch does (see the module docstring).

        Hints: ``init.kaiming_uniform_(w, a=math.sqrt(5), generator=generator)`` gives the
        weight's bound; the bias is ``init.uniform_`` on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``
        with ``fan_in = weight.shape[1] * kh * kw`` (0 bound when fan_in is 0).
        """
        # BEGIN SOLUTION 4.7 PyTorch's default initialisation of a convolution
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.weight.shape[2:])
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, generator=generator)
        # END SOLUTION

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.kernel_size):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


def _explicit_padding(input: Tensor, padding: Any, kernel: tuple[int, int],
                      dilation: tuple[int, int], mode: str) -> Tensor:
    """Pad ``input`` with ``mode`` (reflect, replicate, circular) by what ``padding`` asks."""
    geometry = ConvGeometry.make(kernel, 1, padding, dilation)
    (top, bottom), (left, right) = geometry.padding
    return F.pad(input, (left, right, top, bottom), mode=mode)


class Conv2d(_ConvNd):
    """2-D convolution over ``(N, C_in, H, W)`` images: ``(N, C_out, out_h, out_w)``.

    Args as ``torch.nn.Conv2d``: ``in_channels, out_channels, kernel_size, stride=1,
    padding=0`` (int, pair, ``"same"``, ``"valid"``), ``dilation=1, groups=1, bias=True,
    padding_mode="zeros"`` (or ``"reflect"``, ``"replicate"``, ``"circular"``).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        kernel = pair(kernel_size, "kernel_size", minimum=1)
        padding = padding if isinstance(padding, str) else pair(padding, "padding")
        super().__init__(in_channels, out_channels, kernel, pair(stride, "stride", minimum=1),
                         padding, pair(dilation, "dilation", minimum=1), False, (0, 0), groups,
                         bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            padded = _explicit_padding(input, self.padding, self.kernel_size, self.dilation,
                                       self.padding_mode)
            return VF.conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                             self.groups)
        return VF.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                         self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution over ``(N, C_in, L)`` sequences: ``(N, C_out, out_l)``.

    Args as ``torch.nn.Conv1d`` (ints or 1-tuples; ``padding`` also ``"same"``/``"valid"``).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        def single(value: Any, name: str, minimum: int) -> tuple[int]:
            if isinstance(value, (tuple, list)) and len(value) == 1:
                value = value[0]
            return (pair(value, name, minimum=minimum)[0],)

        padding = padding if isinstance(padding, str) else single(padding, "padding", 0)
        super().__init__(in_channels, out_channels, single(kernel_size, "kernel_size", 1),
                         single(stride, "stride", 1), padding, single(dilation, "dilation", 1),
                         False, (0,), groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            padding = self.padding if isinstance(self.padding, str) else (0, self.padding[0])
            padded = _explicit_padding(input.unsqueeze(-2), padding, (1, self.kernel_size[0]),
                                       (1, self.dilation[0]), self.padding_mode).squeeze(-2)
            return VF.conv1d(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                             self.groups)
        return VF.conv1d(input, self.weight, self.bias, self.stride, self.padding,
                         self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (learned upsampling): ``(N, C_in, H, W)`` to
    ``(N, C_out, (H - 1) s - 2 p + d (k - 1) + output_padding + 1, ...)``.

    Args as ``torch.nn.ConvTranspose2d``; ``forward(input, output_size=None)`` may ask for an
    exact output size (it picks ``output_padding``). Only ``padding_mode="zeros"``, as PyTorch.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for ConvTranspose2d, '
                             f"got {padding_mode!r}")
        super().__init__(in_channels, out_channels, pair(kernel_size, "kernel_size", minimum=1),
                         pair(stride, "stride", minimum=1), pair(padding, "padding"),
                         pair(dilation, "dilation", minimum=1),
                         True, pair(output_padding, "output_padding"), groups, bias,
                         padding_mode, device, dtype)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        extra = self.output_padding
        if output_size is not None:
            geometry = ConvGeometry.make(self.kernel_size, self.stride, self.padding,
                                         self.dilation)
            wanted = tuple(int(n) for n in tuple(output_size)[-2:])
            smallest = VF.conv_transpose_output_size(tuple(input.shape[-2:]), geometry, (0, 0))
            extra = tuple(w - s for w, s in zip(wanted, smallest))
            if any(e < 0 or e >= s for e, s in zip(extra, self.stride)):
                largest = tuple(s + st - 1 for s, st in zip(smallest, self.stride))
                raise ValueError(f"requested an output size of {wanted}, but valid sizes range "
                                 f"from {smallest} to {largest} (for an input of "
                                 f"{tuple(input.shape[-2:])})")
        return VF.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                   extra, self.groups, self.dilation)
