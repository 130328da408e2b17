"""Acceleration: the matmul lesson and fused ops, each equal to its composed version (forward
and backward), to float64 finite differences, and to PyTorch when installed."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import grad, gradcheck
from tinytorch.systems.fused import (
    FusedCrossEntropyLoss,
    FusedGELU,
    fused_cross_entropy,
    fused_gelu,
    layer_norm_composed,
)
from tinytorch.systems.matmul_lesson import (
    compare_matmul,
    matmul_blas,
    matmul_loops,
    matmul_vectorized,
)
from tinytorch.text import layer_norm

RNG = np.random.default_rng(0)


def assert_same_forward_backward(fused, composed, arrays, rtol=1e-5, atol=1e-6):
    """Run both on fresh leaves made from ``arrays``; compare outputs and every gradient."""
    results = []
    for fn in (fused, composed):
        leaves = [tt.tensor(a, requires_grad=True) for a in arrays]
        out = fn(*leaves)
        weights = np.random.default_rng(1).standard_normal(out.shape).astype(out.array.dtype)
        (out * tt.tensor(weights)).sum().backward()
        results.append((out.array, [leaf.grad.array for leaf in leaves]))
    (out_a, grads_a), (out_b, grads_b) = results
    np.testing.assert_allclose(out_a, out_b, rtol=rtol, atol=atol)
    for ga, gb in zip(grads_a, grads_b):
        np.testing.assert_allclose(ga, gb, rtol=rtol, atol=atol)


# -- 6.7 the matmul lesson ----------------------------------------------------------------------

@pytest.mark.task("6.7")
@pytest.mark.parametrize("m, k, n", [(1, 1, 1), (3, 5, 2), (16, 7, 9)])
def test_vectorized_matmul_equals_blas(m, k, n):
    a, b = RNG.standard_normal((m, k)), RNG.standard_normal((k, n))
    np.testing.assert_allclose(matmul_vectorized(a, b), a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.task("6.7")
def test_compare_matmul_reports_every_method():
    rows = compare_matmul(sizes=(8, 32), loops_up_to=8, repeats=1)
    assert [(r["n"], r["method"]) for r in rows] == [
        (8, "blas"), (8, "vectorized"), (8, "loops"), (32, "blas"), (32, "vectorized")]
    assert all(r["seconds"] > 0 and r["gflops"] > 0 for r in rows)


def test_loops_and_blas_and_shape_errors():
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 2))
    np.testing.assert_allclose(matmul_loops(a, b), a @ b, rtol=1e-12)
    np.testing.assert_allclose(matmul_blas(a, b), a @ b, rtol=1e-12)
    with pytest.raises(ValueError, match=r"\(4, 3\) and \(2, 3\)"):
        matmul_blas(a, b.T)


# -- 6.8 fused tanh GELU (the exact one is part 5's) ---------------------------------------------

@pytest.mark.task("6.8")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_tanh_gelu_equals_composed(dtype):
    x = (RNG.standard_normal((6, 7)) * 3).astype(dtype)
    assert_same_forward_backward(lambda t: fused_gelu(t, "tanh"),
                          lambda t: F.gelu(t, approximate="tanh"), [x])


@pytest.mark.task("6.8")
def test_fused_tanh_gelu_gradcheck_and_module():
    x = tt.tensor(RNG.standard_normal((3, 4)) * 2, dtype=tt.float64, requires_grad=True)
    assert gradcheck(lambda t: fused_gelu(t, "tanh"), (x,))
    module = FusedGELU("tanh")
    np.testing.assert_allclose(module(x).detach().numpy(), F.gelu(x, "tanh").detach().numpy())


@pytest.mark.task("6.8")
def test_fused_tanh_gelu_matches_torch():
    torch = pytest.importorskip("torch")
    x = (RNG.standard_normal((5, 8)) * 3).astype(np.float32)
    ours = tt.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    fused_gelu(ours, "tanh").sum().backward()
    torch.nn.functional.gelu(theirs, approximate="tanh").sum().backward()
    # where tanh saturates, float32 rounding leaves ~1e-6 (1 + t with t one ulp above -1)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.task("6.8")
def test_fused_ops_refuse_double_backward():
    x = tt.randn(3, requires_grad=True)
    y = fused_gelu(x, "tanh").sum()
    with pytest.raises(RuntimeError, match="differentiable once"):
        grad(y, x, create_graph=True)


def test_fused_exact_gelu_is_part_5s():
    x = (RNG.standard_normal((6, 7)) * 3).astype(np.float32)
    assert_same_forward_backward(lambda t: fused_gelu(t), lambda t: F.gelu(t), [x])
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        fused_gelu(tt.randn(2), "erf")


# -- 6.9 fused softmax-cross-entropy ------------------------------------------------------------

@pytest.mark.task("6.9")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_cross_entropy_equals_composed(reduction):
    logits = (RNG.standard_normal((9, 5)) * 4).astype(np.float32)
    target = tt.tensor(RNG.integers(0, 5, 9))
    assert_same_forward_backward(lambda z: fused_cross_entropy(z, target, reduction),
                          lambda z: F.cross_entropy(z, target, reduction=reduction), [logits])


@pytest.mark.task("6.9")
def test_fused_cross_entropy_ignore_index_and_extreme_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0], [3.0, 1.0, 2.0]], np.float32)
    target = tt.tensor([2, -100, 0])
    assert_same_forward_backward(lambda z: fused_cross_entropy(z, target),
                          lambda z: F.cross_entropy(z, target), [logits])
    loss = fused_cross_entropy(tt.tensor(logits), target, reduction="none")
    assert loss.array[0] == pytest.approx(2000.0) and loss.array[1] == 0.0


@pytest.mark.task("6.9")
def test_fused_cross_entropy_gradcheck_and_module():
    z = tt.tensor(RNG.standard_normal((4, 3)), dtype=tt.float64, requires_grad=True)
    target = tt.tensor([0, 2, 1, 2])
    assert gradcheck(lambda t: fused_cross_entropy(t, target), (z,))
    loss = FusedCrossEntropyLoss()(z, target)
    assert loss.item() == pytest.approx(F.cross_entropy(z, target).item(), rel=1e-12)


def test_fused_cross_entropy_bad_input():
    with pytest.raises(ValueError, match=r"\(N, C\).*\(3,\)"):
        fused_cross_entropy(tt.randn(4, 3), tt.tensor([0, 1, 2]))
    with pytest.raises(IndexError, match="target 7 is out of bounds for 3 classes"):
        fused_cross_entropy(tt.randn(2, 3), tt.tensor([0, 7]))
    with pytest.raises(ValueError, match="reduction"):
        fused_cross_entropy(tt.randn(2, 3), tt.tensor([0, 1]), reduction="avg")


# -- the composed LayerNorm, reference for part 5's fused one ------------------------------------

@pytest.mark.parametrize("shape, normalized", [((4, 6), 6), ((2, 3, 8), (8,)), ((2, 3, 4), (3, 4))])
def test_part5_fused_layer_norm_equals_composed(shape, normalized):
    d = normalized if isinstance(normalized, tuple) else (normalized,)
    x = (RNG.standard_normal(shape) * 3 + 1).astype(np.float32)
    w = RNG.standard_normal(d).astype(np.float32)
    b = RNG.standard_normal(d).astype(np.float32)
    assert_same_forward_backward(lambda x, w, b: layer_norm(x, normalized, w, b),
                          lambda x, w, b: layer_norm_composed(x, normalized, w, b), [x, w, b],
                          rtol=1e-4, atol=1e-5)
    assert_same_forward_backward(lambda x: layer_norm(x, normalized),
                          lambda x: layer_norm_composed(x, normalized), [x], rtol=1e-4, atol=1e-5)


def test_composed_layer_norm_matches_torch():
    torch = pytest.importorskip("torch")
    x = (RNG.standard_normal((2, 5, 16)) * 2).astype(np.float32)
    w, b = RNG.standard_normal(16).astype(np.float32), RNG.standard_normal(16).astype(np.float32)
    ours = [tt.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    g = RNG.standard_normal(x.shape).astype(np.float32)
    (layer_norm_composed(ours[0], 16, ours[1], ours[2]) * tt.tensor(g)).sum().backward()
    (torch.nn.functional.layer_norm(theirs[0], (16,), theirs[1], theirs[2])
     * torch.tensor(g)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-4)
