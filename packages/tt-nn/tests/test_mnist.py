"""MNIST/Fashion-MNIST: IDX parsing, error messages, the embedded sample, data-dir resolution."""

from __future__ import annotations

import gzip
import json
import os
import sys

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.nn.data import (
    DATASETS,
    MNIST,
    ChecksumError,
    DataLoader,
    FashionMNIST,
    IDXError,
    load_mnist,
)
from tinytorch.nn.data import mnist as mnist_module
from tinytorch.nn.data.mnist import read_idx, write_idx


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)


@pytest.mark.task("3.23")
def test_read_idx_raw_and_gzip(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = tmp_path / "x-idx3-ubyte"
    raw.write_bytes(idx_bytes(images, 2051))
    np.testing.assert_array_equal(read_idx(raw, expected_magic=2051), images)
    gz = tmp_path / "x-idx3-ubyte.gz"
    gz.write_bytes(gzip.compress(idx_bytes(images, 2051)))
    out = read_idx(gz, expected_magic=2051)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, images)
    labels = np.array([3, 1, 4], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(idx_bytes(labels, 2049), expected_magic=2049), labels)


@pytest.mark.task("3.23")
def test_write_idx_round_trip(tmp_path):
    array = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28)).astype(np.uint8)
    write_idx(tmp_path / "a.gz", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz", expected_magic=2051), array)


@pytest.mark.task("3.23")
def test_wrong_magic_is_a_clear_error(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(idx_bytes(np.zeros(4), 2049))
    with pytest.raises(IDXError, match=r"labels-idx1-ubyte.*wrong magic number 2049 "
                                       r"\(expected 2051\)"):
        read_idx(path, expected_magic=2051)
    path.write_bytes(b"\x12\x34\x56\x78" + bytes(8))
    with pytest.raises(IDXError, match="bad magic number"):
        read_idx(path)


@pytest.mark.task("3.23")
def test_truncated_file_is_a_clear_error(tmp_path):
    data = idx_bytes(np.zeros((10, 28, 28)), 2051)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(data[:-100])
    with pytest.raises(IDXError, match=r"train-images-idx3-ubyte: truncated IDX file: header says "
                                       r"shape \(10, 28, 28\) \(7840 bytes"):
        read_idx(path, expected_magic=2051)
    path.write_bytes(data[:10])
    with pytest.raises(IDXError, match="truncated"):
        read_idx(path)
    path.write_bytes(data + b"xx")
    with pytest.raises(IDXError, match="unexpected bytes"):
        read_idx(path)
    gz = tmp_path / "t.gz"
    gz.write_bytes(gzip.compress(data)[:-30])
    with pytest.raises(IDXError, match=r"t\.gz: corrupt or truncated gzip"):
        read_idx(gz)


@pytest.mark.task("3.23")
def test_embedded_sample_is_the_default():
    train, test = MNIST(train=True), MNIST(train=False)
    assert train.source == "embedded sample"
    assert (len(train), len(test)) == (2000, 500)
    x, y = train[0]
    assert x.shape == (1, 28, 28) and x.dtype == tt.float32 and y.dtype == tt.int64
    assert train.data.shape == (2000, 1, 28, 28)
    assert 0.0 <= float(train.data.array.min()) and float(train.data.array.max()) <= 1.0
    assert set(np.unique(train.targets.array).tolist()) == set(range(10))
    assert train.targets.array[:5].tolist() == [5, 0, 4, 1, 9]  # the famous first MNIST labels
    assert test.targets.array[:5].tolist() == [7, 2, 1, 0, 4]
    xb, yb = next(iter(DataLoader(train, batch_size=32, shuffle=True, generator=tt.Generator(0))))
    assert xb.shape == (32, 1, 28, 28) and yb.shape == (32,)
    fashion = FashionMNIST(train=True)
    assert len(fashion) == 600 and fashion.classes[9] == "Ankle boot"


@pytest.mark.task("3.23")
def test_load_mnist_function_and_layout():
    images, labels = load_mnist(split="test")
    assert images.shape == (500, 1, 28, 28) and labels.shape == (500,)
    assert images.dtype == tt.float32 and labels.dtype == tt.int64
    with pytest.raises(ValueError, match="split"):
        load_mnist(split="validation")


def test_sample_package_is_small():
    from pathlib import Path
    samples = Path(mnist_module.__file__).parent / "samples"
    total = sum(f.stat().st_size for f in samples.rglob("*") if f.is_file())
    assert 0 < total < 1_000_000


def make_data_dir(tmp_path, n_train=30, n_test=10, nested=True, labels=None):
    """A fake data dir with the official file names; returns (root, {key: FileInfo}) to patch
    into DATASETS (the fake files' sizes and SHA-256)."""
    import hashlib

    rng = np.random.default_rng(0)
    root = tmp_path / "data"
    where = root / "mnist" if nested else root
    where.mkdir(parents=True)
    files = DATASETS["mnist"]["files"]
    for split, n in (("train", n_train), ("test", n_test)):
        write_idx(where / files[f"{split}-images"].name,
                  rng.integers(0, 256, size=(n, 28, 28)).astype(np.uint8))
        write_idx(where / files[f"{split}-labels"].name,
                  np.arange(n) % 10 if labels is None else labels[:n])
    table = {}
    for key, info in files.items():
        data = (where / info.name).read_bytes()
        table[key] = mnist_module.FileInfo(info.name, len(data), hashlib.sha256(data).hexdigest())
    return root, table


@pytest.fixture()
def fake_table(monkeypatch):
    def patch(table):
        monkeypatch.setitem(DATASETS, "mnist", {**DATASETS["mnist"], "files": table})
    return patch


@pytest.mark.task("3.23")
@pytest.mark.parametrize("nested", [True, False])
def test_data_dir_argument_then_env(tmp_path, monkeypatch, fake_table, nested):
    root, table = make_data_dir(tmp_path, nested=nested)
    fake_table(table)
    ds = MNIST(root, train=True)
    assert len(ds) == 30 and ds.source == str(root)
    monkeypatch.setenv("TINYTORCH_DATA", str(root))
    assert len(MNIST(train=False)) == 10
    assert len(MNIST(root=None, train=True)) == 30


def test_missing_files_and_wrong_size(tmp_path, fake_table):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz not found"):
        MNIST(tmp_path)
    root, table = make_data_dir(tmp_path)
    info = table["train-images"]
    table["train-images"] = mnist_module.FileInfo(info.name, info.size + 1, info.sha256)
    fake_table(table)
    with pytest.raises(ChecksumError, match=rf"train-images-idx3-ubyte.gz: {info.size} bytes, "
                                            rf"but the published file has {info.size + 1}; the "
                                            "file is truncated or not the official one"):
        MNIST(root)


def test_a_corrupt_file_of_the_right_size_fails_its_checksum(tmp_path, fake_table):
    root, table = make_data_dir(tmp_path)
    fake_table(table)
    path = root / "mnist" / table["train-images"].name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10  # same size, one bit off
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match=r"train-images-idx3-ubyte.gz: SHA-256 is [0-9a-f]{64}, "
                                            rf"expected {table['train-images'].sha256}; the file "
                                            "is corrupt or not the official one"):
        MNIST(root)


@pytest.mark.task("3.23")
def test_verified_files_are_remembered_until_they_change(tmp_path, fake_table, monkeypatch):
    download_module = sys.modules["tinytorch.nn.data.download"]  # (the package's `download` is
    # the function)

    root, table = make_data_dir(tmp_path)
    fake_table(table)
    hashed = []
    real = download_module.sha256sum
    monkeypatch.setattr(download_module, "sha256sum", lambda p: hashed.append(p) or real(p))
    MNIST(root, train=True)
    assert len(hashed) == 2  # images and labels, hashed on first use
    record = root / "mnist" / f".{table['train-images'].name}.sha256"
    assert json.loads(record.read_text())["sha256"] == table["train-images"].sha256
    MNIST(root, train=True)
    assert len(hashed) == 2  # remembered: not hashed again
    path = root / "mnist" / table["train-images"].name
    data = bytearray(path.read_bytes())
    data[-5] ^= 1  # changed in place after it was verified (a new mtime)
    path.write_bytes(bytes(data))
    os.utime(path, ns=(0, 10**18))
    with pytest.raises(ChecksumError, match="SHA-256 is"):
        MNIST(root, train=True)


@pytest.mark.task("3.23")
def test_a_label_outside_0_9_is_a_clear_error(tmp_path, fake_table):
    labels = np.arange(30) % 10
    labels[17] = 200
    root, table = make_data_dir(tmp_path, labels=labels)
    fake_table(table)
    with pytest.raises(IDXError, match=r"mnist train: label 200 at index 17 is not a class "
                                       r"\(0..9\); the labels file is corrupt"):
        MNIST(root, train=True)
    assert len(MNIST(root, train=False)) == 10  # the test labels are fine


@pytest.mark.task("3.23")
def test_huge_idx_dims_do_not_wrap_to_zero(tmp_path):
    """4 dims of 65536 need 2**64 bytes: a wrapping int64 product would say 0 and accept an
    empty body."""
    path = tmp_path / "huge-idx4-ubyte"
    path.write_bytes((0x0804).to_bytes(4, "big") + (65536).to_bytes(4, "big") * 4)
    with pytest.raises(IDXError, match=r"huge-idx4-ubyte: truncated IDX file: header says shape "
                                       r"\(65536, 65536, 65536, 65536\) "
                                       r"\(18446744073709551616 bytes of data\) but only 0 bytes "
                                       "follow"):
        read_idx(path)


@pytest.mark.task("3.24")
def test_download_from_a_mirror(tmp_path, monkeypatch):
    """download=True fetches every file (checksummed) from the dataset's mirror list."""
    import hashlib
    src, _ = make_data_dir(tmp_path / "mirror", nested=False)
    files = {}
    for key, info in DATASETS["mnist"]["files"].items():
        data = (src / info.name).read_bytes()
        files[key] = mnist_module.FileInfo(info.name, len(data), hashlib.sha256(data).hexdigest())
    monkeypatch.setitem(DATASETS, "mnist", {**DATASETS["mnist"], "files": files,
                                            "mirrors": [src.as_uri() + "/"]})
    ds = MNIST(tmp_path / "dl", train=False, download=True)
    assert len(ds) == 10
    assert (tmp_path / "dl" / "mnist" / "t10k-images-idx3-ubyte.gz").is_file()


def test_official_file_table():
    files = DATASETS["mnist"]["files"]
    assert files["train-images"].size == 9_912_422
    assert files["test-labels"].sha256.startswith("f7ae60f9")
    for spec in DATASETS.values():
        for info in spec["files"].values():
            assert len(info.sha256) == 64 and info.size > 0
        assert spec["mirrors"]
