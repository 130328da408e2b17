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

from tinytorch.tensor import Generator, Tensor, pad, rand

from . import _fused

__all__ = [
    "linear", "relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "sigmoid", "tanh",
    "softmax", "log_softmax", "dropout", "mse_loss", "l1_loss", "nll_loss", "cross_entropy",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "one_hot", "pad",
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
    return _fused.LinearFunction.apply(input, weight, bias)


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return input.relu()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise."""
    # BEGIN SOLUTION 3.4 leaky relu
    return input.where(input > 0, input * negative_slope)
    # END SOLUTION


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    # BEGIN SOLUTION 3.4 elu (exp of the clamped input, so large x cannot overflow)
    negative = (input.clamp(max=0).exp() - 1) * alpha
    return input.where(input > 0, negative)
    # END SOLUTION


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses Hendrycks' tanh form."""
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
    return input * input.sigmoid()
    # END SOLUTION


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


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (stable for large inputs)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """x - logsumexp(x) along ``dim``; finite even for logits of 1e4."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return input.log_softmax(dim)  # a primitive of part 1 with its own backward rule


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator: Generator | None = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (inverted dropout:
    the expected value is unchanged, so evaluation needs no rescaling)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    # BEGIN SOLUTION 3.5 inverted dropout
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = rand(input.shape, generator=generator, dtype=input.dtype) >= p
    mask = Tensor(keep.data.astype(input.data.dtype) * input.data.dtype.type(1.0 / (1.0 - p)))
    return input * mask
    # END SOLUTION


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


def _check_same_size(input: Tensor, target: Tensor, name: str) -> None:
    if input.shape != target.shape:
        warnings.warn(f"{name}: using a target size ({tuple(target.shape)}) that is different to "
                      f"the input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error: reduce((input - target)^2)."""
    _check_same_size(input, target, "mse_loss")
    # BEGIN SOLUTION 3.7 mean squared error
    diff = input - target
    return _reduce(diff * diff, reduction)
    # END SOLUTION


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error: reduce(|input - target|)."""
    _check_same_size(input, target, "l1_loss")
    # BEGIN SOLUTION 3.7 mean absolute error
    return _reduce((input - target).abs(), reduction)
    # END SOLUTION


def _class_indices(input: Tensor, target: Any, name: str) -> tuple[Tensor, np.ndarray]:
    """Input as (M, C) rows of class scores and target as (M,) class indices.

    Accepts ``(C,)`` with a 0-d target, ``(N, C)`` with ``(N,)``, and ``(N, C, d1, ...)`` with
    ``(N, d1, ...)`` (the class dim moves last, then everything else is flattened).
    """
    t = np.asarray(getattr(target, "data", target))
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected a target of integer class indices, got dtype "
                        f"{t.dtype} (for class probabilities pass a float target of the input's "
                        "shape to cross_entropy)")
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
        if weight.shape != (num_classes,):
            raise ValueError(f"weight must have one entry per class ({num_classes}), got shape "
                             f"{tuple(weight.shape)}")
        w = np.where(valid, weight.data[safe], 0).astype(dtype)
    return safe, w


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log likelihood of class ``target`` given log-probabilities ``input``.

    ``loss_i = -weight[t_i] * input[i, t_i]``; targets equal to ``ignore_index`` count 0.
    ``mean`` divides by the summed weight of the counted targets (as PyTorch).
    """
    _check_reduction(reduction)
    rows, t = _class_indices(input, target, "nll_loss")
    safe, w = _target_weights(t, rows.shape[1], weight, ignore_index, rows.data.dtype)
    loss = _fused.NLLLossFunction.apply(rows, safe, w, reduction)
    if reduction == "none":
        return loss.reshape(np.shape(getattr(target, "data", target)))
    return loss


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross entropy of logits ``input`` (class dim 1) and class-index ``target``.

    ``= nll_loss(log_softmax(input, 1), target)``; with ``label_smoothing = e`` the target puts
    ``1 - e`` on the true class and spreads ``e`` evenly over all classes. A float ``target`` of
    the input's shape is read as class probabilities.
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    # BEGIN SOLUTION 3.6 cross entropy = nll of log_softmax, plus label smoothing
    logp = log_softmax(input, class_dim)
    num_classes = input.shape[class_dim]
    w_shape = [1] * input.ndim
    w_shape[class_dim] = num_classes
    w_b = None if weight is None else Tensor(weight.data.reshape(w_shape))
    if isinstance(target, Tensor) and target.is_floating_point():
        return _cross_entropy_probabilities(logp, target, w_b, class_dim, reduction,
                                            label_smoothing)
    loss = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return loss
    _, t = _class_indices(logp, target, "cross_entropy")
    safe, w = _target_weights(t, num_classes, weight, ignore_index, logp.data.dtype)
    valid = (t != ignore_index).reshape(np.shape(target.data))
    smooth = -(logp if w_b is None else logp * w_b).sum(class_dim)  # same shape as target
    smooth = smooth * Tensor(valid.astype(logp.data.dtype))
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean":
        denominator = w.sum(dtype=w.dtype)  # summed target weights (the count when unweighted)
        with np.errstate(divide="ignore", invalid="ignore"):
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
                         reduction: str = "mean") -> Tensor:
    """-[t log x + (1 - t) log(1 - x)] for probabilities ``x``; logs clamp at -100 (PyTorch)."""
    _check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(f"Using a target size ({tuple(target.shape)}) that is different to the "
                         f"input size ({tuple(input.shape)}) is deprecated. Please ensure they "
                         "have the same size.")
    x = input.data
    if x.size and (np.nanmin(x) < 0 or np.nanmax(x) > 1):
        raise RuntimeError("all elements of input should be between 0 and 1 (binary_cross_entropy "
                           "takes probabilities; use binary_cross_entropy_with_logits for logits)")
    # BEGIN SOLUTION 3.7 binary cross entropy on probabilities
    loss = _fused.BinaryCrossEntropyFunction.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
    # END SOLUTION


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None
                                     ) -> Tensor:
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits.

    ``-log sigmoid(x) = log(1 + e^-x) = m + log(e^-m + e^(-x-m))`` with ``m = max(-x, 0)``, so no
    exponent is positive. ``pos_weight`` (one per class, last dim) scales the positive term.
    """
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
    t = np.asarray(getattr(tensor, "data", tensor))
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot is only applicable to index tensors, got dtype {t.dtype}")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got values in "
                           f"[{int(t.min())}, {int(t.max())}]")
    out = np.zeros(t.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, t[..., None].astype(np.int64), 1, axis=-1)
    return Tensor(out)
