"""Closed-form FLOPs of the layers whose arithmetic runs inside a ``Function`` (so part 1's op
observers never see it): convolution, pooling and batch norm (part 4), attention and layer norm
(part 5), and this part's fused ops. Importing this module registers them with
:func:`~tinytorch.systems.flops.register_module_flops`; the conventions are :mod:`.flops`'s.

Attention with ``nh`` heads of size ``hs`` (C = nh hs), T queries and S keys (S = T, or the
cached length with a KV cache)::

    qkv projection      2 B T C (3C) + 3C B T       (a Linear with bias)
    scores  Q K^T       2 B nh T S hs
    scale + softmax     6 B nh T S                  (1 + 5 per score)
    weighted sum  A V   2 B nh T S hs
    output projection   2 B T C C + B T C

The causal mask is not subtracted: like PyTorch's FLOP counter we count the dense products
that are computed (half the scores are masked, but they are computed).
"""

from __future__ import annotations

from typing import Any

from tinytorch.tensor import Tensor
from tinytorch.text import LayerNorm, MultiHeadAttention
from tinytorch.vision import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    MaxPool2d,
)

from .flops import linear_flops, register_module_flops
from .fused import FusedGELU

__all__ = ["conv2d_flops", "attention_flops", "pool_flops", "per_element"]


def conv2d_flops(module: Conv2d, args: tuple[Any, ...], kwargs: dict[str, Any],
                 output: Tensor) -> int:
    """``2 N O oh ow (C / groups) kh kw``, plus ``N O oh ow`` for the bias: each output value is
    a dot product of length ``(C / groups) kh kw``. Read N, O, oh, ow from ``output``'s shape
    ((O, oh, ow) for an unbatched input) and kh, kw from the weight."""
    # BEGIN SOLUTION 6.3 closed-form FLOPs of a convolution
    n, o, oh, ow = output.shape if output.ndim == 4 else (1, *output.shape)
    kh, kw = module.weight.shape[2:]
    per_output = 2 * (module.in_channels // module.groups) * kh * kw
    flops = n * o * oh * ow * per_output
    if module.bias is not None:
        flops += n * o * oh * ow
    return flops
    # END SOLUTION


def pool_flops(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any) -> int:
    """Max/avg pooling: one operation per window element of every output."""
    out = output[0] if isinstance(output, tuple) else output
    kernel = module.kernel_size
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    return out.array.size * kh * kw


def per_element(cost: int) -> Any:
    """A rule of ``cost`` FLOPs per input element (norms, activations)."""
    def rule(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any) -> int:
        return cost * args[0].array.size
    return rule


def attention_flops(module: MultiHeadAttention, args: tuple[Any, ...],
                    kwargs: dict[str, Any], output: Any) -> int:
    """The table of the module docstring. ``x = args[0]`` is (B, T, C); with a cache
    (``kwargs["cache"]``) the keys number ``cache.length`` (already updated when the hook runs).
    Price both projections with :func:`~tinytorch.systems.flops.linear_flops`."""
    x = args[0]
    b, t, c = x.shape
    cache = kwargs.get("cache")
    # BEGIN SOLUTION 6.3 closed-form FLOPs of multi-head attention
    s = getattr(cache, "length", t) if cache is not None else t
    nh, hs = module.num_heads, module.head_dim
    projections = (linear_flops(module.c_attn, (x,), {}, None)
                   + linear_flops(module.c_proj, (x,), {}, None))
    core = 2 * b * nh * t * s * hs * 2 + 6 * b * nh * t * s
    return projections + core
    # END SOLUTION


register_module_flops(Conv2d, conv2d_flops)
register_module_flops(MaxPool2d, pool_flops)
register_module_flops(AvgPool2d, pool_flops)
register_module_flops(AdaptiveAvgPool2d, per_element(1))
register_module_flops(BatchNorm1d, per_element(4))
register_module_flops(BatchNorm2d, per_element(4))
register_module_flops(MultiHeadAttention, attention_flops)
register_module_flops(LayerNorm, per_element(7))
register_module_flops(FusedGELU, per_element(5))
