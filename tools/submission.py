"""Take a student's package out of a submission, with checks, into a tree the sandbox imports.

Grading trusts nothing of a submission but the Python files of ``packages/<dist>/src/tinytorch/
<part>/``. ``collect`` reads them, refusing what a released repository never holds (a symlink
leaving the package, a device or FIFO, a huge file or too many files); ``install_tree`` lays them
out as the instructor's wheel would install them: the student's ``.py`` files, the instructor's
data files and the instructor's ``.dist-info`` (entry points included). Nothing of the submission
is executed here, and its ``pyproject.toml``, tests, ``conftest.py`` and build hooks are never
read.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

import _packages

MAX_FILE = 1 << 20
"""Largest .py file accepted (bytes)."""
MAX_TOTAL = 16 << 20
MAX_FILES = 1000


class SubmissionError(ValueError):
    """The submission is refused; the message is shown in its report (it scores 0)."""


@dataclass
class Collected:
    """The student's files of one package: relative path -> bytes, and what was left out."""

    files: dict[str, bytes] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def find_root(path: Path) -> Path:
    """The repository root of a submission: ``path`` or its only subdirectory with ``packages/``
    (an unpacked archive or a Gradescope upload)."""
    path = Path(path)
    if not path.is_dir():
        raise SubmissionError(f"{path} is not a directory")
    if (path / "packages").is_dir():
        return path
    inner = [d for d in path.iterdir() if d.is_dir() and (d / "packages").is_dir()]
    if len(inner) == 1:
        return inner[0]
    raise SubmissionError(f"{path.name}: no packages/ directory (is it a TinyTorch repository?)")


def package_dir(root: Path, dist: str) -> Path:
    """Where a repository keeps the package of part ``dist``."""
    spec = _packages.spec_for_dist(dist)
    assert spec is not None, dist
    return root / "packages" / dist / "src" / "tinytorch" / spec.subpackage


def collect(root: Path, dist: str) -> Collected:
    """Read the ``.py`` files of ``dist``'s package in the submission at ``root`` (with checks)."""
    package = package_dir(root, dist)
    shown = package.relative_to(root)
    real_root = root.resolve()
    if not package.is_dir():
        raise SubmissionError(f"no {shown}/ in the submission")
    if not package.resolve().is_relative_to(real_root):
        raise SubmissionError(f"{shown} is a link out of the submission")
    found = Collected()
    total = 0
    for folder, dirs, names in os.walk(package, followlinks=False):
        here = Path(folder)
        for name in list(dirs):
            if (here / name).is_symlink():
                raise SubmissionError(f"{(here / name).relative_to(root)} is a symlinked "
                                      "directory (not accepted)")
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = here / name
            shown_path = path.relative_to(root)
            relative = path.relative_to(package).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                target = path.resolve()
                if not target.is_relative_to(package.resolve()):
                    raise SubmissionError(f"{shown_path} is a symlink out of the package")
                info = target.stat()
                path = target
            if not stat.S_ISREG(info.st_mode):
                raise SubmissionError(f"{shown_path} is not a regular file")
            if not name.endswith(".py"):
                found.ignored.append(relative)
                continue
            if info.st_size > MAX_FILE:
                raise SubmissionError(f"{shown_path} is {info.st_size} bytes (limit {MAX_FILE})")
            total += info.st_size
            if total > MAX_TOTAL or len(found.files) >= MAX_FILES:
                raise SubmissionError(f"{shown} holds more than {MAX_FILES} files or "
                                      f"{MAX_TOTAL} bytes")
            found.files[relative] = path.read_bytes()
    if "__init__.py" not in found.files:
        raise SubmissionError(f"{shown}/__init__.py is missing")
    return found


def install_tree(packages: dict[str, Path | Collected], workspace: Path, dest: Path) -> Path:
    """Lay out ``packages`` (dist -> a package directory or Collected files) in ``dest/site`` as
    the instructor's wheels install them; returns that directory (mounted read-only)."""
    site = dest / "site"
    site.mkdir(parents=True)
    for dist, source in packages.items():
        spec = _packages.spec_for_dist(dist)
        assert spec is not None, dist
        target = site / "tinytorch" / spec.subpackage
        data = workspace / "data" / "tinytorch" / spec.subpackage
        if data.is_dir():
            shutil.copytree(data, target)
        files = source.files if isinstance(source, Collected) else {
            p.relative_to(source).as_posix(): p.read_bytes()
            for p in sorted(source.rglob("*.py")) if "__pycache__" not in p.parts}
        for relative, content in files.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for info in (workspace / "dist-info").iterdir():
        shutil.copytree(info, site / info.name)
    for path in site.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    site.chmod(0o755)
    return site
