"""Making tensors, NumPy interop, seeding and printing: library code. The tests that name dtypes
(``dtype=`` arguments, ``.to(...)``) grade task 1.1, whose lookup they go through; the others carry
no task."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = tt.tensor(a)
    a[0] = 100.0
    assert t.array[0] == 1.0
    u = tt.tensor(t)
    t.array[1] = 50.0
    assert u.array[1] == 2.0


def test_from_numpy_and_numpy_share_memory():
    a = np.array([1.0, 2.0])
    t = tt.from_numpy(a)
    assert t.dtype is tt.float64
    a[0] = 9.0
    assert t.array[0] == 9.0
    t.numpy()[1] = 7.0
    assert a[1] == 7.0
    assert t.numpy() is a
    with pytest.raises(TypeError, match="list"):
        tt.from_numpy([1, 2])
    assert tt.as_tensor(a).array is a
    assert tt.as_tensor(t) is t
    np.testing.assert_array_equal(np.asarray(t), a)


def test_item_and_tolist():
    assert tt.tensor(3.5).item() == 3.5 and isinstance(tt.tensor(3.5).item(), float)
    assert tt.tensor([7]).item() == 7 and isinstance(tt.tensor([7]).item(), int)
    assert tt.tensor(True).item() is True
    assert tt.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert tt.tensor([0.5, 1.5]).tolist() == [0.5, 1.5]
    with pytest.raises(RuntimeError, match="2 elements"):
        tt.tensor([1.0, 2.0]).item()
    assert float(tt.tensor([2.5])) == 2.5 and int(tt.tensor(3)) == 3
    assert bool(tt.tensor([True]))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(tt.tensor([1, 2]))


def test_attributes():
    t = tt.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and t.ndim == 3 and t.dim() == 3
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.numel() == 24 and t.nbytes == 96 and t.element_size() == 4
    assert t.device == tt.device("cpu") and str(t.device) == "cpu" and t.is_floating_point()
    assert not tt.zeros(2, dtype=tt.int64).is_floating_point()
    assert t.requires_grad is False and t.grad is None and t.grad_fn is None and t.is_leaf


@pytest.mark.task("1.1")
@pytest.mark.parametrize("fn,np_fn", [(tt.zeros, np.zeros), (tt.ones, np.ones)])
def test_zeros_ones(fn, np_fn):
    for args, shape in [((2, 3), (2, 3)), (((2, 3),), (2, 3)), (([4],), (4,)), ((), ())]:
        t = fn(*args)
        assert t.dtype is tt.float32
        np.testing.assert_array_equal(t.array, np_fn(shape, np.float32))
    assert fn(3, dtype=tt.int64).dtype is tt.int64
    with pytest.raises(RuntimeError, match="negative"):
        fn(-1)
    with pytest.raises(TypeError):
        fn(2.5)


@pytest.mark.task("1.1")
def test_full_empty_eye():
    t = tt.full((2, 2), 7)
    assert t.dtype is tt.int64 and (t.array == 7).all()
    assert tt.full((2,), 1.5).dtype is tt.float32
    assert tt.full((2,), True).dtype is tt.bool
    assert tt.full((2,), 3, dtype=tt.float64).dtype is tt.float64
    assert tt.empty(3, 2).shape == (3, 2) and tt.empty(3).dtype is tt.float32
    np.testing.assert_array_equal(tt.eye(3).array, np.eye(3))
    np.testing.assert_array_equal(tt.eye(2, 3).array, np.eye(2, 3))


@pytest.mark.task("1.1")
def test_like_functions():
    base = tt.tensor([[1, 2, 3]])
    for fn, value in [(tt.zeros_like, 0), (tt.ones_like, 1)]:
        t = fn(base)
        assert t.shape == (1, 3) and t.dtype is tt.int64 and (t.array == value).all()
    assert tt.full_like(base, 5.0, dtype=tt.float64).dtype is tt.float64
    assert tt.empty_like(base).shape == (1, 3)
    f = tt.zeros(2, 2)
    assert tt.rand_like(f).shape == (2, 2) and tt.randn_like(f).dtype is tt.float32


ARANGE = [((5,), {}), ((2, 7), {}), ((0, 10, 3), {}), ((10, 0, -2), {}), ((0.0, 1.0, 0.25), {}),
          ((1, 2.5, 0.5), {}), ((5,), {"dtype": "float64"}), ((0, 1, 0.1), {}),
          ((-3, 3), {"dtype": "float32"})]


def _dt(kwargs, mod):
    return {k: getattr(mod, v) for k, v in kwargs.items()}


@pytest.mark.task("1.1")
@pytest.mark.parametrize("args,kwargs", ARANGE)
def test_arange_against_numpy(args, kwargs):
    out = tt.arange(*args, **_dt(kwargs, tt))
    expected_dtype = kwargs.get("dtype") or (
        "int64" if all(isinstance(a, int) for a in args) else "float32")
    assert out.dtype.name == expected_dtype
    np.testing.assert_allclose(out.array, np.arange(*args, dtype=np.float64), rtol=1e-6)


@pytest.mark.task("1.1")
@pytest.mark.parametrize("args,kwargs", ARANGE)
def test_arange_against_torch(torch, args, kwargs):
    ours = tt.arange(*args, **_dt(kwargs, tt))
    theirs = torch.arange(*args, **_dt(kwargs, torch))
    assert ours.dtype.name == str(theirs.dtype).split(".")[1]
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)


LINSPACE = [(0, 1, 5), (-2.5, 2.5, 11), (3, 3, 1), (0, 1, 0), (1, 0, 4), (0, 10, 2)]


@pytest.mark.parametrize("start,end,steps", LINSPACE)
def test_linspace_against_numpy(start, end, steps):
    out = tt.linspace(start, end, steps)
    assert out.dtype is tt.float32
    np.testing.assert_allclose(out.array, np.linspace(start, end, steps), rtol=1e-6)


@pytest.mark.parametrize("start,end,steps", LINSPACE)
def test_linspace_against_torch(torch, start, end, steps):
    ours, theirs = tt.linspace(start, end, steps), torch.linspace(start, end, steps)
    assert ours.dtype.name == str(theirs.dtype).split(".")[1]
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6, atol=1e-7)


def test_arange_linspace_errors():
    with pytest.raises(RuntimeError, match="step"):
        tt.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="steps"):
        tt.linspace(0, 1, -1)


def test_ragged_data_is_an_error():
    with pytest.raises(ValueError, match="rectangular"):
        tt.tensor([[1, 2], [3]])


def test_list_of_tensors():
    t = tt.tensor([tt.tensor(1.0), tt.tensor(2.0)])
    np.testing.assert_array_equal(t.array, [1.0, 2.0])


# -- random ---------------------------------------------------------------------------------------

RANDOM = [lambda: tt.rand(3, 4), lambda: tt.randn(5), lambda: tt.randint(0, 10, (6,)),
          lambda: tt.randperm(8), lambda: tt.randn(2, 2, dtype=tt.float64),
          lambda: tt.randint(5, (3,))]


@pytest.mark.parametrize("draw", RANDOM)
def test_manual_seed_reproducible(draw):
    tt.manual_seed(123)
    a = draw()
    b = draw()
    tt.manual_seed(123)
    np.testing.assert_array_equal(draw().array, a.array)
    np.testing.assert_array_equal(draw().array, b.array)
    tt.manual_seed(124)
    c = draw()
    assert not np.array_equal(c.array, a.array)


@pytest.mark.task("1.1")
def test_random_ranges_and_dtypes():
    tt.manual_seed(0)
    r = tt.rand(10000)
    assert r.dtype is tt.float32 and r.array.min() >= 0 and r.array.max() < 1
    assert abs(r.array.mean() - 0.5) < 0.02
    n = tt.randn(10000)
    assert abs(n.array.mean()) < 0.05 and abs(n.array.std() - 1) < 0.05
    i = tt.randint(-3, 4, (10000,))
    assert i.dtype is tt.int64 and set(np.unique(i.array)) == set(range(-3, 4))
    p = tt.randperm(50)
    assert sorted(p.tolist()) == list(range(50))
    with pytest.raises(RuntimeError, match="high"):
        tt.randint(5, 5, (2,))


def test_generators_are_independent_and_states_restore():
    g1, g2 = tt.Generator(7), tt.Generator(7)
    np.testing.assert_array_equal(tt.randn(4, generator=g1).array, tt.randn(4, generator=g2).array)
    assert g1.initial_seed() == 7
    state = tt.get_rng_state()
    a = tt.rand(3)
    tt.set_rng_state(state)
    np.testing.assert_array_equal(tt.rand(3).array, a.array)
    tt.manual_seed(5)
    assert tt.initial_seed() == 5
    s = tt.seed()
    assert tt.initial_seed() == s
    with pytest.raises(RuntimeError, match="expected a long"):
        tt.Generator().manual_seed(1.5)


# -- printing -------------------------------------------------------------------------------------

REPRS = [
    (lambda m: m.tensor([1.0, 2.0]), "tensor([1., 2.])"),
    (lambda m: m.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
    (lambda m: m.tensor([True, False]), "tensor([ True, False])"),
    (lambda m: m.tensor(3.5), "tensor(3.5000)"),
    (lambda m: m.tensor([[1.5, 2.25], [3.0, 4.0]]),
     "tensor([[1.5000, 2.2500],\n        [3.0000, 4.0000]])"),
    (lambda m: m.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda m: m.zeros(0), "tensor([])"),
    (lambda m: m.zeros(2, 0), "tensor([], size=(2, 0))"),
    (lambda m: m.tensor([1.0, 2.0], dtype=m.float64), "tensor([1., 2.], dtype={}.float64)"),
    (lambda m: m.tensor([1, 2], dtype=m.int32), "tensor([1, 2], dtype={}.int32)"),
    (lambda m: m.tensor([-1.5, 0.0]), "tensor([-1.5000,  0.0000])"),
    (lambda m: m.tensor([float("inf"), 1.0]), "tensor([inf, 1.])"),
    (lambda m: m.tensor([float("inf"), 1.5]), "tensor([   inf, 1.5000])"),
    (lambda m: m.tensor([float("nan"), -1.0, 10.0]), "tensor([nan, -1., 10.])"),
    (lambda m: m.tensor([[-1.5, 100.25], [3.0, 0.5]]),
     "tensor([[ -1.5000, 100.2500],\n        [  3.0000,   0.5000]])"),
    (lambda m: m.tensor([-1e-6, 1.0]), "tensor([-1.0000e-06,  1.0000e+00])"),
    (lambda m: m.tensor([-1, 20]), "tensor([-1, 20])"),
]


@pytest.mark.parametrize("make,expected", REPRS)
def test_repr(make, expected):
    assert repr(make(tt)) == expected.format("tinytorch")
    assert str(make(tt)) == expected.format("tinytorch")


@pytest.mark.parametrize("make,expected", REPRS)
def test_repr_matches_torch(torch, make, expected):
    assert repr(make(tt)).replace("tinytorch.", "torch.") == repr(make(torch))


def test_format_spec_and_long_tensors():
    assert f"{tt.tensor(2.5):.2f}" == "2.50"
    text = repr(tt.arange(5000))
    assert "..." in text and len(text) < 200
