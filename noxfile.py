"""Every TinyTorch workflow: parts in isolation, all together, milestones, docs, lint, layering.

    nox                  # what CI runs (see nox.options.sessions below)
    nox -l               # list sessions
    nox -s part2         # build parts 1-2 as wheels, install them alone, run part 2's tests
    nox -s part2 -- -k matmul   # ... only the matching tests (PyTorch, the oracle, comes along)
    nox -s milestones    # build the parts, install each milestone alone, run its scripts
    nox -s docs          # the student and instructor sites, --strict, then link/browser checks

Part sessions test what a student installs: wheels built from this tree into a fresh directory,
installed into a fresh environment, imported from site-packages (checked), with pytest run from a
directory where no ``src/`` is importable. The helpers live in ``tools/_packages.py`` so later
sessions (release, audit, grade, bump, publish) reuse them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))

import _packages  # noqa: E402  (needs tools/ on sys.path)
import course_sessions  # noqa: E402,F401  (registers coursemap, pins, release, leaks, audit, ...)
import grading_sessions  # noqa: E402,F401  (registers grade, gradescope, publish)
import nox_install  # noqa: E402
from _packages import MissingPart, Part  # noqa: E402

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "no"
# What CI runs. Part sessions for parts not in the tree skip with a message. Name sessions
# literally here: a tag name inside nox.options.sessions fails.
# `all` runs last so that its pytest summary (every test) is the run's closing test line.
nox.options.sessions = [
    "lint", "layering", "pins", "part1", "part2", "part3", "part4", "part5", "part6", "milestones",
    "audit", "leaks", "docs", "all",
]

PER_TEST_TIMEOUT = 120
"""Seconds before pytest-timeout fails a single test (a hung test must not eat CI's budget)."""

TOOLS_TEST_REQUIREMENTS = ["hatch", "pypiserver", "passlib", "twine"]
"""What tools/tests need besides pytest: bump (hatch) and the local-index publish test."""

TORCH_FLAG = "--torch"
"""Posarg of part sessions: also install torch as oracle. Or set TINYTORCH_TORCH=1."""


# --------------------------------------------------------------------------------------------
# Shared steps
# --------------------------------------------------------------------------------------------


def pytest_args(session: nox.Session) -> list[str]:
    """Options every test run gets: timeout, no cache dir in the tree, short tracebacks."""
    return ["-p", "no:cacheprovider", f"--timeout={PER_TEST_TIMEOUT}", "-rfE", "--tb=short"]


def want_torch(session: nox.Session) -> tuple[bool, list[str]]:
    """Whether ``--torch`` was given (or TINYTORCH_TORCH=1), and the posargs without it."""
    rest = [arg for arg in session.posargs if arg != TORCH_FLAG]
    flag = len(rest) != len(session.posargs) or os.environ.get("TINYTORCH_TORCH") == "1"
    return flag, rest


def install_parts(session: nox.Session, parts: list[Part], *requirements: str) -> None:
    """Build ``parts`` into a fresh directory, install those wheels (plus requirements), and
    check every part imports from the venv, not from the tree."""
    dist = nox_install.fresh_dir(session, "dist")
    wheels = nox_install.build_wheels(session, parts, dist)
    nox_install.install_wheels(session, wheels, *requirements)
    nox_install.check_imported_from_venv(
        session, [p.module for p in parts], cwd=nox_install.fresh_dir(session, "cwd")
    )


def ready_parts(session: nox.Session) -> list[Part]:
    """Every part that can be installed from this tree; logs the ones left out, skips if none."""
    parts, left_out = _packages.installable_parts()
    for reason in left_out:
        session.warn(reason)
    if not parts:
        session.skip("no installable part in this tree yet")
    return parts


def run_part_tests(session: nox.Session, number: int) -> None:
    """The body of ``partN``: the part and its dependency parts alone, from wheels."""
    try:
        part = _packages.part(number)
        parts = _packages.with_deps(part)
    except MissingPart as missing:
        session.skip(str(missing))
    if not part.has_tests():
        session.skip(f"{part.label} has no tests in {part.tests.relative_to(ROOT)} yet")
    torch, rest = want_torch(session)
    session.log(f"{part.label}: installing {', '.join(p.name for p in parts)} from wheels")
    install_parts(session, parts, *_packages.test_requirements(parts))
    # PyTorch is the oracle of many tests: a self-check without it would count them as failed.
    # It is installed whenever a local CPU wheel exists; --torch makes its absence an error.
    nox_install.install_torch(session, required=torch)
    # Grading runs pytest from outside the tree (only the installed wheels can satisfy
    # `import tinytorch.*`) and writes grades/partN/ (JSON, text, JUnit XML).
    course_sessions.grade_part(session, number, rest)


# --------------------------------------------------------------------------------------------
# Parts in isolation
# --------------------------------------------------------------------------------------------


@nox.session
def part1(session: nox.Session) -> None:
    """Part 1 (tt-tensor) alone from its wheel: run its tests (PyTorch as the oracle)."""
    run_part_tests(session, 1)


@nox.session
def part2(session: nox.Session) -> None:
    """Part 2 (tt-autograd) with the parts it declares, from wheels: run its tests."""
    run_part_tests(session, 2)


@nox.session
def part3(session: nox.Session) -> None:
    """Part 3 (tt-nn) with the parts it declares, from wheels: run its tests."""
    run_part_tests(session, 3)


@nox.session
def part4(session: nox.Session) -> None:
    """Part 4 (tt-vision) with the parts it declares, from wheels: run its tests."""
    run_part_tests(session, 4)


@nox.session
def part5(session: nox.Session) -> None:
    """Part 5 (tt-text) with the parts it declares, from wheels: run its tests."""
    run_part_tests(session, 5)


@nox.session
def part6(session: nox.Session) -> None:
    """Part 6 (tt-optim-systems) with the parts it declares, from wheels: run its tests."""
    run_part_tests(session, 6)


# --------------------------------------------------------------------------------------------
# Everything together
# --------------------------------------------------------------------------------------------


@nox.session(name="all")
def all_parts(session: nox.Session) -> None:
    """Every part together from wheels, torch as oracle: all packages' tests + tools' tests.

    One pytest run (root pytest.ini). Catches integration problems; isolation is partN's job.
    """
    parts = ready_parts(session)
    install_parts(session, parts, *_packages.test_requirements(parts), *TOOLS_TEST_REQUIREMENTS)
    nox_install.install_torch(session, required=False)
    test_dirs = [str(p.tests) for p in parts if p.has_tests()]
    with session.chdir(nox_install.fresh_dir(session, "run")):
        session.run(
            "pytest", *test_dirs, str(ROOT / "tools" / "tests"),
            "-c", str(ROOT / "pytest.ini"), "--rootdir", str(ROOT),
            *pytest_args(session), *session.posargs,
        )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Checks on the source
# --------------------------------------------------------------------------------------------


@nox.session
def layering(session: nox.Session) -> None:
    """The import-layering check (tools/layering.py) and its own tests."""
    session.install("pytest>=8")
    session.run("python", "tools/layering.py")
    tests = ["tools/tests/test_layering.py", "tools/tests/test_packages.py"]
    session.run("pytest", *tests, "-c", "pytest.ini", *pytest_args(session)[:2], "-q")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check over packages, tools, milestones, docs hooks and this file (ruff.toml)."""
    session.install("ruff")
    targets = [t for t in ("packages", "tools", "milestones", "docs") if (ROOT / t).is_dir()]
    session.run("ruff", "check", *targets, "noxfile.py", *session.posargs)


# --------------------------------------------------------------------------------------------
# Milestones
# --------------------------------------------------------------------------------------------


@nox.session
def milestones(session: nox.Session) -> None:
    """Each milestone alone with the part wheels it pins: run its scripts, write its PNGs.

    Parts are built from this tree; every milestone gets its own environment holding exactly
    the parts it pins (a pin that differs from the tree's version fails). Every script in its
    [project.scripts] runs with ``--out .nox/milestones/tmp/figures/<milestone>/<script>``
    (its PNGs, and what it printed as ``output.txt``: the site's gallery shows both);
    posargs go to every script.
    """
    figures = Path(session.create_tmp()) / "figures"  # stable place to look at the PNGs
    run_milestones(session, figures, *session.posargs)


def run_milestones(session: nox.Session, figures: Path, *script_args: str) -> None:
    """Run every milestone the tree's parts allow into ``figures`` (emptied first); fail the
    session on any failure, skip it when none could run."""
    found = _packages.milestones()
    if not found:
        session.skip("no milestones in this tree yet (milestones/*/pyproject.toml)")
    parts = {p.name: p for p in ready_parts(session)}
    wheels = nox_install.build_wheels(
        session, list(parts.values()), nox_install.fresh_dir(session, "dist")
    )
    shutil.rmtree(figures, ignore_errors=True)
    ran: list[str] = []
    skipped: list[str] = []
    failed: list[str] = []
    for milestone in found:
        missing = [dist for dist in milestone.pins if dist not in parts]
        if missing:
            skipped.append(
                f"{milestone.name}: needs {', '.join(missing)}, not installable from this tree yet"
            )
            continue
        stale = [
            f"{dist}=={pin} (tree has {parts[dist].version})" if pin else f"{dist} without =="
            for dist, pin in milestone.pins.items()
            if pin != parts[dist].version
        ]
        if stale:
            failed.append(f"{milestone.name}: pins {', '.join(stale)}; re-verify and re-pin")
            continue
        if not milestone.scripts:
            failed.append(f"{milestone.name}: declares no [project.scripts] to run")
            continue
        lines, why = nox_install.run_milestone_alone(session, milestone, wheels, figures, *script_args)
        ran += lines
        if why is not None:  # keep going: report every milestone, then fail
            failed.append(f"{milestone.name}: {why}")
    for line in ran:
        session.log(f"ran      {line}")
    for line in skipped:
        session.log(f"skipped  {line}")
    if failed:
        session.error("milestones failed:\n  " + "\n  ".join(failed))
    if not ran:
        session.skip("no milestone could run with the parts in this tree")


# --------------------------------------------------------------------------------------------
# Benchmarks and docs
# --------------------------------------------------------------------------------------------


@nox.session
def bench(session: nox.Session) -> None:
    """Speed against the PyTorch anchor: ``benchmarks/run.py <posargs>`` (not in CI).

    Every part from wheels, plus torch and numpy.
    """
    script = ROOT / "benchmarks" / "run.py"
    if not script.is_file():
        session.skip("benchmarks/run.py is not in this tree yet")
    install_parts(session, ready_parts(session), "numpy")
    nox_install.install_torch(session, required=True)
    session.run("python", str(script), *session.posargs)


DOCS_REQUIREMENTS = ["mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26",
                     "ruff", "matplotlib>=3.7"]
"""The site's build tools; matplotlib draws the benchmark plot (the docs session only)."""


@nox.session
def docs(session: nox.Session) -> None:
    """The course site, twice, then checked: ``site/student`` and ``site/instructor``.

    * the student site is built from a fresh release of every part (tools/release.py: stubs, no
      instructor pages), the instructor site from this tree; both ``mkdocs build --strict``;
    * the milestone gallery shows the figures and output ``nox -s milestones`` wrote under
      .nox/milestones/tmp/figures, or runs the milestones first when there are none;
    * tools/sitecheck.py then checks each build: no broken internal link, no raw markup, and
      headless chromium renders the home page, a concepts page with math, an API page and a
      task page (screenshots in ``site/checks/``). Without chromium that check is skipped
      with a message (CI installs it: .ci/run). Posarg ``--no-browser`` skips it too.
    """
    import release as release_tool

    browser = "--no-browser" not in session.posargs
    session.install(*DOCS_REQUIREMENTS)
    figures = ROOT / ".nox" / "milestones" / "tmp" / "figures"
    if not any(figures.rglob("*.png")):
        session.log("no milestone figures yet: running the milestones first")
        figures = nox_install.fresh_dir(session, "figures").absolute()
        run_milestones(session, figures)
    env = {"NO_MKDOCS_2_WARNING": "1", "TINYTORCH_SITE_FIGURES": str(figures)}
    work = nox_install.fresh_dir(session, "docs").absolute()
    try:
        release = release_tool.release(ROOT, work / "release", "all", log=session.log)
    except ValueError as error:  # ReleaseError, or the course's tasks disagree
        session.error(str(error))
    out = ROOT / "site"
    checks = out / "checks"
    shutil.rmtree(checks, ignore_errors=True)
    builds = {"student": release, "instructor": ROOT}
    for label, tree in builds.items():
        site = out / label
        session.log(f"building the {label} site from {tree}")
        session.run("mkdocs", "build", "--strict", "--quiet", "-f", str(tree / "mkdocs.yml"),
                    "-d", str(site), env=env)
    check = ["python", str(ROOT / "tools" / "sitecheck.py")]
    for label in builds:
        site = str(out / label)
        session.run(*check, "links", site, "--label", label)
        session.run(*check, "markup", site, "--label", label)
        if browser:
            session.run(*check, "browser", site, str(checks), "--label", label,
                        "--json", str(checks / f"{label}.json"))
    session.log(f"sites: {out / 'student'} (for students), {out / 'instructor'} (with the "
                f"instructor guide and reference solutions); checks and screenshots: {checks}")


# --------------------------------------------------------------------------------------------
# Course workflow sessions: release, leaks, audit, check, grade, bump, publish (DESIGN.md 6).
# Added later by their owner. Reuse tools/_packages.py: present_parts(), with_deps(),
# fresh_dir(), build_wheels(), install_wheels(), and run_part_tests() above.
# --------------------------------------------------------------------------------------------
