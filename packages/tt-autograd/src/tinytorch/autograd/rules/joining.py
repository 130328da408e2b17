"""Backward rules of concatenation and padding (forwards: ``tinytorch/tensor/joining.py``):
part of task 2.10. ``stack`` is ``cat`` of unsqueezed tensors and needs no rule of its own."""

from __future__ import annotations

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule


@rule()
def cat(ctx: OpNode, g: Tensor, *, dim: int, sizes: tuple[int, ...]) -> Grads:
    """Split ``g`` along ``dim`` back into pieces of the inputs' ``sizes`` (``Tensor.split``):
    one gradient per input."""
    # BEGIN SOLUTION 2.10 cat: split g back into the pieces
    return g.split(list(sizes), dim)
    # END SOLUTION


@rule(name="ConstantPadNdBackward0")
def pad(ctx: OpNode, g: Tensor, *, widths: tuple[tuple[int, int], ...]) -> Grads:
    """Cut the padding off: ``widths[i] = (before, after)`` was added to dim ``i``; slice
    ``g[before : n - after]`` in every dim."""
    # BEGIN SOLUTION 2.10 pad: cut the padding off
    return g[tuple(slice(before, n - after) for n, (before, after) in zip(g.shape, widths))]
    # END SOLUTION
