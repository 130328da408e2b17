"""Ordering and running reductions: sort, argsort, topk, cumprod, cummax, cummin, histc. Values
against NumPy and PyTorch; indices are checked on ties and nan as PyTorch places them."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt

RNG = np.random.default_rng(0)
DISTINCT = RNG.permutation(60).reshape(3, 4, 5).astype(np.float32) / 7 - 4
TIES = np.array([[3, 1, 2, 1, 3, 0], [5, 5, 5, 1, 1, 0]], np.float32)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_against_torch(torch, dim, descending):
    ours = tt.tensor(DISTINCT).sort(dim, descending)
    theirs = torch.from_numpy(DISTINCT).sort(dim, descending)
    np.testing.assert_array_equal(ours.values.array, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())
    assert ours.indices.dtype is tt.int64
    np.testing.assert_array_equal(tt.tensor(DISTINCT).argsort(dim, descending).array,
                                  theirs.indices.numpy())


@pytest.mark.parametrize("descending", [False, True])
def test_sort_is_stable_on_ties_and_puts_nan_last(torch, descending):
    values = np.array([[2.0, np.nan, 1.0, 2.0, -np.inf, 1.0, np.nan, np.inf]], np.float32)
    for x in (TIES, values):
        ours = tt.tensor(x).sort(descending=descending, stable=True)
        theirs = torch.from_numpy(x).sort(descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.array, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())


def test_sort_of_integers_bools_and_0d(torch):
    for x in (np.array([3, -1, 2], np.int64), np.array([True, False, True]),
              np.array([7, 200, 3], np.uint8)):
        ours, theirs = tt.tensor(x).sort(), torch.from_numpy(x).sort(stable=True)
        assert ours.values.dtype.name == str(theirs.values.dtype).split(".")[1]
        np.testing.assert_array_equal(ours.values.array, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())
    values, indices = tt.tensor(2.5).sort()
    assert values.shape == () and values.item() == 2.5 and indices.item() == 0
    assert tt.sort(tt.tensor([2, 1]), descending=True).values.tolist() == [2, 1]


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [2, 1])
def test_topk_against_torch(torch, k, largest, dim):
    if k > DISTINCT.shape[dim]:  # both refuse, naming the range
        with pytest.raises(RuntimeError):
            torch.from_numpy(DISTINCT).topk(k, dim, largest)
        with pytest.raises(RuntimeError, match="range"):
            tt.tensor(DISTINCT).topk(k, dim, largest)
        return
    ours = tt.tensor(DISTINCT).topk(k, dim, largest)
    theirs = torch.from_numpy(DISTINCT).topk(k, dim, largest)
    np.testing.assert_array_equal(ours.values.array, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())
    values, indices = tt.topk(tt.tensor(DISTINCT), k, dim=dim, largest=largest)  # unpacks
    np.testing.assert_array_equal(values.array, ours.values.array)


def test_topk_errors_and_edges():
    x = tt.tensor([1.0, 3.0, 2.0])
    assert x.topk(0).values.shape == (0,)
    assert x.topk(3).values.tolist() == [3.0, 2.0, 1.0]
    with pytest.raises(RuntimeError, match="out of range"):
        x.topk(4)
    assert tt.tensor(5.0).topk(1).values.item() == 5.0


def test_cumprod_against_torch(torch):
    x = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)
    for dim in (0, 1, -1):
        np.testing.assert_allclose(tt.tensor(x).cumprod(dim).array,
                                   torch.from_numpy(x).cumprod(dim).numpy(), rtol=1e-6)
    ints = np.array([1, -2, 3, 4], np.int32)
    ours, theirs = tt.tensor(ints).cumprod(0), torch.from_numpy(ints).cumprod(0)
    assert ours.dtype is tt.int64 and ours.tolist() == theirs.tolist() == [1, -2, -6, -24]
    assert tt.tensor(ints).cumprod(0, dtype=tt.float64).dtype is tt.float64
    assert tt.tensor(3.0).cumprod(0).item() == 3.0
    np.testing.assert_array_equal(tt.tensor([2.0, 0.0, 5.0]).cumprod(0).array, [2.0, 0.0, 0.0])


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin_against_torch(torch, name):
    nan = np.nan
    cases = [TIES, np.array([1.0, 3, 3, 2, nan, 5, nan, 1], np.float32),
             np.array([True, False, True]), np.array([[3, 1, 1, 2], [0, 0, 4, 4]], np.int64),
             DISTINCT]
    for x in cases:
        for dim in range(-1, x.ndim - 1):
            ours = getattr(tt.tensor(x), name)(dim)
            theirs = getattr(torch.from_numpy(x), name)(dim)
            np.testing.assert_array_equal(ours.values.array, theirs.values.numpy())
            np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())
    values, indices = getattr(tt, name)(tt.tensor(2.0), 0)
    assert values.shape == indices.shape == () and indices.item() == 0


def test_running_extremes_closed_form():
    x = tt.tensor([2.0, 1.0, 4.0, 4.0, 3.0])
    assert x.cummax(0).values.tolist() == [2.0, 2.0, 4.0, 4.0, 4.0]
    assert x.cummax(0).indices.tolist() == [0, 0, 2, 3, 3]  # ties: the latest position
    assert x.cummin(0).indices.tolist() == [0, 1, 1, 1, 1]


@pytest.mark.parametrize("bins,lo,hi", [(10, 0, 0), (4, -1, 1), (7, -3.5, 2.0), (1, 0, 0)])
def test_histc_against_torch(torch, bins, lo, hi):
    x = RNG.normal(size=200).astype(np.float32)
    x[:3] = [lo, hi, (lo + hi) / 2]  # values on the edges
    ours = tt.tensor(x).histc(bins, lo, hi)
    theirs = torch.from_numpy(x).histc(bins, lo, hi)
    assert ours.dtype is tt.float32
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_histc_edges_and_errors(torch):
    assert tt.tensor([1.0, 1.0]).histc(4).tolist() == torch.tensor([1.0, 1.0]).histc(4).tolist()
    assert tt.histc(tt.tensor([0.0, 0.5, 1.0, 2.0]), bins=2, min=0, max=1).tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError):
        tt.tensor([1, 2]).histc()
    with pytest.raises(RuntimeError, match="max"):
        tt.tensor([1.0]).histc(4, 2, 1)
