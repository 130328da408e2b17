"""nox sessions of the course workflow: coursemap, pins, stubs, audit, bump, publish.

Imported by ``noxfile.py`` (after it puts ``tools/`` on ``sys.path``); the decorators register the
sessions. Grading is done by the ``partN`` sessions through ``grade.run_grading``.

    nox -s coursemap                 # regenerate docs/course-map.md from the code
    nox -s pins                      # CI: milestone pins == tree versions; course map not stale
    nox -s stubs -- OUT              # student release in OUT, built and collected to check it
    nox -s audit [-- --part 1 --allow-untested]   # honesty audit (CI)
    nox -s bump -- tt-nn minor       # version, CHANGELOG, re-run dependent milestones, re-pin
    nox -s publish -- --repository-url URL [--parts tt-tensor tt-nn] [-u USER -p PASS]
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import nox

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import coursemap as coursemap_tool  # noqa: E402
import part_envs  # noqa: E402
import solutions  # noqa: E402
import stubs as stubs_tool  # noqa: E402
import tasks as tasks_tool  # noqa: E402
import versions  # noqa: E402


@nox.session(venv_backend="none")
def coursemap(session: nox.Session) -> None:
    """Regenerate the generated section of docs/course-map.md from markers, tests, milestones."""
    try:
        fresh, path = coursemap_tool.update(ROOT)
    except coursemap_tool.ERRORS as error:
        session.error(str(error))
    session.log(f"{path.relative_to(ROOT)} {'was up to date' if fresh else 'regenerated'}")


@nox.session(venv_backend="none")
def pins(session: nox.Session) -> None:
    """CI check: every milestone pins (==) the tree's versions, and the course map is fresh."""
    problems = versions.pin_problems(ROOT)
    try:
        fresh, path = coursemap_tool.update(ROOT, check=True)
    except coursemap_tool.ERRORS as error:
        problems.append(str(error))
    else:
        if not fresh:
            problems.append(f"{path.relative_to(ROOT)} is stale: run `nox -s coursemap`")
    if problems:
        session.error("\n  " + "\n  ".join(problems))
    session.log(f"{len(_packages.milestones(ROOT))} milestone(s) pinned to the tree; map fresh")


@nox.session
def stubs(session: nox.Session) -> None:
    """Write a student release to OUT (posarg), then build, install and collect its tests."""
    if len(session.posargs) != 1:
        session.error("usage: nox -s stubs -- OUT   (a new directory outside the repository)")
    try:
        result = stubs_tool.release(Path(session.posargs[0]))
    except (FileExistsError, ValueError, solutions.MarkerError) as error:
        session.error(str(error))
    session.log(stubs_tool.summary(result))
    parts = _packages.present_parts(result.out)
    if not parts:
        session.skip("no parts in the release to check")
    wheels = _packages.build_wheels(session, parts, _packages.fresh_dir(session, "dist"))
    _packages.install_wheels(session, wheels, *_packages.test_requirements(parts))
    modules = [p.module for p in parts]
    with session.chdir(_packages.fresh_dir(session, "run")):
        session.run("python", "-c", "import importlib, sys; "
                    "[importlib.import_module(m) for m in sys.argv[1:]]", *modules)
        for part in parts:
            if part.has_tests():
                session.run("pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                            str(part.tests), "-c", str(part.path / "pyproject.toml"),
                            "--rootdir", str(part.path), silent=True)
    session.log(f"release OK: {', '.join(modules)} import stubbed; every test collects")


@nox.session(venv_backend="none")
def audit(session: nox.Session) -> None:
    """The audit (tools/audit.py): every task can fail, can be done in order, and the solution
    passes. Posargs go to tools/audit.py (``--part N``, ``--workers J``, ``--timeout S``).

    One environment per part (.nox/_parts/partN-torch: the part and its dependencies installed
    editable, plus PyTorch as the oracle when a local wheel exists), so part 1's tests never see
    part 2; stubbed copies shadow the editable sources, nothing is built per task.
    """
    wanted = _part_numbers(session.posargs)
    try:
        course = tasks_tool.load_course(ROOT, wanted or None)
    except coursemap_tool.ERRORS as error:
        session.error(str(error))
    wanted = wanted or [p.number for p in course.parts]
    torch = _packages.local_torch_dir() is not None
    if not torch:
        session.warn("no local torch wheel: PyTorch-oracle tests skip and are not audited")
    pythons = []
    for part in course.parts:
        if part.number in wanted:
            try:
                python = part_envs.ensure_env(part, ROOT, torch=torch, log=session.log)
            except part_envs.EnvError as error:
                session.error(str(error))
            pythons += ["--python", f"{part.number}={python}"]
    session.run(sys.executable, str(TOOLS / "audit.py"), *pythons, *session.posargs,
                external=True)


def _part_numbers(args: list[str]) -> list[int]:
    """The N of every ``--part N`` in ``args``."""
    return [int(value) for flag, value in zip(args, args[1:]) if flag == "--part"
            and value.isdigit()]


@nox.session(venv_backend="none")
def check(session: nox.Session) -> None:
    """``-- 2.4`` (a task), ``-- 2`` (a part), ``-- all`` or ``-- progress``: run those tests on
    the tree as it is and say what to do next (tools/check.py; ``--torch``, ``--verbose``)."""
    if not session.posargs:
        session.error("usage: nox -s check -- <task like 2.4 | part like 2 | all | progress>")
    session.run(sys.executable, str(TOOLS / "check.py"), *session.posargs, external=True)


@nox.session(venv_backend="none")
def progress(session: nox.Session) -> None:
    """Every task: done, in progress or not started (``nox -s check -- progress``)."""
    session.run(sys.executable, str(TOOLS / "check.py"), "progress", *session.posargs,
                external=True)


def _run_milestone(session: nox.Session, milestone: _packages.Milestone,
                   wheels: dict[str, Path], tree: dict[str, str], work: Path) -> str | None:
    """Install ``milestone`` re-pinned to the tree's versions and run its scripts.

    Returns None when every script passed, else why it failed.
    """
    copy = work / milestone.path.name
    shutil.copytree(milestone.path, copy, ignore=shutil.ignore_patterns("__pycache__", "dist"))
    trial = _packages.Milestone.load(copy)
    versions.repin(trial, {d: tree[d] for d in trial.pins if d in tree})
    trial = _packages.Milestone.load(copy)
    missing = [d for d in trial.pins if d not in wheels]
    if missing:
        return f"needs {', '.join(missing)}, not in this tree"
    if not trial.scripts:
        return "declares no [project.scripts] to run"
    _, why = _packages.run_milestone_alone(session, trial, wheels, work / "figures")
    return why


@nox.session
def bump(session: nox.Session) -> None:
    """``-- DIST RULE``: hatch version RULE in DIST, open a CHANGELOG entry, re-run dependent
    milestones with the tree's parts, re-pin those that pass, report those that fail."""
    if len(session.posargs) != 2:
        session.error("usage: nox -s bump -- <tt-part> <major|minor|patch|...|VERSION>")
    name, rule = session.posargs
    session.install("hatch")  # `hatch version` writes the new version into the part
    try:
        part = _packages.part(int(name) if name.isdigit() else name)
        old, new = versions.bump_version(part, rule)
    except (KeyError, _packages.MissingPart, versions.VersionError) as error:
        session.error(str(error))
    changelog = versions.open_changelog_entry(part, new)
    session.log(f"{part.name}: {old} -> {new}; opened an entry in {changelog.relative_to(ROOT)}")
    for conflict in versions.range_conflicts(part.name, new):
        session.warn(conflict)
    dependents = versions.dependent_milestones(part.name)
    if not dependents:
        coursemap_tool.update(ROOT)
        session.log(f"no milestone depends on {part.name}: nothing to re-pin")
        return
    parts = _packages.present_parts()
    tree = {p.name: p.version for p in parts}
    wheels = _packages.build_wheels(session, parts, _packages.fresh_dir(session, "dist"))
    work = _packages.fresh_dir(session, "bump")
    repinned: list[str] = []
    kept: list[str] = []
    for milestone in dependents:
        start = time.perf_counter()
        why = _run_milestone(session, milestone, wheels, tree, work)
        took = time.perf_counter() - start
        if why is None:
            changes = versions.repin(milestone, {d: tree[d] for d in milestone.pins if d in tree})
            repinned.append(f"{milestone.name}: passed in {took:.0f}s, re-pinned "
                            f"{', '.join(changes) or '(pins already current)'}")
        else:
            kept.append(f"{milestone.name}: {why}; KEPT its old pins "
                        f"({', '.join(f'{d}=={v}' for d, v in milestone.pins.items())})")
    fresh, map_path = coursemap_tool.update(ROOT)  # the map shows versions and pins
    if not fresh:
        session.log(f"regenerated {map_path.relative_to(ROOT)} (commit it with the bump)")
    for line in repinned:
        session.log(f"re-pinned  {line}")
    for line in kept:
        session.warn(f"not re-pinned  {line}")
    if kept:
        session.error(f"{len(kept)} milestone(s) fail with {part.name} {new}; fix them or "
                      "keep their old pins (`nox -s pins` will report them)")


@nox.session
def publish(session: nox.Session) -> None:
    """``-- --repository-url URL [--parts ...] [-u USER -p PASS]``: build and upload parts."""
    session.install("twine>=5")
    session.run("python", str(TOOLS / "publish.py"), *session.posargs)


def grade_part(session: nox.Session, number: int, args: list[str] | None = None) -> None:
    """What ``partN`` runs after installing the wheels: grade part ``number``.

    ``args`` (default: the posargs) may hold ``--out DIR`` and ``--tests DIR`` (repeatable); the
    rest goes to pytest. Fails the session when a test failed, after writing the report.
    """
    import grade

    out, extra, rest = grade.split_options(session.posargs if args is None else args)
    part = _packages.part(number)
    report = grade.run_grading(session, part, part.tests, out, extra, pytest_args=rest)
    session.log(grade.render_text(report))
    if report.failed:
        session.error(f"{report.failed} of {report.total} tests failed; report in "
                      f"{out or ROOT / 'grades' / f'part{number}'}")
