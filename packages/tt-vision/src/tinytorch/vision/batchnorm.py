"""Batch normalisation layers: ``BatchNorm1d`` and ``BatchNorm2d``, as ``torch.nn``.

A layer learns a per-channel ``weight`` (ones) and ``bias`` (zeros) when ``affine``, and keeps
buffers ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked`` when
``track_running_stats``. In training mode it normalises with the batch's statistics and moves
the running ones toward them by ``momentum`` (``momentum=None``: a cumulative average over all
batches seen, ``1 / num_batches_tracked``); in eval mode it uses the running statistics.
The math is :func:`tinytorch.vision.functional.batch_norm`.
"""

from __future__ import annotations

from typing import Any

from tinytorch.nn import Module, Parameter, init
from tinytorch.tensor import Tensor, empty, int64, ones, tensor, zeros

from .batchnorm_function import batch_norm

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    """What the batch norm layers share; subclasses say which input dims they accept."""

    dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only, got device={device!r}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batch seen."""
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def reset_parameters(self) -> None:
        """Fresh statistics, weight 1 and bias 0 (the identity after normalising)."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self.dims:
            expected = " or ".join(f"{d}D" for d in self.dims)
            raise ValueError(f"expected {expected} input (got {input.ndim}D input)")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array[...] += 1
            if self.momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.array)
        use_batch_stats = self.training or self.running_mean is None
        keep = not self.training or self.track_running_stats  # which running stats to pass
        return batch_norm(input, self.running_mean if keep else None,
                          self.running_var if keep else None, self.weight, self.bias,
                          use_batch_stats, momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over ``(N, C)`` features or ``(N, C, L)`` sequences (statistics per ``C``)."""

    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over ``(N, C, H, W)`` images (statistics per channel over N, H and W)."""

    dims = (4,)
