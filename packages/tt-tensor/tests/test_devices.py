"""Device boilerplate from PyTorch tutorials runs unchanged on the CPU; other devices are refused
with an error that says TinyTorch runs on the CPU."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt

CREATORS = [
    lambda d: tt.tensor([1.0, 2.0], device=d), lambda d: tt.as_tensor([1, 2], device=d),
    lambda d: tt.zeros(2, 3, device=d), lambda d: tt.ones((2,), device=d),
    lambda d: tt.empty(2, device=d), lambda d: tt.full((2,), 7.0, device=d),
    lambda d: tt.arange(3, device=d), lambda d: tt.linspace(0, 1, 5, device=d),
    lambda d: tt.eye(3, device=d), lambda d: tt.rand(2, device=d), lambda d: tt.randn(2, device=d),
    lambda d: tt.randint(0, 5, (3,), device=d), lambda d: tt.randperm(4, device=d),
    lambda d: tt.zeros_like(tt.ones(2), device=d), lambda d: tt.ones_like(tt.ones(2), device=d),
    lambda d: tt.full_like(tt.ones(2), 3, device=d), lambda d: tt.empty_like(tt.ones(2), device=d),
    lambda d: tt.rand_like(tt.ones(2), device=d), lambda d: tt.randn_like(tt.ones(2), device=d),
]


def test_device_objects_match_torch(torch):
    for spec in ("cpu", "cpu:0"):
        ours, theirs = tt.device(spec), torch.device(spec)
        assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
        assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert tt.device("cpu", 1) == tt.device("cpu:1") != tt.device("cpu")
    assert tt.device(tt.device("cpu")) == tt.device("cpu")
    assert (tt.device("cpu") == "cpu") is (torch.device("cpu") == "cpu") is False
    assert len({tt.device("cpu"), tt.device("cpu")}) == 1


@pytest.mark.parametrize("make", CREATORS)
@pytest.mark.parametrize("where", ["cpu", "cpu:0", tt.device("cpu"), None])
def test_creation_functions_accept_the_cpu(make, where):
    out = make(where)
    assert out.device == tt.device("cpu") and out.device.type == "cpu"


@pytest.mark.parametrize("make", CREATORS)
@pytest.mark.parametrize("where", ["cuda", "cuda:0", "mps", 0])
def test_creation_functions_refuse_other_devices(make, where):
    with pytest.raises(RuntimeError, match="CPU"):
        make(where)


@pytest.mark.parametrize("where", ["cuda", "cuda:1", "mps", "meta", "xla", 0])
def test_other_devices_are_refused_when_named(where):
    with pytest.raises(RuntimeError, match="runs on the CPU"):
        tt.device(where)
    with pytest.raises(RuntimeError, match="runs on the CPU"):
        tt.ones(2).to(where)
    with pytest.raises(RuntimeError, match="runs on the CPU"):
        tt.set_default_device(where)


def test_bad_device_strings_and_types():
    for bad in ("cpu:x", "cpu:-1"):
        with pytest.raises(RuntimeError):
            tt.device(bad)
    with pytest.raises(RuntimeError, match="twice"):
        tt.device("cpu:0", 1)
    with pytest.raises(TypeError):
        tt.device(1.5)


def test_to_follows_torch_signatures(torch):
    x = tt.tensor([1.5, -2.5])
    assert x.to("cpu") is x and x.to(tt.device("cpu")) is x and x.cpu() is x
    assert x.to(device="cpu") is x and x.to("cpu", non_blocking=True) is x
    for call in (lambda m, t: t.to(m.float64), lambda m, t: t.to("cpu", m.int32),
                 lambda m, t: t.to(m.device("cpu"), m.float16),
                 lambda m, t: t.to(device="cpu", dtype=m.int64),
                 lambda m, t: t.to(m.ones(1, dtype=m.int32)), lambda m, t: t.to(m.bool)):
        ours, theirs = call(tt, x), call(torch, torch.tensor([1.5, -2.5]))
        assert ours.dtype.name == str(theirs.dtype).split(".")[1]
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    copied = x.to("cpu", copy=True)
    assert copied is not x and not np.shares_memory(copied.array, x.array)
    with pytest.raises(TypeError):
        x.to("cpu", tt.float32, tt.float64)
    with pytest.raises(TypeError):  # an option TinyTorch does not have is an error, not ignored
        x.to("cpu", memory_format="channels_last")


def test_cuda_module_and_default_device():
    assert tt.cuda.is_available() is False and tt.cuda.device_count() == 0
    where = "cuda" if tt.cuda.is_available() else "cpu"
    assert tt.zeros(2, device=where).device.type == "cpu"
    tt.set_default_device("cpu")
    tt.set_default_device(None)
    assert tt.get_default_device() == tt.device("cpu")
    x = tt.ones(2)
    assert x.is_cuda is False
    with pytest.raises(RuntimeError, match="CPU"):
        x.cuda()


def test_generator_takes_a_device_as_torch():
    g = tt.Generator("cpu").manual_seed(3)
    assert g.initial_seed() == 3
    assert tt.Generator(device=tt.device("cpu")).manual_seed(4).initial_seed() == 4
    with pytest.raises(RuntimeError, match="CPU"):
        tt.Generator(device="cuda")
