"""Joining and cutting: cat/stack, split/chunk/unbind, narrow, and pad.

``cat`` joins tensors along an existing dim and ``stack`` along a new one; ``split``, ``chunk``,
``unbind`` and ``narrow`` cut a tensor into views (no copy); ``pad`` grows (or, with negative
widths, crops) the borders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext
from .dtypes import result_type

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["JoiningOps", "cat", "stack", "pad", "broadcast_shapes", "broadcast_tensors"]


class JoiningOps:
    """Mixed into Tensor: split, chunk, unbind, narrow."""

    __slots__ = ()

    def narrow(self: Tensor, dim: int, start: int, length: int) -> Tensor:
        """A view of ``length`` entries of ``dim`` starting at ``start``."""
        d = self._dim(dim)
        if not -self.shape[d] <= start <= self.shape[d]:
            raise IndexError(f"narrow: start {start} is out of range for dim {dim} of size "
                             f"{self.shape[d]}")
        if start < 0:
            start += self.shape[d]
        if not 0 <= start <= start + length <= self.shape[d]:
            raise RuntimeError(f"narrow: [{start}, {start + length}) is outside dim {dim} of size "
                             f"{self.shape[d]}")
        index = (slice(None),) * d + (slice(start, start + length),)
        return self[index]

    @_ext.op
    def split(self: Tensor, split_size_or_sections: int | Sequence[int],
              dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the given sizes."""
        d = self._dim(dim)
        n = self.shape[d]
        if isinstance(split_size_or_sections, (int, np.integer)):
            step = int(split_size_or_sections)
            if step < 0 or step == 0 and n:
                raise RuntimeError(f"split: split_size must be positive, got {step}")
            if step == 0:
                return (self.narrow(d, 0, 0),)
            sizes = [min(step, n - s) for s in range(0, n, step)] or [0]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != n:
                raise RuntimeError(f"split: sections {sizes} sum to {sum(sizes)}, but dim {dim} "
                                 f"has size {n}")
        starts = np.cumsum([0] + sizes[:-1])
        return tuple(self.narrow(d, int(s), int(k)) for s, k in zip(starts, sizes))

    def chunk(self: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """At most ``chunks`` pieces of equal size (the last may be smaller)."""
        if chunks <= 0:
            raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
        n = self.shape[self._dim(dim)]
        return self.split(max(-(-n // chunks), 1), dim)

    def unbind(self: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, with that dim removed."""
        d = self._dim(dim)
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))


@_ext.op
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other sizes must match."""
    if isinstance(tensors, np.ndarray) or hasattr(tensors, "_lift"):
        raise TypeError("cat: expected a sequence of tensors, got a single tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if not hasattr(t, "_lift"):
            raise TypeError(f"cat: expected a Tensor as element {i} of the sequence, got "
                            f"{type(t).__name__}")
    # PyTorch skips 1-D empty tensors (legacy behavior): shape them like the others, with size 0
    ref = next((t for t in tensors if t.shape != (0,)), tensors[0])
    if ref.ndim == 0:
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated")
    d = ref._dim(dim)
    if ref.ndim != 1:
        empty = ref.shape[:d] + (0,) + ref.shape[d + 1:]
        tensors = [t.reshape(empty) if t.shape == (0,) else t for t in tensors]
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or t.shape[:d] + t.shape[d + 1:] != \
                first.shape[:d] + first.shape[d + 1:]:
            raise RuntimeError(
                f"cat: tensor {i} has shape {t.shape} but tensor 0 has shape {first.shape}; "
                f"sizes must match in every dim except dim {dim}")
    dtype = result_type(*tensors).numpy
    data = np.concatenate([t.array.astype(dtype, copy=False) for t in tensors], axis=d)
    return first._make("cat", data, tuple(tensors), dim=d,
                       sizes=tuple(t.shape[d] for t in tensors))


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shape tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if not hasattr(t, "_lift"):
            raise TypeError(f"stack: expected a Tensor as element {i} of the sequence, got "
                            f"{type(t).__name__}")
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack: all tensors must have the same shape, but tensor 0 has "
                               f"shape {tensors[0].shape} and tensor {i} has shape {t.shape}")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


@_ext.op
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with ``value``. ``pad`` lists (before, after) pairs starting from the LAST dim, as in
    ``torch.nn.functional.pad``: ``(1, 1)`` pads the last dim, ``(1, 1, 2, 2)`` the last two.
    Negative widths crop instead."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(f"pad: expected an even number of pads, at most 2 per dim "
                           f"({2 * input.ndim} for shape {input.shape}), got {tuple(pad)}")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        widths[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if all(p >= 0 for p in pad):
        return _grow(input, widths, value)
    # Negative pads crop: pad the positive parts, then slice the negative ones away.
    grown = _grow(input, [(max(before, 0), max(after, 0)) for before, after in widths], value)
    crop = tuple(slice(max(-before, 0), n - max(-after, 0))
                 for n, (before, after) in zip(grown.shape, widths))
    if any(c.start > c.stop for c in crop):
        raise RuntimeError(f"pad: the padding {tuple(pad)} leaves a negative size for shape "
                           f"{input.shape}")
    return grown[crop]


def _grow(input: Tensor, widths: list[tuple[int, int]], value: float) -> Tensor:
    """``input`` with ``widths[d] = (before, after)`` entries of ``value`` added along dim d."""
    data = np.pad(input.array, widths, mode="constant", constant_values=value) \
        if widths else input.array.copy()
    return input._make("pad", data, (input,), widths=tuple(widths))


def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
    """The shape that tensors of ``shapes`` broadcast to (a RuntimeError if they do not)."""
    try:
        return np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes])
    except ValueError:
        raise RuntimeError(f"shapes {shapes} cannot be broadcast together") from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views, as ``torch.broadcast_tensors``)."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)
