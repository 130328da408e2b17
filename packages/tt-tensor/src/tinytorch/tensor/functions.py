"""Free-function spellings of Tensor ops, as in ``torch.exp(x)`` or ``torch.cat([a, b])``.

``tt.name(input, ...)`` is ``input.name(...)``, with PyTorch's argument names: ``input=`` (and
``other=`` where the method has it) may be given as keywords, and a Python number may come first
when another argument is a Tensor (``tt.sub(1, x)``).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from .dtypes import scalar_dtype
from .joining import broadcast_shapes, broadcast_tensors, cat, pad, stack
from .linalg import einsum
from .tensor import Tensor

__all__ = [
    "cat", "concat", "concatenate", "stack", "pad", "einsum", "where", "rsub",
    "broadcast_tensors", "broadcast_shapes",
]


def _function(method: Callable[..., Any]) -> Callable[..., Any]:
    """The free function ``tt.<name>(input, *args, **kwargs)`` of ``Tensor.<name>``."""

    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            if not builtins.any(isinstance(a, Tensor) for a in (*args, *kwargs.values())):
                raise TypeError(f"{method.__name__}(): argument 'input' must be a Tensor, got "
                                f"{type(input).__name__}")
            input = Tensor._wrap(np.asarray(input, scalar_dtype(input).numpy))  # tt.add(2, t)
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = method.__name__
    function.__doc__ = method.__doc__
    __all__.append(method.__name__)
    return function


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


def rsub(input: Tensor, other: Any, alpha: int | float = 1) -> Tensor:
    """``other - alpha * input`` (subtraction with the operands swapped)."""
    return (input * alpha if alpha != 1 else input).__rsub__(other)


concat = concatenate = cat

# arithmetic
add, sub, mul, div, pow = (_function(Tensor.add), _function(Tensor.sub), _function(Tensor.mul),
                           _function(Tensor.div), _function(Tensor.pow))
floor_divide, remainder = _function(Tensor.floor_divide), _function(Tensor.remainder)
fmod, lerp = _function(Tensor.fmod), _function(Tensor.lerp)
atan2, maximum, minimum = _function(Tensor.atan2), _function(Tensor.maximum), \
    _function(Tensor.minimum)
subtract, multiply, divide, true_divide, arctan2 = sub, mul, div, div, atan2
# unary math
neg, abs, exp, exp2 = _function(Tensor.neg), _function(Tensor.abs), _function(Tensor.exp), \
    _function(Tensor.exp2)
log, log2, log10, log1p = _function(Tensor.log), _function(Tensor.log2), \
    _function(Tensor.log10), _function(Tensor.log1p)
sqrt, rsqrt, square, reciprocal = _function(Tensor.sqrt), _function(Tensor.rsqrt), \
    _function(Tensor.square), _function(Tensor.reciprocal)
sin, cos, tan = _function(Tensor.sin), _function(Tensor.cos), _function(Tensor.tan)
asin, acos, atan = _function(Tensor.asin), _function(Tensor.acos), _function(Tensor.atan)
sinh, cosh, tanh = _function(Tensor.sinh), _function(Tensor.cosh), _function(Tensor.tanh)
asinh, acosh, atanh = _function(Tensor.asinh), _function(Tensor.acosh), _function(Tensor.atanh)
sigmoid, relu, erf = _function(Tensor.sigmoid), _function(Tensor.relu), _function(Tensor.erf)
clamp, clamp_min, clamp_max = _function(Tensor.clamp), _function(Tensor.clamp_min), \
    _function(Tensor.clamp_max)
sign, floor, ceil = _function(Tensor.sign), _function(Tensor.floor), _function(Tensor.ceil)
round, trunc = _function(Tensor.round), _function(Tensor.trunc)
negative, clip = neg, clamp
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
# comparisons and logic
eq, ne, lt, le = _function(Tensor.eq), _function(Tensor.ne), _function(Tensor.lt), \
    _function(Tensor.le)
gt, ge, equal = _function(Tensor.gt), _function(Tensor.ge), _function(Tensor.equal)
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
isnan, isinf, isfinite = _function(Tensor.isnan), _function(Tensor.isinf), \
    _function(Tensor.isfinite)
isclose, allclose = _function(Tensor.isclose), _function(Tensor.allclose)
logical_and, logical_or = _function(Tensor.logical_and), _function(Tensor.logical_or)
logical_xor, logical_not = _function(Tensor.logical_xor), _function(Tensor.logical_not)
bitwise_and, bitwise_or = _function(Tensor.bitwise_and), _function(Tensor.bitwise_or)
bitwise_xor, bitwise_not = _function(Tensor.bitwise_xor), _function(Tensor.bitwise_not)
masked_fill = _function(Tensor.masked_fill)
# reductions
sum, mean, prod = _function(Tensor.sum), _function(Tensor.mean), _function(Tensor.prod)
var, std, norm = _function(Tensor.var), _function(Tensor.std), _function(Tensor.norm)
amax, amin = _function(Tensor.amax), _function(Tensor.amin)
max, min = _function(Tensor.max), _function(Tensor.min)
argmax, argmin = _function(Tensor.argmax), _function(Tensor.argmin)
logsumexp, softmax = _function(Tensor.logsumexp), _function(Tensor.softmax)
log_softmax, histc = _function(Tensor.log_softmax), _function(Tensor.histc)
all, any = _function(Tensor.all), _function(Tensor.any)
cumsum, cumprod = _function(Tensor.cumsum), _function(Tensor.cumprod)
cummax, cummin = _function(Tensor.cummax), _function(Tensor.cummin)
sort, argsort, topk = _function(Tensor.sort), _function(Tensor.argsort), _function(Tensor.topk)
# linear algebra
matmul, mm, bmm, dot = _function(Tensor.matmul), _function(Tensor.mm), _function(Tensor.bmm), \
    _function(Tensor.dot)
diag, tril, triu = _function(Tensor.diag), _function(Tensor.tril), _function(Tensor.triu)
# shape
reshape, flatten, unflatten = _function(Tensor.reshape), _function(Tensor.flatten), \
    _function(Tensor.unflatten)
squeeze, unsqueeze = _function(Tensor.squeeze), _function(Tensor.unsqueeze)
transpose, permute, movedim = _function(Tensor.transpose), _function(Tensor.permute), \
    _function(Tensor.movedim)
swapaxes = swapdims = transpose
moveaxis = movedim
t, numel, view_as = _function(Tensor.t), _function(Tensor.numel), _function(Tensor.view_as)
broadcast_to, flip, roll = _function(Tensor.broadcast_to), _function(Tensor.flip), \
    _function(Tensor.roll)
split, chunk, unbind = _function(Tensor.split), _function(Tensor.chunk), \
    _function(Tensor.unbind)
narrow = _function(Tensor.narrow)
# indexing
gather, index_select = _function(Tensor.gather), _function(Tensor.index_select)
scatter, scatter_add = _function(Tensor.scatter), _function(Tensor.scatter_add)
scatter_reduce, nonzero = _function(Tensor.scatter_reduce), _function(Tensor.nonzero)
unfold = _function(Tensor.unfold)
# randomness
multinomial = _function(Tensor.multinomial)

__all__ += ["subtract", "multiply", "divide", "true_divide", "arctan2", "negative", "clip",
            "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "greater",
            "greater_equal", "less", "less_equal", "not_equal", "swapaxes", "swapdims",
            "moveaxis"]
