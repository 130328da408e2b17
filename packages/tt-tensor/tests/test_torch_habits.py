"""PyTorch habits that must work unchanged: the keywords torch accepts (``axis=``, ``keepdims=``,
``input=``, ``other=``), torch's error types for bad input, and no NumPy RuntimeWarning on results
that are correct (inf, nan)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinytorch.tensor as tt

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7 - 1.5


# -- keywords -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "prod", "var", "std",
                                  "logsumexp", "all", "any", "argmax", "argmin", "max", "min"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_take_numpy_keywords(torch, name, keepdims):
    dim = 1
    ours = getattr(tt.tensor(X), name)(axis=dim, keepdims=keepdims)
    theirs = getattr(torch.from_numpy(X), name)(axis=dim, keepdims=keepdims)
    if name in ("max", "min"):
        ours, theirs = ours.values, theirs.values
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)
    # and as the free function, with torch's input= keyword
    free = getattr(tt, name)(input=tt.tensor(X), axis=dim, keepdims=keepdims)
    free = free.values if name in ("max", "min") else free
    np.testing.assert_array_equal(free.array, ours.array)


def test_cumulative_ops_take_axis(torch):
    for name in ("cumsum", "cumprod", "cummax", "cummin"):
        ours = getattr(tt.tensor(X), name)(axis=2)
        theirs = getattr(torch.from_numpy(X), name)(axis=2)
        if name in ("cummax", "cummin"):
            ours, theirs = ours.values, theirs.values
        np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)


def test_dim_and_axis_together_is_an_error():
    with pytest.raises(TypeError, match="axis"):
        tt.ones(2, 3).sum(0, axis=1)


def test_free_functions_take_input_and_other(torch):
    a, b = X[0], X[1]
    for name in ("add", "sub", "mul", "div", "maximum", "minimum", "atan2", "fmod", "remainder",
                 "eq", "lt", "matmul"):
        right = b.T.copy() if name == "matmul" else b
        ours = getattr(tt, name)(input=tt.tensor(a), other=tt.tensor(right))
        theirs = getattr(torch, name)(input=torch.from_numpy(a), other=torch.from_numpy(right))
        np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)
    ours = tt.add(input=tt.tensor(a), other=tt.tensor(b), alpha=2)
    np.testing.assert_allclose(ours.array, a + 2 * b, rtol=1e-6)
    assert tt.exp(input=tt.tensor([0.0])).tolist() == [1.0]
    with pytest.raises(TypeError, match="input"):
        tt.exp(1.0)  # PyTorch wants a Tensor here too


def test_rsub_free_function(torch):
    x = [1.5, -2.0]
    ours, theirs = tt.rsub(tt.tensor(x), 3, alpha=2), torch.rsub(torch.tensor(x), 3, alpha=2)
    np.testing.assert_allclose(ours.array, theirs.numpy())


# -- bad input: the error type PyTorch raises, with a message that says what was wrong -----------

def test_errors_match_torch_types(torch):
    cases = [
        (lambda m: m.ones(2, 3).flip(0, 0), RuntimeError, "multiple times"),
        (lambda m: m.ones(2, 3).flip(0, -2), RuntimeError, "multiple times"),
        (lambda m: m.ones(2).div(2, rounding_mode="nearest"), RuntimeError, "rounding_mode"),
        (lambda m: m.linspace(0, 1, 3, dtype=m.bool), NotImplementedError, "bool"),
        (lambda m: m.randperm(-1), RuntimeError, "negative"),
        (lambda m: m.cat([1, 2]), TypeError, "element 0"),
        (lambda m: m.cat([m.ones(2), [1.0]]), TypeError, "element 1"),
        (lambda m: m.stack([m.ones(2), 3]), TypeError, "element 1"),
        (lambda m: m.zeros(-1), RuntimeError, "negative"),
    ]
    for make, kind, words in cases:
        with pytest.raises(kind):
            make(torch)
        with pytest.raises(kind, match=words):
            make(tt)


def test_linspace_with_an_integer_dtype_truncates_as_torch(torch):
    ours = tt.linspace(0, 10, 4, dtype=tt.int64)
    assert ours.tolist() == torch.linspace(0, 10, 4, dtype=torch.int64).tolist()


def test_grad_assignment_is_checked_at_once(torch):
    ours, theirs = tt.ones(2), torch.ones(2)
    for bad, kind in [(0.0, TypeError), (np.ones(2), TypeError), ([1.0, 1.0], TypeError)]:
        with pytest.raises(kind):
            theirs.grad = bad
        with pytest.raises(kind, match="Tensor or None"):
            ours.grad = bad
    for bad in (lambda m: m.ones(3), lambda m: m.ones(2, dtype=m.float64),
                lambda m: m.ones(2, dtype=m.int64)):
        with pytest.raises(RuntimeError):
            theirs.grad = bad(torch)
        with pytest.raises(RuntimeError, match="gradient"):
            ours.grad = bad(tt)
    good = tt.tensor([0.5, 0.5])
    ours.grad = good
    assert ours.grad is good
    ours.grad = None
    assert ours.grad is None


@pytest.mark.parametrize("seed", [0, 5, -1, -(2**63), 2**63, 2**64 - 1])
def test_manual_seed_wraps_like_torch(torch, seed):
    assert tt.manual_seed(seed).initial_seed() == torch.manual_seed(seed).initial_seed()
    assert tt.initial_seed() == seed % 2**64
    assert tt.Generator().manual_seed(seed).initial_seed() == seed % 2**64
    a = tt.rand(3)
    tt.manual_seed(seed)
    np.testing.assert_array_equal(tt.rand(3).array, a.array)


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1, 10**30])
def test_manual_seed_out_of_range_raises_like_torch(torch, seed):
    with pytest.raises(ValueError):
        torch.manual_seed(seed)
    with pytest.raises(ValueError, match="out of range"):
        tt.manual_seed(seed)


def test_manual_seed_argument_types_like_torch(torch):
    assert tt.manual_seed(3.7).initial_seed() == torch.manual_seed(3.7).initial_seed() == 3
    assert tt.manual_seed(True).initial_seed() == torch.manual_seed(True).initial_seed() == 1
    for bad in (1.5, True, "3"):
        with pytest.raises(RuntimeError):
            torch.Generator().manual_seed(bad)
        with pytest.raises(RuntimeError, match="expected a long"):
            tt.Generator().manual_seed(bad)


# -- correct results (inf, nan) print no NumPy RuntimeWarning -------------------------------------

QUIET = [
    lambda: tt.tensor([1.0, -1.0, 0.0]) / 0,
    lambda: tt.tensor([0.0, -1.0]).log(),
    lambda: tt.tensor([0.0, -1.0]).log2(),
    lambda: tt.tensor([0.0, -1.0]).log10(),
    lambda: tt.tensor([-1.0]).sqrt(),
    lambda: tt.tensor([1000.0]).exp(),
    lambda: tt.tensor([float("inf")]).sin(),
    lambda: tt.tensor([2.0]).asin(),
    lambda: tt.tensor([1.0]).atanh(),
    lambda: tt.tensor([0.0]).reciprocal(),
    lambda: tt.tensor([0.0]) ** -1,
    lambda: tt.tensor([float("nan"), float("inf")]).long(),
    lambda: tt.tensor([float("nan"), float("inf")]).to(tt.int32),
    lambda: tt.tensor([1e6]).half(),
    lambda: tt.tensor([[float("inf"), 1.0], [float("-inf"), float("-inf")]]).softmax(1),
    lambda: tt.tensor([[float("inf"), 1.0], [float("-inf"), float("-inf")]]).log_softmax(1),
    lambda: tt.tensor([[float("inf"), 1.0]]).logsumexp(1),
    lambda: tt.tensor([1.0, 2.0]).fmod(0.0),
    lambda: tt.tensor([1.0]) % 0.0,
    lambda: tt.full((2,), float("nan"), dtype=tt.int64),
    lambda: tt.tensor([float("nan")], dtype=tt.int64),
    lambda: tt.zeros(2, dtype=tt.int64).masked_fill(tt.tensor([True, False]), float("inf")),
    lambda: tt.tensor([1e30, 1e30], dtype=tt.float16).cumprod(0),
]


@pytest.mark.parametrize("make", QUIET)
def test_no_numpy_warnings_on_correct_results(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make()
    assert [str(w.message) for w in caught] == []


def test_inf_logits_give_torch_values(torch):
    logits = [[float("inf"), 1.0], [float("-inf"), 0.0], [float("-inf"), float("-inf")]]
    for name in ("softmax", "log_softmax"):
        ours = getattr(tt.tensor(logits), name)(1)
        theirs = getattr(torch.tensor(logits), name)(1)
        np.testing.assert_array_equal(ours.array, theirs.numpy())
