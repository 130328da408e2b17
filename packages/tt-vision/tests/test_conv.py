"""Convolution: geometry, im2col/col2im, forward and both gradients against PyTorch and against
the naive loops of ``naive.py`` over a grid of strides, paddings, dilations, groups and odd
sizes; finite differences (gradcheck, gradgradcheck); the errors a user meets first."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tinytorch.tensor as tt
import tinytorch.vision.functional as VF
from tinytorch.autograd import gradcheck, gradgradcheck
from tinytorch.vision.conv_gemm import conv2d_forward
from tinytorch.vision.geometry import ConvGeometry, conv_output_length, pair
from tinytorch.vision.im2col import col2im, im2col

# (N, C, H, W, out_channels, kernel, stride, padding, dilation, groups)
GRID = [
    (2, 3, 7, 6, 4, 3, 1, 0, 1, 1),
    (2, 3, 7, 6, 4, 3, 1, 1, 1, 1),
    (1, 4, 9, 8, 6, 3, 2, 1, 1, 2),
    (2, 4, 9, 9, 4, 3, 1, 2, 2, 1),
    (1, 6, 5, 7, 6, (2, 3), (2, 1), (1, 0), (1, 2), 3),
    (2, 4, 8, 8, 4, 3, 1, 1, 1, 4),
    (1, 2, 5, 5, 3, 1, 1, 0, 1, 1),
    (3, 2, 11, 6, 5, 5, 3, 2, 1, 1),
    (1, 3, 6, 6, 2, 3, 1, "same", 2, 1),
    (1, 3, 6, 7, 2, (2, 4), 1, "same", 1, 1),
    (1, 3, 4, 4, 2, 4, 1, "valid", 1, 1),
    (2, 1, 3, 3, 2, 3, 1, 0, 1, 1),
]
IDS = [f"case{i}" for i in range(len(GRID))]

# PyTorch warns that it copies the input for an even "same" kernel; we pad the same way.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def _arrays(case, dtype=np.float32, seed=0):
    n, c, h, w, o, k, s, p, d, g = case
    kh, kw = pair(k, "k")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    weight = rng.standard_normal((o, c // g, kh, kw)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    return x, weight, bias, dict(stride=s, padding=p, dilation=d, groups=g)


def _explicit_padding(case):
    """The (ph, pw) the naive oracle pads with (symmetric; 'same' only on odd spans)."""
    geometry = ConvGeometry.make(pair(case[5], "k"), case[6], case[7], case[8], case[9])
    (top, bottom), (left, right) = geometry.padding
    return geometry, (top, bottom), (left, right)


def _naive_conv(naive, case, x, weight, bias):
    geometry, (top, bottom), (left, right) = _explicit_padding(case)
    # pad asymmetrically by hand, then let the oracle do a valid convolution
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    return naive.conv2d(xp, weight, bias, geometry.stride, (0, 0), geometry.dilation,
                        geometry.groups)


def _torch_conv(torch, x, weight, bias, kw, *, grad=()):
    X = torch.tensor(x, requires_grad="x" in grad)
    W = torch.tensor(weight, requires_grad="w" in grad)
    B = torch.tensor(bias, requires_grad="b" in grad)
    return X, W, B, torch.nn.functional.conv2d(X, W, B, **kw)


# -- 4.1 geometry --------------------------------------------------------------------------------

@pytest.mark.task("4.1")
def test_output_length_counts_the_windows_that_fit():
    for n, k, s, before, after, d in itertools.product(range(1, 8), range(1, 4), range(1, 4),
                                                        range(3), range(3), range(1, 3)):
        padded = before + n + after
        starts = [i for i in range(0, padded, s) if i + d * (k - 1) < padded]
        assert conv_output_length(n, k, s, before, after, d) == len(starts), (n, k, s, d)


@pytest.mark.task("4.1")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_output_size_matches_torch(torch, case):
    x, weight, bias, kw = _arrays(case)
    geometry = ConvGeometry.make(weight.shape[2:], kw["stride"], kw["padding"], kw["dilation"],
                                 kw["groups"])
    expected = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(weight), **kw).shape
    assert geometry.output_size(*x.shape[2:]) == tuple(expected[2:])


@pytest.mark.task("4.1")
def test_same_padding_keeps_the_size():
    for k, d, n in itertools.product(range(1, 6), range(1, 4), (5, 8)):
        geometry = ConvGeometry.make((k, k), 1, "same", d)
        assert geometry.output_size(n, n + 1) == (n, n + 1)


@pytest.mark.task("4.1")
def test_kernel_larger_than_padded_input_names_both_sizes():
    geometry = ConvGeometry.make(5, 1, 1)
    with pytest.raises(RuntimeError, match=r"padded input size per channel: \(4 x 5\).*"
                                           r"Kernel size: \(5 x 5\)"):
        geometry.output_size(2, 3)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="stride"):
        ConvGeometry.make(3, stride=0)
    with pytest.raises(TypeError, match="kernel_size"):
        ConvGeometry.make((3, 3, 3))
    with pytest.raises(ValueError, match="strided"):
        ConvGeometry.make(3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding string"):
        ConvGeometry.make(3, padding="full")


# -- 4.2 im2col ----------------------------------------------------------------------------------

def _naive_cols(x, geometry):
    n, c, h, w = x.shape
    (top, bottom), (left, right) = geometry.padding
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    oh, ow = geometry.output_size(h, w)
    (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    cols = np.zeros((c, kh, kw, oh, ow, n), x.dtype)
    for ch, ki, kj, i, j, b in itertools.product(range(c), range(kh), range(kw), range(oh),
                                                  range(ow), range(n)):
        cols[ch, ki, kj, i, j, b] = xp[b, ch, i * sh + ki * dh, j * sw + kj * dw]
    return cols.reshape(c * kh * kw, oh * ow * n)


@pytest.mark.task("4.2")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_im2col_holds_every_window(case):
    x = _arrays(case)[0]
    geometry = _explicit_padding(case)[0]
    cols = im2col(x, geometry)
    assert cols.flags.c_contiguous and cols.dtype == np.float32
    np.testing.assert_array_equal(cols, _naive_cols(x, geometry))
    batch_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    np.testing.assert_array_equal(im2col(batch_last, geometry), cols)


# -- 4.3 forward ---------------------------------------------------------------------------------

@pytest.mark.task("4.3")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_conv2d_forward_matches_torch(torch, case):
    x, weight, bias, kw = _arrays(case)
    expected = _torch_conv(torch, x, weight, bias, kw)[3].numpy()
    out = VF.conv2d(tt.tensor(x), tt.tensor(weight), tt.tensor(bias), **kw)
    assert out.shape == expected.shape and out.dtype is tt.float32
    np.testing.assert_allclose(out.array, expected, rtol=1e-5, atol=1e-5)
    no_bias = VF.conv2d(tt.tensor(x), tt.tensor(weight), None, **kw)
    np.testing.assert_allclose(no_bias.array, expected - bias[:, None, None], rtol=1e-5,
                               atol=1e-4)


@pytest.mark.task("4.3")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_conv2d_forward_matches_naive_loops(naive, case):
    x, weight, bias, kw = _arrays(case, np.float64)
    out = VF.conv2d(tt.tensor(x), tt.tensor(weight), tt.tensor(bias), **kw)
    assert out.dtype is tt.float64
    np.testing.assert_allclose(out.array, _naive_conv(naive, case, x, weight, bias),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.task("4.3")
def test_conv2d_unbatched_and_batch_last_output(torch):
    x, weight, bias, kw = _arrays(GRID[1])
    out = VF.conv2d(tt.tensor(x[0]), tt.tensor(weight), tt.tensor(bias), padding=1)
    expected = torch.nn.functional.conv2d(torch.tensor(x[0]), torch.tensor(weight),
                                          torch.tensor(bias), padding=1).numpy()
    np.testing.assert_allclose(out.array, expected, rtol=1e-5, atol=1e-5)
    y, cols = conv2d_forward(x, weight, bias, ConvGeometry.make(3, 1, 1))
    assert y.transpose(1, 2, 3, 0).flags.c_contiguous  # (C, H, W, N) memory, as documented
    assert cols.shape == (3 * 9, 2 * 7 * 6)


@pytest.mark.task("4.3")
def test_channel_mismatch_names_expected_and_actual_counts():
    weight = tt.randn(8, 3, 3, 3)
    with pytest.raises(RuntimeError, match="expected input.* to have 3 channels, but got 4"):
        VF.conv2d(tt.randn(2, 4, 8, 8), weight)
    with pytest.raises(RuntimeError, match="groups=2.*to have 6 channels, but got 3"):
        VF.conv2d(tt.randn(2, 3, 8, 8), tt.randn(8, 3, 3, 3), groups=2)


@pytest.mark.task("4.3")
def test_kernel_larger_than_input_is_reported_by_conv2d():
    with pytest.raises(RuntimeError, match=r"\(4 x 4\).*Kernel size: \(5 x 5\)"):
        VF.conv2d(tt.randn(1, 1, 2, 2), tt.randn(1, 1, 5, 5), padding=1)


def test_conv2d_argument_errors():
    with pytest.raises(RuntimeError, match="should be the same"):
        VF.conv2d(tt.randn(1, 1, 4, 4), tt.randn(1, 1, 3, 3, dtype=tt.float64))
    with pytest.raises(RuntimeError, match="4-D weight"):
        VF.conv2d(tt.randn(1, 1, 4, 4), tt.randn(1, 3, 3))
    with pytest.raises(RuntimeError, match="3-D .* or 4-D"):
        VF.conv2d(tt.randn(4, 4), tt.randn(1, 1, 3, 3))
    with pytest.raises(RuntimeError, match="bias of shape"):
        VF.conv2d(tt.randn(1, 1, 4, 4), tt.randn(2, 1, 3, 3), tt.randn(3))
    with pytest.raises(TypeError, match="must be a Tensor"):
        VF.conv2d(np.zeros((1, 1, 4, 4)), tt.randn(1, 1, 3, 3))


# -- 4.4 col2im ----------------------------------------------------------------------------------

@pytest.mark.task("4.4")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_col2im_is_the_adjoint_of_im2col(case):
    x = _arrays(case, np.float64)[0]
    geometry = _explicit_padding(case)[0]
    cols = np.random.default_rng(1).standard_normal(im2col(x, geometry).shape)
    back = col2im(cols, x.shape, geometry)
    assert back.shape == x.shape
    # <im2col(x), C> == <x, col2im(C)>: col2im is the transpose of im2col
    np.testing.assert_allclose(np.sum(im2col(x, geometry) * cols), np.sum(x * back), rtol=1e-10)
    # and, entry by entry, the sum of the column entries that read each pixel
    eye = np.eye(x.size).reshape(x.size, *x.shape)
    for k in np.random.default_rng(2).choice(x.size, 5, replace=False):
        assert np.isclose(back.reshape(-1)[k], np.sum(im2col(eye[k], geometry) * cols))


# -- 4.5 input gradient (and conv_transpose2d) ---------------------------------------------------

@pytest.mark.task("4.5")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_conv2d_input_grad_matches_torch(torch, case):
    x, weight, bias, kw = _arrays(case)
    X, _, _, Y = _torch_conv(torch, x, weight, bias, kw, grad="x")
    gy = np.random.default_rng(3).standard_normal(Y.shape).astype(np.float32)
    Y.backward(torch.tensor(gy))
    xt = tt.tensor(x, requires_grad=True)
    VF.conv2d(xt, tt.tensor(weight), tt.tensor(bias), **kw).backward(tt.tensor(gy))
    np.testing.assert_allclose(xt.grad.array, X.grad.numpy(), rtol=1e-5, atol=1e-4)


@pytest.mark.task("4.5")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_conv2d_input_grad_matches_naive_loops(naive, case):
    x, weight, bias, kw = _arrays(case, np.float64)
    geometry, (top, bottom), (left, right) = _explicit_padding(case)
    xt = tt.tensor(x, requires_grad=True)
    out = VF.conv2d(xt, tt.tensor(weight), tt.tensor(bias), **kw)
    gy = np.random.default_rng(3).standard_normal(out.shape)
    out.backward(tt.tensor(gy))
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    gxp = naive.conv2d_backward(xp, weight, gy, geometry.stride, (0, 0), geometry.dilation,
                                geometry.groups)[0]
    expected = gxp[:, :, top:top + x.shape[2], left:left + x.shape[3]]
    np.testing.assert_allclose(xt.grad.array, expected, rtol=1e-12, atol=1e-12)


TRANSPOSED = [  # (N, C_in, H, W, C_out, kernel, stride, padding, output_padding, dilation, groups)
    (2, 3, 4, 5, 4, 3, 1, 0, 0, 1, 1),
    (1, 4, 3, 3, 6, 3, 2, 1, 1, 1, 2),
    (2, 2, 5, 4, 3, (2, 3), (3, 2), (1, 0), (2, 1), (1, 2), 1),
    (1, 4, 4, 4, 4, 4, 2, 1, 0, 1, 4),
]


def _transposed(case, seed=0):
    n, c, h, w, o, k, s, p, op, d, g = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    weight = rng.standard_normal((c, o // g, *pair(k, "k"))).astype(np.float32)
    bias = rng.standard_normal(o).astype(np.float32)
    return x, weight, bias, dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d)


@pytest.mark.task("4.5")
@pytest.mark.parametrize("case", TRANSPOSED)
def test_conv_transpose2d_forward_matches_torch(torch, case):
    x, weight, bias, kw = _transposed(case)
    expected = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(weight),
                                                    torch.tensor(bias), **kw).numpy()
    out = VF.conv_transpose2d(tt.tensor(x), tt.tensor(weight), tt.tensor(bias), **kw)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.array, expected, rtol=1e-5, atol=1e-4)


@pytest.mark.task("4.5")
@pytest.mark.parametrize("case", TRANSPOSED)
def test_conv_transpose2d_is_the_adjoint_of_conv2d(case):
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)> for every x, y: the transpose."""
    y, weight, _, kw = _transposed(case)
    y, weight = y.astype(np.float64), weight.astype(np.float64)
    out = VF.conv_transpose2d(tt.tensor(y), tt.tensor(weight), **kw)
    x = np.random.default_rng(5).standard_normal(out.shape)
    conv = VF.conv2d(tt.tensor(x), tt.tensor(weight), stride=kw["stride"],
                     padding=kw["padding"], dilation=kw["dilation"], groups=kw["groups"])
    assert conv.shape == y.shape
    np.testing.assert_allclose(np.sum(conv.array * y), np.sum(x * out.array), rtol=1e-10)


def test_conv_transpose2d_errors():
    with pytest.raises(RuntimeError, match="to have 3 channels, but got 2"):
        VF.conv_transpose2d(tt.randn(1, 2, 4, 4), tt.randn(3, 2, 3, 3))
    with pytest.raises(RuntimeError, match="smaller than the stride"):
        VF.conv_transpose2d(tt.randn(1, 3, 4, 4), tt.randn(3, 2, 3, 3), stride=2,
                            output_padding=2)


# -- 4.6 weight gradient, and the whole op by finite differences ---------------------------------

@pytest.mark.task("4.6")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_conv2d_weight_and_bias_grads_match_torch(torch, case):
    x, weight, bias, kw = _arrays(case)
    _, W, B, Y = _torch_conv(torch, x, weight, bias, kw, grad="wb")
    gy = np.random.default_rng(4).standard_normal(Y.shape).astype(np.float32)
    Y.backward(torch.tensor(gy))
    wt, bt = tt.tensor(weight, requires_grad=True), tt.tensor(bias, requires_grad=True)
    VF.conv2d(tt.tensor(x), wt, bt, **kw).backward(tt.tensor(gy))
    np.testing.assert_allclose(wt.grad.array, W.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bt.grad.array, B.grad.numpy(), rtol=1e-5, atol=1e-4)


@pytest.mark.task("4.6")
@pytest.mark.parametrize("case", GRID, ids=IDS)
def test_conv2d_weight_grad_matches_naive_loops(naive, case):
    x, weight, bias, kw = _arrays(case, np.float64)
    geometry, (top, bottom), (left, right) = _explicit_padding(case)
    wt = tt.tensor(weight, requires_grad=True)
    out = VF.conv2d(tt.tensor(x), wt, tt.tensor(bias), **kw)
    gy = np.random.default_rng(5).standard_normal(out.shape)
    out.backward(tt.tensor(gy))
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    expected = naive.conv2d_backward(xp, weight, gy, geometry.stride, (0, 0), geometry.dilation,
                                     geometry.groups)[1]
    np.testing.assert_allclose(wt.grad.array, expected, rtol=1e-12, atol=1e-11)


@pytest.mark.task("4.6")
@pytest.mark.parametrize("case", [GRID[2], GRID[4], GRID[9]], ids=["s2g2", "asym", "same"])
def test_conv2d_gradcheck_and_gradgradcheck(case):
    x, weight, bias, kw = _arrays(case, np.float64)
    inputs = [tt.tensor(a, requires_grad=True) for a in (x[:1], weight, bias)]
    assert gradcheck(lambda a, w, b: VF.conv2d(a, w, b, **kw), inputs)
    assert gradgradcheck(lambda a, w, b: VF.conv2d(a, w, b, **kw), inputs)


@pytest.mark.task("4.6")
@pytest.mark.parametrize("case", TRANSPOSED)
def test_conv_transpose2d_backward_matches_torch(torch, case):
    x, weight, bias, kw = _transposed(case)
    X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, weight, bias))
    Y = torch.nn.functional.conv_transpose2d(X, W, B, **kw)
    gy = np.random.default_rng(6).standard_normal(Y.shape).astype(np.float32)
    Y.backward(torch.tensor(gy))
    xt, wt, bt = (tt.tensor(a, requires_grad=True) for a in (x, weight, bias))
    VF.conv_transpose2d(xt, wt, bt, **kw).backward(tt.tensor(gy))
    for ours, theirs in ((xt, X), (wt, W), (bt, B)):
        np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-4, atol=1e-4)
    small = _transposed(case)[0][:1, :, :3, :3].astype(np.float64)
    inputs = [tt.tensor(small, requires_grad=True), tt.tensor(weight.astype(np.float64),
                                                              requires_grad=True)]
    assert gradcheck(lambda a, w: VF.conv_transpose2d(a, w, None, **kw), inputs)


@pytest.mark.task("4.6")
def test_conv1d_matches_torch(torch):
    rng = np.random.default_rng(7)
    for k, s, p, d, g in [(3, 1, 1, 1, 1), (4, 2, 0, 1, 2), (3, 1, "same", 2, 1)]:
        x = rng.standard_normal((2, 4, 11)).astype(np.float32)
        weight = rng.standard_normal((6, 4 // g, k)).astype(np.float32)
        bias = rng.standard_normal(6).astype(np.float32)
        X, W = torch.tensor(x, requires_grad=True), torch.tensor(weight, requires_grad=True)
        Y = torch.nn.functional.conv1d(X, W, torch.tensor(bias), s, p, d, g)
        Y.sum().backward()
        xt, wt = tt.tensor(x, requires_grad=True), tt.tensor(weight, requires_grad=True)
        out = VF.conv1d(xt, wt, tt.tensor(bias), s, p, d, g)
        out.sum().backward()
        np.testing.assert_allclose(out.array, Y.detach().numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(xt.grad.array, X.grad.numpy(), rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(wt.grad.array, W.grad.numpy(), rtol=1e-5, atol=1e-4)
