"""Building and installing the course's packages inside nox sessions.

Each helper takes a ``nox.Session``: fresh directories (never a reused wheel directory: uv caches
wheels by file name), one wheel per package, installs by path (no index is asked for a tt-*
name), a milestone alone in its own venv, the one local torch wheel, and the check that a module
imports from the session's venv rather than from the source tree.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from _packages import REPO, TORCH_VERSION, Milestone, Package, local_torch_dir

if TYPE_CHECKING:
    import nox

def fresh_dir(session: nox.Session, name: str) -> Path:
    """A new, empty directory ``<session tmp>/<name>-XXXX``; older ones of that name are removed.

    Never reuse a wheel directory: uv caches wheels by file name, so a rebuilt wheel with an
    unchanged version would otherwise install the old code.
    """
    tmp = Path(session.create_tmp())
    for old in tmp.glob(f"{name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=tmp))


def uses_uv(session: nox.Session) -> bool:
    """True when the session's environment was made (and is installed into) by uv."""
    return session.venv_backend == "uv"


def uv(session: nox.Session) -> str:
    """The ``uv`` command for ``session.run``; installed into the venv when nox fell back."""
    if not uses_uv(session) and shutil.which("uv", path=session.bin) is None:
        session.install("uv")
    return "uv"


def build_wheels(session: nox.Session, packages: Sequence[Package], dest: Path) -> dict[str, Path]:
    """Build one wheel per package with ``uv build`` into ``dest``; name -> wheel path."""
    wheels: dict[str, Path] = {}
    command = uv(session)
    for package in packages:
        before = set(dest.glob("*.whl"))
        session.run(
            command, "build", "--wheel", "--quiet", "--out-dir", str(dest), str(package.path)
        )
        new = sorted(set(dest.glob("*.whl")) - before)
        if len(new) != 1:
            session.error(f"building {package.name} produced {len(new)} wheels in {dest}: {new}")
        wheels[package.name] = new[0]
    return wheels


def install_wheels(
    session: nox.Session,
    wheels: dict[str, Path],
    *requirements: str,
    python: str | None = None,
) -> None:
    """Install built wheels (by path, so no index is asked for a tt-* name) plus requirements.

    With uv, every wheel's name is refreshed so uv's by-file-name cache can never serve older
    code. ``python`` installs into another interpreter's environment (uv only).
    """
    find_links = {str(path.parent) for path in wheels.values()}
    args: list[str] = []
    for directory in sorted(find_links):
        args += ["--find-links", directory]
    paths = [str(path) for path in wheels.values()]
    if uses_uv(session) or python is not None:
        for name in wheels:
            args += ["--refresh-package", name, "--reinstall-package", name]
        target = ["--python", python] if python is not None else []
        session.run(uv(session), "pip", "install", *target, *args, *paths, *requirements)
    else:
        session.install(*args, *paths, *requirements)


def run_milestone_alone(
    session: nox.Session,
    milestone: Milestone,
    part_wheels: dict[str, Path],
    figures: Path,
    *script_args: str,
) -> tuple[list[str], str | None]:
    """Install ``milestone`` in a fresh venv with exactly the part wheels it pins, run each of
    its console scripts with ``--out figures/<milestone>/<script>``.

    Returns (one line per script that ran, why it failed or None).
    """
    from nox.command import CommandFailed

    env = fresh_dir(session, f"venv-{milestone.path.name}").absolute()
    session.run(uv(session), "venv", "--quiet", "--python", sys.executable, str(env))
    needed = {dist: part_wheels[dist] for dist in milestone.pins}
    needed.update(build_wheels(session, [milestone], fresh_dir(session, "mdist")))
    install_wheels(session, needed, python=str(env / "bin" / "python"))
    ran: list[str] = []
    for script in milestone.scripts:
        out = figures / milestone.path.name / script
        out.mkdir(parents=True)
        start = time.perf_counter()
        try:
            output = session.run(str(env / "bin" / script), "--out", str(out), *script_args,
                                 env={"MPLBACKEND": "Agg"}, external=True, silent=True)
        except CommandFailed:
            return ran, f"{script} failed (output above)"
        if isinstance(output, str):  # what it printed: its results, for the site's gallery
            print(output, end="", flush=True)
            partial = out / "output.txt.partial"
            partial.write_text(output, encoding="utf-8")
            partial.replace(out / "output.txt")
        pngs = sorted(out.rglob("*.png"))
        ran.append(f"{milestone.name}: {script} in {time.perf_counter() - start:.1f}s, "
                   f"{len(pngs)} PNG(s) in {out}")
        if not pngs:
            session.warn(f"{milestone.name}: {script} wrote no PNG into {out}")
    return ran, None


def install_torch(session: nox.Session, *, required: bool) -> bool:
    """Install ``torch==TORCH_VERSION`` (CPU) from a local wheel; True when installed.

    Without a local wheel an index would serve a CUDA build of several GB: refuse. Tests skip
    their PyTorch oracles cleanly when torch is absent, so optional callers just warn.
    """
    directory = local_torch_dir()
    if directory is None:
        message = (
            f"no local torch-{TORCH_VERSION} wheel (looked in $TINYTORCH_WHEELS, $PIP_FIND_LINKS, "
            "/opt/wheels); refusing to download a multi-GB CUDA build"
        )
        if required:
            session.error(message)
        session.warn(message + ": running without the PyTorch oracle")
        return False
    session.install("--find-links", directory, f"torch=={TORCH_VERSION}")
    return True


def check_imported_from_venv(session: nox.Session, modules: Iterable[str], cwd: Path) -> None:
    """Fail the session unless every module imports from the venv's site-packages.

    Run from ``cwd`` (a directory outside the source tree) so a stray ``src/`` on the path
    would show up as a failure rather than silently testing the source instead of the wheel.
    """
    with session.chdir(cwd):
        session.run("python", str(REPO / "tools" / "check_installed.py"), *modules)
