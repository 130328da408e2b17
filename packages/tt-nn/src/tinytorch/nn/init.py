"""Weight initialisation, as ``torch.nn.init``: every function fills a tensor in place (under
``no_grad``), returns it, and accepts ``generator=`` for reproducible draws.

The scaled schemes keep activations at a steady size from layer to layer:

=====================  ==================================  ==============================
scheme                 std                                 uniform bound
=====================  ==================================  ==============================
xavier (Glorot 2010)   gain * sqrt(2 / (fan_in + fan_out))  sqrt(3) * std
kaiming (He 2015)      gain / sqrt(fan)                     sqrt(3) * std
=====================  ==================================  ==============================

``fan_in`` of a weight of shape ``(out, in, *kernel)`` is ``in * prod(kernel)`` (what one output
sums over); ``fan_out`` is ``out * prod(kernel)``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from tinytorch.autograd import no_grad
from tinytorch.tensor import Generator, Tensor, randn

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "dirac_", "orthogonal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
    "kaiming_normal_",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: the factor that keeps the signal's std steady
    through it (PyTorch's table): 1 for ``"linear"``, the conv names and ``"sigmoid"``; 5/3
    for ``"tanh"``; sqrt(2) for ``"relu"``; sqrt(2 / (1 + slope^2)) for ``"leaky_relu"`` with
    ``param`` the negative slope (default 0.01); 3/4 for ``"selu"``.

    Raises:
        ValueError: an unknown nonlinearity, or a ``param`` that is not a number.
    """
    # BEGIN SOLUTION 3.8 gains of the nonlinearities
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
    # END SOLUTION


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a Linear ``(out, in)`` or conv ``(out, in, *kernel)`` weight:
    ``in * prod(kernel)`` and ``out * prod(kernel)`` (``math.prod`` of ``tensor.shape[2:]``).

    Raises:
        ValueError: fewer than 2 dims (the message names the shape).
    """
    # BEGIN SOLUTION 3.8 fans of a weight tensor
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (got shape {tuple(tensor.shape)})")
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    return fan_in, fan_out
    # END SOLUTION


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _no_elements(tensor: Tensor) -> bool:
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return True
    return False


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator | None = None) -> Tensor:
    """Fill with samples from U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator | None = None) -> Tensor:
    """Fill with samples from N(mean, std^2)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std^2) samples redrawn until they fall in [a, b] (rejection sampling)."""
    if a >= b:
        raise ValueError(f"trunc_normal_: a ({a}) must be less than b ({b})")
    values = (randn(tensor.shape, generator=generator, dtype="float64") * std + mean).array
    bad = (values < a) | (values > b)
    while bad.any():
        redraw = randn(int(bad.sum()), generator=generator, dtype="float64").array * std + mean
        values[bad] = redraw
        bad = (values < a) | (values > b)
    with no_grad():
        return tensor.copy_(Tensor(values))


def constant_(tensor: Tensor, val: float) -> Tensor:
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix."""
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got {tensor.ndim}")
    with no_grad():
        return tensor.copy_(Tensor(np.eye(*tensor.shape, dtype=tensor.array.dtype)))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-5-d conv weight so that the convolution is the identity (per group)."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    out_per_group = tensor.shape[0] // groups
    min_dim = min(out_per_group, tensor.shape[1])
    values = np.zeros(tensor.shape, dtype=tensor.array.dtype)
    centre = tuple(n // 2 for n in tensor.shape[2:])
    for g in range(groups):
        for d in range(min_dim):
            values[(g * out_per_group + d, d) + centre] = 1
    with no_grad():
        return tensor.copy_(Tensor(values))


def orthogonal_(tensor: Tensor, gain: float = 1.0,
                generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix (Saxe et al. 2013): QR of a Gaussian matrix, signs
    fixed so that the draw is uniform; dims after the first are flattened."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = randn(rows, cols, generator=generator, dtype="float64").array
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    with no_grad():
        return tensor.copy_(Tensor((gain * q).reshape(tensor.shape).astype(tensor.array.dtype)))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: Generator | None = None) -> Tensor:
    """Glorot uniform: U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out)).

    Fans from ``_calculate_fan_in_and_fan_out``; fill with ``uniform_(tensor, -bound, bound,
    generator)`` and return what it returns (the tensor)."""
    # BEGIN SOLUTION 3.9 xavier uniform
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)
    # END SOLUTION


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Generator | None = None) -> Tensor:
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)); fill with
    ``normal_(tensor, 0.0, std, generator)``."""
    # BEGIN SOLUTION 3.9 xavier normal
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)
    # END SOLUTION


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None) -> Tensor:
    """He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan).

    ``fan`` is ``_calculate_correct_fan(tensor, mode)`` (``"fan_in"`` or ``"fan_out"``) and
    ``gain = calculate_gain(nonlinearity, a)``: ``a`` is the negative slope of the leaky ReLU
    that follows (0 for ReLU). Linear layers use ``a = sqrt(5)``, which gives
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    """
    if _no_elements(tensor):
        return tensor
    # BEGIN SOLUTION 3.9 kaiming uniform
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)
    # END SOLUTION


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None) -> Tensor:
    """He normal: N(0, std^2) with std = gain / sqrt(fan) (fan and gain as in
    :func:`kaiming_uniform_`)."""
    if _no_elements(tensor):
        return tensor
    # BEGIN SOLUTION 3.9 kaiming normal
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)
    # END SOLUTION
