"""Naive loop oracles: convolution and pooling written straight from their definitions.

One Python iteration per (image, channel, output pixel); float64; no im2col, no GEMM. Slow on
purpose and obviously right, so the vectorized code can be checked against them (tests) and timed
against them (``benchmarks/bench_vision.py`` loads this file by path). Needs NumPy only.
"""

from __future__ import annotations

import itertools

import numpy as np


def _pad(x: np.ndarray, padding: tuple[int, int], value: float = 0.0) -> np.ndarray:
    ph, pw = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def out_size(n: int, k: int, s: int, p: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def conv2d(x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """``y[n, o, i, j] = b[o] + sum_{c, ki, kj} w[o, c, ki, kj] x_pad[n, g*Cg + c, i*sh + ki*dh,
    j*sw + kj*dw]`` with ``g`` the group of output channel ``o``."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    n_img, c_in, h, wd = x.shape
    c_out, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    oh, ow = out_size(h, kh, sh, padding[0], dh), out_size(wd, kw, sw, padding[1], dw)
    xp = _pad(x, padding)
    y = np.zeros((n_img, c_out, oh, ow))
    per_group = c_out // groups
    for n, o, i, j in itertools.product(range(n_img), range(c_out), range(oh), range(ow)):
        g = o // per_group
        window = xp[n, g * cg:(g + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                    j * sw:j * sw + dw * (kw - 1) + 1:dw]
        y[n, o, i, j] = np.sum(window * w[o]) + (0.0 if b is None else b[o])
    return y


def conv2d_backward(x, w, gy, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """``(dx, dw, db)`` of ``sum(gy * conv2d(x, w, b))``: every output pixel sends
    ``gy * w[o]`` back to its window and ``gy * window`` to ``w[o]``."""
    x, w, gy = (np.asarray(a, np.float64) for a in (x, w, gy))
    n_img, c_in, h, wd = x.shape
    c_out, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    _, _, oh, ow = gy.shape
    xp = _pad(x, padding)
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    per_group = c_out // groups
    for n, o, i, j in itertools.product(range(n_img), range(c_out), range(oh), range(ow)):
        g = o // per_group
        index = (n, slice(g * cg, (g + 1) * cg),
                 slice(i * sh, i * sh + dh * (kh - 1) + 1, dh),
                 slice(j * sw, j * sw + dw * (kw - 1) + 1, dw))
        gxp[index] += gy[n, o, i, j] * w[o]
        gw[o] += gy[n, o, i, j] * xp[index]
    ph, pw = padding
    gx = gxp[:, :, ph:ph + h, pw:pw + wd]
    return gx, gw, gy.sum(axis=(0, 2, 3))


def max_pool2d(x, kernel, stride, padding=(0, 0), dilation=(1, 1)):
    """``(y, indices)``: the max of every window and its flat index ``row * W + col`` in the
    unpadded input (the first maximum when several are equal), as PyTorch's return_indices."""
    x = np.asarray(x, np.float64)
    n_img, c, h, wd = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh, ow = out_size(h, kh, sh, padding[0], dh), out_size(wd, kw, sw, padding[1], dw)
    y = np.zeros((n_img, c, oh, ow))
    idx = np.zeros((n_img, c, oh, ow), np.int64)
    for n, ch, i, j in itertools.product(range(n_img), range(c), range(oh), range(ow)):
        best, where = -np.inf, -1
        for ki, kj in itertools.product(range(kh), range(kw)):
            r, q = i * sh - padding[0] + ki * dh, j * sw - padding[1] + kj * dw
            if 0 <= r < h and 0 <= q < wd and (x[n, ch, r, q] > best or where < 0):
                best, where = x[n, ch, r, q], r * wd + q
        y[n, ch, i, j], idx[n, ch, i, j] = best, where
    return y, idx


def avg_pool2d(x, kernel, stride, padding=(0, 0), count_include_pad=True):
    """The mean of every window (padding counted as zeros when ``count_include_pad``)."""
    x = np.asarray(x, np.float64)
    n_img, c, h, wd = x.shape
    (kh, kw), (sh, sw) = kernel, stride
    oh, ow = out_size(h, kh, sh, padding[0], 1), out_size(wd, kw, sw, padding[1], 1)
    y = np.zeros((n_img, c, oh, ow))
    for n, ch, i, j in itertools.product(range(n_img), range(c), range(oh), range(ow)):
        total, count = 0.0, 0
        for ki, kj in itertools.product(range(kh), range(kw)):
            r, q = i * sh - padding[0] + ki, j * sw - padding[1] + kj
            inside = 0 <= r < h and 0 <= q < wd
            total += x[n, ch, r, q] if inside else 0.0
            count += 1 if inside or count_include_pad else 0
        y[n, ch, i, j] = total / count
    return y
