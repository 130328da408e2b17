"""Backward rule of matrix multiplication (forward: ``tinytorch/tensor/linalg.py``)."""

from __future__ import annotations

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule


@rule(saves="inputs")
def matmul(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor) -> Grads:
    """For ``out = a @ b`` with ``a`` (..., n, k), ``b`` (..., k, m), ``g`` (..., n, m):
    ``da = g @ b^T`` (..., n, k) and ``db = a^T @ g`` (..., k, m), ``^T`` being ``.mT``.

    A 1-D ``a`` (k,) acts as a (1, k) matrix and a 1-D ``b`` (k,) as a (k, 1) matrix whose extra
    dim the forward dropped: put those dims back (``unsqueeze``) on the operands and on ``g``,
    multiply, then ``squeeze`` them off the gradients. Batch dims broadcast by the forward need
    nothing: the engine sums them. Skip a gradient ``ctx.needs_input_grad`` does not ask for (the
    first layer's input: half the work).
    """
    # BEGIN SOLUTION 2.11 matmul: g @ b^T and a^T @ g, 1-D operands as 1-row/1-column matrices
    da, db = ctx.needs_input_grad
    a2 = a.unsqueeze(0) if a.ndim == 1 else a  # (1, k)
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b  # (k, 1)
    if a.ndim == 1:
        g = g.unsqueeze(-1 if b.ndim == 1 else -2)
    if b.ndim == 1:
        g = g.unsqueeze(-1)
    ga = g @ b2.mT if da else None
    gb = a2.mT @ g if db else None
    if ga is not None and a.ndim == 1:
        ga = ga.squeeze(-2)
    if gb is not None and b.ndim == 1:
        gb = gb.squeeze(-1)
    return ga, gb
    # END SOLUTION
