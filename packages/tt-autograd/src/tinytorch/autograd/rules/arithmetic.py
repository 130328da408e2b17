"""Backward rules of the arithmetic ops (forwards: ``tinytorch/tensor/arithmetic.py``).

Read each rule next to its forward. How the engine calls a rule (``ctx``, ``g``, saved tensors,
saved values) is explained in :mod:`tinytorch.autograd.rules.registry`. In short, for
``out = op(a, b)`` with ``g = dL/dout``, a rule returns ``(dL/da, dL/db)``; ``dL/da`` may keep the
broadcast shape of ``out``: the engine sums it back to ``a``'s shape.

``add`` and ``mul`` are worked examples; ``maximum`` and ``minimum`` are part of task 2.6 (masks
and selections), ``sub``, ``div``, ``pow``, ``floor_divide`` and ``remainder`` of task 2.7; the
rules after those are library code.
"""

from __future__ import annotations

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule, zeros_like

# -- worked examples ------------------------------------------------------------------------------


@rule()
def add(ctx: OpNode, g: Tensor) -> Grads:
    """d(a + b) = da + db: both inputs get ``g`` as it is."""
    return g, g


@rule(saves="inputs")
def mul(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor) -> Grads:
    """d(a b) = b da + a db. A gradient nobody wants is not computed."""
    da, db = ctx.needs_input_grad
    return (g * b if da else None), (g * a if db else None)


# -- 2.6 masks and selections ---------------------------------------------------------------------


@rule(saves="inputs")
def maximum(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor) -> Grads:
    """g goes to the larger input; where ``a == b`` each gets half (as PyTorch).

    Build the share of ``a`` in NumPy (1, 0.5 or 0, in ``g``'s dtype), wrap it with
    ``Tensor._wrap`` and return ``(g * share, g * (1 - share))``.
    """
    # BEGIN SOLUTION 2.6 maximum: to the larger input, ties split evenly
    share = (a.array > b.array) + 0.5 * (a.array == b.array)
    share_a = Tensor._wrap(share.astype(g.array.dtype))
    return g * share_a, g * (1 - share_a)
    # END SOLUTION


@rule(saves="inputs")
def minimum(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor) -> Grads:
    """g goes to the smaller input; where ``a == b`` each gets half (as PyTorch)."""
    # BEGIN SOLUTION 2.6 minimum: to the smaller input, ties split evenly
    share = (a.array < b.array) + 0.5 * (a.array == b.array)
    share_a = Tensor._wrap(share.astype(g.array.dtype))
    return g * share_a, g * (1 - share_a)
    # END SOLUTION


# -- 2.7 arithmetic -------------------------------------------------------------------------------


@rule()
def sub(ctx: OpNode, g: Tensor) -> Grads:
    """d(a - b) = da - db.

    Return ``(g, -g)``; compute ``-g`` only if ``ctx.needs_input_grad[1]`` (else None), as
    :func:`mul` does.
    """
    # BEGIN SOLUTION 2.7 sub: d(a - b) = da - db
    return g, (-g if ctx.needs_input_grad[1] else None)
    # END SOLUTION


@rule(saves="inputs")
def div(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor) -> Grads:
    """d(a / b) = da / b - a db / b^2.

    Hint: ``ga = g / b`` is needed for both, since ``gb = -ga * a / b``.
    """
    # BEGIN SOLUTION 2.7 div: d(a/b) = da/b - a db/b^2
    ga = g / b
    return ga, (-ga * a / b if ctx.needs_input_grad[1] else None)
    # END SOLUTION


@rule(saves="inputs+output")
def pow(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor, out: Tensor) -> Grads:
    """d(a^b) = b a^(b-1) da + a^b log(a) db.

    Two special points, as in PyTorch (the tests check both):

    * where ``b == 0`` the gradient of ``a`` is 0 (``0 * a^-1`` would be nan at ``a == 0``);
    * where ``a == 0`` and ``b >= 0`` the gradient of ``b`` is 0 (``log 0 = -inf``).

    Use ``t.where(mask, 0.0)`` (keep ``t`` where the NumPy bool ``mask`` is True, else 0) and the
    saved output for ``a^b``. Compute only the gradients ``ctx.needs_input_grad`` asks for.
    """
    # BEGIN SOLUTION 2.7 pow: d(a^b) = b a^(b-1) da + a^b log(a) db
    da, db = ctx.needs_input_grad
    ga = (g * b * a ** (b - 1)).where(b.array != 0, 0.0) if da else None
    if not db:
        return ga, None
    log_a = a.log().where(~((a.array == 0) & (b.array >= 0)), 0.0)
    return ga, g * out * log_a
    # END SOLUTION


@rule()
def floor_divide(ctx: OpNode, g: Tensor) -> Grads:
    """floor(a / b) is piecewise constant: both gradients are zeros (:func:`zeros_like`)."""
    # BEGIN SOLUTION 2.7 floor_divide: piecewise constant, zero gradients
    return zeros_like(g), zeros_like(g)
    # END SOLUTION


@rule(saves="inputs")
def remainder(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor) -> Grads:
    """a % b = a - floor(a / b) b, so d(a % b) = da - floor(a / b) db (``Tensor.floor``)."""
    # BEGIN SOLUTION 2.7 remainder: d(a % b) = da - floor(a/b) db
    return g, (-g * (a / b).floor() if ctx.needs_input_grad[1] else None)
    # END SOLUTION


# -- library --------------------------------------------------------------------------------------


@rule(saves="inputs")
def fmod(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor) -> Grads:
    """fmod(a, b) = a - trunc(a / b) b, so d = da - trunc(a / b) db."""
    return g, (-g * (a / b).trunc() if ctx.needs_input_grad[1] else None)


@rule(saves="inputs")
def atan2(ctx: OpNode, g: Tensor, a: Tensor, b: Tensor) -> Grads:
    """atan2(a, b) is the angle of the point (b, a): d = (b da - a db) / (a^2 + b^2)."""
    scaled = g / (a * a + b * b)
    da, db = ctx.needs_input_grad
    return (scaled * b if da else None), (-(scaled * a) if db else None)


@rule(saves="inputs")
def lerp(ctx: OpNode, g: Tensor, start: Tensor, end: Tensor, weight: Tensor) -> Grads:
    """start + w (end - start): d = (1 - w) dstart + w dend + (end - start) dw."""
    dstart, dend, dweight = ctx.needs_input_grad
    return ((g * (1 - weight) if dstart else None), (g * weight if dend else None),
            (g * (end - start) if dweight else None))
