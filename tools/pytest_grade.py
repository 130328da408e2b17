"""pytest plugin run INSIDE the grading sandbox: streams each test's result to the grader.

Loaded with ``-p pytest_grade`` (its directory on ``PYTHONPATH``) by ``tools/grade_run.py``; not
meant for anything else. It writes JSON lines to the pipe ``--grade-fd`` that only the trusted
grader, outside the sandbox, reads:

    {"key": K, "event": "import", "module": "tinytorch.autograd", "error": null}
    {"key": K, "event": "collected", "id": "tests/test_x.py::test_y[1]", "task": "2.1",
     "optional": false}
    {"key": K, "event": "collect_error", "file": "tests/test_x.py", "message": "..."}
    {"key": K, "event": "start", "id": ...}
    {"key": K, "event": "result", "id": ..., "outcome": "passed|failed|skipped", "message": ...}
    {"key": K, "event": "finished", "cpu": 3.2}   # CPU seconds (for the grader's statistics)

``K`` is a one-time key the grader writes into the pipe ``--grade-key-fd``, read and closed here
at configure time, before any student code is imported: a line forged by student code does not
carry it, and the grader flags it. The grader never trusts this stream for WHAT should run (it
compares with a run of the instructor's reference solution) and kills the sandbox from outside
when a test overruns; a test that never reports is failed by the grader.

``--grade-log FILE`` appends the same records to a file instead: the student's local self-check
(``nox -s partN``), which is not a grade. ``--grade-skip FILE`` deselects the node ids it lists (tests the grader already has a result for,
when it restarts after a crash). ``--grade-quiet`` sends outcomes without messages (private tests).
Student code that calls ``sys.exit()`` inside a test fails that test with a plain message.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

MAX_MESSAGE = 300
"""Characters of a failure message kept (the first line only)."""

_state: dict[str, Any] = {"fd": None, "key": "", "quiet": False, "outcomes": {}, "messages": {}}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grade", "course grading (tools/grade.py)")
    group.addoption("--grade-fd", type=int, default=None, help="write results to this fd")
    group.addoption("--grade-key-fd", type=int, default=None, help="read the record key here")
    group.addoption("--grade-skip", default=None, help="deselect the node ids listed in FILE")
    group.addoption("--grade-import", action="append", default=[],
                    help="import MODULE before collecting and report whether it imports")
    group.addoption("--grade-quiet", action="store_true", help="report outcomes, no messages")
    group.addoption("--grade-log", default=None,
                    help="append the records to FILE instead (the unsandboxed self-check)")


def _send(record: dict[str, Any]) -> None:
    fd = _state["fd"]
    if fd is None:
        return
    line = json.dumps({"key": _state["key"], **record}) + "\n"
    data = line.encode("utf-8", "replace")
    while data:  # a pipe takes it all unless interrupted
        data = data[os.write(fd, data):]


def _first_line(text: str) -> str:
    text = text.strip()
    line = text.splitlines()[0] if text else ""
    return line[:MAX_MESSAGE]


def _task(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("task")
    return str(marker.args[0]) if marker is not None and marker.args else None


def pytest_configure(config: pytest.Config) -> None:
    key_fd = config.getoption("grade_key_fd")
    if key_fd is not None:
        with os.fdopen(key_fd, "r", encoding="ascii") as pipe:  # closes the fd
            _state["key"] = pipe.readline().strip()
    _state["fd"] = config.getoption("grade_fd")
    if _state["fd"] is not None:
        _fail_fast_hypothesis()
    log = config.getoption("grade_log")
    if log:
        _state["fd"] = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    _state["quiet"] = bool(config.getoption("grade_quiet"))


def _fail_fast_hypothesis() -> None:
    """Grading needs pass/fail, not a minimal example: no shrinking, no example database
    (a failing property test otherwise spends seconds shrinking)."""
    try:
        from hypothesis import Phase, settings
    except ImportError:
        return
    settings.register_profile("tinytorch-grading", database=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("tinytorch-grading")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Import each graded module first, so a package that does not import says why once."""
    import importlib

    for module in session.config.getoption("grade_import"):
        error = None
        try:
            importlib.import_module(module)
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            error = _first_line(f"{type(exc).__name__}: {exc}")
        _send({"event": "import", "module": module, "error": error})


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):  # type: ignore[no-untyped-def]
    """Turn ``SystemExit`` raised by the code under test into an ordinary test failure."""
    outcome = yield
    error = outcome.excinfo
    if error is not None and isinstance(error[1], SystemExit):
        outcome.force_exception(
            AssertionError(f"the code under test called sys.exit({error[1].code!r})"))


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # type: ignore[no-untyped-def]
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if report.failed:
        message = "" if _state["quiet"] else _first_line(
            str(report.longrepr).strip().splitlines()[-1] if report.longrepr else "")
        _send({"event": "collect_error", "file": report.nodeid, "message": message})


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    path = config.getoption("grade_skip")
    if not path:
        return
    done = set(Path(path).read_text(encoding="utf-8").splitlines())
    drop = [item for item in items if item.nodeid in done]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if item.nodeid not in done]


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    for item in session.items:
        _send({"event": "collected", "id": item.nodeid, "task": _task(item),
               "optional": item.get_closest_marker("optional") is not None})


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    _send({"event": "start", "id": nodeid})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    outcomes, messages = _state["outcomes"], _state["messages"]
    if report.failed:
        outcomes[item.nodeid] = "failed"
        crash = getattr(report.longrepr, "reprcrash", None)
        text = crash.message if crash is not None else str(report.longrepr)
        messages.setdefault(item.nodeid, f"{report.when}: {_first_line(text) or 'failed'}")
    elif report.skipped and report.when in ("setup", "call"):
        outcomes.setdefault(item.nodeid, "skipped")
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        messages.setdefault(item.nodeid, f"skipped: {_first_line(str(reason))}")
    elif report.passed and report.when == "call":
        outcomes.setdefault(item.nodeid, "passed")
    if report.when == "teardown":
        message = messages.pop(item.nodeid, "")
        _send({"event": "result", "id": item.nodeid,
               "outcome": outcomes.pop(item.nodeid, "failed"),
               "message": "" if _state["quiet"] else message})


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import resource

    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    _send({"event": "finished", "cpu": round(sum(u.ru_utime + u.ru_stime for u in used), 2)})
