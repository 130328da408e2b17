"""Closed forms and special cases of the backward rules, checked by hand (the op table in
test_rules.py checks every rule against finite differences and PyTorch)."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt


@pytest.mark.task("2.11")
def test_matmul_gradients_are_the_closed_forms() -> None:
    # d(sum(W * (A @ B)))/dA = W @ B^T and /dB = A^T @ W, batch dims of B broadcast over A's.
    rng = np.random.default_rng(11)
    a, b, w = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5)), rng.standard_normal((2, 3, 5))
    ta, tb = tt.tensor(a, requires_grad=True), tt.tensor(b, requires_grad=True)
    ((ta @ tb) * tt.tensor(w)).sum().backward()
    np.testing.assert_allclose(ta.grad.array, w @ b.T, rtol=1e-12)
    np.testing.assert_allclose(tb.grad.array, np.einsum("bij,bik->jk", a, w), rtol=1e-12)


@pytest.mark.task("2.12")
def test_prod_with_zeros() -> None:
    x = tt.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]], requires_grad=True)
    x.prod(1).sum().backward()
    want = np.array([[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [8.0, 4.0, 2.0]])
    np.testing.assert_allclose(x.grad.array, want)
    y = tt.tensor([2.0, 0.0, 3.0], requires_grad=True)
    y.prod().backward()
    np.testing.assert_allclose(y.grad.array, [0.0, 6.0, 0.0])


@pytest.mark.task("2.12")
def test_amax_ties_share_the_gradient() -> None:
    x = tt.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_allclose(x.grad.array, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


@pytest.mark.task("2.13")
def test_unfold_backward_counts_overlaps() -> None:
    x = tt.ones(7, requires_grad=True)
    x.unfold(0, 3, 2).sum().backward()  # windows [0:3], [2:5], [4:7]
    np.testing.assert_allclose(x.grad.array, [1, 1, 2, 1, 2, 1, 1])


@pytest.mark.task("2.9")
def test_getitem_repeated_index_adds_up() -> None:
    x = tt.zeros(4, requires_grad=True)
    x[tt.tensor([1, 1, 1, 3])].sum().backward()
    np.testing.assert_allclose(x.grad.array, [0, 3, 0, 1])


@pytest.mark.task("2.13")
def test_unfold_backward_of_a_long_signal() -> None:
    """200,000 windows of 4: each element is counted once per window it sits in (the speed of
    this, a loop over the window and not over the positions, is benchmarked, not tested)."""
    x = tt.randn(200_000, requires_grad=True)
    x.unfold(0, 4, 1).sum().backward()
    want = np.full(200_000, 4.0)
    want[:3] = want[-3:][::-1] = [1, 2, 3]
    np.testing.assert_allclose(x.grad.array, want)


# -- the new dtypes: float16 gradients, integer operands -----------------------------------------

def test_float16_gradients_stay_float16() -> None:
    values = [0.5, -1.0, 2.0]
    x = tt.tensor(values, dtype=tt.float16, requires_grad=True)
    (x * x.exp()).sum().backward()
    assert x.grad.dtype == tt.float16
    want = (1 + np.array(values)) * np.exp(values)  # d(x e^x) = (1 + x) e^x
    np.testing.assert_allclose(x.grad.array.astype(np.float64), want, rtol=2e-3)
    y = tt.tensor([1.0, 2.0], requires_grad=True)
    (y.half() * 3).sum().backward()  # through a cast: the gradient comes back as float32
    assert y.grad.dtype == tt.float32
    np.testing.assert_allclose(y.grad.array, [3.0, 3.0])


def test_integer_operands_take_no_gradient() -> None:
    for dtype in (tt.int8, tt.uint8, tt.int16):
        with pytest.raises(RuntimeError, match="floating point"):
            tt.tensor([1, 2], dtype=dtype, requires_grad=True)
        x = tt.tensor([1.5, -2.0], requires_grad=True)
        (x * tt.tensor([3, 4], dtype=dtype)).sum().backward()
        assert x.grad.dtype == tt.float32
        np.testing.assert_allclose(x.grad.array, [3.0, 4.0])


def test_non_differentiable_ops_give_no_graph() -> None:
    """Indices, counts and samples are not differentiable: no grad_fn, as in PyTorch."""
    x = tt.tensor([0.2, 0.5, 0.3], requires_grad=True)
    for out in (x.argsort(), x.sort().indices, x.topk(2).indices, x.histc(3),
                tt.multinomial(x, 2), x.cummax(0).indices):
        assert not out.requires_grad and out.grad_fn is None
