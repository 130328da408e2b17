"""Safe extraction of a downloaded tar archive.

A tar file can name any path (``../../.bashrc``, ``/etc/passwd``) and hold symbolic links, hard
links and device files; ``tarfile.extractall`` on an untrusted archive writes wherever those say.
:func:`safe_extract` writes only *regular files*, only below one expected top-level folder, and
refuses the whole archive at the first member that is anything else. The files go to a
temporary directory next to the destination, which is renamed into place only once every member
is out, so an interrupted extraction never leaves a half-written folder behind.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

__all__ = ["safe_extract", "UnsafeArchiveError", "check_member"]


class UnsafeArchiveError(ValueError):
    """An archive member is not a regular file below the expected folder."""


def check_member(member: tarfile.TarInfo, folder: str) -> PurePosixPath | None:
    """The relative path ``member`` may be written to, or None for a directory entry.

    Raises:
        UnsafeArchiveError: a link, device or other special file; an absolute path; a path with
            ``..``; a path outside ``folder/``. The message names the member and the reason.

    Hints: ``PurePosixPath(member.name)`` has ``is_absolute()`` and ``parts``; ``member.isdir()``,
    ``member.isreg()``, ``member.issym()`` and ``member.islnk()`` say what a member is. Check the
    path before the kind, so that any member pointing outside is refused first.
    """
    # BEGIN SOLUTION 4.20 vet a tar member: regular file, relative, inside the expected folder
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts:
        raise UnsafeArchiveError(f"archive member {member.name!r} points outside the "
                                 "destination (absolute path or '..'): refusing to extract")
    if not path.parts or path.parts[0] != folder:
        raise UnsafeArchiveError(f"archive member {member.name!r} is not inside {folder}/: "
                                 "refusing to extract")
    if member.isdir():
        return None
    if not member.isreg():
        kind = "link" if member.issym() or member.islnk() else "special file"
        raise UnsafeArchiveError(f"archive member {member.name!r} is a {kind}, not a regular "
                                 "file: refusing to extract")
    return path
    # END SOLUTION


def safe_extract(archive: str | os.PathLike[str], dest: str | os.PathLike[str],
                 folder: str) -> Path:
    """Extract the regular files of ``archive`` (any compression ``tarfile`` reads) that lie
    under ``folder/`` into ``dest/folder``, atomically; return ``dest/folder``.

    Raises:
        UnsafeArchiveError: see :func:`check_member` (nothing is written then).
        FileExistsError: ``dest/folder`` exists already.
    """
    dest = Path(dest)
    target = dest / folder
    if target.exists():
        raise FileExistsError(f"{target} exists already; remove it to extract {archive} again")
    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder}.", suffix=".part", dir=dest))
    try:
        with tarfile.open(archive) as tar:
            for member in tar:
                relative = check_member(member, folder)
                if relative is None:
                    continue
                out = staging.joinpath(*relative.parts)
                out.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None  # a regular file always has content
                with source, open(out, "wb") as handle:
                    shutil.copyfileobj(source, handle)
        if not (staging / folder).is_dir():
            raise UnsafeArchiveError(f"{archive} holds no file under {folder}/")
        os.replace(staging / folder, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
