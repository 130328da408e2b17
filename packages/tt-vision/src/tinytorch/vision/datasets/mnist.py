"""MNIST and Fashion-MNIST from part 3, with this package's batch transforms.

``tinytorch.nn.data.MNIST`` applies a ``transform`` image by image (any callable works there, and
this package's transforms do too). These subclasses fetch a DataLoader batch with one fancy index
and hand the whole ``(N, 1, 28, 28)`` batch to a transform that supports batches (see
:mod:`tinytorch.vision.transforms`), which is much faster for augmentation.
"""

from __future__ import annotations

from typing import Any

from tinytorch.nn.data import MNIST as _MNIST
from tinytorch.nn.data import TensorDataset

__all__ = ["MNIST", "FashionMNIST"]


class MNIST(_MNIST):
    """The MNIST digits (see ``tinytorch.nn.data.MNIST``), transformed a batch at a time."""

    def __getitems__(self, indices: Any) -> Any:
        batched = self.transform is not None and getattr(self.transform, "supports_batches",
                                                         False)
        if not batched or self.target_transform is not None:
            return super().__getitems__(indices)
        images, labels = TensorDataset.__getitems__(self, indices)
        return self.transform(images), labels


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): the layout of :class:`MNIST`, ten clothing classes."""

    name = "fashion-mnist"
