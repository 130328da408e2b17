"""Datasets and the DataLoader: coverage, determinism, drop_last, len, fast batching, splits."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.nn.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def make_ds(n=103):
    x = tt.from_numpy(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = tt.arange(n)
    return TensorDataset(x, y)


class ListDataset(Dataset):
    """A generic dataset: per-item access only (dict samples), to exercise default_collate."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return {"x": np.full(2, i, dtype=np.float32), "y": i}

    def __len__(self):
        return self.n


@pytest.mark.task("3.22")
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_every_sample_once_per_epoch(shuffle, drop_last):
    ds = make_ds(103)
    loader = DataLoader(ds, batch_size=10, shuffle=shuffle, drop_last=drop_last,
                        generator=tt.Generator(3))
    assert len(loader) == (10 if drop_last else 11)
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == len(loader)
        sizes = [len(y) for _, y in batches]
        assert sizes == [10] * 10 + ([] if drop_last else [3])
        seen = np.concatenate([y.array for _, y in batches])
        if drop_last:
            assert len(set(seen.tolist())) == 100
        else:
            assert sorted(seen.tolist()) == list(range(103))
        for x, y in batches:  # inputs stay aligned with their labels
            np.testing.assert_array_equal(x.array[:, 0], y.array * 3)
        if not shuffle:
            assert seen.tolist() == list(range(len(seen)))


@pytest.mark.task("3.22")
def test_shuffle_is_seeded_and_new_every_epoch():
    def epochs(seed):
        loader = DataLoader(make_ds(50), batch_size=7, shuffle=True, generator=tt.Generator(seed))
        return [np.concatenate([y.array for _, y in loader]).tolist() for _ in range(3)]

    a, b, c = epochs(0), epochs(0), epochs(1)
    assert a == b
    assert a != c
    assert a[0] != a[1] and a[1] != a[2]
    assert a[0] != list(range(50))


@pytest.mark.task("3.22")
def test_global_generator_used_without_generator():
    tt.manual_seed(5)
    first = [y.array.tolist() for _, y in DataLoader(make_ds(20), 4, shuffle=True)]
    tt.manual_seed(5)
    again = [y.array.tolist() for _, y in DataLoader(make_ds(20), 4, shuffle=True)]
    assert first == again


@pytest.mark.task("3.22")
def test_array_backed_batches_use_one_fancy_index():
    calls = []

    class Counting(TensorDataset):
        def __getitem__(self, i):  # must not be called for batching
            calls.append(i)
            return super().__getitem__(i)

    loader = DataLoader(Counting(*make_ds(64).tensors), batch_size=16, shuffle=True)
    batches = list(loader)
    assert calls == [] and len(batches) == 4
    assert batches[0][0].shape == (16, 3) and batches[0][1].dtype == tt.int64


@pytest.mark.task("3.22")
def test_generic_dataset_default_collate():
    loader = DataLoader(ListDataset(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert batches[0]["x"].shape == (4, 2)
    np.testing.assert_array_equal(batches[2]["y"].array, [8, 9])
    assert batches[2]["y"].dtype == tt.int64


@pytest.mark.task("3.22")
def test_custom_collate_fn_gets_samples():
    loader = DataLoader(make_ds(10), batch_size=4, collate_fn=lambda s: [int(y.item()) for _, y in s])
    assert list(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_default_collate_nested():
    batch = default_collate([(tt.tensor([1.0, 2.0]), 1), (tt.tensor([3.0, 4.0]), 2)])
    assert isinstance(batch, tuple)
    np.testing.assert_array_equal(batch[0].array, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(batch[1].array, [1, 2])


@pytest.mark.task("3.22")
def test_tensor_dataset_and_subset():
    ds = make_ds(10)
    x, y = ds[4]
    assert y.item() == 4 and x.shape == (3,)
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(tt.zeros(3, 2), tt.zeros(4))
    sub = Subset(ds, [9, 2, 5])
    assert len(sub) == 3 and sub[0][1].item() == 9
    batch = list(DataLoader(sub, batch_size=3))[0]
    np.testing.assert_array_equal(batch[1].array, [9, 2, 5])


def test_random_split_lengths_and_fractions():
    ds = make_ds(10)
    a, b = random_split(ds, [7, 3], generator=tt.Generator(0))
    assert (len(a), len(b)) == (7, 3)
    ids = sorted(a.indices.tolist() + b.indices.tolist())
    assert ids == list(range(10))
    parts = random_split(ds, [0.5, 0.3, 0.2], generator=tt.Generator(0))
    assert [len(p) for p in parts] == [5, 3, 2]
    parts = random_split(make_ds(11), [0.5, 0.5], generator=tt.Generator(0))
    assert [len(p) for p in parts] == [6, 5]
    again = random_split(ds, [7, 3], generator=tt.Generator(0))
    assert again[0].indices.tolist() == a.indices.tolist()
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [5, 4])


def test_loader_validates():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(make_ds(), batch_size=0)
    with pytest.raises(TypeError, match="Generator"):
        DataLoader(make_ds(), generator=np.random.default_rng(0))


def test_samplers_with_replacement_stream_endless_draws():
    """``num_samples=10**10`` (the infinite-sampler idiom) is streamed in chunks: taking the
    first draws allocates a few KB, not the 80 GB every index would need."""
    import itertools
    import tracemalloc

    from tinytorch.nn.data import RandomSampler, WeightedRandomSampler

    ds = make_ds(7)
    weights = [1.0, 0.0, 3.0]
    tracemalloc.start()
    try:
        uniform = RandomSampler(ds, replacement=True, num_samples=10**10,
                                generator=tt.Generator(0))
        weighted = WeightedRandomSampler(weights, num_samples=10**10, generator=tt.Generator(1))
        draws = list(itertools.islice(uniform, 20_000))
        weighted_draws = list(itertools.islice(weighted, 20_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MiB for 40,000 draws"
    assert len(uniform) == 10**10 and len(weighted) == 10**10
    counts = np.bincount(draws, minlength=7)
    assert counts.sum() == 20_000 and len(counts) == 7
    np.testing.assert_allclose(counts / 20_000, 1 / 7, atol=0.02)  # ~10 std of a bin
    weighted_counts = np.bincount(weighted_draws, minlength=3)
    assert weighted_counts[1] == 0
    np.testing.assert_allclose(weighted_counts / 20_000, [0.25, 0.0, 0.75], atol=0.02)
    again = RandomSampler(ds, replacement=True, num_samples=10**10, generator=tt.Generator(0))
    assert list(itertools.islice(again, 20_000)) == draws  # seeded: the same stream
    short = RandomSampler(ds, replacement=True, num_samples=5000)  # a partial last chunk
    assert len(list(short)) == 5000
