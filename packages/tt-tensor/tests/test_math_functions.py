"""The trigonometric and hyperbolic family, log2/log10/exp2, fmod, atan2 and lerp: values against
NumPy and PyTorch, closed forms at known points, dtypes, aliases and free functions."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.tensor as tt

# name -> (NumPy oracle, domain of the random inputs)
UNARY = {
    "tan": (np.tan, (-1.5, 1.5)), "asin": (np.arcsin, (-0.99, 0.99)),
    "acos": (np.arccos, (-0.99, 0.99)), "atan": (np.arctan, (-5.0, 5.0)),
    "sinh": (np.sinh, (-4.0, 4.0)), "cosh": (np.cosh, (-4.0, 4.0)),
    "asinh": (np.arcsinh, (-5.0, 5.0)), "acosh": (np.arccosh, (1.01, 6.0)),
    "atanh": (np.arctanh, (-0.99, 0.99)), "log2": (np.log2, (0.01, 9.0)),
    "log10": (np.log10, (0.01, 9.0)), "exp2": (np.exp2, (-5.0, 5.0)),
}
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
           "arccosh": "acosh", "arctanh": "atanh"}


def _inputs(domain, dtype, shape=(3, 5), seed=0):
    return np.random.default_rng(seed).uniform(*domain, size=shape).astype(dtype)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_against_numpy(name, dtype):
    oracle, domain = UNARY[name]
    x = _inputs(domain, dtype)
    out = getattr(tt.tensor(x), name)()
    assert out.dtype.name == dtype
    np.testing.assert_allclose(out.array, oracle(x), rtol=1e-6 if dtype == "float32" else 1e-12)
    np.testing.assert_array_equal(getattr(tt, name)(tt.tensor(x)).array, out.array)


@pytest.mark.parametrize("name", UNARY)
def test_unary_against_torch(torch, name):
    x = _inputs(UNARY[name][1], "float32", seed=1)
    ours, theirs = getattr(tt.tensor(x), name)(), getattr(torch.from_numpy(x), name)()
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=2e-6, atol=1e-7)
    # integers compute in the default float, as in torch
    ints = np.array([1, 2, 3])
    ours, theirs = getattr(tt.tensor(ints), name)(), getattr(torch.from_numpy(ints), name)()
    assert ours.dtype is tt.float32 and str(theirs.dtype) == "torch.float32"
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=2e-6, equal_nan=True)


@pytest.mark.parametrize("name", UNARY)
def test_outside_the_domain_matches_torch(torch, name):
    edges = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, np.inf, -np.inf, np.nan], np.float32)
    ours, theirs = getattr(tt.tensor(edges), name)(), getattr(torch.from_numpy(edges), name)()
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6, equal_nan=True)


def test_closed_forms():
    x = tt.tensor([0.0, math.pi / 4, 1.0, 0.5], dtype=tt.float64)
    assert x.tan().array[1] == pytest.approx(1.0)
    assert x.atan().array[2] == pytest.approx(math.pi / 4)
    assert x.asin().array[3] == pytest.approx(math.pi / 6)
    assert x.acos().array[3] == pytest.approx(math.pi / 3)
    assert x.sinh().array[2] == pytest.approx((math.e - 1 / math.e) / 2)
    assert tt.tensor([8.0]).log2().item() == 3.0
    assert tt.tensor([1000.0]).log10().item() == pytest.approx(3.0, rel=1e-7)
    assert tt.tensor([10.0]).exp2().item() == 1024.0
    y = tt.tensor([-3.0, 0.2, 2.5], dtype=tt.float64)
    np.testing.assert_allclose(y.cosh().acosh().array, np.abs(y.array))
    np.testing.assert_allclose(y.sinh().asinh().array, y.array)
    np.testing.assert_allclose((y / 4).tanh().atanh().array, y.array / 4)


def test_aliases_are_the_same_methods():
    x = tt.tensor([0.25, -0.5])
    for alias, name in ALIASES.items():
        np.testing.assert_array_equal(getattr(x, alias)().array, getattr(x, name)().array)
        np.testing.assert_array_equal(getattr(tt, alias)(x).array, getattr(x, name)().array)
    np.testing.assert_array_equal(tt.arctan2(x, x).array, x.atan2(x).array)


# -- binary: fmod, atan2, lerp -------------------------------------------------------------------

SIGNS = np.array([[5.5, -5.5, 5.5, -5.5, 0.0, 7.0]], np.float32)
DIVISORS = np.array([[2.0, 2.0, -2.0, -2.0, 3.0, 0.5]], np.float32)


def test_fmod_keeps_the_dividends_sign(torch):
    ours = tt.tensor(SIGNS).fmod(tt.tensor(DIVISORS))
    np.testing.assert_array_equal(ours.array, np.fmod(SIGNS, DIVISORS))
    np.testing.assert_array_equal(ours.array, torch.from_numpy(SIGNS).fmod(
        torch.from_numpy(DIVISORS)).numpy())
    assert ours.tolist()[0][:4] == [1.5, -1.5, 1.5, -1.5]
    ints = tt.tensor([7, -7, 7, -7]).fmod(tt.tensor([3, 3, -3, -3]))
    assert ints.dtype is tt.int64 and ints.tolist() == [1, -1, 1, -1]
    assert tt.fmod(tt.tensor([5.0]), 1.5).tolist() == [0.5]
    with pytest.raises(RuntimeError, match="ZeroDivision"):
        tt.tensor([1, 2]).fmod(0)
    assert math.isnan(tt.tensor([1.0]).fmod(0.0).item())


def test_atan2_by_quadrant(torch):
    y = np.array([1.0, 1.0, -1.0, -1.0, 0.0, 0.0], np.float32)
    x = np.array([1.0, -1.0, -1.0, 1.0, -1.0, 1.0], np.float32)
    ours = tt.tensor(y).atan2(tt.tensor(x))
    np.testing.assert_allclose(ours.array, [math.pi / 4, 3 * math.pi / 4, -3 * math.pi / 4,
                                            -math.pi / 4, math.pi, 0.0], rtol=1e-6)
    np.testing.assert_allclose(ours.array, torch.from_numpy(y).atan2(torch.from_numpy(x)).numpy())
    assert tt.tensor([1, 2]).atan2(tt.tensor([1, 1])).dtype is tt.float32  # ints give floats
    broadcast = tt.tensor([[1.0], [2.0]]).atan2(tt.tensor([1.0, 2.0, 3.0]))
    assert broadcast.shape == (2, 3)


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.5, 0.99, 1.0, -0.7, 2.0, "tensor"])
def test_lerp_against_torch(torch, weight):
    rng = np.random.default_rng(3)
    start, end = rng.normal(size=(2, 3)).astype(np.float32), rng.normal(size=(3,)).astype(
        np.float32)
    w_ours = tt.tensor(rng.uniform(-1, 2, (2, 1)).astype(np.float32)) if weight == "tensor" \
        else weight
    w_theirs = torch.from_numpy(w_ours.array) if weight == "tensor" else weight
    ours = tt.tensor(start).lerp(tt.tensor(end), w_ours)
    theirs = torch.from_numpy(start).lerp(torch.from_numpy(end), w_theirs)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6, atol=1e-6)  # torch fuses
    np.testing.assert_array_equal(tt.lerp(tt.tensor(start), tt.tensor(end), w_ours).array,
                                  ours.array)


def test_lerp_endpoints_and_errors():
    a, b = tt.tensor([1.0, -2.0]), tt.tensor([3.0, 0.1])
    np.testing.assert_array_equal(a.lerp(b, 0.0).array, a.array)
    np.testing.assert_array_equal(a.lerp(b, 1.0).array, b.array)
    np.testing.assert_allclose(a.lerp(b, 0.25).array, a.array + 0.25 * (b.array - a.array))
    with pytest.raises(RuntimeError, match="dtype"):
        a.lerp(b.double(), 0.5)
    with pytest.raises(RuntimeError, match="dtype"):
        tt.tensor([1, 2]).lerp(tt.tensor([3, 4]), 0.5)
    with pytest.raises(RuntimeError, match="broadcast"):
        a.lerp(tt.ones(3), 0.5)
    c = a.clone()
    assert c.lerp_(b, 1.0) is c and c.tolist() == b.tolist()
