"""nox sessions of grading and publishing: grade, gradescope, publish (docs/instructor-guide.md).

    nox -s grade -- --part 2 --out grades/ ~/submissions/*       # sandboxed, reports + gradebook
    nox -s gradescope -- --part 2 autograder-part2.zip           # a Gradescope autograder bundle
    nox -s publish -- --repository-url URL --parts tt-tensor     # wheels + sdists to an index
    nox -s publish -- --reference --parts tt-tensor              # a part's solutions, on purpose

``grade`` and ``gradescope`` run the tools with the Python that runs nox (they need only the
standard library and ``uv``; the grading environment is built by ``tools/grade_workspace.py``).
Imported by ``noxfile.py``; the decorators register the sessions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

TOOLS = Path(__file__).resolve().parent


@nox.session(venv_backend="none")
def grade(session: nox.Session) -> None:
    """``-- --part N [--tests PRIVATE] [--jobs J] [--earlier reference|submission] --out GRADES
    SUBMISSION...``: grade student repositories in a sandbox (tools/grade.py --help)."""
    if not session.posargs:
        session.error("usage: nox -s grade -- --part N --out GRADES SUBMISSION...  "
                      "(python tools/grade.py --help lists every option)")
    session.run(sys.executable, str(TOOLS / "grade.py"), *session.posargs, external=True)


@nox.session(venv_backend="none")
def gradescope(session: nox.Session) -> None:
    """``-- --part N [--tests PRIVATE] OUT.zip``: write a Gradescope autograder bundle."""
    session.run(sys.executable, str(TOOLS / "gradescope.py"), *session.posargs, external=True)


@nox.session
def publish(session: nox.Session) -> None:
    """``-- --repository-url URL [--parts ...] [--reference]``: build, check, upload parts.

    Credentials come from the environment or a file, never from the command line (nox logs it).
    """
    session.install("twine>=5")
    session.run("python", str(TOOLS / "publish.py"), *session.posargs)
