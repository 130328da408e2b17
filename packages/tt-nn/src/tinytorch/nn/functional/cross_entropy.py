"""Class-index losses: ``nll_loss`` and ``cross_entropy`` (the loss of every classifier), and
``one_hot``.

``cross_entropy(logits, t) = nll_loss(log_softmax(logits, 1), t)``: two graph nodes. log_softmax
is part 1's (with its backward rule in part 2); the negative log likelihood is a Function written
here, forward and backward side by side, because picking one entry per row is a gather whose
composed backward would scatter through a dense (N, C) graph anyway.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinytorch.autograd import Function
from tinytorch.tensor import Tensor

from .activation import log_softmax
from .loss import check_reduction

__all__ = ["nll_loss", "cross_entropy", "one_hot"]


class NLLLossFunction(Function):
    """``loss_i = -w_i * input[i, t_i]`` over rows ``input (M, C)``, then reduced."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, target: np.ndarray, w: np.ndarray,
                reduction: str) -> Tensor:
        """``input`` (M, C) log-probabilities; ``target`` (M,) int class indices (safe to index
        with); ``w`` (M,) the weight of each row's target (0 for an ignored target).

        ``losses = -w * x[arange(M), target]`` (NumPy fancy indexing). ``"none"``: the (M,)
        losses; ``"sum"``: their sum; ``"mean"``: their sum divided by ``w.sum()`` (so a
        weighted mean, as PyTorch; 0/0 = nan when every target is ignored: silence NumPy's
        warning with ``np.errstate``). Return a new Tensor.

        For backward, store ``ctx.coef``: the (M, C) matrix d(loss)/d(input) for an upstream
        gradient of 1, i.e. ``-w_i / d`` at ``(i, t_i)`` and 0 elsewhere (``d = w.sum()`` for
        ``"mean"``, else 1; all zeros when ``d == 0``), and ``ctx.reduction``.
        """
        # BEGIN SOLUTION 3.15 nll forward: pick -w_i * input[i, t_i], reduce, keep the coefficients
        rows = np.arange(target.shape[0])
        losses = -w * input.array[rows, target]
        denominator = w.sum(dtype=w.dtype) if reduction == "mean" else w.dtype.type(1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = losses if reduction == "none" else np.asarray(losses.sum(dtype=w.dtype)
                                                                / denominator)
            coef = np.zeros(input.shape, dtype=input.array.dtype)
            if denominator != 0:
                coef[rows, target] = -w / denominator
        ctx.reduction, ctx.coef = reduction, coef
        return Tensor(out)
        # END SOLUTION

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, ...]:
        """d(loss)/d(input) = ``coef * g``: g a scalar for ``"mean"``/``"sum"``, one value per
        row, ``(M,)``, for ``"none"`` (reshape it to ``(M, 1)`` to broadcast over classes).
        Return a gradient for each of forward's four arguments (None for all but ``input``)."""
        # BEGIN SOLUTION 3.15 nll backward: scatter the upstream gradient to the target entries
        g = grad_output.reshape(-1, 1) if ctx.reduction == "none" else grad_output
        return Tensor(ctx.coef) * g, None, None, None
        # END SOLUTION


def _class_indices(input: Tensor, target: Any, name: str) -> tuple[Tensor, np.ndarray]:
    """Input as ``(M, C)`` rows of class scores and target as ``(M,)`` class indices.

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
        input = input.permute(0, *range(2, input.ndim), 1)
    return input.reshape(-1, input.shape[-1]), t.reshape(-1)


def _target_weights(t: np.ndarray, num_classes: int, weight: Tensor | None, ignore_index: int,
                    dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """``(class index safe to gather with, weight of each target: 0 where ignored)``."""
    valid = t != ignore_index
    bad = t[valid & ((t < 0) | (t >= num_classes))]
    if bad.size:
        raise IndexError(f"Target {int(bad[0])} is out of bounds: class indices must be in "
                         f"[0, {num_classes}) for {num_classes} classes "
                         f"(or equal ignore_index={ignore_index})")
    safe = np.where(valid, t, 0)
    if weight is None:
        return safe, valid.astype(dtype)
    return safe, np.where(valid, weight.array[safe], 0).astype(dtype)


def _check_class_weight(weight: Tensor | None, num_classes: int, name: str) -> None:
    """A class ``weight`` must be a Tensor of shape ``(C,)``: one entry per class."""
    if weight is None:
        return
    if not isinstance(weight, Tensor):
        raise TypeError(f"{name}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.shape != (num_classes,):
        raise RuntimeError(f"{name}: weight should have one entry per class: the input has "
                           f"{num_classes} classes but weight has shape {tuple(weight.shape)}")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, *,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log likelihood of class ``target`` given log-probabilities ``input``.

    ``loss_i = -weight[t_i] * input[i, t_i]``; targets equal to ``ignore_index`` count 0.
    ``mean`` divides by the summed weight of the counted targets (as PyTorch).
    """
    check_reduction(reduction)
    rows, t = _class_indices(input, target, "nll_loss")
    _check_class_weight(weight, rows.shape[1], "nll_loss")
    safe, w = _target_weights(t, rows.shape[1], weight, ignore_index, rows.array.dtype)
    loss = NLLLossFunction.apply(rows, safe, w, reduction)
    if reduction == "none":  # one loss per target, in the target's shape
        return loss.reshape(np.shape(getattr(target, "array", target)))
    return loss


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, *,
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross entropy of logits ``input`` (classes along dim 1; dim 0 for a 1-d input)
    and class-index ``target``: ``nll_loss(log_softmax(input, class_dim), target, weight, ...)``.

    With ``label_smoothing = e`` the target puts ``1 - e`` on the true class and ``e / C`` on
    every class, so the loss is ``(1 - e) * nll + (e / C) * smooth`` where ``smooth`` is
    ``-sum over classes of weight[c] * logp[c]`` for each sample (0 for ignored targets),
    reduced like the nll: summed, or for ``"mean"`` divided by the summed weight of the counted
    targets (``_target_weights(t, C, weight, ignore_index, dtype)[1].sum()``, where ``t`` comes
    from ``_class_indices``; nan if it is 0).

    A float ``target`` shaped like the input is read as class probabilities.

    Raises:
        RuntimeError: label_smoothing outside [0, 1]; a class weight of the wrong length; an
            integer target that is not int64.
        IndexError: a class index outside [0, C).
    """
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have a class dim, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    num_classes = input.shape[class_dim]
    _check_class_weight(weight, num_classes, "cross_entropy")
    class_shape = [num_classes if d == class_dim else 1 for d in range(input.ndim)]
    weight_b = None if weight is None else weight.reshape(class_shape)  # broadcasts over logp
    if isinstance(target, Tensor) and target.is_floating_point() and target.shape == input.shape:
        return _cross_entropy_probabilities(input, target, weight_b, class_dim, reduction,
                                            label_smoothing)
    # BEGIN SOLUTION 3.16 cross entropy = nll of log_softmax, plus label smoothing
    logp = log_softmax(input, class_dim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return loss
    _, t = _class_indices(logp, target, "cross_entropy")
    _, w = _target_weights(t, num_classes, weight, ignore_index, logp.array.dtype)
    valid = Tensor((t != ignore_index).reshape(target.shape).astype(logp.array.dtype))
    smooth = -(logp if weight_b is None else logp * weight_b).sum(class_dim) * valid
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean":
        total = w.sum(dtype=w.dtype)  # summed target weights (the count when unweighted)
        # every target ignored: nan, with a zero gradient (as PyTorch)
        smooth = smooth.sum() / Tensor(total) if total else smooth.sum() * 0.0 + float("nan")
    return loss * (1.0 - label_smoothing) + smooth * (label_smoothing / num_classes)
    # END SOLUTION


def _cross_entropy_probabilities(input: Tensor, target: Tensor, weight_b: Tensor | None,
                                 class_dim: int, reduction: str, label_smoothing: float) -> Tensor:
    """Cross entropy against a distribution over classes (``target`` shaped like the input)."""
    logp = log_softmax(input, class_dim)
    num_classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / num_classes
    terms = logp * target if weight_b is None else logp * target * weight_b
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    return -terms.sum() / (logp.numel() / num_classes)


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
    np.put_along_axis(out, t[..., None], 1, axis=-1)
    return Tensor(out)
