"""Checksummed, cached, atomic downloads.

``download(url, sha256, dest)`` makes sure ``dest`` holds the file whose SHA-256 is ``sha256``:

- cached: if ``dest`` already exists with the right hash, nothing is fetched;
- verified: the bytes are hashed while they stream in; a mismatch raises :class:`ChecksumError`
  naming the expected and the actual hash;
- atomic: bytes go to a temporary file in ``dest``'s directory, which replaces ``dest``
  (``os.replace``) only once verified. On any failure the temporary file is removed, so no
  partial or wrong file is ever left behind under any name.

Any URL that ``urllib`` opens works: ``https://``, ``http://``, ``file://``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

__all__ = ["download", "sha256sum", "ChecksumError"]

CHUNK = 1 << 20


class ChecksumError(ValueError):
    """The downloaded (or cached) bytes do not have the expected SHA-256."""


def sha256sum(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, sha256: str, dest: str | os.PathLike[str], *, timeout: float = 60.0,
             quiet: bool = True) -> Path:
    """Fetch ``url`` into ``dest`` unless it is already there; verify it; return ``dest``.

    Raises:
        ChecksumError: the fetched bytes have another SHA-256 (``dest`` is left untouched).
        urllib.error.URLError / OSError: the URL could not be read.
    """
    dest = Path(dest)
    expected = sha256.lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise ValueError(f"sha256 must be 64 hex digits, got {sha256!r}")
    if dest.is_file() and sha256sum(dest) == expected:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"downloading {url} -> {dest}")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        # BEGIN SOLUTION 3.17 download: stream to a temp file while hashing, verify, then replace
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != expected:
            raise ChecksumError(f"checksum mismatch for {url}: expected SHA-256 {expected}, got "
                                f"{got}; the download was discarded and {dest} was not written")
        os.replace(tmp_name, dest)
        # END SOLUTION
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return dest
