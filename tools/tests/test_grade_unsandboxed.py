"""Without bubblewrap (an instructor's laptop) grading still runs, scores right, and says so."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import minicourse  # noqa: E402

import _packages  # noqa: E402
import grade  # noqa: E402
import grade_workspace  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv")


def test_grading_without_the_sandbox(tmp_path):
    course = tmp_path / "course"
    minicourse.write_course(course)
    settings = grade.Settings(grade.Timeouts(test=10, wall=120), isolate=False)
    ws = grade_workspace.prepare(_packages.part(1, course),
                                 cache=tmp_path / "cache", timeouts=settings.timeouts,
                                 isolate=False, log=lambda _: None)
    half = minicourse.release(course, tmp_path / "subs" / "half", solved=("1.1", "1.3"))
    out = tmp_path / "grades"
    [result] = grade.grade_batch(ws, [half], out, settings=settings)
    assert (result.score, result.max_score, result.isolated) == (5.0, 6.0, False)  # 1.1, 1.3
    assert "NOT isolated" in (out / "half" / "report.md").read_text()
    assert json.loads((out / "half" / "report.json").read_text())["isolated"] is False
    assert "no" in (out / "gradebook.csv").read_text().splitlines()[1].split(",")[-1]
