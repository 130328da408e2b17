"""Binary arithmetic with broadcasting: ``+ - * / // % **``, maximum/minimum, fmod, atan2, lerp.

Every binary op first decides the result dtype with PyTorch's promotion rule
(:func:`tinytorch.tensor.dtypes.result_type`), casts both operands to it, and lets a NumPy ufunc
broadcast them. Python numbers become 0-d constant tensors, so every binary op has two Tensor
inputs and its backward rule is the same whether the other operand was a number or a tensor.

Results that are inf or nan (``1 / 0``, float16 overflow) are correct results, as in PyTorch: they
are computed under ``np.errstate`` so that NumPy prints no RuntimeWarning. (``+ - *`` of float32 and
float64 tensors are not: there an overflow needs values beyond 1e38, and ``np.errstate`` would cost
more than the op itself on small tensors.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext
from .dtypes import get_default_dtype, result_type

if TYPE_CHECKING:
    from .tensor import Tensor

Number = int | float | bool
_FLOAT16 = np.dtype(np.float16)


def _check_integer_divisor(y: np.ndarray) -> None:
    if y.dtype.kind in "iub" and not y.all():
        raise RuntimeError("ZeroDivisionError: integer division or remainder by zero")


def _true_divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if y.ndim == 0 and 1.0 <= abs(y.item()) < math.inf:  # ``x / 3``: nothing can warn
        return np.true_divide(x, y)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.true_divide(x, y)


def _floor_divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    _check_integer_divisor(y)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.floor_divide(x, y)


def _remainder(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    _check_integer_divisor(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.remainder(x, y)


def _fmod(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    _check_integer_divisor(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.fmod(x, y)


def _power(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.power(x, y)


class ArithmeticOps:
    """Mixed into Tensor: ``+ - * / // % **`` and the other elementwise ops of two tensors."""

    __slots__ = ()

    # BEGIN SOLUTION 1.3 binary: promote dtypes, broadcast, and apply a binary ufunc
    def _binary(self: Tensor, op: str, ufunc: Callable[..., np.ndarray], other: Any,
                reverse: bool = False, float_result: bool = False) -> Tensor:
        """``ufunc(self, other)`` with PyTorch's dtype promotion and broadcasting, recorded as
        the op ``op`` (``add``, ``mul``...): every arithmetic operator comes through here.

        What to do:

        1. The result dtype is ``result_type(self, other)`` (task 1.2). With ``float_result``
           (true division, atan2), a bool or integer result dtype becomes the default float
           (``get_default_dtype()``): ``tensor([1, 2]) / 2`` is float32.
        2. ``other`` may be a Python number: ``self._lift(other, dtype)`` makes it a 0-d Tensor
           of that dtype (a Tensor passes through unchanged).
        3. With ``reverse`` the operands swap places: ``2 - t`` calls ``t.__rsub__(2)``, which
           computes ``ufunc(2, t)``. The inputs are then ``(other, self)``, in that order.
        4. Cast both arrays to the result dtype (``.astype``; skip it when already right) and
           call ``ufunc(x, y)``: NumPy broadcasts, e.g. (3, 1) with (4,) gives (3, 4).
        5. Return ``self._make(op, result, (a, b))``, the inputs in the order of the ufunc.

        Errors the tests expect: a RuntimeError naming both shapes when they do not broadcast
        (NumPy raises a ValueError that says "broadcast": catch it and re-raise).

        Hints: float16 overflows easily (60000 * 2 is inf, the right answer): compute float16
        under ``np.errstate(over="ignore")`` so that NumPy prints no warning. Small ops are
        dominated by this bookkeeping: once the tests pass, skip ``result_type`` when ``other``
        is a Tensor of self's dtype (the library does; tests do not measure it).
        """
        other_data = getattr(other, "array", None)
        if isinstance(other_data, np.ndarray) and other_data.dtype == self.array.dtype \
                and (not float_result or self.array.dtype.kind == "f"):
            target = self.array.dtype  # fast path: same dtype, nothing to promote
        elif type(other) in (float, int) and self.array.dtype.char in "fd":
            target = self.array.dtype  # fast path: a number never widens float32/float64
            other = self._wrap(np.asarray(other, dtype=target))
        else:
            dtype = result_type(self, other)
            if float_result and not dtype.is_floating_point:
                dtype = get_default_dtype()
            target = dtype.numpy
            other = self._lift(other, dtype)
        a, b = (other, self) if reverse else (self, other)
        x, y = a.array, b.array
        if x.dtype != target:
            x = x.astype(target)
        if y.dtype != target:
            y = y.astype(target)
        try:
            if target is _FLOAT16:  # float16 overflows to inf easily; inf is the right answer
                with np.errstate(over="ignore"):
                    data = ufunc(x, y)
            else:
                data = ufunc(x, y)
        except ValueError as e:
            if "broadcast" not in str(e):
                raise RuntimeError(f"{op}: {e}") from None
            raise RuntimeError(
                f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together "
                "(sizes must match or be 1 in every dim, aligned from the right)") from None
        return self._make(op, np.asarray(data), (a, b))
    # END SOLUTION

    def _scaled(self: Tensor, other: Any, alpha: Number) -> Any:
        """``alpha * other`` for add/sub (PyTorch refuses a float alpha for integer tensors)."""
        if alpha == 1 and type(alpha) is not bool:
            return other
        if isinstance(alpha, float) and result_type(self, other).category < 2:
            raise RuntimeError("For integral input tensors, argument alpha must not be a "
                               "floating point number.")
        return self._lift(other) * alpha

    def _refuse_bool(self: Tensor, other: Any) -> None:
        other_array = getattr(other, "array", None)
        if self.array.dtype.kind == "b" or type(other) is bool \
                or other_array is not None and other_array.dtype.kind == "b":
            raise RuntimeError("subtraction (-) with a bool tensor is not supported; use ~ or "
                               "logical_not to invert a mask, ^ or logical_xor for two masks")

    @_ext.op
    def add(self: Tensor, other: Any, alpha: Number = 1) -> Tensor:
        """``self + alpha * other`` with broadcasting."""
        if alpha != 1:
            other = self._scaled(other, alpha)
        return self._binary("add", np.add, other)

    @_ext.op
    def sub(self: Tensor, other: Any, alpha: Number = 1) -> Tensor:
        """``self - alpha * other`` with broadcasting (bool tensors cannot be subtracted)."""
        self._refuse_bool(other)
        if alpha != 1:
            other = self._scaled(other, alpha)
        return self._binary("sub", np.subtract, other)

    @_ext.op
    def mul(self: Tensor, other: Any) -> Tensor:
        """``self * other`` with broadcasting."""
        return self._binary("mul", np.multiply, other)

    @_ext.op
    def div(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """True division (integer inputs give a float result, as in PyTorch); with
        ``rounding_mode="floor"`` or ``"trunc"`` the quotient is rounded and keeps integer dtypes."""
        if rounding_mode is None:
            return self._binary("div", _true_divide, other, float_result=True)
        if rounding_mode == "floor":
            return self.floor_divide(other)
        if rounding_mode == "trunc":
            dtype = result_type(self, other)
            quotient = self.div(other).trunc()
            return quotient.to(dtype) if dtype.category < 2 else quotient
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")

    @_ext.op
    def pow(self: Tensor, exponent: Any) -> Tensor:
        """``self ** exponent`` with broadcasting."""
        return self._binary("pow", _power, exponent)

    @_ext.op
    def floor_divide(self: Tensor, other: Any) -> Tensor:
        """``self // other``: the quotient rounded down (integer division by zero raises)."""
        return self._binary("floor_divide", _floor_divide, other)

    @_ext.op
    def remainder(self: Tensor, other: Any) -> Tensor:
        """``self % other``, Python-style: the result has the sign of the divisor."""
        return self._binary("remainder", _remainder, other)

    @_ext.op
    def fmod(self: Tensor, other: Any) -> Tensor:
        """C-style remainder ``self - trunc(self / other) * other``: the sign of the dividend."""
        return self._binary("fmod", _fmod, other)

    @_ext.op
    def maximum(self: Tensor, other: Tensor) -> Tensor:
        """Elementwise larger of ``self`` and ``other`` (nan wins, as in PyTorch)."""
        return self._binary("maximum", np.maximum, other)

    @_ext.op
    def minimum(self: Tensor, other: Tensor) -> Tensor:
        """Elementwise smaller of ``self`` and ``other`` (nan wins, as in PyTorch)."""
        return self._binary("minimum", np.minimum, other)

    @_ext.op
    def atan2(self: Tensor, other: Any) -> Tensor:
        """The angle of the point (other, self), in (-pi, pi]: ``atan(self / other)`` by quadrant."""
        return self._binary("atan2", np.arctan2, other, float_result=True)

    arctan2 = atan2

    @_ext.op
    def lerp(self: Tensor, end: Tensor, weight: Any) -> Tensor:
        """``self + weight * (end - self)``, broadcast over all three (floating point only).

        Computed from the nearer end as PyTorch does (``end - (end - self) * (1 - weight)`` when
        ``|weight| >= 0.5``), so that weight 1 gives ``end`` exactly.
        """
        end, weight = self._lift(end), self._lift(weight, self.dtype)
        if self.array.dtype.kind != "f" or end.dtype is not self.dtype \
                or weight.dtype is not self.dtype:
            raise RuntimeError(f"lerp: expected start, end and weight of one floating point "
                               f"dtype, got {self.dtype.name}, {end.dtype.name} and "
                               f"{weight.dtype.name}")
        start, stop, w = self.array, end.array, weight.array
        try:
            diff = stop - start
            data = np.where(np.abs(w) < 0.5, start + w * diff, stop - diff * (1 - w))
        except ValueError:
            raise RuntimeError(f"lerp: shapes {self.shape}, {end.shape} and {weight.shape} "
                               "cannot be broadcast together") from None
        return self._make("lerp", data.astype(self.array.dtype, copy=False), (self, end, weight))

    subtract, multiply, divide, true_divide = sub, mul, div, div

    def __add__(self: Tensor, other: Any) -> Tensor:
        return self.add(other)

    def __radd__(self: Tensor, other: Any) -> Tensor:
        return self.add(other)  # addition commutes

    def __sub__(self: Tensor, other: Any) -> Tensor:
        return self.sub(other)

    @_ext.op
    def __rsub__(self: Tensor, other: Any) -> Tensor:
        self._refuse_bool(other)
        return self._binary("sub", np.subtract, other, reverse=True)

    def __mul__(self: Tensor, other: Any) -> Tensor:
        return self.mul(other)

    def __rmul__(self: Tensor, other: Any) -> Tensor:
        return self.mul(other)  # multiplication commutes

    def __truediv__(self: Tensor, other: Any) -> Tensor:
        return self.div(other)

    @_ext.op
    def __rtruediv__(self: Tensor, other: Any) -> Tensor:
        return self._binary("div", _true_divide, other, reverse=True, float_result=True)

    def __floordiv__(self: Tensor, other: Any) -> Tensor:
        return self.floor_divide(other)

    @_ext.op
    def __rfloordiv__(self: Tensor, other: Any) -> Tensor:
        return self._binary("floor_divide", _floor_divide, other, reverse=True)

    def __mod__(self: Tensor, other: Any) -> Tensor:
        return self.remainder(other)

    @_ext.op
    def __rmod__(self: Tensor, other: Any) -> Tensor:
        return self._binary("remainder", _remainder, other, reverse=True)

    def __pow__(self: Tensor, exponent: Any) -> Tensor:
        return self.pow(exponent)

    @_ext.op
    def __rpow__(self: Tensor, base: Any) -> Tensor:
        return self._binary("pow", _power, base, reverse=True)
