"""Conversions: to another dtype (``to``, ``float()``, ``type()``...), to the CPU (``to("cpu")``,
``cpu()``), and out to NumPy and Python (``numpy()``, ``item()``, ``tolist()``, ``float(t)``).

Casts follow PyTorch: floats truncate toward zero into integers, integers wrap, float16 overflows
to inf, and no NumPy RuntimeWarning is printed for nan or inf.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext
from .device import CPU, check_device
from .device import device as Device
from .dtypes import (
    ALL,
    as_dtype,
    bool_,
    cast,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)

if TYPE_CHECKING:
    from .tensor import Tensor

_BY_TENSOR_TYPE = {prefix + d.tensor_type: d for d in ALL for prefix in ("tinytorch.", "torch.")}


class ConversionOps:
    """Mixed into Tensor: dtype and device conversion, and the way out to NumPy and Python."""

    __slots__ = ()

    @property
    def device(self) -> Device:
        """Where the values live: always ``device(type='cpu')``."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @_ext.op
    def to(self: Tensor, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False,
           non_blocking: bool = False) -> Tensor:
        """Cast and/or move, as ``torch.Tensor.to``: ``to(dtype)``, ``to(device)``,
        ``to(device, dtype)``, ``to(other)`` (other's dtype) or the same as keywords.

        Returns self when nothing changes (unless ``copy=True``). The only device is the CPU
        (``non_blocking`` is accepted: a copy on the CPU is always synchronous).
        """
        if len(args) > 2:
            raise TypeError(f"to() takes at most 2 positional arguments, got {len(args)}")
        for arg in args:
            if isinstance(arg, ConversionOps):  # a Tensor: take its dtype
                dtype = arg.dtype
            elif isinstance(arg, (str, Device, int)) and not isinstance(arg, bool):
                device = arg
            else:
                dtype = arg
        check_device(device)
        if dtype is None or as_dtype(dtype).numpy == self.array.dtype:
            return self._make("clone", self.array.copy(), (self,)) if copy else self
        return self._make("to", cast(self.array, as_dtype(dtype).numpy), (self,))

    def type(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
        """With no argument, the type name (``"tinytorch.FloatTensor"``); with a dtype or such a
        name (``"torch.DoubleTensor"`` works too), the tensor cast to it."""
        if dtype is None:
            return "tinytorch." + self.dtype.tensor_type
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            if dtype not in _BY_TENSOR_TYPE:
                raise ValueError(f"invalid type: {dtype!r}")
            dtype = _BY_TENSOR_TYPE[dtype]
        return self.to(dtype)

    def type_as(self: Tensor, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self: Tensor) -> Tensor:
        return self.to(float32)

    def double(self: Tensor) -> Tensor:
        return self.to(float64)

    def half(self: Tensor) -> Tensor:
        return self.to(float16)

    def long(self: Tensor) -> Tensor:
        return self.to(int64)

    def int(self: Tensor) -> Tensor:
        return self.to(int32)

    def short(self: Tensor) -> Tensor:
        return self.to(int16)

    def char(self: Tensor) -> Tensor:
        return self.to(int8)

    def byte(self: Tensor) -> Tensor:
        return self.to(uint8)

    def bool(self: Tensor) -> Tensor:
        return self.to(bool_)

    def cpu(self: Tensor) -> Tensor:
        """Self: the values are already on the CPU."""
        return self

    def cuda(self: Tensor, device: Any = None, non_blocking: bool = False) -> Tensor:
        """Always an error: TinyTorch runs on the CPU only."""
        raise RuntimeError("TinyTorch runs on the CPU only; there is no CUDA device. Leave the "
                           "tensor where it is (or use .cpu() / .to('cpu'))")

    # -- out to NumPy and Python ----------------------------------------------------------------

    def numpy(self: Tensor) -> np.ndarray:
        """The underlying array (shared memory, as ``torch.Tensor.numpy``)."""
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on a Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self.array

    def item(self: Tensor) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.array.size} elements cannot be converted to a Python scalar "
                f"(shape {self.shape})")
        return self.array.item()

    def tolist(self: Tensor) -> Any:
        return self.array.tolist()

    def __array__(self: Tensor, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype)

    def __bool__(self: Tensor) -> bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.array.size} values is ambiguous")
        return bool(self.array.item())

    def __float__(self: Tensor) -> float:
        return float(self._scalar())

    def __int__(self: Tensor) -> int:
        return int(self._scalar())

    def _scalar(self: Tensor) -> Any:
        if self.array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.array.item()

    def __index__(self: Tensor) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.array.item())

