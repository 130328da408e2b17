"""Versions and pins (tools/versions.py) on a synthetic tree, and installing a milestone pulls
exactly its pinned part versions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import _packages
import versions

PART = '''[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "{name}"
dynamic = ["version"]
requires-python = ">=3.10"
dependencies = {deps}

[tool.hatch.version]
path = "src/tinytorch/{sub}/_version.py"

[tool.hatch.build.targets.wheel]
packages = ["src/tinytorch"]
'''

MILESTONE = '''[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "tt-milestone-demo"
version = "1.0.0"
dependencies = ["tt-tensor==0.1.0", "tt-autograd == 0.1.0"]

[tool.hatch.build.targets.wheel]
packages = ["src/demo"]
'''


def make_tree(root: Path) -> Path:
    for name, sub, deps in [("tt-tensor", "tensor", "[]"),
                            ("tt-autograd", "autograd", '["tt-tensor>=0.1,<0.2"]')]:
        pkg = root / "packages" / name
        src = pkg / "src" / "tinytorch" / sub
        src.mkdir(parents=True)
        (pkg / "pyproject.toml").write_text(PART.format(name=name, sub=sub, deps=deps))
        (src / "__init__.py").write_text("")
        (src / "_version.py").write_text('__version__ = "0.1.0"\n')
        (pkg / "CHANGELOG.md").write_text(f"# Changelog — {name}\n\n## 0.1.0\n- First.\n")
    milestone = root / "milestones" / "1969-demo"
    (milestone / "src" / "demo").mkdir(parents=True)
    (milestone / "src" / "demo" / "__init__.py").write_text("")
    (milestone / "pyproject.toml").write_text(MILESTONE)
    return root


def test_pins_check_names_what_to_update(tmp_path):
    root = make_tree(tmp_path)
    assert versions.pin_problems(root) == []
    (root / "packages/tt-tensor/src/tinytorch/tensor/_version.py").write_text(
        '__version__ = "0.2.0"\n')
    [problem] = versions.pin_problems(root)
    assert "tt-tensor==0.1.0" in problem and "0.2.0" in problem and "pyproject.toml" in problem


def test_repin_rewrites_only_the_named_pins(tmp_path):
    root = make_tree(tmp_path)
    [milestone] = _packages.milestones(root)
    changes = versions.repin(milestone, {"tt-autograd": "0.1.1", "tt-nn": "9.9"})
    assert changes == ["tt-autograd 0.1.0 -> 0.1.1"]
    pins = _packages.milestones(root)[0].pins
    assert pins == {"tt-tensor": "0.1.0", "tt-autograd": "0.1.1"}


def test_dependent_milestones_follow_part_dependencies(tmp_path):
    root = make_tree(tmp_path)
    assert [m.name for m in versions.dependent_milestones("tt-tensor", root)] == [
        "tt-milestone-demo"]
    assert versions.dependent_milestones("tt-nn", root) == []


@pytest.mark.skipif(shutil.which("hatch") is None, reason="needs hatch")
def test_bump_changelog_and_range_conflict(tmp_path):
    root = make_tree(tmp_path)
    part = _packages.part("tt-tensor", root)
    assert versions.bump_version(part, "minor") == ("0.1.0", "0.2.0")
    changelog = versions.open_changelog_entry(part, "0.2.0").read_text()
    assert changelog.index("## 0.2.0 (unreleased)") < changelog.index("## 0.1.0")
    [conflict] = versions.range_conflicts("tt-tensor", "0.2.0", root)
    assert "tt-autograd" in conflict
    with pytest.raises(versions.VersionError, match="neither a version nor a bump rule"):
        versions.bump_version(part, "bigger")


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv")
def test_installing_a_milestone_pulls_exactly_its_pins(tmp_path):
    root = make_tree(tmp_path / "tree")
    wheels = tmp_path / "wheels"
    def build(path: Path) -> None:
        subprocess.run(["uv", "build", "--wheel", "--quiet", "--out-dir", str(wheels),
                        str(path)], check=True)
    build(root / "packages/tt-tensor")
    build(root / "packages/tt-autograd")
    build(root / "milestones/1969-demo")
    # a newer tt-tensor in the same directory must NOT be chosen
    (root / "packages/tt-tensor/src/tinytorch/tensor/_version.py").write_text(
        '__version__ = "0.1.5"\n')
    build(root / "packages/tt-tensor")
    venv = tmp_path / "venv"
    subprocess.run(["uv", "venv", "--quiet", "--seed", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--isolated", "--no-index", "--quiet",
                    "--find-links", str(wheels), "tt-milestone-demo"], check=True)
    code = ("import importlib.metadata as m; "
            "print(m.version('tt-tensor'), m.version('tt-autograd'))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0.1.0", "0.1.0"]
