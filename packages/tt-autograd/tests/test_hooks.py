"""Task 2.16: tensor hooks see, and may replace, a tensor's complete gradient."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt

pytestmark = pytest.mark.task("2.16")


def test_hooks_see_and_replace_gradients() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.array.copy()))
    h = x * 3
    handle = h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [30.0, 30.0])
    np.testing.assert_allclose(x.grad.array, [30.0, 30.0])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.array, [3.0, 3.0])
