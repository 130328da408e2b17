"""Backward rules of matrix products (forwards: ``tinytorch/tensor/linalg.py``): ``matmul`` is
task 2.11, ``einsum`` library code. (``diag``, ``tril`` and ``triu`` are made of indexing and
``where``: they need no rule of their own.)"""

from __future__ import annotations

import re
import string
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor
from tinytorch.tensor import einsum as tinytorch_einsum

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


# -- library ------------------------------------------------------------------------------------


@rule(saves="inputs")
def einsum(ctx: OpNode, g: Tensor, *operands: Tensor, equation: str) -> Grads:
    """The gradient of each operand is an einsum too: ``g`` and the other operands, summed down to
    that operand's letters (``"ij,jk->ik"``: ``dA = einsum("ik,jk->ij", g, B)``).

    Two cases need one more operand in that einsum: a letter only this operand has (summed over in
    the forward) gets a ``ones`` vector, which broadcasts the gradient back along it; a letter this
    operand repeats (``"ii->i"``: a diagonal) gets an identity matrix tying the repeat, under a
    fresh letter, to the first. Broadcast ``...`` dims are summed back by the engine.
    """
    inputs, output = equation.split("->")
    subscripts = inputs.split(",")
    spare = iter(c for c in string.ascii_letters if c not in equation)
    grads: list[Tensor | None] = []
    for k, (x, letters) in enumerate(zip(operands, subscripts)):
        if not ctx.needs_input_grad[k]:
            grads.append(None)
            continue
        terms = [(g, output)] + [(t, s) for j, (t, s) in enumerate(zip(operands, subscripts))
                                 if j != k]
        present = "".join(s for _, s in terms)
        sizes = _letter_sizes(letters, x.shape)
        target, seen = [], set()
        for token in re.findall(r"\.\.\.|\w", letters):
            if token == "...":
                if "..." not in present:  # the broadcast dims were summed over: ones again
                    terms.append((_ones(sizes["..."], g), "..."))
            elif token in seen:
                token_twin = next(spare)
                terms.append((_eye(sizes[token], g), token + token_twin))
                token = token_twin
            else:
                seen.add(token)
                if token not in present:
                    terms.append((_ones((sizes[token],), g), token))
            target.append(token)
        if "..." in present and "..." not in letters:  # broadcast dims x lacks: the engine sums
            target.insert(0, "...")
        spec = ",".join(s for _, s in terms) + "->" + "".join(target)
        grads.append(tinytorch_einsum(spec, *(t for t, _ in terms)))
    return tuple(grads)


def _letter_sizes(letters: str, shape: tuple[int, ...]) -> dict[str, Any]:
    """Each letter's size in an operand of ``shape`` (``"..."``: the shape it covers)."""
    head, _, tail = letters.partition("...")
    sizes: dict[str, Any] = dict(zip(head, shape))
    if "..." in letters:
        sizes.update(zip(tail, shape[len(shape) - len(tail):]))
        sizes["..."] = shape[len(head):len(shape) - len(tail)]
    return sizes


def _ones(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return Tensor._wrap(np.ones(shape, like.array.dtype))


def _eye(n: int, like: Tensor) -> Tensor:
    return Tensor._wrap(np.eye(n, dtype=like.array.dtype))
