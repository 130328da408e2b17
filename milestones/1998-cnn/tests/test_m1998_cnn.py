"""The 1998 milestone runs on the embedded samples, writes its figures, and learns."""

from __future__ import annotations

import io

import numpy as np
import pytest

from tinytorch_milestones.m1998_cnn import cifar, lenet
from tinytorch_milestones.m1998_cnn.training import Progress, confusion_matrix

PNG = b"\x89PNG\r\n\x1a\n"


def test_lenet_on_the_sample(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)
    result = lenet.run(["--epochs", "2", "--out", str(tmp_path)])
    assert result["epochs"] == 2 and result["test_accuracy"] > 0.5
    for name in ("lenet_filters.png", "lenet_confusion.png", "lenet_curves.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG


def test_cifar_on_the_sample(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)
    result = cifar.run(["--epochs", "2", "--mlp-epochs", "1", "--width", "8",
                        "--out", str(tmp_path)])
    assert result["cnn"]["epochs"] == 2 and result["mlp"]["epochs"] == 1
    assert 0.0 <= result["cnn"]["test_accuracy"] <= 1.0
    assert len(result["histories"]["CNN"]["test_acc"]) == 2
    for name in ("cifar_filters.png", "cifar_confusion.png", "cifar_curves.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG


def test_confusion_matrix_and_progress_bar():
    m = confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
    np.testing.assert_array_equal(m, [[1, 0, 0], [0, 1, 0], [0, 1, 1]])
    stream = io.StringIO()
    bar = Progress(range(8), 8, "epoch 1/1", width=8, stream=stream)
    assert list(bar) == list(range(8))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and lines[-1].startswith("epoch 1/1 |########| 8/8")


if __name__ == "__main__":
    pytest.main([__file__])
