"""nox sessions of the course workflow: coursemap, pins, release, leaks, audit, check, bump.

Imported by ``noxfile.py`` (after it puts ``tools/`` on ``sys.path``); the decorators register the
sessions. ``grade_part`` is the body of ``partN`` (the student's self-check); grading submissions
is ``nox -s grade`` (tools/grading_sessions.py).

    nox -s coursemap                 # regenerate docs/course-map.md from the code
    nox -s pins                      # CI: milestone pins == tree versions; course map not stale
    nox -s release -- --parts 1-2 [--solved 1] OUT [--patch-against OLD PATCH]
    nox -s leaks                     # CI: no solution line in a fresh release or its site
    nox -s audit [-- --part 1]       # CI: every task can fail, in order, complete
    nox -s check -- 2.4              # one task's tests on the tree, and what is next
    nox -s progress                  # every task: done, in progress, not started
    nox -s bump -- tt-nn minor       # version, CHANGELOG, re-run dependent milestones, re-pin
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
import leaks as leaks_tool  # noqa: E402
import nox_install  # noqa: E402
import part_envs  # noqa: E402
import release as release_tool  # noqa: E402
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
def release(session: nox.Session) -> None:
    """Student repository: ``-- --parts 1-2 [--solved 1] OUT [--patch-against OLD PATCH]``.

    Writes OUT with tools/release.py, then builds its parts, installs them and collects their
    tests (the release must import and its tests must load)."""
    args = release_tool.parser().parse_args(session.posargs)
    session.run("python", str(TOOLS / "release.py"), *session.posargs)
    parts = _packages.present_parts(args.out)
    wheels = nox_install.build_wheels(session, parts, nox_install.fresh_dir(session, "dist"))
    nox_install.install_wheels(session, wheels, *_packages.test_requirements(parts))
    with session.chdir(nox_install.fresh_dir(session, "run")):
        session.run("python", "-c", "import importlib, sys; "
                    "[importlib.import_module(m) for m in sys.argv[1:]]",
                    *[p.module for p in parts])
        for part in parts:
            session.run("pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                        str(part.tests), "-c", str(part.path / "pyproject.toml"),
                        "--rootdir", str(part.path), silent=True)
    session.log(f"release OK: {', '.join(p.module for p in parts)} import; every test collects")


@nox.session
def leaks(session: nox.Session) -> None:
    """CI: no solution line in a fresh release nor in the student site built from it.

    Releases every part stubbed, builds the student site from the release and the instructor
    site from the tree (separately), and greps the release and both sites for every solution
    line (tools/leaks.py); fails on a hit in the student artifacts or an instructor page in the
    student site."""
    session.install("mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26", "ruff")
    work = nox_install.fresh_dir(session, "leaks").absolute()
    try:
        out = release_tool.release(ROOT, work / "release", "all", log=session.log)
    except (release_tool.ReleaseError, *coursemap_tool.ERRORS) as error:
        session.error(str(error))
    quiet = {"NO_MKDOCS_2_WARNING": "1"}
    sites = {"student": (out, work / "student-site"), "instructor": (ROOT, work / "instructor-site")}
    for name, (tree, site) in sites.items():
        session.log(f"building the {name} site from {tree}")
        session.run("mkdocs", "build", "--strict", "--quiet", "-f", str(tree / "mkdocs.yml"),
                    "-d", str(site), env=quiet)
    needles = leaks_tool.needles(ROOT)
    student = leaks_tool.scan_dirs([out, sites["student"][1]], needles)
    pages = leaks_tool.pages_present(sites["student"][1], release_tool.INSTRUCTOR_DOCS)
    shown = leaks_tool.scan_dirs([sites["instructor"][1]], needles)
    session.log(f"{len(needles)} solution lines looked for; the instructor site shows "
                f"{len({h.needle for h in shown})} of them (it may), the student artifacts "
                f"{len(student)}")
    if student or pages:
        session.error("solutions reach students:\n  " + "\n  ".join(
            [str(h) for h in student[:20]] + [f"instructor page in the student site: {p}"
                                               for p in pages]))


@nox.session(venv_backend="none")
def audit(session: nox.Session) -> None:
    """CI: every task can fail, can be done in order, and its solution passes (tools/audit.py).

    Posargs go to tools/audit.py (``--part N``, ``--workers J``, ``--timeout S``).

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
    """Run a task's tests on the tree as it is (``-- 2.4``; ``-- 2``, ``-- all``), say what next.

    tools/check.py; also ``-- progress``, ``--torch`` (oracle tests), ``--verbose``."""
    if not session.posargs:
        session.error("usage: nox -s check -- <task like 2.4 | part like 2 | all | progress>")
    session.run(sys.executable, str(TOOLS / "check.py"), *session.posargs, external=True)


@nox.session(venv_backend="none")
def progress(session: nox.Session) -> None:
    """Every task: done, in progress or not started (same as ``nox -s check -- progress``)."""
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
    _, why = nox_install.run_milestone_alone(session, trial, wheels, work / "figures")
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
    wheels = nox_install.build_wheels(session, parts, nox_install.fresh_dir(session, "dist"))
    work = nox_install.fresh_dir(session, "bump")
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
        with session.chdir(nox_install.fresh_dir(session, "run")):
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
