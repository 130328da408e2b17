"""fit(): learns, logs one line per epoch, early-stops, and resumes exactly from a checkpoint."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.nn.data import DataLoader, TensorDataset
from tinytorch.nn.optim import SGD, AdamW
from tinytorch.nn.optim.lr_scheduler import StepLR
from tinytorch.nn.serialization import load
from tinytorch.nn.training import accuracy, evaluate, fit


def blobs(n=240, seed=0):
    """Three Gaussian blobs in 2-D: an easy 3-class problem."""
    rng = np.random.default_rng(seed)
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    y = rng.integers(0, 3, size=n)
    x = centers[y] + rng.normal(scale=0.5, size=(n, 2))
    return TensorDataset(tt.tensor(x, dtype=tt.float32), tt.tensor(y))


def setup(seed=0, loader_seed=1):
    tt.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
    opt = AdamW(model.parameters(), lr=0.02)
    sched = StepLR(opt, step_size=1, gamma=0.7)
    train = DataLoader(blobs(), batch_size=16, shuffle=True, generator=tt.Generator(loader_seed))
    val = DataLoader(blobs(90, seed=5), batch_size=64)
    return model, opt, sched, train, val


@pytest.mark.task("3.26")
def test_fit_learns_and_logs(capsys):
    model, opt, sched, train, val = setup()
    lines = []
    history = fit(model, nn.CrossEntropyLoss(), opt, train, epochs=3, val_loader=val,
                  scheduler=sched, log=lines.append)
    assert history["epoch"] == [1, 2, 3]
    assert len(lines) == 3 and lines[0].startswith("epoch   1/3") and "val_acc" in lines[0]
    assert lines[0].rstrip().endswith("s")
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_acc"][-1] > 0.9
    assert history["lr"] == pytest.approx([0.02 * 0.7, 0.02 * 0.49, 0.02 * 0.343])
    loss, acc = evaluate(model, val, nn.CrossEntropyLoss())
    assert acc == pytest.approx(history["val_acc"][-1]) and loss == pytest.approx(
        history["val_loss"][-1], rel=1e-5)
    assert model.training  # evaluate restores train mode


@pytest.mark.task("3.26")
def test_resume_continues_exactly(tmp_path):
    model, opt, sched, train, val = setup()
    straight = fit(model, nn.CrossEntropyLoss(), opt, train, 4, val_loader=val, scheduler=sched,
                   checkpoint=tmp_path / "a.npz", log=None)
    reference = {k: v.array.copy() for k, v in model.state_dict().items()}

    model, opt, sched, train, val = setup()
    fit(model, nn.CrossEntropyLoss(), opt, train, 2, val_loader=val, scheduler=sched,
        checkpoint=tmp_path / "b.npz", log=None)
    assert load(tmp_path / "b.npz")["epoch"] == 2
    # a new process would start from different weights and random states
    model, opt, sched, train, val = setup(seed=123, loader_seed=456)
    tt.manual_seed(999)
    lines = []
    resumed = fit(model, nn.CrossEntropyLoss(), opt, train, 4, val_loader=val, scheduler=sched,
                  checkpoint=tmp_path / "b.npz", resume=True, log=lines.append)
    assert lines[0].startswith("resumed from") and len(lines) == 3
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.array, reference[key], err_msg=key)
    assert resumed["train_loss"] == straight["train_loss"]
    assert resumed["val_acc"] == straight["val_acc"]
    assert opt.param_groups[0]["lr"] == pytest.approx(0.02 * 0.7 ** 4)


@pytest.mark.task("3.26")
def test_resume_without_checkpoint_starts_fresh(tmp_path):
    model, opt, sched, train, _ = setup()
    history = fit(model, nn.CrossEntropyLoss(), opt, train, 1, checkpoint=tmp_path / "n.npz",
                  resume=True, log=None)
    assert history["epoch"] == [1] and (tmp_path / "n.npz").is_file()
    assert math.isnan(history["val_acc"][0])


@pytest.mark.task("3.26")
def test_early_stopping():
    tt.manual_seed(0)
    model = nn.Linear(2, 3)
    opt = SGD(model.parameters(), lr=0.0)  # nothing improves
    train = DataLoader(blobs(), batch_size=32)
    lines = []
    history = fit(model, nn.CrossEntropyLoss(), opt, train, 20, val_loader=train,
                  early_stopping_patience=2, log=lines.append)
    assert history["epoch"] == [1, 2, 3]
    assert "early stopping" in lines[-1]


@pytest.mark.task("3.26")
def test_scheduler_per_step_and_clipping():
    model, opt, _, train, _ = setup()
    sched = StepLR(opt, step_size=len(train), gamma=0.5)
    fit(model, nn.CrossEntropyLoss(), opt, train, 2, scheduler=sched, scheduler_interval="step",
        clip_grad_norm=0.5, log=None)
    assert sched.last_epoch == 2 * len(train)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.02 * 0.25)


def test_accuracy_metric():
    logits = tt.tensor([[0.1, 2.0], [3.0, 0.0], [0.0, 1.0], [5.0, 4.0]])
    assert accuracy(logits, tt.tensor([1, 0, 0, 1])) == 0.5
