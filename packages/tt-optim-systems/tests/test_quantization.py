"""int8 quantization: parameters and rounding as PyTorch's, the error bound implied by the
scale, per-channel beating per-tensor, percentile calibration, the exact int8 matmul, and
quantized layers and models with real int8 storage."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.systems import model_size_bytes
from tinytorch.systems.quantization import (
    QMAX,
    QMIN,
    Observer,
    calibrate,
    dequantize,
    dequantize_tensor,
    qparams,
    quantize,
    quantize_tensor,
)
from tinytorch.systems.quantized import QuantizedLinear, int8_matmul, quantize_model

RNG = np.random.default_rng(0)


# -- 6.19 scale and zero point ------------------------------------------------------------------

@pytest.mark.task("6.19")
def test_qparams_closed_forms():
    s, z = qparams(-1.0, 3.0, symmetric=True)
    assert s == np.float32(3.0 / 127.5) and z == 0
    s, z = qparams(-1.0, 3.0, symmetric=False)
    assert s == np.float32(4.0 / 255) and z == -128 - round(-1.0 / float(s))
    s, z = qparams(2.0, 5.0, symmetric=False)  # the range is widened to include 0
    assert s == np.float32(5.0 / 255) and z == -128
    s, z = qparams(0.0, 0.0, symmetric=True)   # constant tensor: the scale is eps, not 0
    assert s == np.finfo(np.float32).eps
    s, z = qparams(np.array([-1.0, -4.0]), np.array([2.0, 1.0]), symmetric=True)
    np.testing.assert_array_equal(s, np.float32([2.0, 4.0]) / np.float32(127.5))
    with pytest.raises(ValueError, match="lo <= hi"):
        qparams(np.nan, 1.0, True)


@pytest.mark.task("6.19")
@pytest.mark.parametrize("symmetric", [True, False])
def test_qparams_match_torch_observer(symmetric):
    torch = pytest.importorskip("torch")
    from torch.ao.quantization import MinMaxObserver, PerChannelMinMaxObserver

    x = (RNG.standard_normal((6, 40)) * RNG.uniform(0.1, 3, (6, 1)) + 0.3).astype(np.float32)
    scheme = torch.per_tensor_symmetric if symmetric else torch.per_tensor_affine
    ref = MinMaxObserver(dtype=torch.qint8, qscheme=scheme)
    ref(torch.tensor(x))
    s_ref, z_ref = ref.calculate_qparams()
    s, z = calibrate(x, symmetric=symmetric)
    assert s == pytest.approx(s_ref.item(), rel=1e-6) and int(z) == z_ref.item()
    scheme = torch.per_channel_symmetric if symmetric else torch.per_channel_affine
    ref = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=scheme)
    ref(torch.tensor(x))
    s_ref, z_ref = ref.calculate_qparams()
    s, z = calibrate(x, symmetric=symmetric, axis=0)
    np.testing.assert_allclose(s, s_ref.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(z, z_ref.numpy())


# -- 6.20 quantize / dequantize -----------------------------------------------------------------

@pytest.mark.task("6.20")
def test_round_half_to_even_and_clamp():
    q = quantize(np.array([0.5, 1.5, 2.5, -0.5, -2.5, 1000.0, -1000.0]), 1.0, 0)
    np.testing.assert_array_equal(q, [0, 2, 2, 0, -2, QMAX, QMIN])
    assert q.dtype == np.int8
    q = quantize(np.array([0.0, 1.0]), 0.5, 10)
    np.testing.assert_array_equal(q, [10, 12])
    np.testing.assert_array_equal(dequantize(q, 0.5, 10), np.float32([0.0, 1.0]))


@pytest.mark.task("6.20")
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_error_is_within_half_a_scale(symmetric, axis):
    x = (RNG.standard_normal((8, 30)) * RNG.uniform(0.01, 5, (8, 1))).astype(np.float32)
    s, z = calibrate(x, symmetric=symmetric, axis=axis)
    error = np.abs(dequantize(quantize(x, s, z, axis), s, z, axis) - x)
    bound = s / 2 if axis is None else np.expand_dims(s / 2, 1 - axis)
    # s / 2, plus float32 rounding of x and of (q - z) * s (a couple of ulps of x)
    assert np.all(error <= bound + 2 * np.spacing(np.abs(x)))
    assert np.mean(error) > 0.1 * np.mean(bound)  # it is a real rounding, not a copy


@pytest.mark.task("6.20")
@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor")
def test_quantize_matches_torch_bit_for_bit():
    torch = pytest.importorskip("torch")
    x = (RNG.standard_normal((5, 64)) * 2).astype(np.float32)
    x[0, :4] = [0.0, 1e-9, -3.0, 7.0]
    s, z = calibrate(x, symmetric=False)
    ref = torch.quantize_per_tensor(torch.tensor(x), float(s), int(z), torch.qint8)
    np.testing.assert_array_equal(quantize(x, s, z), ref.int_repr().numpy())
    np.testing.assert_array_equal(dequantize(quantize(x, s, z), s, z), ref.dequantize().numpy())
    s, z = calibrate(x, symmetric=True, axis=0)
    ref = torch.quantize_per_channel(torch.tensor(x), torch.tensor(s, dtype=torch.float64),
                                     torch.tensor(z, dtype=torch.int64), 0, torch.qint8)
    np.testing.assert_array_equal(quantize(x, s, z, axis=0), ref.int_repr().numpy())


@pytest.mark.task("6.20")
def test_per_channel_beats_per_tensor_on_rows_of_different_scales():
    rows = RNG.standard_normal((4, 256)).astype(np.float32)
    w = rows * np.float32([[100.0], [1.0], [0.1], [0.01]])  # one large row dominates the range
    s_t, z_t = calibrate(w, symmetric=True)
    s_c, z_c = calibrate(w, symmetric=True, axis=0)
    err_t = np.abs(dequantize(quantize(w, s_t, z_t), s_t, z_t) - w).mean(axis=1)
    err_c = np.abs(dequantize(quantize(w, s_c, z_c, 0), s_c, z_c, 0) - w).mean(axis=1)
    assert err_c[0] == pytest.approx(err_t[0], rel=1e-6)         # same scale for the big row
    assert np.all(err_c[1:] < err_t[1:] / 50)                    # the small rows gain 100x
    small = w[3]
    assert np.all(quantize(small, s_t, z_t) == 0)                # per tensor: all rounded to 0


@pytest.mark.task("6.20")
def test_int8_tensors():
    x = tt.tensor([[0.1, -0.2], [0.3, 0.4]])
    q = quantize_tensor(x, 0.1, 0)
    assert q.dtype == tt.int8 and q.tolist() == [[1, -2], [3, 4]]
    back = dequantize_tensor(q, 0.1, 0)
    assert back.dtype == tt.float32
    np.testing.assert_allclose(back.numpy(), x.numpy(), atol=0.05)


# -- percentile calibration (part of 6.20's test set: it only uses quantize) ----------------------

@pytest.mark.task("6.20")
def test_percentile_calibration_clips_outliers_and_wins():
    x = RNG.standard_normal(100_000).astype(np.float32)
    x[:5] = [60.0, -55.0, 40.0, 80.0, -70.0]  # five outliers
    s_mm, z_mm = calibrate(x, "minmax", symmetric=True)
    s_p, z_p = calibrate(x, "percentile", symmetric=True, percentile=99.9)
    assert s_p < s_mm / 10
    hi = np.percentile(x, 99.9)
    lo = np.percentile(x, 0.1)
    assert s_p == pytest.approx(max(hi, -lo) / 127.5, rel=1e-5)
    def mse(s, z, values):
        return np.mean((dequantize(quantize(values, s, z), s, z) - values) ** 2)
    bulk = x[5:][np.abs(x[5:]) < 3]  # 99.7% of the data: a 25x finer grid, 600x less error
    assert mse(s_p, z_p, bulk) < mse(s_mm, z_mm, bulk) / 100
    assert mse(s_p, z_p, x) > mse(s_mm, z_mm, x)  # the price: the outliers are clipped
    obs = Observer("percentile", symmetric=False, percentile=99.0)
    obs.observe(x[:50_000]).observe(x[50_000:])
    assert obs.batches == 2 and obs.lo < 0 < obs.hi
    with pytest.raises(RuntimeError, match="no data"):
        Observer().qparams()
    with pytest.raises(ValueError, match="method"):
        Observer("mean")


# -- 6.21 the exact int8 matmul -----------------------------------------------------------------

@pytest.mark.task("6.21")
@pytest.mark.parametrize("k", [1, 100, 1024, 1025, 3000])
def test_int8_matmul_is_exact(k):
    a = RNG.integers(-128, 128, (7, k)).astype(np.int8)
    b = RNG.integers(-128, 128, (k, 5)).astype(np.int8)
    a[0] = -128
    b[:, 0] = -128  # the worst case: every product is 2^14
    expected = a.astype(np.int64) @ b.astype(np.int64)
    out = int8_matmul(a, b)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)


def test_int8_matmul_rejects_other_dtypes():
    with pytest.raises(ValueError, match="int8 matrices"):
        int8_matmul(np.zeros((2, 3), np.int16), np.zeros((3, 2), np.int8))


# -- 6.22 QuantizedLinear -----------------------------------------------------------------------

@pytest.mark.task("6.22")
def test_quantized_linear_equals_its_integer_definition():
    tt.manual_seed(0)
    layer = nn.Linear(50, 20)
    q = QuantizedLinear.from_float(layer)
    assert q.weight.dtype == tt.int8 and q.weight.shape == (20, 50)
    x = tt.randn(6, 50)
    out = q(x).array
    s_x, z_x = qparams(x.array.min(), x.array.max(), symmetric=False)
    q_x = quantize(x.array, s_x, z_x).astype(np.int64)
    exact = (q_x - z_x) @ q.weight.array.astype(np.int64).T           # integer arithmetic
    expected = exact * (s_x * q.weight_scale.array).astype(np.float64) + layer.bias.array
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    # and it approximates the float layer within the error the scales allow
    ref = layer(x).array
    w_err = np.abs(x.array) @ (q.weight_scale.array[:, None] / 2 * np.ones((20, 50))).T
    x_err = (s_x / 2) * np.abs(layer.weight.array).sum(1)
    assert np.all(np.abs(out - ref) <= (w_err + x_err + 1e-4) * 1.01)


@pytest.mark.task("6.22")
def test_quantized_linear_keeps_leading_dims_and_counts_flops():
    from tinytorch.systems import Profiler

    q = QuantizedLinear.from_float(nn.Linear(8, 3))
    out = q(tt.randn(2, 5, 8))
    assert out.shape == (2, 5, 3) and out.dtype == tt.float32
    with Profiler(q) as prof:
        q(tt.randn(4, 8))
    assert prof.total_flops() == 2 * 4 * 8 * 3 + 4 * 3
    assert "dynamic" in repr(q)


# -- 6.23 quantize_model ------------------------------------------------------------------------

def _mlp():
    tt.manual_seed(0)
    return nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))


@pytest.mark.task("6.23")
@pytest.mark.parametrize("method", ["minmax", "percentile"])
def test_quantize_model_static_calibration(method):
    model = _mlp()
    calib = [tt.randn(64, 32) for _ in range(3)]
    qmodel = quantize_model(model, calibration_data=calib, method=method, percentile=99.9)
    assert isinstance(qmodel[0], QuantizedLinear) and qmodel[0].static
    assert isinstance(model[0], nn.Linear)  # the float model is untouched
    x = np.concatenate([c.array for c in calib])
    observer = Observer(method, symmetric=False, percentile=99.9)
    for c in calib:
        observer.observe(c)
    s, z = observer.qparams()
    assert qmodel[0].input_scale.item() == pytest.approx(float(s))
    assert qmodel[0].input_zero_point.item() == int(z)
    hidden = np.maximum(x @ model[0].weight.array.T + model[0].bias.array, 0)
    assert qmodel[2].input_zero_point.item() == -128  # ReLU outputs: min 0 maps to -128
    if method == "minmax":
        assert qmodel[2].input_scale.item() == pytest.approx(hidden.max() / 255, rel=1e-5)
    with no_grad():
        ref, out = model(tt.tensor(x)).array, qmodel(tt.tensor(x)).array
    assert np.abs(out - ref).max() < 0.05 * np.abs(ref).max()
    assert (out.argmax(1) == ref.argmax(1)).mean() > 0.95


@pytest.mark.task("6.23")
def test_quantized_state_dict_is_int8_and_four_times_smaller(tmp_path):
    model = _mlp()
    qmodel = quantize_model(model, calibration_data=tt.randn(16, 32))
    state = qmodel.state_dict()
    assert state["0.weight"].dtype == tt.int8 and state["0.weight_scale"].dtype == tt.float32
    weights = 32 * 64 + 64 * 10
    assert model_size_bytes(model) == 4 * (weights + 64 + 10)
    assert model_size_bytes(qmodel) == weights + 4 * (64 + 10) + 4 * (64 + 10) + 2 * (4 + 4)
    nn.save(state, tmp_path / "q.npz")
    with np.load(tmp_path / "q.npz", allow_pickle=False) as npz:
        int8_arrays = [npz[k] for k in npz.files if npz[k].dtype == np.int8]
    assert sorted(a.size for a in int8_arrays) == [64 * 10, 32 * 64]
    loaded = nn.load(tmp_path / "q.npz")
    fresh = quantize_model(_mlp(), calibration_data=tt.randn(4, 32))
    fresh.load_state_dict(loaded)
    x = tt.randn(5, 32)
    np.testing.assert_array_equal(fresh(x).array, qmodel(x).array)


@pytest.mark.task("6.23")
def test_dynamic_quantize_model_and_bad_calibration():
    model = _mlp()
    qmodel = quantize_model(model)
    assert not qmodel[0].static and "input_scale" not in qmodel.state_dict()
    x = tt.randn(8, 32)
    with no_grad():
        ref = model(x).array
    assert np.abs(qmodel(x).array - ref).max() < 0.05 * np.abs(ref).max()
    with pytest.raises(ValueError, match="no batch"):
        quantize_model(model, calibration_data=[])
