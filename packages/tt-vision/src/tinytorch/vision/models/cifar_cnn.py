"""A small CIFAR-10 network of conv-BN-ReLU blocks, sized to train on two CPU cores.

The shape follows the fast CIFAR-10 ResNets of the DAWNBench era (Page, 2018): a prep block,
three stages that double the channels and halve the resolution, two residual blocks, global
average pooling and a linear classifier whose logits are scaled down (``scale``, as Page's). Every block is conv 3x3 (padding 1, no bias: the batch norm's
shift replaces it) - batch norm - ReLU; a stage pools right after its convolution, so the norm and
the ReLU run on a quarter of the pixels::

    prep     conv-BN-ReLU           3 -> w        (w, 32, 32)
    stage 1  conv-pool-BN-ReLU      w -> 2w        (2w, 16, 16)   + residual: 2 blocks
    stage 2  conv-pool-BN-ReLU     2w -> 4w        (4w, 8, 8)
    stage 3  conv-pool-BN-ReLU     4w -> 8w        (8w, 4, 4)     + residual: 2 blocks
    head     global average pool, linear 8w -> 10, times ``scale``

With ``width=16`` that is 0.41 M parameters and about 48 MFLOP per image forward.
"""

from __future__ import annotations

import tinytorch.nn as nn
from tinytorch.tensor import Tensor

from ..batchnorm import BatchNorm2d
from ..conv import Conv2d
from ..pooling import AdaptiveAvgPool2d, MaxPool2d

__all__ = ["ConvBlock", "Residual", "CifarNet"]


class ConvBlock(nn.Sequential):
    """conv 3x3 - (max pool 2) - batch norm - ReLU."""

    def __init__(self, c_in: int, c_out: int, pool: bool = False) -> None:
        """Hints: ``Conv2d(c_in, c_out, 3, padding=1, bias=False)``, then ``MaxPool2d(2)`` when
        ``pool``, ``BatchNorm2d(c_out)``, ``nn.ReLU()``; hand the list to
        ``super().__init__(*layers)``."""
        # BEGIN SOLUTION 4.22 a conv-BN-ReLU block (pooling right after the convolution)
        layers: list[nn.Module] = [Conv2d(c_in, c_out, 3, padding=1, bias=False)]
        if pool:
            layers.append(MaxPool2d(2))
        layers += [BatchNorm2d(c_out), nn.ReLU()]
        super().__init__(*layers)
        # END SOLUTION


class Residual(nn.Module):
    """``x + blocks(x)``: two conv-BN-ReLU blocks that keep the shape, plus a skip."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.blocks = nn.Sequential(ConvBlock(channels, channels), ConvBlock(channels, channels))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.blocks(x)


class CifarNet(nn.Module):
    """The network of the module docstring: ``(N, 3, 32, 32)`` images to ``(N, 10)`` logits."""

    def __init__(self, width: int = 16, num_classes: int = 10, scale: float = 0.125) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            ConvBlock(3, w),                                # (w, 32, 32)
            ConvBlock(w, 2 * w, pool=True), Residual(2 * w),  # (2w, 16, 16)
            ConvBlock(2 * w, 4 * w, pool=True),             # (4w, 8, 8)
            ConvBlock(4 * w, 8 * w, pool=True), Residual(8 * w),  # (8w, 4, 4)
        )
        self.pool = AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(8 * w, num_classes))
        self.scale = scale

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.pool(self.features(x))) * self.scale
