"""Scores by task (tools/reports.py): functions not cases, skips fail unless optional, and the
report files."""

from __future__ import annotations

import csv
import json

import reports
import tasks

DECLARED = [tasks.TaskDecl("2.1", "unbroadcast", 4.0), tasks.TaskDecl("2.2", "add", 2.0),
            tasks.TaskDecl("2.3", "sum", 1.0)]


def _test(task, optional=False, private=False, skipped=False):
    return {"task": task, "optional": optional, "private": private, "skipped": skipped}


REFERENCE = {"dist": "tt-autograd", "part": 2, "tests": {
    # task 2.1: a function with 3 cases and a plain one
    "tt-autograd/tests/test_u.py::test_shapes[a]": _test("2.1"),
    "tt-autograd/tests/test_u.py::test_shapes[b]": _test("2.1"),
    "tt-autograd/tests/test_u.py::test_shapes[c]": _test("2.1"),
    "tt-autograd/tests/test_u.py::test_scalar": _test("2.1"),
    # task 2.2: one function, one optional, one the environment skipped for the reference
    "tt-autograd/tests/test_add.py::test_add": _test("2.2"),
    "tt-autograd/tests/test_add.py::test_add_big": _test("2.2", optional=True),
    "tt-autograd/tests/test_add.py::test_add_torch": _test("2.2", skipped=True),
    # task 2.3: a public and a private function
    "tt-autograd/tests/test_sum.py::test_sum": _test("2.3"),
    "tt-autograd/tests/private_tests/p0/test_p.py::test_sum_hidden": _test("2.3", private=True),
    # no task: never graded
    "tt-autograd/tests/test_infra.py::test_import": _test(None),
}}


def _grade(outcomes, **kwargs):
    return reports.score("alice", REFERENCE, DECLARED, outcomes, **kwargs)


def test_a_function_passes_only_when_all_its_cases_pass():
    outcomes = {n: ("passed", "") for n in REFERENCE["tests"]}
    outcomes["tt-autograd/tests/test_u.py::test_shapes[b]"] = ("failed", "AssertionError: no")
    grade = _grade(outcomes)
    task = grade.tasks[0]
    assert (task.id, task.passed, task.total, task.score) == ("2.1", 1, 2, 2.0)
    assert task.first_failure == "tests/test_u.py::test_shapes[b]: AssertionError: no"
    assert (grade.score, grade.max_score) == (5.0, 7.0)


def test_skipped_or_missing_fails_unless_optional():
    outcomes = {n: ("passed", "") for n in REFERENCE["tests"]}
    outcomes["tt-autograd/tests/test_add.py::test_add_big"] = ("skipped", "skipped: later")
    assert _grade(outcomes).tasks[1].score == 2.0  # a skipped optional test is not counted
    outcomes["tt-autograd/tests/test_add.py::test_add"] = ("skipped", "skipped: student")
    assert _grade(outcomes).tasks[1].score == 0.0
    del outcomes["tt-autograd/tests/test_sum.py::test_sum"]  # deselected, never ran
    sum_task = _grade(outcomes).tasks[2]
    assert (sum_task.passed, sum_task.first_failure) == (1, "tests/test_sum.py::test_sum: did not run")


def test_environment_skips_and_untasked_tests_do_not_count():
    outcomes = {n: ("passed", "") for n in REFERENCE["tests"]}
    names = {f.name for f in _grade(outcomes).functions}
    assert "tests/test_add.py::test_add_torch" not in names
    assert "tests/test_infra.py::test_import" not in names


def test_private_tests_report_pass_fail_only():
    outcomes = {n: ("passed", "") for n in REFERENCE["tests"]}
    outcomes["tt-autograd/tests/private_tests/p0/test_p.py::test_sum_hidden"] = (
        "failed", "AssertionError: the private expected value is 42")
    grade = _grade(outcomes)
    hidden = next(f for f in grade.functions if f.private)
    assert (hidden.name, hidden.passed, hidden.message) == ("private/test_p.py::test_sum_hidden",
                                                            False, "")
    for text in (reports.render_json(grade), reports.render_markdown(grade),
                 reports.render_gradescope(grade)):
        assert "42" not in text
    results = json.loads(reports.render_gradescope(grade))
    entry = next(t for t in results["tests"] if "hidden" in t["name"])
    assert (entry["visibility"], entry["status"], entry["output"]) == ("hidden", "failed", "")


def test_an_error_scores_zero_with_the_reason():
    grade = _grade({n: ("passed", "") for n in REFERENCE["tests"]},
                   error="tinytorch.autograd does not import: SyntaxError")
    assert grade.score == 0 and grade.max_score == 7.0
    assert "Not graded: tinytorch.autograd does not import" in reports.render_markdown(grade)


def test_report_files_and_gradebook(tmp_path):
    outcomes = {n: ("passed", "") for n in REFERENCE["tests"]}
    outcomes["tt-autograd/tests/test_add.py::test_add"] = ("failed", "AssertionError: x")
    grade = _grade(outcomes)
    grade.flags = ["needs review: packages/tt-autograd/src/tinytorch/autograd/a.py:3: imports os"]
    reports.write(grade, tmp_path / "alice")
    text = (tmp_path / "alice" / "report.md").read_text()
    assert "**Next: task 2.2** (add)" in text and "a.py:3: imports os" in text
    data = json.loads((tmp_path / "alice" / "report.json").read_text())
    assert data["next_task"] == "2.2" and data["needs_review"]
    assert [t["score"] for t in data["tasks"]] == [4.0, 1.0, 1.0]  # 2.2: test_add_big ran
    results = json.loads((tmp_path / "alice" / "results.json").read_text())
    assert results["score"] == 6.0
    assert sum(t["max_score"] for t in results["tests"]) == 7.0
    reports.write_gradebook([grade, _grade({}, error="refused: no packages/")],
                            tmp_path / "gradebook.csv")
    rows = list(csv.reader((tmp_path / "gradebook.csv").open()))
    assert rows[0] == ["submission", "2.1", "2.2", "2.3", "total", "max", "flags", "error",
                       "isolated"]
    assert rows[1][:6] == ["alice", "4", "1", "1", "6", "7"] and "imports os" in rows[1][6]
    assert rows[2][4] == "0" and rows[2][7] == "refused: no packages/"
