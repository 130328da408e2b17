"""Reductions: sum, mean, prod, max/min, var/std, logsumexp, argmax, all/any, cumsum.

``dim`` is an int, a tuple of ints, or None for all dims; ``keepdim=True`` keeps reduced dims as
size 1 so the result broadcasts against the input. Integer and bool sums give int64, as in PyTorch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import extensions as _ext

if TYPE_CHECKING:
    from .tensor import Tensor

Dim = int | tuple[int, ...] | list[int] | None


class ValuesIndices(NamedTuple):
    """What ``max(dim)``/``min(dim)`` return, like ``torch.return_types.max``."""

    values: Any
    indices: Any


class ReductionOps:
    """Mixed into Tensor: reductions over one, several or all dims."""

    __slots__ = ()

    def _dims(self: Tensor, dim: Dim) -> tuple[int, ...] | None:
        """``dim`` as a sorted tuple of non-negative dims, or None for all of them."""
        if dim is None:
            return None
        if isinstance(dim, (int, np.integer)):
            d = self._dim(dim)
            return (d,) if self.array.ndim else None  # a 0-d tensor accepts dim 0 or -1
        if not dim:
            return None
        normal = tuple(sorted(self._dim(d) for d in dim))
        if len(set(normal)) != len(normal):
            raise RuntimeError(f"dim {dim} names the same dimension twice")
        return normal if self.array.ndim else None

    def _reduced_count(self: Tensor, dims: tuple[int, ...] | None) -> int:
        if dims is None:
            return self.array.size
        return math.prod(self.array.shape[d] for d in dims)

    def _require_float(self: Tensor, name: str) -> None:
        if self.array.dtype.kind != "f":
            raise RuntimeError(f"{name}() needs a floating point tensor, got {self.dtype.name}; "
                            "convert it with .float() first")

    # BEGIN SOLUTION 1.5 reductions: sum, max and the reductions built from them
    @_ext.op("sum")
    def sum(self: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """Sum over ``dim`` (all dims when None), after casting to ``dtype`` if given."""
        if dtype is not None:
            return self.to(dtype).sum(dim, keepdim)
        dims = self._dims(dim)
        dtype = np.int64 if self.array.dtype.kind in "bi" else self.array.dtype
        data = self.array.sum(axis=dims, keepdims=keepdim, dtype=dtype)
        return self._make("sum", np.asarray(data), (self,), dim=dims, keepdim=keepdim)

    @_ext.op("mean")
    def mean(self: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None
             ) -> Tensor:
        """Arithmetic mean over ``dim``; needs a floating point tensor (as in PyTorch)."""
        if dtype is not None:
            return self.to(dtype).mean(dim, keepdim)
        self._require_float("mean")
        dims = self._dims(dim)
        count = self._reduced_count(dims)
        return self.sum(dims, keepdim) / count if count else self.sum(dims, keepdim) * np.nan

    @_ext.op("amax")
    def amax(self: Tensor, dim: Dim = None, keepdim: bool = False) -> Tensor:
        """Largest value over ``dim``; ties share the gradient evenly."""
        dims = self._dims(dim)
        self._check_not_empty("amax", dims)
        data = np.max(self.array, axis=dims, keepdims=keepdim)
        return self._make("amax", np.asarray(data), (self,), dim=dims, keepdim=keepdim)

    @_ext.op("amin")
    def amin(self: Tensor, dim: Dim = None, keepdim: bool = False) -> Tensor:
        """Smallest value over ``dim``; ties share the gradient evenly."""
        dims = self._dims(dim)
        self._check_not_empty("amin", dims)
        data = np.min(self.array, axis=dims, keepdims=keepdim)
        return self._make("amin", np.asarray(data), (self,), dim=dims, keepdim=keepdim)
    # END SOLUTION

    def _check_not_empty(self: Tensor, name: str, dims: tuple[int, ...] | None) -> None:
        """Reducing over no elements has no max/min: RuntimeError for all dims, IndexError for
        an empty dim (as in PyTorch). Other dims may be empty."""
        if self.array.size == 0:
            if dims is None:
                raise RuntimeError(f"{name}(): cannot reduce an empty tensor of shape "
                                   f"{self.shape}; give a dim")
            for d in dims:
                if self.array.shape[d] == 0:
                    raise IndexError(f"{name}(): expected reduction dim {d} to have non-zero "
                                     f"size (tensor shape {self.shape})")

    def _extreme(self: Tensor, name: str, dim: Any, keepdim: bool) -> Any:
        if dim is None:
            return self.amax() if name == "max" else self.amin()
        if not isinstance(dim, (int, np.integer)):  # max(other): elementwise
            return self.maximum(dim) if name == "max" else self.minimum(dim)
        d = self._dim(dim)
        if self.array.ndim == 0:  # dim 0 or -1 of a 0-d tensor: the value itself, index 0
            values, indices = self.reshape(1)._extreme(name, 0, False)
            return ValuesIndices(values, indices)
        self._check_not_empty(name, (d,))
        arg = np.argmax if name == "max" else np.argmin
        indices = np.expand_dims(arg(self.array, axis=d), d)
        values = np.take_along_axis(self.array, indices, axis=d)
        if not keepdim:
            indices, values = indices.squeeze(d), values.squeeze(d)
        out = self._make(f"{name}_dim", values, (self,), dim=d, keepdim=keepdim,
                         indices=indices)
        return ValuesIndices(out, self._wrap(indices.astype(np.int64)))

    @_ext.op("max")
    def max(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
        """``max()`` -> the largest value; ``max(dim)`` -> (values, indices); ``max(other)`` ->
        elementwise maximum. As in PyTorch."""
        return self._extreme("max", dim, keepdim)

    @_ext.op("min")
    def min(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
        """``min()``, ``min(dim)`` -> (values, indices), or ``min(other)``, as ``max``."""
        return self._extreme("min", dim, keepdim)

    def _arg_extreme(self: Tensor, name: str, dim: int | None, keepdim: bool) -> Tensor:
        if self.array.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        fn = np.argmax if name == "argmax" else np.argmin
        if dim is None:
            if self.array.size == 0:
                raise IndexError(f"{name}(): expected a dim for an empty tensor "
                                 f"(shape {self.shape})")
            idx = np.asarray(fn(self.array), dtype=np.int64)
            return self._wrap(idx.reshape((1,) * self.ndim) if keepdim else idx)
        d = self._dim(dim)
        if self.array.ndim == 0:
            return self._wrap(np.zeros((), np.int64))
        self._check_not_empty(name, (d,))
        return self._wrap(np.asarray(fn(self.array, axis=d, keepdims=keepdim), dtype=np.int64))

    def argmax(self: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the largest value (of the flattened tensor when dim is None)."""
        return self._arg_extreme("argmax", dim, keepdim)

    def argmin(self: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the smallest value (of the flattened tensor when dim is None)."""
        return self._arg_extreme("argmin", dim, keepdim)

    @_ext.op("prod")
    def prod(self: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Product over one ``dim`` (or all); integers give int64."""
        dims = self._dims(dim)
        dtype = np.int64 if self.array.dtype.kind in "bi" else self.array.dtype
        data = np.prod(self.array, axis=dims, keepdims=keepdim, dtype=dtype)
        return self._make("prod", np.asarray(data), (self,), dim=dims, keepdim=keepdim)

    @_ext.op("var")
    def var(self: Tensor, dim: Dim = None, unbiased: bool | None = None, keepdim: bool = False,
            *, correction: float | None = None) -> Tensor:
        """Variance: sum((x - mean)^2) / (N - correction); correction=1 (unbiased) by default."""
        if isinstance(dim, bool):  # var(unbiased): PyTorch's other overload
            dim, unbiased = None, dim
        self._require_float("var")
        if isinstance(unbiased, (int, np.integer)) and not isinstance(unbiased, bool) \
                and dim is not None:
            raise TypeError("var(dim, unbiased, keepdim): unbiased must be a bool")
        if correction is None:
            correction = 0 if unbiased is False else 1
        dims = self._dims(dim)
        centered = self - self.mean(dims, keepdim=True)
        denominator = max(self._reduced_count(dims) - correction, 0)
        return (centered * centered).sum(dims, keepdim) / denominator

    @_ext.op("std")
    def std(self: Tensor, dim: Dim = None, unbiased: bool | None = None, keepdim: bool = False,
            *, correction: float | None = None) -> Tensor:
        """Standard deviation: sqrt of :meth:`var`."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    @_ext.op("norm")
    def norm(self: Tensor, p: float | str = "fro", dim: Dim = None,
             keepdim: bool = False) -> Tensor:
        """The p-norm over ``dim`` (all elements when None): (sum |x|^p)^(1/p).

        ``p`` is 2 or "fro" (default), 1, inf, -inf, 0 (count of nonzeros) or any other number.
        Built from other ops, so it is differentiable where they are (not at 0 for p = 2).
        """
        self._require_float("norm")
        dims = self._dims(dim)
        if p in ("fro", 2):
            return (self * self).sum(dims, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dims, keepdim)
        if p == math.inf:
            return self.abs().amax(dims, keepdim)
        if p == -math.inf:
            return self.abs().amin(dims, keepdim)
        if p == 0:
            return self.ne(0).to(self.dtype).sum(dims, keepdim)
        if isinstance(p, str):
            raise RuntimeError(f"norm: unsupported p={p!r}; use 'fro' or a number")
        return (self.abs() ** p).sum(dims, keepdim) ** (1.0 / p)

    @_ext.op("logsumexp")
    def logsumexp(self: Tensor, dim: Dim, keepdim: bool = False) -> Tensor:
        """log(sum(exp(x))) over ``dim``, shifted by the max so that large inputs do not overflow."""
        dims = self._dims(dim)
        x = self if self.array.dtype.kind == "f" else self.float()
        if self._reduced_count(dims) == 0:  # the log of an empty sum is -inf
            return (x.sum(dims, keepdim) * 0).log()
        shift = x.amax(dims, keepdim=True).detach()
        shift = shift.where(shift.isfinite(), 0.0)  # all -inf rows: avoid inf - inf
        total = (x - shift).exp().sum(dims, keepdim=True).log() + shift
        return total if keepdim else total.squeeze(dims if dims is not None else None)

    def all(self: Tensor, dim: Dim = None, keepdim: bool = False) -> Tensor:
        return self._wrap(np.asarray(np.all(self.array, axis=self._dims(dim), keepdims=keepdim)))

    def any(self: Tensor, dim: Dim = None, keepdim: bool = False) -> Tensor:
        return self._wrap(np.asarray(np.any(self.array, axis=self._dims(dim), keepdims=keepdim)))

    @_ext.op("cumsum")
    def cumsum(self: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
        """Running sum along ``dim`` (after casting to ``dtype`` if given)."""
        if dtype is not None:
            return self.to(dtype).cumsum(dim)
        d = self._dim(dim)
        dtype = np.int64 if self.array.dtype.kind in "bi" else self.array.dtype
        if self.array.ndim == 0:
            return self.reshape(1).cumsum(0).reshape(())
        return self._make("cumsum", np.cumsum(self.array, axis=d, dtype=dtype), (self,), dim=d)
