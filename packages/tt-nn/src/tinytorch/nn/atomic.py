"""Atomic file writes: a temporary file next to the target, fsync, then one ``os.replace``.

A reader sees the old file or the new one, never half of one. The temporary file is named after
what it is and who writes it::

    .model.npz.tmp-<pid>-<random>        a checkpoint being saved
    .train-images.gz.part-<pid>-<random>  a download in progress

A writer killed by ``kill -9`` cannot clean up, so every write first removes the stale
temporaries of the same target: those whose process is gone. A temporary of a process that is
still running is left alone (two processes may save the same file at once; the last rename wins),
and so is one that a thread of this process is writing right now.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "remove_stale_temps", "temp_name"]

_writing: set[Path] = set()
"""Temporary files this process has open right now (so a second thread does not delete them)."""


def temp_name(target: Path, kind: str) -> Path:
    """A fresh temporary path for ``target``: ``.<name>.<kind>-<pid>-<random>``."""
    return target.with_name(f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}")


def _process_alive(pid: int) -> bool:
    if os.name != "posix":  # no safe way to ask: assume alive, keep the file
        return True
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only checked
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def remove_stale_temps(target: Path, kind: str) -> list[Path]:
    """Delete the temporaries of ``target`` left by killed writers; return what was deleted."""
    pattern = re.compile(re.escape(f".{target.name}.{kind}-") + r"(\d+)-[0-9a-f]+")
    removed = []
    try:
        names = os.listdir(target.parent)
    except FileNotFoundError:
        return removed
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        path, pid = target.parent / name, int(match[1])
        stale = path not in _writing if pid == os.getpid() else not _process_alive(pid)
        if stale:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@contextmanager
def atomic_write(target: str | os.PathLike[str], kind: str = "tmp") -> Iterator[BinaryIO]:
    """``with atomic_write(path) as f: f.write(...)``: ``path`` appears, complete, at the end.

    The bytes go to :func:`temp_name`, are flushed and fsynced, then renamed over ``target``
    (and the directory is fsynced, so the rename survives a power cut). If the block raises,
    the temporary file is deleted and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target, kind)
    tmp = temp_name(target, kind)
    _writing.add(tmp)
    try:
        with open(tmp, "xb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _writing.discard(tmp)
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
