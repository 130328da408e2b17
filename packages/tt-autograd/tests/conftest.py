"""Oracles shared by the tests: finite differences written here (not the gradcheck under test),
and PyTorch when it is installed; the three checks of an op table."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import tinytorch.autograd as ag
import tinytorch.tensor as tt

try:
    import torch
except ImportError:  # the PyTorch oracle is optional
    torch = None


def as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def weighted(outputs: Any, weights: list[np.ndarray]) -> float:
    return float(sum(np.sum(o.array * w) for o, w in zip(as_tuple(outputs), weights)))


def numerical_grads(fn: Any, inputs: list[tt.Tensor], weights: list[np.ndarray],
                    eps: float = 1e-6, record: bool = False) -> list[np.ndarray]:
    """d sum(w * fn(inputs)) / d input, by central differences (float64)."""
    result = []
    for x in inputs:
        data = x.array
        g = np.zeros(data.shape)
        with ag.set_grad_enabled(record):
            for k in np.ndindex(*data.shape):
                old = data[k]
                data[k] = old + eps
                plus = weighted(fn(*inputs), weights)
                data[k] = old - eps
                minus = weighted(fn(*inputs), weights)
                data[k] = old
                g[k] = (plus - minus) / (2 * eps)
        result.append(g)
    return result


def analytical_grads(fn: Any, inputs: list[tt.Tensor], weights: list[np.ndarray]
                     ) -> list[np.ndarray]:
    """The same through the engine: backward of sum(w * fn(inputs)), read from .grad."""
    for x in inputs:
        x.grad = None
    outs = as_tuple(fn(*inputs))
    total = None
    for o, w in zip(outs, weights):
        term = (o * tt.tensor(w, dtype=o.dtype)).sum()
        total = term if total is None else total + term
    total.backward()
    return [np.zeros(x.shape) if x.grad is None else x.grad.array for x in inputs]


def check_grads(fn: Any, inputs: list[tt.Tensor], atol: float = 1e-6, rtol: float = 1e-5,
                seed: int = 0) -> None:
    """Engine gradients of fn equal finite differences, for a random weighting of the outputs."""
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(o.shape) for o in as_tuple(fn(*inputs))]
    got = analytical_grads(fn, inputs, weights)
    want = numerical_grads(fn, inputs, weights)
    for i, (g, n) in enumerate(zip(got, want)):
        assert g.shape == inputs[i].shape, f"input {i}: grad shape {g.shape}"
        assert g.dtype == inputs[i].array.dtype, f"input {i}: grad dtype {g.dtype}"
        np.testing.assert_allclose(g, n, atol=atol, rtol=rtol, err_msg=f"input {i}")


def check_second_order(fn: Any, inputs: list[tt.Tensor], atol: float = 1e-5,
                       rtol: float = 1e-4, seed: int = 1) -> None:
    """create_graph=True: d/dx of u . grad(w . fn(x)) equals finite differences of that
    first derivative."""
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(o.shape) for o in as_tuple(fn(*inputs))]
    us = [rng.standard_normal(x.shape) for x in inputs]

    def first(*xs: tt.Tensor) -> tt.Tensor:
        outs = as_tuple(fn(*xs))
        total = sum(((o * tt.tensor(w)).sum() for o, w in zip(outs, weights)), tt.tensor(0.0,
                                                                                       dtype=tt.float64))
        gs = ag.grad(total, list(xs), create_graph=True, allow_unused=True)
        terms = [(g * tt.tensor(u)).sum() for g, u in zip(gs, us) if g is not None]
        return sum(terms[1:], terms[0]) if terms else tt.tensor(0.0, dtype=tt.float64)

    s = first(*inputs)
    if not s.requires_grad:
        got = [np.zeros(x.shape) for x in inputs]
    else:
        found = ag.grad(s, inputs, allow_unused=True)
        got = [np.zeros(x.shape) if g is None else g.array for g, x in zip(found, inputs)]
    want = numerical_grads(first, inputs, [np.ones(())], record=True)
    for i, (g, n) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, n, atol=atol, rtol=rtol, err_msg=f"input {i}")


# -- checks of one op of a table (test_rules.py, test_library_rules.py): ``op.fn(m, *tensors)``
# runs in tinytorch (m = tinytorch.tensor) and in PyTorch (m = torch) alike.

def random_inputs(op: Any, seed: int = 0) -> list[np.ndarray]:
    """One array per shape of ``op.shapes``, drawn from ``op.domain`` (normal, positive, nonzero,
    distinct: away from integers and clamp bounds, unit: inside (-1, 1), above1, zeros: with
    exact zeros)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in op.shapes:
        if op.domain == "positive":
            x = rng.uniform(0.5, 2.0, shape)
        elif op.domain == "nonzero":
            x = rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
        elif op.domain == "distinct":  # well away from integers and clamp bounds
            x = rng.uniform(-2.0, 2.0, shape)
            x = np.where(np.abs(x - np.round(x)) < 0.1, x + 0.25, x)
            x = np.where(np.abs(np.abs(x) - 0.35) < 0.1, x + 0.3, x)
        elif op.domain == "unit":  # inside (-1, 1), away from its ends
            x = rng.uniform(-0.8, 0.8, shape)
        elif op.domain == "above1":
            x = rng.uniform(1.2, 3.0, shape)
        elif op.domain == "zeros":  # some exact zeros, two in the first row
            x = rng.standard_normal(shape)
            x.reshape(-1)[[1, 3] + list(range(len(x.reshape(-1)) - 2, len(x.reshape(-1))))] = 0.0
        else:
            x = rng.standard_normal(shape)
        arrays.append(x)
    return arrays


def assert_first_order(op: Any) -> None:
    """The engine's gradients equal central differences (float64)."""
    inputs = [tt.tensor(x, requires_grad=True) for x in random_inputs(op)]
    check_grads(lambda *xs: op.fn(tt, *xs), inputs)


def assert_second_order(op: Any) -> None:
    """create_graph=True: the rule is differentiable again, and its derivative is right."""
    inputs = [tt.tensor(x, requires_grad=True) for x in random_inputs(op, seed=3)]
    check_second_order(lambda *xs: op.fn(tt, *xs), inputs)


def assert_matches_pytorch(op: Any) -> None:
    """Forward values and gradients equal PyTorch's."""
    if torch is None:
        pytest.skip("PyTorch is not installed (optional oracle)")
    arrays = random_inputs(op, seed=5)
    ours = [tt.tensor(x, requires_grad=True) for x in arrays]
    theirs = [torch.tensor(x, requires_grad=True) for x in arrays]
    out_ours = op.fn(tt, *ours)
    out_theirs = op.fn(torch, *theirs)
    out_ours = out_ours if isinstance(out_ours, tuple) else (out_ours,)
    out_theirs = out_theirs if isinstance(out_theirs, tuple) else (out_theirs,)
    rng = np.random.default_rng(7)
    total_ours, total_theirs = 0.0, 0.0
    for o, t in zip(out_ours, out_theirs):
        np.testing.assert_allclose(o.array, t.detach().numpy(), rtol=1e-6, atol=1e-7)
        w = rng.standard_normal(o.shape)
        total_ours = (o * tt.tensor(w)).sum() + total_ours
        total_theirs = (t * torch.tensor(w)).sum() + total_theirs
    total_ours.backward()
    total_theirs.backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        want = np.zeros(a.shape) if b.grad is None else b.grad.numpy()
        got = np.zeros(a.shape) if a.grad is None else a.grad.array
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7, err_msg=f"input {i}")


@pytest.fixture
def oracle() -> SimpleNamespace:
    return SimpleNamespace(check_grads=check_grads, check_second_order=check_second_order,
                           numerical_grads=numerical_grads, analytical_grads=analytical_grads,
                           assert_first_order=assert_first_order,
                           assert_second_order=assert_second_order,
                           assert_matches_pytorch=assert_matches_pytorch)
