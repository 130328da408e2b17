"""Hostile submissions: each is a released copy that fails everything honestly plus ONE attack.

Graded together in one batch (``--jobs 2``) against a tiny course (tests/minicourse.py: honest
score 0 of 6). Each attack must keep the honest score or be flagged; every report must be
written by the grader; nothing may outlive the grader; no secret (an environment variable of the
grader, the private tests, the instructor's solution) may appear in any output.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import minicourse  # noqa: E402

import _packages  # noqa: E402
import grade  # noqa: E402
import grade_workspace  # noqa: E402
import sandbox  # noqa: E402

pytestmark = pytest.mark.skipif(
    sandbox.bubblewrap()[0] is None or shutil.which("uv") is None,
    reason=f"needs bubblewrap and uv: {sandbox.bubblewrap()[1] or 'uv missing'}")

SECRET = "sekrit-7c1d-do-not-leak"
SECRETS = (SECRET, "PRIVATE-MARKER-never-shown", "SOLUTION-MARKER-instructor-only")
JOBS = 2
SETTINGS = grade.Settings(grade.Timeouts(test=3, grace=2, start=10, wall=60),
                          sandbox.Limits(memory=1 << 30, processes=64))

FORGE = """
def _forge():
    import pathlib
    for name in ("report.json", "results.json", "report.md", "../gradebook.csv"):
        try:
            path = pathlib.Path({out!r}) / {name!r} / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text('{{"score": 6.0, "max_score": 6.0, "tests": []}}')
        except OSError:
            pass
"""

EVIL_PLUGIN = """
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None

def pytest_collection_modifyitems(config, items):
    config.hook.pytest_deselected(items=list(items))
    items[:] = []
"""

PATCH_REPORT = """
import _pytest.reports as _reports
_original = _reports.TestReport.from_item_and_call.__func__

def _always_passed(cls, item, call):
    report = _original(cls, item, call)
    report.outcome = "passed"
    report.longrepr = None
    return report

_reports.TestReport.from_item_and_call = classmethod(_always_passed)
"""

PATCH_PLUGIN = """
import sys
_grade = sys.modules.get("pytest_grade")
if _grade is not None:
    _original = _grade._send
    def _send(record):
        if record.get("event") == "result":
            record = {**record, "outcome": "passed", "message": ""}
        _original(record)
    _grade._send = _send
"""

DESELECT = """
import gc
import pytest

class _Deselect:
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        config.hook.pytest_deselected(items=list(items))
        items[:] = []

for _obj in gc.get_objects():
    if type(_obj).__name__ == "Config" and hasattr(_obj, "pluginmanager"):
        _obj.pluginmanager.register(_Deselect(), "student-deselect")
        break
"""

FORGE_CHANNEL = """
import json, os
_ids = {ids!r}
_lines = "".join(json.dumps({{"key": "", "event": e, "id": i, "outcome": "passed"}}) + "\\n"
                 for i in _ids for e in ("start", "result"))
for _fd in range(3, 40):
    try:
        os.write(_fd, _lines.encode())
    except OSError:
        pass
try:
    with open("/sandbox/run/skip.txt", "w") as _done:
        _done.write("\\n".join(_ids))
except OSError:
    pass
"""

LEAK = """
import glob, os
found = [f"{{k}}={{v}}" for k, v in os.environ.items()]
for pattern in ({course!r} + "/**/*.py", {private!r} + "/*", "/sandbox/tests/**/*.py",
                "/proc/*/environ", {tools!r} + "/*.py"):
    for path in glob.glob(pattern, recursive=True):
        try:
            found.append(open(path, errors="replace").read())
        except OSError:
            pass
found = [x.replace("\\n", " ") for x in found if "MARKER" in x or "sekrit" in x]
raise AssertionError(" | ".join(found) or "found nothing")
"""

BUILD_HOOK = """
import pathlib
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        pathlib.Path({marker!r}).write_text("the build hook ran")
"""


def _attacks(course: Path, out: Path, marker: Path, ids: list[str]) -> dict[str, dict]:
    """name -> how to build it: ``top``/``body``/``task`` for inject, ``files`` to add."""
    forge = {name: FORGE.format(out=str(out), name=name) for name in
             ("report-at-import", "report-at-exit", "daemon")}
    pyproject = (course / "packages" / "tt-tensor" / "pyproject.toml").read_text()
    evil = "packages/tt-tensor/src/tinytorch/tensor/evil.py"
    return {
        "honest": {},
        "report-at-import": {"top": forge["report-at-import"] + "\n_forge()"},
        "report-at-exit": {"top": "import atexit\n" + forge["report-at-exit"]
                           + "\natexit.register(_forge)"},
        "daemon": {"top": "import subprocess, sys\n" + forge["daemon"] + (
            "\nsubprocess.Popen([sys.executable, '-c', 'import time, ops\\n"
            "for _ in range(100):\\n    ops._forge(); time.sleep(0.1)'],"
            " start_new_session=True, cwd=__import__('os').path.dirname(__file__))")},
        "results-channel": {"top": FORGE_CHANNEL.format(ids=ids)},
        "conftest": {"files": {"conftest.py": EVIL_PLUGIN,
                               "packages/tt-tensor/tests/conftest.py": EVIL_PLUGIN}},
        "addopts": {"files": {evil: EVIL_PLUGIN, "packages/tt-tensor/pyproject.toml":
                              pyproject.replace('addopts = "', 'addopts = "-p tinytorch.tensor.evil ')}},
        "entry-point": {"files": {evil: EVIL_PLUGIN, "packages/tt-tensor/pyproject.toml":
                                  pyproject + '\n[project.entry-points.pytest11]\n'
                                  'evil = "tinytorch.tensor.evil"\n'}},
        "patch-report": {"top": PATCH_REPORT},
        "patch-plugin": {"top": PATCH_PLUGIN},
        "deselect": {"top": DESELECT},
        "hang-at-import": {"top": "while True:\n    pass"},
        "swallowed-timeout": {"task": "1.2", "body": (
            "import time\nwhile True:\n    try:\n        time.sleep(0.2)\n"
            "    except BaseException:\n        pass")},
        "fork-bomb": {"task": "1.2", "body": (
            "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
            "        pass")},
        "memory": {"task": "1.3", "body": "np.empty(1 << 30).fill(1.0)"},  # 8 GiB, touched
        "os-exit": {"task": "1.1", "body": "import os\nos._exit(0)"},
        "kill-parent": {"task": "1.3", "body": (
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
            "os.kill(-1, signal.SIGKILL)")},
        "read-secrets": {"task": "1.1", "body": LEAK.format(
            course=str(course), private=str(course / "private"), tools=str(grade.TOOLS))},
        "build-hook": {"files": {
            "packages/tt-tensor/hatch_build.py": BUILD_HOOK.format(marker=str(marker)),
            "packages/tt-tensor/setup.py": f"open({str(marker)!r}, 'w').write('setup.py ran')\n",
            "packages/tt-tensor/pyproject.toml": pyproject + "\n[tool.hatch.build.hooks.custom]\n"}},
    }


def _sandbox_processes() -> list[str]:
    """Processes still running as a sandbox uid, or children of this process."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        uid = int(fields.get("Uid", "0").split()[0])
        ppid = int(fields.get("PPid", "0").strip())
        if uid in sandbox.claimed_uids() or ppid == os.getpid():
            found.append(f"{status.parent.name} uid={uid} {fields.get('Name', '').strip()}")
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    course = root / "course"
    minicourse.write_course(course)
    out = root / "grades"
    marker = root / "build-hook-ran"
    part = _packages.part(1, course)
    old = os.environ.get("TT_FAKE_SECRET")
    os.environ["TT_FAKE_SECRET"] = SECRET  # in the grader's environment, never the sandbox's
    try:
        ws = grade_workspace.prepare(part, private=[course / "private"], cache=root / "cache",
                                     timeouts=SETTINGS.timeouts, log=lambda _: None)
        ids = sorted(ws.reference["tests"])
        subs = []
        for name, attack in _attacks(course, out, marker, ids).items():
            sub = minicourse.release(course, root / "subs" / name)
            minicourse.inject(sub, top=attack.get("top", ""), body=attack.get("body", ""),
                              task=attack.get("task", ""))
            for relative, text in attack.get("files", {}).items():
                (sub / relative).write_text(text, encoding="utf-8")
            subs.append(sub)
        start = time.perf_counter()
        grades = grade.grade_batch(ws, subs, out, jobs=JOBS, settings=SETTINGS)
        took = time.perf_counter() - start
        right_after = _sandbox_processes()
        time.sleep(2)  # a surviving daemon would rewrite reports now
    finally:
        if old is None:
            os.environ.pop("TT_FAKE_SECRET")
        else:
            os.environ["TT_FAKE_SECRET"] = old
    return {g.submission: g for g in grades}, out, marker, right_after, took


def test_each_attack_keeps_the_honest_score_or_is_flagged(graded):
    grades, *_ = graded
    table = {name: (g.score, bool(g.flags)) for name, g in grades.items()}
    print("\nattack, score, flagged:\n" + "\n".join(f"  {n:<18} {s:g}/6 {f}"
                                                   for n, (s, f) in table.items()))
    for name, (score, flagged) in table.items():
        assert score == 0 or flagged, (name, grades[name].tasks)
    assert not table["honest"][1]
    for name, (score, _) in table.items():  # every attack keeps the honest score, 0
        assert score == 0, name
    for caught in ("report-at-import", "report-at-exit", "daemon", "results-channel",
                   "patch-report", "patch-plugin", "deselect", "fork-bomb", "os-exit",
                   "kill-parent", "read-secrets"):
        assert table[caught][1], f"{caught} was not flagged"


def test_forged_outcomes_are_caught_by_the_stream_and_the_canary(graded):
    grades, *_ = graded
    assert any("results channel" in f for f in grades["results-channel"].flags)
    for name in ("patch-report", "patch-plugin"):  # forged in-process: caught, scored 0
        assert any("canary" in f for f in grades[name].flags)
        assert grades[name].score == 0 and "tampered" in grades[name].error


def test_runaway_code_is_stopped_from_outside(graded):
    grades, *_ = graded
    hang = grades["hang-at-import"]
    assert hang.error and "killed by the grader" in hang.error
    for name in ("swallowed-timeout", "fork-bomb"):
        square = next(t for t in grades[name].tasks if t.id == "1.2")
        assert "timed out" in square.first_failure, (name, square)
    memory = next(t for t in grades["memory"].tasks if t.id == "1.3")
    assert "MemoryError" in memory.first_failure
    exits = next(t for t in grades["os-exit"].tasks if t.id == "1.1")
    assert "died" in exits.first_failure


def test_every_report_is_written_by_the_grader(graded):
    grades, out, marker, *_ = graded
    for name, g in grades.items():
        data = json.loads((out / name / "report.json").read_text())
        assert (data["submission"], data["score"]) == (name, g.score)
        assert json.loads((out / name / "results.json").read_text())["score"] == g.score
        assert (out / name / "report.md").read_text().startswith("# Part 1")
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("submission,1.1,1.2,1.3,total") and len(rows) == len(grades) + 1
    assert not marker.exists(), "a build hook of the submission ran"


def test_nothing_outlives_the_grader(graded):
    *_, right_after, _took = graded
    assert right_after == []
    assert _sandbox_processes() == []


def test_no_secret_reaches_any_output(graded, capsys):
    _, out, *_ = graded
    texts = [p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()]
    captured = capsys.readouterr()
    for secret in SECRETS:
        for text in [*texts, captured.out, captured.err]:
            assert secret not in text
