"""Backward rules of the shape ops (forwards: ``tinytorch/tensor/shape.py``).

A shape op moves elements without changing them, so its backward moves the gradient back: the
inverse reshape, the inverse permutation, the copies of a repeat summed... ``expand`` needs
nothing: the engine sums every gradient back to its input's shape. (``movedim``, ``roll``,
``squeeze`` and friends are made of these and of indexing: they need no rule of their own.)

``reshape`` and ``expand`` are worked examples (the engine's own unbroadcast is made of ``sum``,
``reshape`` and ``expand``); the others are part of task 2.10, with ``rules/joining.py`` and
``rules/conversion.py``.
"""

from __future__ import annotations

import numpy as np

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule


@rule(name="ViewBackward0")
def reshape(ctx: OpNode, g: Tensor, *, shape: tuple[int, ...]) -> Grads:
    """Reshape ``g`` back to the input's ``shape``."""
    return g.reshape(shape)


@rule()
def permute(ctx: OpNode, g: Tensor, *, dims: tuple[int, ...]) -> Grads:
    """Permute ``g`` by the inverse permutation: dim ``dims[i]`` of the input became dim ``i``,
    so ``np.argsort(dims)`` undoes it (pass a tuple of Python ints)."""
    # BEGIN SOLUTION 2.10 permute: the inverse permutation
    return g.permute(tuple(int(i) for i in np.argsort(dims)))
    # END SOLUTION


@rule()
def expand(ctx: OpNode, g: Tensor, *, shape: tuple[int, ...]) -> Grads:
    """``g`` as it is: the engine sums it over the expanded dims back to the input's ``shape``."""
    return g


@rule()
def clone(ctx: OpNode, g: Tensor) -> Grads:
    """A copy (also ``contiguous``): ``g`` as it is."""
    # BEGIN SOLUTION 2.10 clone: g as it is
    return g
    # END SOLUTION


@rule()
def flip(ctx: OpNode, g: Tensor, *, dims: tuple[int, ...]) -> Grads:
    """Flip ``g`` back along the same ``dims``."""
    # BEGIN SOLUTION 2.10 flip: flip back
    return g.flip(dims)
    # END SOLUTION


@rule()
def repeat(ctx: OpNode, g: Tensor, *, shape: tuple[int, ...], sizes: tuple[int, ...]) -> Grads:
    """Sum the copies: the input (``shape``) was tiled ``sizes[i]`` times along dim ``i``
    (``shape`` padded with leading 1s to ``len(sizes)`` dims).

    Reshape ``g`` so that each dim splits into (copies, size): ``(s0, n0, s1, n1, ...)``, sum the
    copy dims (0, 2, 4, ...), and reshape to ``shape``.
    """
    # BEGIN SOLUTION 2.10 repeat: sum the copies
    padded = (1,) * (len(sizes) - len(shape)) + tuple(shape)
    split = [n for pair in zip(sizes, padded) for n in pair]
    return g.reshape(split).sum(tuple(range(0, len(split), 2))).reshape(shape)
    # END SOLUTION
