"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (``torch.nn.utils``).

Both change ``p.grad`` in place, after ``backward()`` and before ``optimizer.step()``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from tinytorch.tensor import Tensor, tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_", "parameters_to_vector", "vector_to_parameters"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[np.ndarray]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad.array for p in parameters if p.grad is not None]


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float | str = 2.0,
                   error_if_nonfinite: bool = False) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` seen as one long vector (e.g. the gradients).

    ``(sum over all elements of |x|^p)^(1/p)``, which is the p-norm of the per-tensor p-norms
    (``np.linalg.norm(..., ord=p)`` twice, in float64), or for ``p = inf`` the largest
    ``|x|``. Returns a 0-d Tensor in the first tensor's dtype (0.0 for no tensors).

    Raises:
        RuntimeError: the norm is nan or inf and ``error_if_nonfinite`` is set.
    """
    arrays = [t.array for t in ([tensors] if isinstance(tensors, Tensor) else tensors)]
    if not arrays:
        return tensor(0.0)
    # BEGIN SOLUTION 3.21 the total norm of all gradients seen as one vector
    p = float(norm_type)
    if math.isinf(p):
        total = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    else:
        norms = [np.linalg.norm(a.ravel().astype(np.float64), ord=p) for a in arrays]
        total = float(np.linalg.norm(np.array(norms), ord=p))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`")
    return Tensor(np.asarray(total, dtype=arrays[0].dtype))
    # END SOLUTION


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor) -> None:
    """Multiply every gradient, in place, by ``min(1, max_norm / (total_norm + 1e-6))``
    (a nan or inf norm scales by nan, as PyTorch: silence NumPy's warning with
    ``np.errstate(invalid="ignore")``)."""
    # BEGIN SOLUTION 3.21 scale every gradient by min(1, max_norm / (total + 1e-6))
    coef = min(float(max_norm) / (float(total_norm.item()) + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):
        for g in _grads(parameters):
            g *= coef
    # END SOLUTION


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float | str = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so that their joint ``norm_type``-norm is at most
    ``max_norm``; return the total norm before clipping (a 0-d Tensor).

    :func:`get_total_norm` of the gradients, then :func:`clip_grads_with_norm_`.
    """
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-d Tensor (a copy)."""
    return Tensor(np.concatenate([p.array.ravel() for p in parameters]))


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-d ``vec`` into the parameters (in place)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    for p in parameters:
        n = p.numel()
        p.array[...] = vec.array[offset:offset + n].reshape(p.shape)
        p._bump_version()
        offset += n
