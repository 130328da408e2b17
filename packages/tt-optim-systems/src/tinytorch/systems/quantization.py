"""int8 quantization: store numbers in one byte instead of four, with a known error.

A float x is represented by an integer q in [-128, 127] and two parameters shared by many
numbers, a *scale* s and a *zero point* z:

    q = clamp(round(x / s) + z, -128, 127)        x ~ (q - z) * s

Rounding is half-to-even (``np.rint``, PyTorch's ``nearbyint``), so for every x inside the
calibrated range the error is at most s / 2. Choices, each a trade-off:

* **symmetric** (z = 0, s = max|x| / 127.5): zero is exact and the int8 arithmetic stays simple;
  **affine** (s = (max - min) / 255, z chosen so that min maps to -128): uses all 256 levels
  when the data is one-sided (ReLU outputs).
* **per tensor** (one s, z) or **per channel** (one per output row of a weight, ``axis=0``):
  a row of small weights next to a row of large ones no longer shares the large scale.
* **calibration**: the range [min, max] comes from data (the weights themselves, or activations
  seen on calibration batches). ``"minmax"`` takes the extremes (no clipping, but one outlier
  stretches s for everybody); ``"percentile"`` takes e.g. the 0.01% and 99.99% points (a few
  outliers are clipped, everything else gets a finer s).

The parameters follow PyTorch's ``MinMaxObserver`` for ``torch.qint8`` (the range always
includes 0; scales below float32's eps are raised to it), so values can be checked against
``torch.quantize_per_tensor``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.tensor import Tensor, from_numpy

__all__ = ["QMIN", "QMAX", "qparams", "quantize", "dequantize", "Observer", "calibrate",
           "quantize_tensor", "dequantize_tensor"]

QMIN, QMAX = -128, 127
EPS = float(np.finfo(np.float32).eps)


def _array(x: Any) -> np.ndarray:
    return x.array if isinstance(x, Tensor) else np.asarray(x)


def qparams(lo: Any, hi: Any, symmetric: bool) -> tuple[np.ndarray, np.ndarray]:
    """Scale (float32) and zero point (int32) for int8 values covering [lo, hi].

    ``lo`` and ``hi`` are scalars or arrays (one per channel). The range is first widened to
    include 0 (``lo = min(lo, 0)``, ``hi = max(hi, 0)``), so that 0 is represented exactly.

    * symmetric: ``s = max(-lo, hi) / ((QMAX - QMIN) / 2)``, ``z = 0``;
    * affine: ``s = (hi - lo) / (QMAX - QMIN)``, ``z = QMIN - round(lo / s)`` clamped to
      [QMIN, QMAX].

    Either way ``s`` is at least float32's eps (a constant tensor gets a usable scale).
    """
    lo = np.minimum(np.asarray(lo, np.float32), 0)
    hi = np.maximum(np.asarray(hi, np.float32), 0)
    if np.any(lo > hi) or not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        raise ValueError(f"qparams needs finite lo <= hi, got lo={lo}, hi={hi}")
    # BEGIN SOLUTION 6.19 scale and zero point from a range, symmetric or affine
    if symmetric:
        scale = np.maximum(-lo, hi) / np.float32((QMAX - QMIN) / 2)
        scale = np.maximum(scale, np.float32(EPS))
        zero_point = np.zeros(scale.shape, np.int32)
    else:
        scale = np.maximum((hi - lo) / np.float32(QMAX - QMIN), np.float32(EPS))
        zero_point = np.clip(QMIN - np.rint(lo / scale), QMIN, QMAX).astype(np.int32)
    # END SOLUTION
    return scale.astype(np.float32), zero_point


def _along(values: np.ndarray, ndim: int, axis: int | None) -> np.ndarray:
    """Per-channel parameters shaped to broadcast along ``axis`` of an ``ndim``-d array."""
    if axis is None:
        return values
    shape = [1] * ndim
    shape[axis] = -1
    return values.reshape(shape)


def quantize(x: np.ndarray, scale: Any, zero_point: Any, axis: int | None = None) -> np.ndarray:
    """``clamp(rint(x * (1 / s)) + z, -128, 127)`` as an int8 array.

    ``axis=None``: one scale and zero point; else one per index along ``axis`` (per channel).
    Computed in float32 with the reciprocal of the scale, as PyTorch does, so results agree
    bit for bit.
    """
    x = np.asarray(x, np.float32)
    s = _along(np.asarray(scale, np.float32), x.ndim, axis)
    z = _along(np.asarray(zero_point, np.int32), x.ndim, axis)
    # BEGIN SOLUTION 6.20 quantize and dequantize (round half to even, clamp, broadcast)
    q = np.rint(x * (np.float32(1) / s)) + z
    return np.clip(q, QMIN, QMAX).astype(np.int8)
    # END SOLUTION


def dequantize(q: np.ndarray, scale: Any, zero_point: Any, axis: int | None = None) -> np.ndarray:
    """``(q - z) * s`` as float32 (per channel along ``axis`` when given)."""
    q = np.asarray(q)
    s = _along(np.asarray(scale, np.float32), q.ndim, axis)
    z = _along(np.asarray(zero_point, np.int32), q.ndim, axis)
    # BEGIN SOLUTION 6.20 dequantize
    return ((q.astype(np.int32) - z) * s).astype(np.float32)
    # END SOLUTION


class Observer:
    """Collects the range of the values it sees, then gives their quantization parameters.

    Args:
        method: ``"minmax"`` (running min and max) or ``"percentile"`` (the ``100 - p`` and
            ``p`` percentiles of each batch, averaged over batches).
        symmetric: symmetric (z = 0) or affine parameters.
        percentile: p for ``"percentile"``, e.g. 99.99.
        axis: None for one range per tensor; an int for one range per index along that axis.
    """

    def __init__(self, method: str = "minmax", symmetric: bool = True,
                 percentile: float = 99.99, axis: int | None = None) -> None:
        if method not in ("minmax", "percentile"):
            raise ValueError(f"method must be 'minmax' or 'percentile', got {method!r}")
        if not 50.0 < percentile <= 100.0:
            raise ValueError(f"percentile must be in (50, 100], got {percentile}")
        self.method, self.symmetric, self.percentile, self.axis = method, symmetric, percentile, axis
        self.lo: np.ndarray | None = None
        self.hi: np.ndarray | None = None
        self.batches = 0

    def observe(self, x: Any) -> Observer:
        """Update the range with a batch of values; returns self."""
        a = np.asarray(_array(x), np.float32)
        if a.size == 0:
            raise ValueError("cannot calibrate on an empty tensor")
        rows = a.reshape(-1) if self.axis is None else np.moveaxis(a, self.axis, 0).reshape(
            a.shape[self.axis], -1)
        if self.method == "minmax":
            lo, hi = rows.min(axis=-1), rows.max(axis=-1)
            self.lo = lo if self.lo is None else np.minimum(self.lo, lo)
            self.hi = hi if self.hi is None else np.maximum(self.hi, hi)
        else:
            lo, hi = np.percentile(rows, [100.0 - self.percentile, self.percentile], axis=-1)
            n = self.batches
            self.lo = lo if self.lo is None else (self.lo * n + lo) / (n + 1)
            self.hi = hi if self.hi is None else (self.hi * n + hi) / (n + 1)
        self.batches += 1
        return self

    def qparams(self) -> tuple[np.ndarray, np.ndarray]:
        """Scale and zero point for the range seen so far."""
        if self.lo is None or self.hi is None:
            raise RuntimeError("the observer has seen no data yet: call observe(x) first")
        return qparams(self.lo, self.hi, self.symmetric)


def calibrate(x: Any, method: str = "minmax", symmetric: bool = True, percentile: float = 99.99,
              axis: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Scale and zero point for the values of ``x`` (one observer, one batch)."""
    return Observer(method, symmetric, percentile, axis).observe(x).qparams()


def quantize_tensor(x: Tensor, scale: Any, zero_point: Any, axis: int | None = None) -> Tensor:
    """:func:`quantize` on a Tensor: an int8 Tensor."""
    return from_numpy(quantize(x.array, scale, zero_point, axis))


def dequantize_tensor(q: Tensor, scale: Any, zero_point: Any, axis: int | None = None) -> Tensor:
    """:func:`dequantize` on an int8 Tensor: a float32 Tensor."""
    return from_numpy(dequantize(q.array, scale, zero_point, axis))
