"""Linear and Dropout: PyTorch with the same weights (forward and backward), closed forms,
finite differences, initialisation statistics, and the errors a user meets first."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import gradcheck, gradgradcheck, no_grad


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _copy_linear_to_torch(torch, ours):
    theirs = torch.nn.Linear(ours.in_features, ours.out_features, bias=ours.bias is not None)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.array.copy()))
        if ours.bias is not None:
            theirs.bias.copy_(torch.from_numpy(ours.bias.array.copy()))
    return theirs


# -- 3.3 Linear --------------------------------------------------------------------------------

@pytest.mark.task("3.10")
def test_linear_parameters_shapes_and_registration(torch):
    lin = nn.Linear(3, 2)
    assert [(n, p.shape) for n, p in lin.named_parameters()] == [("weight", (2, 3)),
                                                                  ("bias", (2,))]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in lin.parameters())
    assert lin.weight.dtype is tt.float32
    bare = nn.Linear(3, 2, bias=False)
    assert "bias" in bare._parameters and bare.bias is None  # declared, absent (as PyTorch)
    assert [n for n, _ in bare.named_parameters()] == ["weight"]
    assert list(lin.state_dict()) == list(torch.nn.Linear(3, 2).state_dict())
    assert nn.Linear(2, 3, dtype=tt.float64).weight.dtype is tt.float64


@pytest.mark.task("3.11")
def test_linear_shapes_and_closed_form():
    lin = nn.Linear(3, 2)
    assert lin.weight.shape == (2, 3) and lin.bias.shape == (2,)
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    out = lin(tt.tensor(x))
    assert out.shape == (5, 2) and out.dtype is tt.float32
    np.testing.assert_allclose(out.array, x @ lin.weight.array.T + lin.bias.array, rtol=1e-6,
                               atol=1e-6)
    no_bias = nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and len(list(no_bias.parameters())) == 1
    np.testing.assert_allclose(no_bias(tt.tensor(x)).array, x @ no_bias.weight.array.T, rtol=1e-6)


@pytest.mark.task("3.11")
def test_linear_gradients_closed_form():
    lin = nn.Linear(3, 2).double()
    x = tt.tensor(np.random.default_rng(1).standard_normal((4, 3)), dtype=tt.float64,
                  requires_grad=True)
    g = np.random.default_rng(2).standard_normal((4, 2))
    lin(x).backward(tt.tensor(g, dtype=tt.float64))
    np.testing.assert_allclose(x.grad.array, g @ lin.weight.array, rtol=1e-12)
    np.testing.assert_allclose(lin.weight.grad.array, g.T @ x.array, rtol=1e-12)
    np.testing.assert_allclose(lin.bias.grad.array, g.sum(0), rtol=1e-12)


@pytest.mark.task("3.11")
@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(shape, bias):
    lin = nn.Linear(3, 2, bias=bias).double()
    x = tt.tensor(np.random.default_rng(3).standard_normal(shape), dtype=tt.float64,
                  requires_grad=True)
    params = (lin.weight, lin.bias) if bias else (lin.weight,)
    assert gradcheck(lambda a, w, *b: F.linear(a, w, *b), (x, *params))


@pytest.mark.task("3.11")
def test_linear_double_backward():
    lin = nn.Linear(3, 2).double()
    x = tt.tensor(np.random.default_rng(4).standard_normal((4, 3)), dtype=tt.float64,
                  requires_grad=True)
    assert gradgradcheck(lambda a, w, b: F.linear(a, w, b).tanh(), (x, lin.weight, lin.bias))


@pytest.mark.task("3.11")
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 5), (5,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_pytorch(torch, shape, bias):
    tt.manual_seed(5)
    ours = nn.Linear(5, 4, bias=bias)
    theirs = _copy_linear_to_torch(torch, ours)
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    g = np.random.default_rng(7).standard_normal(shape[:-1] + (4,)).astype(np.float32)
    ox, tx = tt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oy, ty = ours(ox), theirs(tx)
    np.testing.assert_allclose(oy.array, ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    oy.backward(tt.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ox.grad.array, tx.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-5,
                               atol=1e-5)
    if bias:
        np.testing.assert_allclose(ours.bias.grad.array, theirs.bias.grad.numpy(), rtol=1e-5,
                                   atol=1e-5)


@pytest.mark.task("3.16")
def test_mlp_training_step_matches_pytorch(torch):
    """784-256-128-10 MLP + cross entropy: loss and every parameter gradient."""
    tt.manual_seed(8)
    ours = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))
    theirs = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                 torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                 torch.nn.Linear(128, 10))
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy())
                            for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(9)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128)
    loss = F.cross_entropy(ours(tt.tensor(x)), tt.tensor(y))
    t_loss = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y))
    loss.backward()
    t_loss.backward()
    assert loss.item() == pytest.approx(t_loss.item(), rel=1e-5)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-4, atol=1e-6,
                                   err_msg=name)


@pytest.mark.task("3.10")
def test_linear_wrong_features_names_expected_and_got():
    lin = nn.Linear(4, 2)
    with pytest.raises(RuntimeError) as info:
        lin(tt.randn(3, 5))
    text = str(info.value)
    assert "expected input with 4 features" in text and "got 5" in text
    assert "(3, 5)" in text
    with pytest.raises(RuntimeError, match="expected input with 4 features"):
        F.linear(tt.randn(2, 3), lin.weight)


@pytest.mark.task("3.10")
def test_linear_default_init_range_and_spread():
    """PyTorch's default: kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(in), 1/sqrt(in)), bias too."""
    tt.manual_seed(10)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = lin.weight.array, lin.bias.array
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound  # the range is used, not a narrower one
    assert np.abs(b).max() > 0.95 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)  # uniform's std
    assert abs(w.mean()) < 0.01 * bound * 10
    assert lin.weight.requires_grad and lin.bias.requires_grad
    assert tt.Generator is not None
    a = nn.Linear(3, 3)
    a.reset_parameters(generator=tt.Generator(1))
    b_ = nn.Linear(3, 3)
    b_.reset_parameters(generator=tt.Generator(1))
    np.testing.assert_array_equal(a.weight.array, b_.weight.array)


@pytest.mark.task("3.10")
def test_linear_init_matches_pytorch_distribution(torch):
    tt.manual_seed(11)
    torch.manual_seed(11)
    ours = nn.Linear(256, 512).weight.array
    theirs = torch.nn.Linear(256, 512).weight.detach().numpy()
    assert np.abs(ours).max() <= np.abs(theirs).max() * 1.001 + 1e-9
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02)


@pytest.mark.task("3.11")
def test_linear_float64_and_extra_repr():
    lin = nn.Linear(2, 3, dtype=tt.float64)
    assert lin.weight.dtype is tt.float64
    assert lin(tt.ones(1, 2, dtype=tt.float64)).dtype is tt.float64
    assert repr(lin) == "Linear(in_features=2, out_features=3, bias=True)"
    assert repr(nn.Linear(2, 3, bias=False)) == "Linear(in_features=2, out_features=3, bias=False)"


# -- 3.5 Dropout -------------------------------------------------------------------------------

@pytest.mark.task("3.13")
def test_dropout_zeroes_and_rescales():
    drop = nn.Dropout(0.3)
    x = tt.ones(200, 500)
    out = drop(x).array
    kept = out != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # inverted dropout keeps the expectation


@pytest.mark.task("3.13")
def test_dropout_identity_in_eval_and_p_zero():
    x = tt.randn(10, 10)
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x or np.array_equal(drop(x).array, x.array)
    assert np.array_equal(nn.Dropout(0.0)(x).array, x.array)
    assert not nn.Dropout(1.0)(x).array.any()
    assert np.array_equal(F.dropout(x, 0.5, training=False).array, x.array)


@pytest.mark.task("3.13")
def test_dropout_backward_uses_the_same_mask():
    x = tt.randn(50, 40, requires_grad=True)
    out = F.dropout(x, 0.4, generator=tt.Generator(0))
    out.sum().backward()
    mask = out.array != 0
    np.testing.assert_allclose(x.grad.array, mask / 0.6, rtol=1e-6)
    np.testing.assert_allclose(out.array[mask], x.array[mask] / 0.6, rtol=1e-6)


@pytest.mark.task("3.13")
def test_dropout_generator_reproducible_and_validated():
    x = tt.ones(30, 30)
    a = F.dropout(x, 0.5, generator=tt.Generator(3)).array
    b = F.dropout(x, 0.5, generator=tt.Generator(3)).array
    c = F.dropout(x, 0.5, generator=tt.Generator(4)).array
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1, but got"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, p)


@pytest.mark.task("3.13")
def test_dropout_statistics_match_pytorch(torch):
    x = np.ones((300, 300), dtype=np.float32)
    ours = nn.Dropout(0.25)(tt.tensor(x)).array
    theirs = torch.nn.Dropout(0.25)(torch.tensor(x)).numpy()
    assert set(np.unique(ours)) == set(np.unique(theirs))  # {0, 1/0.75}
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.01)


@pytest.mark.task("3.13")
def test_dropout_in_model_follows_train_eval():
    tt.manual_seed(12)
    net = nn.Sequential(nn.Linear(20, 20), nn.Dropout(0.5))
    x = tt.randn(8, 20)
    with no_grad():
        net.eval()
        a, b = net(x).array, net(x).array
        net.train()
        c = net(x).array
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
