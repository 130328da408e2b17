"""Backward rule of ``where`` (forward: ``tinytorch/tensor/masking.py``): part of task 2.6."""

from __future__ import annotations

import numpy as np

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule


@rule()
def where(ctx: OpNode, g: Tensor, *, condition: np.ndarray) -> Grads:
    """``where(condition, a, b)``: g goes to ``a`` where the (NumPy bool) condition holds, to
    ``b`` elsewhere; the other side gets 0 there. Compute only what ``ctx.needs_input_grad`` asks
    for."""
    # BEGIN SOLUTION 2.6 where: g to the side that was chosen
    da, db = ctx.needs_input_grad
    return (g.where(condition, 0.0) if da else None), (g.where(~condition, 0.0) if db else None)
    # END SOLUTION
