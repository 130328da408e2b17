"""Task 2.15: gradcheck and gradgradcheck catch wrong gradients and say where."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.autograd import Function, GradcheckError, gradcheck, gradgradcheck

pytestmark = pytest.mark.task("2.15")


class WrongSquare(Function):
    """d(x^2) given as 2x except at one element."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return tt.Tensor(x.array ** 2)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bump = np.zeros(x.shape)
        bump[1, 2] = 0.5
        return g * 2 * x + tt.tensor(bump)


class FirstOrderOnly(Function):
    """Right first derivative of x^3, but a backward that is not differentiable further."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return tt.Tensor(x.array ** 3)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * tt.Tensor(3 * x.array ** 2)


def _x(*shape: int) -> tt.Tensor:
    return tt.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)


def test_gradcheck_passes_correct_gradients() -> None:
    a, b = _x(3, 4), _x(4)
    assert gradcheck(lambda a, b: (a * b).tanh().sum(1), (a, b))
    assert gradcheck(lambda a: (a @ a.T).exp(), (a,))


def test_gradcheck_reports_input_and_worst_element() -> None:
    x, y = _x(2), _x(3, 4)
    with pytest.raises(GradcheckError, match=r"input 1 .*worst element \(1, 2\)") as info:
        gradcheck(lambda x, y: (x.sum() + WrongSquare.apply(y)), (x, y))
    assert "analytical" in str(info.value) and "numerical" in str(info.value)
    assert gradcheck(lambda y: WrongSquare.apply(y), (y,), raise_exception=False) is False


def test_gradcheck_catches_a_missing_gradient() -> None:
    class Detached(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return None

    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(Detached.apply, (_x(3),))


def test_gradcheck_wants_float64() -> None:
    with pytest.warns(UserWarning, match="double precision"):  # PyTorch warns, then checks
        gradcheck(lambda x: x * 2, (tt.ones(2, requires_grad=True),), raise_exception=False)


def test_gradgradcheck() -> None:
    x = _x(3)
    assert gradgradcheck(lambda x: (x ** 3 + x.sin()).sum(), (x,))
    assert gradgradcheck(lambda x: x.tanh() * x, (x,))
    assert gradcheck(FirstOrderOnly.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(FirstOrderOnly.apply, (x,))
