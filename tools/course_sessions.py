"""nox sessions of the course workflow: coursemap, pins, stubs, audit, bump.

Imported by ``noxfile.py`` (after it puts ``tools/`` on ``sys.path``); the decorators register the
sessions. ``grade_part`` is the body of ``partN`` (the student's self-check); grading submissions
is ``nox -s grade`` (tools/grading_sessions.py).

    nox -s coursemap                 # regenerate docs/course-map.md from the code
    nox -s pins                      # CI: milestone pins == tree versions; course map not stale
    nox -s stubs -- OUT              # student release in OUT, built and collected to check it
    nox -s audit [-- --part 1 --allow-untested]   # honesty audit (CI)
    nox -s bump -- tt-nn minor       # version, CHANGELOG, re-run dependent milestones, re-pin
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import nox
from nox.command import CommandFailed

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

import _packages  # noqa: E402
import coursemap as coursemap_tool  # noqa: E402
import solutions  # noqa: E402
import stubs as stubs_tool  # noqa: E402
import versions  # noqa: E402


@nox.session(venv_backend="none")
def coursemap(session: nox.Session) -> None:
    """Regenerate the generated section of docs/course-map.md from markers, tests, milestones."""
    try:
        fresh, path = coursemap_tool.update(ROOT)
    except solutions.MarkerError as error:
        session.error(str(error))
    session.log(f"{path.relative_to(ROOT)} {'was up to date' if fresh else 'regenerated'}")


@nox.session(venv_backend="none")
def pins(session: nox.Session) -> None:
    """CI check: every milestone pins (==) the tree's versions, and the course map is fresh."""
    problems = versions.pin_problems(ROOT)
    try:
        fresh, path = coursemap_tool.update(ROOT, check=True)
    except solutions.MarkerError as error:
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


@nox.session
def audit(session: nox.Session) -> None:
    """Honesty audit: stub each task alone, one of its tests must fail. Posargs: tools/audit.py's
    (``--part N``, ``--allow-untested``, ``--timeout S``, ``--jobs J``).

    One environment per part, holding that part and its dependencies installed editable (part 1's
    tests must not see part 2); each task's stubbed copy shadows its part through PYTHONPATH, so
    there is no wheel build per task.
    """
    out_parts, rest = _split_parts(session.posargs)
    parts = [p for p in _packages.present_parts() if not out_parts or p.number in out_parts]
    if not parts:
        session.skip("no parts in this tree yet")
    failures = 0
    for part in parts:
        deps = _packages.with_deps(part)
        env = _packages.fresh_dir(session, f"audit-part{part.number}").absolute()
        session.run(_packages.uv(session), "venv", "--quiet", "--python", sys.executable, str(env))
        python = str(env / "bin" / "python")
        editable = [arg for p in deps for arg in ("-e", str(p.path))]
        session.run(_packages.uv(session), "pip", "install", "--quiet", "--python", python,
                    *editable, *_packages.test_requirements(deps))
        try:
            session.run("python", str(TOOLS / "audit.py"), "--python", python,
                        "--part", str(part.number), *rest)
        except CommandFailed:
            failures += 1
    if failures:
        session.error(f"the audit failed for {failures} part(s): see the reports above")


def _split_parts(args: list[str]) -> tuple[set[int], list[str]]:
    """``--part N`` options (repeatable) taken out of posargs."""
    parts: set[int] = set()
    rest: list[str] = []
    items = iter(args)
    for arg in items:
        if arg == "--part":
            value = next(items, "")
            if not value.isdigit():
                raise SystemExit("audit: --part needs a part number")
            parts.add(int(value))
        else:
            rest.append(arg)
    return parts, rest


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


def grade_part(session: nox.Session, number: int, args: list[str] | None = None) -> None:
    """What ``partN`` runs after installing the wheels: the STUDENT'S LOCAL SELF-CHECK.

    It runs part ``number``'s tests of the tree the noxfile sits in (``args``, default the
    posargs, go to pytest), prints the score each task would get and fails the session when a
    test failed. It is not a grade: it trusts the tree it runs in. Instructors grade
    submissions with ``nox -s grade`` (tools/grade.py).
    """
    import json
    import tempfile

    import reports
    import tasks as tasks_tool

    part = _packages.part(number)
    with tempfile.TemporaryDirectory(prefix="tt-check-") as scratch:
        shutil.copy2(TOOLS / "pytest_grade.py", Path(scratch) / "pytest_grade.py")
        log = Path(scratch) / "results.jsonl"
        with session.chdir(_packages.fresh_dir(session, "run")):
            session.run("python", "-m", "pytest", str(part.tests), "-c",
                        str(part.path / "pyproject.toml"), "--rootdir", str(part.path),
                        "-p", "pytest_grade", "--grade-log", str(log), "-p", "no:cacheprovider",
                        "--timeout=120", "-q", "-rfE", "--tb=short",
                        *(session.posargs if args is None else args),
                        env={"PYTHONPATH": scratch}, success_codes=[0, 1, 5])
        records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    grade = reports.self_check(records, part, tasks_tool.load_tasks(part.path))
    session.log(f"self-check of {part.label} in {ROOT} (not a grade: your instructor grades "
                "submissions with `nox -s grade`)\n" + reports.render_table(grade))
    failed = sum(not f.passed for f in grade.functions)
    if failed:
        session.error(f"{failed} test function(s) failed; next: task {grade.next_task.id}"
                      if grade.next_task else f"{failed} test function(s) failed")
