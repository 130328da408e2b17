"""The 1969 milestone runs, shows the perceptron stuck at <= 75%, the 2-layer net at 100%."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinytorch_milestones import m1969_xor


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_milestone_runs_and_passes(tmp_path: Path, seed: int, capsys: pytest.CaptureFixture
                                   ) -> None:
    assert m1969_xor.main(["--out", str(tmp_path), "--seed", str(seed)]) == 0
    out = capsys.readouterr().out
    assert "milestone 1969: passed" in out
    png = tmp_path / "1969_xor.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
