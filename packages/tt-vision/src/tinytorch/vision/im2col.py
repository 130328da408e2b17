"""im2col and col2im: turn convolution into one matrix multiply, and back.

A convolution multiplies every window of the (padded) input with the kernel. ``im2col`` lays the
windows out as the columns of one matrix, so that all of them are multiplied at once by a single
BLAS call (``conv_gemm.py``)::

    cols[(c, ki, kj), (n, i, j)] = x_pad[n, c, i*sh + ki*dh, j*sw + kj*dw]
    cols: (C * kh * kw, N * out_h * out_w)

The rows are ordered ``(c, ki, kj)`` like ``weight.reshape(out_channels, -1)``; the columns
``(n, i, j)`` like the output pixels. The windows are first a *view* of the padded input
(``as_strided``: no data copied, one stride per axis), then copied once into the matrix.

``col2im`` is the adjoint (the transpose) of ``im2col``: every entry of a column matrix is added
back to the input pixel it was read from. Windows overlap, so pixels collect several entries; the
loop runs over the ``kh * kw`` kernel offsets, each one strided slice of ALL windows at once.

Memory layout: both work channel-major, on ``(C, N, H, W)`` memory. Then a column matrix is
C-contiguous, the GEMM result ``(out_channels, N * out_h * out_w)`` is the next layer's input
in the same layout without a copy, and ``x.transpose(1, 0, 2, 3)`` gives back PyTorch's
``(N, C, H, W)`` shape as a view. Inputs of any strides are accepted.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .geometry import ConvGeometry

__all__ = ["im2col", "col2im", "pad_channel_major"]


def pad_channel_major(x: np.ndarray, geometry: ConvGeometry, value: float = 0.0) -> np.ndarray:
    """``x`` (N, C, H, W) as channel-major ``(C, N, top + H + bottom, left + W + right)``, the
    border filled with ``value``. Without padding this is a view (no copy)."""
    xc = x.transpose(1, 0, 2, 3)  # (C, N, H, W), a view
    (top, bottom), (left, right) = geometry.padding
    if not (top or bottom or left or right):
        return xc
    c, n, h, w = xc.shape
    padded = np.full((c, n, top + h + bottom, left + w + right), value, dtype=x.dtype)
    padded[:, :, top:top + h, left:left + w] = xc
    return padded


def im2col(x: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """The sliding windows of ``x`` as the columns of one matrix.

    Args:
        x: ``(N, C, H, W)`` images (any strides; channel-major memory is the fastest).
        geometry: kernel, stride, padding, dilation (``groups`` does not matter here).

    Returns:
        ``cols``, C-contiguous, of shape ``(C * kh * kw, N * out_h * out_w)``:
        ``cols[(c, ki, kj), (n, i, j)] = x_pad[n, c, i*sh + ki*dh, j*sw + kj*dw]``.

    Raises:
        RuntimeError: the kernel is larger than the padded input (from ``geometry.output_size``).
    """
    n, c, h, w = x.shape
    out_h, out_w = geometry.output_size(h, w)
    kh, kw = geometry.kernel
    # BEGIN SOLUTION 4.2 im2col: a strided view of the windows, copied once into a matrix
    padded = pad_channel_major(x, geometry)  # (C, N, Hp, Wp)
    s_c, s_n, s_h, s_w = padded.strides
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    windows = as_strided(padded, shape=(c, kh, kw, n, out_h, out_w),
                         strides=(s_c, dh * s_h, dw * s_w, s_n, sh * s_h, sw * s_w),
                         writeable=False)
    return np.ascontiguousarray(windows).reshape(c * kh * kw, n * out_h * out_w)
    # END SOLUTION


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int],
           geometry: ConvGeometry) -> np.ndarray:
    """Add every entry of a column matrix back onto the input pixel ``im2col`` read it from.

    Args:
        cols: ``(C * kh * kw, N * out_h * out_w)``, laid out as ``im2col`` returns it.
        shape: ``(N, C, H, W)`` of the images the columns came from.
        geometry: the geometry ``im2col`` used.

    Returns:
        ``(N, C, H, W)`` array (a view of channel-major memory): the sum, for every pixel, of the
        column entries that read it; padding positions are dropped.
    """
    n, c, h, w = shape
    out_h, out_w = geometry.output_size(h, w)
    kh, kw = geometry.kernel
    # BEGIN SOLUTION 4.4 col2im: add each kernel offset's slice of all windows back
    (top, bottom), (left, right) = geometry.padding
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    blocks = cols.reshape(c, kh, kw, n, out_h, out_w)
    padded = np.zeros((c, n, top + h + bottom, left + w + right), dtype=cols.dtype)
    for ki in range(kh):  # the loop is over kernel offsets only: each slice holds every window
        rows = slice(ki * dh, ki * dh + sh * (out_h - 1) + 1, sh)
        for kj in range(kw):
            columns = slice(kj * dw, kj * dw + sw * (out_w - 1) + 1, sw)
            padded[:, :, rows, columns] += blocks[:, ki, kj]
    return padded[:, :, top:top + h, left:left + w].transpose(1, 0, 2, 3)
    # END SOLUTION
