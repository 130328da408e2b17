"""CIFAR-10: the official *binary* files, read with NumPy alone (nothing is unpickled).

Krizhevsky (2009): 60,000 colour images of 32x32 pixels in 10 classes, 50,000 for training
(``data_batch_1.bin`` .. ``data_batch_5.bin``) and 10,000 for testing (``test_batch.bin``). Each
file is 10,000 records of 3,073 bytes: one label byte (0-9), then the 1,024 red, 1,024 green and
1,024 blue bytes of the image, each channel 32 rows of 32 pixels::

    records = bytes.reshape(-1, 3073)
    labels = records[:, 0]                                    # (N,)
    images = records[:, 1:].reshape(-1, 3, 32, 32)            # (N, C, H, W), uint8

Where the data comes from, in this order:

1. an explicit ``root`` (the milestones' ``--data-dir``), else ``$TINYTORCH_DATA``: the folder
   ``root/cifar-10-batches-bin/``, or else the official tarball ``root/cifar-10-binary.tar.gz``
   (checked against its published SHA-256, then extracted safely next to it), or else, with
   ``download=True``, that tarball fetched from the official site (checksummed, atomic);
2. otherwise the small sample embedded in this package (offline default): 200 training and 100
   test images in the same record format, xz-compressed.
"""

from __future__ import annotations

import lzma
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tinytorch.nn.data import Dataset, download, sha256sum
from tinytorch.nn.data.mnist import ENV_VAR, resolve_data_dir
from tinytorch.tensor import Tensor, from_numpy

from .archive import safe_extract

__all__ = ["CIFAR10", "CIFARError", "read_cifar_records", "TARBALL", "FOLDER", "CLASSES"]

RECORD = 1 + 3 * 32 * 32
"""Bytes per record: the label, then the red, green and blue planes."""

FOLDER = "cifar-10-batches-bin"
TRAIN_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)]
TEST_FILES = ["test_batch.bin"]
RECORDS_PER_FILE = 10_000
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]
TARBALL = {
    "name": "cifar-10-binary.tar.gz",
    "url": "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
    "size": 170_052_171,
    "md5": "c32a1d4ab5d03f1284b67883e8d87530",
    "sha256": "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
}
"""The official binary tarball, as published (size, MD5) and verified (SHA-256)."""

SAMPLES = {"train": "train_sample.bin.xz", "test": "test_sample.bin.xz"}
"""The embedded sample: the first 200 records of data_batch_1 and 100 of test_batch."""


class CIFARError(ValueError):
    """A CIFAR-10 file is truncated, corrupted or not a CIFAR-10 binary batch."""


def read_cifar_records(data: bytes, name: str, records: int | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Parse CIFAR-10 binary records: ``(images, labels)``.

    Args:
        data: the bytes of one batch file (or several, concatenated).
        name: what to call the file in error messages.
        records: how many records the file must hold (None: any whole number).

    Returns:
        ``images`` uint8 ``(N, 32, 32, 3)`` (height, width, channels: torchvision's
        ``CIFAR10.data`` layout) and ``labels`` int64 ``(N,)``.

    Raises:
        CIFARError: naming the file, when its size is not ``records`` whole records of 3,073
            bytes (truncated or padded) or a label byte is not in 0..9 (not CIFAR-10 data).

    Hints: ``np.frombuffer(data, np.uint8).reshape(-1, 3073)`` is the table of records; column
    0 the labels; the rest ``(N, 3, 32, 32)``, transposed to ``(N, 32, 32, 3)`` and copied. The
    tests read the sizes in the messages with thousands separators (``f"{n:,}"``).
    """
    # BEGIN SOLUTION 4.19 CIFAR-10 records: check the size, split label and CHW pixels
    expected = None if records is None else records * RECORD
    if len(data) == 0 or len(data) % RECORD or (expected is not None and len(data) != expected):
        want = (f"{expected:,} bytes ({records:,} records of {RECORD:,} bytes)"
                if expected is not None else f"a whole number of {RECORD:,}-byte records")
        raise CIFARError(f"{name}: {len(data):,} bytes, expected {want}; the file is truncated "
                         "or not a CIFAR-10 binary batch")
    table = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD)
    labels = table[:, 0].astype(np.int64)
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise CIFARError(f"{name}: record {bad[0]} has label {labels[bad[0]]} (CIFAR-10 labels "
                         f"are 0..9); the file is corrupted or not a CIFAR-10 binary batch")
    images = table[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels
    # END SOLUTION


def _checked_tarball(path: Path) -> Path:
    size = path.stat().st_size
    if size != TARBALL["size"] or sha256sum(path) != TARBALL["sha256"]:
        raise CIFARError(f"{path}: not the official CIFAR-10 binary tarball ({size:,} bytes; "
                         f"expected {TARBALL['size']:,} bytes with SHA-256 {TARBALL['sha256']}); "
                         "delete it and download again")
    return path


def locate(root: Path, download_missing: bool = False) -> Path:
    """The ``cifar-10-batches-bin`` folder under ``root``, extracting (or first downloading)
    the official tarball when only that is there (see the module docstring)."""
    folder = root / FOLDER
    if folder.is_dir():
        return folder
    tarball = root / TARBALL["name"]
    if tarball.is_file():
        return safe_extract(_checked_tarball(tarball), root, FOLDER)
    if download_missing:
        download(TARBALL["url"], TARBALL["sha256"], tarball, quiet=False)
        return safe_extract(tarball, root, FOLDER)
    raise FileNotFoundError(f"CIFAR-10 not found in {root}: looked for {folder}/ and {tarball}; "
                            f"pass download=True to fetch it, or unset --data-dir/{ENV_VAR} to "
                            "use the embedded sample")


def load_cifar10(root: Any = None, train: bool = True, download: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, str]:
    """``(images (N, 32, 32, 3) uint8, labels (N,) int64, where they came from)``."""
    split = "train" if train else "test"
    directory = resolve_data_dir(root)
    if directory is None:
        name = SAMPLES[split]
        packed = resources.files(__package__).joinpath("samples", "cifar-10", name).read_bytes()
        try:
            raw = lzma.decompress(packed)
        except lzma.LZMAError as error:
            raise CIFARError(f"embedded sample {name}: corrupt xz data ({error})") from None
        images, labels = read_cifar_records(raw, f"embedded sample {name}")
        return images, labels, "embedded sample"
    folder = locate(directory, download)
    parts = []
    for file in TRAIN_FILES if train else TEST_FILES:
        path = folder / file
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing from {folder}")
        parts.append(read_cifar_records(path.read_bytes(), str(path), RECORDS_PER_FILE))
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    return images, labels, str(folder)


def _batched(transform: Any) -> bool:
    """Whether ``transform`` takes whole batches (this package's transforms say so)."""
    return transform is None or bool(getattr(transform, "supports_batches", False))


class CIFAR10(Dataset):
    """CIFAR-10 as a dataset of ``(image, label)``, as ``torchvision.datasets.CIFAR10``.

    ``CIFAR10(root=None, train=True, transform=None, target_transform=None, download=False)``.
    Without a transform an image is its uint8 ``(32, 32, 3)`` array (where torchvision gives a
    PIL image) and a batch a uint8 ``(N, 32, 32, 3)`` array: ``transforms.ToTensor()`` turns
    either into float Tensors (``(3, 32, 32)`` / ``(N, 3, 32, 32)``) in [0, 1].

    A DataLoader fetches batches through ``__getitems__``: one fancy index, then the transform
    applied once to the whole ``(N, 32, 32, 3)`` batch when it supports batches (every transform
    of :mod:`tinytorch.vision.transforms` does), else image by image.

    Attributes:
        data: uint8 ``(N, 32, 32, 3)``; targets: int64 ``(N,)``; classes: the ten names;
        source: the folder read, or ``"embedded sample"``.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, train: bool = True,
                 transform: Any = None, target_transform: Any = None,
                 download: bool = False) -> None:
        self.data, self.targets, self.source = load_cifar10(root, train, download)
        self.train, self.classes = train, list(CLASSES)
        self.transform, self.target_transform = transform, target_transform

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image: Any = self.data[index]
        label: Any = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def __getitems__(self, indices: Any) -> Any:
        indices = np.asarray(indices, dtype=np.int64)
        if not (_batched(self.transform) and self.target_transform is None):
            return [self[int(i)] for i in indices]
        images: Any = self.data[indices]  # uint8 (N, 32, 32, 3), as the transform expects
        if self.transform is not None:
            images = self.transform(images)
        labels: Tensor = from_numpy(self.targets[indices])
        return images, labels

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"CIFAR10({split}, {len(self)} images, from {self.source})"
