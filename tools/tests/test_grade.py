"""The grader survives broken student code and counts it right (tools/grade.py).

A copy of tt-tensor is broken on purpose, one task per way of breaking: matmul (1.6) hangs,
reshape (1.7) kills the process with os._exit, permute (1.8) raises, expand (1.9) calls
sys.exit(), indexing (1.10) imports a later part. Small private tests call each one; a test file
that cannot be imported checks the collection-error path. Every broken task must score 0/2, the
intact promotion task 2/2, and the report must come out whole.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

import _packages
import grade
import solutions

BREAKS = {
    "1.6": "while True:\n    pass",
    "1.7": "import os\nos._exit(9)",
    "1.8": 'raise ValueError("student bug")',
    "1.9": "import sys\nsys.exit(3)",
    "1.10": "import tinytorch.nn  # a later part: absent from the isolated environment",
}

PRIVATE_TESTS = '''
import pytest
import tinytorch.tensor as tt

@pytest.mark.task("1.2")
@pytest.mark.parametrize("n", [1, 2])
def test_promotion(n):
    assert tt.promote_types(tt.int64, tt.float32) is tt.float32

@pytest.mark.task("1.6")
@pytest.mark.parametrize("n", [1, 2])
def test_matmul(n):
    assert (tt.ones((2, 2)) @ tt.ones((2, 2))).shape == (2, 2)

@pytest.mark.task("1.7")
@pytest.mark.parametrize("n", [1, 2])
def test_reshape(n):
    assert tt.ones((2, 3)).reshape(3, 2).shape == (3, 2)

@pytest.mark.task("1.8")
@pytest.mark.parametrize("n", [1, 2])
def test_permute(n):
    assert tt.ones((2, 3)).permute(1, 0).shape == (3, 2)

@pytest.mark.task("1.9")
@pytest.mark.parametrize("n", [1, 2])
def test_expand(n):
    assert tt.ones((1, 3)).expand(2, 3).shape == (2, 3)

@pytest.mark.task("1.10")
@pytest.mark.parametrize("n", [1, 2])
def test_getitem(n):
    assert tt.ones((2, 3))[0].shape == (3,)
'''

BROKEN_FILE = '''
import pytest
import tinytorch.nn  # not installed: this whole file fails to import

@pytest.mark.task("1.3")
def test_never_collected():
    pass
'''


def _break(src: Path, task: str, code: str) -> None:
    """Replace task's solution by ``code`` (at each stub's indentation) in the copy at ``src``."""
    solutions.stub_tree(src, [task])
    for path in solutions.source_files(src):
        lines = path.read_text(encoding="utf-8").splitlines()
        changed = False
        for i, line in enumerate(lines):
            if line.strip().startswith(f'raise NotImplementedError("{task}:'):
                indent = line[: len(line) - len(line.lstrip())]
                lines[i] = "\n".join(indent + c for c in code.splitlines())
                changed = True
        if changed:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    try:
        tensor = _packages.part(1)
    except _packages.MissingPart:
        pytest.skip("tt-tensor is not in the tree")
    if shutil.which("uv") is None:
        pytest.skip("needs uv")
    root = tmp_path_factory.mktemp("student")
    copy = root / "packages" / "tt-tensor"
    shutil.copytree(tensor.path, copy, ignore=shutil.ignore_patterns(
        "__pycache__", ".tox", ".pytest_cache", "dist"))
    for task, code in BREAKS.items():
        _break(copy / "src", task, code)
    private = root / "private"
    private.mkdir()
    (private / "test_private.py").write_text(textwrap.dedent(PRIVATE_TESTS), encoding="utf-8")
    (private / "test_broken_import.py").write_text(BROKEN_FILE, encoding="utf-8")
    python = grade.prepare_env(root, 1, tmp_path_factory.mktemp("env"))
    out = root / "grades"
    part = _packages.part(1, root)
    return grade.run_grading(python, part, private, out, timeout=3), out


def test_each_broken_task_fails_and_the_intact_one_passes(report):
    result, _ = report
    scores = {g.task: (g.passed, g.total) for g in result.tasks}
    assert scores["1.2"] == (2, 2)
    for task in BREAKS:
        assert scores[task] == (0, 2), (task, scores)
    assert scores["1.3"] == (0, 1)  # the file that could not be imported
    assert (result.passed, result.total) == (2, 13)


def test_failure_messages_say_what_happened(report):
    result, _ = report
    messages = {r.nodeid.split("::")[1]: r.message for r in result.results}
    assert "Timeout" in messages["test_matmul[1]"]
    assert "killed the test process" in messages["test_reshape[1]"]
    assert "student bug" in messages["test_permute[1]"]
    assert "sys.exit(3)" in messages["test_expand[1]"]
    assert "tinytorch.nn" in messages["test_getitem[1]"]
    assert "collection error" in messages["test_never_collected"]


def test_report_files_agree(report):
    result, out = report
    data = json.loads((out / "report.json").read_text())
    assert (data["passed"], data["total"], data["failed"]) == (2, 13, 11)
    text = (out / "report.txt").read_text()
    assert "TOTAL 2/13 tests passed" in text
    junit = (out / "junit.xml").read_text()
    assert junit.count("<testcase") == 13 and junit.count("<failure") == 11
