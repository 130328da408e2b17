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

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, buffer_like, check_hyper, learning_rate, new_step

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (``torch.optim.RMSprop``)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        check_hyper("learning rate", lr)
        check_hyper("epsilon value", eps)
        check_hyper("momentum value", momentum)
        check_hyper("weight_decay value", weight_decay)
        check_hyper("alpha value", alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """One RMSprop step of ``param`` in place, following the module docstring.

        ``state`` holds Tensors created here on the first step: ``step``, ``square_avg`` (s),
        with ``momentum > 0`` a ``momentum_buffer`` (b), and when ``centered`` a ``grad_avg``
        (a). Update their ``.array`` in place; never change ``grad`` (the parameter's ``.grad``).
        """
        if not state:
            state["step"] = new_step()
            state["square_avg"] = buffer_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = buffer_like(param)
            if group["centered"]:
                state["grad_avg"] = buffer_like(param)
        lr, alpha, eps, momentum = (learning_rate(group), group["alpha"], group["eps"],
                                    group["momentum"])
        # BEGIN SOLUTION 3.19 RMSprop update: running square mean, centering, momentum
        state["step"].array += 1
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * param
        square_avg = state["square_avg"].array
        square_avg *= alpha
        square_avg += (1 - alpha) * (g * g)
        if group["centered"]:
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
            param -= lr * buf
        else:
            param -= lr * (g / avg)
        # END SOLUTION
