"""Shape ops: reshape and view, squeeze/unsqueeze, permute/transpose, expand, split, cat/stack,
flip, repeat, pad.

Most of these return *views*: the result shares memory (and the in-place version counter) with
its input, exactly as NumPy and PyTorch do, so ``t.view(-1)[0] = 1`` changes ``t``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext
from .dtypes import result_type

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["ShapeOps", "cat", "stack", "pad", "broadcast_shapes", "broadcast_tensors"]


def _sizes(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for a in args:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"sizes must be ints, got {args}")
    return tuple(int(a) for a in args)


class ShapeOps:
    """Mixed into Tensor: everything that changes how the same values are laid out."""

    __slots__ = ()

    # BEGIN SOLUTION 1.7 reshape: infer -1 and reshape (a view when the layout allows)
    def _infer_shape(self: Tensor, shape: tuple[int, ...], name: str) -> tuple[int, ...]:
        unknown = [i for i, s in enumerate(shape) if s == -1]
        if len(unknown) > 1:
            raise RuntimeError(f"{name}: only one dim can be -1, got shape {shape}")
        if any(s < -1 for s in shape):
            raise RuntimeError(f"{name}: invalid negative size in shape {shape}")
        known = math.prod(s for s in shape if s != -1)
        size = self.array.size
        if unknown:
            if known == 0 or size % known:
                raise RuntimeError(
                    f"{name}: shape {shape} is invalid for input of size {size}")
            shape = tuple(size // known if s == -1 else s for s in shape)
        elif known != size:
            raise RuntimeError(f"{name}: shape {shape} is invalid for input of size {size} "
                               f"(shape {self.shape})")
        return shape

    @_ext.op("reshape")
    def reshape(self: Tensor, *shape: Any) -> Tensor:
        """The same values in a new shape (one size may be -1); a view when possible."""
        new_shape = self._infer_shape(_sizes(shape), "reshape")
        return self._make("reshape", self.array.reshape(new_shape), (self,), view_of=self,
                          shape=self.shape)
    # END SOLUTION

    @_ext.op("view")
    def view(self: Tensor, *shape: Any) -> Tensor:
        """Like reshape, but never copies: fails if the memory layout does not allow a view."""
        new_shape = self._infer_shape(_sizes(shape), "view")
        data = self.array.view()
        try:
            data.shape = new_shape
        except AttributeError:
            raise RuntimeError(
                f"view: shape {new_shape} is not compatible with the memory layout of a tensor of "
                f"shape {self.shape} and strides {self.stride()} (it was transposed or expanded); "
                "use .reshape(...) instead") from None
        return self._make("reshape", data, (self,), view_of=self, shape=self.shape)

    def view_as(self: Tensor, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self: Tensor, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    @_ext.op("flatten")
    def flatten(self: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = self._dim(start_dim), self._dim(end_dim)
        if start > end:
            raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        merged = math.prod(shape[start:end + 1])
        return self.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def unflatten(self: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
        """Split dim ``dim`` into ``sizes``."""
        d = self._dim(dim)
        return self.reshape(self.shape[:d] + tuple(sizes) + self.shape[d + 1:])

    @_ext.op("squeeze")
    def squeeze(self: Tensor, dim: int | tuple[int, ...] | None = None) -> Tensor:
        """Drop size-1 dims (only those in ``dim`` if given; other sizes are left alone)."""
        if dim is None:
            dims = {i for i, s in enumerate(self.shape) if s == 1}
        elif self.ndim == 0:
            self._dims(dim)  # only checks that dim is 0 or -1
            return self.reshape(())
        else:
            dims = {self._dim(d) for d in ((dim,) if isinstance(dim, (int, np.integer)) else dim)}
            dims = {d for d in dims if self.shape[d] == 1}
        shape = tuple(s for i, s in enumerate(self.shape) if i not in dims)
        return self.reshape(shape)

    @_ext.op("unsqueeze")
    def unsqueeze(self: Tensor, dim: int) -> Tensor:
        """Insert a size-1 dim at ``dim`` (which may be ndim, or negative)."""
        d = self._dim(dim, extra=1)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    # BEGIN SOLUTION 1.8 permute: reorder dims (transpose, T) as views
    @_ext.op("permute")
    def permute(self: Tensor, *dims: Any) -> Tensor:
        """Reorder the dims: result dim i is input dim ``dims[i]``."""
        order = tuple(self._dim(d) for d in _sizes(dims))
        if sorted(order) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {dims} are not a permutation of the "
                               f"{self.ndim} dims of a tensor of shape {self.shape}")
        return self._make("permute", self.array.transpose(order), (self,), view_of=self,
                          dims=order)
    # END SOLUTION

    def transpose(self: Tensor, dim0: int, dim1: int) -> Tensor:
        """Swap two dims."""
        order = list(range(self.ndim))
        a, b = self._dim(dim0), self._dim(dim1)
        order[a], order[b] = order[b], order[a]
        return self.permute(order)

    swapaxes = swapdims = transpose

    @property
    def mH(self: Tensor) -> Tensor:
        """Same as :attr:`mT` (TinyTorch has no complex dtypes)."""
        return self.mT

    def t(self: Tensor) -> Tensor:
        """Transpose of a matrix (tensors of at most 2 dims)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dims, got shape {self.shape}")
        return self.permute(tuple(range(self.ndim))[::-1])

    @property
    def T(self: Tensor) -> Tensor:
        """All dims reversed."""
        return self.permute(tuple(range(self.ndim))[::-1])

    @property
    def mT(self: Tensor) -> Tensor:
        """The last two dims swapped (a batch of transposed matrices)."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices, "
                               f"got a {self.ndim}-D tensor")
        return self.transpose(-2, -1)

    # BEGIN SOLUTION 1.9 expand: broadcast size-1 dims to a larger shape without copying
    @_ext.op("expand")
    def expand(self: Tensor, *sizes: Any) -> Tensor:
        """A read-only view with size-1 dims repeated (and new leading dims); -1 keeps a size."""
        target = _sizes(sizes)
        if len(target) < self.ndim:
            raise RuntimeError(f"expand: target shape {target} has fewer dims than the tensor's "
                               f"shape {self.shape}")
        lead = len(target) - self.ndim
        shape = list(target)
        for i, size in enumerate(self.shape):
            want = target[lead + i]
            if want == -1:
                shape[lead + i] = size
            elif size != want and size != 1:
                raise RuntimeError(
                    f"expand: the size {want} must match the existing size {size} at "
                    f"non-singleton dim {i} (tensor shape {self.shape}, target {target})")
        if any(s < 0 for s in shape[:lead]):
            raise RuntimeError(f"expand: -1 is not allowed for new leading dims, got {target}")
        data = np.broadcast_to(self.array, tuple(shape))
        return self._make("expand", data, (self,), view_of=self, shape=self.shape)
    # END SOLUTION

    def expand_as(self: Tensor, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def broadcast_to(self: Tensor, *shape: Any) -> Tensor:
        return self.expand(*shape)

    @_ext.op("contiguous")
    def contiguous(self: Tensor) -> Tensor:
        """Self if already laid out row-major, else a row-major copy."""
        if self.array.flags.c_contiguous:
            return self
        return self._make("clone", np.ascontiguousarray(self.array), (self,))

    @_ext.op("clone")
    def clone(self: Tensor) -> Tensor:
        """A copy with its own memory (gradients flow through it)."""
        return self._make("clone", self.array.copy(), (self,))

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

    @_ext.op("split")
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

    @_ext.op("flip")
    def flip(self: Tensor, *dims: Any) -> Tensor:
        """Reverse the order of entries along ``dims``."""
        order = tuple(self._dim(d) for d in _sizes(dims))
        return self._make("flip", np.flip(self.array, order), (self,), view_of=self, dims=order)

    @_ext.op("repeat")
    def repeat(self: Tensor, *sizes: Any) -> Tensor:
        """Tile the tensor ``sizes[i]`` times along dim i (``sizes`` may add leading dims)."""
        reps = _sizes(sizes)
        if len(reps) < self.ndim:
            raise RuntimeError(f"repeat: needs at least {self.ndim} sizes for a tensor of shape "
                               f"{self.shape}, got {reps}")
        return self._make("repeat", np.tile(self.array, reps), (self,), shape=self.shape,
                          sizes=reps)

    def _triangle(self: Tensor, name: str, keep: Any) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape "
                               f"{self.shape}")
        return self.where(keep(*self.shape[-2:]), self._wrap(np.zeros((), self.array.dtype)))

    def tril(self: Tensor, diagonal: int = 0) -> Tensor:
        """Zero above the ``diagonal``-th diagonal of the last two dims."""
        return self._triangle("tril", lambda rows, cols: np.tri(rows, cols, diagonal, dtype=bool))

    def triu(self: Tensor, diagonal: int = 0) -> Tensor:
        """Zero below the ``diagonal``-th diagonal of the last two dims."""
        return self._triangle("triu",
                              lambda rows, cols: ~np.tri(rows, cols, diagonal - 1, dtype=bool))


@_ext.op("cat")
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other sizes must match."""
    if isinstance(tensors, np.ndarray) or hasattr(tensors, "_lift"):
        raise TypeError("cat: expected a sequence of tensors, got a single tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    tensors = [tensors[0]._lift(t) for t in tensors]
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
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack: all tensors must have the same shape, but tensor 0 has "
                               f"shape {tensors[0].shape} and tensor {i} has shape {t.shape}")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


@_ext.op("pad")
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with ``value``. ``pad`` lists (before, after) pairs starting from the LAST dim, as in
    ``torch.nn.functional.pad``: ``(1, 1)`` pads the last dim, ``(1, 1, 2, 2)`` the last two."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(f"pad: expected an even number of pads, at most 2 per dim "
                           f"({2 * input.ndim} for shape {input.shape}), got {tuple(pad)}")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        widths[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if not any(p < 0 for p in pad):
        data = np.pad(input.array, widths, mode="constant", constant_values=value) \
            if widths else input.array.copy()
        return input._make("pad", data, (input,), widths=tuple(widths))
    # Negative pads crop: pad the positive parts, then slice the negative ones away.
    grown = pad_fn(input, [max(int(p), 0) for p in pad], value=value)
    crop = tuple(slice(max(-before, 0), n - max(-after, 0))
                 for n, (before, after) in zip(grown.shape, widths))
    if any(c.start > c.stop for c in crop):
        raise RuntimeError(f"pad: the padding {tuple(pad)} leaves a negative size for shape "
                           f"{input.shape}")
    return grown[crop]


pad_fn = pad


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
