"""The nine dtypes (uint8, int8, int16 and float16 included) with PyTorch's promotion, the dtype
aliases on the module, ``Tensor.type``, and integer matmul's wrap-around."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import tinytorch.tensor as tt

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
# torch.promote_types over NAMES x NAMES (PyTorch 2.x); checked against torch below
PROMOTE = {
    "bool": NAMES,
    "uint8": ["uint8", "uint8", "int16", "int16", "int32", "int64", "float16", "float32",
              "float64"],
    "int8": ["int8", "int16", "int8", "int16", "int32", "int64", "float16", "float32", "float64"],
    "int16": ["int16"] * 4 + ["int32", "int64", "float16", "float32", "float64"],
    "int32": ["int32"] * 5 + ["int64", "float16", "float32", "float64"],
    "int64": ["int64"] * 6 + ["float16", "float32", "float64"],
    "float16": ["float16"] * 7 + ["float32", "float64"],
    "float32": ["float32"] * 8 + ["float64"],
    "float64": ["float64"] * 9,
}
PAIRS = list(itertools.product(NAMES, NAMES))


def _values(name):
    return np.array([0, 1, 2, 3]).astype(name)


def test_promote_types_table_is_torch(torch):
    for a, b in PAIRS:
        assert str(torch.promote_types(getattr(torch, a), getattr(torch, b))) == \
            "torch." + PROMOTE[a][NAMES.index(b)]


@pytest.mark.parametrize("a,b", PAIRS)
def test_promote_types(a, b):
    assert tt.promote_types(getattr(tt, a), getattr(tt, b)) is getattr(tt, PROMOTE[a][NAMES.index(b)])


@pytest.mark.parametrize("a,b", PAIRS)
def test_small_dtypes_promote_in_ops_as_torch(torch, a, b):
    x, y = _values(a), _values(b)[::-1].copy()
    for ours_y, their_y in ((tt.tensor(y), torch.from_numpy(y)),  # dimensioned
                            (tt.tensor(y[1]), torch.from_numpy(y[1:2]).reshape(())),  # 0-d
                            (y[1].item(), y[1].item())):  # a Python number
        for op in (lambda p, q: p + q, lambda p, q: p * q, lambda p, q: p < q):
            ours, theirs = op(tt.tensor(x), ours_y), op(torch.from_numpy(x), their_y)
            assert ours.dtype.name == str(theirs.dtype).split(".")[1], (a, b)
            np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_small_integers_wrap_around_as_torch(torch):
    cases = [(np.array([250, 1], np.uint8), 10), (np.array([1], np.uint8), 300),
             (np.array([1, 100], np.int8), -200), (np.array([1], np.uint8), -2),
             (np.array([30000], np.int16), 30000)]
    for values, number in cases:
        for op in (lambda p, q: p + q, lambda p, q: p * q, lambda p, q: p - q):
            ours, theirs = op(tt.tensor(values), number), op(torch.from_numpy(values), number)
            assert ours.dtype.name == str(theirs.dtype).split(".")[1]
            np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_module_aliases_and_type_names(torch):
    assert tt.int is tt.int32 and tt.long is tt.int64 and tt.short is tt.int16
    assert tt.float is tt.float32 and tt.double is tt.float64 and tt.half is tt.float16
    for name in NAMES:
        ours = tt.zeros(2, dtype=getattr(tt, name))
        theirs = torch.zeros(2, dtype=getattr(torch, name))
        assert ours.type() == "tinytorch." + theirs.type().split(".")[1]
        assert ours.dtype.itemsize == theirs.element_size()
        assert getattr(tt, name).is_floating_point is getattr(torch, name).is_floating_point
    for method in ("byte", "char", "short", "int", "long", "half", "float", "double", "bool"):
        ours, theirs = getattr(tt.tensor([1.7, -2.2]), method)(), \
            getattr(torch.tensor([1.7, -2.2]), method)()
        assert ours.dtype.name == str(theirs.dtype).split(".")[1]
        if method != "byte":  # a negative float into uint8 is undefined behaviour in C++
            np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_type_casts_like_to():
    x = tt.tensor([1.5, -2.5])
    assert x.type() == "tinytorch.FloatTensor"
    assert x.type(tt.float32) is x
    assert x.type(tt.int64).tolist() == [1, -2]
    assert x.type("torch.DoubleTensor").dtype is tt.float64
    assert x.type("tinytorch.ShortTensor").dtype is tt.int16
    with pytest.raises(ValueError, match="invalid type"):
        x.type("torch.ComplexTensor")


def test_small_dtypes_from_numpy_and_back():
    for name in ("uint8", "int8", "int16", "float16"):
        array = np.arange(4).astype(name)
        t = tt.from_numpy(array)
        assert t.dtype is getattr(tt, name) and np.shares_memory(t.numpy(), array)
        assert tt.tensor(array).dtype is getattr(tt, name)
        assert tt.as_dtype(name) is tt.as_dtype(np.dtype(name)) is getattr(tt, name)


def test_integer_sums_and_products_accumulate_in_int64(torch):
    for name in ("uint8", "int8", "int16"):
        values = np.array([100, 100, 100]).astype(name)
        for op in (lambda t: t.sum(), lambda t: t.prod(), lambda t: t.cumsum(0)):
            ours, theirs = op(tt.tensor(values)), op(torch.from_numpy(values))
            assert ours.dtype is tt.int64 and str(theirs.dtype) == "torch.int64"
            np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_int8_matmul_wraps_and_int32_accumulates_exactly(torch):
    a = np.full((2, 3), 100, np.int8)
    b = np.full((3, 2), 100, np.int8)
    ours, theirs = tt.tensor(a) @ tt.tensor(b), torch.from_numpy(a) @ torch.from_numpy(b)
    assert ours.dtype is tt.int8
    np.testing.assert_array_equal(ours.array, theirs.numpy())  # 30000 mod 256, as torch
    exact = tt.tensor(a).int() @ tt.tensor(b).int()
    assert exact.dtype is tt.int32 and exact.tolist() == [[30000, 30000], [30000, 30000]]


def test_float16_overflow_gives_inf_without_warnings(torch):
    big = np.array([60000.0, 1.0], np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for op in (lambda t: t * 2, lambda t: t + 1e6, lambda t: t.exp(), lambda t: t ** 3,
                   lambda t: t / 1e-8):
            ours, theirs = op(tt.tensor(big)), op(torch.from_numpy(big))
            np.testing.assert_array_equal(ours.array, theirs.numpy())
        assert tt.tensor([1e6, -1e6]).half().tolist() == [float("inf"), float("-inf")]
