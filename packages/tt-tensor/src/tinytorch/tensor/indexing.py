"""Indexing: ``t[i]``, ``t[1:3, ::2]``, ``t[None]``, ``t[idx_tensor]``, ``t[mask]``, assignment,
and the index ops along one dim: gather (read) and scatter (write).

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
    """Mixed into Tensor: ``__getitem__``, ``__setitem__``, gather, scatter and index_select."""

    __slots__ = ()

    def _convert_index(self: Tensor, index: Any) -> tuple[Any, ...]:
        items = index if isinstance(index, tuple) else (index,)
        return tuple(_convert_one(i) for i in items)

    # BEGIN SOLUTION 1.10 indexing: basic, advanced and boolean indexing
    @_ext.op
    def __getitem__(self: Tensor, index: Any) -> Tensor:
        """``t[index]``: ints, slices, None, ``...``, integer tensors/lists and bool masks.

        ``self._convert_index(index)`` gives a tuple NumPy understands (Tensors become arrays).
        An index of only ints/slices/None/Ellipsis is *basic* (``_is_basic``): NumPy returns a
        view, so record ``self._make("getitem", data, (self,), view_of=self, index=idx)``; any
        integer array or mask makes it *advanced*: a copy (``view_of=None``). Two details:

        * NumPy gives a scalar, not a view, for ``array[0, 1]``: index with
          ``idx + (Ellipsis,)`` when the index is basic and has no Ellipsis yet;
        * PyTorch and NumPy place indexed dims differently in ``t[0, :, [1, 2]]``: when
          ``_ints_apart(idx)``, index in two steps, ``self[ints][arrays]`` with
          ``ints, arrays = _split_ints(idx)``.

        Errors the tests expect: IndexError for an index out of range or too many indices
        (NumPy raises it: add the tensor's shape to the message).
        """
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

    @_ext.op
    def index_put(self: Tensor, index: tuple[Any, ...], value: Tensor) -> Tensor:
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
            self._inplace(lambda t: t.index_put(idx, value), value)
            return
        try:
            _put(self.array, idx, value.array)
        except IndexError as e:
            raise IndexError(f"{e} (tensor of shape {self.shape}, index {index!r})") from None
        except ValueError as e:
            raise RuntimeError(f"setitem: cannot write a value of shape {value.shape} into "
                               f"tensor of shape {self.shape} at {index!r} ({e})") from None
        self._bump_version()

    def _along(self: Tensor, name: str, dim: int, index: Any, src: Any = None
               ) -> tuple[int, np.ndarray, tuple[np.ndarray, ...]]:
        """Check the ``index`` of gather/scatter along ``dim``; return the dim, the index array
        and the full NumPy index it stands for: position ``i`` of ``index`` addresses
        ``self[i_0, ..., index[i], ..., i_n]`` (``index[i]`` in place of ``i_dim``)."""
        d = self._dim(dim)
        idx = np.asarray(getattr(index, "array", index))
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"{name}(): index must be an integer tensor, got {idx.dtype}")
        if idx.ndim != self.ndim:
            raise RuntimeError(f"{name}(): index has {idx.ndim} dims but the tensor has "
                               f"{self.ndim} (shape {self.shape})")
        for i, (n, m) in enumerate(zip(idx.shape, self.shape)):
            if i != d and n > m:
                raise RuntimeError(f"{name}(): index shape {idx.shape} is larger than tensor "
                                   f"shape {self.shape} in dim {i}")
        if src is not None and (src.ndim != idx.ndim
                                or any(n > m for n, m in zip(idx.shape, src.shape))):
            raise RuntimeError(f"{name}(): index shape {idx.shape} is larger than src shape "
                               f"{src.shape} (or their dims differ)")
        if idx.size and (idx.min() < 0 or idx.max() >= self.shape[d]):
            bad = idx.min() if idx.min() < 0 else idx.max()
            raise RuntimeError(f"{name}(): index {bad} is out of bounds for dim {d} with size "
                               f"{self.shape[d]}")
        grid = list(np.ix_(*[np.arange(n) for n in idx.shape]))
        grid[d] = idx
        return d, idx, tuple(grid)

    @_ext.op
    def gather(self: Tensor, dim: int, index: Tensor) -> Tensor:
        """``out[i][j] = self[index[i][j]][j]`` for dim 0 (and likewise for other dims).

        Recorded as ``"gather"`` with ``dim``, ``index`` (ndarray) and the input's ``shape``."""
        d, idx, grid = self._along("gather", dim, index)
        return self._make("gather", self.array[grid], (self,), dim=d, index=idx, shape=self.shape)

    def _source(self: Tensor, name: str, src: Any, value: Any, shape: tuple[int, ...]) -> Tensor:
        """The values a scatter writes: ``src`` (same dtype as self), or ``value`` everywhere."""
        if (src is None) == (value is None):
            raise TypeError(f"{name}(): give exactly one of src (a Tensor) and value (a number)")
        if src is None or not hasattr(src, "_lift"):  # a number: the same value everywhere
            return self._lift(value if src is None else src, self.dtype).expand(shape)
        if src.dtype is not self.dtype:
            raise RuntimeError(f"{name}(): expected self.dtype to be equal to src.dtype, got "
                               f"{self.dtype.name} and {src.dtype.name}")
        return src

    def scatter(self: Tensor, dim: int, index: Tensor, src: Any = None, *,
                value: Any = None) -> Tensor:
        """A copy of self with ``src`` (or the number ``value``) written where ``index`` points:
        ``out[index[i][j]][j] = src[i][j]`` for dim 0 (the inverse of :meth:`gather`).

        Where ``index`` repeats a position, one of the writes wins. Recorded as ``"scatter"``
        with ``dim`` and ``index`` (ndarray) saved; inputs are (self, src)."""
        idx_shape = tuple(np.shape(getattr(index, "array", index)))
        source = self._source("scatter", src, value, idx_shape)
        d, idx, grid = self._along("scatter", dim, index, source)
        out = self.array.copy()
        out[grid] = source.array[tuple(slice(0, n) for n in idx.shape)]
        return self._make("scatter", out, (self, source), dim=d, index=idx)

    def scatter_add(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """A copy of self with ``src`` added where ``index`` points (repeats accumulate):
        ``out[index[i][j]][j] += src[i][j]`` for dim 0.

        The same op as ``scatter_reduce(dim, index, src, "sum")``, and recorded as that."""
        return self.scatter_reduce(dim, index, src, "sum")

    def scatter_reduce(self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                       include_self: bool = True) -> Tensor:
        """Reduce the values of ``src`` that ``index`` sends to each position of self with
        ``reduce`` ("sum", "prod", "mean", "amax" or "amin"), including self's own value unless
        ``include_self=False``. Positions nothing is sent to keep self's value. Integer means
        round down, as in PyTorch.

        Recorded as ``"scatter_reduce"`` with ``dim``, ``index`` (ndarray), ``reduce`` and
        ``include_self`` saved; inputs are (self, src)."""
        if reduce not in _SCATTER_REDUCE:
            raise RuntimeError(f"scatter_reduce(): reduce must be one of "
                               f"{', '.join(map(repr, _SCATTER_REDUCE))}, got {reduce!r}")
        source = self._source("scatter_reduce", src, None, ())
        d, idx, grid = self._along("scatter_reduce", dim, index, source)
        values = source.array[tuple(slice(0, n) for n in idx.shape)]
        out = self.array.copy()
        if not include_self:
            out[grid] = _identity(reduce, out.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            _SCATTER_REDUCE[reduce].at(out, grid, values)
        if reduce == "mean":
            counts = np.ones(out.shape, np.int64)
            if not include_self:
                counts[grid] = 0
            np.add.at(counts, grid, 1)
            counts = np.maximum(counts, 1)
            out = out // counts if out.dtype.kind in "iub" else (out / counts).astype(out.dtype)
        return self._make("scatter_reduce", out, (self, source), dim=d, index=idx,
                          reduce=reduce, include_self=include_self)

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


_SCATTER_REDUCE = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum,
                   "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype) -> Any:
    """The value that ``reduce`` leaves unchanged: where include_self=False starts from."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    big = np.inf if dtype.kind == "f" else (True if dtype == np.bool_ else np.iinfo(dtype).max)
    low = -np.inf if dtype.kind == "f" else (False if dtype == np.bool_ else np.iinfo(dtype).min)
    return low if reduce == "amax" else big
