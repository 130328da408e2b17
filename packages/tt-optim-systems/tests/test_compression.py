"""Structured pruning (smaller model == masked model), distillation, low-rank factorisation."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.systems.distillation import distillation_loss
from tinytorch.systems.lowrank import factorize_linear, low_rank, rank_for_energy
from tinytorch.systems.structured import prune_channels, units_to_keep

RNG = np.random.default_rng(0)


def deep_mlp():
    tt.manual_seed(0)
    return nn.Sequential(nn.Linear(16, 40), nn.ReLU(), nn.Dropout(0.1), nn.Linear(40, 24),
                         nn.GELU(), nn.Linear(24, 5))


# -- 6.15 which units to keep -------------------------------------------------------------------

@pytest.mark.task("6.15")
def test_units_to_keep_by_norm():
    w = np.array([[3.0, 0.0], [0.1, 0.1], [-1.0, -1.0], [0.0, 0.5], [2.0, 2.0]])
    np.testing.assert_array_equal(units_to_keep(w, 0.4, norm=1), [0, 2, 4])   # L1: 3, .2, 2, .5, 4
    np.testing.assert_array_equal(units_to_keep(w, 0.6, norm=2), [0, 4])      # L2: 3, .14, 1.4, .5, 2.8
    np.testing.assert_array_equal(units_to_keep(w, 0.99), [4])                # at least one
    conv_like = RNG.standard_normal((6, 3, 2, 2))
    norms = np.abs(conv_like).reshape(6, -1).sum(1)
    np.testing.assert_array_equal(units_to_keep(conv_like, 0.5), np.sort(np.argsort(-norms)[:3]))
    with pytest.raises(ValueError, match="fraction"):
        units_to_keep(w, 1.0)


# -- 6.16 the smaller model ---------------------------------------------------------------------

@pytest.mark.task("6.16")
@pytest.mark.parametrize("amount", [0.25, 0.5, 0.75])
def test_smaller_model_equals_masked_model(amount):
    model = deep_mlp().eval()
    small = prune_channels(model, amount)
    masked = prune_channels(model, amount, shrink=False)
    assert small[0].weight.shape == (40 - round(amount * 40), 16)
    assert small[3].weight.shape == (24 - round(amount * 24), 40 - round(amount * 40))
    assert small[5].weight.shape == (5, 24 - round(amount * 24))
    assert small[0].out_features == small[3].in_features
    assert masked[0].weight.shape == (40, 16)
    x = tt.randn(32, 16)
    with no_grad():
        np.testing.assert_allclose(small(x).array, masked(x).array, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model[0].weight.array, deep_mlp()[0].weight.array)  # untouched
    small.train()
    F.cross_entropy(small(x), tt.randint(0, 5, (32,))).backward()  # still trains
    assert small[0].weight.grad.shape == small[0].weight.shape


@pytest.mark.task("6.16")
def test_structured_pruning_through_flatten_and_errors():
    tt.manual_seed(1)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Unflatten(1, (4, 2)), nn.Flatten(),
                          nn.Linear(8, 3))
    with pytest.raises(TypeError, match="cannot pass through '2' \\(Unflatten\\)"):
        prune_channels(model, 0.5)
    ok = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Flatten(), nn.Linear(8, 3))
    small, masked = prune_channels(ok, 0.5), prune_channels(ok, 0.5, shrink=False)
    x = tt.randn(4, 6)
    np.testing.assert_allclose(small(x).array, masked(x).array, rtol=1e-5, atol=1e-6)
    assert small[3].in_features == 4


# -- 6.17 distillation --------------------------------------------------------------------------

def _reference_distillation(s, t, y, temperature, alpha):
    def log_softmax(z):
        z = z - z.max(1, keepdims=True)
        return z - np.log(np.exp(z).sum(1, keepdims=True))
    ps, pt = log_softmax(s / temperature), log_softmax(t / temperature)
    kl = (np.exp(pt) * (pt - ps)).sum() / s.shape[0]
    ce = -log_softmax(s)[np.arange(len(y)), y].mean()
    return alpha * temperature ** 2 * kl + (1 - alpha) * ce


@pytest.mark.task("6.17")
@pytest.mark.parametrize("temperature, alpha", [(1.0, 0.5), (4.0, 0.9), (2.0, 1.0), (3.0, 0.0)])
def test_distillation_loss_closed_form(temperature, alpha):
    s = RNG.standard_normal((6, 4)) * 3
    t = RNG.standard_normal((6, 4)) * 3
    y = RNG.integers(0, 4, 6)
    student = tt.tensor(s, dtype=tt.float64, requires_grad=True)
    teacher = tt.tensor(t, dtype=tt.float64, requires_grad=True)
    loss = distillation_loss(student, teacher, tt.tensor(y), temperature, alpha)
    assert loss.item() == pytest.approx(_reference_distillation(s, t, y, temperature, alpha),
                                        rel=1e-10)
    loss.backward()
    assert teacher.grad is None  # the teacher is not trained
    eps = 1e-6  # finite differences of the closed form
    numeric = np.zeros_like(s)
    for idx in np.ndindex(*s.shape):
        hi, lo = s.copy(), s.copy()
        hi[idx] += eps
        lo[idx] -= eps
        numeric[idx] = (_reference_distillation(hi, t, y, temperature, alpha)
                        - _reference_distillation(lo, t, y, temperature, alpha)) / (2 * eps)
    np.testing.assert_allclose(student.grad.numpy(), numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.task("6.17")
def test_distillation_matches_torch_and_is_zero_for_a_copy():
    torch = pytest.importorskip("torch")
    s = RNG.standard_normal((5, 7)).astype(np.float32)
    t = RNG.standard_normal((5, 7)).astype(np.float32)
    y = RNG.integers(0, 7, 5)
    ours = distillation_loss(tt.tensor(s), tt.tensor(t), tt.tensor(y), 3.0, 0.7).item()
    tf = torch.nn.functional
    soft = tf.kl_div(tf.log_softmax(torch.tensor(s) / 3, 1), tf.log_softmax(torch.tensor(t) / 3, 1),
                     reduction="batchmean", log_target=True)
    theirs = 0.7 * 9 * soft + 0.3 * tf.cross_entropy(torch.tensor(s), torch.tensor(y))
    assert ours == pytest.approx(theirs.item(), rel=1e-5)
    same = distillation_loss(tt.tensor(s), tt.tensor(s), None, 2.0, 1.0)
    assert abs(same.item()) < 1e-6


def test_distillation_bad_input():
    s = tt.randn(3, 4)
    with pytest.raises(ValueError, match="temperature"):
        distillation_loss(s, s, None, 0.0, 1.0)
    with pytest.raises(ValueError, match="target is needed"):
        distillation_loss(s, s, None, 2.0, 0.5)
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(3, 5\)"):
        distillation_loss(s, tt.randn(3, 5), None, 2.0, 1.0)


# -- 6.18 low rank ------------------------------------------------------------------------------

@pytest.mark.task("6.18")
def test_factorisation_error_is_the_dropped_singular_values():
    layer = nn.Linear(12, 9).double()
    w = layer.weight.array.copy()
    sigma = np.linalg.svd(w, compute_uv=False)
    for rank in (1, 4, 9):
        factored = factorize_linear(layer, rank)
        down, up = factored[0], factored[1]
        assert down.weight.shape == (rank, 12) and up.weight.shape == (9, rank)
        approx = up.weight.array @ down.weight.array
        assert np.sum((w - approx) ** 2) == pytest.approx(np.sum(sigma[rank:] ** 2), abs=1e-10)
        x = tt.tensor(RNG.standard_normal((5, 12)))
        expected = x.array @ approx.T + layer.bias.array
        np.testing.assert_allclose(factored(x).array, expected, rtol=1e-10, atol=1e-12)
    full = factorize_linear(layer, 9)
    x = tt.tensor(RNG.standard_normal((5, 12)))
    np.testing.assert_allclose(full(x).array, layer(x).array, rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="between 1 and min"):
        factorize_linear(layer, 10)


@pytest.mark.task("6.18")
def test_low_rank_model_replaces_layers_that_save():
    tt.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
    small = low_rank(model, rank=8)
    assert isinstance(small[0], nn.Sequential) and isinstance(small[2], nn.Linear)  # 8*68 > 256
    assert small[0][0].weight.shape == (8, 64)
    assert sum(p.numel() for p in small.parameters()) < sum(p.numel() for p in model.parameters())
    w = np.diag(np.arange(1.0, 6.0))
    assert rank_for_energy(w, 1.0) == 5
    assert rank_for_energy(w, (25 + 16) / 55) == 2
