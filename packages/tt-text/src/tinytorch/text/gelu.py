"""GELU as one graph node: ``gelu(x) = x * Phi(x)``, Phi the standard normal CDF.

``Phi(x) = (1 + erf(x / sqrt 2)) / 2`` and ``gelu'(x) = Phi(x) + x * phi(x)``, with
``phi(x) = exp(-x^2 / 2) / sqrt(2 pi)`` the normal density. The MLP of every transformer block
applies it to a (B, T, 4C) activation, the largest of the model, so it is worth its own
Function: part 3's ``F.gelu`` composes about a dozen Tensor ops and evaluates erf in float64;
here erf runs in the input's precision (Abramowitz & Stegun 7.1.26, absolute error < 2e-7 in
float32) and the backward is one multiplication by the saved derivative.

Second derivatives stay exact: the backward multiplies by :class:`GELUDerivative`, itself a
Function whose backward is ``gelu''(x) = phi(x) (2 - x^2)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinytorch.autograd import Function, is_grad_enabled
from tinytorch.tensor import Tensor

__all__ = ["gelu", "GELUFunction", "GELUDerivative"]

_P = 0.3275911
_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def normal_cdf_and_pdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(Phi(x), phi(x))`` elementwise, in the dtype of x (float32 stays float32).

    ``Phi(x) = (1 + erf(x / sqrt 2)) / 2`` with ``erf(z) = sign(z) (1 - poly(t) exp(-z^2))``,
    ``t = 1 / (1 + p |z|)``. Written with in-place ufuncs and ``copysign`` (``np.where`` on a
    random sign pattern is ten times slower than the whole rest).
    """
    f = x.dtype.type
    z = np.abs(x)
    z *= f(1.0 / math.sqrt(2.0))  # |x| / sqrt 2
    gauss = np.square(z)
    np.negative(gauss, out=gauss)
    np.exp(gauss, out=gauss)  # exp(-x^2 / 2)
    t = z
    t *= f(_P)
    t += f(1.0)
    np.reciprocal(t, out=t)
    poly = t * f(_A[4])
    for a in _A[3::-1]:  # Horner: (((a4 t + a3) t + a2) t + a1) t + a0, then times t
        poly += f(a)
        poly *= t
    poly *= gauss  # 1 - erf(|x| / sqrt 2)
    np.subtract(f(1.0), poly, out=poly)  # erf(|x| / sqrt 2)
    np.copysign(poly, x, out=poly)  # erf(x / sqrt 2)
    poly += f(1.0)
    poly *= f(0.5)  # Phi(x)
    gauss *= f(1.0 / math.sqrt(2.0 * math.pi))  # phi(x)
    return poly, gauss


class GELUFunction(Function):
    """``x * Phi(x)``; saves ``gelu'(x)`` for the backward."""

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        a = x.array
        if a.dtype == np.float64:  # exact erf for float64 (gradient checks)
            cdf = 0.5 * (1.0 + Tensor(a / math.sqrt(2.0)).erf().array)
            pdf = np.exp(-0.5 * a * a) / math.sqrt(2.0 * math.pi)
        else:
            cdf, pdf = normal_cdf_and_pdf(a)
        ctx.save_for_backward(x)
        ctx.slope = cdf + a * pdf  # gelu'(x)
        ctx.pdf = pdf
        return Tensor(a * cdf)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * GELUDerivative.apply(x, ctx.slope, ctx.pdf)


class GELUDerivative(Function):
    """``gelu'(x)`` (given precomputed); its own derivative is ``phi(x) (2 - x^2)``."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, slope: np.ndarray, pdf: np.ndarray) -> Tensor:
        ctx.save_for_backward(x)
        ctx.pdf = pdf
        return Tensor(slope)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        if is_grad_enabled():
            raise RuntimeError("gelu: third and higher derivatives are not implemented")
        (x,) = ctx.saved_tensors
        a = x.array
        return Tensor(grad.array * ctx.pdf * (2 - a * a)), None, None


def gelu(input: Tensor) -> Tensor:
    """``x * Phi(x)`` elementwise (exact GELU, as ``torch.nn.functional.gelu``)."""
    if not input.is_floating_point():
        raise TypeError(f"gelu: expected a float tensor, got {input.dtype.name}")
    return GELUFunction.apply(input)
