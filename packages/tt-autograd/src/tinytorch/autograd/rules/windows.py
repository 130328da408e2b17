"""Backward rule of ``unfold``, the sliding windows (forward: ``tinytorch/tensor/windows.py``):
task 2.13.

Windows may overlap (``step < size``), so an element can sit in several windows: its gradient is
the sum of the gradients of all its copies. :func:`fold` adds every window back where it came
from; it is an op (``"unfold_backward"``) whose own backward is ``unfold`` again.
"""

from __future__ import annotations

import numpy as np

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule


def fold(g: Tensor, shape: tuple[int, ...], dimension: int, size: int, step: int) -> Tensor:
    """Add the windows ``g`` (shape ``shape`` with ``dimension`` replaced by the window count,
    plus a last dim of ``size``) back into zeros of ``shape``.

    Loop over the ``size`` positions inside a window, never over the windows: position ``k`` of
    every window is the strided slice ``k : k + step * (count - 1) + 1 : step`` of ``dimension``,
    so ``out[..., that slice, ...] += g[..., k]`` adds it for all windows at once. Record the result
    with ``Tensor._make("unfold_backward", out, (g,), dimension=..., size=..., step=...)``.
    """
    # BEGIN SOLUTION 2.13 fold: add every window back where it came from
    out = np.zeros(shape, g.array.dtype)
    count = g.shape[dimension]
    window = [slice(None)] * len(shape)
    for k in range(size):
        window[dimension] = slice(k, k + step * (count - 1) + 1, step)
        out[tuple(window)] += g.array[..., k]
    return Tensor._make("unfold_backward", out, (g,), dimension=dimension, size=size, step=step)
    # END SOLUTION


@rule()
def unfold(ctx: OpNode, g: Tensor, *, dimension: int, size: int, step: int,
           shape: tuple[int, ...]) -> Grads:
    """Add the windows back into the input's ``shape``: :func:`fold`."""
    # BEGIN SOLUTION 2.13 unfold: fold the windows back
    return fold(g, shape, dimension, size, step)
    # END SOLUTION


@rule()
def unfold_backward(ctx: OpNode, g: Tensor, *, dimension: int, size: int, step: int) -> Grads:
    """:func:`fold` sums windows, so its backward cuts ``g`` into the same windows again."""
    # BEGIN SOLUTION 2.13 unfold_backward: the windows of g again
    return g.unfold(dimension, size, step)
    # END SOLUTION
