"""Safe ``save``/``load`` of state dicts as ``.npz`` files: nothing is ever unpickled.

``save(obj, path)`` accepts Tensors, NumPy arrays, numbers, strings, booleans, None, and dicts
(also ``OrderedDict``, with int or str keys), lists and tuples of those, nested to any depth:
model, optimizer and scheduler state dicts and whole training checkpoints.

The file is a NumPy ``.npz`` (a zip of ``.npy`` arrays). Arrays are stored as entries ``a0``,
``a1``...; everything else (the nesting, keys, numbers, strings) is one JSON document stored as a
uint8 array under ``__tinytorch__``. ``load`` opens it with ``allow_pickle=False``.

Writes are atomic: the bytes go to a temporary file in the same directory, are flushed and
fsynced, and only then does ``os.replace`` put the file in place. A crash mid-save leaves the
previous file intact. A truncated or corrupted file raises :class:`CheckpointError` naming it.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor, from_numpy

__all__ = ["save", "load", "CheckpointError"]

META_KEY = "__tinytorch__"
FORMAT = "tinytorch-npz"
VERSION = 1


class CheckpointError(RuntimeError):
    """A file could not be read as a TinyTorch checkpoint (corrupted, truncated, foreign)."""


def _encode(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    """A JSON-able description of ``obj``; arrays are moved into ``arrays``."""
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        kind = "tensor" if isinstance(obj, Tensor) else "array"
        array = np.asarray(obj.array if isinstance(obj, Tensor) else obj)
        if array.dtype.hasobject:
            raise TypeError("cannot save an object array (it would need pickle)")
        key = f"a{len(arrays)}"
        arrays[key] = array
        return {"$": kind, "key": key}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"dict keys must be str or int to be saved, got {k!r}")
            items.append([k, _encode(v, arrays)])
        return {"$": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        return {"$": type(obj).__name__ if type(obj) in (list, tuple) else "list",
                "items": [_encode(v, arrays) for v in obj]}
    raise TypeError(f"cannot save an object of type {type(obj).__name__}: save supports Tensors, "
                    f"arrays, numbers, strings, None, and dicts/lists/tuples of them")


def _decode(node: Any, arrays: Any) -> Any:
    if not isinstance(node, dict):
        return node
    kind = node["$"]
    if kind in ("tensor", "array"):
        array = arrays[node["key"]]
        return from_numpy(array) if kind == "tensor" else array
    if kind in ("dict", "odict"):
        pairs = [(k, _decode(v, arrays)) for k, v in node["items"]]
        return OrderedDict(pairs) if kind == "odict" else dict(pairs)
    if kind in ("list", "tuple"):
        items = [_decode(v, arrays) for v in node["items"]]
        return tuple(items) if kind == "tuple" else items
    raise ValueError(f"unknown node kind {kind!r}")


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` (a state dict or a nest of them) to ``path`` as an ``.npz``, atomically."""
    path = Path(path)
    # BEGIN SOLUTION 3.18 save: encode to arrays + JSON, write a temp file, fsync, os.replace
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, arrays)
    meta = json.dumps({"format": FORMAT, "version": VERSION, "tree": tree})
    arrays[META_KEY] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    # END SOLUTION
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
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


def load(path: str | os.PathLike[str]) -> Any:
    """Read what :func:`save` wrote. Raises :class:`CheckpointError` for a damaged file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    # BEGIN SOLUTION 3.18 load: open with allow_pickle=False, check the format, rebuild the tree
    try:
        with np.load(path, allow_pickle=False) as npz:
            if META_KEY not in npz.files:
                raise CheckpointError(f"{path}: not a TinyTorch checkpoint (no {META_KEY} entry)")
            meta = json.loads(npz[META_KEY].tobytes().decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise CheckpointError(f"{path}: unknown format {meta.get('format')!r}")
            arrays = {name: npz[name] for name in npz.files if name != META_KEY}
            return _decode(meta["tree"], arrays)
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, TypeError,
            UnicodeDecodeError, zlib.error) as e:
        raise CheckpointError(f"{path}: corrupted or truncated checkpoint, cannot be loaded "
                              f"({type(e).__name__}: {e})") from None
    # END SOLUTION

