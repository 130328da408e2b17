"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (``torch.nn.utils``).

Both change ``p.grad`` in place, after ``backward()`` and before ``optimizer.step()``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np

from tinytorch.tensor import Tensor, tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_", "parameters_to_vector", "vector_to_parameters"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[np.ndarray]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad.array for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float | str = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The joint norm is the ``norm_type``-norm of all gradients seen as one vector
    (``norm_type=inf``: the largest absolute value). Gradients are multiplied by
    ``min(1, max_norm / (total_norm + 1e-6))``. Returns the total norm before clipping (a 0-d
    Tensor, in the gradients' dtype). With ``error_if_nonfinite=True`` a nan/inf total norm raises
    a RuntimeError. ``foreach`` (a PyTorch kernel choice) is accepted and changes nothing.
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return tensor(0.0)
    dtype = grads[0].dtype
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
    return Tensor(np.asarray(total, dtype=dtype))


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float,
                   norm_type: float | str = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """Deprecated spelling of :func:`clip_grad_norm_` (as in PyTorch)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float | str = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` seen as one vector (e.g. the gradients)."""
    arrays = [t.array for t in ([tensors] if isinstance(tensors, Tensor) else tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return tensor(0.0)
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    else:
        norms = [np.linalg.norm(a.ravel().astype(np.float64), ord=norm_type) for a in arrays]
        total = float(np.linalg.norm(np.array(norms), ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped.")
    return Tensor(np.asarray(total, dtype=arrays[0].dtype))


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor, foreach: bool | None = None) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))`` (a given norm)."""
    coef = min(float(max_norm) / (float(total_norm.item()) + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):
        for g in _grads(parameters):
            g *= coef


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
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
