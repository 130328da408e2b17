"""Data types and PyTorch's type-promotion rules.

TinyTorch supports six dtypes. They form one chain under promotion:

    bool < int32 < int64 < float16 < float32 < float64

so promoting two dtypes is taking the larger. What makes PyTorch's rule subtle is *who takes
part*: a Python scalar never widens a tensor of its own category (``float32 + 2.5`` stays
float32), and a 0-d tensor only matters when it brings a higher category (``int64 + 0-d float64``
becomes float64, ``float32 + 0-d float64`` stays float32).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "DType", "float16", "float32", "float64", "int32", "int64", "bool_",
    "as_dtype", "promote_types", "result_type", "get_default_dtype", "set_default_dtype",
]


@dataclass(frozen=True, eq=False)
class DType:
    """A TinyTorch dtype: a name, its NumPy dtype, and its place in the promotion chain."""

    name: str
    numpy: np.dtype
    rank: int  # position in bool < int32 < int64 < float16 < float32 < float64

    @property
    def is_floating_point(self) -> bool:
        return self.numpy.kind == "f"

    @property
    def category(self) -> int:
        """0 for bool, 1 for integers, 2 for floating point."""
        return {"b": 0, "i": 1, "f": 2}[self.numpy.kind]

    @property
    def itemsize(self) -> int:
        return self.numpy.itemsize

    def __repr__(self) -> str:
        return f"tinytorch.{self.name}"

    def __reduce__(self) -> str:  # pickling is refused elsewhere; copy.deepcopy still works
        return self.name


bool_ = DType("bool", np.dtype(np.bool_), 0)
int32 = DType("int32", np.dtype(np.int32), 1)
int64 = DType("int64", np.dtype(np.int64), 2)
float16 = DType("float16", np.dtype(np.float16), 3)
float32 = DType("float32", np.dtype(np.float32), 4)
float64 = DType("float64", np.dtype(np.float64), 5)

_ALL = (bool_, int32, int64, float16, float32, float64)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "long": int64, "int": int32})
_BY_NUMPY = {d.numpy: d for d in _ALL}
_default_float = float32


def get_default_dtype() -> DType:
    """The dtype of floating-point tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(dtype: Any) -> None:
    """Change the default floating dtype (float32 or float64), like ``torch.set_default_dtype``."""
    global _default_float
    d = as_dtype(dtype)
    if not d.is_floating_point:
        raise TypeError(f"default dtype must be a floating point dtype, got {d.name}")
    _default_float = d


def as_dtype(dtype: Any) -> DType:
    """Turn a DType, a name (``"float32"``), a NumPy dtype or ``bool``/``int``/``float`` into a DType.

    Raises TypeError naming the dtype when it is not one of the six supported.
    """
    # BEGIN SOLUTION 1.1 dtypes: look a dtype up by DType, name, NumPy dtype or Python type
    if isinstance(dtype, DType):
        return dtype
    if dtype is bool:
        return bool_
    if dtype is int:
        return int64
    if dtype is float:
        return _default_float
    if isinstance(dtype, str) and dtype in _BY_NAME:
        return _BY_NAME[dtype]
    try:
        found = _BY_NUMPY.get(np.dtype(dtype))
    except TypeError:
        found = None
    if found is None:
        supported = ", ".join(d.name for d in _ALL)
        raise TypeError(f"unsupported dtype {dtype!r}; TinyTorch supports {supported}")
    # END SOLUTION
    return found


def from_numpy_dtype(dtype: np.dtype) -> DType:
    """The DType of a NumPy array's dtype, or a TypeError naming it."""
    found = _BY_NUMPY.get(dtype)
    if found is None:
        return as_dtype(dtype)  # raises with the supported list
    return found


# BEGIN SOLUTION 1.2 promotion: promote two dtypes, and find the result dtype of an op
def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both ``a`` and ``b`` convert to without losing their category."""
    return a if a.rank >= b.rank else b


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    """Let a lower-priority participant in only if it brings a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if lower.category > higher.category or higher is bool_:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> DType:
    """The dtype PyTorch gives an elementwise op over tensors and Python scalars.

    Dimensioned tensors take priority over 0-d tensors, which take priority over Python scalars;
    within each group dtypes promote normally.
    """
    dim_result = zero_result = scalar_result = None
    for x in operands:
        dtype = getattr(x, "dtype", None)
        if isinstance(x, np.ndarray):  # an array on the left (``ndarray + Tensor``) is a tensor
            dtype = from_numpy_dtype(x.dtype)
        if isinstance(dtype, DType):
            if x.ndim > 0:
                dim_result = dtype if dim_result is None else promote_types(dim_result, dtype)
            else:
                zero_result = dtype if zero_result is None else promote_types(zero_result, dtype)
        else:
            d = scalar_dtype(x)
            scalar_result = d if scalar_result is None else promote_types(scalar_result, d)
    result = _combine(dim_result, _combine(zero_result, scalar_result))
    assert result is not None, "result_type needs at least one operand"
    return result
# END SOLUTION


def scalar_dtype(value: Any) -> DType:
    """The dtype a Python (or NumPy) scalar takes part with: bool, int64 or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return _default_float
    raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")
