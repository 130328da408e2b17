"""Scores by task and the report files: ``report.json``, ``report.md``, Gradescope's
``results.json`` per submission, ``gradebook.csv`` per batch.

Scoring: a task scores ``points x (test functions passed / test functions counted)``, points from
the part's ``tasks.toml``. A function passes when every one of its cases (parametrizations)
passes; a case that was skipped, deselected or never ran fails, unless the instructor marked it
``@pytest.mark.optional`` (then a skip is not counted). The list of cases is the one the
instructor's reference solution produced in the same environment (``reference.json``): a
submission cannot shrink it. Tests the environment itself skipped for the reference (e.g. the
PyTorch oracle without torch) count for nobody. Tests without a task marker never grade.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tasks as tasks_tool

CASE = re.compile(r"\[.*\]$")


@dataclass
class FunctionResult:
    """One test function: its cases' combined outcome."""

    name: str
    task: str
    private: bool
    passed: bool
    cases: int
    message: str = ""
    """The first failing case and its first line ("" for private tests)."""


@dataclass
class TaskResult:
    id: str
    title: str
    points: float
    score: float
    passed: int
    total: int
    first_failure: str = ""


@dataclass
class Grade:
    """A submission's grade: what every report file is rendered from."""

    submission: str
    part: int
    dist: str
    score: float
    max_score: float
    tasks: list[TaskResult]
    functions: list[FunctionResult]
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    isolated: bool = True
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    """CPU time the sandboxed runs reported (statistics only)."""

    @property
    def next_task(self) -> TaskResult | None:
        return next((t for t in self.tasks if t.score < t.points), None)


def display_name(nodeid: str, dist: str) -> str:
    """``tt-autograd/tests/test_x.py::t[1]`` -> ``tests/test_x.py::t[1]``."""
    name = nodeid.removeprefix(f"{dist}/")
    return re.sub(r"^tests/private_tests/p\d+/", "private/", name).replace(
        "tests/private_tests/", "private/")


def score(submission: str, reference: dict, declared: Sequence[tasks_tool.TaskDecl],
          outcomes: dict[str, tuple[str, str]], *, error: str | None = None,
          missing: str = "did not run") -> Grade:
    """Score ``outcomes`` (node id -> (outcome, message)) against the reference's test list.

    ``error`` (refused, does not import) fails every test with that reason and scores 0.
    ``missing`` is the reason given to a test that has no outcome.
    """
    dist = reference["dist"]
    functions: dict[str, FunctionResult] = {}
    for nodeid, info in sorted(reference["tests"].items()):
        if info["task"] is None or info["skipped"]:
            continue
        outcome, message = ("failed", error) if error else outcomes.get(nodeid, ("failed",
                                                                                  missing))
        if outcome == "skipped" and info["optional"]:
            continue
        key = CASE.sub("", nodeid)
        function = functions.setdefault(key, FunctionResult(
            display_name(key, dist), info["task"], info["private"], True, 0))
        function.cases += 1
        if outcome != "passed" and function.passed:
            function.passed = False
            case = display_name(nodeid, dist)
            function.message = "" if info["private"] else f"{case}: {message or outcome}"
    points = {t.id: t for t in declared}
    by_task: dict[str, list[FunctionResult]] = {}
    for function in functions.values():
        by_task.setdefault(function.task, []).append(function)
    results: list[TaskResult] = []
    for task_id in sorted(by_task, key=_task_order):
        group = by_task[task_id]
        decl = points.get(task_id)
        worth = decl.points if decl else 1.0
        passed = sum(f.passed for f in group)
        failed = sorted((f for f in group if not f.passed), key=lambda f: f.private)
        first = (failed[0].message or "a private test failed") if failed else ""
        results.append(TaskResult(task_id, decl.title if decl else "", worth,
                                  round(worth * passed / len(group), 2), passed, len(group),
                                  first))
    grade = Grade(submission, reference["part"], dist,
                  round(0.0 if error else sum(t.score for t in results), 2),
                  round(sum(t.points for t in results), 2), results,
                  list(functions.values()), error=error)
    untested = [t.id for t in declared if t.id not in by_task]
    if untested:
        grade.notes.append(f"tasks without graded tests (not counted): {', '.join(untested)}")
    return grade


def _task_order(task_id: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in task_id.split("."))


def self_check(records: Sequence[dict], part, declared: Sequence[tasks_tool.TaskDecl]  # noqa: ANN001
               ) -> Grade:
    """Score the records of an unsandboxed run on one's own tree (``nox -s partN``)."""
    tests = {r["id"]: {"task": r["task"], "optional": r["optional"], "private": False,
                       "skipped": False} for r in records if r.get("event") == "collected"}
    outcomes = {r["id"]: (r["outcome"], r["message"]) for r in records
                if r.get("event") == "result"}
    reference = {"dist": part.name, "part": part.number, "tests": tests}
    return score("self-check", reference, declared, outcomes)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _points(value: float) -> str:
    return f"{value:g}"


def render_markdown(grade: Grade) -> str:
    """``report.md``: readable in a minute."""
    lines = [f"# Part {grade.part} ({grade.dist}): {_points(grade.score)} / "
             f"{_points(grade.max_score)} points", ""]
    if grade.error:
        lines += [f"**Not graded: {grade.error}** (score 0)", ""]
    upcoming = grade.next_task
    if upcoming is not None and not grade.error:
        lines += [f"**Next: task {upcoming.id}** ({upcoming.title})" if upcoming.title
                  else f"**Next: task {upcoming.id}**", ""]
    elif not grade.error:
        lines += ["**Every task is complete.**", ""]
    lines += ["| task | points | tests passed | first failure |", "|---|---|---|---|"]
    for task in grade.tasks:
        failure = task.first_failure.replace("|", "\\|")
        lines.append(f"| {task.id} {task.title} | {_points(task.score)} / {_points(task.points)}"
                     f" | {task.passed}/{task.total} | {failure} |")
    private = [f for f in grade.functions if f.private]
    if private:
        lines += ["", f"Private tests: {sum(f.passed for f in private)}/{len(private)} passed "
                  "(pass/fail only)."]
    if grade.flags:
        lines += ["", "**Needs review** by the instructor (code no solution needs):", ""]
        lines += [f"- `{flag}`" for flag in grade.flags]
    lines += ["", f"Graded in {grade.seconds:.1f} s, "
              + ("isolated in a sandbox." if grade.isolated
                 else "NOT isolated (bubblewrap was not available).")]
    lines += [f"Note: {note}" for note in grade.notes]
    return "\n".join(lines) + "\n"


def render_table(grade: Grade) -> str:
    """A plain-text table of the tasks (for a terminal)."""
    lines = []
    for task in grade.tasks:
        lines.append(f"  task {task.id:<5} {_points(task.score):>5} / {_points(task.points):<4}"
                     f" {task.passed:>3}/{task.total:<3} {task.title}")
        if task.first_failure:
            lines.append(f"        first failure: {task.first_failure}")
    lines.append(f"  total {_points(grade.score)} / {_points(grade.max_score)} points")
    return "\n".join(lines)


def render_json(grade: Grade) -> str:
    """``report.json``: the grade with per-task and per-function results."""
    data = asdict(grade)
    data["next_task"] = grade.next_task.id if grade.next_task else None
    data["needs_review"] = bool(grade.flags)
    return json.dumps(data, indent=1) + "\n"


def render_gradescope(grade: Grade) -> str:
    """``results.json`` in Gradescope's autograder format; private tests are hidden."""
    per_function = {t.id: (t.points / t.total if t.total else 0.0) for t in grade.tasks}
    tests = []
    for function in grade.functions:
        worth = per_function.get(function.task, 0.0)
        tests.append({
            "name": f"{function.task} {function.name}", "number": function.task,
            "score": round(worth if function.passed and not grade.error else 0.0, 6),
            "max_score": round(worth, 6),
            "status": "passed" if function.passed and not grade.error else "failed",
            "output": "" if function.private else function.message,
            "visibility": "hidden" if function.private else "visible"})
    if grade.flags:
        tests.append({"name": "integrity review", "score": 0, "max_score": 0,
                      "status": "failed", "output": "\n".join(grade.flags),
                      "visibility": "hidden"})
    upcoming = grade.next_task
    summary = (f"Not graded: {grade.error}" if grade.error else
               f"Next: task {upcoming.id}" if upcoming else "Every task is complete.")
    return json.dumps({"score": grade.score, "execution_time": round(grade.seconds, 1),
                       "output": summary, "visibility": "visible",
                       "stdout_visibility": "hidden", "tests": tests}, indent=1) + "\n"


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write(grade: Grade, out: Path) -> None:
    """The three report files of one submission, each written atomically."""
    out.mkdir(parents=True, exist_ok=True)
    _atomic(out / "report.json", render_json(grade))
    _atomic(out / "report.md", render_markdown(grade))
    _atomic(out / "results.json", render_gradescope(grade))


def write_gradebook(grades: Sequence[Grade], path: Path) -> None:
    """``gradebook.csv``: a row per submission, a column per task, then total and flags."""
    task_ids = sorted({t.id for g in grades for t in g.tasks}, key=_task_order)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", *task_ids, "total", "max", "flags", "error", "isolated"])
    for grade in grades:
        scores = {t.id: t.score for t in grade.tasks}
        writer.writerow([grade.submission, *(_points(scores.get(t, 0.0)) for t in task_ids),
                         _points(grade.score), _points(grade.max_score),
                         "; ".join(grade.flags), grade.error or "",
                         "yes" if grade.isolated else "no"])
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic(path, buffer.getvalue())
