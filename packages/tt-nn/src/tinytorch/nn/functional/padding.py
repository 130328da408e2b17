"""``pad``: grow (or, with negative amounts, crop) the last dims of a tensor.

``constant`` is part 1's ``tinytorch.tensor.pad``. The other modes are one gather per padded dim:
an index array built with NumPy (``np.pad`` of ``arange``), then ``input[..., index]``, so part 2
differentiates them through ``getitem`` and nothing new needs a backward rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor
from tinytorch.tensor import pad as _constant_pad

__all__ = ["pad"]


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or, with negative amounts, crop) the last ``len(pad) // 2`` dims.

    ``pad`` lists (before, after) pairs starting from the LAST dim: ``(1, 1)`` pads the last dim,
    ``(1, 1, 2, 2)`` the last two. ``mode``: ``"constant"`` (with ``value``, default 0),
    ``"reflect"`` (mirror, edge not repeated), ``"replicate"`` (repeat the edge) or
    ``"circular"`` (wrap around). As in PyTorch, ``reflect`` and ``replicate`` pad the whole dim
    and then crop, while ``circular`` crops first and wraps around what is left:
    ``pad([0, 1, 2, 3, 4], (1, -2), "circular")`` is ``[2, 0, 1, 2]``.
    """
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length must be divisible by 2 and at most twice the number "
                           f"of dims ({input.ndim}), got {tuple(pad)}")
    if mode == "constant":
        return _constant_pad(input, [int(p) for p in pad], value=0.0 if value is None else value)
    numpy_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}.get(mode)
    if numpy_mode is None:
        raise NotImplementedError(f"Unsupported padding mode: {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    out = input
    for i in range(len(pad) // 2):  # one gather per padded dim: differentiable through getitem
        dim = input.ndim - 1 - i
        before, after = int(pad[2 * i]), int(pad[2 * i + 1])
        n = out.shape[dim]
        if mode == "reflect" and max(before, after) >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({before}, {after}) at "
                               f"dimension {dim} of input {tuple(input.shape)}")
        kept = n - max(-before, 0) - max(-after, 0)
        if kept < 0:
            raise RuntimeError(f"Negative padding ({before}, {after}) crops more than the "
                               f"{n} elements of dimension {dim} of input {tuple(input.shape)}")
        index, grow = np.arange(n), (max(before, 0), max(after, 0))
        if mode == "circular":  # crop first, then wrap around what is left
            if max(before, after) > kept:
                raise RuntimeError(f"Padding value causes wrapping around more than once: "
                                   f"padding ({before}, {after}) at dimension {dim}, which has "
                                   f"{kept} elements after cropping")
            index = index[max(-before, 0):n - max(-after, 0)]
            index = np.pad(index, grow, mode="wrap")
        else:  # pad the whole dim, then crop
            index = np.pad(index, grow, mode=numpy_mode)
            index = index[max(-before, 0):len(index) - max(-after, 0)]
        out = out[(slice(None),) * dim + (Tensor(index.astype(np.int64)),)]
    return out
