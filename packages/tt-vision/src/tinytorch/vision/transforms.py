"""Image transforms with torchvision's names: ``Compose``, ``ToTensor``, ``Normalize``,
``RandomCrop``, ``RandomHorizontalFlip``.

Every transform takes one image or a whole batch, so a dataset can transform a batch in a few
NumPy calls instead of one Python call per image:

==========================  ===================================  ==============================
transform                   one image                            a batch
==========================  ===================================  ==============================
``ToTensor``                uint8 array ``(H, W, C)`` or         uint8 array ``(N, H, W, C)``
                            ``(H, W)`` -> ``(C, H, W)`` float32   -> ``(N, C, H, W)`` float32
the others                  Tensor ``(C, H, W)``                 Tensor ``(N, C, H, W)``
==========================  ===================================  ==============================

Random transforms draw one decision per image (a batch of 128 gets 128 independent crops) from
``generator`` (a :class:`tinytorch.tensor.Generator`; default: the global one, seeded by
``tinytorch.tensor.manual_seed``), so a run is reproducible. Transforms never reorder a batch:
image ``i`` stays image ``i``, and its label stays aligned.

Transforms are data preparation: they compute with NumPy and record no gradient. Each has
``supports_batches = True``: the datasets of :mod:`tinytorch.vision.datasets` then hand it a whole
batch at once (any other callable gets one image at a time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinytorch.tensor import Generator, Tensor, from_numpy, rand, randint

__all__ = ["Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip"]


def _images(x: Any, name: str) -> tuple[np.ndarray, bool]:
    """A Tensor image ``(C, H, W)`` or batch ``(N, C, H, W)`` as a 4-D array; True if it was a
    single image."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor image (C, H, W) or batch (N, C, H, W), got "
                        f"{type(x).__name__}; convert arrays with ToTensor() first")
    if x.ndim not in (3, 4):
        raise ValueError(f"{name}: expected a Tensor image (C, H, W) or batch (N, C, H, W), got "
                         f"shape {tuple(x.shape)}")
    return (x.array[None] if x.ndim == 3 else x.array), x.ndim == 3


def _result(batch: np.ndarray, single: bool) -> Tensor:
    return Tensor(batch[0] if single else batch)


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    @property
    def supports_batches(self) -> bool:
        """True when every transform in it takes batches."""
        return all(getattr(t, "supports_batches", False) for t in self.transforms)

    def __call__(self, x: Any) -> Any:
        for transform in self.transforms:
            x = transform(x)
        return x

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class ToTensor:
    """uint8 pixels ``(H, W, C)`` (or a batch ``(N, H, W, C)``, or gray ``(H, W)``) to a float32
    Tensor ``(C, H, W)`` (``(N, C, H, W)``) in ``[0, 1]``: channels first, divided by 255.

    Arrays of another dtype are only transposed and wrapped, as torchvision does.
    """

    supports_batches = True

    def __call__(self, pic: Any) -> Tensor:
        """``(H, W, C)`` / ``(N, H, W, C)`` / ``(H, W)`` array -> ``(C, H, W)`` / ``(N, C, H, W)``
        Tensor. Hints: ``np.moveaxis(pic, -1, -3)`` puts the channels first in both cases (add a
        channel axis to a gray ``(H, W)`` first); uint8 becomes float32 divided by 255."""
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"pic should be an ndarray (H, W, C) or (N, H, W, C). Got "
                            f"{type(pic).__name__}" + (" (this dataset already gives "
                                                       "Tensors: leave ToTensor out)"
                                                       if isinstance(pic, Tensor) else ""))
        if pic.ndim not in (2, 3, 4):
            raise ValueError(f"pic should be 2, 3 or 4 dimensional. Got {pic.ndim} dimensions.")
        # BEGIN SOLUTION 4.16 ToTensor: channels first, uint8 -> float32 in [0, 1]
        if pic.ndim == 2:
            pic = pic[:, :, None]
        chw = np.moveaxis(pic, -1, -3)  # (..., H, W, C) -> (..., C, H, W)
        if pic.dtype == np.uint8:
            return Tensor(chw.astype(np.float32) / np.float32(255))
        return from_numpy(np.ascontiguousarray(chw))
        # END SOLUTION

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Normalize:
    """``(x - mean[c]) / std[c]`` per channel, for an image or a batch (float Tensors)."""

    supports_batches = True

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False
                 ) -> None:
        self.mean, self.std, self.inplace = list(mean), list(std), inplace

    def __call__(self, x: Tensor) -> Tensor:
        """Hints: the mean and std as ``(C, 1, 1)`` arrays broadcast over a ``(N, C, H, W)``
        batch. Raise ValueError for a zero std (division by zero) or a channel count that
        differs; with ``inplace`` write into ``x.array`` and return ``x``."""
        batch, single = _images(x, "Normalize")
        if batch.dtype.kind != "f":
            raise TypeError(f"Input tensor should be a float tensor. Got {x.dtype.name}.")
        # BEGIN SOLUTION 4.16 Normalize: per-channel mean and std, broadcast over the pixels
        mean = np.asarray(self.mean, dtype=batch.dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=batch.dtype).reshape(-1, 1, 1)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {batch.dtype}, leading "
                             "to division by zero.")
        if len(mean) not in (1, batch.shape[1]) or len(std) not in (1, batch.shape[1]):
            raise ValueError(f"Normalize: {len(self.mean)} means and {len(self.std)} stds for "
                             f"images with {batch.shape[1]} channels")
        if self.inplace:
            batch -= mean
            batch /= std
            return x
        return _result((batch - mean) / std, single)
        # END SOLUTION

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


def _padding4(padding: Any) -> tuple[int, int, int, int]:
    """torchvision's padding: int, (left/right, top/bottom) or (left, top, right, bottom)."""
    if isinstance(padding, int):
        return padding, padding, padding, padding
    padding = tuple(int(p) for p in padding)
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return padding  # type: ignore[return-value]
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                     f"{len(padding)} element tuple")


class RandomCrop:
    """Crop a random ``size`` window of each image, after ``padding`` it (torchvision's).

    Args:
        size: ``(h, w)`` or an int for a square.
        padding: int, ``(left/right, top/bottom)`` or ``(left, top, right, bottom)``.
        pad_if_needed: pad images smaller than ``size`` up to it.
        fill: value of ``"constant"`` padding.
        padding_mode: ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"``.
        generator: where the crop positions come from (default: the global generator).
    """

    supports_batches = True

    def __init__(self, size: Any, padding: Any = None, pad_if_needed: bool = False,
                 fill: float = 0, padding_mode: str = "constant",
                 generator: Generator | None = None) -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        if len(self.size) != 2 or min(self.size) < 1:
            raise ValueError(f"RandomCrop: size must be a positive int or (h, w), got {size!r}")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"Padding mode should be either constant, edge, reflect or "
                             f"symmetric, got {padding_mode!r}")
        self.padding = None if padding is None else _padding4(padding)
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode
        self.generator = generator

    def _pad(self, batch: np.ndarray) -> np.ndarray:
        left, top, right, bottom = self.padding or (0, 0, 0, 0)
        h, w = batch.shape[2] + top + bottom, batch.shape[3] + left + right
        if self.pad_if_needed:  # grow to the crop size, on both sides as torchvision
            grow_w, grow_h = max(0, self.size[1] - w), max(0, self.size[0] - h)
            left, right, top, bottom = left + grow_w, right + grow_w, top + grow_h, bottom + grow_h
        if not (left or top or right or bottom):
            return batch
        widths = ((0, 0), (0, 0), (top, bottom), (left, right))
        if self.padding_mode == "constant":
            return np.pad(batch, widths, constant_values=self.fill)
        return np.pad(batch, widths, mode=self.padding_mode)

    def __call__(self, x: Tensor) -> Tensor:
        """Hints: draw ``N`` top and ``N`` left positions with ``randint(..., generator=...)``.
        ``sliding_window_view(padded, (h, w), axis=(2, 3))`` is every window of every image,
        ``(N, C, Hp - h + 1, Wp - w + 1, h, w)``, without a copy; one fancy index
        ``[arange(N), :, tops, lefts]`` picks image ``i``'s own window: ``(N, C, h, w)``."""
        batch, single = _images(x, "RandomCrop")
        padded = self._pad(batch)
        (h, w), (ph, pw) = self.size, padded.shape[2:]
        if h > ph or w > pw:
            raise ValueError(f"Required crop size {(h, w)} is larger than the (padded) input "
                             f"image size {(ph, pw)}")
        n = padded.shape[0]
        # BEGIN SOLUTION 4.17 random crops of a batch: one window position per image
        tops = randint(0, ph - h + 1, (n,), generator=self.generator).array
        lefts = randint(0, pw - w + 1, (n,), generator=self.generator).array
        windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(2, 3))
        crops = windows[np.arange(n), :, tops, lefts]  # (N, C, h, w): image i, its window
        return _result(crops, single)
        # END SOLUTION

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror each image left-right with probability ``p`` (one draw per image)."""

    supports_batches = True

    def __init__(self, p: float = 0.5, generator: Generator | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p, self.generator = p, generator

    def __call__(self, x: Tensor) -> Tensor:
        """Hints: one ``rand(N)`` draw per image, flipped where it is ``< p``; ``batch[..., ::-1]``
        is the mirror image, and ``np.where`` with the flags as ``(N, 1, 1, 1)`` picks per image."""
        batch, single = _images(x, "RandomHorizontalFlip")
        # BEGIN SOLUTION 4.18 random flips of a batch: one coin per image
        flip = rand(batch.shape[0], generator=self.generator).array < self.p
        flipped = np.where(flip[:, None, None, None], batch[..., ::-1], batch)
        return _result(flipped, single)
        # END SOLUTION

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"
