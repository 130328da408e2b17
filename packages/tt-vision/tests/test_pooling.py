"""Pooling: max, average and adaptive average, forward and backward, against PyTorch and the
naive loops, over kernels, strides, paddings, dilations, ceil_mode and odd sizes."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
import tinytorch.vision.functional as VF
from tinytorch.autograd import gradcheck, gradgradcheck
from tinytorch.vision import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

MAX_GRID = [  # keyword arguments of max_pool2d
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 1)),
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(1, 4), stride=(3, 2)),
]
AVG_GRID = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 0)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, divisor_override=5),
]


def _images(shape=(2, 3, 9, 8), dtype=np.float32, seed=0):
    # distinct values: no ties, so the argmax (and PyTorch's) is unique
    rng = np.random.default_rng(seed)
    return rng.permutation(np.prod(shape)).reshape(shape).astype(dtype) / np.prod(shape)


def _torch_and_ours(torch, torch_fn, our_fn, x, kwargs, seed=1):
    X = torch.tensor(x, requires_grad=True)
    Y = torch_fn(X, **kwargs)
    gy = np.random.default_rng(seed).standard_normal(Y.shape).astype(x.dtype)
    Y.backward(torch.tensor(gy))
    xt = tt.tensor(x, requires_grad=True)
    out = our_fn(xt, **kwargs)
    out.backward(tt.tensor(gy))
    return out, Y, xt.grad, X.grad


# -- 4.8 max pooling forward ----------------------------------------------------------------------

@pytest.mark.task("4.8")
@pytest.mark.parametrize("kwargs", MAX_GRID)
def test_max_pool2d_forward_and_indices_match_torch(torch, kwargs):
    x = _images()
    expected, expected_idx = torch.nn.functional.max_pool2d(torch.tensor(x), **kwargs,
                                                            return_indices=True)
    out, idx = VF.max_pool2d(tt.tensor(x), **kwargs, return_indices=True)
    assert out.shape == tuple(expected.shape) and idx.dtype is tt.int64
    np.testing.assert_array_equal(out.array, expected.numpy())
    np.testing.assert_array_equal(idx.array, expected_idx.numpy())


@pytest.mark.task("4.8")
@pytest.mark.parametrize("kwargs", [k for k in MAX_GRID if not k.get("ceil_mode")])
def test_max_pool2d_matches_naive_loops(naive, kwargs):
    x = np.random.default_rng(2).standard_normal((2, 3, 9, 8))
    k = tt.tensor(x)
    out, idx = VF.max_pool2d(k, **kwargs, return_indices=True)
    kernel = kwargs["kernel_size"]
    kernel = (kernel, kernel) if isinstance(kernel, int) else kernel
    stride = kwargs.get("stride", kernel)
    stride = (stride, stride) if isinstance(stride, int) else stride
    pad = kwargs.get("padding", 0)
    pad = (pad, pad) if isinstance(pad, int) else pad
    dil = kwargs.get("dilation", 1)
    dil = (dil, dil) if isinstance(dil, int) else dil
    expected, expected_idx = naive.max_pool2d(x, kernel, stride, pad, dil)
    np.testing.assert_array_equal(out.array, expected)
    np.testing.assert_array_equal(idx.array, expected_idx)


@pytest.mark.task("4.8")
def test_max_pool2d_propagates_nan_and_layer(torch):
    x = _images((1, 2, 4, 4))
    x[0, 1, 1, 2] = np.nan
    out = MaxPool2d(2)(tt.tensor(x))
    np.testing.assert_array_equal(out.array, torch.nn.MaxPool2d(2)(torch.tensor(x)).numpy())
    assert np.isnan(out.array[0, 1, 0, 1]) and np.isfinite(out.array[0, 0]).all()
    x[0, 0, 0, 0] = x[0, 0, 1, 1] = np.nan
    _, idx = VF.max_pool2d(tt.tensor(x), 2, return_indices=True)
    expected = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)[1]
    np.testing.assert_array_equal(idx.array, expected.numpy())
    layer = MaxPool2d(3, stride=2, padding=1, return_indices=True)
    assert repr(layer) == repr(torch.nn.MaxPool2d(3, stride=2, padding=1, return_indices=True))
    out, idx = layer(tt.tensor(x[0]))  # one unbatched image
    assert out.shape == (2, 2, 2) and idx.shape == (2, 2, 2)


def test_pooling_argument_errors():
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        VF.max_pool2d(tt.randn(1, 1, 5, 5), 3, padding=2)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        VF.max_pool2d(tt.randn(1, 1, 1, 1), 3)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        VF.avg_pool2d(tt.randn(1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="floating point"):
        VF.max_pool2d(tt.tensor(np.ones((1, 1, 4, 4), np.int64)), 2)


# -- 4.9 max pooling backward ---------------------------------------------------------------------

@pytest.mark.task("4.9")
@pytest.mark.parametrize("kwargs", MAX_GRID)
def test_max_pool2d_backward_matches_torch(torch, kwargs):
    out, Y, grad, expected = _torch_and_ours(torch, torch.nn.functional.max_pool2d,
                                             VF.max_pool2d, _images(), kwargs)
    np.testing.assert_allclose(grad.array, expected.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.task("4.9")
def test_max_pool2d_gradcheck_and_gradgradcheck():
    x = tt.tensor(_images((1, 2, 5, 6), np.float64), requires_grad=True)
    assert gradcheck(lambda a: VF.max_pool2d(a, 3, stride=2, padding=1), [x])
    assert gradcheck(lambda a: VF.max_pool2d(a, 2, stride=1, dilation=2), [x])
    assert gradgradcheck(lambda a: VF.max_pool2d(a, 3, stride=2, padding=1), [x])


# -- 4.10 average pooling -------------------------------------------------------------------------

@pytest.mark.task("4.10")
def test_window_counts():
    # 7 wide, kernel 3, stride 2, padding 1: windows [-1, 2), [1, 4), [3, 6), [5, 8)
    np.testing.assert_array_equal(VF.window_counts(7, 4, 3, 2, 1, True), [3, 3, 3, 3])
    np.testing.assert_array_equal(VF.window_counts(7, 4, 3, 2, 1, False), [2, 3, 3, 2])
    np.testing.assert_array_equal(VF.window_counts(5, 3, 2, 2, 1, False), [1, 2, 2])


@pytest.mark.task("4.10")
@pytest.mark.parametrize("kwargs", AVG_GRID)
def test_avg_pool2d_matches_torch(torch, kwargs):
    x = np.random.default_rng(3).standard_normal((2, 3, 9, 8)).astype(np.float32)
    out, Y, grad, expected = _torch_and_ours(torch, torch.nn.functional.avg_pool2d,
                                             VF.avg_pool2d, x, kwargs)
    assert out.shape == tuple(Y.shape)
    np.testing.assert_allclose(out.array, Y.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad.array, expected.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.task("4.10")
@pytest.mark.parametrize("include", [True, False])
def test_avg_pool2d_matches_naive_loops_and_gradcheck(naive, include):
    x = np.random.default_rng(4).standard_normal((2, 2, 7, 6))
    out = VF.avg_pool2d(tt.tensor(x), 3, 2, 1, count_include_pad=include)
    np.testing.assert_allclose(out.array, naive.avg_pool2d(x, (3, 3), (2, 2), (1, 1), include),
                               rtol=1e-12)
    xt = tt.tensor(x[:1], requires_grad=True)
    assert gradcheck(lambda a: VF.avg_pool2d(a, 3, 2, 1, count_include_pad=include), [xt])


@pytest.mark.task("4.10")
def test_avg_pool2d_layer(torch):
    layer = AvgPool2d(3, stride=2, padding=1)
    assert repr(layer) == repr(torch.nn.AvgPool2d(3, stride=2, padding=1))
    x = np.random.default_rng(5).standard_normal((3, 8, 8)).astype(np.float32)  # unbatched
    np.testing.assert_allclose(layer(tt.tensor(x)).array,
                               torch.nn.AvgPool2d(3, 2, 1)(torch.tensor(x)).numpy(), atol=1e-6)


# -- 4.11 adaptive average pooling ----------------------------------------------------------------

@pytest.mark.task("4.11")
def test_averaging_matrix_bins():
    a = VF.averaging_matrix(5, 3)  # bins [0, 2), [1, 4), [3, 5): PyTorch's overlapping bins
    np.testing.assert_allclose(a, [[.5, .5, 0, 0, 0], [0, 1 / 3, 1 / 3, 1 / 3, 0],
                                   [0, 0, 0, .5, .5]], rtol=1e-6)
    np.testing.assert_allclose(VF.averaging_matrix(7, 7), np.eye(7))


@pytest.mark.task("4.11")
@pytest.mark.parametrize("size", [1, (3, 3), (2, 5), (None, 3), (4, 4), (7, 1), (9, 8)])
def test_adaptive_avg_pool2d_matches_torch(torch, size):
    x = np.random.default_rng(6).standard_normal((2, 3, 9, 8)).astype(np.float32)
    out, Y, grad, expected = _torch_and_ours(
        torch, torch.nn.functional.adaptive_avg_pool2d,
        lambda a, output_size: VF.adaptive_avg_pool2d(a, output_size), x,
        {"output_size": size})
    np.testing.assert_allclose(out.array, Y.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad.array, expected.numpy(), rtol=1e-5, atol=1e-6)
    layer = AdaptiveAvgPool2d(size)
    assert repr(layer) == repr(torch.nn.AdaptiveAvgPool2d(size))
    np.testing.assert_allclose(layer(tt.tensor(x)).array, Y.detach().numpy(), atol=1e-6)
