"""Property tests (hypothesis) over random shapes: broadcasting (task 1.3) and shape-op round
trips (tasks 1.7-1.9)."""

from __future__ import annotations

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinytorch.tensor as tt

# Derandomized and without an example database: the same examples on every run (grading must be
# reproducible) and no .hypothesis folder left in the tree. Modest counts keep the suite fast.
PROFILE = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow])

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
nonempty_shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)


def _arange(shape, dtype=np.float32):
    return np.arange(math.prod(shape), dtype=dtype).reshape(shape) - 3


@pytest.mark.task("1.3")
@PROFILE
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4),
       st.sampled_from(["add", "sub", "mul", "div", "maximum"]))
def test_broadcasting_binary_ops(bshapes, op):
    sa, sb = bshapes.input_shapes
    a = _arange(sa)
    b = np.random.default_rng(0).uniform(0.5, 2.0, sb).astype(np.float32)
    out = getattr(tt.tensor(a), op)(tt.tensor(b))
    expected = getattr(np, {"sub": "subtract", "div": "true_divide", "mul": "multiply"}.get(op, op))(a, b)
    assert out.shape == np.broadcast_shapes(sa, sb) == bshapes.result_shape
    np.testing.assert_allclose(out.array, expected, rtol=1e-6)


@pytest.mark.task("1.3")
@PROFILE
@given(shapes, shapes)
def test_broadcast_succeeds_exactly_when_numpy_does(sa, sb):
    try:
        expected = np.broadcast_shapes(sa, sb)
    except ValueError:
        with pytest.raises(RuntimeError) as info:
            tt.zeros(sa) + tt.zeros(sb)
        assert str(sa) in str(info.value) and str(sb) in str(info.value)
    else:
        assert (tt.zeros(sa) * tt.ones(sb)).shape == expected


@pytest.mark.task("1.9")
@PROFILE
@given(hnp.mutually_broadcastable_shapes(num_shapes=1, min_dims=0, max_dims=4, max_side=4))
def test_expand_matches_broadcast_to(bshapes):
    (shape,), target = bshapes.input_shapes, bshapes.result_shape
    a = _arange(shape)
    out = tt.tensor(a).expand(*target)
    assert out.shape == target
    np.testing.assert_array_equal(out.array, np.broadcast_to(a, target))


@pytest.mark.task("1.7")
@PROFILE
@given(shapes, st.data())
def test_reshape_round_trip(shape, data):
    a = _arange(shape)
    size = a.size
    divisors = [d for d in range(1, size + 1) if size % d == 0] or [0]
    first = data.draw(st.sampled_from(divisors))
    new_shape = (first, -1) if size else (0,)
    t = tt.tensor(a).reshape(*new_shape)
    assert t.numel() == size
    np.testing.assert_array_equal(t.array.reshape(-1), a.reshape(-1))
    back = t.reshape(shape)
    assert back.shape == shape
    np.testing.assert_array_equal(back.array, a)


@pytest.mark.task("1.7")
@PROFILE
@given(shapes)
def test_flatten_and_view_round_trip(shape):
    a = _arange(shape)
    flat = tt.tensor(a).flatten()
    assert flat.shape == (a.size,)
    np.testing.assert_array_equal(flat.view(shape).array, a)


@pytest.mark.task("1.7")
@PROFILE
@given(shapes, st.data())
def test_unsqueeze_squeeze_round_trip(shape, data):
    a = _arange(shape)
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    u = tt.tensor(a).unsqueeze(dim)
    assert u.shape == np.expand_dims(a, dim).shape
    back = u.squeeze(dim)
    assert back.shape == shape
    np.testing.assert_array_equal(back.array, a)
    np.testing.assert_array_equal(tt.tensor(a).squeeze().array, np.squeeze(a))


@pytest.mark.task("1.8")
@PROFILE
@given(shapes, st.data())
def test_permute_round_trip(shape, data):
    a = _arange(shape)
    perm = data.draw(st.permutations(range(len(shape))))
    t = tt.tensor(a).permute(*perm) if perm else tt.tensor(a).permute(())
    np.testing.assert_array_equal(t.array, np.transpose(a, perm))
    inverse = list(np.argsort(perm))
    np.testing.assert_array_equal(t.permute(inverse).array, a)


@pytest.mark.task("1.8")
@PROFILE
@given(nonempty_shapes, st.data())
def test_transpose_is_an_involution(shape, data):
    a = _arange(shape)
    d0 = data.draw(st.integers(-len(shape), len(shape) - 1))
    d1 = data.draw(st.integers(-len(shape), len(shape) - 1))
    t = tt.tensor(a).transpose(d0, d1)
    np.testing.assert_array_equal(t.array, np.swapaxes(a, d0, d1))
    np.testing.assert_array_equal(t.transpose(d0, d1).array, a)
    np.testing.assert_array_equal(tt.tensor(a).T.array, a.T)


@pytest.mark.task("1.10")
@PROFILE
@given(nonempty_shapes, st.data())
def test_split_then_cat_round_trip(shape, data):
    a = _arange(shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = data.draw(st.integers(1, shape[dim]))
    pieces = tt.tensor(a).split(size, dim)
    assert all(p.shape[dim] <= size for p in pieces)
    assert sum(p.shape[dim] for p in pieces) == shape[dim]
    np.testing.assert_array_equal(tt.cat(pieces, dim).array, a)
    chunks = tt.tensor(a).chunk(data.draw(st.integers(1, 5)), dim)
    np.testing.assert_array_equal(tt.cat(list(chunks), dim).array, a)


@pytest.mark.task("1.10")
@PROFILE
@given(nonempty_shapes, st.data())
def test_stack_then_unbind_round_trip(shape, data):
    a, b = _arange(shape), _arange(shape) * 2
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    s = tt.stack([tt.tensor(a), tt.tensor(b)], dim)
    np.testing.assert_array_equal(s.array, np.stack([a, b], dim))
    first, second = s.unbind(dim)
    np.testing.assert_array_equal(first.array, a)
    np.testing.assert_array_equal(second.array, b)
