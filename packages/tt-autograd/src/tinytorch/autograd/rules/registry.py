"""The one table of backward rules, keyed by op name: ``RULES["mul"]`` is the rule of ``mul``.

A rule is a function named after its op, registered with ``@rule(saves=...)``. The engine calls
it as::

    rule(ctx, g, *saved_tensors, **saved_values)

* ``ctx`` is the op's graph node: ``ctx.needs_input_grad`` (one bool per input) and
  ``ctx.input_shape`` (the shape of the first input);
* ``g`` is the gradient of the op's output (same shape and dtype as the output);
* ``saved_tensors`` are what ``saves`` asks for, in this order: the op's inputs (``"inputs"``),
  then its output (``"output"``). Only these are kept alive until backward, and only these are
  checked for in-place changes;
* ``saved_values`` are the keyword arguments part 1 passed to ``Tensor._make`` (``dim``,
  ``keepdim``, ``index``...): a rule names them as keyword-only parameters.

A rule returns the gradient of each input: one Tensor for a one-input op, else a tuple with one
entry per input (None for an input that needs no gradient). Rules are written with Tensor ops, so
that with ``create_graph=True`` the engine records them and gradients can be differentiated again;
otherwise they run under ``no_grad`` and cost about what the NumPy calls cost. A rule may return a
gradient in the broadcast shape and the output's dtype: the engine sums and casts it back to the
input's shape and dtype, in one place (:func:`tinytorch.autograd.accumulate.unbroadcast`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

__all__ = ["RULES", "Rule", "rule", "Grads", "zeros_like"]

Grads = Any
"""What a rule returns: a Tensor, or a tuple of ``Tensor | None`` (one per input)."""


@dataclass(frozen=True)
class Rule:
    """A backward rule and what it needs kept from the forward pass."""

    backward: Callable[..., Grads]
    saves_inputs: bool
    saves_output: bool
    name: str  # the grad_fn name PyTorch shows: "MulBackward0"


RULES: dict[str, Rule] = {}
"""Op name -> its backward rule."""


def rule(saves: str = "", name: str = "") -> Callable[[Callable[..., Grads]], Callable[..., Grads]]:
    """Register the decorated function as the backward rule of the op it is named after.

    Args:
        saves: which tensors the rule reads: ``""``, ``"inputs"``, ``"output"`` or
            ``"inputs+output"``.
        name: the node's name when PyTorch's differs from ``<Op>Backward0``.
    """
    if saves not in ("", "inputs", "output", "inputs+output"):
        raise ValueError(f"saves must be '', 'inputs', 'output' or 'inputs+output', got {saves!r}")

    def register(fn: Callable[..., Grads]) -> Callable[..., Grads]:
        default = "".join(part.capitalize() for part in fn.__name__.split("_")) + "Backward0"
        RULES[fn.__name__] = Rule(fn, "inputs" in saves, "output" in saves, name or default)
        return fn

    return register


def zeros_like(g: Tensor) -> Tensor:
    """A zero gradient of ``g``'s shape and dtype (for piecewise-constant ops)."""
    return Tensor._wrap(np.zeros_like(g.array))
