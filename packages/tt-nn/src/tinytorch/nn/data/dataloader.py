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

__all__ = ["DataLoader", "default_collate"]


def default_collate(samples: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch: Tensors/arrays are stacked along a new dim 0,
    numbers become a 1-d Tensor, tuples/lists/dicts are collated field by field."""
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(list(samples))
    if isinstance(first, np.ndarray):
        return from_numpy(np.stack(samples))
    if isinstance(first, (bool, int, float, np.number, np.bool_)):
        return tensor(list(samples))
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


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size``.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch.
        shuffle: draw a new random order every epoch (from ``generator``).
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        collate_fn: merges a list of samples into a batch (default :func:`default_collate`).
            With a custom ``collate_fn`` every batch is built from per-sample ``dataset[i]``.
        generator: the :class:`tinytorch.tensor.Generator` that shuffles (default: the global
            one seeded by ``tinytorch.tensor.manual_seed``).
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Callable[[list[Any]], Any] | None = None,
                 generator: Generator | None = None) -> None:
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
                or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, got {batch_size!r}")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"generator must be a tinytorch.tensor.Generator, got "
                            f"{type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def batch_indices(self) -> Iterator[np.ndarray]:
        """The index arrays of one epoch (draws the shuffle permutation when asked)."""
        # BEGIN SOLUTION 3.15 DataLoader: one permutation per epoch, cut into index arrays
        n = len(self.dataset)
        order = randperm(n, generator=self.generator).data if self.shuffle else np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            yield order[start:start + self.batch_size]
        # END SOLUTION

    def __iter__(self) -> Iterator[Any]:
        getitems = getattr(self.dataset, "__getitems__", None)
        collate = self.collate_fn or default_collate
        for indices in self.batch_indices():
            if getitems is not None and self.collate_fn is None:
                batch = getitems(indices)
                yield collate(batch) if isinstance(batch, list) else batch
            else:
                yield collate([self.dataset[int(i)] for i in indices])
