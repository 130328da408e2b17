"""The student release (tools/release.py) of the real parts 1-2 with part 1 solved: what it
holds and what it must not, its git history, the update patch on a student's filled-in copy,
and the student sessions inside it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import _packages
import leaks
import release
import solutions
import tasks

ROOT = _packages.REPO


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *release.AUTHOR, *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    return release.release(ROOT, tmp_path_factory.mktemp("rel") / "class", "1-2", "1",
                           log=lambda _: None)


def files_of(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in leaks.files_under(root)}


def test_only_the_chosen_parts_their_milestones_and_student_files(released):
    files = files_of(released)
    assert {f.split("/")[1] for f in files if f.startswith("packages/")} == {
        "tt-tensor", "tt-autograd"}
    milestones = {m.path.name for m in _packages.milestones(ROOT)
                  if set(m.pins) <= {"tt-tensor", "tt-autograd"}}
    assert {f.split("/")[1] for f in files if f.startswith("milestones/")} == milestones
    assert {f for f in files if f.startswith("tools/")} == {
        f"tools/{name}" for name in release.STUDENT_TOOLS}
    assert not files & release.INSTRUCTOR_DOCS
    pages_about = {f.split("/")[2] for f in files if f.startswith("docs/parts/")}
    assert pages_about == {"part1", "part2"}  # no concept pages of parts not released
    assert {"README.md", "noxfile.py", "mkdocs.yml", "docs/course-map.md",
            "packages/tt-autograd/tasks.toml"} <= files
    assert "instructor-only" not in (released / "docs" / "index.md").read_text()
    assert "instructor-guide.md" not in (released / "mkdocs.yml").read_text()


def test_part_2_is_stubbed_part_1_solved_and_nothing_leaks(released):
    course = tasks.load_course(released)
    for task in course.tasks_of(2):
        for block in task.regions:
            text = block.path.read_text()
            assert solutions.stub_text(text, block.path, [task.id]).text == text, task.id
    assert leaks.scan_dirs([released], leaks.needles(ROOT, [2])) == []
    linalg = released / "packages/tt-tensor/src/tinytorch/tensor/linalg.py"
    assert linalg.read_text() == (ROOT / "packages/tt-tensor/src/tinytorch/tensor/linalg.py"
                                  ).read_text()
    course_map = (released / "docs" / "course-map.md").read_text()
    assert "### Part 2: tt-autograd" in course_map and "### Part 3" not in course_map
    assert not re.search(r"\.py:\d", course_map)
    readme = (released / "README.md").read_text()
    assert "| 1 | `tt-tensor` (`tinytorch.tensor`) | " in readme and "solved" in readme
    assert "nox -s check -- 2.1" in readme and "$" not in readme.replace("$ ", "")


def test_a_git_repository_with_one_commit(released):
    assert git(released, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(released, "status", "--porcelain") == ""
    assert "parts 1-2 (solved: 1)" in git(released, "log", "--format=%s")


@pytest.mark.parametrize("parts, solved, message", [
    ("2", "", r"part 2 needs part\(s\) \[1\]"),
    ("1-2", "3", r"part\(s\) \[3\] are not in this tree"),
    ("9", "", r"not in this tree"),
    ("one", "", r"cannot read parts"),
])
def test_bad_choices_are_refused(tmp_path, parts, solved, message):
    with pytest.raises(release.ReleaseError, match=message):
        release.release(ROOT, tmp_path / "out", parts, solved, log=lambda _: None)
    assert not (tmp_path / "out").exists()


def copy_tree(dest: Path) -> Path:
    for relative in release.repository_files(ROOT):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target)
    return dest


def test_a_planted_leak_stops_the_release(tmp_path):
    tree = copy_tree(tmp_path / "tree")
    needle = leaks.needles(tree, [1])[0]
    page = tree / "docs" / "install.md"
    page.write_text(page.read_text() + f"\n```python\n{needle.text}\n```\n")
    with pytest.raises(release.ReleaseError, match="solution line"):
        release.release(tree, tmp_path / "out", "1", log=lambda _: None)
    assert not (tmp_path / "out").exists()


def test_the_update_patch_applies_to_a_student_copy_with_filled_regions(tmp_path):
    tree = copy_tree(tmp_path / "tree")
    old = release.release(tree, tmp_path / "v1", "1", log=lambda _: None)
    student = tmp_path / "student"
    git(tmp_path, "clone", "--quiet", str(old), str(student))
    linalg = "packages/tt-tensor/src/tinytorch/tensor/linalg.py"
    shutil.copy2(tree / linalg, student / linalg)  # the student writes task 1.6 (and others)
    git(student, "commit", "--quiet", "-am", "my matmul")
    source = (tree / linalg).read_text()  # the instructor fixes the file around the regions
    (tree / linalg).write_text(source.replace('"""Mixed into Tensor:', '"""Mixed into Tensor '
                                              '(fixed in v2):', 1))
    (tree / "packages/tt-tensor/tests/test_v2.py").write_text(
        'import pytest\n\n\n@pytest.mark.task("1.6")\ndef test_added_in_v2():\n'
        '    import tinytorch.tensor as tt\n    assert (tt.ones(2) @ tt.ones(2)).item() == 2\n')
    new = release.release(tree, tmp_path / "v2", "1", log=lambda _: None)
    patch = tmp_path / "update.patch"
    assert release.write_patch(old, new, patch) >= 3  # linalg, the new test, the course map
    assert "NotImplementedError" not in patch.read_text().split("test_v2.py")[0].split(
        "linalg.py")[-1], "the patch carries no stub over the student's solution"
    applied = subprocess.run(["git", "apply", "--3way", str(patch)], cwd=student,
                             capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    merged = (student / linalg).read_text()
    assert "(fixed in v2)" in merged
    assert merged == (tree / linalg).read_text(), "the solution and the fix, nothing else"
    assert (student / "packages/tt-tensor/tests/test_v2.py").is_file()


@pytest.mark.skipif(shutil.which("nox") is None or shutil.which("uv") is None,
                    reason="needs nox and uv on PATH")
def test_the_student_sessions_work_inside_the_release(released):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOX", "VIRTUAL_ENV"))}
    done = subprocess.run(["nox", "-s", "check", "--", "1.6"], cwd=released, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pass  tests/test_matmul.py::test_matmul_against_numpy" in done.stdout
    assert "Next: task 1.7" in done.stdout
    done = subprocess.run(["nox", "-s", "progress"], cwd=released, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"2\.1\s+not started", done.stdout)
    course = tasks.load_course(released)
    part1, total = len(course.tasks_of(1)), len(course.tasks)
    assert f"{part1} of {total} tasks done" in done.stdout  # part 1 shipped solved


@pytest.mark.skipif(shutil.which("nox") is None or shutil.which("uv") is None,
                    reason="needs nox and uv on PATH")
def test_the_student_part_session_builds_tests_and_summarises(released):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOX", "VIRTUAL_ENV"))}
    done = subprocess.run(["nox", "-s", "part1", "--", "-k", "matmul"], cwd=released,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode != 0, "only the matmul tests ran: the other tasks are not done"
    assert re.search(r"1\.6\s+done", done.stdout), done.stdout[-3000:]
    assert f"Part 1: 1 of {len(tasks.load_course(released).tasks_of(1))} tasks done" in done.stdout
