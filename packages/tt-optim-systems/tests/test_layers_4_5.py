"""Part 6 on the layers of parts 4 and 5: FLOPs of convolution and attention equal their closed
forms; int8 convolution equals its integer definition; channel pruning of a CNN gives a smaller
model equal to the masked one."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.systems import Profiler, model_size_bytes
from tinytorch.systems.kv_cache import make_caches
from tinytorch.systems.quantization import qparams, quantize
from tinytorch.systems.quantized import QuantizedConv2d, quantize_model
from tinytorch.systems.structured import prune_channels
from tinytorch.text import GPT, GPTConfig, MultiHeadAttention
from tinytorch.vision import BatchNorm2d, Conv2d, MaxPool2d
from tinytorch.vision.models import LeNet5

RNG = np.random.default_rng(0)


def conv_closed_form(n, c, o, out_h, out_w, kh, kw, groups=1, bias=True):
    return n * o * out_h * out_w * (2 * (c // groups) * kh * kw + (1 if bias else 0))


# -- FLOPs (6.3: closed forms of layers) --------------------------------------------------------

@pytest.mark.task("6.3")
@pytest.mark.parametrize("stride, padding, dilation, groups, bias", [
    (1, 0, 1, 1, True), (2, 1, 1, 1, False), (1, 2, 2, 2, True), (3, 1, 1, 4, True)])
def test_conv2d_flops_closed_form(stride, padding, dilation, groups, bias):
    conv = Conv2d(8, 12, (3, 5), stride=stride, padding=padding, dilation=dilation,
                  groups=groups, bias=bias)
    x = tt.randn(2, 8, 17, 19)
    with Profiler(conv) as prof:
        out = conv(x)
    _, o, out_h, out_w = out.shape
    assert prof.total_flops() == conv_closed_form(2, 8, 12, out_h, out_w, 3, 5, groups, bias)


@pytest.mark.task("6.3")
def test_lenet_flops_are_the_sum_of_its_layers():
    model = LeNet5().eval()
    with Profiler(model) as prof:
        model(tt.randn(3, 1, 28, 28))
    n = 3
    expected = (conv_closed_form(n, 1, 6, 28, 28, 5, 5) + n * 6 * 28 * 28          # C1, ReLU
                + n * 6 * 14 * 14 * 4                                               # S2 max 2x2
                + conv_closed_form(n, 6, 16, 10, 10, 5, 5) + n * 16 * 10 * 10       # C3, ReLU
                + n * 16 * 5 * 5 * 4                                                # S4
                + conv_closed_form(n, 16, 120, 1, 1, 5, 5) + n * 120                # C5, ReLU
                + n * (2 * 120 * 84 + 84) + n * 84 + n * (2 * 84 * 10 + 10))        # F6, out
    assert prof.total_flops() == expected


def attention_closed_form(b, t, s, c, nh):
    hs = c // nh
    projections = (2 * b * t * c * 3 * c + b * t * 3 * c) + (2 * b * t * c * c + b * t * c)
    return projections + 4 * b * nh * t * s * hs + 6 * b * nh * t * s


@pytest.mark.task("6.3")
def test_attention_flops_closed_form():
    tt.manual_seed(0)
    attn = MultiHeadAttention(32, 4).eval()
    x = tt.randn(2, 7, 32)
    with Profiler(attn) as prof, no_grad():
        attn(x)
    assert prof.total_flops() == attention_closed_form(2, 7, 7, 32, 4)


@pytest.mark.task("6.24")
def test_attention_flops_with_a_kv_cache():
    model = GPT(GPTConfig(block_size=16, vocab_size=11, n_layer=1, n_head=4, n_embd=32)).eval()
    caches = make_caches(model, 1)
    with no_grad():
        model(tt.tensor([[1, 2, 3, 4, 5]]), caches=caches)
        with Profiler(model) as prof:
            model(tt.tensor([[6]]), caches=caches, start_pos=5)   # 1 query, 6 keys
    attn_records = [m for m in prof.modules if m.kind == "MultiHeadAttention"]
    assert attn_records[0].flops == attention_closed_form(1, 1, 6, 32, 4)


# -- int8 convolution (6.22) --------------------------------------------------------------------

@pytest.mark.task("6.22")
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (1, "same")])
def test_quantized_conv_equals_its_integer_definition(stride, padding):
    tt.manual_seed(1)
    conv = Conv2d(3, 5, 3, stride=stride, padding=padding)
    q = QuantizedConv2d(conv)
    assert q.weight.dtype == tt.int8 and q.weight.shape == (5, 3, 3, 3)
    x = tt.randn(2, 3, 9, 8)
    out = q(x).array
    s_x, z_x = qparams(x.array.min(), x.array.max(), symmetric=False)
    x_hat = (quantize(x.array, s_x, z_x).astype(np.float64) - z_x) * s_x   # what int8 sees
    w_hat = q.weight.array.astype(np.float64) * q.weight_scale.array[:, None, None, None]
    reference = Conv2d(3, 5, 3, stride=stride, padding=padding).double()
    reference.weight.array[...] = w_hat
    reference.bias.array[...] = conv.bias.array
    expected = reference(tt.tensor(x_hat)).array
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    ref = conv(x).array
    assert np.abs(out - ref).max() < 0.05 * np.abs(ref).max()


@pytest.mark.task("6.23")
def test_quantized_lenet_is_int8_and_close():
    tt.manual_seed(0)
    model = LeNet5().eval()
    x = tt.randn(32, 1, 28, 28)
    qmodel = quantize_model(model, calibration_data=x)
    weights = sum(p.numel() for name, p in model.named_parameters() if name.endswith("weight"))
    assert sum(t.numel() for t in qmodel.state_dict().values() if t.dtype == tt.int8) == weights
    assert model_size_bytes(qmodel) < 0.3 * model_size_bytes(model)
    with no_grad():
        ref, out = model(x).array, qmodel(x).array
    assert np.abs(out - ref).max() < 0.05 * np.abs(ref).max()


# -- channel pruning of a CNN (6.16) ------------------------------------------------------------

@pytest.mark.task("6.16")
@pytest.mark.parametrize("amount", [0.25, 0.5])
def test_cnn_channel_pruning_equals_masked_model(amount):
    tt.manual_seed(2)
    model = nn.Sequential(Conv2d(3, 16, 3, padding=1), BatchNorm2d(16), nn.ReLU(), MaxPool2d(2),
                          Conv2d(16, 24, 3, padding=1, bias=False), BatchNorm2d(24), nn.ReLU(),
                          MaxPool2d(2), nn.Flatten(), nn.Linear(24 * 4 * 4, 10))
    model(tt.randn(16, 3, 16, 16))  # training mode: fill the running statistics
    model.eval()
    small, masked = prune_channels(model, amount), prune_channels(model, amount, shrink=False)
    kept = 16 - round(amount * 16), 24 - round(amount * 24)
    assert small[0].weight.shape == (kept[0], 3, 3, 3) and small[1].num_features == kept[0]
    assert small[4].weight.shape == (kept[1], kept[0], 3, 3)
    assert small[9].weight.shape == (10, kept[1] * 16)
    x = tt.randn(4, 3, 16, 16)
    with no_grad():
        np.testing.assert_allclose(small(x).array, masked(x).array, rtol=1e-5, atol=1e-5)


@pytest.mark.task("6.16")
def test_lenet_pruning_shrinks_flops():
    model = LeNet5().eval()
    small = prune_channels(model, 0.5)
    x = tt.randn(2, 1, 28, 28)
    flops = []
    for net in (model, small):
        with Profiler(net) as prof, no_grad():
            net(x)
        flops.append(prof.total_flops())
    assert flops[1] < 0.4 * flops[0]
    with no_grad():
        np.testing.assert_allclose(small(x).array, prune_channels(model, 0.5, shrink=False)(x).array,
                                   rtol=1e-5, atol=1e-5)
