"""Grade student submissions of one part, each in a sandbox, into reports and a gradebook.

    nox -s grade -- --part 2 --out grades/ ~/submissions/*            # a class
    nox -s grade -- --part 2 --tests private/ --jobs 2 --out grades/ alice/ bob/
    python tools/grade.py --part 2 --out grades/ alice/                # the same without nox

Each SUBMISSION is a student repository as released. From it grading takes ONLY the Python files
of ``packages/<dist>/src/tinytorch/<part>/`` (``tools/submission.py``); they are installed with
the instructor's metadata, earlier parts come from the instructor's reference wheels (``--earlier
reference``, the default) or from the submission too (``--earlier submission``), and the tests,
``--tests`` (private tests) and pytest configuration come only from the instructor's tree. The
workspace every submission shares (``tools/grade_workspace.py``) is built once and cached.

Student code runs in a sandbox (``tools/sandbox.py``, bubblewrap) supervised from outside
(``tools/grade_run.py``). Only this process writes reports (``tools/reports.py``):
``OUT/<submission>/report.json``, ``report.md``, ``results.json`` (Gradescope), and
``OUT/gradebook.csv``. Integrity findings (``tools/integrity.py``) mark a submission "needs
review" without changing its score; a run whose canary test (one that must fail) "passed" was
forged inside the process and scores 0.
"""

from __future__ import annotations

import argparse
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import grade_workspace  # noqa: E402
import integrity  # noqa: E402
import reports  # noqa: E402
import submission as submission_tool  # noqa: E402
import tasks as tasks_tool  # noqa: E402
from grade_run import RunResult, Timeouts, run_tests  # noqa: E402
from grade_workspace import PYTHON_INSIDE, SANDBOX_ENV, Workspace  # noqa: E402
from sandbox import Limits, bubblewrap  # noqa: E402

DEFAULT_CACHE = _packages.REPO / ".nox" / "grade-cache"


@dataclass(frozen=True)
class Settings:
    """How submissions run: clocks, limits, isolation."""

    timeouts: Timeouts = Timeouts()
    limits: Limits = Limits()
    isolate: bool = True


def _phase(ws: Workspace, site: Path, private: bool, slot: int, settings: Settings,
           deadline: float) -> RunResult:
    expected = [n for n, t in ws.reference["tests"].items() if t["private"] == private]
    return run_tests(ws.binds(site, private), python=PYTHON_INSIDE,
                     pytest_args=ws.pytest_args(private, settings.timeouts.test),
                     env=SANDBOX_ENV, timeouts=settings.timeouts, deadline=deadline,
                     expected=expected, slot=slot, isolate=settings.isolate,
                     limits=settings.limits)


def _canary_flags(ws: Workspace, run: RunResult) -> list[str]:
    """A canary test that must fail but 'passed' means the results were forged in-process."""
    fail = run.outcomes.get(ws.reference["canary"]["fail"])
    if fail is not None and fail.outcome != "failed":
        return ["results tampered with: the grader's canary test that must fail "
                f"reported '{fail.outcome}'"]
    return []


@dataclass
class _Runs:
    """What the public and private runs of one submission gave."""

    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    error: str | None = None
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str = "did not run"
    cpu: float = 0.0


def _run_submission(ws: Workspace, site: Path, slot: int, settings: Settings,
                    deadline: float) -> _Runs:
    """Public, then private tests."""
    runs = _Runs()
    outcomes = runs.outcomes
    flags, notes = runs.flags, runs.notes
    for private in (False, True) if ws.has_private else (False,):
        run = _phase(ws, site, private, slot, settings, deadline)
        runs.cpu += run.cpu
        label = "private tests" if private else "tests"
        if not private:
            if run.import_errors:
                module, message = next(iter(run.import_errors.items()))
                runs.error = f"{module} does not import: {message}"
                return runs
            if run.hung:
                runs.error = f"the tests never ran: {run.hung}"
                return runs
        tampered = _canary_flags(ws, run)
        if tampered:  # the outcomes of this submission cannot be believed: none counts
            flags += tampered
            runs.error = "results tampered with inside the test process (needs review)"
            return runs
        if run.forged_count:
            flags.append(f"results channel: {run.forged_count} line(s) on the {label}' results "
                         "pipe did not come from the grader's plugin")
            if not private:
                notes += [f"forged: {line}" for line in run.forged[:3]]
        for nodeid, outcome in run.outcomes.items():
            outcomes[nodeid] = (outcome.outcome, "" if private else outcome.message)
        for nodeid in ws.reference["tests"]:
            file = nodeid.split("::", 1)[0]
            if nodeid not in outcomes and file in run.collect_errors:
                outcomes[nodeid] = ("failed", "" if private else
                                    f"could not import the test file: {run.collect_errors[file]}")
        notes += [note for note in run.notes] if not private else (
            [f"private tests: {len(run.notes)} test(s) killed or crashed"] if run.notes else [])
        if run.hung:
            runs.missing = run.hung
    return runs


def _declared(ws: Workspace) -> list[tasks_tool.TaskDecl]:
    return tasks_tool.load_tasks(ws.root / "tree" / "packages" / ws.part.name)


def grade_submission(ws: Workspace, path: Path, out: Path, *, name: str | None = None,
                     slot: int = 0, settings: Settings = Settings()) -> reports.Grade:
    """Grade the submission at ``path`` into ``out`` (report.json, report.md, results.json)."""
    start = time.perf_counter()
    deadline = time.monotonic() + settings.timeouts.wall
    name = name or Path(path).name
    declared = _declared(ws)
    try:
        root = submission_tool.find_root(Path(path))
        collected = {dist: submission_tool.collect(root, dist) for dist in ws.provided}
    except submission_tool.SubmissionError as refused:
        grade = reports.score(name, ws.reference, declared, {}, error=f"refused: {refused}")
    else:
        found: list[integrity.Finding] = []
        for dist, files in collected.items():
            spec = _packages.spec_for_dist(dist)
            found += integrity.flags(files.files, ws.reference["baseline"].get(dist, {}),
                                     prefix=f"packages/{dist}/src/tinytorch/{spec.subpackage}/")
        with tempfile.TemporaryDirectory(prefix="tt-sub-") as scratch:
            site = submission_tool.install_tree(collected, ws.root, Path(scratch))
            runs = _run_submission(ws, site, slot, settings, deadline)
        grade = reports.score(name, ws.reference, declared, runs.outcomes, error=runs.error,
                              missing=runs.missing)
        grade.flags = [f"needs review: {finding}" for finding in found] + runs.flags
        grade.notes += runs.notes
        grade.cpu_seconds = round(runs.cpu, 2)
        ignored = [i for dist, files in collected.items() for i in files.ignored
                   if not (ws.root / "data" / "tinytorch" / _packages.spec_for_dist(dist).subpackage
                           / i).exists()]
        if ignored:
            grade.notes.append(f"ignored (not .py): {', '.join(ignored[:5])}"
                               + (" ..." if len(ignored) > 5 else ""))
    if ws.reference["torch"] == "missing":
        grade.notes.append("graded without PyTorch: its oracle tests did not count")
    grade.isolated = settings.isolate and bubblewrap()[0] is not None
    grade.seconds = round(time.perf_counter() - start, 2)
    reports.write(grade, out)
    return grade


class Progress:
    """A progress bar over the submissions on stderr (a line per submission when not a tty)."""

    def __init__(self, total: int, stream=sys.stderr) -> None:  # noqa: ANN001
        self.total, self.done, self.stream = total, 0, stream
        self.start = time.perf_counter()
        self.lock = threading.Lock()

    def update(self, grade: reports.Grade) -> None:
        with self.lock:
            self.done += 1
            width = 30
            filled = width * self.done // self.total
            bar = "#" * filled + "-" * (width - filled)
            took = time.perf_counter() - self.start
            mark = " !" if grade.flags or grade.error else ""
            line = (f"grading [{bar}] {self.done}/{self.total} {took:5.0f}s  {grade.submission}: "
                    f"{grade.score:g}/{grade.max_score:g}{mark}")
            if self.stream.isatty():
                end = "\n" if self.done == self.total else ""
                self.stream.write(f"\r\033[K{line}{end}")
            else:
                self.stream.write(line + "\n")
            self.stream.flush()


def _unique_names(paths: Sequence[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        base = Path(path).resolve().name or "submission"
        name, count = base, 1
        while name in names:
            count += 1
            name = f"{base}-{count}"
        names.append(name)
    return names


def grade_batch(ws: Workspace, paths: Sequence[Path], out: Path, *, jobs: int = 1,
                settings: Settings = Settings(), progress: Callable[[reports.Grade], None] | None = None) -> list[reports.Grade]:
    """Grade every submission (``jobs`` at a time) into ``out/<name>/``; ``out/gradebook.csv``."""
    names = _unique_names(paths)
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)

    def one(index: int) -> reports.Grade:
        slot = slots.get()
        try:
            grade = grade_submission(ws, paths[index], out / names[index], name=names[index],
                                     slot=slot, settings=settings)
        except Exception as bug:  # noqa: BLE001 - one submission must not stop the batch
            grade = reports.score(names[index], ws.reference, _declared(ws), {},
                                  error=f"the grader failed: {type(bug).__name__}: {bug}")
            reports.write(grade, out / names[index])
        finally:
            slots.put(slot)
        if progress is not None:
            progress(grade)
        return grade

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        grades = list(pool.map(one, range(len(paths))))
    reports.write_gradebook(grades, out / "gradebook.csv")
    return grades


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", help="part number or distribution (tt-autograd)")
    parser.add_argument("--tests", type=Path, action="append", default=[], metavar="PRIVATE",
                        help="private tests (directory or file; repeatable): pass/fail only")
    parser.add_argument("--jobs", type=int, default=1, metavar="J",
                        help="submissions graded at once (one per core)")
    parser.add_argument("--earlier", choices=("reference", "submission"), default="reference",
                        help="where earlier parts come from (default: the reference wheels)")
    parser.add_argument("--out", type=Path, metavar="GRADES", help="report directory")
    parser.add_argument("--timeout", type=float, default=Timeouts.test, help="seconds per test")
    parser.add_argument("--wall", type=float, default=Timeouts.wall,
                        help="seconds per submission, all tests included")
    parser.add_argument("--memory", type=float, default=Limits.memory / 2**30,
                        help="address space per sandboxed process, GiB")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"workspace cache (default {DEFAULT_CACHE})")
    parser.add_argument("--no-cache", action="store_true", help="build a throwaway workspace")
    parser.add_argument("--workspace", type=Path, help="use this prepared workspace")
    parser.add_argument("--prepare", action="store_true",
                        help="only build the workspace in --cache and print its path")
    parser.add_argument("--flat", action="store_true",
                        help="one submission: write its reports into OUT itself")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run without bubblewrap even if it is installed (NOT isolated)")
    parser.add_argument("submissions", nargs="*", type=Path, metavar="SUBMISSION",
                        help="student repositories as released (or directories holding one)")
    args = parser.parse_args(argv)
    timeouts = Timeouts(test=args.timeout, wall=args.wall)
    isolate = not args.no_sandbox
    settings = Settings(timeouts, Limits(memory=int(args.memory * 2**30)), isolate)
    say = lambda text: print(f"grade: {text}", file=sys.stderr, flush=True)  # noqa: E731
    if args.workspace is None and args.part is None:
        parser.error("give --part (or --workspace)")
    if not args.prepare and (args.out is None or not args.submissions):
        parser.error("give --out GRADES and at least one SUBMISSION")
    if args.flat and len(args.submissions) != 1:
        parser.error("--flat grades exactly one submission")
    if isolate and bubblewrap()[0] is None:
        say(f"WARNING: NOT isolated: {bubblewrap()[1]}")
    cache = Path(tempfile.mkdtemp(prefix="tt-grade-")) if args.no_cache else args.cache
    try:
        if args.workspace is not None:
            ws = grade_workspace.load(args.workspace)
        else:
            number = int(args.part) if args.part.isdigit() else args.part
            ws = grade_workspace.prepare(_packages.part(number), args.earlier, args.tests,
                                         cache, timeouts, isolate, log=say)
        if args.prepare:
            print(ws.root)
            return 0
        start = time.perf_counter()
        if args.flat:
            grades = [grade_submission(ws, args.submissions[0], args.out, settings=settings)]
        else:
            bar = Progress(len(args.submissions))
            grades = grade_batch(ws, args.submissions, args.out, jobs=max(1, args.jobs),
                                 settings=settings, progress=bar.update)
    except (grade_workspace.WorkspaceError, KeyError, _packages.MissingPart) as error:
        say(str(error))
        return 2
    finally:
        if args.no_cache:
            shutil.rmtree(cache, ignore_errors=True)
    took, cpu = time.perf_counter() - start, sum(g.cpu_seconds for g in grades)
    flagged = sum(bool(g.flags) for g in grades)
    say(f"{len(grades)} submission(s) in {took:.1f} s ({took / len(grades):.1f} s each, "
        f"{cpu / len(grades):.1f} CPU-s each); {flagged} need review; reports in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
