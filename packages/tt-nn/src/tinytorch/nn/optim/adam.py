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
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, buffer_like, check_hyper, new_step

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``); ``weight_decay`` adds an L2 term to the gradient (or, with
    ``decoupled_weight_decay=True``, shrinks the weights directly: AdamW).

    ``foreach``, ``fused``, ``capturable`` and ``differentiable`` select PyTorch kernels; here
    there is one (NumPy) implementation, so they are accepted, recorded, and change nothing.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
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
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, (beta1, beta2), eps = self._lr(group), group["betas"], group["eps"]
            weight_decay, amsgrad, maximize = (group["weight_decay"], group["amsgrad"],
                                               group["maximize"])
            decoupled = group.get("decoupled_weight_decay", False)
            for p, g in self._grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = new_step()
                    state["exp_avg"] = buffer_like(p)
                    state["exp_avg_sq"] = buffer_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = buffer_like(p)
                # BEGIN SOLUTION 3.11 Adam/AdamW update: moments, bias correction, weight decay
                state["step"].array += 1
                t = float(state["step"].array)
                m, v = state["exp_avg"].array, state["exp_avg_sq"].array
                if maximize:
                    g = -g
                if weight_decay != 0:
                    if decoupled:
                        p.array *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * p.array
                m *= beta1
                m += (1 - beta1) * g
                scratch = np.multiply(g, g)              # one buffer, reused below
                scratch *= 1 - beta2
                v *= beta2
                v += scratch
                if amsgrad:
                    v_max = state["max_exp_avg_sq"].array
                    np.maximum(v_max, v, out=v_max)
                    v = v_max
                step_size = lr / (1 - beta1 ** t)
                np.sqrt(v, out=scratch)
                scratch /= math.sqrt(1 - beta2 ** t)
                scratch += eps                           # denominator
                np.divide(m, scratch, out=scratch)
                scratch *= step_size
                p.array -= scratch
                # END SOLUTION
                self._updated(p)
        return loss


class AdamW(Adam):
    """AdamW (``torch.optim.AdamW``): Adam with decoupled weight decay (default 1e-2)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
