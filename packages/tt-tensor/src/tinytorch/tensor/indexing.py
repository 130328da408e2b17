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
    if isinstance(item, slice):
        if item.step is not None and item.step <= 0:
            raise ValueError("step must be greater than zero")
        return item
    data = getattr(item, "array", None)
    if isinstance(data, np.ndarray):  # a Tensor
        item = data
    elif isinstance(item, (list, tuple)):
        item = np.asarray([getattr(x, "array", x) for x in item]) if item else \
            np.zeros(0, np.int64)
    if isinstance(item, np.ndarray) and item.dtype.kind not in "biu":
        raise IndexError(f"tensors used as indices must be integer or bool, got {item.dtype}")
    if isinstance(item, bool):
        return np.asarray(item)
    return item


def _is_basic(index: tuple[Any, ...]) -> bool:
    return all(isinstance(i, _BASIC) and not isinstance(i, bool) for i in index)


def _ints_apart(index: tuple[Any, ...]) -> bool:
    """Whether PyTorch and NumPy disagree on where the indexed dims of ``index`` go.

    PyTorch applies integer indices first, like slicing, so ``t[0, :, [1, 3]]`` has shape
    ``(n, 2)``. NumPy counts the 0 as an advanced index, separated from ``[1, 3]`` by a slice, and
    puts the indexed dims first: ``(2, n)``. They differ exactly when the integers split up the
    advanced indices for NumPy while the arrays alone are adjacent.
    """
    arrays = [i for i, it in enumerate(index)
              if isinstance(it, np.ndarray) and (it.ndim or it.dtype == np.bool_)]
    if not arrays:
        return False
    ints = [i for i, it in enumerate(index) if i not in arrays
            and isinstance(it, (int, np.integer, np.ndarray))]
    advanced = sorted(arrays + ints)
    numpy_apart = advanced[-1] - advanced[0] + 1 != len(advanced)
    return numpy_apart and all(i in advanced for i in range(arrays[0], arrays[-1] + 1))


def _split_ints(index: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """PyTorch's order as two NumPy indexes: the integers (a basic index), then the arrays."""
    ints: list[Any] = []
    arrays: list[Any] = []
    for it in index:
        if isinstance(it, np.ndarray) and (it.ndim or it.dtype == np.bool_):
            ints.extend([slice(None)] * (it.ndim if it.dtype == np.bool_ else 1))
            arrays.append(it)
        elif isinstance(it, (int, np.integer, np.ndarray)):
            ints.append(int(it))  # a 0-d array would make NumPy copy instead of giving a view
        else:  # slices and None were applied with the integers; Ellipsis stands for the same dims
            ints.append(it)
            arrays.append(it if it is Ellipsis else slice(None))
    return tuple(ints), tuple(arrays)


def _put(data: np.ndarray, index: tuple[Any, ...], value: np.ndarray) -> None:
    """``data[index] = value`` with ``value`` in PyTorch's layout of ``data[index]``."""
    if not _is_basic(index) and _ints_apart(index):
        ints, arrays = _split_ints(index)
        data[ints][arrays] = value  # data[ints] is a view: writing into it writes into data
    else:
        data[index] = value


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
        if not basic and _ints_apart(idx):
            ints, arrays = _split_ints(idx)  # as PyTorch: the integers first, then the arrays
            return self[ints][arrays]
        try:
            # A trailing Ellipsis keeps an all-int index a 0-d view instead of a NumPy scalar.
            data = self.array[idx + (Ellipsis,)] if basic and Ellipsis not in idx else self.array[idx]
        except IndexError as e:
            raise IndexError(f"{e} (tensor of shape {self.shape}, index {index!r})") from None
        return self._make("getitem", np.asarray(data), (self,), view_of=self if basic else None,
                          index=idx)
    # END SOLUTION

    @_ext.op("setitem")
    def _index_put(self: Tensor, index: tuple[Any, ...], value: Tensor) -> Tensor:
        """A copy of self with ``value`` written at ``index`` (the recorded form of ``t[i] = v``)."""
        data = self.array.copy()
        _put(data, index, value.array)
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
            _put(self.array, idx, value.array)
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
        idx = np.asarray(getattr(index, "array", index))
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor, got {idx.dtype}")
        if idx.ndim != self.ndim:
            raise RuntimeError(f"gather: index has {idx.ndim} dims but the tensor has "
                               f"{self.ndim} (shape {self.shape})")
        for i, (n, m) in enumerate(zip(idx.shape, self.shape)):
            if i != d and n > m:
                raise RuntimeError(f"gather: index shape {idx.shape} is larger than tensor shape "
                                   f"{self.shape} in dim {i}")
        source = self.array[tuple(slice(None) if i == d else slice(0, n)
                                 for i, n in enumerate(idx.shape))]
        if idx.size and (idx.min() < 0 or idx.max() >= self.shape[d]):
            raise RuntimeError(f"gather: index out of range for dim {dim} of size "
                               f"{self.shape[d]} (indices must be in [0, {self.shape[d]}))")
        data = np.take_along_axis(source, idx, axis=d)
        return self._make("gather", data, (self,), dim=d, index=idx, shape=self.shape)

    def index_select(self: Tensor, dim: int, index: Tensor) -> Tensor:
        """The entries of ``dim`` listed in the 1-D (or 0-d) integer ``index``."""
        d = self._dim(dim)
        idx = np.asarray(getattr(index, "array", index))
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"index_select(): expected an int32 or int64 index, got {idx.dtype}")
        if idx.ndim > 1:
            raise IndexError(f"index_select(): index must be a vector, got shape {idx.shape}")
        n = self.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"index_select(): index out of range for dim {dim} of size {n}")
        if self.ndim == 0:
            return self.reshape(1)[idx.reshape(-1)].reshape(())
        return self[(slice(None),) * d + (idx.reshape(-1),)]

    def nonzero(self: Tensor, *, as_tuple: bool = False) -> Any:
        """Indices of the nonzero entries: an (n, ndim) int64 tensor, or one 1-D tensor per dim
        (a 0-d tensor counts as 1-D for ``as_tuple``, as in PyTorch)."""
        found = np.nonzero(self.array.reshape(-1) if self.ndim == 0 else self.array)
        if as_tuple:
            return tuple(self._wrap(i.astype(np.int64)) for i in found)
        return self._wrap(np.stack(found, axis=1).astype(np.int64)[:, :self.ndim])
