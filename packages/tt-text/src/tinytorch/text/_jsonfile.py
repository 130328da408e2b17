"""Tokenizer files: JSON written atomically (a temporary file, then a rename) and read back checked.

A crash half-way through :func:`write_json` leaves the old file intact, never a truncated one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["write_json", "read_json"]


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` as UTF-8 JSON to ``path``: into a temporary file beside it, then renamed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(obj, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: str | os.PathLike[str], kind: str) -> dict[str, Any]:
    """Read a tokenizer file written by :func:`write_json`; its ``"type"`` must be ``kind``."""
    with open(path, encoding="utf-8") as handle:
        try:
            obj = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not a tokenizer file (invalid JSON: {error})") from None
    if not isinstance(obj, dict) or obj.get("type") != kind:
        found = obj.get("type") if isinstance(obj, dict) else type(obj).__name__
        raise ValueError(f"{path}: expected a {kind!r} tokenizer file, found type {found!r}")
    return obj
