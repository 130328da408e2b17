"""What every submission of a batch shares, built once and trusted: the grading workspace.

    ws = prepare(part=2, earlier="reference", private=[Path("private/")], cache=Path(".nox/..."))

A workspace directory holds:

* ``env/``: a virtual environment with NumPy, pytest, pytest-timeout, hypothesis, torch (the
  oracle, from the machine's local wheel) and, with ``earlier="reference"``, the instructor's
  wheels of the earlier parts. Mounted read-only at ``/sandbox/env``.
* ``dist-info/``: the metadata (entry points included) of the instructor's wheel of every part a
  submission provides: a submission's package is installed with the instructor's pyproject.
* ``data/``: the non-Python files of those packages (embedded samples), from the instructor.
* ``tests/``: ``pytest.ini`` (written here from the part's ``[tool.pytest.ini_options]``), a copy
  of the part's tests with a canary pair of tests among them, an empty
  ``<dist>/tests/private_tests/`` (the private tests are mounted there only for the private run).
  Mounted at ``/sandbox/tests``.
* ``private_tests/``: a copy of ``--tests``.
* ``plugins/``: ``pytest_grade.py``, the only code of ours the sandbox imports.
* ``reference.json``: the instructor's solution graded in this very workspace: the trusted list
  of tests (node id, task, optional, private) every submission is compared with, and the
  integrity findings already present in the instructor's code.

Workspaces are cached by a hash of everything they are built from (tools, parts, tests, private
tests, options), so a second ``nox -s grade`` starts grading at once.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import _packages
import integrity
import submission as submission_tool
from grade_run import Timeouts, run_tests
from sandbox import Limits, bubblewrap

TOOLS = Path(__file__).resolve().parent
TRUSTED_TOOLS = ("grade.py", "grade_run.py", "grade_workspace.py", "pytest_grade.py",
                 "sandbox.py", "sandbox_launch.py", "integrity.py", "submission.py", "_packages.py")
"""Files whose change invalidates a cached workspace."""
PYTHON_INSIDE = "/sandbox/env/bin/python"
TESTS_INSIDE = "/sandbox/tests"
PRIVATE_DIR = "private_tests"
EXTRA_MARKERS = ("optional: skipping this test does not cost points",)


WARM_UP = """
import numpy, numpy.testing, pytest, pytest_timeout, hypothesis
import hypothesis.extra.numpy, hypothesis.extra.pytestplugin
"""


class WorkspaceError(RuntimeError):
    """The grading workspace cannot be built (build failure, reference fails its own tests)."""


@dataclass
class Workspace:
    """A built workspace (see the module docstring) and the trusted reference results."""

    root: Path
    part: _packages.Part
    earlier: str
    reference: dict

    @property
    def provided(self) -> list[str]:
        """Distributions whose package comes from the submission."""
        return self.reference["provided"]

    @property
    def tests_root(self) -> str:
        return f"{TESTS_INSIDE}/{self.part.name}/tests"

    def binds(self, site: Path, private: bool) -> dict[str, Path]:
        """What the sandbox mounts for one submission whose package tree is ``site``."""
        binds = {"/sandbox/env": self.root / "env", TESTS_INSIDE: self.root / "tests",
                 "/sandbox/plugins": self.root / "plugins", "/sandbox/submission": site}
        if private:
            binds[f"{self.tests_root}/{PRIVATE_DIR}"] = self.root / PRIVATE_DIR
        return binds

    def pytest_args(self, private: bool, timeout: float) -> list[str]:
        paths = ([f"{self.tests_root}/{PRIVATE_DIR}",
                  f"{TESTS_INSIDE}/{self.reference['canary']['file']}"] if private
                 else [self.tests_root])
        modules = [] if private else [_packages.spec_for_dist(d).module for d in self.provided]
        return [*paths, "-c", f"{TESTS_INSIDE}/pytest.ini", "--rootdir", TESTS_INSIDE,
                "-p", "pytest_grade", "-p", "pytest_timeout", "-p", "hypothesis.extra.pytestplugin",
                "-p", "no:cacheprovider", f"--timeout={timeout:g}", "--timeout-method=signal",
                "-q", "--no-header", "-rN", "--tb=no", "--continue-on-collection-errors",
                *(["--grade-quiet"] if private else []),
                *[arg for module in modules for arg in ("--grade-import", module)]]

    @property
    def has_private(self) -> bool:
        return any((self.root / PRIVATE_DIR).iterdir())


SANDBOX_ENV = {
    "PATH": "/sandbox/env/bin:/usr/bin:/bin", "HOME": "/tmp/work", "LANG": "C.UTF-8",
    "PYTHONPATH": "/sandbox/submission:/sandbox/plugins", "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
}
"""The whole environment of the sandbox: nothing of the grader's (no tokens, no passwords)."""


def _hash_tree(digest: hashlib._Hash, path: Path, label: str) -> None:
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for file in files:
        digest.update(f"{label}/{file.relative_to(path) if path.is_dir() else ''}\0".encode())
        digest.update(file.read_bytes())


def cache_key(part: _packages.Part, earlier: str, private: Sequence[Path],
              timeouts: Timeouts) -> str:
    """A hash of everything a workspace is built from."""
    digest = hashlib.sha256(f"{sys.version}|{earlier}|{timeouts}|{torch_wheel()}".encode())
    for name in TRUSTED_TOOLS:
        _hash_tree(digest, TOOLS / name, name)
    for dep in _packages.with_deps(part, part.path.parent.parent):
        for item in ("pyproject.toml", "tasks.toml", "src", "tests", "README.md"):
            if (dep.path / item).exists():
                _hash_tree(digest, dep.path / item, f"{dep.name}/{item}")
    for index, path in enumerate(private):
        _hash_tree(digest, path, f"private{index}")
    return digest.hexdigest()[:20]


def torch_wheel() -> Path | None:
    """The machine's local torch==TORCH_VERSION wheel (never downloaded), or None."""
    directory = _packages.local_torch_dir()
    if directory is None:
        return None
    return sorted(Path(directory).glob(f"torch-{_packages.TORCH_VERSION}*.whl"))[0]


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        raise WorkspaceError(f"{what} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        raise WorkspaceError("grading needs `uv` on PATH (pip install uv)")
    return uv


def uses_torch(paths: Sequence[Path]) -> bool:
    """Whether the tests use PyTorch (as an oracle) at all."""
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*.py"))]
    return any("torch" in f.read_text(encoding="utf-8", errors="replace") for f in files)


def _build_env(root: Path, parts: list[_packages.Part], provided: list[_packages.Part],
               private: Sequence[Path], log: Callable[[str], None]) -> str:
    """Wheels of every part, the base environment, dist-info and data; returns whether torch
    is "installed", "not needed" (no test uses it) or "missing" (no local wheel)."""
    uv = _uv()
    wheels = root / "wheels"
    for part in parts:
        _run([uv, "build", "--wheel", "--quiet", "--out-dir", str(wheels), str(part.path)],
             f"building {part.name}")
    by_name = {p.name: next(wheels.glob(f"{p.name.replace('-', '_')}-*.whl")) for p in parts}
    for part in provided:  # the instructor's metadata for the submission's package
        with zipfile.ZipFile(by_name[part.name]) as wheel:
            for name in wheel.namelist():
                top = name.split("/", 1)[0]
                if top.endswith(".dist-info") and not name.endswith("/RECORD"):
                    wheel.extract(name, root / "dist-info")
        package = part.src / "tinytorch" / part.spec.subpackage
        for file in package.rglob("*"):
            if file.is_file() and file.suffix != ".py" and "__pycache__" not in file.parts:
                target = root / "data" / "tinytorch" / part.spec.subpackage / file.relative_to(
                    package)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target)
    python = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    _run([uv, "venv", "--quiet", "--python", str(python), str(root / "env")], "uv venv")
    earlier = [str(by_name[p.name]) for p in parts if p not in provided]
    needs = [r for p in provided for r in p.requirements if not r.startswith("tt-")]
    needed = uses_torch([parts[-1].tests, *private])
    torch = torch_wheel() if needed else None
    status = "installed" if torch else "missing" if needed else "not needed"
    log(f"base environment: {len(earlier)} reference wheel(s), test tools, torch {status}"
        + (f" ({torch.name})" if torch else ""))
    _run([uv, "pip", "install", "--quiet", "--python", str(root / "env" / "bin" / "python"),
          *[a for p in parts for a in ("--refresh-package", p.name)], *earlier, *needs,
          *_packages.test_requirements(provided), *([str(torch)] if torch else [])],
         "installing the base environment")
    # The graded part's wheel is its solution and nothing below needs a wheel: never leave it
    # where an unisolated run (no bubblewrap, as on some Gradescope images) could read it.
    shutil.rmtree(wheels)
    # The sandbox cannot write .pyc files: import what every run imports once here, so that
    # pytest, NumPy and torch load from bytecode (compiling all of torch would take a minute).
    modules = [p.module for p in parts if p not in provided] + (["torch"] if torch else [])
    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    _run([str(root / "env" / "bin" / "python"), "-c",
          WARM_UP + "".join(f"import {m}\n" for m in modules)],
         "warming up the base environment", env=warm)
    return status


def _write_tests(root: Path, part: _packages.Part, private: Sequence[Path]) -> dict[str, str]:
    """pytest.ini, the tests, the private tests and the canary; returns the canary's node ids.

    The canary is a test that must fail and one that must pass, with random names, among the
    part's tests: if student code forges outcomes inside the process, the first one "passes".
    """
    tests = root / "tests"
    shutil.copytree(part.tests, tests / part.name / "tests",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", PRIVATE_DIR))
    (tests / part.name / "tests" / PRIVATE_DIR).mkdir()
    options = part.pyproject.get("tool", {}).get("pytest", {}).get("ini_options", {})
    ini = configparser.ConfigParser(interpolation=None)
    markers = [*options.get("markers", []), *EXTRA_MARKERS]
    ini["pytest"] = {"markers": "\n" + "\n".join(markers),
                     "addopts": str(options.get("addopts", "")),
                     "filterwarnings": "\n" + "\n".join(options.get("filterwarnings", []))}
    with (tests / "pytest.ini").open("w", encoding="utf-8") as handle:
        ini.write(handle)
    target = root / PRIVATE_DIR
    target.mkdir()
    for index, path in enumerate(private):
        dest = target / f"p{index}" if path.is_dir() else target
        if path.is_dir():
            shutil.copytree(path, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, dest / path.name)
    fail, passes = (f"test_{secrets.token_hex(6)}" for _ in range(2))
    canary = f"test_{secrets.token_hex(4)}.py"  # among the part's tests, named like them
    (tests / part.name / "tests" / canary).write_text(
        "import numpy as np\n\n\n"
        f"def {fail}():\n    np.testing.assert_allclose(np.ones(3), np.zeros(3))\n\n\n"
        f"def {passes}():\n    np.testing.assert_allclose(np.ones(3), np.ones(3))\n",
        encoding="utf-8")
    plugins = root / "plugins"
    plugins.mkdir()
    shutil.copy2(TOOLS / "pytest_grade.py", plugins / "pytest_grade.py")
    return {"file": f"{part.name}/tests/{canary}", "fail": f"{part.name}/tests/{canary}::{fail}",
            "pass": f"{part.name}/tests/{canary}::{passes}"}


def _copy_tree_parts(root: Path, parts: list[_packages.Part]) -> None:
    """The instructor files later steps read: pyprojects and tasks.toml (not the sources)."""
    for part in parts:
        target = root / "tree" / "packages" / part.name
        target.mkdir(parents=True)
        for name in ("pyproject.toml", "tasks.toml"):
            if (part.path / name).is_file():
                shutil.copy2(part.path / name, target / name)


def prepare(part: _packages.Part, earlier: str = "reference", private: Sequence[Path] = (),
            cache: Path | None = None, timeouts: Timeouts = Timeouts(),
            isolate: bool = True, log: Callable[[str], None] = print) -> Workspace:
    """Build (or reuse from ``cache``) the workspace to grade ``part``; see the module doc."""
    if earlier not in ("reference", "submission"):
        raise WorkspaceError(f"--earlier must be 'reference' or 'submission', not {earlier!r}")
    private = [Path(p).resolve() for p in private]
    for path in private:
        if not path.exists():
            raise WorkspaceError(f"private tests {path} do not exist")
    key = cache_key(part, earlier, private, timeouts)
    base = cache or Path(tempfile.mkdtemp(prefix="tt-grade-ws-"))
    final = base / f"{part.name}-{key}"
    if (final / "reference.json").is_file():
        log(f"workspace: reusing {final}")
        return load(final)
    start = time.perf_counter()
    staging = base / f".{final.name}.{secrets.token_hex(4)}"
    staging.mkdir(parents=True)
    try:
        parts = _packages.with_deps(part, part.path.parent.parent)
        provided = [p for p in parts if earlier == "submission" or p == part]
        torch = _build_env(staging, parts, provided, private, log)
        canary = _write_tests(staging, part, private)
        _copy_tree_parts(staging, parts)
        reference = {"part": part.number, "dist": part.name, "earlier": earlier,
                     "provided": [p.name for p in provided], "torch": torch,
                     "canary": canary,
                     "baseline": {p.name: integrity.baseline(p.src / "tinytorch" / p.spec.subpackage)
                                  for p in provided}}
        workspace = Workspace(staging, part, earlier, reference)
        _grade_reference(workspace, parts, provided, timeouts, isolate, log)
        (staging / "reference.json").write_text(json.dumps(reference, indent=1) + "\n",
                                                encoding="utf-8")
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(f"workspace: built in {time.perf_counter() - start:.1f} s at {final}")
    _prune(base, part.name)
    return load(final)


KEEP = 3
"""Cached workspaces kept per part (the newest)."""


def _prune(cache: Path, dist: str) -> None:
    """Remove all but the KEEP newest workspaces of ``dist`` in ``cache``."""
    built = sorted((p for p in cache.glob(f"{dist}-*") if (p / "reference.json").is_file()),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in built[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def load(root: Path) -> Workspace:
    """A workspace built earlier (by ``prepare``, maybe on another run: Gradescope's setup)."""
    reference = json.loads((root / "reference.json").read_text(encoding="utf-8"))
    part = _packages.part(reference["dist"], root / "tree")
    return Workspace(root, part, reference["earlier"], reference)


def _grade_reference(ws: Workspace, parts: list[_packages.Part],
                     provided: list[_packages.Part], timeouts: Timeouts, isolate: bool,
                     log: Callable[[str], None]) -> None:
    """Run the tests on the instructor's own packages; every test must pass (or be skipped by
    the environment, e.g. without torch: then it does not count for anyone)."""
    with tempfile.TemporaryDirectory(prefix="tt-ref-") as scratch:
        site = submission_tool.install_tree(
            {p.name: p.src / "tinytorch" / p.spec.subpackage for p in provided}, ws.root,
            Path(scratch))
        tests: dict[str, dict] = {}
        deadline = time.monotonic() + 4 * timeouts.wall
        for private in (False, True) if ws.has_private else (False,):
            run = run_tests(ws.binds(site, private), python=PYTHON_INSIDE,
                            pytest_args=ws.pytest_args(private, timeouts.test),
                            env=SANDBOX_ENV, timeouts=timeouts, deadline=deadline,
                            isolate=isolate, limits=Limits())
            canary = ws.reference["canary"]
            problems = [f"{nodeid}: {o.outcome} {o.message}" for nodeid, o in run.outcomes.items()
                        if o.outcome == "failed" and nodeid != canary["fail"]]
            problems += [f"{f}: {m}" for f, m in {**run.import_errors,
                                                    **run.collect_errors}.items()]
            if run.hung or run.forged_count:
                problems.append(run.hung or f"forged records: {run.forged}")
            if problems:
                raise WorkspaceError(
                    f"the instructor's reference of {ws.part.label} fails its own tests in the "
                    "grading environment; fix that first:\n  " + "\n  ".join(problems[:20]))
            for nodeid, (task, optional) in run.collected.items():
                if nodeid.startswith(canary["file"]):
                    continue
                outcome = run.outcomes.get(nodeid)
                tests[nodeid] = {"task": task, "optional": optional, "private": private,
                                 "skipped": outcome is not None and outcome.outcome == "skipped"}
    ws.reference["tests"] = tests
    skipped = sum(t["skipped"] for t in tests.values())
    isolated = "isolated" if isolate and bubblewrap()[0] else "NOT isolated"
    log(f"reference solution: {len(tests) - skipped} tests pass ({isolated})"
        + (f", {skipped} skipped by the environment (not counted)" if skipped else ""))
