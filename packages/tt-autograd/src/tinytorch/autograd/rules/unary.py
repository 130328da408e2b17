"""Backward rules of the unary math ops (forwards: ``tinytorch/tensor/unary.py``).

One value in, one value out, so a rule returns one gradient: ``g`` times the derivative, read off
the input ``x`` or, when cheaper, the saved output ``out`` (``exp``: the output itself).

``exp`` is a worked example; ``relu``, ``clamp`` and the rounding functions are part of task 2.6
(masks and selections), ``neg`` and ``log`` of task 2.7 (arithmetic), ``abs`` to ``log1p`` are
task 2.8; the rules after those are library code.
"""

from __future__ import annotations

import math

import numpy as np

from tinytorch.tensor import Tensor

from ..graph import OpNode
from .registry import Grads, rule, zeros_like

# -- worked example -------------------------------------------------------------------------------


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


@rule(saves="inputs")
def log(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d log(x) = dx / x."""
    # BEGIN SOLUTION 2.7 log: d log(x) = dx / x
    return g / x
    # END SOLUTION


# -- 2.8 unary math -------------------------------------------------------------------------------


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


# -- library --------------------------------------------------------------------------------------


@rule(saves="output")
def exp2(ctx: OpNode, g: Tensor, out: Tensor) -> Grads:
    """d 2^x = 2^x ln(2) dx."""
    return g * out * math.log(2.0)


@rule(saves="inputs")
def log2(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d log2(x) = dx / (x ln 2)."""
    return g / (x * math.log(2.0))


@rule(saves="inputs")
def log10(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d log10(x) = dx / (x ln 10)."""
    return g / (x * math.log(10.0))


@rule(saves="output")
def tan(ctx: OpNode, g: Tensor, out: Tensor) -> Grads:
    """d tan(x) = (1 + tan(x)^2) dx."""
    return g * (1 + out * out)


@rule(saves="inputs")
def asin(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d asin(x) = dx / sqrt(1 - x^2)."""
    return g / (1 - x * x).sqrt()


@rule(saves="inputs")
def acos(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d acos(x) = -dx / sqrt(1 - x^2)."""
    return -(g / (1 - x * x).sqrt())


@rule(saves="inputs")
def atan(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d atan(x) = dx / (1 + x^2)."""
    return g / (1 + x * x)


@rule(saves="inputs")
def sinh(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d sinh(x) = cosh(x) dx."""
    return g * x.cosh()


@rule(saves="inputs")
def cosh(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d cosh(x) = sinh(x) dx."""
    return g * x.sinh()


@rule(saves="inputs")
def asinh(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d asinh(x) = dx / sqrt(x^2 + 1)."""
    return g / (x * x + 1).sqrt()


@rule(saves="inputs")
def acosh(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d acosh(x) = dx / sqrt(x^2 - 1)."""
    return g / (x * x - 1).sqrt()


@rule(saves="inputs")
def atanh(ctx: OpNode, g: Tensor, x: Tensor) -> Grads:
    """d atanh(x) = dx / (1 - x^2)."""
    return g / (1 - x * x)
