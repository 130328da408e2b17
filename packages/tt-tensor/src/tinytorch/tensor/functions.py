"""Free-function spellings of Tensor ops, as in ``torch.exp(x)`` or ``torch.cat([a, b])``."""

from __future__ import annotations

from typing import Any

from .shape import cat, pad, stack
from .tensor import Tensor

__all__ = [
    "cat", "concat", "concatenate", "stack", "pad", "where", "add", "sub", "mul", "div", "pow",
    "matmul", "mm", "bmm", "dot", "neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh",
    "sigmoid", "relu", "erf", "clamp", "maximum", "minimum", "sum", "mean", "prod", "var", "std",
    "amax", "amin", "max", "min", "argmax", "argmin", "logsumexp", "all", "any", "cumsum",
    "reshape", "flatten", "squeeze", "unsqueeze", "transpose", "permute", "flip", "split",
    "chunk", "gather", "softmax", "log_softmax", "tril", "triu", "eq", "ne", "lt", "le", "gt",
    "ge", "isnan", "allclose", "broadcast_to", "masked_fill", "square", "log1p",
]

concat = concatenate = cat


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is True, else ``other`` (numbers broadcast)."""
    if not isinstance(input, Tensor):
        input = (other if isinstance(other, Tensor) else Tensor(condition))._lift(input)
    return input.where(condition, other)


add, sub, mul, div, pow = Tensor.add, Tensor.sub, Tensor.mul, Tensor.div, Tensor.pow
matmul, mm, bmm, dot = Tensor.matmul, Tensor.mm, Tensor.bmm, Tensor.dot
neg, abs, exp, log, sqrt = Tensor.neg, Tensor.abs, Tensor.exp, Tensor.log, Tensor.sqrt
sin, cos, tanh, sigmoid, relu = Tensor.sin, Tensor.cos, Tensor.tanh, Tensor.sigmoid, Tensor.relu
erf, clamp, square, log1p = Tensor.erf, Tensor.clamp, Tensor.square, Tensor.log1p
maximum, minimum = Tensor.maximum, Tensor.minimum
sum, mean, prod, var, std = Tensor.sum, Tensor.mean, Tensor.prod, Tensor.var, Tensor.std
amax, amin, max, min = Tensor.amax, Tensor.amin, Tensor.max, Tensor.min
argmax, argmin, logsumexp, cumsum = Tensor.argmax, Tensor.argmin, Tensor.logsumexp, Tensor.cumsum
all, any = Tensor.all, Tensor.any
reshape, flatten, squeeze, unsqueeze = Tensor.reshape, Tensor.flatten, Tensor.squeeze, \
    Tensor.unsqueeze
transpose, permute, flip, split, chunk = Tensor.transpose, Tensor.permute, Tensor.flip, \
    Tensor.split, Tensor.chunk
gather, softmax, log_softmax = Tensor.gather, Tensor.softmax, Tensor.log_softmax
tril, triu, masked_fill, broadcast_to = Tensor.tril, Tensor.triu, Tensor.masked_fill, \
    Tensor.broadcast_to
eq, ne, lt, le, gt, ge = Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge
isnan, allclose = Tensor.isnan, Tensor.allclose
