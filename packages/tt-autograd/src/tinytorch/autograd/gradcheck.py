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


def gradcheck(fn: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None, seed: int = 0) -> bool:
    """Check the gradients of ``fn(*inputs)`` w.r.t. each input that requires grad.

    Use float64 inputs: float32 differences are too coarse (a warning says so, as PyTorch's).
    Returns True, or raises :class:`GradcheckError` (False with ``raise_exception=False``).
    ``check_backward_ad=False`` skips the check. As in PyTorch: ``nondet_tol`` (TinyTorch's ops
    are deterministic), ``fast_mode`` (the full check is always done) and
    ``check_undefined_grad`` (backward always gets zeros, never an undefined gradient, for an
    output that got none) change nothing; checks TinyTorch does not have (forward mode, batched
    gradients, gradient dtypes, masked) raise NotImplementedError when asked for.
    """
    _refuse(check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
            check_batched_forward_grad=check_batched_forward_grad,
            check_forward_ad=check_forward_ad, masked=masked)
    return _gradcheck(fn, inputs, eps, atol, rtol, raise_exception, check_backward_ad, seed)


def _gradcheck(fn: Callable[..., Any], inputs: Any, eps: float, atol: float, rtol: float,
               raise_exception: bool, check_backward_ad: bool = True, seed: int = 0,
               record: bool = False) -> bool:
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
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
                          stacklevel=3)
    try:
        compare_gradients(fn, inputs, checked, eps, atol, rtol, seed, record)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def compare_gradients(fn: Callable[..., Any], inputs: tuple[Any, ...], checked: list[int],
                      eps: float, atol: float, rtol: float, seed: int = 0,
                      record: bool = False) -> None:
    """Raise :class:`GradcheckError` unless the engine's gradients of ``fn`` w.r.t. the inputs
    at positions ``checked`` match central differences.

    1. Run ``fn(*inputs)`` once and keep its float Tensor outputs (``fn`` may return one Tensor or
       a tuple); draw one weight array ``v`` per output from
       ``np.random.default_rng(seed).standard_normal(shape)``.
    2. Analytical: one :func:`~tinytorch.autograd.grad` call for the outputs that require grad,
       weighted by their ``v`` (as float64 Tensors of the output's dtype), w.r.t. the checked
       inputs, with ``allow_unused=True`` (a None gradient counts as zeros).
    3. Numerical, for each element ``k`` of a checked input's array ``x``: set ``x[k] += eps``,
       evaluate ``sum(v * fn(*inputs))`` (NumPy on ``.array``), set ``x[k] -= 2 eps``, evaluate
       again, restore ``x[k]``; the derivative is ``(plus - minus) / (2 eps)``. Run ``fn`` under
       ``set_grad_enabled(record)`` (gradgradcheck's ``fn`` differentiates inside).
    4. Compare: an element fails where ``|analytical - numerical| > atol + rtol |numerical|`` or
       the analytical value is not finite. Raise ``GradcheckError`` naming the input's position,
       its shape, the worst element's index and both values there (``"gradcheck failed for
       input 1 ... worst element (1, 2): analytical ..., numerical ..."``), then both arrays.
    """
    # BEGIN SOLUTION 2.15 gradcheck: one backward against central differences
    def weighted_sum() -> float:
        outs = fn(*inputs)
        outs = outs if isinstance(outs, tuple) else (outs,)
        return float(sum(np.sum(o.array * w) for o, w in zip(floats(outs), weights)))

    def floats(outs: tuple[Any, ...]) -> list[Tensor]:
        return [o for o in outs if isinstance(o, Tensor) and o.array.dtype.kind == "f"]

    first = fn(*inputs)
    outputs = floats(first if isinstance(first, tuple) else (first,))
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(o.shape) for o in outputs]
    weighted = [(o, Tensor(w, dtype=o.dtype)) for o, w in zip(outputs, weights) if o.requires_grad]
    analytical: tuple[Any, ...] = (None,) * len(checked)
    if weighted:
        analytical = grad([o for o, _ in weighted], [inputs[i] for i in checked],
                          [w for _, w in weighted], allow_unused=True)
    for i, found in zip(checked, analytical):
        x = inputs[i].array
        numerical = np.zeros(x.shape)
        with set_grad_enabled(record):
            for k in np.ndindex(*x.shape):
                original = x[k]
                x[k] = original + eps
                plus = weighted_sum()
                x[k] = original - eps
                minus = weighted_sum()
                x[k] = original
                numerical[k] = (plus - minus) / (2 * eps)
        got = np.zeros(x.shape) if found is None else np.asarray(found.array, np.float64)
        error = np.abs(got - numerical) - (atol + rtol * np.abs(numerical))
        error = np.where(np.isfinite(got), error, np.inf)
        if error.size and np.any(error > 0):
            worst = np.unravel_index(int(np.argmax(error)), x.shape)
            raise GradcheckError(
                f"gradcheck failed for input {i} (shape {tuple(x.shape)}): worst element "
                f"{tuple(int(j) for j in worst)}: analytical {float(got[worst])!r}, numerical "
                f"{float(numerical[worst])!r} (atol={atol}, rtol={rtol}).\nanalytical:\n{got}\n"
                f"numerical:\n{numerical}")
    # END SOLUTION


def _refuse(**options: Any) -> None:
    """A clear error for each PyTorch check that is asked for but that TinyTorch cannot do."""
    for name, value in options.items():
        if value:
            raise NotImplementedError(f"gradcheck: {name}=True is not supported by tinytorch "
                                      "(only backward-mode gradients are checked)")


def gradgradcheck(fn: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False, seed: int = 0) -> bool:
    """Check second derivatives: gradcheck of ``x, v -> grad(fn(x), x, v, create_graph=True)``.

    Options as :func:`gradcheck`'s (``gen_non_contig_grad_outputs`` changes nothing: NumPy
    layouts are invisible to the rules).
    """
    _refuse(check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
            check_fwd_over_rev=check_fwd_over_rev, masked=masked)
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = fn(*inputs)
    outputs = [o for o in (outputs if isinstance(outputs, tuple) else (outputs,))
               if isinstance(o, Tensor)]
    if grad_outputs is None:
        rng = np.random.default_rng(seed + 1)
        grad_outputs = [Tensor(rng.standard_normal(o.shape), dtype=o.dtype, requires_grad=True)
                        for o in outputs]
    vs = list(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else [grad_outputs]
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple[Tensor, ...]:
        xs, weights = args[:n], args[n:]
        outs = fn(*xs)
        outs = outs if isinstance(outs, tuple) else (outs,)
        pairs = [(o, w) for o, w in zip(outs, weights) if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            return ()
        found = grad([o for o, _ in pairs], [xs[i] for i in checked], [w for _, w in pairs],
                     create_graph=True, allow_unused=True)
        return tuple(g for g in found if g is not None)

    if not check_rev_over_rev:
        return True
    return _gradcheck(first_derivative, inputs + tuple(vs), eps, atol, rtol, raise_exception,
                      seed=seed, record=True)
