"""Backward rule of the dtype cast ``to`` (forward: ``tinytorch/tensor/conversion.py``): part of
task 2.10."""

from __future__ import annotations

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule


@rule(name="ToCopyBackward0")
def to(ctx: OpNode, g: Tensor) -> Grads:
    """A dtype cast: ``g`` as it is (the engine casts it back to the input's dtype)."""
    # BEGIN SOLUTION 2.10 to: g as it is (the engine casts it back)
    return g
    # END SOLUTION
