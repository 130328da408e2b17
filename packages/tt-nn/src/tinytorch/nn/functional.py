"""Stateless forms of the layers, activations and losses, as ``torch.nn.functional``.

``import tinytorch.nn.functional as F``. Modules call these; the math lives here, once.

Most functions are compositions of part-1 Tensor ops, so part 2's backward rules differentiate
them (and higher-order gradients come for free). A few hot or numerically delicate ones are
:class:`tinytorch.autograd.Function` s with a hand-written backward (see ``_fused.py``): ``linear``,
``log_softmax`` and ``nll_loss`` (so ``cross_entropy`` is two graph nodes), and
``binary_cross_entropy``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from tinytorch.tensor import Generator, Tensor, rand
from tinytorch.tensor import pad as _constant_pad

from . import _fused

__all__ = [
    "linear", "relu", "relu_", "relu6", "leaky_relu", "elu", "celu", "selu", "gelu", "silu",
    "mish", "softplus", "sigmoid", "logsigmoid", "tanh", "tanhshrink", "softsign", "hardtanh",
    "hardsigmoid", "hardswish", "threshold", "prelu", "glu", "softmax", "softmin", "log_softmax",
    "dropout", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "nll_loss",
    "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "one_hot", "pad",
]

_REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------------------------------
# Linear
# ---------------------------------------------------------------------------------------------

def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for ``input (..., in)``, ``weight (out, in)``, ``bias (out,)``."""
    if input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        got = input.shape[-1] if input.ndim else "a 0-d tensor"
        raise RuntimeError(
            f"linear: expected input with {weight.shape[-1]} features in its last dim (in_features"
            f"={weight.shape[-1]}), got {got} (input shape {tuple(input.shape)}, weight shape "
            f"{tuple(weight.shape)})")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype.name} "
                           f"and {weight.dtype.name}")
    return _fused.LinearFunction.apply(input, weight, bias)


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------

def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or, with negative amounts, crop) the last ``len(pad) // 2`` dims.

    ``pad`` lists (before, after) pairs starting from the LAST dim: ``(1, 1)`` pads the last dim,
    ``(1, 1, 2, 2)`` the last two. ``mode``: ``"constant"`` (with ``value``, default 0),
    ``"reflect"`` (mirror, edge not repeated), ``"replicate"`` (repeat the edge) or
    ``"circular"`` (wrap around). As in PyTorch, ``reflect`` and ``replicate`` pad the whole dim
    and then crop, while ``circular`` crops first and wraps around what is left:
    ``pad([0, 1, 2, 3, 4], (1, -2), "circular")`` is ``[2, 0, 1, 2]``.
    """
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length must be divisible by 2 and at most twice the number "
                           f"of dims ({input.ndim}), got {tuple(pad)}")
    if mode == "constant":
        return _constant_pad(input, [int(p) for p in pad], value=0.0 if value is None else value)
    numpy_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}.get(mode)
    if numpy_mode is None:
        raise NotImplementedError(f"Unsupported padding mode: {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    out = input
    for i in range(len(pad) // 2):  # one gather per padded dim: differentiable through getitem
        dim = input.ndim - 1 - i
        before, after = int(pad[2 * i]), int(pad[2 * i + 1])
        n = out.shape[dim]
        if mode == "reflect" and max(before, after) >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({before}, {after}) at "
                               f"dimension {dim} of input {tuple(input.shape)}")
        kept = n - max(-before, 0) - max(-after, 0)
        if kept < 0:
            raise RuntimeError(f"Negative padding ({before}, {after}) crops more than the "
                               f"{n} elements of dimension {dim} of input {tuple(input.shape)}")
        index, grow = np.arange(n), (max(before, 0), max(after, 0))
        if mode == "circular":  # crop first, then wrap around what is left
            if max(before, after) > kept:
                raise RuntimeError(f"Padding value causes wrapping around more than once: "
                                   f"padding ({before}, {after}) at dimension {dim}, which has "
                                   f"{kept} elements after cropping")
            index = index[max(-before, 0):n - max(-after, 0)]
            index = np.pad(index, grow, mode="wrap")
        else:  # pad the whole dim, then crop
            index = np.pad(index, grow, mode=numpy_mode)
            index = index[max(-before, 0):len(index) - max(-after, 0)]
        out = out[(slice(None),) * dim + (Tensor(index.astype(np.int64)),)]
    return out


def _inplace(input: Tensor, result: Tensor, inplace: bool) -> Tensor:
    """``result``, or (``inplace=True``) ``input`` overwritten with it (recorded by autograd)."""
    return input.copy_(result) if inplace else result


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return input.relu_() if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``."""
    return input.relu_()


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val] (gradient 0 at and beyond the ends, as PyTorch)."""
    inside = Tensor(((input.array > min_val) & (input.array < max_val)).astype(input.array.dtype))
    clipped = Tensor(np.clip(input.array, min_val, max_val) * (1 - inside.array))
    return _inplace(input, input * inside + clipped, inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``."""
    return _inplace(input, input.where(input > threshold, Tensor(np.asarray(
        value, dtype=input.array.dtype))), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6, gradient 1/6 strictly inside (-3, 3)."""
    return _inplace(input, hardtanh(input / 6 + 0.5, 0.0, 1.0), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    x = input.array
    mid = (x > -3) & (x < 3)
    # PyTorch's gradient: 0 up to -3, x/3 + 1/2 inside (-3, 3), 1 from 3 on
    out = input * Tensor(((x >= 3) + mid * (x + 3) / 6).astype(x.dtype))
    correction = Tensor((mid * x / 6).astype(x.dtype))  # d/dx of x(x+3)/6 is x/3 + 1/2
    out = out + (input - input.detach()) * correction
    return _inplace(input, out, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), finite for large |x|."""
    return -softplus(-input)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else ``weight * x``, one weight per channel (dim 1) or one for all."""
    if weight.numel() != 1 and input.ndim >= 2:
        shape = [1] * input.ndim
        shape[1] = weight.numel()
        weight = weight.reshape(shape)
    return input.where(input > 0, input * weight)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), a and b the two halves of ``input`` along ``dim``."""
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{input.shape[dim]}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise."""
    # BEGIN SOLUTION 3.4 leaky relu
    result = input.where(input > 0, input * negative_slope)
    # END SOLUTION
    return _inplace(input, result, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    # BEGIN SOLUTION 3.4 elu (exp of the clamped input, so large x cannot overflow)
    negative = (input.clamp(max=0).exp() - 1) * alpha
    result = input.where(input > 0, negative)
    # END SOLUTION
    return _inplace(input, result, inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else ``alpha * (exp(x / alpha) - 1)``."""
    negative = ((input.clamp(max=0) / alpha).exp() - 1) * alpha
    return _inplace(input, input.where(input > 0, negative), inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants of Klambauer et al."""
    return _inplace(input, elu(input, _SELU_ALPHA) * _SELU_SCALE, inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses Hendrycks' tanh form."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    # BEGIN SOLUTION 3.4 gelu, exact (erf) and tanh approximation
    if approximate == "none":
        return input * 0.5 * (1.0 + (input * (1.0 / math.sqrt(2.0))).erf())
    if approximate == "tanh":
        inner = (input + 0.044715 * input * input * input) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (1.0 + inner.tanh())
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    # END SOLUTION


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    # BEGIN SOLUTION 3.4 silu
    result = input * input.sigmoid()
    # END SOLUTION
    return _inplace(input, result, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return _inplace(input, input * softplus(input).tanh(), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, and x itself where ``beta * x > threshold``."""
    # BEGIN SOLUTION 3.4 softplus, stable: m + log(e^-m + e^(z-m)) with m = max(z, 0)
    z = input * beta
    m = z.clamp(min=0).detach()  # any constant m gives the same value and gradient
    smooth = (m + ((-m).exp() + (z - m).exp()).log()) / beta
    return input.where(z > threshold, smooth)
    # END SOLUTION


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.")
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (stable for large inputs); ``dtype`` casts first."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmin")
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along ``dim``; finite even for logits of 1e4."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)  # a primitive of part 1 with its own backward rule


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator: Generator | None = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (inverted dropout:
    the expected value is unchanged, so evaluation needs no rescaling)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if training and not input.is_floating_point():
        raise RuntimeError(f"dropout: expected a floating point input, got {input.dtype.name}")
    # BEGIN SOLUTION 3.5 inverted dropout
    if not training or p == 0.0:
        return input
    if p == 1.0:
        result = input * 0.0
    else:
        keep = rand(input.shape, generator=generator, dtype=input.dtype) >= p
        mask = Tensor(keep.array.astype(input.array.dtype) * input.array.dtype.type(1.0 / (1.0 - p)))
        result = input * mask
    # END SOLUTION
    return _inplace(input, result, inplace)


# ---------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------

def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         f"(expected one of {', '.join(_REDUCTIONS)})")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _weighted_reduce(loss: Tensor, weight: Tensor | None, reduction: str, mean_by: str
                     ) -> Tensor:
    """Reduce ``weight * loss`` (``weight`` of the input's shape). PyTorch's weighted ``mean``
    divides by the summed weights for mse/l1 (``mean_by="mean"``) and by the element count for
    huber (``"count"``)."""
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != loss.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _check_same_size(input: Tensor, target: Tensor, name: str) -> None:
    if input.shape != target.shape:
        warnings.warn(f"{name}: using a target size ({tuple(target.shape)}) that is different to "
                      f"the input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.")


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error: reduce((input - target)^2), optionally times ``weight``
    (broadcast)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_same_size(input, target, "mse_loss")
    # BEGIN SOLUTION 3.7 mean squared error
    diff = input - target
    loss = diff * diff
    # END SOLUTION
    return _weighted_reduce(loss, weight, reduction, "mean")


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error: reduce(|input - target|), optionally times ``weight``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_same_size(input, target, "l1_loss")
    # BEGIN SOLUTION 3.7 mean absolute error
    loss = (input - target).abs()
    # END SOLUTION
    return _weighted_reduce(loss, weight, reduction, "mean")


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_same_size(input, target, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = (input - target).abs()
    if beta == 0:
        return _reduce(diff, reduction)
    small = diff * diff * (0.5 / beta)
    return _reduce(small.where(diff < beta, diff - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",
               delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta): ``delta * smooth_l1(beta=delta)``."""
    _check_same_size(input, target, "huber_loss")
    diff = (input - target).abs()
    loss = (diff * diff * 0.5).where(diff < delta, (diff - 0.5 * delta) * delta)
    return _weighted_reduce(loss, weight, reduction, "count")


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: ``target * (log target - input)`` (0 where target is
    0). ``input`` holds log-probabilities; ``reduction="batchmean"`` divides the sum by the batch
    size (the true KL divergence; ``"mean"`` divides by the number of elements)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in (*_REDUCTIONS, "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = Tensor(target.array > 0)
        safe = target.where(positive, Tensor(np.ones((), dtype=target.array.dtype)))
        loss = (target * (safe.log() - input)).where(positive, target * 0.0 - input * 0.0)
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated ``size_average`` / ``reduce`` arguments, turned into a reduction."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='{}' instead.".format(
                      "none" if reduce is False else "sum" if size_average is False else "mean"))
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    return "none" if not reduce else "mean" if size_average else "sum"


def _class_indices(input: Tensor, target: Any, name: str) -> tuple[Tensor, np.ndarray]:
    """Input as (M, C) rows of class scores and target as (M,) class indices.

    Accepts ``(C,)`` with a 0-d target, ``(N, C)`` with ``(N,)``, and ``(N, C, d1, ...)`` with
    ``(N, d1, ...)`` (the class dim moves last, then everything else is flattened).
    """
    t = np.asarray(getattr(target, "array", target))
    if t.dtype not in (np.int64, np.uint8):
        kind = {"f": "Float", "i": "Int", "u": "Byte", "b": "Bool"}.get(t.dtype.kind, str(t.dtype))
        raise RuntimeError(f"{name}: expected target dtype to be Long or Byte, but got {kind} "
                           f"({t.dtype}; for class probabilities pass a float target of the "
                           "input's shape to cross_entropy)")
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dim, got a 0-d tensor")
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if t.shape != expected:
        raise ValueError(f"{name}: expected target of shape {expected} for input of shape "
                         f"{tuple(input.shape)}, got {tuple(t.shape)}")
    if input.ndim == 1:
        return input.reshape(1, -1), t.reshape(1)
    if input.ndim > 2:
        order = (0, *range(2, input.ndim), 1)
        input = input.permute(order)
    return input.reshape(-1, input.shape[-1]), t.reshape(-1)


def _target_weights(t: np.ndarray, num_classes: int, weight: Tensor | None, ignore_index: int,
                    dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """(class index safe to gather with, weight of each target: 0 where ignored)."""
    valid = t != ignore_index
    bad = t[valid & ((t < 0) | (t >= num_classes))]
    if bad.size:
        raise IndexError(f"Target {int(bad[0])} is out of bounds: class indices must be in "
                         f"[0, {num_classes}) for {num_classes} classes "
                         f"(or equal ignore_index={ignore_index})")
    safe = np.where(valid, t, 0)
    if weight is None:
        w = valid.astype(dtype)
    else:
        w = np.where(valid, weight.array[safe], 0).astype(dtype)
    return safe, w


def _check_class_weight(weight: Tensor | None, num_classes: int, name: str) -> None:
    """A class ``weight`` must be a Tensor of shape ``(C,)``: one entry per class."""
    if weight is None:
        return
    if not isinstance(weight, Tensor):
        raise TypeError(f"{name}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.shape != (num_classes,):
        raise RuntimeError(f"{name}: weight should have one entry per class: the input has "
                           f"{num_classes} classes but weight has shape {tuple(weight.shape)}")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Negative log likelihood of class ``target`` given log-probabilities ``input``.

    ``loss_i = -weight[t_i] * input[i, t_i]``; targets equal to ``ignore_index`` count 0.
    ``mean`` divides by the summed weight of the counted targets (as PyTorch).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    rows, t = _class_indices(input, target, "nll_loss")
    _check_class_weight(weight, rows.shape[1], "nll_loss")
    safe, w = _target_weights(t, rows.shape[1], weight, ignore_index, rows.array.dtype)
    loss = _fused.NLLLossFunction.apply(rows, safe, w, reduction)
    if reduction == "none":
        return loss.reshape(np.shape(getattr(target, "array", target)))
    return loss


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross entropy of logits ``input`` (class dim 1) and class-index ``target``.

    ``= nll_loss(log_softmax(input, 1), target)``; with ``label_smoothing = e`` the target puts
    ``1 - e`` on the true class and spreads ``e`` evenly over all classes. A float ``target`` of
    the input's shape is read as class probabilities.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have a class dim, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    _check_class_weight(weight, input.shape[class_dim], "cross_entropy")
    # BEGIN SOLUTION 3.6 cross entropy = nll of log_softmax, plus label smoothing
    logp = log_softmax(input, class_dim)
    num_classes = input.shape[class_dim]
    w_shape = [1] * input.ndim
    w_shape[class_dim] = num_classes
    w_b = None if weight is None else Tensor(weight.array.reshape(w_shape))
    if isinstance(target, Tensor) and target.is_floating_point() and target.shape == input.shape:
        return _cross_entropy_probabilities(logp, target, w_b, class_dim, reduction,
                                            label_smoothing)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return loss
    _, t = _class_indices(logp, target, "cross_entropy")
    safe, w = _target_weights(t, num_classes, weight, ignore_index, logp.array.dtype)
    valid = (t != ignore_index).reshape(np.shape(target.array))
    smooth = -(logp if w_b is None else logp * w_b).sum(class_dim)  # same shape as target
    smooth = smooth * Tensor(valid.astype(logp.array.dtype))
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean":
        denominator = w.sum(dtype=w.dtype)  # summed target weights (the count when unweighted)
        if denominator == 0:  # every target ignored: nan, with a zero gradient (as PyTorch)
            smooth = smooth.sum() * 0.0 + float("nan")
        else:
            smooth = smooth.sum() / Tensor(denominator)
    return loss * (1.0 - label_smoothing) + smooth * (label_smoothing / num_classes)
    # END SOLUTION


def _cross_entropy_probabilities(logp: Tensor, target: Tensor, w_b: Tensor | None,
                                 class_dim: int, reduction: str, label_smoothing: float) -> Tensor:
    """Cross entropy against a distribution over classes (``target`` shaped like the input)."""
    if target.shape != logp.shape:
        raise ValueError(f"cross_entropy: class-probability target must have the input's shape "
                         f"{tuple(logp.shape)}, got {tuple(target.shape)}")
    num_classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / num_classes
    terms = logp * target if w_b is None else logp * target * w_b
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    return -terms.sum() / (logp.numel() / num_classes)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """-[t log x + (1 - t) log(1 - x)] for probabilities ``x``; logs clamp at -100 (PyTorch)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(f"Using a target size ({tuple(target.shape)}) that is different to the "
                         f"input size ({tuple(input.shape)}) is deprecated. Please ensure they "
                         "have the same size.")
    for what, values in (("input", input.array), ("target", target.array)):
        if values.size and (np.nanmin(values) < 0 or np.nanmax(values) > 1):
            raise RuntimeError(
                f"all elements of {what} should be between 0 and 1, got values in "
                f"[{np.nanmin(values):g}, {np.nanmax(values):g}] (binary_cross_entropy takes "
                "probabilities; use binary_cross_entropy_with_logits for logits)")
    # BEGIN SOLUTION 3.7 binary cross entropy on probabilities
    loss = _fused.BinaryCrossEntropyFunction.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
    # END SOLUTION


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None
                                     ) -> Tensor:
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits.

    ``-log sigmoid(x) = log(1 + e^-x) = m + log(e^-m + e^(-x-m))`` with ``m = max(-x, 0)``, so no
    exponent is positive. ``pos_weight`` (one per class, last dim) scales the positive term.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(f"Target size ({tuple(target.shape)}) must be the same as input size "
                         f"({tuple(input.shape)})")
    # BEGIN SOLUTION 3.7 binary cross entropy on logits, stable for large |x|
    m = (-input).clamp(min=0).detach()  # the value of m does not change the result or gradient
    neg_log_sigmoid = m + ((-m).exp() + (-input - m).exp()).log()
    if pos_weight is None:
        loss = (1 - target) * input + neg_log_sigmoid
    else:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * neg_log_sigmoid
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
    # END SOLUTION


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape ``(*tensor.shape, num_classes)`` with a 1 at each class index."""
    t = np.asarray(getattr(tensor, "array", tensor))
    if t.dtype != np.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor "
                           f"(int64), got dtype {t.dtype}")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got values in "
                           f"[{int(t.min())}, {int(t.max())}]")
    out = np.zeros(t.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, t[..., None].astype(np.int64), 1, axis=-1)
    return Tensor(out)
