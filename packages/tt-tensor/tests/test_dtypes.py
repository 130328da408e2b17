"""Dtypes (task 1.1) and PyTorch's type promotion (task 1.2); the dtypes arithmetic gives (1.3).

The expected tables below were taken from ``torch.result_type`` (PyTorch 2.x); when PyTorch is
installed the same tables are checked against it, so the literal cannot drift from the oracle.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tinytorch.tensor as tt

# dividing by a False (zero) entry makes inf/nan on purpose: NumPy warns, the values are checked
pytestmark = pytest.mark.filterwarnings("ignore:divide by zero", "ignore:invalid value")

NAMES = ["bool", "int32", "int64", "float16", "float32", "float64"]

# row: dimensioned operand's dtype; column: the other operand's dtype (order of NAMES)
TENSOR_TENSOR = {
    "bool": ["bool", "int32", "int64", "float16", "float32", "float64"],
    "int32": ["int32", "int32", "int64", "float16", "float32", "float64"],
    "int64": ["int64", "int64", "int64", "float16", "float32", "float64"],
    "float16": ["float16", "float16", "float16", "float16", "float32", "float64"],
    "float32": ["float32", "float32", "float32", "float32", "float32", "float64"],
    "float64": ["float64", "float64", "float64", "float64", "float64", "float64"],
}
# a dimensioned tensor with a 0-d tensor: the 0-d one counts only if it brings a higher category
TENSOR_ZERODIM = {
    "bool": ["bool", "int32", "int64", "float16", "float32", "float64"],
    "int32": ["int32", "int32", "int32", "float16", "float32", "float64"],
    "int64": ["int64", "int64", "int64", "float16", "float32", "float64"],
    "float16": ["float16"] * 6,
    "float32": ["float32"] * 6,
    "float64": ["float64"] * 6,
}
# a dimensioned tensor with Python True, 2, 2.5
SCALARS = [True, 2, 2.5]
TENSOR_SCALAR = {
    "bool": ["bool", "int64", "float32"],
    "int32": ["int32", "int32", "float32"],
    "int64": ["int64", "int64", "float32"],
    "float16": ["float16", "float16", "float16"],
    "float32": ["float32", "float32", "float32"],
    "float64": ["float64", "float64", "float64"],
}

PAIRS = list(itertools.product(NAMES, NAMES))


def dt(name):
    return getattr(tt, name)


def make(name, shape=(2,)):
    return tt.ones(shape, dtype=dt(name))


# -- task 1.1: the dtypes ------------------------------------------------------------------------

@pytest.mark.task("1.1")
@pytest.mark.parametrize("name,np_dtype,floating,itemsize", [
    ("bool", np.bool_, False, 1), ("int32", np.int32, False, 4), ("int64", np.int64, False, 8),
    ("float16", np.float16, True, 2), ("float32", np.float32, True, 4),
    ("float64", np.float64, True, 8),
])
def test_dtype_objects(name, np_dtype, floating, itemsize):
    d = dt(name)
    assert isinstance(d, tt.DType)
    assert d.name == name
    assert d.numpy == np.dtype(np_dtype)
    assert d.is_floating_point is floating
    assert d.itemsize == itemsize
    assert repr(d) == f"tinytorch.{name}"
    assert tt.zeros(3, dtype=d).array.dtype == np.dtype(np_dtype)
    assert tt.zeros(3, dtype=d).dtype is d


def test_dtype_order_is_the_promotion_chain():
    ranks = [dt(n).rank for n in NAMES]
    assert ranks == sorted(ranks) and len(set(ranks)) == 6
    assert [dt(n).category for n in NAMES] == [0, 1, 1, 2, 2, 2]


@pytest.mark.task("1.1")
def test_dtype_aliases_and_as_dtype():
    assert tt.float is tt.float32 and tt.double is tt.float64
    assert tt.half is tt.float16 and tt.long is tt.int64
    assert tt.as_dtype("float64") is tt.float64
    assert tt.as_dtype("long") is tt.int64
    assert tt.as_dtype(np.float16) is tt.float16
    assert tt.as_dtype(np.dtype("int32")) is tt.int32
    assert tt.as_dtype(bool) is tt.bool
    assert tt.as_dtype(int) is tt.int64
    assert tt.as_dtype(float) is tt.float32


@pytest.mark.task("1.1")
@pytest.mark.parametrize("bad,shown", [("complex64", "complex64"), (np.uint16, "uint16"),
                                       (np.complex128, "complex128"), ("float8", "float8")])
def test_unsupported_dtype_is_named(bad, shown):
    with pytest.raises(TypeError, match="unsupported dtype") as info:
        tt.zeros(2, dtype=bad)
    assert shown in str(info.value)


@pytest.mark.task("1.1")
def test_unsupported_numpy_array_dtype_is_named():
    with pytest.raises(TypeError, match="complex128"):
        tt.tensor(np.array([1 + 2j]))
    with pytest.raises(TypeError, match="uint16"):
        tt.from_numpy(np.zeros(2, dtype=np.uint16))


@pytest.mark.parametrize("data,expected", [
    ([1.0, 2.0], "float32"), ([1, 2], "int64"), ([True, False], "bool"), (3.5, "float32"),
    (7, "int64"), (False, "bool"), ([1, 2.5], "float32"), ([[1, 2], [3, 4]], "int64"),
    (np.array([1, 2], dtype=np.int32), "int32"), (np.array([1.0], dtype=np.float64), "float64"),
    (np.array([1, 2], dtype=np.int16), "int16"), (np.array([1], dtype=np.uint8), "uint8"),
    (np.array([1], dtype=np.uint32), "int64"),
    (np.array([1.0], dtype=np.float16), "float16"), ([], "float32"),
])
def test_dtype_inference(data, expected):
    assert tt.tensor(data).dtype is dt(expected)


def test_dtype_inference_matches_torch(torch):
    for data in ([1.0, 2.0], [1, 2], [True], 3.5, 7, [1, 2.5], np.array([1], dtype=np.int32),
                 np.array([1.0], dtype=np.float64), []):
        assert tt.tensor(data).dtype.name == str(torch.tensor(data).dtype).split(".")[1]


@pytest.mark.task("1.1")
def test_set_default_dtype():
    tt.set_default_dtype(tt.float64)
    assert tt.tensor([1.5]).dtype is tt.float64
    assert tt.zeros(2).dtype is tt.float64
    assert tt.tensor([1, 2]).dtype is tt.int64
    with pytest.raises(TypeError, match="floating point"):
        tt.set_default_dtype(tt.int64)


@pytest.mark.task("1.1")
@pytest.mark.parametrize("method,name", [("float", "float32"), ("double", "float64"),
                                         ("half", "float16"), ("long", "int64"),
                                         ("int", "int32"), ("bool", "bool")])
def test_conversion_methods(method, name):
    x = tt.tensor([0.0, 1.5, -2.7])
    y = getattr(x, method)()
    assert y.dtype is dt(name)
    np.testing.assert_array_equal(y.array, np.array([0.0, 1.5, -2.7], np.float32).astype(name))


@pytest.mark.task("1.1")
def test_to_casts_copies_only_when_needed():
    x = tt.tensor([1.0, 2.0])
    assert x.to(tt.float32) is x
    assert x.to("cpu") is x
    y = x.to(tt.float64)
    assert y.dtype is tt.float64 and y.array is not x.array
    assert x.to("cpu", tt.int64).dtype is tt.int64
    assert x.to(dtype="float16").dtype is tt.float16
    c = x.to(tt.float32, copy=True)
    c.array[0] = 9
    assert x.array[0] == 1.0
    assert x.type_as(tt.tensor([1])).dtype is tt.int64


@pytest.mark.task("1.1")
def test_conversions_match_torch(torch):
    values = [0.0, 1.5, -2.7, 3.9]
    for method in ("float", "double", "half", "long", "int", "bool"):
        ours = getattr(tt.tensor(values, dtype=tt.float64), method)()
        theirs = getattr(torch.tensor(values, dtype=torch.float64), method)()
        np.testing.assert_array_equal(ours.array, theirs.numpy())


# -- task 1.2: promotion -------------------------------------------------------------------------

@pytest.mark.task("1.2")
@pytest.mark.parametrize("a,b", PAIRS)
def test_promote_types(a, b):
    assert tt.promote_types(dt(a), dt(b)) is dt(TENSOR_TENSOR[a][NAMES.index(b)])


@pytest.mark.task("1.2")
@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_tensor_tensor(a, b):
    assert tt.result_type(make(a), make(b)) is dt(TENSOR_TENSOR[a][NAMES.index(b)])


@pytest.mark.task("1.2")
@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_tensor_zerodim(a, b):
    expected = dt(TENSOR_ZERODIM[a][NAMES.index(b)])
    assert tt.result_type(make(a), make(b, ())) is expected
    assert tt.result_type(make(b, ()), make(a)) is expected


@pytest.mark.task("1.2")
@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_zerodim_zerodim(a, b):
    # two 0-d tensors promote like two dimensioned ones
    assert tt.result_type(make(a, ()), make(b, ())) is dt(TENSOR_TENSOR[a][NAMES.index(b)])


@pytest.mark.task("1.2")
@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("i", range(3))
def test_result_type_tensor_scalar(a, i):
    assert tt.result_type(make(a), SCALARS[i]) is dt(TENSOR_SCALAR[a][i])
    assert tt.result_type(SCALARS[i], make(a)) is dt(TENSOR_SCALAR[a][i])


@pytest.mark.task("1.2")
def test_result_type_scalar_follows_default_dtype():
    tt.set_default_dtype(tt.float64)
    assert tt.result_type(make("int64"), 2.5) is tt.float64
    assert tt.result_type(make("float32"), 2.5) is tt.float32


def test_tables_match_torch(torch):  # checks the literal tables, not TinyTorch: untagged
    T = {n: getattr(torch, n) for n in NAMES}

    def name(d):
        return str(d).split(".")[1]

    for a, b in PAIRS:
        j = NAMES.index(b)
        dim_a, dim_b = torch.ones(2, dtype=T[a]), torch.ones(2, dtype=T[b])
        assert name(torch.result_type(dim_a, dim_b)) == TENSOR_TENSOR[a][j]
        assert name(torch.promote_types(T[a], T[b])) == TENSOR_TENSOR[a][j]
        assert name(torch.result_type(dim_a, torch.ones((), dtype=T[b]))) == TENSOR_ZERODIM[a][j]
        assert name(torch.result_type(torch.ones((), dtype=T[a]),
                                      torch.ones((), dtype=T[b]))) == TENSOR_TENSOR[a][j]
    for a in NAMES:
        for i, s in enumerate(SCALARS):
            assert name(torch.result_type(torch.ones(2, dtype=T[a]), s)) == TENSOR_SCALAR[a][i]


def _values(name, shape=(3,)):
    if name == "bool":
        return np.array([True, False, True]).reshape(shape)
    return np.array([1, 2, 3]).astype(name).reshape(shape)


ARITH = [("add", lambda x, y: x + y), ("mul", lambda x, y: x * y),
         ("sub", lambda x, y: x - y), ("div", lambda x, y: x / y)]
COMPARE = [("lt", lambda x, y: x < y), ("eq", lambda x, y: x == y),
           ("ge", lambda x, y: x >= y)]
# Arithmetic goes through task 1.3 (binary ops); comparisons only through result_type (1.2).
OPS = [pytest.param(name, fn, id=name, marks=pytest.mark.task("1.3")) for name, fn in ARITH] + \
    [pytest.param(name, fn, id=name, marks=pytest.mark.task("1.2")) for name, fn in COMPARE]


@pytest.mark.parametrize("a,b", PAIRS)
@pytest.mark.parametrize("op,fn", OPS)
def test_op_result_dtype(a, b, op, fn):
    x, y = tt.tensor(_values(a)), tt.tensor(_values(b))
    if op == "sub" and "bool" in (a, b):  # an error in PyTorch: the `-` operator on bools
        with pytest.raises(RuntimeError, match="bool"):
            fn(x, y)
        return
    expected = dt(TENSOR_TENSOR[a][NAMES.index(b)])
    if op == "div" and not expected.is_floating_point:
        expected = tt.float32
    if op in ("lt", "eq", "ge"):
        expected = tt.bool
    assert fn(x, y).dtype is expected
    # with a 0-d right operand
    y0 = tt.tensor(_values(b)[0])
    expected0 = dt(TENSOR_ZERODIM[a][NAMES.index(b)])
    if op == "div" and not expected0.is_floating_point:
        expected0 = tt.float32
    if op in ("lt", "eq", "ge"):
        expected0 = tt.bool
    assert fn(x, y0).dtype is expected0


@pytest.mark.task("1.3")
@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("i", range(3))
@pytest.mark.parametrize("op,fn", ARITH, ids=[o for o, _ in ARITH])
def test_op_result_dtype_with_scalar(a, i, op, fn):
    x = tt.tensor(_values(a))
    if op == "sub" and (a == "bool" or isinstance(SCALARS[i], bool)):
        with pytest.raises(RuntimeError, match="bool"):  # an error in PyTorch too
            fn(x, SCALARS[i])
        return
    expected = dt(TENSOR_SCALAR[a][i])
    if op == "div" and not expected.is_floating_point:
        expected = tt.float32
    assert fn(x, SCALARS[i]).dtype is expected
    assert fn(SCALARS[i], x).dtype is expected


@pytest.mark.parametrize("a,b", PAIRS)
@pytest.mark.parametrize("op,fn", OPS)
def test_op_result_dtype_and_values_match_torch(torch, a, b, op, fn):
    xa, yb = _values(a), _values(b)
    if op == "sub" and "bool" in (a, b):  # both refuse
        with pytest.raises(RuntimeError):
            fn(torch.from_numpy(xa), torch.from_numpy(np.array(yb)))
        with pytest.raises(RuntimeError):
            fn(tt.tensor(xa), tt.tensor(yb))
        return
    for y_np in (yb, yb[0]):
        ours = fn(tt.tensor(xa), tt.tensor(y_np))
        theirs = fn(torch.from_numpy(xa), torch.from_numpy(np.array(y_np)))
        assert ours.dtype.name == str(theirs.dtype).split(".")[1]
        np.testing.assert_allclose(ours.array.astype(np.float64),
                                   theirs.numpy().astype(np.float64), rtol=1e-3)
