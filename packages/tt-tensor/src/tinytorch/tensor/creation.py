"""Making tensors: from data (``tensor``), filled (``zeros``, ``full``...), ranges (``arange``),
random (``rand``, ``randn``, ``randint``...) and ``*_like`` versions.

Dtype inference follows PyTorch: Python floats give float32 (the default float), ints give int64,
bools give bool; a NumPy array keeps its dtype (narrower unsigned/signed ints widen to int64).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .dtypes import as_dtype, from_numpy_dtype, get_default_dtype, int64
from .random import Generator, rng
from .tensor import Tensor

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange", "linspace",
    "eye", "rand", "randn", "randint", "randperm", "zeros_like", "ones_like", "full_like",
    "empty_like", "rand_like", "randn_like", "as_array",
]


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``data`` as a NumPy array of a supported dtype (always a new array for non-arrays)."""
    if isinstance(data, Tensor):
        data = data.array
    elif isinstance(data, np.generic):  # a NumPy scalar keeps its dtype, like an array
        data = np.asarray(data)
    target = None if dtype is None else as_dtype(dtype).numpy
    if isinstance(data, np.ndarray):
        array = data
        if target is None and array.dtype.kind in "iu" and array.dtype.itemsize < 8 \
                and array.dtype != np.int32:
            target = np.dtype(np.int64)
    else:
        if isinstance(data, (list, tuple)):
            data = [getattr(x, "array", x) for x in data] if any(
                isinstance(x, Tensor) for x in data) else data
        try:
            array = np.array(data)
        except ValueError as e:
            raise ValueError(f"tensor(): could not make a tensor from {type(data).__name__} "
                             f"data ({e}); nested lists must be rectangular") from None
        if target is None:
            kind = array.dtype.kind
            if kind == "f" or array.size == 0 and kind not in "bi":
                target = get_default_dtype().numpy
            elif kind in "iu":
                target = np.dtype(np.int64)
    if target is not None and array.dtype != target:
        array = array.astype(target)
    from_numpy_dtype(array.dtype)  # raises TypeError naming an unsupported dtype
    return array


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or a Tensor)."""
    array = as_array(data, dtype)
    source = data.array if isinstance(data, Tensor) else data
    if array is source or isinstance(source, np.ndarray) and np.may_share_memory(array, source):
        array = array.copy()  # tensor() always copies (ndarray.array is a memoryview, not source)
    return _make(array, requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """Like :func:`tensor` but shares memory with a NumPy array or Tensor when it can."""
    if isinstance(data, Tensor) and (dtype is None or as_dtype(dtype) is data.dtype):
        return data
    return Tensor._wrap(as_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    from_numpy_dtype(array.dtype)
    return Tensor._wrap(array)


def _size(size: tuple[Any, ...]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = []
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, got {size}")
        if s < 0:
            raise RuntimeError(f"negative dimension {s} in size {tuple(size)}")
        shape.append(int(s))
    return tuple(shape)


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
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


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_size(size), _float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_size(size), _float(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.empty(_size(size), _float(dtype)), requires_grad)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from the value)."""
    if dtype is None:
        dtype = as_array(fill_value).dtype
    return _make(np.full(_size((size,)), fill_value, as_dtype(dtype).numpy), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps of ``step``; int64 for int arguments, else the default float."""
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
    return _make(values.astype(as_dtype(dtype).numpy), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError(f"linspace: steps must be non-negative, got {steps}")
    return _make(np.linspace(start, end, steps).astype(_float(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    return _make(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    target = _random_float(dtype, "rand")
    return _make(rng(generator).random(_size(size), dtype=np.float64).astype(target),
                 requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    target = _random_float(dtype, "randn")
    return _make(rng(generator).standard_normal(_size(size)).astype(target), requires_grad)


def randint(low: int, high: int | None = None, size: Sequence[int] | None = None,
            generator: Generator | None = None, dtype: Any = None) -> Tensor:
    """Random integers in ``[low, high)``; ``randint(high, size)`` uses ``low=0``."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: missing the size argument, e.g. randint(0, 10, (3,))")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"randint: high ({high}) must be greater than low ({low})")
    values = rng(generator).integers(low, high, _size((size,)))
    return Tensor._wrap(values.astype(as_dtype(dtype or int64).numpy))


def randperm(n: int, generator: Generator | None = None, dtype: Any = None) -> Tensor:
    """A random permutation of ``0..n-1``."""
    return Tensor._wrap(rng(generator).permutation(n).astype(as_dtype(dtype or int64).numpy))


def _like(t: Tensor, dtype: Any) -> tuple[tuple[int, ...], Any]:
    return t.shape, (t.dtype if dtype is None else dtype)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(t, dtype)
    return zeros(shape, dtype=dtype, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(t, dtype)
    return ones(shape, dtype=dtype, requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(t, dtype)
    return empty(shape, dtype=dtype, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(t, dtype)
    return full(shape, fill_value, dtype=dtype, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, generator: Generator | None = None) -> Tensor:
    shape, dtype = _like(t, dtype)
    return rand(shape, dtype=dtype, generator=generator)


def randn_like(t: Tensor, dtype: Any = None, generator: Generator | None = None) -> Tensor:
    shape, dtype = _like(t, dtype)
    return randn(shape, dtype=dtype, generator=generator)
