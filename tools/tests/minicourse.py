"""A tiny course (one part, three tasks, six test functions) for the grading tests: fast to build,
grade and attack. ``write_course(root)`` writes the instructor's tree, ``release(course, out)``
a student copy with every solution stubbed (as ``tools/solutions.py`` does for the real parts).
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import solutions

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "tt-tensor"
version = "0.1.0"
description = "A tiny stand-in for part 1"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["numpy>=1.26,<3"]

[project.optional-dependencies]
test = ["pytest>=8", "hypothesis>=6.100", "pytest-timeout>=2.3"]

[tool.hatch.build.targets.wheel]
packages = ["src/tinytorch"]

[tool.pytest.ini_options]
addopts = "--import-mode=importlib"
markers = ["task(id): the course task this test grades"]
"""

TASKS = """\
[[task]]
id = "1.1"
title = "double"
points = 2

[[task]]
id = "1.2"
title = "square"
points = 1

[[task]]
id = "1.3"
title = "clip"
points = 3
"""

OPS = '''\
"""Three small ops."""

import numpy as np


def double(x):
    """Twice ``x``."""
    # BEGIN SOLUTION 1.1 double it
    return 2 * np.asarray(x)  # SOLUTION-MARKER-instructor-only
    # END SOLUTION


def square(x):
    """``x`` squared."""
    # BEGIN SOLUTION 1.2 square it
    return np.asarray(x) * np.asarray(x)
    # END SOLUTION


def clip(x, low, high):
    """``x`` limited to ``[low, high]``."""
    # BEGIN SOLUTION 1.3 clip it
    return np.minimum(np.maximum(x, low), high)
    # END SOLUTION
'''

TESTS = '''\
import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinytorch.tensor import clip, double, square


@pytest.mark.task("1.1")
@pytest.mark.parametrize("x", [0.0, 1.0, -2.5])
def test_double(x):
    assert double(x) == 2 * x


@pytest.mark.task("1.1")
def test_double_array():
    np.testing.assert_array_equal(double(np.arange(3)), [0, 2, 4])


@pytest.mark.task("1.2")
@given(st.floats(-1e3, 1e3))
def test_square_matches_multiplication(x):
    assert square(x) == pytest.approx(x * x)


@pytest.mark.task("1.3")
def test_clip_inside():
    assert clip(0.5, 0.0, 1.0) == 0.5


@pytest.mark.task("1.3")
def test_clip_outside():
    np.testing.assert_array_equal(clip(np.array([-1.0, 2.0]), 0.0, 1.0), [0.0, 1.0])


def test_package_imports():  # no task: infrastructure, never graded
    assert callable(double)
'''

PRIVATE = '''\
import pytest

from tinytorch.tensor import double, square

# PRIVATE-MARKER-never-shown-to-students


@pytest.mark.task("1.1")
def test_double_large():
    assert double(1e6) == 2e6


@pytest.mark.task("1.2")
def test_square_negative():
    assert square(-3.0) == 9.0
'''

MAX_SCORE = 6.0


def write_course(root: Path) -> Path:
    """The instructor's tree at ``root`` (returns the part directory)."""
    part = root / "packages" / "tt-tensor"
    package = part / "src" / "tinytorch" / "tensor"
    package.mkdir(parents=True)
    (part / "tests").mkdir()
    (part / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (part / "tasks.toml").write_text(TASKS, encoding="utf-8")
    (part / "README.md").write_text("Part 1 stand-in.\n", encoding="utf-8")
    (package / "__init__.py").write_text(
        '"""Stand-in for part 1."""\n\nfrom .ops import clip, double, square\n',
        encoding="utf-8")
    (package / "ops.py").write_text(OPS, encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")
    (part / "tests" / "test_ops.py").write_text(TESTS, encoding="utf-8")
    private = root / "private"
    private.mkdir()
    (private / "test_private.py").write_text(PRIVATE, encoding="utf-8")
    return part


def release(course: Path, out: Path, solved: tuple[str, ...] = ()) -> Path:
    """A student copy of ``course``: solutions stubbed except the tasks in ``solved``."""
    shutil.copytree(course / "packages", out / "packages")
    stub = [t for t in ("1.1", "1.2", "1.3") if t not in solved]
    solutions.stub_tree(out / "packages" / "tt-tensor" / "src", stub)
    return out


def inject(submission: Path, *, top: str = "", body: str = "", task: str = "") -> None:
    """Add ``top`` at the top of the student's ops.py (runs at import) and/or replace the stub
    of ``task`` (every stub when empty) by ``body`` (runs when a test calls the op)."""
    ops = submission / "packages" / "tt-tensor" / "src" / "tinytorch" / "tensor" / "ops.py"
    lines = ops.read_text(encoding="utf-8").splitlines()
    if body:
        out = []
        for line in lines:
            if line.strip().startswith(f'raise NotImplementedError("{task}'):
                indent = line[: len(line) - len(line.lstrip())]
                out += [indent + b for b in textwrap.dedent(body).strip().splitlines()]
            else:
                out.append(line)
        lines = out
    text = "\n".join(lines) + "\n"
    if top:
        text = textwrap.dedent(top).strip() + "\n\n" + text
    ops.write_text(text, encoding="utf-8")
