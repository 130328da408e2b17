"""CIFAR-10 from its binary records (embedded sample, a folder, a tarball, a download) and safe
tar extraction; clear errors for truncated, corrupted and hostile files."""

from __future__ import annotations

import hashlib
import io
import tarfile

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.nn.data import DataLoader
from tinytorch.vision import transforms as T
from tinytorch.vision.datasets import (
    CIFAR10,
    CIFARError,
    UnsafeArchiveError,
    read_cifar_records,
    safe_extract,
)
from tinytorch.vision.datasets import cifar as cifar_module

RECORD = 3073


def _records(labels, seed=0):
    """Records of the official layout for ``labels``, and the images they hold (N, H, W, C)."""
    rng = np.random.default_rng(seed)
    chw = rng.integers(0, 256, (len(labels), 3, 32, 32), dtype=np.uint8)
    table = np.concatenate([np.asarray(labels, np.uint8)[:, None], chw.reshape(len(labels), -1)],
                           axis=1)
    return table.tobytes(), chw.transpose(0, 2, 3, 1)


def _folder(root, n_test=10_000, seed=1):
    """``root/cifar-10-batches-bin/test_batch.bin`` with ``n_test`` records."""
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    labels = np.arange(n_test) % 10
    data, images = _records(labels, seed)
    (folder / "test_batch.bin").write_bytes(data)
    return folder, labels, images


# -- 4.19 records ---------------------------------------------------------------------------------

@pytest.mark.task("4.19")
def test_records_split_into_labels_and_hwc_images():
    data, images = _records([3, 0, 9])
    got_images, got_labels = read_cifar_records(data, "three.bin")
    assert got_images.dtype == np.uint8 and got_images.shape == (3, 32, 32, 3)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, [3, 0, 9])
    assert got_labels.dtype == np.int64
    # the red plane comes first: byte 1 of a record is the top-left red pixel
    assert got_images[0, 0, 0, 0] == data[1] and got_images[0, 0, 0, 1] == data[1 + 1024]


@pytest.mark.task("4.19")
def test_truncated_or_corrupted_records_are_named():
    data, _ = _records([1, 2])
    with pytest.raises(CIFARError, match=r"short\.bin: 6,145 bytes, expected a whole number of "
                                         r"3,073-byte records.*truncated"):
        read_cifar_records(data[:-1], "short.bin")
    with pytest.raises(CIFARError, match=r"6,146 bytes, expected 9,219 bytes \(3 records"):
        read_cifar_records(data, "two.bin", records=3)
    bad = bytearray(data)
    bad[RECORD] = 200  # the second record's label byte
    with pytest.raises(CIFARError, match="bad.bin: record 1 has label 200"):
        read_cifar_records(bytes(bad), "bad.bin")


@pytest.mark.task("4.19")
def test_embedded_sample_is_the_default(monkeypatch):
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)
    train, test = CIFAR10(), CIFAR10(train=False)
    assert (len(train), len(test)) == (200, 100)
    assert train.data.shape == (200, 32, 32, 3) and train.data.dtype == np.uint8
    assert set(np.unique(train.targets)) == set(range(10))
    assert train.source == "embedded sample" and train.classes[3] == "cat"
    image, label = train[5]
    assert image.shape == (32, 32, 3) and label == train.targets[5]
    images, labels = next(iter(DataLoader(train, batch_size=8)))  # untransformed batch
    assert isinstance(images, np.ndarray) and images.shape == (8, 32, 32, 3)
    np.testing.assert_array_equal(labels.array, train.targets[:8])


@pytest.mark.task("4.19")
def test_cifar_batches_keep_labels_aligned(monkeypatch):
    """Images painted with their labels stay with them through batched transforms."""
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)
    dataset = CIFAR10(transform=T.Compose([T.ToTensor(), T.RandomCrop(32, padding=4),
                                           T.RandomHorizontalFlip()]))
    dataset.data = np.repeat(dataset.targets.astype(np.uint8)[:, None, None, None] * 20,
                             32, 1).repeat(32, 2).repeat(3, 3)
    seen = 0
    for images, labels in DataLoader(dataset, batch_size=37, shuffle=True,
                                     generator=tt.Generator(0)):
        centre = images.array[:, :, 4:28, 4:28]
        np.testing.assert_allclose(centre.max(axis=(1, 2, 3)) * 255 / 20, labels.array,
                                   rtol=1e-5)
        seen += len(labels)
    assert seen == len(dataset)


@pytest.mark.task("4.19")
def test_folder_from_root_and_environment(tmp_path, monkeypatch):
    _, labels, images = _folder(tmp_path)
    test = CIFAR10(tmp_path, train=False)
    assert len(test) == 10_000 and test.source.endswith("cifar-10-batches-bin")
    np.testing.assert_array_equal(test.targets, labels)
    np.testing.assert_array_equal(test.data[:5], images[:5])
    monkeypatch.setenv("TINYTORCH_DATA", str(tmp_path))
    assert len(CIFAR10(train=False)) == 10_000
    with pytest.raises(FileNotFoundError, match="data_batch_1.bin is missing"):
        CIFAR10(tmp_path, train=True)


@pytest.mark.task("4.19")
def test_truncated_file_in_a_folder_is_a_clear_error(tmp_path):
    folder, _, _ = _folder(tmp_path)
    path = folder / "test_batch.bin"
    path.write_bytes(path.read_bytes()[:-1000])
    with pytest.raises(CIFARError, match=r"test_batch\.bin: 30,729,000 bytes, expected "
                                         r"30,730,000 bytes \(10,000 records"):
        CIFAR10(tmp_path, train=False)


def test_missing_data_and_foreign_tarball(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        CIFAR10(tmp_path)
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(b"not the tarball")
    with pytest.raises(CIFARError, match="not the official CIFAR-10 binary tarball"):
        CIFAR10(tmp_path)


# -- 4.20 safe extraction -------------------------------------------------------------------------

def _tar(path, members):
    """A .tar.gz with ``members``: (name, bytes) for files, (name, ("symlink", target))."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(content, tuple):
                info.type, info.linkname = tarfile.SYMTYPE, content[1]
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


@pytest.mark.task("4.20")
def test_safe_extract_writes_the_regular_files(tmp_path):
    archive = _tar(tmp_path / "a.tar.gz", [("data/", b""), ("data/x.bin", b"xx"),
                                           ("data/sub/y.txt", b"y")])
    out = safe_extract(archive, tmp_path / "dest", "data")
    assert (out / "x.bin").read_bytes() == b"xx" and (out / "sub" / "y.txt").read_bytes() == b"y"


@pytest.mark.task("4.20")
@pytest.mark.parametrize("member, why", [
    (("data/../../evil.txt", b"!"), "outside the destination"),
    (("/tmp/evil.txt", b"!"), "outside the destination"),
    (("other/evil.txt", b"!"), "not inside data/"),
    (("data/link", ("symlink", "/etc/passwd")), "is a link"),
])
def test_safe_extract_refuses_hostile_members(tmp_path, member, why):
    archive = _tar(tmp_path / "a.tar.gz", [("data/ok.bin", b"ok"), member])
    with pytest.raises(UnsafeArchiveError, match=why):
        safe_extract(archive, tmp_path / "dest", "data")
    assert not (tmp_path / "dest" / "data").exists()  # nothing half-written
    assert not (tmp_path / "evil.txt").exists()
    assert [p.name for p in (tmp_path / "dest").iterdir()] == []


@pytest.mark.task("4.20")
def test_download_checks_the_checksum_then_extracts(tmp_path, monkeypatch):
    source = tmp_path / "server"
    source.mkdir()
    data, _ = _records(np.arange(10_000) % 10)
    tarball = _tar(source / "cifar-10-binary.tar.gz",
                   [("cifar-10-batches-bin/test_batch.bin", data),
                    ("cifar-10-batches-bin/readme.html", b"<html>")])
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    root = tmp_path / "data"
    monkeypatch.setitem(cifar_module.TARBALL, "url", tarball.as_uri())
    monkeypatch.setitem(cifar_module.TARBALL, "sha256", "0" * 64)
    with pytest.raises(ValueError, match="checksum mismatch"):
        CIFAR10(root, train=False, download=True)
    assert not (root / "cifar-10-batches-bin").exists()
    monkeypatch.setitem(cifar_module.TARBALL, "sha256", digest)
    test = CIFAR10(root, train=False, download=True)
    assert len(test) == 10_000 and (root / "cifar-10-binary.tar.gz").is_file()
    monkeypatch.setitem(cifar_module.TARBALL, "size", tarball.stat().st_size)
    (root / "cifar-10-batches-bin" / "test_batch.bin").unlink()  # the tarball is found again:
    (root / "cifar-10-batches-bin" / "readme.html").unlink()     # verified and re-extracted
    (root / "cifar-10-batches-bin").rmdir()
    assert len(CIFAR10(root, train=False)) == 10_000
