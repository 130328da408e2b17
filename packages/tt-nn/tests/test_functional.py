"""``tinytorch.nn.functional``: the stateless forms agree with the modules, helpers (one_hot, pad)
behave as in PyTorch, and the package exports what a PyTorch user expects."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.mark.task("3.12")
def test_functional_equals_modules():
    x = tt.randn(4, 6)
    pairs = [
        (nn.ReLU(), F.relu), (nn.LeakyReLU(0.3), lambda t: F.leaky_relu(t, 0.3)),
        (nn.GELU(), F.gelu), (nn.SiLU(), F.silu), (nn.Sigmoid(), F.sigmoid), (nn.Tanh(), F.tanh),
        (nn.ELU(), F.elu), (nn.Softplus(), F.softplus),
        (nn.Softmax(dim=1), lambda t: F.softmax(t, 1)),
        (nn.LogSoftmax(dim=0), lambda t: F.log_softmax(t, 0)),
    ]
    for module, fn in pairs:
        np.testing.assert_array_equal(module(x).array, fn(x).array, err_msg=type(module).__name__)


@pytest.mark.task("3.16")
def test_functional_losses_equal_modules():
    a, b = tt.rand(3, 4), tt.rand(3, 4)
    labels = tt.tensor([0, 3, 1])
    assert nn.MSELoss()(a, b).item() == F.mse_loss(a, b).item()
    assert nn.L1Loss(reduction="sum")(a, b).item() == F.l1_loss(a, b, reduction="sum").item()
    assert nn.BCELoss()(a, b).item() == F.binary_cross_entropy(a, b).item()
    assert nn.BCEWithLogitsLoss()(a, b).item() == F.binary_cross_entropy_with_logits(a, b).item()
    assert nn.CrossEntropyLoss(label_smoothing=0.1)(a, labels).item() == \
        F.cross_entropy(a, labels, label_smoothing=0.1).item()
    assert nn.NLLLoss()(a, labels).item() == F.nll_loss(a, labels).item()


@pytest.mark.task("3.14")
def test_mse_broadcast_warns_like_pytorch():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(tt.zeros(3, 1), tt.zeros(3))


@pytest.mark.task("3.16")
def test_cross_entropy_equals_nll_of_log_softmax():
    x = tt.randn(5, 7)
    t = tt.tensor([0, 6, 3, 3, 1])
    np.testing.assert_allclose(F.cross_entropy(x, t).item(),
                               F.nll_loss(F.log_softmax(x, 1), t).item(), rtol=1e-6)


def test_one_hot():
    out = F.one_hot(tt.tensor([0, 2, 1]))
    assert out.dtype is tt.int64
    np.testing.assert_array_equal(out.array, np.eye(3, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot(tt.tensor([[1], [0]]), num_classes=4).shape == (2, 1, 4)
    with pytest.raises(RuntimeError, match="class values"):
        F.one_hot(tt.tensor([0, 5]), num_classes=3)


def test_one_hot_matches_pytorch(torch):
    t = np.array([[3, 0], [1, 2]])
    np.testing.assert_array_equal(F.one_hot(tt.tensor(t), 5).array,
                                  torch.nn.functional.one_hot(torch.tensor(t), 5).numpy())


@pytest.mark.task("3.11")
def test_functional_linear_matches_pytorch(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    w = rng.standard_normal((5, 4)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    np.testing.assert_allclose(
        F.linear(tt.tensor(x), tt.tensor(w), tt.tensor(b)).array,
        torch.nn.functional.linear(torch.tensor(x), torch.tensor(w), torch.tensor(b)).numpy(),
        rtol=1e-5, atol=1e-6)


def test_pad_is_part_one_pad(torch):
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(
        F.pad(tt.tensor(x), (1, 2, 0, 1), value=-1.0).array,
        torch.nn.functional.pad(torch.tensor(x), (1, 2, 0, 1), value=-1.0).numpy())


def test_circular_pad_crops_first_then_wraps(torch):
    """Negative pads crop. ``circular`` crops and then wraps around what is left; ``reflect`` and
    ``replicate`` pad the whole dim and then crop (as PyTorch)."""
    x = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    out = F.pad(tt.tensor(x), (1, -2, 2, -1), mode="circular")
    np.testing.assert_array_equal(out.array[0, 0, 0], [12, 10, 11, 12])
    row = tt.arange(5.0).reshape(1, 1, 5)
    closed_forms = {  # by hand from the rule above, for [0, 1, 2, 3, 4]
        ("circular", (1, -2)): [2, 0, 1, 2], ("circular", (-2, 1)): [2, 3, 4, 2],
        ("circular", (-3, 2)): [3, 4, 3, 4], ("circular", (3, -1)): [1, 2, 3, 0, 1, 2, 3],
        ("reflect", (1, -2)): [1, 0, 1, 2], ("reflect", (-3, 2)): [3, 4, 3, 2],
        ("replicate", (2, -1)): [0, 0, 0, 1, 2, 3], ("replicate", (-3, 2)): [3, 4, 4, 4],
    }
    for (mode, pads), expected in closed_forms.items():
        np.testing.assert_array_equal(F.pad(row, pads, mode=mode).array[0, 0], expected,
                                      err_msg=f"{mode} {pads}")
    checked = 0
    for mode in ("circular", "reflect", "replicate"):
        for a in range(-4, 5):
            for b in range(-4, 5):
                pads = (a, b, b, a)
                try:
                    want = torch.nn.functional.pad(torch.tensor(x), pads, mode=mode).numpy()
                except RuntimeError:
                    continue  # torch refuses (wraps more than once, pads >= size...)
                np.testing.assert_array_equal(F.pad(tt.tensor(x), pads, mode=mode).array, want,
                                              err_msg=f"{mode} {pads}")
                checked += 1
    assert checked > 150
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(row, (-3, 3), mode="circular")  # 2 left after cropping: 3 would wrap twice
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(row, (-5, 1), mode="circular")  # nothing left to wrap around
    with pytest.raises(RuntimeError, match="crops more than the 5 elements"):
        F.pad(row, (-3, -3), mode="replicate")


def test_pad_gradient_follows_the_gather(torch):
    x = np.random.default_rng(0).standard_normal((1, 2, 5)).astype(np.float64)
    mine, theirs = tt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    weights = np.arange(1.0, 5.0)
    (F.pad(mine, (1, -2), mode="circular") * tt.tensor(weights)).sum().backward()
    (torch.nn.functional.pad(theirs, (1, -2), mode="circular")
     * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mine.grad.array, theirs.grad.numpy())


def test_package_exports():
    for name in ["Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "Identity",
                 "Flatten", "Linear", "Dropout", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU",
                 "SiLU", "Softmax", "LogSoftmax", "Softplus", "ELU", "MSELoss", "L1Loss",
                 "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss"]:
        assert hasattr(nn, name), name
    assert nn.functional is F and nn.init.kaiming_uniform_ is not None
    assert nn.__version__ == "0.1.0"
    assert callable(nn.save) and callable(nn.load)
    import importlib

    for sub in ("optim", "data"):  # subpackages load on first attribute access
        assert getattr(nn, sub) is importlib.import_module(f"tinytorch.nn.{sub}")
    for name in F.__all__:
        assert callable(getattr(F, name)), name
