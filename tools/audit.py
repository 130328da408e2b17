"""Honesty audit: stubbing any one task alone must make at least one of its tests fail.

For every task of a part: copy the part's ``src/`` to a temporary directory, stub that task's
blocks only (tools/solutions.py), put the copy first on ``PYTHONPATH`` and run the task's tests
(``-p pytest_task --task ID -x``) in an environment where the part and its dependencies are
installed (editable is fine: the copy shadows it). Outcomes per task:

* ``ok``            a test failed on the stub, as it must;
* ``DEFECT``        every test passed on the stub: the tests do not check the task;
* ``untested``      no test names the task;
* ``not stubbable`` the task's blocks hold only module/class-level statements, kept by the stubber;
* ``BROKEN``        the stub made the tests error at collection (the package no longer imports).

Run ``python tools/audit.py --python VENV_PYTHON [--part N ...]`` or ``nox -s audit``. Exit code 1
when a task is DEFECT, BROKEN or (unless ``--allow-untested``) untested.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import coursemap  # noqa: E402
import solutions  # noqa: E402

DEFAULT_TIMEOUT = 60
BAD = ("DEFECT", "BROKEN")


@dataclass
class TaskAudit:
    task: str
    part: int
    status: str  # ok | DEFECT | untested | not stubbable | BROKEN | baseline failing
    detail: str
    tests: int
    seconds: float = 0.0


def _pytest_command(python: Path, part: _packages.Part, timeout: int, *extra: str,
                    files: Iterable[Path] = ()) -> list[str]:
    targets = sorted({str(f) for f in files}) or [str(part.tests)]
    return [
        str(python), "-m", "pytest", *targets,
        "-c", str(part.path / "pyproject.toml"), "--rootdir", str(part.path),
        "-p", "pytest_task", "-p", "no:cacheprovider", "-q", "--no-header", "-x",
        f"--timeout={timeout}", "--timeout-method=signal", "--tb=line", *extra,
    ]


def _env(plugins: Path, src: Path | None) -> dict[str, str]:
    paths = [str(plugins)] + ([str(src)] if src is not None else [])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def audit_task(python: Path, part: _packages.Part, task: coursemap.Task, plugins: Path,
               timeout: int) -> TaskAudit:
    """Stub ``task`` alone in a copy of ``part``'s sources and run its tests against it."""
    start = time.perf_counter()
    if not task.tests:
        return TaskAudit(task.id, part.number, "untested", "no test names this task", 0)
    with tempfile.TemporaryDirectory(prefix=f"tt-audit-{task.id}-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(part.src, src, ignore=shutil.ignore_patterns("__pycache__"))
        result = solutions.stub_tree(src, [task.id])
        if not result.stubbed:
            lines = [line for _, kept in result.kept for line in kept]
            return TaskAudit(task.id, part.number, "not stubbable",
                             f"module/class-level statements kept (lines {lines[:6]}); move "
                             "the code into a function to make it a task", len(task.tests))
        run = Path(tmp) / "run"
        run.mkdir()
        done = subprocess.run(_pytest_command(python, part, timeout, "--task", task.id,
                                              files=[t.path for t in task.tests]),
                              env=_env(plugins, src), cwd=run, capture_output=True, text=True,
                              check=False)
    seconds = time.perf_counter() - start
    summary = _last_line(done.stdout)
    if done.returncode == 1:
        status, detail = "ok", summary
    elif done.returncode == 0:
        status, detail = "DEFECT", f"every test passed on the stub ({summary})"
    elif done.returncode == 5:
        status, detail = "untested", "pytest selected no test for this task"
    else:
        errors = [ln for ln in done.stdout.splitlines() if "Error" in ln][:3]
        status = "BROKEN"
        detail = f"pytest exit {done.returncode}: {'; '.join(errors) or summary}"
    return TaskAudit(task.id, part.number, status, detail, len(task.tests), round(seconds, 2))


def check_shadowing(python: Path, part: _packages.Part, plugins: Path) -> None:
    """Fail loudly if a copy on PYTHONPATH would not shadow the installed part."""
    with tempfile.TemporaryDirectory(prefix="tt-audit-shadow-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(part.src, src, ignore=shutil.ignore_patterns("__pycache__"))
        code = f"import {part.module} as m; print(m.__file__)"
        done = subprocess.run([str(python), "-c", code], env=_env(plugins, src), cwd=tmp,
                              capture_output=True, text=True, check=False)
        if done.returncode or not done.stdout.strip().startswith(str(src)):
            raise RuntimeError(f"{part.module} does not import from a copy on PYTHONPATH "
                               f"({done.stdout.strip() or done.stderr.strip()[-300:]}); "
                               "the audit would test the unstubbed code")


def baseline(python: Path, part: _packages.Part, plugins: Path, timeout: int) -> str | None:
    """None when the part's tests pass unstubbed (sources on PYTHONPATH, as the stubbed runs
    have them), else pytest's summary line."""
    with tempfile.TemporaryDirectory(prefix="tt-audit-base-") as tmp:
        done = subprocess.run(_pytest_command(python, part, timeout), env=_env(plugins, part.src),
                              cwd=tmp, capture_output=True, text=True, check=False)
    return None if done.returncode in (0, 5) else _last_line(done.stdout)


def audit(python: Path, numbers: Iterable[int] | None = None, *, timeout: int = DEFAULT_TIMEOUT,
          jobs: int | None = None, root: Path = _packages.REPO) -> list[TaskAudit]:
    """Audit every task of the given parts (all present parts by default)."""
    course = coursemap.build(root)
    wanted = set(numbers) if numbers is not None else {p.number for p in course.parts}
    parts = [p for p in course.parts if p.number in wanted]
    results: list[TaskAudit] = []
    with tempfile.TemporaryDirectory(prefix="tt-audit-plugins-") as plugins_dir:
        plugins = Path(plugins_dir)
        shutil.copy2(TOOLS / "pytest_task.py", plugins / "pytest_task.py")
        for part in parts:
            tasks = course.tasks_of(part.number)
            if not tasks:
                continue
            check_shadowing(python, part, plugins)
            failing = baseline(python, part, plugins, timeout)
            if failing:
                results += [TaskAudit(t.id, part.number, "baseline failing",
                                      f"the unstubbed tests already fail: {failing}",
                                      len(t.tests)) for t in tasks]
                continue
            with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
                results += pool.map(
                    lambda t, p=part: audit_task(python, p, t, plugins, timeout), tasks)
    return results


def render(results: list[TaskAudit]) -> str:
    lines = ["Honesty audit: stub one task, at least one of its tests must fail", ""]
    for r in results:
        lines.append(f"  {r.task:<6} {r.status:<14} {r.tests:>4} tests  {r.seconds:>5.1f}s  "
                     f"{r.detail}")
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    lines += ["", f"{len(results)} tasks: " + ", ".join(f"{n} {s}" for s, n in counts.items())]
    return "\n".join(lines) + "\n"


def failed(results: list[TaskAudit], allow_untested: bool) -> list[TaskAudit]:
    """The tasks that make the audit fail."""
    bad = {*BAD, "baseline failing"} | (set() if allow_untested else {"untested"})
    return [r for r in results if r.status in bad]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Honesty audit of the course's tests.")
    parser.add_argument("--python", type=Path, default=Path(sys.executable),
                        help="interpreter with the parts (editable) and pytest installed")
    parser.add_argument("--part", type=int, action="append", help="audit only part N")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per test")
    parser.add_argument("--jobs", type=int, default=None, help="tasks audited at once")
    parser.add_argument("--allow-untested", action="store_true",
                        help="report tasks without tests but do not fail on them")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        results = audit(args.python.absolute(), args.part, timeout=args.timeout, jobs=args.jobs)
    except (solutions.MarkerError, RuntimeError) as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    print(render(results), end="")
    print(f"audit took {time.perf_counter() - start:.1f}s")
    bad = failed(results, args.allow_untested)
    for r in bad:
        print(f"audit: task {r.task} is {r.status}: {r.detail}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
