"""Task 2.14: custom ops with Function."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import Function, grad, no_grad

pytestmark = pytest.mark.task("2.14")


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return tt.Tensor(x.array ** 3)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


class ScaleShift(Function):
    """Non-tensor arguments and two tensor inputs."""

    @staticmethod
    def forward(ctx, x, scale, shift):
        ctx.scale = scale
        return x * scale + shift

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale, None, g if ctx.needs_input_grad[2] else None


class SplitHalves(Function):
    """Two outputs."""

    @staticmethod
    def forward(ctx, x):
        n = x.shape[0] // 2
        return x[:n] * 1, x[n:] * 2

    @staticmethod
    def backward(ctx, ga, gb):
        return tt.cat([ga, gb * 2])


class Exp(Function):
    """Saves its output."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


def test_function_forward_and_backward() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"
    np.testing.assert_allclose(y.array, [1.0, 8.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, [3.0, 12.0])


def test_forward_runs_without_recording() -> None:
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            seen["inner"] = y.requires_grad
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = tt.ones(2, requires_grad=True)
    out = Probe.apply(x)
    assert seen["inner"] is False and out.requires_grad


def test_non_tensor_args_and_needs_input_grad() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    b = tt.tensor([0.5, 0.5])
    y = ScaleShift.apply(x, 3.0, b)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, [3.0, 3.0])
    assert b.grad is None


def test_multiple_outputs() -> None:
    x = tt.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a, b = SplitHalves.apply(x)
    (a.sum() * 3 + b.sum()).backward()
    np.testing.assert_allclose(x.grad.array, [3.0, 3.0, 2.0, 2.0])
    x.grad = None
    a, b = SplitHalves.apply(x)
    b.sum().backward()  # a gets no gradient: backward receives zeros for it
    np.testing.assert_allclose(x.grad.array, [0.0, 0.0, 2.0, 2.0])


def test_no_node_when_no_input_requires_grad() -> None:
    y = Cube.apply(tt.tensor([2.0]))
    assert y.grad_fn is None and not y.requires_grad
    with no_grad():
        z = Cube.apply(tt.tensor([2.0], requires_grad=True))
    assert z.grad_fn is None


def test_saved_tensor_modified_in_place_raises() -> None:
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Cube.apply(h)
    with no_grad():
        h.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


def test_saved_output_and_second_order() -> None:
    x = tt.tensor([0.5, 1.0], dtype=tt.float64, requires_grad=True)
    y = Exp.apply(x)
    (g,) = grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.array, np.exp([0.5, 1.0]))
    (g2,) = grad(g.sum(), x)
    np.testing.assert_allclose(g2.array, np.exp([0.5, 1.0]))
    z = Cube.apply(x)
    (d1,) = grad(z.sum(), x, create_graph=True)
    (d2,) = grad(d1.sum(), x)
    np.testing.assert_allclose(d2.array, [3.0, 6.0])


def test_freed_ctx_raises_on_second_backward() -> None:
    x = tt.tensor([1.0], requires_grad=True)
    y = Cube.apply(x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_identity_forward_does_not_rewire_its_input() -> None:
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    x = tt.tensor([1.0], requires_grad=True)
    y = Identity.apply(x)
    assert x.is_leaf and y is not x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, [5.0])


def test_function_gradient_shape_and_dtype_fixed_by_engine() -> None:
    class Broadcasting(Function):
        @staticmethod
        def forward(ctx, x):
            return tt.Tensor(np.broadcast_to(x.array, (3,) + x.shape).copy())

        @staticmethod
        def backward(ctx, g):
            return g.double()  # (3, 2) float64 for a (2,) float32 input

    x = tt.tensor([1.0, 2.0], requires_grad=True)
    Broadcasting.apply(x).sum().backward()
    assert x.grad.dtype == tt.float32
    np.testing.assert_allclose(x.grad.array, [3.0, 3.0])
