"""Batch normalisation: forward and closed-form backward against PyTorch and finite differences,
running statistics after several steps equal to PyTorch's, train/eval behaviour; Dropout2d."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
import tinytorch.vision.functional as VF
from tinytorch.autograd import gradcheck, gradgradcheck
from tinytorch.vision import BatchNorm1d, BatchNorm2d, Dropout2d

SHAPES = [(4, 3, 5, 6), (8, 3), (4, 3, 7)]


def _data(shape, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    return x, rng.standard_normal(c).astype(dtype), rng.standard_normal(c).astype(dtype)


# -- 4.12 forward ---------------------------------------------------------------------------------

@pytest.mark.task("4.12")
@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_forward_matches_torch(torch, shape):
    x, w, b = _data(shape)
    F = torch.nn.functional
    expected = F.batch_norm(torch.tensor(x), None, None, torch.tensor(w), torch.tensor(b),
                            training=True)
    out = VF.batch_norm(tt.tensor(x), None, None, tt.tensor(w), tt.tensor(b), training=True)
    np.testing.assert_allclose(out.array, expected.numpy(), rtol=1e-5, atol=1e-5)
    # evaluation: the given statistics, no affine
    mean, var = np.abs(w), np.abs(b) + 0.5
    expected = F.batch_norm(torch.tensor(x), torch.tensor(mean), torch.tensor(var),
                            training=False, eps=1e-3)
    out = VF.batch_norm(tt.tensor(x), tt.tensor(mean), tt.tensor(var), training=False, eps=1e-3)
    np.testing.assert_allclose(out.array, expected.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.task("4.12")
def test_batch_norm_output_is_normalised():
    x, _, _ = _data((16, 3, 4, 4), seed=1)
    out = VF.batch_norm(tt.tensor(x), None, None, training=True).array
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, atol=1e-3)


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        VF.batch_norm(tt.randn(1, 3), tt.zeros(3), tt.ones(3), training=True)
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        VF.batch_norm(tt.randn(2, 4, 2, 2), tt.zeros(3), tt.ones(3))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 2D input\)"):
        BatchNorm2d(3)(tt.randn(2, 3))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        BatchNorm1d(3)(tt.randn(2, 3, 4, 4))


# -- 4.13 backward --------------------------------------------------------------------------------

@pytest.mark.task("4.13")
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_backward_matches_torch(torch, shape, training):
    x, w, b = _data(shape, seed=2)
    mean, var = np.abs(w), np.abs(b) + 0.5
    stats = (None, None) if training else (mean, var)
    X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    Y = torch.nn.functional.batch_norm(
        X, *(None if s is None else torch.tensor(s) for s in stats), W, B, training=training)
    gy = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    Y.backward(torch.tensor(gy))
    xt, wt, bt = (tt.tensor(a, requires_grad=True) for a in (x, w, b))
    out = VF.batch_norm(xt, *(None if s is None else tt.tensor(s) for s in stats), wt, bt,
                        training=training)
    out.backward(tt.tensor(gy))
    for ours, theirs in ((xt, X), (wt, W), (bt, B)):
        np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.task("4.13")
@pytest.mark.parametrize("shape", [(3, 2, 3, 2), (5, 3)])
def test_batch_norm_gradcheck(shape):
    x, w, b = _data(shape, seed=4, dtype=np.float64)
    inputs = [tt.tensor(a, requires_grad=True) for a in (x, w, b)]
    assert gradcheck(lambda a, g, s: VF.batch_norm(a, None, None, g, s, training=True), inputs)
    assert gradcheck(lambda a: VF.batch_norm(a, None, None, training=True), inputs[:1])
    assert gradgradcheck(lambda a, g, s: VF.batch_norm(a, None, None, g, s, training=True),
                         inputs)
    stats = (tt.tensor(np.abs(w) + 0.1), tt.tensor(np.abs(b) + 0.5))
    assert gradgradcheck(lambda a, g, s: VF.batch_norm(a, *stats, g, s, training=False), inputs)


# -- 4.14 running statistics and the layers -------------------------------------------------------

LAYERS = [("BatchNorm2d", (4, 3, 5, 6)), ("BatchNorm1d", (8, 3)), ("BatchNorm1d", (4, 3, 7))]


@pytest.mark.task("4.13")
@pytest.mark.parametrize("cls, shape", LAYERS)
def test_layer_without_running_stats_matches_torch(torch, cls, shape):
    _assert_several_steps_match(torch, cls, shape, {"track_running_stats": False})


@pytest.mark.task("4.14")
@pytest.mark.parametrize("cls, shape", LAYERS)
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"momentum": 0.3, "affine": False},
                                    {"bias": False}])
def test_layer_matches_torch_over_several_steps(torch, cls, shape, kwargs):
    _assert_several_steps_match(torch, cls, shape, kwargs)


def _assert_several_steps_match(torch, cls, shape, kwargs):
    """Four training steps (outputs, input gradients), then the state and eval outputs."""
    ours = {"BatchNorm2d": BatchNorm2d, "BatchNorm1d": BatchNorm1d}[cls](3, **kwargs)
    theirs = getattr(torch.nn, cls)(3, **kwargs)
    assert repr(ours) == repr(theirs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    rng = np.random.default_rng(5)
    for step in range(4):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(np.float32)
        X = torch.tensor(x, requires_grad=True)
        Y = theirs(X)
        gy = rng.standard_normal(shape).astype(np.float32)
        Y.backward(torch.tensor(gy))
        xt = tt.tensor(x, requires_grad=True)
        out = ours(xt)
        out.backward(tt.tensor(gy))
        np.testing.assert_allclose(out.array, Y.detach().numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(xt.grad.array, X.grad.numpy(), rtol=1e-4, atol=1e-5)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].array, value.numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=name)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(tt.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.task("4.14")
def test_running_variance_is_unbiased_and_momentum_moves_it():
    x = np.arange(8, dtype=np.float32).reshape(4, 2)  # columns 0,2,4,6 and 1,3,5,7
    mean, var = tt.zeros(2), tt.ones(2)
    VF.batch_norm(tt.tensor(x), mean, var, training=True, momentum=0.5)
    np.testing.assert_allclose(mean.array, [1.5, 2.0])  # 0.5 * 0 + 0.5 * [3, 4]
    unbiased = np.var([0, 2, 4, 6], ddof=1)
    np.testing.assert_allclose(var.array, [0.5 + 0.5 * unbiased] * 2, rtol=1e-6)


@pytest.mark.task("4.14")
def test_eval_mode_uses_running_statistics_and_reset():
    layer = BatchNorm2d(2)
    for _ in range(3):
        layer(tt.randn(4, 2, 3, 3) * 3 + 2)
    assert int(layer.num_batches_tracked.array) == 3
    layer.eval()
    x = tt.randn(1, 2, 3, 3)  # a single image is fine in eval mode
    mean, var = layer.running_mean.array, layer.running_var.array
    expected = (x.array - mean[:, None, None]) / np.sqrt(var[:, None, None] + 1e-5)
    np.testing.assert_allclose(layer(x).array, expected, rtol=1e-5, atol=1e-6)
    layer.reset_running_stats()
    assert (layer.running_mean.array == 0).all() and int(layer.num_batches_tracked.array) == 0


# -- 4.15 Dropout2d -------------------------------------------------------------------------------

@pytest.mark.task("4.15")
def test_dropout2d_drops_whole_channels():
    x = tt.ones(64, 32, 3, 3, requires_grad=True)
    y = VF.dropout2d(x, 0.25, generator=tt.Generator(0))
    maps = y.array.reshape(64, 32, 9)
    assert ((maps == 0).all(-1) | np.isclose(maps, 1 / 0.75).all(-1)).all()
    dropped = (maps == 0).all(-1).mean()
    assert 0.2 < dropped < 0.3
    y.sum().backward()  # the gradient is the same mask
    np.testing.assert_allclose(x.grad.array, y.array)
    again = VF.dropout2d(tt.ones(64, 32, 3, 3), 0.25, generator=tt.Generator(0))
    np.testing.assert_array_equal(again.array, y.array)  # seeded: reproducible


@pytest.mark.task("4.15")
def test_dropout2d_layer_train_and_eval(torch):
    layer = Dropout2d(0.5)
    assert repr(layer) == repr(torch.nn.Dropout2d(0.5))
    x = tt.ones(8, 16, 2, 2)
    assert (layer(x).array == 0).any()
    layer.eval()
    assert layer(x) is x
    assert (VF.dropout2d(x, 1.0).array == 0).all()


def test_dropout2d_errors():
    with pytest.raises(ValueError, match="between 0 and 1"):
        Dropout2d(1.5)
    with pytest.raises(RuntimeError, match="3-D or 4-D"):
        VF.dropout2d(tt.ones(2, 3), 0.5)
