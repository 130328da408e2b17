"""Unary math, one value in, one value out: exp and log, powers and roots, trigonometric and
hyperbolic functions, activations (sigmoid, relu, erf), clamp, and rounding.

Float functions of an integer (or bool) tensor compute in the default float dtype, as in PyTorch:
``tt.tensor([1, 2]).exp()`` is float32. Values outside a function's domain give nan, poles give
inf, overflow gives inf, all without a NumPy RuntimeWarning (PyTorch prints none either).
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


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function. NumPy has none.

    float64: exact, ``math.erf`` element by element (float64 is for checking, not for speed).
    float32/float16: Abramowitz & Stegun 7.1.26, a rational approximation with absolute error
    below 1.5e-7 (about one float32 ulp near 1), evaluated in float64, fully vectorized.
    """
    if x.dtype == np.float64:
        return np.asarray(np.frompyfunc(math.erf, 1, 1)(x), dtype=np.float64)
    sign = np.sign(x)
    a = np.abs(x, dtype=np.float64)  # evaluated in float64: only the approximation's error remains
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                          + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(x.dtype, copy=False)


# BEGIN SOLUTION 1.4 sigmoid: 1 / (1 + e^-x) without overflow for any x
def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-x) of a float array, same shape and dtype.

    Written as it stands, ``np.exp(-x)`` overflows for x = -1000 (NumPy warns, though the answer
    0 is right). Never exponentiate a positive number: with ``e = exp(-|x|)`` (in (0, 1]),
    sigmoid(x) is ``1 / (1 + e)`` for x >= 0 and ``e / (1 + e)`` for x < 0 (multiply the top
    and bottom by e^x). ``np.where`` picks per element. Keep the input's dtype
    (``.astype(x.dtype, copy=False)``): NumPy would make float64 of float16.
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)
# END SOLUTION


class UnaryOps:
    """Mixed into Tensor: elementwise functions of one tensor."""

    __slots__ = ()

    # BEGIN SOLUTION 1.4 unary: apply an elementwise NumPy function (integers compute as floats)
    def _unary(self: Tensor, op: str, fn: Callable[[np.ndarray], np.ndarray],
               to_float: bool = True, quiet: bool = True) -> Tensor:
        """``fn`` (a NumPy function of one array) applied to every element, recorded as the op
        ``op`` (``exp``, ``log``...): every function of this file comes through here.

        What to do: take ``self.array``; with ``to_float``, cast a bool or integer array to the
        default float first (``get_default_dtype().numpy``): ``tensor([1, 2]).exp()`` is float32,
        as in PyTorch (``neg``, ``abs`` and ``relu`` pass ``to_float=False`` and keep the dtype).
        Apply ``fn`` and return ``self._make(op, result, (self,))``, of self's shape.

        With ``quiet``, call ``fn`` under ``np.errstate(all="ignore")``: ``log(0) = -inf``,
        ``sqrt(-1) = nan`` and ``exp(1000) = inf`` are correct results, and the tests expect no
        NumPy RuntimeWarning about them (``quiet=False`` saves that cost for functions that
        cannot warn). Hint: ``np.asarray(result)``: on a 0-d input some functions return a NumPy
        scalar, not an array.
        """
        x = self.array
        if to_float and x.dtype.kind != "f":
            x = x.astype(get_default_dtype().numpy)
        if quiet:  # nan outside the domain, inf at poles and on overflow: no NumPy warning
            with np.errstate(all="ignore"):
                data = fn(x)
        else:  # fn cannot warn (a small saving on the hot path)
            data = fn(x)
        return self._make(op, np.asarray(data), (self,))
    # END SOLUTION

    @_ext.op
    def neg(self: Tensor) -> Tensor:
        """``-self`` (keeps the dtype; bool tensors have no negation)."""
        if self.array.dtype == np.bool_:
            raise RuntimeError("negation (-) is not supported on bool tensors; use ~ or logical_not")
        return self._unary("neg", np.negative, to_float=False, quiet=False)

    @_ext.op
    def exp(self: Tensor) -> Tensor:
        """e^x."""
        return self._unary("exp", np.exp)

    @_ext.op
    def log(self: Tensor) -> Tensor:
        """Natural logarithm (``-inf`` at 0, ``nan`` below, as in PyTorch)."""
        return self._unary("log", np.log)

    @_ext.op
    def sin(self: Tensor) -> Tensor:
        """sin(x), x in radians."""
        return self._unary("sin", np.sin)

    @_ext.op
    def abs(self: Tensor) -> Tensor:
        """|x| (keeps the dtype)."""
        if self.array.dtype == np.bool_:
            raise NotImplementedError('"abs_cpu" not implemented for bool tensors')
        return self._unary("abs", np.abs, to_float=False, quiet=False)

    @_ext.op
    def exp2(self: Tensor) -> Tensor:
        """2^x."""
        return self._unary("exp2", np.exp2)

    @_ext.op
    def log2(self: Tensor) -> Tensor:
        """Base-2 logarithm."""
        return self._unary("log2", np.log2)

    @_ext.op
    def log10(self: Tensor) -> Tensor:
        """Base-10 logarithm."""
        return self._unary("log10", np.log10)

    @_ext.op
    def log1p(self: Tensor) -> Tensor:
        """log(1 + x), accurate for tiny x."""
        return self._unary("log1p", np.log1p)

    @_ext.op
    def sqrt(self: Tensor) -> Tensor:
        """Square root (nan below 0)."""
        return self._unary("sqrt", np.sqrt)

    @_ext.op
    def rsqrt(self: Tensor) -> Tensor:
        """1 / sqrt(x)."""
        return self.sqrt().reciprocal()

    @_ext.op
    def reciprocal(self: Tensor) -> Tensor:
        """1 / x (integers give the default float)."""
        return self._lift(1.0, get_default_dtype()).div(self)

    @_ext.op
    def square(self: Tensor) -> Tensor:
        """x * x (bool gives int64, as in PyTorch)."""
        if self.array.dtype == np.bool_:
            return self.long().mul(self.long())
        return self.mul(self)

    # -- trigonometric and hyperbolic functions (radians) ---------------------------------------

    @_ext.op
    def cos(self: Tensor) -> Tensor:
        return self._unary("cos", np.cos)

    @_ext.op
    def tan(self: Tensor) -> Tensor:
        return self._unary("tan", np.tan)

    @_ext.op
    def asin(self: Tensor) -> Tensor:
        """Inverse sine, in [-pi/2, pi/2] (nan outside [-1, 1])."""
        return self._unary("asin", np.arcsin)

    @_ext.op
    def acos(self: Tensor) -> Tensor:
        """Inverse cosine, in [0, pi] (nan outside [-1, 1])."""
        return self._unary("acos", np.arccos)

    @_ext.op
    def atan(self: Tensor) -> Tensor:
        """Inverse tangent, in (-pi/2, pi/2)."""
        return self._unary("atan", np.arctan)

    @_ext.op
    def sinh(self: Tensor) -> Tensor:
        return self._unary("sinh", np.sinh)

    @_ext.op
    def cosh(self: Tensor) -> Tensor:
        return self._unary("cosh", np.cosh)

    @_ext.op
    def tanh(self: Tensor) -> Tensor:
        return self._unary("tanh", np.tanh, quiet=False)

    @_ext.op
    def asinh(self: Tensor) -> Tensor:
        return self._unary("asinh", np.arcsinh)

    @_ext.op
    def acosh(self: Tensor) -> Tensor:
        """Inverse hyperbolic cosine (nan below 1)."""
        return self._unary("acosh", np.arccosh)

    @_ext.op
    def atanh(self: Tensor) -> Tensor:
        """Inverse hyperbolic tangent (+-inf at +-1, nan beyond)."""
        return self._unary("atanh", np.arctanh)

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    # -- activations ----------------------------------------------------------------------------

    @_ext.op
    def sigmoid(self: Tensor) -> Tensor:
        """1 / (1 + e^-x), computed without overflow for large |x|."""
        return self._unary("sigmoid", _sigmoid, quiet=False)

    @_ext.op
    def relu(self: Tensor) -> Tensor:
        """max(x, 0); keeps the dtype."""
        if self.array.dtype == np.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        return self._unary("relu", lambda x: np.maximum(x, x.dtype.type(0)), to_float=False,
                           quiet=False)

    @_ext.op
    def erf(self: Tensor) -> Tensor:
        """The error function, 2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt."""
        return self._unary("erf", _erf, quiet=False)

    # -- clamp ----------------------------------------------------------------------------------

    @_ext.op
    def clamp(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
        """Limit every element to [min, max]; either bound may be None, a number or a tensor."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        lo = getattr(min, "array", min)
        hi = getattr(max, "array", max)
        dtype = result_type(self, *(b for b in (min, max) if b is not None)).numpy
        x = self.array.astype(dtype, copy=False)
        try:
            if lo is not None:
                x = np.maximum(x, lo)
            if hi is not None:
                x = np.minimum(x, hi)
        except ValueError:
            raise RuntimeError(f"clamp: the bounds do not broadcast with the tensor's shape "
                               f"{self.shape}") from None
        return self._make("clamp", x.astype(dtype, copy=False), (self,), min=lo, max=hi)

    clip = clamp

    def clamp_min(self: Tensor, min: Any) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self: Tensor, max: Any) -> Tensor:
        return self.clamp(max=max)

    # -- piecewise-constant functions: their gradient is zero wherever it exists ----------------

    def _constant_piecewise(self: Tensor, op: str, fn: Callable[[np.ndarray], np.ndarray]
                            ) -> Tensor:
        return self._make(op, fn(self.array), (self,))

    def sign(self: Tensor) -> Tensor:
        """-1, 0 or 1 (bool stays bool)."""
        if self.array.dtype == np.bool_:
            return self._constant_piecewise("sign", np.copy)
        return self._constant_piecewise("sign", np.sign)

    def floor(self: Tensor) -> Tensor:
        return self._constant_piecewise("floor", np.floor)

    def ceil(self: Tensor) -> Tensor:
        return self._constant_piecewise("ceil", np.ceil)

    def round(self: Tensor, decimals: int = 0) -> Tensor:
        """Round half to even, as PyTorch (and NumPy) do."""
        return self._constant_piecewise("round", lambda x: np.round(x, decimals))

    def trunc(self: Tensor) -> Tensor:
        return self._constant_piecewise("trunc", np.trunc)

    def __neg__(self: Tensor) -> Tensor:
        return self.neg()

    def __pos__(self: Tensor) -> Tensor:
        return self

    def __abs__(self: Tensor) -> Tensor:
        return self.abs()
