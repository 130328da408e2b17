"""The 1986 milestone runs on the embedded sample, writes its figure and learns."""

from __future__ import annotations

import pytest

from tinytorch_milestones.m1986_mlp import main, run


def test_one_epoch_on_the_sample(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)
    result = run(["--epochs", "1", "--batch-size", "64", "--out", str(tmp_path)])
    png = tmp_path / "mlp_curves.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result["test_accuracy"] > 0.5
    assert result["epochs"] == 1
    assert main(["--epochs", "1", "--out", str(tmp_path / "again")]) == 0


if __name__ == "__main__":
    pytest.main([__file__])
