"""Run many short pytest sessions, each on its own copy of the sources, from one warm process.

The audit needs ~2 pytest sessions per task (one per stubbed tree), each over a few test files.
A fresh interpreter pays ~2-4 s before the first test (Python, pytest and its plugins, NumPy,
hypothesis, PyTorch); a fork of a process that has already imported them pays ~0.3 s. So this
script, run by the Python of an environment holding a part and its dependencies, imports the
third-party modules once (never ``tinytorch``), then forks one child per job, at most
``workers`` at a time. A child:

1. copies each source tree the job stubs and stubs the given tasks (tools/solutions.py);
2. puts the trees first on ``sys.path`` (they shadow the editable installs, whose metadata
   still provides the entry points);
3. runs ``pytest.main(job.args)`` in its own empty directory, output to the job's log, with
   ``-p pytest_record`` writing every test's outcome to the job's JSON file.

A child gets its own process group; the parent kills the group at the job's deadline and after
the job ends (nothing it started outlives it). Usage (the audit writes JOBS and reads RESULTS)::

    python tools/pytest_pool.py JOBS.json RESULTS.jsonl

JOBS.json: ``{"workers": 2, "deadline": 900, "jobs": [{"id", "trees": [{"src", "stub"}],
"args", "record", "log", "cost"}]}``. RESULTS.jsonl: one ``{"id", "exit", "seconds",
"cpu", "killed"}`` line per job, in the order they finish (``cpu``: the child's CPU seconds).
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # two workers on two cores: no thread oversubscription

import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import pytest  # noqa: E402

import solutions  # noqa: E402

WARM = ("numpy", "hypothesis", "_hypothesis_pytestplugin", "pytest_timeout", "torch")
"""Imported once before forking, when installed: what every test session would import again."""

POLL = 0.02


def warm_up() -> None:
    """Import the heavy third-party modules; make hypothesis deterministic and quiet."""
    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    if "hypothesis" in sys.modules:
        from hypothesis import Phase, settings

        # No shrinking: the audit needs pass/fail, not the smallest failing example.
        settings.register_profile("tt-pool", deadline=None, derandomize=True, database=None,
                                  print_blob=False,
                                  phases=[Phase.explicit, Phase.reuse, Phase.generate])
        settings.load_profile("tt-pool")
    # What is imported now is shared by every child: keep the collector off it. Otherwise each
    # full collection in a child (pytest runs two per session) walks, and copies, the whole heap.
    gc.collect()
    gc.freeze()


def run_child(job: dict, scratch: Path) -> int:
    """In the forked child: build the job's trees, then run pytest on them."""
    os.setpgid(0, 0)
    work = Path(tempfile.mkdtemp(prefix=f"{job['id']}-", dir=scratch))
    paths = []
    for number, tree in enumerate(job["trees"]):
        src = Path(tree["src"])
        if tree["stub"]:
            copy = work / f"src{number}"
            shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
            solutions.stub_tree(copy, tree["stub"])
            src = copy
        paths.append(str(src))
    sys.path[:0] = paths
    run = work / "run"
    run.mkdir()
    os.chdir(run)
    log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    return int(pytest.main([*job["args"], "-p", "pytest_record", "--record", job["record"]]))


def fork_job(job: dict, scratch: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the child never returns into the pool's loop
        code = 3
        try:
            code = run_child(job, scratch)
        except BaseException as error:  # noqa: BLE001 - report anything, then leave
            print(f"pytest_pool: job {job['id']} failed to start: {error!r}", file=sys.stderr)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_jobs(jobs: list[dict], workers: int, deadline: float, results: Path) -> None:
    """Run every job, ``workers`` at a time, longest first; append each result to ``results``."""
    pending = sorted(jobs, key=lambda j: -j.get("cost", 1))
    running: dict[int, tuple[dict, float]] = {}
    done = 0
    with tempfile.TemporaryDirectory(prefix="tt-pool-") as scratch, \
            results.open("a", encoding="utf-8") as out:
        # Bytecode (pytest's assertion-rewritten test modules above all) is cached once for
        # every session, outside the tree.
        sys.pycache_prefix = str(Path(scratch) / "pycache")
        sys.dont_write_bytecode = False
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                running[fork_job(job, Path(scratch))] = (job, time.perf_counter())
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            finished: list[tuple[int, int, bool, float]] = []
            if pid:
                cpu = usage.ru_utime + usage.ru_stime
                finished.append((pid, os.waitstatus_to_exitcode(status), False, cpu))
            now = time.perf_counter()
            for other, (_job, start) in list(running.items()):
                if other != pid and now - start > deadline:
                    kill_group(other)
                    _, _, usage = os.wait4(other, 0)
                    finished.append((other, -signal.SIGKILL, True,
                                     usage.ru_utime + usage.ru_stime))
            for child, code, killed, cpu in finished:
                job, start = running.pop(child)
                kill_group(child)  # whatever the job left behind
                done += 1
                seconds = round(time.perf_counter() - start, 2)
                out.write(json.dumps({"id": job["id"], "exit": code, "seconds": seconds,
                                      "cpu": round(cpu, 2), "killed": killed}) + "\n")
                out.flush()
                print(f"  [{done}/{done + len(pending) + len(running)}] {job['id']} "
                      f"{seconds:.1f}s{' KILLED' if killed else ''}", file=sys.stderr, flush=True)
            if not finished:
                time.sleep(POLL)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    warm_up()
    run_jobs(spec["jobs"], int(spec.get("workers", 2)), float(spec.get("deadline", 900)),
             Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
