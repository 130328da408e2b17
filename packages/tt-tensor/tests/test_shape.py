"""Shape ops: reshape family (task 1.7), permute family (1.8), expand (1.9), the split family that
indexes (1.10), and the library ops (cat, flip, repeat, pad, tril: no task). Each op is declared
once with its NumPy and PyTorch equivalents; views must share memory and the in-place version
counter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tinytorch.tensor as tt


@dataclass
class ShapeOp:
    name: str
    shape: tuple[int, ...]
    ours: Callable[[Any], Any]
    numpy: Callable[[np.ndarray], Any]
    torch: Callable[[Any], Any]
    task: str | None  # None: library code, no task


OPS = [
    # task 1.7: reshape and everything that goes through it
    ShapeOp("reshape", (2, 3, 4), lambda x: x.reshape(4, 6), lambda a: a.reshape(4, 6),
            lambda x: x.reshape(4, 6), "1.7"),
    ShapeOp("reshape_tuple", (2, 3, 4), lambda x: x.reshape((3, -1)), lambda a: a.reshape(3, -1),
            lambda x: x.reshape((3, -1)), "1.7"),
    ShapeOp("reshape_neg1_first", (2, 3, 4), lambda x: tt.reshape(x, (-1, 2, 2)),
            lambda a: a.reshape(-1, 2, 2), lambda x: x.reshape(-1, 2, 2), "1.7"),
    ShapeOp("reshape_to_0d", (1, 1), lambda x: x.reshape(()), lambda a: a.reshape(()),
            lambda x: x.reshape(()), "1.7"),
    ShapeOp("reshape_empty", (0, 3), lambda x: x.reshape(3, 0), lambda a: a.reshape(3, 0),
            lambda x: x.reshape(3, 0), "1.7"),
    ShapeOp("view", (2, 3, 4), lambda x: x.view(-1), lambda a: a.reshape(-1),
            lambda x: x.view(-1), "1.7"),
    ShapeOp("view_as", (2, 6), lambda x: x.view_as(tt.zeros(3, 4)), lambda a: a.reshape(3, 4),
            lambda x: x.view(3, 4), "1.7"),
    ShapeOp("flatten", (2, 3, 4), lambda x: x.flatten(), lambda a: a.reshape(-1),
            lambda x: x.flatten(), "1.7"),
    ShapeOp("flatten_1", (2, 3, 4), lambda x: x.flatten(1), lambda a: a.reshape(2, 12),
            lambda x: x.flatten(1), "1.7"),
    ShapeOp("flatten_0_1", (2, 3, 4), lambda x: tt.flatten(x, 0, 1), lambda a: a.reshape(6, 4),
            lambda x: x.flatten(0, 1), "1.7"),
    ShapeOp("flatten_0d", (), lambda x: x.flatten(), lambda a: a.reshape(1),
            lambda x: x.flatten(), "1.7"),
    ShapeOp("unflatten", (2, 12), lambda x: x.unflatten(1, (3, 4)),
            lambda a: a.reshape(2, 3, 4), lambda x: x.unflatten(1, (3, 4)), "1.7"),
    ShapeOp("squeeze", (1, 3, 1, 4), lambda x: x.squeeze(), lambda a: a.squeeze(),
            lambda x: x.squeeze(), "1.7"),
    ShapeOp("squeeze_dim", (1, 3, 1, 4), lambda x: x.squeeze(2), lambda a: a.squeeze(2),
            lambda x: x.squeeze(2), "1.7"),
    ShapeOp("squeeze_neg", (1, 3, 1, 4), lambda x: x.squeeze(-4), lambda a: a.squeeze(0),
            lambda x: x.squeeze(-4), "1.7"),
    ShapeOp("squeeze_not_one", (1, 3, 1, 4), lambda x: tt.squeeze(x, 1), lambda a: a,
            lambda x: x.squeeze(1), "1.7"),
    ShapeOp("squeeze_tuple", (1, 3, 1, 4), lambda x: x.squeeze((0, 2)),
            lambda a: a.squeeze((0, 2)), lambda x: x.squeeze((0, 2)), "1.7"),
    ShapeOp("unsqueeze_0", (3, 4), lambda x: x.unsqueeze(0), lambda a: a[None],
            lambda x: x.unsqueeze(0), "1.7"),
    ShapeOp("unsqueeze_end", (3, 4), lambda x: x.unsqueeze(2), lambda a: a[..., None],
            lambda x: x.unsqueeze(2), "1.7"),
    ShapeOp("unsqueeze_neg", (3, 4), lambda x: tt.unsqueeze(x, -1), lambda a: a[..., None],
            lambda x: x.unsqueeze(-1), "1.7"),
    ShapeOp("unsqueeze_neg_mid", (3, 4), lambda x: x.unsqueeze(-2), lambda a: a[:, None],
            lambda x: x.unsqueeze(-2), "1.7"),
    ShapeOp("stack", (3, 4), lambda x: tt.stack([x, x * 2]), lambda a: np.stack([a, a * 2]),
            lambda x: __import__("torch").stack([x, x * 2]), "1.7"),
    ShapeOp("stack_last", (3, 4), lambda x: tt.stack([x, x + 1, x], dim=-1),
            lambda a: np.stack([a, a + 1, a], -1),
            lambda x: __import__("torch").stack([x, x + 1, x], dim=-1), "1.7"),
    ShapeOp("cat", (2, 3), lambda x: tt.cat([x, x * 2]), lambda a: np.concatenate([a, a * 2]),
            lambda x: __import__("torch").cat([x, x * 2]), None),
    ShapeOp("cat_dim1", (2, 3), lambda x: tt.cat([x, x[:, :1]], dim=1),
            lambda a: np.concatenate([a, a[:, :1]], 1),
            lambda x: __import__("torch").cat([x, x[:, :1]], dim=1), None),
    ShapeOp("cat_neg", (2, 3, 2), lambda x: tt.concat((x, x, x), dim=-1),
            lambda a: np.concatenate([a, a, a], -1),
            lambda x: __import__("torch").cat((x, x, x), dim=-1), None),
    ShapeOp("flip", (2, 3, 4), lambda x: x.flip(0), lambda a: a[::-1],
            lambda x: x.flip(0), None),
    ShapeOp("flip_many", (2, 3, 4), lambda x: tt.flip(x, (0, -1)), lambda a: a[::-1, :, ::-1],
            lambda x: x.flip((0, -1)), None),
    ShapeOp("repeat", (2, 3), lambda x: x.repeat(2, 3), lambda a: np.tile(a, (2, 3)),
            lambda x: x.repeat(2, 3), None),
    ShapeOp("repeat_lead", (2, 3), lambda x: x.repeat((2, 1, 2)), lambda a: np.tile(a, (2, 1, 2)),
            lambda x: x.repeat(2, 1, 2), None),
    ShapeOp("pad_last", (2, 3), lambda x: tt.pad(x, (1, 2)),
            lambda a: np.pad(a, ((0, 0), (1, 2))),
            lambda x: __import__("torch").nn.functional.pad(x, (1, 2)), None),
    ShapeOp("pad_two", (2, 3, 4), lambda x: tt.pad(x, (1, 1, 2, 0), value=-1.0),
            lambda a: np.pad(a, ((0, 0), (2, 0), (1, 1)), constant_values=-1),
            lambda x: __import__("torch").nn.functional.pad(x, (1, 1, 2, 0), value=-1.0), None),
    # task 1.8: permute, transpose, T, contiguous
    ShapeOp("permute", (2, 3, 4), lambda x: x.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1),
            lambda x: x.permute(2, 0, 1), "1.8"),
    ShapeOp("permute_tuple_neg", (2, 3, 4), lambda x: tt.permute(x, (-1, 1, 0)),
            lambda a: a.transpose(2, 1, 0), lambda x: x.permute(-1, 1, 0), "1.8"),
    ShapeOp("transpose", (2, 3, 4), lambda x: x.transpose(0, 2), lambda a: a.swapaxes(0, 2),
            lambda x: x.transpose(0, 2), "1.8"),
    ShapeOp("transpose_neg", (2, 3, 4), lambda x: tt.transpose(x, -1, -2),
            lambda a: a.swapaxes(-1, -2), lambda x: x.transpose(-1, -2), "1.8"),
    ShapeOp("T", (2, 3, 4), lambda x: x.T, lambda a: a.T, lambda x: x.permute(2, 1, 0), "1.8"),
    ShapeOp("T_2d", (2, 3), lambda x: x.T, lambda a: a.T, lambda x: x.T, "1.8"),
    ShapeOp("t", (2, 3), lambda x: x.t(), lambda a: a.T, lambda x: x.t(), "1.8"),
    ShapeOp("mT", (5, 2, 3), lambda x: x.mT, lambda a: a.swapaxes(-1, -2), lambda x: x.mT,
            "1.8"),
    ShapeOp("contiguous", (2, 3), lambda x: x.T.contiguous(), lambda a: np.ascontiguousarray(a.T),
            lambda x: x.T.contiguous(), "1.8"),
    # task 1.9: expand and broadcast_to
    ShapeOp("expand", (3, 1), lambda x: x.expand(3, 4), lambda a: np.broadcast_to(a, (3, 4)),
            lambda x: x.expand(3, 4), "1.9"),
    ShapeOp("expand_lead", (3, 1), lambda x: x.expand((2, 3, 5)),
            lambda a: np.broadcast_to(a, (2, 3, 5)), lambda x: x.expand(2, 3, 5), "1.9"),
    ShapeOp("expand_keep", (1, 4), lambda x: x.expand(3, -1),
            lambda a: np.broadcast_to(a, (3, 4)), lambda x: x.expand(3, -1), "1.9"),
    ShapeOp("expand_0d", (), lambda x: x.expand(2, 2), lambda a: np.broadcast_to(a, (2, 2)),
            lambda x: x.expand(2, 2), "1.9"),
    ShapeOp("expand_as", (4,), lambda x: x.expand_as(tt.zeros(3, 4)),
            lambda a: np.broadcast_to(a, (3, 4)), lambda x: x.expand(3, 4), "1.9"),
    ShapeOp("broadcast_to", (1, 4), lambda x: tt.broadcast_to(x, (2, 3, 4)),
            lambda a: np.broadcast_to(a, (2, 3, 4)),
            lambda x: x.broadcast_to((2, 3, 4)), "1.9"),
    # split family goes through indexing (task 1.10)
    ShapeOp("split", (5, 2), lambda x: x.split(2), lambda a: [a[0:2], a[2:4], a[4:5]],
            lambda x: x.split(2), "1.10"),
    ShapeOp("split_sections", (2, 6), lambda x: tt.split(x, [1, 3, 2], dim=1),
            lambda a: np.split(a, [1, 4], axis=1), lambda x: x.split([1, 3, 2], dim=1), "1.10"),
    ShapeOp("chunk", (7, 2), lambda x: x.chunk(3), lambda a: [a[0:3], a[3:6], a[6:7]],
            lambda x: x.chunk(3), "1.10"),
    ShapeOp("chunk_dim", (2, 6), lambda x: tt.chunk(x, 2, -1), lambda a: np.split(a, 2, -1),
            lambda x: x.chunk(2, -1), "1.10"),
    ShapeOp("unbind", (3, 2), lambda x: x.unbind(), lambda a: [a[0], a[1], a[2]],
            lambda x: x.unbind(), "1.10"),
    ShapeOp("narrow", (4, 5), lambda x: x.narrow(1, 1, 3), lambda a: a[:, 1:4],
            lambda x: x.narrow(1, 1, 3), "1.10"),
    ShapeOp("tril", (3, 4), lambda x: x.tril(), np.tril, lambda x: x.tril(), None),
    ShapeOp("triu", (2, 3, 4), lambda x: tt.triu(x, 1), lambda a: np.triu(a, 1),
            lambda x: x.triu(1), None),
]

PARAMS = [pytest.param(op, id=op.name, marks=[pytest.mark.task(op.task)] if op.task else [])
          for op in OPS]


def _array(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _as_list(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


@pytest.mark.parametrize("op", PARAMS)
def test_against_numpy(op):
    a = _array(op.shape)
    outs, expected = _as_list(op.ours(tt.tensor(a))), _as_list(op.numpy(a.copy()))
    assert len(outs) == len(expected)
    for out, exp in zip(outs, expected):
        assert isinstance(out, tt.Tensor)
        assert out.shape == np.shape(exp)
        np.testing.assert_array_equal(out.array, exp)


@pytest.mark.parametrize("op", PARAMS)
def test_against_torch(torch, op):
    a = _array(op.shape, seed=1)
    outs, expected = _as_list(op.ours(tt.tensor(a))), _as_list(op.torch(torch.from_numpy(a)))
    assert len(outs) == len(expected)
    for out, exp in zip(outs, expected):
        assert out.shape == tuple(exp.shape)
        np.testing.assert_array_equal(out.array, exp.numpy())


# -- views share memory and the version counter ---------------------------------------------------

VIEWS = [
    pytest.param(lambda x: x.reshape(6), id="reshape", marks=pytest.mark.task("1.7")),
    pytest.param(lambda x: x.view(3, 2), id="view", marks=pytest.mark.task("1.7")),
    pytest.param(lambda x: x.flatten(), id="flatten", marks=pytest.mark.task("1.7")),
    pytest.param(lambda x: x.unsqueeze(1), id="unsqueeze", marks=pytest.mark.task("1.7")),
    pytest.param(lambda x: x.unsqueeze(0).squeeze(0), id="squeeze", marks=pytest.mark.task("1.7")),
    pytest.param(lambda x: x.permute(1, 0), id="permute", marks=pytest.mark.task("1.8")),
    pytest.param(lambda x: x.transpose(0, 1), id="transpose", marks=pytest.mark.task("1.8")),
    pytest.param(lambda x: x.T, id="T", marks=pytest.mark.task("1.8")),
    pytest.param(lambda x: x.flip(1), id="flip"),
    pytest.param(lambda x: x.narrow(1, 0, 2), id="narrow", marks=pytest.mark.task("1.10")),
    pytest.param(lambda x: x.split(1)[1], id="split", marks=pytest.mark.task("1.10")),
    pytest.param(lambda x: x[1], id="getitem_int", marks=pytest.mark.task("1.10")),
    pytest.param(lambda x: x[:, ::2], id="getitem_slice", marks=pytest.mark.task("1.10")),
    pytest.param(lambda x: x[None, ..., 0], id="getitem_none", marks=pytest.mark.task("1.10")),
    pytest.param(lambda x: x.detach(), id="detach"),
]


@pytest.mark.parametrize("make_view", VIEWS)
def test_views_share_memory_and_version(make_view):
    base = tt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    view = make_view(base)
    assert np.shares_memory(view.array, base.array)
    v0 = base._version
    view.array.flat[0] = 100.0
    assert 100.0 in base.array
    view[...] = -1.0  # a real in-place write through the view
    assert base._version == v0 + 1 == view._version
    assert (base.array == -1.0).sum() == view.numel()
    base.add_(1.0)
    assert view._version == base._version == v0 + 2
    np.testing.assert_array_equal(view.array, np.zeros(view.shape))


def test_non_views_do_not_share():
    base = tt.tensor([[1.0, 2.0], [3.0, 4.0]])
    for other in (base.clone(), base.repeat(1, 1), tt.pad(base, (1, 1)), base[tt.tensor([0])],
                  base + 0, tt.cat([base, base]), base.T.contiguous()):
        assert not np.shares_memory(other.array, base.array)
        v0 = other._version
        base.add_(1.0)
        assert other._version == v0


@pytest.mark.task("1.10")
def test_view_chain_writes_through():
    base = tt.zeros(2, 3, 4)
    base.view(6, 4)[2].view(2, 2).T[0, 1] = 7.0
    np.testing.assert_array_equal(np.argwhere(base.array == 7.0), [[0, 2, 2]])


@pytest.mark.task("1.8")
def test_view_of_non_contiguous_fails_but_reshape_copies():
    x = tt.arange(6.0).reshape(2, 3).T
    with pytest.raises(RuntimeError, match="reshape"):
        x.view(6)
    y = x.reshape(6)
    np.testing.assert_array_equal(y.array, [0, 3, 1, 4, 2, 5])
    assert not x.is_contiguous() and x.contiguous().is_contiguous()
    assert x.stride() == (1, 3)
    assert tt.zeros(2, 3, 4).stride() == (12, 4, 1)


@pytest.mark.task("1.9")
def test_expand_is_a_read_only_view():
    x = tt.tensor([[1.0], [2.0]])
    e = x.expand(2, 3)
    assert np.shares_memory(e.array, x.array)
    assert e.stride() == (1, 0)
    x.array[0, 0] = 5.0
    np.testing.assert_array_equal(e.array[0], [5.0, 5.0, 5.0])
    with pytest.raises(RuntimeError, match="clone"):
        e.add_(1.0)


# -- errors -------------------------------------------------------------------------------------

@pytest.mark.task("1.7")
def test_reshape_errors_name_the_size():
    x = tt.zeros(2, 3)
    with pytest.raises(RuntimeError, match="size 6"):
        x.reshape(4, 2)
    with pytest.raises(RuntimeError, match="size 6"):
        x.reshape(-1, 4)
    with pytest.raises(RuntimeError, match="only one dim can be -1"):
        x.reshape(-1, -1)
    with pytest.raises(RuntimeError, match="size 6"):
        x.view(5)
    with pytest.raises(TypeError):
        x.reshape(2.0, 3)


@pytest.mark.task("1.7")
def test_reshape_matches_torch_error_cases(torch):
    for shape in [(4, 2), (-1, 4), (7,)]:
        with pytest.raises(RuntimeError):
            torch.zeros(2, 3).reshape(shape)
        with pytest.raises(RuntimeError, match="invalid for input of size 6"):
            tt.zeros(2, 3).reshape(shape)


@pytest.mark.parametrize("call", [
    lambda x: x.unsqueeze(4), lambda x: x.unsqueeze(-5), lambda x: x.squeeze(3),
    lambda x: x.flatten(0, 3), lambda x: x.transpose(0, 3), lambda x: x.permute(0, 1, 3),
    lambda x: x.sum(3), lambda x: x.flip(-4), lambda x: tt.cat([x, x], dim=3),
    lambda x: x.split(1, dim=5), lambda x: x.unfold(3, 1, 1),
], ids=["unsqueeze", "unsqueeze_neg", "squeeze", "flatten", "transpose", "permute", "sum",
        "flip", "cat", "split", "unfold"])
def test_out_of_range_dim_names_the_ndim(call):
    with pytest.raises(IndexError, match="ndim 3"):
        call(tt.zeros(2, 3, 4))


@pytest.mark.task("1.8")
def test_permute_errors():
    with pytest.raises(RuntimeError, match="permutation"):
        tt.zeros(2, 3).permute(0, 0)
    with pytest.raises(RuntimeError, match="permutation"):
        tt.zeros(2, 3, 4).permute(0, 1)
    with pytest.raises(RuntimeError, match="2 dims"):
        tt.zeros(2, 3, 4).t()


@pytest.mark.task("1.9")
def test_expand_errors():
    with pytest.raises(RuntimeError, match=r"size 4 must match the existing size 3"):
        tt.zeros(3, 1).expand(4, 2)
    with pytest.raises(RuntimeError, match="fewer dims"):
        tt.zeros(3, 1).expand(3)
    with pytest.raises(RuntimeError, match="-1"):
        tt.zeros(3).expand(-1, 3)


def test_cat_and_stack_errors():
    with pytest.raises(RuntimeError) as info:
        tt.cat([tt.zeros(2, 3), tt.zeros(2, 4)])
    assert "(2, 3)" in str(info.value) and "(2, 4)" in str(info.value)
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        tt.cat([tt.zeros(2, 3), tt.zeros(3)])
    with pytest.raises(ValueError, match="non-empty"):
        tt.cat([])
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*\(3, 2\)"):
        tt.stack([tt.zeros(2, 3), tt.zeros(3, 2)])


def test_cat_promotes_dtypes():
    out = tt.cat([tt.tensor([1, 2]), tt.tensor([0.5])])
    assert out.dtype is tt.float32
    np.testing.assert_array_equal(out.array, [1.0, 2.0, 0.5])


def test_pad_and_repeat_errors():
    with pytest.raises(RuntimeError, match="even"):
        tt.pad(tt.zeros(2, 3), (1,))
    with pytest.raises(NotImplementedError, match="reflect"):
        tt.pad(tt.zeros(2, 3), (1, 1), mode="reflect")
    with pytest.raises(RuntimeError, match="at least 2"):
        tt.zeros(2, 3).repeat(2)


def test_split_errors():
    with pytest.raises(RuntimeError, match="sum to 4"):
        tt.zeros(5).split([2, 2])
    with pytest.raises(RuntimeError, match="positive"):
        tt.zeros(5).split(0)
    with pytest.raises(RuntimeError, match="positive"):
        tt.zeros(5).chunk(0)
