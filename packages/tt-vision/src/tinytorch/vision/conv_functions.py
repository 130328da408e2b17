"""Convolution as three autograd Functions that differentiate each other.

Write ``C(x, w)`` for a convolution, ``T(y, w)`` for its transpose (the input gradient,
``conv2d_input_grad``) and ``Wg(x, y)`` for the weight gradient. All three are bilinear, and
each one's partial derivatives are the other two::

    y = C(x, w)     dx = T(dy, w)      dw = Wg(x, dy)
    x = T(y, w)     dy = C(dx, w)      dw = Wg(dx, y)
    w = Wg(x, y)    dx = T(y, dw)      dy = C(x, dw)

So each ``backward`` below calls the other Functions: first-order gradients cost one GEMM each
(``Function.apply`` runs the plain NumPy forward when no graph is recorded), and with
``create_graph=True`` the gradients are themselves differentiable, to any order.

The forward pass keeps its im2col columns for the weight gradient: saved as a Tensor with
``save_for_backward``, so the engine frees them with the rest of the graph.
"""

from __future__ import annotations

from typing import Any

from tinytorch.autograd import Function
from tinytorch.tensor import Tensor

from .conv_gemm import conv2d_forward, conv2d_input_grad, conv2d_weight_grad
from .geometry import ConvGeometry

__all__ = ["Conv2dFunction", "ConvTranspose2dFunction", "Conv2dWeightFunction"]


class Conv2dFunction(Function):
    """``y = conv2d(x, w) + b`` for x (N, C, H, W), w (O, C/G, kh, kw), b (O,) or None."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Tensor, bias: Tensor | None,
                geometry: ConvGeometry) -> Tensor:
        bias_array = None if bias is None else bias.array
        y, cols = conv2d_forward(input.array, weight.array, bias_array, geometry)
        ctx.geometry = geometry
        ctx.save_for_backward(input, weight, Tensor(cols))
        return Tensor(y)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        input, weight, cols = ctx.saved_tensors
        needs_input, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        geometry: ConvGeometry = ctx.geometry
        grad_input = grad_weight = grad_bias = None
        if needs_input:
            grad_input = ConvTranspose2dFunction.apply(grad, weight, None, geometry,
                                                       input.shape[2:])
        if needs_weight:
            grad_weight = Conv2dWeightFunction.apply(input, grad, geometry, weight.shape,
                                                     cols.array)
        if needs_bias:
            grad_bias = grad.sum(dim=(0, 2, 3))  # the bias is added at every pixel of every image
        return grad_input, grad_weight, grad_bias, None


class ConvTranspose2dFunction(Function):
    """``x = conv_transpose2d(y, w) + b``: the adjoint of ``conv2d`` (its input gradient).

    y (N, O, out_h, out_w), w (O, C/G, kh, kw) in ``conv2d``'s layout, which is
    ``conv_transpose2d``'s ``(in_channels, out_channels / groups, kh, kw)``; the result is
    ``(N, C, H, W)`` with ``(H, W) = size``.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, weight: Tensor, bias: Tensor | None,
                geometry: ConvGeometry, size: tuple[int, int]) -> Tensor:
        x = conv2d_input_grad(input.array, weight.array, geometry, tuple(size))
        if bias is not None:
            x = x + bias.array[:, None, None]
        ctx.geometry = geometry
        ctx.save_for_backward(input, weight)
        return Tensor(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        input, weight = ctx.saved_tensors
        needs_input, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        geometry: ConvGeometry = ctx.geometry
        grad_input = grad_weight = grad_bias = None
        if needs_input:
            grad_input = Conv2dFunction.apply(grad, weight, None, geometry)
        if needs_weight:
            grad_weight = Conv2dWeightFunction.apply(grad, input, geometry, weight.shape, None)
        if needs_bias:
            grad_bias = grad.sum(dim=(0, 2, 3))  # the bias is added at every pixel of every image
        return grad_input, grad_weight, grad_bias, None, None


class Conv2dWeightFunction(Function):
    """``dw = Wg(x, dy)``: the weight gradient of ``conv2d`` as a function of both inputs.

    ``cols`` (optional, an ndarray) is ``im2col(x)`` when the forward pass kept it.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, grad_output: Tensor, geometry: ConvGeometry,
                kernel_shape: tuple[int, int, int, int], cols: Any = None) -> Tensor:
        ctx.geometry = geometry
        ctx.save_for_backward(input, grad_output)
        return Tensor(conv2d_weight_grad(input.array, grad_output.array, geometry,
                                         tuple(kernel_shape), cols))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        input, grad_output = ctx.saved_tensors
        needs_input, needs_grad_output = ctx.needs_input_grad[:2]
        geometry: ConvGeometry = ctx.geometry
        grad_input = grad_grad_output = None
        if needs_input:
            grad_input = ConvTranspose2dFunction.apply(grad_output, grad, None, geometry,
                                                       input.shape[2:])
        if needs_grad_output:
            grad_grad_output = Conv2dFunction.apply(input, grad, None, geometry)
        return grad_input, grad_grad_output, None, None, None
