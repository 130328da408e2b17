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

The files, in the order of the course:

==============  ==============================================================================
``grad_mode``   recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``
``graph``       the nodes a tensor's ``grad_fn`` points to, and their edges
``accumulate``  gradients back in each input's shape (``unbroadcast``), summed into ``.grad``
``walk``        the backward walk: topological order, each node once
``engine``      the recorder part 1 reports ops to; ``grad()`` and ``backward()``
``rules/``      one backward rule per op, in files named like part 1's
``function``    ``Function``: custom ops with a hand-written backward
``gradcheck``   analytical gradients against central finite differences
==============  ==============================================================================
"""

from ._version import __version__
from .accumulate import unbroadcast
from .engine import ENGINE, backward, grad, register
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
    "is_grad_enabled", "inference_mode", "is_inference_mode_enabled", "Function", "FunctionCtx",
    "gradcheck", "gradgradcheck", "GradcheckError", "Node", "AccumulateGrad", "RULES",
    "unbroadcast", "ENGINE", "register",
]

register()
