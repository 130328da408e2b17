"""pytest plugin: ``--record FILE`` writes every test's outcome and task as JSON.

Load it with ``-p pytest_record`` (its directory on ``sys.path``). The course tools (audit,
check) read outcomes from this file instead of parsing pytest's text::

    {"tests": {"tests/test_x.py::test_f[a]": {"task": "1.3", "outcome": "failed",
                                              "message": "NotImplementedError: 1.3: add"}},
     "errors": [{"nodeid": "tests/test_y.py", "message": "ImportError: ..."}],
     "exitstatus": 1}

``outcome`` is ``passed``, ``failed`` (the test body failed), ``error`` (a fixture's setup or
teardown failed), ``skipped`` (with the reason as message) or ``xfailed``/``xpassed``. ``errors``
are files that could not be collected. The file is written once, atomically, when the session
ends; a test the file does not list never reported (a crash or a kill).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

MESSAGE_CHARS = 300


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("course").addoption(
        "--record", metavar="FILE", default=None,
        help="write each test's outcome and task to FILE (JSON)",
    )


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("record")
    if path:
        config.pluginmanager.register(Recorder(Path(path)), "course-recorder")


def first_line(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The one line that says why a test failed or was skipped."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # skips: (file, line, reason)
        text = str(longrepr[2])
    else:
        crash = getattr(longrepr, "reprcrash", None)
        text = crash.message if crash is not None else report.longreprtext
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    line = lines[0] if lines else ""
    if line.startswith("Skipped: "):
        line = line[len("Skipped: "):]
    return line[:MESSAGE_CHARS]


class Recorder:
    """Collects outcomes during the session and writes them at its end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tasks: dict[str, str | None] = {}
        self.tests: dict[str, dict[str, str | None]] = {}
        self.errors: list[dict[str, str]] = []

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("task")
            task = str(marker.args[0]) if marker is not None and marker.args else None
            self.tasks[item.nodeid] = task

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append({"nodeid": report.nodeid, "message": first_line(report)})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.tests.setdefault(report.nodeid, {
            "task": self.tasks.get(report.nodeid), "outcome": "passed", "message": ""})
        if entry["outcome"] not in ("passed", "xpassed"):
            return  # keep the first problem (a teardown error after a failure adds nothing)
        if hasattr(report, "wasxfail"):
            entry["outcome"] = "xfailed" if report.skipped else "xpassed"
            entry["message"] = str(report.wasxfail)
        elif report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["message"] = first_line(report)
        elif report.skipped:
            entry["outcome"] = "skipped"
            entry["message"] = first_line(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, exitstatus: int) -> None:
        data = {"tests": self.tests, "errors": self.errors, "exitstatus": int(exitstatus)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        tmp.replace(self.path)
