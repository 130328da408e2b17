"""Safe ``save``/``load`` of state dicts as ``.npz`` files: nothing is ever unpickled.

``save(obj, path)`` accepts Tensors, NumPy arrays, numbers, strings, booleans, None, and dicts
(also ``OrderedDict``, with int or str keys), lists and tuples of those, nested up to
:data:`MAX_DEPTH` levels: model, optimizer and scheduler state dicts and whole training
checkpoints.

The file is a NumPy ``.npz`` (a zip of ``.npy`` arrays). Arrays are stored as members ``a0``,
``a1``...; everything else (the nesting, keys, numbers, strings) is one JSON document stored as a
uint8 array under ``__tinytorch__``::

    {"format": "tinytorch-npz", "version": 1,
     "tree": {"$": "odict", "items": [["weight", {"$": "tensor", "key": "a0"}], ...]}}

Writes are atomic (:mod:`tinytorch.nn.atomic`): a crash mid-save leaves the previous file intact
and, at worst, a ``.<name>.tmp-<pid>-<random>`` file that the next save of the same path removes.

``load`` trusts nothing in the file. Before reading an array it checks that the member's size in
the zip directory is exactly what the array's own header (shape, dtype) needs, and that a
compressed member does not expand more than :data:`MAX_EXPANSION` times: a small file cannot
make it allocate gigabytes. Any damage (a flipped bit, a truncation, a foreign file, metadata
nested too deep) raises :class:`CheckpointError` naming the file.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any

import numpy as np

from tinytorch.tensor import Tensor, from_numpy

from .atomic import atomic_write

__all__ = ["save", "load", "CheckpointError", "MAX_DEPTH", "MAX_EXPANSION"]

META_KEY = "__tinytorch__"
FORMAT = "tinytorch-npz"
VERSION = 1
MAX_DEPTH = 64
"""How deeply dicts, lists and tuples may nest in a checkpoint (save and load)."""
MAX_EXPANSION = 100
"""A compressed member may expand to at most this many times its size (plus 1 MiB)."""


class CheckpointError(RuntimeError):
    """A file could not be read as a TinyTorch checkpoint (corrupted, truncated, foreign)."""


# -- the tree of containers <-> JSON ----------------------------------------------------------

def _encode(obj: Any, arrays: dict[str, np.ndarray], depth: int = 0) -> Any:
    """A JSON-able description of ``obj``; arrays are moved into ``arrays``."""
    if depth > MAX_DEPTH:
        raise ValueError(f"cannot save: containers nested more than {MAX_DEPTH} levels deep "
                         "(or a container that contains itself)")
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
            items.append([k, _encode(v, arrays, depth + 1)])
        return {"$": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        return {"$": "tuple" if type(obj) is tuple else "list",
                "items": [_encode(v, arrays, depth + 1) for v in obj]}
    raise TypeError(f"cannot save an object of type {type(obj).__name__}: save supports Tensors, "
                    f"arrays, numbers, strings, None, and dicts/lists/tuples of them")


def _decode(node: Any, arrays: dict[str, np.ndarray], depth: int = 0) -> Any:
    """Rebuild what :func:`_encode` described; CheckpointError on anything it cannot write."""
    if depth > MAX_DEPTH:
        raise CheckpointError(f"metadata nested more than {MAX_DEPTH} levels deep")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    kind = node.get("$") if isinstance(node, dict) else None
    if kind in ("tensor", "array"):
        key = node.get("key")
        if not isinstance(key, str) or key not in arrays:
            raise CheckpointError(f"metadata refers to an array {key!r} the file does not hold")
        return from_numpy(arrays[key]) if kind == "tensor" else arrays[key]
    items = node.get("items") if isinstance(node, dict) else None
    if kind in ("list", "tuple") and isinstance(items, list):
        values = [_decode(v, arrays, depth + 1) for v in items]
        return tuple(values) if kind == "tuple" else values
    if kind in ("dict", "odict") and isinstance(items, list):
        if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], (str, int))
                   for p in items):
            raise CheckpointError("metadata has a dict entry that is not a [key, value] pair")
        pairs = [(k, _decode(v, arrays, depth + 1)) for k, v in items]
        return OrderedDict(pairs) if kind == "odict" else dict(pairs)
    raise CheckpointError(f"metadata holds an unknown node {str(node)[:80]!r}")


# -- save -------------------------------------------------------------------------------------

def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` (a state dict or a nest of them) to ``path`` as an ``.npz``, atomically.

    ``_encode(obj, arrays)`` returns the JSON-able tree and moves every array into the dict
    ``arrays`` (as ``"a0"``, ``"a1"``...). Store the JSON text of ``{"format": FORMAT,
    "version": VERSION, "tree": tree}``, UTF-8 encoded, as a uint8 array under ``META_KEY``;
    then ``np.savez(f, **arrays)`` into ``with atomic_write(path) as f``.

    Raises:
        TypeError: ``obj`` holds something other than the types listed in the module docstring.
        ValueError: containers nested more than :data:`MAX_DEPTH` levels.
    """
    # BEGIN SOLUTION 3.25 save: the tree as JSON, the arrays as .npy members, written atomically
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, arrays)
    meta = json.dumps({"format": FORMAT, "version": VERSION, "tree": tree})
    arrays[META_KEY] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    with atomic_write(path) as f:
        np.savez(f, **arrays)
    # END SOLUTION


# -- load -------------------------------------------------------------------------------------

def _array_header(member: IO[bytes]) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from the header of an ``.npy`` stream (nothing else is read)."""
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise CheckpointError(f".npy format version {version} is not one save writes")
    return shape, dtype


def _read_arrays(archive: zipfile.ZipFile, archive_size: int) -> dict[str, np.ndarray]:
    """Every member as an array, each checked against its own header before it is read."""
    arrays = {}
    for info in archive.infolist():
        name = info.filename
        if not name.endswith(".npy"):
            raise CheckpointError(f"unexpected member {name!r} (not an .npy array)")
        with archive.open(info) as member:
            shape, dtype = _array_header(member)
            header_size = member.tell()
        if dtype.hasobject:
            raise CheckpointError(f"member {name!r} holds Python objects (it would need pickle)")
        needed = header_size + math.prod(shape) * dtype.itemsize  # Python ints: no overflow
        if info.file_size != needed:
            raise CheckpointError(
                f"member {name!r} declares {info.file_size} bytes but its header (shape "
                f"{shape}, dtype {dtype}) needs {needed}")
        if info.compress_size > archive_size:
            raise CheckpointError(f"member {name!r} claims {info.compress_size} bytes, more than "
                                  f"the whole file ({archive_size})")
        if (info.compress_type != zipfile.ZIP_STORED
                and info.file_size > MAX_EXPANSION * info.compress_size + 2**20):
            raise CheckpointError(
                f"member {name!r} would expand from {info.compress_size} to {info.file_size} "
                f"bytes (more than {MAX_EXPANSION}x): refused as a zip bomb")
        with archive.open(info) as member:
            arrays[name[:-len(".npy")]] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays


def load(path: str | os.PathLike[str]) -> Any:
    """Read what :func:`save` wrote (Tensors come back as Tensors, containers as containers).

    Inside ``try``: open ``zipfile.ZipFile(path)`` and read its members with
    ``_read_arrays(archive, file size)`` (which checks each against its header); pop the
    ``META_KEY`` array (none: "not a TinyTorch checkpoint"), decode its bytes as UTF-8 JSON,
    check ``meta["format"] == FORMAT``, and return ``_decode(meta["tree"], arrays)``. Turn
    every failure into a CheckpointError that starts with the path: re-raise a CheckpointError
    as ``f"{path}: {error}"``; a RecursionError means metadata nested too deep to parse; any
    other Exception is a corrupted or truncated checkpoint (name its type and message).

    Raises:
        FileNotFoundError: nothing at ``path``.
        CheckpointError: the file is not a whole, undamaged TinyTorch checkpoint; the message
            names the file and what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    # BEGIN SOLUTION 3.25 load: read the checked members, check the format, rebuild the tree
    try:
        with zipfile.ZipFile(path) as archive:
            arrays = _read_arrays(archive, path.stat().st_size)
        if META_KEY not in arrays:
            raise CheckpointError(f"not a TinyTorch checkpoint (no {META_KEY} entry)")
        meta = json.loads(arrays.pop(META_KEY).tobytes().decode("utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise CheckpointError(f"not a TinyTorch checkpoint (format "
                                  f"{meta.get('format') if isinstance(meta, dict) else meta!r})")
        return _decode(meta.get("tree"), arrays)
    except CheckpointError as error:
        raise CheckpointError(f"{path}: {error}") from None
    except RecursionError:
        raise CheckpointError(f"{path}: metadata nested too deep to parse") from None
    except Exception as error:  # any damage at all: name the file, keep the cause
        raise CheckpointError(f"{path}: corrupted or truncated checkpoint, cannot be loaded "
                              f"({type(error).__name__}: {error})") from error
    # END SOLUTION
