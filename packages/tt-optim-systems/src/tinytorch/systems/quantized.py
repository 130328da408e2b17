"""Quantized layers that store int8 weights and compute with them.

``QuantizedLinear`` keeps its weight as a real int8 buffer (one byte per number, per-output-
channel symmetric scales) and runs ``y = x W^T + b`` as integer arithmetic:

1. quantize the input rows to int8 (affine: scale ``s_x``, zero point ``z_x``) -- with
   parameters fixed by calibration (*static*) or measured on each batch (*dynamic*);
2. multiply int8 by int8, accumulating in int32: ``acc = q_x q_w^T`` (:func:`int8_matmul`);
3. remove the zero point: ``(q_x - z_x) q_w^T = acc - z_x * rowsum(q_w)``;
4. rescale to float: ``y = s_x * s_w * acc + b`` (``s_w`` one per output unit).

NumPy has no int8 matrix multiply: its integer matmul is a plain loop, tens of times slower
than BLAS. But every product of two int8 numbers is at most 2^14 in magnitude, so a sum of up
to 1024 of them is an integer below 2^24, which float32 represents *exactly*. :func:`int8_matmul`
therefore runs float32 BLAS over chunks of 1024 along K and adds the chunks in int32: the
result is bit-identical to an integer matmul (a test checks), at BLAS speed.

:func:`quantize_model` swaps every ``nn.Linear`` of a model for a ``QuantizedLinear``; with
calibration data it first runs the float model on it to fix the activation ranges (static
quantization). The state dict then holds int8 weights: ``nn.save`` writes one byte per weight.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np

import tinytorch.nn as nn
from tinytorch.autograd import no_grad
from tinytorch.tensor import Tensor, from_numpy
from tinytorch.vision import Conv2d
from tinytorch.vision.geometry import ConvGeometry
from tinytorch.vision.im2col import im2col

from .flops import linear_flops, register_module_flops
from .layer_flops import conv2d_flops
from .quantization import Observer, calibrate, qparams, quantize

__all__ = ["int8_matmul", "QuantizedLinear", "QuantizedConv2d", "quantize_model", "EXACT_CHUNK"]

EXACT_CHUNK = 1024
"""Terms per float32 partial sum: 1024 * 128 * 128 = 2^24, the largest exactly representable
run of integers in float32."""


def int8_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The exact int32 product of int8 matrices ``a`` (M, K) and ``b`` (K, N).

    Each chunk of at most :data:`EXACT_CHUNK` columns of ``a`` (rows of ``b``) is multiplied in
    float32 by BLAS -- exact, since every partial sum is an integer of magnitude <= 2^24 -- then
    converted to int32 and accumulated.
    """
    if a.dtype != np.int8 or b.dtype != np.int8 or a.ndim != 2 or b.ndim != 2 \
            or a.shape[1] != b.shape[0]:
        raise ValueError(f"int8_matmul expects int8 matrices (M, K) and (K, N), got "
                         f"{a.dtype} {a.shape} and {b.dtype} {b.shape}")
    # BEGIN SOLUTION 6.21 exact int8 x int8 -> int32 matmul with float32 BLAS in chunks of K
    k = a.shape[1]
    out = np.zeros((a.shape[0], b.shape[1]), np.int32)
    for start in range(0, k, EXACT_CHUNK):
        stop = min(start + EXACT_CHUNK, k)
        partial = a[:, start:stop].astype(np.float32) @ b[start:stop].astype(np.float32)
        out += partial.astype(np.int32)
    return out
    # END SOLUTION


class QuantizedLinear(nn.Module):
    """``nn.Linear`` with an int8 weight (symmetric, per output unit) and int8 x int8 -> int32
    arithmetic. Build it with :meth:`from_float`.

    Buffers (the state dict): ``weight`` int8 (out, in); ``weight_scale`` float32 (out,);
    ``bias`` float32 (out,) or absent; with static activation quantization also
    ``input_scale`` float32 () and ``input_zero_point`` int32 ().
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 static: bool = False) -> None:
        super().__init__()
        self.in_features, self.out_features, self.static = in_features, out_features, static
        self.register_buffer("weight", from_numpy(np.zeros((out_features, in_features), np.int8)))
        self.register_buffer("weight_scale", from_numpy(np.ones(out_features, np.float32)))
        self.register_buffer("bias", from_numpy(np.zeros(out_features, np.float32))
                             if bias else None)
        if static:
            self.register_buffer("input_scale", from_numpy(np.ones((), np.float32)))
            self.register_buffer("input_zero_point", from_numpy(np.zeros((), np.int32)))

    @classmethod
    def from_float(cls, linear: nn.Linear, input_observer: Observer | None = None
                   ) -> QuantizedLinear:
        """Quantize ``linear``'s weight per output unit (symmetric, min-max); with an observer
        that has seen calibration inputs, fix the input's scale and zero point too."""
        q = cls(linear.in_features, linear.out_features, linear.bias is not None,
                static=input_observer is not None)
        w = linear.weight.array.astype(np.float32)
        scale, zero = calibrate(w, "minmax", symmetric=True, axis=0)
        q.weight.array[...] = quantize(w, scale, zero, axis=0)
        q.weight_scale.array[...] = scale
        if linear.bias is not None:
            q.bias.array[...] = linear.bias.array
        if input_observer is not None:
            s, z = input_observer.qparams()
            q.input_scale.array[...] = s
            q.input_zero_point.array[...] = z
        return q

    def forward(self, input: Tensor) -> Tensor:
        x = input.array.reshape(-1, self.in_features).astype(np.float32, copy=False)
        if self.static:
            s_x, z_x = self.input_scale.array, self.input_zero_point.array
        else:  # dynamic: the range of this batch (affine, the activations are often one-sided)
            s_x, z_x = qparams(x.min(), x.max(), symmetric=False)
        q_w = self.weight.array
        # BEGIN SOLUTION 6.22 quantized linear: int8 input, int32 product, zero point, rescale
        q_x = quantize(x, s_x, z_x)
        acc = int8_matmul(q_x, q_w.T)                                  # (rows, out) int32
        acc -= z_x * q_w.sum(axis=1, dtype=np.int32)                   # (q_x - z_x) q_w^T
        y = acc.astype(np.float32) * (s_x * self.weight_scale.array)   # back to float
        if self.bias is not None:
            y += self.bias.array
        # END SOLUTION
        return Tensor(y.reshape(*input.shape[:-1], self.out_features))

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}, activations={'static' if self.static else 'dynamic'}")


register_module_flops(QuantizedLinear, linear_flops)  # integer ops, counted like Linear's


class QuantizedConv2d(nn.Module):
    """``Conv2d`` (zero padding, ``groups=1``) with an int8 weight, computed as the int8 GEMM of
    the weight matrix (O, C kh kw) with the quantized im2col columns of the input.

    The input is quantized first (C H W numbers per image, kh kw times fewer than the
    columns), then padded with the zero point -- the int8 code of 0.0 -- and cut into int8
    columns. Buffers as :class:`QuantizedLinear`'s (``weight`` int8 of shape (O, C, kh, kw),
    ``weight_scale`` (O,), ``bias``, and the static input parameters).
    """

    def __init__(self, conv: Conv2d, input_observer: Observer | None = None) -> None:
        super().__init__()
        if conv.groups != 1 or conv.padding_mode != "zeros":
            raise ValueError(f"QuantizedConv2d supports groups=1 and zero padding, got "
                             f"groups={conv.groups}, padding_mode={conv.padding_mode!r}")
        self.in_channels, self.out_channels = conv.in_channels, conv.out_channels
        self.geometry = ConvGeometry.make(conv.kernel_size, conv.stride, conv.padding,
                                          conv.dilation)
        self._unpadded = replace(self.geometry, padding=((0, 0), (0, 0)))
        self.kernel_size, self.groups, self.static = conv.kernel_size, 1, input_observer is not None
        w = conv.weight.array.astype(np.float32)
        scale, zero = calibrate(w, "minmax", symmetric=True, axis=0)
        self.register_buffer("weight", from_numpy(quantize(w, scale, zero, axis=0)))
        self.register_buffer("weight_scale", from_numpy(scale))
        self.register_buffer("bias", None if conv.bias is None else
                             from_numpy(conv.bias.array.astype(np.float32)))
        if input_observer is not None:
            s, z = input_observer.qparams()
            self.register_buffer("input_scale", from_numpy(np.asarray(s, np.float32)))
            self.register_buffer("input_zero_point", from_numpy(np.asarray(z, np.int32)))

    def forward(self, input: Tensor) -> Tensor:
        """As :class:`QuantizedLinear`, with the columns of ``im2col`` as the rows: quantize
        ``x`` (N, C, H, W), pad it with the zero point (the code of 0.0) by ``np.pad``, cut
        int8 columns with ``im2col`` and the unpadded geometry, multiply the weight matrix
        (O, C kh kw) by them with :func:`int8_matmul`, correct for the zero point, rescale by
        ``s_x * s_w`` per output channel and add the bias: ``y`` (O, oh ow N)."""
        x = input.array.astype(np.float32, copy=False)
        n, _, h, w = x.shape
        out_h, out_w = self.geometry.output_size(h, w)
        if self.static:
            s_x, z_x = self.input_scale.array, self.input_zero_point.array
        else:
            s_x, z_x = qparams(x.min(), x.max(), symmetric=False)
        # BEGIN SOLUTION 6.22 quantized conv: int8 input padded with z, int8 columns, int32 GEMM
        q_x = quantize(x, s_x, z_x)                                        # (N, C, H, W) int8
        (top, bottom), (left, right) = self.geometry.padding
        if top or bottom or left or right:
            q_x = np.pad(q_x, ((0, 0), (0, 0), (top, bottom), (left, right)),
                         constant_values=z_x)
        q_w = self.weight.array.reshape(self.out_channels, -1)            # (O, C kh kw)
        q_cols = im2col(q_x, self._unpadded)                               # (C kh kw, M) int8
        acc = int8_matmul(q_w, q_cols)                                     # (O, M) int32
        acc -= z_x * q_w.sum(axis=1, dtype=np.int32)[:, None]
        y = acc.astype(np.float32) * (s_x * self.weight_scale.array)[:, None]
        if self.bias is not None:
            y += self.bias.array[:, None]
        # END SOLUTION
        y = y.reshape(self.out_channels, out_h, out_w, n).transpose(3, 0, 1, 2)
        return Tensor(np.ascontiguousarray(y))

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"activations={'static' if self.static else 'dynamic'}")


register_module_flops(QuantizedConv2d, conv2d_flops)


def _inputs(data: Any) -> Iterable[tuple[Any, ...]]:
    """Calibration data as argument tuples: a Tensor is one batch; an iterable yields batches
    (a ``(x, y)`` pair from a DataLoader contributes ``x``)."""
    if isinstance(data, Tensor):
        yield (data,)
        return
    for batch in data:
        if isinstance(batch, (tuple, list)):
            yield (batch[0],)
        else:
            yield (batch,)


def quantize_model(model: nn.Module, calibration_data: Any = None, method: str = "minmax",
                   percentile: float = 99.99) -> nn.Module:
    """A copy of ``model`` with every ``nn.Linear`` replaced by a :class:`QuantizedLinear` and
    every ``Conv2d`` by a :class:`QuantizedConv2d`.

    Args:
        model: a float32 model (left unchanged).
        calibration_data: None for dynamic activation quantization; else a Tensor or an
            iterable of batches run through the float model to fix each layer's input range
            (static quantization).
        method: how the activation ranges are calibrated, "minmax" or "percentile" (see
            :class:`Observer`).
        percentile: the percentile for ``method="percentile"``.
    """
    new = copy.deepcopy(model)
    linears = [(parent, name, child) for parent in new.modules()
               for name, child in parent.named_children()
               if isinstance(child, (nn.Linear, Conv2d))]
    observers: dict[int, Observer] = {}
    if calibration_data is not None:
        # BEGIN SOLUTION 6.23 static calibration: observe each Linear's input with pre-hooks
        def observe_input(observer: Observer) -> Any:
            def hook(module: nn.Module, args: tuple[Any, ...]) -> None:
                observer.observe(args[0])
            return hook

        handles = []
        for _, _, layer in linears:
            observer = observers[id(layer)] = Observer(method, symmetric=False,
                                                       percentile=percentile)
            handles.append(layer.register_forward_pre_hook(observe_input(observer)))
        was_training = new.training
        new.eval()
        try:
            with no_grad():
                for args in _inputs(calibration_data):
                    new(*args)
        finally:
            for handle in handles:
                handle.remove()
            new.train(was_training)
        # END SOLUTION
        if any(o.batches == 0 for o in observers.values()):
            raise ValueError("calibration_data gave no batch reaching every layer to quantize")
    for parent, name, layer in linears:
        observer = observers.get(id(layer))
        quantized = (QuantizedConv2d(layer, observer) if isinstance(layer, Conv2d)
                     else QuantizedLinear.from_float(layer, observer))
        setattr(parent, name, quantized)
    return new
