"""Shape ops: reshape and view, squeeze/unsqueeze, permute/transpose/movedim, expand, and the
reorderings flip, roll and repeat.

Most of these return *views*: the result shares memory (and the in-place version counter) with
its input, exactly as NumPy and PyTorch do, so ``t.view(-1)[0] = 1`` changes ``t``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["ShapeOps", "shape_args"]


def shape_args(args: tuple[Any, ...]) -> tuple[int, ...]:
    """The ints of ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``, as PyTorch accepts all three."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for a in args:
        if type(a) is not int and (not isinstance(a, (int, np.integer)) or isinstance(a, bool)):
            raise TypeError(f"sizes must be ints, got {args}")
    return tuple(map(int, args))


class ShapeOps:
    """Mixed into Tensor: everything that changes how the same values are laid out."""

    __slots__ = ()

    # BEGIN SOLUTION 1.7 reshape: infer -1 and reshape (a view when the layout allows)
    def _infer_shape(self: Tensor, shape: tuple[int, ...], name: str) -> tuple[int, ...]:
        """``shape`` with its -1 (if any) replaced by the size that makes the element counts
        match: reshaping (2, 3, 4) to (-1, 4) gives (6, 4).

        Errors the tests expect (RuntimeError, starting with ``name``): more than one -1 (the
        message says "only one dim can be -1"), a size below -1, and a shape whose element
        count cannot be the tensor's (the message says "invalid for input of size N").
        Hint: ``math.prod`` of the known sizes; with a -1 the known product must divide the size
        (and cannot be 0).
        """
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

    @_ext.op
    def reshape(self: Tensor, *shape: Any) -> Tensor:
        """The same values in a new shape (one size may be -1); a view when possible.

        ``shape`` comes as ``reshape(2, 3)`` or ``reshape((2, 3))``: ``shape_args(shape)`` gives
        the ints. Then ``self._infer_shape(...)`` and ``self.array.reshape(...)``, which is a
        view of the same memory when the layout allows (and a copy otherwise, e.g. after a
        transpose). Record ``self._make("reshape", data, (self,), view_of=self,
        shape=self.shape)``: ``view_of`` makes a view share self's version counter, and the
        backward rule reshapes the gradient back to the old ``shape``.
        """
        new_shape = self._infer_shape(shape_args(shape), "reshape")
        return self._make("reshape", self.array.reshape(new_shape), (self,), view_of=self,
                          shape=self.shape)
    # END SOLUTION

    @_ext.op
    def view(self: Tensor, *shape: Any) -> Tensor:
        """Like reshape, but never copies: fails if the memory layout does not allow a view."""
        new_shape = self._infer_shape(shape_args(shape), "view")
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

    @_ext.op
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

    @_ext.op
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

    @_ext.op
    def unsqueeze(self: Tensor, dim: int) -> Tensor:
        """Insert a size-1 dim at ``dim`` (which may be ndim, or negative)."""
        d = self._dim(dim, extra=1)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    # BEGIN SOLUTION 1.8 permute: reorder dims (transpose, T) as views
    @_ext.op
    def permute(self: Tensor, *dims: Any) -> Tensor:
        """Reorder the dims: result dim i is input dim ``dims[i]``. A (2, 3, 4) tensor permuted
        by (2, 0, 1) has shape (4, 2, 3).

        ``dims`` comes as ``permute(2, 0, 1)`` or ``permute((2, 0, 1))`` (``shape_args``); make
        each non-negative with ``self._dim``. ``self.array.transpose(order)`` is a view: record
        ``self._make("permute", data, (self,), view_of=self, dims=order)`` (the backward rule
        applies the inverse permutation). Errors the tests expect: RuntimeError (saying
        "permutation") when ``dims`` is not a permutation of all the dims.
        """
        order = tuple(self._dim(d) for d in shape_args(dims))
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
    @_ext.op
    def expand(self: Tensor, *sizes: Any) -> Tensor:
        """A read-only view with size-1 dims repeated (and new leading dims); -1 keeps a size.

        (3, 1) expanded to (2, 3, 4) is (2, 3, 4): dims align from the right, a size-1 dim may
        grow, other sizes must match (or be given as -1), and new dims may only be added in
        front. ``np.broadcast_to`` makes the view without copying (stride 0 on the repeated
        dims). Record ``self._make("expand", data, (self,), view_of=self, shape=self.shape)``:
        the backward rule sums the gradient back to the old ``shape``.

        Errors the tests expect (RuntimeError): fewer target dims than the tensor has (says
        "fewer dims"), a size that clashes with a non-1 size (says "the size 4 must match the
        existing size 3"), and -1 for a new leading dim.
        """
        target = shape_args(sizes)
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

    def movedim(self: Tensor, source: int | Sequence[int], destination: int | Sequence[int]
                ) -> Tensor:
        """Move dims ``source`` to positions ``destination``; the others keep their order."""
        src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
        dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: source {source} and destination {destination} must "
                               "name as many dims")
        src = tuple(self._dim(d) for d in src)
        dst = tuple(self._dim(d) for d in dst)
        if len(set(src)) != len(src) or len(set(dst)) != len(dst):
            raise RuntimeError(f"movedim: repeated dim in source {source} or destination "
                               f"{destination}")
        order = [d for d in range(self.ndim) if d not in src]
        for to, d in sorted(zip(dst, src)):
            order.insert(to, d)
        return self.permute(order)

    moveaxis = movedim

    def expand_as(self: Tensor, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def broadcast_to(self: Tensor, *shape: Any) -> Tensor:
        return self.expand(*shape)

    @_ext.op
    def contiguous(self: Tensor) -> Tensor:
        """Self if already laid out row-major, else a row-major copy."""
        if self.array.flags.c_contiguous:
            return self
        return self._make("clone", np.ascontiguousarray(self.array), (self,))

    @_ext.op
    def clone(self: Tensor) -> Tensor:
        """A copy with its own memory (gradients flow through it)."""
        return self._make("clone", self.array.copy(), (self,))

    @_ext.op
    def flip(self: Tensor, *dims: Any) -> Tensor:
        """Reverse the order of entries along ``dims``."""
        order = tuple(self._dim(d) for d in shape_args(dims))
        for d in order:
            if order.count(d) > 1:
                raise RuntimeError(f"flip: dim {d} appears multiple times in the list of dims")
        return self._make("flip", np.flip(self.array, order), (self,), view_of=self, dims=order)

    @_ext.op
    def repeat(self: Tensor, *sizes: Any) -> Tensor:
        """Tile the tensor ``sizes[i]`` times along dim i (``sizes`` may add leading dims)."""
        reps = shape_args(sizes)
        if len(reps) < self.ndim:
            raise RuntimeError(f"repeat: needs at least {self.ndim} sizes for a tensor of shape "
                               f"{self.shape}, got {reps}")
        return self._make("repeat", np.tile(self.array, reps), (self,), shape=self.shape,
                          sizes=reps)

    def roll(self: Tensor, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None
             ) -> Tensor:
        """Shift entries ``shifts`` places along ``dims``, wrapping around the end (without
        ``dims``, along the flattened tensor)."""
        if dims is None:
            if not isinstance(shifts, (int, np.integer)):
                raise RuntimeError("roll: without dims, shifts must be a single int")
            return self.flatten().roll(shifts, 0).reshape(self.shape)
        shift_list = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
        dim_list = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
        if len(shift_list) != len(dim_list):
            raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
        out = self
        for shift, dim in zip(shift_list, dim_list):
            n = self.shape[self._dim(dim)] if self.ndim else 1
            source = (np.arange(n) - int(shift)) % max(n, 1)  # entry i comes from i - shift
            out = out.index_select(dim, self._wrap(source))  # a gather: gradients flow back
        return out
