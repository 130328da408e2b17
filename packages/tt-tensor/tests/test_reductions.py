"""Reductions: values and dtypes against NumPy and PyTorch for every dim form. Task 1.5 is sum,
mean, amax and amin over normalised dims, and what is built from them (var, std, prod, norm...);
argmax, max(dim), cumsum and logsumexp are library code (their tests carry no task)."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt

TASK = pytest.mark.task("1.5")
LIBRARY = ("argmax", "argmin", "logsumexp")  # reductions that never reach task 1.5's code

SHAPE = (2, 3, 4)
DIMS = [None, 0, 1, -1, (0, 2), (-1, -2), (0, 1, 2), [1]]
INT_DIMS = [None, 0, 2, -1, -3]


def _np_dim(dim):
    return tuple(dim) if isinstance(dim, list) else dim


def _data(dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(SHAPE) > 0.5
    if dtype in ("int64", "int32"):
        return rng.integers(-5, 6, SHAPE).astype(dtype)
    return rng.uniform(-2, 2, SHAPE).astype(dtype)


# name -> (ours, numpy, torch, dims, dtypes)
def _np_var(x, dim, keepdim, ddof=1):
    return np.var(x, axis=_np_dim(dim), keepdims=keepdim, ddof=ddof)


def _np_lse(x, dim, keepdim):
    m = np.max(x, axis=_np_dim(dim), keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=_np_dim(dim), keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=_np_dim(dim))


REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k),
            lambda x, d, k: np.sum(x, axis=_np_dim(d), keepdims=k,
                                   dtype=np.int64 if x.dtype.kind in "bi" else x.dtype),
            lambda x, d, k: x.sum() if d is None and not k else x.sum(dim=d, keepdim=k),
            DIMS, ["float32", "float64", "int64", "int32", "bool"]),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k),
             lambda x, d, k: np.mean(x, axis=_np_dim(d), keepdims=k),
             lambda x, d, k: x.mean() if d is None and not k else x.mean(dim=d, keepdim=k),
             DIMS, ["float32", "float64"]),
    "amax": (lambda x, d, k: x.amax(d, keepdim=k),
             lambda x, d, k: np.max(x, axis=_np_dim(d), keepdims=k),
             lambda x, d, k: x.amax(dim=() if d is None else d, keepdim=k),
             DIMS, ["float32", "int64"]),
    "amin": (lambda x, d, k: tt.amin(x, d, keepdim=k),
             lambda x, d, k: np.min(x, axis=_np_dim(d), keepdims=k),
             lambda x, d, k: x.amin(dim=() if d is None else d, keepdim=k),
             DIMS, ["float32", "int64"]),
    "var": (lambda x, d, k: x.var(d, keepdim=k), _np_var,
            lambda x, d, k: x.var() if d is None and not k else x.var(dim=d, keepdim=k),
            DIMS, ["float32", "float64"]),
    "var_biased": (lambda x, d, k: x.var(d, unbiased=False, keepdim=k),
                   lambda x, d, k: _np_var(x, d, k, ddof=0),
                   lambda x, d, k: x.var(dim=d, unbiased=False, keepdim=k),
                   DIMS, ["float64"]),
    "var_correction": (lambda x, d, k: x.var(d, keepdim=k, correction=0),
                       lambda x, d, k: _np_var(x, d, k, ddof=0),
                       lambda x, d, k: x.var(dim=d, keepdim=k, correction=0),
                       DIMS, ["float64"]),
    "std": (lambda x, d, k: x.std(d, keepdim=k),
            lambda x, d, k: np.std(x, axis=_np_dim(d), keepdims=k, ddof=1),
            lambda x, d, k: x.std() if d is None and not k else x.std(dim=d, keepdim=k),
            DIMS, ["float32", "float64"]),
    "logsumexp": (lambda x, d, k: x.logsumexp(d, keepdim=k), _np_lse,
                  lambda x, d, k: x.logsumexp(dim=d, keepdim=k),
                  [0, 1, -1, (0, 2), (0, 1, 2)], ["float32", "float64"]),
    "prod": (lambda x, d, k: x.prod(d, keepdim=k),
             lambda x, d, k: np.prod(x, axis=d, keepdims=k,
                                     dtype=np.int64 if x.dtype.kind in "bi" else x.dtype),
             lambda x, d, k: x.prod() if d is None and not k else x.prod(dim=d, keepdim=k),
             INT_DIMS, ["float32", "float64", "int64", "bool"]),
    "argmax": (lambda x, d, k: x.argmax(d, keepdim=k),
               lambda x, d, k: np.argmax(x, axis=d, keepdims=k),
               lambda x, d, k: x.argmax(dim=d, keepdim=k),
               INT_DIMS, ["float32", "float64"]),
    "argmin": (lambda x, d, k: tt.argmin(x, d, keepdim=k),
               lambda x, d, k: np.argmin(x, axis=d, keepdims=k),
               lambda x, d, k: x.argmin(dim=d, keepdim=k),
               INT_DIMS, ["float32", "float64"]),
    "all": (lambda x, d, k: x.all(d, keepdim=k),
            lambda x, d, k: np.all(x, axis=d, keepdims=k),
            lambda x, d, k: x.all() if d is None else x.all(dim=d, keepdim=k),
            INT_DIMS, ["bool"]),
    "any": (lambda x, d, k: x.any(d, keepdim=k),
            lambda x, d, k: np.any(x, axis=d, keepdims=k),
            lambda x, d, k: x.any() if d is None else x.any(dim=d, keepdim=k),
            INT_DIMS, ["bool"]),
    "max_all": (lambda x, d, k: x.max(), lambda x, d, k: np.max(x),
                lambda x, d, k: x.max(), [None], ["float32", "int64"]),
    "min_all": (lambda x, d, k: tt.min(x), lambda x, d, k: np.min(x),
                lambda x, d, k: x.min(), [None], ["float32", "int64"]),
}


def _cases():
    for name, (_, _, _, dims, dtypes) in REDUCTIONS.items():
        for dim in dims:
            for keepdim in (False, True):
                if name.endswith("_all") and keepdim:
                    continue
                if name in ("prod", "all", "any") and dim is None and keepdim:
                    continue  # PyTorch has no keepdim without a dim for these
                for dtype in dtypes:
                    yield pytest.param(name, dim, keepdim, dtype,
                                       id=f"{name}-{dim}-{'keep' if keepdim else 'drop'}-{dtype}",
                                       marks=[] if name in LIBRARY else [TASK])


CASES = list(_cases())


@pytest.mark.parametrize("name,dim,keepdim,dtype", CASES)
def test_against_numpy(name, dim, keepdim, dtype):
    ours_fn, np_fn, _, _, _ = REDUCTIONS[name]
    x = _data(dtype)
    out = ours_fn(tt.tensor(x), dim, keepdim)
    expected = np.asarray(np_fn(x, dim, keepdim))
    assert out.shape == expected.shape
    if name not in ("mean", "var", "std", "var_biased", "var_correction", "logsumexp"):
        assert out.array.dtype == expected.dtype, (out.array.dtype, expected.dtype)
    np.testing.assert_allclose(out.array, expected, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name,dim,keepdim,dtype", CASES)
def test_against_torch(torch, name, dim, keepdim, dtype):
    ours_fn, _, torch_fn, _, _ = REDUCTIONS[name]
    x = _data(dtype, seed=1)
    out = ours_fn(tt.tensor(x), dim, keepdim)
    expected = torch_fn(torch.from_numpy(x), dim, keepdim)
    assert out.shape == tuple(expected.shape)
    assert out.dtype.name == str(expected.dtype).split(".")[1]
    np.testing.assert_allclose(out.array, expected.numpy(), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_dim_returns_values_and_indices(fn, dim, keepdim):
    x = _data("float32")
    out = getattr(tt.tensor(x), fn)(dim, keepdim=keepdim)
    values, indices = out
    assert out.values is values and out.indices is indices
    arg = np.argmax if fn == "max" else np.argmin
    expected_idx = arg(x, axis=dim, keepdims=keepdim)
    expected_val = (np.max if fn == "max" else np.min)(x, axis=dim, keepdims=keepdim)
    assert indices.dtype is tt.int64
    np.testing.assert_array_equal(indices.array, expected_idx)
    np.testing.assert_array_equal(values.array, expected_val)
    assert values.dtype is tt.float32


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_dim_match_torch(torch, fn, dim, keepdim):
    x = _data("float64", seed=3)
    ours = getattr(tt.tensor(x), fn)(dim, keepdim)
    theirs = getattr(torch.from_numpy(x), fn)(dim, keepdim)
    np.testing.assert_array_equal(ours.values.array, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())


@pytest.mark.task("1.5")
def test_closed_forms():
    x = tt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.sum().item() == 21.0
    np.testing.assert_array_equal(x.sum(0).array, [5.0, 7.0, 9.0])
    np.testing.assert_array_equal(x.sum(1, keepdim=True).array, [[6.0], [15.0]])
    assert x.mean().item() == 3.5
    assert x.max().item() == 6.0 and x.min().item() == 1.0
    assert x.prod().item() == 720.0
    assert x.var().item() == pytest.approx(3.5)
    assert x.std(unbiased=False).item() == pytest.approx(np.sqrt(35 / 12))
    assert x.argmax().item() == 5 and x.argmin().item() == 0
    np.testing.assert_array_equal(x.cumsum(1).array, [[1, 3, 6], [4, 9, 15]])


def test_logsumexp_is_stable():
    assert tt.tensor([0.0, 0.0]).logsumexp(0).item() == pytest.approx(np.log(2))
    assert tt.tensor(3.0).logsumexp(0).item() == pytest.approx(3.0)
    x = tt.tensor([[1000.0, 1000.0], [-1000.0, -1000.0], [-np.inf, -np.inf]])
    with np.errstate(over="raise"):
        out = x.logsumexp(1)
    np.testing.assert_allclose(out.array[:2], [1000 + np.log(2), -1000 + np.log(2)])
    assert out.array[2] == -np.inf


@pytest.mark.task("1.5")
def test_integer_and_bool_sums_give_int64():
    assert tt.tensor([True, True, False]).sum().dtype is tt.int64
    assert tt.tensor([True, True, False]).sum().item() == 2
    assert tt.tensor([1, 2], dtype=tt.int32).sum().dtype is tt.int64
    assert tt.tensor([1, 2], dtype=tt.int32).cumsum(0).dtype is tt.int64
    assert tt.tensor([1.0], dtype=tt.float16).sum().dtype is tt.float16


@pytest.mark.task("1.5")
def test_mean_and_var_need_floats():
    with pytest.raises(RuntimeError, match="int64"):
        tt.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="int64"):
        tt.tensor([1, 2]).var()


def test_cumsum_matches_numpy():
    x = _data("float64")
    for d in (0, 1, -1):
        np.testing.assert_allclose(tt.tensor(x).cumsum(d).array, np.cumsum(x, axis=d))


def test_cumsum_matches_torch(torch):
    x = _data("int64")
    for d in (0, 1, -1):
        np.testing.assert_array_equal(tt.tensor(x).cumsum(d).array,
                                      torch.from_numpy(x).cumsum(d).numpy())


@pytest.mark.task("1.5")
def test_reduction_dim_errors():
    x = tt.ones(2, 3)
    with pytest.raises(IndexError, match="ndim 2"):
        x.sum(2)
    with pytest.raises(IndexError, match="ndim 2"):
        x.max(-3)
    with pytest.raises(RuntimeError, match="twice"):
        x.sum((1, -1))
    with pytest.raises(RuntimeError, match="empty"):
        tt.zeros(0).amax()
    with pytest.raises(IndexError, match="non-zero size"):  # PyTorch: an IndexError
        tt.zeros(0, 3).max(0)


@pytest.mark.task("1.5")
def test_empty_sum_and_mean():
    assert tt.zeros(0).sum().item() == 0.0
    assert np.isnan(tt.zeros(0).mean().item())


@pytest.mark.task("1.5")
def test_zero_dim_reductions():
    x = tt.tensor(3.0)
    assert x.sum().item() == 3.0
    assert x.sum(0).item() == 3.0
    assert x.amax(-1).item() == 3.0
    assert x.sum((0,), keepdim=True).shape == ()


@pytest.mark.task("1.5")
def test_zero_dim_reductions_match_torch(torch):
    for fn in ("sum", "mean", "amax", "prod"):
        ours = getattr(tt.tensor(3.0), fn)(0)
        theirs = getattr(torch.tensor(3.0), fn)(0)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.array, theirs.numpy())


@pytest.mark.task("1.5")
@pytest.mark.parametrize("p", ["fro", 2, 1, float("inf"), float("-inf"), 0, 3, 0.5])
@pytest.mark.parametrize("dim", [None, 1, (0, 1)])
def test_norm_matches_its_closed_form(p, dim):
    x = np.random.default_rng(7).standard_normal((3, 4))
    x[0, 0] = 0.0
    a = np.abs(x)
    if p in ("fro", 2):
        want = np.sqrt((a ** 2).sum(axis=dim))
    elif p == float("inf"):
        want = a.max(axis=dim)
    elif p == float("-inf"):
        want = a.min(axis=dim)
    elif p == 0:
        want = (a != 0).sum(axis=dim).astype(np.float64)
    else:
        want = (a ** p).sum(axis=dim) ** (1 / p)
    np.testing.assert_allclose(tt.tensor(x).norm(p, dim).array, want, rtol=1e-12)
