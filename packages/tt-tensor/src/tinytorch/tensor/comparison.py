"""Comparisons, logic and bits: ``== != < <= > >=``, isclose/isnan, logical_*, ``& | ^ ~ << >>``.

Results are bool tensors (bitwise ops keep the integer dtype) and are never differentiable, so
these ops wrap their result with :meth:`Tensor._wrap` instead of recording it with ``_make``.
Comparisons promote both sides first, as arithmetic does: ``int_tensor < 2.5`` compares as floats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .dtypes import result_type

if TYPE_CHECKING:
    from .tensor import Tensor


class ComparisonOps:
    """Mixed into Tensor: comparisons, logical and bitwise ops."""

    __slots__ = ()

    def _compare(self: Tensor, ufunc: Callable[..., np.ndarray], other: Any) -> Tensor:
        dtype = result_type(self, other)
        other = self._lift(other, dtype)
        try:
            data = ufunc(self.array.astype(dtype.numpy, copy=False),
                         other.array.astype(dtype.numpy, copy=False))
        except ValueError:
            raise RuntimeError(f"cannot compare tensors of shapes {self.shape} and "
                               f"{other.shape}: they do not broadcast") from None
        return self._wrap(np.asarray(data))

    def eq(self: Tensor, other: Any) -> Tensor:
        return self._compare(np.equal, other)

    def ne(self: Tensor, other: Any) -> Tensor:
        return self._compare(np.not_equal, other)

    def lt(self: Tensor, other: Any) -> Tensor:
        return self._compare(np.less, other)

    def le(self: Tensor, other: Any) -> Tensor:
        return self._compare(np.less_equal, other)

    def gt(self: Tensor, other: Any) -> Tensor:
        return self._compare(np.greater, other)

    def ge(self: Tensor, other: Any) -> Tensor:
        return self._compare(np.greater_equal, other)

    __eq__ = eq  # type: ignore[assignment]
    __ne__ = ne  # type: ignore[assignment]
    __lt__, __le__, __gt__, __ge__ = lt, le, gt, ge
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def equal(self: Tensor, other: Tensor) -> bool:
        """True when shapes and all values are equal."""
        return self.shape == other.shape and bool(np.array_equal(self.array, other.array))

    def allclose(self: Tensor, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        """True when ``|self - other| <= atol + rtol * |other|`` everywhere (same dtypes)."""
        if getattr(other, "dtype", self.dtype) is not self.dtype:
            raise RuntimeError(f"allclose: {self.dtype.name} did not match {other.dtype.name}")
        return bool(np.allclose(self.array, getattr(other, "array", other), rtol, atol, equal_nan))

    def isclose(self: Tensor, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                equal_nan: bool = False) -> Tensor:
        """Elementwise ``|self - other| <= atol + rtol * |other|``."""
        return self._wrap(np.isclose(self.array, getattr(other, "array", other), rtol, atol,
                                     equal_nan))

    def isnan(self: Tensor) -> Tensor:
        return self._wrap(np.isnan(self.array))

    def isinf(self: Tensor) -> Tensor:
        return self._wrap(np.isinf(self.array))

    def isfinite(self: Tensor) -> Tensor:
        return self._wrap(np.isfinite(self.array))

    # -- logic: any dtype, nonzero is True ------------------------------------------------------

    def _logical(self: Tensor, ufunc: Callable[..., np.ndarray], other: Any) -> Tensor:
        try:
            return self._wrap(np.asarray(ufunc(self.array, getattr(other, "array", other))))
        except ValueError:
            raise RuntimeError(f"shapes {self.shape} and {getattr(other, 'shape', ())} do not "
                               "broadcast") from None

    def logical_and(self: Tensor, other: Any) -> Tensor:
        return self._logical(np.logical_and, other)

    def logical_or(self: Tensor, other: Any) -> Tensor:
        return self._logical(np.logical_or, other)

    def logical_xor(self: Tensor, other: Any) -> Tensor:
        return self._logical(np.logical_xor, other)

    def logical_not(self: Tensor) -> Tensor:
        return self._wrap(np.logical_not(self.array))

    # -- bits: bool and integer tensors only ----------------------------------------------------

    def _bitwise(self: Tensor, ufunc: Callable[..., np.ndarray], other: Any) -> Tensor:
        dtype = result_type(self, other)
        if dtype.is_floating_point:  # NotImplementedError is a RuntimeError, as in PyTorch
            raise NotImplementedError("bitwise ops (& | ^ ~ << >>) need bool or integer "
                                      f"tensors, got {dtype.name}")
        other = self._lift(other, dtype)
        return self._wrap(np.asarray(ufunc(self.array.astype(dtype.numpy, copy=False),
                                           other.array.astype(dtype.numpy, copy=False))))

    def bitwise_and(self: Tensor, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_and, other)

    def bitwise_or(self: Tensor, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_or, other)

    def bitwise_xor(self: Tensor, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_xor, other)

    def bitwise_left_shift(self: Tensor, other: Any) -> Tensor:
        return self._bitwise(np.left_shift, other)

    def bitwise_right_shift(self: Tensor, other: Any) -> Tensor:
        return self._bitwise(np.right_shift, other)

    def bitwise_not(self: Tensor) -> Tensor:
        if self.array.dtype.kind == "f":
            raise NotImplementedError("~ needs a bool or integer tensor, got " + self.dtype.name)
        return self._wrap(np.invert(self.array))

    __and__ = __rand__ = bitwise_and
    __or__ = __ror__ = bitwise_or
    __xor__ = __rxor__ = bitwise_xor
    __lshift__, __rshift__, __invert__ = bitwise_left_shift, bitwise_right_shift, bitwise_not
