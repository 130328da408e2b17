"""Where gradients land: unbroadcast (task 2.2) and accumulate (task 2.3), tested directly, then
through the backward walk (task 2.5): every gradient comes back in its input's shape and dtype."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch.tensor as tt
from tinytorch.autograd import unbroadcast
from tinytorch.autograd.accumulate import accumulate


@pytest.mark.task("2.2")
def test_unbroadcast_sums_leading_and_stretched_dims() -> None:
    g = tt.tensor(np.arange(24.0).reshape(2, 3, 4))
    out = unbroadcast(g, (3, 1))
    np.testing.assert_allclose(out.array, np.arange(24.0).reshape(2, 3, 4).sum((0, 2))[:, None])
    assert unbroadcast(g, (2, 3, 4)) is g
    np.testing.assert_allclose(unbroadcast(g, ()).array, 276.0)


@pytest.mark.task("2.2")
def test_unbroadcast_keeps_kept_dims_and_expands_smaller_gradients() -> None:
    g = tt.tensor(np.arange(6.0).reshape(2, 1, 3))
    np.testing.assert_allclose(unbroadcast(g, (1, 1, 3)).array, [[[3.0, 5.0, 7.0]]])
    np.testing.assert_allclose(unbroadcast(g, (2, 1, 1)).array, [[[3.0]], [[12.0]]])
    np.testing.assert_allclose(unbroadcast(tt.tensor(2.0), (2, 2)).array, np.full((2, 2), 2.0))


# -- task 2.3: accumulate, called directly --------------------------------------------------------

@pytest.mark.task("2.3")
def test_first_gradient_is_stored_later_ones_added_in_place() -> None:
    x = tt.zeros(3, requires_grad=True)
    g = tt.tensor([1.0, 2.0, 3.0])
    accumulate(x, g)
    assert x.grad is g  # nobody else holds it: no copy needed
    accumulate(x, tt.tensor([1.0, 1.0, 1.0]))
    assert x.grad is g and g._version == 1  # added in place: earlier references see the sum
    np.testing.assert_allclose(g.array, [2.0, 3.0, 4.0])


@pytest.mark.task("2.3")
def test_a_gradient_someone_else_holds_is_copied() -> None:
    x, y, z = (tt.zeros(3, requires_grad=True) for _ in range(3))
    g = tt.tensor([1.0, 2.0, 3.0])
    shared: set[int] = set()
    accumulate(x, g, shared=shared)
    accumulate(y, g, shared=shared)  # the same object for a second leaf (add gives (g, g))
    assert y.grad is not g and not np.shares_memory(y.grad.array, g.array)
    y.grad.zero_()
    np.testing.assert_allclose(x.grad.array, [1.0, 2.0, 3.0])
    given = tt.tensor([4.0, 5.0, 6.0])
    accumulate(z, given, shared={id(given)})  # e.g. the gradient a caller passed to backward()
    assert z.grad is not given
    w = tt.zeros(2, 2, requires_grad=True)
    accumulate(w, tt.Tensor._wrap(np.broadcast_to(np.ones(2, np.float32), (2, 2))))  # read-only
    w.grad.zero_()
    np.testing.assert_allclose(w.grad.array, 0.0)


@pytest.mark.task("2.3")
def test_accumulate_with_create_graph_records_the_sum() -> None:
    x = tt.zeros(2, requires_grad=True)
    w = tt.tensor([1.0, 2.0], requires_grad=True)
    g = w * 3
    accumulate(x, g, create_graph=True)
    assert x.grad is g
    accumulate(x, g, create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn.name() == "AddBackward0"
    np.testing.assert_allclose(x.grad.array, [6.0, 12.0])
    np.testing.assert_allclose(g.array, [3.0, 6.0])  # not modified in place


# -- task 2.5: the walk gives each input its own shape and dtype ---------------------------------


@pytest.mark.task("2.5")
def test_broadcast_add_gives_input_shapes() -> None:
    a = tt.ones(2, 1, 3, requires_grad=True)
    b = tt.ones(4, 1, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.shape == (2, 1, 3) and b.grad.shape == (4, 1)
    np.testing.assert_allclose(a.grad.array, np.full((2, 1, 3), 4.0))
    np.testing.assert_allclose(b.grad.array, np.full((4, 1), 6.0))


@pytest.mark.task("2.5")
def test_scalar_tensor_operand_gets_summed_gradient() -> None:
    a = tt.tensor(2.0, requires_grad=True)
    x = tt.tensor([1.0, 2.0, 3.0])
    (a * x).sum().backward()
    assert a.grad.shape == ()
    np.testing.assert_allclose(a.grad.array, 6.0)


@pytest.mark.task("2.5")
def test_mixed_dtypes_give_each_input_its_own_dtype() -> None:
    a = tt.tensor([1.0, 2.0], dtype=tt.float32, requires_grad=True)
    b = tt.tensor([[3.0], [4.0]], dtype=tt.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == tt.float32 and b.grad.dtype == tt.float64
    np.testing.assert_allclose(a.grad.array, [7.0, 7.0])
    np.testing.assert_allclose(b.grad.array, [[3.0], [3.0]])


@pytest.mark.task("2.10")  # the rule of `to`
def test_cast_op_casts_gradient_back() -> None:
    x = tt.tensor([1.0, 2.0, 3.0], dtype=tt.float32, requires_grad=True)
    w = tt.tensor([0.5, -1.0, 2.0], dtype=tt.float64)
    (x.double() * w).sum().backward()
    assert x.grad.dtype == tt.float32
    np.testing.assert_allclose(x.grad.array, [0.5, -1.0, 2.0])


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@pytest.mark.task("2.5")
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
