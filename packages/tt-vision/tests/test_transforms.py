"""Transforms: values against closed forms (and torchvision's definitions), one image or a
batch, seeded randomness, labels kept aligned through a DataLoader."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.nn.data import MNIST as PartThreeMNIST
from tinytorch.nn.data import DataLoader
from tinytorch.vision import transforms as T
from tinytorch.vision.datasets import MNIST

# -- 4.16 ToTensor and Normalize -------------------------------------------------------------------

@pytest.mark.task("4.16")
def test_to_tensor_image_and_batch():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (5, 4, 3), dtype=np.uint8)
    out = T.ToTensor()(image)
    assert out.shape == (3, 5, 4) and out.dtype is tt.float32
    np.testing.assert_allclose(out.array, image.transpose(2, 0, 1) / 255, rtol=1e-6)
    batch = rng.integers(0, 256, (6, 5, 4, 3), dtype=np.uint8)
    out = T.ToTensor()(batch)
    assert out.shape == (6, 3, 5, 4)
    np.testing.assert_allclose(out.array, batch.transpose(0, 3, 1, 2) / 255, rtol=1e-6)
    gray = T.ToTensor()(np.full((2, 3), 255, np.uint8))
    assert gray.shape == (1, 2, 3) and (gray.array == 1).all()
    floats = T.ToTensor()(np.ones((2, 3, 1), np.float64) * 7)  # not uint8: not rescaled
    assert floats.shape == (1, 2, 3) and floats.dtype is tt.float64 and (floats.array == 7).all()


@pytest.mark.task("4.16")
def test_normalize_per_channel():
    x = np.random.default_rng(1).random((4, 3, 5, 5)).astype(np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    out = T.Normalize(mean, std)(tt.tensor(x))
    expected = (x - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    np.testing.assert_allclose(out.array, expected, rtol=1e-5, atol=1e-6)
    one = T.Normalize(mean, std)(tt.tensor(x[2]))
    np.testing.assert_allclose(one.array, expected[2], rtol=1e-5, atol=1e-6)
    inplace = tt.tensor(x.copy())
    assert T.Normalize(mean, std, inplace=True)(inplace) is inplace
    np.testing.assert_allclose(inplace.array, expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize(mean, (1, 0, 1))(tt.tensor(x))


def test_transform_errors():
    with pytest.raises(TypeError, match="already gives Tensors"):
        T.ToTensor()(tt.zeros(1, 28, 28))
    with pytest.raises(TypeError, match="float tensor"):
        T.Normalize((0.5,), (0.5,))(tt.tensor(np.ones((1, 2, 2), np.int64)))
    with pytest.raises(TypeError, match="ToTensor"):
        T.RandomCrop(2)(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="larger than the"):
        T.RandomCrop(8)(tt.zeros(3, 4, 4))
    with pytest.raises(ValueError, match="Padding mode"):
        T.RandomCrop(8, padding_mode="wrap")


# -- 4.17 RandomCrop ------------------------------------------------------------------------------

@pytest.mark.task("4.17")
def test_random_crop_takes_windows_of_the_padded_images():
    x = np.arange(2 * 3 * 6 * 6, dtype=np.float32).reshape(2, 3, 6, 6)
    out = T.RandomCrop(4, padding=2, generator=tt.Generator(0))(tt.tensor(x)).array
    assert out.shape == (2, 3, 4, 4)
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    for n in range(2):  # each crop is one window of its own padded image, all channels alike
        found = [(i, j) for i in range(7) for j in range(7)
                 if np.array_equal(padded[n, :, i:i + 4, j:j + 4], out[n])]
        assert found, f"image {n} is not a crop of its padded self"


@pytest.mark.task("4.17")
def test_random_crop_positions_are_independent_and_seeded():
    x = tt.tensor(np.arange(64 * 8 * 8, dtype=np.float32).reshape(64, 1, 8, 8))
    a = T.RandomCrop(6, padding=(1, 2), generator=tt.Generator(3))(x).array
    b = T.RandomCrop(6, padding=(1, 2), generator=tt.Generator(3))(x).array
    np.testing.assert_array_equal(a, b)
    corners = T.RandomCrop(4, generator=tt.Generator(4))(x).array[:, 0, 0, 0]
    offsets = {divmod(int(v) % 64, 8) for v in corners}  # where each crop starts
    assert len(offsets) > 10 and all(i <= 4 and j <= 4 for i, j in offsets)
    single = T.RandomCrop((3, 5))(tt.tensor(np.ones((2, 4, 6), np.float32)))
    assert single.shape == (2, 3, 5)
    grown = T.RandomCrop(10, pad_if_needed=True, padding_mode="edge")(x)
    assert grown.shape == (64, 1, 10, 10)


# -- 4.18 RandomHorizontalFlip --------------------------------------------------------------------

@pytest.mark.task("4.18")
def test_random_horizontal_flip():
    x = np.random.default_rng(2).random((200, 2, 3, 4)).astype(np.float32)
    out = T.RandomHorizontalFlip(0.5, generator=tt.Generator(1))(tt.tensor(x)).array
    flipped = np.array([np.array_equal(out[n], x[n, :, :, ::-1]) for n in range(200)])
    same = np.array([np.array_equal(out[n], x[n]) for n in range(200)])
    assert (flipped ^ same).all() and 70 < flipped.sum() < 130
    assert np.array_equal(T.RandomHorizontalFlip(1.0)(tt.tensor(x[0])).array, x[0, :, :, ::-1])
    assert np.array_equal(T.RandomHorizontalFlip(0.0)(tt.tensor(x)).array, x)


@pytest.mark.task("4.18")
def test_batch_transforms_keep_labels_aligned():
    """Each image is painted with its own label; after crops and flips through a shuffled
    DataLoader, every image must still carry the label it is returned with."""
    dataset = MNIST(transform=T.Compose([T.RandomCrop(28, padding=4),
                                         T.RandomHorizontalFlip()]))
    labels = dataset.targets.array
    painted = np.broadcast_to(labels[:, None, None, None] / 10.0, (len(labels), 1, 28, 28))
    dataset.tensors = (tt.tensor(painted.astype(np.float32)), dataset.targets)
    loader = DataLoader(dataset, batch_size=37, shuffle=True, generator=tt.Generator(0))
    seen = 0
    for images, batch_labels in loader:
        centre = images.array[:, :, 4:24, 4:24]  # never padding, whatever the crop
        np.testing.assert_allclose(centre.max(axis=(1, 2, 3)) * 10, batch_labels.array,
                                   rtol=1e-5)
        seen += len(batch_labels)
    assert seen == len(dataset)
    assert T.Compose([T.ToTensor(), T.RandomHorizontalFlip()]).supports_batches
    assert not T.Compose([T.ToTensor(), lambda x: x]).supports_batches


@pytest.mark.task("4.18")
def test_part_three_mnist_works_with_these_transforms():
    pipeline = T.Compose([T.RandomCrop(28, padding=2, generator=tt.Generator(0)),
                          T.RandomHorizontalFlip(generator=tt.Generator(0)),
                          T.Normalize((0.1307,), (0.3081,))])
    for cls in (PartThreeMNIST, MNIST):  # sample by sample, and this package's batch path
        images, labels = next(iter(DataLoader(cls(transform=pipeline), batch_size=16)))
        plain = cls()
        assert images.shape == (16, 1, 28, 28)
        np.testing.assert_array_equal(labels.array, plain.targets.array[:16])
        # normalised ink: the brightest pixel of each digit is (1 - mean) / std
        np.testing.assert_allclose(images.array.max(axis=(1, 2, 3)),
                                   (plain.data.array[:16].max(axis=(1, 2, 3)) - 0.1307) / 0.3081,
                                   rtol=1e-5)
