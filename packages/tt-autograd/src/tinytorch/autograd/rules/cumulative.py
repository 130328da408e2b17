"""Backward rules of the running sums and products (forwards: ``tinytorch/tensor/cumulative.py``).

``cumsum`` is part of task 2.12; ``cumprod`` is library code. (``cummax`` and ``cummin`` read their
values with ``gather``: they need no rule of their own.)
"""

from __future__ import annotations

import numpy as np

from tinytorch.tensor import Tensor, stack

from ..graph import OpNode
from .registry import Grads, rule


@rule()
def cumsum(ctx: OpNode, g: Tensor, *, dim: int) -> Grads:
    """``out[i] = x[0] + ... + x[i]``, so x[j] gets ``g[j] + ... + g[n-1]``: a running sum of
    ``g`` from the end (``flip``, ``cumsum``, ``flip`` back)."""
    # BEGIN SOLUTION 2.12 cumsum: a reversed running sum of the gradient
    return g.flip(dim).cumsum(dim).flip(dim)
    # END SOLUTION


@rule(saves="inputs+output")
def cumprod(ctx: OpNode, g: Tensor, x: Tensor, out: Tensor, *, dim: int) -> Grads:
    """``out[j] = x[0] ... x[j]``, so x[i] gets ``sum_{j >= i} g[j] out[j] / x[i]``: a reversed
    running sum of ``g * out``, divided by ``x``.

    That divides by zero where ``x`` has zeros. Exactly: x[i] gets ``(x[0] ... x[i-1]) * s[i]``
    with ``s[i] = g[i] + x[i+1] s[i+1]`` (``s[n-1] = g[n-1]``), a scan from the end. With zeros
    (rare) it runs as a loop along ``dim``, in Tensor ops so that it is differentiable again.
    """
    if not np.any(x.array == 0):
        return (g * out).flip(dim).cumsum(dim).flip(dim) / x
    xs, gs = x.movedim(dim, 0), g.movedim(dim, 0)
    n = xs.shape[0]
    scan = [gs[n - 1]]
    for i in range(n - 2, -1, -1):
        scan.append(gs[i] + xs[i + 1] * scan[-1])
    scan.reverse()
    before = [xs[0] * 0 + 1]
    for i in range(1, n):
        before.append(before[-1] * xs[i - 1])
    return stack([b * s for b, s in zip(before, scan)], 0).movedim(0, dim)
