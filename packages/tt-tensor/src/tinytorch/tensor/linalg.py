"""Matrix multiplication with PyTorch's ``matmul`` rules.

=============  ===========================================================
shapes         meaning
=============  ===========================================================
(n,) @ (n,)    dot product -> 0-d
(m,n) @ (n,)   matrix-vector -> (m,)
(n,) @ (n,p)   vector-matrix -> (p,)
(..., m, n) @ (..., n, p)   batched: leading dims broadcast -> (..., m, p)
=============  ===========================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext

if TYPE_CHECKING:
    from .tensor import Tensor


class LinalgOps:
    """Mixed into Tensor: ``@``, matmul, mm, bmm, dot."""

    __slots__ = ()

    # BEGIN SOLUTION 1.6 matmul: check shapes and multiply (batched, 1-D cases included)
    @_ext.op("matmul")
    def matmul(self: Tensor, other: Tensor) -> Tensor:
        """Matrix product with broadcasting over batch dims (see the module table)."""
        if isinstance(other, (bool, int, float, np.number)):
            raise TypeError(f"matmul: expected a Tensor, got {type(other).__name__} (use * to "
                            "multiply by a number)")
        other = self._lift(other)
        a, b = self.shape, other.shape
        if not a or not b:
            raise RuntimeError(f"matmul: both arguments need at least 1 dim, got shapes {a} and {b}")
        if self.dtype is not other.dtype:
            raise RuntimeError(f"matmul: expected both operands to have the same dtype, got "
                            f"{self.dtype.name} and {other.dtype.name}")
        inner_a = a[-1]
        inner_b = b[0] if len(b) == 1 else b[-2]
        if inner_a != inner_b:
            raise RuntimeError(
                f"matmul: shapes {a} and {b} cannot be multiplied: the last dim of the first "
                f"({inner_a}) must equal the {'only' if len(b) == 1 else 'second-to-last'} dim "
                f"of the second ({inner_b})")
        try:
            data = np.matmul(self.array, other.array)
        except ValueError:
            raise RuntimeError(f"matmul: batch dims of shapes {a} and {b} do not broadcast "
                               "together") from None
        return self._make("matmul", np.asarray(data), (self, other))
    # END SOLUTION

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self: Tensor, other: Any) -> Tensor:
        return self._lift(other).matmul(self)

    def mm(self: Tensor, other: Tensor) -> Tensor:
        """Product of two matrices (2-D only)."""
        if self.ndim != 2 or getattr(other, "ndim", 0) != 2:
            raise RuntimeError(f"mm: expected two 2-D tensors, got shapes {self.shape} and "
                               f"{getattr(other, 'shape', None)}")
        return self.matmul(other)

    def bmm(self: Tensor, other: Tensor) -> Tensor:
        """Batched product of (b, n, m) and (b, m, p) tensors (3-D only, same batch)."""
        if self.ndim != 3 or getattr(other, "ndim", 0) != 3 or self.shape[0] != other.shape[0]:
            raise RuntimeError(f"bmm: expected 3-D tensors with the same batch size, got shapes "
                               f"{self.shape} and {getattr(other, 'shape', None)}")
        return self.matmul(other)

    def dot(self: Tensor, other: Tensor) -> Tensor:
        """Inner product of two 1-D tensors."""
        if self.ndim != 1 or getattr(other, "ndim", 0) != 1:
            raise RuntimeError(f"dot: expected two 1-D tensors, got shapes {self.shape} and "
                               f"{getattr(other, 'shape', None)}")
        return self.matmul(other)
