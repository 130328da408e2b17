"""``DataLoader``: batches of a dataset, optionally shuffled, as in ``torch.utils.data``.

Batching is index-based: each epoch draws one permutation of ``range(len(dataset))`` (from the
loader's :class:`tinytorch.tensor.Generator`, or the global one), cuts it into index arrays of
``batch_size``, and for a dataset with ``__getitems__`` (``TensorDataset``, ``Subset``, MNIST)
fetches each batch with one fancy-index per array. Other datasets are read sample by sample and
the samples are merged by ``collate_fn`` (default: :func:`default_collate`, which stacks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from tinytorch.tensor import Generator, Tensor, from_numpy, randperm, stack, tensor

from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert"]


def default_collate(samples: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch: Tensors/arrays are stacked along a new dim 0,
    numbers become a 1-d Tensor, tuples/lists/dicts are collated field by field."""
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(list(samples))
    if isinstance(first, np.ndarray):
        return from_numpy(np.stack(samples))
    if isinstance(first, (np.number, np.bool_)):
        return from_numpy(np.array(samples))  # NumPy scalars keep their dtype
    if isinstance(first, bool):
        return tensor(list(samples), dtype="bool")
    if isinstance(first, int):
        return tensor(list(samples), dtype="int64")
    if isinstance(first, float):
        return tensor(list(samples), dtype="float64")  # Python floats are doubles, as PyTorch
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, Mapping):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise RuntimeError("each element in the batch should be of equal size")
        fields = [default_collate(list(field)) for field in zip(*samples)]
        if hasattr(first, "_fields"):  # a namedtuple
            return type(first)(*fields)
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(f"default_collate: batch must contain Tensors, NumPy arrays, numbers, "
                    f"dicts or lists, found {type(first).__name__}")


def default_convert(data: Any) -> Any:
    """What ``batch_size=None`` does to each sample: NumPy arrays become Tensors (inside tuples,
    lists and dicts too); everything else is left as it is."""
    if isinstance(data, np.ndarray):
        return from_numpy(data)
    if isinstance(data, (np.number, np.bool_)):
        return from_numpy(np.asarray(data))
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return tuple(default_convert(d) for d in data)
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size``.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``) or an
            :class:`~tinytorch.nn.data.IterableDataset`.
        batch_size: samples per batch (``None``: no batching, one converted sample at a time).
        shuffle: draw a new random order every epoch (from ``generator``).
        sampler: an iterable of indices (instead of ``shuffle``).
        batch_sampler: an iterable of index lists (instead of batch_size / shuffle / sampler /
            drop_last).
        num_workers: must be 0: batches are made in this process (TinyTorch has no worker
            processes, so it refuses to pretend otherwise).
        collate_fn: merges a list of samples into a batch (default :func:`default_collate`).
            With a custom ``collate_fn`` every batch is built from per-sample ``dataset[i]``.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator: the :class:`tinytorch.tensor.Generator` that shuffles (default: the global
            one seeded by ``tinytorch.tensor.manual_seed``).

    PyTorch's options for worker processes and devices (``pin_memory``, ``timeout``,
    ``worker_init_fn``, ``multiprocessing_context``, ``prefetch_factor``,
    ``persistent_workers``, ``pin_memory_device``, ``in_order``) do not exist here: passing one
    is a TypeError, not an option silently ignored.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None, *,
                 drop_last: bool = False, generator: Generator | None = None) -> None:
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer))
                                       or isinstance(batch_size, bool) or batch_size < 1):
            raise ValueError(f"batch_size should be a positive integer value, got {batch_size!r}")
        if num_workers != 0:
            raise TypeError(f"DataLoader(num_workers={num_workers!r}): TinyTorch makes batches in "
                            "this process and has no worker processes; use num_workers=0")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"generator must be a tinytorch.tensor.Generator, got "
                            f"{type(generator).__name__}")
        if isinstance(dataset, IterableDataset):
            if shuffle not in (None, False):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.num_workers = 0
        self.collate_fn = collate_fn
        self.generator = generator
        self._custom_sampler = sampler is not None or batch_sampler is not None
        if not isinstance(dataset, IterableDataset):
            if sampler is None:
                sampler = (RandomSampler(dataset, generator=generator) if self.shuffle
                           else SequentialSampler(dataset))
            if self.batch_size is not None and batch_sampler is None:
                batch_sampler = BatchSampler(sampler, self.batch_size, self.drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def batch_indices(self) -> Iterator[np.ndarray]:
        """The index arrays of one epoch, one per batch, in order.

        The order is ``randperm(len(dataset), generator=self.generator).array`` when
        ``self.shuffle`` (a fresh permutation each epoch), else ``np.arange``; cut it into
        slices of ``self.batch_size``, the last one shorter unless ``self.drop_last`` (then it
        is dropped). Yield each slice (a generator).
        """
        # BEGIN SOLUTION 3.22 DataLoader: one permutation per epoch, cut into index arrays
        n = len(self.dataset)
        order = randperm(n, generator=self.generator).array if self.shuffle else np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            yield order[start:start + self.batch_size]
        # END SOLUTION

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            yield from self._iter_stream()
            return
        if self.batch_size is None and self.batch_sampler is None:  # no batching
            convert = self.collate_fn or default_convert
            for index in self.sampler:
                yield convert(self.dataset[index])
            return
        collate = self.collate_fn or default_collate
        getitems = getattr(self.dataset, "__getitems__", None)
        batches = (self.batch_indices() if not self._custom_sampler
                   else (np.asarray(b, dtype=np.int64) for b in self.batch_sampler))
        for indices in batches:
            if getitems is not None and self.collate_fn is None:
                batch = getitems(indices)
                yield collate(batch) if isinstance(batch, list) else batch
            else:
                yield collate([self.dataset[int(i)] for i in indices])

    def _iter_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            convert = self.collate_fn or default_convert
            for sample in self.dataset:
                yield convert(sample)
            return
        collate = self.collate_fn or default_collate
        batch: list[Any] = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)
