"""Activations: closed forms and float64 finite differences always; PyTorch forward and backward
when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import gradcheck


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _sample(shape=(4, 7), seed=0, scale=3.0):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    x[0, :3] = [0.5, -0.5, 1e-3]  # near the kinks, but not on them
    return x


def _erf(x):
    return np.vectorize(math.erf)(x)


# Each case: (our module, PyTorch's equivalent by name and kwargs, NumPy closed form, task)
CASES = {
    "relu": (lambda: nn.ReLU(), ("ReLU", {}), lambda x: np.maximum(x, 0)),
    "leaky_relu": (lambda: nn.LeakyReLU(0.1), ("LeakyReLU", {"negative_slope": 0.1}),
                   lambda x: np.where(x > 0, x, 0.1 * x)),
    "leaky_relu_default": (lambda: nn.LeakyReLU(), ("LeakyReLU", {}),
                           lambda x: np.where(x > 0, x, 0.01 * x)),
    "elu": (lambda: nn.ELU(0.7), ("ELU", {"alpha": 0.7}),
            lambda x: np.where(x > 0, x, 0.7 * (np.exp(np.minimum(x, 0)) - 1))),
    "sigmoid": (lambda: nn.Sigmoid(), ("Sigmoid", {}), lambda x: 1 / (1 + np.exp(-x))),
    "tanh": (lambda: nn.Tanh(), ("Tanh", {}), np.tanh),
    "gelu": (lambda: nn.GELU(), ("GELU", {}), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    "gelu_tanh": (lambda: nn.GELU("tanh"), ("GELU", {"approximate": "tanh"}),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi)
                                                   * (x + 0.044715 * x ** 3)))),
    "silu": (lambda: nn.SiLU(), ("SiLU", {}), lambda x: x / (1 + np.exp(-x))),
    "softplus": (lambda: nn.Softplus(), ("Softplus", {}), lambda x: np.logaddexp(0, x)),
    "softplus_beta": (lambda: nn.Softplus(beta=2.0, threshold=3.0),
                      ("Softplus", {"beta": 2.0, "threshold": 3.0}),
                      lambda x: np.where(2 * x > 3, x, np.logaddexp(0, 2 * x) / 2)),
    "softmax": (lambda: nn.Softmax(dim=1), ("Softmax", {"dim": 1}),
                lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    "softmax_dim0": (lambda: nn.Softmax(dim=0), ("Softmax", {"dim": 0}),
                     lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
    "log_softmax": (lambda: nn.LogSoftmax(dim=1), ("LogSoftmax", {"dim": 1}),
                    lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
    "log_softmax_last": (lambda: nn.LogSoftmax(dim=-1), ("LogSoftmax", {"dim": -1}),
                         lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
}
GIVEN = {"relu", "sigmoid", "tanh", "softmax", "softmax_dim0", "log_softmax", "log_softmax_last"}
"""Part 1's ops wrapped as modules: tested here, but not a task of part 3 (no marker)."""


TASK_CASES = [n for n in CASES if n not in GIVEN]


@pytest.mark.task("3.12")
@pytest.mark.parametrize("name", TASK_CASES)
def test_forward_closed_form(name):
    make, _, closed = CASES[name]
    x = _sample()
    out = make()(tt.tensor(x, dtype=tt.float64))
    assert out.dtype is tt.float64
    # atol: part 1's erf is a rational approximation with absolute error below 1.5e-7
    np.testing.assert_allclose(out.array, closed(x), rtol=1e-6, atol=5e-7)


@pytest.mark.task("3.12")
@pytest.mark.parametrize("name", TASK_CASES)
def test_gradcheck_float64(name):
    make, _, _ = CASES[name]
    x = tt.tensor(_sample(seed=1), dtype=tt.float64, requires_grad=True)
    assert gradcheck(make(), (x,))


@pytest.mark.task("3.12")
@pytest.mark.parametrize("name", TASK_CASES)
def test_matches_pytorch_forward_and_backward(name, torch):
    make, (torch_name, kwargs), _ = CASES[name]
    x = _sample(seed=2).astype(np.float32)
    g = np.random.default_rng(3).standard_normal(x.shape).astype(np.float32)
    ours_x = tt.tensor(x, requires_grad=True)
    ours = make()(ours_x)
    ours.backward(tt.tensor(g))
    theirs_x = torch.tensor(x, requires_grad=True)
    theirs = getattr(torch.nn, torch_name)(**kwargs)(theirs_x)
    theirs.backward(torch.tensor(g))
    assert ours.dtype is tt.float32
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours_x.grad.array, theirs_x.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(GIVEN))
def test_part_one_activations_as_modules(name, torch):
    """The same three checks for the modules that wrap part-1 ops (no task of part 3)."""
    test_forward_closed_form(name)
    test_gradcheck_float64(name)
    test_matches_pytorch_forward_and_backward(name, torch)


@pytest.mark.task("3.12")
def test_activation_gradients_at_known_points():
    x = tt.tensor([-2.0, 3.0], dtype=tt.float64, requires_grad=True)
    F.leaky_relu(x, 0.2).sum().backward()
    np.testing.assert_allclose(x.grad.array, [0.2, 1.0])
    x = tt.tensor([0.0], dtype=tt.float64, requires_grad=True)
    F.silu(x).backward()
    np.testing.assert_allclose(x.grad.array, [0.5])  # silu'(0) = sigmoid(0) = 1/2
    x = tt.tensor([0.0], dtype=tt.float64, requires_grad=True)
    F.softplus(x).backward()
    np.testing.assert_allclose(x.grad.array, [0.5])  # exactly 1/2 at 0, no kink from abs/max
    x = tt.tensor([0.0], dtype=tt.float64, requires_grad=True)
    F.gelu(x).backward()
    np.testing.assert_allclose(x.grad.array, [0.5], atol=1e-7)


@pytest.mark.task("3.12")
def test_large_inputs_stay_finite():
    x = tt.tensor([-1e4, -100.0, 0.0, 100.0, 1e4], requires_grad=True)
    for fn in (F.softplus, F.elu, F.silu, F.gelu, F.sigmoid, lambda t: F.gelu(t, "tanh")):
        x.grad = None
        out = fn(x)
        out.sum().backward()
        assert np.isfinite(out.array).all(), fn
        assert np.isfinite(x.grad.array).all(), fn
    np.testing.assert_allclose(F.softplus(x).array, [0, 0, math.log(2), 100, 1e4], atol=1e-6)


def test_log_softmax_stable_at_huge_logits():
    x = tt.tensor([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]], requires_grad=True)
    out = F.log_softmax(x, dim=1)
    assert np.isfinite(out.array).all()
    np.testing.assert_allclose(out.array, [[0.0, -1e4, -2e4], [-math.log(3)] * 3], rtol=1e-6)
    out.sum().backward()
    # d/dx sum(log_softmax) = 1 - C * softmax
    np.testing.assert_allclose(x.grad.array, [[-2.0, 1.0, 1.0], [0.0, 0.0, 0.0]], atol=1e-6)
    sm = F.softmax(x, dim=1)
    np.testing.assert_allclose(sm.array, [[1, 0, 0], [1 / 3] * 3], atol=1e-7)


def test_log_softmax_matches_pytorch_at_huge_logits(torch):
    x = np.array([[1e4, 0.0, -1e4, 5e3], [-1e4, -1e4 + 1, 3.0, 0.0]], dtype=np.float32)
    ours = F.log_softmax(tt.tensor(x), dim=1)
    theirs = torch.log_softmax(torch.tensor(x), dim=1)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)


def test_log_softmax_dims_and_double_backward():
    x = tt.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), dtype=tt.float64,
                  requires_grad=True)
    for dim in (0, 1, 2, -1):
        assert gradcheck(lambda t, d=dim: F.log_softmax(t, d), (x,))
        np.testing.assert_allclose(np.exp(F.log_softmax(x, dim).array).sum(dim), 1.0)
    from tinytorch.autograd import gradgradcheck
    assert gradgradcheck(lambda t: F.log_softmax(t, 1), (x,))


def test_gelu_rejects_unknown_approximation():
    # as PyTorch: a RuntimeError when called (the module itself accepts any string)
    gelu = nn.GELU("sigmoid")
    with pytest.raises(RuntimeError, match="approximate"):
        gelu(tt.zeros(1))
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(tt.zeros(1), approximate="fast")


@pytest.mark.task("3.12")
def test_activation_keeps_shape_for_any_rank():
    for shape in [(), (5,), (2, 3, 4)]:
        x = tt.randn(*shape)
        for module in (nn.ReLU(), nn.GELU(), nn.SiLU(), nn.LeakyReLU(), nn.ELU(), nn.Softplus()):
            assert module(x).shape == x.shape
