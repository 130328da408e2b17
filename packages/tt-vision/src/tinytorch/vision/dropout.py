"""Channel dropout: ``Dropout2d`` and ``dropout2d`` (Tompson et al., 2015).

Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels barely
regularises a convolutional layer; dropping whole feature maps does. Each ``(n, c)`` map is
kept with probability ``1 - p`` and scaled by ``1 / (1 - p)``, which keeps the expected value.
"""

from __future__ import annotations

import warnings

from tinytorch.nn import Module
from tinytorch.tensor import Generator, Tensor, rand

from ._checks import check_tensor

__all__ = ["dropout2d", "Dropout2d"]


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Generator | None = None) -> Tensor:
    """Zero whole channels: each ``(n, c)`` feature map is dropped with probability ``p`` and
    the kept ones are scaled by ``1 / (1 - p)`` (the expected value is unchanged).

    Input ``(N, C, H, W)`` or ``(C, H, W)`` (one image); a 3-D input is read as ``(N, C, L)``,
    PyTorch's current behaviour (with its warning). Identity when not ``training``.

    Hints: draw ``rand((N, C, 1, 1), generator=generator)`` (one number per feature map; keep
    where it is ``>= p``), scale the kept ones by ``1 / (1 - p)`` (0 when ``p == 1``), and
    multiply: the mask broadcasts over the pixels, and the gradient is the same mask.
    """
    if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    check_tensor(input, "input", "dropout2d")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"dropout2d: expected a 3-D or 4-D input, got shape "
                           f"{tuple(input.shape)}")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim.")
    if not training or p == 0.0:
        return input
    # BEGIN SOLUTION 4.15 channel dropout: one keep/drop draw per feature map
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    keep = (rand(mask_shape, generator=generator).array >= p).astype(input.array.dtype)
    scale = input.array.dtype.type(0.0 if p == 1.0 else 1.0 / (1.0 - p))
    result = input * Tensor(keep * scale)
    return input.copy_(result) if inplace else result
    # END SOLUTION


class Dropout2d(Module):
    """Zero whole channels with probability ``p`` in training mode (see :func:`dropout2d`);
    the identity in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False,
                 generator: Generator | None = None) -> None:
        super().__init__()
        if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace, self.generator = float(p), inplace, generator

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
