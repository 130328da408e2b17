"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay (as PyTorch).

For each parameter ``p`` with gradient ``g``::

    g = -g                                   if maximize
    g = g + weight_decay * p                 if weight_decay != 0
    b = g                                    on the first step   (momentum != 0)
    b = momentum * b + (1 - dampening) * g   afterwards
    g = g + momentum * b  if nesterov  else  b
    p = p - lr * g
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from tinytorch.tensor import from_numpy

from .optimizer import Optimizer, check_hyper, learning_rate

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (``torch.optim.SGD``)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        check_hyper("learning rate", lr)
        check_hyper("momentum", momentum)
        check_hyper("dampening", dampening)
        check_hyper("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """One SGD step of ``param`` (an ndarray, changed in place) following the formulas of
        the module docstring, with the group's ``lr`` (``learning_rate(group)``), ``momentum``,
        ``dampening``, ``weight_decay``, ``nesterov`` and ``maximize``.

        The momentum buffer lives in ``state["momentum_buffer"]`` as a Tensor (PyTorch's
        state-dict layout): create it on the first step as ``from_numpy(copy of g)``, then
        update its ``.array`` in place. Never write ``g -= ...`` on ``grad`` itself: it is the
        parameter's ``.grad`` (make new arrays: ``g = g + ...``).
        """
        momentum, dampening = group["momentum"], group["dampening"]
        # BEGIN SOLUTION 3.17 SGD update: weight decay, momentum buffer, Nesterov, step
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * param
        if momentum != 0:
            if state.get("momentum_buffer") is None:
                state["momentum_buffer"] = from_numpy(np.array(g, dtype=param.dtype))
                buf = state["momentum_buffer"].array
            else:
                buf = state["momentum_buffer"].array
                buf *= momentum
                buf += (1 - dampening) * g
            g = g + momentum * buf if group["nesterov"] else buf
        param -= learning_rate(group) * g
        # END SOLUTION
