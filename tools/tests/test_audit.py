"""The honesty audit (tools/audit.py) and the course map (tools/coursemap.py) on a tiny tree:
an honest task, a dishonest one, an untested one and a module-level one."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

import audit
import coursemap

PYPROJECT = '''[project]
name = "tt-tensor"
version = "0.1.0"
[tool.pytest.ini_options]
markers = ["task(id): the course task this test grades"]
'''

SOURCE = '''
"""A tiny part."""

# BEGIN SOLUTION 1.4 constants: the scale
SCALE = 2
# END SOLUTION


def add(a, b):
    """a + b."""
    # BEGIN SOLUTION 1.1 add two numbers
    return a + b
    # END SOLUTION


# BEGIN SOLUTION 1.2 multiply two numbers
def mul(a, b):
    """a * b."""
    return a * b
# END SOLUTION


def neg(a):
    # BEGIN SOLUTION 1.3 negate
    return -a
    # END SOLUTION
'''

TESTS = '''
import pytest
from tinytorch.tensor import add, mul

pytestmark = pytest.mark.task("1.1")

def test_add():
    assert add(2, 3) == 5

@pytest.mark.task("1.2")
def test_mul_is_callable():  # dishonest: passes on a stub
    assert callable(mul)

@pytest.mark.task("1.4")
class TestScale:
    def test_scale(self):
        from tinytorch.tensor import SCALE
        assert SCALE == 2
'''


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    part = tmp_path / "packages" / "tt-tensor"
    src = part / "src" / "tinytorch" / "tensor"
    src.mkdir(parents=True)
    (part / "pyproject.toml").write_text(PYPROJECT)
    (src / "__init__.py").write_text(textwrap.dedent(SOURCE))
    (part / "tests").mkdir()
    (part / "tests" / "test_tiny.py").write_text(textwrap.dedent(TESTS))
    return tmp_path


def test_course_map_reads_tasks_tests_and_markers(tree):
    course = coursemap.build(tree)
    assert sorted(course.tasks, key=coursemap.task_key) == ["1.1", "1.2", "1.3", "1.4"]
    tests = {t.nodeid: t.task for t in course.tests}
    assert tests == {"tests/test_tiny.py::test_add": "1.1",
                     "tests/test_tiny.py::test_mul_is_callable": "1.2",
                     "tests/test_tiny.py::TestScale::test_scale": "1.4"}
    text = coursemap.render(course)
    assert "| 1.3 | negate |" in text and "task 1.3 has no test" in text


def test_course_map_check_and_merge(tree):
    fresh, path = coursemap.update(tree, check=True)
    assert not fresh and not path.exists()
    coursemap.update(tree)
    assert coursemap.update(tree, check=True)[0]
    path.write_text("# Intro kept\n\nhand text\n\n" + path.read_text().split("\n\n", 1)[1])
    coursemap.update(tree)
    assert path.read_text().startswith("# Intro kept") and coursemap.update(tree, check=True)[0]


@pytest.mark.skipif(importlib.util.find_spec("pytest_timeout") is None,
                    reason="needs pytest-timeout")
def test_audit_finds_the_dishonest_the_untested_and_the_unstubbable(tree):
    results = {r.task: r for r in audit.audit(Path(sys.executable), [1], root=tree, jobs=2)}
    assert results["1.1"].status == "ok"
    assert results["1.2"].status == "DEFECT"
    assert results["1.3"].status == "untested"
    assert results["1.4"].status == "not stubbable"
    assert [r.task for r in audit.failed(list(results.values()), allow_untested=False)] == [
        "1.2", "1.3"]
