"""Free-function spellings of Tensor ops, as in ``torch.exp(x)`` or ``torch.cat([a, b])``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .dtypes import scalar_dtype
from .shape import broadcast_shapes, broadcast_tensors, cat, pad, stack
from .tensor import Tensor

__all__ = [
    "cat", "concat", "concatenate", "stack", "pad", "where", "add", "sub", "mul", "div", "pow",
    "matmul", "mm", "bmm", "dot", "neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh",
    "sigmoid", "relu", "erf", "clamp", "maximum", "minimum", "sum", "mean", "prod", "var", "std",
    "amax", "amin", "max", "min", "argmax", "argmin", "logsumexp", "norm", "all", "any", "cumsum",
    "reshape", "flatten", "squeeze", "unsqueeze", "transpose", "permute", "flip", "split",
    "chunk", "gather", "softmax", "log_softmax", "tril", "triu", "eq", "ne", "lt", "le", "gt",
    "ge", "isnan", "allclose", "broadcast_to", "masked_fill", "square", "log1p",
    # further PyTorch spellings
    "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder", "negative",
    "sign", "floor", "ceil", "round", "trunc", "reciprocal", "rsqrt", "clip", "clamp_min",
    "clamp_max", "isinf", "isfinite", "isclose", "equal", "greater", "greater_equal", "less",
    "less_equal", "not_equal", "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "unflatten", "t", "numel",
    "unbind", "narrow", "index_select", "swapaxes", "swapdims", "nonzero", "unfold",
    "broadcast_tensors", "broadcast_shapes", "view_as",
]

concat = concatenate = cat


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` is True, else ``other`` (numbers broadcast).

    With only ``condition``, the indices of its True entries, one tensor per dim
    (``torch.where(c)`` is ``c.nonzero(as_tuple=True)``).
    """
    if input is None and other is None:
        cond = condition if isinstance(condition, Tensor) else Tensor(condition)
        return cond.nonzero(as_tuple=True)
    if not isinstance(input, Tensor):  # a Python number takes part with its own dtype
        input = Tensor._wrap(np.asarray(input, scalar_dtype(input).numpy))
    return input.where(condition, other)


def _scalar_first(method: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``torch.add(2, t)``: the first argument may be a Python number when the second is a Tensor."""
    def fn(input: Any, other: Any, *args: Any, **kwargs: Any) -> Tensor:
        if not isinstance(input, Tensor):
            if not isinstance(other, Tensor):
                raise TypeError(f"{method.__name__}(): expected a Tensor argument, got "
                                f"{type(input).__name__} and {type(other).__name__}")
            input = Tensor._wrap(np.asarray(input, scalar_dtype(input).numpy))
        return method(input, other, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = method.__name__
    fn.__doc__ = method.__doc__
    return fn


add, sub, mul, div, pow = (_scalar_first(f) for f in (Tensor.add, Tensor.sub, Tensor.mul,
                                                      Tensor.div, Tensor.pow))
subtract, multiply, divide, true_divide = sub, mul, div, div
floor_divide, remainder = _scalar_first(Tensor.floor_divide), _scalar_first(Tensor.remainder)
matmul, mm, bmm, dot = Tensor.matmul, Tensor.mm, Tensor.bmm, Tensor.dot
neg, abs, exp, log, sqrt = Tensor.neg, Tensor.abs, Tensor.exp, Tensor.log, Tensor.sqrt
negative = neg
sin, cos, tanh, sigmoid, relu = Tensor.sin, Tensor.cos, Tensor.tanh, Tensor.sigmoid, Tensor.relu
erf, clamp, square, log1p = Tensor.erf, Tensor.clamp, Tensor.square, Tensor.log1p
clip, clamp_min, clamp_max = Tensor.clamp, Tensor.clamp_min, Tensor.clamp_max
sign, floor, ceil, round, trunc = Tensor.sign, Tensor.floor, Tensor.ceil, Tensor.round, \
    Tensor.trunc
reciprocal, rsqrt = Tensor.reciprocal, Tensor.rsqrt
maximum, minimum = Tensor.maximum, Tensor.minimum
sum, mean, prod, var, std = Tensor.sum, Tensor.mean, Tensor.prod, Tensor.var, Tensor.std
amax, amin, max, min = Tensor.amax, Tensor.amin, Tensor.max, Tensor.min
argmax, argmin, logsumexp, cumsum = Tensor.argmax, Tensor.argmin, Tensor.logsumexp, Tensor.cumsum
norm = Tensor.norm
all, any = Tensor.all, Tensor.any
reshape, flatten, squeeze, unsqueeze = Tensor.reshape, Tensor.flatten, Tensor.squeeze, \
    Tensor.unsqueeze
unflatten, t, numel, view_as = Tensor.unflatten, Tensor.t, Tensor.numel, Tensor.view_as
transpose, permute, flip, split, chunk = Tensor.transpose, Tensor.permute, Tensor.flip, \
    Tensor.split, Tensor.chunk
swapaxes = swapdims = Tensor.transpose
unbind, narrow, index_select, nonzero = Tensor.unbind, Tensor.narrow, Tensor.index_select, \
    Tensor.nonzero
gather, softmax, log_softmax, unfold = Tensor.gather, Tensor.softmax, Tensor.log_softmax, \
    Tensor.unfold
tril, triu, masked_fill, broadcast_to = Tensor.tril, Tensor.triu, Tensor.masked_fill, \
    Tensor.broadcast_to
eq, ne, lt, le, gt, ge = Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
isnan, isinf, isfinite, isclose = Tensor.isnan, Tensor.isinf, Tensor.isfinite, Tensor.isclose
allclose, equal = Tensor.allclose, Tensor.equal
logical_and, logical_or, logical_xor, logical_not = Tensor.logical_and, Tensor.logical_or, \
    Tensor.logical_xor, Tensor.logical_not
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = Tensor.bitwise_and, Tensor.bitwise_or, \
    Tensor.bitwise_xor, Tensor.bitwise_not
