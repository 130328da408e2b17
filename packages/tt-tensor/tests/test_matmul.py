"""Matrix multiplication (task 1.6): every shape case of ``torch.matmul``, against NumPy and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt

pytestmark = pytest.mark.task("1.6")

SHAPES = [
    ((3,), (3,)),                # dot -> 0-d
    ((2, 3), (3,)),              # matrix-vector
    ((3,), (3, 4)),              # vector-matrix
    ((2, 3), (3, 4)),            # matrix-matrix
    ((5, 2, 3), (5, 3, 4)),      # batched
    ((5, 2, 3), (3, 4)),         # batch x matrix
    ((2, 3), (5, 3, 4)),         # matrix x batch
    ((2, 1, 2, 3), (4, 3, 2)),   # batch dims broadcast
    ((5, 2, 3), (3,)),           # batch x vector
    ((3,), (5, 3, 4)),           # vector x batch
    ((1, 1), (1, 1)),
    ((0, 3), (3, 2)),
]
IDS = [f"{a}@{b}" for a, b in SHAPES]


def _pair(sa, sb, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    if dtype.startswith("int"):
        return rng.integers(-4, 5, sa).astype(dtype), rng.integers(-4, 5, sb).astype(dtype)
    return rng.standard_normal(sa).astype(dtype), rng.standard_normal(sb).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("sa,sb", SHAPES, ids=IDS)
def test_matmul_against_numpy(sa, sb, dtype):
    a, b = _pair(sa, sb, dtype)
    out = tt.tensor(a) @ tt.tensor(b)
    expected = np.matmul(a, b)
    assert out.shape == expected.shape
    assert out.array.dtype == expected.dtype
    np.testing.assert_allclose(out.array, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tt.tensor(a).matmul(tt.tensor(b)).array, expected, rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(tt.matmul(tt.tensor(a), tt.tensor(b)).array, expected,
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("sa,sb", SHAPES, ids=IDS)
def test_matmul_against_torch(torch, sa, sb):
    a, b = _pair(sa, sb, "float64", seed=1)
    out = tt.tensor(a) @ tt.tensor(b)
    expected = torch.from_numpy(a) @ torch.from_numpy(b)
    assert out.shape == tuple(expected.shape)
    assert out.dtype is tt.float64
    np.testing.assert_allclose(out.array, expected.numpy(), rtol=1e-10, atol=1e-10)


def test_closed_form():
    a = tt.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = tt.tensor([[5.0, 6.0], [7.0, 8.0]])
    np.testing.assert_array_equal((a @ b).array, [[19.0, 22.0], [43.0, 50.0]])
    assert (tt.tensor([1.0, 2.0, 3.0]) @ tt.tensor([4.0, 5.0, 6.0])).item() == 32.0
    assert (tt.tensor([1.0, 2.0]) @ tt.tensor([3.0, 4.0])).shape == ()
    np.testing.assert_array_equal((a @ tt.eye(2)).array, a.array)


def test_ndarray_on_the_left():
    out = np.eye(2, dtype=np.float32) @ tt.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(out, tt.Tensor)
    np.testing.assert_array_equal(out.array, [[1.0, 2.0], [3.0, 4.0]])


def test_mm_bmm_dot():
    a, b = _pair((2, 3), (3, 4))
    np.testing.assert_allclose(tt.tensor(a).mm(tt.tensor(b)).array, a @ b, rtol=1e-6)
    a3, b3 = _pair((5, 2, 3), (5, 3, 4))
    np.testing.assert_allclose(tt.bmm(tt.tensor(a3), tt.tensor(b3)).array, a3 @ b3, rtol=1e-5)
    v, w = _pair((4,), (4,))
    np.testing.assert_allclose(tt.tensor(v).dot(tt.tensor(w)).item(), v @ w, rtol=1e-6)
    with pytest.raises(RuntimeError, match="2-D"):
        tt.tensor(a3).mm(tt.tensor(b3))
    with pytest.raises(RuntimeError, match="3-D"):
        tt.tensor(a).bmm(tt.tensor(b))
    with pytest.raises(RuntimeError, match="1-D"):
        tt.tensor(a).dot(tt.tensor(b))


@pytest.mark.parametrize("sa,sb", [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)),
                                   ((4,), (3, 4)), ((5, 2, 3), (5, 4, 2))])
def test_shape_mismatch_names_both_shapes(sa, sb):
    with pytest.raises(RuntimeError) as info:
        tt.ones(sa) @ tt.ones(sb)
    assert str(sa) in str(info.value) and str(sb) in str(info.value)


def test_batch_mismatch_and_zero_dim_errors():
    with pytest.raises(RuntimeError, match=r"\(2, 2, 3\).*\(3, 3, 4\)"):
        tt.ones(2, 2, 3) @ tt.ones(3, 3, 4)
    with pytest.raises(RuntimeError, match="at least 1 dim"):
        tt.tensor(2.0) @ tt.ones(3)


def test_dtype_mismatch_is_an_error():
    with pytest.raises(RuntimeError, match="float32.*float64"):
        tt.ones(2, 2) @ tt.ones(2, 2, dtype=tt.float64)


@pytest.mark.parametrize("sa, sb", [((2, 3), (3, 4)), ((5, 2, 7), (7,)), ((64, 300), (300, 20))])
def test_float16_is_multiplied_in_float32_and_rounded_once(sa, sb):
    rng = np.random.default_rng(3)
    a, b = (rng.standard_normal(s).astype(np.float16) for s in (sa, sb))
    out = tt.tensor(a) @ tt.tensor(b)
    assert out.dtype is tt.float16
    expected = np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_float16_matches_torch_within_rounding(torch):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((64, 300)), rng.standard_normal((300, 20))
    ours = (tt.tensor(a, dtype=tt.float16) @ tt.tensor(b, dtype=tt.float16)).numpy()
    theirs = (torch.tensor(a, dtype=torch.float16) @ torch.tensor(b, dtype=torch.float16)).numpy()
    # both accumulate in float32; the order of the sums differs, so the last bit may too
    np.testing.assert_allclose(ours.astype(np.float32), theirs.astype(np.float32),
                               rtol=2e-3, atol=2e-2)
