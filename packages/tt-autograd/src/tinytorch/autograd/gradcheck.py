"""``gradcheck``: compare the engine's gradients with central finite differences, in float64.

For a random weighting ``v`` of the outputs, the analytical gradient of ``sum(v * f(x))`` (one
backward pass) is compared, element by element of every input, with the numerical one::

    (sum(v * f(x + eps e_k)) - sum(v * f(x - eps e_k))) / (2 eps)

A wrong rule shows up in some element unless ``v`` is unlucky, which a Gaussian ``v`` never is in
practice. A failure names the input, the worst element, and both values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from tinytorch.tensor import Tensor

from .engine import grad
from .grad_mode import set_grad_enabled

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError, AssertionError):
    """An analytical gradient differs from the numerical one (a RuntimeError, as PyTorch's)."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _weighted_sum(outputs: tuple[Any, ...], weights: list[np.ndarray]) -> float:
    return float(sum(np.sum(o.array * w) for o, w in zip(outputs, weights)))


def gradcheck(fn: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None, seed: int = 0,
              _record: bool = False) -> bool:
    """Check the gradients of ``fn(*inputs)`` w.r.t. each input that requires grad.

    Use float64 inputs: float32 differences are too coarse (a warning says so, as PyTorch's).
    Returns True, or raises :class:`GradcheckError` (False with ``raise_exception=False``).
    PyTorch's other options (``fast_mode``, ``nondet_tol``, ``check_*``) are accepted; the check
    is always the full one (``check_backward_ad=False`` skips it).
    """
    # BEGIN SOLUTION 2.15 gradcheck: analytical (one backward) vs central differences (float64)
    inputs = _as_tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    if not check_backward_ad:
        return True
    for i in checked:
        if inputs[i].array.dtype != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point. The numerical differences gradcheck uses are likely to fail "
                          "with a lower precision; use float64 inputs (.double()).", UserWarning,
                          stacklevel=2)
    outputs = [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)
               and o.array.dtype.kind == "f"]
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(o.shape) for o in outputs]
    differentiable = [(o, w) for o, w in zip(outputs, weights) if o.requires_grad]
    analytical: tuple[Any, ...] = (None,) * len(checked)
    if differentiable and checked:
        analytical = grad([o for o, _ in differentiable],
                          [inputs[i] for i in checked],
                          [Tensor(w, dtype=o.dtype) for o, w in differentiable],
                          allow_unused=True)
    for position, i in enumerate(checked):
        x = inputs[i].array
        numerical = np.zeros(x.shape)
        with set_grad_enabled(_record):  # gradgradcheck's fn differentiates inside
            for k in np.ndindex(*x.shape):
                original = x[k]
                x[k] = original + eps
                plus = _weighted_sum(_as_tuple(fn(*inputs)), weights)
                x[k] = original - eps
                minus = _weighted_sum(_as_tuple(fn(*inputs)), weights)
                x[k] = original
                numerical[k] = (plus - minus) / (2 * eps)
        found = analytical[position]
        got = np.zeros(x.shape) if found is None else np.asarray(found.array, np.float64)
        if got.shape != x.shape:
            return _fail(f"input {i}: the gradient has shape {got.shape}, the input {x.shape}",
                         raise_exception)
        error = np.abs(got - numerical) - (atol + rtol * np.abs(numerical))
        if error.size and (np.any(error > 0) or not np.all(np.isfinite(got))):
            error = np.where(np.isfinite(error), error, np.inf)
            worst = np.unravel_index(int(np.argmax(error)), x.shape) if x.ndim else ()
            return _fail(
                f"gradcheck failed for input {i} (shape {tuple(x.shape)}): worst element "
                f"{tuple(int(j) for j in worst)}: analytical {float(got[worst])!r}, numerical "
                f"{float(numerical[worst])!r} (atol={atol}, rtol={rtol}).\nanalytical:\n{got}\n"
                f"numerical:\n{numerical}", raise_exception)
    return True
    # END SOLUTION


def _fail(message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradgradcheck(fn: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False, seed: int = 0) -> bool:
    """Check second derivatives: gradcheck of ``x, v -> grad(fn(x), x, v, create_graph=True)``."""
    inputs = _as_tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]
    if grad_outputs is None:
        rng = np.random.default_rng(seed + 1)
        grad_outputs = [Tensor(rng.standard_normal(o.shape), dtype=o.dtype, requires_grad=True)
                        for o in outputs]
    vs = list(_as_tuple(grad_outputs))
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple[Tensor, ...]:
        xs, weights = args[:n], args[n:]
        outs = [o for o in _as_tuple(fn(*xs)) if isinstance(o, Tensor)]
        pairs = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
        if not pairs:
            return ()
        found = grad([o for o, _ in pairs], [xs[i] for i in checked], [w for _, w in pairs],
                     create_graph=True, allow_unused=True)
        return tuple(g for g in found if g is not None)

    if not check_rev_over_rev:
        return True
    return gradcheck(first_derivative, tuple(inputs) + tuple(vs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, seed=seed, _record=True)
