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


# -- library ------------------------------------------------------------------------------------


@rule()
def scatter(ctx: OpNode, g: Tensor, *, dim: int, index: np.ndarray) -> Grads:
    """``out = x`` with ``src`` written at ``index`` along ``dim``: ``x`` gets ``g`` except where
    something was written; ``src`` gets ``g`` read back from where each value went
    (``gather``; where an index repeats every write gets it, as in PyTorch)."""
    dx, dsrc = ctx.needs_input_grad
    written = np.zeros(g.shape, bool)
    written[grid_index(index, dim)] = True
    gsrc = _to_source(g.gather(dim, Tensor._wrap(index)), ctx.edges[1]) if dsrc else None
    return (g.where(~written, 0.0) if dx else None), gsrc


@rule(saves="inputs+output")
def scatter_reduce(ctx: OpNode, g: Tensor, x: Tensor, src: Tensor, out: Tensor, *, dim: int,
                   index: np.ndarray, reduce: str, include_self: bool) -> Grads:
    """Each output element reduces ``x``'s own value (unless ``include_self=False`` and something
    is sent there) and the ``src`` values ``index`` sends to it; each of those gets its share:

    * ``sum``: ``g``; ``mean``: ``g / count``;
    * ``amax``/``amin``: ``g`` to the values equal to the result, split evenly among ties;
    * ``prod``: ``g`` times the product of the others: ``out / v`` for a nonzero value ``v``;
      for a zero, the product ``P`` of the nonzero others if it is the only zero, ``P`` times the
      other zero if there are two (exact to second order), else 0.
    """
    grid = grid_index(index, dim)
    sent = src[tuple(slice(0, n) for n in index.shape)] if src.shape != index.shape else src
    at = Tensor._wrap(index)
    written = np.zeros(x.shape, bool)
    written[grid] = True
    own = np.logical_or(include_self, ~written)  # where x's own value takes part
    dtype = g.array.dtype
    if reduce == "sum":
        gx, gsent = g, g.gather(dim, at)
    elif reduce == "mean":
        counts = own.astype(np.int64)
        np.add.at(counts, grid, 1)
        share = g / Tensor._wrap(counts.astype(dtype))
        gx, gsent = share, share.gather(dim, at)
    elif reduce in ("amax", "amin"):
        hit_x = own & (x.array == out.array)
        hit_sent = sent.array == out.array[grid]
        counts = hit_x.astype(np.int64)
        np.add.at(counts, grid, hit_sent)
        share = g / Tensor._wrap(np.maximum(counts, 1).astype(dtype))
        gx = share * Tensor._wrap(hit_x.astype(dtype))
        gsent = share.gather(dim, at) * Tensor._wrap(hit_sent.astype(dtype))
    else:  # prod
        zero_x, zero_sent = own & (x.array == 0), sent.array == 0
        zeros = zero_x.astype(np.int64)
        np.add.at(zeros, grid, zero_sent)
        nonzero = x.where(~zero_x, 1.0).scatter_reduce(
            dim, at, sent.where(~zero_sent, 1.0), "prod", include_self=include_self)
        zero_sum = x.where(zero_x, 0.0).scatter_reduce(  # the zeros' values: 0, but not constant
            dim, at, sent.where(zero_sent, 0.0), "sum", include_self=include_self)
        gx = g * _product_of_others(x, zero_x, zeros, out, nonzero, zero_sum)
        gsent = g.gather(dim, at) * _product_of_others(
            sent, zero_sent, zeros[grid], *(t.gather(dim, at) for t in (out, nonzero, zero_sum)))
    dx, dsrc = ctx.needs_input_grad
    return ((gx.where(own, 0.0) if dx else None),
            (_to_source(gsent, ctx.edges[1]) if dsrc else None))


def _product_of_others(v: Tensor, zero: np.ndarray, zeros: np.ndarray, out: Tensor,
                       nonzero: Tensor, zero_sum: Tensor) -> Tensor:
    """For each value ``v`` of a scatter_reduce("prod") group, the product of the others, given
    its group's ``zeros`` count, product ``out``, product of its ``nonzero`` values and sum of its
    zero values (0, but differentiable: with two zeros, each one's gradient is the other)."""
    for_zero = nonzero.where(zeros == 1, (nonzero * (zero_sum - v)).where(zeros == 2, 0.0))
    return (out / v.where(~zero, 1.0)).where(~zero, for_zero)


def _to_source(g: Tensor, edge: Any) -> Tensor:
    """A gradient of the part of ``src`` a scatter read (``index``'s shape), zero-padded to the
    whole ``src`` (the edge's shape) when ``src`` is larger."""
    shape = edge[2]
    if g.shape == shape:
        return g
    return index_add(g, shape, tuple(slice(0, n) for n in g.shape))
