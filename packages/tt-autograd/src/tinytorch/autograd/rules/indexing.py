"""Backward rules of indexing (forwards: ``tinytorch/tensor/indexing.py``): task 2.9.

Reading ``x[index]`` picks elements; its backward puts each gradient back where its element came
from, into zeros of ``x``'s shape, *adding* where an index repeats (``x[[0, 0]]`` reads x[0]
twice). That adjoint, :func:`index_add`, is an op of its own (``"getitem_backward"``) whose
backward is indexing again, so gradients of gradients work.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule


def index_add(g: Tensor, shape: tuple[int, ...], index: tuple[Any, ...]) -> Tensor:
    """``zeros(shape)`` with ``g`` added at ``index``: the adjoint of ``x[index]``.

    ``index`` is the tuple part 1 indexed with (ints, slices, None, Ellipsis, NumPy int or bool
    arrays). ``out[index] = g`` writes each slot once, which is right unless an integer array
    repeats an index: then ``np.add.at(out, index, g)`` adds every occurrence. Record the result
    with ``Tensor._make("getitem_backward", out, (g,), index=index)``.
    """
    # BEGIN SOLUTION 2.9 index_add: zeros with g added at index (repeats add up)
    out = np.zeros(shape, g.array.dtype)
    if any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in index):
        np.add.at(out, index, g.array)
    else:
        out[index] = g.array
    return Tensor._make("getitem_backward", out, (g,), index=index)
    # END SOLUTION


@rule(name="IndexBackward0")
def getitem(ctx: OpNode, g: Tensor, *, index: tuple[Any, ...]) -> Grads:
    """Put ``g`` back where it was read: :func:`index_add` into the input's shape."""
    # BEGIN SOLUTION 2.9 getitem: index_add into the input's shape
    return index_add(g, ctx.input_shape, index)
    # END SOLUTION


@rule(name="IndexAddBackward0")
def getitem_backward(ctx: OpNode, g: Tensor, *, index: tuple[Any, ...]) -> Grads:
    """:func:`index_add` adds its input at ``index``, so its backward reads ``g[index]``."""
    # BEGIN SOLUTION 2.9 getitem_backward: read g at index again
    return g[index]
    # END SOLUTION


@rule(name="IndexPutBackward0")
def setitem(ctx: OpNode, g: Tensor, *, index: tuple[Any, ...]) -> Grads:
    """``out = x.clone(); out[index] = value``: ``x`` gets ``g`` except at the overwritten slots
    (0 there: a NumPy bool mask, ``g.where(mask, 0.0)``); ``value`` gets ``g[index]`` (the engine
    sums it back if the value was broadcast). Compute only what ``ctx.needs_input_grad`` asks
    for."""
    # BEGIN SOLUTION 2.9 setitem: g outside the written slots; g[index] to the value
    dx, dvalue = ctx.needs_input_grad
    kept = np.ones(g.shape, bool)
    kept[index] = False
    return (g.where(kept, 0.0) if dx else None), (g[index] if dvalue else None)
    # END SOLUTION


@rule()
def gather(ctx: OpNode, g: Tensor, *, dim: int, index: np.ndarray,
           shape: tuple[int, ...]) -> Grads:
    """``out[i][j] = x[index[i][j]][j]`` (for dim 0): each ``g`` element goes back to the
    element it was read from, adding up repeats: :func:`index_add` into ``shape`` with the full
    index given by :func:`grid_index`."""
    # BEGIN SOLUTION 2.9 gather: index_add back along dim
    return index_add(g, shape, grid_index(index, dim))
    # END SOLUTION


def grid_index(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The advanced index equivalent to ``take_along_axis(x, index, dim)``: ``index`` along
    ``dim`` and the position itself along every other dim."""
    grids = list(np.ix_(*[np.arange(n) for n in index.shape]))
    grids[dim] = index
    return tuple(grids)
