"""Sliding windows (task 1.11): ``unfold`` against ``torch.Tensor.unfold`` and NumPy, and a 2-D
convolution computed by unfold + matmul against ``torch.nn.functional.conv2d``."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt

pytestmark = pytest.mark.task("1.11")

CASES = [((10,), 0, 3, 1), ((10,), 0, 3, 2), ((10,), -1, 10, 1), ((10,), 0, 1, 4),
         ((4, 7), 1, 2, 2), ((4, 7), 0, 4, 1), ((2, 3, 8), 2, 3, 3), ((2, 3, 8), 1, 2, 1),
         ((5,), 0, 2, 10)]
IDS = [f"{s}-d{d}-k{k}-s{st}" for s, d, k, st in CASES]


def _windows(a, dim, size, step):
    """The definition: window i of dim ``dim`` holds entries i*step .. i*step+size-1, last."""
    dim = dim % a.ndim
    count = (a.shape[dim] - size) // step + 1
    pieces = [np.take(a, range(i * step, i * step + size), axis=dim) for i in range(count)]
    stacked = np.stack(pieces, axis=dim)           # (..., count, size at dim+1, ...)
    return np.moveaxis(stacked, dim + 1, -1)       # size goes last


@pytest.mark.parametrize("shape,dim,size,step", CASES, ids=IDS)
def test_unfold_against_definition(shape, dim, size, step):
    a = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    out = tt.tensor(a).unfold(dim, size, step)
    expected = _windows(a, dim, size, step)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.array, expected)


@pytest.mark.parametrize("shape,dim,size,step", CASES, ids=IDS)
def test_unfold_against_torch(torch, shape, dim, size, step):
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    out = tt.tensor(a).unfold(dim, size, step)
    expected = torch.from_numpy(a).unfold(dim, size, step)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.array, expected.numpy())


def test_unfold_is_a_view():
    x = tt.arange(8.0)
    w = x.unfold(0, 3, 1)
    assert np.shares_memory(w.array, x.array)
    x.array[2] = 100.0
    np.testing.assert_array_equal(w.array[0:3, :],
                                  [[0, 1, 100], [1, 100, 3], [100, 3, 4]])
    assert w._version == x._version
    with pytest.raises(RuntimeError, match="clone"):
        w.add_(1.0)  # overlapping windows cannot be written


def test_unfold_of_non_contiguous_input():
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    out = tt.tensor(a).T.unfold(1, 2, 1)  # (6, 3, 2) from a transposed view
    np.testing.assert_array_equal(out.array, _windows(a.T.copy(), 1, 2, 1))


def test_unfold_errors():
    with pytest.raises(RuntimeError, match="larger than dim"):
        tt.zeros(2, 3).unfold(1, 4, 1)
    assert tt.zeros(5).unfold(0, 0, 1).shape == (6, 0)  # empty windows, as in PyTorch
    with pytest.raises(RuntimeError, match="positive"):
        tt.zeros(5).unfold(0, 2, 0)
    with pytest.raises(IndexError, match="ndim 2"):
        tt.zeros(2, 3).unfold(2, 1, 1)


def _conv2d_by_unfold(x, w, stride=1, padding=0):
    """im2col: windows of x contracted with the kernel by one matmul."""
    if padding:
        x = tt.pad(x, (padding, padding, padding, padding))
    n, c, _, _ = x.shape
    out_c, _, kh, kw = w.shape
    cols = x.unfold(2, kh, stride).unfold(3, kw, stride)       # (N, C, oh, ow, kh, kw)
    oh, ow = cols.shape[2], cols.shape[3]
    cols = cols.permute(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)
    out = cols @ w.reshape(out_c, c * kh * kw).T                # (N*oh*ow, out_c)
    return out.reshape(n, oh, ow, out_c).permute(0, 3, 1, 2)


def _conv2d_numpy(x, w, stride=1, padding=0):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, wd = x.shape
    out_c, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, out_c, oh, ow), dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


CONV = [((2, 3, 8, 8), (4, 3, 3, 3), 1, 0), ((1, 2, 7, 9), (5, 2, 3, 2), 2, 1),
        ((3, 1, 5, 5), (2, 1, 5, 5), 1, 0), ((2, 4, 6, 6), (3, 4, 1, 1), 1, 2)]


@pytest.mark.parametrize("xs,ws,stride,padding", CONV)
def test_conv2d_by_unfold_against_numpy(xs, ws, stride, padding):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    out = _conv2d_by_unfold(tt.tensor(x), tt.tensor(w), stride, padding)
    np.testing.assert_allclose(out.array, _conv2d_numpy(x, w, stride, padding), rtol=1e-10)


@pytest.mark.parametrize("xs,ws,stride,padding", CONV)
def test_conv2d_by_unfold_against_torch(torch, xs, ws, stride, padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    out = _conv2d_by_unfold(tt.tensor(x), tt.tensor(w), stride, padding)
    expected = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                                          stride=stride, padding=padding)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.array, expected.numpy(), rtol=1e-4, atol=1e-4)
