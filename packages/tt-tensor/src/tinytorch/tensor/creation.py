"""Making tensors: from data (``tensor``), filled (``zeros``, ``full``...), ranges (``arange``),
random (``rand``, ``randn``, ``randint``...) and ``*_like`` versions.

Dtype inference follows PyTorch (see :func:`tinytorch.tensor.dtypes.as_array`): Python floats give
float32 (the default float), ints give int64, bools give bool; a NumPy array keeps its dtype.
Every function takes PyTorch's ``device=`` (the CPU, the only device) and sizes as ``zeros(2, 3)``
or ``zeros((2, 3))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .device import check_device
from .dtypes import as_array, as_dtype, from_numpy_dtype, get_default_dtype, int64
from .random import Generator, rng
from .shape import shape_args
from .tensor import Tensor

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange", "linspace",
    "eye", "rand", "randn", "randint", "randperm", "zeros_like", "ones_like", "full_like",
    "empty_like", "rand_like", "randn_like",
]


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
           ) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or a Tensor)."""
    check_device(device)
    array = as_array(data, dtype)
    source = getattr(data, "array", data)
    if array is source or isinstance(source, np.ndarray) and np.may_share_memory(array, source):
        array = array.copy()  # tensor() always copies
    return _new(array, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor` but shares memory with a NumPy array or Tensor when it can."""
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or as_dtype(dtype) is data.dtype):
        return data
    return Tensor._wrap(as_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    from_numpy_dtype(array.dtype)
    return Tensor._wrap(array)


def _shape(size: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape of a new tensor: ints (or one sequence of ints), none negative."""
    shape = shape_args(size)
    if shape and min(shape) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension: {shape}")
    return shape


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    return t.requires_grad_(True) if requires_grad else t


def _float(dtype: Any) -> np.dtype:
    return (get_default_dtype() if dtype is None else as_dtype(dtype)).numpy


def _random_float(dtype: Any, name: str) -> np.dtype:
    """The dtype of rand/randn samples: floating point only, as in PyTorch."""
    target = _float(dtype)
    if target.kind != "f":
        raise NotImplementedError(f"{name}: random samples need a floating point dtype, got "
                                  f"{as_dtype(target).name}")
    return target


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
          ) -> Tensor:
    check_device(device)
    return _new(np.zeros(_shape(size), _float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
         ) -> Tensor:
    check_device(device)
    return _new(np.ones(_shape(size), _float(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
          ) -> Tensor:
    check_device(device)
    return _new(np.empty(_shape(size), _float(dtype)), requires_grad)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from the value)."""
    check_device(device)
    value = as_array(fill_value, dtype)
    return _new(np.full(_shape((size,)), value, value.dtype), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps of ``step``; int64 for int arguments, else the default float."""
    check_device(device)
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound {end} and lower bound {start} are inconsistent "
                           f"with the sign of step {step}")
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if all_int else get_default_dtype()
    exact = np.int64 if as_dtype(dtype).category < 2 else np.float64
    values = np.arange(start, end, step, dtype=exact)
    return _new(values.astype(as_dtype(dtype).numpy), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (integer dtypes
    truncate them toward zero)."""
    check_device(device)
    if steps < 0:
        raise RuntimeError(f"linspace: steps must be non-negative, got {steps}")
    target = _float(dtype)
    if target == np.bool_:
        raise NotImplementedError('"linspace_cpu" not implemented for bool; pick a number dtype')
    return _new(np.linspace(start, end, steps).astype(target), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    check_device(device)
    return _new(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    check_device(device)
    target = _random_float(dtype, "rand")
    return _new(rng(generator).random(_shape(size), dtype=np.float64).astype(target),
                requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    check_device(device)
    target = _random_float(dtype, "randn")
    return _new(rng(generator).standard_normal(_shape(size)).astype(target), requires_grad)


def randint(low: int, high: int | None = None, size: Sequence[int] | None = None,
            generator: Generator | None = None, dtype: Any = None, device: Any = None) -> Tensor:
    """Random integers in ``[low, high)``; ``randint(high, size)`` uses ``low=0``."""
    check_device(device)
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: missing the size argument, e.g. randint(0, 10, (3,))")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"randint: high ({high}) must be greater than low ({low})")
    values = rng(generator).integers(low, high, _shape((size,)))
    return Tensor._wrap(values.astype(as_dtype(dtype or int64).numpy))


def randperm(n: int, generator: Generator | None = None, dtype: Any = None,
             device: Any = None) -> Tensor:
    """A random permutation of ``0..n-1``."""
    check_device(device)
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    return Tensor._wrap(rng(generator).permutation(n).astype(as_dtype(dtype or int64).numpy))


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    return empty(t.shape, dtype=dtype or t.dtype, device=device, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=device,
                requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, device: Any = None,
              generator: Generator | None = None) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, device=device, generator=generator)


def randn_like(t: Tensor, dtype: Any = None, device: Any = None,
               generator: Generator | None = None) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, device=device, generator=generator)
