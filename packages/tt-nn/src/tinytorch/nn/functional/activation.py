"""Activation functions: ``relu``, ``gelu``, ``softmax``... (``torch.nn.functional`` names).

Each is a composition of part-1 Tensor ops (``where``, ``exp``, ``clamp``, ``tanh``, ``erf``...),
so part 2 differentiates it, to any order, with no new backward rule. ``inplace=True`` writes the
result into the input (``input.copy_(result)``, recorded by autograd like any in-place op).

``leaky_relu`` to ``softplus`` are the ones you write; the rest are built the same way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

__all__ = [
    "relu", "relu_", "leaky_relu", "elu", "gelu", "silu", "softplus", "relu6", "celu", "selu",
    "mish", "sigmoid", "logsigmoid", "tanh", "tanhshrink", "softsign", "hardtanh", "hardsigmoid",
    "hardswish", "threshold", "prelu", "glu", "softmax", "softmin", "log_softmax",
]


def _inplace(input: Tensor, result: Tensor, inplace: bool) -> Tensor:
    """``result``, or (``inplace=True``) ``input`` overwritten with it (recorded by autograd)."""
    return input.copy_(result) if inplace else result


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) (part 1's ``Tensor.relu``)."""
    return input.relu_() if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``."""
    return input.relu_()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise.

    Pick between the two with ``input.where(input > 0, other)``; end with
    ``return _inplace(input, result, inplace)`` (so does every function below).
    """
    # BEGIN SOLUTION 3.12 leaky relu
    result = input.where(input > 0, input * negative_slope)
    return _inplace(input, result, inplace)
    # END SOLUTION


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    ``where`` evaluates both branches everywhere: take the exp of ``input.clamp(max=0)`` so a
    large positive x cannot overflow (and give a nan gradient) in the branch it does not use.
    """
    # BEGIN SOLUTION 3.12 elu (exp of the clamped input, so large x cannot overflow)
    negative = (input.clamp(max=0).exp() - 1) * alpha
    return _inplace(input, input.where(input > 0, negative), inplace)
    # END SOLUTION


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF: ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``.

    ``approximate="tanh"`` (GPT-2's form): ``Phi(x) ~ (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    / 2``. Part 1 has ``Tensor.erf`` and ``Tensor.tanh``.

    Raises:
        RuntimeError: ``approximate`` is neither ``"none"`` nor ``"tanh"`` (as PyTorch).
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    # BEGIN SOLUTION 3.12 gelu, exact (erf) and tanh approximation
    if approximate == "tanh":
        inner = (input + 0.044715 * input * input * input) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (1.0 + inner.tanh())
    return input * 0.5 * (1.0 + (input * (1.0 / math.sqrt(2.0))).erf())
    # END SOLUTION


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish): part 1's ``Tensor.sigmoid``, then ``_inplace``."""
    # BEGIN SOLUTION 3.12 silu
    return _inplace(input, input * input.sigmoid(), inplace)
    # END SOLUTION


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, and x itself where ``beta * x > threshold``.

    Computed as written, exp overflows for large ``beta * x``. With ``z = beta * x`` and any
    constant ``m``: ``log(1 + e^z) = m + log(e^-m + e^(z - m))``; ``m = max(z, 0)`` (detached:
    ``z.clamp(min=0).detach()``) keeps every exponent <= 0. Then ``input.where(z > threshold,
    smooth)``.
    """
    # BEGIN SOLUTION 3.12 softplus, stable: m + log(e^-m + e^(z-m)) with m = max(z, 0)
    z = input * beta
    m = z.clamp(min=0).detach()
    smooth = (m + ((-m).exp() + (z - m).exp()).log()) / beta
    return input.where(z > threshold, smooth)
    # END SOLUTION


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else ``alpha * (exp(x / alpha) - 1)``."""
    negative = ((input.clamp(max=0) / alpha).exp() - 1) * alpha
    return _inplace(input, input.where(input > 0, negative), inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants of Klambauer et al."""
    return _inplace(input, elu(input, _SELU_ALPHA) * _SELU_SCALE, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return _inplace(input, input * softplus(input).tanh(), inplace)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val] (gradient 0 at and beyond the ends, as PyTorch)."""
    inside = Tensor(((input.array > min_val) & (input.array < max_val)).astype(input.array.dtype))
    clipped = Tensor(np.clip(input.array, min_val, max_val) * (1 - inside.array))
    return _inplace(input, input * inside + clipped, inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``."""
    return _inplace(input, input.where(input > threshold, Tensor(np.asarray(
        value, dtype=input.array.dtype))), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6, gradient 1/6 strictly inside (-3, 3)."""
    return _inplace(input, hardtanh(input / 6 + 0.5, 0.0, 1.0), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    x = input.array
    mid = (x > -3) & (x < 3)
    # PyTorch's gradient: 0 up to -3, x/3 + 1/2 inside (-3, 3), 1 from 3 on
    out = input * Tensor(((x >= 3) + mid * (x + 3) / 6).astype(x.dtype))
    correction = Tensor((mid * x / 6).astype(x.dtype))  # d/dx of x(x+3)/6 is x/3 + 1/2
    out = out + (input - input.detach()) * correction
    return _inplace(input, out, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), finite for large |x|."""
    return -softplus(-input)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else ``weight * x``, one weight per channel (dim 1) or one for all."""
    if weight.numel() != 1 and input.ndim >= 2:
        shape = [1] * input.ndim
        shape[1] = weight.numel()
        weight = weight.reshape(shape)
    return input.where(input > 0, input * weight)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), a and b the two halves of ``input`` along ``dim``."""
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{input.shape[dim]}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (part 1's stable ``Tensor.softmax``); ``dtype``
    casts the input first."""
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def softmin(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(dim)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along ``dim`` (part 1's ``Tensor.log_softmax``, its own backward rule in
    part 2); finite even for logits of 1e4."""
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)
