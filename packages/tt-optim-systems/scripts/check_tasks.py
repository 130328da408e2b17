"""Check part 6's task model strictly (stronger than tools/audit.py, which stops at one failure).

For every task k declared in ``tasks.toml``:

(a) stubbing task k alone makes EVERY test tagged k fail;
(b) stubbing every later task (k' > k) leaves EVERY test tagged k passing.

Each run copies ``src/`` to a temporary directory, stubs it with ``tools/solutions.py``, puts the
copy first on ``PYTHONPATH`` (shadowing the editable install) and runs the tagged tests with a
JUnit XML report, which gives each test's outcome.

    python packages/tt-optim-systems/scripts/check_tasks.py [--python PY] [TASK ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

PART = Path(__file__).resolve().parent.parent
REPO = PART.parent.parent
sys.path.insert(0, str(REPO / "tools"))

import solutions  # noqa: E402
import tasks as task_decls  # noqa: E402


def run(python: str, stub: list[str], task: str) -> dict[str, str]:
    """Outcome ("passed"/"failed"/"error"/"skipped") of each test tagged ``task``, with the
    tasks in ``stub`` stubbed."""
    with tempfile.TemporaryDirectory(prefix=f"tt6-{task}-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(PART / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
        if stub:
            solutions.stub_tree(src, stub)
        report = Path(tmp) / "report.xml"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "tools"), str(src)]),
               "PYTHONDONTWRITEBYTECODE": "1"}
        subprocess.run([python, "-m", "pytest", str(PART / "tests"), "-c",
                        str(PART / "pyproject.toml"), "--rootdir", str(PART), "-p", "pytest_task",
                        "-p", "no:cacheprovider", "-q", "--task", task, f"--junitxml={report}",
                        "--timeout=120"], env=env, cwd=tmp, capture_output=True, check=False)
        outcomes = {}
        for case in ET.parse(report).getroot().iter("testcase"):
            name = f"{case.get('classname')}::{case.get('name')}"
            kinds = {child.tag for child in case}
            outcomes[name] = ("failed" if "failure" in kinds else "error" if "error" in kinds
                              else "skipped" if "skipped" in kinds else "passed")
        return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("tasks", nargs="*", help="only these task ids")
    args = parser.parse_args(argv)
    declared = [t.id for t in task_decls.load_tasks(PART)]
    bad = 0
    for i, task in enumerate(declared):
        if args.tasks and task not in args.tasks:
            continue
        alone = run(args.python, [task], task)
        later = run(args.python, declared[i + 1:], task) if declared[i + 1:] else \
            run(args.python, [], task)
        passing_stub = [n for n, o in alone.items() if o in ("passed", "skipped")]
        failing_in_order = [n for n, o in later.items() if o not in ("passed", "skipped")]
        status = "ok" if alone and not passing_stub and not failing_in_order else "BAD"
        bad += status != "ok"
        print(f"{task:>5} {status:<3} {len(alone):>3} tests"
              + (" (no tests)" if not alone else "")
              + (f"; pass with the stub: {passing_stub}" if passing_stub else "")
              + (f"; fail with later tasks stubbed: {failing_in_order}" if failing_in_order
                 else ""), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
