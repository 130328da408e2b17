"""scatter/scatter_add/scatter_reduce, einsum, diag, roll and movedim: values against NumPy
(written out with loops here, as the definition) and PyTorch, and torch's errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tinytorch.tensor as tt

RNG = np.random.default_rng(1)


# -- scatter --------------------------------------------------------------------------------------

def _scatter_reference(base, dim, index, src, combine):
    """The definition: out[... index[i] ...] = combine(out[...], src[i]) for each i of index."""
    out = base.copy()
    for pos in itertools.product(*map(range, index.shape)):
        target = list(pos)
        target[dim] = index[pos]
        out[tuple(target)] = combine(out[tuple(target)], src[pos])
    return out


def _index(shape, size, dim, rng=RNG, unique=False):
    if unique:  # a permutation per line along dim: every write lands on its own position
        return np.argsort(rng.random(shape), axis=dim)[(slice(None),) * dim + (
            slice(0, shape[dim]),)]
    return rng.integers(0, size, shape)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter_matches_the_definition_and_torch(torch, dim):
    base = RNG.normal(size=(4, 5)).astype(np.float32)
    src = RNG.normal(size=(4, 6)).astype(np.float32)  # larger than index: only a part is read
    index = _index((3, 4), 4 if dim == 0 else 5, dim % 2, unique=True)
    if dim != 0:
        index = np.argsort(RNG.random((3, 5)), axis=1)[:, :4]
    ours = tt.tensor(base).scatter(dim, tt.tensor(index), tt.tensor(src))
    expected = _scatter_reference(base, dim % 2, index, src, lambda old, new: new)
    np.testing.assert_array_equal(ours.array, expected)
    theirs = torch.from_numpy(base).scatter(dim, torch.from_numpy(index), torch.from_numpy(src))
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_scatter_a_value_one_hot(torch):
    labels = np.array([[2], [0], [3]])
    ours = tt.zeros(3, 4).scatter(1, tt.tensor(labels), 1.0)
    theirs = torch.zeros(3, 4).scatter(1, torch.from_numpy(labels), 1.0)
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    np.testing.assert_array_equal(ours.array, np.eye(4, dtype=np.float32)[labels[:, 0]])
    assert tt.zeros(3, 4).scatter(1, tt.tensor(labels), value=2.0).sum().item() == 6.0
    inplace = tt.zeros(3, 4)
    assert inplace.scatter_(1, tt.tensor(labels), 1.0) is inplace
    np.testing.assert_array_equal(inplace.array, ours.array)


@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_add_accumulates_repeats(torch, dim):
    base = RNG.normal(size=(3, 4))
    index = _index((5, 4) if dim == 0 else (3, 6), base.shape[dim], dim)
    src = RNG.normal(size=index.shape)
    ours = tt.tensor(base).scatter_add(dim, tt.tensor(index), tt.tensor(src))
    np.testing.assert_allclose(ours.array, _scatter_reference(base, dim, index, src, np.add))
    theirs = torch.from_numpy(base).scatter_add(dim, torch.from_numpy(index),
                                                torch.from_numpy(src))
    np.testing.assert_allclose(ours.array, theirs.numpy())
    same = tt.tensor(base)
    same.scatter_add_(dim, tt.tensor(index), tt.tensor(src))
    np.testing.assert_allclose(same.array, ours.array)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_scatter_reduce_against_torch(torch, reduce, include_self, dtype):
    base = RNG.integers(-5, 6, (4, 3)).astype(dtype)
    index = RNG.integers(0, 3, (4, 5))  # column 2 may receive nothing
    index[:, -1] = 0
    src = RNG.integers(-5, 6, (4, 5)).astype(dtype)
    ours = tt.tensor(base).scatter_reduce(1, tt.tensor(index), tt.tensor(src), reduce,
                                          include_self=include_self)
    theirs = torch.from_numpy(base).scatter_reduce(1, torch.from_numpy(index),
                                                   torch.from_numpy(src), reduce,
                                                   include_self=include_self)
    assert ours.dtype.name == dtype
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-12)
    free = tt.scatter_reduce(tt.tensor(base), 1, tt.tensor(index), tt.tensor(src), reduce,
                             include_self=include_self)
    np.testing.assert_array_equal(free.array, ours.array)


def test_scatter_errors_match_torch(torch):
    cases = [
        (lambda m: m.ones(3).scatter(0, m.tensor([0, 5]), m.ones(2)), RuntimeError, "bounds"),
        (lambda m: m.ones(3).scatter(0, m.tensor([-1]), m.ones(1)), RuntimeError, "bounds"),
        (lambda m: m.ones(3).scatter(0, m.tensor([0, 1]), m.ones(2, dtype=m.float64)),
         RuntimeError, "dtype"),
        (lambda m: m.ones(3).scatter(0, m.tensor([[0]]), m.ones(1, 1)), RuntimeError, "dims"),
        (lambda m: m.ones(3).scatter(0, m.tensor([0.0]), m.ones(1)), RuntimeError, "integer"),
        (lambda m: m.ones(3).scatter_reduce(0, m.tensor([0]), m.ones(1), "median"),
         RuntimeError, "reduce"),
        (lambda m: m.ones(2, 2).scatter_add(0, m.tensor([[0, 1, 1]]), m.ones(1, 2)),
         RuntimeError, "larger"),
    ]
    for make, kind, words in cases:
        with pytest.raises(kind):
            make(torch)
        with pytest.raises(kind, match=words):
            make(tt)


# -- einsum ---------------------------------------------------------------------------------------

EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]), ("bij,bjk->bik",
                                                                     [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(4, 4)]), ("ii", [(4, 4)]), ("ij->ji", [(3, 4)]), ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]), ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 8), (2, 3, 5, 8)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("i j , j k -> i k", [(3, 4), (4, 5)]), ("ij->", [(60, 300)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_against_numpy_and_torch(torch, equation, shapes):
    arrays = [RNG.normal(size=s).astype(np.float32) for s in shapes]
    ours = tt.einsum(equation, *[tt.tensor(a) for a in arrays])
    np.testing.assert_allclose(ours.array, np.einsum(equation.replace(" ", ""), *arrays),
                               rtol=1e-5, atol=1e-5)
    theirs = torch.einsum(equation, *[torch.from_numpy(a) for a in arrays])
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-5, atol=1e-4)
    as_list = tt.einsum(equation, [tt.tensor(a) for a in arrays])  # torch's list form
    np.testing.assert_array_equal(as_list.array, ours.array)


def test_einsum_records_the_explicit_equation_and_checks_input():
    seen = []

    class Recorder:  # a stand-in gradient engine that keeps what einsum reports
        def record(self, op, inputs, output, saved):
            seen.append((op, saved))

        def is_grad_enabled(self):
            return True

    a = tt.ones(2, 3)
    a._requires_grad = True
    previous = tt.gradient_recorder()
    tt.register_gradient_recorder(Recorder())
    try:
        tt.einsum("ij,jk", a, tt.ones(3, 4))
    finally:
        tt.register_gradient_recorder(previous)
    assert seen == [("einsum", {"equation": "ij,jk->ik"})]
    with pytest.raises(RuntimeError, match="einsum"):
        tt.einsum("ij,jk->ik", tt.ones(2, 3), tt.ones(4, 5))
    with pytest.raises(RuntimeError, match="dtype"):
        tt.einsum("i,i->", tt.ones(2), tt.ones(2, dtype=tt.float64))
    with pytest.raises(TypeError):
        tt.einsum("i->i", [1.0, 2.0])


# -- diag, roll, movedim --------------------------------------------------------------------------

@pytest.mark.parametrize("k", [0, 1, 2, -1, -3, 7, -7])
def test_diag_against_numpy_and_torch(torch, k):
    for x in (np.arange(1, 5, dtype=np.float32), np.arange(12, dtype=np.int64).reshape(3, 4),
              np.arange(12, dtype=np.float64).reshape(4, 3), np.array([True, False])):
        ours = tt.tensor(x).diag(k)
        np.testing.assert_array_equal(ours.array, np.diag(x, k))
        theirs = torch.from_numpy(x).diag(k)
        assert ours.dtype.name == str(theirs.dtype).split(".")[1]
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    with pytest.raises(RuntimeError, match="1-D or 2-D"):
        tt.ones(2, 2, 2).diag()


ROLLS = [(1, 0), (-2, 1), (5, -1), ((1, 2), (0, 1)), ((3, -1), (2, 0)), (7, None), (-3, None),
         (0, 0)]


@pytest.mark.parametrize("shifts,dims", ROLLS)
def test_roll_against_numpy_and_torch(torch, shifts, dims):
    x = np.arange(24).reshape(2, 3, 4)
    ours = tt.tensor(x).roll(shifts, dims)
    np.testing.assert_array_equal(ours.array, np.roll(x, shifts, dims))
    np.testing.assert_array_equal(ours.array, torch.from_numpy(x).roll(shifts, dims).numpy())
    np.testing.assert_array_equal(tt.roll(tt.tensor(x), shifts, dims).array, ours.array)


def test_roll_errors_and_edges():
    with pytest.raises(RuntimeError, match="same length"):
        tt.ones(2, 3).roll((1, 2), 0)
    assert tt.zeros(0, 3).roll(1, 0).shape == (0, 3)


MOVES = [(0, 2), (-1, 0), ((0, 1), (2, 0)), ((0, 2), (1, 0)), (1, 1)]


@pytest.mark.parametrize("source,destination", MOVES)
def test_movedim_against_numpy_and_torch(torch, source, destination):
    x = np.arange(24).reshape(2, 3, 4)
    ours = tt.tensor(x).movedim(source, destination)
    np.testing.assert_array_equal(ours.array, np.moveaxis(x, source, destination))
    np.testing.assert_array_equal(ours.array,
                                  torch.from_numpy(x).movedim(source, destination).numpy())
    assert np.shares_memory(ours.array, tt.tensor(x).array) is False  # tensor() copied x
    view = tt.from_numpy(x)
    assert np.shares_memory(view.moveaxis(source, destination).array, x)  # a view, as permute


def test_movedim_errors():
    with pytest.raises(RuntimeError, match="repeated"):
        tt.ones(2, 3).movedim((0, 0), (1, 0))
    with pytest.raises(RuntimeError, match="as many"):
        tt.ones(2, 3).movedim((0, 1), 0)
    with pytest.raises(IndexError):
        tt.ones(2, 3).movedim(2, 0)
