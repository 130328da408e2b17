"""Adam and AdamW, following PyTorch's documented algorithm.

For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...``::

    g = -g                                         if maximize
    g = g + weight_decay * p                       Adam (L2 penalty in the gradient)
    p = p * (1 - lr * weight_decay)                AdamW (decoupled weight decay)
    m = beta1 * m + (1 - beta1) * g                first moment
    v = beta2 * v + (1 - beta2) * g * g            second moment
    v_max = max(v_max, v)                          if amsgrad (use v_max in place of v)
    p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, buffer_like, check_hyper, learning_rate, new_step

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``); ``weight_decay`` adds an L2 term to the gradient (or, with
    ``decoupled_weight_decay=True``, shrinks the weights directly: AdamW)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        check_hyper("learning rate", lr)
        check_hyper("epsilon value", eps)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        check_hyper("beta parameter at index 0", betas[0], 0.0, 1.0)
        check_hyper("beta parameter at index 1", betas[1], 0.0, 1.0)
        check_hyper("weight_decay value", weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """One Adam (or AdamW) step of ``param`` in place, following the module docstring.

        ``state`` holds Tensors (PyTorch's layout): ``step`` (a 0-d float32 count), ``exp_avg``
        (m), ``exp_avg_sq`` (v) and, with ``amsgrad``, ``max_exp_avg_sq``; they are created
        here on the first step. Work on their ``.array`` in place (``m *= beta1``...), never on
        ``grad`` (it is the parameter's ``.grad``). ``decoupled_weight_decay`` selects AdamW's
        ``p *= 1 - lr * weight_decay`` over Adam's ``g = g + weight_decay * p``.

        Hint: Adam is the hot loop of training; ``np.sqrt(v, out=buffer)`` and in-place
        operators on one scratch buffer avoid allocating a new array per operation.
        """
        if not state:
            state["step"] = new_step()
            state["exp_avg"] = buffer_like(param)
            state["exp_avg_sq"] = buffer_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = buffer_like(param)
        lr, (beta1, beta2), eps = learning_rate(group), group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        # BEGIN SOLUTION 3.18 Adam/AdamW update: moments, bias correction, weight decay
        state["step"].array += 1
        t = float(state["step"].array)
        m, v = state["exp_avg"].array, state["exp_avg_sq"].array
        g = -grad if group["maximize"] else grad
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * param
        m *= beta1
        m += (1 - beta1) * g
        scratch = np.multiply(g, g)              # one buffer, reused below
        scratch *= 1 - beta2
        v *= beta2
        v += scratch
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"].array, v, out=state["max_exp_avg_sq"].array)
        np.sqrt(v, out=scratch)
        scratch /= math.sqrt(1 - beta2 ** t)
        scratch += eps                           # the denominator
        np.divide(m, scratch, out=scratch)
        scratch *= lr / (1 - beta1 ** t)
        param -= scratch
        # END SOLUTION


class AdamW(Adam):
    """AdamW (``torch.optim.AdamW``): Adam with decoupled weight decay (default 1e-2)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True)
