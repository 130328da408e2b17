"""Running reductions along one dim: cumsum, cumprod, cummax, cummin.

Entry ``i`` of the result reduces entries ``0..i`` of the input along ``dim``; the shape does not
change. Integer and bool inputs accumulate in int64, as in PyTorch. ``cummax``/``cummin`` also
return where each running extreme was found (the latest position on ties, nan wins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext
from .dtypes import accumulator_dtype
from .reductions import ValuesIndices

if TYPE_CHECKING:
    from .tensor import Tensor


class CumulativeOps:
    """Mixed into Tensor: running sums, products, maxima and minima."""

    __slots__ = ()

    def _running(self: Tensor, dim: int | None, axis: int | None) -> int:
        if axis is not None:
            if dim is not None:
                raise TypeError("got both dim and its alias axis; give one of them")
            dim = axis
        if dim is None:
            raise TypeError("missing the dim argument (an int)")
        return self._dim(dim)

    @_ext.op
    def cumsum(self: Tensor, dim: int | None = None, *, dtype: Any = None,
               axis: int | None = None) -> Tensor:
        """Running sum along ``dim`` (after casting to ``dtype`` if given)."""
        d = self._running(dim, axis)
        if dtype is not None:
            return self.to(dtype).cumsum(d)
        if self.array.ndim == 0:
            return self.reshape(1).cumsum(0).reshape(())
        data = np.cumsum(self.array, axis=d, dtype=accumulator_dtype(self.array))
        return self._make("cumsum", data, (self,), dim=d)

    @_ext.op
    def cumprod(self: Tensor, dim: int | None = None, *, dtype: Any = None,
                axis: int | None = None) -> Tensor:
        """Running product along ``dim``. Recorded as ``"cumprod"`` with ``dim`` saved (the
        backward rule reads the input and the output)."""
        d = self._running(dim, axis)
        if dtype is not None:
            return self.to(dtype).cumprod(d)
        if self.array.ndim == 0:
            return self.reshape(1).cumprod(0).reshape(())
        with np.errstate(over="ignore", invalid="ignore"):
            data = np.cumprod(self.array, axis=d, dtype=accumulator_dtype(self.array))
        return self._make("cumprod", data, (self,), dim=d)

    def _running_extreme(self: Tensor, name: str, dim: int | None, axis: int | None
                         ) -> ValuesIndices:
        d = self._running(dim, axis)
        if self.array.ndim == 0:
            values, indices = self.reshape(1)._running_extreme(name, 0, None)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        x = self.array
        ufunc = np.maximum if name == "cummax" else np.minimum
        running = ufunc.accumulate(x, axis=d)
        # A position is a new record when it equals the running extreme (ties: the latest wins);
        # the index of entry i is then the last record at or before i.
        record = x == running
        if x.dtype.kind == "f":
            record |= np.isnan(x)
        positions = np.arange(x.shape[d]).reshape((-1,) + (1,) * (x.ndim - d - 1))
        indices = np.maximum.accumulate(np.where(record, positions, 0), axis=d)
        index = self._wrap(indices.astype(np.int64))
        return ValuesIndices(self.gather(d, index), index)  # gather is differentiable

    @_ext.op
    def cummax(self: Tensor, dim: int | None = None, *, axis: int | None = None
               ) -> ValuesIndices:
        """(values, indices): the running maximum along ``dim`` and where it was found."""
        return self._running_extreme("cummax", dim, axis)

    @_ext.op
    def cummin(self: Tensor, dim: int | None = None, *, axis: int | None = None
               ) -> ValuesIndices:
        """(values, indices): the running minimum along ``dim`` and where it was found."""
        return self._running_extreme("cummin", dim, axis)
