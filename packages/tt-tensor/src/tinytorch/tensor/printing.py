"""``repr`` of a Tensor, in PyTorch's style: ``tensor([1., 2.], requires_grad=True)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

_DEFAULT_DTYPES = ("float32", "int64", "bool")


def _float_formatter(values: np.ndarray) -> dict[str, object]:
    finite = values[np.isfinite(values)]
    if finite.size == 0 or np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        def fmt(v: float) -> str:
            return f"{v:.0f}." if np.isfinite(v) else str(v)
    else:
        big = np.abs(finite).max()
        small = np.abs(finite[finite != 0]).min() if np.any(finite != 0) else 1.0
        spec = ".4e" if big >= 1e8 or small < 1e-4 else ".4f"

        def fmt(v: float) -> str:
            return format(v, spec) if np.isfinite(v) else str(v)
    # right-align every entry to the widest one, as PyTorch does: tensor([-1.5000,  0.0000])
    # (the width counts finite entries only; inf and nan are padded to it, never cut)
    flat = finite if finite.size else values.reshape(-1)
    shown = flat if flat.size <= 1000 else np.concatenate([flat[:500], flat[-500:]])
    width = max(len(fmt(v)) for v in shown)
    return {"float_kind": lambda v: fmt(v).rjust(width)}


def format_tensor(t: Tensor) -> str:
    data = t.data
    prefix = "tensor("
    formatter = _float_formatter(data) if data.dtype.kind == "f" and data.size else None
    body = np.array2string(data, separator=", ", prefix=prefix, formatter=formatter,
                           threshold=1000, edgeitems=3, max_line_width=100)
    extras = []
    if data.size == 0 and data.shape != (0,):
        extras.append(f"size={data.shape}")
    if t.dtype.name not in _DEFAULT_DTYPES:
        extras.append(f"dtype=tinytorch.{t.dtype.name}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + body + "".join(", " + e for e in extras) + ")"
