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

from tinytorch.tensor import from_numpy

from .optimizer import Optimizer, check_hyper

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (``torch.optim.SGD``)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False,
                 *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        # foreach / fused / differentiable select PyTorch kernels; here there is one (NumPy)
        # implementation, so they are accepted, recorded in the groups, and change nothing.
        check_hyper("learning rate", lr)
        check_hyper("momentum", momentum)
        check_hyper("dampening", dampening)
        check_hyper("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, momentum, dampening = self._lr(group), group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = (group["weight_decay"], group["nesterov"],
                                                group["maximize"])
            for p, g in self._grads(group):
                # BEGIN SOLUTION 3.10 SGD update: weight decay, momentum buffer, Nesterov, step
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = g + weight_decay * p.array
                if momentum != 0:
                    state = self.state[p]
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        buf = np.array(g, dtype=p.array.dtype)
                        state["momentum_buffer"] = from_numpy(buf)
                    else:
                        buf = buffer.array
                        buf *= momentum
                        buf += (1 - dampening) * g
                    g = g + momentum * buf if nesterov else buf
                p.array -= lr * g
                # END SOLUTION
                self._updated(p)
        return loss
