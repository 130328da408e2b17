"""Ordering along a dim: sort, argsort, topk.

The sorting itself is an integer index (NumPy's stable argsort); the values are then read with
:meth:`Tensor.gather`, which is differentiable, so the gradient of a sorted value goes back to
where it came from. nan sorts as the largest value, as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import extensions as _ext
from .reductions import ValuesIndices

if TYPE_CHECKING:
    from .tensor import Tensor


class SortingOps:
    """Mixed into Tensor: sort, argsort, topk."""

    __slots__ = ()

    def _order(self: Tensor, dim: int, descending: bool) -> tuple[np.ndarray, int]:
        """The int64 indices that sort ``self`` along ``dim`` (stable: ties keep their order)."""
        d = self._dim(dim)
        x = self.array
        if not descending:
            return np.argsort(x, axis=d, kind="stable"), d
        # Descending and still stable: sort the reversed dim ascending, then read it backwards.
        n = x.shape[d]
        order = n - 1 - np.argsort(np.flip(x, d), axis=d, kind="stable")
        return np.flip(order, d), d

    @_ext.op
    def sort(self: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
             ) -> ValuesIndices:
        """(values, indices) of ``self`` sorted along ``dim`` (always stable here).

        ``stable`` is PyTorch's promise that equal values keep their order; TinyTorch always keeps
        it, so the flag changes nothing.
        """
        if self.ndim == 0:
            values, indices = self.reshape(1).sort(0, descending)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        order, d = self._order(dim, descending)
        index = self._wrap(order)
        return ValuesIndices(self.gather(d, index), index)

    def argsort(self: Tensor, dim: int = -1, descending: bool = False, *,
                stable: bool = False) -> Tensor:
        """The indices that sort ``self`` along ``dim`` (``sort(...).indices``)."""
        if self.ndim == 0:
            return self.reshape(1).argsort(0, descending).reshape(())
        return self._wrap(self._order(dim, descending)[0])

    @_ext.op
    def topk(self: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
             ) -> ValuesIndices:
        """(values, indices) of the ``k`` largest (or smallest) entries along ``dim``, largest
        first (smallest first with ``largest=False``)."""
        if self.ndim == 0:
            values, indices = self.reshape(1).topk(k, self._dim(dim), largest)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        order, d = self._order(dim, descending=largest)
        if not 0 <= k <= self.shape[d]:
            raise RuntimeError(f"topk: k ({k}) is out of range for dim {dim} of size "
                               f"{self.shape[d]}")
        index = self._wrap(np.take(order, np.arange(k), axis=d))
        return ValuesIndices(self.gather(d, index), index)
