"""``repr`` of a Tensor, in PyTorch's style: ``tensor([1., 2.], requires_grad=True)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

_DEFAULT_DTYPES = ("float32", "int64", "bool")


def _float_formatter(values: np.ndarray) -> dict[str, object]:
    finite = values[np.isfinite(values)]
    nonzero = np.abs(finite[finite != 0]).astype(np.float64)
    # PyTorch's rule: scientific when the nonzero magnitudes span more than 1000x, or leave
    # [1e-4, 1e8]; integer-valued tensors print as "3." unless scientific.
    sci = nonzero.size > 0 and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8
                                or nonzero.min() < 1e-4)
    if not sci and np.all(finite == np.round(finite)):
        def fmt(v: float) -> str:
            return f"{v:.0f}." if np.isfinite(v) else str(v)
    else:
        spec = ".4e" if sci else ".4f"

        def fmt(v: float) -> str:
            return format(v, spec) if np.isfinite(v) else str(v)
    # right-align every entry to the widest one, as PyTorch does: tensor([-1.5000,  0.0000])
    # (the width counts finite entries only; inf and nan are padded to it, never cut)
    flat = finite if finite.size else values.reshape(-1)
    shown = flat if flat.size <= 1000 else np.concatenate([flat[:500], flat[-500:]])
    width = max(len(fmt(v)) for v in shown)
    return {"float_kind": lambda v: fmt(v).rjust(width)}


def format_tensor(t: Tensor) -> str:
    data = t.array
    prefix = "tensor("
    formatter = _float_formatter(data) if data.dtype.kind == "f" and data.size else None
    if data.dtype == np.bool_ and data.size:  # pad to the longest entry, not always to "False"
        width = 5 if not data.all() and data.any() else len(str(bool(data.flat[0])))
        formatter = {"bool": lambda v: str(v).rjust(width)}
    body = np.array2string(data, separator=", ", prefix=prefix, formatter=formatter,
                           threshold=1000, edgeitems=3, max_line_width=80)
    body = body.replace(", ...,", ",  ...,")  # PyTorch's summary marker: "2,  ..., 997"
    extras = []
    if data.size == 0 and data.shape != (0,):
        extras.append(f"size={data.shape}")
    if t.dtype.name not in _DEFAULT_DTYPES:
        extras.append(f"dtype=tinytorch.{t.dtype.name}")
    if t.grad_fn is not None:  # a node names itself (PyTorch's grad_fn.name()); else its type
        name = getattr(t.grad_fn, "name", None)
        extras.append(f"grad_fn=<{name() if callable(name) else type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + body + "".join(", " + e for e in extras) + ")"
