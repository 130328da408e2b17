"""Behaviours a PyTorch user relies on without thinking: names, scalar arguments, result dtypes and
error types. Each test pins one place where TinyTorch used to differ from PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinytorch.tensor as tt

# -- creation (1.1) ------------------------------------------------------------------------------


@pytest.mark.task("1.1")
def test_arange_errors_and_tensor_bounds(torch):
    for args in [(0, 5, 0), (5, 0), (0, 5, -1), (0.0, 1.0, -0.5)]:
        with pytest.raises(RuntimeError):
            torch.arange(*args)
        with pytest.raises(RuntimeError):
            tt.arange(*args)
    out = tt.arange(tt.tensor(3))
    assert out.dtype is tt.int64 and out.tolist() == torch.arange(torch.tensor(3)).tolist()


def test_random_creation_needs_a_float_dtype():
    with pytest.raises(RuntimeError):  # NotImplementedError, as in PyTorch
        tt.rand(2, dtype=tt.int64)
    with pytest.raises(NotImplementedError):
        tt.randn_like(tt.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="high"):
        tt.randint(5, 2, (3,))
    g = tt.Generator()
    assert g.seed() == g.initial_seed()


def test_scalar_conversion_errors_and_format(torch):
    for lib in (torch, tt):
        with pytest.raises(ValueError):
            float(lib.ones(3))
        with pytest.raises(ValueError):
            int(lib.ones(3))
        with pytest.raises(RuntimeError):
            lib.ones(3).item()
        with pytest.raises(TypeError):
            f"{lib.ones(2):.2f}"
    assert f"{tt.tensor(2.5)}" == f"{torch.tensor(2.5)}" == "2.5"
    assert f"{tt.tensor(3)}" == "3"


def test_repr_follows_pytorch_print_rules(torch):
    cases = [[1e-3, 1.0, 1000.0], [12345678.0, 1.0], [1.0, 2.0], [0.5, -1.25], [1e-5, 1.0]]
    for values in cases:
        assert repr(tt.tensor(values)) == repr(torch.tensor(values))
    for t in (lambda m: m.tensor([[True]]), lambda m: m.tensor([True, False]),
              lambda m: m.arange(2000), lambda m: m.arange(30.0) / 3):
        assert repr(t(tt)) == repr(t(torch))


# -- binary arithmetic (1.3) -----------------------------------------------------------------------


@pytest.mark.task("1.3")
def test_integer_division_by_zero_raises_and_floats_stay_quiet(torch):
    ints = tt.tensor([1, -2, 3])
    for op in (lambda a: a // 0, lambda a: a % 0, lambda a: a.floor_divide(tt.tensor([1, 0, 1]))):
        with pytest.raises(RuntimeError, match="ZeroDivision"):
            op(ints)
    x = tt.tensor([1.0, -1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyTorch prints no NumPy RuntimeWarnings
        np.testing.assert_array_equal((x // 0).array, (torch.tensor([1.0, -1.0, 0.0]) // 0).numpy())
        assert np.isnan((x % 0).array[2])


@pytest.mark.task("1.3")
def test_bool_subtraction_and_float_alpha_are_errors():
    with pytest.raises(RuntimeError, match="bool"):
        tt.ones(2) - True
    with pytest.raises(RuntimeError, match="alpha"):
        tt.tensor([1, 2]).add(1, alpha=2.5)
    assert tt.tensor([1.0, 2.0]).add(1, alpha=2.5).tolist() == [3.5, 4.5]


@pytest.mark.task("1.3")
def test_div_rounding_modes(torch):
    a, b = [7, -7, 5, -5], [2, 2, -3, -3]
    for mode in ("floor", "trunc"):
        for dtype in ("int64", "float32"):
            ours = tt.tensor(a, dtype=dtype).div(tt.tensor(b, dtype=dtype), rounding_mode=mode)
            theirs = torch.tensor(a, dtype=getattr(torch, dtype)).div(
                torch.tensor(b, dtype=getattr(torch, dtype)), rounding_mode=mode)
            assert ours.dtype.name == dtype
            np.testing.assert_array_equal(ours.array, theirs.numpy())
    for lib in (tt, torch):  # a RuntimeError in PyTorch
        with pytest.raises(RuntimeError, match="rounding_mode"):
            lib.ones(2).div(2, rounding_mode="round")


@pytest.mark.task("1.3")
def test_free_functions_take_a_number_first(torch):
    x = [1.5, -2.0]
    for name in ("add", "sub", "mul", "div", "pow", "remainder", "floor_divide"):
        ours = getattr(tt, name)(2, tt.tensor(x))
        theirs = getattr(torch, name)(2, torch.tensor(x))
        assert ours.dtype.name == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.array, theirs.numpy())
    assert tt.true_divide(tt.tensor([1, 2]), 2).tolist() == [0.5, 1.0]


def test_where_with_two_numbers_and_where_of_a_mask(torch):
    cond = [[True, False], [False, True]]
    for a, b in [(1.0, 0), (1, 0), (1, 0.5), (True, 2)]:
        ours, theirs = tt.where(tt.tensor(cond), a, b), torch.where(torch.tensor(cond), a, b)
        assert ours.dtype.name == str(theirs.dtype).split(".")[-1], (a, b)
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    rows, cols = tt.where(tt.tensor(cond))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1] and rows.dtype is tt.int64
    assert tt.tensor([[0, 3], [4, 0]]).nonzero().tolist() == [[0, 1], [1, 0]]


def test_bitwise_and_logical_ops():
    i = tt.tensor([1, 2, 3])
    assert (i << 1).tolist() == [2, 4, 6] and (i >> 1).tolist() == [0, 1, 1]
    assert tt.bitwise_and(i, 1).tolist() == [1, 0, 1] and tt.bitwise_not(i).tolist() == [-2, -3, -4]
    with pytest.raises(NotImplementedError):  # a RuntimeError too, as in PyTorch
        tt.ones(2) & 1
    with pytest.raises(NotImplementedError):
        i & 1.5
    assert tt.logical_and(tt.tensor([1.0, 0.0]), tt.tensor([2, 2])).tolist() == [True, False]
    with pytest.raises(RuntimeError):
        tt.logical_or(tt.ones(3).bool(), tt.ones(2).bool())
    i &= 2
    assert i.tolist() == [0, 2, 2]


def test_masked_fill_value_must_be_0d():
    x = tt.zeros(2)
    assert x.masked_fill(tt.tensor([True, False]), tt.tensor(3.0)).tolist() == [3.0, 0.0]
    with pytest.raises(RuntimeError, match="0-dimensional"):
        x.masked_fill(tt.tensor([True, False]), tt.tensor([3.0]))


def test_inplace_spellings_modify_in_place():
    x = tt.tensor([-1.0, 4.0])
    same = x.abs_().sqrt_()
    assert same is x and x.tolist() == [1.0, 2.0]
    i = tt.tensor([7, -7])
    i //= 2
    i %= 3
    assert i.tolist() == [0, 2]


# -- unary math (1.4) ------------------------------------------------------------------------------


def test_bool_unary_ops(torch):
    b = [True, False]
    assert tt.tensor(b).square().dtype is tt.int64
    assert tt.tensor(b).sign().tolist() == torch.tensor(b).sign().tolist()
    with pytest.raises(RuntimeError):
        tt.tensor(b).relu()
    with pytest.raises(NotImplementedError):
        tt.tensor(b).abs()


def test_clamp_errors_and_spellings():
    x = tt.tensor([-2.0, 0.5, 3.0])
    with pytest.raises(RuntimeError):
        x.clamp()
    with pytest.raises(RuntimeError, match="broadcast"):
        x.clamp(tt.zeros(2))
    assert x.clamp_min(0).tolist() == [0.0, 0.5, 3.0] and x.clamp_max(0).tolist() == [-2, 0, 0]
    assert tt.clip(x, -1, 1).tolist() == [-1.0, 0.5, 1.0]


def test_softmax_dtype_integers_and_empty(torch):
    ints = [[3, 4], [1, 1]]
    ours = tt.tensor(ints).softmax(1, dtype=tt.float64)
    assert ours.dtype is tt.float64
    np.testing.assert_allclose(ours.array, torch.tensor(ints).softmax(1, dtype=torch.float64))
    with pytest.raises(NotImplementedError):
        tt.tensor(ints).softmax(1)
    with pytest.raises(NotImplementedError):
        tt.tensor(ints).log_softmax(0)
    assert tt.zeros(0, 3).softmax(0).shape == (0, 3)
    assert tt.zeros(0, 3).log_softmax(1).shape == (0, 3)


# -- reductions (1.5) ------------------------------------------------------------------------------


@pytest.mark.task("1.5")
def test_reduction_dtype_argument(torch):
    x = [[1, 2], [3, 4]]
    for name in ("sum", "mean"):
        ours = getattr(tt.tensor(x), name)(dtype=tt.float64)
        assert ours.dtype is tt.float64
        assert ours.item() == getattr(torch.tensor(x), name)(dtype=torch.float64).item()
    assert tt.tensor(x).cumsum(0, dtype=tt.float32).dtype is tt.float32


def test_max_min_over_empty_and_0d(torch):
    e = tt.zeros(0, 3)
    assert e.amax(1).shape == (0,) and e.max(1).values.shape == (0,)
    assert e.max(1).indices.dtype is tt.int64
    with pytest.raises(IndexError):
        e.amax(0)
    with pytest.raises(IndexError):
        e.argmax()
    z = tt.tensor(2.5)
    values, indices = z.max(0)
    assert values.shape == () and values.item() == 2.5 and indices.item() == 0
    assert z.argmax(0).item() == 0 and z.cumsum(0).shape == ()
    with pytest.raises(RuntimeError, match="bool"):
        tt.tensor([True, False]).argmax()
    np.testing.assert_array_equal(e.logsumexp(0).array, torch.zeros(0, 3).logsumexp(0).numpy())


@pytest.mark.task("1.5")
def test_var_with_unbiased_as_first_argument(torch):
    x = [[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]]
    np.testing.assert_allclose(tt.tensor(x).var(False).item(), torch.tensor(x).var(False).item())
    np.testing.assert_allclose(tt.tensor(x).std(True).item(), torch.tensor(x).std(True).item())


# -- matmul (1.6) ----------------------------------------------------------------------------------


@pytest.mark.task("1.6")
def test_matmul_with_a_number_is_a_type_error():
    with pytest.raises(TypeError):
        tt.ones(2, 2) @ 2
    with pytest.raises(TypeError):
        tt.ones(2, 2).matmul(1.5)


# -- shape ops (1.7) -------------------------------------------------------------------------------


def test_shape_op_error_types():
    x = tt.zeros(3, 4)
    with pytest.raises(RuntimeError):
        tt.zeros(2, 3, 4).flatten(2, 1)
    with pytest.raises(RuntimeError):
        x.narrow(0, 2, 2)
    with pytest.raises(IndexError):
        x.narrow(0, -4, 1)
    with pytest.raises(RuntimeError):
        tt.stack([])
    with pytest.raises(RuntimeError):
        tt.cat([tt.tensor(1.0), tt.tensor(2.0)])
    with pytest.raises(TypeError):
        tt.cat(x)
    with pytest.raises(RuntimeError, match="at least 2"):
        tt.ones(3).tril()


@pytest.mark.task("1.7")
def test_cat_skips_legacy_empty_1d_tensors(torch):
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    for order in (lambda a, e: [a, e], lambda a, e: [e, a, e]):
        ours = tt.cat(order(tt.tensor(x), tt.tensor([])), 1)
        theirs = torch.cat(order(torch.tensor(x), torch.tensor([])), 1)
        np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_tril_triu_keep_the_dtype():
    b = tt.ones(3, 3, dtype=tt.bool)
    assert b.tril().dtype is tt.bool and b.triu(1).array.sum() == 3
    assert tt.ones(2, 2, dtype=tt.int32).tril().dtype is tt.int32


def test_pad_crops_with_negative_widths(torch):
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    for widths in [(-1, 0), (-1, -1, 1, 0), (2, -3), (0, 0, -1, 2)]:
        ours = tt.pad(tt.tensor(x), widths, value=9.0)
        theirs = torch.nn.functional.pad(torch.tensor(x), widths, value=9.0)
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert tt.pad(tt.tensor(2.5), ()).item() == 2.5
    with pytest.raises(RuntimeError):
        tt.pad(tt.zeros(3, 4), (1, 1, 1, 1, 1, 1))


@pytest.mark.task("1.10")
def test_squeeze_0d_and_free_functions():
    z = tt.tensor(2.5)
    assert z.squeeze(0).shape == () and z.squeeze(-1).shape == ()
    x = tt.arange(6.0).reshape(2, 3)
    assert tt.t(x).shape == (3, 2) and tt.numel(x) == 6
    assert tt.unflatten(x, 1, (3, 1)).shape == (2, 3, 1)
    assert [u.tolist() for u in tt.unbind(x, 1)] == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert tt.narrow(x, 1, 1, 2).tolist() == [[1.0, 2.0], [4.0, 5.0]]


# -- permute (1.8) ---------------------------------------------------------------------------------


@pytest.mark.task("1.8")
def test_mT_needs_two_dims():
    with pytest.raises(RuntimeError, match="matrices"):
        _ = tt.ones(3).mT
    assert tt.ones(2, 3, 4).mH.shape == (2, 4, 3)


# -- broadcasting (1.9) ----------------------------------------------------------------------------


@pytest.mark.task("1.9")
def test_broadcast_tensors_and_shapes(torch):
    assert tt.broadcast_shapes((3, 1), (4,)) == tuple(torch.broadcast_shapes((3, 1), (4,)))
    a, b = tt.broadcast_tensors(tt.ones(3, 1), tt.zeros(4))
    assert a.shape == b.shape == (3, 4)
    with pytest.raises(RuntimeError):
        tt.broadcast_shapes((3,), (4,))


# -- indexing (1.10) -------------------------------------------------------------------------------


@pytest.mark.task("1.10")
@pytest.mark.parametrize("index", [
    (0, slice(None), [1, 3]),
    (slice(None), 0, [1, 2]),
    (None, 0, slice(None), [1, 2]),
    (0, Ellipsis, [1, 2]),
    (1, slice(1, None), [[0, 1], [2, 3]]),
    ([0, 1], slice(None), 0),
    (0, slice(None), [True, False, True, False]),
])
def test_integer_with_array_index_keeps_pytorch_layout(torch, index):
    """PyTorch applies integer indices first, so ``t[0, :, [1, 3]]`` has shape (3, 2), not NumPy's
    (2, 3); reading and writing both follow it."""
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)

    def torch_index(i):
        return torch.tensor(i) if isinstance(i, list) else i

    ours = tt.tensor(x)[index]
    theirs = torch.tensor(x)[tuple(torch_index(i) for i in index)]
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    value = np.arange(theirs.numel(), dtype=np.float32).reshape(theirs.shape) + 100
    t_ours, t_theirs = tt.tensor(x), torch.tensor(x)
    t_ours[index] = tt.tensor(value)
    t_theirs[tuple(torch_index(i) for i in index)] = torch.tensor(value)
    np.testing.assert_array_equal(t_ours.array, t_theirs.numpy())


@pytest.mark.task("1.10")
def test_index_edge_cases(torch):
    x = tt.arange(24.0).reshape(2, 3, 4)
    with pytest.raises(ValueError, match="step"):
        x[:, ::-1]
    assert x[[]].shape == (0, 3, 4) == tuple(torch.zeros(2, 3, 4)[[]].shape)


@pytest.mark.task("1.10")
def test_index_select_follows_pytorch():
    x = tt.arange(12.0).reshape(3, 4)
    assert x.index_select(0, tt.tensor(1)).shape == (1, 4)
    assert tt.index_select(x, 1, tt.tensor([3, 0])).tolist() == [[3, 0], [7, 4], [11, 8]]
    with pytest.raises(IndexError):
        x.index_select(0, tt.tensor([-1]))
    with pytest.raises(IndexError):
        x.index_select(0, tt.tensor([[1]]))
    with pytest.raises(RuntimeError):
        x.index_select(0, tt.tensor([1.0]))


# -- unfold (1.11) ---------------------------------------------------------------------------------


@pytest.mark.task("1.11")
def test_unfold_of_0d_tensor(torch):
    assert tt.tensor(2.5).unfold(0, 1, 1).tolist() == torch.tensor(2.5).unfold(0, 1, 1).tolist()
    with pytest.raises(RuntimeError):
        tt.tensor(2.5).unfold(0, 2, 1)
