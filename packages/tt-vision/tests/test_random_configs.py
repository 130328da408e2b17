"""Random configurations against PyTorch: what a user porting their habits would try.

Each case draws its settings from a seeded generator (so a failure names a reproducible case):
convolution with every kind of stride, padding, dilation and groups, unbatched inputs included;
pooling with ceil_mode, count_include_pad and dilation. Forward values and all gradients must
match ``torch.nn.functional``. Untagged: these need the whole part, not one task.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

import tinytorch.tensor as tt
import tinytorch.vision as vision
import tinytorch.vision.functional as VF


def _conv_case(seed: int) -> dict:
    pick = random.Random(seed).choice
    groups = pick([1, 2])
    case = dict(n=pick([1, 2, 3]), c=groups * pick([1, 2]), o=groups * pick([1, 3]),
                kernel=(pick([1, 2, 3]), pick([1, 3])), stride=(pick([1, 2]), pick([1, 3])),
                dilation=(pick([1, 2]), 1), padding=pick([0, 1, (1, 2), "same", "valid"]),
                groups=groups, size=(6 + seed % 5, 11 - seed % 4), unbatched=seed % 4 == 0)
    if case["padding"] == "same":
        case["stride"] = (1, 1)  # PyTorch allows "same" with stride 1 only
    return case


@pytest.mark.parametrize("seed", range(40))
def test_conv2d_forward_and_gradients_match_torch(torch, seed):
    case = _conv_case(seed)
    rng = np.random.default_rng(seed)
    shape = (case["n"], case["c"], *case["size"])
    x = rng.standard_normal(shape[1:] if case["unbatched"] else shape).astype(np.float32)
    w = rng.standard_normal((case["o"], case["c"] // case["groups"], *case["kernel"]))
    b = rng.standard_normal(case["o"])
    arrays = [x, w.astype(np.float32), b.astype(np.float32)]
    ours = [tt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    args = (case["stride"], case["padding"], case["dilation"], case["groups"])
    out = VF.conv2d(*ours, *args)
    with warnings.catch_warnings():  # PyTorch: "same" with an even kernel copies the input
        warnings.simplefilter("ignore", UserWarning)
        ref = torch.nn.functional.conv2d(*theirs, *args)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-4)
    upstream = rng.standard_normal(tuple(ref.shape)).astype(np.float32)
    (out * tt.tensor(upstream)).sum().backward()
    (ref * torch.tensor(upstream)).sum().backward()
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("seed", range(30))
def test_pooling_matches_torch(torch, seed):
    pick = random.Random(seed).choice
    kernel, stride, padding = pick([2, 3]), pick([1, 2, None]), pick([0, 1])
    dilation, ceil_mode, count_include_pad = pick([1, 2]), pick([False, True]), pick([True, False])
    x = np.random.default_rng(seed).standard_normal((2, 3, 5 + seed % 5, 9 - seed % 4))
    x = x.astype(np.float32)
    layers = [
        (vision.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode),
         torch.nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)),
        (vision.AvgPool2d(kernel, stride, padding, ceil_mode, count_include_pad),
         torch.nn.AvgPool2d(kernel, stride, padding, ceil_mode, count_include_pad)),
    ]
    for ours_layer, torch_layer in layers:
        ours, theirs = tt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, ref = ours_layer(ours), torch_layer(theirs)
        np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-6)
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("output_size", [(1, 1), (2, 3), 3, (None, 2)])
def test_adaptive_average_pooling_matches_torch(torch, output_size):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 5)).astype(np.float32)
    out = vision.AdaptiveAvgPool2d(output_size)(tt.tensor(x))
    ref = torch.nn.AdaptiveAvgPool2d(output_size)(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)

