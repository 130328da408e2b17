"""Grade one part: run its tests (plus private ones) in an environment, write a grade report.

Works from nox (``run_grading(session, ...)``, called by the ``partN`` sessions) and standalone::

    python tools/grade.py --part 2 --python .venv/bin/python [--tests private/] [--out grades/part2]
    python tools/grade.py --part 1 --build-from ~/submissions/alice --out grades/alice/part1

``--build-from ROOT`` builds parts 1..N of the tree at ROOT (e.g. a student's copy) into a fresh
uv venv first. The report (``report.json``, ``report.txt``, ``junit.xml``, raw ``results.jsonl``)
counts, per task, passed/total (skipped tests are not in the total).

Student code can never crash the grader: a hang is failed by pytest-timeout (signal method), an
exception or ``sys.exit()`` fails its test, an import of a later part (absent from the isolated
environment) fails with ImportError, a test file that cannot even be imported fails every test the
file defines (read with ``ast``), and a killed test process (``os._exit``, segfault) fails the
running test and the run resumes with the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import coursemap  # noqa: E402

if TYPE_CHECKING:
    import nox

DEFAULT_TIMEOUT = 120
"""Seconds before one test is failed as hung."""
MAX_RESUMES = 25
"""How many times a killed pytest process is restarted for the remaining tests."""
PLUGINS = ("pytest_grade.py", "pytest_task.py")


class GradingError(RuntimeError):
    """The grader itself cannot run (bad arguments, environment without pytest): not a grade."""


@dataclass
class TestResult:
    nodeid: str
    task: str | None
    outcome: str  # passed | failed | skipped
    message: str = ""


@dataclass
class TaskGrade:
    task: str
    passed: int = 0
    total: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass
class GradeReport:
    part: int
    dist: str
    version: str
    passed: int
    total: int
    skipped: int
    tasks: list[TaskGrade]
    results: list[TestResult]
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.total - self.passed


# --------------------------------------------------------------------------------------------
# Running pytest
# --------------------------------------------------------------------------------------------


class _Runner:
    """Runs ``python -m pytest ...`` through a nox session or a plain interpreter path."""

    def __init__(self, session_or_python: nox.Session | str | Path) -> None:
        # absolute, not resolved: a venv's python is a symlink that must stay in the venv
        self.target = (Path(session_or_python).absolute()
                       if isinstance(session_or_python, (str, Path)) else session_or_python)

    def __call__(self, args: list[str], env: dict[str, str], cwd: Path) -> int | None:
        if isinstance(self.target, (str, Path)):
            full = {**os.environ, **env}
            return subprocess.run([str(self.target), *args], env=full, cwd=cwd, check=False
                                  ).returncode
        session = self.target
        with session.chdir(cwd):
            session.run("python", *args, env=env, success_codes=list(range(-128, 256)))
        return None  # nox does not hand back the code; the log's "finished" line tells

    def check(self, env: dict[str, str], cwd: Path) -> None:
        code = "import pytest, pytest_timeout"
        if isinstance(self.target, (str, Path)):
            if not Path(self.target).exists():
                raise GradingError(f"no interpreter at {self.target}")
            done = subprocess.run([str(self.target), "-c", code], cwd=cwd, check=False,
                                  capture_output=True, text=True)
            if done.returncode:
                raise GradingError(f"{self.target} cannot import pytest and pytest-timeout: "
                                   f"{done.stderr.strip().splitlines()[-1:]}")
        else:
            with self.target.chdir(cwd):
                self.target.run("python", "-c", code, silent=True)


def _read_log(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by a kill
            continue
    return records


def _collect(records: list[dict[str, Any]], tests_anchor: Path, test_paths: list[Path]
             ) -> tuple[dict[str, TestResult], list[str]]:
    """Results by node id, including failures for tests that could not be collected."""
    results: dict[str, TestResult] = {}
    notes: list[str] = []
    for rec in records:
        if rec["event"] == "result":
            results[rec["nodeid"]] = TestResult(rec["nodeid"], rec["task"], rec["outcome"],
                                                rec.get("message", ""))
    for rec in records:
        if rec["event"] != "collect_error":
            continue
        notes.append(f"could not import {rec['path']}: {rec['message']}")
        for ref in _ast_tests_under(tests_anchor, test_paths, rec.get("file")):
            results.setdefault(ref.nodeid, TestResult(
                ref.nodeid, ref.task, "failed", f"collection error: {rec['message']}"))
    return results, notes


def _ast_tests_under(anchor: Path, test_paths: list[Path], file: str | None
                     ) -> list[coursemap.TestRef]:
    """Tests (read with ast) in ``test_paths``, or only those of ``file`` (absolute); node ids
    relative to ``anchor`` (pytest's rootdir) like pytest's own."""
    refs: list[coursemap.TestRef] = []
    for tests in test_paths:
        for ref in coursemap.scan_tests(tests, tests.parent):
            if file is not None and ref.path.resolve() != Path(file):
                continue
            name = ref.nodeid.split("::", 1)[1]
            relative = Path(os.path.relpath(ref.path.resolve(), anchor.resolve())).as_posix()
            refs.append(coursemap.TestRef(f"{relative}::{name}", ref.task, ref.path))
    return refs


def run_grading(
    session_or_python: nox.Session | str | Path,
    part: _packages.Part | int | str,
    tests_dir: Path | None = None,
    out_dir: Path | None = None,
    extra_tests: Sequence[Path] = (),
    *,
    pytest_args: Sequence[str] = (),
    timeout: int = DEFAULT_TIMEOUT,
    fail_on_failures: bool = False,
) -> GradeReport:
    """Run part ``part``'s tests (``tests_dir``, default its ``tests/``) and ``extra_tests`` with
    the interpreter of ``session_or_python``; write the report into ``out_dir``.

    The environment must already hold the installed parts and pytest + pytest-timeout. With
    ``fail_on_failures`` a nox session errors (after writing the report) when a test failed.
    """
    part = part if isinstance(part, _packages.Part) else _packages.part(part)
    tests_dir = Path(tests_dir or part.tests).resolve()
    out_dir = Path(out_dir or _packages.REPO / "grades" / f"part{part.number}").resolve()
    extras = [Path(p).resolve() for p in extra_tests]
    for path in [tests_dir, *extras]:
        if not path.exists():
            raise GradingError(f"test path {path} does not exist")
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / "results.jsonl"
    log.unlink(missing_ok=True)
    start = time.perf_counter()
    runner = _Runner(session_or_python)
    work = Path(tempfile.mkdtemp(prefix="tt-grade-"))
    try:
        plugins = work / "plugins"
        plugins.mkdir()
        for name in PLUGINS:
            shutil.copy2(TOOLS / name, plugins / name)
        cwd = work / "run"  # outside any tree: only installed parts can be imported
        cwd.mkdir()
        env = {"PYTHONPATH": str(plugins), "PYTHONDONTWRITEBYTECODE": "1"}
        runner.check(env, cwd)
        done_file = work / "done.txt"
        base_args = [
            "-m", "pytest", str(tests_dir), *map(str, extras),
            "-c", str(part.path / "pyproject.toml"), "--rootdir", str(part.path),
            "-p", "pytest_grade", "--grade-log", str(log), "--grade-done", str(done_file),
            "-p", "no:cacheprovider", f"--timeout={timeout}", "--timeout-method=signal",
            "--continue-on-collection-errors", "-q", "-rfE", "--tb=line",
            *pytest_args,
        ]
        crashed: dict[str, TestResult] = {}
        notes: list[str] = []
        for attempt in range(MAX_RESUMES + 1):
            before = len(_read_log(log))
            code = runner(base_args, env, cwd)
            records = _read_log(log)[before:]
            if any(r["event"] == "finished" for r in records):
                break
            started = [r["nodeid"] for r in records if r["event"] == "start"]
            ended = {r["nodeid"] for r in records if r["event"] == "result"}
            victim = next((n for n in reversed(started) if n not in ended), None)
            if victim is None:  # died before any test: conftest/package import, or no tests
                notes.append(f"pytest stopped before running any test (exit {code}); "
                             "see its output: e.g. the package or a conftest does not import")
                break
            task = next((r.get("task") for r in records
                         if r["event"] == "collected" and r["nodeid"] == victim), None)
            crashed[victim] = TestResult(victim, task, "failed",
                                         f"killed the test process (exit {code})")
            notes.append(f"{victim} killed the test process; resumed with the remaining tests")
            done = {r["nodeid"] for r in _read_log(log) if r["event"] == "result"} | set(crashed)
            done_file.write_text("\n".join(sorted(done)) + "\n", encoding="utf-8")
            if attempt == MAX_RESUMES:
                notes.append(f"gave up resuming after {MAX_RESUMES} killed runs")
        records = _read_log(log)
        results, more = _collect(records, part.path, [tests_dir, *extras])
        notes = more + notes
        for nodeid, result in crashed.items():
            results.setdefault(nodeid, result)
        collected = {r["nodeid"]: r.get("task") for r in records if r["event"] == "collected"}
        for nodeid, task in collected.items():  # collected but never reported
            results.setdefault(nodeid, TestResult(nodeid, task, "failed", "did not run"))
        if not collected and not results:  # nothing collected at all: fail what ast can see
            for ref in _ast_tests_under(part.path, [tests_dir, *extras], None):
                results[ref.nodeid] = TestResult(ref.nodeid, ref.task, "failed",
                                                 "tests could not be collected")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = _report(part, list(results.values()), time.perf_counter() - start, notes)
    write_report(report, out_dir)
    if fail_on_failures and report.failed and not isinstance(session_or_python, (str, Path)):
        session_or_python.error(
            f"{report.failed} of {report.total} tests failed; report in {out_dir}")
    return report


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def _report(part: _packages.Part, results: list[TestResult], seconds: float, notes: list[str]
            ) -> GradeReport:
    by_task: dict[str, TaskGrade] = {}
    for result in sorted(results, key=lambda r: r.nodeid):
        key = result.task or "(no task)"
        grade = by_task.setdefault(key, TaskGrade(key))
        if result.outcome == "skipped":
            grade.skipped += 1
            continue
        grade.total += 1
        if result.outcome == "passed":
            grade.passed += 1
        else:
            grade.failed.append(f"{result.nodeid}: {result.message}")
    tasks = sorted(by_task.values(), key=lambda g: coursemap.task_key(g.task)
                   if g.task[0].isdigit() else (10**9,))
    return GradeReport(
        part=part.number, dist=part.name, version=part.version,
        passed=sum(g.passed for g in tasks), total=sum(g.total for g in tasks),
        skipped=sum(g.skipped for g in tasks), tasks=tasks,
        results=sorted(results, key=lambda r: r.nodeid), seconds=round(seconds, 2), notes=notes)


def render_text(report: GradeReport) -> str:
    """The report as readable text."""
    lines = [f"Grade report: part {report.part} ({report.dist} {report.version})", ""]
    width = max([len(g.task) for g in report.tasks] + [4])
    for grade in report.tasks:
        extra = f"  ({grade.skipped} skipped)" if grade.skipped else ""
        lines.append(f"  task {grade.task:<{width}}  {grade.passed:>3}/{grade.total:<3}{extra}")
        lines += [f"      FAILED {item}" for item in grade.failed]
    lines += ["", f"TOTAL {report.passed}/{report.total} tests passed"
              + (f", {report.skipped} skipped" if report.skipped else "")
              + f" ({report.seconds:.1f}s)"]
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def render_junit(report: GradeReport) -> str:
    """The results as JUnit XML (one testsuite)."""
    root = ET.Element("testsuites")
    suite = ET.SubElement(root, "testsuite", name=f"part{report.part}", tests=str(len(report.results)),
                       failures=str(report.failed), skipped=str(report.skipped),
                       time=str(report.seconds))
    for result in report.results:
        file, _, name = result.nodeid.partition("::")
        case = ET.SubElement(suite, "testcase", classname=file, name=name or file)
        if result.task:
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="task", value=result.task)
        if result.outcome == "failed":
            ET.SubElement(case, "failure", message=result.message[:500])
        elif result.outcome == "skipped":
            ET.SubElement(case, "skipped", message=result.message[:500])
    return ET.tostring(root, encoding="unicode") + "\n"


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_report(report: GradeReport, out_dir: Path) -> None:
    """``report.json``, ``report.txt`` and ``junit.xml`` into ``out_dir`` (atomically)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = asdict(report)
    data["failed"] = report.failed
    _atomic(out_dir / "report.json", json.dumps(data, indent=2) + "\n")
    _atomic(out_dir / "report.txt", render_text(report))
    _atomic(out_dir / "junit.xml", render_junit(report))


# --------------------------------------------------------------------------------------------
# Options shared with the partN sessions, and a standalone environment builder
# --------------------------------------------------------------------------------------------


def split_options(args: Sequence[str]) -> tuple[Path | None, list[Path], list[str]]:
    """Take ``--out DIR`` and ``--tests DIR`` (repeatable) out of posargs; return the rest."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--tests", type=Path, action="append", default=[])
    known, rest = parser.parse_known_args(list(args))
    return known.out, known.tests, rest


def prepare_env(root: Path, number: int, dest: Path) -> Path:
    """Build parts 1..N needed by part ``number`` of the tree at ``root`` into a fresh uv venv.

    Returns the venv's python. uv caches wheels by file name, so tt-* wheels are refreshed.
    """
    uv = shutil.which("uv")
    if uv is None:
        raise GradingError("--build-from needs `uv` on PATH")
    parts = _packages.with_deps(number, root)
    wheels = dest / "wheels"
    wheels.mkdir(parents=True)
    for part in parts:
        subprocess.run([uv, "build", "--wheel", "--quiet", "--out-dir", str(wheels),
                        str(part.path)], check=True)
    venv = dest / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    refresh = [arg for p in parts for arg in ("--refresh-package", p.name)]
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(python), *refresh,
                    *map(str, sorted(wheels.glob("*.whl"))),
                    *_packages.test_requirements(parts)], check=True)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade one part of TinyTorch.")
    parser.add_argument("--part", required=True, help="part number or distribution name")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--python", type=Path, help="interpreter whose env has the parts installed")
    where.add_argument("--build-from", type=Path, metavar="ROOT",
                       help="build parts 1..N of the tree at ROOT into a fresh venv first")
    parser.add_argument("--tests", type=Path, action="append", default=[],
                        help="extra (private) test directory or file; repeatable")
    parser.add_argument("--out", type=Path, help="report directory (default grades/partN)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per test")
    parser.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments")
    args = parser.parse_args(argv)
    number: int | str = int(args.part) if args.part.isdigit() else args.part
    root = (args.build_from or _packages.REPO).resolve()
    scratch: Path | None = None
    try:
        part = _packages.part(number, root)
        python = args.python
        if args.build_from:
            scratch = Path(tempfile.mkdtemp(prefix="tt-grade-env-"))
            python = prepare_env(root, part.number, scratch)
        report = run_grading(python, part, part.tests, args.out, args.tests,
                             pytest_args=args.pytest_args, timeout=args.timeout)
    except (GradingError, KeyError, _packages.MissingPart, subprocess.CalledProcessError) as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(render_text(report), end="")
    return 0 if report.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
