"""Positional encodings: attention is blind to order, so each position gets a vector added.

Both modules map integer positions (any shape) to vectors ``(*, dim)``:

* :class:`SinusoidalPositionalEncoding` (Vaswani et al., 2017), fixed:
  ``PE[p, 2i] = sin(p / base^(2i/dim))`` and ``PE[p, 2i+1] = cos(p / base^(2i/dim))``;
  wavelengths grow geometrically from 2 pi to ``base`` * 2 pi, and ``PE[p + k]`` is a linear
  function (a rotation) of ``PE[p]``.
* :class:`LearnedPositionalEncoding` (GPT), a learned table: an :class:`Embedding` over
  positions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinytorch.nn import Module, init
from tinytorch.tensor import Tensor, randn

from .embedding import Embedding, _check_ids

__all__ = ["sinusoidal_encoding", "SinusoidalPositionalEncoding", "LearnedPositionalEncoding"]


def sinusoidal_encoding(num_positions: int, dim: int, base: float = 10000.0) -> Tensor:
    """The float32 table ``(num_positions, dim)`` of sinusoidal encodings (``dim`` even).

    ``PE[p, 2i] = sin(p * w_i)`` and ``PE[p, 2i + 1] = cos(p * w_i)`` with frequencies
    ``w_i = base ** (-2i / dim)``, i = 0 .. dim/2 - 1. Compute the angles as an outer
    product: positions as a column (P, 1) times frequencies (dim/2,) -> (P, dim/2); fill the
    even columns with the sines and the odd ones with the cosines (``table[:, 0::2]``).
    Compute in float64, return a float32 Tensor.
    """
    if dim % 2:
        raise ValueError(f"sinusoidal encodings pair a sine with a cosine: dim must be even, "
                         f"got {dim}")
    # BEGIN SOLUTION 5.7 PE[p, 2i] = sin(p w_i), PE[p, 2i+1] = cos(p w_i), w_i = base^(-2i/dim)
    positions = np.arange(num_positions, dtype=np.float64)[:, None]  # (P, 1)
    frequencies = np.exp(np.arange(0, dim, 2) * (-math.log(base) / dim))  # (dim/2,)
    angles = positions * frequencies  # (P, dim/2)
    table = np.empty((num_positions, dim), dtype=np.float32)
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return Tensor(table)
    # END SOLUTION


class SinusoidalPositionalEncoding(Module):
    """Fixed sinusoidal encodings of positions ``0 .. max_len - 1`` (no parameters).

    Shape: positions (*) integer -> (*, dim).
    """

    def __init__(self, max_len: int, dim: int, base: float = 10000.0) -> None:
        super().__init__()
        self.max_len, self.dim = max_len, dim
        self.register_buffer("table", sinusoidal_encoding(max_len, dim, base), persistent=False)

    def forward(self, positions: Tensor) -> Tensor:
        ids = _check_positions(positions, self.max_len)
        return Tensor(self.table.array[ids])

    def extra_repr(self) -> str:
        return f"max_len={self.max_len}, dim={self.dim}"


class LearnedPositionalEncoding(Embedding):
    """A learned vector per position ``0 .. max_len - 1`` (GPT's ``wpe``), initialised N(0, std).

    Shape: positions (*) integer -> (*, dim).
    """

    def __init__(self, max_len: int, dim: int, std: float = 0.02, dtype: Any = None) -> None:
        super().__init__(max_len, dim, _weight=randn(max_len, dim, dtype=dtype) * std)
        self.max_len, self.std = max_len, std

    def reset_parameters(self) -> None:
        init.normal_(self.weight, 0.0, self.std)

    def forward(self, positions: Tensor) -> Tensor:
        _check_positions(positions, self.max_len)
        return super().forward(positions)


def _check_positions(positions: Any, max_len: int) -> np.ndarray:
    ids = np.asarray(getattr(positions, "array", positions))
    if ids.size and ids.dtype.kind in "iu" and ids.max() >= max_len:
        raise IndexError(f"position {int(ids.max())} is beyond the {max_len} positions this "
                         f"encoding holds (max_len={max_len}, a model's block_size)")
    return _check_ids(ids, max_len)
