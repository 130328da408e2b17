"""Argument checks shared by the functional ops: the errors name what is wrong."""

from __future__ import annotations

from typing import Any

from tinytorch.tensor import Tensor

__all__ = ["check_tensor", "check_float_and_same_dtype", "batched", "check_bias"]


def check_tensor(value: Any, name: str, op: str) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be a Tensor, not {type(value).__name__}")


def check_float_and_same_dtype(op: str, input: Tensor, *others: tuple[str, Tensor | None]
                                ) -> None:
    """Float input; every other tensor (weight, bias...) of the input's dtype."""
    if not input.is_floating_point():
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype.name} "
                           "(convert images with .float() or transforms.ToTensor())")
    for name, other in others:
        if other is not None and other.dtype != input.dtype:
            raise RuntimeError(f"{op}: Input type ({input.dtype.name}) and {name} type "
                               f"({other.dtype.name}) should be the same")


def batched(input: Tensor, op: str, spatial: int) -> tuple[Tensor, bool]:
    """``input`` with a batch dim: ``(C, *S)`` -> ``(1, C, *S)``; says whether one was added."""
    if input.ndim == spatial + 2:
        return input, False
    if input.ndim == spatial + 1:
        return input.unsqueeze(0), True
    dims = "HW" if spatial == 2 else "L"
    raise RuntimeError(f"{op}: expected a {spatial + 1}-D (unbatched, C {dims}) or "
                       f"{spatial + 2}-D (batched, N C {dims}) input, got shape "
                       f"{tuple(input.shape)}")


def check_bias(op: str, bias: Tensor | None, channels: int) -> None:
    if bias is not None and tuple(bias.shape) != (channels,):
        raise RuntimeError(f"{op}: expected bias of shape ({channels},) (one per output "
                           f"channel), got {tuple(bias.shape)}")
