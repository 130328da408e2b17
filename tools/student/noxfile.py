"""Your TinyTorch workflow (a course release). From this directory, with `pip install nox uv`:

    nox -s check -- 1.3      # the tests of task 1.3 on your code, then what to do next
    nox -s check -- 1        # every task of part 1;  `-- all` for every part
    nox -s progress          # every task: done, in progress or not started  (also: `nox`)
    nox -s part1             # part 1 built as a package and tested alone, as it is graded
    nox -s milestones        # the historical milestones your parts unlock
    nox -s docs              # the course site, from your copy (mkdocs build --strict)

`check` and `progress` reuse one environment per part (your code installed editable), so they
take seconds; add `-- --torch` to also run the PyTorch-oracle tests (graded with PyTorch).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))

import _packages  # noqa: E402  (tools/ is on sys.path)
import check as check_tool  # noqa: E402
import nox_install  # noqa: E402

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "no"
nox.options.sessions = ["progress"]


@nox.session(venv_backend="none")
def check(session: nox.Session) -> None:
    """``-- 1.3`` (a task), ``-- 1`` (a part) or ``-- all``: run those tests, say what is next."""
    if not session.posargs:
        session.error("usage: nox -s check -- <task like 1.3 | part like 1 | all | progress>")
    session.run(sys.executable, str(ROOT / "tools" / "check.py"), *session.posargs,
                external=True)


@nox.session(venv_backend="none")
def progress(session: nox.Session) -> None:
    """Every task: done, in progress or not started."""
    session.run(sys.executable, str(ROOT / "tools" / "check.py"), "progress", *session.posargs,
                external=True)


def self_check(session: nox.Session, number: int) -> None:
    """Build part ``number`` and the parts it needs as wheels, install them alone, run its
    tests from outside the tree (what grading does, with your tests), summarise by task."""
    try:
        part = _packages.part(number, ROOT)
        parts = _packages.with_deps(part, ROOT)
    except _packages.MissingPart as missing:
        session.skip(str(missing))
    wheels = nox_install.build_wheels(session, parts, nox_install.fresh_dir(session, "dist"))
    nox_install.install_wheels(session, wheels, *_packages.test_requirements(parts))
    torch = "--torch" in session.posargs
    if torch:
        nox_install.install_torch(session, required=True)
    run = nox_install.fresh_dir(session, "run").absolute()
    nox_install.check_imported_from_venv(session, [p.module for p in parts], cwd=run)
    record = run / "record.json"
    rest = [arg for arg in session.posargs if arg != "--torch"]
    with session.chdir(run):
        session.run("pytest", str(part.tests), "-c", str(part.path / "pyproject.toml"),
                    "--rootdir", str(part.path), "-p", "pytest_record", "--record", str(record),
                    "-p", "no:cacheprovider", "--timeout=120", "-q", "--tb=line", *rest,
                    env={"PYTHONPATH": str(ROOT / "tools")}, success_codes=[0, 1])
    lines, failed = check_tool.summary(ROOT, number, record)
    print("\n".join(lines))
    if failed:
        session.error(f"part {number}: {failed} task(s) not done yet")


@nox.session
def part1(session: nox.Session) -> None:
    """Part 1 built as a wheel, installed alone, its tests run (``-- --torch`` adds PyTorch)."""
    self_check(session, 1)


@nox.session
def part2(session: nox.Session) -> None:
    """Part 2 and the parts it needs, built as wheels and tested alone."""
    self_check(session, 2)


@nox.session
def part3(session: nox.Session) -> None:
    """Part 3 and the parts it needs, built as wheels and tested alone."""
    self_check(session, 3)


@nox.session
def part4(session: nox.Session) -> None:
    """Part 4 and the parts it needs, built as wheels and tested alone."""
    self_check(session, 4)


@nox.session
def part5(session: nox.Session) -> None:
    """Part 5 and the parts it needs, built as wheels and tested alone."""
    self_check(session, 5)


@nox.session
def part6(session: nox.Session) -> None:
    """Part 6 and the parts it needs, built as wheels and tested alone."""
    self_check(session, 6)


@nox.session
def milestones(session: nox.Session) -> None:
    """Each milestone alone with the part wheels it pins; figures in .nox/milestones/tmp."""
    found = _packages.milestones(ROOT)
    if not found:
        session.skip("no milestone in this release")
    parts, _ = _packages.installable_parts(ROOT)
    wheels = nox_install.build_wheels(session, parts, nox_install.fresh_dir(session, "dist"))
    figures = Path(session.create_tmp()) / "figures"
    shutil.rmtree(figures, ignore_errors=True)
    failed = []
    for milestone in found:
        lines, why = nox_install.run_milestone_alone(session, milestone, wheels, figures,
                                                   *session.posargs)
        for line in lines:
            session.log(f"ran {line}")
        if why is not None:
            failed.append(f"{milestone.name}: {why}")
    if failed:
        session.error("milestones failed (finish their parts first?):\n  " + "\n  ".join(failed))


@nox.session
def docs(session: nox.Session) -> None:
    """The course site from this copy: ``mkdocs build --strict`` into site/."""
    session.install("mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26", "ruff")
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})
