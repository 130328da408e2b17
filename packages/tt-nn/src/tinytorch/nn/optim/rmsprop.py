"""RMSprop, following PyTorch's documented algorithm.

For each parameter ``p`` with gradient ``g``::

    g = -g                                         if maximize
    g = g + weight_decay * p                       if weight_decay != 0
    s = alpha * s + (1 - alpha) * g * g            running mean of squares
    a = alpha * a + (1 - alpha) * g                if centered (running mean)
    d = sqrt(s - a * a) + eps  if centered  else  sqrt(s) + eps
    b = momentum * b + g / d;  p = p - lr * b      if momentum > 0
    p = p - lr * g / d                             otherwise
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, buffer_like, check_hyper, new_step

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (``torch.optim.RMSprop``)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        # capturable / foreach / differentiable select PyTorch kernels: accepted, no effect here.
        check_hyper("learning rate", lr)
        check_hyper("epsilon value", eps)
        check_hyper("momentum value", momentum)
        check_hyper("weight_decay value", weight_decay)
        check_hyper("alpha value", alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, alpha, eps = self._lr(group), group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            centered, maximize = group["centered"], group["maximize"]
            for p, g in self._grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = new_step()
                    state["square_avg"] = buffer_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = buffer_like(p)
                    if centered:
                        state["grad_avg"] = buffer_like(p)
                # BEGIN SOLUTION 3.12 RMSprop update: running square mean, centering, momentum
                state["step"].array += 1
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = g + weight_decay * p.array
                square_avg = state["square_avg"].array
                square_avg *= alpha
                square_avg += (1 - alpha) * (g * g)
                if centered:
                    grad_avg = state["grad_avg"].array
                    grad_avg *= alpha
                    grad_avg += (1 - alpha) * g
                    avg = np.sqrt(square_avg - grad_avg * grad_avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"].array
                    buf *= momentum
                    buf += g / avg
                    p.array -= lr * buf
                else:
                    p.array -= lr * (g / avg)
                # END SOLUTION
                self._updated(p)
        return loss
