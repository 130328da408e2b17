"""The graph itself (part of the library, not a task): what recording builds, its errors, and its
introspection. Nothing here runs a backward pass."""

from __future__ import annotations

import gc
import weakref

import pytest

import tinytorch.tensor as tt


def test_backward_on_tensor_without_graph_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        tt.ones(2).sum().backward()


def test_no_reference_cycles_without_backward() -> None:
    x = tt.randn(10, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        y = x.exp().tanh().sigmoid()
        ref = weakref.ref(y)
        del y
        assert ref() is None
    finally:
        gc.enable()


def test_leaf_inplace_under_grad_mode_raises() -> None:
    w = tt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="leaf"):
        w[0] = 3.0


def test_hook_on_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="require"):
        tt.ones(2).register_hook(lambda g: g)


def test_next_functions_introspection() -> None:
    x = tt.tensor([1.0], requires_grad=True)
    y = (x * 2).exp()
    node = y.grad_fn
    assert node.name() == "ExpBackward0"
    (mul, _), = node.next_functions
    assert mul.name() == "MulBackward0"
    (acc, _), (none, _) = mul.next_functions
    assert acc.name() == "AccumulateGrad" and acc.variable is x and none is None
