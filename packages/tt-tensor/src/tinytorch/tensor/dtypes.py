"""Data types, PyTorch's type promotion, and turning Python data into arrays of those types.

TinyTorch has nine dtypes. Under promotion they form a chain, with one fork:

    bool < uint8, int8 < int16 < int32 < int64 < float16 < float32 < float64

so promoting two dtypes is taking the larger, except that ``uint8`` and ``int8`` (neither holds
the other's values) meet at ``int16``. What makes PyTorch's rule subtle is *who takes part*: a
Python scalar never widens a tensor of its own category (``float32 + 2.5`` stays float32), and a
0-d tensor only matters when it brings a higher category (``int64 + 0-d float64`` becomes
float64, ``float32 + 0-d float64`` stays float32).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "DType", "bool_", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
    "as_dtype", "promote_types", "result_type", "get_default_dtype", "set_default_dtype",
    "as_array", "cast", "accumulator_dtype",
]


@dataclass(frozen=True, eq=False)
class DType:
    """A TinyTorch dtype: a name, its NumPy dtype, its place in the promotion chain, and the
    name of PyTorch's legacy tensor type (``Tensor.type()`` returns it)."""

    name: str
    numpy: np.dtype
    rank: int  # position in the chain; uint8 and int8 share a rank
    tensor_type: str

    @property
    def is_floating_point(self) -> bool:
        return self.numpy.kind == "f"

    @property
    def category(self) -> int:
        """0 for bool, 1 for integers, 2 for floating point."""
        return {"b": 0, "u": 1, "i": 1, "f": 2}[self.numpy.kind]

    @property
    def itemsize(self) -> int:
        return self.numpy.itemsize

    def __repr__(self) -> str:
        return f"tinytorch.{self.name}"

    def __reduce__(self) -> str:  # pickling is refused elsewhere; copy.deepcopy still works
        return self.name


bool_ = DType("bool", np.dtype(np.bool_), 0, "BoolTensor")
uint8 = DType("uint8", np.dtype(np.uint8), 1, "ByteTensor")
int8 = DType("int8", np.dtype(np.int8), 1, "CharTensor")
int16 = DType("int16", np.dtype(np.int16), 2, "ShortTensor")
int32 = DType("int32", np.dtype(np.int32), 3, "IntTensor")
int64 = DType("int64", np.dtype(np.int64), 4, "LongTensor")
float16 = DType("float16", np.dtype(np.float16), 5, "HalfTensor")
float32 = DType("float32", np.dtype(np.float32), 6, "FloatTensor")
float64 = DType("float64", np.dtype(np.float64), 7, "DoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "long": int64,
                 "int": int32, "short": int16})
_BY_NUMPY = {d.numpy: d for d in ALL}
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
    """Turn a DType, a name (``"float32"``, ``"long"``), a NumPy dtype or ``bool``/``int``/``float``
    into a DType.

    What to do, in this order:

    * a DType is returned as it is;
    * the Python types ``bool``, ``int`` and ``float`` give ``bool_``, ``int64`` and the default
      float (:func:`get_default_dtype`), as PyTorch maps them;
    * a name is looked up in ``_BY_NAME`` (which also holds PyTorch's aliases ``"long"``,
      ``"half"``, ``"double"``...);
    * anything else NumPy understands (``np.float16``, ``np.dtype("int32")``, ``"<f4"``) goes
      through ``np.dtype(...)`` and is looked up in ``_BY_NUMPY``.

    Errors the tests expect: a TypeError whose message contains ``unsupported dtype`` and the
    dtype as given (``complex64``, ``float8``...) for anything that is not one of the nine.
    Hint: ``np.dtype("float8")`` raises TypeError itself: catch it and raise your own.
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
        supported = ", ".join(d.name for d in ALL)
        raise TypeError(f"unsupported dtype {dtype!r}; TinyTorch supports {supported}")
    return found
    # END SOLUTION


def from_numpy_dtype(dtype: np.dtype) -> DType:
    """The DType of a NumPy array's dtype, or a TypeError naming it."""
    found = _BY_NUMPY.get(dtype)
    if found is None:
        return as_dtype(dtype)  # raises with the supported list
    return found


# BEGIN SOLUTION 1.2 promotion: promote two dtypes, and find the result dtype of an op
def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both ``a`` and ``b`` convert to without losing their category.

    The dtypes form a chain by ``rank`` (see the module docstring): the result is the one of
    higher rank, so a float beats any integer (``promote_types(int64, float16)`` is float16,
    as in PyTorch). One fork: uint8 and int8 share a rank and neither holds the other's values,
    so together they give int16.
    """
    if a.rank == b.rank and a is not b:  # uint8 with int8: neither holds the other
        return int16
    return a if a.rank >= b.rank else b


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    """The dtype of two priority groups together (either may be None: an empty group).

    The lower-priority group only counts when it brings a higher category (``DType.category``:
    bool < integer < floating point), or when the higher group is bool: int32 with a lower int64
    stays int32, int32 with a lower float64 promotes (to float64), bool with a lower int64 gives
    int64.
    """
    if higher is None:
        return lower
    if lower is None:
        return higher
    if lower.category > higher.category or higher is bool_:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> DType:
    """The dtype PyTorch gives an elementwise op over tensors and Python scalars.

    Each operand falls in one of three groups, by priority: tensors with at least one dim, 0-d
    tensors, and Python (or NumPy) scalars. Promote the dtypes within each group with
    :func:`promote_types`, then merge the groups from the lowest up with :func:`_combine`.
    So ``float32 tensor + 2.5`` stays float32 (a scalar never widens its own category), and
    ``int64 tensor + 0-d float64 tensor`` is float64 (it brings a higher category).

    Hints: a Tensor has ``.dtype`` (a DType) and ``.ndim``; a NumPy array counts as a tensor
    (``from_numpy_dtype(x.dtype)``); :func:`scalar_dtype` gives a Python number's dtype (and
    raises TypeError for anything else, which is what the tests expect).
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


def accumulator_dtype(array: np.ndarray) -> np.dtype:
    """What sums and products accumulate in: int64 for bool and integers (as in PyTorch), else
    the array's own dtype."""
    return np.dtype(np.int64) if array.dtype.kind in "biu" else array.dtype


def cast(array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``array`` as ``dtype``, as PyTorch casts: float16 overflow gives inf, integers wrap, nan
    and inf cast to integers give the platform's value, and NumPy prints no warning about it."""
    if array.dtype == dtype:
        return array
    if array.dtype.kind == "f" and (dtype.kind != "f" or dtype.itemsize < array.dtype.itemsize):
        with np.errstate(over="ignore", invalid="ignore"):  # only narrowing casts can warn
            return array.astype(dtype)
    return array.astype(dtype)


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``data`` (nested lists, numbers, NumPy arrays or anything with ``__array__``, such as a
    Tensor) as a NumPy array of a supported dtype.

    Without ``dtype`` it is inferred as PyTorch does: Python floats give the default float, ints
    give int64, bools give bool; an array keeps its dtype (uint16/32/64 widen to int64). Python
    data is always copied; an array is copied only when it must be cast.
    """
    target = None if dtype is None else as_dtype(dtype).numpy
    if not isinstance(data, (list, tuple)) and hasattr(data, "__array__"):
        array = np.asarray(data)
        if target is None and array.dtype.kind == "u" and array.dtype != np.uint8:
            target = np.dtype(np.int64)
    else:
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
    if target is not None:
        array = cast(array, target)
    from_numpy_dtype(array.dtype)  # raises TypeError naming an unsupported dtype
    return array
