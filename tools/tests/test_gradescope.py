"""The Gradescope bundle (tools/gradescope.py), run against a fake autograder root."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import minicourse  # noqa: E402

import _packages  # noqa: E402
import gradescope  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv")


def test_bundle_grades_the_submission_into_results_json(tmp_path):
    course = tmp_path / "course"
    minicourse.write_course(course)
    part = _packages.part(1, course)
    bundle = tmp_path / "autograder.zip"
    names = gradescope.write_bundle(part, bundle, [course / "private"], timeout=10)
    assert {"setup.sh", "run_autograder", "tools/grade.py", "private/0/test_private.py",
            "packages/tt-tensor/src/tinytorch/tensor/ops.py"} <= set(names)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    minicourse.release(course, root / "submission" / "my-repo", solved=("1.1",))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "TT_NO_APT": "1"}
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env,
                           capture_output=True, text=True, timeout=600)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert not (root / "source" / "packages" / "tt-tensor" / "src").exists()  # the solution
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 2.0  # task 1.1 (2 points), public and private tests
    hidden = [t for t in results["tests"] if t["visibility"] == "hidden"]
    assert len(hidden) == 2 and all(t["output"] == "" for t in hidden)
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(minicourse.MAX_SCORE)
    assert "PRIVATE-MARKER" not in (root / "results" / "results.json").read_text()


def test_the_bundle_holds_every_tool_module_the_grader_imports():
    """A tool module imported by a bundled one must be bundled too (tools/ changes over time)."""
    import ast

    local = {p.stem for p in gradescope.TOOLS.glob("*.py")}
    bundled = {Path(name).stem for name in gradescope.BUNDLED_TOOLS}
    for name in gradescope.BUNDLED_TOOLS:
        tree = ast.parse((gradescope.TOOLS / name).read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module and not node.level}
        assert (imported & local) <= bundled, (name, (imported & local) - bundled)
