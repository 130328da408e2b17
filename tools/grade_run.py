"""One sandboxed pytest run, supervised from outside: results streamed, overruns killed.

``run_tests`` starts pytest in a ``Sandbox`` with the ``pytest_grade`` plugin, reads the records
it streams through a pipe (checking each carries the run's one-time key), and enforces three
clocks that nothing inside can catch, by killing the whole sandbox:

* ``start``: importing the package and collecting the tests (a hang at import);
* ``test`` + ``grace``: one test (pytest-timeout fails it gently at ``test``; if the code swallows
  that, the grader kills at ``test + grace``);
* the submission's wall-clock ``deadline``.

A test that never reported (killed, crashed the process with ``os._exit`` or a segfault) fails
with the reason, and the run resumes with the tests not yet graded, up to ``MAX_RESTARTS`` times.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sandbox import Limits, LineReader, Sandbox

MAX_RESTARTS = 20
"""Restarts after a killed or crashed test before the rest of the run is given up."""
MAX_FORGED = 20
"""Forged lines quoted in the notes (they are all counted)."""


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed (see the module docstring)."""

    test: float = 60.0
    grace: float = 10.0
    start: float = 180.0
    wall: float = 900.0


@dataclass
class Outcome:
    """What one test (node id) did."""

    id: str
    outcome: str  # passed | failed | skipped
    message: str = ""


@dataclass
class RunResult:
    """Everything a run reported, checked against its key."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    collected: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    """node id -> (task, optional) as collected in the sandbox."""
    import_errors: dict[str, str] = field(default_factory=dict)
    collect_errors: dict[str, str] = field(default_factory=dict)
    hung: str | None = None
    """Why the run never got to its tests (import or collection killed), else None."""
    notes: list[str] = field(default_factory=list)
    forged: list[str] = field(default_factory=list)
    """Lines on the results pipe that did not come from the plugin (flag the submission)."""
    forged_count: int = 0
    cpu: float = 0.0
    """CPU seconds the runs reported using (statistics only: nothing is decided by it)."""


class _Protocol:
    """Reads records of one sandbox start into ``result``; remembers the running test."""

    def __init__(self, key: str, result: RunResult, clock_start: float) -> None:
        self.key = key
        self.result = result
        self.current: str | None = None
        self.since = clock_start
        self.started_any = False
        self.finished = False

    def forged(self, line: str, why: str) -> None:
        self.result.forged_count += 1
        if len(self.result.forged) < MAX_FORGED:
            self.result.forged.append(f"{why}: {line[:120]!r}")

    def feed(self, line: str, now: float) -> None:
        if not line.strip():
            return
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return self.forged(line, "not a record")
        if not isinstance(record, dict) or record.get("key") != self.key:
            return self.forged(line, "a record without the run's key")
        event = record.get("event")
        result = self.result
        if event == "import":
            if record.get("error") is not None:
                result.import_errors[str(record.get("module"))] = str(record["error"])
        elif event == "collected":
            result.collected[str(record["id"])] = (record.get("task"),
                                                   bool(record.get("optional")))
        elif event == "collect_error":
            result.collect_errors[str(record.get("file"))] = str(record.get("message", ""))
        elif event == "start":
            self.current, self.since, self.started_any = str(record["id"]), now, True
        elif event == "result":
            nodeid = str(record["id"])
            if nodeid != self.current:
                return self.forged(line, "a result for a test that was not running")
            result.outcomes[nodeid] = Outcome(nodeid, str(record.get("outcome")),
                                              str(record.get("message", "")))
            self.current, self.since = None, now
        elif event == "finished":
            self.finished = True
            cpu = record.get("cpu")
            result.cpu += float(cpu) if isinstance(cpu, (int, float)) else 0.0


def run_tests(binds: Mapping[str, Path], *, python: str, pytest_args: Sequence[str],
              env: Mapping[str, str], timeouts: Timeouts, deadline: float,
              expected: Sequence[str] | None = None, slot: int = 0, isolate: bool = True,
              limits: Limits = Limits()) -> RunResult:
    """Run ``python -m pytest <pytest_args>`` in a sandbox until every test has a result.

    ``binds`` are the read-only binds (inside path -> host path); a private directory holding
    the list of tests already graded is added at ``/sandbox/run``. Paths under ``/sandbox/`` in
    the arguments and the environment are rewritten when bubblewrap is missing. ``expected``
    (node ids) stops the restarts once all have a result. ``deadline`` is ``time.monotonic()``.
    """
    result = RunResult()
    with tempfile.TemporaryDirectory(prefix="tt-run-") as scratch:
        skip_file = Path(scratch) / "skip.txt"
        skip_file.write_text("", encoding="utf-8")
        os.chmod(scratch, 0o755)
        box = Sandbox(python, {**binds, "/sandbox/run": Path(scratch)}, limits=limits,
                      slot=slot, isolate=isolate)
        try:
            _restarts(box, python, pytest_args, env, timeouts, deadline, expected, skip_file,
                      result)
        finally:
            box.close()
    return result


def _restarts(box: Sandbox, python: str, pytest_args: Sequence[str], env: Mapping[str, str],
              timeouts: Timeouts, deadline: float, expected: Sequence[str] | None,
              skip_file: Path, result: RunResult) -> None:
    """Start the sandbox, and again after each killed or crashed test, until done."""
    retried = False
    for attempt in range(MAX_RESTARTS + 1):
        skip_file.write_text("\n".join(sorted(result.outcomes)) + "\n", encoding="utf-8")
        args = [python, "-m", "pytest", *pytest_args,
                "--grade-skip", "/sandbox/run/skip.txt"]
        protocol, why, code, output = _one_start(box, args, env, timeouts, deadline, result)
        if protocol.finished:
            break
        if protocol.current is not None:
            victim = protocol.current
            result.outcomes[victim] = Outcome(
                victim, "failed", why or f"the test process died (exit {code})")
            result.notes.append(f"{victim}: {result.outcomes[victim].message}; "
                                "restarted with the tests not yet graded")
        elif not protocol.started_any:
            if attempt == 0 and why is None and not result.collected and not retried:
                retried = True  # the sandbox may have failed to start: once more, then believe it
                result.notes.append(f"pytest ended before collecting (exit {code}): started "
                                    f"again{_quoted(output)}")
                continue
            if attempt <= 1:
                result.hung = why or (f"pytest ended before running any test (exit {code})"
                                      f"{_quoted(output)}" if not result.collected else None)
            elif why:
                result.notes.append(f"restart {attempt}: {why}")
            break
        if time.monotonic() >= deadline:
            result.notes.append(f"stopped at the {timeouts.wall:.0f} s wall-clock cap")
            break
        if expected is not None and set(expected) <= set(result.outcomes):
            break
    else:
        result.notes.append(f"gave up after {MAX_RESTARTS} restarts")


def _quoted(output: str) -> str:
    """The last line of the sandbox's own output, quoted for a report ('' when silent)."""
    lines = output.strip().splitlines()
    return f": {lines[-1][:300]!r}" if lines else ""


class _OutputTail:
    """Drains a pipe in a thread, keeping only its last ``size`` bytes (pytest's and
    bubblewrap's own messages; a flood costs the grader nothing)."""

    def __init__(self, pipe, size: int = 4096) -> None:  # noqa: ANN001
        self.pipe, self.size, self.tail = pipe, size, b""
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        for chunk in iter(lambda: self.pipe.read1(65536), b""):
            self.tail = (self.tail + chunk)[-self.size:]

    def text(self) -> str:
        self.thread.join(timeout=2)
        if not self.thread.is_alive():
            self.pipe.close()
        return self.tail.decode("utf-8", "replace")


def _one_start(box: Sandbox, args: list[str], env: Mapping[str, str], timeouts: Timeouts,
               deadline: float, result: RunResult
               ) -> tuple[_Protocol, str | None, int | None, str]:
    """Start the sandbox once and read it until it ends or is killed: (protocol, why killed,
    exit code, the end of its own output)."""
    key = secrets.token_hex(16)
    read_end, write_end = os.pipe()
    key_read, key_write = os.pipe()
    os.write(key_write, (key + "\n").encode("ascii"))
    os.close(key_write)
    start = time.monotonic()
    try:
        proc = box.start([*args, "--grade-fd", str(write_end), "--grade-key-fd", str(key_read)],
                         env, pass_fds=[write_end, key_read], stdout=subprocess.PIPE)
    finally:
        os.close(write_end)
        os.close(key_read)
    protocol = _Protocol(key, result, start)
    output = _OutputTail(proc.stdout)
    reader = LineReader(read_end)
    why: str | None = None
    try:
        while True:
            now = time.monotonic()
            if protocol.current is not None:
                limit, reason = protocol.since + timeouts.test + timeouts.grace, (
                    f"timed out: still running after {timeouts.test + timeouts.grace:.0f} s, "
                    "killed by the grader")
            elif not protocol.started_any:
                limit, reason = start + timeouts.start, (
                    f"did not finish importing and collecting within {timeouts.start:.0f} s, "
                    "killed by the grader")
            else:  # a fixture's teardown or the session's end
                limit, reason = protocol.since + timeouts.test + timeouts.grace, (
                    "hung between two tests (a fixture or the session's end), killed by the "
                    "grader")
            if deadline < limit:
                limit, reason = deadline, (f"hit the {timeouts.wall:.0f} s wall-clock cap of "
                                           "the submission, killed by the grader")
            if now >= limit:
                why = reason
                break
            lines = reader.read(min(limit - now, 0.5))
            if lines is None:  # every copy of the pipe is closed: the sandbox ended
                break
            for line in lines:
                protocol.feed(line, time.monotonic())
            if not lines and proc.poll() is not None:
                for line in reader.read(0.2) or []:  # what was still in flight
                    protocol.feed(line, time.monotonic())
                break
    finally:
        if why is None:  # ended by itself: let bubblewrap reap its children (CPU accounting)
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        box.kill(proc)
        os.close(read_end)
    return protocol, why, proc.returncode, output.text()
