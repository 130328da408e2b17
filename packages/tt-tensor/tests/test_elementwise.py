"""Elementwise ops, MyGrad style: each op is declared once and checked against NumPy and PyTorch.

Binary arithmetic with broadcasting and reflected operators is task 1.3; unary math through
``_unary`` is task 1.4. Comparisons, logic, ``where``, clamp and the in-place forms are library
code: their tests carry no task.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import tinytorch.tensor as tt


@dataclass
class Op:
    """One op: how we call it, the NumPy and PyTorch oracles, and the inputs to try."""

    name: str
    ours: Callable[..., Any]
    numpy: Callable[..., Any]
    torch: Callable[..., Any] | None
    shapes: list[tuple[tuple[int, ...], ...]]
    dtypes: list[str] = field(default_factory=lambda: ["float32", "float64"])
    domain: tuple[float, float] = (-3.0, 3.0)
    rtol: float = 1e-6
    atol: float = 1e-6
    task: str | None = "1.3"  # None: library code, no task


BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((5,), ()),
             ((1,), (2, 3)), ((4, 1), (1, 5))]
UNARY = [((3, 4),), ((),), ((2, 3, 4),), ((0,),)]


def _np_erf(x):
    return np.vectorize(math.erf, otypes=[x.dtype])(x) if x.size else x.copy()


def _np_sigmoid(x):
    return (1 / (1 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


BINARY_OPS = [
    Op("add", lambda a, b: a + b, np.add, lambda a, b: a + b, BROADCAST,
       ["float32", "float64", "int64", "int32"]),
    Op("add_method", lambda a, b: a.add(b), np.add, lambda a, b: a.add(b), BROADCAST),
    Op("add_alpha", lambda a, b: a.add(b, alpha=2), lambda a, b: a + 2 * b,
       lambda a, b: a.add(b, alpha=2), BROADCAST),
    Op("sub", lambda a, b: a - b, np.subtract, lambda a, b: a - b, BROADCAST,
       ["float32", "float64", "int64"]),
    Op("sub_alpha", lambda a, b: a.sub(b, alpha=3), lambda a, b: a - 3 * b,
       lambda a, b: a.sub(b, alpha=3), BROADCAST),
    Op("mul", lambda a, b: a * b, np.multiply, lambda a, b: a * b, BROADCAST,
       ["float32", "float64", "int64", "int32"]),
    Op("div", lambda a, b: a / b, np.true_divide, lambda a, b: a / b, BROADCAST,
       domain=(0.5, 3.0)),
    Op("pow", lambda a, b: a ** b, np.power, lambda a, b: a ** b, BROADCAST, domain=(0.5, 2.0)),
    Op("floor_divide", lambda a, b: a // b, np.floor_divide, lambda a, b: a // b, BROADCAST,
       domain=(0.5, 5.0)),
    Op("remainder", lambda a, b: a % b, np.remainder, lambda a, b: a % b, BROADCAST,
       domain=(0.5, 5.0)),
    Op("maximum", lambda a, b: a.maximum(b), np.maximum, lambda a, b: a.maximum(b), BROADCAST),
    Op("minimum", lambda a, b: tt.minimum(a, b), np.minimum, lambda a, b: a.minimum(b),
       BROADCAST),
    Op("max_other", lambda a, b: a.max(b), np.maximum, lambda a, b: a.max(b), BROADCAST),
    Op("free_mul", lambda a, b: tt.mul(a, b), np.multiply, lambda a, b: a.mul(b), BROADCAST),
]

COMPARISON_OPS = [
    Op(name, fn, npf, fn, BROADCAST, ["float32", "int64"], task=None)
    for name, fn, npf in [
        ("lt", lambda a, b: a < b, np.less), ("le", lambda a, b: a <= b, np.less_equal),
        ("gt", lambda a, b: a > b, np.greater), ("ge", lambda a, b: a >= b, np.greater_equal),
        ("eq", lambda a, b: a == b, np.equal), ("ne", lambda a, b: a != b, np.not_equal),
        ("eq_method", lambda a, b: a.eq(b), np.equal), ("free_gt", None, np.greater),
    ]
]
COMPARISON_OPS[-1].ours = lambda a, b: tt.gt(a, b)
COMPARISON_OPS[-1].torch = lambda a, b: a > b

UNARY_OPS = [
    Op("neg", lambda a: -a, np.negative, lambda a: -a, UNARY, ["float32", "float64", "int64"],
       task="1.4"),
    Op("abs", lambda a: abs(a), np.abs, lambda a: abs(a), UNARY, ["float32", "int64", "int32"],
       task="1.4"),
    Op("exp", lambda a: a.exp(), np.exp, lambda a: a.exp(), UNARY, task="1.4"),
    Op("log", lambda a: a.log(), np.log, lambda a: a.log(), UNARY, domain=(0.1, 5.0),
       task="1.4"),
    Op("sqrt", lambda a: tt.sqrt(a), np.sqrt, lambda a: a.sqrt(), UNARY, domain=(0.0, 5.0),
       task="1.4"),
    Op("sin", lambda a: a.sin(), np.sin, lambda a: a.sin(), UNARY, task="1.4"),
    Op("cos", lambda a: a.cos(), np.cos, lambda a: a.cos(), UNARY, task="1.4"),
    Op("tanh", lambda a: a.tanh(), np.tanh, lambda a: a.tanh(), UNARY, task="1.4"),
    Op("sigmoid", lambda a: a.sigmoid(), _np_sigmoid, lambda a: a.sigmoid(), UNARY,
       domain=(-30.0, 30.0), task="1.4"),
    Op("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), lambda a: a.relu(), UNARY,
       ["float32", "float64", "int64"], task="1.4"),
    Op("erf", lambda a: a.erf(), _np_erf, lambda a: a.erf(), UNARY, atol=3e-7, task="1.4"),
    Op("clamp", lambda a: a.clamp(-1, 0.5), lambda a: np.clip(a, -1, 0.5),
       lambda a: a.clamp(-1, 0.5), UNARY, task=None),
    Op("clamp_min", lambda a: a.clamp(min=0), lambda a: np.maximum(a, 0),
       lambda a: a.clamp(min=0), UNARY, ["float32", "int64"], task=None),
    Op("clamp_max", lambda a: tt.clamp(a, max=1), lambda a: np.minimum(a, 1),
       lambda a: a.clamp(max=1), UNARY, ["float64", "int64"], task=None),
    Op("log1p", lambda a: a.log1p(), np.log1p, lambda a: a.log1p(), UNARY, domain=(0.0, 3.0),
       task="1.4"),
    Op("reciprocal", lambda a: a.reciprocal(), lambda a: 1 / a, lambda a: a.reciprocal(),
       UNARY, domain=(0.5, 3.0), task="1.3"),  # 1 / x: a division
    Op("rsqrt", lambda a: a.rsqrt(), lambda a: 1 / np.sqrt(a), lambda a: a.rsqrt(), UNARY,
       domain=(0.5, 3.0), rtol=1e-5, task="1.4"),
    Op("square", lambda a: a.square(), np.square, lambda a: a.square(), UNARY,
       task="1.3"),  # x * x
    Op("softmax", lambda a: a.softmax(-1),
       lambda a: np.exp(a - a.max(-1, keepdims=True)) / np.exp(
           a - a.max(-1, keepdims=True)).sum(-1, keepdims=True),
       lambda a: a.softmax(-1), [((3, 4),), ((2, 3, 5),)], domain=(-50.0, 50.0), task=None),
    Op("log_softmax", lambda a: a.log_softmax(1),
       lambda a: a - np.log(np.exp(a).sum(1, keepdims=True)),
       lambda a: a.log_softmax(1), [((3, 4),), ((2, 3, 5),)], rtol=1e-5, atol=1e-5,
       task=None),
]


def _input(shape, dtype, domain, rng):
    lo, hi = domain
    if dtype in ("int64", "int32"):
        return rng.integers(max(int(math.ceil(lo)), 1) if lo > 0 else int(lo) - 1,
                            int(hi) + 2, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def _cases(ops):
    for op in ops:
        for shapes in op.shapes:
            for dtype in op.dtypes:
                yield pytest.param(op, shapes, dtype,
                                   id=f"{op.name}-{dtype}-{'x'.join(map(str, shapes))}",
                                   marks=[pytest.mark.task(op.task)] if op.task else [])


ALL_OPS = BINARY_OPS + COMPARISON_OPS + UNARY_OPS


def _arrays(op, shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [_input(s, dtype, op.domain, rng) for s in shapes]


def _check(out, expected, op):
    assert isinstance(out, tt.Tensor)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.array.astype(np.float64), expected.astype(np.float64),
                               rtol=op.rtol, atol=op.atol)


@pytest.mark.parametrize("op,shapes,dtype", list(_cases(ALL_OPS)))
def test_against_numpy(op, shapes, dtype):
    arrays = _arrays(op, shapes, dtype)
    out = op.ours(*(tt.tensor(a) for a in arrays))
    expected = np.asarray(op.numpy(*(a.copy() for a in arrays)))
    _check(out, expected, op)
    # the inputs are not modified
    for a, b in zip(arrays, _arrays(op, shapes, dtype)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("op,shapes,dtype", list(_cases(ALL_OPS)))
def test_against_torch(torch, op, shapes, dtype):
    arrays = _arrays(op, shapes, dtype, seed=1)
    out = op.ours(*(tt.tensor(a) for a in arrays))
    expected = op.torch(*(torch.from_numpy(a.copy()) for a in arrays))
    assert out.dtype.name == str(expected.dtype).split(".")[1]
    _check(out, expected.numpy(), op)


# -- reflected operators and Python numbers ------------------------------------------------------

REFLECTED = [
    ("radd", lambda s, t: s + t), ("rsub", lambda s, t: s - t), ("rmul", lambda s, t: s * t),
    ("rtruediv", lambda s, t: s / t), ("rpow", lambda s, t: s ** t),
    ("rfloordiv", lambda s, t: s // t), ("rmod", lambda s, t: s % t),
    ("add", lambda s, t: t + s), ("sub", lambda s, t: t - s), ("mul", lambda s, t: t * s),
    ("truediv", lambda s, t: t / s), ("pow", lambda s, t: t ** s),
]
# the (-1.5) ** x cases make NaN on purpose: NumPy warns, and NaN == NaN in assert_allclose
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered")


def test_bool_subtraction_and_negation_raise_as_in_pytorch():
    mask = tt.tensor([True, False])
    for bad in (lambda: mask - mask, lambda: mask - 1, lambda: 1 - mask, lambda: -mask):
        with pytest.raises(RuntimeError, match="bool"):
            bad()
    np.testing.assert_array_equal((mask ^ mask).array, [False, False])


@pytest.mark.task("1.3")
@pytest.mark.parametrize("name,fn", REFLECTED, ids=[n for n, _ in REFLECTED])
@pytest.mark.parametrize("scalar", [2, 2.5, -1.5])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_reflected_operators(name, fn, scalar, dtype):
    x = np.array([[0.5, 1.0, 2.0], [3.0, 1.5, 4.0]]).astype(dtype)
    if dtype == "int64":
        x = x + 1
    with np.errstate(all="ignore"):
        expected = fn(scalar, x.astype(np.float64))
    out = fn(scalar, tt.tensor(x))
    assert isinstance(out, tt.Tensor)
    np.testing.assert_allclose(out.array.astype(np.float64), expected, rtol=1e-5)


@pytest.mark.task("1.3")
@pytest.mark.parametrize("name,fn", REFLECTED, ids=[n for n, _ in REFLECTED])
@pytest.mark.parametrize("scalar", [2, 2.5, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_reflected_operators_match_torch(torch, name, fn, scalar, dtype):
    x = np.array([[1, 2, 3], [4, 5, 6]]).astype(dtype)
    if isinstance(scalar, bool) and name in ("rsub", "sub"):  # both refuse bool subtraction
        with pytest.raises(RuntimeError):
            fn(scalar, torch.from_numpy(x))
        with pytest.raises(RuntimeError):
            fn(scalar, tt.tensor(x))
        return
    ours = fn(scalar, tt.tensor(x))
    theirs = fn(scalar, torch.from_numpy(x))
    assert ours.dtype.name == str(theirs.dtype).split(".")[1], name
    np.testing.assert_allclose(ours.array.astype(np.float64), theirs.numpy().astype(np.float64),
                               rtol=1e-6)


@pytest.mark.task("1.3")
def test_ndarray_on_the_left_defers_to_tensor():
    x = tt.tensor([1.0, 2.0])
    out = np.array([10.0, 20.0]) + x
    assert isinstance(out, tt.Tensor)
    np.testing.assert_allclose(out.array, [11.0, 22.0])


@pytest.mark.task("1.3")
def test_scalar_does_not_widen_float32():
    x = tt.tensor([1.0, 2.0])
    assert (x + 2.5).dtype is tt.float32
    assert (x * 10**20).dtype is tt.float32
    assert (tt.tensor([1, 2]) + 2.5).dtype is tt.float32
    assert (tt.tensor([1, 2]) / 2).dtype is tt.float32
    np.testing.assert_allclose((tt.tensor([1, 2]) / 2).array, [0.5, 1.0])
    assert (tt.tensor([True, False]) + 1).dtype is tt.int64


@pytest.mark.task("1.3")
def test_binary_rejects_non_numbers():
    with pytest.raises(TypeError, match="str"):
        tt.tensor([1.0]) + "a"


@pytest.mark.task("1.3")
def test_broadcast_failure_names_both_shapes():
    with pytest.raises(RuntimeError) as info:
        tt.ones(2, 3) + tt.ones(4)
    msg = str(info.value)
    assert "(2, 3)" in msg and "(4,)" in msg
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)|\(2,\).*\(3,\)"):
        tt.ones(3) * tt.ones(2)


@pytest.mark.task("1.3")
def test_binary_results_are_new_tensors():
    a, b = tt.tensor([1.0, 2.0]), tt.tensor([3.0, 4.0])
    c = a + b
    c.array[0] = 100
    np.testing.assert_array_equal(a.array, [1.0, 2.0])
    np.testing.assert_array_equal(b.array, [3.0, 4.0])


# -- unary specifics ------------------------------------------------------------------------------

@pytest.mark.task("1.4")
@pytest.mark.parametrize("fn", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "erf"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_float_functions_promote_integers(fn, dtype):
    x = tt.tensor(np.array([1, 2, 3]).astype(dtype))
    out = getattr(x, fn)()
    assert out.dtype is tt.float32
    expected = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
                "tanh": np.tanh, "sigmoid": _np_sigmoid, "erf": _np_erf}[fn](
                    x.array.astype(np.float32))
    np.testing.assert_allclose(out.array, expected, rtol=1e-6, atol=3e-7)


@pytest.mark.task("1.4")
def test_float_functions_promote_integers_like_torch(torch):
    for fn in ["exp", "log", "sqrt", "sin", "tanh", "sigmoid"]:
        ours = getattr(tt.tensor([1, 2, 3]), fn)()
        theirs = getattr(torch.tensor([1, 2, 3]), fn)()
        assert ours.dtype.name == str(theirs.dtype).split(".")[1]
        np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)


@pytest.mark.task("1.4")
def test_unary_keeps_float16_and_float64():
    assert tt.tensor([1.0], dtype=tt.float16).exp().dtype is tt.float16
    assert tt.tensor([1.0], dtype=tt.float64).sigmoid().dtype is tt.float64
    assert tt.tensor([-3]).abs().dtype is tt.int64
    assert tt.tensor([-3]).relu().dtype is tt.int64


@pytest.mark.task("1.4")
def test_log_and_sqrt_edge_values():
    out = tt.tensor([0.0, -1.0]).log()
    assert out.array[0] == -np.inf and np.isnan(out.array[1])
    assert np.isnan(tt.tensor([-1.0]).sqrt().array[0])


@pytest.mark.task("1.4")
def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = tt.tensor([-1000.0, 0.0, 1000.0]).sigmoid()
    np.testing.assert_allclose(out.array, [0.0, 0.5, 1.0])


@pytest.mark.task("1.4")
def test_erf_is_exact_in_float64_and_within_2e7_in_float32():
    import math
    x = np.linspace(-4.0, 4.0, 801)
    want = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(tt.tensor(x).erf().array, want, rtol=0, atol=1e-15)
    np.testing.assert_allclose(tt.tensor(x, dtype=tt.float32).erf().array, want, rtol=0, atol=2e-7)
    assert tt.tensor(0.5, dtype=tt.float64).erf().item() == math.erf(0.5)


@pytest.mark.task("1.4")
def test_erf_closed_forms():
    x = tt.tensor([0.0, 0.4769362762044699, 10.0, -10.0], dtype=tt.float64)
    np.testing.assert_allclose(x.erf().array, [0.0, 0.5, 1.0, -1.0], atol=2e-7)


def test_neg_bool_is_an_error():
    with pytest.raises(RuntimeError, match="bool"):
        -tt.tensor([True])


def test_clamp_variants():
    x = tt.tensor([-2.0, -0.5, 0.5, 2.0])
    np.testing.assert_array_equal(x.clamp(-1.0, 1.0).array, [-1.0, -0.5, 0.5, 1.0])
    np.testing.assert_array_equal(x.clamp(min=0.0).array, [0.0, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(x.clamp(max=0.0).array, [-2.0, -0.5, 0.0, 0.0])
    np.testing.assert_array_equal(x.clip(0.0, 1.0).array, [0.0, 0.0, 0.5, 1.0])
    # tensor bounds broadcast
    lo = tt.tensor([0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(x.clamp(min=lo).array, [0.0, 0.0, 1.0, 2.0])
    # an int tensor clamped by a float bound becomes float (as in PyTorch)
    out = tt.tensor([-2, 0, 3]).clamp(-1.5, 1.5)
    assert out.dtype is tt.float32
    np.testing.assert_array_equal(out.array, [-1.5, 0.0, 1.5])
    assert tt.tensor([-2, 0, 3]).clamp(0, 1).dtype is tt.int64
    with pytest.raises(RuntimeError, match="'min' or 'max'"):
        x.clamp()


def test_clamp_matches_torch(torch):
    x = np.array([-2, 0, 3, 7])
    for args in [(-1.5, 1.5), (0, 1), (None, 2), (1, None)]:
        ours = tt.tensor(x).clamp(*args)
        theirs = torch.from_numpy(x).clamp(*args)
        assert ours.dtype.name == str(theirs.dtype).split(".")[1], args
        np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_piecewise_constant_functions():
    x = np.array([-1.5, -0.5, 0.0, 0.4, 2.5], dtype=np.float32)
    t = tt.tensor(x)
    np.testing.assert_array_equal(t.sign().array, np.sign(x))
    np.testing.assert_array_equal(t.floor().array, np.floor(x))
    np.testing.assert_array_equal(t.ceil().array, np.ceil(x))
    np.testing.assert_array_equal(t.round().array, np.round(x))
    np.testing.assert_array_equal(t.trunc().array, np.trunc(x))


# -- comparisons, logic, where --------------------------------------------------------------------

def test_comparisons_with_numbers_and_mixed_dtypes():
    x = tt.tensor([1, 2, 3])
    np.testing.assert_array_equal((x > 1.5).array, [False, True, True])
    np.testing.assert_array_equal((x == 2).array, [False, True, False])
    np.testing.assert_array_equal((1.5 < x).array, [False, True, True])
    np.testing.assert_array_equal((x <= tt.tensor([1.0, 1.0, 5.0])).array, [True, False, True])
    assert (x > 1).dtype is tt.bool
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        _ = x < tt.tensor([1, 2])


def test_logical_and_bitwise_ops():
    a = tt.tensor([True, True, False, False])
    b = tt.tensor([True, False, True, False])
    np.testing.assert_array_equal((a & b).array, [True, False, False, False])
    np.testing.assert_array_equal((a | b).array, [True, True, True, False])
    np.testing.assert_array_equal((a ^ b).array, [False, True, True, False])
    np.testing.assert_array_equal((~a).array, [False, False, True, True])
    np.testing.assert_array_equal(a.logical_and(b).array, [True, False, False, False])
    np.testing.assert_array_equal(a.logical_or(b).array, [True, True, True, False])
    np.testing.assert_array_equal(a.logical_xor(b).array, [False, True, True, False])
    np.testing.assert_array_equal(a.logical_not().array, [False, False, True, True])
    np.testing.assert_array_equal((tt.tensor([6, 3]) & tt.tensor([3, 1])).array, [2, 1])
    with pytest.raises(RuntimeError, match="float32"):
        tt.tensor([1.0]) & tt.tensor([1.0])
    with pytest.raises(RuntimeError):
        ~tt.tensor([1.0])


def test_isnan_isinf_isfinite_allclose():
    x = tt.tensor([1.0, np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(x.isnan().array, [False, True, False, False])
    np.testing.assert_array_equal(x.isinf().array, [False, False, True, True])
    np.testing.assert_array_equal(x.isfinite().array, [True, False, False, False])
    assert tt.tensor([1.0, 2.0]).allclose(tt.tensor([1.0, 2.0 + 1e-7]))
    assert not tt.tensor([1.0, 2.0]).allclose(tt.tensor([1.0, 2.1]))
    assert tt.tensor([1.0, 2.0]).equal(tt.tensor([1.0, 2.0]))
    assert not tt.tensor([1.0, 2.0]).equal(tt.tensor([1.0]))


WHERE_SHAPES = [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ()), ((2, 1), (1, 3), (2, 3)),
                ((4,), (), (4,))]


@pytest.mark.parametrize("cs,xs,ys", WHERE_SHAPES)
def test_where_against_numpy(cs, xs, ys):
    rng = np.random.default_rng(0)
    c = rng.random(cs) > 0.5
    x = rng.standard_normal(xs).astype(np.float32)
    y = rng.standard_normal(ys).astype(np.float32)
    out = tt.where(tt.tensor(c), tt.tensor(x), tt.tensor(y))
    np.testing.assert_array_equal(out.array, np.where(c, x, y))
    out2 = tt.tensor(x).where(tt.tensor(c), tt.tensor(y))
    np.testing.assert_array_equal(out2.array, np.where(c, x, y))


@pytest.mark.parametrize("cs,xs,ys", WHERE_SHAPES)
def test_where_against_torch(torch, cs, xs, ys):
    rng = np.random.default_rng(1)
    c = rng.random(cs) > 0.5
    x = rng.standard_normal(xs).astype(np.float32)
    y = rng.integers(-3, 3, ys)
    ours = tt.where(tt.tensor(c), tt.tensor(x), tt.tensor(y))
    theirs = torch.where(torch.from_numpy(c), torch.from_numpy(x), torch.from_numpy(y))
    assert ours.dtype.name == str(theirs.dtype).split(".")[1]
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_where_with_numbers_and_errors():
    c = tt.tensor([True, False, True])
    out = tt.where(c, tt.tensor([1.0, 2.0, 3.0]), 0.0)
    np.testing.assert_array_equal(out.array, [1.0, 0.0, 3.0])
    out = tt.where(c, 5, tt.tensor([1, 2, 3]))
    np.testing.assert_array_equal(out.array, [5, 2, 5])
    assert out.dtype is tt.int64
    with pytest.raises(RuntimeError, match="bool"):
        tt.where(tt.tensor([1, 0, 1]), tt.tensor([1.0, 2.0, 3.0]), 0.0)
    with pytest.raises(RuntimeError, match="broadcast"):
        tt.where(c, tt.ones(2), 0.0)


def test_masked_fill():
    x = tt.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = x.masked_fill(tt.tensor([True, False]), -1.0)
    np.testing.assert_array_equal(out.array, [[-1.0, 2.0], [-1.0, 4.0]])
    assert out.dtype is tt.float32
    np.testing.assert_array_equal(x.array, [[1.0, 2.0], [3.0, 4.0]])


# -- in-place ops ---------------------------------------------------------------------------------

def test_inplace_ops_write_into_the_same_memory():
    x = tt.tensor([1.0, 2.0, 3.0])
    data, v0 = x.array, x._version
    x += 1
    x *= tt.tensor([2.0, 2.0, 2.0])
    x -= 1.0
    x /= 2
    assert x.array is data
    np.testing.assert_allclose(data, [1.5, 2.5, 3.5])
    assert x._version == v0 + 4
    x.add_(tt.tensor([1.0, 1.0, 1.0]), alpha=2).mul_(2).sub_(1).div_(2).pow_(2).clamp_(0, 30)
    expected = np.minimum((((np.array([1.5, 2.5, 3.5]) + 2) * 2 - 1) / 2) ** 2, 30)
    np.testing.assert_allclose(x.array, expected)
    assert x.array is data
    x.fill_(7)
    np.testing.assert_array_equal(x.array, [7.0, 7.0, 7.0])
    x.zero_()
    np.testing.assert_array_equal(x.array, [0.0, 0.0, 0.0])
    x.copy_(tt.tensor([1, 2, 3]))
    np.testing.assert_array_equal(x.array, [1.0, 2.0, 3.0])
    assert x.dtype is tt.float32
    x.masked_fill_(tt.tensor([False, True, False]), 0.0)
    np.testing.assert_array_equal(x.array, [1.0, 0.0, 3.0])


def test_inplace_errors():
    i = tt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="float32.*int64|can't be cast"):
        i += 1.5
    x = tt.ones(3)
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*\(3,\)"):
        x.add_(tt.ones(2, 3))
    e = tt.ones(1).expand(3)
    with pytest.raises(RuntimeError, match="clone"):
        e.add_(1.0)


def test_uniform_and_normal_fill_in_place():
    tt.manual_seed(0)
    x = tt.empty(1000)
    x.uniform_(2.0, 3.0)
    assert x.array.min() >= 2.0 and x.array.max() < 3.0
    x.normal_(5.0, 0.1)
    assert abs(x.array.mean() - 5.0) < 0.05
