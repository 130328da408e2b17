"""TinyTorch part 2: automatic differentiation.

Importing this package (or merely having tt-autograd installed: part 1 finds it through the
``tinytorch.extensions`` entry point) brings the gradient attributes of
:class:`tinytorch.tensor.Tensor` to life::

    import tinytorch.tensor as tt
    from tinytorch.autograd import no_grad

    w = tt.randn(3, requires_grad=True)
    loss = (w * w).sum()
    loss.backward()          # w.grad == 2 * w
    with no_grad():
        w -= 0.1 * w.grad

The files read in syllabus order: ``grad_mode`` (recording on/off), ``graph`` (nodes),
``rules`` (one backward rule per op), ``engine`` (the backward walk), ``function`` (custom ops),
``gradcheck`` (finite-difference checks).
"""

from ._version import __version__
from .engine import ENGINE, backward, grad, register, unbroadcast
from .function import Function, FunctionCtx
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import AccumulateGrad, Node
from .rules import RULES

__all__ = [
    "__version__", "grad", "backward", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled", "inference_mode", "is_inference_mode_enabled", "Function", "FunctionCtx", "gradcheck",
    "gradgradcheck", "GradcheckError", "Node", "AccumulateGrad", "RULES", "unbroadcast", "ENGINE",
    "register",
]

register()
