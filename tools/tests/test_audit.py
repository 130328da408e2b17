"""The audit (tools/audit.py) on a fake part: each property's planted violation is caught, an
honest course passes, and the table says so."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from fakecourse import task_toml, write_part

import audit
import tasks

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pytest_timeout") is None,
                                reason="the audit's sessions need pytest-timeout")

TASKS = task_toml(("1.1", "add"), ("1.2", "multiply"), ("1.3", "square", ["1.2"]),
                  ("1.4", "negate"))

SOURCE = '''
"""A tiny part."""


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


def square(a):
    """a * a, with mul."""
    # BEGIN SOLUTION 1.3 square with mul
    return mul(a, a)
    # END SOLUTION


def neg(a):
    """-a."""
    # BEGIN SOLUTION 1.4 negate
    return -a
    # END SOLUTION
'''

HONEST = '''
import pytest
from tinytorch.tensor import add, mul, neg, square


@pytest.mark.task("1.1")
def test_add():
    assert add(2, 3) == 5


@pytest.mark.task("1.2")
@pytest.mark.parametrize("a, b, product", [(2, 3, 6), (0, 5, 0), (-1, 4, -4)])
def test_mul(a, b, product):
    assert mul(a, b) == product


@pytest.mark.task("1.3")
class TestSquare:
    def test_square(self):
        assert square(-3) == 9


@pytest.mark.task("1.4")
def test_neg():
    assert neg(2) == -2


def test_module_imports():
    import tinytorch.tensor  # noqa: F401
'''

PLANTED = '''
import pytest
from tinytorch.tensor import add, mul, neg, square


@pytest.mark.task("1.2")
def test_mul_is_callable():  # can-fail: passes on the stub
    assert callable(mul)


@pytest.mark.task("1.1")
def test_add_then_square():  # in-order: needs task 1.3
    assert square(add(1, 1)) == 4


@pytest.mark.task("1.4")
def test_neg_expects_the_wrong_value():  # complete: fails on the solution
    assert neg(2) == 2


def test_infrastructure_is_broken():  # no task, fails on the solution
    assert add(1, 1) == 3


@pytest.mark.parametrize("x", [pytest.param(1, marks=pytest.mark.task("1.1")),
                               pytest.param(2, marks=pytest.mark.task("1.4"))])
def test_cases_of_two_tasks(x):  # one function grading two tasks
    assert add(x, 0) == x
'''


def run_audit(root: Path) -> audit.Report:
    course = tasks.load_course(root)
    return audit.audit(course, {1: Path(sys.executable)}, workers=2, timeout=30)


def test_an_honest_course_passes_every_property(tmp_path):
    write_part(tmp_path, "tt-tensor", "tensor", tasks=TASKS, source=SOURCE,
               tests={"test_honest.py": HONEST})
    report = run_audit(tmp_path)
    assert [v.task.id for v in report.verdicts] == ["1.1", "1.2", "1.3", "1.4"]
    assert report.ok, audit.render(report)
    assert [v.tests for v in report.verdicts] == [1, 1, 1, 1]
    table = audit.render(report)
    assert "1.2" in table and "0 tasks violate" in table


def test_each_planted_violation_is_caught(tmp_path):
    write_part(tmp_path, "tt-tensor", "tensor", tasks=TASKS, source=SOURCE,
               tests={"test_honest.py": HONEST, "test_planted.py": PLANTED})
    report = run_audit(tmp_path)
    verdicts = {v.task.id: v for v in report.verdicts}
    assert verdicts["1.2"].escaped == ["tests/test_planted.py::test_mul_is_callable"]
    assert not verdicts["1.2"].out_of_order and not verdicts["1.2"].incomplete
    assert [o.split(" ")[0] for o in verdicts["1.1"].out_of_order] == [
        "tests/test_planted.py::test_add_then_square"]
    assert "1.3: square with mul" in verdicts["1.1"].out_of_order[0]
    assert not verdicts["1.1"].escaped and not verdicts["1.1"].incomplete
    assert verdicts["1.3"].ok
    assert [o.split(" ")[0] for o in verdicts["1.4"].incomplete] == [
        "tests/test_planted.py::test_neg_expects_the_wrong_value"]
    # cases tagged one by one: the 1.4 case of this function never calls neg
    assert verdicts["1.4"].escaped == ["tests/test_planted.py::test_cases_of_two_tasks"]
    assert verdicts["1.1"].tests == 3 and verdicts["1.4"].tests == 3
    assert not report.ok
    problems = "\n".join(report.problems)
    assert report.problems == [
        "part 1: tests/test_planted.py::test_infrastructure_is_broken (no task) fails on the "
        "solution: failed: assert 2 == 3"], problems
    table = audit.render(report)
    assert "passes on the stub: tests/test_planted.py::test_mul_is_callable" in table
    assert "3 tasks violate" in table


NEG = '''
def neg(a):
    """-a."""
    # BEGIN SOLUTION 1.4 negate
    return -a
    # END SOLUTION
'''

HANGS = '''
import pytest
from tinytorch.tensor import neg


@pytest.mark.task("1.4")
def test_neg_polls_until_it_works():  # on the stub, loops forever
    while True:
        try:
            assert neg(2) == -2
            return
        except NotImplementedError:
            pass
'''


def test_a_stub_that_hangs_is_cut_by_the_per_test_timeout(tmp_path):
    write_part(tmp_path, "tt-tensor", "tensor", tasks=task_toml(("1.4", "negate")), source=NEG,
               tests={"test_hang.py": HANGS})
    course = tasks.load_course(tmp_path)
    report = audit.audit(course, {1: Path(sys.executable)}, workers=1, timeout=2)
    assert report.ok, audit.render(report)  # the stubbed run failed by timeout, as it must
