"""im2col and col2im: turn convolution into one matrix multiply, and back.

A convolution multiplies every window of the (padded) input with the kernel. ``im2col`` lays the
windows out as the columns of one matrix, so that all of them are multiplied at once by a single
BLAS call (``conv_gemm.py``)::

    cols[(c, ki, kj), (i, j, n)] = x_pad[n, c, i*sh + ki*dh, j*sw + kj*dw]
    cols: (C * kh * kw, out_h * out_w * N)

The rows are ordered ``(c, ki, kj)`` like ``weight.reshape(out_channels, -1)``. The windows
are first a *view* of the padded input (``as_strided``: no data copied, one stride per axis),
then copied once into the matrix.

``col2im`` is the adjoint (the transpose) of ``im2col``: every entry of a column matrix is added
back to the input pixel it was read from. Windows overlap, so pixels collect several entries; the
loop runs over the ``kh * kw`` kernel offsets, each one strided slice of ALL windows at once.

Memory layout: "channels first, batch last". Both functions work on ``(C, H, W, N)`` memory and
order the columns ``(i, j, n)``, the batch fastest. Then every copy moves runs of at least
``N`` contiguous values (whole rows of ``out_w * N`` for stride 1), however small the feature
maps; the GEMM result ``(out_channels, out_h * out_w * N)`` is already the next layer's input in
the same layout; and ``x.transpose(3, 0, 1, 2)`` is PyTorch's ``(N, C, H, W)`` as a view.
Inputs of any strides are accepted (an ``(N, C, H, W)``-contiguous batch costs one transposing
copy, which the padding makes anyway).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .geometry import ConvGeometry

__all__ = ["im2col", "col2im", "pad_chwn"]


def pad_chwn(x: np.ndarray, geometry: ConvGeometry, value: float = 0.0) -> np.ndarray:
    """``x`` (N, C, H, W) as C-contiguous ``(C, top + H + bottom, left + W + right, N)``, the
    border filled with ``value``. Without padding, ``(C, H, W, N)`` memory is used as it is
    (a view); any other layout is copied into it once, so every later slice reads long runs."""
    xc = x.transpose(1, 2, 3, 0)  # (C, H, W, N), a view
    (top, bottom), (left, right) = geometry.padding
    if not (top or bottom or left or right):
        return np.ascontiguousarray(xc)
    c, h, w, n = xc.shape
    padded = np.full((c, top + h + bottom, left + w + right, n), value, dtype=x.dtype)
    padded[:, top:top + h, left:left + w, :] = xc
    return padded


def im2col(x: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """The sliding windows of ``x`` as the columns of one matrix.

    Args:
        x: ``(N, C, H, W)`` images (any strides; ``(C, H, W, N)`` memory is the fastest).
        geometry: kernel, stride, padding, dilation (``groups`` does not matter here).

    Returns:
        ``cols``, C-contiguous, of shape ``(C * kh * kw, out_h * out_w * N)``:
        ``cols[(c, ki, kj), (i, j, n)] = x_pad[n, c, i*sh + ki*dh, j*sw + kj*dw]``.

    Raises:
        RuntimeError: the kernel is larger than the padded input (from ``geometry.output_size``).

    Hints: ``pad_chwn(x, geometry)`` is the padded input as ``(C, Hp, Wp, N)`` memory. With its
    byte strides ``s_c, s_h, s_w, s_n``, ``as_strided`` of shape ``(C, kh, kw, out_h, out_w, N)``
    and strides ``(s_c, dh s_h, dw s_w, sh s_h, sw s_w, s_n)`` is every window at once, without
    a copy (pass ``writeable=False``: windows overlap). ``np.ascontiguousarray`` copies it once;
    then reshape to the matrix.
    """
    n, c, h, w = x.shape
    out_h, out_w = geometry.output_size(h, w)
    kh, kw = geometry.kernel
    # BEGIN SOLUTION 4.2 im2col: a strided view of the windows, copied once into a matrix
    padded = pad_chwn(x, geometry)  # (C, Hp, Wp, N)
    s_c, s_h, s_w, s_n = padded.strides
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    windows = as_strided(padded, shape=(c, kh, kw, out_h, out_w, n),
                         strides=(s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w, s_n),
                         writeable=False)
    return np.ascontiguousarray(windows).reshape(c * kh * kw, out_h * out_w * n)
    # END SOLUTION


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int],
           geometry: ConvGeometry) -> np.ndarray:
    """Add every entry of a column matrix back onto the input pixel ``im2col`` read it from.

    Args:
        cols: ``(C * kh * kw, out_h * out_w * N)``, laid out as ``im2col`` returns it.
        shape: ``(N, C, H, W)`` of the images the columns came from.
        geometry: the geometry ``im2col`` used.

    Returns:
        ``(N, C, H, W)`` array (a view of ``(C, H, W, N)`` memory): the sum, for every pixel, of
        the column entries that read it; padding positions are dropped.

    Hints: view ``cols`` as ``(C, kh, kw, out_h, out_w, N)``. Start from zeros of the padded
    ``(C, Hp, Wp, N)``; for each kernel offset ``(ki, kj)`` the windows read the rows
    ``ki dh, ki dh + sh, ...`` (``out_h`` of them) and likewise the columns: one strided slice,
    to which ``+=`` adds that offset's block. Crop the padding, then ``transpose(3, 0, 1, 2)``.
    No loop over pixels, channels or images: only over the ``kh kw`` offsets.
    """
    n, c, h, w = shape
    out_h, out_w = geometry.output_size(h, w)
    kh, kw = geometry.kernel
    # BEGIN SOLUTION 4.4 col2im: add each kernel offset's slice of all windows back
    (top, bottom), (left, right) = geometry.padding
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    blocks = cols.reshape(c, kh, kw, out_h, out_w, n)
    padded = np.zeros((c, top + h + bottom, left + w + right, n), dtype=cols.dtype)
    for ki in range(kh):  # the loop is over kernel offsets only: each slice holds every window
        rows = slice(ki * dh, ki * dh + sh * (out_h - 1) + 1, sh)
        for kj in range(kw):
            columns = slice(kj * dw, kj * dw + sw * (out_w - 1) + 1, sw)
            padded[:, rows, columns, :] += blocks[:, ki, kj]
    return padded[:, top:top + h, left:left + w, :].transpose(3, 0, 1, 2)
    # END SOLUTION
