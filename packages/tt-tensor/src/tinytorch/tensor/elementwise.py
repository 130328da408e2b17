"""Elementwise ops: arithmetic with broadcasting, unary math, comparisons, ``where``, in-place ops.

Binary ops first decide the result dtype with PyTorch's promotion rule
(:func:`tinytorch.tensor.dtypes.result_type`), cast both operands to it, and let a NumPy ufunc
broadcast them. Python numbers become 0-d constant tensors, so every binary op has two Tensor
inputs and its backward rule is the same whether the other operand was a number or a tensor.
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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: use e^-|x| on both sides of zero."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def _int_divisor_check(y: np.ndarray) -> None:
    if y.dtype.kind in "iub" and not y.all():
        raise RuntimeError("ZeroDivisionError: integer division or remainder by zero")


def _floor_divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    _int_divisor_check(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor_divide(x, y)


def _remainder(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    _int_divisor_check(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.remainder(x, y)


class ElementwiseOps:
    """Mixed into Tensor: ``+ - * / // % **``, math functions, comparisons and in-place ops."""

    __slots__ = ()

    # -- binary arithmetic ----------------------------------------------------------------------

    # BEGIN SOLUTION 1.3 binary: promote dtypes, broadcast, and apply a binary ufunc
    def _binary(self: Tensor, op: str, ufunc: Callable[..., np.ndarray], other: Any,
                reverse: bool = False, float_result: bool = False) -> Tensor:
        other_data = getattr(other, "array", None)
        if op == "sub" and (self.array.dtype == np.bool_ or type(other) is bool
                            or getattr(other_data, "dtype", None) == np.bool_):
            raise RuntimeError("subtraction (-) with a bool tensor is not supported; use ~ or "
                               "logical_not to invert a mask, ^ or logical_xor for two masks")
        if isinstance(other_data, np.ndarray) and other_data.dtype == self.array.dtype \
                and (not float_result or self.array.dtype.kind == "f"):
            target = self.array.dtype  # fast path: same dtype, nothing to promote
        elif type(other) in (float, int) and self.array.dtype.kind == "f":
            target = self.array.dtype  # fast path: a number never widens a float tensor
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

    @_ext.op("add")
    def add(self: Tensor, other: Any, alpha: Number = 1) -> Tensor:
        """``self + alpha * other`` with broadcasting."""
        if alpha != 1:
            other = self._scaled(other, alpha)
        return self._binary("add", np.add, other)

    @_ext.op("sub")
    def sub(self: Tensor, other: Any, alpha: Number = 1) -> Tensor:
        """``self - alpha * other`` with broadcasting."""
        if alpha != 1:
            other = self._scaled(other, alpha)
        return self._binary("sub", np.subtract, other)

    @_ext.op("mul")
    def mul(self: Tensor, other: Any) -> Tensor:
        return self._binary("mul", np.multiply, other)

    @_ext.op("div")
    def div(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """True division (integer inputs give a float result, as in PyTorch); with
        ``rounding_mode="floor"`` or ``"trunc"`` the quotient is rounded and keeps integer dtypes."""
        if rounding_mode is None:
            return self._binary("div", np.true_divide, other, float_result=True)
        if rounding_mode == "floor":
            return self.floor_divide(other)
        if rounding_mode == "trunc":
            dtype = result_type(self, other)
            return self.div(other).trunc().to(dtype) if dtype.category < 2 \
                else self.div(other).trunc()
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")

    @_ext.op("pow")
    def pow(self: Tensor, exponent: Any) -> Tensor:
        return self._binary("pow", np.power, exponent)

    @_ext.op("floor_divide")
    def floor_divide(self: Tensor, other: Any) -> Tensor:
        return self._binary("floor_divide", _floor_divide, other)

    @_ext.op("remainder")
    def remainder(self: Tensor, other: Any) -> Tensor:
        """Python-style remainder (sign of the divisor), as ``torch.remainder``."""
        return self._binary("remainder", _remainder, other)

    @_ext.op("maximum")
    def maximum(self: Tensor, other: Any) -> Tensor:
        return self._binary("maximum", np.maximum, other)

    @_ext.op("minimum")
    def minimum(self: Tensor, other: Any) -> Tensor:
        return self._binary("minimum", np.minimum, other)

    subtract, multiply, divide, true_divide = sub, mul, div, div

    def __add__(self, other: Any) -> Tensor:
        return self.add(other)

    def __radd__(self, other: Any) -> Tensor:
        return self.add(other)  # addition commutes

    def __sub__(self, other: Any) -> Tensor:
        return self.sub(other)

    @_ext.op("sub")
    def __rsub__(self: Tensor, other: Any) -> Tensor:
        return self._binary("sub", np.subtract, other, reverse=True)

    def __mul__(self, other: Any) -> Tensor:
        return self.mul(other)

    def __rmul__(self, other: Any) -> Tensor:
        return self.mul(other)  # multiplication commutes

    def __truediv__(self, other: Any) -> Tensor:
        return self.div(other)

    @_ext.op("div")
    def __rtruediv__(self: Tensor, other: Any) -> Tensor:
        return self._binary("div", np.true_divide, other, reverse=True, float_result=True)

    def __floordiv__(self, other: Any) -> Tensor:
        return self.floor_divide(other)

    def __rfloordiv__(self: Tensor, other: Any) -> Tensor:
        return self._binary("floor_divide", _floor_divide, other, reverse=True)

    def __mod__(self, other: Any) -> Tensor:
        return self.remainder(other)

    def __rmod__(self: Tensor, other: Any) -> Tensor:
        return self._binary("remainder", _remainder, other, reverse=True)

    def __pow__(self, exponent: Any) -> Tensor:
        return self.pow(exponent)

    @_ext.op("pow")
    def __rpow__(self: Tensor, base: Any) -> Tensor:
        return self._binary("pow", np.power, base, reverse=True)

    # -- unary math -----------------------------------------------------------------------------

    # BEGIN SOLUTION 1.4 unary: elementwise math functions (float ops promote integers)
    def _unary(self: Tensor, op: str, fn: Callable[[np.ndarray], np.ndarray],
               to_float: bool = True, **saved: Any) -> Tensor:
        x = self.array
        if to_float and x.dtype.kind != "f":
            x = x.astype(get_default_dtype().numpy)
        return self._make(op, np.asarray(fn(x)), (self,), **saved)

    @_ext.op("neg")
    def neg(self: Tensor) -> Tensor:
        if self.array.dtype == np.bool_:
            raise RuntimeError("negation (-) is not supported on bool tensors; use ~ or logical_not")
        return self._unary("neg", np.negative, to_float=False)

    @_ext.op("abs")
    def abs(self: Tensor) -> Tensor:
        if self.array.dtype == np.bool_:
            raise NotImplementedError('"abs_cpu" not implemented for bool tensors')
        return self._unary("abs", np.abs, to_float=False)

    @_ext.op("exp")
    def exp(self: Tensor) -> Tensor:
        return self._unary("exp", np.exp)

    @_ext.op("log")
    def log(self: Tensor) -> Tensor:
        """Natural logarithm (``-inf`` at 0, ``nan`` below, as in PyTorch)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._unary("log", np.log)

    @_ext.op("sqrt")
    def sqrt(self: Tensor) -> Tensor:
        with np.errstate(invalid="ignore"):
            return self._unary("sqrt", np.sqrt)

    @_ext.op("sin")
    def sin(self: Tensor) -> Tensor:
        return self._unary("sin", np.sin)

    @_ext.op("cos")
    def cos(self: Tensor) -> Tensor:
        return self._unary("cos", np.cos)

    @_ext.op("tanh")
    def tanh(self: Tensor) -> Tensor:
        return self._unary("tanh", np.tanh)

    @_ext.op("sigmoid")
    def sigmoid(self: Tensor) -> Tensor:
        """1 / (1 + e^-x), computed without overflow for large |x|."""
        return self._unary("sigmoid", _sigmoid)

    @_ext.op("relu")
    def relu(self: Tensor) -> Tensor:
        """max(x, 0); keeps the dtype."""
        if self.array.dtype == np.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        return self._unary("relu", lambda x: np.maximum(x, x.dtype.type(0)), to_float=False)

    @_ext.op("erf")
    def erf(self: Tensor) -> Tensor:
        return self._unary("erf", _erf)

    @_ext.op("clamp")
    def clamp(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
        """Limit every element to [min, max]; either bound may be None."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        lo = getattr(min, "array", min)
        hi = getattr(max, "array", max)
        dtype = result_type(self, *(b for b in (min, max) if b is not None))

        def clip(x: np.ndarray) -> np.ndarray:
            x = x.astype(dtype.numpy, copy=False)
            if lo is not None:
                x = np.maximum(x, lo)
            if hi is not None:
                x = np.minimum(x, hi)
            return x.astype(dtype.numpy, copy=False)

        try:
            return self._unary("clamp", clip, to_float=False, min=lo, max=hi)
        except ValueError:
            raise RuntimeError(f"clamp: the bounds do not broadcast with the tensor's shape "
                               f"{self.shape}") from None
    # END SOLUTION

    clip = clamp

    def clamp_min(self: Tensor, min: Any) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self: Tensor, max: Any) -> Tensor:
        return self.clamp(max=max)

    @_ext.op("reciprocal")
    def reciprocal(self: Tensor) -> Tensor:
        return self._lift(1.0, get_default_dtype()).div(self)

    @_ext.op("rsqrt")
    def rsqrt(self: Tensor) -> Tensor:
        return self.sqrt().reciprocal()

    @_ext.op("square")
    def square(self: Tensor) -> Tensor:
        if self.array.dtype == np.bool_:  # bool ** 2 is int64 in PyTorch
            return self.long().mul(self.long())
        return self.mul(self)

    @_ext.op("log1p")
    def log1p(self: Tensor) -> Tensor:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._unary("log1p", np.log1p)

    def _softmax_input(self: Tensor, name: str, dim: int, dtype: Any) -> tuple[Tensor, int]:
        """The (cast) input of softmax/log_softmax and its dim; integer inputs need ``dtype``."""
        if dtype is not None:
            self = self.to(dtype)
        if self.array.dtype.kind != "f":
            raise NotImplementedError(f"{name} is not implemented for {self.dtype.name} tensors; "
                                      "pass dtype= or convert with .float() first")
        return self, self._dim(dim)

    @_ext.op("softmax")
    def softmax(self: Tensor, dim: int, dtype: Any = None) -> Tensor:
        """exp(x) / sum(exp(x)) along ``dim``, shifted by the max so that exp cannot overflow."""
        self, d = self._softmax_input("softmax", dim, dtype)
        x = self.array
        if x.size == 0:
            return self._make("softmax", x.copy(), (self,), dim=d)
        with np.errstate(invalid="ignore"):  # an all -inf row gives nan, as in PyTorch
            e = np.exp(x - x.max(axis=d, keepdims=True))
        return self._make("softmax", e / e.sum(axis=d, keepdims=True), (self,), dim=d)

    @_ext.op("log_softmax")
    def log_softmax(self: Tensor, dim: int, dtype: Any = None) -> Tensor:
        """x - logsumexp(x) along ``dim``: the log-probabilities, stable for any logits."""
        self, d = self._softmax_input("log_softmax", dim, dtype)
        x = self.array
        if x.size == 0:
            return self._make("log_softmax", x.copy(), (self,), dim=d)
        shifted = x - x.max(axis=d, keepdims=True)
        with np.errstate(invalid="ignore"):  # an all -inf row gives nan, as in PyTorch
            out = shifted - np.log(np.exp(shifted).sum(axis=d, keepdims=True))
        return self._make("log_softmax", out, (self,), dim=d)

    # Piecewise-constant functions: their gradient is zero wherever it exists.
    def _constant_piecewise(self: Tensor, op: str, fn: Callable[[np.ndarray], np.ndarray]
                            ) -> Tensor:
        return self._make(op, fn(self.array), (self,))

    def sign(self: Tensor) -> Tensor:
        if self.array.dtype == np.bool_:
            return self._constant_piecewise("sign", np.copy)
        return self._constant_piecewise("sign", np.sign)

    def floor(self: Tensor) -> Tensor:
        return self._constant_piecewise("floor", np.floor)

    def ceil(self: Tensor) -> Tensor:
        return self._constant_piecewise("ceil", np.ceil)

    def round(self: Tensor, decimals: int = 0) -> Tensor:
        return self._constant_piecewise("round", lambda x: np.round(x, decimals))

    def trunc(self: Tensor) -> Tensor:
        return self._constant_piecewise("trunc", np.trunc)

    def __neg__(self) -> Tensor:
        return self.neg()

    def __pos__(self) -> Tensor:
        return self  # type: ignore[return-value]

    def __abs__(self) -> Tensor:
        return self.abs()

    # -- comparisons and logic (results are bool, never differentiable) -------------------------

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

    def eq(self, other: Any) -> Tensor:
        return self._compare(np.equal, other)

    def ne(self, other: Any) -> Tensor:
        return self._compare(np.not_equal, other)

    def lt(self, other: Any) -> Tensor:
        return self._compare(np.less, other)

    def le(self, other: Any) -> Tensor:
        return self._compare(np.less_equal, other)

    def gt(self, other: Any) -> Tensor:
        return self._compare(np.greater, other)

    def ge(self, other: Any) -> Tensor:
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
        if getattr(other, "dtype", self.dtype) is not self.dtype:
            raise RuntimeError(f"allclose: {self.dtype.name} did not match {other.dtype.name}")
        return bool(np.allclose(self.array, getattr(other, "array", other), rtol, atol, equal_nan))

    def isclose(self: Tensor, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                equal_nan: bool = False) -> Tensor:
        return self._wrap(np.isclose(self.array, getattr(other, "array", other), rtol, atol,
                                     equal_nan))

    def isnan(self: Tensor) -> Tensor:
        return self._wrap(np.isnan(self.array))

    def isinf(self: Tensor) -> Tensor:
        return self._wrap(np.isinf(self.array))

    def isfinite(self: Tensor) -> Tensor:
        return self._wrap(np.isfinite(self.array))

    def _logical(self: Tensor, ufunc: Callable[..., np.ndarray], other: Any) -> Tensor:
        try:
            return self._wrap(np.asarray(ufunc(self.array, getattr(other, "array", other))))
        except ValueError:
            raise RuntimeError(f"shapes {self.shape} and {getattr(other, 'shape', ())} do not "
                               "broadcast") from None

    def logical_and(self, other: Any) -> Tensor:
        return self._logical(np.logical_and, other)

    def logical_or(self, other: Any) -> Tensor:
        return self._logical(np.logical_or, other)

    def logical_xor(self, other: Any) -> Tensor:
        return self._logical(np.logical_xor, other)

    def logical_not(self: Tensor) -> Tensor:
        return self._wrap(np.logical_not(self.array))

    def _bitwise(self: Tensor, ufunc: Callable[..., np.ndarray], other: Any) -> Tensor:
        dtype = result_type(self, other)
        if dtype.is_floating_point:  # NotImplementedError is a RuntimeError, as in PyTorch
            raise NotImplementedError("bitwise ops (& | ^ ~ << >>) need bool or integer "
                                      f"tensors, got {dtype.name}")
        other = self._lift(other, dtype)
        return self._wrap(np.asarray(ufunc(self.array.astype(dtype.numpy, copy=False),
                                           other.array.astype(dtype.numpy, copy=False))))

    def __and__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_and, other)

    def __or__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_or, other)

    def __xor__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_xor, other)

    def __lshift__(self, other: Any) -> Tensor:
        return self._bitwise(np.left_shift, other)

    def __rshift__(self, other: Any) -> Tensor:
        return self._bitwise(np.right_shift, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__
    bitwise_and, bitwise_or, bitwise_xor = __and__, __or__, __xor__
    bitwise_left_shift, bitwise_right_shift = __lshift__, __rshift__

    def __invert__(self: Tensor) -> Tensor:
        if self.array.dtype.kind == "f":
            raise NotImplementedError("~ needs a bool or integer tensor, got " + self.dtype.name)
        return self._wrap(np.invert(self.array))

    bitwise_not = __invert__

    # -- selection ------------------------------------------------------------------------------

    @_ext.op("where")
    def where(self: Tensor, condition: Any, other: Any) -> Tensor:
        """``self`` where ``condition`` is True, else ``other`` (as ``torch.where(c, self, o)``)."""
        cond = getattr(condition, "array", condition)
        cond = np.asarray(cond)
        if cond.dtype != np.bool_:
            raise RuntimeError(f"where: condition must be a bool tensor, got {cond.dtype}")
        dtype = result_type(self, other)
        other = self._lift(other, dtype)
        try:
            data = np.where(cond, self.array.astype(dtype.numpy, copy=False),
                            other.array.astype(dtype.numpy, copy=False))
        except ValueError:
            raise RuntimeError(f"where: condition {cond.shape}, input {self.shape} and other "
                               f"{other.shape} do not broadcast together") from None
        return self._make("where", data, (self, other), condition=cond)

    def masked_fill(self: Tensor, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, else self (mask broadcasts to self's shape)."""
        mask_data = np.asarray(getattr(mask, "array", mask))
        if mask_data.dtype != np.bool_:
            raise RuntimeError(f"masked_fill: mask must be a bool tensor, got {mask_data.dtype}")
        if getattr(value, "ndim", 0):
            raise RuntimeError("masked_fill only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s)")
        fill = self._lift(value, self.dtype).to(self.dtype)
        return fill.where(mask_data, self)

    # -- in-place ops ---------------------------------------------------------------------------

    def _inplace(self: Tensor, compute: Callable[[Tensor], Tensor], *others: Any) -> Tensor:
        """Run ``compute(self)`` and write its result into self's own memory.

        When gradients are being recorded the graph is rebased: the op is computed from a copy of
        the old value, and self takes the result's ``grad_fn`` (PyTorch does the same).
        """
        recorder = _ext._recorder
        tracking = (recorder is not None and recorder.is_grad_enabled()
                    and (self._requires_grad
                         or any(getattr(o, "_requires_grad", False) for o in others)))
        source = self
        if tracking:
            if self.grad_fn is None and self._requires_grad:
                raise RuntimeError(
                    "a leaf Tensor that requires grad is being used in an in-place operation; "
                    "wrap the update in `with no_grad():` (or use an out-of-place op)")
            if self._base is not None:  # the base's graph would not see the change
                raise RuntimeError(
                    "an in-place operation on a view (a slice, reshape or transpose of another "
                    "tensor) cannot be recorded for autograd; write into the base tensor "
                    "(base[index] = value), clone() the view first, or use an out-of-place op")
            source = self._wrap(self.array.copy())
            source.grad_fn, source._requires_grad = self.grad_fn, self._requires_grad
        result = compute(source)
        if result.shape != self.shape:
            raise RuntimeError(f"in-place op: the result's shape {result.shape} does not match "
                               f"the tensor's shape {self.shape} it would be written into")
        if result.dtype.category > self.dtype.category:
            raise RuntimeError(f"in-place op: result type {result.dtype.name} can't be cast to "
                               f"the tensor's type {self.dtype.name}")
        try:
            self.array[...] = result.array
        except ValueError as e:
            raise RuntimeError(f"in-place op on a tensor whose memory cannot be written ({e}); "
                               "it is an expanded or unfolded view: call .clone() first") from None
        self._bump_version()
        if tracking:
            self.grad_fn, self._requires_grad = result.grad_fn, result._requires_grad
        return self

    def add_(self: Tensor, other: Any, alpha: Number = 1) -> Tensor:
        return self._inplace(lambda t: t.add(other, alpha=alpha), other)

    def sub_(self: Tensor, other: Any, alpha: Number = 1) -> Tensor:
        return self._inplace(lambda t: t.sub(other, alpha=alpha), other)

    def mul_(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t.mul(other), other)

    def div_(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t.div(other), other)

    def pow_(self: Tensor, exponent: Any) -> Tensor:
        return self._inplace(lambda t: t.pow(exponent), exponent)

    def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
        return self._inplace(lambda t: t.clamp(min, max))

    def masked_fill_(self: Tensor, mask: Any, value: Any) -> Tensor:
        return self._inplace(lambda t: t.masked_fill(mask, value), value)

    def copy_(self: Tensor, src: Any) -> Tensor:
        """Copy ``src`` (broadcast to self's shape, cast to self's dtype) into self."""
        src = self._lift(src)
        return self._inplace(lambda t: src.to(t.dtype).expand(*t.shape), src)

    def fill_(self: Tensor, value: Any) -> Tensor:
        return self._inplace(lambda t: self._wrap(np.full(t.shape, value, t.array.dtype)))

    def zero_(self: Tensor) -> Tensor:
        return self.fill_(0)

    def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples from U(a, b)."""
        from .random import rng
        values = rng(generator).uniform(a, b, self.shape)
        return self._inplace(lambda t: self._wrap(values.astype(t.array.dtype)))

    def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0,
                generator: Any = None) -> Tensor:
        """Fill with samples from N(mean, std^2)."""
        from .random import rng
        values = rng(generator).normal(mean, std, self.shape)
        return self._inplace(lambda t: self._wrap(values.astype(t.array.dtype)))

    def floor_divide_(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t.floor_divide(other), other)

    def remainder_(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t.remainder(other), other)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self.floor_divide_(other)

    def __imod__(self, other: Any) -> Tensor:
        return self.remainder_(other)

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)

    def __iand__(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t & other)

    def __ior__(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t | other)

    def __ixor__(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t ^ other)


def _inplace_unary(name: str) -> Callable[[Tensor], Tensor]:
    def method(self: Tensor) -> Tensor:
        return self._inplace(lambda t: getattr(t, name)())

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place :meth:`{name}`."
    return method


for _name in ("neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu",
              "square", "sign", "floor", "ceil", "round", "trunc", "reciprocal"):
    setattr(ElementwiseOps, _name + "_", _inplace_unary(_name))
