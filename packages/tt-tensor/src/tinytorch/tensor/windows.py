"""Sliding windows: ``unfold``, the view that turns convolution into one matrix multiply.

``x.unfold(dim, size, step)`` replaces dim ``dim`` by the number of windows,
``(n - size) // step + 1``, and appends a new last dim of length ``size``. No data is copied:
the windows are a strided view of ``x`` (read-only, because windows overlap).

For a 2-D convolution: ``x.unfold(2, kh, sh).unfold(3, kw, sw)`` has shape
``(N, C, out_h, out_w, kh, kw)``; contracting it with the kernel is im2col without the copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import extensions as _ext

if TYPE_CHECKING:
    from .tensor import Tensor


class WindowOps:
    """Mixed into Tensor: ``unfold``."""

    __slots__ = ()

    # BEGIN SOLUTION 1.11 unfold: sliding windows as a strided view
    @_ext.op
    def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
        """Windows of ``size`` entries every ``step`` along ``dimension``, as a new last dim.

        Shapes: (5, 10) unfolded along dim 1 with size 3, step 2 is (5, 4, 3): dim 1 now counts
        the (10 - 3) // 2 + 1 = 4 windows. No copy: build the view with
        ``np.lib.stride_tricks.as_strided(array, shape, strides, writeable=False)``. In bytes,
        moving to the next window moves ``step`` entries along ``dimension``
        (``strides[d] * step``), and moving within a window moves one entry (``strides[d]``).
        Record ``self._make("unfold", data, (self,), view_of=self, dimension=d, size=size,
        step=step, shape=self.shape)``.

        Errors the tests expect (RuntimeError): a negative size or a step <= 0, and a window
        larger than the dim (say "larger than"). A 0-d tensor is one window of one value.
        """
        d = self._dim(dimension)
        if self.ndim == 0:  # a 0-d tensor is one window of its single value
            if size > 1:
                raise RuntimeError(f"unfold: window size {size} is larger than 1 for a 0-d "
                                   "tensor")
            return self.reshape(1).unfold(0, size, step).reshape(size)
        n = self.shape[d]
        if size < 0 or step <= 0:
            raise RuntimeError(f"unfold: size must be non-negative and step positive, got "
                               f"size={size}, step={step}")
        if size > n:
            raise RuntimeError(f"unfold: window size {size} is larger than dim {dimension} "
                               f"of size {n} (shape {self.shape})")
        count = (n - size) // step + 1
        strides = self.array.strides
        shape = self.shape[:d] + (count,) + self.shape[d + 1:] + (size,)
        new_strides = strides[:d] + (strides[d] * step,) + strides[d + 1:] + (strides[d],)
        data = np.lib.stride_tricks.as_strided(self.array, shape, new_strides, writeable=False)
        return self._make("unfold", data, (self,), view_of=self, dimension=d, size=size,
                          step=step, shape=self.shape)
    # END SOLUTION
