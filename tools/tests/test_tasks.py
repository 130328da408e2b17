"""Task declarations joined with regions and tests (tools/tasks.py), and the course map
(tools/coursemap.py) built from them."""

from __future__ import annotations

import re

import pytest
from fakecourse import task_toml, write_part

import _packages
import coursemap
import tasks

SOURCE = '''
def add(a, b):
    """a + b."""
    # BEGIN SOLUTION 1.1 add two numbers
    return a + b
    # END SOLUTION


def neg(a):
    """-a."""
    # BEGIN SOLUTION 1.2 negate
    return -a
    # END SOLUTION
'''

TESTS = '''
import pytest
from tinytorch.tensor import add, neg

pytestmark = [pytest.mark.task("1.1"), pytest.mark.filterwarnings("ignore")]


def test_add():
    assert add(2, 3) == 5


class TestNeg:
    pytestmark = pytest.mark.task("1.2")

    def test_neg(self):
        assert neg(1) == -1

    @pytest.mark.task("1.1")
    def test_add_of_neg(self):
        assert add(neg(1), 1) == 0
'''


def make(tmp_path, *, declared=(("1.1", "add"), ("1.2", "negate")), source=SOURCE,
         tests=TESTS):
    write_part(tmp_path, "tt-tensor", "tensor", tasks=task_toml(*declared), source=source,
               tests={"test_ops.py": tests})
    return tmp_path


def test_course_joins_declarations_regions_and_tests(tmp_path):
    course = tasks.load_course(make(tmp_path))
    assert list(course.tasks) == ["1.1", "1.2"]
    add, neg = course.tasks.values()
    assert [t.nodeid for t in add.tests] == ["tests/test_ops.py::test_add",
                                             "tests/test_ops.py::TestNeg::test_add_of_neg"]
    assert [t.nodeid for t in neg.tests] == ["tests/test_ops.py::TestNeg::test_neg"]
    assert [b.description for b in add.regions] == ["add two numbers"]
    assert [str(f) for f in add.region_files()] == ["tinytorch/tensor/__init__.py"]
    assert course.later(add) == [neg] and course.next_task(neg) is None


@pytest.mark.parametrize("change, expected", [
    (dict(declared=(("1.1", "add"),)),
     r"solution region of task 1\.2, which packages/tt-tensor/tasks\.toml does not declare"),
    (dict(declared=(("1.1", "add"), ("1.2", "negate"), ("1.3", "more"))),
     r"task 1\.3 has no solution region"),
    (dict(tests=TESTS.replace('task("1.2")', 'task("1.7")')),
     r"test_ops\.py:\d+: TestNeg::test_neg is tagged with task 1\.7, which .* does not declare"),
    (dict(tests=TESTS.replace('pytestmark = pytest.mark.task("1.2")', "")),
     r"task 1\.2 has no test"),
    (dict(declared=(("1.1", "add"), ("1.2", "negate", ["1.0"]))),
     r"task 1\.2 needs 1\.0, not declared"),
    (dict(declared=(("2.1", "add"), ("2.2", "negate"))),
     r"task 2\.1 is declared in part 1"),
])
def test_disagreements_are_clear_errors(tmp_path, change, expected):
    with pytest.raises(tasks.CourseError) as error:
        tasks.load_course(make(tmp_path, **change))
    assert re.search(expected, str(error.value)), str(error.value)


def test_bad_declarations_are_refused(tmp_path):
    with pytest.raises(tasks.TaskDeclarationError, match="not in course order"):
        tasks.load_course(make(tmp_path, declared=(("1.2", "negate"), ("1.1", "add"))))


def test_course_map_names_files_not_lines_and_folds_test_ids(tmp_path):
    root = make(tmp_path)
    text = coursemap.render(tasks.load_course(root))
    assert "| 1.1 | add | 1 | - | `tinytorch/tensor/__init__.py` | 2 |" in text
    assert not re.search(r"\.py:\d", text), "no line numbers in the map"
    assert "<details><summary>The 3 test functions of part 1, by task</summary>" in text
    assert "<code>tests/test_ops.py::TestNeg::test_neg</code>" in text


def test_course_map_check_and_merge(tmp_path):
    root = make(tmp_path)
    fresh, path = coursemap.update(root, check=True)
    assert not fresh and not path.exists()
    coursemap.update(root)
    assert coursemap.update(root, check=True)[0]
    path.write_text("# Intro kept\n\nhand text\n\n" + path.read_text().split("\n\n", 1)[1])
    coursemap.update(root)
    assert path.read_text().startswith("# Intro kept") and coursemap.update(root, check=True)[0]


def test_the_real_course_is_consistent():
    course = tasks.load_course(_packages.REPO)
    assert course.tasks, "parts 1-3 declare tasks"
    for task in course.ordered():
        assert task.regions and task.tests, task.id


TABLE = '''
import pytest
from tinytorch.tensor import add, neg

OPS = [("add", "1.1", lambda: add(1, 1) == 2), ("neg", "1.2", lambda: neg(1) == -1)]


@pytest.mark.parametrize("check", [pytest.param(f, id=n, marks=pytest.mark.task(t))
                                   for n, t, f in OPS])
def test_table(check):
    assert check()


def test_tolerance_is_not_a_task():
    assert abs(float("1.5") - 1.5) < 1e-9
'''


def test_cases_tagged_one_by_one_count_for_the_tasks_their_file_names(tmp_path):
    course = tasks.load_course(make(tmp_path, tests=TABLE))
    table = "tests/test_ops.py::test_table"
    assert [t.nodeid for t in course.tasks["1.1"].tests] == [table]
    assert [t.nodeid for t in course.tasks["1.2"].tests] == [table]
    (ref,) = [t for t in course.tests[1] if t.nodeid == table]
    assert ref.task is None and ref.dynamic == ("1.1", "1.2", "1.5")  # only declared ids count
    (other,) = [t for t in course.tests[1] if t.nodeid.endswith("tolerance_is_not_a_task")]
    assert other.dynamic == ()
