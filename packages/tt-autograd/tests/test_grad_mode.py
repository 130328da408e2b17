"""Task 2.1: no_grad, enable_grad, set_grad_enabled (context managers and decorators, per thread)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

pytestmark = pytest.mark.task("2.1")


def test_no_graph_under_no_grad() -> None:
    x = tt.ones(3, requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2 + 1
    assert is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad
    z = x * 2
    assert z.grad_fn is not None and z.requires_grad


def test_enable_grad_inside_no_grad_and_nesting() -> None:
    x = tt.ones(3, requires_grad=True)
    with no_grad():
        with enable_grad():
            y = x * 2
        with no_grad():
            pass
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_decorators() -> None:
    x = tt.ones(2, requires_grad=True)

    @no_grad()
    def frozen(t: tt.Tensor) -> tt.Tensor:
        return t * 3

    @set_grad_enabled(False)
    def also_frozen(t: tt.Tensor) -> tt.Tensor:
        return t * 3

    assert is_grad_enabled()  # decorating does not switch the mode
    assert not frozen(x).requires_grad and not also_frozen(x).requires_grad
    with no_grad():
        @enable_grad()
        def live(t: tt.Tensor) -> tt.Tensor:
            return t * 3
        assert live(x).requires_grad


def test_set_grad_enabled_as_function_and_context() -> None:
    set_grad_enabled(False)
    try:
        assert not is_grad_enabled()
    finally:
        set_grad_enabled(True)
    with set_grad_enabled(False):
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with inference_mode():
        assert not is_grad_enabled()


def test_mode_restored_after_exception() -> None:
    with pytest.raises(ValueError):
        with no_grad():
            raise ValueError
    assert is_grad_enabled()


def test_parameter_update_under_no_grad() -> None:
    w = tt.tensor([1.0, 2.0], requires_grad=True)
    w.grad = tt.tensor([2.0, 4.0])
    with no_grad():
        w -= 0.5 * w.grad
    assert w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.array, [0.0, 0.0])


def test_grad_mode_is_thread_local() -> None:
    x = tt.ones(2, requires_grad=True)
    seen = {}
    inside = threading.Event()
    release = threading.Event()

    def worker() -> None:
        seen["enabled"] = is_grad_enabled()
        seen["records"] = (x * 2).requires_grad
        inside.set()
        release.wait(5)

    with no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        inside.wait(5)
        assert not (x * 2).requires_grad
        release.set()
        thread.join()
    assert seen == {"enabled": True, "records": True}
