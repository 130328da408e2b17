"""Counting floating-point operations (FLOPs) and model size.

Conventions (stated once, used everywhere in this package):

* a multiply-add is **2 FLOPs**: ``(M, K) @ (K, N)`` costs ``2 M K N``;
* an elementwise op costs 1 FLOP per output element (``exp`` and ``tanh`` too: we count
  operations, not cycles); a few composite ops cost a fixed number per element
  (:data:`PER_ELEMENT`, e.g. softmax = max, subtract, exp, sum, divide = 5);
* a reduction costs 1 FLOP per *input* element (``sum`` of N numbers is N - 1 adds, rounded up);
* moving data (reshape, permute, indexing, cat, casts...) costs 0 FLOPs.

Two sources of counts:

* :func:`op_flops` prices one Tensor op from its shapes; the profiler feeds it every op part 1
  reports to its op observers (:func:`tinytorch.tensor.add_op_observer`).
* :func:`module_flops` prices a whole layer whose arithmetic runs inside a
  :class:`tinytorch.autograd.Function` (``Linear``, ``Conv2d``), where observers see nothing.
  Layers are priced from the ``(module, inputs, output)`` a forward hook receives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tinytorch.nn as nn
from tinytorch.tensor import Tensor

__all__ = [
    "count_parameters", "model_size_bytes", "op_flops", "module_flops", "register_module_flops",
    "has_module_rule",
    "linear_flops", "FREE_OPS", "PER_ELEMENT", "REDUCTIONS",
]

FREE_OPS = frozenset({
    "getitem", "setitem", "reshape", "view", "permute", "expand", "flatten", "squeeze",
    "unsqueeze", "cat", "split", "pad", "repeat", "flip", "clone", "contiguous", "to", "gather",
    "unfold", "where",
})
"""Ops that only move or select data: 0 FLOPs."""

REDUCTIONS = frozenset({
    "sum", "mean", "max", "min", "amax", "amin", "prod", "cumsum", "var", "std", "norm",
    "logsumexp",
})
"""Ops priced per *input* element (times their :data:`PER_ELEMENT` cost)."""

PER_ELEMENT = {
    "softmax": 5, "log_softmax": 5, "logsumexp": 4, "var": 3, "std": 4, "norm": 2,
    "sigmoid": 3,
}
"""FLOPs per element of composite ops (every other op: 1)."""


def count_parameters(model: nn.Module, only_trainable: bool = False) -> int:
    """How many numbers ``model`` learns (shared parameters once)."""
    # BEGIN SOLUTION 6.1 count parameters and bytes of a model
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not only_trainable)
    # END SOLUTION


def model_size_bytes(model: nn.Module) -> int:
    """Bytes of everything ``state_dict`` saves: parameters and persistent buffers.

    Each tensor counts ``numel * itemsize`` at its own dtype, so an int8 weight counts 1 byte per
    number and a float32 one 4. Tensors shared between modules count once.
    """
    # BEGIN SOLUTION 6.1 size in bytes at each tensor's own dtype, shared tensors once
    arrays = {id(t.array): t.array for t in model.state_dict().values()}  # detach shares .array
    return sum(a.nbytes for a in arrays.values())
    # END SOLUTION


def _numel(x: Any) -> int:
    return int(x.array.size) if isinstance(x, Tensor) else 1


def op_flops(name: str, inputs: tuple[Any, ...], output: Any) -> int:
    """FLOPs of one Tensor op, from the shapes of its inputs and output.

    Args:
        name: the op's name as part 1 reports it (``"matmul"``, ``"add"``, ``"sum"``...).
        inputs: the op's arguments (Tensors, numbers, dims...); ``inputs[0]`` is the tensor the
            op was called on.
        output: what the op returned (a Tensor, or a tuple for ``max(dim=...)``/``split``).

    Returns:
        ``2 * output.numel() * K`` for matmul (K the contracted length), 0 for data movement,
        ``PER_ELEMENT.get(name, 1)`` per input element for reductions and per output element for
        everything else.
    """
    # BEGIN SOLUTION 6.2 FLOPs of a Tensor op from its shapes
    if name in FREE_OPS:
        return 0
    cost = PER_ELEMENT.get(name, 1)
    if name == "matmul":
        return 2 * _numel(output) * inputs[0].shape[-1]
    if name in REDUCTIONS:
        return cost * _numel(inputs[0])
    first = output[0] if isinstance(output, tuple) else output
    return cost * _numel(first)
    # END SOLUTION


def linear_flops(module: nn.Linear, inputs: tuple[Any, ...], kwargs: dict[str, Any],
                 output: Tensor) -> int:
    """``y = x W^T + b`` over ``rows`` input rows: ``2 rows in out`` (+ ``rows out`` for b).

    ``inputs``/``kwargs`` are the layer's call arguments, as a forward hook receives them."""
    # BEGIN SOLUTION 6.3 closed-form FLOPs of a Linear layer
    rows = inputs[0].array.size // module.in_features
    flops = 2 * rows * module.in_features * module.out_features
    if module.bias is not None:
        flops += rows * module.out_features
    return flops
    # END SOLUTION


ModuleRule = Callable[[Any, tuple[Any, ...], dict[str, Any], Any], int]
"""``rule(module, args, kwargs, output) -> FLOPs``: a forward hook's view of one call."""
_MODULE_RULES: dict[type, ModuleRule] = {nn.Linear: linear_flops}


def register_module_flops(module_type: type, rule: ModuleRule) -> None:
    """Price every ``module_type`` layer with ``rule(module, args, kwargs, output) -> FLOPs``.

    For layers whose arithmetic the op observers cannot see (it runs inside a ``Function``).
    Ops observed while such a layer runs are then not counted again.
    """
    _MODULE_RULES[module_type] = rule


def has_module_rule(module: nn.Module) -> bool:
    """Whether ``module`` is priced as a whole by a registered rule."""
    return any(cls in _MODULE_RULES for cls in type(module).__mro__)


def module_flops(module: nn.Module, inputs: tuple[Any, ...], output: Any,
                 kwargs: dict[str, Any] | None = None) -> int | None:
    """FLOPs of one call of ``module`` by its registered rule, or None when it has no rule
    (then its FLOPs are the sum of the ops observed inside it)."""
    for cls in type(module).__mro__:
        rule = _MODULE_RULES.get(cls)
        if rule is not None:
            return int(rule(module, inputs, kwargs or {}, output))
    return None

