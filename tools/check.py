"""The student check: run one task's tests (or a part's, or all) on your tree, say what is next.

    nox -s check -- 2.4        # the tests of task 2.4, one line per test, then what to do next
    nox -s check -- 2          # every task of part 2, one line per task
    nox -s check -- all        # every task of every part
    nox -s progress            # every task: done, in progress or not started
    ... -- --torch             # also run the PyTorch-oracle tests (needs a local torch wheel)
    ... -- --verbose           # also show pytest's own report (tracebacks)

Runs on the sources as they are (editable installs in one reusable environment per part,
tools/part_envs.py; the first run makes it), so a check takes seconds. Tests are selected by
their ``@pytest.mark.task`` tag (tools/pytest_task.py) and their outcomes read from JSON
(tools/pytest_record.py). A task is *not started* while every one of its solution regions is
still the stub; *done* when none of its tests fails. Works the same in the instructor's tree and
in a student release.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import part_envs  # noqa: E402
import solutions  # noqa: E402
import tasks as tasks_tool  # noqa: E402

TIMEOUT = 60
"""Seconds per test: a stub that makes a loop spin fails instead of hanging the check."""
SHOWN_FAILURES = 3
"""Failing tests listed per task in a part or course check."""


# --------------------------------------------------------------------------------------------
# Where a task is written, and whether it is still the stub
# --------------------------------------------------------------------------------------------


def _function_at(tree: ast.Module, line: int) -> str:
    """The (qualified) name of the function enclosing or following ``line``."""
    best = ""
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if child.lineno <= line <= (child.end_lineno or child.lineno):
                    best = name if not isinstance(child, ast.ClassDef) else best
                    stack.append((child, f"{name}."))
                elif child.lineno > line and not best and not isinstance(child, ast.ClassDef):
                    return name  # a region holding a whole def: the def after the marker
    return best


@dataclass
class Place:
    """One solution region of a task in the current tree."""

    path: Path  # relative to the part's src/
    line: int
    function: str

    def __str__(self) -> str:
        where = f"{self.path.as_posix()}:{self.line}"
        return f"{where} ({self.function})" if self.function else where


def places(task: tasks_tool.Task) -> list[Place]:
    """Where ``task`` is written, file:line in this tree (the student's own file)."""
    found = []
    for block in task.regions:
        tree = ast.parse(block.path.read_text(encoding="utf-8"))
        found.append(Place(block.path.relative_to(task.part.src), block.begin,
                           _function_at(tree, block.begin)))
    return found


def not_started(task: tasks_tool.Task) -> bool:
    """True while stubbing ``task`` again would change nothing: every region is the stub."""
    for path in {b.path for b in task.regions}:
        text = path.read_text(encoding="utf-8")
        try:
            if solutions.stub_text(text, path, [task.id]).text != text:
                return False
        except solutions.MarkerError:
            return False  # a region that no longer parses as the stub did is being written
    return True


# --------------------------------------------------------------------------------------------
# Running tests
# --------------------------------------------------------------------------------------------


@dataclass
class TestResult:
    """One test function: its cases' outcomes and the first problem."""

    __test__ = False

    nodeid: str
    cases: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return not self.cases or any(o in ("failed", "error", "xpassed") for o, _ in self.cases)

    @property
    def skipped(self) -> bool:
        return bool(self.cases) and all(o == "skipped" for o, _ in self.cases)

    def message(self) -> str:
        if not self.cases:
            return "did not run (see --verbose)"
        for outcome, text in self.cases:
            if outcome in ("failed", "error", "xpassed"):
                return text or outcome
        return next((text for outcome, text in self.cases if outcome == "skipped"), "")

    def label(self) -> str:
        bad = sum(o in ("failed", "error", "xpassed") for o, _ in self.cases)
        if len(self.cases) > 1:
            return f" [{bad}/{len(self.cases)} cases fail]" if bad else f" [{len(self.cases)} cases]"
        return ""


@dataclass
class Run:
    """Every test function that ran, by task."""

    tests: dict[str, dict[str, TestResult]] = field(default_factory=dict)  # task -> nodeid ->
    errors: list[str] = field(default_factory=list)

    def of(self, task: tasks_tool.Task) -> list[TestResult]:
        """The task's tests: those tagged with it, and those whose cases carried it."""
        ran = self.tests.get(task.id, {})
        names = [ref.nodeid for ref in task.tests if not ref.dynamic]
        names += [name for name in ran if name not in names]
        if not names:  # only cases tagged one by one, and none ran: expect them all
            names = [ref.nodeid for ref in task.tests]
        return [ran.get(name, TestResult(name)) for name in names]

    def failing(self, task: tasks_tool.Task) -> list[TestResult]:
        return [t for t in self.of(task) if t.failed]

    def add(self, data: dict) -> None:
        """Take in one record written by tools/pytest_record.py."""
        for nodeid, test in data["tests"].items():
            function = nodeid.split("[", 1)[0]
            result = self.tests.setdefault(str(test["task"]), {}).setdefault(
                function, TestResult(function))
            result.cases.append((test["outcome"], test["message"]))
        self.errors += [f"{e['nodeid']} could not be imported: {e['message']}"
                        for e in data["errors"]]

    def passing(self, task: tasks_tool.Task) -> int:
        """How many of the task's test functions pass (skipped ones do not count)."""
        return sum(not (t.failed or t.skipped) for t in self.of(task))


def run_tests(course: tasks_tool.Course, wanted: Iterable[tasks_tool.Task], *, torch: bool,
              verbose: bool) -> Run:
    """Run the tests of ``wanted`` (one pytest per part, in that part's environment)."""
    run = Run()
    by_part: dict[int, list[tasks_tool.Task]] = {}
    for task in wanted:
        by_part.setdefault(task.decl.part, []).append(task)
    for number, part_tasks in sorted(by_part.items()):
        part = course.part(number)
        python = part_envs.ensure_env(part, course.root, torch=torch,
                                      log=lambda m: print(f"check: {m}", flush=True))
        files = sorted({str(f) for t in part_tasks for f in t.test_files()})
        with tempfile.TemporaryDirectory(prefix="tt-check-") as tmp:
            record = Path(tmp) / "record.json"
            command = [str(python), "-m", "pytest", *files, "-c", str(part.path / "pyproject.toml"),
                       "--rootdir", str(part.path), "-p", "pytest_task", "-p", "pytest_record",
                       "--record", str(record), "-p", "no:cacheprovider", f"--timeout={TIMEOUT}",
                       *(["--tb=short"] if verbose else ["-q", "--tb=no", "-rN", "--no-header"])]
            for task in part_tasks:
                command += ["--task", task.id]
            # This tree's sources first (the editable install points at them too), then the
            # plugins in tools/.
            paths = [str(p.src) for p in _packages.with_deps(part, course.root)] + [str(TOOLS)]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths),
                   "PYTHONDONTWRITEBYTECODE": "1"}
            done = subprocess.run(command, cwd=tmp, env=env, text=True, check=False,
                                  stdout=None if verbose else subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
            if not record.is_file():
                tail = (done.stdout or "").strip().splitlines()[-15:]
                run.errors.append(f"pytest stopped before reporting (exit {done.returncode}):\n"
                                  + "\n".join(tail))
                continue
            run.add(json.loads(record.read_text(encoding="utf-8")))
    return run


# --------------------------------------------------------------------------------------------
# What to say
# --------------------------------------------------------------------------------------------


def _stub_owner(message: str) -> str | None:
    """``NotImplementedError: 2.6: engine ...`` -> ``"2.6"``."""
    head = "NotImplementedError: "
    if not message.startswith(head):
        return None
    task = message[len(head):].split(":", 1)[0].strip()
    return task if tasks_tool.TASK_ID.match(task) else None


def next_step(course: tasks_tool.Course, task: tasks_tool.Task, run: Run) -> str:
    """What to do after checking ``task``."""
    failing = run.failing(task)
    if not failing:
        after = course.next_task(task)
        then = f"task {after.id} ({after.title}): `nox -s check -- {after.id}`." if after else ""
        if after is None or after.decl.part != task.decl.part:
            part = task.decl.part
            return (f"Task {task.id} is the last of part {part}: run `nox -s part{part}` (the "
                    "whole part, built and tested as it is graded) and `nox -s milestones`."
                    + (f" Then {then}" if then else ""))
        return f"Next: {then}"
    for need in task.needs:
        needed = course.tasks.get(need)
        if needed is not None and needed.id in run.tests and run.failing(needed):
            return (f"Task {task.id} builds on task {need}, which fails "
                    f"{len(run.failing(needed))} test(s): fix it first (`nox -s check -- {need}`).")
    owners = {_stub_owner(t.message()) for t in failing} - {None, task.id}
    for owner in sorted(owners, key=tasks_tool.task_key):
        if tasks_tool.task_key(owner) < task.key:
            return (f"These tests stop in task {owner}, which is not written yet: do it first "
                    f"(`nox -s check -- {owner}`).")
        return (f"These tests stop in task {owner}, which comes later: that is a bug in the "
                "course, tell your instructor.")
    if not_started(task):
        where = ", ".join(map(str, places(task)))
        return f"Task {task.id} is not started: write it in {where}."
    return (f"Fix the failures above, then run this again (`-- --verbose` shows the "
            f"tracebacks). The task is written in {', '.join(map(str, places(task)))}.")


def _points(value: float) -> str:
    return f"{value:g} point{'s' if value != 1 else ''}"


def render_task(course: tasks_tool.Course, task: tasks_tool.Task, run: Run) -> list[str]:
    results = run.of(task)
    lines = [f"Task {task.id}: {task.title} ({_points(task.points)})",
             f"  write it in {', '.join(map(str, places(task)))}", ""]
    for result in results:
        mark = "FAIL" if result.failed else ("skip" if result.skipped else "pass")
        lines.append(f"  {mark}  {result.nodeid}{result.label()}")
        if result.failed or result.skipped:
            lines.append(f"        {result.message()}")
    skipped = sum(r.skipped for r in results)
    passed = run.passing(task)
    lines += ["", f"{passed} of {len(results)} tests pass"
              + (f", {skipped} skipped (PyTorch oracles: add `-- --torch`)" if skipped else "")
              + ".", next_step(course, task, run)]
    return lines


def render_tasks(course: tasks_tool.Course, wanted: list[tasks_tool.Task], run: Run
                 ) -> list[str]:
    lines = []
    for task in wanted:
        results = run.of(task)
        failing = run.failing(task)
        state = "done" if not failing else ("not started" if not_started(task) else "FAILING")
        skipped = sum(r.skipped for r in results)
        lines.append(f"{task.id:>5}  {state:<11} {run.passing(task):>3}/{len(results):<3}"
                     f"  {task.title}" + (f"  ({skipped} skipped)" if skipped else ""))
        if failing and state != "not started":
            for result in failing[:SHOWN_FAILURES]:
                lines.append(f"{'':>19}{result.nodeid}: {result.message()}")
            if len(failing) > SHOWN_FAILURES:
                lines.append(f"{'':>19}... and {len(failing) - SHOWN_FAILURES} more")
    first = next((t for t in wanted if run.failing(t)), None)
    lines.append("")
    lines.append(next_step(course, first, run) if first else next_step(course, wanted[-1], run))
    return lines


def progress(course: tasks_tool.Course, *, torch: bool, verbose: bool) -> tuple[list[str], bool]:
    """Every task as done / in progress / not started; the tests run only for started tasks."""
    fresh = {t.id for t in course.ordered() if not_started(t)}
    run = run_tests(course, [t for t in course.ordered() if t.id not in fresh], torch=torch,
                    verbose=verbose)
    lines = [f"{'task':>5}  {'status':<12} {'tests':>7}  {'points':>6}  title"]
    done_points = total = 0.0
    todo = None
    for task in course.ordered():
        results = run.of(task)
        if task.id in fresh:
            state, passed = "not started", 0
        else:
            state = "done" if not run.failing(task) else "in progress"
            passed = run.passing(task)
        total += task.points
        done_points += task.points if state == "done" else 0
        if state != "done" and todo is None:
            todo = task
        lines.append(f"{task.id:>5}  {state:<12} {passed:>3}/{len(results):<3}  "
                     f"{task.points:>6g}  {task.title}")
    done = sum(1 for line in lines[1:] if "  done  " in line)
    lines += ["", f"{done} of {len(course.tasks)} tasks done ({done_points:g} of {total:g} points)."]
    if todo is not None:
        lines.append(f"Next: task {todo.id} ({todo.title}): `nox -s check -- {todo.id}`.")
    return lines + run.errors, not run.errors


def summary(root: Path, number: int, record: Path) -> tuple[list[str], int]:
    """Part ``number``'s tasks summarised from a record of its whole test run (the ``partN``
    self-check); returns the lines and how many tasks are not done."""
    course = tasks_tool.load_course(root)
    run = Run()
    if record.is_file():
        run.add(json.loads(record.read_text(encoding="utf-8")))
    else:
        run.errors.append("pytest stopped before reporting: see its output above")
    wanted = course.tasks_of(number)
    lines = [f"Part {number}: {sum(not run.failing(t) for t in wanted)} of {len(wanted)} tasks "
             "done", *render_tasks(course, wanted, run), *run.errors]
    return lines, sum(bool(run.failing(t)) for t in wanted) + len(run.errors)


def select(course: tasks_tool.Course, target: str) -> list[tasks_tool.Task]:
    """The tasks ``target`` names: a task id, a part number or ``all``."""
    if target == "all":
        return course.ordered()
    if target.isdigit():
        found = course.tasks_of(int(target))
        if not found:
            raise SystemExit(f"check: part {target} has no tasks in this tree "
                             f"(parts: {', '.join(str(p.number) for p in course.parts)})")
        return found
    if target in course.tasks:
        return [course.tasks[target]]
    raise SystemExit(f"check: no task {target!r}; tasks run from "
                     f"{next(iter(course.tasks), '?')} to {list(course.tasks)[-1:] or '?'}; "
                     "give a task id (2.4), a part (2), `all` or `progress`")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", help="a task (2.4), a part (2), all, or progress")
    parser.add_argument("--torch", action="store_true", help="also run the PyTorch-oracle tests")
    parser.add_argument("--verbose", "-v", action="store_true", help="show pytest's report")
    parser.add_argument("--root", type=Path, default=_packages.REPO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        course = load(args.root, args.target)
    except (tasks_tool.CourseError, tasks_tool.TaskDeclarationError,
            solutions.MarkerError) as error:
        print(f"check: {error}", file=sys.stderr)
        return 2
    try:
        if args.target == "progress":
            lines, ok = progress(course, torch=args.torch, verbose=args.verbose)
            print("\n".join(lines))
            return 0 if ok else 1
        wanted = select(course, args.target)
        run = run_tests(course, [*wanted, *needed(course, wanted)], torch=args.torch,
                        verbose=args.verbose)
    except part_envs.EnvError as error:
        print(f"check: {error}", file=sys.stderr)
        return 2
    if len(wanted) == 1:
        lines = render_task(course, wanted[0], run)
    else:
        lines = render_tasks(course, wanted, run)
    print("\n".join([*lines, *run.errors]))
    return 1 if run.errors or any(run.failing(t) for t in wanted) else 0


def load(root: Path, target: str) -> tasks_tool.Course:
    """The course; when another part's tasks are inconsistent (an instructor's tree in the
    middle of a change), the target's part alone, with a warning."""
    try:
        return tasks_tool.load_course(root)
    except tasks_tool.CourseError as error:
        number = target.split(".", 1)[0]
        if not number.isdigit():
            raise
        course = tasks_tool.load_course(root, [int(number)])
        print(f"check: warning: other parts are inconsistent ({len(error.problems)} problems; "
              "`python tools/tasks.py` lists them); checking part "
              f"{number} and the parts it needs", file=sys.stderr)
        return course


def needed(course: tasks_tool.Course, wanted: list[tasks_tool.Task]) -> list[tasks_tool.Task]:
    """The tasks ``wanted`` declares it needs, not already in it (checked alongside)."""
    ids = {t.id for t in wanted}
    names = dict.fromkeys(n for t in wanted for n in t.needs if n not in ids and n in course.tasks)
    return [course.tasks[n] for n in names]


if __name__ == "__main__":
    sys.exit(main())
