"""``Parameter``: a Tensor that a Module learns.

A Parameter is an ordinary Tensor (same data, same ops) with two differences: it requires grad by
default, and assigning one to a Module attribute registers it, so that ``module.parameters()``
finds it. Ops on a Parameter return plain Tensors, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A learnable Tensor: ``Parameter(tt.zeros(3))`` shares memory with its data."""

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        if isinstance(data, Tensor):
            data = data.array  # share memory with the tensor, as torch.nn.Parameter does
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        copied = Parameter(self.array.copy(), requires_grad=self.requires_grad)
        if self.grad is not None:
            copied.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = copied
        return copied
