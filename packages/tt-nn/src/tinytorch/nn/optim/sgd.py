"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay (as PyTorch).

For each parameter ``p`` with gradient ``g``::

    g = -g                               if maximize
    g = g + weight_decay * p             if weight_decay != 0
    b = g                                on the first step   (momentum != 0)
    b = momentum * b + (1 - dampening) * g   afterwards
    g = g + momentum * b  if nesterov else  b
    p = p - lr * g
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_hyper, required

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (``torch.optim.SGD``)."""

    def __init__(self, params: Iterable[Any], lr: float = required, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        if lr is not required:
            check_hyper("learning rate", lr)
        check_hyper("momentum", momentum)
        check_hyper("dampening", dampening)
        check_hyper("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = (group["weight_decay"], group["nesterov"],
                                                group["maximize"])
            for p, g in self._grads(group):
                # BEGIN SOLUTION 3.10 SGD update: weight decay, momentum buffer, Nesterov, step
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = g + weight_decay * p.data
                if momentum != 0:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.array(g, dtype=p.data.dtype)
                    else:
                        buf *= momentum
                        buf += (1 - dampening) * g
                    g = g + momentum * buf if nesterov else buf
                p.data -= lr * g
                # END SOLUTION
                self._updated(p)
        return loss
