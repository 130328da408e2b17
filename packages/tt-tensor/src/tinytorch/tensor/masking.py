"""Choosing values with a bool mask: ``where`` and ``masked_fill``.

``torch.where(condition, x, y)`` takes ``x`` where the condition holds and ``y`` elsewhere; the
three broadcast together. The condition is data, not an input: the gradient flows to ``x`` where
it is True and to ``y`` where it is False.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext
from .dtypes import result_type

if TYPE_CHECKING:
    from .tensor import Tensor


class MaskingOps:
    """Mixed into Tensor: ``where`` and ``masked_fill``."""

    __slots__ = ()

    @_ext.op
    def where(self: Tensor, condition: Any, other: Any) -> Tensor:
        """``self`` where ``condition`` is True, else ``other`` (as ``torch.where(c, self, o)``)."""
        cond = np.asarray(getattr(condition, "array", condition))
        if cond.dtype != np.bool_:
            raise RuntimeError(f"where: condition must be a bool tensor, got {cond.dtype}")
        dtype = result_type(self, other)
        other = self._lift(other, dtype)
        try:
            data = np.where(cond, self.array.astype(dtype.numpy, copy=False),
                            other.array.astype(dtype.numpy, copy=False))
        except ValueError:
            raise RuntimeError(f"where: condition {cond.shape}, input {self.shape} and other "
                               f"{other.shape} do not broadcast together") from None
        return self._make("where", data, (self, other), condition=cond)

    def masked_fill(self: Tensor, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, else self (mask broadcasts to self's shape)."""
        mask_data = np.asarray(getattr(mask, "array", mask))
        if mask_data.dtype != np.bool_:
            raise RuntimeError(f"masked_fill: mask must be a bool tensor, got {mask_data.dtype}")
        if getattr(value, "ndim", 0):
            raise RuntimeError("masked_fill only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s)")
        fill = self._lift(value, self.dtype).to(self.dtype)
        return fill.where(mask_data, self)
