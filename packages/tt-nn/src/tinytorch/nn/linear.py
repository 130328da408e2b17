"""``Linear`` (a fully connected layer) and ``Identity``."""

from __future__ import annotations

import math
from typing import Any

from tinytorch.tensor import Tensor, empty

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Linear", "Identity"]


def _check_device(device: Any) -> None:
    """TinyTorch computes on the CPU only: ``device=None`` or ``"cpu"`` (PyTorch's spelling)."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"TinyTorch runs on the CPU only, got device={device!r}")


class Identity(Module):
    """Returns its input unchanged (a placeholder; constructor arguments are ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ W.T + b`` with ``W`` of shape ``(out_features, in_features)``.

    Initialised as PyTorch does: ``kaiming_uniform_(W, a=sqrt(5))``, which is
    U(-1/sqrt(in_features), 1/sqrt(in_features)), and the bias from the same range.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        """Create ``self.weight``, a Parameter of shape ``(out_features, in_features)``, and
        ``self.bias`` of shape ``(out_features,)`` (``tinytorch.tensor.empty(..., dtype=dtype)``
        for their storage), or with ``bias=False`` declare it absent with
        ``self.register_parameter("bias", None)``. Then fill them: ``self.reset_parameters()``.
        """
        super().__init__()
        _check_device(device)
        self.in_features = in_features
        self.out_features = out_features
        # BEGIN SOLUTION 3.10 create the weight (out, in) and the optional bias (out,)
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        # END SOLUTION

    def reset_parameters(self, generator: Any = None) -> None:
        """Draw fresh weights, as PyTorch does (the constructor calls this).

        ``init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)``, which is
        U(-1/sqrt(in_features), 1/sqrt(in_features)); the bias (when there is one) from the same
        range with ``init.uniform_`` (0 if ``in_features`` is 0).
        """
        # BEGIN SOLUTION 3.10 PyTorch's default initialisation of a Linear layer
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, generator=generator)
        # END SOLUTION

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
