"""The student check (tools/check.py) on a fake part: stubbed, then written task by task."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from fakecourse import task_toml, write_part

import check
import part_envs
import solutions

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pytest_timeout") is None,
                                reason="the check runs pytest with pytest-timeout")

SOURCE = '''
def add(a, b):
    """a + b."""
    # BEGIN SOLUTION 1.1 add two numbers
    return a + b
    # END SOLUTION


def twice(a):
    """2 * a, with add."""
    # BEGIN SOLUTION 1.2 double with add
    return add(a, a)
    # END SOLUTION


def neg(a):
    """-a."""
    # BEGIN SOLUTION 1.3 negate
    return -a
    # END SOLUTION
'''

TESTS = '''
import pytest
from tinytorch.tensor import add, neg, twice


@pytest.mark.task("1.1")
@pytest.mark.parametrize("a, b", [(1, 2), (3, 4)])
def test_add(a, b):
    assert add(a, b) == a + b


@pytest.mark.task("1.2")
def test_twice():
    assert twice(3) == 6


@pytest.mark.task("1.3")
def test_neg():
    assert neg(3) == -3
'''

SOLVED_ADD = "    # BEGIN SOLUTION 1.1 add two numbers\n    return a + b\n"
STUB_ADD = '    # BEGIN SOLUTION 1.1 add two numbers\n    raise NotImplementedError("1.1: add two numbers")\n'


@pytest.fixture
def student(tmp_path, monkeypatch) -> Path:
    """A released (stubbed) fake part; the check runs in this interpreter."""
    part = write_part(tmp_path, "tt-tensor", "tensor", source=SOURCE, tests={"test_ops.py": TESTS},
                      tasks=task_toml(("1.1", "add"), ("1.2", "twice", ["1.1"]), ("1.3", "neg")))
    solutions.stub_tree(part / "src")
    monkeypatch.setattr(part_envs, "ensure_env", lambda *a, **k: Path(sys.executable))
    return tmp_path


def source_of(root: Path) -> Path:
    return root / "packages/tt-tensor/src/tinytorch/tensor/__init__.py"


def write(root: Path, old: str, new: str) -> None:
    path = source_of(root)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def run(root: Path, capsys, *args: str) -> tuple[int, str]:
    code = check.main([*args, "--root", str(root)])
    return code, capsys.readouterr().out


def test_a_stubbed_task_fails_each_test_and_says_where_to_write(student, capsys):
    code, out = run(student, capsys, "1.1")
    assert code == 1
    assert "FAIL  tests/test_ops.py::test_add [2/2 cases fail]" in out
    assert "NotImplementedError: 1.1: add two numbers" in out
    assert "0 of 1 tests pass." in out
    assert "Task 1.1 is not started: write it in tinytorch/tensor/__init__.py:4 (add)." in out


def test_a_written_task_passes_and_points_to_the_next(student, capsys):
    write(student, STUB_ADD, SOLVED_ADD)
    code, out = run(student, capsys, "1.1")
    assert code == 0
    assert "pass  tests/test_ops.py::test_add [2 cases]" in out
    assert "Next: task 1.2 (twice): `nox -s check -- 1.2`." in out


def test_a_task_whose_need_fails_says_fix_it_first(student, capsys):
    write(student, STUB_ADD, "    # BEGIN SOLUTION 1.1 add two numbers\n    return a - b\n")
    write(student, 'raise NotImplementedError("1.2: double with add")', "return add(a, a)")
    code, out = run(student, capsys, "1.2")
    assert code == 1
    assert "FAIL  tests/test_ops.py::test_twice" in out
    assert "builds on task 1.1, which fails 1 test(s): fix it first" in out


def test_a_test_stopping_in_an_undeclared_earlier_stub_says_do_that_first(student, capsys):
    (student / "packages/tt-tensor/tasks.toml").write_text(
        task_toml(("1.1", "add"), ("1.2", "twice"), ("1.3", "neg")))
    write(student, 'raise NotImplementedError("1.2: double with add")', "return add(a, a)")
    code, out = run(student, capsys, "1.2")
    assert code == 1
    assert ("These tests stop in task 1.1, which is not written yet: do it first "
            "(`nox -s check -- 1.1`).") in out


def test_progress_and_the_part_view(student, capsys):
    write(student, STUB_ADD, SOLVED_ADD)
    write(student, 'raise NotImplementedError("1.3: negate")', "return a")
    code, out = run(student, capsys, "progress")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()[:1].isdigit()}
    assert "done" in lines["1.1"] and "2/2" not in lines["1.1"] and "1/1" in lines["1.1"]
    assert "not started" in lines["1.2"] and "in progress" in lines["1.3"]
    assert "1 of 3 tasks done (1 of 3 points)." in out
    assert "Next: task 1.2 (twice)" in out
    code, out = run(student, capsys, "1")
    assert code == 1
    assert "1.3  FAILING" in out and "tests/test_ops.py::test_neg: assert 3 == -3" in out
    assert "Task 1.2 is not started: write it in tinytorch/tensor/__init__.py:11 (twice)." in out


def test_an_unknown_target_is_a_clear_error(student, capsys):
    with pytest.raises(SystemExit, match="no task '9.9'"):
        run(student, capsys, "9.9")
