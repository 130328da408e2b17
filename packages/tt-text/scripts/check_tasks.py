"""Check part 5's task model: for every task k (or the ones given),

(a) can fail:  with task k alone stubbed, EVERY test tagged k fails;
(b) in order:  with every later task stubbed, every test tagged k passes.

Each check copies ``src/`` to a temporary directory, stubs it with ``tools/solutions.py``, puts
the copy first on ``PYTHONPATH`` (it shadows the installed tt-text) and runs the tagged tests
(``-p pytest_task --task k``), reading each test's outcome from a JUnit XML report.

    python packages/tt-text/scripts/check_tasks.py [5.3 5.9 ...]   # with parts 1-3, 5 installed
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

PART = Path(__file__).resolve().parents[1]
TOOLS = PART.parents[1] / "tools"
sys.path.insert(0, str(TOOLS))

import solutions  # noqa: E402
import tasks  # noqa: E402


def outcomes(stubbed: list[str], task: str) -> dict[str, str]:
    """Test id -> "passed" / "failed" / "skipped" for the tests of ``task`` with ``stubbed``."""
    with tempfile.TemporaryDirectory(prefix=f"tt-text-{task}-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(PART / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
        solutions.stub_tree(src, stubbed)
        report = Path(tmp) / "report.xml"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(TOOLS)]),
               "PYTHONDONTWRITEBYTECODE": "1"}
        subprocess.run([sys.executable, "-m", "pytest", str(PART / "tests"),
                        "-c", str(PART / "pyproject.toml"), "--rootdir", str(PART),
                        "-p", "pytest_task", "--task", task, "-p", "no:cacheprovider", "-q",
                        "--timeout", "600", f"--junitxml={report}"],
                       env=env, cwd=tmp, capture_output=True, text=True, check=False)
        found = {}
        for case in ET.parse(report).getroot().iter("testcase"):
            name = f"{case.get('classname')}::{case.get('name')}"
            kinds = {child.tag for child in case}
            found[name] = ("failed" if kinds & {"failure", "error"} else
                           "skipped" if "skipped" in kinds else "passed")
        return found


def main(argv: list[str]) -> int:
    declared = [t.id for t in tasks.load_tasks(PART)]
    wanted = argv or declared
    problems = []
    for task in wanted:
        later = [t for t in declared if tasks.task_key(t) > tasks.task_key(task)]
        alone = outcomes([task], task)
        in_order = outcomes(later, task)
        not_failing = sorted(n for n, o in alone.items() if o != "failed")
        not_passing = sorted(n for n, o in in_order.items() if o != "passed")
        status = "ok" if alone and not not_failing and not not_passing else "PROBLEM"
        print(f"{task:>5}  {len(alone):3d} tests  {status}", flush=True)
        for name in not_failing:
            problems.append(f"{task}: (a) {name} does not fail with the task stubbed")
        for name in not_passing:
            problems.append(f"{task}: (b) {name} is {in_order[name]} with later tasks stubbed")
        if not alone:
            problems.append(f"{task}: no test is tagged with it")
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
