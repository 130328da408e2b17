"""Indexing: ``t[i]``, ``t[1:3, ::2]``, ``t[None]``, ``t[idx_tensor]``, ``t[mask]``, and assignment.

Basic indexing (ints, slices, None, ...) gives a view; advanced indexing (integer arrays or bool
masks) gives a copy, exactly as in NumPy and PyTorch. Index tensors must be integer or bool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext

if TYPE_CHECKING:
    from .tensor import Tensor

_BASIC = (int, np.integer, slice, type(None), type(Ellipsis))


def _convert_one(item: Any) -> Any:
    data = getattr(item, "data", None)
    if isinstance(data, np.ndarray):  # a Tensor
        item = data
    elif isinstance(item, (list, tuple)):
        item = np.asarray([getattr(x, "data", x) for x in item])
    if isinstance(item, np.ndarray) and item.dtype.kind not in "biu":
        raise IndexError(f"tensors used as indices must be integer or bool, got {item.dtype}")
    if isinstance(item, bool):
        return np.asarray(item)
    return item


def _is_basic(index: tuple[Any, ...]) -> bool:
    return all(isinstance(i, _BASIC) and not isinstance(i, bool) for i in index)


class IndexingOps:
    """Mixed into Tensor: ``__getitem__``, ``__setitem__``, gather and index_select."""

    __slots__ = ()

    def _convert_index(self: Tensor, index: Any) -> tuple[Any, ...]:
        items = index if isinstance(index, tuple) else (index,)
        return tuple(_convert_one(i) for i in items)

    # BEGIN SOLUTION 1.10 indexing: basic, advanced and boolean indexing
    @_ext.op("getitem")
    def __getitem__(self: Tensor, index: Any) -> Tensor:
        idx = self._convert_index(index)
        basic = _is_basic(idx)
        try:
            # A trailing Ellipsis keeps an all-int index a 0-d view instead of a NumPy scalar.
            data = self.data[idx + (Ellipsis,)] if basic and Ellipsis not in idx else self.data[idx]
        except IndexError as e:
            raise IndexError(f"{e} (tensor of shape {self.shape}, index {index!r})") from None
        return self._make("getitem", np.asarray(data), (self,), view_of=self if basic else None,
                          index=idx)
    # END SOLUTION

    @_ext.op("setitem")
    def _index_put(self: Tensor, index: tuple[Any, ...], value: Tensor) -> Tensor:
        """A copy of self with ``value`` written at ``index`` (the recorded form of ``t[i] = v``)."""
        data = self.data.copy()
        data[index] = value.data
        return self._make("setitem", data, (self, value), index=index)

    def __setitem__(self: Tensor, index: Any, value: Any) -> None:
        """Write ``value`` (broadcast, cast to self's dtype) at ``index``, in place."""
        idx = self._convert_index(index)
        if (getattr(value, "dtype", self.dtype) is not self.dtype
                and any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in idx)):
            raise RuntimeError(  # PyTorch casts for basic and mask indexing, but not here
                f"index put requires the value's dtype ({value.dtype.name}) to match the "
                f"tensor's ({self.dtype.name}) when indexing with integer tensors")
        value = self._lift(value, self.dtype)  # otherwise values are cast to self's dtype
        recorder = _ext._recorder
        if (recorder is not None and recorder.is_grad_enabled()
                and (self._requires_grad or value._requires_grad)):
            self._inplace(lambda t: t._index_put(idx, value), value)
            return
        try:
            self.data[idx] = value.data
        except IndexError as e:
            raise IndexError(f"{e} (tensor of shape {self.shape}, index {index!r})") from None
        except ValueError as e:
            raise RuntimeError(f"setitem: cannot write a value of shape {value.shape} into "
                               f"tensor of shape {self.shape} at {index!r} ({e})") from None
        self._bump_version()

    @_ext.op("gather")
    def gather(self: Tensor, dim: int, index: Tensor) -> Tensor:
        """``out[i][j] = self[index[i][j]][j]`` for dim 0 (and likewise for other dims)."""
        d = self._dim(dim)
        idx = np.asarray(getattr(index, "data", index))
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor, got {idx.dtype}")
        if idx.ndim != self.ndim:
            raise RuntimeError(f"gather: index has {idx.ndim} dims but the tensor has "
                               f"{self.ndim} (shape {self.shape})")
        for i, (n, m) in enumerate(zip(idx.shape, self.shape)):
            if i != d and n > m:
                raise RuntimeError(f"gather: index shape {idx.shape} is larger than tensor shape "
                                   f"{self.shape} in dim {i}")
        source = self.data[tuple(slice(None) if i == d else slice(0, n)
                                 for i, n in enumerate(idx.shape))]
        if idx.size and (idx.min() < -self.shape[d] or idx.max() >= self.shape[d]):
            raise IndexError(f"gather: index out of range for dim {dim} of size {self.shape[d]}")
        data = np.take_along_axis(source, idx, axis=d)
        return self._make("gather", data, (self,), dim=d, index=idx, shape=self.shape)

    def index_select(self: Tensor, dim: int, index: Tensor) -> Tensor:
        """The entries of ``dim`` listed in the 1-D integer ``index``."""
        d = self._dim(dim)
        return self[(slice(None),) * d + (index,)]
