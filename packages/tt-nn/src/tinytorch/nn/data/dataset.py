"""Datasets: ``Dataset``, ``TensorDataset``, ``Subset`` and ``random_split`` (``torch.utils.data``).

A dataset is anything with ``__getitem__(i)`` and ``__len__()``. A dataset whose samples live in
arrays may also define ``__getitems__(indices)``: given an integer index array, it returns the
whole batch at once (one fancy-index per array; or a *list* of samples, which the loader then
collates), which :class:`~tinytorch.nn.data.DataLoader`
uses instead of fetching samples one by one. ``TensorDataset`` and ``Subset`` of such a dataset
do, and so do the MNIST datasets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinytorch.tensor import Generator, Tensor, from_numpy, randperm

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
           "random_split"]


class Dataset:
    """Base class of map-style datasets: implement ``__getitem__`` and ``__len__``.

    ``a + b`` is the :class:`ConcatDataset` of the two.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of stream-style datasets: implement ``__iter__`` (samples, in order).

    A DataLoader batches the stream as it comes; it cannot shuffle or index it.
    """

    def __iter__(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} is iterable, not indexable")

    def __add__(self, other: Dataset) -> Any:
        raise TypeError("ConcatDataset does not support IterableDataset")


class ConcatDataset(Dataset):
    """Several datasets one after the other: index ``i`` of the whole maps into the one holding
    it."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        index = int(index)
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def _as_index_array(indices: Any) -> np.ndarray:
    array = np.asarray(indices.array if isinstance(indices, Tensor) else indices)
    if array.dtype.kind not in "iu":
        raise TypeError(f"indices must be integers, got dtype {array.dtype}")
    return array.astype(np.intp, copy=False)


class TensorDataset(Dataset):
    """Samples are rows of tensors that share their first dimension: ``ds[i] = (x[i], y[i])``."""

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = [t if isinstance(t, Tensor) else from_numpy(np.asarray(t)) for t in tensors]
        n = arrays[0].shape[0] if arrays[0].ndim else None
        if any(t.ndim == 0 or t.shape[0] != n for t in arrays):
            # an AssertionError, as PyTorch's
            raise AssertionError("Size mismatch between tensors: every tensor needs the same "
                                 f"first dimension, got shapes {[tuple(t.shape) for t in arrays]}")
        self.tensors = tuple(arrays)

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(from_numpy(np.asarray(t.array[index])) for t in self.tensors)

    def __getitems__(self, indices: Any) -> tuple[Tensor, ...]:
        """The batch of samples at ``indices``: one fancy-index per tensor."""
        idx = _as_index_array(indices)
        return tuple(from_numpy(t.array[idx]) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = _as_index_array(indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices: Any) -> Any:
        inner = self.indices[_as_index_array(indices)]
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems is not None:
            return getitems(inner)
        return [self.dataset[int(i)] for i in inner]  # a list of samples, to be collated

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to 1 (floors are
    taken, then the remainder is dealt one by one round-robin, as PyTorch does).
    """
    n = len(dataset)
    if lengths and all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1):
        if any(x < 0 or x > 1 for x in lengths):
            raise ValueError(f"fractions must be in [0, 1], got {list(lengths)}")
        sizes = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    else:
        sizes = [int(x) for x in lengths]
        if any(s < 0 for s in sizes) or any(s != x for s, x in zip(sizes, lengths)):
            raise ValueError(f"lengths must be non-negative ints or fractions, got {list(lengths)}")
    if sum(sizes) != n:
        raise ValueError(f"Sum of input lengths ({sum(sizes)}) does not equal the length of the "
                         f"input dataset ({n})")
    order = randperm(n, generator=generator).array
    bounds = np.cumsum([0, *sizes])
    return [Subset(dataset, order[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
