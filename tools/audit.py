"""The audit: can every task fail, be done in order, and does the solution pass?

For every task k of every part present (tasks in course order, tools/tasks.py):

* **can fail**: with k alone stubbed, EVERY test function tagged k fails (a parametrized
  function fails when one of its cases does: that is how grading scores it), so an empty
  release earns 0 points;
* **in order**: with every task after k stubbed (of every part), ALL of k's tests pass, so a
  student who has done tasks 1..k gets k's points;
* **complete**: with nothing stubbed, every test of the part passes (untagged ones too).

That is two pytest sessions per task (``--task k`` on two stubbed trees) and a few per part for
the complete run. tools/pytest_pool.py runs them forked from one warm process per part
environment, two at a time; tools/pytest_record.py writes each test's outcome as JSON.

    python tools/audit.py [--python PY | --python N=PY ...] [--part N ...] [--workers 2]

``--python`` is an interpreter with the part and the parts it needs installed (editable is
best: the stubbed copies shadow them through ``sys.path``) plus pytest, pytest-timeout and
hypothesis; ``N=PY`` gives part N its own (``nox -s audit`` makes one environment per part, so
part 1's tests never see part 2). Prints a table; exit 1 on any violation, 2 when the tasks
are inconsistent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import coursemap  # noqa: E402
import tasks as tasks_tool  # noqa: E402

DEFAULT_TIMEOUT = 60
"""Seconds per test (pytest-timeout): a stub that makes a loop spin must not stall the audit."""
JOB_DEADLINE = 900
"""Seconds per pytest session before the pool kills it (its tests then count as not run)."""
FULL_CHUNKS = 4
"""The complete run of a part is split into this many sessions (by test file) to balance."""
PASSED = {"passed", "xfailed"}


@dataclass
class Job:
    """One pytest session: which tasks of which part are stubbed, which tests run."""

    id: str
    part: _packages.Part
    stub: list[str]
    files: list[Path]
    select: list[str]  # --task ids ([] = every test of the files)
    cost: int

    def spec(self, course: tasks_tool.Course, out: Path, timeout: int) -> dict:
        trees = [{"src": str(p.src), "stub": self.stub if p.number == self.part.number else []}
                 for p in _packages.with_deps(self.part, course.root)]
        args = [*map(str, self.files), "-c", str(self.part.path / "pyproject.toml"),
                "--rootdir", str(self.part.path), "-p", "pytest_task", "-p", "no:cacheprovider",
                "-q", "--no-header", "--tb=no", "-rN", f"--timeout={timeout}",
                "--timeout-method=signal", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
        for task in self.select:
            args += ["--task", task]
        return {"id": self.id, "trees": trees, "args": args, "cost": self.cost,
                "record": str(out / f"{self.id}.json"), "log": str(out / f"{self.id}.log")}


Test = tuple[str, str | None]
"""A test as graded: a test function and a task; its cases are those of the function that
carry the task (every case, unless the cases are tagged one by one)."""


@dataclass
class Outcomes:
    """The recorded outcomes of one job, by test (function, task)."""

    cases: dict[Test, list[tuple[str, str]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # collection errors
    seconds: float = 0.0
    cpu: float = 0.0
    note: str = ""  # why the job has no or partial results

    def passed(self, test: Test) -> bool:
        runs = self.cases.get(test, [])
        return bool(runs) and all(outcome in PASSED for outcome, _ in runs)

    def problem(self, test: Test) -> str | None:
        """Why ``test`` did not pass (None when it passed or was only skipped)."""
        runs = self.cases.get(test)
        if not runs:
            why = self.errors[0] if self.errors else self.note or "it did not run"
            return f"not run: {why}"
        for outcome, message in runs:
            if outcome not in PASSED and outcome != "skipped":
                return f"{outcome}: {message}"
        return None

    def merge(self, other: Outcomes) -> None:
        self.cases.update(other.cases)
        self.errors += other.errors


def function_of(nodeid: str) -> str:
    """``tests/t.py::test_f[1-2]`` -> ``tests/t.py::test_f``."""
    head, sep, _ = nodeid.partition("[")
    return head if sep else nodeid


def load_outcomes(out: Path, job_id: str, result: dict) -> Outcomes:
    outcomes = Outcomes(seconds=result.get("seconds", 0.0), cpu=result.get("cpu", 0.0))
    record = out / f"{job_id}.json"
    if result.get("killed"):
        outcomes.note = f"killed after {JOB_DEADLINE}s"
    if not record.is_file():
        log = out / f"{job_id}.log"
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.is_file() else []
        outcomes.note = outcomes.note or f"pytest exited {result.get('exit')} ({' '.join(tail)})"
        return outcomes
    data = json.loads(record.read_text(encoding="utf-8"))
    for nodeid, test in data["tests"].items():
        outcomes.cases.setdefault((function_of(nodeid), test["task"]), []).append(
            (test["outcome"], test["message"]))
    outcomes.errors = [f"{e['nodeid']}: {e['message']}" for e in data["errors"]]
    return outcomes


@dataclass
class TaskVerdict:
    task: tasks_tool.Task
    tests: int
    escaped: list[str]  # test functions that passed with the task stubbed alone
    out_of_order: list[str]  # functions (with why) failing with the later tasks stubbed
    incomplete: list[str]  # functions (with why) failing on the solution
    seconds: float

    @property
    def ok(self) -> bool:
        return not (self.escaped or self.out_of_order or self.incomplete)

    def first_offence(self) -> str:
        if self.escaped:
            return f"passes on the stub: {self.escaped[0]}"
        if self.out_of_order:
            return f"with later tasks stubbed: {self.out_of_order[0]}"
        if self.incomplete:
            return f"on the solution: {self.incomplete[0]}"
        return ""


@dataclass
class Report:
    verdicts: list[TaskVerdict]
    problems: list[str]  # untagged tests failing on the solution, tag mismatches
    seconds: float
    cpu: float = 0.0  # CPU seconds of every pytest session (load-independent cost)
    sessions: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and all(v.ok for v in self.verdicts)


def plan(course: tasks_tool.Course, part: _packages.Part) -> list[Job]:
    """Every pytest session auditing ``part``: can-fail and in-order per task, complete."""
    jobs: list[Job] = []
    part_tasks = course.tasks_of(part.number)
    for index, task in enumerate(part_tasks):
        files = task.test_files()
        later = [t.id for t in part_tasks[index + 1:]]  # later parts cannot be imported here
        jobs.append(Job(f"fail-{task.id}", part, [task.id], files, [task.id], len(task.tests)))
        if later:
            jobs.append(Job(f"order-{task.id}", part, later, files, [task.id], len(task.tests)))
    refs = course.tests.get(part.number, [])
    by_file: dict[Path, int] = defaultdict(int)
    for ref in refs:
        by_file[ref.path] += 1
    chunks: list[list[Path]] = [[] for _ in range(FULL_CHUNKS)]
    sizes = [0] * FULL_CHUNKS
    for path, count in sorted(by_file.items(), key=lambda item: -item[1]):
        smallest = sizes.index(min(sizes))
        chunks[smallest].append(path)
        sizes[smallest] += count
    for number, (chunk, size) in enumerate(zip(chunks, sizes)):
        if chunk:
            jobs.append(Job(f"full-{part.number}-{number}", part, [], sorted(chunk), [], size))
    return jobs


def run_part(python: Path, course: tasks_tool.Course, jobs: list[Job], out: Path, workers: int,
             timeout: int) -> dict[str, Outcomes]:
    """Run ``jobs`` in ``python``'s environment through tools/pytest_pool.py."""
    spec = {"workers": workers, "deadline": JOB_DEADLINE,
            "jobs": [job.spec(course, out, timeout) for job in jobs]}
    jobs_file, results_file = out / "jobs.json", out / "results.jsonl"
    jobs_file.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    results_file.unlink(missing_ok=True)
    subprocess.run([str(python), str(TOOLS / "pytest_pool.py"), str(jobs_file),
                    str(results_file)], check=True)
    results = {}
    for line in results_file.read_text(encoding="utf-8").splitlines():
        result = json.loads(line)
        results[result["id"]] = load_outcomes(out, result["id"], result)
    return results


def judge(course: tasks_tool.Course, part: _packages.Part, results: dict[str, Outcomes]
          ) -> tuple[list[TaskVerdict], list[str]]:
    """The verdict of every task of ``part`` and the part's other problems."""
    full = Outcomes()
    for job_id, outcomes in results.items():
        if job_id.startswith("full-"):
            full.merge(outcomes)
    verdicts = []
    for task in course.tasks_of(part.number):
        # Its tests: the functions tagged with it literally, and those whose cases carried
        # it on the solution (cases tagged one by one).
        tests = sorted({(t.nodeid, task.id) for t in task.tests if not t.dynamic}
                       | {test for test in full.cases if test[1] == task.id})
        stubbed = results[f"fail-{task.id}"]
        in_order = results.get(f"order-{task.id}", full)
        escaped = [f for f, _ in tests if stubbed.passed((f, task.id))]
        out_of_order = [f"{f} ({why})" for f, _ in tests
                        if (why := in_order.problem((f, task.id))) is not None]
        incomplete = [f"{f} ({why})" for f, _ in tests
                      if (why := full.problem((f, task.id))) is not None]
        if not tests:
            incomplete.append("no test of this task ran (tag its tests or their cases)")
        seconds = stubbed.seconds + (in_order.seconds if in_order is not full else 0.0)
        verdicts.append(TaskVerdict(task, len(tests), escaped, out_of_order, incomplete,
                                    seconds))
    problems = [f"part {part.number}: a test file does not import on the solution: {e}"
                for e in full.errors]
    literal = {t.nodeid: t.task for t in course.tests.get(part.number, []) if t.task}
    for (function, task), _ in sorted(full.cases.items(), key=lambda item: str(item[0])):
        if task is None and (why := full.problem((function, None))) is not None:
            problems.append(f"part {part.number}: {function} (no task) fails on the solution: "
                            f"{why}")
        elif function in literal and task != literal[function]:
            problems.append(f"part {part.number}: {function} is tagged {literal[function]} "
                            f"but runs cases tagged {task}")
    return verdicts, problems


def audit(course: tasks_tool.Course, pythons: dict[int, Path], numbers: Iterable[int] | None = None,
          *, workers: int = 2, timeout: int = DEFAULT_TIMEOUT) -> Report:
    """Audit every task of the given parts (default: every part present)."""
    start = time.perf_counter()
    wanted = set(numbers) if numbers is not None else {p.number for p in course.parts}
    verdicts: list[TaskVerdict] = []
    problems: list[str] = []
    cpu, sessions = 0.0, 0
    for part in course.parts:
        if part.number not in wanted or not course.tests.get(part.number):
            continue
        print(f"audit: part {part.number} ({part.name})", file=sys.stderr, flush=True)
        jobs = plan(course, part)
        with tempfile.TemporaryDirectory(prefix=f"tt-audit-{part.number}-") as tmp:
            results = run_part(pythons[part.number], course, jobs, Path(tmp), workers, timeout)
        part_verdicts, part_problems = judge(course, part, results)
        verdicts += part_verdicts
        problems += part_problems
        cpu += sum(r.cpu for r in results.values())
        sessions += len(results)
    return Report(verdicts, problems, time.perf_counter() - start, cpu, sessions)


def _mark(offenders: list[str], tests: int) -> str:
    return "ok" if not offenders else f"NO {len(offenders)}/{tests}"


def render(report: Report) -> str:
    """The audit's table, its problems and a one-line summary."""
    head = f"{'task':<6} {'points':>6} {'tests':>5}  {'can-fail':<9} {'in-order':<9} " \
           f"{'complete':<9} {'seconds':>7}  first offending test"
    lines = [head, "-" * len(head)]
    for v in report.verdicts:
        lines.append(f"{v.task.id:<6} {v.task.points:>6g} {v.tests:>5}  "
                     f"{_mark(v.escaped, v.tests):<9} {_mark(v.out_of_order, v.tests):<9} "
                     f"{_mark(v.incomplete, v.tests):<9} {v.seconds:>7.1f}  {v.first_offence()}")
    bad = [v for v in report.verdicts if not v.ok]
    lines.append("")
    for v in bad:
        for label, items in (("passes with the task stubbed", v.escaped),
                             ("fails with the later tasks stubbed", v.out_of_order),
                             ("fails on the solution", v.incomplete)):
            if items:
                lines.append(f"{v.task.id} {label} ({len(items)}):")
                lines += [f"    {item}" for item in items[:8]]
                if len(items) > 8:
                    lines.append(f"    ... and {len(items) - 8} more")
    lines += [f"problem: {p}" for p in report.problems]
    tests = sum(v.tests for v in report.verdicts)
    lines.append(f"audit: {len(report.verdicts)} tasks, {tests} test functions, "
                 f"{len(bad)} tasks violate, {len(report.problems)} other problems; "
                 f"{report.seconds:.0f}s wall, {report.sessions} pytest sessions using "
                 f"{report.cpu:.0f} CPU-seconds")
    return "\n".join(lines) + "\n"


def parse_pythons(values: list[str], numbers: Iterable[int]) -> dict[int, Path]:
    """``--python PY`` (every part) and ``--python N=PY`` (part N) -> part number -> Python."""
    pythons: dict[int, Path] = {}
    default = Path(sys.executable)
    for value in values:
        number, sep, path = value.partition("=")
        if sep:
            pythons[int(number)] = Path(path).absolute()
        else:
            default = Path(value).absolute()
    return {n: pythons.get(n, default) for n in numbers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", default=[], metavar="[N=]PY",
                        help="interpreter with the parts installed (default: this one)")
    parser.add_argument("--part", type=int, action="append", help="audit only part N")
    parser.add_argument("--workers", type=int, default=2, help="pytest sessions at once")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per test")
    parser.add_argument("--root", type=Path, default=_packages.REPO, help="repository root")
    args = parser.parse_args(argv)
    try:
        course = tasks_tool.load_course(args.root, args.part)
    except coursemap.ERRORS as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    numbers = args.part or [p.number for p in course.parts]
    report = audit(course, parse_pythons(args.python, numbers), numbers,
                   workers=args.workers, timeout=args.timeout)
    print(render(report), end="")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
