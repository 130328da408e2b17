"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (``torch.nn.utils``).

Both change ``p.grad`` in place, after ``backward()`` and before ``optimizer.step()``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from tinytorch.tensor import Tensor, tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[np.ndarray]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad.data for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The joint norm is the ``norm_type``-norm of all gradients seen as one vector
    (``norm_type=inf``: the largest absolute value). Gradients are multiplied by
    ``min(1, max_norm / (total_norm + 1e-6))``. Returns the total norm before clipping (a 0-d
    Tensor). With ``error_if_nonfinite=True`` a nan/inf total norm raises a RuntimeError.
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return tensor(0.0)
    # BEGIN SOLUTION 3.14 clip_grad_norm_: total norm over all gradients, then scale
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        norms = np.array([np.linalg.norm(g.ravel().astype(np.float64), ord=norm_type)
                          for g in grads])
        total = float(np.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            f"so it cannot be clipped. To disable this error and scale the gradients by the "
            f"non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = min(float(max_norm) / (total + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):  # a non-finite norm scales by nan, as PyTorch does
        for g in grads:
            g *= coef
    # END SOLUTION
    return tensor(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
