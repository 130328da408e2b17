"""Benchmarks of part 1 (the Tensor) against raw NumPy and the PyTorch anchor.

A Tensor op is a NumPy call plus bookkeeping (dtype promotion, wrapping, the recorder check), so
on large arrays it should cost what NumPy costs: elementwise and reduction cases aim for 1.2x
NumPy, matmul (all BLAS) for 1.1x. The small-tensor chain measures the per-op overhead, where
Python bookkeeping dominates; it has no target and is tracked for regressions.

``python benchmarks/run.py --filter tensor.`` runs only these.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinytorch.tensor as tt

try:
    import torch
except ImportError:  # the anchor is optional
    torch = None


def _case(name: str, ours: Any, numpy: Any, theirs: Any, target: dict[str, float] | None,
          note: str) -> dict[str, Any]:
    return {"name": name, "ours": ours, "numpy": numpy, "torch": theirs, "target": target,
            "note": note}


def _arrays(*shapes: tuple[int, ...], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def _both(arrays: list[np.ndarray]) -> tuple[list[Any], list[Any]]:
    ours = [tt.tensor(a) for a in arrays]
    theirs = [torch.from_numpy(a.copy()) for a in arrays] if torch is not None else []
    return ours, theirs


def _binary(name: str, op: Any, shapes: tuple[tuple[int, ...], ...], note: str
            ) -> dict[str, Any]:
    arrays = _arrays(*shapes)
    (a, b), t = _both(arrays)
    x, y = arrays
    ta, tb = t if t else (None, None)
    return _case(name, lambda: op(a, b), lambda: op(x, y),
                 (lambda: op(ta, tb)) if t else None, {"numpy": 1.2}, note)


def _chain(x: Any, w: Any) -> Any:
    """Ten elementwise ops, the shape of a tiny activation/normalisation block."""
    y = x * w
    y = y + 1.0
    y = y.tanh() if hasattr(y, "tanh") else np.tanh(y)
    y = y * 0.5
    y = y - w
    y = abs(y)
    y = y + x
    y = y / 3.0
    y = y * y
    return y - 0.25


def cases() -> list[dict[str, Any]]:
    out = [
        _binary("tensor.add_1M", lambda a, b: a + b, ((1_000_000,), (1_000_000,)),
                "elementwise add, 1M float32"),
        _binary("tensor.mul_1M", lambda a, b: a * b, ((1_000_000,), (1_000_000,)),
                "elementwise mul, 1M float32"),
        _binary("tensor.broadcast_add", lambda a, b: a + b, ((1000, 1000), (1000,)),
                "(1000, 1000) + (1000,), float32"),
    ]

    (m,) = _arrays((1000, 1000))
    (tm,), tms = _both([m])
    out.append(_case("tensor.sum_dim1", lambda: tm.sum(1), lambda: m.sum(1),
                     (lambda: tms[0].sum(1)) if tms else None, {"numpy": 1.2},
                     "(1000, 1000).sum(dim=1), float32"))

    for n in (256, 1024):
        arrays = _arrays((n, n), (n, n), seed=n)
        (a, b), t = _both(arrays)
        x, y = arrays
        out.append(_case(f"tensor.matmul_{n}", lambda a=a, b=b: a @ b, lambda x=x, y=y: x @ y,
                         (lambda ta=t[0], tb=t[1]: ta @ tb) if t else None, {"numpy": 1.1},
                         f"({n}, {n}) @ ({n}, {n}), float32 (BLAS)"))

    arrays = _arrays((16, 16), (16, 16), seed=3)
    (a, b), t = _both(arrays)
    x, y = arrays
    out.append(_case("tensor.chain10_16x16", lambda: _chain(a, b), lambda: _chain(x, y),
                     (lambda: _chain(t[0], t[1])) if t else None, None,
                     "10 elementwise ops on (16, 16): per-op overhead (no target)"))
    return out


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run

    sys.exit(run.main(["--filter", "tensor.", *sys.argv[1:]]))
