"""Indexing: basic, advanced and boolean ``__getitem__`` (task 1.10), and the library's
``__setitem__`` and gather (no task), against NumPy and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt

SHAPE = (4, 5, 6)


def _base(seed=0):
    return np.random.default_rng(seed).standard_normal(SHAPE).astype(np.float32)


# Each index is written once as (numpy index, ours index, torch index builder)
def _same(i):
    return (i, i, lambda torch: i)


def _tensor_index(arr):
    arr = np.asarray(arr)
    return (arr, lambda: tt.tensor(arr), lambda torch: torch.from_numpy(arr))


MASK = np.random.default_rng(7).random(SHAPE) > 0.5
ROW_MASK = np.array([True, False, True, True])

INDICES = {
    "int": _same(1),
    "neg_int": _same(-1),
    "int_int": _same((1, 2)),
    "int_int_int": _same((3, 4, 5)),
    "slice": _same(slice(1, 3)),
    "slice_step": _same((slice(None), slice(None, None, 2))),
    "slice_neg": _same((slice(-3, None), slice(None, -1))),
    "ellipsis": _same((Ellipsis, 0)),
    "ellipsis_mid": _same((0, Ellipsis, slice(1, 2))),
    "none": _same((None, 1)),
    "none_mid": _same((slice(None), None, 2)),
    "slice_empty": _same(slice(3, 1)),
    "list": _same([0, 2, 2]),
    "list_neg": _same(([0, -1], slice(None), 0)),
    "tensor": _tensor_index([3, 0, 1]),
    "tensor_2d": _tensor_index([[0, 1], [2, 3]]),
    "two_tensors": ((np.array([0, 1, 3]), np.array([4, 0, 2])),
                    lambda: (tt.tensor([0, 1, 3]), tt.tensor([4, 0, 2])),
                    lambda torch: (torch.tensor([0, 1, 3]), torch.tensor([4, 0, 2]))),
    "tensor_and_slice": ((slice(None), np.array([1, 1, 0])),
                         lambda: (slice(None), tt.tensor([1, 1, 0])),
                         lambda torch: (slice(None), torch.tensor([1, 1, 0]))),
    "broadcast_tensors": ((np.array([[0], [2]]), np.array([1, 3, 4])),
                          lambda: (tt.tensor([[0], [2]]), tt.tensor([1, 3, 4])),
                          lambda torch: (torch.tensor([[0], [2]]), torch.tensor([1, 3, 4]))),
    "int32_tensor": (np.array([1, 2], dtype=np.int32), lambda: tt.tensor([1, 2], dtype=tt.int32),
                     lambda torch: torch.tensor([1, 2], dtype=torch.int32)),
    "mask_full": _tensor_index(MASK),
    "mask_rows": _tensor_index(ROW_MASK),
    "mask_then_int": ((ROW_MASK, 0), lambda: (tt.tensor(ROW_MASK), 0),
                      lambda torch: (torch.from_numpy(ROW_MASK), 0)),
}


def _ours_index(entry):
    ours = entry[1]
    return ours() if callable(ours) else ours


def _torch_index(entry, torch):
    return entry[2](torch)


PARAMS = list(INDICES)


@pytest.mark.task("1.10")
@pytest.mark.parametrize("name", PARAMS)
def test_getitem_against_numpy(name):
    a = _base()
    entry = INDICES[name]
    out = tt.tensor(a)[_ours_index(entry)]
    expected = a[entry[0]]
    assert isinstance(out, tt.Tensor)
    assert out.shape == np.shape(expected)
    np.testing.assert_array_equal(out.array, expected)


@pytest.mark.task("1.10")
@pytest.mark.parametrize("name", PARAMS)
def test_getitem_against_torch(torch, name):
    a = _base(1)
    entry = INDICES[name]
    out = tt.tensor(a)[_ours_index(entry)]
    expected = torch.from_numpy(a)[_torch_index(entry, torch)]
    assert out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.array, expected.numpy())


@pytest.mark.parametrize("name", PARAMS)
@pytest.mark.parametrize("value_kind", ["scalar", "tensor"])
def test_setitem_against_numpy(name, value_kind):
    a = _base()
    entry = INDICES[name]
    target_shape = a[entry[0]].shape
    value = np.arange(np.prod(target_shape), dtype=np.float32).reshape(target_shape) + 100
    if value_kind == "scalar":
        value = 7.5
    t = tt.tensor(a)
    data, v0 = t.array, t._version
    t[_ours_index(entry)] = value if value_kind == "scalar" else tt.tensor(value)
    expected = a.copy()
    expected[entry[0]] = value
    assert t.array is data  # written in place
    assert t._version == v0 + 1
    np.testing.assert_array_equal(t.array, expected)


@pytest.mark.parametrize("name", ["int", "slice_step", "list", "two_tensors", "mask_full",
                                  "mask_then_int", "none_mid"])
def test_setitem_against_torch(torch, name):
    a = _base(2)
    entry = INDICES[name]
    t, ref = tt.tensor(a), torch.from_numpy(a.copy())
    t[_ours_index(entry)] = -3.0
    ref[_torch_index(entry, torch)] = -3.0
    np.testing.assert_array_equal(t.array, ref.numpy())


@pytest.mark.task("1.10")
def test_basic_index_is_view_advanced_is_copy():
    t = tt.tensor(_base())
    assert np.shares_memory(t[1:3].array, t.array)
    assert np.shares_memory(t[0, 1].array, t.array)  # all-int index: a 0-d view
    assert t[0, 1, 2].shape == ()
    assert not np.shares_memory(t[tt.tensor([0, 1])].array, t.array)
    assert not np.shares_memory(t[tt.tensor(ROW_MASK)].array, t.array)


def test_setitem_broadcasts_and_casts():
    t = tt.zeros(3, 4)
    t[1] = tt.tensor([1, 2, 3, 4])
    t[:, 0] = 9
    t[t > 3] = -1.0
    np.testing.assert_array_equal(t.array, [[-1, 0, 0, 0], [-1, 2, 3, -1], [-1, 0, 0, 0]])
    assert t.dtype is tt.float32
    i = tt.zeros(3, dtype=tt.int64)
    i[0] = 1.5  # a Python number is cast to the tensor's dtype, as in PyTorch
    assert i.array[0] == 1 and i.dtype is tt.int64
    i[1] = tt.tensor(2.5)  # a basic index casts a tensor value too (copy_ semantics)
    assert i.array[1] == 2
    with pytest.raises(RuntimeError, match="float32"):
        i[tt.tensor([0, 2])] = tt.tensor([1.5, 2.5])  # integer-tensor index: dtypes must match
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        t[0] = tt.ones(3)


@pytest.mark.task("1.10")
def test_mask_from_comparison_selects_like_numpy():
    a = _base()
    t = tt.tensor(a)
    np.testing.assert_array_equal(t[t > 0].array, a[a > 0])
    np.testing.assert_array_equal(t[(t > 0) & (t < 1)].array, a[(a > 0) & (a < 1)])


@pytest.mark.task("1.10")
def test_iteration_and_len():
    t = tt.tensor([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and all(isinstance(r, tt.Tensor) for r in rows)
    np.testing.assert_array_equal(rows[2].array, [5, 6])
    with pytest.raises(TypeError):
        len(tt.tensor(1.0))


@pytest.mark.task("1.10")
def test_index_select():
    a = _base()
    out = tt.tensor(a).index_select(1, tt.tensor([4, 0]))
    np.testing.assert_array_equal(out.array, a[:, [4, 0]])


def test_tensor_as_python_index():
    lst = [10, 20, 30]
    assert lst[tt.tensor(2)] == 30
    with pytest.raises(TypeError):
        lst[tt.tensor(1.0)]


# -- errors ---------------------------------------------------------------------------------------

@pytest.mark.task("1.10")
@pytest.mark.parametrize("index", [4, -5, (0, 5), (0, 0, 6), [0, 7]])
def test_index_out_of_range(index):
    with pytest.raises(IndexError) as info:
        tt.zeros(SHAPE)[index]
    assert "(4, 5, 6)" in str(info.value)
    with pytest.raises(IndexError):
        tt.zeros(SHAPE)[index] = 1.0


@pytest.mark.task("1.10")
def test_too_many_indices_and_bad_index_dtype():
    with pytest.raises(IndexError, match="(4, 5, 6)"):
        tt.zeros(SHAPE)[0, 0, 0, 0]
    with pytest.raises(IndexError, match="float"):
        tt.zeros(SHAPE)[tt.tensor([0.0, 1.0])]


@pytest.mark.task("1.10")
def test_mask_shape_mismatch():
    with pytest.raises(IndexError):
        tt.zeros(SHAPE)[tt.tensor([True, False])]


# -- gather ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_gather_against_numpy(dim):
    a = _base()
    rng = np.random.default_rng(3)
    d = dim % 3
    idx_shape = list(SHAPE)
    idx_shape[d] = 3
    idx = rng.integers(0, SHAPE[d], idx_shape)
    out = tt.tensor(a).gather(dim, tt.tensor(idx))
    np.testing.assert_array_equal(out.array, np.take_along_axis(a, idx, axis=d))
    # PyTorch's definition, spelled out for dim 0
    if d == 0:
        for i, j, k in np.ndindex(*idx.shape):
            assert out.array[i, j, k] == a[idx[i, j, k], j, k]


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_against_torch(torch, dim):
    a = _base(4)
    rng = np.random.default_rng(5)
    d = dim % 3
    idx_shape = [2, 3, 4]  # smaller than the input in every dim, as torch allows
    idx = rng.integers(0, SHAPE[d], idx_shape)
    ours = tt.gather(tt.tensor(a), dim, tt.tensor(idx))
    theirs = torch.gather(torch.from_numpy(a), dim, torch.from_numpy(idx))
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_gather_errors():
    t = tt.zeros(3, 4)
    with pytest.raises(RuntimeError, match="integer"):
        t.gather(1, tt.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="dims"):
        t.gather(1, tt.tensor([0]))
    with pytest.raises(RuntimeError, match="out of bounds"):
        t.gather(1, tt.tensor([[4]]))
    with pytest.raises(RuntimeError, match="out of bounds"):  # no negative indices, as in PyTorch
        t.gather(1, tt.tensor([[-1]]))
