"""Backward rules: one short function per op of part 1, named after the op.

Read each next to its forward in ``tinytorch.tensor``. A rule gets ``ctx`` (the graph node) and
``g``, the gradient of the op's output, and returns the gradient of each input (a tuple for ops
with several inputs; None for an input that needs none). Rules are written with Tensor ops, so
that with ``create_graph=True`` the engine records them and gradients can be differentiated
again; otherwise they run under ``no_grad`` and cost about what the NumPy calls cost.

Rules never undo broadcasting or cast dtypes: they may return a gradient in the broadcast shape
and the op's result dtype; the engine sums and casts it back to the input's shape and dtype, in
one place (:func:`tinytorch.autograd.engine.unbroadcast`).

``@rule(save=...)`` declares which tensors the rule reads: ``"inputs"``, ``"output"`` or both.
Only those are kept alive until backward, and only those are checked for in-place changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor, stack

from .function import Function
from .grad_mode import state
from .graph import OpNode

__all__ = ["RULES", "rule"]

RULES: dict[str, type[OpNode]] = {}
"""Op name -> node class (``"mul"`` -> ``MulBackward``) whose ``rule`` is the function below."""

Rule = Callable[[Any, Tensor], Any]


# Node class names PyTorch users know (``grad_fn=<MulBackward0>``) where the op name differs.
TORCH_NAMES = {"reshape": "ViewBackward0", "to": "ToCopyBackward0", "max_dim": "MaxBackward0",
               "min_dim": "MinBackward0", "pad": "ConstantPadNdBackward0",
               "getitem": "IndexBackward0", "setitem": "IndexPutBackward0",
               "matmul": "MatmulBackward0", "log1p": "Log1PBackward0"}


def rule(save: str = "") -> Callable[[Rule], Rule]:
    """Register the decorated function as the backward rule of the op it is named after."""

    def register(fn: Rule) -> Rule:
        name = TORCH_NAMES.get(fn.__name__) or (
            "".join(part.capitalize() for part in fn.__name__.split("_")) + "Backward0")
        RULES[fn.__name__] = type(name, (OpNode,), {
            "__slots__": (), "op": fn.__name__, "rule": staticmethod(fn),
            "save_inputs": "inputs" in save, "save_output": "output" in save,
            "__module__": __name__})
        return fn

    return register


def _zeros_like(g: Tensor) -> Tensor:
    return Tensor._wrap(np.zeros_like(g.array))


def _kept(g: Tensor, shape: tuple[int, ...], dims: tuple[int, ...] | None,
          keepdim: bool) -> Tensor:
    """``g`` of a reduction, reshaped as if it had been computed with ``keepdim=True``."""
    if keepdim:
        return g
    if dims is None:
        return g.reshape((1,) * len(shape))
    return g.reshape(tuple(1 if i in dims else n for i, n in enumerate(shape)))


# -- helper Functions: the adjoints of indexing and unfold, themselves differentiable -----------

class IndexAdd(Function):
    """``zeros(shape)[index] += g`` (repeated indices add up); its backward is ``grad[index]``."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, shape: tuple[int, ...], index: tuple[Any, ...]) -> Tensor:
        ctx.index = index
        out = np.zeros(shape, g.array.dtype)
        if any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in index):
            np.add.at(out, index, g.array)  # integer arrays may repeat an index: add, not assign
        else:
            out[index] = g.array  # ints, slices, None, Ellipsis, masks: every slot at most once
        return Tensor._wrap(out)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad[ctx.index], None, None


class Fold(Function):
    """The adjoint of ``unfold``: add every window back where it came from.

    The loop runs over the ``size`` positions inside a window, each a strided slice of all the
    windows at once, never over the windows themselves.
    """

    @staticmethod
    def forward(ctx: Any, g: Tensor, shape: tuple[int, ...], dim: int, size: int,
                step: int) -> Tensor:
        ctx.dim, ctx.size, ctx.step = dim, size, step
        out = np.zeros(shape, g.array.dtype)
        count = g.shape[dim]
        window = [slice(None)] * len(shape)
        for k in range(size):
            window[dim] = slice(k, k + step * (count - 1) + 1, step)
            out[tuple(window)] += g.array[..., k]
        return Tensor._wrap(out)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.unfold(ctx.dim, ctx.size, ctx.step), None, None, None, None


def _grid_index(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The full advanced index of ``take_along_axis(x, index, dim)``: ``index`` along ``dim``,
    the position itself along every other dim."""
    grids = list(np.ix_(*[np.arange(n) for n in index.shape]))
    grids[dim] = index
    return tuple(grids)


# -- binary arithmetic --------------------------------------------------------------------------

@rule()
def add(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 add: d(a+b) = da + db
    return g, g
    # END SOLUTION


@rule()
def sub(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 sub: d(a-b) = da - db
    return g, (-g if ctx.needs_input_grad[1] else None)
    # END SOLUTION


@rule(save="inputs")
def mul(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 mul: d(ab) = b da + a db
    a, b = ctx.inputs
    da, db = ctx.needs_input_grad
    return (g * b if da else None), (g * a if db else None)
    # END SOLUTION


@rule(save="inputs")
def div(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 div: d(a/b) = da/b - a db/b^2
    a, b = ctx.inputs
    ga = g / b
    return ga, (-ga * a / b if ctx.needs_input_grad[1] else None)
    # END SOLUTION


@rule(save="inputs+output")
def pow(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 pow: d(a^b) = b a^(b-1) da + a^b log(a) db (0 where b == 0 / a == 0)
    a, b = ctx.inputs
    da, db = ctx.needs_input_grad
    ga = (g * b * a ** (b - 1)).where(b.array != 0, 0.0) if da else None
    if not db:
        return ga, None
    log_a = a.log().where(~((a.array == 0) & (b.array >= 0)), 0.0)
    return ga, g * ctx.output * log_a
    # END SOLUTION


@rule()
def floor_divide(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 floor_divide: piecewise constant, zero gradient
    return _zeros_like(g), _zeros_like(g)
    # END SOLUTION


@rule(save="inputs")
def remainder(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 remainder: a - floor(a/b) b
    a, b = ctx.inputs
    return g, (-g * (a / b).floor() if ctx.needs_input_grad[1] else None)
    # END SOLUTION


@rule(save="inputs")
def maximum(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 maximum: to the larger input; ties split the gradient evenly
    a, b = (t.array for t in ctx.inputs)
    share = Tensor._wrap(((a > b) + 0.5 * (a == b)).astype(g.array.dtype))
    return g * share, g * (1 - share)
    # END SOLUTION


@rule(save="inputs")
def minimum(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 minimum: to the smaller input; ties split the gradient evenly
    a, b = (t.array for t in ctx.inputs)
    share = Tensor._wrap(((a < b) + 0.5 * (a == b)).astype(g.array.dtype))
    return g * share, g * (1 - share)
    # END SOLUTION


# -- unary math ---------------------------------------------------------------------------------

@rule()
def neg(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 neg
    return -g
    # END SOLUTION


@rule(save="inputs")
def abs(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 abs: sign(x) (0 at 0, as PyTorch)
    return g * ctx.inputs[0].sign()
    # END SOLUTION


@rule(save="output")
def exp(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 exp: the output itself
    return g * ctx.output
    # END SOLUTION


@rule(save="inputs")
def log(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 log: 1/x
    return g / ctx.inputs[0]
    # END SOLUTION


@rule(save="output")
def sqrt(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 sqrt: 1 / (2 sqrt(x))
    return g / (2 * ctx.output)
    # END SOLUTION


@rule(save="inputs")
def sin(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 sin
    return g * ctx.inputs[0].cos()
    # END SOLUTION


@rule(save="inputs")
def cos(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 cos
    return g * -ctx.inputs[0].sin()
    # END SOLUTION


@rule(save="output")
def tanh(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 tanh: 1 - tanh^2
    y = ctx.output
    return g * (1 - y * y)
    # END SOLUTION


@rule(save="output")
def sigmoid(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 sigmoid: s (1 - s)
    y = ctx.output
    return g * y * (1 - y)
    # END SOLUTION


@rule(save="output")
def relu(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 relu: pass where the output is positive
    return g * (ctx.output > 0)  # a multiply by the mask: ~10x faster than np.where here
    # END SOLUTION


@rule(save="inputs")
def erf(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 erf: 2/sqrt(pi) exp(-x^2)
    x = ctx.inputs[0]
    return g * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()
    # END SOLUTION


@rule(save="inputs")
def log1p(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 log1p: 1 / (1 + x)
    return g / (ctx.inputs[0] + 1)
    # END SOLUTION


@rule(save="inputs")
def clamp(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 clamp: pass where min <= x <= max
    x, lo, hi = ctx.inputs[0].array, ctx.saved["min"], ctx.saved["max"]
    inside = np.ones(x.shape, bool)
    if lo is not None:
        inside &= x >= lo
    if hi is not None:
        inside &= x <= hi
    return g.where(inside, 0.0)
    # END SOLUTION


def _piecewise_constant(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 sign, floor, ceil, round, trunc: zero wherever the derivative exists
    return _zeros_like(g)
    # END SOLUTION


for _name in ("sign", "floor", "ceil", "round", "trunc"):
    _piecewise_constant.__name__ = _name
    rule()(_piecewise_constant)


@rule()
def where(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.2 where: the gradient goes to the side that was chosen
    c = ctx.saved["condition"]
    da, db = ctx.needs_input_grad
    return (g.where(c, 0.0) if da else None), (g.where(~c, 0.0) if db else None)
    # END SOLUTION


# -- reductions ---------------------------------------------------------------------------------

@rule()
def sum(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.3 sum: every summed element gets the gradient of its sum
    shape = ctx.shape
    return _kept(g, shape, ctx.saved["dim"], ctx.saved["keepdim"]).expand(shape)
    # END SOLUTION


def _extreme(ctx: Any, g: Tensor) -> Any:
    """amax/amin: the gradient goes to the elements equal to the result, shared evenly by ties."""
    # BEGIN SOLUTION 2.3 amax/amin: to the extreme elements, ties share evenly
    x = ctx.inputs[0].array
    dims, keepdim = ctx.saved["dim"], ctx.saved["keepdim"]
    hit = x == _kept(ctx.output, x.shape, dims, keepdim).array
    share = hit / hit.sum(axis=dims, keepdims=True)
    return _kept(g, x.shape, dims, keepdim) * Tensor._wrap(share.astype(g.array.dtype))
    # END SOLUTION


@rule(save="inputs+output")
def amax(ctx: Any, g: Tensor) -> Any:
    return _extreme(ctx, g)


@rule(save="inputs+output")
def amin(ctx: Any, g: Tensor) -> Any:
    return _extreme(ctx, g)


def _extreme_dim(ctx: Any, g: Tensor) -> Any:
    """max(dim)/min(dim): the gradient goes to the one element whose index was returned."""
    # BEGIN SOLUTION 2.3 max(dim)/min(dim): scatter to the returned indices
    d, indices = ctx.saved["dim"], ctx.saved["indices"]
    if not ctx.saved["keepdim"]:
        g, indices = g.unsqueeze(d), np.expand_dims(indices, d)
    return IndexAdd.apply(g, ctx.shape, _grid_index(indices, d))
    # END SOLUTION


@rule()
def max_dim(ctx: Any, g: Tensor) -> Any:
    return _extreme_dim(ctx, g)


@rule()
def min_dim(ctx: Any, g: Tensor) -> Any:
    return _extreme_dim(ctx, g)


def _product_of_others(x: np.ndarray, dim: int | None) -> np.ndarray:
    """For each element, the product of the others along ``dim`` (exact with zeros)."""
    flat = x.reshape(-1) if dim is None else np.moveaxis(x, dim, -1)
    ones = np.ones(flat.shape[:-1] + (1,), x.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], -1), -1)[..., ::-1]
    others = before * after
    return others.reshape(x.shape) if dim is None else np.moveaxis(others, -1, dim)


def _product_of_others_differentiable(x: Tensor, dim: int | None) -> Tensor:
    """:func:`_product_of_others` written in Tensor ops (prefix and suffix products, one slice
    at a time), so that second derivatives through a product with zeros are exact too."""
    flat = x.reshape(-1) if dim is None else x.transpose(dim, -1)
    n = flat.shape[-1]
    items = [flat[..., i] for i in range(n)]
    before: list[Tensor | None] = [None]
    for i in range(1, n):
        before.append(items[i - 1] if before[-1] is None else before[-1] * items[i - 1])
    after: list[Tensor | None] = [None]
    for i in range(n - 2, -1, -1):
        after.append(items[i + 1] if after[-1] is None else after[-1] * items[i + 1])
    after.reverse()
    others = []
    for b, a, item in zip(before, after, items):
        if b is None and a is None:
            others.append(item * 0 + 1)
        else:
            others.append(a if b is None else b if a is None else b * a)
    stacked = stack(others, -1)
    return stacked.reshape(x.shape) if dim is None else stacked.transpose(dim, -1)


@rule(save="inputs+output")
def prod(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.3 prod: product of the others = prod / x (exact products when x has zeros)
    x = ctx.inputs[0]
    dims, keepdim = ctx.saved["dim"], ctx.saved["keepdim"]
    gk = _kept(g, x.shape, dims, keepdim)
    if np.all(x.array != 0):
        return gk * _kept(ctx.output, x.shape, dims, keepdim) / x
    # With zeros, prod / x is 0/0: take the products of the others directly.
    dim = None if dims is None else dims[0]
    if state.enabled:  # create_graph: the same products, in Tensor ops
        return gk * _product_of_others_differentiable(x, dim)
    return gk * Tensor._wrap(_product_of_others(x.array, dim))
    # END SOLUTION


@rule()
def cumsum(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.3 cumsum: a reversed running sum of the gradient
    d = ctx.saved["dim"]
    return g.flip(d).cumsum(d).flip(d)
    # END SOLUTION


@rule(save="output")
def softmax(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.3 softmax: s * (g - sum(g * s)) along dim
    s, d = ctx.output, ctx.saved["dim"]
    return s * (g - (g * s).sum(d, keepdim=True))
    # END SOLUTION


@rule(save="output")
def log_softmax(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.3 log_softmax: g - softmax * sum(g) along dim
    out, d = ctx.output, ctx.saved["dim"]
    return g - out.exp() * g.sum(d, keepdim=True)
    # END SOLUTION


# -- matmul -------------------------------------------------------------------------------------

@rule(save="inputs")
def matmul(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.4 matmul: g @ b^T and a^T @ g, with 1-D operands as 1-row/1-column matrices
    a, b = ctx.inputs
    da, db = ctx.needs_input_grad
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    if a.ndim == 1:
        g = g.unsqueeze(-1 if b.ndim == 1 else -2)
    if b.ndim == 1:
        g = g.unsqueeze(-1)
    ga = g @ b2.mT if da else None
    gb = a2.mT @ g if db else None
    if ga is not None and a.ndim == 1:
        ga = ga.squeeze(-2)
    if gb is not None and b.ndim == 1:
        gb = gb.squeeze(-1)
    return ga, gb  # batch dims broadcast in the forward are summed by the engine
    # END SOLUTION


# -- shape ops ----------------------------------------------------------------------------------

@rule()
def reshape(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 reshape
    return g.reshape(ctx.saved["shape"])
    # END SOLUTION


@rule()
def permute(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 permute: the inverse permutation
    return g.permute(tuple(int(i) for i in np.argsort(ctx.saved["dims"])))
    # END SOLUTION


@rule()
def expand(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 expand: the engine sums the gradient back to the input's shape
    return g
    # END SOLUTION


@rule()
def clone(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 clone
    return g
    # END SOLUTION


@rule()
def to(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 to: the engine casts the gradient back to the input's dtype
    return g
    # END SOLUTION


@rule()
def flip(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 flip
    return g.flip(ctx.saved["dims"])
    # END SOLUTION


@rule()
def repeat(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 repeat: sum the copies (split each dim into (copies, size))
    reps, shape = ctx.saved["sizes"], ctx.saved["shape"]
    padded = (1,) * (len(reps) - len(shape)) + tuple(shape)
    split = [n for pair in zip(reps, padded) for n in pair]
    return g.reshape(split).sum(tuple(range(0, len(split), 2))).reshape(shape)
    # END SOLUTION


@rule()
def cat(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 cat: split the gradient back into the pieces
    return g.split(list(ctx.saved["sizes"]), ctx.saved["dim"])
    # END SOLUTION


@rule()
def pad(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 pad: cut the padding off
    return g[tuple(slice(before, n - after)
                   for n, (before, after) in zip(g.shape, ctx.saved["widths"]))]
    # END SOLUTION


@rule()
def unfold(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 unfold: add the windows back (Fold)
    s = ctx.saved
    return Fold.apply(g, s["shape"], s["dimension"], s["size"], s["step"])
    # END SOLUTION


# -- indexing -----------------------------------------------------------------------------------

@rule()
def getitem(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 getitem: scatter-add into zeros of the input's shape
    return IndexAdd.apply(g, ctx.shape, ctx.saved["index"])
    # END SOLUTION


@rule()
def setitem(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 setitem: the overwritten slots get nothing, the value gets g[index]
    index = ctx.saved["index"]
    da, dv = ctx.needs_input_grad
    kept = np.ones(g.shape, bool)
    kept[index] = False
    return (g.where(kept, 0.0) if da else None), (g[index] if dv else None)
    # END SOLUTION


@rule()
def gather(ctx: Any, g: Tensor) -> Any:
    # BEGIN SOLUTION 2.5 gather: scatter-add back along dim
    s = ctx.saved
    return IndexAdd.apply(g, s["shape"], _grid_index(s["index"], s["dim"]))
    # END SOLUTION
