"""Benchmarks of part 2 (autograd) against the PyTorch anchor.

``cases()`` returns a list of dicts ``{"name", "ours", "torch", "numpy", "target"}``: each callable
takes no arguments and runs one iteration (data is made once, outside); ``target`` is the ratio
ours / torch we aim for. ``python benchmarks/bench_autograd.py`` measures them alone.

* ``autograd.chain10``: per-op overhead, 10 tiny ops on a 16-vector, then backward.
* ``autograd.mlp``: forward + backward of a 784-256-128-10 MLP written with raw tensor ops
  (matmul, add, relu, log_softmax, gather), batch 128.
* ``autograd.unfold_backward``: the adjoint of sliding windows, 200,000 windows of 4 (the fold
  loops over the 4 positions of a window, never over the windows).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinytorch.tensor as tt
from tinytorch.autograd import grad

try:
    import torch
except ImportError:  # the anchor is optional
    torch = None


def _chain(m: Any, x: Any, w: Any) -> Any:
    y = x * 2.0
    y = y + w
    y = y.tanh()
    y = y * w
    y = y - 0.5
    y = y.exp()
    y = y.sigmoid()
    y = y / 3.0
    y = y.relu()
    return y.sum()


def _chain_case() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    xs, ws = rng.standard_normal(16).astype(np.float32), rng.standard_normal(16).astype(np.float32)
    x, w = tt.tensor(xs, requires_grad=True), tt.tensor(ws, requires_grad=True)

    def ours() -> None:
        x.grad = w.grad = None
        _chain(tt, x, w).backward()

    case: dict[str, Any] = {"name": "autograd.chain10", "ours": ours, "torch": None,
                            "numpy": None, "target": 3.0}
    if torch is not None:
        tx, tw = torch.tensor(xs, requires_grad=True), torch.tensor(ws, requires_grad=True)

        def theirs() -> None:
            tx.grad = tw.grad = None
            _chain(torch, tx, tw).backward()

        case["torch"] = theirs
    return case


def _mlp(m: Any, x: Any, y: Any, params: list[Any]) -> Any:
    w1, b1, w2, b2, w3, b3 = params
    h = (x @ w1 + b1).relu()
    h = (h @ w2 + b2).relu()
    logits = h @ w3 + b3
    logp = logits.log_softmax(1)
    return -logp.gather(1, y).mean()


def _mlp_case() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    sizes = [784, 256, 128, 10]
    arrays = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        arrays.append((rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32))
        arrays.append(np.zeros(n_out, np.float32))
    xs = rng.standard_normal((128, 784)).astype(np.float32)
    ys = rng.integers(0, 10, (128, 1))
    params = [tt.tensor(a, requires_grad=True) for a in arrays]
    x, y = tt.tensor(xs), tt.tensor(ys)

    def ours() -> None:
        grad(_mlp(tt, x, y, params), params)

    def numpy_only() -> None:  # hand-written forward and backward: the floor
        w1, b1, w2, b2, w3, b3 = arrays
        a1 = xs @ w1 + b1
        h1 = np.maximum(a1, 0)
        a2 = h1 @ w2 + b2
        h2 = np.maximum(a2, 0)
        z = h2 @ w3 + b3
        z = z - z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        p[np.arange(128), ys[:, 0]] -= 1
        dz = p / 128
        dh2 = (dz @ w3.T) * (a2 > 0)
        dh1 = (dh2 @ w2.T) * (a1 > 0)
        _ = (h2.T @ dz, dz.sum(0), h1.T @ dh2, dh2.sum(0), xs.T @ dh1, dh1.sum(0))

    case: dict[str, Any] = {"name": "autograd.mlp", "ours": ours, "torch": None,
                            "numpy": numpy_only, "target": 1.3}
    if torch is not None:
        tparams = [torch.tensor(a, requires_grad=True) for a in arrays]
        tx, ty = torch.tensor(xs), torch.tensor(ys)

        def theirs() -> None:
            torch.autograd.grad(_mlp(torch, tx, ty, tparams), tparams)

        case["torch"] = theirs
    return case


def _unfold_case() -> dict[str, Any]:
    xs = np.random.default_rng(0).standard_normal(200_000).astype(np.float32)
    x = tt.tensor(xs, requires_grad=True)

    def ours() -> None:
        grad(x.unfold(0, 4, 1).sum(), x)

    case: dict[str, Any] = {"name": "autograd.unfold_backward", "ours": ours, "torch": None,
                            "numpy": None, "target": 3.0}
    if torch is not None:
        tx = torch.tensor(xs, requires_grad=True)

        def theirs() -> None:
            torch.autograd.grad(tx.unfold(0, 4, 1).sum(), tx)

        case["torch"] = theirs
    return case


def cases() -> list[dict[str, Any]]:
    """The autograd benchmark cases (see the module docstring)."""
    return [_chain_case(), _mlp_case(), _unfold_case()]

