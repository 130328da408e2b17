"""In-place ops: ``x.add_(y)``, ``x += y``, ``x.zero_()``, ``x.normal_()``... (trailing underscore).

Each one computes the out-of-place op and writes the result into ``self``'s own memory, so views
of ``self`` see the change, and bumps the version counter that autograd uses to detect a saved
tensor modified before backward. The result must fit: same shape, and a dtype that ``self``'s
dtype can hold (``int_tensor += 0.5`` is an error, as in PyTorch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import extensions as _ext
from .random import Generator, rng

if TYPE_CHECKING:
    from .tensor import Tensor

Number = int | float | bool


class InplaceOps:
    """Mixed into Tensor: the in-place forms of the ops."""

    __slots__ = ()

    def _inplace(self: Tensor, compute: Callable[[Tensor], Tensor], *others: Any) -> Tensor:
        """Run ``compute(self)`` and write its result into self's own memory.

        When gradients are being recorded the graph is rebased: the op is computed from a copy of
        the old value, and self takes the result's ``grad_fn`` (PyTorch does the same).
        """
        recorder = _ext._recorder
        tracking = (recorder is not None and recorder.is_grad_enabled()
                    and (self._requires_grad
                         or any(getattr(o, "_requires_grad", False) for o in others)))
        source = self
        if tracking:
            if self.grad_fn is None and self._requires_grad:
                raise RuntimeError(
                    "a leaf Tensor that requires grad is being used in an in-place operation; "
                    "wrap the update in `with no_grad():` (or use an out-of-place op)")
            if self._base is not None:  # the base's graph would not see the change
                raise RuntimeError(
                    "an in-place operation on a view (a slice, reshape or transpose of another "
                    "tensor) cannot be recorded for autograd; write into the base tensor "
                    "(base[index] = value), clone() the view first, or use an out-of-place op")
            source = self._wrap(self.array.copy())
            source.grad_fn, source._requires_grad = self.grad_fn, self._requires_grad
        result = compute(source)
        if result.shape != self.shape:
            raise RuntimeError(f"in-place op: the result's shape {result.shape} does not match "
                               f"the tensor's shape {self.shape} it would be written into")
        if result.dtype.category > self.dtype.category:
            raise RuntimeError(f"in-place op: result type {result.dtype.name} can't be cast to "
                               f"the tensor's type {self.dtype.name}")
        try:
            self.array[...] = result.array
        except ValueError as e:
            raise RuntimeError(f"in-place op on a tensor whose memory cannot be written ({e}); "
                               "it is an expanded or unfolded view: call .clone() first") from None
        self._bump_version()
        if tracking:
            self.grad_fn, self._requires_grad = result.grad_fn, result._requires_grad
        return self

    # -- arithmetic -----------------------------------------------------------------------------

    def add_(self: Tensor, other: Any, alpha: Number = 1) -> Tensor:
        return self._inplace(lambda t: t.add(other, alpha=alpha), other)

    def sub_(self: Tensor, other: Any, alpha: Number = 1) -> Tensor:
        return self._inplace(lambda t: t.sub(other, alpha=alpha), other)

    def mul_(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t.mul(other), other)

    def div_(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self._inplace(lambda t: t.div(other, rounding_mode=rounding_mode), other)

    def pow_(self: Tensor, exponent: Any) -> Tensor:
        return self._inplace(lambda t: t.pow(exponent), exponent)

    def floor_divide_(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t.floor_divide(other), other)

    def remainder_(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t.remainder(other), other)

    def fmod_(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t.fmod(other), other)

    def lerp_(self: Tensor, end: Tensor, weight: Any) -> Tensor:
        return self._inplace(lambda t: t.lerp(end, weight), end, weight)

    def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
        return self._inplace(lambda t: t.clamp(min, max), min, max)

    clip_ = clamp_

    def __iadd__(self: Tensor, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self: Tensor, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self: Tensor, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self: Tensor, other: Any) -> Tensor:
        return self.div_(other)

    def __ifloordiv__(self: Tensor, other: Any) -> Tensor:
        return self.floor_divide_(other)

    def __imod__(self: Tensor, other: Any) -> Tensor:
        return self.remainder_(other)

    def __ipow__(self: Tensor, other: Any) -> Tensor:
        return self.pow_(other)

    def __iand__(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t & other)

    def __ior__(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t | other)

    def __ixor__(self: Tensor, other: Any) -> Tensor:
        return self._inplace(lambda t: t ^ other)

    # -- unary math -----------------------------------------------------------------------------

    def neg_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.neg())

    def abs_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.abs())

    def exp_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.exp())

    def log_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.log())

    def sqrt_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.sqrt())

    def reciprocal_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.reciprocal())

    def square_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.square())

    def sin_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.sin())

    def cos_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.cos())

    def tanh_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.tanh())

    def sigmoid_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.sigmoid())

    def relu_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.relu())

    def sign_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.sign())

    def floor_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.floor())

    def ceil_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.ceil())

    def round_(self: Tensor, decimals: int = 0) -> Tensor:
        return self._inplace(lambda t: t.round(decimals))

    def trunc_(self: Tensor) -> Tensor:
        return self._inplace(lambda t: t.trunc())

    # -- masks and scatter ----------------------------------------------------------------------

    def masked_fill_(self: Tensor, mask: Any, value: Any) -> Tensor:
        return self._inplace(lambda t: t.masked_fill(mask, value), value)

    def scatter_(self: Tensor, dim: int, index: Tensor, src: Any = None, *,
                 value: Any = None) -> Tensor:
        return self._inplace(lambda t: t.scatter(dim, index, src, value=value), src)

    def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace(lambda t: t.scatter_add(dim, index, src), src)

    def scatter_reduce_(self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                        include_self: bool = True) -> Tensor:
        return self._inplace(
            lambda t: t.scatter_reduce(dim, index, src, reduce, include_self=include_self), src)

    # -- filling --------------------------------------------------------------------------------

    def copy_(self: Tensor, src: Any) -> Tensor:
        """Copy ``src`` (broadcast to self's shape, cast to self's dtype) into self."""
        src = self._lift(src)
        return self._inplace(lambda t: src.to(t.dtype).expand(*t.shape), src)

    def fill_(self: Tensor, value: Any) -> Tensor:
        return self._inplace(lambda t: self._wrap(np.full(t.shape, value, t.array.dtype)))

    def zero_(self: Tensor) -> Tensor:
        return self.fill_(0)

    def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0,
                 generator: Generator | None = None) -> Tensor:
        """Fill with samples from U(a, b)."""
        values = rng(generator).uniform(a, b, self.shape)
        return self._inplace(lambda t: self._wrap(values.astype(t.array.dtype)))

    def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0,
                generator: Generator | None = None) -> Tensor:
        """Fill with samples from N(mean, std^2)."""
        values = rng(generator).normal(mean, std, self.shape)
        return self._inplace(lambda t: self._wrap(values.astype(t.array.dtype)))
