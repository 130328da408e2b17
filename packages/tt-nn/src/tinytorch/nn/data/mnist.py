"""MNIST and Fashion-MNIST: the IDX file format, where the files are, and datasets.

Everything about the files lives in :data:`DATASETS` (names, sizes, SHA-256, download mirrors).

Where the data comes from, in this order:

1. an explicit directory (``root=`` / ``data_dir=``; the milestones' ``--data-dir``),
2. the environment variable ``TINYTORCH_DATA``,
3. otherwise the small *embedded sample* shipped inside this package (offline default): the
   first 2,000 training and 500 test MNIST images (600 and 150 for Fashion-MNIST), in the same
   IDX ``.gz`` format.

In a directory the files are looked up as ``<dir>/<dataset>/<file>`` (e.g.
``<dir>/mnist/train-images-idx3-ubyte.gz``) and then ``<dir>/<file>``; with ``download=True``
missing files are fetched (checksummed, atomically) into ``<dir>/<dataset>/``. A file found on
disk must have the published size and SHA-256 (checked on first use, then remembered:
:func:`~tinytorch.nn.data.download.verify_file`), and every label must be a class index.

Layout of what the loaders return: images are ``float32`` in ``[0, 1]`` with shape
``(N, 1, 28, 28)`` (channels first, as torchvision); labels are ``int64`` in ``0..9``.
Flatten with ``x.reshape(x.shape[0], -1)`` for an MLP.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor, from_numpy

from .dataset import TensorDataset
from .download import ChecksumError, verify_file
from .download import download as _download

__all__ = ["FileInfo", "DATASETS", "IDXError", "read_idx", "write_idx", "resolve_data_dir",
           "load_mnist", "MNIST", "FashionMNIST", "make_sample", "ENV_VAR"]

ENV_VAR = "TINYTORCH_DATA"


@dataclass(frozen=True)
class FileInfo:
    """One published file: its name, size in bytes and SHA-256."""

    name: str
    size: int
    sha256: str


DATASETS: dict[str, dict[str, Any]] = {
    "mnist": {
        "mirrors": ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "http://yann.lecun.com/exdb/mnist/"],
        "classes": [str(d) for d in range(10)],
        "files": {
            "train-images": FileInfo("train-images-idx3-ubyte.gz", 9_912_422,
                                     "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            "train-labels": FileInfo("train-labels-idx1-ubyte.gz", 28_881,
                                     "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            "test-images": FileInfo("t10k-images-idx3-ubyte.gz", 1_648_877,
                                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            "test-labels": FileInfo("t10k-labels-idx1-ubyte.gz", 4_542,
                                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        },
    },
    "fashion-mnist": {
        "mirrors": ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        "classes": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                    "Sneaker", "Bag", "Ankle boot"],
        "files": {
            "train-images": FileInfo("train-images-idx3-ubyte.gz", 26_421_880,
                                     "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            "train-labels": FileInfo("train-labels-idx1-ubyte.gz", 29_515,
                                     "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            "test-images": FileInfo("t10k-images-idx3-ubyte.gz", 4_422_102,
                                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            "test-labels": FileInfo("t10k-labels-idx1-ubyte.gz", 5_148,
                                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        },
    },
}
"""The one place that knows each dataset's files, sizes, checksums and download mirrors."""

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtypes.
_IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class IDXError(ValueError):
    """A file is not a valid IDX file (wrong magic number, truncated, bad gzip...)."""


# ---------------------------------------------------------------------------------------------
# The IDX format
# ---------------------------------------------------------------------------------------------

def _read_bytes(source: str | os.PathLike[str] | bytes, name: str) -> bytes:
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as e:
            raise IDXError(f"{name}: corrupt or truncated gzip data ({e})") from None
    return raw


def read_idx(source: str | os.PathLike[str] | bytes, *, expected_magic: int | None = None,
             name: str | None = None) -> np.ndarray:
    """Parse an IDX file (gzipped or raw) into a NumPy array of its dtype and shape.

    IDX: a 4-byte big-endian magic number ``0x0000TTDD`` (``TT`` the element type, ``DD`` the
    number of dims), then ``DD`` big-endian uint32 sizes, then the elements row-major.
    MNIST images are magic 2051 (uint8, 3 dims), labels 2049 (uint8, 1 dim).

    Steps, on the (decompressed) bytes ``data``: read the magic with ``int.from_bytes(...,
    "big")``; check it against ``expected_magic``; split it into the zero high bytes, the type
    code (a key of ``_IDX_TYPES``, which gives the big-endian dtype) and the number of dims;
    read the dims; compare the bytes that follow the header with what the shape needs
    (``math.prod(shape) * itemsize``: Python ints, so huge dims cannot wrap around to 0); then
    ``np.frombuffer(data, dtype, count, offset)``, reshape, and convert to native byte order.

    Raises:
        IDXError: naming the file (``name``), for a file shorter than its header, a wrong or
            invalid magic number, or data of another size than the header announces
            (truncated, or with trailing bytes); the messages say which, with the numbers.
    """
    name = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
    data = _read_bytes(source, name)
    # BEGIN SOLUTION 3.23 IDX parsing: magic number, header dims, size check, frombuffer
    if len(data) < 4:
        raise IDXError(f"{name}: truncated IDX file: {len(data)} bytes, not even a header")
    magic = int.from_bytes(data[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise IDXError(f"{name}: wrong magic number {magic} (expected {expected_magic}); "
                       f"this is not the IDX file it should be")
    zero, code, ndim = magic >> 16, (magic >> 8) & 0xFF, magic & 0xFF
    if zero != 0 or code not in _IDX_TYPES or ndim == 0:
        raise IDXError(f"{name}: bad magic number {magic} (0x{magic:08x}): not an IDX file")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{name}: truncated IDX file: header needs {header} bytes, file has "
                       f"{len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_TYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: huge dims cannot wrap to 0
    got = len(data) - header
    if got < expected:
        raise IDXError(f"{name}: truncated IDX file: header says shape {shape} "
                       f"({expected} bytes of data) but only {got} bytes follow")
    if got > expected:
        raise IDXError(f"{name}: IDX file has {got - expected} unexpected bytes after the "
                       f"{expected} bytes of data its header (shape {shape}) announces")
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header)
    return array.reshape(shape).astype(dtype.newbyteorder("="))
    # END SOLUTION


def write_idx(path: str | os.PathLike[str], array: np.ndarray, compress: bool = True) -> None:
    """Write ``array`` (uint8) as an IDX file, gzipped (reproducibly: mtime 0) by default."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = (0x0800 | array.ndim).to_bytes(4, "big") + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    payload = header + array.tobytes()
    with open(path, "wb") as f:
        if compress:
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
                gz.write(payload)
        else:
            f.write(payload)


# ---------------------------------------------------------------------------------------------
# Where the files are
# ---------------------------------------------------------------------------------------------

def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The explicit ``data_dir``, else ``$TINYTORCH_DATA``, else None (the embedded sample)."""
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir).expanduser()
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else None


def _spec(dataset: str) -> dict[str, Any]:
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; known: {sorted(DATASETS)}")
    return DATASETS[dataset]


def _sample_bytes(dataset: str, info: FileInfo) -> bytes:
    return resources.files("tinytorch.nn.data").joinpath("samples", dataset, info.name).read_bytes()


def _locate(dataset: str, info: FileInfo, root: Path, download: bool) -> Path:
    """The file ``info`` under ``root``, checked against its size and SHA-256 (or downloaded)."""
    candidates = [root / dataset / info.name, root / info.name]
    for path in candidates:
        if path.is_file():
            try:
                return verify_file(path, info.sha256, info.size)
            except ChecksumError:
                if not download:
                    raise
                candidates = [path]  # download=True: fetch a good copy in its place
                break
    if not download:
        raise FileNotFoundError(
            f"{dataset} file {info.name} not found in {root} (looked for "
            f"{' and '.join(str(c) for c in candidates)}); pass download=True to fetch it, or "
            f"unset --data-dir/{ENV_VAR} to use the embedded sample")
    errors = []
    for mirror in _spec(dataset)["mirrors"]:
        try:
            return _download(mirror + info.name, info.sha256, candidates[0], quiet=False)
        except Exception as e:  # try the next mirror, report all if none works
            errors.append(f"{mirror}: {e}")
    raise RuntimeError(f"could not download {info.name}:\n  " + "\n  ".join(errors))


def load_mnist(data_dir: str | os.PathLike[str] | None = None, split: str = "train", *,
               dataset: str = "mnist", download: bool = False) -> tuple[Tensor, Tensor]:
    """``(images, labels)`` of one split: float32 ``(N, 1, 28, 28)`` in [0, 1], int64 ``(N,)``.

    ``data_dir`` None means ``$TINYTORCH_DATA``, and if that is unset, the embedded sample.
    """
    images, labels, _ = _load_arrays(data_dir, split, dataset, download)
    return from_numpy(images), from_numpy(labels)


def _load_arrays(data_dir: Any, split: str, dataset: str,
                 download: bool) -> tuple[np.ndarray, np.ndarray, str]:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    files = _spec(dataset)["files"]
    root = resolve_data_dir(data_dir)
    arrays = []
    for kind, magic in (("images", IMAGES_MAGIC), ("labels", LABELS_MAGIC)):
        info = files[f"{split}-{kind}"]
        if root is None:
            source: Any = _sample_bytes(dataset, info)
            name = f"embedded sample {dataset}/{info.name}"
        else:
            source = _locate(dataset, info, root, download)
            name = str(source)
        arrays.append(read_idx(source, expected_magic=magic, name=name))
    raw_images, raw_labels = arrays
    if raw_images.ndim != 3 or raw_images.shape[0] != raw_labels.shape[0]:
        raise IDXError(f"{dataset} {split}: {raw_images.shape[0]} images of shape "
                       f"{raw_images.shape[1:]} but {raw_labels.shape[0]} labels")
    num_classes = len(_spec(dataset)["classes"])
    bad = np.flatnonzero(raw_labels >= num_classes)
    if bad.size:
        raise IDXError(f"{dataset} {split}: label {raw_labels[bad[0]]} at index {bad[0]} is not "
                       f"a class (0..{num_classes - 1}); the labels file is corrupt")
    images = (raw_images.astype(np.float32) / np.float32(255.0))[:, None, :, :]
    labels = raw_labels.astype(np.int64)
    where = "embedded sample" if root is None else str(root)
    return images, labels, where


class MNIST(TensorDataset):
    """The MNIST digits as a dataset of ``(image, label)``: ``(1, 28, 28)`` float32 and int64.

    ``MNIST(root=None, train=True, download=False, transform=None, target_transform=None)`` as
    torchvision. ``root`` None: ``$TINYTORCH_DATA``, else the embedded sample (see the module
    docstring); ``source`` says which was used. Batches are fetched with one fancy index per
    array unless a transform is given (then samples are transformed one by one).
    """

    name = "mnist"

    def __init__(self, root: str | os.PathLike[str] | None = None, train: bool = True,
                 download: bool = False, transform: Any = None,
                 target_transform: Any = None) -> None:
        images, labels, where = _load_arrays(root, "train" if train else "test", self.name,
                                             download)
        super().__init__(from_numpy(images), from_numpy(labels))
        self.train, self.source = train, where
        self.transform, self.target_transform = transform, target_transform
        self.classes = list(_spec(self.name)["classes"])

    @property
    def data(self) -> Tensor:
        """The images, float32 ``(N, 1, 28, 28)`` in [0, 1]."""
        return self.tensors[0]

    @property
    def targets(self) -> Tensor:
        """The labels, int64 ``(N,)``."""
        return self.tensors[1]

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, label = super().__getitem__(index)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def __getitems__(self, indices: Any) -> Any:
        if self.transform is None and self.target_transform is None:
            return super().__getitems__(indices)
        return [self[int(i)] for i in np.asarray(indices)]

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"{type(self).__name__}({split}, {len(self)} samples, from {self.source})"


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): the same layout as :class:`MNIST`, ten clothing classes."""

    name = "fashion-mnist"


def make_sample(src_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str],
                dataset: str = "mnist", n_train: int = 2000, n_test: int = 500) -> None:
    """Write the first ``n_train``/``n_test`` samples of ``src_dir``'s files as IDX ``.gz``
    into ``out_dir/<dataset>/`` (how the embedded samples were made, from the official files)."""
    out = Path(out_dir) / dataset
    out.mkdir(parents=True, exist_ok=True)
    files = _spec(dataset)["files"]
    for split, n in (("train", n_train), ("test", n_test)):
        for kind, magic in (("images", IMAGES_MAGIC), ("labels", LABELS_MAGIC)):
            info = files[f"{split}-{kind}"]
            array = read_idx(_locate(dataset, info, Path(src_dir), False), expected_magic=magic)
            write_idx(out / info.name, array[:n])
