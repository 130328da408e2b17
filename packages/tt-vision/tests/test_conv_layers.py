"""Conv2d, Conv1d and ConvTranspose2d as layers: parameters, PyTorch's initialisation, and the
same outputs and gradients as PyTorch's layers given the same weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.vision import Conv1d, Conv2d, ConvTranspose2d


def _copy_to_torch(theirs, ours, torch):
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.array.copy()))
        if ours.bias is not None:
            theirs.bias.copy_(torch.from_numpy(ours.bias.array.copy()))


def _assert_same_outputs_and_grads(torch, ours, theirs, x, rtol=1e-5, atol=1e-4, **forward):
    _copy_to_torch(theirs, ours, torch)
    X = torch.tensor(x, requires_grad=True)
    Y = theirs(X, **forward)
    gy = np.random.default_rng(1).standard_normal(Y.shape).astype(np.float32)
    Y.backward(torch.tensor(gy))
    xt = tt.tensor(x, requires_grad=True)
    out = ours(xt, **forward)
    out.backward(tt.tensor(gy))
    np.testing.assert_allclose(out.array, Y.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(xt.grad.array, X.grad.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=rtol,
                               atol=atol)
    if ours.bias is not None:
        np.testing.assert_allclose(ours.bias.grad.array, theirs.bias.grad.numpy(), rtol=rtol,
                                   atol=atol)


@pytest.mark.task("4.7")
def test_conv2d_parameters_and_repr():
    conv = Conv2d(4, 6, (3, 5), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3, 5) and conv.bias.shape == (6,)
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    assert conv.weight.dtype is tt.float32 and conv.weight.requires_grad
    assert Conv2d(1, 2, 3, bias=False).bias is None
    assert repr(conv) == ("Conv2d(4, 6, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), "
                          "groups=2)")
    assert Conv2d(2, 2, 3, dtype=tt.float64).weight.dtype is tt.float64


@pytest.mark.task("4.7")
def test_initialisation_is_pytorchs_uniform_bound():
    conv = Conv2d(16, 64, 3)
    bound = 1 / math.sqrt(16 * 9)
    w, b = conv.weight.array, conv.bias.array
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # U(-a, a) has std a / sqrt(3)
    assert np.abs(b).max() <= bound and len(np.unique(b)) == 64
    transposed = ConvTranspose2d(16, 8, 4, groups=2)  # fan_in = weight.shape[1] * 16 = 64
    assert np.abs(transposed.weight.array).max() <= 1 / math.sqrt(64)
    assert np.abs(transposed.weight.array).max() > 0.9 / math.sqrt(64)


@pytest.mark.task("4.7")
@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 1)),
    dict(kernel_size=3, padding="same", dilation=2, groups=2),
    dict(kernel_size=3, padding=2, padding_mode="reflect"),
    dict(kernel_size=3, padding=1, padding_mode="replicate", bias=False),
    dict(kernel_size=3, padding=1, padding_mode="circular"),
    dict(kernel_size=4, padding="same", padding_mode="reflect"),
])
def test_conv2d_matches_torch(torch, kwargs):
    tt.manual_seed(0)
    ours = Conv2d(4, 6, **kwargs)
    theirs = torch.nn.Conv2d(4, 6, **kwargs)
    x = np.random.default_rng(0).standard_normal((2, 4, 9, 8)).astype(np.float32)
    _assert_same_outputs_and_grads(torch, ours, theirs, x)
    assert repr(ours) == repr(theirs)


@pytest.mark.task("4.7")
@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3, padding=1),
    dict(kernel_size=4, stride=2, groups=2),
    dict(kernel_size=3, padding="same", dilation=2, padding_mode="reflect"),
])
def test_conv1d_matches_torch(torch, kwargs):
    ours = Conv1d(4, 6, **kwargs)
    theirs = torch.nn.Conv1d(4, 6, **kwargs)
    x = np.random.default_rng(2).standard_normal((3, 4, 13)).astype(np.float32)
    _assert_same_outputs_and_grads(torch, ours, theirs, x)
    assert repr(ours) == repr(theirs)


@pytest.mark.task("4.7")
@pytest.mark.parametrize("kwargs, output_size", [
    (dict(kernel_size=3, stride=2, padding=1), None),
    (dict(kernel_size=3, stride=2, padding=1), (10, 12)),
    (dict(kernel_size=(2, 4), stride=(2, 3), output_padding=(1, 2), dilation=(2, 1),
          groups=2), None),
])
def test_conv_transpose2d_matches_torch(torch, kwargs, output_size):
    ours = ConvTranspose2d(4, 6, **kwargs)
    theirs = torch.nn.ConvTranspose2d(4, 6, **kwargs)
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 6)).astype(np.float32)
    forward = {} if output_size is None else {"output_size": output_size}
    _assert_same_outputs_and_grads(torch, ours, theirs, x, **forward)
    assert repr(ours) == repr(theirs)


def test_layer_argument_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        Conv2d(3, 6, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="strided"):
        Conv2d(3, 6, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="valid sizes range from"):
        ConvTranspose2d(2, 2, 3, stride=2)(tt.randn(1, 2, 4, 4), output_size=(20, 20))
