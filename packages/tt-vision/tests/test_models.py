"""LeNet-5 and CifarNet: the paper's layer sizes, the same outputs and gradients as PyTorch
replicas given the same weights, and a few optimisation steps that fit a small batch."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.nn.optim import Adam
from tinytorch.vision import BatchNorm2d, Conv2d, MaxPool2d
from tinytorch.vision.models import CifarNet, ConvBlock, LeNet5


def _torch_lenet(torch):
    T = torch.nn
    model = T.Module()
    model.features = T.Sequential(T.Conv2d(1, 6, 5, padding=2), T.ReLU(), T.MaxPool2d(2),
                                  T.Conv2d(6, 16, 5), T.ReLU(), T.MaxPool2d(2),
                                  T.Conv2d(16, 120, 5), T.ReLU())
    model.classifier = T.Sequential(T.Flatten(), T.Linear(120, 84), T.ReLU(), T.Linear(84, 10))
    model.forward = lambda x: model.classifier(model.features(x))
    return model


def _torch_cifarnet(torch, w):
    T = torch.nn

    def block(c_in, c_out, pool=False):
        layers = [T.Conv2d(c_in, c_out, 3, padding=1, bias=False)]
        layers += [T.MaxPool2d(2)] if pool else []
        return T.Sequential(*layers, T.BatchNorm2d(c_out), T.ReLU())

    class Residual(T.Module):
        def __init__(self, c):
            super().__init__()
            self.blocks = T.Sequential(block(c, c), block(c, c))

        def forward(self, x):
            return x + self.blocks(x)

    class Net(T.Module):
        def __init__(self):
            super().__init__()
            self.features = T.Sequential(block(3, w), block(w, 2 * w, True), Residual(2 * w),
                                         block(2 * w, 4 * w, True), block(4 * w, 8 * w, True),
                                         Residual(8 * w))
            self.pool = T.AdaptiveAvgPool2d(1)
            self.classifier = T.Sequential(T.Flatten(), T.Linear(8 * w, 10))

        def forward(self, x):
            return self.classifier(self.pool(self.features(x))) * 0.125

    return Net()


def _load_into_torch(torch, theirs, ours):
    state = {k: torch.from_numpy(np.array(v.array)) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)


def _assert_same_outputs_and_grads(torch, ours, theirs, x, train):
    ours.train(train)
    theirs.train(train)
    X = torch.tensor(x, requires_grad=True)
    Y = theirs(X)
    Y.sum().backward()
    xt = tt.tensor(x, requires_grad=True)
    out = ours(xt)
    out.sum().backward()
    np.testing.assert_allclose(out.array, Y.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(xt.grad.array, X.grad.numpy(), rtol=1e-3, atol=1e-5)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.array, q.grad.numpy(), rtol=1e-3, atol=1e-4,
                                   err_msg=name)


def _fits(model, x, y, steps=30, lr=3e-3):
    optimizer = Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
    return losses


# -- 4.21 LeNet-5 ---------------------------------------------------------------------------------

@pytest.mark.task("4.21")
def test_lenet5_has_the_papers_layers():
    model = LeNet5()
    assert sum(p.numel() for p in model.parameters()) == 61_706
    convs = [m for m in model.modules() if isinstance(m, Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [
        (1, 6, (5, 5)), (6, 16, (5, 5)), (16, 120, (5, 5))]
    assert sum(isinstance(m, MaxPool2d) for m in model.modules()) == 2
    assert model(tt.randn(3, 1, 28, 28)).shape == (3, 10)
    assert LeNet5(padding=0)(tt.randn(2, 1, 32, 32)).shape == (2, 10)


@pytest.mark.task("4.21")
def test_lenet5_matches_torch_and_learns(torch):
    tt.manual_seed(0)
    ours = LeNet5()
    theirs = _torch_lenet(torch)
    _load_into_torch(torch, theirs, ours)
    x = np.random.default_rng(0).standard_normal((4, 1, 28, 28)).astype(np.float32)
    _assert_same_outputs_and_grads(torch, ours, theirs, x, train=True)
    losses = _fits(LeNet5(), tt.tensor(x), tt.tensor([0, 1, 2, 3]))
    assert losses[-1] < 0.1 * losses[0]


# -- 4.22 the CIFAR-10 network --------------------------------------------------------------------

@pytest.mark.task("4.22")
def test_conv_block_layers():
    plain, pooled = ConvBlock(3, 8), ConvBlock(8, 16, pool=True)
    assert [type(m).__name__ for m in plain] == ["Conv2d", "BatchNorm2d", "ReLU"]
    assert [type(m).__name__ for m in pooled] == ["Conv2d", "MaxPool2d", "BatchNorm2d", "ReLU"]
    assert plain[0].bias is None and plain[0].padding == (1, 1)
    assert isinstance(pooled[2], BatchNorm2d)
    assert pooled(tt.randn(2, 8, 8, 8)).shape == (2, 16, 4, 4)


@pytest.mark.task("4.22")
@pytest.mark.parametrize("train", [True, False])
def test_cifarnet_matches_torch(torch, train):
    tt.manual_seed(1)
    ours = CifarNet(width=4)
    theirs = _torch_cifarnet(torch, 4)
    _load_into_torch(torch, theirs, ours)
    x = np.random.default_rng(1).standard_normal((4, 3, 32, 32)).astype(np.float32)
    _assert_same_outputs_and_grads(torch, ours, theirs, x, train)


@pytest.mark.task("4.22")
def test_cifarnet_learns_a_small_batch():
    tt.manual_seed(2)
    x = tt.randn(8, 3, 32, 32)
    losses = _fits(CifarNet(width=4, scale=1.0), x, tt.tensor(np.arange(8) % 4), lr=1e-2)
    assert losses[-1] < 0.2 * losses[0]
