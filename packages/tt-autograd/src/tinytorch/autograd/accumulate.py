"""Where gradients land: back in each input's shape and dtype, and summed into the leaves' ``.grad``.

Broadcasting copies an input along new or size-1 dims, so the input's gradient is the *sum* over
those copies. Rules never undo broadcasting themselves: the engine passes every gradient a rule
returns through :func:`fit_to_input`, the one place where that happens (and where a gradient of
another dtype is cast back). :func:`accumulate` then adds a leaf's gradient into its ``.grad``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

__all__ = ["unbroadcast", "fit_to_input", "accumulate"]


def unbroadcast(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``g`` over the dims broadcasting added or stretched, so that it has ``shape``.

    Example: an input of shape (3, 1) broadcast to (2, 3, 4) gets ``g`` (2, 3, 4) summed over the
    leading dim 0 (added) and over dim 2 (stretched from 1): ``g.sum((0, 2), keepdim=True)``
    is (1, 3, 1), then reshaped to (3, 1). Return ``g`` itself when it already has ``shape``.

    A gradient may also be *smaller* than the input (a rule returned something that broadcasts
    to it, such as a scalar): then expand it to ``shape``.
    """
    # BEGIN SOLUTION 2.2 unbroadcast: sum over leading dims and dims that were size 1
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[lead:])):
        return g.expand(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    if dims:
        g = g.sum(dims, keepdim=True)
    return g.reshape(shape)
    # END SOLUTION


def fit_to_input(g: Any, shape: tuple[int, ...], dtype: np.dtype) -> Tensor:
    """A gradient a rule returned, made to match its input: shape (unbroadcast), dtype (cast)."""
    if not isinstance(g, Tensor):
        raise RuntimeError(f"expected Tensor or None (got {type(g).__name__}): a backward "
                           "returned something else as a gradient")
    if g.array.shape != shape:
        g = unbroadcast(g, shape)
    if g.array.dtype != dtype:
        g = g.to(dtype)
    return g


def accumulate(leaf: Tensor, g: Tensor, create_graph: bool = False,
               shared: set[int] | None = None) -> None:
    """Add the gradient ``g`` into ``leaf.grad``, as PyTorch does.

    * No ``.grad`` yet: store ``g``. Without ``create_graph`` store it only if nothing else can
      see or change it: it owns its memory, is writeable and its ``id`` is not in ``shared``
      (root gradients, gradients handed out already, ``.grad`` s stored by this backward);
      otherwise store a copy (``np.array(g.array, copy=True)``, wrapped). Then add its id to
      ``shared``, so that no second leaf gets the same object.
    * A ``.grad`` already: with ``create_graph`` (or a ``.grad`` that requires grad) set
      ``leaf.grad + g`` (recorded); otherwise add in place (``+=`` on the array, then
      ``_bump_version()``), so that earlier references to ``.grad`` see the sum; if that array is
      read-only or of another shape, set a new sum instead.
    """
    # BEGIN SOLUTION 2.3 accumulate: store the first gradient, add later ones in place
    if shared is None:
        shared = set()
    if leaf.grad is None:
        if create_graph:
            leaf.grad = g
        else:
            owned = g.array.flags.owndata and g.array.flags.writeable and id(g) not in shared
            leaf.grad = g if owned else Tensor._wrap(np.array(g.array, copy=True))
        shared.add(id(leaf.grad))
    elif create_graph or leaf.grad._requires_grad:
        leaf.grad = leaf.grad + g
    else:
        current = leaf.grad.array
        if current.flags.writeable and current.shape == g.shape:
            current += g.array
            leaf.grad._bump_version()
        else:
            leaf.grad = Tensor._wrap(current + g.array)
    # END SOLUTION
