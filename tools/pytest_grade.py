"""pytest plugin used by the grader: record every test's outcome and task as JSON lines.

Load with ``-p pytest_grade --grade-log FILE``. Each line is one JSON object:

* ``{"event": "collected", "nodeid", "task"}`` for every test selected to run;
* ``{"event": "collect_error", "path", "message"}`` for a test file that failed to import;
* ``{"event": "start", "nodeid"}`` before a test runs (a crash leaves it without a result);
* ``{"event": "result", "nodeid", "task", "outcome", "message"}`` when a test is done;
* ``{"event": "finished", "exitstatus"}`` at the end of a run that was not killed.

Lines are flushed one by one, so a run killed half-way (``os._exit``, a segfault, a timeout by
thread) still leaves a usable log; ``tools/grade.py`` resumes after the test that crashed.
Student code that calls ``sys.exit()`` inside a test fails that test (pytest would treat it as a
failure too; this makes the message plain and also covers fixtures).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import pytest

_log: IO[str] | None = None
_outcomes: dict[str, str] = {}
_messages: dict[str, str] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("course").addoption(
        "--grade-log", metavar="FILE", default=None, help="append JSON lines of results to FILE"
    )
    parser.getgroup("course").addoption(
        "--grade-done", metavar="FILE", default=None,
        help="deselect the node ids listed in FILE (tests already graded before a crash)",
    )


def _write(record: dict[str, Any]) -> None:
    if _log is not None:
        _log.write(json.dumps(record) + "\n")
        _log.flush()


def _task(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("task")
    return str(marker.args[0]) if marker is not None and marker.args else None


def pytest_configure(config: pytest.Config) -> None:
    global _log
    path = config.getoption("grade_log")
    if path:
        _log = Path(path).open("a", encoding="utf-8")


def pytest_unconfigure(config: pytest.Config) -> None:
    global _log
    if _log is not None:
        _log.close()
        _log = None


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):  # type: ignore[no-untyped-def]
    """Turn ``SystemExit`` raised by the code under test into an ordinary test failure."""
    outcome = yield
    error = outcome.excinfo
    if error is not None and isinstance(error[1], SystemExit):
        outcome.force_exception(
            AssertionError(f"the code under test called sys.exit({error[1].code!r})")
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # type: ignore[no-untyped-def]
    """Record a test file that cannot be collected, by its absolute path."""
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if report.failed:
        message = str(report.longrepr).strip().splitlines()
        _write({"event": "collect_error", "path": report.nodeid,
                "file": str(Path(collector.path).resolve()),
                "message": message[-1] if message else "collection failed"})


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    path = config.getoption("grade_done")
    if not path or not Path(path).is_file():
        return
    done = set(Path(path).read_text(encoding="utf-8").splitlines())
    drop = [item for item in items if item.nodeid in done]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if item.nodeid not in done]


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    for item in session.items:
        _write({"event": "collected", "nodeid": item.nodeid, "task": _task(item)})


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    _write({"event": "start", "nodeid": nodeid})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.failed:
        _outcomes[item.nodeid] = "failed"
        text = str(report.longrepr).strip().splitlines()
        _messages.setdefault(item.nodeid, f"{report.when}: {text[-1] if text else 'failed'}")
    elif report.skipped and report.when in ("setup", "call"):
        _outcomes.setdefault(item.nodeid, "skipped")
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        _messages.setdefault(item.nodeid, str(reason))
    elif report.passed and report.when == "call":
        _outcomes.setdefault(item.nodeid, "passed")
    if report.when == "teardown":
        _write({"event": "result", "nodeid": item.nodeid, "task": _task(item),
                "outcome": _outcomes.pop(item.nodeid, "failed"),
                "message": _messages.pop(item.nodeid, "")})


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _write({"event": "finished", "exitstatus": int(exitstatus)})
