"""Backward rules of the reductions (forwards: ``tinytorch/tensor/reductions.py``).

A reduction maps many elements to one, so its backward sends one gradient back to many elements.
The helper :func:`kept` puts ``g`` in the ``keepdim=True`` shape, from where it broadcasts back
over the reduced dims. ``softmax`` and ``log_softmax`` normalize along a dim: they live here too,
as in part 1. ``sum`` is the worked example; the others are task 2.12, with ``cumsum``
(``rules/cumulative.py``). (``mean``, ``var``, ``std`` and ``logsumexp`` are composed of other
ops: they need no rule of their own.)
"""

from __future__ import annotations

import numpy as np

from tinytorch.tensor import Tensor, stack

from ..grad_mode import state
from ..graph import OpNode
from .registry import Grads, rule


def kept(g: Tensor, shape: tuple[int, ...], dim: tuple[int, ...] | None,
         keepdim: bool) -> Tensor:
    """``g`` of a reduction of a ``shape`` tensor over ``dim`` (None: all dims), reshaped as if
    computed with ``keepdim=True``: size 1 in each reduced dim, so it broadcasts over them."""
    if keepdim:
        return g
    if dim is None:
        return g.reshape((1,) * len(shape))
    return g.reshape(tuple(1 if i in dim else n for i, n in enumerate(shape)))


# -- worked example -----------------------------------------------------------------------------


@rule()
def sum(ctx: OpNode, g: Tensor, *, dim: tuple[int, ...] | None, keepdim: bool) -> Grads:
    """Every summed element gets the gradient of its sum: ``g`` expanded over the reduced dims."""
    shape = ctx.input_shape
    return kept(g, shape, dim, keepdim).expand(shape)


# -- 2.12 ----------------------------------------------------------------------------------------


@rule(saves="inputs+output")
def amax(ctx: OpNode, g: Tensor, x: Tensor, out: Tensor, *, dim: tuple[int, ...] | None,
         keepdim: bool) -> Grads:
    """The gradient goes to the elements equal to the maximum; ties share it evenly (PyTorch).

    In NumPy: ``hit = x == out`` (with ``out`` in the kept shape, see :func:`kept`), each hit's
    share is ``hit / hit.sum(dim, keepdims=True)``. Return ``kept(g) * share`` with the share
    wrapped (``Tensor._wrap``) in ``g``'s dtype.
    """
    # BEGIN SOLUTION 2.12 amax: to the extreme elements, ties share evenly
    hit = x.array == kept(out, x.shape, dim, keepdim).array
    share = hit / hit.sum(axis=dim, keepdims=True)
    return kept(g, x.shape, dim, keepdim) * Tensor._wrap(share.astype(g.array.dtype))
    # END SOLUTION


@rule(saves="inputs+output")
def amin(ctx: OpNode, g: Tensor, x: Tensor, out: Tensor, *, dim: tuple[int, ...] | None,
         keepdim: bool) -> Grads:
    """As :func:`amax`: the gradient goes to the elements equal to the minimum."""
    # BEGIN SOLUTION 2.12 amin: the same as amax
    return amax(ctx, g, x, out, dim=dim, keepdim=keepdim)
    # END SOLUTION


@rule(name="MaxBackward0")
def max_dim(ctx: OpNode, g: Tensor, *, dim: int, keepdim: bool, indices: np.ndarray) -> Grads:
    """``max(dim)``: the gradient goes to the one element whose index was returned.

    ``indices`` (NumPy ints, the output's shape) say which element of ``dim`` won. Build the
    one-hot mask ``arange(n) == indices`` of the input's shape (``n = ctx.input_shape[dim]``,
    with the arange laid along ``dim`` and ``indices`` in the kept shape) and return
    ``kept(g) * mask``, the mask wrapped in ``g``'s dtype.
    """
    # BEGIN SOLUTION 2.12 max(dim): to the element whose index was returned
    shape = ctx.input_shape
    if not keepdim:
        indices = np.expand_dims(indices, dim)
    positions = np.arange(shape[dim]).reshape([-1 if i == dim else 1 for i in range(len(shape))])
    hit = Tensor._wrap((positions == indices).astype(g.array.dtype))
    return kept(g, shape, (dim,), keepdim) * hit
    # END SOLUTION


@rule(name="MinBackward0")
def min_dim(ctx: OpNode, g: Tensor, *, dim: int, keepdim: bool, indices: np.ndarray) -> Grads:
    """As :func:`max_dim`: the gradient goes to the element whose index was returned."""
    # BEGIN SOLUTION 2.12 min(dim): the same as max(dim)
    return max_dim(ctx, g, dim=dim, keepdim=keepdim, indices=indices)
    # END SOLUTION


@rule(saves="inputs+output")
def prod(ctx: OpNode, g: Tensor, x: Tensor, out: Tensor, *, dim: tuple[int, ...] | None,
         keepdim: bool) -> Grads:
    """Each element gets ``g`` times the product of the others: ``prod / x`` when no element is 0.

    With zeros, ``prod / x`` is 0/0: use :func:`product_of_others` instead (given; it is exact,
    and under ``create_graph`` (``state.enabled``) :func:`product_of_others_differentiable`).
    ``prod`` reduces over one dim or all: ``dim`` is None or a 1-tuple.
    """
    # BEGIN SOLUTION 2.12 prod: product of the others = prod / x (exact with zeros)
    gk = kept(g, x.shape, dim, keepdim)
    if np.all(x.array != 0):
        return gk * kept(out, x.shape, dim, keepdim) / x
    d = None if dim is None else dim[0]
    if state.enabled:
        return gk * product_of_others_differentiable(x, d)
    return gk * Tensor._wrap(product_of_others(x.array, d))
    # END SOLUTION


def product_of_others(x: np.ndarray, dim: int | None) -> np.ndarray:
    """For each element, the product of the others along ``dim`` (all dims: None), exact with
    zeros: the product of the elements before it times the product of those after it."""
    flat = x.reshape(-1) if dim is None else np.moveaxis(x, dim, -1)
    ones = np.ones(flat.shape[:-1] + (1,), x.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], -1), -1)[..., ::-1]
    others = before * after
    return others.reshape(x.shape) if dim is None else np.moveaxis(others, -1, dim)


def product_of_others_differentiable(x: Tensor, dim: int | None) -> Tensor:
    """:func:`product_of_others` in Tensor ops (one slice at a time), so that second derivatives
    through a product with zeros are exact too."""
    flat = x.reshape(-1) if dim is None else x.transpose(dim, -1)
    items = [flat[..., i] for i in range(flat.shape[-1])]
    ones = items[0] * 0 + 1
    before = [ones]
    for item in items[:-1]:
        before.append(before[-1] * item)
    after = [ones]
    for item in reversed(items[1:]):
        after.append(after[-1] * item)
    others = stack([b * a for b, a in zip(before, reversed(after))], -1)
    return others.reshape(x.shape) if dim is None else others.transpose(dim, -1)


@rule(saves="output")
def softmax(ctx: OpNode, g: Tensor, out: Tensor, *, dim: int) -> Grads:
    """With ``s = softmax(x)`` along ``dim``: dx = s * (g - sum(g * s)), the sum along ``dim``
    with ``keepdim=True`` (one number per row, broadcast back over the row)."""
    # BEGIN SOLUTION 2.12 softmax: s * (g - sum(g * s, dim))
    return out * (g - (g * out).sum(dim, keepdim=True))
    # END SOLUTION


@rule(saves="output")
def log_softmax(ctx: OpNode, g: Tensor, out: Tensor, *, dim: int) -> Grads:
    """With ``out = log_softmax(x)`` along ``dim``: dx = g - exp(out) * sum(g), the sum along
    ``dim`` with ``keepdim=True`` (``exp(out)`` is the softmax)."""
    # BEGIN SOLUTION 2.12 log_softmax: g - softmax * sum(g, dim)
    return g - out.exp() * g.sum(dim, keepdim=True)
    # END SOLUTION
