"""The 2017 milestone scripts run, learn and write their figures (short settings)."""

from __future__ import annotations

import pytest

from tinytorch_milestones import m2017_reverse, m2017_tinygpt

PNG = b"\x89PNG\r\n\x1a\n"


def test_reversal_reaches_exact_match(tmp_path):
    result = m2017_reverse.run(["--length", "5", "--out", str(tmp_path)])
    assert result["exact_match"] == 1.0
    assert (tmp_path / "reverse_attention.png").read_bytes()[:8] == PNG


def test_tinygpt_short_run_learns_and_writes_figures(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)
    result = m2017_tinygpt.run(["--iters", "40", "--eval-batches", "5", "--sample-tokens", "20",
                                "--out", str(tmp_path)])
    assert result["val_loss"] < 3.4  # from ln(65) = 4.17 at the start
    assert len(result["sample"]) == 21
    for name in ("tinygpt_loss.png", "tinygpt_attention.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG


def test_learning_rate_schedule_is_nanogpts():
    lr = m2017_tinygpt.learning_rate
    assert lr(0, 2000) == pytest.approx(1e-3 / 101)
    assert lr(99, 2000) == pytest.approx(1e-3 * 100 / 101)
    assert lr(100, 2000) == pytest.approx(1e-3)
    assert lr(1050, 2000) == pytest.approx(1e-4 + 0.5 * 9e-4)
    assert lr(2000, 2000) == pytest.approx(1e-4)
