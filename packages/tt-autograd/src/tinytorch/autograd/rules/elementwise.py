"""Backward rules of the elementwise ops (forwards: ``tinytorch/tensor/elementwise.py``).

Read each rule next to its forward. ``add``, ``mul`` and ``exp`` are worked examples; the others
are tasks 2.6 (masks and selections), 2.7 (arithmetic) and 2.8 (unary math and softmax), in the
order that lets each task's rules be differentiated again with the rules of earlier tasks only.
How the engine calls a rule (``ctx``, ``g``, saved tensors, saved values) is explained in
:mod:`tinytorch.autograd.rules.registry`. In short, for ``out = op(a, b)`` with ``g = dL/dout``,
a rule returns ``(dL/da, dL/db)``; ``dL/da`` may keep the broadcast shape of ``out``: the engine
sums it back to ``a``'s shape.
"""

from __future__ import annotations

import math

import numpy as np

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


@rule(saves="output")
def exp(ctx: OpNode, g: Tensor, out: Tensor) -> Grads:
    """d exp(x) = exp(x) dx: the output itself, saved by the forward."""
    return g * out


# -- 2.6 masks and selections: the gradient passes where the input got through --------------------


@rule(saves="output")
def relu(ctx: OpNode, g: Tensor, out: Tensor) -> Grads:
    """g passes where the output is positive, else 0: multiply by the mask ``out > 0``
    (a multiply is ~10x faster than ``np.where`` here)."""
    # BEGIN SOLUTION 2.6 relu: pass g where the output is positive
    return g * (out > 0)
    # END SOLUTION


@rule(saves="inputs")
def clamp(ctx: OpNode, g: Tensor, x: Tensor, *, min: float | None, max: float | None) -> Grads:
    """g passes where ``min <= x <= max`` (a bound that is None does not clamp), else 0.

    Build a NumPy bool mask from ``x.array`` and keep ``g`` with ``g.where(mask, 0.0)``.
    """
    # BEGIN SOLUTION 2.6 clamp: pass g where min <= x <= max
    inside = np.ones(x.shape, bool)
    if min is not None:
        inside &= x.array >= min
    if max is not None:
        inside &= x.array <= max
    return g.where(inside, 0.0)
    # END SOLUTION


@rule()
def where(ctx: OpNode, g: Tensor, *, condition: np.ndarray) -> Grads:
    """``where(condition, a, b)``: g goes to ``a`` where the (NumPy bool) condition holds, to
    ``b`` elsewhere; the other side gets 0 there. Compute only what ``ctx.needs_input_grad`` asks
    for."""
    # BEGIN SOLUTION 2.6 where: g to the side that was chosen
    da, db = ctx.needs_input_grad
    return (g.where(condition, 0.0) if da else None), (g.where(~condition, 0.0) if db else None)
    # END SOLUTION


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


@rule()
def sign(ctx: OpNode, g: Tensor) -> Grads:
    """Piecewise constant: zero wherever the derivative exists (:func:`zeros_like`)."""
    # BEGIN SOLUTION 2.6 sign: zero gradient
    return zeros_like(g)
    # END SOLUTION


@rule()
def floor(ctx: OpNode, g: Tensor) -> Grads:
    """Piecewise constant: zero wherever the derivative exists (:func:`zeros_like`)."""
    # BEGIN SOLUTION 2.6 floor: zero gradient
    return zeros_like(g)
    # END SOLUTION


@rule()
def ceil(ctx: OpNode, g: Tensor) -> Grads:
    """Piecewise constant: zero wherever the derivative exists (:func:`zeros_like`)."""
    # BEGIN SOLUTION 2.6 ceil: zero gradient
    return zeros_like(g)
    # END SOLUTION


@rule()
def round(ctx: OpNode, g: Tensor) -> Grads:
    """Piecewise constant: zero wherever the derivative exists (:func:`zeros_like`)."""
    # BEGIN SOLUTION 2.6 round: zero gradient
    return zeros_like(g)
    # END SOLUTION


@rule()
def trunc(ctx: OpNode, g: Tensor) -> Grads:
    """Piecewise constant: zero wherever the derivative exists (:func:`zeros_like`)."""
    # BEGIN SOLUTION 2.6 trunc: zero gradient
    return zeros_like(g)
    # END SOLUTION


# -- 2.7 arithmetic -------------------------------------------------------------------------------


@rule()
def neg(ctx: OpNode, g: Tensor) -> Grads:
    """d(-x) = -dx."""
    # BEGIN SOLUTION 2.7 neg: d(-x) = -dx
    return -g
    # END SOLUTION


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


@rule(saves="inputs")
def log(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d log(x) = dx / x."""
    # BEGIN SOLUTION 2.7 log: d log(x) = dx / x
    return g / x
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


# -- 2.8 unary math and softmax -------------------------------------------------------------------


@rule(saves="inputs")
def abs(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d|x| = sign(x) dx (0 at 0, as PyTorch).

    The sign is a constant (its own derivative is 0): compute it in NumPy (``np.sign(x.array)``)
    and wrap it with ``Tensor._wrap``, so that a second derivative does not go through it.
    """
    # BEGIN SOLUTION 2.8 abs: d|x| = sign(x) dx
    return g * Tensor._wrap(np.sign(x.array))
    # END SOLUTION


@rule(saves="output")
def sqrt(ctx: OpNode, g: Tensor, out: Tensor) -> Grads:
    """d sqrt(x) = dx / (2 sqrt(x)): use the saved output ``out = sqrt(x)``."""
    # BEGIN SOLUTION 2.8 sqrt: d sqrt(x) = dx / (2 sqrt(x))
    return g / (2 * out)
    # END SOLUTION


@rule(saves="inputs")
def sin(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d sin(x) = cos(x) dx."""
    # BEGIN SOLUTION 2.8 sin: d sin(x) = cos(x) dx
    return g * x.cos()
    # END SOLUTION


@rule(saves="inputs")
def cos(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d cos(x) = -sin(x) dx."""
    # BEGIN SOLUTION 2.8 cos: d cos(x) = -sin(x) dx
    return g * -x.sin()
    # END SOLUTION


@rule(saves="output")
def tanh(ctx: OpNode, g: Tensor, out: Tensor) -> Grads:
    """d tanh(x) = (1 - tanh(x)^2) dx: use the saved output ``out = tanh(x)``."""
    # BEGIN SOLUTION 2.8 tanh: d tanh(x) = (1 - tanh^2) dx
    return g * (1 - out * out)
    # END SOLUTION


@rule(saves="output")
def sigmoid(ctx: OpNode, g: Tensor, out: Tensor) -> Grads:
    """d s(x) = s (1 - s) dx with ``s = out``, the saved output."""
    # BEGIN SOLUTION 2.8 sigmoid: d s(x) = s (1 - s) dx
    return g * out * (1 - out)
    # END SOLUTION


@rule(saves="inputs")
def erf(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d erf(x) = 2/sqrt(pi) exp(-x^2) dx."""
    # BEGIN SOLUTION 2.8 erf: d erf(x) = 2/sqrt(pi) exp(-x^2) dx
    return g * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()
    # END SOLUTION


@rule(saves="inputs")
def log1p(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d log(1 + x) = dx / (1 + x)."""
    # BEGIN SOLUTION 2.8 log1p: d log(1+x) = dx / (1 + x)
    return g / (x + 1)
    # END SOLUTION


@rule(saves="output")
def softmax(ctx: OpNode, g: Tensor, out: Tensor, *, dim: int) -> Grads:
    """With ``s = softmax(x)`` along ``dim``: dx = s * (g - sum(g * s)), the sum along ``dim``
    with ``keepdim=True`` (one number per row, broadcast back over the row)."""
    # BEGIN SOLUTION 2.8 softmax: s * (g - sum(g * s, dim))
    return out * (g - (g * out).sum(dim, keepdim=True))
    # END SOLUTION


@rule(saves="output")
def log_softmax(ctx: OpNode, g: Tensor, out: Tensor, *, dim: int) -> Grads:
    """With ``out = log_softmax(x)`` along ``dim``: dx = g - exp(out) * sum(g), the sum along
    ``dim`` with ``keepdim=True`` (``exp(out)`` is the softmax)."""
    # BEGIN SOLUTION 2.8 log_softmax: g - softmax * sum(g, dim)
    return g - out.exp() * g.sum(dim, keepdim=True)
    # END SOLUTION
