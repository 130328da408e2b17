"""Task 2.1: gradients come back in each input's shape and dtype (one place: the engine)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.tensor as tt
from tinytorch.autograd import unbroadcast

pytestmark = pytest.mark.task("2.1")


def test_unbroadcast_sums_leading_and_stretched_dims() -> None:
    g = tt.tensor(np.arange(24.0).reshape(2, 3, 4))
    out = unbroadcast(g, (3, 1))
    np.testing.assert_allclose(out.array, np.arange(24.0).reshape(2, 3, 4).sum((0, 2))[:, None])
    assert unbroadcast(g, (2, 3, 4)) is g
    np.testing.assert_allclose(unbroadcast(g, ()).array, 276.0)


def test_broadcast_add_gives_input_shapes() -> None:
    a = tt.ones(2, 1, 3, requires_grad=True)
    b = tt.ones(4, 1, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.shape == (2, 1, 3) and b.grad.shape == (4, 1)
    np.testing.assert_allclose(a.grad.array, np.full((2, 1, 3), 4.0))
    np.testing.assert_allclose(b.grad.array, np.full((4, 1), 6.0))


def test_scalar_tensor_operand_gets_summed_gradient() -> None:
    a = tt.tensor(2.0, requires_grad=True)
    x = tt.tensor([1.0, 2.0, 3.0])
    (a * x).sum().backward()
    assert a.grad.shape == ()
    np.testing.assert_allclose(a.grad.array, 6.0)


def test_mixed_dtypes_give_each_input_its_own_dtype() -> None:
    a = tt.tensor([1.0, 2.0], dtype=tt.float32, requires_grad=True)
    b = tt.tensor([[3.0], [4.0]], dtype=tt.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == tt.float32 and b.grad.dtype == tt.float64
    np.testing.assert_allclose(a.grad.array, [7.0, 7.0])
    np.testing.assert_allclose(b.grad.array, [[3.0], [3.0]])


def test_cast_op_casts_gradient_back() -> None:
    x = tt.tensor([1.0, 2.0, 3.0], dtype=tt.float32, requires_grad=True)
    w = tt.tensor([0.5, -1.0, 2.0], dtype=tt.float64)
    (x.double() * w).sum().backward()
    assert x.grad.dtype == tt.float32
    np.testing.assert_allclose(x.grad.array, [0.5, -1.0, 2.0])


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@settings(max_examples=40, deadline=None)
@given(shapes, st.data())
def test_binary_broadcast_gradients_against_numpy(shape: tuple[int, ...], data: st.DataObject
                                                  ) -> None:
    # b's shape: a suffix of a's shape with some sizes replaced by 1
    suffix = shape[len(shape) - data.draw(st.integers(0, len(shape))):]
    other = tuple(1 if data.draw(st.booleans()) else n for n in suffix)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(shape), rng.standard_normal(other)
    a, b = tt.tensor(x, requires_grad=True), tt.tensor(y, requires_grad=True)
    w = rng.standard_normal(np.broadcast_shapes(shape, other))
    ((a * b) * tt.tensor(w)).sum().backward()
    lead = len(w.shape) - len(other)
    want_b = (w * x).sum(axis=tuple(range(lead)))
    want_b = want_b.sum(axis=tuple(i for i, n in enumerate(other) if n == 1), keepdims=True)
    np.testing.assert_allclose(a.grad.array, w * y)
    np.testing.assert_allclose(b.grad.array, want_b.reshape(other))
