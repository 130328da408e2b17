"""Checksummed, cached, atomic downloads, and checked files on disk.

``download(url, sha256, dest)`` makes sure ``dest`` holds the file whose SHA-256 is ``sha256``:

- cached: if ``dest`` already exists with the right hash, nothing is fetched;
- verified: the bytes are hashed while they stream in; a mismatch raises :class:`ChecksumError`
  naming the expected and the actual hash;
- atomic: bytes go to ``.<name>.part-<pid>-<random>`` in ``dest``'s directory, which replaces
  ``dest`` (``os.replace``) only once verified. A failure deletes it; a download killed outright
  leaves it, and the next download of the same file deletes it (:mod:`tinytorch.nn.atomic`).

``verify_file(path, sha256)`` checks a file already on disk. Hashing MNIST's 10 MB takes a moment,
so a file that passed is remembered in a small record next to it,
``.<name>.sha256`` = ``{"size", "mtime_ns", "sha256"}``; while the file keeps that size and
modification time it is not hashed again. A record that cannot be written (a read-only
directory) only means hashing again next time.

Any URL that ``urllib`` opens works: ``https://``, ``http://``, ``file://``.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
from pathlib import Path

from ..atomic import atomic_write

__all__ = ["download", "verify_file", "sha256sum", "ChecksumError"]

CHUNK = 1 << 20


class ChecksumError(ValueError):
    """The downloaded (or cached) bytes do not have the expected SHA-256 (or size)."""


def sha256sum(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_sha(sha256: str) -> str:
    expected = sha256.lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise ValueError(f"sha256 must be 64 hex digits, got {sha256!r}")
    return expected


def _record_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.sha256")


def _fingerprint(path: Path, sha256: str) -> dict[str, int | str]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}


def verify_file(path: str | os.PathLike[str], sha256: str, size: int | None = None) -> Path:
    """Check that ``path`` is the file with this SHA-256 (and ``size``); return ``path``.

    Raises:
        ChecksumError: naming the file, the expected and the actual size or hash.
    """
    path, expected = Path(path), _check_sha(sha256)
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        raise ChecksumError(f"{path}: {actual_size} bytes, but the published file has {size}; "
                            f"the file is truncated or not the official one")
    try:
        if json.loads(_record_path(path).read_text()) == _fingerprint(path, expected):
            return path  # verified before, unchanged since
    except (OSError, ValueError):
        pass  # no record (or a damaged one): hash the file
    got = sha256sum(path)
    if got != expected:
        raise ChecksumError(f"{path}: SHA-256 is {got}, expected {expected}; the file is "
                            f"corrupt or not the official one (delete it to download it again)")
    _remember(path, expected)
    return path


def _remember(path: Path, sha256: str) -> None:
    """Write the record that ``path`` (as it is now) has this SHA-256."""
    try:
        with atomic_write(_record_path(path)) as f:
            f.write(json.dumps(_fingerprint(path, sha256)).encode())
    except OSError:
        pass  # a read-only directory: verify again next time


def download(url: str, sha256: str, dest: str | os.PathLike[str], *, timeout: float = 60.0,
             quiet: bool = True) -> Path:
    """Fetch ``url`` into ``dest`` unless it is already there; verify it; return ``dest``.

    Open a temporary file with ``atomic_write(dest, kind="part")`` (it becomes ``dest`` when
    the block ends without an error, and is deleted if it raises); read the response of
    ``urllib.request.urlopen(url, timeout=timeout)`` in chunks of ``CHUNK`` bytes, feeding each
    to a ``hashlib.sha256()`` and to the file. If the hex digest is not ``expected``, raise a
    ChecksumError inside the block (so nothing is written). Afterwards ``_remember(dest,
    expected)`` records the verified hash next to the file.

    Raises:
        ChecksumError: the fetched bytes have another SHA-256 (``dest`` is left untouched).
        urllib.error.URLError / OSError: the URL could not be read.
    """
    dest, expected = Path(dest), _check_sha(sha256)
    if dest.is_file():
        try:
            return verify_file(dest, expected)
        except ChecksumError:
            pass  # a wrong or damaged copy: fetch it again
    if not quiet:
        print(f"downloading {url} -> {dest}")
    # BEGIN SOLUTION 3.24 download: stream to a temp file while hashing, verify, then replace
    with atomic_write(dest, kind="part") as out:
        digest = hashlib.sha256()
        with urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        got = digest.hexdigest()
        if got != expected:
            raise ChecksumError(f"checksum mismatch for {url}: expected SHA-256 {expected}, got "
                                f"{got}; the download was discarded and {dest} was not written")
    _remember(dest, expected)
    return dest
    # END SOLUTION
