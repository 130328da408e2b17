"""Convolution geometry: how many windows fit, and how much padding ``"same"`` needs.

Along one spatial dim of size ``n``, a kernel of ``k`` taps spaced ``d`` apart (the dilation)
covers ``d (k - 1) + 1`` input positions. Pad ``before`` zeros in front and ``after`` behind, slide
the kernel ``s`` positions at a time (the stride), and

    out = floor((before + n + after - d (k - 1) - 1) / s) + 1

windows fit. ``padding="same"`` (stride 1) pads ``d (k - 1)`` in total, half in front (rounded
down) and the rest behind, so ``out == n``; ``padding="valid"`` pads nothing.

:class:`ConvGeometry` holds one convolution's kernel, stride, padding, dilation and groups, already
checked and as pairs ``(height, width)``; every kernel of this package takes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ConvGeometry", "pair", "conv_output_length"]

Pair = tuple[int, int]


def pair(value: Any, name: str, *, minimum: int = 0) -> Pair:
    """``value`` as ``(height, width)``: an int is used for both, a 2-sequence as it is.

    Raises:
        TypeError: not an int or a sequence of two ints.
        ValueError: an entry is smaller than ``minimum``.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int or a tuple of two ints, got {value!r}")
    if isinstance(value, int):
        result = (value, value)
    elif (isinstance(value, (tuple, list)) and len(value) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        result = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be an int or a tuple of two ints, got {value!r}")
    if min(result) < minimum:
        raise ValueError(f"{name} must be >= {minimum} in every dim, got {value!r}")
    return result


def conv_output_length(n: int, kernel: int, stride: int, before: int, after: int,
                       dilation: int) -> int:
    """How many windows fit along one dim (the formula of the module docstring).

    Args:
        n: input size along the dim; kernel, stride, dilation: the window's taps, step and tap
            spacing; before, after: zeros padded in front and behind.

    Returns:
        ``floor((before + n + after - dilation (kernel - 1) - 1) / stride) + 1``; 0 when not even
        one window fits (the caller turns that into an error naming both sizes).

    Example: ``n=5, kernel=3, stride=2, before=after=1, dilation=1``: the padded size is 7, the
    kernel spans 3, windows start at 0, 2, 4: 3 windows.
    """
    # BEGIN SOLUTION 4.1 windows along one dim: padded size, dilated kernel span, stride
    padded = before + n + after
    span = dilation * (kernel - 1) + 1
    if span > padded:
        return 0
    return (padded - span) // stride + 1
    # END SOLUTION


@dataclass(frozen=True)
class ConvGeometry:
    """The shape of one 2-D convolution (or pooling) window and how it moves.

    Attributes:
        kernel: ``(kh, kw)`` taps.
        stride: ``(sh, sw)`` step between windows.
        padding: ``((top, bottom), (left, right))`` zeros around the input.
        dilation: ``(dh, dw)`` spacing between taps.
        groups: channel groups (convolution only): input and output channels are split into
            ``groups`` blocks and block ``g`` of the output sees only block ``g`` of the input.
    """

    kernel: Pair
    stride: Pair = (1, 1)
    padding: tuple[Pair, Pair] = ((0, 0), (0, 0))
    dilation: Pair = (1, 1)
    groups: int = 1

    @classmethod
    def make(cls, kernel: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
             groups: int = 1) -> ConvGeometry:
        """Check PyTorch-style arguments (ints, pairs, ``"same"``, ``"valid"``) and build one.

        Raises:
            TypeError / ValueError: naming the argument that is wrong and its value.
        """
        kernel = pair(kernel, "kernel_size", minimum=1)
        stride = pair(stride, "stride", minimum=1)
        dilation = pair(dilation, "dilation", minimum=1)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
            raise ValueError(f"groups must be a positive integer, got {groups!r}")
        if isinstance(padding, str):
            if padding == "valid":
                pads = ((0, 0), (0, 0))
            elif padding == "same":
                if stride != (1, 1):
                    raise ValueError("padding='same' is not supported for strided convolutions "
                                     f"(stride={stride})")
                totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
                pads = ((totals[0] // 2, totals[0] - totals[0] // 2),
                        (totals[1] // 2, totals[1] - totals[1] // 2))
            else:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "'valid', 'same' or an int / a tuple of two ints")
        else:
            ph, pw = pair(padding, "padding")
            pads = ((ph, ph), (pw, pw))
        return cls(kernel, stride, pads, dilation, groups)

    @property
    def symmetric_padding(self) -> Pair:
        """``(ph, pw)`` when the padding is the same on both sides (what most layers use)."""
        (top, bottom), (left, right) = self.padding
        if top != bottom or left != right:
            raise ValueError(f"padding {self.padding} is not symmetric")
        return top, left

    def output_size(self, height: int, width: int) -> Pair:
        """``(out_h, out_w)`` for an input of ``height x width``.

        Raises:
            RuntimeError: the (dilated) kernel is larger than the padded input, naming both sizes.
        """
        (top, bottom), (left, right) = self.padding
        out_h = conv_output_length(height, self.kernel[0], self.stride[0], top, bottom,
                                   self.dilation[0])
        out_w = conv_output_length(width, self.kernel[1], self.stride[1], left, right,
                                   self.dilation[1])
        if out_h < 1 or out_w < 1:
            span = [d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel)]
            raise RuntimeError(
                f"Calculated padded input size per channel: ({height + top + bottom} x "
                f"{width + left + right}). Kernel size: ({span[0]} x {span[1]}) (dilation "
                f"{self.dilation} included). Kernel size can't be greater than actual input size")
        return out_h, out_w
